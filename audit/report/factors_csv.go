package report

import "strings"

// factorsCSV writes the factors section as long-form rows (section,
// group, measure, value): "factors" for the recorded spec and the
// population's figures, "factor_group" per group ("KEY: LABEL"),
// "factor_test" per test ("KEY: flagged", "KEY: good_or_better").
func (r *Report) factorsCSV(put func(section, group, measure, value string)) {
	fs := r.Factors
	if fs == nil {
		return
	}
	s := fs.Spec
	put("factors", "", "worker_column", s.WorkerColumn)
	put("factors", "", "changes_column", s.ChangesColumn)
	put("factors", "", "caseload_target", inum(s.CaseloadTarget))
	put("factors", "", "changes_at_least", inum(s.ChangesAtLeast))
	put("factors", "", "timeliness", strings.Join(s.Timeliness, "; "))
	put("factors", "", "as_of", s.AsOf)
	p := fs.Population
	put("factors", "", "population_cases", inum(p.Cases))
	if r.PopulationNote != "" {
		// The factors are counted over more cases than the headline's
		// population: a reader of these rows alone is told so too.
		put("factors", "", "population_note", r.PopulationNote)
	}
	if c := p.Caseload; c != nil {
		put("factors", "", "workers", inum(c.Workers))
		put("factors", "", "allocated", inum(c.Allocated))
		put("factors", "", "unallocated", inum(c.Unallocated))
		put("factors", "", "median_caseload", fptr(c.Median))
		put("factors", "", "largest_caseload", inum(c.Max))
		put("factors", "", "above_target_workers", inum(c.AboveTargetWorkers))
		put("factors", "", "above_target_cases", inum(c.AboveTargetCases))
		if s.Caseloads != nil {
			put("factors", "", "caseloads_open_when", s.Caseloads.OpenWhen)
			put("factors", "", "caseloads_counted", inum(c.Counted))
			put("factors", "", "caseloads_of_cases", inum(c.OfCases))
			if a := s.Caseloads.WorkerAliases; a != nil {
				put("factors", "", "worker_aliases_sha256", a.SHA256)
			}
			put("factors", "", "suspected_duplicate_names", inum(c.SuspectDuplicates))
			put("factors", "", "suspected_placeholder_names", inum(c.SuspectPlaceholders))
		}
	}
	if c := p.Changes; c != nil {
		put("factors", "", "changes_counted", inum(c.Counted))
		put("factors", "", "changes_at_least_cases", inum(c.AtLeastCases))
	}
	for _, t := range p.Timeliness {
		put("factors", t.Pair, "measured", inum(t.Measured))
		put("factors", t.Pair, "within", inum(t.Within))
		put("factors", t.Pair, "late", inum(t.Late))
		put("factors", t.Pair, "not_done", inum(t.NotDone))
		put("factors", t.Pair, "overdue", inum(t.Overdue))
	}
	put("factors", "", "audited", inum(fs.Audited))
	put("factors", "", "recorded", inum(fs.Recorded))
	put("factors", "", "tests", inum(fs.Tests))
	for _, g := range fs.Groupings {
		for _, x := range g.Groups {
			grp := g.Key + ": " + x.Label
			put("factor_group", grp, "audited", inum(x.Audited))
			put("factor_group", grp, "flagged", inum(x.Flagged))
			put("factor_group", grp, "flagged_share", fptr(x.FlaggedShare))
			put("factor_group", grp, "flagged_lower", fptr(x.FlaggedLower))
			put("factor_group", grp, "flagged_upper", fptr(x.FlaggedUpper))
			put("factor_group", grp, "good_or_better", inum(x.Good))
			put("factor_group", grp, "good_or_better_share", fptr(x.GoodShare))
			put("factor_group", grp, "good_or_better_lower", fptr(x.GoodLower))
			put("factor_group", grp, "good_or_better_upper", fptr(x.GoodUpper))
		}
		put("factor_group", g.Key+": (none)", "audited", inum(g.NotGrouped))
		for _, t := range []struct {
			name string
			t    FactorTest
		}{{"flagged", g.Flagged}, {"good_or_better", g.GoodOrBetter}} {
			grp := g.Key + ": " + t.name
			put("factor_test", grp, "method", t.t.Method)
			put("factor_test", grp, "statistic", fptr(t.t.Statistic))
			put("factor_test", grp, "p", fptr(t.t.P))
			put("factor_test", grp, "p_holm", fptr(t.t.PHolm))
			put("factor_test", grp, "tested_groups", strings.Join(t.t.Tested, "; "))
			put("factor_test", grp, "left_out_groups", strings.Join(t.t.LeftOut, "; "))
			put("factor_test", grp, "small_groups", strings.Join(t.t.Small, "; "))
			put("factor_test", grp, "verdict", t.t.Verdict)
			put("factor_test", grp, "sentence", t.t.Sentence)
		}
	}
	for _, n := range fs.Notes {
		put("factors", "", "note", n)
	}
}
