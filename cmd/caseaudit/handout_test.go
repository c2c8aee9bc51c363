package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

// workbookText is every cell of a workbook's Instructions sheet and its
// Sample sheet's page header.
func workbookText(t *testing.T, path string) (instructions, header string) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows("Instructions")
	var b strings.Builder
	for _, r := range rows {
		b.WriteString(strings.Join(r, " ") + "\n")
	}
	hf, _ := f.GetHeaderFooter("Sample")
	return b.String(), hf.OddHeader
}

// The marking, contact and return date given with `sample --audit` are kept
// with the audit: the split workbooks, the moderators' workbook, the
// referral sheet and the report carry them without being told again, and a
// flag given later wins for that file.
func TestHandoutReachesEveryWorkbook(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 600, Seed: 5})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	mustOut(t, "--db", db, "sample", export, "--size", "30", "--seed", "h", "--audit", "July", "--auditors", "A. Khan,B. Evans",
		"--owner-column", "Team", "--marking", "OFFICIAL-SENSITIVE", "--contact", "Q. Officer, 01225 000000", "--return-by", "24/07/2026")
	mustOut(t, "--db", db, "workbook", "July", "--split", filepath.Join(dir, "split"))
	split, _ := filepath.Glob(filepath.Join(dir, "split", "*.xlsx"))
	if len(split) != 2 {
		t.Fatalf("split: %v", split)
	}
	for _, p := range split {
		ins, head := workbookText(t, p)
		for _, want := range []string{"OFFICIAL-SENSITIVE", "Q. Officer, 01225 000000", "Friday 24 July 2026"} {
			if !strings.Contains(ins, want) {
				t.Errorf("%s: the Instructions lack %q", filepath.Base(p), want)
			}
		}
		if !strings.Contains(head, "OFFICIAL-SENSITIVE") {
			t.Errorf("%s: page header %q", filepath.Base(p), head)
		}
	}
	// A marking given again wins; the contact and date stay as recorded.
	other := filepath.Join(dir, "other.xlsx")
	mustOut(t, "--db", db, "workbook", "July", "--out", other, "--marking", "OFFICIAL")
	ins, head := workbookText(t, other)
	if strings.Contains(head, "SENSITIVE") || !strings.Contains(head, "OFFICIAL") || !strings.Contains(ins, "Q. Officer") {
		t.Errorf("override: header %q", head)
	}
	// Graded, moderated, then the moderators' workbook and the referral sheet.
	wb := filepath.Join(dir, "all.xlsx")
	mustOut(t, "--db", db, "workbook", "July", "--out", wb)
	fillWorkbook(t, wb, wb)
	mustOut(t, "--db", db, "import", "July", wb)
	mod := filepath.Join(dir, "moderation.xlsx")
	mustOut(t, "--db", db, "moderate", "July", "--size", "5", "--seed", "m", "--out", mod)
	if ins, head := workbookText(t, mod); !strings.Contains(head, "OFFICIAL-SENSITIVE") || !strings.Contains(ins, "Q. Officer, 01225 000000") {
		t.Errorf("moderators' workbook: header %q", head)
	}
	ref := filepath.Join(dir, "referrals.xlsx")
	mustOut(t, "--db", db, "actions", "July", "--out", ref)
	f, err := excelize.OpenFile(ref)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if hf, _ := f.GetHeaderFooter("Referrals"); !strings.Contains(hf.OddHeader, "OFFICIAL-SENSITIVE") || !strings.Contains(hf.OddFooter, "OFFICIAL-SENSITIVE") {
		t.Errorf("referral sheet: header %q footer %q", hf.OddHeader, hf.OddFooter)
	}
	if out := mustOut(t, "--db", db, "report", "July"); !strings.HasPrefix(out, "OFFICIAL-SENSITIVE\n") {
		t.Errorf("the report does not open with the audit's marking:\n%.200s", out)
	}
}

// A sample drawn after leaving recently audited cases out states its
// population beside the headline, and the Factors section says the same
// and that caseloads are counted over every case.
func TestReportStatesItsPopulations(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 3000, Seed: 8})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-06-01T09:00:00Z")
	mustOut(t, "--db", db, "sample", export, "--size", "120", "--seed", "june", "--audit", "June")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	mustOut(t, "--db", db, "sample", export, "--size", "60", "--seed", "july", "--audit", "July",
		"--exclude-audited-within", "12m", "--factors", "--caseload-target", "18")
	wb := filepath.Join(dir, "july.xlsx")
	mustOut(t, "--db", db, "workbook", "July", "--out", wb)
	fillWorkbook(t, wb, wb)
	mustOut(t, "--db", db, "import", "July", wb)
	const want = "The sample was drawn from the 2,880 cases eligible after leaving out 120 sampled in an audit covering 2025-07 or later (within 12 months before 2026-07, the period drawn); caseloads and the other factors are counted over all 3,000 cases."
	out := mustOut(t, "--db", db, "report", "July", "--format", "markdown")
	if n := strings.Count(out, want); n != 2 {
		t.Errorf("the populations are stated %d times; want beside the headline and in Factors:\n%s", n, out)
	}
	if i, j := strings.Index(out, "needed immediate attention"), strings.Index(out, want); i < 0 || j < i || j-i > 300 {
		t.Errorf("the populations are not stated beside the headline (%d, %d)", i, j)
	}
	// Every format says it twice, beside the headline and with the
	// factors: the terminal's (wrapped, so compared without line breaks),
	// the page's, the csv rows of the summary and of the factors, and the
	// workbook's Summary and Factors sheets; JSON once, beside both counts.
	flat := func(s string) string { return strings.Join(strings.Fields(s), " ") }
	if n := strings.Count(flat(mustOut(t, "--db", db, "report", "July")), want); n != 2 {
		t.Errorf("table: the populations are stated %d times; want 2", n)
	}
	page := filepath.Join(dir, "r.html")
	mustOut(t, "--db", db, "report", "July", "--out", page)
	if b, _ := os.ReadFile(page); strings.Count(string(b), want) != 2 {
		t.Errorf("html: the populations are stated %d times; want 2", strings.Count(string(b), want))
	}
	csvOut := mustOut(t, "--db", db, "report", "July", "--format", "csv")
	for _, prefix := range []string{"summary,,population_note,", "factors,,population_note,"} {
		if !strings.Contains(csvOut, prefix+`"`+want+`"`) {
			t.Errorf("csv: no %s row stating the populations", prefix)
		}
	}
	var j struct {
		Population     int    `json:"population"`
		PopulationNote string `json:"population_note"`
		Factors        struct {
			Population struct {
				Cases int `json:"cases"`
			} `json:"population"`
		} `json:"factors"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "report", "July", "--format", "json")), &j); err != nil {
		t.Fatal(err)
	}
	if j.Population != 2880 || j.PopulationNote != want || j.Factors.Population.Cases != 3000 {
		t.Errorf("json: population %d, factors' %d, note %q", j.Population, j.Factors.Population.Cases, j.PopulationNote)
	}
	xl := filepath.Join(dir, "r.xlsx")
	mustOut(t, "--db", db, "report", "July", "--out", xl)
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	for _, sheet := range []string{"Summary", "Factors"} {
		rows, _ := f.GetRows(sheet)
		n := 0
		for _, r := range rows {
			for _, c := range r {
				n += strings.Count(c, want)
			}
		}
		if n != 1 {
			t.Errorf("xlsx: the %s sheet states the populations %d times; want 1", sheet, n)
		}
	}
}
