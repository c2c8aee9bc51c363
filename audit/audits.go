package audit

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/sample"
)

// Audit is a recorded audit: how its sample was drawn (its Provenance, one
// value made by the draw), the period it covers, its form and follow-up
// rule. It never changes once recorded (its sample may grow: see Grow).
type Audit struct {
	Name    string
	Created time.Time // UTC, from the store's clock
	// Period is the month the audit covers, "yyyy-mm": comparisons and
	// trends follow it, not the day the audit was recorded.
	Period      string
	InitialSize int // the sample size at creation
	// Provenance says how the sample was drawn and re-derives it.
	Provenance sample.Provenance
	// Columns name the shown fields of every sampled case (the
	// provenance's columns).
	Columns []string
	// FollowUp says who owns the follow-up action of a flagged case.
	FollowUp OwnerRule
	Form     json.RawMessage // the audit's form (JSON), nil when none

	id int64
	// provJSON and followJSON are the provenance and follow-up rule as
	// stored: the trail's first entry vouches for these bytes.
	provJSON, followJSON json.RawMessage
	// legacy holds the columns of an audit recorded before schema 2, whose
	// trail's first entry vouches for them (see legacyAuditJSON); nil for
	// audits recorded since.
	legacy *legacyAudit
}

// Population is the number of distinct cases the sample was drawn from.
func (a *Audit) Population() int { return a.Provenance.Counts.Population }

// Seed is the sample's seed.
func (a *Audit) Seed() string { return a.Provenance.Seed }

// StrataColumn is the column the sample was stratified by, "" when none.
func (a *Audit) StrataColumn() string { return a.Provenance.StrataColumn() }

// SampledCase is one case of an audit's sample.
type SampledCase struct {
	Order   int    // 1..n in selection order
	ID      string // case ID
	Ticket  string // full-precision ticket
	Stratum string // "" when not stratified
	Row     int    // 1-based source row in the export
	Fields  []string
	// Columns names Fields (the audit's shown columns); set when read from the store.
	Columns []string
	// Factors are the factor values measured for a case added by Grow,
	// recorded in the grow entry of the trail (the first draw's are in the
	// provenance); nil otherwise, and never read back here: see
	// Store.CaseFactors.
	Factors *sample.CaseFactors
}

// Field returns the value of the named shown column (matched
// case-insensitively, trimmed), or "" when the case has no such column.
func (c SampledCase) Field(name string) string {
	i := columnIndex(c.Columns, name)
	if i < 0 || i >= len(c.Fields) {
		return ""
	}
	return c.Fields[i]
}

func columnIndex(cols []string, name string) int {
	name = strings.TrimSpace(name)
	for i, c := range cols {
		if strings.EqualFold(strings.TrimSpace(c), name) {
			return i
		}
	}
	return -1
}

// CasesFromSelection converts a drawn sample's cases (in order) for
// CreateAudit or Grow.
func CasesFromSelection(sel []sample.Selected) []SampledCase {
	out := make([]SampledCase, len(sel))
	for i, c := range sel {
		out[i] = SampledCase{Order: c.Order, ID: c.ID, Ticket: c.Ticket, Stratum: c.Stratum, Row: c.Row,
			Fields: append([]string(nil), c.Fields...)}
	}
	return out
}

// sampledCaseJSON is how a sampled case appears in trail payloads.
type sampledCaseJSON struct {
	Order   int      `json:"order"`
	ID      string   `json:"id"`
	Ticket  string   `json:"ticket"`
	Stratum string   `json:"stratum"`
	Row     int      `json:"row"`
	Fields  []string `json:"fields"`
}

func casesJSON(cases []SampledCase) []sampledCaseJSON {
	out := make([]sampledCaseJSON, len(cases))
	for i, c := range cases {
		f := c.Fields
		if f == nil {
			f = []string{}
		}
		out[i] = sampledCaseJSON{c.Order, c.ID, c.Ticket, c.Stratum, c.Row, f}
	}
	return out
}

// auditJSON is the audit as it appears in the first trail entry: every
// column of its row, so that Verify notices an edited audit.
func auditJSON(a *Audit) any {
	if a.legacy != nil {
		return legacyAuditJSON(a)
	}
	m := map[string]any{
		"name": a.Name, "created": formatTime(a.Created), "period": a.Period, "initial_size": a.InitialSize,
		"provenance": json.RawMessage(a.provJSON), "follow_up": json.RawMessage(a.followJSON),
	}
	if len(a.Form) > 0 {
		m["form"] = json.RawMessage(a.Form)
	} else {
		m["form"] = nil
	}
	return m
}

