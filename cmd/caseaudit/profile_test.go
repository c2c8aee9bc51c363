package main

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

func TestProfileExitCodes(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 3})
	tl := "Referral Date..Assessment Completed<=45d"
	cases := []struct {
		name string
		args []string
		code int
		err  string
	}{
		{"ok", []string{"profile", csv}, 0, ""},
		{"ok with everything", []string{"profile", csv, "--caseload-target", "2", "--timeliness", tl, "-w", "Legal Status!=CLA", "--format", "json"}, 0, ""},
		{"unknown worker column", []string{"profile", csv, "--worker-column", "Alocated Worker"}, 1, `--worker-column: ` + csv + `, row 1: no column "Alocated Worker"`},
		{"unknown changes column", []string{"profile", csv, "--changes-column", "Changes"}, 1, "--changes-column: "},
		{"unknown team column", []string{"profile", csv, "--team-column", "Teem"}, 1, "--team-column: "},
		{"unknown timeliness column", []string{"profile", csv, "--timeliness", "Referral..Assessment Completed<=45d"}, 1, `did you mean "Referral Date"?`},
		{"unknown where column", []string{"profile", csv, "-w", "Teem=X"}, 1, `--where "Teem=X": `},
		{"same column twice", []string{"profile", csv, "--timeliness", "Referral Date..referral  date<=4d"}, 1, "are the same column"},
		{"malformed timeliness", []string{"profile", csv, "--timeliness", "Referral Date"}, 2, "no limit"},
		{"timeliness zero", []string{"profile", csv, "--timeliness", tl[:len(tl)-3] + "0d"}, 2, "from 1 up to ten years"},
		{"target zero", []string{"profile", csv, "--caseload-target", "0"}, 2, "--caseload-target 0"},
		{"target negative", []string{"profile", csv, "--caseload-target", "-1"}, 2, "--caseload-target -1"},
		{"changes zero", []string{"profile", csv, "--changes-at-least", "0"}, 2, "--changes-at-least 0"},
		{"bad format", []string{"profile", csv, "--format", "pdf"}, 2, "--format"},
		{"out and format disagree", []string{"profile", csv, "--format", "csv", "--out", filepath.Join(t.TempDir(), "p.json")}, 2, "make them agree"},
		{"bad as-of", []string{"profile", csv, "--as-of", "tomorrow"}, 2, "--as-of"},
		{"bad where", []string{"profile", csv, "-w", "Team"}, 2, "no operator"},
		{"bad encoding", []string{"profile", csv, "--encoding", "klingon"}, 2, "--encoding"},
		{"no export", []string{"profile"}, 2, "needs one export file"},
		{"missing export", []string{"profile", filepath.Join(t.TempDir(), "nope.csv")}, 1, "nope.csv: the file does not exist"},
		{"unknown flag", []string{"profile", csv, "--target", "18"}, 2, "unknown flag"},
	}
	for _, c := range cases {
		code, stdout, stderr := runCmd(t, c.args...)
		if code != c.code {
			t.Errorf("%s: exit %d, want %d (stderr %q)", c.name, code, c.code, stderr)
		}
		if c.err != "" && !strings.Contains(stderr, c.err) {
			t.Errorf("%s: stderr %q does not mention %q", c.name, stderr, c.err)
		}
		if c.code != 0 {
			if strings.Count(strings.TrimSpace(stderr), "\n") > 1 {
				t.Errorf("%s: error is not one line (plus a usage hint): %q", c.name, stderr)
			}
			if stdout != "" {
				t.Errorf("%s: stdout %q on an error", c.name, stdout)
			}
			if hint := strings.Contains(stderr, "caseaudit profile --help"); hint != (c.code == 2) {
				t.Errorf("%s: pointer to the help = %v for exit %d", c.name, hint, c.code)
			}
		}
	}
}

// A binary format is not written to a terminal.
func TestProfileXLSXNotToTerminal(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 100, Seed: 3})
	var out, errb bytes.Buffer
	code := run(context.Background(), &IOStreams{Out: &out, Err: &errb, OutTerminal: true}, []string{"profile", csv, "--format", "xlsx"})
	if code != 2 || !strings.Contains(errb.String(), "give --out FILE.xlsx") || out.Len() != 0 {
		t.Errorf("exit %d, stderr %q, %d bytes out", code, errb.String(), out.Len())
	}
}

