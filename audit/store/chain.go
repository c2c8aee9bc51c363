package audit

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"
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
)

// Entry is one entry of an audit's trail.
type Entry struct {
	Seq   int    // 1, 2, 3 … within the audit
	Kind  string // one of the Kind* constants
	Case  string // case ID; "" when the entry is not about one case
	Actor string // auditor, moderator or person acting
	// EnteredBy is who entered the entry: the person at the keyboard
	// (CASEAUDIT_USER, else the login) on SQLite, the database role of the
	// login on PostgreSQL (checked by the database). "" in entries recorded
	// before schema version 3.
	EnteredBy string
	At        time.Time       // UTC
	Payload   json.RawMessage // canonical JSON
	PrevHash  string          // hex; 64 zeros for the first entry
	Hash      string          // hex SHA-256(prev hash bytes || canonical entry)
}

// zeroHash is the previous hash of an audit's first entry.
var zeroHash = strings.Repeat("0", 64)

// canonicalJSON encodes v as canonical JSON: object keys sorted, no
// insignificant spaces, no HTML escaping, numbers as written.
func canonicalJSON(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}

// entryHash is SHA-256(prev || E) where prev is the 32 bytes of the previous
// entry's hash (zeros for the first entry) and E is the canonical JSON
// object {"actor","at","audit","case","entered_by","kind","payload","seq"}
// of the entry, with "at" as stored and "payload" the stored canonical
// payload. "entered_by" is left out when empty, so entries recorded before
// it existed hash as they always did; the chain vouches for who entered
// every later entry.
func entryHash(prevHex, auditName string, seq int, kind, caseID, actor, enteredBy, at string, payload []byte) (string, error) {
	prev, err := hex.DecodeString(prevHex)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("malformed previous hash %q", prevHex)
	}
	if !json.Valid(payload) {
		return "", fmt.Errorf("payload is not JSON")
	}
	m := map[string]any{
		"actor": actor, "at": at, "audit": auditName, "case": caseID,
		"kind": kind, "payload": json.RawMessage(payload), "seq": seq,
	}
	if enteredBy != "" {
		m["entered_by"] = enteredBy
	}
	e, err := canonicalJSON(m)
	if err != nil {
		return "", err
	}
	h := sha256.New()
	h.Write(prev)
	h.Write(e)
	return hex.EncodeToString(h.Sum(nil)), nil
}

// chain appends entries to one audit's trail within a write transaction. The
// head is read once, under the write lock (SQLite's BEGIN IMMEDIATE, or the
// audit's lock on PostgreSQL), so no other writer can append between reading
// it and committing: the chain never forks. (On PostgreSQL the database
// also refuses an entry that does not follow the head: see pg_schema.go.)
type chain struct {
	tx        *sql.Tx
	auditID   int64
	name      string
	seq       int
	head      string
	enteredBy string
}

func openChain(ctx context.Context, tx *sql.Tx, auditID int64, name string) (*chain, error) {
	c := &chain{tx: tx, auditID: auditID, name: name, head: zeroHash}
	w := writing(tx)
	if w == nil {
		return nil, fmt.Errorf("appending to the trail of audit %q outside a write transaction", name)
	}
	c.enteredBy = w.s.enteredBy
	if err := lockForWrite(ctx, tx, auditID); err != nil {
		return nil, err
	}
	err := tx.QueryRowContext(ctx, "SELECT seq, hash FROM trail WHERE audit_id = ? ORDER BY seq DESC LIMIT 1", auditID).Scan(&c.seq, &c.head)
	if err == sql.ErrNoRows {
		return c, nil
	}
	return c, err
}

// append adds one entry; payload is encoded canonically.
func (c *chain) append(ctx context.Context, kind, caseID, actor string, at time.Time, payload any) (Entry, error) {
	p, err := canonicalJSON(payload)
	if err != nil {
		return Entry{}, fmt.Errorf("encoding a %s entry: %w", kind, err)
	}
	ats := formatTime(at)
	seq := c.seq + 1
	h, err := entryHash(c.head, c.name, seq, kind, caseID, actor, c.enteredBy, ats, p)
	if err != nil {
		return Entry{}, err
	}
	if _, err := c.tx.ExecContext(ctx,
		"INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (?,?,?,?,?,?,?,?,?,?)",
		c.auditID, seq, kind, caseID, actor, ats, string(p), c.head, h, c.enteredBy); err != nil {
		return Entry{}, err
	}
	e := Entry{Seq: seq, Kind: kind, Case: caseID, Actor: actor, EnteredBy: c.enteredBy, At: parseTime(ats), Payload: p, PrevHash: c.head, Hash: h}
	c.seq, c.head = seq, h
	return e, nil
}

// queryEntries reads trail entries of one audit matching the extra condition.
func queryEntries(ctx context.Context, q interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
}, auditID int64, cond string, args ...any) ([]Entry, error) {
	query := "SELECT seq, kind, case_id, actor, entered_by, at, payload, prev_hash, hash FROM trail WHERE audit_id = ?"
	if cond != "" {
		query += " AND " + cond
	}
	query += " ORDER BY seq"
	rows, err := q.QueryContext(ctx, query, append([]any{auditID}, args...)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Entry
	for rows.Next() {
		var e Entry
		var at, payload string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Case, &e.Actor, &e.EnteredBy, &at, &payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At = parseTime(at)
		e.Payload = json.RawMessage(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// History returns every trail entry about one case of an audit, oldest
// first: findings, corrections, moderation findings (allocations and draws
// name many cases and are in Trail).
func (s *Store) History(ctx context.Context, auditName, caseID string) ([]Entry, error) {
	var out []Entry
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		id := strings.TrimSpace(caseID)
		if err := checkInSample(ctx, tx, a, id); err != nil {
			return err
		}
		out, err = queryEntries(ctx, tx, a.id, "case_id = ?", id)
		return err
	})
	return out, err
}

// Trail returns an audit's whole trail, oldest first.
func (s *Store) Trail(ctx context.Context, auditName string) ([]Entry, error) {
	var out []Entry
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		out, err = queryEntries(ctx, tx, a.id, "")
		return err
	})
	return out, err
}
