package audit

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample/profile"
)

// The factors' options are checked once for sample, profile and a
// scheduled run; each mistake names its option, which the command line
// spells as a flag and a configuration file as its key.
func TestFactorRequestProblems(t *testing.T) {
	zero := 0
	bad := FactorRequest{CaseloadTarget: &zero, ChangesAtLeast: 101,
		Timeliness: []string{"Referral Date..Assessment Completed<=45d", "Referral Date<=45d"},
		AsOf:       "31/02/2026", OpenWhen: "Case Status"}
	want := []optProblem{
		{opt.FactorsCaseloadTarget, "--caseload-target 0: give the most cases a worker should hold, a whole number from 1 (e.g. 18)",
			"factors.caseload_target 0: give the most cases a worker should hold, a whole number from 1 (e.g. 18)"},
		{opt.FactorsChangesAtLeast, "--changes-at-least 101: give a whole number from 1 to 100 (e.g. 3)",
			"factors.changes_at_least 101: give a whole number from 1 to 100 (e.g. 3)"},
		{opt.FactorsTimeliness, `--timeliness "Referral Date<=45d": name two columns separated by ..; write FROM..TO<=LIMIT, e.g. "Referral Date..Assessment Completed<=45d" (d days, wd working days, w weeks, m months)`,
			`factors.timeliness "Referral Date<=45d": name two columns separated by ..; write FROM..TO<=LIMIT, e.g. "Referral Date..Assessment Completed<=45d" (d days, wd working days, w weeks, m months)`},
		{opt.FactorsAsOf, `--as-of "31/02/2026": give a date as yyyy-mm-dd (or dd/mm/yyyy)`, `factors.as_of "31/02/2026": give a date as yyyy-mm-dd (or dd/mm/yyyy)`},
		{opt.FactorsOpenWhen, `--open-when: open rule "Case Status": no = in it; write COLUMN=VALUE`, `factors.open_when: open rule "Case Status": no = in it; write COLUMN=VALUE`},
	}
	ps := bad.Problems()
	wantOptProblems(t, ps, want)
	if _, err := bad.Spec(); err == nil || err.Error() != ps[0].Error() {
		t.Errorf("Spec gives %v, not the first problem", err)
	}
}

// A good request makes the draw's spec and the profile's alike; the
// aliases file is read from Dir and recorded as named, and one that cannot
// be read names its option.
func TestFactorRequestSpec(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "aliases.csv"), []byte("M. Patel,Mohammad Patel\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	target := 18
	r := FactorRequest{WorkerColumn: " Allocated Worker ", CaseloadTarget: &target, ChangesAtLeast: 3,
		Timeliness: []string{"Referral Date..Assessment Completed <= 45d"}, AsOf: "01/07/2026",
		OpenWhen: "Case Status = Open", WorkerAliases: "aliases.csv", Dir: dir,
		Now: time.Date(2026, 8, 3, 15, 0, 0, 0, time.UTC)}
	s, err := r.Spec()
	if err != nil {
		t.Fatal(err)
	}
	if s.WorkerColumn != "Allocated Worker" || s.CaseloadTarget != 18 || s.ChangesAtLeast != 3 || s.AsOf != "2026-07-01" ||
		len(s.Timeliness) != 1 || s.Timeliness[0] != "Referral Date..Assessment Completed<=45d" || !s.Detect {
		t.Errorf("spec %+v", s)
	}
	if c := s.Caseloads; c == nil || c.OpenWhen != "Case Status=Open" || c.WorkerAliases == nil || c.WorkerAliases.File != "aliases.csv" ||
		c.WorkerAliases.Names[profile.NameKey("M. Patel")] != "Mohammad Patel" {
		t.Errorf("caseloads %+v", s.Caseloads)
	}
	p, err := r.Profile()
	if err != nil {
		t.Fatal(err)
	}
	if p.CaseloadTarget != 18 || !p.AsOf.Equal(time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)) || p.OpenWhen != "Case Status=Open" || p.Aliases == nil {
		t.Errorf("profile %+v", p)
	}
	// No day given: the draw judges on the day of Now.
	r.AsOf = ""
	if s, _ := r.Spec(); s.AsOf != "2026-08-03" {
		t.Errorf("as of %q", s.AsOf)
	}
	r.WorkerAliases = "nothere.csv"
	_, err = r.Spec()
	if e, ok := opt.As(err); !ok || e.Option != opt.FactorsWorkerAliases {
		t.Errorf("a missing aliases file: %v", err)
	}
}

// The allocation's rules need auditors, and a team column needs their
// teams: one check, spelled for flags and keys.
func TestAllocationRulesCheck(t *testing.T) {
	for _, tc := range []struct {
		auditors    []string
		rules       AllocationRules
		flags, keys string
	}{
		{nil, AllocationRules{AuditorTeams: map[string]string{"A": "North"}}, "--auditor-team goes with --auditors", "conflicts.auditor_teams goes with auditors"},
		{nil, AllocationRules{WorkerField: "Worker"}, "--worker-column, --team-column and --auditor-team go with --auditors",
			"conflicts.worker_column, conflicts.team_column and conflicts.auditor_teams go with auditors"},
		{[]string{"A"}, AllocationRules{TeamField: "Team"}, "--team-column and --auditor-team go together: say each auditor's team",
			"conflicts.team_column and conflicts.auditor_teams go together: say each auditor's team"},
		{[]string{"A"}, AllocationRules{AuditorTeams: map[string]string{"A": "North"}}, "--team-column and --auditor-team go together: say each auditor's team",
			"conflicts.team_column and conflicts.auditor_teams go together: say each auditor's team"},
		{[]string{"A"}, AllocationRules{WorkerField: "Worker", TeamField: "Team", AuditorTeams: map[string]string{"A": "North"}}, "", ""},
		{nil, AllocationRules{}, "", ""},
	} {
		err := tc.rules.Check(tc.auditors)
		if got := opt.Spell(err, opt.Flags); got != tc.flags {
			t.Errorf("%v %+v as flags: %q, want %q", tc.auditors, tc.rules, got, tc.flags)
		}
		if got := opt.Spell(err, opt.Keys); got != tc.keys {
			t.Errorf("%v %+v as keys: %q, want %q", tc.auditors, tc.rules, got, tc.keys)
		}
	}
}
