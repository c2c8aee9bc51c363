package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/sample"
)

// reportStore writes a store with two audits (invented data):
// "2025-07" — 3 of 90 need immediate attention (population 2,500) — and
// "2026-07" — 0 of 120 (population 3,000), the latest. These are the
// reference cases of shared/reference/statistics.md.
func reportStore(t *testing.T) string {
	t.Helper()
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	now := time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	clock := func() time.Time { now = now.Add(time.Second); return now }
	st, err := audit.Open(ctx, path, audit.Options{Clock: clock, Actor: "QA"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	add := func(name string, n, flagged, pop int) {
		cases := make([]audit.SampledCase, n)
		for i := range cases {
			cases[i] = audit.SampledCase{Order: i + 1, ID: fmt.Sprintf("%s-%04d", name, i+1), Ticket: fmt.Sprintf("0.%06d", i+1),
				Row: i + 2, Fields: []string{[]string{"North", "South", "East"}[i%3], "Ada"}}
		}
		a := audit.Audit{Name: name, Columns: []string{"Team", "Forename"},
			Provenance: sample.Provenance{Seed: "s-" + name, Export: sample.Source{Path: "cases.xlsx"}, ToolVersion: "test",
				Counts: sample.Counts{Population: pop}}}
		if _, err := st.CreateAudit(ctx, a, cases); err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			if _, err := st.Record(ctx, name, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good,
				Immediate: i < flagged, Note: "=cmd|' /C calc'!A0"}); err != nil {
				t.Fatal(err)
			}
		}
	}
	add("2025-07", 90, 3, 2500)
	now = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	add("2026-07", 120, 0, 3000)
	return path
}

// runIO runs a command line with the given terminal flags.
func runIO(t *testing.T, outTerminal bool, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &IOStreams{In: bytes.NewReader(nil), Out: &out, Err: &errb, OutTerminal: outTerminal}, args)
	return code, out.String(), errb.String()
}

func TestReportJSONReferenceValues(t *testing.T) {
	db := reportStore(t)
	code, out, errs := runCmd(t, "report", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var r struct {
		Audit      string
		Population int
		Sampled    int
		Audited    int
		Flagged    int
		Share      float64
		CI         struct {
			Method                   string
			Confidence, Lower, Upper float64
		}
		UpperOneSided float64 `json:"upper_one_sided"`
		Sentence      string
		Comparison    struct {
			Previous     string
			P            float64    `json:"p"`
			DifferenceCI [2]float64 `json:"difference_ci"`
		}
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatalf("%v\n%s", err, out)
	}
	if r.Audit != "2026-07" || r.Sampled != 120 || r.Audited != 120 || r.Flagged != 0 || r.Population != 3000 {
		t.Errorf("report %+v", r)
	}
	// Reference: 0 of 120 → 0 … 0.030272973; one-sided 0.024655401;
	// Score test 0/120 − 3/90 p = 0.044469452 (audit/stats/testdata/score_reference.R).
	if math.Abs(r.CI.Upper-0.030272973) > 5e-10 || math.Abs(r.UpperOneSided-0.024655401) > 5e-10 ||
		math.Abs(r.Comparison.P-0.044469452) > 5e-10 || r.Comparison.Previous != "2025-07" {
		t.Errorf("figures: ci %+v, one-sided %v, comparison %+v", r.CI, r.UpperOneSided, r.Comparison)
	}
	if !strings.Contains(r.Sentence, "None of the 120 audited cases needed immediate attention; with 95% confidence at most 72 of the 3,000 cases (2.4%) would.") {
		t.Errorf("sentence %q", r.Sentence)
	}
	if strings.Contains(out, "Ada") || strings.Contains(out, "Forename") {
		t.Error("a personal column reached the report without --include-names")
	}
	// The older audit by name, Wilson intervals: 3 of 90 → 0.011400390 … 0.093472860.
	code, out, _ = runCmd(t, "report", "2025-07", "--db", db, "--format", "json", "--method", "wilson")
	if code != 0 {
		t.Fatal(out)
	}
	if err := json.Unmarshal([]byte(out), &r); err != nil {
		t.Fatal(err)
	}
	if r.CI.Method != "wilson" || math.Abs(r.CI.Lower-0.011400390) > 5e-10 || math.Abs(r.CI.Upper-0.093472860) > 5e-10 {
		t.Errorf("wilson %+v", r.CI)
	}
}

func TestReportFailAbove(t *testing.T) {
	db := reportStore(t)
	for _, c := range []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"2025-07", "--fail-above", "3%"}, exitThreshold, "3.33%, is above --fail-above 3%"},
		{[]string{"2025-07", "--fail-above", "5%"}, 0, "within --fail-above 5%"},
		{[]string{"2025-07", "--fail-above", "0.05"}, 0, "within"},
		{[]string{"2025-07", "--fail-above", "0"}, exitThreshold, "above --fail-above 0%"},
		// 0 of 120: the share is 0 but the upper bound is 3.03%.
		{[]string{"--fail-above", "3%"}, 0, "within"},
		{[]string{"--fail-above", "3%", "--on", "upper"}, exitThreshold, "upper bound"},
		{[]string{"--fail-above", "3.1%", "--on", "upper"}, 0, "within"},
	} {
		code, _, errs := runCmd(t, append([]string{"report", "--db", db, "--format", "json"}, c.args...)...)
		if code != c.code || !strings.Contains(errs, c.msg) {
			t.Errorf("%v: exit %d (want %d), stderr %q (want %q)", c.args, code, c.code, errs, c.msg)
		}
	}
}

