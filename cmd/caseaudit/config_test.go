package main

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

const minimalConfig = "input: cases.csv\nsize: 30\n"

func TestConfigMinimalDefaults(t *testing.T) {
	c, err := parseRunConfig("audit.yaml", []byte(minimalConfig))
	if err != nil {
		t.Fatal(err)
	}
	if c.Seed != seedGenerate {
		t.Errorf("seed = %q, want %q by default", c.Seed, seedGenerate)
	}
	name, err := c.auditName(newTemplateData(time.Date(2026, 3, 9, 7, 0, 0, 0, time.UTC)))
	if err != nil {
		t.Fatal(err)
	}
	if name != "2026-03 monthly" {
		t.Errorf("default audit name = %q, want 2026-03 monthly", name)
	}
	if p, err := c.plan(); err != nil || p.Size != 30 {
		t.Errorf("size = %+v (%v), want 30", p, err)
	}
}

func TestConfigTemplates(t *testing.T) {
	cfg := `input: x.csv
size: 10
seed: "QA {{.MonthName}} {{.Year}}"
audit_name: "{{.Year}}-{{.Month}} ({{.MonthName}}, drawn {{.Date}})"
outputs:
  workbook: wb/{{.Year}}/{{.Month}}.xlsx
  reports:
    - r/{{.Year}}-{{.Month}}.html
    - path: r/{{.Year}}-{{.Month}}.txt
      format: table
`
	c, err := parseRunConfig(filepath.Join("cfg", "audit.yaml"), []byte(cfg))
	if err != nil {
		t.Fatal(err)
	}
	d := newTemplateData(time.Date(2027, 1, 31, 23, 59, 0, 0, time.UTC))
	for key, want := range map[string]string{
		"audit_name":        "2027-01 (January, drawn 2027-01-31)",
		"seed":              "QA January 2027",
		"outputs.workbook":  "wb/2027/01.xlsx",
		"outputs.reports.1": "r/2027-01.html",
		"outputs.reports.2": "r/2027-01.txt",
	} {
		got, err := c.expand(key, d)
		if err != nil {
			t.Fatalf("%s: %v", key, err)
		}
		if got != want {
			t.Errorf("%s = %q, want %q", key, got, want)
		}
	}
	if got, want := c.rel("wb/x.xlsx"), filepath.Join("cfg", "wb", "x.xlsx"); got != want {
		t.Errorf("rel = %q, want %q (relative to the config's folder)", got, want)
	}
	if got := c.rel("/abs/x.xlsx"); got != "/abs/x.xlsx" {
		t.Errorf("rel of an absolute path = %q", got)
	}
	if c.Outputs.Reports[1].Format != "table" || c.Outputs.Reports[0].Path != "r/{{.Year}}-{{.Month}}.html" {
		t.Errorf("reports = %+v", c.Outputs.Reports)
	}
}

// The reference sample sizes (/work/shared/reference/statistics.md):
// binomial 2.5%/95%/0 → 119; binomial 5%/95%/1 → 93.
func TestConfigPlanSizeMatchesReference(t *testing.T) {
	for _, tc := range []struct {
		plan string
		want int
	}{
		{"{tolerable: 2.5%, confidence: 95%, expected: 0}", 119},
		{"{tolerable: 2.5%}", 119},
		{"{tolerable: 0.025, confidence: 0.95}", 119},
		{"{tolerable: 5%, expected: 1}", 93},
	} {
		c, err := parseRunConfig("a.yaml", []byte("input: x.csv\nplan: "+tc.plan+"\n"))
		if err != nil {
			t.Fatalf("%s: %v", tc.plan, err)
		}
		p, err := c.plan()
		if err != nil || p.Size != tc.want {
			t.Errorf("plan %s: size %+v (%v), want %d", tc.plan, p, err, tc.want)
		}
	}
}

