package audit

import (
	"path/filepath"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
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
	if r.Name == "" && (len(r.Auditors) > 0 || r.Form != nil || r.FollowUp.Column != "" || len(r.FollowUp.TeamManagers) > 0 || r.Period != "" || !r.Handout.IsZero()) {
		add(opt.Errorf("allocation, forms, follow-up rules and periods are kept with a recorded audit: give %s", opt.Audit))
	}
	return ps
}

// CheckWorkbookName refuses a name for the auditors' workbook that is not
// an .xlsx file, before anything is drawn.
func CheckWorkbookName(path string) error {
	if path != "" && !strings.EqualFold(filepath.Ext(path), ".xlsx") {
		return opt.Errorf("%s %s: the auditors' workbook is an .xlsx file; name it …xlsx", opt.Out, path)
	}
	return nil
}
