package store

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// covers reports whether the prefetched entries hold every entry f
// chooses: all of f's kinds were read about every case, or f is about
// the case read.
func (p *prefetched) covers(f Filter) bool {
	if f.Case != "" && f.Case == p.p.Case {
		return true
	}
	if len(f.Kinds) == 0 {
		return false
	}
	for _, k := range f.Kinds {
		if !slices.Contains(p.p.Kinds, k) {
			return false
		}
	}
	return true
}

// chosen is the prefetched entries f chooses, as Entries would read them.
func (p *prefetched) chosen(f Filter) []Entry {
	var out []Entry
	for _, e := range p.entries {
		if f.matches(e) {
			out = append(out, e)
		}
	}
	return out
}

// appended keeps the prefetched reads true after e was appended to the
// audit's trail.
func (p *prefetched) appended(e Entry) {
	if e.Case == p.p.Case && p.p.Case != "" || slices.Contains(p.p.Kinds, e.Kind) {
		if len(e.Texts) > 0 {
			// As read back: texts by field.
			e.Texts = slices.Clone(e.Texts)
			sort.Slice(e.Texts, func(i, j int) bool { return e.Texts[i].Field < e.Texts[j].Field })
		}
		p.entries = append(p.entries, e)
	}
	if slices.Contains(p.p.ActorKinds, e.Kind) && !slices.Contains(p.actors, e.Actor) {
		p.actors = append(p.actors, e.Actor)
	}
	p.headSeq, p.headHash = e.Seq, e.Hash
}

// sameKinds reports whether two lists name the same kinds.
func sameKinds(a, b []string) bool {
	a, b = slices.Clone(a), slices.Clone(b)
	slices.Sort(a)
	slices.Sort(b)
	return slices.Equal(slices.Compact(a), slices.Compact(b))
}

// prefetchedFor is the transaction's prefetched reads of an audit, nil
// when it has none.
func (t *Tx) prefetchedFor(auditID int64) *prefetched {
	if t.w == nil || t.w.pre == nil || t.w.pre.auditID != auditID {
		return nil
	}
	return t.w.pre
}

