package report

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/schema"
)

// Schema identifies the JSON report's layout (schema/report.json, carried as
// "$schema"); it changes only when a field is removed or changes meaning
// (new fields may be added).
const Schema = schema.Report

// Interval methods accepted by Options.Method.
const (
	MethodClopperPearson = stats.MethodClopperPearson
	MethodWilson         = stats.MethodWilson
)

// Special breakdown fields, besides the audit's shown columns.
const (
	ByStratum = "stratum"
	ByAuditor = "auditor"
)

// Options say what a report shows.
type Options struct {
	// Confidence is the confidence level of every interval, in (0, 1);
	// 0 means 0.95.
	Confidence float64
	// Method is the two-sided interval for the share flagged:
	// MethodClopperPearson (exact; the default when "") or MethodWilson.
	Method string
	// By names the breakdown field: one of the audit's shown columns, a
	// form question, ByStratum or ByAuditor. "" means the stratum when the
	// audit is stratified, else no breakdown.
	By string
	// Compare names the audit to compare with; "" means the audit created
	// just before this one (if any).
	Compare string
	// NoCompare leaves the comparison out.
	NoCompare bool
	// IncludeNames keeps personal columns (names, dates of birth …) in the
	// case rows and allows them as a breakdown.
	IncludeNames bool
	// NoStaffNames leaves members of staff unnamed: the shown columns
	// naming staff (the allocated worker, colname.Staff), and the auditors
	// and moderators of each case and withdrawal.
	NoStaffNames bool
	// Cases includes one row per sampled case in the JSON report (the case
	// rows are always built; the table, Markdown and CSV figures show only
	// the flagged ones).
	Cases bool
	// Now stamps the report and is the clock follow-up actions are judged
	// overdue by; nil leaves Generated zero and judges actions by the
	// store's clock.
	Now func() time.Time
	// ToolVersion and ToolSHA256 (of the executable) identify the
	// caseaudit making the report; both are recorded in it.
	ToolVersion string
	ToolSHA256  string
	// Marking is the protective marking ("OFFICIAL-SENSITIVE") every format
	// shows: in the title block and, printed, on every page. A report left
	// without one carries the marking recorded with its audit's sample.
	Marking string
	// Limit, when set, is the share the audit must stay under (the tolerable
	// rate, or --fail-above): the trend charts draw it as a line.
	Limit *float64

	allocated map[string]string // case → allocated auditor, read by Build
}

func (o *Options) normalise() error {
	if o.Confidence == 0 {
		o.Confidence = 0.95
	}
	if !(o.Confidence > 0 && o.Confidence < 1) {
		return fmt.Errorf("the confidence level %v must be between 0%% and 100%%", o.Confidence)
	}
	switch strings.ToLower(strings.TrimSpace(o.Method)) {
	case "", "exact", "cp", MethodClopperPearson, "clopper–pearson":
		o.Method = MethodClopperPearson
	case MethodWilson:
		o.Method = MethodWilson
	default:
		return fmt.Errorf("interval method %q: use clopper-pearson (exact) or wilson", o.Method)
	}
	return nil
}

// Report is one audit's report. Its JSON form is documented in README.md
// ("caseaudit report") and identified by Schema.
type Report struct {
	Marking    string    `json:"marking,omitempty"`
	Tool       string    `json:"tool"`
	Version    string    `json:"version"`
	ToolSHA256 string    `json:"tool_sha256,omitempty"`
	Generated  string    `json:"generated,omitempty"` // RFC 3339, UTC
	Audit      string    `json:"audit"`
	Created    time.Time `json:"created"`
	Seed       string    `json:"seed"`
	Input      string    `json:"input"`
	Filters    []string  `json:"filters"`
	StrataBy   string    `json:"strata_column"`
	Allocation string    `json:"allocation"`
	Period     string    `json:"period"`     // the month audited, yyyy-mm
	Population *int      `json:"population"` // nil when not recorded
	// PopulationNote says which cases the headline's population is, and
	// which the factors are counted over, when they differ: "The sample
	// was drawn from the 2,880 cases eligible after leaving out 120 …;
	// caseloads are counted over all 3,000 cases." "" when there is
	// nothing to tell apart.
	PopulationNote string `json:"population_note,omitempty"`
	// Provenance is how the sample was drawn, in full (excluded IDs
	// included): with the export it re-derives the sample.
	Provenance  *sample.Provenance `json:"provenance"`
	Sampled     int                `json:"sampled"`
	Audited     int                `json:"audited"`
	ToDo        int                `json:"to_do"`
	Flagged     int                `json:"flagged"`
	Share       *float64           `json:"share"` // nil when nothing is audited
	CI          CI                 `json:"ci"`
	UpperOne    *float64           `json:"upper_one_sided"`
	FiniteUpper *float64           `json:"finite_population_upper,omitempty"`
	// FiniteUpperCount is the finite-population upper bound as a number of cases.
	FiniteUpperCount *int   `json:"finite_population_upper_count,omitempty"`
	Sentence         string `json:"sentence"`
	// Notes are caveats a reader needs (cases still to audit, unweighted
	// strata, a comparison that could not be made).
	Notes        []string       `json:"notes"`
	Grades       map[string]int `json:"grades"`
	GoodOrBetter *float64       `json:"good_or_better"`
	By           string         `json:"breakdown_by"`
	Breakdown    []Group        `json:"breakdown"`
	Flags        []CaseRow      `json:"flagged_cases"`
	Moderation   *Moderation    `json:"moderation"`
	// Calibration compares each auditor's grades with the moderators'
	// over the moderated cases of the audits up to this one (nil when
	// none was moderated).
	Calibration *Calibration `json:"calibration"`
	Comparison  *Comparison  `json:"comparison"`
	Trend       []TrendPoint `json:"trend"`
	// FocusAreas tally the audit's form questions over the audited cases,
	// in form order; empty (never null) when the audit has no form.
	FocusAreas []FocusArea `json:"focus_areas"`
	// FocusTeams is the team × focus-area table; nil without a form, a
	// grade question or a team column.
	FocusTeams *FocusTeams `json:"focus_by_team"`
	// Actions counts the follow-up actions opened on flagged cases.
	Actions Actions `json:"actions"`
	// Withdrawn lists the sampled cases withdrawn (they could not be
	// audited) and their replacements; the figures leave them out.
	Withdrawn []WithdrawnCase `json:"withdrawn"`
	// SignOff is the audit's sign-off (nil when not signed off), saying
	// whether the figures were amended since.
	SignOff *SignOffView `json:"sign_off"`

	// Factors groups the audited cases by the factors recorded with the
	// sample; nil (absent from JSON) when none were recorded (see factors.go).
	Factors     *Factors  `json:"factors,omitempty"`
	Columns     []string  `json:"columns"` // the shown columns kept in case rows
	Cases       []CaseRow `json:"cases,omitempty"`
	AllCases    []CaseRow `json:"-"` // every sampled case, for the workbook and --cases
	GradeOrder  []string  `json:"-"`
	opts        Options
	gradeCounts [5]int
	judged      map[string]bool // latest judgement on immediate attention, by case
}

