package audit

import (
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

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
