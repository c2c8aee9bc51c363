package store

import (
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strconv"
	"time"
)

// Retention. A store keeps a log of its own (table store_log, schema
// version 7), append-only and hash-chained like an audit's trail: the
// retention period set (kind LogRetention: who, when, old → new) and each
// audit retired (kind LogRetirement: the audit's sealed summary). Each
// entry's hash covers the previous entry's hash, so a summary edited,
// inserted or removed behind caseaudit's back breaks the chain, which
// verify re-walks (CheckLog); the first entry follows 64 zeros.
//
// Retiring an audit deletes every row of it — its audit row, sampled
// cases, trail entries, free texts and in-place redactions — in the
// transaction that writes its retirement entry, the entry first: the
// triggers that refuse every DELETE let through only the rows of an audit
// a retirement entry names (store_log.audit_id). An audit's id is never
// reused (SQLite's inserts number past every retired id; PostgreSQL's
// identity never goes back) and a retired name is never taken again, so
// a retirement entry can open no other audit's rows. On PostgreSQL only
// the function retire_audit (pg_retire.go) writes retirement entries.

// The kinds of store log entry.
const (
	LogRetention  = "retention"
	LogRetirement = "retirement"
	// LogNetworkStore: a command wrote to an SQLite store on a network
	// drive, at the user's insistence, and what it wrote is in no audit's
	// trail (the people list, the retention period, a retirement, a copy
	// made into it). Schema version 8.
	LogNetworkStore = "network-store"
)

// logLockID is the lock that serialises appends to the store log (an
// audit id no audit has).
const logLockID = -2

// RetiredTables are the tables a retirement deletes rows from, in the
// order it deletes them.
var RetiredTables = []string{"trail_text", "trail_redaction", "trail", "sampled_case", "audit"}

// LogEntry is one entry of the store log.
type LogEntry struct {
	Seq       int
	Kind      string // LogRetention or LogRetirement
	Audit     string // the audit retired; "" for a retention entry
	Actor     string // the person acting, as named
	EnteredBy string // the login (PostgreSQL: session_user)
	At        time.Time
	Payload   json.RawMessage // canonical JSON
	PrevHash  string
	Hash      string
}

