package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

// runDir makes a folder with a synthetic csv export and a config.
func runDir(t *testing.T, config string) (dir, cfg string) {
	t.Helper()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 400, Seed: 3})
	dir = filepath.Dir(export)
	cfg = filepath.Join(dir, "audit.yaml")
	if err := os.WriteFile(cfg, []byte(config), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CASEAUDIT_DB", "")
	t.Setenv("CASEAUDIT_USER", "qa.test")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T07:00:00Z")
	return dir, cfg
}

// fillRows fills the first rows of an auditors' workbook as an auditor
// would: grade (a bad grade makes the row invalid), immediate attention on
// every flagEvery-th row.
func fillRows(t *testing.T, in, out string, rows, flagEvery int, grade string) {
	t.Helper()
	f, err := excelize.OpenFile(in)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows("Sample")
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range all[0] {
		col[h] = i + 1
	}
	set := func(name string, r int, v string) {
		c, _ := excelize.CoordinatesToCellName(col[name], r)
		if err := f.SetCellStr("Sample", c, v); err != nil {
			t.Fatal(err)
		}
	}
	for k := 1; k <= rows && k < len(all); k++ {
		set(audit.ColAuditor, k+1, "A. Khan")
		set(audit.ColGrade, k+1, grade)
		imm := "No"
		if flagEvery > 0 && k%flagEvery == 0 {
			imm = "Yes"
		}
		set(audit.ColImmediate, k+1, imm)
	}
	if err := f.SaveAs(out); err != nil {
		t.Fatal(err)
	}
}

// workbookIDs reads the case IDs of an auditors' workbook, in order.
func workbookIDs(t *testing.T, path string) []string {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	all, err := f.GetRows("Sample")
	if err != nil {
		t.Fatal(err)
	}
	idx := slices.Index(all[0], audit.ColCaseID)
	var ids []string
	for _, r := range all[1:] {
		if idx < len(r) && r[idx] != "" {
			ids = append(ids, r[idx])
		}
	}
	return ids
}

type auditRow struct {
	Name     string `json:"name"`
	Seed     string `json:"seed"`
	Size     int    `json:"size"`
	Recorded int    `json:"recorded"`
	Flagged  int    `json:"flagged"`
}

func storeAudits(t *testing.T, db string) []auditRow {
	t.Helper()
	code, out, errs := runCmd(t, "audits", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("audits: exit %d: %s", code, errs)
	}
	var rows []auditRow
	if err := json.Unmarshal([]byte(out), &rows); err != nil {
		var wrapped struct {
			Audits []auditRow `json:"audits"`
		}
		if err2 := json.Unmarshal([]byte(out), &wrapped); err2 != nil {
			t.Fatalf("audits json: %v\n%s", err, out)
		}
		rows = wrapped.Audits
	}
	return rows
}

const runConfigText = `store: qa.db
input: cases*.csv
size: 20
seed: "QA {{.Year}}-{{.Month}}"
outputs:
  workbook: wb/{{.Year}}-{{.Month}}.xlsx
  reports: ["rep/{{.Year}}-{{.Month}}.json"]
fail_above: 5%
`

