package main

import (
	"context"
	"crypto/sha256"
	"encoding/json"
	"errors"
	"fmt"
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
		{"size and percent", []string{"sample", csv, "--size", "5", "--percent", "5"}, 2, "give --size N or --percent P, not both"},
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

// TestSampleRecordsTheExportsSHA256: the export's hash, computed a piece at
// a time while the rows are read, is the hash of the whole file (checked
// with crypto/sha256 over the file read at once), for csv and xlsx exports
// of many pieces, and for a filtered, stratified draw.
func TestSampleRecordsTheExportsSHA256(t *testing.T) {
	for _, name := range []string{"cases.csv", "cases.xlsx"} {
		path := writeExport(t, name, synth.Options{Rows: 30000, Seed: 8})
		data, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		want := fmt.Sprintf("%x", sha256.Sum256(data))
		for _, extra := range [][]string{nil, {"--strata", "Team", "--where", "Legal Status=CP"}} {
			args := append([]string{"sample", path, "--size", "20", "--seed", "h", "--format", "json", "-q"}, extra...)
			code, out, errs := runCmd(t, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", extra, code, errs)
			}
			var got struct {
				Input struct {
					SHA256 string `json:"sha256"`
				} `json:"input"`
			}
			if err := json.Unmarshal([]byte(out), &got); err != nil {
				t.Fatal(err)
			}
			if got.Input.SHA256 != want {
				t.Errorf("%s %v: sha256 %q, want %s (%d bytes)", name, extra, got.Input.SHA256, want, len(data))
			}
		}
	}
}