// LogHash is the hash of a store log entry numbered seq: SHA-256(prev ||
// E), E the canonical JSON object {"actor","at","audit","entered_by",
// "kind","payload","seq"} with the payload as stored. The audit's row id
// is not in it (it is this store's pointer, not part of the record), so a
// copied log hashes as before.
func LogHash(seq int, e LogEntry) (string, error) {
	prev, err := hex.DecodeString(e.PrevHash)
	if err != nil || len(prev) != sha256.Size {
		return "", fmt.Errorf("malformed previous hash %q", e.PrevHash)
	}
	if !json.Valid(e.Payload) {
		return "", fmt.Errorf("payload is not JSON")
	}
	// Written key by key, as the PostgreSQL function log_hash does.
	var b bytes.Buffer
	b.WriteByte('{')
	for _, kv := range [][2]string{{"actor", e.Actor}, {"at", FormatTime(e.At)}, {"audit", e.Audit},
		{"entered_by", e.EnteredBy}, {"kind", e.Kind}} {
		v, err := CanonicalJSON(kv[1])
		if err != nil {
			return "", err
		}
		b.WriteString(`"` + kv[0] + `":`)
		b.Write(v)
		b.WriteByte(',')
	}
	b.WriteString(`"payload":`)
	b.Write(e.Payload)
	b.WriteString(`,"seq":` + strconv.Itoa(seq) + "}")
	h := sha256.New()
	h.Write(prev)
	h.Write(b.Bytes())
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Log returns every entry of the store log, oldest first.
func (t *Tx) Log(ctx context.Context) ([]LogEntry, error) {
	rows, err := t.tx.QueryContext(ctx, "SELECT seq, kind, audit, actor, entered_by, at, payload, prev_hash, hash FROM store_log ORDER BY seq")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []LogEntry
	for rows.Next() {
		var e LogEntry
		var at, payload string
		if err := rows.Scan(&e.Seq, &e.Kind, &e.Audit, &e.Actor, &e.EnteredBy, &at, &payload, &e.PrevHash, &e.Hash); err != nil {
			return nil, err
		}
		e.At, e.Payload = ParseTime(at), json.RawMessage(payload)
		out = append(out, e)
	}
	return out, rows.Err()
}

// CheckLog re-walks the store log's chain and names every entry edited,
// inserted or removed.
func CheckLog(es []LogEntry) (problems []string) {
	prev := ZeroHash
	for i, e := range es {
		what := fmt.Sprintf("store log entry %d (%s", e.Seq, e.Kind)
		if e.Audit != "" {
			what += " of " + strconv.Quote(e.Audit)
		}
		what += ")"
		if e.Seq != i+1 {
			problems = append(problems, fmt.Sprintf("%s is numbered %d, not %d: an entry was removed or inserted", what, e.Seq, i+1))
		}
		if e.PrevHash != prev {
			problems = append(problems, fmt.Sprintf("%s does not follow the entry before it: an entry was removed, inserted or moved", what))
		}
		if h, err := LogHash(e.Seq, e); err != nil {
			problems = append(problems, fmt.Sprintf("%s is damaged: %v", what, err))
		} else if h != e.Hash {
			problems = append(problems, fmt.Sprintf("%s was edited: its content does not match its hash", what))
		}
		prev = e.Hash
	}
	return problems
}

// LogDraft is a store log entry to append.
type LogDraft struct {
	Kind  string
	Audit string
	Actor string
	// At dates the entry; zero dates it as Draft.At says.
	At      time.Time
	Payload any // encoded as canonical JSON
}

// draft numbers, encodes and hashes d after the log's head, under the
// log's lock.
func (w *WriteTx) draft(ctx context.Context, d LogDraft) (LogEntry, error) {
	if err := w.checkEntry(d.Actor); err != nil {
		return LogEntry{}, err
	}
	if err := checkText("", d.Payload); err != nil {
		return LogEntry{}, err
	}
	if err := w.lock(ctx, logLockID); err != nil {
		return LogEntry{}, err
	}
	p, err := CanonicalJSON(d.Payload)
	if err != nil {
		return LogEntry{}, fmt.Errorf("encoding a %s entry: %w", d.Kind, err)
	}
	if d.At.IsZero() {
		d.At = w.Now() // after the log's lock: see Tx.Now
	}
	e := LogEntry{Kind: d.Kind, Audit: d.Audit, Actor: d.Actor, EnteredBy: w.EnteredBy(), At: ParseTime(FormatTime(d.At)),
		Payload: p, PrevHash: ZeroHash}
	err = w.tx.QueryRowContext(ctx, "SELECT seq, hash FROM store_log ORDER BY seq DESC LIMIT 1").Scan(&e.Seq, &e.PrevHash)
	if err != nil && err != sql.ErrNoRows {
		return LogEntry{}, err
	}
	e.Seq++
	if e.Hash, err = LogHash(e.Seq, e); err != nil {
		return LogEntry{}, err
	}
	return e, nil
}

func (w *WriteTx) insertLog(ctx context.Context, e LogEntry, auditID int64) error {
	_, err := w.tx.ExecContext(ctx, `INSERT INTO store_log (seq, kind, audit_id, audit, actor, entered_by, at, payload, prev_hash, hash)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)`,
		e.Seq, e.Kind, auditID, e.Audit, e.Actor, e.EnteredBy, FormatTime(e.At), string(e.Payload), e.PrevHash, e.Hash)
	return err
}

// AppendRetention appends a retention entry (the period set) to the store
// log and returns it as stored.
func (w *WriteTx) AppendRetention(ctx context.Context, actor string, at time.Time, payload any) (LogEntry, error) {
	e, err := w.draft(ctx, LogDraft{Kind: LogRetention, Actor: actor, At: at, Payload: payload})
	if err != nil {
		return LogEntry{}, err
	}
	return e, w.insertLog(ctx, e, 0)
}

// AppendNetworkStore appends a network-store entry (where the store lay,
// and the flag that allowed it) to the store log and returns it as stored.
func (w *WriteTx) AppendNetworkStore(ctx context.Context, actor string, at time.Time, payload any) (LogEntry, error) {
	e, err := w.draft(ctx, LogDraft{Kind: LogNetworkStore, Actor: actor, At: at, Payload: payload})
	if err != nil {
		return LogEntry{}, err
	}
	return e, w.insertLog(ctx, e, 0)
}

// Changes counts the rows this write transaction's connection has
// inserted, changed or deleted since it was opened (SQLite's
// total_changes): two readings that differ show that the transaction
// wrote something between them. PostgreSQL, on which no store lies on a
// network drive, is never asked.
func (w *WriteTx) Changes(ctx context.Context) (int64, error) {
	if w.s.b.kind() != "sqlite" {
		return 0, fmt.Errorf("counting changes: only an SQLite store can")
	}
	var n int64
	err := w.tx.QueryRowContext(ctx, "SELECT total_changes()").Scan(&n)
	return n, err
}

// RowCounts counts an audit's rows in each table a retirement deletes
// from.
func (t *Tx) RowCounts(ctx context.Context, auditID int64) (map[string]int64, error) {
	out := map[string]int64{}
	for _, table := range RetiredTables {
		col := "audit_id"
		if table == "audit" {
			col = "id"
		}
		var n int64
		if err := t.tx.QueryRowContext(ctx, "SELECT count(*) FROM "+table+" WHERE "+col+" = $1", auditID).Scan(&n); err != nil {
			return nil, err
		}
		out[table] = n
	}
	return out, nil
}

// Retire writes the audit's retirement entry (its sealed summary, payload)
// and then deletes every row of the audit, in this transaction; it returns
// the entry and the rows deleted from each table. On PostgreSQL both are
// done by the function retire_audit, which also checks the audit is past
// the store's retention period and signed off, by the server's clock.
func (w *WriteTx) Retire(ctx context.Context, auditID int64, auditName, actor string, at time.Time, payload any) (LogEntry, map[string]int64, error) {
	w.dropPrefetched()
	if err := w.lock(ctx, auditID); err != nil {
		return LogEntry{}, nil, err
	}
	e, err := w.draft(ctx, LogDraft{Kind: LogRetirement, Audit: auditName, Actor: actor, At: at, Payload: payload})
	if err != nil {
		return LogEntry{}, nil, err
	}
	if pb, ok := w.s.b.(*pgBackend); ok {
		counts, err := pb.retire(ctx, w.tx, e)
		return e, counts, err
	}
	if err := w.insertLog(ctx, e, auditID); err != nil {
		return LogEntry{}, nil, err
	}
	counts := map[string]int64{}
	for _, table := range RetiredTables {
		col := "audit_id"
		if table == "audit" {
			col = "id"
		}
		res, err := w.tx.ExecContext(ctx, "DELETE FROM "+table+" WHERE "+col+" = $1", auditID)
		if err != nil {
			return LogEntry{}, nil, err
		}
		if counts[table], err = res.RowsAffected(); err != nil {
			return LogEntry{}, nil, err
		}
	}
	return e, counts, nil
}

// retire calls retire_audit for the entry e (its seq, prev hash and hash
// drafted after the log's head) and returns the rows it deleted.
func (b *pgBackend) retire(ctx context.Context, tx *sql.Tx, e LogEntry) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT tbl, deleted FROM "+quoteIdent(b.schema)+".retire_audit($1, $2, $3, $4, $5, $6, $7)",
		e.Audit, e.Seq, e.Actor, FormatTime(e.At), string(e.Payload), e.PrevHash, e.Hash)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}

