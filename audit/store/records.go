package store

// The records a transaction reads and holds (store.go keeps them in a
// write transaction's prefetched reads): a trail's entries with their free
// texts, sampled cases and changes to the people list, and which entries a
// read chooses. They use nothing of a transaction, so every file that
// reads or writes them stands above this one.

import (
	"encoding/json"
	"fmt"
	"slices"
	"time"

	"github.com/caseaudit/caseaudit/internal/canonjson"
)

// Entry is one entry of an audit's trail. The store chains entries and
// checks the chain; what an entry of each kind means is the caller's.
type Entry struct {
	Seq   int    // 1, 2, 3 … within the audit
	Kind  string // what the entry records, named by the caller
	Case  string // case ID; "" when the entry is not about one case
	Actor string // auditor, moderator or person acting
	// EnteredBy is who entered the entry: the person at the keyboard
	// (CASEAUDIT_USER, else the login) on SQLite, the database role of the
	// login on PostgreSQL (checked by the database). "" in entries recorded
	// before schema version 3.
	EnteredBy string
	At        time.Time // UTC
	// Payload is the canonical JSON payload as written, with its free
	// text (see text.go) put back, or RedactedMark where it was erased.
	Payload  json.RawMessage
	PrevHash string // hex; 64 zeros for the first entry
	Hash     string // hex SHA-256(prev hash bytes || canonical entry)
	// Stored is the payload as stored and hashed when the entry has free
	// text (commitments in place of the text); nil when Payload is both.
	Stored json.RawMessage
	// Texts are the entry's free-text fields, held or erased.
	Texts []Text
	// RedactedInPlace is when an entry written before free text was
	// committed had its payload redacted (zero when not): its hash stands
	// as recorded and its content can no longer be re-checked.
	RedactedInPlace time.Time
}

// Text is one free-text field of an entry.
type Text struct {
	Field  string // path in the payload: "note", or "answers/q3" for a key of an object
	Commit string // hex commitment, as hashed in the entry
	Salt   string // hex salt; "" once redacted
	Text   string // the text; "" once redacted
	// RedactedAt is when the text was erased (zero while it is held).
	RedactedAt time.Time
}

// Redacted reports whether the text has been erased.
func (t Text) Redacted() bool { return !t.RedactedAt.IsZero() }

// TextCommitKey is the payload key under which an entry's text
// commitments are stored: an object from field path to hex commitment.
const TextCommitKey = "text_commit"

// RedactedMark is what readers see in place of an erased text.
func RedactedMark(at time.Time) string {
	return "[redacted on " + at.UTC().Format("2006-01-02") + "]"
}

// CanonicalJSON encodes v as canonical JSON (see canonjson.Marshal): how
// payloads are stored and hashed.
func CanonicalJSON(v any) ([]byte, error) { return canonjson.Marshal(v) }

// Describe names an entry in a message: its number, kind, case, actor and
// time.
func Describe(e Entry) string {
	d := fmt.Sprintf("entry %d (%s", e.Seq, e.Kind)
	if e.Case != "" {
		d += " " + e.Case
	}
	if e.Actor != "" {
		d += " by " + e.Actor
	}
	return d + ", " + e.At.Format("2006-01-02 15:04:05") + " UTC)"
}

// Filter chooses entries of an audit's trail; the zero Filter chooses all.
type Filter struct {
	Case  string   // only entries about this case, when not ""
	Kinds []string // only entries of these kinds, when any
}

// matches reports whether f chooses e, as the query Entries sends would.
func (f Filter) matches(e Entry) bool {
	return (f.Case == "" || e.Case == f.Case) && (len(f.Kinds) == 0 || slices.Contains(f.Kinds, e.Kind))
}

// CaseRow is one sampled case as stored.
type CaseRow struct {
	Order   int
	ID      string
	Ticket  string
	Stratum string
	Row     int
	Fields  string // JSON array of the shown fields
}

// PersonChange is one change to the people list.
type PersonChange struct {
	Seq       int
	Op        string // PersonAdd or PersonRemove
	Login     string
	Name      string   // "" for a removal
	Roles     []string // empty for a removal
	At        time.Time
	EnteredBy string // who made the change (the login acting)
	PrevHash  string
	Hash      string
}