// CI is a two-sided confidence interval; Lower and Upper are nil when
// nothing is audited.
type CI struct {
	Method     string   `json:"method"`
	Confidence float64  `json:"confidence"`
	Lower      *float64 `json:"lower"`
	Upper      *float64 `json:"upper"`
}

// Group is one row of the breakdown.
type Group struct {
	Group   string   `json:"group"`
	Sampled int      `json:"sampled"`
	Audited int      `json:"audited"`
	Flagged int      `json:"flagged"`
	Share   *float64 `json:"share"`
	Lower   *float64 `json:"lower"`
	Upper   *float64 `json:"upper"`
}

// CaseRow is one sampled case with its latest findings.
type CaseRow struct {
	Order   int               `json:"order"`
	ID      string            `json:"id"`
	Stratum string            `json:"stratum,omitempty"`
	Fields  map[string]string `json:"fields"`
	// fields in column order, for renderers
	FieldList []string `json:"-"`
	Audited   bool     `json:"audited"`
	Auditor   string   `json:"auditor,omitempty"`
	Grade     string   `json:"grade,omitempty"`
	Immediate *bool    `json:"immediate"`
	Note      string   `json:"note,omitempty"`
	Date      string   `json:"date,omitempty"`
	// Moderation finding, when the case was moderated.
	ModeratedGrade     string `json:"moderated_grade,omitempty"`
	ModeratedImmediate *bool  `json:"moderated_immediate,omitempty"`
	Moderator          string `json:"moderator,omitempty"`
	// Answers are the latest finding's answers to the form's questions,
	// keyed by question key.
	Answers map[string]string `json:"answers,omitempty"`
	// NeedsAttention is the case's latest judgement on immediate attention,
	// the auditor's or a moderator's, whichever was recorded last: what the
	// headline counts. RaisedAtModeration: a moderator found it needs
	// immediate attention where the auditor did not; ClearedAtModeration:
	// the auditor flagged it and a moderator, later, did not.
	NeedsAttention      bool `json:"needs_immediate_attention"`
	RaisedAtModeration  bool `json:"raised_at_moderation,omitempty"`
	ClearedAtModeration bool `json:"cleared_at_moderation,omitempty"`
}

// latestJudgement says, for each audited case, whether it needs immediate
// attention by its latest judgement: the auditor's finding, or a
// moderator's recorded after it (a correction after moderation is later
// still). It is the rule the headline share follows.
func latestJudgement(orig, mod []audit.Finding) map[string]bool {
	out := make(map[string]bool, len(orig))
	seq := make(map[string]int, len(orig))
	for _, f := range orig {
		out[f.Case], seq[f.Case] = f.Immediate, f.Seq
	}
	for _, f := range mod {
		if s, ok := seq[f.Case]; ok && f.Seq > s {
			out[f.Case] = f.Immediate
		}
	}
	return out
}

