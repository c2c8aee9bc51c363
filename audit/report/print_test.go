package report

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/xuri/excelize/v2"
)

// TestXLSXPrints prints the report of a 120-case audit (with a previous
// audit to compare with, moderation and a form) through LibreOffice: the
// manager's Summary sheet on one page (2 to 3 before it was set up to
// print), the other sheets on few pages, the marking on every page.
func TestXLSXPrints(t *testing.T) {
	tools := printcheck.Require(t)
	o := fixedOptions()
	o.Marking = "OFFICIAL-SENSITIVE"
	var b bytes.Buffer
	if err := WriteXLSX(&b, buildFixture(t, "", o)); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PRINTCHECK_KEEP"); dir != "" { // to look at
		os.WriteFile(dir+"/report.xlsx", b.Bytes(), 0o600)
		o.Limit = ptr(0.05)
		var h bytes.Buffer
		WriteHTML(&h, buildFixture(t, "", o))
		os.WriteFile(dir+"/report.html", h.Bytes(), 0o600)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pages: %d in all; per sheet %v", rep.Total, rep.Sheet)
	if n := rep.Sheet["Summary"]; n != 1 {
		t.Errorf("the Summary sheet prints on %d pages; want 1", n)
	}
	// The Cases sheet prints two pages across (its type readable), four
	// down for 120 cases; the other sheets on few pages.
	if n := rep.Sheet["Cases"]; n > 8 {
		t.Errorf("the Cases sheet prints on %d pages; want at most 8", n)
	}
	if n := rep.Total - rep.Sheet["Cases"]; n > 7 {
		t.Errorf("the report's sheets but Cases print on %d pages; want at most 7", n)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	marks := map[int]int{}
	var summary strings.Builder
	for _, w := range words {
		if w.Text == "OFFICIAL-SENSITIVE" {
			marks[w.Page]++
		}
		if w.Page == 1 {
			summary.WriteString(w.Text)
		}
	}
	// The "Made by" line names the executable's whole SHA-256, which is
	// longer than the merged cell it is written in: the printed page must
	// show all of it, not the part that fits the cell.
	if !strings.Contains(summary.String(), testToolSHA256) {
		t.Errorf("the Summary page does not show the executable's SHA-256 %s whole", testToolSHA256)
	}
	for p := 1; p <= rep.Total; p++ {
		if marks[p] < 2 {
			t.Errorf("page %d shows the marking %d times; want it in the header and the footer at least", p, marks[p])
		}
	}
}

// TestHTMLPrints prints the HTML report through a headless Chromium (when
// installed): no case ID broken over two lines, no section heading at the
// foot of a page, the headline chart on the first page, the marking at the
// top and the bottom of every page.
func TestHTMLPrints(t *testing.T) {
	printcheck.RequireBrowser(t)
	tools := printcheck.Require(t) // pdftotext
	o := fixedOptions()
	o.Marking, o.Limit = "OFFICIAL-SENSITIVE", ptr(0.05)
	r := buildFixture(t, "", o)
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	pdf, words := printHTML(t, b.Bytes())
	pages, err := tools.Pages(pdf)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("the HTML report prints on %d pages", pages)
	id := regexp.MustCompile(`^CR2[56]-\d{5}$`)
	part := regexp.MustCompile(`^CR2[56]-?\d{0,4}$|^\d{1,5}$`)
	ids := 0
	for _, w := range words {
		switch {
		case id.MatchString(w.Text):
			ids++
		case part.MatchString(w.Text) && strings.HasPrefix(w.Text, "CR"):
			t.Errorf("page %d: a case ID is broken: %q", w.Page, w.Text)
		}
	}
	if ids == 0 {
		t.Error("no case ID printed whole")
	}
	titles := map[string]bool{"Charts": true}
	for _, s := range r.sections() {
		titles[s.Title] = true
	}
	const pageHeight, bottomMargin = 841.9, 45.4 // A4, 16 mm
	const pageWidth, rightMargin = 595.3, 39.7   // A4, 14 mm
	for _, w := range words {
		if w.XMax > pageWidth-rightMargin+1 {
			t.Errorf("page %d: %q runs past the right margin (to %.0f pt of %.0f): a table is wider than the page", w.Page, w.Text, w.XMax, pageWidth-rightMargin)
		}
	}
	marks := map[int]int{}
	headline := 0
	for _, l := range printcheck.Lines(words) {
		if titles[l.Text] && l.YMax > pageHeight-bottomMargin-60 {
			t.Errorf("page %d: the heading %q stands at the foot of the page (%.0f pt from the top)", l.Page, l.Text, l.YMax)
		}
		if strings.HasPrefix(l.Text, "Share of audited cases needing immediate attention, with") && headline == 0 {
			headline = l.Page
		}
		marks[l.Page] += strings.Count(l.Text, "OFFICIAL-SENSITIVE")
	}
	if headline != 1 {
		t.Errorf("the headline chart is on page %d; want 1", headline)
	}
	for p := 1; p <= pages; p++ {
		if marks[p] < 2 {
			t.Errorf("page %d shows the marking %d times; want it at the top and the bottom", p, marks[p])
		}
	}
}

// The xlsx report reads as printed: kappas and Fisher's p to three
// decimals, the summary sentence wrapped in a row as tall as it needs,
// counts with thousands separators.
func TestXLSXNumberFormats(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, buildFixture(t, "", fixedOptions())); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	find := func(sheet, label string) (string, string) {
		rows, _ := f.GetRows(sheet)
		for i, r := range rows {
			if len(r) > 1 && r[0] == label {
				cell, _ := excelize.CoordinatesToCellName(2, i+1)
				return cell, r[1]
			}
		}
		t.Fatalf("%s has no row %q", sheet, label)
		return "", ""
	}
	for _, c := range []struct{ sheet, label, shows string }{
		{"Moderation", "Cohen's kappa", "0.736"},
		{"Moderation", "Weighted kappa (linear)", "0.778"},
		{"Summary", "Score test, p", "0.044"},
		{"Summary", "Population (distinct cases after filters)", "3,000"},
	} {
		if _, got := find(c.sheet, c.label); got != c.shows {
			t.Errorf("%s %q shows %q; want %q", c.sheet, c.label, got, c.shows)
		}
	}
	// The sentence: merged across the sheet, wrapped, its row two lines tall.
	rows, _ := f.GetRows("Summary")
	for i, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "None of the 120 audited cases") {
			h, _ := f.GetRowHeight("Summary", i+1)
			cell := "A" + strconv.Itoa(i+1)
			st, _ := f.GetCellStyle("Summary", cell)
			style, _ := f.GetStyle(st)
			if h < 28 || style.Alignment == nil || !style.Alignment.WrapText {
				t.Errorf("the summary sentence's row is %.0f pt tall, wrapped %v", h, style.Alignment != nil && style.Alignment.WrapText)
			}
			return
		}
	}
	t.Error("no summary sentence")
}