// The sample stage draws with the configured seed (the same sample as
// `caseaudit sample --seed` draws from the export), and a second run
// changes nothing: no new audit, the workbook untouched.
func TestRunSampleStageUsesSeedAndIsIdempotent(t *testing.T) {
	dir, cfg := runDir(t, runConfigText)
	code, out, errs := runCmd(t, "run", cfg, "--stage", "sample")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if out != "" {
		t.Errorf("stdout should be empty, got %q", out)
	}
	wb := filepath.Join(dir, "wb", "2026-07.xlsx")
	got := workbookIDs(t, wb)

	// The independent derivation: the sample command with the seed text.
	code, ids, errs := runCmd(t, "sample", filepath.Join(dir, "cases.csv"), "--size", "20", "--seed", "QA 2026-07", "--format", "ids")
	if code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	if want := strings.Fields(ids); !slices.Equal(got, want) || len(want) != 20 {
		t.Errorf("workbook cases %v\nwant (sample --seed) %v", got, want)
	}
	db := filepath.Join(dir, "qa.db")
	as := storeAudits(t, db)
	if len(as) != 1 || as[0].Name != "2026-07 monthly" || as[0].Seed != "QA 2026-07" || as[0].Size != 20 {
		t.Fatalf("store audits = %+v", as)
	}

	before, _ := os.ReadFile(wb)
	past := time.Date(2026, 7, 1, 7, 0, 0, 0, time.UTC)
	if err := os.Chtimes(wb, past, past); err != nil {
		t.Fatal(err)
	}
	code, _, errs = runCmd(t, "run", cfg, "--stage", "sample")
	if code != 0 {
		t.Fatalf("second run: exit %d: %s", code, errs)
	}
	if !strings.Contains(errs, `audit "2026-07 monthly" already drawn on 2026-07-01 (20 cases, seed QA 2026-07); nothing changed`) {
		t.Errorf("second run says %q", errs)
	}
	after, _ := os.ReadFile(wb)
	st, _ := os.Stat(wb)
	if string(before) != string(after) || !st.ModTime().Equal(past) {
		t.Errorf("the workbook was rewritten by a run that should change nothing")
	}
	if as := storeAudits(t, db); len(as) != 1 {
		t.Errorf("store has %d audits after the second run, want 1", len(as))
	}

	// -q: nothing at all on a run with nothing to do.
	code, out, errs = runCmd(t, "run", cfg, "--stage", "sample", "-q")
	if code != 0 || out != "" || errs != "" {
		t.Errorf("quiet second run: exit %d, stdout %q, stderr %q", code, out, errs)
	}
}

