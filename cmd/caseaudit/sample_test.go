package main

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

func TestSampleExitCodes(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 3})
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"ok", []string{"sample", csv, "--size", "5", "--seed", "x"}, 0, ""},
		{"no size", []string{"sample", csv}, 2, "give either --size N or --percent P"},
		{"size and percent", []string{"sample", csv, "--size", "5", "--percent", "5"}, 2, "give either"},
		{"bad format", []string{"sample", csv, "--size", "5", "--format", "xml"}, 2, "--format"},
		{"unknown flag", []string{"sample", csv, "--sise", "5"}, 2, "unknown flag"},
		{"two exports", []string{"sample", csv, csv, "--size", "5"}, 2, "needs one export file"},
		{"size above population", []string{"sample", csv, "--size", "301", "--seed", "x"}, 1, "larger than the population of 300"},
		{"missing file", []string{"sample", filepath.Join(t.TempDir(), "nope.csv"), "--size", "5"}, 1, "nope.csv"},
		{"unknown column", []string{"sample", csv, "--size", "5", "--strata", "Teem"}, 1, "Team"},
		{"bad where", []string{"sample", csv, "--size", "5", "--where", "Team"}, 2, "no operator"},
		{"out not xlsx", []string{"sample", csv, "--size", "5", "--out", "x.csv"}, 2, ".xlsx"},
		{"unknown encoding", []string{"sample", csv, "--size", "5", "--encoding", "klingon"}, 2, "--encoding \"klingon\""},
		{"unknown delimiter", []string{"sample", csv, "--size", "5", "--delimiter", "#"}, 2, "--delimiter"},
	}
	for _, c := range cases {
		code, _, stderr := runCmd(t, c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", c.name, code, c.code, stderr)
		}
		if c.err != "" && !strings.Contains(stderr, c.err) {
			t.Errorf("%s: stderr %q does not mention %q", c.name, stderr, c.err)
		}
		if c.code != 0 && strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
			t.Errorf("%s: error is not one line (plus a usage hint): %q", c.name, stderr)
		}
	}
}

// An interrupted run exits 130 and leaves no workbook behind.
func TestSampleInterruptedLeavesNoOutput(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 3})
	out := filepath.Join(t.TempDir(), "audit.xlsx")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e strings.Builder
	code := run(ctx, &IOStreams{Out: &o, Err: &e}, []string{"sample", csv, "--size", "5", "--out", out})
	if code != exitInterrupted {
		t.Fatalf("exit %d, want 130 (stderr %q)", code, e.String())
	}
	if _, err := os.Stat(out); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("workbook exists after interruption: %v", err)
	}
	ents, _ := os.ReadDir(filepath.Dir(out))
	if len(ents) != 0 {
		t.Fatalf("folder not empty: %v", ents)
	}
}

// The quiet flag silences the summary but not the data.
func TestSampleQuiet(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 50, Seed: 3})
	code, stdout, stderr := runCmd(t, "sample", csv, "--size", "3", "--seed", "q", "-q", "--format", "ids")
	if code != 0 || stderr != "" || strings.Count(stdout, "\n") != 3 {
		t.Fatalf("exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
}