func TestConfigErrorsNameTheLine(t *testing.T) {
	for _, tc := range []struct {
		name, cfg string
		want      []string
	}{
		{"misspelt key", "input: x.csv\nsize: 10\nsead: abc\n", []string{"a.yaml: line 3:", `unknown key "sead"`, `did you mean "seed"?`}},
		{"misspelt nested key", "input: x.csv\nplan:\n  tolerable: 2%\n  confidance: 95%\n", []string{"line 4:", `unknown key "confidance" in plan`, `did you mean "confidence"`}},
		{"unknown key in a report", "input: x.csv\nsize: 5\noutputs:\n  reports:\n    - path: r.html\n      fromat: html\n", []string{"line 6:", `"fromat"`, `did you mean "format"`}},
		{"nonsense key", "input: x.csv\nsize: 5\nzzzzzzzzzz: 1\n", []string{"line 3:", "the keys are: store, lock_timeout, db_timeout, input"}},
		{"wrong type", "input: x.csv\nsize: lots\n", []string{`a.yaml: line 2: size: "lots" should be a whole number`}},
		{"list expected", "input: x.csv\nsize: 5\nauditors: A. Khan\n", []string{`line 3: auditors: "A. Khan" should be a list`}},
		{"bad yaml", "input: x.csv\nsize: [10\n", []string{"a.yaml:", "line"}},
		{"duplicate key", "input: x.csv\nsize: 10\nsize: 20\n", []string{"a.yaml:", "line 3", `"size" already defined`}},
		{"no input", "size: 10\n", []string{"input is missing"}},
		{"no size", "input: x.csv\n", []string{"give size: N"}},
		{"size and plan", "input: x.csv\nsize: 10\nplan: {tolerable: 2%}\n", []string{"line 3: plan: give either size or plan"}},
		{"bad tolerable", "input: x.csv\nplan:\n  tolerable: lots\n", []string{"line 3: plan.tolerable:", `"lots"`}},
		{"negative size", "input: x.csv\nsize: -5\n", []string{"a.yaml: line 2: size: must be a positive number"}},
		{"negative header row", "input: x.csv\nsize: 5\nheader_row: -1\n", []string{"a.yaml: line 3: header_row: must be a row number from 1"}},
		{"unknown encoding", "input: x.csv\nsize: 5\nencoding: klingon\n", []string{`a.yaml: line 3: encoding: "klingon": use utf-8`}},
		{"min per stratum without strata", "input: x.csv\nsize: 5\nmin_per_stratum: 2\n", []string{"a.yaml: line 3: min_per_stratum: needs strata"}},
		{"negative due days", "input: x.csv\nsize: 5\nfollow_up:\n  due_days: -1\n", []string{"a.yaml: line 4: follow_up.due_days: must be a positive number of working days"}},
		{"plan without tolerable", "input: x.csv\nplan:\n  expected: 1\n", []string{"a.yaml: line 2: give plan.tolerable, the share you want to show is not exceeded (e.g. 2.5%)"}},
		{"negative expected", "input: x.csv\nplan:\n  tolerable: 5%\n  expected: -1\n", []string{"a.yaml: line 4: plan.expected: must not be negative"}},
		{"infeasible plan", "input: x.csv\nplan:\n  tolerable: 0.000000001\n", []string{"a.yaml: line 3: no sample can meet this plan", "give a higher plan.tolerable"}},
		{"bad allocation", "input: x.csv\nsize: 5\nallocation: random\n", []string{"line 3: allocation:", "use proportional or equal"}},
		{"bad period", "input: x.csv\nsize: 5\nexclude_audited_within: a year\n", []string{"line 3: exclude_audited_within:", "12m"}},
		{"bad filter", "input: x.csv\nsize: 5\nfilters:\n  - Team\n", []string{`line 3: filters: filter "Team" has no operator`}},
		{"bad template", "input: x.csv\nsize: 5\naudit_name: \"{{.Year\"\n", []string{"line 3: audit_name:"}},
		{"unknown template field", "input: x.csv\nsize: 5\naudit_name: \"{{.Quarter}}\"\n", []string{"line 3: audit_name:", "Quarter", ".Year .Month .MonthName .Date"}},
		{"workbook not xlsx", "input: x.csv\nsize: 5\noutputs:\n  workbook: wb.csv\n", []string{"line 4: outputs.workbook:", "name it wb.xlsx"}},
		{"report format", "input: x.csv\nsize: 5\noutputs:\n  reports: [r.pdf]\n", []string{"line 4: outputs.reports.1: r.pdf: end the file name with .html"}},
		{"report format mismatch", "input: x.csv\nsize: 5\noutputs:\n  reports:\n    - {path: r.html, format: json}\n", []string{"line 5: outputs.reports.1:", "make them agree"}},
		{"bad fail_above", "input: x.csv\nsize: 5\nfail_above: many\n", []string{"line 3: fail_above:", "5%"}},
		{"fail_on alone", "input: x.csv\nsize: 5\nfail_on: upper\n", []string{"line 3: fail_on: needs fail_above"}},
		{"conflicts without auditors", "input: x.csv\nsize: 5\nconflicts:\n  worker_column: Worker\n", []string{"a.yaml: line 4: conflicts.worker_column, conflicts.team_column and conflicts.auditor_teams go with auditors"}},
		{"team column without teams", "input: x.csv\nsize: 5\nauditors: [A]\nconflicts:\n  team_column: Team\n", []string{"a.yaml: line 5: conflicts.team_column and conflicts.auditor_teams go together: say each auditor's team"}},
		{"bad pattern", "input: \"x[.csv\"\nsize: 5\n", []string{"line 1: input:", "not a valid pattern"}},
		{"not a mapping", "- input\n- size\n", []string{"line 1:", "list of keys"}},
		{"unquoted template", "input: x.csv\nsize: 5\naudit_name: {{.Year}}-{{.Month}}\n", []string{`a.yaml: line 3: audit_name: a template must be in quotes: audit_name: "{{.Year}}-{{.Month}}"`}},
		// The YAML parser names line 7 for this one; the line is 57.
		{"unquoted template, far down", "input: x.csv\nsize: 5\n" + strings.Repeat("# a comment\n", 54) + "seed: {{.Year}}\n",
			[]string{`a.yaml: line 57: seed: a template must be in quotes: seed: "{{.Year}}"`}},
		{"unquoted template in a list", "input: x.csv\nsize: 5\noutputs:\n  reports:\n    - {{.Year}}.html\n",
			[]string{`a.yaml: line 5: a template must be in quotes: - "{{.Year}}.html"`}},
		{"empty", "# nothing\n", []string{"a.yaml: the file is empty"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := parseRunConfig("a.yaml", []byte(tc.cfg))
			if err == nil {
				t.Fatalf("no error for\n%s", tc.cfg)
			}
			for _, w := range tc.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("error %q does not contain %q", err, w)
				}
			}
			if strings.Contains(err.Error(), "\n") {
				t.Errorf("error is not one line: %q", err)
			}
		})
	}
}