// Moderation summarises the agreement between auditors and moderators.
type Moderation struct {
	Seed   string `json:"seed"`
	Sample int    `json:"sample"` // cases drawn for moderation
	Pairs  int    `json:"pairs"`  // cases with both findings
	// Agreement is the share of pairs with the same grade.
	Agreement *float64 `json:"agreement"`
	Kappa     *float64 `json:"kappa"` // nil when not defined
	Linear    *float64 `json:"weighted_kappa_linear"`
	Quadratic *float64 `json:"weighted_kappa_quadratic"`
	// ImmediateAgreement is the share of pairs agreeing on immediate attention.
	ImmediateAgreement *float64 `json:"immediate_agreement"`
	// Table[i][j] counts pairs graded Grades[i] by the auditor and Grades[j]
	// by the moderator (Outstanding first).
	Table         [][]int        `json:"table"`
	Disagreements []Disagreement `json:"disagreements"`
}

// Disagreement is a moderated case where the grade or the immediate
// attention answer differs.
type Disagreement struct {
	Case               string `json:"case"`
	Original           string `json:"original"`
	Moderated          string `json:"moderated"`
	OriginalImmediate  bool   `json:"original_immediate"`
	ModeratedImmediate bool   `json:"moderated_immediate"`
}

// Comparison compares the share flagged with another audit.
type Comparison struct {
	Previous        string     `json:"previous"`
	PreviousAudited int        `json:"previous_audited"`
	PreviousFlagged int        `json:"previous_flagged"`
	PreviousShare   float64    `json:"previous_share"`
	Share           float64    `json:"share"`
	Difference      float64    `json:"difference"` // this share − previous share
	DifferenceCI    [2]float64 `json:"difference_ci"`
	CIMethod        string     `json:"difference_ci_method"`
	FisherP         float64    `json:"fisher_p"`
	Significant     bool       `json:"significant"` // FisherP < 1 − confidence
	Sentence        string     `json:"sentence"`
	// PreviousRetired: the audit compared with is retired; its figures are
	// its sealed summary's.
	PreviousRetired bool `json:"previous_retired"`
}

// TrendPoint is one audit in the trend, oldest first.
type TrendPoint struct {
	Audit   string         `json:"audit"`
	Period  string         `json:"period"` // the month audited, yyyy-mm: the trend's order
	Created time.Time      `json:"created"`
	Sampled int            `json:"sampled"`
	Audited int            `json:"audited"`
	Flagged int            `json:"flagged"`
	Share   *float64       `json:"share"`
	Lower   *float64       `json:"lower"`
	Upper   *float64       `json:"upper"`
	Grades  map[string]int `json:"grades"`
	// NotRecorded counts the sampled cases without a finding yet;
	// Incomplete says there are some, so the audit's figures may still
	// move. (Sign-off is not recorded by caseaudit yet: when it is, an
	// audit not signed off is marked beside these, in statusNote.)
	NotRecorded int  `json:"not_recorded"`
	Incomplete  bool `json:"incomplete"`
	// Groups are the share flagged in each group of Trend.By (trend
	// --by); absent without it, and empty for an audit that does not
	// show the column.
	Groups []TrendGroup `json:"groups,omitempty"`
	// GoodOrBetter is the share of audited cases Outstanding or Good; nil
	// when nothing is audited.
	GoodOrBetter *float64 `json:"good_or_better"`
	// FocusAreas are the audit's grade questions' shares Good or better.
	FocusAreas []TrendFocus `json:"focus_areas"`
	// CaseloadTarget, WorkersAboveTarget and CasesAboveTarget come from the
	// factors recorded with the audit's sample: the target, the share of
	// the population's workers holding more cases, and the share of the
	// allocated cases they hold; absent when no caseload target was
	// recorded (see factors_trend.go).
	CaseloadTarget     *int     `json:"caseload_target,omitempty"`
	WorkersAboveTarget *float64 `json:"workers_above_target,omitempty"`
	CasesAboveTarget   *float64 `json:"cases_above_target,omitempty"`
	// Complete: every sampled case has a finding. SignedOff: QA signed the
	// audit off. A month neither complete nor signed off is not final.
	Complete  bool `json:"complete"`
	SignedOff bool `json:"signed_off"`
	// SignedOffIncomplete: QA signed it off with cases unrecorded or
	// moderation outstanding (signoff --force).
	SignedOffIncomplete bool `json:"signed_off_incomplete"`
	// Amended is the amendment sentence when the figures changed after
	// the sign-off; "" otherwise.
	Amended string `json:"amended_after_sign_off,omitempty"`
	// Retired: the audit was retired under the store's retention period;
	// its figures are its sealed summary's (see retired.go).
	Retired bool `json:"retired"`
}

// Trend is the share flagged and grade mix of every audit, oldest first.
type Trend struct {
	// By is the column the trend is broken down by (trend --by), "" for
	// none.
	By         string       `json:"by,omitempty"`
	Marking    string       `json:"marking,omitempty"`
	Limit      *float64     `json:"limit,omitempty"`
	Method     string       `json:"method"`
	Confidence float64      `json:"confidence"`
	Audits     []TrendPoint `json:"audits"`
}

// TrendSchema names the JSON trend's layout.
const TrendSchema = schema.Trend

// ErrNothingAudited is wrapped by Exceeds when no case has been audited.
var ErrNothingAudited = errors.New("no case has been audited yet")

func ptr[T any](v T) *T { return &v }

