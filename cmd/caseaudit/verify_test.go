package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// TestVerifyGrownSample: a grown audit re-derives from its export in one
// read (the initial sample and the grown one), and an export missing one of
// the added cases fails on the grown sample and the population, not on the
// initial sample.
func TestVerifyGrownSample(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 2000, Seed: 9})
	db := filepath.Join(t.TempDir(), "caseaudit.db")
	if code, _, errs := runCmd(t, "--db", db, "sample", csv, "--size", "30", "--seed", "v", "--audit", "A", "-q"); code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	code, added, errs := runCmd(t, "--db", db, "sample", csv, "--audit", "A", "--grow", "5", "--format", "ids", "-q")
	if code != 0 {
		t.Fatalf("grow: exit %d: %s", code, errs)
	}
	if code, out, errs := runCmd(t, "--db", db, "verify", "A", "--input", csv); code != 0 || !strings.Contains(out, "identical") {
		t.Fatalf("verify: exit %d: %s%s", code, out, errs)
	}

	// The same export without the row of the first added case.
	gone := strings.Fields(added)[0]
	data, err := os.ReadFile(csv)
	if err != nil {
		t.Fatal(err)
	}
	var kept []string
	for _, line := range strings.SplitAfter(string(data), "\n") {
		if !strings.HasPrefix(line, gone+",") {
			kept = append(kept, line)
		}
	}
	edited := filepath.Join(t.TempDir(), "edited.csv")
	if err := os.WriteFile(edited, []byte(strings.Join(kept, "")), 0o600); err != nil {
		t.Fatal(err)
	}
	code, out, _ := runCmd(t, "--db", db, "verify", "A", "--input", edited)
	if code != exitVerify {
		t.Fatalf("verify against an edited export: exit %d, want %d: %s", code, exitVerify, out)
	}
	for _, want := range []string{"case " + gone + " (number 31 of the recorded sample) is not re-derived: it is no longer in the export",
		"the population is 1,999 cases when re-derived but 2,000 were recorded", "sample: re-derived from " + edited + " with seed v: DIFFERS"} {
		if !strings.Contains(out, want) {
			t.Errorf("no %q in:\n%s", want, out)
		}
	}
	if strings.Contains(out, "when re-derived\n") || strings.Contains(out, "of the recorded sample but number") {
		t.Errorf("the initial sample should still re-derive:\n%s", out)
	}
}
