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
// (testdata/store-retired-unmarked, made with that release). The trend
// and the report still show the retired audit; they carry the markings
// they know and say which they cannot, unless --marking is given.
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
}
