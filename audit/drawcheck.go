package audit

import (
	"path/filepath"
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

// CheckWorkbookName refuses a name for the auditors' workbook that is not
// an .xlsx file, before anything is drawn.
func CheckWorkbookName(path string) error {
	if path != "" && !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return opt.Errorf("%s %s: the auditors' workbook is an .xlsx file; name it %s", opt.Out, path, words.WithExt(path, ".xlsx"))
	}
	return nil
}
