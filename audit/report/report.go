package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
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
	latest := make(map[string]audit.Finding, len(mod))
	for _, m := range mod {
		if m.Seq > latest[m.Case].Seq {
			latest[m.Case] = m
		}
	}
	out := make(map[string]bool, len(orig))
	for _, f := range orig {
		m, moderated := latest[f.Case]
		out[f.Case] = audit.LatestImmediate(f, m, moderated)
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
	// The kappas are nil when not defined, and below KappaMinPairs pairs
	// (KappaWithheld), the rule the calibration follows.
	Kappa         *float64 `json:"kappa"`
	Linear        *float64 `json:"weighted_kappa_linear"`
	Quadratic     *float64 `json:"weighted_kappa_quadratic"`
	KappaWithheld bool     `json:"kappa_withheld"`
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
	CIMethod        string     `json:"difference_ci_method"` // stats.MethodMiettinenNurminen
	// Test names the test of P, the one DifferenceCI inverts, so that
	// Significant is true exactly when DifferenceCI leaves out 0.
	Test        string  `json:"test"`
	P           float64 `json:"p"`
	Significant bool    `json:"significant"` // P < 1 − confidence
	Sentence    string  `json:"sentence"`
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
	// marking is the protective marking the audit was handed out under:
	// a trend carries the markings of every audit it shows. markingUnknown:
	// the audit is retired and its sealed summary, made before summaries
	// kept the marking, does not say it.
	marking        string
	markingUnknown bool
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

// Calibration is every auditor's agreement with the moderators.
type Calibration struct {
	Marking string `json:"marking,omitempty"`
	// Audits are the audits whose moderated cases are compared;
	// NotModerated the audits asked for that have none (no moderation, or
	// none with both grades), named apart so that no view reads as if a
	// month without moderation had been compared.
	Audits       []string             `json:"audits"`
	NotModerated []string             `json:"not_moderated"`
	Pairs        int                  `json:"pairs"` // moderated cases with both grades
	Auditors     []AuditorCalibration `json:"auditors"`
}

// AuditorCalibration is one auditor's agreement with the moderators.
type AuditorCalibration struct {
	Auditor     string   `json:"auditor"`
	Pairs       int      `json:"pairs"`
	Exact       int      `json:"exact"`
	WithinOne   int      `json:"within_one"`
	ExactShare  float64  `json:"exact_share"`
	WithinShare float64  `json:"within_one_share"`
	Kappa       *float64 `json:"kappa"` // nil below KappaMinPairs pairs, or when not defined
	// Higher and Lower count the cases the auditor graded more and less
	// favourably than the moderator; SignP is the sign test's p-value.
	Higher   int     `json:"higher"`
	Lower    int     `json:"lower"`
	SignP    float64 `json:"sign_test_p"`
	Leans    string  `json:"leans"` // "higher", "lower" or "" (no clear lean at the 5% level)
	Sentence string  `json:"sentence"`
}

// FocusArea is the tally of one form question over the audited cases.
type FocusArea struct {
	Key   string `json:"key"`
	Label string `json:"label"`
	Kind  string `json:"kind"` // grade, yesno, choice or text
	// Answered counts the audited cases with an answer (N/A included).
	Answered int `json:"answered"`
	// Answers counts the cases per answer, in its canonical spelling; every
	// answer the question offers is present (0 when unused). Text questions
	// have no answer counts (free text is not tallied, nor put in reports).
	Answers map[string]int `json:"answers"`
	// Graded counts the answers on the four-point scale (grade questions;
	// Not applicable excluded) and GoodOrBetter is the share of them
	// Outstanding or Good: nil for other kinds and when nothing is graded.
	Graded       int      `json:"graded"`
	GoodOrBetter *float64 `json:"good_or_better"`
	// AnswerOrder lists the keys of Answers in the question's order.
	AnswerOrder []string `json:"-"`
}

// FocusTeams is the team × focus-area table: the share Good or better of
// every grade question, team by team.
type FocusTeams struct {
	// Column is the shown column the teams come from.
	Column string `json:"column"`
	// Areas are the keys of the grade questions, in form order (the cells'
	// order).
	Areas []string    `json:"areas"`
	Teams []FocusTeam `json:"teams"`
}

// FocusTeam is one row of the team × focus-area table.
type FocusTeam struct {
	Team    string      `json:"team"`
	Audited int         `json:"audited"`
	Cells   []FocusCell `json:"cells"`
}

// FocusCell is one team's result on one grade question.
type FocusCell struct {
	Key          string   `json:"key"`
	Graded       int      `json:"graded"`
	GoodOrBetter *float64 `json:"good_or_better"` // nil when nothing is graded
}

// Actions counts an audit's follow-up actions as of AsOf.
type Actions struct {
	// AsOf is the day overdue is judged on (yyyy-mm-dd, UTC): the report's
	// clock (Options.Now), else the store's.
	AsOf      string `json:"as_of"`
	Opened    int    `json:"opened"`    // actions ever opened: open + responded_not_closed + closed
	Open      int    `json:"open"`      // still waiting for the owner's response
	Responded int    `json:"responded"` // with at least one response, closed or not
	// RespondedNotClosed have a response and wait for QA to close them: with
	// Open and Closed they add up to Opened, which Responded (overlapping
	// Closed) does not.
	RespondedNotClosed int `json:"responded_not_closed"`
	Closed             int `json:"closed"`
	Overdue            int `json:"overdue"` // open past their due date
	// MedianDaysToResponse is the median of calendar days from opening to
	// the first response over the Timed actions with one; nil when none.
	MedianDaysToResponse *float64 `json:"median_days_to_response"`
	Timed                int      `json:"responses_timed"`
}

// SignOffView is an audit's sign-off as a report states it: when and by
// whom, the figures signed off, and, when a correction since changed them,
// the figures now and the sentence every view repeats.
type SignOffView struct {
	At      time.Time     `json:"at"`
	By      string        `json:"by"`
	Figures audit.Figures `json:"figures"`
	// Incomplete is what the audit lacked when QA signed it off anyway
	// (signoff --force); absent when it was complete.
	Incomplete *audit.Incomplete `json:"incomplete,omitempty"`
	Amended    bool              `json:"amended"`
	// AmendedAt is when the first entry that changed the figures was made.
	AmendedAt *time.Time     `json:"amended_at,omitempty"`
	Now       *audit.Figures `json:"now,omitempty"`
	// Sentence says it in words: "signed off 2026-10-03 with 8 of 120
	// flagged", or with the amendment.
	Sentence string `json:"sentence"`
}

// WithdrawnCase is a sampled case that could not be audited: withdrawn
// with a reason and replaced by the next case of its stratum.
type WithdrawnCase struct {
	Case        string `json:"case"`
	Reason      string `json:"reason"`
	Replacement string `json:"replacement,omitempty"` // "" when the stratum had no other case
	Date        string `json:"date"`                  // yyyy-mm-dd, UTC
	By          string `json:"by"`
}

// Factors is the report's factors section (JSON "factors").
type Factors struct {
	// Spec is what was recorded, as in the provenance.
	Spec sample.FactorSpec `json:"spec"`
	// Population is the recorded figures over the population profiled.
	Population sample.FactorSummary `json:"population"`
	// Audited counts the audited cases; Recorded those of them with factor
	// values recorded (a case added by a caseaudit that did not record
	// factors has none).
	Audited  int `json:"audited"`
	Recorded int `json:"recorded"`
	// Groupings are the factors, in order: caseload (with a target),
	// changes of worker, then each timeliness pair.
	Groupings []FactorGrouping `json:"groupings"`
	// Tests is how many tests the section made (tests with a p-value).
	Tests int `json:"tests"`
	// Sentences are the population's figures in words.
	Sentences []string `json:"sentences"`
	// Notes are caveats a reader needs.
	Notes []string `json:"notes"`
}

// FactorGrouping is the audited cases grouped by one factor.
type FactorGrouping struct {
	Key    string        `json:"key"`    // "caseload", "changes", "timeliness_1" …
	Title  string        `json:"title"`  // "Caseload against the target of 18"
	Label  string        `json:"label"`  // what the groups are: "Caseload", "Workers in 12m", "Timeliness"
	Column string        `json:"column"` // the export's column(s) it comes from
	Groups []FactorGroup `json:"groups"` // in their order
	// NotGrouped counts the audited cases with factor values but none for
	// this factor (no allocated worker …); Why says why in words.
	NotGrouped int    `json:"not_grouped"`
	Why        string `json:"not_grouped_why,omitempty"`
	// Untested are the groups shown but outside the tests' order, and
	// UntestedWhy says why ("" for none).
	Untested    []string `json:"untested_groups"`
	UntestedWhy string   `json:"untested_why,omitempty"`
	// Flagged and GoodOrBetter test the two shares across the groups.
	Flagged      FactorTest `json:"flagged"`
	GoodOrBetter FactorTest `json:"good_or_better"`
}

// FactorGroup is one group's cases and shares, each with its interval
// (the report's method and confidence; nil when the group is empty).
type FactorGroup struct {
	Label   string `json:"label"`
	Audited int    `json:"audited"`

	Flagged      int      `json:"flagged"`
	FlaggedShare *float64 `json:"flagged_share"`
	FlaggedLower *float64 `json:"flagged_lower"`
	FlaggedUpper *float64 `json:"flagged_upper"`

	Good      int      `json:"good_or_better"`
	GoodShare *float64 `json:"good_or_better_share"`
	GoodLower *float64 `json:"good_or_better_lower"`
	GoodUpper *float64 `json:"good_or_better_upper"`
}

// FactorTest is a test of one share across a factor's groups.
type FactorTest struct {
	// Method is "fisher-exact", "chi-squared-trend", or "" when there is
	// no test (fewer than two groups to compare).
	Method string `json:"method"`
	// Statistic is the trend test's X-squared (1 degree of freedom); nil
	// for Fisher's test. P is the two-sided p-value; both nil when there
	// is no test or it is not defined (no case, or every case, has the
	// attribute).
	Statistic *float64 `json:"statistic"`
	P         *float64 `json:"p"`
	// Expected are the counts with the attribute expected in each group
	// under the pooled share; Small names the groups where that count, or
	// the count without, is below 5.
	Expected []float64 `json:"expected"`
	Small    []string  `json:"small_groups"`
	// Tested are the groups the test compared; LeftOut the groups with
	// cases left out of it as too small to tell (a group outside the order,
	// such as a timeliness pair not yet due, is in neither).
	Tested  []string `json:"tested_groups"`
	LeftOut []string `json:"left_out_groups"`
	// PHolm is P with Holm's correction for the section's tests
	// (Factors.Tests); nil without P.
	PHolm *float64 `json:"p_holm"`
	// Verdict is "association" (p below 1 − confidence), "no_clear_difference",
	// "too_small" (too few cases to tell: no p-value then) or "not_tested".
	Verdict  string `json:"verdict"`
	Sentence string `json:"sentence"`
}

// TrendFocus is one grade question's share Good or better in one audit.
type TrendFocus struct {
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	Graded       int      `json:"graded"`
	GoodOrBetter *float64 `json:"good_or_better"` // nil when nothing is graded
}

// TrendGroup is one group of one audit in the trend by a column.
type TrendGroup struct {
	Group   string   `json:"group"`
	Audited int      `json:"audited"`
	Flagged int      `json:"flagged"`
	Share   *float64 `json:"share"` // nil when none audited
	Lower   *float64 `json:"lower"`
	Upper   *float64 `json:"upper"`
	// TooFew: were the group like its audit, it would expect fewer than 5
	// cases flagged or fewer than 5 not flagged.
	TooFew bool `json:"too_few"`
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

// sentence is the report's plain-English summary. Bounds are rounded
// outward, as in every table; with nothing flagged, the bound for the
// population is a number of cases, inclusive: "at most 72 of the 3,000
// cases (2.4%)" (never "fewer than 2.4%", which would claim one case too
// many).
func (r *Report) sentence() string {
	conf := confPct(r.opts.Confidence)
	if r.Audited == 0 {
		if r.Sampled == 1 {
			return "The only sampled case has not been audited yet, so there is nothing to estimate."
		}
		return fmt.Sprintf("None of the %s sampled cases has been audited yet, so there is nothing to estimate.", thousands(r.Sampled))
	}
	n, k := r.Audited, r.Flagged
	census := r.Population != nil && n >= *r.Population
	if census {
		// Every case of the population was audited: there is nothing to
		// estimate, only a count.
		switch {
		case k == 0:
			return fmt.Sprintf("None of the %s needed immediate attention: every case of the population was audited.", words.Count(n, "case"))
		default:
			return fmt.Sprintf("%s of the %s (%s) needed immediate attention: every case of the population was audited.",
				thousands(k), words.Count(n, "case"), rate.Fraction(k, n, 1, rate.Nearest))
		}
	}
	if k == 0 {
		who := fmt.Sprintf("None of the %s audited cases needed immediate attention", thousands(n))
		if n == 1 {
			who = "The only audited case did not need immediate attention"
		}
		if r.FiniteUpperCount != nil {
			N := *r.Population
			return fmt.Sprintf("%s; with %s confidence at most %s of the %s (%s) would.", who, conf,
				thousands(*r.FiniteUpperCount), words.Count(N, "case"), rate.Fraction(*r.FiniteUpperCount, N, 1, rate.Up))
		}
		return fmt.Sprintf("%s; with %s confidence fewer than %s of all cases would.", who, conf, pct(*r.UpperOne, up))
	}
	of := "all cases"
	if r.Population != nil {
		of = "the " + words.Count(*r.Population, "case")
	}
	var who string
	switch {
	case n == 1:
		who = "The only audited case needed immediate attention"
	case k == n:
		who = fmt.Sprintf("All %s audited cases needed immediate attention", thousands(n))
	default:
		who = fmt.Sprintf("%s of the %s audited cases (%s) needed immediate attention", thousands(k), thousands(n), rate.Fraction(k, n, 1, rate.Nearest))
	}
	return fmt.Sprintf("%s; with %s confidence between %s and %s of %s would.", who, conf,
		pct(*r.CI.Lower, down), pct(*r.CI.Upper, up), of)
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
	// Auditors are people by the name rule: cases recorded under two
	// spellings it holds equal are one auditor's row.
	same := func(k string) string { return k }
	var allocated, recorded namekey.Spellings
	if by == ByAuditor {
		same = namekey.Key
	}
	idx := map[string]int{}
	for _, c := range cases {
		k, _ := key(c)
		k = strings.TrimSpace(k)
		if k == "" {
			k = "(blank)"
		}
		if by == ByAuditor {
			if who := o.allocated[c.ID]; who != "" {
				allocated.Add(who)
			}
			recorded.Add(k)
		}
		i, seen := idx[same(k)]
		if !seen {
			i = len(r.Breakdown)
			idx[same(k)] = i
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
	if by == ByAuditor {
		// Shown as the allocation spells her, as status and the workbooks
		// do; one the allocation does not name, as her cases most often
		// spell her.
		for i := range r.Breakdown {
			g := &r.Breakdown[i]
			if sp, ok := allocated.Of(g.Group); ok {
				g.Group = sp
			} else if sp, ok := recorded.Of(g.Group); ok {
				g.Group = sp
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

// KappaMinPairs is the fewest moderated cases a kappa is given for, an
// auditor's in the calibration and an audit's on the report's moderation
// page alike: below it kappa swings on one case and is left out, and the
// place of the number says so ([kappaWithheld]).
const KappaMinPairs = 10

// kappaWithheld is what stands where a kappa left out for too few
// moderated cases would be: short in a table's Kappa column, whose intro
// gives the rule, and whole on a line of its own.
func kappaWithheld(short bool) string {
	if short {
		return fmt.Sprintf("— (under %d)", KappaMinPairs)
	}
	return fmt.Sprintf("— (not given under %d moderated cases)", KappaMinPairs)
}

// kappaText is a kappa of the moderation as printed: three decimals, "not
// defined", or what stands for a kappa withheld for too few pairs.
func (m *Moderation) kappaText(v *float64) string {
	if m.KappaWithheld {
		return kappaWithheld(false)
	}
	return num3(v)
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
		switch {
		case len(pairs) < KappaMinPairs:
			m.KappaWithheld = true
		case ag.KappaDefined:
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
	// The interval and the test are one family (the score interval is the
	// set of differences its test does not reject), so a board never reads
	// an interval clear of zero beside "not significant", as it did with
	// Newcombe's interval beside Fisher's exact test.
	sd, err := stats.ScoreDiff(k1, n1, k2, n2, r.opts.Confidence)
	if err != nil {
		return fmt.Errorf("comparing with %q: %w", prev.Audit, err)
	}
	c := &Comparison{Previous: prev.Audit, PreviousAudited: n2, PreviousFlagged: k2,
		PreviousShare: float64(k2) / float64(n2), Share: float64(k1) / float64(n1),
		Difference: sd.Diff, DifferenceCI: [2]float64{sd.Interval.Lower, sd.Interval.Upper}, CIMethod: sd.Interval.Method,
		Test: sd.Test, P: sd.P, Significant: sd.Significant()}
	c.Sentence = comparisonSentence(c, r.Flagged, r.Audited, r.opts.Confidence)
	if prev.Retired {
		c.PreviousRetired = true
		c.Sentence += " (" + prev.Audit + " is retired: its figures are those its sealed summary keeps.)"
	}
	r.Comparison = c
	return nil
}

// diffBounds formats a comparison's interval in points, rounded outward. A
// bound of a significant change lies off 0 but may round to it at one
// decimal; it then gets more decimals (up to four), so that the printed
// interval leaves out 0 whenever the sentence calls the change significant.
func diffBounds(c *Comparison) (lo, hi string) {
	off0 := func(v float64, d int) bool { return math.Abs(v*100) >= math.Pow(10, -float64(d)) }
	d := 1
	for c.Significant && d < 4 && ((c.DifferenceCI[0] > 0 && !off0(c.DifferenceCI[0], d)) || (c.DifferenceCI[1] < 0 && !off0(c.DifferenceCI[1], d))) {
		d++
	}
	return rate.Points(c.DifferenceCI[0], d, down.rate()), rate.Points(c.DifferenceCI[1], d, up.rate())
}

// comparisonMethod says, in one sentence for the reader of a report, which
// interval and test the comparison uses and why the two always agree.
const comparisonMethod = "Miettinen–Nurminen score interval and the score test it inverts (the “N − 1” chi-squared test): " +
	"the interval holds every difference the test does not reject, so the change is called significant exactly when the interval leaves out 0."

// comparisonSentence says how the share moved, without overclaiming.
func comparisonSentence(c *Comparison, k, n int, conf float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "In %s, %s of %s audited cases (%s) needed immediate attention; in this audit %s of %s (%s). ",
		c.Previous, thousands(c.PreviousFlagged), thousands(c.PreviousAudited), pct(c.PreviousShare, nearest),
		thousands(k), thousands(n), pct(c.Share, nearest))
	lo, hi := diffBounds(c)
	diff := fmt.Sprintf("The difference, %s percentage points (%s interval %s to %s)", points(c.Difference, nearest),
		confPct(conf), lo, hi)
	level := rate.Percent(1-conf, 2, rate.Nearest) // significance follows the chosen confidence
	switch {
	case c.Significant && c.Difference < 0:
		fmt.Fprintf(&b, "%s, is a statistically significant fall at the %s level (score test, %s; the interval leaves out 0).", diff, level, pText(c.P))
	case c.Significant && c.Difference > 0:
		fmt.Fprintf(&b, "%s, is a statistically significant rise at the %s level (score test, %s; the interval leaves out 0).", diff, level, pText(c.P))
	default:
		fmt.Fprintf(&b, "%s, is not a statistically significant change at the %s level (score test, %s; the interval includes 0): it could be chance.", diff, level, pText(c.P))
	}
	return b.String()
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