// A workbook left at the month's path without its audit in the store (say,
// the store was moved) is an error before anything is drawn.
func TestRunSampleStageRefusesStrayWorkbook(t *testing.T) {
	dir, cfg := runDir(t, runConfigText)
	if err := os.MkdirAll(filepath.Join(dir, "wb"), 0o700); err != nil {
		t.Fatal(err)
	}
	stray := filepath.Join(dir, "wb", "2026-07.xlsx")
	if err := os.WriteFile(stray, []byte("not mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, errs := runCmd(t, "run", cfg, "--stage", "sample")
	if code != exitError || !strings.Contains(errs, "already exists but the audit \"2026-07 monthly\" is not in the store") {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if b, _ := os.ReadFile(stray); string(b) != "not mine" {
		t.Errorf("the stray workbook was replaced")
	}
	if fileExists(filepath.Join(dir, "qa.db")) {
		if as := storeAudits(t, filepath.Join(dir, "qa.db")); len(as) != 0 {
			t.Errorf("an audit was recorded: %+v", as)
		}
	}
}

// fail_above: 5 of 20 flagged (25%) is above 5% → exit code 3 exactly, after
// the report is written.
func TestRunReportStageFailAboveExitsThree(t *testing.T) {
	dir, cfg := runDir(t, runConfigText)
	if code, _, errs := runCmd(t, "run", cfg, "--stage", "sample"); code != 0 {
		t.Fatalf("sample stage: exit %d: %s", code, errs)
	}
	wb := filepath.Join(dir, "wb", "2026-07.xlsx")
	fillRows(t, wb, wb, 20, 4, "Good")
	t.Setenv("CASEAUDIT_NOW", "2026-07-28T18:00:00Z")
	code, out, errs := runCmd(t, "run", cfg, "--stage", "report")
	if code != exitThreshold {
		t.Fatalf("exit %d, want %d: %s", code, exitThreshold, errs)
	}
	if !strings.Contains(errs, "caseaudit: 2026-07 monthly: the share needing immediate attention, 25%, is above fail_above 5%") {
		t.Errorf("stderr: %s", errs)
	}
	if out != "" || !strings.Contains(errs, "2026-07.xlsx: 20 findings recorded") {
		t.Errorf("stdout %q; stderr: %s", out, errs)
	}
	var rep struct {
		Audit   string `json:"audit"`
		Flagged int    `json:"flagged"`
		Audited int    `json:"audited"`
	}
	b, err := os.ReadFile(filepath.Join(dir, "rep", "2026-07.json"))
	if err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &rep); err != nil {
		t.Fatal(err)
	}
	if rep.Audit != "2026-07 monthly" || rep.Flagged != 5 || rep.Audited != 20 {
		t.Errorf("report = %+v, want 5 of 20 flagged", rep)
	}
	// fail_on: upper with a limit the share is under but the bound is not.
	cfg2 := filepath.Join(dir, "upper.yaml")
	text := strings.Replace(runConfigText, "fail_above: 5%", "fail_above: 30%\nfail_on: upper", 1)
	if err := os.WriteFile(cfg2, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	// 5 of 20: the exact 95% upper bound is 49.1% (hand check: P(X<=5 | n=20,
	// p=0.491) ≈ 0.025), above 30%, though the share (25%) is below.
	code, _, errs = runCmd(t, "run", cfg2, "--stage", "report")
	if code != exitThreshold || !strings.Contains(errs, "upper bound of the interval") {
		t.Errorf("fail_on upper: exit %d: %s", code, errs)
	}
}

// Each filled workbook is imported all-or-nothing: the good one is recorded,
// the one with a bad row records nothing and is listed, the reports are
// still written, and the stage exits 1.
func TestRunReportStageImportsEachFileAllOrNothing(t *testing.T) {
	dir, cfg := runDir(t, strings.Replace(runConfigText, "  reports:", "  filled: [\"returned/{{.Year}}-{{.Month}}-*.xlsx\"]\n  reports:", 1))
	if code, _, errs := runCmd(t, "run", cfg, "--stage", "sample"); code != 0 {
		t.Fatalf("sample stage: exit %d: %s", code, errs)
	}
	wb := filepath.Join(dir, "wb", "2026-07.xlsx")
	if err := os.MkdirAll(filepath.Join(dir, "returned"), 0o700); err != nil {
		t.Fatal(err)
	}
	good := filepath.Join(dir, "returned", "2026-07-khan.xlsx")
	bad := filepath.Join(dir, "returned", "2026-07-evans.xlsx")
	fillRows(t, wb, good, 8, 0, "Good")
	fillRows(t, wb, bad, 3, 0, "Excellent") // not a grade
	t.Setenv("CASEAUDIT_NOW", "2026-07-28T18:00:00Z")
	code, out, errs := runCmd(t, "run", cfg, "--stage", "report")
	if code != exitError {
		t.Fatalf("exit %d, want 1: %s", code, errs)
	}
	if out != "" || !strings.Contains(errs, "2026-07-khan.xlsx: 8 findings recorded") {
		t.Errorf("the good workbook was not imported: %s", errs)
	}
	for _, w := range []string{"2026-07-evans.xlsx", "nothing was imported", "1 of 2 filled workbooks not imported", "within fail_above 5%"} {
		if !strings.Contains(errs, w) {
			t.Errorf("stderr lacks %q:\n%s", w, errs)
		}
	}
	if !fileExists(filepath.Join(dir, "rep", "2026-07.json")) {
		t.Errorf("the report was not written")
	}
	as := storeAudits(t, filepath.Join(dir, "qa.db"))
	if len(as) != 1 || as[0].Recorded != 8 {
		t.Errorf("store = %+v, want 8 findings recorded (the good file only)", as)
	}
}

// --db beats the config's store; the report stage needs the month's audit.
func TestRunStorePrecedenceAndMissingAudit(t *testing.T) {
	dir, cfg := runDir(t, runConfigText)
	other := filepath.Join(dir, "other.db")
	if code, _, errs := runCmd(t, "run", cfg, "--stage", "sample", "--db", other); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if fileExists(filepath.Join(dir, "qa.db")) {
		t.Errorf("the config's store was used despite --db")
	}
	if as := storeAudits(t, other); len(as) != 1 {
		t.Errorf("--db store has %d audits", len(as))
	}
	code, _, errs := runCmd(t, "run", cfg, "--stage", "report", "--db", other, "--month", "2026-06")
	if code != exitError || !strings.Contains(errs, `there is no audit "2026-06 monthly"`) {
		t.Errorf("exit %d: %s", code, errs)
	}
	code, _, errs = runCmd(t, "run", cfg)
	if code != exitUsage {
		t.Errorf("no --stage: exit %d, want 2: %s", code, errs)
	}
}
