package store

import (
	"cmp"
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"
)

// AuditRow is one row of the audit table, as stored. Its columns of schema
// version 1 (Seed … Params) are empty in audits recorded since version 2,
// which keep how their sample was drawn in Provenance; nil pointers are
// NULL columns.
type AuditRow struct {
	ID            int64
	Name          string
	CreatedAt     string // FormatTime
	Seed          string
	InputPath     string
	InputSHA256   string
	Sheet         string
	HeaderRow     int
	DataRows      int
	Filters       string // JSON array
	StrataColumn  string
	Allocation    string
	MinPerStratum int
	InitialSize   int
	Population    int
	ToolVersion   string
	Columns       string // JSON array
	Params        string // JSON object
	Form          *string
	Period        *string
	Provenance    *string
	FollowUp      *string
}

// auditColumns are the audit table's columns in AuditRow's order.
const auditColumns = `id, name, created_at, seed, input_path, input_sha256, sheet, header_row, data_rows, filters,
	strata_column, allocation, min_per_stratum, initial_size, population, tool_version, columns, params, form,
	period, provenance, follow_up`

func scanAudit(r interface{ Scan(...any) error }) (*AuditRow, error) {
	var a AuditRow
	var form, period, prov, follow sql.NullString
	if err := r.Scan(&a.ID, &a.Name, &a.CreatedAt, &a.Seed, &a.InputPath, &a.InputSHA256, &a.Sheet, &a.HeaderRow,
		&a.DataRows, &a.Filters, &a.StrataColumn, &a.Allocation, &a.MinPerStratum, &a.InitialSize, &a.Population,
		&a.ToolVersion, &a.Columns, &a.Params, &form, &period, &prov, &follow); err != nil {
		return nil, err
	}
	a.Form, a.Period, a.Provenance, a.FollowUp = ptr(form), ptr(period), ptr(prov), ptr(follow)
	return &a, nil
}

// scanAlso scans a row into the destinations given, then into its own.
type scanAlso struct {
	r     interface{ Scan(...any) error }
	extra []any
}

func (x scanAlso) Scan(dest ...any) error { return x.r.Scan(append(dest, x.extra...)...) }

func ptr(n sql.NullString) *string {
	if !n.Valid {
		return nil
	}
	return &n.String
}

func (a *AuditRow) values() []any {
	return []any{a.Name, a.CreatedAt, a.Seed, a.InputPath, a.InputSHA256, a.Sheet, a.HeaderRow, a.DataRows,
		a.Filters, a.StrataColumn, a.Allocation, a.MinPerStratum, a.InitialSize, a.Population, a.ToolVersion,
		a.Columns, a.Params, a.Form, a.Period, a.Provenance, a.FollowUp}
}

// Audit returns the audit row of this exact name, nil when there is none.
// In a write transaction it locks the audit (see Tx).
func (t *Tx) Audit(ctx context.Context, name string) (*AuditRow, error) {
	if t.w != nil {
		if q, args := t.s.b.lockingAudit(auditColumns); q != "" {
			// The row and the lock in one round trip; the lock is waited
			// for (t.lock) only when another writer holds it.
			var got sql.NullBool
			var mark sql.NullString
			var at sql.NullTime
			a, err := scanAudit(scanAlso{t.tx.QueryRowContext(ctx, q, append([]any{name}, args...)...), []any{&got, &mark, &at}})
			if err == sql.ErrNoRows {
				return nil, nil
			}
			if err != nil {
				return nil, err
			}
			if got.Bool {
				t.w.locked[a.ID] = true
				t.saw(at.Time)
			}
			return a, t.lock(ctx, a.ID)
		}
	}
	a, err := scanAudit(t.tx.QueryRowContext(ctx, "SELECT "+auditColumns+" FROM audit WHERE name = $1", name))
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return a, t.lock(ctx, a.ID)
}

// Order is the order Audits lists audits in.
type Order int

const (
	// ByCreation: as recorded.
	ByCreation Order = iota
	// ByPeriod: by the month they cover (schema-1 audits, with no period, by
	// the month they were recorded in), then as recorded.
	ByPeriod
)