// Prefetch reads, in one statement, what p names of the audit with this
// id, under the audit's lock (which Tx.Audit takes); the
// reads of it that follow in the transaction (Entries, Actors, Case,
// PersonChanges, Chain) are then answered without asking the database
// again. In a read transaction it does nothing.
func (t *Tx) Prefetch(ctx context.Context, auditID int64, p Prefetch) error {
	if t.w == nil {
		return nil
	}
	// Under the audit's lock (Tx.Audit has taken it already), so that no
	// other writer appends to what is read.
	if err := t.lock(ctx, auditID); err != nil {
		return err
	}
	t.w.pre = nil
	rows, err := t.prefetchRows(ctx, auditID, p)
	if err != nil {
		return err
	}
	defer rows.Close()
	pre := &prefetched{auditID: auditID, p: p}
	texts := map[int][]Text{}
	withTexts := false
	for rows.Next() {
		var tag string
		var n int
		var c [9]sql.NullString
		if err := rows.Scan(&tag, &n, &c[0], &c[1], &c[2], &c[3], &c[4], &c[5], &c[6], &c[7], &c[8]); err != nil {
			return err
		}
		switch tag {
		case "e":
			e := Entry{Seq: n, Kind: c[0].String, Case: c[1].String, Actor: c[2].String, EnteredBy: c[3].String,
				At: ParseTime(c[4].String), Payload: json.RawMessage(c[5].String), PrevHash: c[6].String, Hash: c[7].String}
			if c[8].Valid {
				e.RedactedInPlace = ParseTime(c[8].String)
			}
			withTexts = withTexts || strings.Contains(c[5].String, `"`+TextCommitKey+`"`)
			pre.entries = append(pre.entries, e)
		case "t":
			x := Text{Field: c[0].String, Salt: c[1].String, Text: c[2].String}
			if c[3].Valid {
				x.RedactedAt = ParseTime(c[3].String)
			}
			texts[n] = append(texts[n], x)
		case "h":
			pre.headSeq, pre.headHash = n, c[7].String
		case "a": // in the order each first appears, as Actors reads them
			pre.actors = append(pre.actors, c[2].String)
		case "c":
			var row int
			fmt.Sscan(c[3].String, &row)
			pre.caseRow = &CaseRow{Order: n, ID: c[0].String, Ticket: c[1].String, Stratum: c[2].String, Row: row, Fields: c[4].String}
		case "p":
			pc := PersonChange{Seq: n, Op: c[0].String, Login: c[1].String, Name: c[2].String, At: ParseTime(c[4].String),
				EnteredBy: c[5].String, PrevHash: c[6].String, Hash: c[7].String}
			if c[3].String != "" {
				pc.Roles = strings.Split(c[3].String, ",")
			}
			pre.people = append(pre.people, pc)
		}
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if withTexts {
		for _, ts := range texts {
			// As Entries reads them: by field.
			sort.Slice(ts, func(i, j int) bool { return ts[i].Field < ts[j].Field })
		}
		if err := attachTexts(pre.entries, func(seq int) []Text { return texts[seq] }, nil); err != nil {
			return err
		}
	}
	t.w.pre = pre
	return nil
}

// prefetchRows runs Prefetch's statement: the backend's own (a function
// whose plan the server keeps) or the one written here, one UNION of the
// parts p asks for, each row a tag (e entry, t text, h head, a actor, c
// case, p person), a number, and nine texts.
func (t *Tx) prefetchRows(ctx context.Context, auditID int64, p Prefetch) (*sql.Rows, error) {
	if q, args := t.s.b.prefetchQuery(auditID, p); q != "" {
		return t.tx.QueryContext(ctx, q, args...)
	}
	// One row layout for every part: a tag, a number, nine texts.
	args := []any{auditID}
	arg := func(v any) string {
		args = append(args, v)
		return fmt.Sprintf("$%d", len(args))
	}
	list := func(vs []string) string {
		var ps []string
		for _, v := range vs {
			ps = append(ps, arg(v))
		}
		return strings.Join(ps, ", ")
	}
	// The audit id is written as a cast, not a bare parameter: for a term
	// `x = ?` SQLite's planner guesses how many rows pass from the value
	// bound, and marks the statement to be compiled again when that value
	// is 0 or 1, which every store's first audit has as its id. The cast
	// keeps the plan (the index on audit_id is still used: EXPLAIN QUERY
	// PLAN is the same) and saves compiling this, the largest statement a
	// record runs, twice. PostgreSQL reads it as the bare parameter.
	const aid = "CAST($1 AS BIGINT)"
	var choose []string
	if p.Case != "" {
		choose = append(choose, "trail.case_id = "+arg(p.Case))
	}
	if len(p.Kinds) > 0 {
		choose = append(choose, "trail.kind IN ("+list(p.Kinds)+")")
	}
	where := " WHERE trail.audit_id = " + aid + " AND (" + strings.Join(append(choose, "1 = 0"), " OR ") + ")"
	const null = "CAST(NULL AS TEXT)"
	parts := []string{
		"SELECT 'e' AS tag, trail.seq AS n, kind AS c1, case_id AS c2, actor AS c3, entered_by AS c4, trail.at AS c5, payload AS c6, prev_hash AS c7, hash AS c8, r.at AS c9" +
			" FROM trail LEFT JOIN trail_redaction r ON r.audit_id = trail.audit_id AND r.seq = trail.seq" + where,
		"SELECT 't', x.seq, x.field, x.salt, x.text, x.redacted_at, " + null + ", " + null + ", " + null + ", " + null + ", " + null +
			" FROM trail_text x WHERE (x.audit_id, x.seq) IN (SELECT trail.audit_id, trail.seq FROM trail" + where + ")",
		"SELECT 'h', h.seq, " + null + ", " + null + ", " + null + ", " + null + ", " + null + ", " + null + ", " + null + ", h.hash, " + null +
			" FROM (SELECT seq, hash FROM trail WHERE audit_id = " + aid + " ORDER BY seq DESC LIMIT 1) h",
	}
	if len(p.ActorKinds) > 0 {
		parts = append(parts, "SELECT 'a', min(seq), "+null+", "+null+", actor, "+null+", "+null+", "+null+", "+null+", "+null+", "+null+
			" FROM trail WHERE audit_id = "+aid+" AND kind IN ("+list(p.ActorKinds)+") GROUP BY actor")
	}
	if p.Case != "" {
		parts = append(parts, "SELECT 'c', ord, case_id, ticket, stratum, CAST(source_row AS TEXT), fields, "+null+", "+null+", "+null+", "+null+
			" FROM sampled_case WHERE audit_id = "+aid+" AND case_id = "+arg(p.Case))
	}
	if p.People {
		parts = append(parts, "SELECT 'p', seq, op, login, name, roles, at, entered_by, prev_hash, hash, "+null+" FROM person_change")
	}
	return t.tx.QueryContext(ctx, "SELECT * FROM ("+strings.Join(parts, "\nUNION ALL\n")+") u ORDER BY tag, n", args...)
}
