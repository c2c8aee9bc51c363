package audit

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
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

// notFoundError says what was not found, and is ErrNotFound for errors.Is.
type notFoundError struct{ msg string }

func (e *notFoundError) Error() string        { return e.msg }
func (e *notFoundError) Is(target error) bool { return target == ErrNotFound }

// caseFromRow reads a sampled case of audit a from its row.
func caseFromRow(a *Audit, r store.CaseRow) (SampledCase, error) {
	c := SampledCase{Order: r.Order, ID: r.ID, Ticket: r.Ticket, Stratum: r.Stratum, Row: r.Row, Columns: a.Columns}
	if err := json.Unmarshal([]byte(r.Fields), &c.Fields); err != nil {
		return c, fmt.Errorf("audit %q: the stored fields of case %q are damaged: %w", a.Name, c.ID, err)
	}
	return c, nil
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

// OwnerRule says who owns a case's follow-up action: an audit's follow-up
// rule (Audit.FollowUp), set when the audit is recorded.
type OwnerRule struct {
	// Column names the shown column holding the owner, or the team when
	// TeamManagers is given.
	Column string `json:"owner_column,omitempty"`
	// TeamManagers maps a team (the value of Column) to its manager; a team
	// not listed owns its cases itself.
	TeamManagers map[string]string `json:"team_managers,omitempty"`
	// DueDays overrides DefaultDueDays for the audit when positive.
	DueDays int `json:"due_days,omitempty"`
}

// Owner returns the owner of a case under the rule.
func (r OwnerRule) Owner(c SampledCase) string {
	if r.Column == "" {
		return Unassigned
	}
	v := strings.Join(strings.Fields(c.Field(r.Column)), " ")
	if v == "" {
		return Unassigned
	}
	for team, mgr := range r.TeamManagers {
		if namekey.Same(team, v) && strings.TrimSpace(mgr) != "" {
			return strings.TrimSpace(mgr)
		}
	}
	return v
}

// Audits recorded before schema version 2 kept how their sample was drawn
// in the audit row's columns and, for what those lacked, in the command
// line's own JSON ("params"). Their trail's first entry vouches for those
// columns, so they are kept as they are; the provenance is rebuilt from them
// when the audit is read.

// legacyAudit is the audit row of schema 1.
type legacyAudit struct {
	Seed          string
	InputPath     string
	InputSHA256   string
	Sheet         string
	HeaderRow     int
	DataRows      int
	Filters       []string
	StrataColumn  string
	Allocation    string
	MinPerStratum int
	Population    int
	ToolVersion   string
	Columns       []string
	Params        json.RawMessage
}

// legacyParams is what `caseaudit sample --audit` wrote in params before
// schema 2.
type legacyParams struct {
	IDColumn      string   `json:"id_column"`
	Delimiter     string   `json:"delimiter"`
	Encoding      string   `json:"encoding"`
	Percent       float64  `json:"percent"`
	Strict        bool     `json:"strict"`
	ExcludeWithin string   `json:"exclude_within"`
	Excluded      []string `json:"excluded"`
	OwnerRule
}

// legacyAuditJSON is a schema-1 audit as its trail's first entry holds it.
func legacyAuditJSON(a *Audit) map[string]any {
	l := a.legacy
	m := map[string]any{
		"name": a.Name, "created": store.FormatTime(a.Created), "seed": l.Seed,
		"input_path": l.InputPath, "input_sha256": l.InputSHA256, "sheet": l.Sheet,
		"header_row": l.HeaderRow, "data_rows": l.DataRows, "filters": nonNil(l.Filters),
		"strata_column": l.StrataColumn, "allocation": l.Allocation, "min_per_stratum": l.MinPerStratum,
		"initial_size": a.InitialSize, "population": l.Population, "tool_version": l.ToolVersion,
		"columns": nonNil(l.Columns), "params": l.Params,
	}
	if len(a.Form) > 0 {
		m["form"] = json.RawMessage(a.Form)
	} else {
		m["form"] = nil
	}
	return m
}

// fromLegacy fills the audit's provenance, follow-up rule and period from
// its schema-1 columns.
func (a *Audit) fromLegacy() error {
	l := a.legacy
	var p legacyParams
	if len(l.Params) > 0 {
		if err := json.Unmarshal(l.Params, &p); err != nil {
			return fmt.Errorf("audit %q: its recorded sample parameters are damaged: %w", a.Name, err)
		}
	}
	format := export.FormatCSV
	if l.Sheet != "" {
		format = export.FormatXLSX
	}
	pr := sample.Provenance{
		Schema: sample.ProvenanceSchema, ToolVersion: l.ToolVersion, Drawn: a.Created, Seed: l.Seed,
		Export: sample.Source{Path: l.InputPath, SHA256: l.InputSHA256, Format: format, Sheet: l.Sheet,
			HeaderRow: l.HeaderRow, IDColumn: p.IDColumn, Delimiter: p.Delimiter, Encoding: p.Encoding},
		Filters: nonNil(l.Filters), Size: a.InitialSize, Strict: p.Strict,
		Counts:  sample.Counts{Rows: l.DataRows, Excluded: len(p.Excluded), Population: l.Population},
		Partial: true, Columns: nonNil(l.Columns),
	}
	if p.Percent > 0 {
		pr.SizeRule = fmt.Sprintf("%g%% of the population, rounded up", p.Percent)
	}
	if l.StrataColumn != "" {
		alloc := l.Allocation
		if alloc == "" {
			alloc = sample.Proportional
		}
		pr.Strata = &sample.StrataRule{Column: l.StrataColumn, Allocation: alloc, MinPerStratum: l.MinPerStratum}
	}
	if p.ExcludeWithin != "" || len(p.Excluded) > 0 {
		rule := "sampled in an audit of the store"
		if p.ExcludeWithin != "" {
			rule += " within " + strings.TrimSpace(p.ExcludeWithin)
		}
		pr.Exclusion = &sample.Exclusion{Rule: rule, Within: p.ExcludeWithin, IDs: nonNil(p.Excluded)}
	}
	a.Provenance = pr
	a.FollowUp = p.OwnerRule
	if a.Period == "" {
		a.Period = a.Created.Format("2006-01")
	}
	return nil
}
