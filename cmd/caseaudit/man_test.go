package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Writing the man pages twice gives the same files, byte for byte, with
// the fixed date, one page per command.
func TestManReproducible(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b", "man1")
	for _, dir := range []string{a, b} {
		if code, _, errs := runCmd(t, "man", dir); code != 0 {
			t.Fatalf("man %s: exit %d: %s", dir, code, errs)
		}
	}
	ea, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, _ := os.ReadDir(b)
	if len(ea) != len(eb) || len(ea) < 10 {
		t.Fatalf("%d and %d pages", len(ea), len(eb))
	}
	names := map[string]bool{}
	for _, e := range ea {
		names[e.Name()] = true
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || string(x) != string(y) {
			t.Errorf("%s differs between the two runs (%v)", e.Name(), err)
		}
	}
	for _, want := range []string{"caseaudit.1", "caseaudit-run.1", "caseaudit-init.1", "caseaudit-sample.1", "caseaudit-report.1"} {
		if !names[want] {
			t.Errorf("no page %s among %v", want, names)
		}
	}
	run, _ := os.ReadFile(filepath.Join(a, "caseaudit-run.1"))
	for _, w := range []string{`.TH "CASEAUDIT" "1" "Jul 2026" "caseaudit" "caseaudit manual"`, "the stage to run: sample or report", "Exit codes", "threshold exceeded"} {
		if !strings.Contains(string(run), w) {
			t.Errorf("caseaudit-run.1 lacks %q", w)
		}
	}
	if strings.Contains(string(run), "Auto generated") {
		t.Errorf("the page carries cobra's generation stamp")
	}

	// SOURCE_DATE_EPOCH moves the date (1 Jan 2030 00:00 UTC = 1893456000).
	t.Setenv("SOURCE_DATE_EPOCH", "1893456000")
	c := filepath.Join(t.TempDir(), "c")
	if code, _, errs := runCmd(t, "man", c); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if p, _ := os.ReadFile(filepath.Join(c, "caseaudit.1")); !strings.Contains(string(p), `"Jan 2030"`) {
		t.Errorf("SOURCE_DATE_EPOCH ignored")
	}
}