// An interrupted run exits 130 and leaves no file behind.
func TestProfileInterruptedLeavesNoOutput(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 3})
	out := filepath.Join(t.TempDir(), "profile.html")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var o, e bytes.Buffer
	code := run(ctx, &IOStreams{Out: &o, Err: &e}, []string{"profile", csv, "--out", out})
	if code != exitInterrupted {
		t.Errorf("exit %d, want %d (%s)", code, exitInterrupted, e.String())
	}
	if _, err := os.Stat(out); !os.IsNotExist(err) {
		t.Errorf("%s was written: %v", out, err)
	}
}

// The profile counts the population a sample of the same export is drawn
// from, with the same filters.
func TestProfileSamePopulationAsSample(t *testing.T) {
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 3000, Seed: 9, Messy: true})
	for _, where := range [][]string{nil, {"-w", "Legal Status=CP"}, {"-w", "Team!=Salisbury CIN", "-w", "Referral Date>=01/01/2025"}} {
		code, out, stderr := runCmd(t, append([]string{"profile", csv, "--format", "json"}, where...)...)
		if code != 0 {
			t.Fatalf("profile: %s", stderr)
		}
		var p struct {
			Cases   int `json:"cases"`
			Skipped struct {
				Duplicates  int `json:"duplicate_rows"`
				FilteredOut int `json:"filtered_out"`
			} `json:"skipped"`
		}
		if err := json.Unmarshal([]byte(out), &p); err != nil {
			t.Fatal(err)
		}
		code, out, stderr = runCmd(t, append([]string{"sample", csv, "--size", "1", "--seed", "s", "--format", "json"}, where...)...)
		if code != 0 {
			t.Fatalf("sample: %s", stderr)
		}
		var s struct {
			Population int `json:"population"`
			Skipped    struct {
				Duplicates  int `json:"duplicate_rows"`
				FilteredOut int `json:"filtered_out"`
			} `json:"skipped"`
		}
		if err := json.Unmarshal([]byte(out), &s); err != nil {
			t.Fatal(err)
		}
		if p.Cases != s.Population || p.Skipped != s.Skipped {
			t.Errorf("%v: profile %+v, sample %+v", where, p, s)
		}
	}
}

func TestProfileHelpHasExamples(t *testing.T) {
	code, out, _ := runCmd(t, "profile", "--help")
	if code != 0 {
		t.Fatalf("exit %d", code)
	}
	for _, want := range []string{"Examples:", "caseaudit profile cases.xlsx --caseload-target 18", "--timeliness", "--include-names",
		"--where", "--sheet", "--id-column", "--worker-column", "schema/profile.json"} {
		if !strings.Contains(out, want) {
			t.Errorf("help lacks %q", want)
		}
	}
}

// Escape sequences in an export's cells never reach the terminal, whatever
// the format; a formula in a cell stays text in csv.
func TestProfileHostileCells(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cases.csv")
	data := "Case Reference,Team,Allocated Worker,Referral Date,Assessment Completed,Workers in 12m\n" +
		"C1,\x1b]0;pwned\x07North,\x1b[2JWorker A,01/06/2026,02/06/2026,1\n" +
		"C2,=cmd|' /C calc'!A0,Worker B,01/06/2026,\x1b[31msoon,x\x1b[0m\n"
	if err := os.WriteFile(path, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"table", "markdown", "csv", "json"} {
		var out, errb bytes.Buffer
		code := run(context.Background(), &IOStreams{Out: &out, Err: &errb, OutTerminal: true, ErrTerminal: true},
			[]string{"profile", path, "--timeliness", "Referral Date..Assessment Completed<=45d", "--include-names", "--format", f})
		if code != 0 {
			t.Fatalf("%s: exit %d: %s", f, code, errb.String())
		}
		// The table's headings are bold (the terminal is in colour); nothing else.
		plain := strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(out.String())
		if strings.ContainsAny(plain+errb.String(), "\x1b\x07") {
			t.Errorf("%s: a control character reaches the terminal: %q", f, out.String())
		}
		if f == "csv" && strings.Contains(out.String(), ",=cmd") {
			t.Errorf("csv: a formula is left active: %q", out.String())
		}
	}
}
