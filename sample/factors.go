package sample

import (
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Factors recorded with a sample: the pressures behind an audit (a case's
// worker's caseload, its changes of worker, the timeliness of its
// assessment), measured on the very export the sample is drawn from, in the
// same read, and kept in the provenance, so that an analysis of the
// findings by factor needs no export later and the values re-derive with
// the sample.
//
// Package sample defines what is recorded (these types) and when it is
// measured (Load's RowObserver, Draw, Rederive, Compare); how it is
// measured is a FactorRecorder's business: sample/profile's Recorder, the
// same code as `caseaudit profile`. (sample/profile imports sample, so
// sample cannot call it: the recorder is handed in.)

// FactorSpec says which factors a draw records. In a provenance every
// column is named as the export's header spells it, and "" means the export
// had none (so none is looked for when re-deriving).
type FactorSpec struct {
	WorkerColumn  string `json:"worker_column"`  // the allocated worker: caseloads
	ChangesColumn string `json:"changes_column"` // a count of workers or changes of worker per case
	TeamColumn    string `json:"team_column"`    // the team, for the population's timeliness by team
	// CaseloadTarget is the most cases a worker should hold (0: none).
	CaseloadTarget int `json:"caseload_target"`
	// ChangesAtLeast is the count from which a child has many workers (3).
	ChangesAtLeast int `json:"changes_at_least"`
	// Timeliness are the date pairs with their limits, as
	// "Referral Date..Assessment Completed<=45d" (profile.ParseTimeliness).
	Timeliness []string `json:"timeliness"`
	// AsOf is the day (yyyy-mm-dd) a pair not done yet is judged overdue on:
	// the day the sample was drawn, unless given. "" judges none overdue.
	AsOf string `json:"as_of"`
	// Caseloads says how a caseload was counted; nil in a provenance
	// recorded before caseaudit said so, whose caseloads counted the
	// population's cases (after the filters), every case open, names
	// compared ignoring case and spaces only: such a sample re-derives
	// that way. When drawing, nil counts as the zero rule.
	Caseloads *CaseloadRule `json:"caseloads,omitempty"`

	// Detect, when drawing, looks for a column left "" among the known
	// names (as `caseaudit profile` does); the provenance then names the
	// column found, or "" for none. Never set when re-deriving.
	Detect bool `json:"-"`
}

// CaseloadRule is how caseloads are counted.
type CaseloadRule struct {
	// Over is "export": a worker's caseload is counted over every
	// distinct case of the export, before the filters, strata and the
	// exclusion of recently audited cases (their whole caseload, whatever
	// part of it is sampled).
	Over string `json:"over"`
	// OpenWhen says which cases are open, as profile.ParseOpenRule reads
	// it ("Case Status=Open"): a caseload counts only those. When drawing,
	// "" looks for a status column by name and, when its values say
	// closed, records the rule read ("Case Status!=Closed"); recorded, ""
	// means every case counted.
	OpenWhen string `json:"open_when"`
	// WorkerAliases maps worker names to the person each is; nil for none.
	WorkerAliases *WorkerAliases `json:"worker_aliases"`
}

// CaseloadsOverExport is CaseloadRule.Over.
const CaseloadsOverExport = "export"

// WorkerAliases is a worker-aliases file as recorded: its SHA-256, and its
// names, so that the sample re-derives without the file.
type WorkerAliases struct {
	File   string `json:"file"` // as given
	SHA256 string `json:"sha256"`
	// Names maps a name, as profile.NameKey compares names, to the person.
	Names map[string]string `json:"names"`
}

// Factors are the factors recorded with a sample: what was measured, the
// population's figures and each sampled case's values.
type Factors struct {
	Spec FactorSpec `json:"spec"`
	// Population is the figures over the population profiled: the distinct
	// case IDs matching the filters (exclusions do not apply), except
	// caseloads, counted over the whole export (see CaseloadRule; a
	// provenance without one counted them over the population).
	Population FactorSummary `json:"population"`
	// Cases holds each sampled case's values, by case ID: the cases of the
	// first draw. (An audit's later growth records its cases' values in its
	// trail: see audit.Store.CaseFactors.)
	Cases map[string]CaseFactors `json:"cases"`
}

// CaseFactors are one sampled case's factor values.
type CaseFactors struct {
	// Caseload is the number of cases its worker holds in the population;
	// nil when the case has no allocated worker (blank, "Unallocated" …) or
	// the export no worker column.
	Caseload *int `json:"caseload"`
	// Changes is the case's count in the changes column; nil when the
	// export has none or the cell is blank or not a whole number.
	Changes *int `json:"changes"`
	// ChangesOrMore says the cell was an open top group ("3+", "more than
	// 2"): Changes or more.
	ChangesOrMore bool `json:"changes_or_more,omitempty"`
	// Timeliness is the case's standing on each pair of Spec.Timeliness, in
	// order: one of the Timeliness* codes.
	Timeliness []string `json:"timeliness"`
}

// A case's standing on a timeliness pair.
const (
	TimelinessWithin     = "within"      // the second date within the limit after the first
	TimelinessLate       = "late"        // the second date past the limit
	TimelinessNotDone    = "not_done"    // no second date, and the limit not passed on AsOf
	TimelinessOverdue    = "overdue"     // no second date, and the limit passed on AsOf
	TimelinessNoStart    = "no_start"    // no first date: not measured
	TimelinessUnreadable = "unreadable"  // a date that cannot be read: not measured
	TimelinessNegative   = "ends_before" // the second date before the first: not measured
)

// FactorSummary is the population's figures: enough to say "19 of the 160
// workers (12%) hold more than the target of 18 cases" beside the findings.
// The full figures are `caseaudit profile`'s.
type FactorSummary struct {
	Cases      int                 `json:"cases"`
	Caseload   *CaseloadSummary    `json:"caseload"`   // nil without a worker column
	Changes    *ChangesSummary     `json:"changes"`    // nil without a changes column
	Timeliness []TimelinessSummary `json:"timeliness"` // one per pair, in order
}

// CaseloadSummary is the population's caseloads.
type CaseloadSummary struct {
	Allocated   int      `json:"allocated"`   // cases naming a worker
	Unallocated int      `json:"unallocated"` // cases with none
	Workers     int      `json:"workers"`     // distinct workers
	Median      *float64 `json:"median"`      // median caseload; nil without workers
	Max         int      `json:"max"`
	// AboveTargetWorkers hold more than the target; AboveTargetCases is
	// the cases they hold (both 0 without a target).
	AboveTargetWorkers int `json:"above_target_workers"`
	AboveTargetCases   int `json:"above_target_cases"`
	// Counted is the cases the caseloads counted (Allocated +
	// Unallocated: the open ones when Spec.Caseloads.OpenWhen is set) of
	// OfCases, every distinct case of the export; Closed the others. All 0
	// in a provenance without Spec.Caseloads.
	Counted int `json:"counted"`
	OfCases int `json:"of_cases"`
	Closed  int `json:"closed"`
	// SuspectDuplicates and SuspectPlaceholders count the worker names to
	// confirm: one that may be another's ("M. Patel", "Mohammad Patel"),
	// one that reads like a placeholder ("Social worker leaving").
	SuspectDuplicates   int `json:"suspected_duplicates"`
	SuspectPlaceholders int `json:"suspected_placeholders"`
	// StatusColumn and StatusValues are the column the open rule reads and
	// its values (the most frequent 50), for the user to confirm; "" and
	// nil without a rule.
	StatusColumn string        `json:"status_column,omitempty"`
	StatusValues []StatusValue `json:"status_values,omitempty"`
}

// StatusValue is one value of a status column and the cases holding it.
type StatusValue struct {
	Value string `json:"value"` // as first written, trimmed; "(blank)" for blank
	Cases int    `json:"cases"`
	Open  bool   `json:"open"` // whether the rule reads it as open
}

// CountedText says what a caseload counted: "open cases over the whole
// export: 2,850 of 3,000 cases" ("" for a provenance that did not say).
func (f *Factors) CountedText() string {
	c := f.Population.Caseload
	r := f.Spec.Caseloads
	if c == nil || r == nil {
		return ""
	}
	return CountedText(r.OpenWhen, c.Counted, c.OfCases)
}

// CountedText says what a caseload counted under an open rule ("" for
// none): counted of the export's of cases.
func CountedText(openWhen string, counted, of int) string {
	if openWhen == "" {
		return fmt.Sprintf("every case over the whole export: %s cases", words.Thousands(of))
	}
	return fmt.Sprintf("open cases over the whole export (%s): %s of %s cases", openWhen, words.Thousands(counted), words.Thousands(of))
}

// ChangesSummary is the population's changes of worker.
type ChangesSummary struct {
	Counted      int `json:"counted"`        // cases with a whole number
	AtLeastCases int `json:"at_least_cases"` // of them, ChangesAtLeast or more
}

// TimelinessSummary is one pair over the population.
type TimelinessSummary struct {
	Pair     string `json:"pair"`     // as in FactorSpec.Timeliness
	Measured int    `json:"measured"` // Within + Late + NotDone
	Within   int    `json:"within"`
	Late     int    `json:"late"`
	NotDone  int    `json:"not_done"` // no second date yet (overdue or not)
	Overdue  int    `json:"overdue"`  // of NotDone, those past the limit on AsOf
}

// RowObserver is shown the rows of an export as Load reads them (see
// LoadOptions.Observer).
type RowObserver interface {
	// Columns are the header indexes whose cells Row is given, in order.
	Columns() []int
	// Row is called for every data row holding a case ID, in row order
	// (blank and footer rows are not shown): its number, its ID (trimmed),
	// whether it meets the filters, and its cells of Columns. Duplicate IDs
	// are shown too: a case is judged on its first row. The strings stay
	// valid; the slice holding them does not.
	Row(num int, id string, match bool, cells []string)
	// Done is called once the rows are read, or reading stopped on an
	// error: no Row follows. An observer that counts rows as they come
	// (on a goroutine of its own, say) finishes counting before it
	// returns.
	Done()
	// Duplicate is called once every row is read, for each row whose
	// case ID (trimmed) appeared on an earlier row, so that an observer
	// counting cases needs no set of the IDs of its own.
	Duplicate(num int)
}

// FactorRecorder measures factors while a draw reads its export: Draw
// calls Start once the export is open, shows it every row (RowObserver),
// and gives Record the sampled cases with the cells of its columns
// (Case.Observed). A recorder serves one draw. sample/profile's Recorder is
// the one caseaudit uses.
type FactorRecorder interface {
	RowObserver
	// Start resolves the columns in the export's header.
	Start(t *export.Table) error
	// Record returns the factors: the spec as resolved, the population's
	// figures and each of the cases' values.
	Record(cases []Selected) (*Factors, error)
}

// Describe says in words which factors are recorded, for the Method sheet.
func (f *Factors) Describe() string {
	if f == nil {
		return "none"
	}
	s := f.Spec
	var parts []string
	if s.WorkerColumn != "" {
		c := fmt.Sprintf("caseload (%s", s.WorkerColumn)
		if s.CaseloadTarget > 0 {
			c += fmt.Sprintf(", target %d", s.CaseloadTarget)
		}
		if r := s.Caseloads; r != nil {
			if r.OpenWhen != "" {
				c += ", open cases (" + r.OpenWhen + ") over the whole export"
			} else {
				c += ", every case over the whole export"
			}
			if a := r.WorkerAliases; a != nil {
				c += fmt.Sprintf(", names mapped by %s (SHA-256 %s)", a.File, a.SHA256)
			}
		}
		parts = append(parts, c+")")
	}
	if s.ChangesColumn != "" {
		parts = append(parts, fmt.Sprintf("changes of worker (%s, %d or more counted as many)", s.ChangesColumn, s.ChangesAtLeast))
	}
	for _, t := range s.Timeliness {
		parts = append(parts, "timeliness ("+t+")")
	}
	out := strings.Join(parts, "; ")
	if len(s.Timeliness) > 0 && s.AsOf != "" {
		out += "; overdue judged on " + s.AsOf
	}
	if out == "" {
		return "none found"
	}
	return out
}

// normalise gives nil slices and maps their empty values.
func (f *Factors) normalise() {
	if f == nil {
		return
	}
	if f.Spec.Timeliness == nil {
		f.Spec.Timeliness = []string{}
	}
	if f.Population.Timeliness == nil {
		f.Population.Timeliness = []TimelinessSummary{}
	}
	if f.Cases == nil {
		f.Cases = map[string]CaseFactors{}
	}
	for id, c := range f.Cases {
		if c.Timeliness == nil {
			c.Timeliness = []string{}
			f.Cases[id] = c
		}
	}
}

// FactorChange is a recorded factor value that differs when re-derived:
// of a sampled case (ID), or of the population (ID "").
type FactorChange struct {
	ID       string `json:"id,omitempty"`
	Factor   string `json:"factor"`
	Recorded string `json:"recorded"`
	Now      string `json:"now"`
}

// compareFactors lists the differences between recorded factors (rec,
// whose Cases may hold grown cases too) and re-derived ones, for the
// recorded cases that are re-derived.
func compareFactors(rec, now *Factors, recorded []Selected, got map[string]Selected) []FactorChange {
	var out []FactorChange
	if rec == nil {
		return nil
	}
	if now == nil {
		return []FactorChange{{Factor: "factors", Recorded: "recorded", Now: "not re-derived"}}
	}
	pop := func(factor, a, b string) {
		if a != b {
			out = append(out, FactorChange{Factor: factor, Recorded: a, Now: b})
		}
	}
	pop("number of cases profiled", fmt.Sprint(rec.Population.Cases), fmt.Sprint(now.Population.Cases))
	pop("caseloads", caseloadText(rec.Population.Caseload), caseloadText(now.Population.Caseload))
	pop("changes of worker", changesText(rec.Population.Changes), changesText(now.Population.Changes))
	for i := range max(len(rec.Population.Timeliness), len(now.Population.Timeliness)) {
		var a, b string
		if i < len(rec.Population.Timeliness) {
			a = timelinessText(rec.Population.Timeliness[i])
		}
		if i < len(now.Population.Timeliness) {
			b = timelinessText(now.Population.Timeliness[i])
		}
		pop("timeliness", a, b)
	}
	for _, r := range recorded {
		if _, ok := got[r.ID]; !ok {
			continue // not re-derived: a difference of the sample itself
		}
		was, ok := rec.Cases[r.ID]
		if !ok {
			continue // no values recorded (grown by a caseaudit without factors)
		}
		is := now.Cases[r.ID]
		add := func(factor, a, b string) {
			if a != b {
				out = append(out, FactorChange{ID: r.ID, Factor: factor, Recorded: a, Now: b})
			}
		}
		add("caseload", intText(was.Caseload), intText(is.Caseload))
		add("changes of worker", intText(was.Changes), intText(is.Changes))
		for i := range max(len(was.Timeliness), len(is.Timeliness)) {
			name := "timeliness"
			if i < len(rec.Spec.Timeliness) {
				name = "timeliness " + rec.Spec.Timeliness[i]
			}
			add(name, at(was.Timeliness, i), at(is.Timeliness, i))
		}
	}
	return out
}

func at(s []string, i int) string {
	if i < len(s) {
		return s[i]
	}
	return "(none)"
}

func intText(v *int) string {
	if v == nil {
		return "(none)"
	}
	return fmt.Sprint(*v)
}

func caseloadText(c *CaseloadSummary) string {
	if c == nil {
		return "(none)"
	}
	med := "-"
	if c.Median != nil {
		med = fmt.Sprint(*c.Median)
	}
	s := fmt.Sprintf("%d allocated, %d unallocated, %d workers, median %s, largest %d, %d above the target holding %d",
		c.Allocated, c.Unallocated, c.Workers, med, c.Max, c.AboveTargetWorkers, c.AboveTargetCases)
	if c.OfCases > 0 {
		s += fmt.Sprintf("; %d of %d cases counted", c.Counted, c.OfCases)
	}
	return s
}

func changesText(c *ChangesSummary) string {
	if c == nil {
		return "(none)"
	}
	return fmt.Sprintf("%d counted, %d at or above the threshold", c.Counted, c.AtLeastCases)
}

func timelinessText(t TimelinessSummary) string {
	return fmt.Sprintf("%s: %d measured, %d within, %d late, %d not done, %d overdue", t.Pair, t.Measured, t.Within, t.Late, t.NotDone, t.Overdue)
}