// gradeNames lists the grades best first.
func gradeNames() []string {
	out := make([]string, len(audit.Grades))
	for i, g := range audit.Grades {
		out[i] = g.String()
	}
	return out
}

// Build reads one audit (name "" means the latest) and everything the
// report needs from the store.
//
// Everything is read from one snapshot of the store, so a finding recorded
// while the report is built is either in all of it or in none.
func Build(ctx context.Context, st *audit.Store, name string, opts Options) (r *Report, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		r, err = build(ctx, st, name, opts)
		return err
	})
	return r, err
}

func build(ctx context.Context, st *audit.Store, name string, opts Options) (*Report, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	var a *audit.Audit
	var err error
	if strings.TrimSpace(name) == "" {
		a, err = st.Latest(ctx)
	} else {
		a, err = st.Audit(ctx, name)
	}
	if err != nil {
		return nil, err
	}
	if opts.Marking == "" { // the marking the audit was handed out under
		h, err := st.Handout(ctx, a.Name)
		if err != nil {
			return nil, err
		}
		opts.Marking = h.Marking
	}
	r, cases, orig, now, err := core(ctx, st, a, opts)
	if err != nil {
		return nil, err
	}
	opts = r.opts
	if err := r.signOff(ctx, st, a); err != nil {
		return nil, err
	}
	if err := r.focus(ctx, st, a, cases, orig); err != nil {
		return nil, err
	}
	if err := r.factors(ctx, st, a, orig); err != nil {
		return nil, err
	}
	if err := r.actions(ctx, st, a.Name, now); err != nil {
		return nil, err
	}
	topts := opts
	topts.By = "" // the report's breakdown, not a trend by a column
	trend, err := BuildTrend(ctx, st, topts)
	if err != nil {
		return nil, err
	}
	r.Trend = trend.Audits
	if err := r.calibrate(ctx, st, a); err != nil {
		return nil, err
	}
	if !opts.NoCompare {
		if err := r.compare(ctx, st, trend); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// core computes an audit's figures, as every view states them: the
// headline, interval and breakdown (what a sign-off records).
func core(ctx context.Context, st *audit.Store, a *audit.Audit, opts Options) (*Report, []audit.SampledCase, []audit.Finding, time.Time, error) {
	cases, withdrawn, err := st.ActiveCases(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	orig, err := st.Findings(ctx, a.Name, false)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	mod, err := st.Findings(ctx, a.Name, true)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	msample, err := st.Moderation(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	pairs, err := st.ModerationPairs(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	if r0, err := st.Allocation(ctx, a.Name); err != nil {
		return nil, nil, nil, time.Time{}, err
	} else if r0 != nil {
		opts.allocated = map[string]string{}
		for _, x := range r0.Assigned {
			opts.allocated[x.Case] = x.Auditor
		}
	}
	now := st.Now()
	if opts.Now != nil {
		now = opts.Now()
		opts.Now = func() time.Time { return now } // one reading for the whole report
	}
	r := &Report{opts: opts}
	if err := r.compute(a, cases, orig, mod, msample, pairs); err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	r.withdrawn(withdrawn)
	return r, cases, orig, now, nil
}

// populationNote states the populations together when the sample was
// drawn after leaving cases out: the cases eligible (the headline's
// population) and, when factors were recorded, the cases they are counted
// over (every case of the export after its filters).
func populationNote(p *sample.Provenance) string {
	c := p.Counts
	if p.Exclusion == nil || c.Excluded == 0 || c.Population == 0 {
		return ""
	}
	note := fmt.Sprintf("The sample was drawn from the %s cases eligible after leaving out %s %s",
		words.Thousands(c.Population), words.Thousands(c.Excluded), p.Exclusion.Rule)
	if f := p.Factors; f != nil && f.Population.Cases != c.Population {
		note += fmt.Sprintf("; caseloads and the other factors are counted over all %s cases", words.Thousands(f.Population.Cases))
	}
	return note + "."
}

// compute fills the report from one audit's data.
func (r *Report) compute(a *audit.Audit, cases []audit.SampledCase, orig, mod []audit.Finding,
	msample *audit.ModerationSample, pairs []audit.GradePair) error {
	o := r.opts
	r.Tool, r.Version, r.ToolSHA256, r.Marking = "caseaudit", o.ToolVersion, o.ToolSHA256, o.Marking
	if o.Now != nil {
		r.Generated = o.Now().UTC().Format(time.RFC3339)
	}
	p := a.Provenance
	r.Audit, r.Created, r.Period, r.Seed, r.Input = a.Name, a.Created.UTC(), a.Period, p.Seed, p.Export.Path
	r.Provenance = &p
	r.Filters = append([]string{}, p.Filters...)
	if p.Stratified() {
		r.StrataBy, r.Allocation = p.Strata.Column, p.Strata.Allocation
	}
	if a.Population() > 0 {
		r.Population = ptr(a.Population())
	}
	r.PopulationNote = populationNote(&p)
	if x := p.Exclusion; x != nil && p.Counts.Excluded > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%s were left out before drawing: %s. The population is the %s others.",
			words.Count(p.Counts.Excluded, "case"), x.Rule, words.Thousands(p.Counts.Population)))
	}
	r.GradeOrder = gradeNames()

	// Shown columns, without personal ones unless asked.
	var keep []int
	for i, c := range a.Columns {
		if (o.IncludeNames || !Personal(c)) && !(o.NoStaffNames && colname.Staff(c)) {
			keep = append(keep, i)
			r.Columns = append(r.Columns, c)
		}
	}
	if r.Columns == nil {
		r.Columns = []string{}
	}

	byCase := make(map[string]audit.Finding, len(orig))
	for _, f := range orig {
		byCase[f.Case] = f
	}
	modByCase := make(map[string]audit.Finding, len(mod))
	for _, f := range mod {
		modByCase[f.Case] = f
	}
	r.Grades = map[string]int{}
	for _, g := range r.GradeOrder {
		r.Grades[g] = 0
	}
	r.Flags = []CaseRow{}
	judged := latestJudgement(orig, mod)
	r.judged = judged
	for _, c := range cases {
		row := CaseRow{Order: c.Order, ID: c.ID, Stratum: c.Stratum, Fields: map[string]string{}}
		for _, i := range keep {
			v := ""
			if i < len(c.Fields) {
				v = c.Fields[i]
			}
			row.Fields[a.Columns[i]] = v
			row.FieldList = append(row.FieldList, v)
		}
		if f, ok := byCase[c.ID]; ok {
			row.Audited = true
			row.Auditor, row.Grade, row.Immediate = f.Auditor, f.Grade.String(), ptr(f.Immediate)
			row.Note, row.Date, row.Answers = f.Note, f.Date, f.Answers
			r.Audited++
			r.gradeCounts[f.Grade]++
			r.Grades[f.Grade.String()]++
			row.NeedsAttention = judged[c.ID]
			if row.NeedsAttention {
				r.Flagged++
			}
		}
		if f, ok := modByCase[c.ID]; ok {
			row.ModeratedGrade, row.ModeratedImmediate, row.Moderator = f.Grade.String(), ptr(f.Immediate), f.Auditor
			row.RaisedAtModeration = row.NeedsAttention && row.Immediate != nil && !*row.Immediate
			row.ClearedAtModeration = !row.NeedsAttention && row.Immediate != nil && *row.Immediate
		}
		if o.NoStaffNames {
			row.Auditor, row.Moderator = "", ""
		}
		r.AllCases = append(r.AllCases, row)
		if row.NeedsAttention {
			r.Flags = append(r.Flags, row)
		}
	}
	r.Sampled = len(cases)
	r.ToDo = r.Sampled - r.Audited
	if o.Cases {
		r.Cases = r.AllCases
	}

	r.CI = CI{Method: o.Method, Confidence: o.Confidence}
	if r.Audited > 0 {
		k, n := r.Flagged, r.Audited
		r.Share = ptr(float64(k) / float64(n))
		iv, err := interval(o.Method, k, n, o.Confidence)
		if err != nil {
			return err
		}
		r.CI.Lower, r.CI.Upper = ptr(iv.Lower), ptr(iv.Upper)
		up, err := stats.UpperOneSided(k, n, o.Confidence)
		if err != nil {
			return fmt.Errorf("audit %q: the one-sided bound: %w", a.Name, err)
		}
		r.UpperOne = ptr(up)
		if a.Population() >= n {
			share, count, err := stats.HypergeometricUpper(k, n, a.Population(), o.Confidence)
			if err != nil {
				return fmt.Errorf("audit %q: the finite-population bound: %w", a.Name, err)
			}
			r.FiniteUpper, r.FiniteUpperCount = ptr(share), ptr(count)
		}
		good := r.gradeCounts[audit.Outstanding] + r.gradeCounts[audit.Good]
		r.GoodOrBetter = ptr(float64(good) / float64(n))
	}
	r.Sentence = r.sentence()
	if r.Notes == nil {
		r.Notes = []string{}
	}
	if r.Audited > 0 && r.ToDo > 0 {
		r.Notes = append(r.Notes, fmt.Sprintf("%s of the %s sampled cases %s still to be audited; the figures cover the %s audited so far, which are a random sample only if the rest are not left out for a reason.",
			thousands(r.ToDo), thousands(r.Sampled), isAre(r.ToDo), thousands(r.Audited)))
	}
	if note := judgementNote(r.AllCases); note != "" {
		r.Notes = append(r.Notes, note)
	}
	if r.StrataBy != "" && r.Allocation == "equal" {
		r.Notes = append(r.Notes, fmt.Sprintf("The sample was stratified by %s with equal allocation, so small strata are over-represented; the shares are of the audited cases, not weighted to the population.", r.StrataBy))
	}

	if err := r.breakdown(a, cases, byCase); err != nil {
		return err
	}
	return r.moderation(msample, pairs)
}

func isAre(n int) string {
	if n == 1 {
		return "is"
	}
	return "are"
}

func interval(method string, k, n int, conf float64) (stats.Interval, error) {
	if method == MethodWilson {
		return stats.Wilson(k, n, conf)
	}
	return stats.ClopperPearson(k, n, conf)
}

// breakdown groups the sampled cases by the chosen field.
func (r *Report) breakdown(a *audit.Audit, cases []audit.SampledCase, byCase map[string]audit.Finding) error {
	o := r.opts
	by := strings.TrimSpace(o.By)
	if by == "" && a.StrataColumn() != "" {
		by = ByStratum
	}
	r.Breakdown = []Group{}
	if by == "" {
		return nil
	}
	var key func(c audit.SampledCase) (string, bool)
	switch {
	case strings.EqualFold(by, ByStratum):
		if a.StrataColumn() == "" {
			return fmt.Errorf("audit %q was not stratified; break it down by a column instead (%s)", a.Name, strings.Join(r.byChoices(a), ", "))
		}
		by = ByStratum
		key = func(c audit.SampledCase) (string, bool) { return c.Stratum, true }
	case strings.EqualFold(by, ByAuditor) && o.NoStaffNames:
		return fmt.Errorf("a breakdown by auditor names the auditors, which --no-staff-names leaves out; break it down by something else (%s)", strings.Join(r.byChoices(a), ", "))
	case strings.EqualFold(by, ByAuditor):
		// Audited cases by who audited them; the rest by whom they are
		// allocated to, or as unallocated: every sampled case is counted.
		by = ByAuditor
		key = func(c audit.SampledCase) (string, bool) {
			if f, ok := byCase[c.ID]; ok {
				return f.Auditor, true
			}
			if who := o.allocated[c.ID]; who != "" {
				return who, true
			}
			return "(unallocated)", true
		}
	default:
		i := colname.Match(a.Columns, by)
		if i < 0 && colname.Same(a.StrataColumn(), by) {
			by = ByStratum
			key = func(c audit.SampledCase) (string, bool) { return c.Stratum, true }
			break
		}
		if i >= 0 {
			if Personal(a.Columns[i]) && !o.IncludeNames {
				return opt.Errorf("%q holds personal details; a breakdown by it needs %s", a.Columns[i], opt.IncludeNames)
			}
			if colname.Staff(a.Columns[i]) && o.NoStaffNames {
				return fmt.Errorf("%q names members of staff, which --no-staff-names leaves out; break it down by something else (%s)", a.Columns[i], strings.Join(r.byChoices(a), ", "))
			}
			by = a.Columns[i]
			key = func(c audit.SampledCase) (string, bool) {
				if i < len(c.Fields) {
					return c.Fields[i], true
				}
				return "", true
			}
			break
		}
		q := r.answerKey(byCase, by)
		if q == "" {
			return fmt.Errorf("audit %q has no field %q to break down by; choose one of %s", a.Name, by, strings.Join(r.byChoices(a), ", "))
		}
		by = q
		key = func(c audit.SampledCase) (string, bool) {
			f, ok := byCase[c.ID]
			return f.Answers[q], ok
		}
	}
	r.By = by
	idx := map[string]int{}
	for _, c := range cases {
		k, _ := key(c)
		k = strings.TrimSpace(k)
		if k == "" {
			k = "(blank)"
		}
		i, seen := idx[k]
		if !seen {
			i = len(r.Breakdown)
			idx[k] = i
			r.Breakdown = append(r.Breakdown, Group{Group: k})
		}
		g := &r.Breakdown[i]
		g.Sampled++
		if _, ok := byCase[c.ID]; ok {
			g.Audited++
			if r.judged[c.ID] {
				g.Flagged++
			}
		}
	}
	slices.SortStableFunc(r.Breakdown, func(x, y Group) int { return strings.Compare(x.Group, y.Group) })
	for i := range r.Breakdown {
		g := &r.Breakdown[i]
		if g.Audited == 0 {
			continue
		}
		g.Share = ptr(float64(g.Flagged) / float64(g.Audited))
		iv, err := interval(o.Method, g.Flagged, g.Audited, o.Confidence)
		if err != nil {
			return err
		}
		g.Lower, g.Upper = ptr(iv.Lower), ptr(iv.Upper)
	}
	return nil
}

// answerKey finds a form question by name among the recorded answers.
func (r *Report) answerKey(byCase map[string]audit.Finding, name string) string {
	for _, f := range byCase {
		for q := range f.Answers {
			if strings.EqualFold(strings.TrimSpace(q), name) {
				return q
			}
		}
	}
	return ""
}

func (r *Report) byChoices(a *audit.Audit) []string {
	var out []string
	for _, c := range a.Columns {
		if (r.opts.IncludeNames || !Personal(c)) && !(r.opts.NoStaffNames && colname.Staff(c)) {
			out = append(out, c)
		}
	}
	if a.StrataColumn() != "" {
		out = append(out, ByStratum)
	}
	if r.opts.NoStaffNames {
		return out
	}
	return append(out, ByAuditor)
}

// moderation computes agreement between auditors and moderators.
func (r *Report) moderation(ms *audit.ModerationSample, pairs []audit.GradePair) error {
	if ms == nil && len(pairs) == 0 {
		return nil
	}
	m := &Moderation{Pairs: len(pairs), Disagreements: []Disagreement{}}
	if ms != nil {
		m.Seed, m.Sample = ms.Seed, ms.Size
	}
	k := len(audit.Grades)
	m.Table = make([][]int, k)
	for i := range m.Table {
		m.Table[i] = make([]int, k)
	}
	if len(pairs) > 0 {
		codes := make([][2]int, len(pairs))
		same := 0
		for i, p := range pairs {
			codes[i] = [2]int{int(p.Original) - 1, int(p.Moderated) - 1}
			if p.OriginalImmediate == p.ModeratedImmediate {
				same++
			}
			if p.Original != p.Moderated || p.OriginalImmediate != p.ModeratedImmediate {
				m.Disagreements = append(m.Disagreements, Disagreement{Case: p.Case, Original: p.Original.String(),
					Moderated: p.Moderated.String(), OriginalImmediate: p.OriginalImmediate, ModeratedImmediate: p.ModeratedImmediate})
			}
		}
		ag, err := stats.Agreement(codes, k)
		if err != nil {
			return fmt.Errorf("audit %q: moderation agreement: %w", r.Audit, err)
		}
		m.Table = ag.Table
		m.Agreement = ptr(ag.Exact)
		m.ImmediateAgreement = ptr(float64(same) / float64(len(pairs)))
		if ag.KappaDefined {
			m.Kappa, m.Linear, m.Quadratic = ptr(ag.Kappa), ptr(ag.WeightedLinear), ptr(ag.WeightedQuadratic)
		}
	}
	r.Moderation = m
	return nil
}

// compare fills the comparison with the previous audit (or Options.Compare).
func (r *Report) compare(ctx context.Context, st *audit.Store, trend *Trend) error {
	var prev *TrendPoint
	if name := strings.TrimSpace(r.opts.Compare); name != "" {
		// A retired audit is compared by its sealed summary's figures.
		for i := range trend.Audits {
			if trend.Audits[i].Retired && strings.EqualFold(trend.Audits[i].Audit, name) {
				prev = &trend.Audits[i]
			}
		}
		if prev == nil {
			a, err := st.Audit(ctx, name)
			if err != nil {
				return opt.Errorf("%s: %w", opt.Compare, err)
			}
			if a.Name == r.Audit {
				return opt.Errorf("%s %q names the audit being reported; name another one", opt.Compare, name)
			}
			for i := range trend.Audits {
				if trend.Audits[i].Audit == a.Name {
					prev = &trend.Audits[i]
				}
			}
		}
	} else {
		for i := range trend.Audits {
			if trend.Audits[i].Audit == r.Audit {
				if i > 0 {
					prev = &trend.Audits[i-1]
				}
				break
			}
		}
	}
	if prev == nil {
		return nil
	}
	if prev.Audited == 0 || r.Audited == 0 {
		who := fmt.Sprintf("audit %q", prev.Audit)
		if r.Audited == 0 {
			who = "this audit"
		}
		r.Notes = append(r.Notes, fmt.Sprintf("No comparison with %q: %s has no audited cases.", prev.Audit, who))
		return nil
	}
	k1, n1, k2, n2 := r.Flagged, r.Audited, prev.Flagged, prev.Audited
	d, iv, err := stats.NewcombeDiff(k1, n1, k2, n2, r.opts.Confidence)
	if err != nil {
		return fmt.Errorf("comparing with %q: %w", prev.Audit, err)
	}
	p, err := stats.FisherExact(k1, n1, k2, n2)
	if err != nil {
		return fmt.Errorf("comparing with %q: %w", prev.Audit, err)
	}
	c := &Comparison{Previous: prev.Audit, PreviousAudited: n2, PreviousFlagged: k2,
		PreviousShare: float64(k2) / float64(n2), Share: float64(k1) / float64(n1),
		Difference: d, DifferenceCI: [2]float64{iv.Lower, iv.Upper}, CIMethod: iv.Method,
		FisherP: p, Significant: p < 1-r.opts.Confidence}
	c.Sentence = comparisonSentence(c, r.Flagged, r.Audited, r.opts.Confidence)
	if prev.Retired {
		c.PreviousRetired = true
		c.Sentence += " (" + prev.Audit + " is retired: its figures are those its sealed summary keeps.)"
	}
	r.Comparison = c
	return nil
}

// BuildTrend reads every audit in the store, in the order of their periods.
//
// Everything is read from one snapshot of the store.
func BuildTrend(ctx context.Context, st *audit.Store, opts Options) (t *Trend, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		t, err = buildTrend(ctx, st.WithoutProse(), opts)
		return err
	})
	return t, err
}