func TestReportUsageErrors(t *testing.T) {
	db := reportStore(t)
	for _, args := range [][]string{
		{"--format", "pdf"},
		{"--confidence", "150%"},
		{"--method", "bayes"},
		{"--on", "upper"},
		{"--fail-above", "lots"},
		{"--out", "report.pdf"},
		{"--format", "json", "--out", "x.html"},
		{"--cases"},
		{"--compare", "2025-07", "--no-compare"},
	} {
		code, _, errs := runCmd(t, append([]string{"report", "--db", db}, args...)...)
		if code != exitUsage || !strings.Contains(errs, "--help") {
			t.Errorf("%v: exit %d, stderr %q; want a usage error", args, code, errs)
		}
	}
	// Several names are the pooled view: an unknown one is named (exit 1).
	if code, _, errs := runCmd(t, "report", "--db", db, "a", "b"); code != 1 || !strings.Contains(errs, `there is no audit "a"`) {
		t.Errorf("report a b: exit %d %s", code, errs)
	}
	// An xlsx is not for a terminal.
	if code, _, errs := runIO(t, true, "report", "--db", db, "--format", "xlsx"); code != exitUsage {
		t.Errorf("xlsx to a terminal: exit %d %s", code, errs)
	}
	// Errors from the store are exit 1 and say what to do.
	code, _, errs := runCmd(t, "report", "2026-7", "--db", db)
	if code != exitError || !strings.Contains(errs, `did you mean "2026-07"`) {
		t.Errorf("unknown audit: exit %d, %q", code, errs)
	}
	code, _, errs = runCmd(t, "report", "--db", db, "--by", "Forename")
	if code != exitError || !strings.Contains(errs, "--include-names") {
		t.Errorf("--by a personal column: exit %d, %q", code, errs)
	}
	missing := filepath.Join(t.TempDir(), "missing.db")
	code, _, errs = runCmd(t, "report", "--db", missing)
	if code != exitError || !strings.Contains(errs, "no audit store at") {
		t.Errorf("missing store: exit %d, %q", code, errs)
	}
	empty := filepath.Join(t.TempDir(), "empty.db")
	st, err := audit.Open(context.Background(), empty, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, _, errs = runCmd(t, "report", "--db", empty)
	if code != exitError || !strings.Contains(errs, "no audits") {
		t.Errorf("empty store: exit %d, %q", code, errs)
	}
}

func TestReportColour(t *testing.T) {
	db := reportStore(t)
	t.Setenv("NO_COLOR", "")
	os.Unsetenv("NO_COLOR")
	_, out, _ := runIO(t, false, "report", "--db", db)
	if strings.Contains(out, "\x1b") {
		t.Error("escape codes when stdout is not a terminal")
	}
	_, out, _ = runIO(t, true, "report", "--db", db)
	if !strings.Contains(out, "\x1b[1m") {
		t.Error("no colour on a terminal")
	}
	t.Setenv("NO_COLOR", "1")
	_, out, _ = runIO(t, true, "report", "--db", db)
	if strings.Contains(out, "\x1b") {
		t.Error("escape codes with NO_COLOR")
	}
}

func TestReportOut(t *testing.T) {
	db := reportStore(t)
	dir := t.TempDir()
	for _, name := range []string{"r.html", "r.xlsx", "r.md", "r.csv", "r.json", "r.txt"} {
		p := filepath.Join(dir, name)
		code, out, errs := runCmd(t, "report", "--db", db, "--out", p)
		if code != 0 {
			t.Fatalf("%s: exit %d %s", name, code, errs)
		}
		if out != "" {
			t.Errorf("%s: stdout should be empty with --out, got %q", name, out)
		}
		if !strings.Contains(errs, "wrote the report on 2026-07 to "+p) || !strings.Contains(errs, "at most 72 of the 3,000 cases (2.4%)") {
			t.Errorf("%s: stderr %q", name, errs)
		}
		st, err := os.Stat(p)
		if err != nil {
			t.Fatal(err)
		}
		if st.Mode().Perm() != 0o600 {
			t.Errorf("%s has mode %o", name, st.Mode().Perm())
		}
		data, _ := os.ReadFile(p)
		switch filepath.Ext(name) {
		case ".html":
			if !bytes.HasPrefix(data, []byte("<!DOCTYPE html>")) {
				t.Errorf("%s is not HTML", name)
			}
		case ".xlsx":
			if !bytes.HasPrefix(data, []byte("PK")) {
				t.Errorf("%s is not a workbook", name)
			}
		case ".json":
			if !json.Valid(data) {
				t.Errorf("%s is not JSON", name)
			}
		case ".csv":
			if !bytes.HasPrefix(data, []byte("section,group,measure,value")) {
				t.Errorf("%s: %s", name, data[:40])
			}
		}
	}
	p := filepath.Join(dir, "r.html")
	code, _, errs := runCmd(t, "report", "--db", db, "--out", p)
	if code != exitError || !strings.Contains(errs, "--force") {
		t.Errorf("existing --out without --force: exit %d, %q", code, errs)
	}
	if code, _, errs := runCmd(t, "report", "--db", db, "--out", p, "--force", "-q"); code != 0 || errs != "" {
		t.Errorf("--force -q: exit %d, %q", code, errs)
	}
	// Case rows as CSV: formula-like notes are quoted, names left out.
	code, out, _ := runCmd(t, "report", "--db", db, "--format", "csv", "--cases")
	if code != 0 || !strings.Contains(out, `'=cmd|' /C calc'!A0`) || strings.Contains(out, "Ada") {
		t.Errorf("--cases csv: exit %d\n%s", code, out[:min(len(out), 400)])
	}
	code, out, _ = runCmd(t, "report", "--db", db, "--format", "csv", "--cases", "--include-names")
	if code != 0 || !strings.Contains(out, "Forename") || !strings.Contains(out, "Ada") {
		t.Errorf("--include-names: exit %d", code)
	}
}

func TestReportNothingAudited(t *testing.T) {
	ctx := context.Background()
	db := filepath.Join(t.TempDir(), "x.db")
	st, err := audit.Open(ctx, db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := st.CreateAudit(ctx, audit.Audit{Name: "new", Provenance: sample.Provenance{Seed: "1", Counts: sample.Counts{Population: 50}}},
		[]audit.SampledCase{{Order: 1, ID: "C1", Ticket: "0.1"}, {Order: 2, ID: "C2", Ticket: "0.2"}}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	code, out, errs := runCmd(t, "report", "--db", db, "--format", "json")
	if code != 0 || !strings.Contains(out, `"share": null`) || strings.Contains(out, "NaN") {
		t.Errorf("exit %d %s\n%s", code, errs, out)
	}
	code, out, _ = runCmd(t, "report", "--db", db)
	if code != 0 || !strings.Contains(out, "None of the 2 sampled cases has been audited yet") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, _, errs = runCmd(t, "report", "--db", db, "--fail-above", "5%")
	if code != exitError || !strings.Contains(errs, "no case has been audited yet") {
		t.Errorf("--fail-above with nothing audited: exit %d, %q", code, errs)
	}
}

// TestRunReportDefaults: runReport with a zero reportOptions prints the table.
func TestRunReportDefaults(t *testing.T) {
	db := reportStore(t)
	var out, errb bytes.Buffer
	g := &globalOptions{IO: &IOStreams{In: bytes.NewReader(nil), Out: &out, Err: &errb}, DB: db,
		Now: func() time.Time { return time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC) }}
	if err := runReport(context.Background(), &reportOptions{}, g); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(out.String(), "Case-file audit report: 2026-07\n") || !strings.Contains(out.String(), "at most 72 of the") ||
		!strings.Contains(out.String(), "Compared with 2025-07") || errb.Len() != 0 {
		t.Errorf("stdout:\n%s\nstderr:\n%s", out.String(), errb.String())
	}
}

func TestReportJSONCases(t *testing.T) {
	db := reportStore(t)
	code, out, _ := runCmd(t, "report", "--db", db, "--format", "json", "--cases", "--no-compare")
	var r struct {
		Cases      []map[string]any
		Comparison any
	}
	if err := json.Unmarshal([]byte(out), &r); code != 0 || err != nil {
		t.Fatalf("exit %d, %v", code, err)
	}
	if len(r.Cases) != 120 || r.Cases[0]["id"] != "2026-07-0001" || r.Comparison != nil {
		t.Errorf("%d cases, first %v, comparison %v", len(r.Cases), r.Cases[0], r.Comparison)
	}
}

// TestCSVToTerminalNeutralisesEscapes: an auditor's note holding an escape
// sequence reaches a pipe as written, but never a terminal, in report's
// csv and markdown and in history's csv.
func TestCSVToTerminalNeutralisesEscapes(t *testing.T) {
	ctx := context.Background()
	db := reportStore(t)
	st, err := audit.Open(ctx, db, audit.Options{Actor: "QA"})
	if err != nil {
		t.Fatal(err)
	}
	const note = "Seen \x1b]0;pwned\x07 \x1b[2J and \u009b31m"
	if _, err := st.Record(ctx, "2026-07", audit.Finding{Case: "2026-07-0001", Auditor: "B. Lee", Grade: audit.Inadequate,
		Immediate: true, Note: note, Reason: "re-read the chronology"}); err != nil {
		t.Fatal(err)
	}
	st.Close()
	for _, args := range [][]string{
		{"report", "--db", db, "--format", "csv", "--cases"},
		{"report", "--db", db, "--format", "markdown"},
		{"history", "--db", db, "2026-07", "2026-07-0001", "--format", "csv"},
	} {
		for _, terminal := range []bool{false, true} {
			code, out, errs := runIO(t, terminal, args...)
			if code != 0 {
				t.Fatalf("%v: exit %d: %s", args, code, errs)
			}
			hasEsc := strings.ContainsAny(out, "\x1b\x07\u009b")
			if terminal && hasEsc {
				t.Errorf("%v to a terminal: control characters in %q", args, out)
			}
			keepsNote := args[0] == "history" || args[4] == "csv" // markdown always neutralises
			if !terminal && !hasEsc && keepsNote {
				t.Errorf("%v to a pipe: the note was changed: %q", args, out)
			}
			if !strings.Contains(out, "Seen") && args[0] == "history" {
				t.Errorf("%v: the note is missing: %q", args, out)
			}
		}
	}
}

// TestReadingCommandsDoNotCreateAStore: report, trend and allocate on a
// store that does not exist say so, and leave no file behind.
func TestReadingCommandsDoNotCreateAStore(t *testing.T) {
	db := filepath.Join(t.TempDir(), "missing.db")
	for _, args := range [][]string{
		{"report", "--db", db},
		{"trend", "--db", db},
		{"allocate", "2026-07", "--db", db, "--auditors", "A. Khan,B. Lee"},
	} {
		code, _, errs := runCmd(t, args...)
		if code != 1 || !strings.Contains(errs, "no audit store at "+db) {
			t.Errorf("%v: exit %d, %q", args, code, errs)
		}
		if _, err := os.Stat(db); !os.IsNotExist(err) {
			t.Fatalf("%v created %s", args, db)
		}
	}
}
