package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

func TestFormInitAndCheck(t *testing.T) {
	dir := t.TempDir()
	code, out, errs := runCmd(t, "form", "init")
	if code != 0 || !strings.HasPrefix(out, "# caseaudit audit form") {
		t.Fatalf("form init: exit %d %s", code, errs)
	}
	p := filepath.Join(dir, "form.yaml")
	os.WriteFile(p, []byte(out), 0o600)
	code, out, errs = runCmd(t, "form", "check", p)
	if code != 0 || !strings.Contains(errs, "is valid: 7 questions") || !strings.Contains(out, "worker_stability") {
		t.Fatalf("form check: exit %d\n%s\n%s", code, out, errs)
	}
	// An edited form with mistakes: every one listed with its line, exit 1.
	broken := "name: Mine\nquestions:\n  - key: a\n    label: A\n    kind: grde\n  - key: a\n    label: B\n    kind: choice\n    choices: []\n"
	os.WriteFile(p, []byte(broken), 0o600)
	code, _, errs = runCmd(t, "form", "check", p)
	for _, want := range []string{p + `:5: unknown kind "grde"`, p + `:6: duplicate key "a" (first on line 3)`,
		p + `:9: question "a": a choice question needs a non-empty choices: list`, "3 problems"} {
		if !strings.Contains(errs, want) {
			t.Errorf("form check of a broken form: missing %q in\n%s", want, errs)
		}
	}
	if code != 1 {
		t.Errorf("exit %d; want 1", code)
	}
	if code, _, _ := runCmd(t, "form"); code != 2 {
		t.Errorf("form without a command: exit %d; want 2", code)
	}
	// sample refuses a broken form before recording anything.
	export := writeExport(t, "cases.csv", synth.Options{Rows: 100, Seed: 3})
	db := filepath.Join(dir, "s.db")
	code, _, errs = runCmd(t, "--db", db, "sample", export, "--size", "5", "--seed", "x", "--audit", "A", "--form", p)
	if code != 1 || !strings.Contains(errs, "caseaudit form check") {
		t.Errorf("sample with a broken form: exit %d %s", code, errs)
	}
}

const customForm = `name: Test form
questions:
  - key: risk
    label: Risk assessment
    help: Is risk assessed?
    kind: grade
    not_applicable: true
    required: true
  - key: outcome
    label: Outcome
    kind: choice
    choices: [Achieved, Partly achieved, Not achieved]
  - key: comment
    label: Comment
    kind: text
`