func buildTrend(ctx context.Context, st *audit.Store, opts Options) (*Trend, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	sums, err := st.AuditsWithFindings(ctx)
	if err != nil {
		return nil, err
	}
	t := &Trend{Method: opts.Method, Confidence: opts.Confidence, Audits: []TrendPoint{},
		Marking: opts.Marking, Limit: opts.Limit}
	for _, s := range sums {
		fs, mod := s.Findings, s.Moderation
		judged := latestJudgement(fs, mod)
		p := TrendPoint{Audit: s.Name, Period: s.Period, Created: s.Created.UTC(), Sampled: s.Size, Grades: map[string]int{}}
		p.setFactors(s.Factors)
		for _, g := range gradeNames() {
			p.Grades[g] = 0
		}
		for _, f := range fs {
			p.Audited++
			if judged[f.Case] {
				p.Flagged++
			}
			p.Grades[f.Grade.String()]++
		}
		p.NotRecorded = max(p.Sampled-p.Audited, 0)
		p.Incomplete = p.NotRecorded > 0
		if p.Audited > 0 {
			p.Share = ptr(float64(p.Flagged) / float64(p.Audited))
			iv, err := interval(opts.Method, p.Flagged, p.Audited, opts.Confidence)
			if err != nil {
				return nil, err
			}
			p.Lower, p.Upper = ptr(iv.Lower), ptr(iv.Upper)
		}
		if err := p.focus(ctx, st, fs); err != nil {
			return nil, err
		}
		if err := p.signOff(ctx, st, opts); err != nil {
			return nil, err
		}
		if by := strings.TrimSpace(opts.By); by != "" && p.Audited > 0 {
			name, err := p.trendGroups(ctx, st, by, judged, fs, opts)
			if err != nil {
				return nil, err
			}
			if t.By == "" {
				t.By = name
			}
		}
		t.Audits = append(t.Audits, p)
	}
	if err := t.addRetired(ctx, st, opts); err != nil {
		return nil, err
	}
	if by := strings.TrimSpace(opts.By); by != "" && t.By == "" && len(t.Audits) > 0 {
		return nil, opt.Errorf("%s %q: no audit with findings shows that column; break the trend down by a column the samples show (sample -c COLUMN) or by stratum", opt.By, by)
	}
	return t, nil
}