// readLogToCopy reads the store log of a store being copied, refusing one
// whose chain does not verify (a copy keeps it as it is).
func readLogToCopy(ctx context.Context, t *Tx, path string) ([]LogEntry, error) {
	log, err := t.Log(ctx)
	if err != nil {
		return nil, err
	}
	if problems := CheckLog(log); len(problems) > 0 {
		return nil, fmt.Errorf("the store log of %s does not verify (%s); a copy keeps it as it is, so mend the store first", path, problems[0])
	}
	return log, nil
}

// copyLog writes a copied store log into a store whose log is empty. A
// retirement entry points at no audit of the copy: its audit is gone, and
// the copy's audits are numbered afresh, so it gets an id no audit has
// (below zero), which opens no rows to deletion. The hash does not cover
// the id, so every entry hashes as before.
func copyLog(ctx context.Context, w *WriteTx, log []LogEntry) error {
	if len(log) == 0 {
		return nil
	}
	var n int
	if err := w.tx.QueryRowContext(ctx, "SELECT count(*) FROM store_log").Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return fmt.Errorf("the store %s already has a store log (a retention period set); copy into a new, empty store", w.s.path)
	}
	for _, e := range log {
		var id int64
		if e.Kind == LogRetirement {
			id = -int64(e.Seq)
		}
		if err := w.insertLog(ctx, e, id); err != nil {
			return fmt.Errorf("copying store log entry %d: %w", e.Seq, err)
		}
	}
	return nil
}

// Checkpoint copies what the write-ahead log holds into an SQLite store's
// file and empties the log, so that the pages a retirement or redaction
// overwrote are gone from the log too. PostgreSQL cannot be asked the same
// by the login that retires or redacts (see ErasureLeftovers). A store
// another process is reading keeps its log until that reader is done: the
// next checkpoint takes it.
func (s *Store) Checkpoint(ctx context.Context) error {
	if s.b.kind() != "sqlite" {
		return nil
	}
	_, err := s.db.ExecContext(ctx, "PRAGMA wal_checkpoint(TRUNCATE)")
	return s.Explain("checkpointing", err)
}

// ErasureLeftovers names, on a PostgreSQL store, the tables whose files
// still hold what a retirement deleted or a redaction erased, schema
// qualified, for the sentence telling the server's administrator to
// rewrite them ("" on SQLite, which overwrites in place). PostgreSQL
// overwrites nothing: a deleted or updated row stays in the table's file
// until VACUUM FULL rewrites it (a plain VACUUM only marks the space free),
// which only the store's owner may run, outside any transaction; its
// write-ahead log and backups keep it until they are replaced.
func (s *Store) ErasureLeftovers(tables ...string) []string {
	pg, ok := s.b.(*pgBackend)
	if !ok {
		return nil
	}
	out := make([]string, len(tables))
	for i, t := range tables {
		out[i] = plainIdent(pg.schema) + "." + t
	}
	return out
}

// plainIdent is a name as psql takes it: bare when PostgreSQL would read
// it unchanged, else quoted.
func plainIdent(s string) string {
	for i, r := range s {
		if !(r >= 'a' && r <= 'z' || r == '_' || i > 0 && r >= '0' && r <= '9') {
			return quoteIdent(s)
		}
	}
	if s == "" {
		return quoteIdent(s)
	}
	return s
}
