package workbook

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// printSpec is the workbook of a 120-case audit with the built-in form,
// allocated to three auditors: invented cases from the synthetic export.
func printSpec(t *testing.T, n int) Spec {
	t.Helper()
	cols := []string{"Team", "Allocated Worker", "Legal Status"}
	var cases []sample.Selected
	auditors := map[string]string{}
	names := []string{"A. Khan", "B. Evans", "C. Nowak"}
	for r := range synth.Rows(synth.Options{Rows: n, Seed: 7}) {
		c := sample.Selected{Order: len(cases) + 1, Ticket: "0.1", Case: sample.Case{ID: r[0].(string), Row: len(cases) + 5,
			Fields: []string{r[6].(string), r[7].(string), r[8].(string)}}}
		cases = append(cases, c)
		auditors[c.ID] = names[len(cases)%3]
	}
	return Spec{
		Audit: "2026-07 monthly",
		Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, Seed: "48213270991532670122",
			Export: sample.Source{Path: "cases.xlsx", AbsPath: "/data/qa/exports/2026-07/cases.xlsx", SHA256: strings.Repeat("ab", 32),
				Format: "xlsx", Sheet: "Cases", HeaderRow: 4, IDColumn: "Case Reference"},
			Counts:  sample.Counts{Rows: 3000, Distinct: 2998, Population: 2998, Blank: 3, Duplicates: 2},
			Filters: []string{}, Size: n, ToolVersion: "test", Columns: cols,
			Drawn: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)},
		Columns: cols, Cases: cases, Auditors: auditors, Form: form.DefaultForm(),
		Marking: "OFFICIAL-SENSITIVE", Contact: "Q. Officer, QA team, 01225 000000", ReturnBy: "2026-07-24",
		Issued: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC),
	}
}