// On says which figure a threshold is compared with.
type On string

// Threshold figures.
const (
	OnShare On = "share" // the observed share flagged
	OnUpper On = "upper" // the upper bound of the two-sided interval
)

// Exceeds reports whether the share flagged (or, with OnUpper, the upper
// bound of its interval) is above limit, and the figure compared. The error
// wraps ErrNothingAudited when no case is audited.
func (r *Report) Exceeds(limit float64, on On) (bool, float64, error) {
	if r.Share == nil {
		return false, 0, fmt.Errorf("audit %q: %w", r.Audit, ErrNothingAudited)
	}
	v := *r.Share
	if on == OnUpper {
		v = *r.CI.Upper
	}
	return v > limit, v, nil
}

// judgementNote states the latest-judgement rule when moderation changed
// whether a case counts as needing immediate attention, and what happened
// to those cases; "" when it changed none.
func judgementNote(rows []CaseRow) string {
	var parts []string
	if raised := countRaised(rows); raised > 0 {
		parts = append(parts, fmt.Sprintf("%s flagged at moderation where the auditor did not flag %s; %s counted as needing immediate attention and followed up",
			words.Count(raised, "case was", "cases were"), words.Noun(raised, "it", "them"), words.Noun(raised, "it is", "they are")))
	}
	if cleared := clearedAtModeration(rows); len(cleared) > 0 {
		n := len(cleared)
		parts = append(parts, fmt.Sprintf("%s flagged by %s auditor %s judged at moderation not to need it (%s); %s counted as not needing it, but %s follow-up %s open until someone closes %s (caseaudit action close)",
			words.Count(n, "case"), words.Noun(n, "its", "their"), words.Noun(n, "was", "were"), listIDs(cleared, 10),
			words.Noun(n, "it is", "they are"), words.Noun(n, "its", "their"), words.Noun(n, "action stays", "actions stay"), words.Noun(n, "it", "them")))
	}
	if len(parts) == 0 {
		return ""
	}
	return "A case counts as needing immediate attention by its latest judgement, the auditor's or a later moderator's: " + strings.Join(parts, ". ") + "."
}

