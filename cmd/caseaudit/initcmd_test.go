package main

import (
	"os"
	"path/filepath"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// Without an export the template is a valid configuration with
// placeholders, and every key it mentions (even commented out) is one
// parseRunConfig knows.
func TestInitTemplateIsValidAndDocumentsEveryKey(t *testing.T) {
	code, out, errs := runCmd(t, "init", "--out", "-")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	c, err := parseRunConfig("caseaudit.yaml", []byte(out))
	if err != nil {
		t.Fatalf("the template does not parse: %v", err)
	}
	if c.Input != "exports/*.xlsx" || c.Plan == nil || c.Seed != seedGenerate || len(c.Outputs.Reports) != 2 {
		t.Errorf("template = %+v", c)
	}
	// Every key the template mentions in a comment is a real key.
	known := map[string]bool{}
	var collect func(reflect.Type)
	collect = func(t reflect.Type) {
		for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice {
			t = t.Elem()
		}
		if t.Kind() != reflect.Struct {
			return
		}
		for i := 0; i < t.NumField(); i++ {
			if tag, _, _ := strings.Cut(t.Field(i).Tag.Get("yaml"), ","); tag != "" {
				known[tag] = true
				collect(t.Field(i).Type)
			}
		}
	}
	collect(reflect.TypeOf(runConfig{}))
	re := regexp.MustCompile(`(?m)^\s*#\s*([a-z_]+):`)
	mentioned := 0
	for _, m := range re.FindAllStringSubmatch(out, -1) {
		mentioned++
		if !known[m[1]] {
			t.Errorf("the template mentions %q, which is not a key", m[1])
		}
	}
	if mentioned < 15 {
		t.Errorf("only %d commented keys found; the pattern is wrong", mentioned)
	}
}

// A configuration using every key parses to the values written.
func TestConfigEveryKey(t *testing.T) {
	full := `store: qa.db
input: exports/*.csv
sheet: Cases
header_row: 3
id_column: Child ID
delimiter: ";"
encoding: windows-1252
filters:
  - Legal Status=CP
columns: [Team, Allocated Worker]
strata: Team
allocation: equal
min_per_stratum: 2
plan:
  tolerable: 5%
  confidence: 90%
  expected: 1
exclude_audited_within: 6m
auditors:
  - A. Khan
  - B. Evans
conflicts:
  worker_column: Allocated Worker
  team_column: Team
  auditor_teams:
    A. Khan: Salisbury CIN
    B. Evans: Chippenham CP
seed: "{{.Year}}-{{.Month}} QA"
audit_name: "{{.MonthName}} {{.Year}}"
form: default
follow_up:
  owner_column: Team
  team_managers:
    Salisbury CIN: J. Smith
  due_days: 7
outputs:
  workbook: "wb/{{.Year}}-{{.Month}}.xlsx"
  filled:
    - "returned/{{.Year}}-{{.Month}}-*.xlsx"
  correction_reason: second read
  reports:
    - "r/{{.Year}}-{{.Month}}.html"
    - path: "r/{{.Year}}-{{.Month}}.csv"
      format: csv
confidence: 90%
method: wilson
by: Team
fail_above: 5%
fail_on: upper
`
	c, err := parseRunConfig("full.yaml", []byte(full))
	if err != nil {
		t.Fatal(err)
	}
	if c.HeaderRow != 3 || c.Delimiter != ";" || c.Allocation != "equal" || c.MinPerStratum != 2 ||
		c.Plan.Expected != 1 || len(c.Auditors) != 2 || c.Conflicts.AuditorTeams["B. Evans"] != "Chippenham CP" ||
		c.FollowUp.TeamManagers["Salisbury CIN"] != "J. Smith" || c.FollowUp.DueDays != 7 ||
		c.Outputs.Reason != "second read" || c.Outputs.Reports[1].Format != "csv" || c.FailOn != "upper" {
		t.Errorf("parsed = %+v", c)
	}
}

// Given a messy workbook (a Summary sheet first, title rows above the
// header), init fills in the sheet, ID column and team column that the
// generator wrote, and makes the input relative to the config's folder.
func TestInitDetectsFromExport(t *testing.T) {
	export := writeExport(t, "open-cases.xlsx", synth.Options{Rows: 200, Seed: 5, Messy: true, Sheet: "Open Cases"})
	dir := t.TempDir()
	t.Chdir(dir)
	out := filepath.Join("cfg", "monthly.yaml")
	if err := os.Mkdir("cfg", 0o700); err != nil {
		t.Fatal(err)
	}
	code, stdout, errs := runCmd(t, "init", export, "--out", out)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if stdout != "" {
		t.Errorf("stdout %q", stdout)
	}
	for _, w := range []string{`ID column "Case Reference"`, `sheet "Open Cases"`, `team column "Team"`, "wrote cfg/monthly.yaml"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q: %s", w, errs)
		}
	}
	st, err := os.Stat(out)
	if err != nil {
		t.Fatal(err)
	}
	if st.Mode().Perm() != 0o600 {
		t.Errorf("mode %04o, want 0600", st.Mode().Perm())
	}
	c, err := loadRunConfig(out)
	if err != nil {
		t.Fatal(err)
	}
	// The sheet is found again at each run, not pinned: next month's
	// export may name it otherwise (it is offered, commented out).
	if c.Sheet != "" || c.IDColumn != "Case Reference" || c.Strata != "Team" {
		t.Errorf("config sheet %q, ID column %q, strata %q", c.Sheet, c.IDColumn, c.Strata)
	}
	if text, _ := os.ReadFile(out); !strings.Contains(string(text), "# sheet: Open Cases   # detected now; left out, the sheet with the ID column is found again at each run") {
		t.Errorf("the template does not say the sheet is found again:\n%s", text)
	}
	got, _, err := c.resolveInput()
	if err != nil {
		t.Fatal(err)
	}
	if a, _ := filepath.Abs(got); a != export {
		t.Errorf("input resolves to %s, want %s", a, export)
	}
	text, _ := os.ReadFile(out)
	if !strings.Contains(string(text), "# worker_column: Allocated Worker") {
		t.Errorf("the worker column is not offered:\n%s", text)
	}
	// Next month's export names its sheet otherwise: the scheduled run
	// still finds it.
	if err := synth.WriteFile(export, synth.Options{Rows: 200, Seed: 6, Messy: true, Sheet: "Cases November"}); err != nil {
		t.Fatal(err)
	}
	if code, _, errs := runCmd(t, "run", out, "--stage", "sample", "--month", "2026-11"); code != 0 {
		t.Errorf("the run after the sheet was renamed: exit %d: %s", code, errs)
	}

	// Never replaced without --force.
	if err := os.WriteFile(out, []byte("mine\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "init", export, "--out", out)
	if code != exitError || !strings.Contains(errs, "already exists; give --force") {
		t.Errorf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(out); string(b) != "mine\n" {
		t.Errorf("the file was replaced")
	}
	if code, _, errs = runCmd(t, "init", export, "--out", out, "--force"); code != 0 {
		t.Errorf("--force: exit %d: %s", code, errs)
	}

	// A pattern that matches nothing, and a file that is not an export.
	code, _, errs = runCmd(t, "init", filepath.Join(dir, "none-*.xlsx"), "--out", "-")
	if code != exitError || !strings.Contains(errs, "no file matches") {
		t.Errorf("no match: exit %d: %s", code, errs)
	}
	code, _, _ = runCmd(t, "init", "a", "b")
	if code != exitUsage {
		t.Errorf("two arguments: exit %d, want 2", code)
	}
}

// --sheet completes the sheet names of the export given first, for every
// command reading an export; nothing for csv.
func TestCompleteSheets(t *testing.T) {
	x := writeExport(t, "cases.xlsx", synth.Options{Rows: 20, Seed: 2, Messy: true, Sheet: "Open Cases"})
	for _, cmd := range []string{"sample", "init"} {
		code, out, errs := runCmd(t, "__complete", cmd, x, "--sheet", "")
		if code != 0 {
			t.Fatalf("exit %d: %s", code, errs)
		}
		if !strings.HasPrefix(out, "Summary\nOpen Cases\n:4\n") {
			t.Errorf("%s --sheet completes %q", cmd, out)
		}
	}
	_, out, _ := runCmd(t, "__complete", "sample", x, "--sheet", "op")
	if !strings.HasPrefix(out, "Open Cases\n:4") {
		t.Errorf("prefix op completes %q", out)
	}
	csv := writeExport(t, "cases.csv", synth.Options{Rows: 20, Seed: 2})
	_, out, _ = runCmd(t, "__complete", "sample", csv, "--sheet", "")
	if !strings.HasPrefix(out, ":4") {
		t.Errorf("csv completes %q", out)
	}
}