// A custom form end to end: sample --form → workbook with a column and a
// drop-down per question → filled in as an auditor would → import → answers
// stored by key.
func TestCustomFormEndToEnd(t *testing.T) {
	dir := t.TempDir()
	formPath := filepath.Join(dir, "form.yaml")
	os.WriteFile(formPath, []byte(customForm), 0o600)
	export := writeExport(t, "cases.xlsx", synth.Options{Rows: 300, Seed: 8})
	db := filepath.Join(dir, "s.db")
	wb := filepath.Join(dir, "audit.xlsx")
	code, _, errs := runCmd(t, "--db", db, "sample", export, "--size", "6", "--seed", "e2e", "--audit", "A", "--form", formPath, "--out", wb)
	if code != 0 || !strings.Contains(errs, `audit form "Test form": 3 questions`) {
		t.Fatalf("sample: exit %d %s", code, errs)
	}
	f, err := excelize.OpenFile(wb)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(audit.SheetSample)
	hdr := rows[0]
	i := slices.Index(hdr, "Auditor")
	if i < 0 || fmt.Sprint(hdr[i:]) != "[Auditor Risk assessment Outcome Comment Grade Immediate attention Notes Date audited]" {
		t.Fatalf("header %v", hdr)
	}
	dvs, err := f.GetDataValidations(audit.SheetSample)
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) string { c, _ := excelize.ColumnNumberToName(slices.Index(hdr, name) + 1); return c }
	lists := map[string]string{} // column → list formula
	for _, dv := range dvs {
		lists[strings.TrimRight(strings.Split(dv.Sqref, ":")[0], "0123456789")] = dv.Formula1
	}
	for _, name := range []string{"Risk assessment", "Outcome", "Grade", "Immediate attention"} {
		if lists[col(name)] == "" {
			t.Errorf("no drop-down on %s (%s): %v", name, col(name), lists)
		}
	}
	// The drop-down's values, read back from the hidden Lists sheet.
	ref := strings.Trim(lists[col("Outcome")], "<>=formula1/")
	_, rng, _ := strings.Cut(ref, "!")
	first, _, _ := strings.Cut(strings.ReplaceAll(rng, "$", ""), ":")
	lc := strings.TrimRight(first, "0123456789")
	var vals []string
	for r := 1; r <= 3; r++ {
		v, _ := f.GetCellValue(audit.SheetLists, fmt.Sprintf("%s%d", lc, r))
		vals = append(vals, v)
	}
	if fmt.Sprint(vals) != "[Achieved Partly achieved Not achieved]" {
		t.Errorf("outcome list %v (formula %s)", vals, lists[col("Outcome")])
	}
	// Fill in: row 2 complete, row 3 flagged with an N/A risk, row 4 with a bad outcome.
	set := func(name string, r int, v string) {
		f.SetCellStr(audit.SheetSample, fmt.Sprintf("%s%d", col(name), r), v)
	}
	for r, vals := range map[int][]string{
		2: {"A. Khan", "Good", "partly achieved", "Seen alone", "Good", "No"},
		3: {"A. Khan", "n/a", "", "", "Inadequate", "Yes"},
		4: {"A. Khan", "Good", "Perhaps", "", "Good", "No"},
	} {
		for j, name := range []string{"Auditor", "Risk assessment", "Outcome", "Comment", "Grade", "Immediate attention"} {
			set(name, r, vals[j])
		}
	}
	filled := filepath.Join(dir, "filled.xlsx")
	if err := f.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	f.Close()
	code, _, errs = runCmd(t, "--db", db, "import", "A", filled)
	if code != 1 || !strings.Contains(errs, `sheet "Sample", row 4, column Outcome: "Perhaps" is not an answer to "Outcome"; use Achieved, Partly achieved or Not achieved`) {
		t.Fatalf("import of a bad answer: exit %d\n%s", code, errs)
	}
	code, out, errs := runCmd(t, "--db", db, "import", "A", filled, "--skip-invalid")
	if code != 0 || !strings.Contains(out, "2 findings recorded") {
		t.Fatalf("import: exit %d %s %s", code, out, errs)
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, _ := st.Findings(context.Background(), "A", false)
	var got []string
	for _, x := range fs {
		got = append(got, fmt.Sprint(x.Answers))
	}
	if want := "[map[comment:Seen alone outcome:Partly achieved risk:Good] map[risk:Not applicable]]"; fmt.Sprint(got) != want {
		t.Errorf("answers %v; want %s", got, want)
	}
	acts, _ := st.Actions(context.Background(), "A")
	if len(acts) != 1 || acts[0].Owner != audit.Unassigned {
		t.Errorf("actions %+v", acts)
	}
	// record --answer: checked against the form.
	ids := strings.Fields(mustOut(t, "--db", db, "sample", export, "--size", "6", "--seed", "e2e", "--format", "ids"))
	code, _, errs = runCmd(t, "--db", db, "record", "A", ids[5], "--grade", "g", "--immediate", "no", "--auditor", "B. Evans", "--answer", "outcome=achieved")
	if code != 1 || !strings.Contains(errs, `"Risk assessment" (risk) needs an answer`) {
		t.Errorf("record without a required answer: exit %d %s", code, errs)
	}
	code, _, errs = runCmd(t, "--db", db, "record", "A", ids[5], "--grade", "g", "--immediate", "no", "--auditor", "B. Evans",
		"--answer", "risk=ri", "--answer", "Outcome=not")
	if code != 0 {
		t.Fatalf("record with answers: exit %d %s", code, errs)
	}
	fs, _ = st.Findings(context.Background(), "A", false)
	if last := fs[len(fs)-1]; last.Case != ids[5] || fmt.Sprint(last.Answers) != "map[outcome:Not achieved risk:Requires improvement]" {
		t.Errorf("recorded %+v", last)
	}
	if code, _, _ := runCmd(t, "--db", db, "record", "A", ids[5], "--grade", "g", "--immediate", "no", "--auditor", "B. Evans", "--answer", "risk"); code != 2 {
		t.Errorf("--answer without =: exit %d; want 2", code)
	}
}

func mustOut(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errs := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("%v: exit %d %s", args, code, errs)
	}
	return out
}

// Recording an audit without --form keeps the built-in form; --form none keeps none.
func TestSampleDefaultForm(t *testing.T) {
	export := writeExport(t, "cases.csv", synth.Options{Rows: 100, Seed: 3})
	db := filepath.Join(t.TempDir(), "s.db")
	mustOut(t, "--db", db, "sample", export, "--size", "5", "--seed", "x", "--audit", "A")
	mustOut(t, "--db", db, "sample", export, "--size", "5", "--seed", "x", "--audit", "B", "--form", "none")
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fa, _ := st.Form(context.Background(), "A")
	fb, _ := st.Form(context.Background(), "B")
	if fa == nil || fa.Name != audit.DefaultForm().Name || fb != nil {
		t.Errorf("forms %v / %v", fa, fb)
	}
	ids := strings.Fields(mustOut(t, "--db", db, "sample", export, "--size", "5", "--seed", "x", "--format", "ids"))
	if code, _, errs := runCmd(t, "--db", db, "record", "B", ids[0], "--grade", "g", "--immediate", "no", "--auditor", "X", "--answer", "voice=good"); code != 2 || !strings.Contains(errs, "has no form") {
		t.Errorf("--answer on a formless audit: exit %d %s", code, errs)
	}
}