func TestConfigResolveInputNewest(t *testing.T) {
	dir := t.TempDir()
	base := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	for i, name := range []string{"cases-b.csv", "cases-c.csv", "cases-a.csv", "~$lock.csv"} {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte("Case Reference\nCR-1\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		// cases-a.csv is the newest, though not the last by name.
		if err := os.Chtimes(p, base, base.Add(time.Duration(i)*time.Hour)); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "cases-z.csv"), 0o700); err != nil { // a folder never counts
		t.Fatal(err)
	}
	c, err := parseRunConfig(filepath.Join(dir, "a.yaml"), []byte("input: cases-*.csv\nsize: 1\n"))
	if err != nil {
		t.Fatal(err)
	}
	got, n, err := c.resolveInput()
	if err != nil {
		t.Fatal(err)
	}
	if got != filepath.Join(dir, "cases-a.csv") || n != 3 {
		t.Errorf("input = %s of %d, want cases-a.csv of 3", got, n)
	}
	c.Input = "none-*.csv"
	if _, _, err := c.resolveInput(); err == nil || !strings.Contains(err.Error(), "no file matches") {
		t.Errorf("no match: %v", err)
	}
}

// Every problem of a configuration is listed, each with its line.
func TestConfigListsEveryProblem(t *testing.T) {
	cfg := "input: x.csv\nsize: lots\nconfidence: 1\nbye: Team\nfail_above: 50\nmethod: magic\n"
	_, err := parseRunConfig("a.yaml", []byte(cfg))
	var ps configProblems
	if !errors.As(err, &ps) {
		t.Fatalf("want every problem, got %T %v", err, err)
	}
	want := []string{
		`a.yaml: line 4: unknown key "bye" in the configuration; did you mean "by"?`,
		`a.yaml: line 2: size: "lots" should be a whole number`,
		`a.yaml: line 3: confidence: "1": a bare number means a fraction here`,
		`a.yaml: line 5: fail_above: "50": write 50% for 50 percent, or 0.5`,
		`a.yaml: line 6: method: "magic": use clopper-pearson (exact) or wilson`,
	}
	all := err.Error()
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("the problems lack %q:\n%s", w, strings.ReplaceAll(all, "; a.yaml", "\na.yaml"))
		}
	}
}

