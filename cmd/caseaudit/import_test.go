package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// Issue #14, item 1: a refused import lists its problems one per line,
// the count first (it printed them all on one line).
func TestImportProblemsOnePerLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	export := writeExport(t, "cases.csv", synth.Options{Rows: 200, Seed: 3})
	code, so, se := runCmd(t, "--db", db, "sample", export, "--size", "5", "--seed", "s", "--audit", "A", "--form", "none", "--format", "ids")
	if code != 0 {
		t.Fatalf("sample: %d %s", code, se)
	}
	ids := strings.Fields(so)
	body := "#,Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n" +
		"1," + ids[0] + ",A. Khan,Goood,No,,\n" +
		"2," + ids[1] + ",A. Khan,Good,Maybe,,\n" +
		"3," + ids[2] + ",,Good,No,,\n" +
		"4,CR-9999999,A. Khan,Good,No,,\n"
	p := filepath.Join(dir, "filled.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, se = runCmd(t, "--db", db, "import", "A", p)
	if code != exitError {
		t.Fatalf("exit %d; want 1", code)
	}
	lines := strings.Split(strings.TrimRight(se, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("stderr has %d lines; want the count and 4 problems:\n%s", len(lines), se)
	}
	if !strings.HasPrefix(lines[0], "caseaudit: 4 problems in "+p+"; nothing was imported") {
		t.Errorf("first line %q", lines[0])
	}
	for i, want := range []string{"row 2, column Grade:", "row 3, column Immediate attention:", "row 4, column Auditor:", "row 5, column Case ID:"} {
		if !strings.HasPrefix(lines[i+1], "  "+want) {
			t.Errorf("line %d %q; want it to start %q", i+2, lines[i+1], "  "+want)
		}
	}
}