// fillGrades fills in every row as auditors would: each grade in turn,
// immediate attention, a note and a date.
func fillGrades(t *testing.T, xlsx []byte) []byte {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows(SheetSample)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range rows[0] {
		col[h] = i + 1
	}
	cell := func(name string, r int) string { c, _ := excelize.CoordinatesToCellName(col[name], r); return c }
	for r := 2; r <= len(rows); r++ {
		f.SetCellStr(SheetSample, cell(ColGrade, r), workbookGrades[r%4])
		f.SetCellStr(SheetSample, cell(ColImmediate, r), map[bool]string{true: "Yes", false: "No"}[r%9 == 0])
		f.SetCellStr(SheetSample, cell(ColNotes, r), fmt.Sprintf("Read in full (%d).", r))
		f.SetCellValue(SheetSample, cell(ColDate, r), time.Date(2026, 7, 10, 0, 0, 0, 0, time.UTC))
	}
	var buf bytes.Buffer
	if _, err := f.WriteTo(&buf); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestWorkbookPrints prints a filled-in workbook of 120 cases through
// LibreOffice: the Sample sheet on at most 6 pages (13 before it was set
// up to print), the Method sheet on 1, and no grade cut by its column.
func TestWorkbookPrints(t *testing.T) {
	tools := printcheck.Require(t)
	var buf bytes.Buffer
	if err := Write(&buf, printSpec(t, 120)); err != nil {
		t.Fatal(err)
	}
	filled := fillGrades(t, buf.Bytes())
	rep, err := tools.Workbook(context.Background(), t.TempDir(), filled)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pages: %d in all; per sheet %v", rep.Total, rep.Sheet)
	if n := rep.Sheet[SheetSample]; n == 0 || n > 6 {
		t.Errorf("the Sample sheet of 120 cases prints on %d pages; want at most 6", n)
	}
	if n := rep.Sheet[SheetMethod]; n != 1 {
		t.Errorf("the Method sheet prints on %d pages; want 1", n)
	}
	if n := rep.Sheet[SheetInstructions]; n == 0 || n > 2 {
		t.Errorf("the Instructions sheet prints on %d pages; want 1 or 2", n)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	// The Sample sheet's pages, after the Instructions' (the Paper
	// sheet's labels Grade and Immediate attention stand side by side
	// too, but over boxes, not a column of grades).
	var sample []printcheck.Word
	first := rep.Sheet[SheetInstructions]
	for _, w := range words {
		if w.Page > first && w.Page <= first+rep.Sheet[SheetSample] {
			sample = append(sample, w)
		}
	}
	checkColumnNotCut(t, sample, ColGrade, "Immediate", workbookGrades)
	// The marking is on every page, in the header and the footer.
	marks := map[int]int{}
	for _, w := range words {
		if w.Text == "OFFICIAL-SENSITIVE" {
			marks[w.Page]++
		}
	}
	for p := 1; p <= rep.Total; p++ {
		if marks[p] < 2 {
			t.Errorf("page %d shows the marking %d times; want it in the header and the footer", p, marks[p])
		}
	}
}

// checkColumnNotCut checks, on every page showing the column headed head,
// that every cell below the header reads as one of values in full and ends
// before the next column (headed next) begins. LibreOffice leaves out the
// words of a cut cell that would not show, or runs them into the next
// cell's ("OutstandingNo"), so a cut cell reads as no value.
func checkColumnNotCut(t *testing.T, words []printcheck.Word, head, next string, values []string) {
	t.Helper()
	type edges struct{ left, right, below float64 }
	cols := map[int]*edges{}
	for _, w := range words {
		if w.Text == head && cols[w.Page] == nil {
			cols[w.Page] = &edges{left: w.XMin, below: w.YMax}
		}
	}
	for _, w := range words {
		if e := cols[w.Page]; e != nil && w.Text == next && w.XMin > e.left && (e.right == 0 || w.XMin < e.right) {
			e.right = w.XMin
		}
	}
	type line struct {
		page int
		y    float64
	}
	cells := map[line][]printcheck.Word{}
	var order []line
	for _, w := range words {
		e := cols[w.Page]
		if e == nil || e.right == 0 || w.YMin <= e.below+2 || w.XMin < e.left-1 || w.XMin >= e.right-1 {
			continue
		}
		k := line{w.Page, float64(int(w.YMin + 0.5))}
		if cells[k] == nil {
			order = append(order, k)
		}
		cells[k] = append(cells[k], w)
	}
	if len(order) == 0 {
		t.Fatalf("found no cell of the %s column to check", head)
	}
	bad := 0
	for _, k := range order {
		if bad == 5 {
			t.Errorf("… and more")
			break
		}
		var text []string
		right := 0.0
		for _, w := range cells[k] {
			text = append(text, w.Text)
			right = max(right, w.XMax)
		}
		got := strings.Join(text, " ")
		e := cols[k.page]
		switch {
		case !slices.Contains(values, got):
			t.Errorf("page %d: a cell of the %s column reads %q, not one of %q: it is cut", k.page, head, got, values)
			bad++
		case right > e.right-1:
			t.Errorf("page %d: %q in the %s column runs to %.1f pt, past the next column at %.1f pt: it is cut", k.page, got, head, right, e.right)
			bad++
		}
	}
}

// TestPaperSheetPrints prints one auditor's pack of 20 cases with the
// built-in form through LibreOffice: the Paper sheet prints portrait at
// full size (its labels in 11-point type and its codes in 9-point, not
// shrunk to fit), each case's block whole on one page, the marking on
// every page, and the excluded IDs nowhere.
func TestPaperSheetPrints(t *testing.T) {
	tools := printcheck.Require(t)
	spec := printSpec(t, 60)
	spec.Auditor = "B. Evans"
	var mine []sample.Selected
	for _, c := range spec.Cases {
		if spec.Auditors[c.ID] == spec.Auditor {
			mine = append(mine, c)
		}
	}
	spec.Cases = mine
	spec.Provenance.Exclusion = &sample.Exclusion{Rule: "sampled in an audit recorded within 12 months", IDs: excludedIDs(120)}
	var buf bytes.Buffer
	if err := Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PRINTCHECK_KEEP"); dir != "" { // to look at
		os.WriteFile(dir+"/pack.xlsx", buf.Bytes(), 0o600)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), buf.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pages: %d in all; per sheet %v", rep.Total, rep.Sheet)
	if _, ok := rep.Sheet[SheetExcluded]; ok {
		t.Errorf("the excluded IDs' sheet prints")
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	for _, w := range words {
		if w.Text == "CR-9000001" {
			t.Errorf("an excluded ID prints on page %d", w.Page)
		}
	}
	// Each case's block on one page: its ID and its "Date audited" label.
	idPage := map[string]int{}
	for _, w := range words {
		for _, c := range mine {
			if w.Text == c.ID {
				idPage[c.ID] = w.Page
			}
		}
	}
	if len(idPage) != len(mine) {
		t.Fatalf("%d of %d case IDs found in print", len(idPage), len(mine))
	}
	for i, w := range words {
		if idPage[w.Text] == 0 {
			continue
		}
		for _, x := range words[i+1:] {
			if x.Text == "audited" {
				if x.Page != w.Page {
					t.Errorf("the block of %s starts on page %d and ends on page %d", w.Text, w.Page, x.Page)
				}
				break
			}
		}
	}
	if n := rep.Sheet[SheetPaper]; n == 0 || n > 10 {
		t.Errorf("the Paper sheet of 20 cases prints on %d pages; want at most 10", n)
	}
	// Printed at full size: a word's box is about 1.22 times its type
	// size in Carlito, so the 9-point codes ("O / G / RI / I") stand at
	// least 10.5 points tall and the 11-point labels 12.8.
	codes, labels := 0, 0
	for i, w := range words {
		if w.Text == "O" && i+4 < len(words) && words[i+2].Text == "G" && words[i+4].Text == "RI" {
			codes++
			if h := w.YMax - w.YMin; h < 10.5 {
				t.Errorf("page %d: the code \"O / G / RI / I\" prints %.1f points tall; want 9-point type at full size", w.Page, h)
			}
		}
		if w.Text == "Notes" && w.XMin < 200 {
			labels++
			if h := w.YMax - w.YMin; h < 12.8 {
				t.Errorf("page %d: the label Notes prints %.1f points tall; want 11-point type at full size", w.Page, h)
			}
		}
	}
	if codes < len(mine) || labels < len(mine) {
		t.Errorf("found %d grade codes and %d Notes labels for %d cases", codes, labels, len(mine))
	}
	// Boxes a pen can fill: rows at least 8 mm (22.7 points), the notes
	// box two handwritten lines (16 mm) tall.
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, _ := f.GetRows(SheetPaper)
	for r, cells := range rows {
		if len(cells) == 0 || r == 0 {
			continue
		}
		h, _ := f.GetRowHeight(SheetPaper, r+1)
		switch {
		case cells[0] == ColNotes && h < 45:
			t.Errorf("row %d: the notes box is %.0f points tall; want at least 45 (16 mm)", r+1, h)
		case strings.HasPrefix(cells[0], ColAuditor) && h < 22.7:
			t.Errorf("row %d: the auditor's box is %.0f points tall; want at least 22.7 (8 mm)", r+1, h)
		}
	}
	if len(rows) < 5 {
		t.Fatalf("the Paper sheet has %d rows", len(rows))
	}
}

func excludedIDs(n int) []string {
	var out []string
	for i := 1; i <= n; i++ {
		out = append(out, fmt.Sprintf("CR-9%06d", i))
	}
	return out
}

// TestFilledNotesStayInTheirRows fills the Notes of a workbook as a script
// would (the cells written, no row measured), has LibreOffice re-save it,
// and prints the result: every case's row keeps room for three lines of
// notes, and no word printed overlaps another (before the rows kept their
// height, a three-line note ran over the two rows below it).
func TestFilledNotesStayInTheirRows(t *testing.T) {
	tools := printcheck.Require(t)
	var buf bytes.Buffer
	if err := Write(&buf, printSpec(t, 12)); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows(SheetSample)
	notesCol := slices.Index(rows[0], ColNotes) + 1
	notes := []string{
		"Child not seen alone for 10 weeks.\nNo strategy discussion recorded after the May referral.\nRefer to the team manager today.",
		"Visits on time; plan reviewed 3 June. Manager oversight recorded monthly but actions not followed up; chronology last updated in March.",
		"Short note.",
	}
	for r := 2; r <= len(rows); r++ {
		cell, _ := excelize.CoordinatesToCellName(notesCol, r)
		if err := f.SetCellStr(SheetSample, cell, notes[r%3]); err != nil {
			t.Fatal(err)
		}
	}
	dir := t.TempDir()
	filled := dir + "/filled.xlsx"
	if err := f.SaveAs(filled); err != nil {
		t.Fatal(err)
	}
	f.Close()
	out := dir + "/resaved"
	if err := os.Mkdir(out, 0o700); err != nil {
		t.Fatal(err)
	}
	resaved, err := tools.ConvertTo(context.Background(), out, "xlsx", filled)
	if err != nil {
		t.Fatal(err)
	}
	g, err := excelize.OpenFile(resaved[0])
	if err != nil {
		t.Fatal(err)
	}
	for r := 2; r <= len(rows); r++ {
		if h, err := g.GetRowHeight(SheetSample, r); err != nil || h < 45 {
			t.Errorf("row %d of the re-saved Sample sheet is %.1f pt tall (%v); want room for three lines of notes (45 pt)", r, h, err)
		}
	}
	g.Close()
	data, err := os.ReadFile(resaved[0])
	if err != nil {
		t.Fatal(err)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), data)
	if err != nil {
		t.Fatal(err)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	overlaps := 0
	for i, a := range words {
		for _, b := range words[i+1:] {
			if a.Page != b.Page {
				continue
			}
			w := min(a.XMax, b.XMax) - max(a.XMin, b.XMin)
			h := min(a.YMax, b.YMax) - max(a.YMin, b.YMin)
			if w > 0.5 && h > 0.3*min(a.YMax-a.YMin, b.YMax-b.YMin) {
				if overlaps++; overlaps <= 5 {
					t.Errorf("page %d: %q overlaps %q", a.Page, a.Text, b.Text)
				}
			}
		}
	}
	if n := rep.Sheet[SheetSample]; n != 1 {
		t.Errorf("the Sample sheet of 12 filled cases prints on %d pages; want 1", n)
	}
}

// TestPaperSheetUsesThePage prints the Paper sheet of a 120-case audit
// with the built-in form: two cases a page (three would leave each too
// little room to write in), 60 pages, every case whole on its page, and
// each page's rows reaching to within 10% of its foot (before, a quarter
// of every page was left blank).
func TestPaperSheetUsesThePage(t *testing.T) {
	tools := printcheck.Require(t)
	spec := printSpec(t, 120)
	f := writeOpen(t, spec)
	for _, s := range f.GetSheetList() {
		if s != SheetPaper {
			if err := f.DeleteSheet(s); err != nil {
				t.Fatal(err)
			}
		}
	}
	var paper bytes.Buffer
	if _, err := f.WriteTo(&paper); err != nil {
		t.Fatal(err)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), paper.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	if rep.Total != 60 {
		t.Errorf("the Paper sheet of 120 cases prints on %d pages; want 60, two cases a page", rep.Total)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	ids := map[string]bool{}
	for _, c := range spec.Cases {
		ids[c.ID] = true
	}
	start := map[int]int{}      // page → cases starting on it
	lowest := map[int]float64{} // page → the foot of its last "audited"
	var open string
	for _, w := range words {
		switch {
		case ids[w.Text]:
			start[w.Page]++
			open = w.Text
		case w.Text == "audited" && open != "":
			lowest[w.Page] = max(lowest[w.Page], w.YMax)
			open = ""
		}
	}
	for p := 1; p <= rep.Total; p++ {
		if start[p] != 2 {
			t.Errorf("page %d holds %d cases; want 2", p, start[p])
		}
		// The Date audited box runs about 8 points below its label; the
		// page's rows end 50.4 points above its foot (0.7 inch).
		if blank := 842 - 50.4 - (lowest[p] + 8); blank > 0.1*(842-2*50.4) {
			t.Errorf("page %d: %.0f points blank under its last case", p, blank)
		}
	}
}

// TestPaperBoxesFitTheirAnswers: on the Paper sheet every box is wide
// enough for its longest answer written by hand (half as wide again as in
// 11-point print): "Three or more workers" in the worker-stability box, a
// date, a grade code, the auditor's name; every label and code is 9 point
// or more; and no box is shorter than 8 mm.
func TestPaperBoxesFitTheirAnswers(t *testing.T) {
	f := writeOpen(t, printSpec(t, 6))
	colWidth := func(c string) float64 { w, _ := f.GetColWidth(SheetPaper, c); return w }
	merged, _ := f.GetMergeCells(SheetPaper)
	boxWidth := func(cell string) float64 {
		for _, m := range merged {
			if m.GetStartAxis() == cell {
				from, _, _ := excelize.SplitCellName(m.GetStartAxis())
				to, _, _ := excelize.SplitCellName(m.GetEndAxis())
				a, _ := excelize.ColumnNameToNumber(from)
				b, _ := excelize.ColumnNameToNumber(to)
				w := 0.0
				for i := a; i <= b; i++ {
					n, _ := excelize.ColumnNumberToName(i)
					w += colWidth(n)
				}
				return w
			}
		}
		c, _, _ := excelize.SplitCellName(cell)
		return colWidth(c)
	}
	longest := map[string]string{"Stability of the allocated worker": "Three or more workers", ColDate: "24/07/2026",
		ColGrade: "RI", "Assessment of need and risk": "NA", "Up-to-date chronology": "NA", ColImmediate: "Y",
		ColAuditor: "Alexandra Featherstonehaugh"}
	seen := map[string]bool{}
	rows, _ := f.GetRows(SheetPaper)
	for r := 2; r <= len(rows); r++ {
		for _, lc := range []string{"A", "C"} {
			cell := fmt.Sprintf("%s%d", lc, r)
			runs, _ := f.GetCellRichText(SheetPaper, cell)
			label, _ := f.GetCellValue(SheetPaper, cell)
			if len(runs) > 0 && runs[0].Font != nil { // a label and its code
				label = runs[0].Text
				for _, run := range runs {
					if run.Font == nil || run.Font.Size < 9 {
						t.Errorf("%s: %q is set in %v", cell, run.Text, run.Font)
					}
				}
			} else if label != "" {
				id, _ := f.GetCellStyle(SheetPaper, cell)
				if st, _ := f.GetStyle(id); st != nil && st.Font != nil && st.Font.Size < 9 {
					t.Errorf("%s: %q is set in %v point", cell, label, st.Font.Size)
				}
			}
			answer, ok := longest[label]
			if !ok {
				continue
			}
			seen[label] = true
			bc := string(rune(lc[0] + 1))
			box := fmt.Sprintf("%s%d", bc, r)
			if need := xlsxprint.Width(answer) * 1.5; boxWidth(box) < need+1 {
				t.Errorf("%s: the box for %q is %.0f wide; %q written by hand needs %.0f", box, label, boxWidth(box), answer, need+1)
			}
			if h, _ := f.GetRowHeight(SheetPaper, r); h < 22.7 {
				t.Errorf("row %d: the box for %q is %.0f points tall; want 22.7 (8 mm) or more", r, label, h)
			}
		}
	}
	if len(seen) != len(longest) {
		t.Errorf("found the boxes of %v; want all of %d", seen, len(longest))
	}
}

// writeOpen writes spec's workbook and opens it, closed when the test ends.
func writeOpen(t *testing.T, spec Spec) *excelize.File {
	t.Helper()
	var buf bytes.Buffer
	if err := Write(&buf, spec); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}
