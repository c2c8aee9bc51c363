package audit

import (
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// The use cases that start an audit — draw a sample and record it, grow it
// — as library functions: the command line, a scheduled run and the demo
// call these, never one another.

// DrawRequest is the use case "draw and record": draw a sample from an
// export and, when Name is given, record it as an audit with its form,
// follow-up rule and allocation, in one transaction.
type DrawRequest struct {
	Spec sample.Spec // how to draw (the seed is required)
	Name string      // record the sample as this audit; "" draws only
	// Period is the month the audit covers (yyyy-mm); "" means the month of
	// Spec.Now.
	Period string
	// ExcludeWithin leaves out cases sampled in any audit of the store
	// whose period is within this span ("12m") before the period drawn
	// (Period, else the month of Spec.Now): counted from the period, a run
	// for last month a few days into this one excludes by the right
	// window. "" for none.
	ExcludeWithin string
	// ExcludeIDs leaves out these case IDs too (for instance those a
	// provenance lists, to re-derive its sample); ExcludeSource says where
	// they come from, for the rule recorded with them ("excluded.txt").
	ExcludeIDs    []string
	ExcludeSource string
	Form          *Form
	FollowUp      OwnerRule
	// Auditors, when given, share the recorded cases out under Rules.
	Auditors []string
	Rules    AllocationRules
	// Factors, when set, records the factors behind the findings in the
	// same read of the export (caseloads, changes of worker, timeliness:
	// see sample.Factors), in the provenance. Columns left "" are detected.
	Factors *sample.FactorSpec
	// Handout is how the audit's workbooks are handed out (marking,
	// contact, return date), kept with the audit for every workbook
	// written later.
	Handout Handout
}

// DrawResult is a drawn (and perhaps recorded) sample. Close it.
type DrawResult struct {
	*sample.Drawn
	Audit      *Audit      // nil when not recorded
	Allocation *Allocation // nil when not allocated
}

// Check reports the first mistake in a request that needs no file and no
// store (see Problems).
func (r *DrawRequest) Check() error {
	if ps := r.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// resolveFollowUp names the follow-up rule's column as the export spells
// it; team managers without a column take the team column.
func resolveFollowUp(d *sample.Drawn, r OwnerRule) (OwnerRule, error) {
	if r.Column == "" {
		if len(r.TeamManagers) == 0 {
			return r, nil
		}
		if c := sample.FindColumn(d.Table, sample.DefaultColumns[0]...); c != "" {
			r.Column = c
			return r, nil
		}
		return r, opt.Errorf("team managers need %s naming the team column of the export", opt.OwnerColumn)
	}
	i, err := d.Table.ColumnIndex(r.Column)
	if err != nil {
		return r, opt.Errorf("%s: %w", opt.OwnerColumn, err)
	}
	r.Column = d.Table.Header[i]
	return r, nil
}

// checkFormLabels refuses a form whose question is labelled like a column
// of the sample: the workbook's columns would be ambiguous.
func checkFormLabels(f *Form, d *sample.Drawn) error {
	shown := append([]string{ColOrder, ColCaseID}, d.Population.Fields...)
	if d.Population.Strata != "" {
		shown = append(shown, d.Population.Strata)
	}
	for _, q := range f.Questions {
		for _, c := range shown {
			if strings.EqualFold(strings.TrimSpace(c), q.Label) {
				return fmt.Errorf("the form's question %q is labelled %q like the column %q of the sample; rename the question in the form", q.Key, q.Label, c)
			}
		}
	}
	return nil
}

// GrowRequest is the use case "grow": add the next cases in selection
// order to a recorded audit's sample, drawn again from the same export.
type GrowRequest struct {
	Name   string
	By     int    // cases to add
	Export string // the export; "" finds the recorded one (see LocateExport)
	// Auditors, when given, allocate the audit's cases again (recorded
	// cases keep their auditor).
	Auditors []string
	Rules    AllocationRules
	Progress func(rows int)
	// Also names the options of a draw the caller was given besides
	// (a face with one set of options for drawing and growing, as
	// sample's flags): Check refuses those a grown audit cannot take.
	Also []opt.Name
}

// GrowResult is a grown audit.
type GrowResult struct {
	*sample.Drawn               // the draw at the new size; close it
	Audit         *Audit        // the audit
	Added         []SampledCase // the cases added, in order
	Cases         []SampledCase // every case now in the sample
	Allocation    *Allocation   // nil when not allocated
}

// theExport finds the export an audit was drawn from (see LocateExport) and
// checks that it is that very file, by its SHA-256; why ends the refusal of
// another file.
func theExport(a *Audit, export, why string) (path, sum string, err error) {
	path, _, err = LocateExport(a, export)
	if err != nil {
		return "", "", err
	}
	sum, err = sample.FileSHA256(path)
	if err != nil {
		return "", "", err
	}
	if sum != a.Provenance.Export.SHA256 {
		return "", "", fmt.Errorf("%s is not the export audit %q was drawn from (its SHA-256 differs); %s", path, a.Name, why)
	}
	return path, sum, nil
}

// Problems lists the mistakes in a request that need no file and no store:
// how to draw (size, allocation, strata, filters), how to read the export,
// the exclusion period, the month, the follow-up rule, and what only a
// recorded audit keeps. Each names its option as data (opt.Error), so the
// command line and a configuration file check a request alike and each
// points at its own flag or key.
func (r *DrawRequest) Problems() []error {
	var ps []error
	add := func(err error) {
		if err != nil {
			ps = append(ps, err)
		}
	}
	add(r.Spec.Open.Check())
	ps = append(ps, r.Spec.Problems()...)
	if r.ExcludeWithin != "" {
		if _, err := ParseWithin(r.ExcludeWithin); err != nil {
			add(opt.Errorf("%s: %w", opt.Exclude, err))
		}
	}
	if r.Period != "" {
		if _, err := time.Parse("2006-01", r.Period); err != nil {
			add(opt.Errorf("%s %q: write the month as YYYY-MM, e.g. 2026-06", opt.Period, r.Period))
		}
	}
	add(r.Rules.Check(r.Auditors))
	if r.FollowUp.DueDays < 0 {
		add(opt.Errorf("%s must be a positive number of working days", opt.DueDays))
	}
	if r.Name == "" {
		// What only a recorded audit keeps.
		if len(r.Auditors) > 0 {
			add(opt.Errorf("%s needs %s NAME: allocations are kept in the store", opt.Auditors, opt.Audit))
		}
		if r.FollowUp.Column != "" || len(r.FollowUp.TeamManagers) > 0 || r.FollowUp.DueDays != 0 || r.Period != "" {
			add(opt.Errorf("%s, %s, %s and %s go with %s NAME: they are kept with the audit", opt.OwnerColumn, opt.TeamManagers, opt.DueDays, opt.Period, opt.Audit))
		}
		if r.Form != nil {
			add(opt.Errorf("%s goes with %s NAME: the form is kept with the audit", opt.Form, opt.Audit))
		}
		if !r.Handout.IsZero() {
			add(opt.Errorf("%s, %s and %s go with %s NAME: they are kept with the audit for every workbook written later", opt.Marking, opt.Contact, opt.ReturnBy, opt.Audit))
		}
	}
	return ps
}

// recordedOnce are the options an audit keeps from the draw that recorded
// it: a grown audit takes none of them again.
var recordedOnce = []opt.Name{opt.Form, opt.OwnerColumn, opt.TeamManagers, opt.DueDays, opt.Period, opt.ExcludeIDs, opt.Exclude}

// factorOptions are the options of the factors recorded with a sample.
var factorOptions = []opt.Name{opt.Factors, opt.FactorsWorkerColumn, opt.FactorsChangesColumn, opt.FactorsTeamColumn,
	opt.FactorsCaseloadTarget, opt.FactorsChangesAtLeast, opt.FactorsTimeliness, opt.FactorsAsOf,
	opt.FactorsOpenWhen, opt.FactorsWorkerAliases}

// Problems lists the mistakes in a request to grow that need no file and
// no store: how many cases, which audit, the allocation's rules, and any
// option of a draw given besides (Also) that a recorded audit does not
// take again. Each names its option as data (opt.Error).
func (r GrowRequest) Problems() []error {
	var ps []error
	if r.By <= 0 {
		ps = append(ps, opt.Errorf("%s must be a positive number (the cases to add)", opt.Grow))
	}
	if strings.TrimSpace(r.Name) == "" {
		ps = append(ps, opt.Errorf("%s needs %s NAME: the recorded audit whose sample grows", opt.Grow, opt.Audit))
	}
	also := func(names []opt.Name) []any {
		var out []any
		for _, n := range names {
			if slices.Contains(r.Also, n) {
				out = append(out, n)
			}
		}
		return out
	}
	if len(also([]opt.Name{opt.Size, opt.Percent})) > 0 {
		ps = append(ps, opt.Errorf("%s adds to a recorded sample; leave out %s and %s", opt.Grow, opt.Size, opt.Percent))
	}
	if len(also(recordedOnce)) > 0 {
		ps = append(ps, opt.Errorf("%s, %s, %s, %s, %s, %s and %s are set when the audit is recorded; they never change",
			opt.Form, opt.OwnerColumn, opt.TeamManagers, opt.DueDays, opt.Period, opt.ExcludeIDs, opt.Exclude))
	}
	if fs := also(factorOptions); len(fs) > 0 {
		err := opt.Errorf("%s: the factors are set when the audit is recorded; a grown audit measures its new cases' factors as its first draw did",
			opt.Sprintf(strings.Repeat("%s, ", len(fs)-1)+"%s", fs...))
		err.(*opt.Error).Option = fs[0].(opt.Name) // the first given, for a face to point at
		ps = append(ps, err)
	}
	if err := r.Rules.Check(r.Auditors); err != nil {
		ps = append(ps, err)
	}
	return ps
}

// Check reports the first mistake in a request to grow that needs no file
// and no store (see Problems).
func (r GrowRequest) Check() error {
	if ps := r.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// CheckWorkbookName refuses a name for the auditors' workbook that is not
// an .xlsx file, before anything is drawn.
func CheckWorkbookName(path string) error {
	if path != "" && !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return opt.Errorf("%s %s: the auditors' workbook is an .xlsx file; name it %s", opt.Out, path, words.WithExt(path, ".xlsx"))
	}
	return nil
}

// periodStart is the first day of the period the draw covers (UTC).
func (r DrawRequest) periodStart() time.Time {
	if t, err := time.Parse("2006-01", r.Period); err == nil {
		return t
	}
	n := r.Spec.Now.UTC()
	return time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, time.UTC)
}
