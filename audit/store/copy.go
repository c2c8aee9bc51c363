package audit

import (
	"context"
	"database/sql"
	"fmt"
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

// Copy copies every audit of one store into another that holds none yet —
// SQLite to PostgreSQL and back, or between two of a kind — in one
// transaction: all of it or nothing. Rows are copied as stored (the audit's
// columns, its sampled cases, its trail with who entered each entry), so
// every trail hashes as before: each audit of the source must verify before
// it is copied, and must verify on the copy with the same head.
//
// Into PostgreSQL, Copy must run as the store's owner: only the owner may
// write entries entered by other logins (see pg_schema.go).
func Copy(ctx context.Context, from, to *Store, progress func(audit string)) (*CopyResult, error) {
	res := &CopyResult{Heads: map[string]string{}}
	if to.Kind() == "postgres" {
		owner, role, err := to.pgOwner(ctx)
		if err != nil {
			return nil, to.wrap("opening", err)
		}
		if !owner {
			return nil, fmt.Errorf("copying into %s needs its owner's login (role %s): the copy keeps who entered every entry, which only the owner may write", to.path, role)
		}
	}
	var n int
	if err := to.read(ctx, "reading", func(tx *sql.Tx) error {
		return tx.QueryRowContext(ctx, "SELECT count(*) FROM audit").Scan(&n)
	}); err != nil {
		return nil, err
	}
	if n > 0 {
		return nil, fmt.Errorf("the store %s already holds %d audits; copy into a new, empty store", to.path, n)
	}
	type auditCopy struct {
		row     []any
		name    string
		cases   [][]any
		entries [][]any
		head    string
	}
	var audits []*auditCopy
	err := from.Snapshot(ctx, func(v *Store) error {
		return v.read(ctx, "reading", func(tx *sql.Tx) error {
			rows, err := tx.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit ORDER BY created_at, id")
			if err != nil {
				return err
			}
			for rows.Next() {
				var id int64
				var name, created, seed, inPath, inSHA, sheet, filters, strata, alloc, tool, cols, params string
				var header, data, minPer, initial, pop int64
				var form, period, prov, follow sql.NullString
				if err := rows.Scan(&id, &name, &created, &seed, &inPath, &inSHA, &sheet, &header, &data, &filters, &strata, &alloc,
					&minPer, &initial, &pop, &tool, &cols, &params, &form, &period, &prov, &follow); err != nil {
					rows.Close()
					return err
				}
				audits = append(audits, &auditCopy{name: name, row: []any{id, name, created, seed, inPath, inSHA, sheet, header, data, filters,
					strata, alloc, minPer, initial, pop, tool, cols, params, form, period, prov, follow}})
			}
			rows.Close()
			if err := rows.Err(); err != nil {
				return err
			}
			for _, ac := range audits {
				id := ac.row[0]
				a, err := loadAudit(ctx, tx, ac.name)
				if err != nil {
					return err
				}
				es, err := queryEntries(ctx, tx, a.id, "")
				if err != nil {
					return err
				}
				cases, err := loadCases(ctx, tx, a)
				if err != nil {
					return err
				}
				if vr := verifyEntries(a, es, cases); !vr.OK {
					return fmt.Errorf("audit %q in %s does not verify (%s); a copy keeps trails as they are, so mend or leave out the store first",
						a.Name, from.path, vr.Problems[0])
				} else {
					ac.head = vr.Head
				}
				crows, err := tx.QueryContext(ctx, "SELECT ord, case_id, ticket, stratum, source_row, fields FROM sampled_case WHERE audit_id = ? ORDER BY ord", id)
				if err != nil {
					return err
				}
				for crows.Next() {
					var ord, row int64
					var cid, ticket, stratum, fields string
					if err := crows.Scan(&ord, &cid, &ticket, &stratum, &row, &fields); err != nil {
						crows.Close()
						return err
					}
					ac.cases = append(ac.cases, []any{ord, cid, ticket, stratum, row, fields})
				}
				crows.Close()
				if err := crows.Err(); err != nil {
					return err
				}
				trows, err := tx.QueryContext(ctx, "SELECT seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by FROM trail WHERE audit_id = ? ORDER BY seq", id)
				if err != nil {
					return err
				}
				for trows.Next() {
					var seq int64
					var kind, cid, actor, at, payload, prev, hash, by string
					if err := trows.Scan(&seq, &kind, &cid, &actor, &at, &payload, &prev, &hash, &by); err != nil {
						trows.Close()
						return err
					}
					ac.entries = append(ac.entries, []any{seq, kind, cid, actor, at, payload, prev, hash, by})
				}
				trows.Close()
				if err := trows.Err(); err != nil {
					return err
				}
			}
			return nil
		})
	})
	if err != nil {
		return nil, err
	}
	err = to.write(ctx, "copying into", func(tx *sql.Tx) error {
		for _, ac := range audits {
			id, err := to.b.insertID(ctx, tx, "INSERT INTO audit ("+strings.Join(strings.Fields(strings.ReplaceAll(auditColumns, ",", " "))[1:], ", ")+
				") VALUES (?"+strings.Repeat(",?", len(ac.row)-2)+")", ac.row[1:]...)
			if err != nil {
				return fmt.Errorf("audit %q: %w", ac.name, err)
			}
			if err := insertRows(ctx, tx, "sampled_case (audit_id, ord, case_id, ticket, stratum, source_row, fields)", id, ac.cases); err != nil {
				return fmt.Errorf("audit %q: %w", ac.name, err)
			}
			if err := insertRows(ctx, tx, "trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by)", id, ac.entries); err != nil {
				return fmt.Errorf("audit %q: %w", ac.name, err)
			}
			res.Audits++
			res.Cases += len(ac.cases)
			res.Entries += len(ac.entries)
			if progress != nil {
				progress(ac.name)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	for _, ac := range audits {
		vr, err := to.Verify(ctx, ac.name)
		if err != nil {
			return nil, err
		}
		if !vr.OK || vr.Head != ac.head {
			return nil, fmt.Errorf("audit %q does not verify on the copy in %s (%v); the copy is not sound", ac.name, to.path, vr.Problems)
		}
		res.Heads[ac.name] = ac.head
	}
	return res, nil
}

// insertRows inserts rows (each without its audit_id) in statements of up
// to 100 rows.
func insertRows(ctx context.Context, tx *sql.Tx, into string, auditID int64, rows [][]any) error {
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
			q.WriteString("(?" + strings.Repeat(",?", len(r)) + ")")
			args = append(args, auditID)
			args = append(args, r...)
		}
		if _, err := tx.ExecContext(ctx, q.String(), args...); err != nil {
			return err
		}
		rows = rows[k:]
	}
	return nil
}
