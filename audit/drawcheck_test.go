package audit

import (
	"context"
	"errors"
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Every mistake a request can carry is found without a file or a store, and
// names its option as data: the command line and a configuration file
// check the same request and point at their own flag or key.
func TestDrawRequestProblems(t *testing.T) {
	ok := DrawRequest{Spec: sample.Spec{Export: "x.csv", Size: 10}, Name: "2026-07 monthly", Period: "2026-07",
		FollowUp: OwnerRule{DueDays: 5}, Auditors: []string{"A. Khan"}}
	if ps := ok.Problems(); len(ps) != 0 {
		t.Fatalf("a good request has problems: %v", ps)
	}
	if err := ok.Check(); err != nil {
		t.Fatal(err)
	}
	bad := DrawRequest{
		Spec: sample.Spec{Export: "x.csv", Size: 10, Allocation: "random",
			Open: export.OpenOptions{HeaderRow: -1}},
		Period: "July", ExcludeWithin: "a year", FollowUp: OwnerRule{DueDays: -1}, Auditors: []string{"A. Khan"},
	}
	want := []struct {
		option opt.Name
		msg    string
	}{
		{opt.HeaderRow, "header_row must be a row number from 1"},
		{opt.Allocation, `allocation "random": use proportional or equal`},
		{opt.Exclude, "exclude_audited_within: "},
		{opt.Period, `period "July": write the month as YYYY-MM, e.g. 2026-06`},
		{opt.DueDays, "follow_up.due_days must be a positive number of working days"},
		{opt.Auditors, "auditors needs audit_name NAME: allocations are kept in the store"},
		{opt.OwnerColumn, "follow_up.owner_column, follow_up.team_managers, follow_up.due_days and period go with audit_name NAME"},
	}
	ps := bad.Problems()
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		var e *opt.Error
		if !errors.As(ps[i], &e) || e.Option != w.option {
			t.Errorf("problem %d (%v) does not name %s", i, ps[i], w.option)
		}
		if got := ps[i].Error(); len(got) < len(w.msg) || got[:len(w.msg)] != w.msg {
			t.Errorf("problem %d: %q, want %q…", i, got, w.msg)
		}
	}
	if err := bad.Check(); err == nil || err.Error() != ps[0].Error() {
		t.Errorf("Check gives %v, not the first problem", err)
	}
	if got := opt.Spell(ps[4], opt.Flags); got != "--due must be a positive number of working days" {
		t.Errorf("as a flag: %q", got)
	}
	if got := opt.Spell(ps[6], opt.Flags); got != "--owner-column, --team-manager, --due and --period go with --audit NAME: they are kept with the audit" {
		t.Errorf("as flags: %q", got)
	}
	// A form and the workbook's handout are kept with a recorded audit too.
	draw := DrawRequest{Spec: sample.Spec{Export: "x.csv", Size: 10}, Form: DefaultForm(), Handout: Handout{Marking: "OFFICIAL"}}
	ps = draw.Problems()
	if len(ps) != 2 || opt.Spell(ps[0], opt.Flags) != "--form goes with --audit NAME: the form is kept with the audit" ||
		opt.Spell(ps[1], opt.Flags) != "--marking, --contact and --return-by go with --audit NAME: they are kept with the audit for every workbook written later" {
		t.Errorf("form and handout without a name: %v", ps)
	}
}

func TestCheckWorkbookName(t *testing.T) {
	for _, ok := range []string{"", "audit.xlsx", "out/July.XLSX"} {
		if err := CheckWorkbookName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	err := CheckWorkbookName("audit.csv")
	if err == nil {
		t.Fatal("a .csv workbook is accepted")
	}
	if got, want := opt.Spell(err, opt.Flags), "--out audit.csv: the auditors' workbook is an .xlsx file; name it audit.xlsx"; got != want {
		t.Errorf("flags: %q, want %q", got, want)
	}
	if got, want := err.Error(), "outputs.workbook audit.csv: the auditors' workbook is an .xlsx file; name it audit.xlsx"; got != want {
		t.Errorf("Error(): %q, want %q", got, want)
	}
}

// A library caller reads a clean message naming the option by its key; the
// command line spells it as its flag.
func TestGrowMessageIsClean(t *testing.T) {
	_, err := Grow(context.Background(), nil, GrowRequest{Name: "2026-07 monthly"})
	if err == nil || err.Error() != "grow must be a positive number (the cases to add)" {
		t.Fatalf("Grow: %q", err)
	}
	if got := opt.Spell(err, opt.Flags); got != "--grow must be a positive number (the cases to add)" {
		t.Errorf("flags: %q", got)
	}
	if e, ok := opt.As(err); !ok || e.Option != opt.Grow {
		t.Errorf("the error does not name its option: %#v", err)
	}
}

// What a grown audit needs, and the options of a draw it refuses (those the
// audit keeps from its first draw), are the library's rules: a face only
// says which options it was given besides.
func TestGrowRequestProblems(t *testing.T) {
	ok := GrowRequest{Name: "2026-07 monthly", By: 5, Auditors: []string{"A. Khan"}}
	if ps := ok.Problems(); len(ps) != 0 {
		t.Fatalf("a good request has problems: %v", ps)
	}
	bad := GrowRequest{Rules: AllocationRules{AuditorTeams: map[string]string{"A. Khan": "North"}},
		Also: []opt.Name{opt.Percent, opt.DueDays, opt.ExcludeIDs, opt.FactorsTimeliness, opt.Factors, opt.FactorsAsOf}}
	want := []optProblem{
		{opt.Grow, "--grow must be a positive number (the cases to add)", "grow must be a positive number (the cases to add)"},
		{opt.Grow, "--grow needs --audit NAME: the recorded audit whose sample grows", "grow needs audit_name NAME: the recorded audit whose sample grows"},
		{opt.Grow, "--grow adds to a recorded sample; leave out --size and --percent", "grow adds to a recorded sample; leave out size and percent"},
		{opt.Form, "--form, --owner-column, --team-manager, --due, --period, --exclude and --exclude-audited-within are set when the audit is recorded; they never change",
			"form, follow_up.owner_column, follow_up.team_managers, follow_up.due_days, period, exclude and exclude_audited_within are set when the audit is recorded; they never change"},
		{opt.Factors, "--factors, --timeliness, --as-of: the factors are set when the audit is recorded; a grown audit measures its new cases' factors as its first draw did",
			"factors, factors.timeliness, factors.as_of: the factors are set when the audit is recorded; a grown audit measures its new cases' factors as its first draw did"},
		{opt.AuditorTeams, "--auditor-team goes with --auditors", "conflicts.auditor_teams goes with auditors"},
	}
	ps := bad.Problems()
	wantOptProblems(t, ps, want)
	for i, w := range want { // whole messages, nothing after
		if got := ps[i].Error(); got != w.keys {
			t.Errorf("problem %d: %q, want %q", i, got, w.keys)
		}
	}
	if err := bad.Check(); err == nil || err.Error() != ps[0].Error() {
		t.Errorf("Check gives %v, not the first problem", err)
	}
}