// Audits returns every audit row in the order asked.
func (t *Tx) Audits(ctx context.Context, order Order) ([]*AuditRow, error) {
	by := "created_at, id"
	if order == ByPeriod {
		by = "coalesce(period, substr(created_at, 1, 7)), created_at, id"
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT "+auditColumns+" FROM audit ORDER BY "+by)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []*AuditRow
	for rows.Next() {
		a, err := scanAudit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, rows.Err()
}

// AuditNames returns the names of every audit, as recorded.
func (t *Tx) AuditNames(ctx context.Context) ([]string, error) {
	return queryStrings(ctx, t.tx, "SELECT name FROM audit ORDER BY created_at, id")
}

// InsertAudit inserts an audit row (its ID is ignored) and returns its id.
func (w *WriteTx) InsertAudit(ctx context.Context, a AuditRow) (int64, error) {
	if err := checkText("audit's name", a.Name); err != nil {
		return 0, err
	}
	if w.s.b.kind() == "sqlite" {
		// SQLite would hand out the id of a retired audit again when it
		// was the highest; an id is numbered past every retired one (see
		// retire.go).
		return w.s.b.insertID(ctx, w.tx, `INSERT INTO audit (id, name, created_at, seed, input_path, input_sha256, sheet,
		header_row, data_rows, filters, strata_column, allocation, min_per_stratum, initial_size, population,
		tool_version, columns, params, form, period, provenance, follow_up)
		VALUES ((SELECT max(m) + 1 FROM (SELECT coalesce(max(id), 0) AS m FROM audit UNION ALL SELECT coalesce(max(audit_id), 0) FROM store_log)),
		$1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)`, a.values()...)
	}
	return w.s.b.insertID(ctx, w.tx, `INSERT INTO audit (name, created_at, seed, input_path, input_sha256, sheet,
		header_row, data_rows, filters, strata_column, allocation, min_per_stratum, initial_size, population,
		tool_version, columns, params, form, period, provenance, follow_up)
		VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10,$11,$12,$13,$14,$15,$16,$17,$18,$19,$20,$21)`, a.values()...)
}

// Cases returns an audit's sampled cases in order.
func (t *Tx) Cases(ctx context.Context, auditID int64) ([]CaseRow, error) {
	rows, err := t.tx.QueryContext(ctx, "SELECT ord, case_id, ticket, stratum, source_row, fields FROM sampled_case WHERE audit_id = $1 ORDER BY ord", auditID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []CaseRow
	for rows.Next() {
		var c CaseRow
		if err := rows.Scan(&c.Order, &c.ID, &c.Ticket, &c.Stratum, &c.Row, &c.Fields); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

// Case returns one sampled case of an audit, nil when it has none of this
// ID.
func (t *Tx) Case(ctx context.Context, auditID int64, caseID string) (*CaseRow, error) {
	if p := t.prefetchedFor(auditID); p != nil && p.p.Case != "" && p.p.Case == caseID {
		if p.caseRow == nil {
			return nil, nil
		}
		c := *p.caseRow
		return &c, nil
	}
	var c CaseRow
	err := t.tx.QueryRowContext(ctx, "SELECT ord, case_id, ticket, stratum, source_row, fields FROM sampled_case WHERE audit_id = $1 AND case_id = $2", auditID, caseID).
		Scan(&c.Order, &c.ID, &c.Ticket, &c.Stratum, &c.Row, &c.Fields)
	if err == sql.ErrNoRows {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &c, nil
}

// CaseCount is the number of an audit's sampled cases.
func (t *Tx) CaseCount(ctx context.Context, auditID int64) (int, error) {
	var n int
	err := t.tx.QueryRowContext(ctx, "SELECT count(*) FROM sampled_case WHERE audit_id = $1", auditID).Scan(&n)
	return n, err
}

// CaseIDs returns the IDs of an audit's sampled cases in order. A read
// transaction reads them once: a report asks for its audit's several
// times.
func (t *Tx) CaseIDs(ctx context.Context, auditID int64) ([]string, error) {
	if ids, ok := t.caseIDs[auditID]; ok {
		return slices.Clone(ids), nil
	}
	ids, err := queryStrings(ctx, t.tx, "SELECT case_id FROM sampled_case WHERE audit_id = $1 ORDER BY ord", auditID)
	if err != nil || t.w != nil {
		return ids, err
	}
	if t.caseIDs == nil {
		t.caseIDs = map[int64][]string{}
	}
	t.caseIDs[auditID] = slices.Clone(ids)
	return ids, nil
}

// readCaseIDs reads the sampled case IDs of the audits ids, by audit, each
// audit's in sample order.
func (t *Tx) readCaseIDs(ctx context.Context, ids []int64) (map[int64][]string, error) {
	args := make([]any, len(ids))
	ps := make([]string, len(ids))
	for i, id := range ids {
		args[i], ps[i] = id, fmt.Sprintf("$%d", i+1)
	}
	type sampled struct {
		audit, ord int64
		id         string
	}
	var c sampled
	cols, dest := "audit_id, case_id", []any{&c.audit, &c.id}
	if !t.sorts() {
		cols, dest = "audit_id, ord, case_id", []any{&c.audit, &c.ord, &c.id}
	}
	rows, err := t.tx.QueryContext(ctx, "SELECT "+cols+" FROM sampled_case WHERE audit_id IN ("+strings.Join(ps, ", ")+
		")"+t.orderedBy("audit_id, ord"), args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var all []sampled
	for rows.Next() {
		if err := rows.Scan(dest...); err != nil {
			return nil, err
		}
		all = append(all, c)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !t.sorts() {
		inOrder(all, func(a, b *sampled) int { return cmp.Or(cmp.Compare(a.audit, b.audit), cmp.Compare(a.ord, b.ord)) })
	}
	out := map[int64][]string{}
	for _, c := range all {
		out[c.audit] = append(out[c.audit], c.id)
	}
	return out, nil
}

// InsertCases appends sampled cases to an audit.
func (w *WriteTx) InsertCases(ctx context.Context, auditID int64, cases []CaseRow) error {
	w.dropPrefetched()
	stmt, err := w.tx.PrepareContext(ctx, "INSERT INTO sampled_case (audit_id, ord, case_id, ticket, stratum, source_row, fields) VALUES ($1,$2,$3,$4,$5,$6,$7)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range cases {
		if _, err := stmt.ExecContext(ctx, auditID, c.Order, c.ID, c.Ticket, c.Stratum, c.Row, c.Fields); err != nil {
			return err
		}
	}
	return nil
}

func queryStrings(ctx context.Context, tx *sql.Tx, query string, args ...any) ([]string, error) {
	rows, err := tx.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}
