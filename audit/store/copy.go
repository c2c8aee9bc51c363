package store

import (
	"context"
	"fmt"
	"github.com/caseaudit/caseaudit/internal/words"
	"strings"
)

// CopyResult says what Copy copied.
type CopyResult struct {
	Audits  int
	Cases   int
	Entries int
	// Heads maps each audit to its trail's head, the same in both stores.
	Heads map[string]string
}

// Verifier checks one audit as a transaction sees it and returns the head
// of its trail, or the first problem found ("" when none).
type Verifier func(ctx context.Context, tx *Tx, a *AuditRow) (head, problem string, err error)

// Copy copies every audit of one store into another that holds none yet
// (SQLite to PostgreSQL and back, or between two of a kind) in one
// transaction: all of it or nothing. Rows are copied as stored (the audit's
// columns, its sampled cases, its trail with who entered each entry), so
// every trail hashes as before: each audit of the source must pass verify
// before it is copied, and pass it on the copy with the same head.
//
// Into PostgreSQL, Copy must run as the store's owner: only the owner may
// write entries entered by other logins (see pg_schema.go).
func Copy(ctx context.Context, from, to *Store, verify Verifier, progress func(audit string)) (*CopyResult, error) {
	return CopyWith(ctx, from, to, verify, progress, nil)
}

// CopyWith is Copy, calling within (when not nil) at the end of the
// copy's write transaction, for what the caller records with the copy.
func CopyWith(ctx context.Context, from, to *Store, verify Verifier, progress func(audit string), within func(context.Context, *WriteTx) error) (*CopyResult, error) {
	res := &CopyResult{Heads: map[string]string{}}
	if err := to.b.mayCopyInto(ctx, to); err != nil {
		return nil, err
	}
	var n int
	if err := to.Read(ctx, "reading", func(t *Tx) error {
		return t.tx.QueryRowContext(ctx, "SELECT count(*) FROM audit").Scan(&n)
	}); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the store %s already holds %s; copy into a new, empty store", to.path, words.Count(n, "audit"))
	}
	type auditCopy struct {
		row     *AuditRow
		cases   []CaseRow
		entries []Entry
		head    string
	}
	var audits []*auditCopy
	var people []PersonChange
	var log []LogEntry
	err := from.Read(ctx, "reading", func(t *Tx) error {
		var err error
		if people, err = readPeopleToCopy(ctx, t, from.path); err != nil {
			return err
		}
		if log, err = readLogToCopy(ctx, t, from.path); err != nil {
			return err
		}
		rows, err := t.Audits(ctx, ByCreation)
		if err != nil {
			return err
		}
		for _, a := range rows {
			head, problem, err := verify(ctx, t, a)
			if err != nil {
				return err
			}
			if problem != "" {
				return fmt.Errorf("audit %q in %s does not verify (%s); a copy keeps trails as they are, so mend or leave out the store first",
					a.Name, from.path, problem)
			}
			ac := &auditCopy{row: a, head: head}
			if ac.cases, err = t.Cases(ctx, a.ID); err != nil {
				return err
			}
			if ac.entries, err = t.Entries(ctx, a.ID, Filter{}); err != nil {
				return err
			}
			audits = append(audits, ac)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = to.Write(ctx, "copying into", func(w *WriteTx) error {
		if err := copyPeople(ctx, w, people); err != nil {
			return err
		}
		if err := copyLog(ctx, w, log); err != nil {
			return err
		}
		for _, ac := range audits {
			id, err := w.InsertAudit(ctx, *ac.row)
			if err != nil {
				return fmt.Errorf("audit %q: %w", ac.row.Name, err)
			}
			cases := make([][]any, len(ac.cases))
			for i, c := range ac.cases {
				cases[i] = []any{c.Order, c.ID, c.Ticket, c.Stratum, c.Row, c.Fields}
			}
			if err := insertRows(ctx, w, "sampled_case (audit_id, ord, case_id, ticket, stratum, source_row, fields)", id, cases); err != nil {
				return fmt.Errorf("audit %q: %w", ac.row.Name, err)
			}
			entries := make([][]any, len(ac.entries))
			for i, e := range ac.entries {
				entries[i] = []any{e.Seq, e.Kind, e.Case, e.Actor, FormatTime(e.At), string(e.Hashed()), e.PrevHash, e.Hash, e.EnteredBy}
			}
			if err := insertRows(ctx, w, "trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by)", id, entries); err != nil {
				return fmt.Errorf("audit %q: %w", ac.row.Name, err)
			}
			if err := copyTexts(ctx, w, id, ac.entries); err != nil {
				return fmt.Errorf("audit %q: %w", ac.row.Name, err)
			}
			res.Audits++
			res.Cases += len(ac.cases)
			res.Entries += len(ac.entries)
			if progress != nil {
				progress(ac.row.Name)
			}
		}
		if within != nil {
			return within(ctx, w)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	err = to.Read(ctx, "verifying", func(t *Tx) error {
		for _, ac := range audits {
			a, err := t.Audit(ctx, ac.row.Name)
			if err != nil {
				return err
			}
			if a == nil {
				return fmt.Errorf("audit %q is missing from the copy in %s; the copy is not sound", ac.row.Name, to.path)
			}
			head, problem, err := verify(ctx, t, a)
			if err != nil {
				return err
			}
			if problem != "" || head != ac.head {
				return fmt.Errorf("audit %q does not verify on the copy in %s (%s); the copy is not sound", ac.row.Name, to.path, problem)
			}
			res.Heads[ac.row.Name] = ac.head
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// insertRows inserts rows (each without its audit_id) in statements of up
// to 100 rows.
func insertRows(ctx context.Context, w *WriteTx, into string, auditID int64, rows [][]any) error {
	w.dropPrefetched()
	const batch = 100
	for len(rows) > 0 {
		k := min(batch, len(rows))
		var q strings.Builder
		q.WriteString("INSERT INTO " + into + " VALUES ")
		var args []any
		for i, r := range rows[:k] {
			if i > 0 {
				q.WriteByte(',')
			}
			args = append(args, auditID)
			q.WriteString(fmt.Sprintf("($%d", len(args)))
			for _, v := range r {
				args = append(args, v)
				q.WriteString(fmt.Sprintf(",$%d", len(args)))
			}
			q.WriteByte(')')
		}
		if _, err := w.tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}

// copyTexts copies the entries' free text, erased or held, and the
// entries redacted in place, as they are.
func copyTexts(ctx context.Context, w *WriteTx, auditID int64, es []Entry) error {
	w.dropPrefetched()
	for _, e := range es {
		for _, t := range e.Texts {
			var salt, text, at any
			if t.Redacted() {
				at = FormatTime(t.RedactedAt)
			} else {
				salt, text = t.Salt, t.Text
			}
			if _, err := w.tx.ExecContext(ctx, "INSERT INTO trail_text (audit_id, seq, field, salt, text, redacted_at) VALUES ($1,$2,$3,$4,$5,$6)",
				auditID, e.Seq, t.Field, salt, text, at); err != nil {
				return err
			}
		}
		if !e.RedactedInPlace.IsZero() {
			if _, err := w.tx.ExecContext(ctx, "INSERT INTO trail_redaction (audit_id, seq, at) VALUES ($1,$2,$3)", auditID, e.Seq, FormatTime(e.RedactedInPlace)); err != nil {
				return err
			}
		}
	}
	return nil
}