// clearedAtModeration lists the cases their auditor flagged and a moderator,
// later, did not.
func clearedAtModeration(rows []CaseRow) []string {
	var ids []string
	for _, c := range rows {
		if c.ClearedAtModeration {
			ids = append(ids, c.ID)
		}
	}
	return ids
}

// listIDs joins case IDs, at most max of them, saying how many more.
func listIDs(ids []string, max int) string {
	if len(ids) <= max {
		return strings.Join(ids, ", ")
	}
	return strings.Join(ids[:max], ", ") + fmt.Sprintf(" and %d more", len(ids)-max)
}

// countRaised counts the cases flagged at moderation where the auditor did
// not flag them.
func countRaised(rows []CaseRow) int {
	n := 0
	for _, c := range rows {
		if c.RaisedAtModeration {
			n++
		}
	}
	return n
}

// calibrate compares each auditor's grades with the moderators' over the
// moderated cases of the audits of the trend up to this one's period: the
// months a manager reads the report against.
func (r *Report) calibrate(ctx context.Context, st *audit.Store, a *audit.Audit) error {
	var names []string
	for _, p := range r.Trend {
		// A retired audit's grades are gone with its findings.
		if p.Period <= a.Period && !p.Retired {
			names = append(names, p.Audit)
		}
	}
	if !slices.Contains(names, a.Name) {
		names = append(names, a.Name)
	}
	// Grades are compared, never notes: the trails the trend read serve it.
	c, err := buildCalibration(ctx, st.WithoutProse(), names, "")
	if err != nil {
		return err
	}
	if c.Pairs > 0 {
		r.Calibration = c
	}
	return nil
}