// Every problem of the draw is listed, each at its key's line, not only the
// first.
func TestConfigListsEveryDrawProblem(t *testing.T) {
	_, err := parseRunConfig("a.yaml", []byte("input: c.csv\nheader_row: -1\nmin_per_stratum: 2\nfilters:\n  - Team\n  - Legal Status=CP\n  - =x\nsize: 5\nfollow_up:\n  due_days: -2\n"))
	var ps configProblems
	if !errors.As(err, &ps) {
		t.Fatalf("want a list of problems, got %v", err)
	}
	want := []string{
		"a.yaml: line 2: header_row: must be a row number from 1",
		"a.yaml: line 3: min_per_stratum: needs strata",
		`a.yaml: line 4: filters: filter "Team" has no operator`,
		`a.yaml: line 4: filters: filter "=x" names no column`,
		"a.yaml: line 10: follow_up.due_days: must be a positive number of working days",
	}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if !strings.HasPrefix(ps[i].Error(), w) {
			t.Errorf("problem %d: %q, want %q…", i+1, ps[i], w)
		}
	}
}

// lock_timeout and db_timeout are times to wait, more than zero; left out,
// the flag's default stands (0 here).
func TestConfigLockTimeout(t *testing.T) {
	for _, c := range []struct {
		value string
		want  time.Duration
		err   string
	}{
		{"", 0, ""},
		{"lock_timeout: 2m", 2 * time.Minute, ""},
		{"lock_timeout: ' 90s '", 90 * time.Second, ""},
		{"lock_timeout: 0s", 0, `a.yaml: line 3: lock_timeout: "0s": give how long a write may wait for another writer's lock, more than zero (e.g. 30s or 2m)`},
		{"lock_timeout: 30", 0, `a.yaml: line 3: lock_timeout: "30": give how long`},
		{"lock_timeout: -5s", 0, `lock_timeout: "-5s": give how long`},
		{"db_timeout: 5m", 5 * time.Minute, ""},
		{"db_timeout: 0s", 0, `a.yaml: line 3: db_timeout: "0s": give how long caseaudit may wait for the store to answer, more than zero (e.g. 60s or 5m)`},
		{"db_timeout: soon", 0, `a.yaml: line 3: db_timeout: "soon": give how long`},
	} {
		cfg, err := parseRunConfig("a.yaml", []byte("input: x.csv\nsize: 5\n"+c.value+"\n"))
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: %v, want %s", c.value, err, c.err)
			}
			continue
		}
		if err != nil {
			t.Errorf("%q: %v", c.value, err)
			continue
		}
		read := cfg.lockTimeout
		if strings.HasPrefix(c.value, "db_timeout") {
			read = cfg.dbTimeout
		}
		if d, err := read(); err != nil || d != c.want {
			t.Errorf("%q: %v %v, want %v", c.value, d, err, c.want)
		}
	}
}

// A value of the wrong kind is one problem: what follows only from it
// (no size, no input) is not said as a second.
func TestConfigMistypedValueIsOneProblem(t *testing.T) {
	for _, tc := range []struct{ cfg, want string }{
		{"input: x.csv\nsize: \"12x\"\n", `a.yaml: line 2: size: "12x" should be a whole number`},
		{"input: x.csv\nsize: 12x\n", `a.yaml: line 2: size: "12x" should be a whole number`},
		{"input: x.csv\nplan: 2%\n", `a.yaml: line 2: plan: "2%" should be a group of keys (key: value on indented lines)`},
		{"input: [a.csv, b.csv]\nsize: 5\n", `a.yaml: line 1: input: a list should be text`},
	} {
		_, err := parseRunConfig("a.yaml", []byte(tc.cfg))
		if err == nil {
			t.Errorf("%q: no problem", tc.cfg)
			continue
		}
		var ps configProblems
		if errors.As(err, &ps) {
			t.Errorf("%q: want one problem, got %d:\n%v", tc.cfg, len(ps), err)
			continue
		}
		if err.Error() != tc.want {
			t.Errorf("%q:\n got %s\nwant %s", tc.cfg, err, tc.want)
		}
	}
}
