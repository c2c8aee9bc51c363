package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A store whose audit "2019-02 monthly" (handed out OFFICIAL-SENSITIVE) was
// retired by the previous release, whose sealed summaries kept no marking,
// beside a live audit "2026-10 monthly" handed out OFFICIAL-SENSITIVE
// (testdata/store-retired-unmarked, made with that release). The trend,
// the report and the scheduled run's report stage still show the retired
// audit; they carry the markings they know and say which they cannot,
// unless a marking is given (--marking, or marking: in run's configuration).
func TestRetiredMarkingUnknown(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("testdata", "store-retired-unmarked", "caseaudit.db"))
	if err != nil {
		t.Fatal(err)
	}
	db := filepath.Join(t.TempDir(), "caseaudit.db")
	if err := os.WriteFile(db, b, 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CASEAUDIT_NOW", "2026-12-02T09:00:00Z")
	const warn = `warning: no protective marking is kept for the retired audit "2019-02 monthly" (retired before sealed summaries kept it), so the marking shown is the other audits' alone: give --marking to mark it as that audit was too`
	code, out, errs := runCmd(t, "trend", "--db", db, "--format", "csv")
	if code != 0 || !strings.Contains(errs, warn) {
		t.Errorf("trend: exit %d, stderr:\n%s", code, errs)
	}
	if !strings.Contains(out, "\nOFFICIAL-SENSITIVE,2019-02 monthly,") || !strings.Contains(out, "\nOFFICIAL-SENSITIVE,2026-10 monthly,") {
		t.Errorf("trend csv:\n%s", out)
	}
	code, out, errs = runCmd(t, "report", "2026-10 monthly", "--db", db, "--format", "json")
	if code != 0 || !strings.Contains(errs, warn) || !strings.Contains(out, `"marking": "OFFICIAL-SENSITIVE"`) {
		t.Errorf("report: exit %d\n%s\n%s", code, errs, out)
	}
	code, out, errs = runCmd(t, "trend", "--db", db, "--marking", "OFFICIAL-SENSITIVE", "--format", "json")
	if code != 0 || strings.Contains(errs, "warning") || !strings.Contains(out, `"marking": "OFFICIAL-SENSITIVE"`) {
		t.Errorf("trend --marking: exit %d\n%s", code, errs)
	}

	// The scheduled run's report stage shows the same trend, and says the
	// same once; its configuration's marking, like --marking, covers it.
	dir := filepath.Dir(db)
	t.Setenv("CASEAUDIT_DB", "")
	t.Setenv("CASEAUDIT_NOW", "2026-10-28T18:00:00Z")
	const cfgText = `store: caseaudit.db
input: cases.csv
size: 20
seed: retired-unmarked
outputs:
  reports: ["rep-{{.Year}}-{{.Month}}.json"]
`
	cfg := filepath.Join(dir, "audit.yaml")
	if err := os.WriteFile(cfg, []byte(cfgText), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "run", cfg, "--stage", "report")
	if code != 0 || strings.Count(errs, warn) != 1 {
		t.Errorf("run --stage report: exit %d, stderr:\n%s", code, errs)
	}
	if b, err := os.ReadFile(filepath.Join(dir, "rep-2026-10.json")); err != nil || !strings.Contains(string(b), `"marking": "OFFICIAL-SENSITIVE"`) {
		t.Errorf("run's report (%v):\n%s", err, b)
	}
	marked := filepath.Join(dir, "marked.yaml")
	if err := os.WriteFile(marked, []byte(cfgText+"marking: OFFICIAL-SENSITIVE\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "run", marked, "--stage", "report")
	if code != 0 || strings.Contains(errs, "warning") {
		t.Errorf("run --stage report with a marking: exit %d, stderr:\n%s", code, errs)
	}
}