// CreateAudit records a new audit and its sample (cases in order 1..n) in
// one transaction, and starts its trail with a "sample" entry holding both.
// a.Created is set from the store's clock; a.InitialSize from len(cases).
func (s *Store) CreateAudit(ctx context.Context, a Audit, cases []SampledCase) (*Audit, error) {
	return s.createAuditTx(ctx, a, cases, nil)
}

// createAuditTx records the audit, then runs extra (when not nil) in the
// same transaction, with the audit's chain.
func (s *Store) createAuditTx(ctx context.Context, a Audit, cases []SampledCase, extra func(context.Context, *sql.Tx, *Audit, *chain) error) (*Audit, error) {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return nil, errors.New("an audit needs a name (e.g. \"2026-07 monthly\")")
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("audit %q: the sample is empty", a.Name)
	}
	if a.Provenance.Schema == "" {
		a.Provenance.Schema = sample.ProvenanceSchema
	}
	if a.Columns == nil {
		a.Columns = a.Provenance.Columns
	}
	a.Columns = nonNil(a.Columns)
	if err := checkCases(cases, 0, len(a.Columns)); err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	if len(a.Form) > 0 {
		f, err := canonicalJSON(json.RawMessage(a.Form))
		if err != nil {
			return nil, fmt.Errorf("audit %q: the form is not valid JSON: %w", a.Name, err)
		}
		a.Form = f
	} else {
		a.Form = nil
	}
	a.Created = s.now()
	if a.Period == "" {
		a.Period = a.Created.Format("2006-01")
	}
	if _, err := time.Parse("2006-01", a.Period); err != nil {
		return nil, fmt.Errorf("audit %q: the period %q is not a month; write it as yyyy-mm, e.g. 2026-07", a.Name, a.Period)
	}
	a.InitialSize = len(cases)
	a.legacy = nil
	prov, err := canonicalJSON(a.Provenance)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its provenance: %w", a.Name, err)
	}
	// The audit returned is the audit read back later.
	p, err := sample.ParseProvenance(prov)
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	follow, err := canonicalJSON(a.FollowUp)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its follow-up rule: %w", a.Name, err)
	}
	a.provJSON, a.followJSON = prov, follow
	err = s.write(ctx, "recording an audit in", func(tx *sql.Tx) error {
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM audit WHERE name = ?", a.Name).Scan(&n); err != nil {
			return err
		}
		if n > 0 {
			return fmt.Errorf("an audit named %q is already in the store %s; choose another name", a.Name, s.path)
		}
		cols, _ := json.Marshal(a.Columns)
		var form any
		if a.Form != nil {
			form = string(a.Form)
		}
		// The columns of schema 1 stay empty: the provenance holds it all.
		a.id, err = s.b.insertID(ctx, tx, `INSERT INTO audit (name, created_at, seed, input_path, input_sha256, sheet,
			header_row, data_rows, filters, strata_column, allocation, min_per_stratum, initial_size, population,
			tool_version, columns, params, form, period, provenance, follow_up)
			VALUES (?,?,'','','','',0,0,'[]','','',0,?,0,'',?,'{}',?,?,?,?)`,
			a.Name, formatTime(a.Created), a.InitialSize, string(cols), form, a.Period, string(prov), string(follow))
		if err != nil {
			return err
		}
		if err := insertCases(ctx, tx, a.id, cases); err != nil {
			return err
		}
		c, err := openChain(ctx, tx, a.id, a.Name)
		if err != nil {
			return err
		}
		if _, err = c.append(ctx, KindSample, "", s.actor, a.Created, map[string]any{"audit": auditJSON(&a), "cases": casesJSON(cases)}); err != nil {
			return err
		}
		if extra != nil {
			return extra(ctx, tx, &a, c)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

func nonNil(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// checkCases checks that cases continue an existing sample of size from.
func checkCases(cases []SampledCase, from, ncols int) error {
	seen := make(map[string]int, len(cases))
	for i, c := range cases {
		if c.Order != from+i+1 {
			return fmt.Errorf("case %q has order %d; expected %d (orders run 1..n, growth continues at n+1)", c.ID, c.Order, from+i+1)
		}
		if strings.TrimSpace(c.ID) == "" || c.ID != strings.TrimSpace(c.ID) {
			return fmt.Errorf("case at order %d has an empty or untrimmed ID %q", c.Order, c.ID)
		}
		if j, ok := seen[c.ID]; ok {
			return fmt.Errorf("case %q appears twice (orders %d and %d)", c.ID, j, c.Order)
		}
		seen[c.ID] = c.Order
		if len(c.Fields) != ncols {
			return fmt.Errorf("case %q has %d shown fields but the audit shows %d columns", c.ID, len(c.Fields), ncols)
		}
	}
	return nil
}

func insertCases(ctx context.Context, tx *sql.Tx, auditID int64, cases []SampledCase) error {
	stmt, err := tx.PrepareContext(ctx, "INSERT INTO sampled_case (audit_id, ord, case_id, ticket, stratum, source_row, fields) VALUES (?,?,?,?,?,?,?)")
	if err != nil {
		return err
	}
	defer stmt.Close()
	for _, c := range cases {
		f, _ := json.Marshal(nonNil(c.Fields))
		if _, err := stmt.ExecContext(ctx, auditID, c.Order, c.ID, c.Ticket, c.Stratum, c.Row, string(f)); err != nil {
			return err
		}
	}
	return nil
}

// Grow appends cases to an audit's sample (the caller computes them: the
// next cases in selection order, with orders n+1, n+2 …) in one transaction,
// logged as a "grow" entry. Cases already sampled never change.
func (s *Store) Grow(ctx context.Context, auditName string, cases []SampledCase) error {
	if len(cases) == 0 {
		return nil
	}
	return s.write(ctx, "growing the sample in", func(tx *sql.Tx) error {
		_, _, err := s.growTx(ctx, tx, auditName, cases)
		return err
	})
}

// growTx appends cases within a write transaction and returns the audit and
// its chain.
func (s *Store) growTx(ctx context.Context, tx *sql.Tx, auditName string, cases []SampledCase) (*Audit, *chain, error) {
	a, err := loadAudit(ctx, tx, auditName)
	if err != nil {
		return nil, nil, err
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sampled_case WHERE audit_id = ?", a.id).Scan(&n); err != nil {
		return nil, nil, err
	}
	if err := checkCases(cases, n, len(a.Columns)); err != nil {
		return nil, nil, fmt.Errorf("audit %q has %d sampled cases: %w", a.Name, n, err)
	}
	for _, c := range cases {
		var k int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM sampled_case WHERE audit_id = ? AND case_id = ?", a.id, c.ID).Scan(&k); err != nil {
			return nil, nil, err
		}
		if k > 0 {
			return nil, nil, fmt.Errorf("case %q is already in audit %q", c.ID, a.Name)
		}
	}
	if err := insertCases(ctx, tx, a.id, cases); err != nil {
		return nil, nil, err
	}
	ch, err := openChain(ctx, tx, a.id, a.Name)
	if err != nil {
		return nil, nil, err
	}
	payload := map[string]any{"cases": casesJSON(cases)}
	factors := map[string]sample.CaseFactors{}
	for _, c := range cases {
		if c.Factors != nil {
			factors[c.ID] = *c.Factors
		}
	}
	if len(factors) > 0 {
		payload["factors"] = factors
	}
	if _, err = ch.append(ctx, KindGrow, "", s.actor, s.now(), payload); err != nil {
		return nil, nil, err
	}
	return a, ch, nil
}

// CaseFactors returns the factor values recorded for an audit's sampled
// cases, by case ID: those of the first draw (in its provenance) and those
// of cases added by Grow (in the trail's grow entries, which the chain
// vouches for). nil when the audit recorded no factors; a case added by a
// caseaudit that did not record them has no entry.
func (s *Store) CaseFactors(ctx context.Context, auditName string) (map[string]sample.CaseFactors, error) {
	var out map[string]sample.CaseFactors
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		out, err = caseFactors(ctx, tx, a)
		return err
	})
	return out, err
}

