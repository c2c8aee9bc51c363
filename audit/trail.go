package audit

import (
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Kinds of trail entries.
const (
	KindSample               = "sample"                // the audit's creation: parameters and sampled cases
	KindGrow                 = "grow"                  // cases appended to the sample
	KindFinding              = "finding"               // an auditor's first finding on a case
	KindCorrection           = "correction"            // a later finding on the same case, with a reason
	KindModerationFinding    = "moderation-finding"    // a moderator's finding on a moderated case
	KindModerationCorrection = "moderation-correction" // a later moderation finding on the same case
	KindAllocation           = "allocation"            // cases allocated to auditors
	KindModerationDraw       = "moderation-draw"       // the moderation subsample drawn
	KindNetworkStore         = "network-store"         // a command wrote to an SQLite store on a network drive, with --allow-network-store
)

// networkPayload is a network-store entry's payload.
type networkPayload struct {
	// Where says where the store lay ("a Windows network share", "a
	// network drive (nfs4)").
	Where string `json:"where"`
	// Flag is the flag that allowed it.
	Flag string `json:"flag"`
}

// Entry is one entry of an audit's trail (see store.Entry); its Kind is
// one of the Kind* constants.
type Entry = store.Entry

// NetworkWrite is a write the store log records as made to an SQLite store
// on a network drive (--allow-network-store), for what went into no
// audit's trail.
type NetworkWrite struct {
	At        time.Time
	By        string // the person acting
	EnteredBy string // the login
	Where     string // "a Windows network share", "a network drive (nfs4)"
	Seq       int    // the store log entry
}

// KindWithdrawal is the trail entry of a withdrawn case (its Case) and
// the case appended in its place.
const KindWithdrawal = "withdrawal"