// TestHTMLWideTablesFitThePage prints a report on the built-in form (five
// graded focus areas) with long team names: the Good-or-better-by-team
// table, widest of all, keeps every column inside the page's margins.
func TestHTMLWideTablesFitThePage(t *testing.T) {
	printcheck.RequireBrowser(t)
	printcheck.Require(t)
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 10, 1, 9, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	form, err := audit.DefaultForm().JSON()
	if err != nil {
		t.Fatal(err)
	}
	teams := []string{"Warminster Family Support", "Disabled Children's Team", "Care Leavers North", "Devizes Front Door"}
	a := fxAudit("2026-10", 3000)
	a.Form = form
	cases := fxCases(40, "CR26")
	for i := range cases {
		cases[i].Stratum, cases[i].Fields[0] = teams[i%len(teams)], teams[i%len(teams)]
	}
	if _, err := st.CreateAudit(ctx, a, cases); err != nil {
		t.Fatal(err)
	}
	grades := []string{"Good", "Requires improvement", "Outstanding", "Inadequate"}
	clock.t = time.Date(2026, 10, 20, 17, 0, 0, 0, time.UTC) // recorded on the day the cases were read
	for i, c := range cases {
		ans := map[string]string{}
		for j, q := range audit.DefaultForm().Questions {
			if q.Kind == audit.QuestionGrade {
				ans[q.Key] = grades[(i+j)%len(grades)]
			}
		}
		mustRecord(t, st, "2026-10", audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Date: "2026-10-20", Answers: ans})
	}
	r, err := Build(ctx, st, "2026-10", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.FocusTeams == nil || len(r.FocusTeams.Areas) != 5 {
		t.Fatalf("no five-area table by team: %+v", r.FocusTeams)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	_, words := printHTML(t, b.Bytes())
	const pageWidth, rightMargin = 595.3, 39.7 // A4, 14 mm
	seen := map[string]bool{}
	for _, w := range words {
		seen[w.Text] = true
		if w.XMax > pageWidth-rightMargin+1 {
			t.Errorf("page %d: %q runs past the right margin (to %.0f pt of %.0f): a table is wider than the page", w.Page, w.Text, w.XMax, pageWidth-rightMargin)
		}
	}
	for _, word := range []string{"supervision", "Warminster"} {
		if !seen[word] {
			t.Errorf("%q is not printed", word)
		}
	}
}

// The xlsx report's cells show the interval as its sentence states it:
// the 2025 audit's 3 of 90 gives a Clopper–Pearson
// interval of 0.0069… to 0.0943…, which the sentence states outward as
// 0.6% to 9.5%; the cells, formatted, read the same — and, on the Summary
// sheet, hold the exact bounds beside them.
func TestXLSXBoundsAsTheSentence(t *testing.T) {
	r := buildFixture(t, "2025-07", fixedOptions())
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if !strings.Contains(r.Sentence, "between 0.6% and 9.5%") {
		t.Fatalf("sentence %q", r.Sentence)
	}
	rows, _ := f.GetRows("Summary")
	got := map[string][]string{}
	for _, row := range rows {
		if len(row) > 1 {
			got[row[0]] = row[1:]
		}
	}
	lo, hi := got["95% interval, lower (Clopper–Pearson, exact)"], got["95% interval, upper"]
	if len(lo) < 2 || len(hi) < 2 || lo[0] != "0.6%" || hi[0] != "9.5%" {
		t.Fatalf("the cells read %q and %q; the sentence says 0.6%% and 9.5%%", lo, hi)
	}
	if lo[1] != "0.693%" || hi[1] != "9.434%" {
		t.Errorf("exact bounds shown as %q and %q; want 0.693%% and 9.434%%", lo[1], hi[1])
	}
	bd, _ := f.GetRows("Trend")
	lo2, hi2 := slices.Index(bd[0], "95% lower"), slices.Index(bd[0], "95% upper")
	if len(bd) < 2 || lo2 < 0 || hi2 < 0 || len(bd[1]) <= hi2 || bd[1][lo2] != "0.6%" || bd[1][hi2] != "9.5%" {
		t.Errorf("trend row %q: the bounds do not read as the sentence", bd[1])
	}
}