func caseFactors(ctx context.Context, q querier, a *Audit) (map[string]sample.CaseFactors, error) {
	f := a.Provenance.Factors
	if f == nil {
		return nil, nil
	}
	out := make(map[string]sample.CaseFactors, len(f.Cases))
	for id, c := range f.Cases {
		out[id] = c
	}
	// Cases added by a growth or as a withdrawn case's replacement carry
	// their values in that trail entry.
	es, err := queryEntries(ctx, q, a.id, "kind IN (?, ?)", KindGrow, KindWithdrawal)
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		var p struct {
			Factors map[string]sample.CaseFactors `json:"factors"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("audit %q: %s is damaged: %w", a.Name, describe(e), err)
		}
		for id, c := range p.Factors {
			if c.Timeliness == nil {
				c.Timeliness = []string{}
			}
			out[id] = c
		}
	}
	return out, nil
}

const auditColumns = `id, name, created_at, seed, input_path, input_sha256, sheet, header_row, data_rows, filters,
	strata_column, allocation, min_per_stratum, initial_size, population, tool_version, columns, params, form,
	period, provenance, follow_up`

type rowScanner interface{ Scan(...any) error }

func scanAudit(r rowScanner) (*Audit, error) {
	var a Audit
	var l legacyAudit
	var created, filters, cols, params string
	var form, period, prov, follow sql.NullString
	if err := r.Scan(&a.id, &a.Name, &created, &l.Seed, &l.InputPath, &l.InputSHA256, &l.Sheet, &l.HeaderRow,
		&l.DataRows, &filters, &l.StrataColumn, &l.Allocation, &l.MinPerStratum, &a.InitialSize, &l.Population,
		&l.ToolVersion, &cols, &params, &form, &period, &prov, &follow); err != nil {
		return nil, err
	}
	a.Created = parseTime(created)
	if err := json.Unmarshal([]byte(cols), &a.Columns); err != nil {
		return nil, fmt.Errorf("audit %q: stored columns are damaged: %w", a.Name, err)
	}
	a.Columns = nonNil(a.Columns)
	if form.Valid {
		a.Form = json.RawMessage(form.String)
	}
	a.Period = period.String
	if !prov.Valid {
		// Recorded before schema 2: the provenance is rebuilt from the
		// columns and the command line's parameters of the time.
		if err := json.Unmarshal([]byte(filters), &l.Filters); err != nil {
			return nil, fmt.Errorf("audit %q: stored filters are damaged: %w", a.Name, err)
		}
		l.Params = json.RawMessage(params)
		l.Columns = a.Columns
		a.legacy = &l
		if err := a.fromLegacy(); err != nil {
			return nil, err
		}
		return &a, nil
	}
	p, err := sample.ParseProvenance([]byte(prov.String))
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	a.provJSON = json.RawMessage(prov.String)
	a.followJSON = json.RawMessage(follow.String)
	if follow.Valid {
		if err := json.Unmarshal([]byte(follow.String), &a.FollowUp); err != nil {
			return nil, fmt.Errorf("audit %q: its stored follow-up rule is damaged: %w", a.Name, err)
		}
	}
	return &a, nil
}

type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// loadAudit finds an audit by name (trimmed; exact, or else the only one
// matching case-insensitively).
func loadAudit(ctx context.Context, q querier, name string) (*Audit, error) {
	name = strings.TrimSpace(name)
	a, err := scanAudit(q.QueryRowContext(ctx, "SELECT "+auditColumns+" FROM audit WHERE name = ?", name))
	if err == nil {
		return a, lockForWrite(ctx, q, a.id)
	}
	if err != sql.ErrNoRows {
		return nil, err
	}
	rows, err := q.QueryContext(ctx, "SELECT name FROM audit ORDER BY created_at, id")
	if err != nil {
		return nil, err
	}
	var names []string
	for rows.Next() {
		var n string
		if err := rows.Scan(&n); err != nil {
			rows.Close()
			return nil, err
		}
		names = append(names, n)
	}
	rows.Close()
	var fold []string
	for _, n := range names {
		if strings.EqualFold(n, name) {
			fold = append(fold, n)
		}
	}
	if len(fold) == 1 {
		return loadAudit(ctx, q, fold[0])
	}
	if len(names) == 0 {
		return nil, &notFoundError{fmt.Sprintf("there is no audit %q: the store holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", name)}
	}
	msg := fmt.Sprintf("there is no audit %q", name)
	if sug := closest(name, names, 3); len(sug) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", quoteList(sug))
	} else {
		msg += "; list them with caseaudit audits"
	}
	return nil, &notFoundError{msg}
}

// notFoundError says what was not found, and is ErrNotFound for errors.Is.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// Audit returns the named audit.
func (s *Store) Audit(ctx context.Context, name string) (*Audit, error) {
	var a *Audit
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		var err error
		a, err = loadAudit(ctx, tx, name)
		return err
	})
	return a, err
}

// periodOrder orders audits by the month they cover (schema-1 audits, with
// no period, by the month they were recorded in), then as recorded.
const periodOrder = "coalesce(period, substr(created_at, 1, 7)), created_at, id"

// periodOrderDesc is periodOrder reversed.
const periodOrderDesc = "coalesce(period, substr(created_at, 1, 7)) DESC, created_at DESC, id DESC"

// Latest returns the audit of the latest period (the last recorded, among
// several of that month); the error wraps ErrNotFound when the store holds
// none.
func (s *Store) Latest(ctx context.Context) (*Audit, error) {
	var a *Audit
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		var err error
		a, err = scanAudit(tx.QueryRowContext(ctx, "SELECT "+auditColumns+" FROM audit ORDER BY "+periodOrderDesc+" LIMIT 1"))
		if err == sql.ErrNoRows {
			return errorf(ErrNotFound, "the store %s holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", s.path)
		}
		return err
	})
	return a, err
}

// Cases returns an audit's sampled cases in order.
func (s *Store) Cases(ctx context.Context, auditName string) ([]SampledCase, error) {
	return readAudit(ctx, s, auditName, loadCases)
}

func loadCases(ctx context.Context, q querier, a *Audit) ([]SampledCase, error) {
	rows, err := q.QueryContext(ctx, "SELECT ord, case_id, ticket, stratum, source_row, fields FROM sampled_case WHERE audit_id = ? ORDER BY ord", a.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []SampledCase
	for rows.Next() {
		var c SampledCase
		var f string
		if err := rows.Scan(&c.Order, &c.ID, &c.Ticket, &c.Stratum, &c.Row, &f); err != nil {
			return nil, err
		}
		if err := json.Unmarshal([]byte(f), &c.Fields); err != nil {
			return nil, fmt.Errorf("audit %q: the stored fields of case %q are damaged: %w", a.Name, c.ID, err)
		}
		c.Columns = a.Columns
		out = append(out, c)
	}
	return out, rows.Err()
}

// AuditedSince returns the set of case IDs sampled in any audit created at
// or after t (for --exclude-audited-within).
func (s *Store) AuditedSince(ctx context.Context, t time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		rows, err := tx.QueryContext(ctx, `SELECT DISTINCT c.case_id FROM sampled_case c JOIN audit a ON a.id = c.audit_id
			WHERE a.created_at >= ?`, formatTime(t))
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				return err
			}
			out[id] = true
		}
		return rows.Err()
	})
	return out, err
}

// NotInSampleError says a case ID is not in an audit's sample, with the
// closest IDs that are.
type NotInSampleError struct {
	Audit       string
	Case        string
	Suggestions []string // closest sampled IDs by edit distance; may be empty
}

func (e *NotInSampleError) Error() string {
	msg := fmt.Sprintf("case %q is not in audit %q", e.Case, e.Audit)
	if len(e.Suggestions) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", quoteList(e.Suggestions))
	}
	return msg
}

// Is makes errors.Is(err, ErrNotInSample) true.
func (e *NotInSampleError) Is(target error) bool { return target == ErrNotInSample }

// checkInSample returns a *NotInSampleError when id is not in a's sample.
func checkInSample(ctx context.Context, q querier, a *Audit, id string) error {
	var n int
	if err := q.QueryRowContext(ctx, "SELECT count(*) FROM sampled_case WHERE audit_id = ? AND case_id = ?", a.id, id).Scan(&n); err != nil {
		return err
	}
	if n > 0 {
		return nil
	}
	ids, err := sampledIDs(ctx, q, a)
	if err != nil {
		return err
	}
	return &NotInSampleError{Audit: a.Name, Case: id, Suggestions: closest(id, ids, 3)}
}

func sampledIDs(ctx context.Context, q querier, a *Audit) ([]string, error) {
	rows, err := q.QueryContext(ctx, "SELECT case_id FROM sampled_case WHERE audit_id = ? ORDER BY ord", a.id)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, id)
	}
	return ids, rows.Err()
}

// closest returns up to max candidates nearest to s by edit distance
// (ignoring case), nearest first, among those within a third of s's length
// (at least 2 edits).
func closest(s string, candidates []string, max int) []string {
	type cand struct {
		s string
		d int
	}
	limit := utf8.RuneCountInString(s) / 3
	if limit < 2 {
		limit = 2
	}
	var best []cand
	ls := strings.ToUpper(strings.TrimSpace(s))
	for _, c := range candidates {
		d := textdist.Levenshtein(ls, strings.ToUpper(c))
		if d > limit {
			continue
		}
		best = append(best, cand{c, d})
	}
	// stable insertion sort by distance: candidates keep their order on ties
	for i := 1; i < len(best); i++ {
		for j := i; j > 0 && best[j].d < best[j-1].d; j-- {
			best[j], best[j-1] = best[j-1], best[j]
		}
	}
	var out []string
	for i := 0; i < len(best) && i < max; i++ {
		if i > 0 && best[i].d > best[0].d {
			break
		}
		out = append(out, best[i].s)
	}
	return out
}

func quoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return quoteJoin(q)
}

// quoteJoin joins quoted items: "a", "b" or "c".
func quoteJoin(q []string) string {
	switch len(q) {
	case 0:
		return "nowhere"
	case 1:
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " or " + q[len(q)-1]
}
