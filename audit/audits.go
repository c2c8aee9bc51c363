package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
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
	// Handout is how the audit's workbooks are handed out, given when it
	// is recorded (CreateAudit keeps it in the first trail entry; read it
	// back with Store.Handout).
	Handout Handout

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
	i := colname.Index(c.Columns, name)
	if i < 0 || i >= len(c.Fields) {
		return ""
	}
	return c.Fields[i]
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
		"name": a.Name, "created": store.FormatTime(a.Created), "period": a.Period, "initial_size": a.InitialSize,
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
func (s *Store) createAuditTx(ctx context.Context, a Audit, cases []SampledCase, extra func(context.Context, *store.WriteTx, *Audit) error) (*Audit, error) {
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
		f, err := store.CanonicalJSON(json.RawMessage(a.Form))
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
	prov, err := store.CanonicalJSON(a.Provenance)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its provenance: %w", a.Name, err)
	}
	// The audit returned is the audit read back later.
	p, err := sample.ParseProvenance(prov)
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	follow, err := store.CanonicalJSON(a.FollowUp)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its follow-up rule: %w", a.Name, err)
	}
	a.provJSON, a.followJSON = prov, follow
	err = s.write(ctx, "recording an audit in", func(tx *store.WriteTx) error {
		if err := s.may(ctx, tx.Tx, DutyDraw, CaseFacts{}); err != nil {
			return err
		}
		if prev, err := tx.Audit(ctx, a.Name); err != nil {
			return err
		} else if prev != nil {
			return fmt.Errorf("an audit named %q is already in the store %s; choose another name", a.Name, s.Path())
		}
		cols, _ := json.Marshal(a.Columns)
		var form *string
		if a.Form != nil {
			f := string(a.Form)
			form = &f
		}
		period, provs, follows := a.Period, string(prov), string(follow)
		// The columns of schema 1 stay empty: the provenance holds it all.
		a.id, err = tx.InsertAudit(ctx, store.AuditRow{Name: a.Name, CreatedAt: store.FormatTime(a.Created),
			Filters: "[]", InitialSize: a.InitialSize, Columns: string(cols), Params: "{}",
			Form: form, Period: &period, Provenance: &provs, FollowUp: &follows})
		if err != nil {
			return err
		}
		if err := tx.InsertCases(ctx, a.id, caseRows(cases)); err != nil {
			return err
		}
		ch, err := tx.Chain(ctx, a.id, a.Name)
		if err != nil {
			return err
		}
		payload := map[string]any{"audit": auditJSON(&a), "cases": casesJSON(cases)}
		if !a.Handout.IsZero() {
			payload["handout"] = a.Handout
		}
		who, err := s.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		if _, err = ch.Append(ctx, store.Draft{Kind: KindSample, Actor: who, At: a.Created, Payload: payload}); err != nil {
			return err
		}
		if err := s.noteNetwork(ctx, ch, &a); err != nil {
			return err
		}
		if extra != nil {
			return extra(ctx, tx, &a)
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

// caseRows are cases as stored.
func caseRows(cases []SampledCase) []store.CaseRow {
	out := make([]store.CaseRow, len(cases))
	for i, c := range cases {
		f, _ := json.Marshal(nonNil(c.Fields))
		out[i] = store.CaseRow{Order: c.Order, ID: c.ID, Ticket: c.Ticket, Stratum: c.Stratum, Row: c.Row, Fields: string(f)}
	}
	return out
}

// Grow appends cases to an audit's sample (the caller computes them: the
// next cases in selection order, with orders n+1, n+2 …) in one transaction,
// logged as a "grow" entry. Cases already sampled never change.
func (s *Store) Grow(ctx context.Context, auditName string, cases []SampledCase) error {
	if len(cases) == 0 {
		return nil
	}
	return s.write(ctx, "growing the sample in", func(tx *store.WriteTx) error {
		_, err := s.growTx(ctx, tx, auditName, cases)
		return err
	})
}

// growTx appends cases within a write transaction and returns the audit.
func (s *Store) growTx(ctx context.Context, tx *store.WriteTx, auditName string, cases []SampledCase) (*Audit, error) {
	if err := s.may(ctx, tx.Tx, DutyGrow, CaseFacts{}); err != nil {
		return nil, err
	}
	a, err := loadAudit(ctx, tx.Tx, auditName)
	if err != nil {
		return nil, err
	}
	n, err := tx.CaseCount(ctx, a.id)
	if err != nil {
		return nil, err
	}
	if err := checkCases(cases, n, len(a.Columns)); err != nil {
		return nil, fmt.Errorf("audit %q has %d sampled cases: %w", a.Name, n, err)
	}
	for _, c := range cases {
		if k, err := tx.Case(ctx, a.id, c.ID); err != nil {
			return nil, err
		} else if k != nil {
			return nil, fmt.Errorf("case %q is already in audit %q", c.ID, a.Name)
		}
	}
	if err := tx.InsertCases(ctx, a.id, caseRows(cases)); err != nil {
		return nil, err
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
	who, err := s.actorIn(ctx, tx.Tx)
	if err != nil {
		return nil, err
	}
	if _, err = s.appendEntry(ctx, tx, a, KindGrow, "", who, payload); err != nil {
		return nil, err
	}
	return a, nil
}

// CaseFactors returns the factor values recorded for an audit's sampled
// cases, by case ID: those of the first draw (in its provenance) and those
// of cases added by Grow (in the trail's grow entries, which the chain
// vouches for). nil when the audit recorded no factors; a case added by a
// caseaudit that did not record them has no entry.
func (s *Store) CaseFactors(ctx context.Context, auditName string) (map[string]sample.CaseFactors, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) (map[string]sample.CaseFactors, error) {
		es, err := entries(ctx, tx, a, KindGrow, KindWithdrawal)
		if err != nil {
			return nil, err
		}
		return caseFactors(a, es)
	})
}

// caseFactors is the factor values of an audit's cases: the provenance's,
// and those the trail's growths and withdrawals in es recorded.
func caseFactors(a *Audit, es []Entry) (map[string]sample.CaseFactors, error) {
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
	for _, e := range es {
		if e.Kind != KindGrow && e.Kind != KindWithdrawal {
			continue
		}
		var p struct {
			Factors map[string]sample.CaseFactors `json:"factors"`
		}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("audit %q: %s is damaged: %w", a.Name, store.Describe(e), err)
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

// auditFromRow reads an audit from its row.
func auditFromRow(r *store.AuditRow) (*Audit, error) {
	a := Audit{id: r.ID, Name: r.Name, Created: store.ParseTime(r.CreatedAt), InitialSize: r.InitialSize}
	if err := json.Unmarshal([]byte(r.Columns), &a.Columns); err != nil {
		return nil, fmt.Errorf("audit %q: stored columns are damaged: %w", a.Name, err)
	}
	a.Columns = nonNil(a.Columns)
	if r.Form != nil {
		a.Form = json.RawMessage(*r.Form)
	}
	if r.Period != nil {
		a.Period = *r.Period
	}
	if r.Provenance == nil {
		// Recorded before schema 2: the provenance is rebuilt from the
		// columns and the command line's parameters of the time.
		l := legacyAudit{Seed: r.Seed, InputPath: r.InputPath, InputSHA256: r.InputSHA256, Sheet: r.Sheet,
			HeaderRow: r.HeaderRow, DataRows: r.DataRows, StrataColumn: r.StrataColumn, Allocation: r.Allocation,
			MinPerStratum: r.MinPerStratum, Population: r.Population, ToolVersion: r.ToolVersion,
			Params: json.RawMessage(r.Params), Columns: a.Columns}
		if err := json.Unmarshal([]byte(r.Filters), &l.Filters); err != nil {
			return nil, fmt.Errorf("audit %q: stored filters are damaged: %w", a.Name, err)
		}
		a.legacy = &l
		if err := a.fromLegacy(); err != nil {
			return nil, err
		}
		return &a, nil
	}
	p, err := sample.ParseProvenance([]byte(*r.Provenance))
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	a.provJSON = json.RawMessage(*r.Provenance)
	if r.FollowUp != nil {
		a.followJSON = json.RawMessage(*r.FollowUp)
		if err := json.Unmarshal([]byte(*r.FollowUp), &a.FollowUp); err != nil {
			return nil, fmt.Errorf("audit %q: its stored follow-up rule is damaged: %w", a.Name, err)
		}
	}
	return &a, nil
}

// loadAudit finds an audit by name (trimmed; exact, or else the only one
// matching case-insensitively).
//
// Within a read transaction an audit is read once per name (store.Tx.Memo),
// and each caller gets a copy of it.
func loadAudit(ctx context.Context, tx *store.Tx, name string) (*Audit, error) {
	v, err := tx.Memo(auditKey{strings.TrimSpace(name)}, func() (any, error) { return readAuditNamed(ctx, tx, name) })
	if err != nil {
		return nil, err
	}
	a := *v.(*Audit)
	return &a, nil
}

// auditKey is the key loadAudit holds an audit under.
type auditKey struct{ name string }

// readAuditNamed is loadAudit, read from the store.
func readAuditNamed(ctx context.Context, tx *store.Tx, name string) (*Audit, error) {
	name = strings.TrimSpace(name)
	r, err := tx.Audit(ctx, name)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return auditFromRow(r)
	}
	names, err := tx.AuditNames(ctx)
	if err != nil {
		return nil, err
	}
	var fold []string
	for _, n := range names {
		if strings.EqualFold(n, name) {
			fold = append(fold, n)
		}
	}
	if len(fold) == 1 {
		return loadAudit(ctx, tx, fold[0])
	}
	if r, err := retiredNamed(ctx, tx, name); err != nil {
		return nil, err
	} else if r != nil {
		return nil, &notFoundError{fmt.Sprintf("audit %q was retired on %s under the store's retention period: its cases, findings and trail were deleted; caseaudit verify %q checks its sealed summary, and audits and trend show its figures",
			r.Summary.Audit, r.At.UTC().Format("2006-01-02"), r.Summary.Audit)}
	}
	if len(names) == 0 {
		return nil, &notFoundError{fmt.Sprintf("there is no audit %q: the store holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", name)}
	}
	msg := fmt.Sprintf("there is no audit %q", name)
	if sug := textdist.Closest(name, names, 3); len(sug) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
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
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		var err error
		a, err = loadAudit(ctx, tx, name)
		return err
	})
	return a, err
}

// loadAudits reads every audit, in the order asked.
func loadAudits(ctx context.Context, tx *store.Tx, order store.Order) ([]*Audit, error) {
	rows, err := tx.Audits(ctx, order)
	if err != nil {
		return nil, err
	}
	out := make([]*Audit, 0, len(rows))
	for _, r := range rows {
		a, err := auditFromRow(r)
		if err != nil {
			return nil, err
		}
		// Held for loadAudit by name too (a copy: the caller may change
		// its own).
		held := *a
		if _, err := tx.Memo(auditKey{a.Name}, func() (any, error) { return &held, nil }); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Latest returns the audit of the latest period (the last recorded, among
// several of that month); the error wraps ErrNotFound when the store holds
// none.
func (s *Store) Latest(ctx context.Context) (*Audit, error) {
	var a *Audit
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		rows, err := tx.Audits(ctx, store.ByPeriod)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errorf(ErrNotFound, "the store %s holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", s.Path())
		}
		a, err = auditFromRow(rows[len(rows)-1])
		return err
	})
	return a, err
}

// Cases returns an audit's sampled cases in order.
func (s *Store) Cases(ctx context.Context, auditName string) ([]SampledCase, error) {
	return readAudit(ctx, s, auditName, loadCases)
}

func loadCases(ctx context.Context, tx *store.Tx, a *Audit) ([]SampledCase, error) {
	rows, err := tx.Cases(ctx, a.id)
	if err != nil {
		return nil, err
	}
	out := make([]SampledCase, 0, len(rows))
	for _, r := range rows {
		c, err := caseFromRow(a, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// caseFromRow reads a sampled case of audit a from its row.
func caseFromRow(a *Audit, r store.CaseRow) (SampledCase, error) {
	c := SampledCase{Order: r.Order, ID: r.ID, Ticket: r.Ticket, Stratum: r.Stratum, Row: r.Row, Columns: a.Columns}
	if err := json.Unmarshal([]byte(r.Fields), &c.Fields); err != nil {
		return c, fmt.Errorf("audit %q: the stored fields of case %q are damaged: %w", a.Name, c.ID, err)
	}
	return c, nil
}

// AuditedSince returns the set of case IDs sampled in any audit created at
// or after t (for --exclude-audited-within).
func (s *Store) AuditedSince(ctx context.Context, t time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		ids, err := tx.CaseIDsSince(ctx, t)
		for _, id := range ids {
			out[id] = true
		}
		return err
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
		msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(e.Suggestions))
	}
	return msg
}

// Is makes errors.Is(err, ErrNotInSample) true.
func (e *NotInSampleError) Is(target error) bool { return target == ErrNotInSample }

// checkInSample returns a *NotInSampleError when id is not in a's sample.
func checkInSample(ctx context.Context, tx *store.Tx, a *Audit, id string) error {
	if c, err := tx.Case(ctx, a.id, id); err != nil || c != nil {
		return err
	}
	ids, err := tx.CaseIDs(ctx, a.id)
	if err != nil {
		return err
	}
	return &NotInSampleError{Audit: a.Name, Case: id, Suggestions: textdist.Closest(id, ids, 3)}
}
