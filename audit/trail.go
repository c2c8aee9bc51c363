package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
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

// noteNetwork records in the audit's trail, once per command (per Store)
// and audit, before its first entry of the command, that the store lies on
// a network filesystem where SQLite's locking is not safe and was used
// anyway. It is recorded by each command that writes, not once for ever:
// each command may be another person on another machine, and should the
// file be damaged, the trail shows every write made at that risk, by whom
// and when. Being an entry, it is inside the hash chain.
func (s *Store) noteNetwork(ctx context.Context, ch *store.Chain, a *Audit) error {
	if s.network == "" || s.netNoted[a.id] || s.netPending == nil || s.netPending[a.id] {
		return nil
	}
	s.netPending[a.id] = true
	_, err := ch.Append(ctx, store.Draft{Kind: KindNetworkStore, Actor: s.actor, At: s.now(),
		Payload: networkPayload{Where: s.network, Flag: "--allow-network-store"}})
	return err
}

// noteNetworkLog records in the store log, within the write transaction
// tx, that the store lies on a network filesystem and was written to
// anyway: for a write that goes into no audit's trail (the people list,
// the retention period, a retirement, a copy made into the store), whose
// marker cannot be a trail entry. The audit trail's note (noteNetwork) and
// this one are the two places a write lands; Store.write and Copy decide
// which, for every command alike.
func (s *Store) noteNetworkLog(ctx context.Context, tx *store.WriteTx) error {
	if s.network == "" {
		return nil
	}
	_, err := tx.AppendNetworkStore(ctx, s.actor, s.now(), networkPayload{Where: s.network, Flag: "--allow-network-store"})
	return err
}

// Entry is one entry of an audit's trail (see store.Entry); its Kind is
// one of the Kind* constants.
type Entry = store.Entry

// entries reads the audit's trail entries of the given kinds (all when
// none), in order.
func entries(ctx context.Context, tx *store.Tx, a *Audit, kinds ...string) ([]Entry, error) {
	return tx.Entries(ctx, a.id, store.Filter{Kinds: kinds})
}

// caseEntries reads the audit's trail entries about one case of the given
// kinds (all when none), in order.
func caseEntries(ctx context.Context, tx *store.Tx, a *Audit, caseID string, kinds ...string) ([]Entry, error) {
	return tx.Entries(ctx, a.id, store.Filter{Case: caseID, Kinds: kinds})
}

// appendEntry appends an entry to the audit's trail within a write
// transaction.
func (s *Store) appendEntry(ctx context.Context, tx *store.WriteTx, a *Audit, kind, caseID, actor string, payload any) (Entry, error) {
	ch, err := tx.Chain(ctx, a.id, a.Name)
	if err != nil {
		return Entry{}, err
	}
	if err := s.noteNetwork(ctx, ch, a); err != nil {
		return Entry{}, err
	}
	e, err := ch.Append(ctx, store.Draft{Kind: kind, Case: caseID, Actor: actor, At: s.now(), Payload: payload, Text: freeText})
	if err != nil && caseID != "" && errors.Is(err, store.ErrText) {
		// Said of the case, so a workbook's returner finds the row.
		return e, fmt.Errorf("case %s: %w", caseID, err)
	}
	return e, err
}

// History returns every trail entry about one case of an audit, oldest
// first: findings, corrections, moderation findings (allocations and draws
// name many cases and are in Trail).
func (s *Store) History(ctx context.Context, auditName, caseID string) ([]Entry, error) {
	var out []Entry
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		id := strings.TrimSpace(caseID)
		if err := checkInSample(ctx, tx, a, id); err != nil {
			return err
		}
		out, err = caseEntries(ctx, tx, a, id)
		return err
	})
	return out, err
}

// Trail returns an audit's whole trail, oldest first.
func (s *Store) Trail(ctx context.Context, auditName string) ([]Entry, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) ([]Entry, error) {
		return entries(ctx, tx, a)
	})
}

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

// NetworkWrites returns the store log's network-store entries, oldest
// first.
func (s *Store) NetworkWrites(ctx context.Context) ([]NetworkWrite, error) {
	var out []NetworkWrite
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		for _, e := range log {
			if e.Kind != store.LogNetworkStore {
				continue
			}
			var p networkPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("store log entry %d (network-store) is damaged: %w", e.Seq, err)
			}
			out = append(out, NetworkWrite{At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Where: p.Where, Seq: e.Seq})
		}
		return nil
	})
	return out, err
}
