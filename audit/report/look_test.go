package report

import (
	"bufio"
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// What a board is handed and an auditor writes on, read back from the
// rendered files: every value fits its column, the printed sheet shows the
// columns the text and HTML show, and a month without moderation is never
// named as compared.

// openXLSX reads a rendered workbook.
func openXLSX(t *testing.T, b []byte) *excelize.File {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { f.Close() })
	return f
}

// fitsItsColumns checks that every cell of a sheet's rows from `from` on
// shows its value within its column's width (the header's words within
// it too, as the header wraps at words): a value wider than its column is
// cut off by the next cell, on screen and on paper. Merged paragraphs are
// left out.
func fitsItsColumns(t *testing.T, f *excelize.File, sheet string, header, from, to int) {
	t.Helper()
	rows, err := f.GetRows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	merged, _ := f.GetMergeCells(sheet)
	isMerged := func(cell string) bool {
		for _, m := range merged {
			if m.GetStartAxis() == cell {
				return true
			}
		}
		return false
	}
	check := func(r, c int, need float64, v string) {
		cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
		if isMerged(cell) {
			return
		}
		name, _ := excelize.ColumnNumberToName(c + 1)
		w, _ := f.GetColWidth(sheet, name)
		if need > w {
			t.Errorf("%s %s shows %q, %.1f characters wide, in a column %.1f wide: it is cut off", sheet, cell, v, need, w)
		}
	}
	for c, h := range rows[header-1] {
		for _, word := range strings.Fields(h) {
			check(header-1, c, xlsxprint.BoldWidth(word), h)
		}
	}
	for r := from - 1; r < min(to, len(rows)); r++ {
		for c, v := range rows[r] {
			if v != "" {
				check(r, c, xlsxprint.Width(v), v)
			}
		}
	}
}

// A calibration of an auditor with too few moderated cases for a kappa
// ("— (under 10)") and one with a long name: the Calibration sheet's
// columns hold them whole (the Kappa column was 9 wide, and cut the text
// to "— (under 1"), and it prints landscape on A4, one page wide, its
// header row repeated.
func TestXLSXCalibrationColumnsHoldTheirValues(t *testing.T) {
	c := &Calibration{Audits: []string{"2026-07 monthly"}, NotModerated: []string{}, Pairs: 19, Auditors: []AuditorCalibration{
		{Auditor: "A. Khan", Pairs: 7, Exact: 2, WithinOne: 2, ExactShare: 2.0 / 7, WithinShare: 2.0 / 7, Higher: 4, Lower: 1, SignP: 0.375},
		{Auditor: "Dr. Aleksandra Wiśniewska-Kowalczyk", Pairs: 12, Exact: 7, WithinOne: 11, ExactShare: 7.0 / 12, WithinShare: 11.0 / 12,
			Kappa: ptr(0.4), Higher: 4, Lower: 1, SignP: 0.375},
	}}
	for i := range c.Auditors {
		c.Auditors[i].Sentence = calibrationSentence(c.Auditors[i])
	}
	var b bytes.Buffer
	if err := RenderCalibration(&b, c, XLSX); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	rows, _ := f.GetRows(calibrationSheet)
	if len(rows) < 6 || rows[4][6] != "— (under 10)" || rows[5][6] != "0.400" {
		t.Fatalf("the Kappa column reads %q", rows)
	}
	if got := rows[3]; !slices.Equal(got, []string{"Auditor", "Moderated", "Same grade", "Same grade (share)", "Within one",
		"Within one (share)", "Kappa", "Higher", "Lower", "Sign test p", "Leans"}) {
		t.Errorf("header %q: want every column the text shows, Leans too", got)
	}
	fitsItsColumns(t, f, calibrationSheet, 4, 5, 6)
	lo, err := f.GetPageLayout(calibrationSheet)
	if err != nil {
		t.Fatal(err)
	}
	if lo.Size == nil || *lo.Size != xlsxprint.A4 || lo.Orientation == nil || *lo.Orientation != "landscape" || lo.FitToWidth == nil || *lo.FitToWidth != 1 {
		t.Errorf("Calibration prints %+v; want A4 landscape, one page wide", lo)
	}
	if n := f.GetDefinedName(); !slices.ContainsFunc(n, func(d excelize.DefinedName) bool {
		return d.Name == "_xlnm.Print_Titles" && d.Scope == calibrationSheet && strings.HasSuffix(d.RefersTo, "!$4:$4")
	}) {
		t.Errorf("Calibration repeats no header row: %+v", n)
	}

	// The report's own Calibration sheet too.
	var r bytes.Buffer
	if err := WriteXLSX(&r, buildFixture(t, "", fixedOptions())); err != nil {
		t.Fatal(err)
	}
	fitsItsColumns(t, openXLSX(t, r.Bytes()), calibrationSheet, 4, 5, 5)
}

// printHTML prints an HTML page through headless Chromium (the test is
// skipped without it, or without pdftotext) and reads its words back; it
// returns the PDF's path too.
func printHTML(t *testing.T, page []byte) (string, []printcheck.Word) {
	t.Helper()
	browser := printcheck.RequireBrowser(t)
	tools := printcheck.Require(t)
	dir := t.TempDir()
	html, pdf := filepath.Join(dir, "page.html"), filepath.Join(dir, "page.pdf")
	if err := os.WriteFile(html, page, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := printcheck.PrintHTML(context.Background(), browser, html, pdf); err != nil {
		t.Fatal(err)
	}
	words, err := tools.Words(pdf)
	if err != nil {
		t.Fatal(err)
	}
	return pdf, words
}

// printSheet prints one sheet of a workbook alone (the others deleted
// from f) through LibreOffice, and reads its words.
func printSheet(t *testing.T, tools printcheck.Tools, f *excelize.File, sheet string) (*printcheck.Report, []printcheck.Word) {
	t.Helper()
	for _, s := range f.GetSheetList() {
		if s != sheet {
			f.DeleteSheet(s)
		}
	}
	var one bytes.Buffer
	if err := f.Write(&one); err != nil {
		t.Fatal(err)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), one.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	return rep, words
}

// wideTrend is a trend of many columns: the factors' column, a limit,
// audits not complete and not signed off.
func wideTrend() *Trend {
	t := &Trend{Method: "clopper-pearson", Confidence: 0.95, Limit: ptr(0.05), Marking: "OFFICIAL-SENSITIVE"}
	for i, m := range []string{"2026-03", "2026-04", "2026-05", "2026-06", "2026-07", "2026-08"} {
		p := TrendPoint{Audit: m + " monthly", Period: m, Created: time.Date(2026, time.Month(3+i), 2, 9, 0, 0, 0, time.UTC),
			Sampled: 120, Audited: 120, Flagged: 3 + i, Share: ptr(float64(3+i) / 120), Lower: ptr(0.005 + 0.004*float64(i)),
			Upper: ptr(0.07 + 0.01*float64(i)), Grades: map[string]int{"Outstanding": 12, "Good": 60, "Requires improvement": 36, "Inadequate": 12},
			GoodOrBetter: ptr(0.6), CaseloadTarget: ptr(18), WorkersAboveTarget: ptr(0.481), CasesAboveTarget: ptr(0.58), Complete: true, SignedOff: i < 3}
		for j, l := range []string{"Assessment of need and risk", "Timeliness of visits and plans", "Child's voice and lived experience",
			"Quality of the plan", "Management oversight and supervision"} {
			p.FocusAreas = append(p.FocusAreas, TrendFocus{Key: strconv.Itoa(j), Label: l, Graded: 120, GoodOrBetter: ptr(0.5 + 0.05*float64(j))})
		}
		if i == 5 {
			p.Audited, p.NotRecorded, p.Incomplete, p.Complete = 108, 12, true, false
		}
		t.Audits = append(t.Audits, p)
	}
	return t
}

// The Trend sheet shows the columns the text and HTML trend show — the
// period and the status among them — and its charts still draw the share
// and its interval from their own columns.
func TestXLSXTrendShowsPeriodAndStatus(t *testing.T) {
	tr := wideTrend()
	var b bytes.Buffer
	if err := RenderTrend(&b, tr, XLSX, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	rows, _ := f.GetRows("Trend")
	head := rows[0]
	col := func(name string) int {
		i := slices.Index(head, name)
		if i < 0 {
			t.Fatalf("the Trend sheet has no %q column: %q", name, head)
		}
		return i
	}
	// Every column of the text trend, its interval as two bounds.
	for _, h := range trendTable(tr.Audits, tr.Confidence).Header {
		switch h {
		case "95% interval":
			col("95% lower")
			col("95% upper")
		case "Workers above caseload target":
			col("Workers above target")
		default:
			col(h)
		}
	}
	period, status := col("Period"), col("Status")
	for i, p := range tr.Audits {
		if got := rows[i+1]; len(got) <= status || got[period] != p.Period || got[status] != p.StatusMark() {
			t.Errorf("row %d reads %q; want period %s and status %q", i+2, got, p.Period, p.StatusMark())
		}
	}
	if rows[6][status] != "incomplete, not signed off" || rows[1][status] != "signed off" {
		t.Errorf("statuses %q, %q", rows[1][status], rows[6][status])
	}
	fitsItsColumns(t, f, "Trend", 1, 2, 7)
	// Printed one page wide, the sheet is as large as its widest table
	// allows: the share Good or better per focus area is a second table
	// below the first (as in the HTML), not more columns beside it, so
	// the first table prints at about two thirds of its size, not half.
	cols, _ := f.GetCols("Trend")
	width := 0.0
	for i := range cols {
		name, _ := excelize.ColumnNumberToName(i + 1)
		w, _ := f.GetColWidth("Trend", name)
		width += w
	}
	if width > 230 {
		t.Errorf("the Trend sheet is %.0f characters wide; want at most 230 to print legibly on one page", width)
	}
	// The first chart's series are the Share column and its bounds.
	letter := func(i int) string { l, _ := excelize.ColumnNumberToName(i + 1); return l }
	charts := chartXML(t, b.Bytes())
	if len(charts) == 0 {
		t.Fatal("no chart")
	}
	var refs []string
	for _, m := range reRef.FindAllStringSubmatch(charts[0].xml, -1) {
		refs = append(refs, m[1])
	}
	want := []string{"Trend!$" + letter(col("Share")) + "$2:$" + letter(col("Share")) + "$7",
		"Trend!$" + letter(col("95% lower")) + "$2:$" + letter(col("95% lower")) + "$7",
		"Trend!$" + letter(col("95% upper")) + "$2:$" + letter(col("95% upper")) + "$7"}
	if len(refs) < 3 || !slices.Equal(refs[:3], want) {
		t.Errorf("the share chart draws %q; want %q", refs, want)
	}
	// The grade mix chart draws the four grades' columns.
	refs = nil
	for _, m := range reRef.FindAllStringSubmatch(charts[1].xml, -1) {
		refs = append(refs, m[1])
	}
	if len(refs) != 4 || !strings.HasPrefix(refs[0], "Trend!$"+letter(col("Outstanding"))+"$") || !strings.HasPrefix(refs[3], "Trend!$"+letter(col("Inadequate"))+"$") {
		t.Errorf("the grade mix draws %q", refs)
	}
	// The Good or better chart draws the second table: its rows, headed
	// "Good or better" and the focus areas.
	second := slices.IndexFunc(rows, func(r []string) bool { return len(r) > 2 && r[0] == "Audit" && r[2] == "Good or better" })
	if second < 0 || len(charts) < 3 {
		t.Fatalf("no second table headed Good or better, or no third chart: %q", rows)
	}
	refs = nil
	for _, m := range reRef.FindAllStringSubmatch(charts[2].xml, -1) {
		refs = append(refs, m[1])
	}
	if want := fmt.Sprintf("Trend!$C$%d:$C$%d", second+2, second+7); len(refs) != 6 || refs[0] != want {
		t.Errorf("the Good or better chart draws %q; want %s first, then the five focus areas", refs, want)
	}
}

// In the report of 2026-07 the calibration covers the audits up to it, of
// which 2025-07 had no moderation: every format leaves it out of the
// audits compared and says it had none — never "the moderated cases of
// 2025-07, 2026-07".
func TestCalibrationLeavesOutAnAuditWithoutModeration(t *testing.T) {
	r := buildFixture(t, "", fixedOptions())
	c := r.Calibration
	if c == nil || !slices.Equal(c.Audits, []string{"2026-07"}) || !slices.Equal(c.NotModerated, []string{"2025-07"}) || c.Pairs != 12 {
		t.Fatalf("calibration %+v; want 2026-07's 12 pairs, 2025-07 not moderated", c)
	}
	const said = "2025-07 had no moderated case with both grades, so it is not in these figures."
	wrong := regexp.MustCompile(`moderated cases? of [^.]*2025-07`)
	var text, html, xlsx, js bytes.Buffer
	for f, b := range map[Format]*bytes.Buffer{Table: &text, HTML: &html, XLSX: &xlsx, JSON: &js} {
		if err := Render(b, r, f, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	for name, s := range map[string]string{"text": text.String(), "html": html.String()} {
		if !strings.Contains(strings.Join(strings.Fields(s), " "), said) || wrong.MatchString(s) {
			t.Errorf("the %s report does not say 2025-07 had no moderated case with both grades, or names it as compared:\n%s", name, s)
		}
	}
	rows, _ := openXLSX(t, xlsx.Bytes()).GetRows(calibrationSheet)
	if len(rows) < 2 || !strings.Contains(rows[1][0], said) || wrong.MatchString(rows[1][0]) {
		t.Errorf("the Calibration sheet's intro: %q", rows)
	}
	if !strings.Contains(js.String(), `"not_moderated": [`) || !strings.Contains(js.String(), `"audits": [`+"\n") {
		t.Errorf("json: no not_moderated list")
	}
	// The calibration page of its own: the audits compared, and those
	// without moderation apart.
	var page bytes.Buffer
	if err := RenderCalibration(&page, c, HTML); err != nil {
		t.Fatal(err)
	}
	if s := page.String(); !strings.Contains(s, "<dt>Audits</dt><dd>2026-07</dd><dt>No case graded by both</dt><dd>2025-07</dd>") {
		t.Errorf("the calibration page's details:\n%s", s)
	}
	// Nothing moderated at all: the intro says so, naming no audit as
	// compared.
	none := &Calibration{Audits: []string{}, NotModerated: []string{"2025-07"}, Auditors: []AuditorCalibration{}}
	var tb bytes.Buffer
	bw := bufio.NewWriter(&tb)
	writeCalibrationText(bw, none, false)
	bw.Flush()
	if !strings.Contains(tb.String(), "No moderated case with both grades in 2025-07") {
		t.Errorf("nothing moderated:\n%s", tb.String())
	}
}

// On paper the text and every table share one column, the page's: the
// print CSS takes away the page's side padding (the table of a wide trend
// ran through it to the right margin, past the end of the text), and a
// table of ten or more columns is set smaller.
func TestHTMLTablesStayInTheTextColumn(t *testing.T) {
	var b bytes.Buffer
	if err := RenderTrend(&b, wideTrend(), HTML, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if !strings.Contains(baseCSS, "@media print { body { padding: 0; } }") {
		t.Error("the print CSS keeps the page's side padding")
	}
	if !strings.Contains(page, `<table class="wide">`) || !strings.Contains(page, "table.wide { font-size: 7.5pt; }") {
		t.Error("the trend's table of many columns is not set smaller in print")
	}
	// Printed (when Chromium is installed): the table's first column
	// starts where the heading does, and its last ends inside the margin.
	_, words := printHTML(t, b.Bytes())
	const pageWidth, sideMargin = 595.3, 39.7 // A4, 14 mm
	var h1, cell, status *printcheck.Word
	for i, w := range words {
		if w.Page != 1 {
			continue
		}
		switch {
		case w.Text == "Share" && h1 == nil && w.YMax > 60: // the title, below the page's header
			h1 = &words[i]
		case w.Text == "2026-03" && cell == nil:
			cell = &words[i]
		case w.Text == "off" && (status == nil || w.XMax > status.XMax):
			status = &words[i]
		}
		if w.XMax > pageWidth-sideMargin+0.5 || w.XMin < sideMargin-0.5 {
			t.Errorf("%q runs into the margin (%.1f to %.1f pt; the text column is %.1f to %.1f)", w.Text, w.XMin, w.XMax, sideMargin, pageWidth-sideMargin)
		}
	}
	if h1 == nil || cell == nil || status == nil {
		t.Fatalf("the printed page lacks the title, the first audit or its status")
	}
	if h1.XMin > sideMargin+1 {
		t.Errorf("the title starts %.1f pt in from the margin: the page keeps a side padding the tables run into", h1.XMin-sideMargin)
	}
	if cell.XMin > h1.XMin+6 {
		t.Errorf("the table's first column starts at %.1f pt, the title at %.1f", cell.XMin, h1.XMin)
	}
}

// A header cell over a column of numbers stands over the numbers' right
// edge: left-aligned, "Flagged" stood over the Share column's figures and
// a reader took 0 flagged for a share of 0. Every sheet of the report
// with factors and a breakdown, and the trend's.
func TestXLSXNumberHeadersOverTheirNumbers(t *testing.T) {
	o := fixedOptions()
	o.By = "auditor"
	r, err := Build(context.Background(), factorStore(t), "2026-07", o)
	if err != nil {
		t.Fatal(err)
	}
	var b, tb bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	if err := RenderTrend(&tb, wideTrend(), XLSX, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, wb := range [][]byte{b.Bytes(), tb.Bytes()} {
		f := openXLSX(t, wb)
		for _, sheet := range f.GetSheetList() {
			rows, _ := f.GetRows(sheet, excelize.Options{RawCellValue: true})
			for i := 0; i+1 < len(rows); i++ {
				for c := range rows[i] {
					head, _ := excelize.CoordinatesToCellName(c+1, i+1)
					below, _ := excelize.CoordinatesToCellName(c+1, i+2)
					hs, _ := f.GetCellStyle(sheet, head)
					style, _ := f.GetStyle(hs)
					if style == nil || len(style.Fill.Color) == 0 || style.Fill.Color[0] != "EDEDED" || rows[i][c] == "" {
						continue // not a header cell
					}
					if c >= len(rows[i+1]) || rows[i+1][c] == "" {
						continue
					}
					if typ, _ := f.GetCellType(sheet, below); typ == excelize.CellTypeSharedString || typ == excelize.CellTypeInlineString {
						continue // a column of text
					}
					checked++
					if style.Alignment == nil || style.Alignment.Horizontal != "right" {
						t.Errorf("%s %s: the header %q stands left of its numbers (%s holds %s)", sheet, head, rows[i][c], below, rows[i+1][c])
					}
				}
			}
		}
	}
	if checked < 40 {
		t.Errorf("only %d headers over numbers checked", checked)
	}
}

// Printed, the Factors sheet keeps each factor whole on one page — its
// title, table and the sentences of its tests — rather than leave a title
// at the foot of one page and its table on the next.
func TestXLSXFactorsKeepEachFactorOnAPage(t *testing.T) {
	tools := printcheck.Require(t)
	r, err := Build(context.Background(), factorStore(t), "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	// Longer notes than the fixture's, as a real month's run: the sheet
	// needs more than one page.
	for i := range r.Factors.Groupings {
		g := &r.Factors.Groupings[i]
		g.Flagged.Sentence += strings.Repeat(" A sentence as long as a real month's, to fill the page as one does.", 6)
	}
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	rep, words := printSheet(t, tools, openXLSX(t, b.Bytes()), "Factors")
	lines := printcheck.Lines(words)
	if rep.Total < 2 {
		t.Fatalf("the Factors sheet prints on %d page: nothing to keep together", rep.Total)
	}
	for _, fg := range r.Factors.Groupings {
		title, last := 0, 0
		for _, l := range lines {
			if l.Text == fg.Title {
				title = l.Page
			}
			if title > 0 && last == 0 && strings.HasPrefix(l.Text, "Good or better: ") {
				last = l.Page
			}
		}
		if title == 0 || last == 0 {
			t.Fatalf("%q: its title or its last sentence is not printed", fg.Title)
		}
		if title != last {
			t.Errorf("%q starts on page %d and ends on page %d", fg.Title, title, last)
		}
	}
}

// A column of text after a column of numbers is set in from them, header
// and cells, so that "20.6%" and "too few to tell" do not read as one
// cell: the trend's by-team sheet, the calibration's Leans.
func TestXLSXTextAfterNumbersSetIn(t *testing.T) {
	tr := wideTrend()
	tr.By = "Team"
	for i := range tr.Audits {
		tr.Audits[i].Groups = []TrendGroup{{Group: "Warminster Family Support", Audited: 15, Flagged: 0, Share: ptr(0.0), Lower: ptr(0.0), Upper: ptr(0.218), TooFew: true}}
	}
	var b bytes.Buffer
	if err := RenderTrend(&b, tr, XLSX, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	sheet := clipSheetName("By Team")
	for _, cell := range []string{"H1", "H2"} {
		v, _ := f.GetCellValue(sheet, cell)
		id, _ := f.GetCellStyle(sheet, cell)
		st, _ := f.GetStyle(id)
		if st == nil || st.Alignment == nil || st.Alignment.Indent < 1 {
			t.Errorf("%s %s (%q) is not set in from the numbers before it", sheet, cell, v)
		}
	}
}

// The profile's Summary sheet keeps its "Notes" heading on a page with the
// first note: with every length of the page before it (a timeliness pair
// more, a sheet's name more), and the page scaled down to hold the long
// "Made by" line, the heading never falls alone at a page's foot.
func TestXLSXProfileNotesHeadingKeptWithANote(t *testing.T) {
	tools := printcheck.Require(t)
	base := profileFixture(t, false)
	if len(base.Notes) == 0 {
		t.Fatal("the fixture's profile has no notes")
	}
	dir := t.TempDir()
	var files []string
	for v := range 2 * 2 * 10 {
		pairs, sheet, sha := v/4, []string{"", "Cases"}[v%2], []string{"", strings.Repeat("9f", 32)}[v/2%2]
		r := *base
		p := *base.Profile
		r.Profile, r.Input.Sheet, p.Timeliness = &p, sheet, nil
		// A real run's "Made by" line, the executable's SHA-256, runs
		// on past its column: the printed page is scaled to hold it.
		r.ToolSHA256 = sha
		for range pairs + 1 {
			p.Timeliness = append(p.Timeliness, base.Timeliness...)
		}
		f := openXLSX(t, renderProfile(t, &r, XLSX))
		for _, s := range f.GetSheetList() {
			if s != "Summary" {
				f.DeleteSheet(s)
			}
		}
		name := filepath.Join(dir, fmt.Sprintf("summary-%d-%d-%d.xlsx", pairs, len(sheet), len(sha)))
		if err := f.SaveAs(name); err != nil {
			t.Fatal(err)
		}
		files = append(files, name)
	}
	pdfs, err := tools.Convert(context.Background(), dir, files...)
	if err != nil {
		t.Fatal(err)
	}
	first := base.Notes[0][:20]
	for i, pdf := range pdfs {
		words, err := tools.Words(pdf)
		if err != nil {
			t.Fatal(err)
		}
		heading, note := 0, 0
		for _, l := range printcheck.Lines(words) {
			if l.Text == "Notes" {
				heading = l.Page
			}
			if heading > 0 && note == 0 && strings.HasPrefix(l.Text, first) {
				note = l.Page
			}
		}
		if heading == 0 || note == 0 {
			t.Fatalf("%s: the Notes heading (page %d) or the first note (page %d) is not printed", files[i], heading, note)
		}
		if heading != note {
			t.Errorf("%s: the Notes heading is on page %d, the first note on page %d", filepath.Base(files[i]), heading, note)
		}
	}
}

// The printed page's header holds a long title on one line, clear of the
// protective marking: at the top centre the marking left the title half
// of the rest, and "Share needing immediate attention over several
// audits: 2026-Q3" wrapped onto two lines beside it.
func TestHTMLPageHeaderTitleOnOneLine(t *testing.T) {
	const marking = "OFFICIAL-SENSITIVE"
	for _, title := range []string{
		"Share needing immediate attention over several audits: 2026-Q3",
		"Case-file audit report: 2026-08 monthly, children's services north",
	} {
		var b bytes.Buffer
		if err := writeSectionsHTML(&b, title, marking, []kv{{"Period", "2026-Q3"}}, []section{{Title: "Immediate attention", Lines: []kv{{"Audits", "3"}}}}, ""); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), "@top-right { content: \"OFFICIAL-SENSITIVE\"") {
			t.Errorf("%q: the marking is not in the top right margin box", title)
		}
		_, words := printHTML(t, b.Bytes())
		var mark *printcheck.Word
		var head []printcheck.Word
		for i, w := range words {
			if w.Page != 1 || w.YMax > 40 { // the top margin, 16 mm
				continue
			}
			if w.Text == marking {
				mark = &words[i]
			} else {
				head = append(head, w)
			}
		}
		if mark == nil {
			t.Fatalf("%q: no marking in the page's header", title)
		}
		var got []string
		for _, w := range head {
			got = append(got, w.Text)
			if w.YMin != head[0].YMin {
				t.Errorf("%q: the header's title runs onto a second line at %q", title, w.Text)
			}
			if w.XMax > mark.XMin-6 {
				t.Errorf("%q: %q ends at %.1f pt, within 6 pt of the marking at %.1f", title, w.Text, w.XMax, mark.XMin)
			}
		}
		if strings.Join(got, " ") != title {
			t.Errorf("the header reads %q, want %q", strings.Join(got, " "), title)
		}
	}
}

// A month without moderation prints no page for one sentence: the report's
// workbook has no Moderation sheet, and its Summary says there was none; a
// month with moderation keeps the sheet, and the Summary says nothing of it.
func TestXLSXNoModerationSheetWithoutModeration(t *testing.T) {
	st, _ := fixture(t)
	for _, c := range []struct {
		audit     string
		moderated bool
	}{{"2025-07", false}, {"2026-07", true}} {
		r, err := Build(context.Background(), st, c.audit, fixedOptions())
		if err != nil {
			t.Fatal(err)
		}
		if (r.Moderation != nil) != c.moderated {
			t.Fatalf("%s: the fixture's moderation is %+v", c.audit, r.Moderation)
		}
		var b bytes.Buffer
		if err := WriteXLSX(&b, r); err != nil {
			t.Fatal(err)
		}
		f := openXLSX(t, b.Bytes())
		if got := slices.Contains(f.GetSheetList(), "Moderation"); got != c.moderated {
			t.Errorf("%s: a Moderation sheet is %v, want %v (sheets %q)", c.audit, got, c.moderated, f.GetSheetList())
		}
		rows, _ := f.GetRows("Summary")
		said := slices.ContainsFunc(rows, func(r []string) bool {
			return len(r) >= 2 && r[0] == "Moderation" && r[1] == "None drawn for this audit"
		})
		if said == c.moderated {
			t.Errorf("%s: the Summary says there was no moderation: %v", c.audit, said)
		}
		if said { // in B:D merged; text past D is cut off in print
			w := 0.0
			for _, c := range []string{"B", "C", "D"} {
				cw, _ := f.GetColWidth("Summary", c)
				w += cw
			}
			if need := xlsxprint.Width("None drawn for this audit"); need > w {
				t.Errorf("%s: the Summary's moderation line is %.1f wide in B:D, %.1f wide", c.audit, need, w)
			}
		}
		if problems, err := printcheck.CheckWorkbook(b.Bytes(), "", "Summary", "Breakdown", "Focus areas", "Factors", "Moderation", "Trend"); err != nil || len(problems) > 0 {
			t.Errorf("%s: the print contract: %v %q", c.audit, err, problems)
		}
	}
}

// The Cases sheet prints at a size a board can read: two landscape pages
// wide (fitted to one, its twenty-odd columns printed at about 5 pt), a
// row's two pages one after the other, the order and the case ID on each;
// and the case ID is set in from the order's number beside it.
func TestXLSXCasesPrintTwoPagesWideWithTheCaseID(t *testing.T) {
	st, _ := fixture(t)
	r, err := Build(context.Background(), st, "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	r.Marking = "OFFICIAL-SENSITIVE"
	var b bytes.Buffer
	if err := WriteXLSX(&b, r); err != nil {
		t.Fatal(err)
	}
	f := openXLSX(t, b.Bytes())
	const s = "Cases"
	lo, err := f.GetPageLayout(s)
	if err != nil {
		t.Fatal(err)
	}
	if lo.Orientation == nil || *lo.Orientation != "landscape" || lo.FitToWidth == nil || *lo.FitToWidth != 2 ||
		lo.PageOrder == nil || *lo.PageOrder != "overThenDown" {
		t.Errorf("Cases prints %+v; want landscape, two pages wide, across then down", lo)
	}
	if !slices.ContainsFunc(f.GetDefinedName(), func(d excelize.DefinedName) bool {
		return d.Name == "_xlnm.Print_Titles" && d.Scope == s && d.RefersTo == "Cases!$A:$B,Cases!$1:$1"
	}) {
		t.Errorf("Cases does not repeat its order and case ID columns and its header row: %+v", f.GetDefinedName())
	}
	if problems, err := printcheck.CheckWorkbook(b.Bytes(), r.Marking, "Summary", "Breakdown", "Focus areas", "Factors", "Moderation", "Trend"); err != nil || len(problems) > 0 {
		t.Errorf("the print contract: %v %q", err, problems)
	}
	if w, _ := f.GetColWidth(s, "B"); w < xlsxprint.Width("CR26-00120")+2.5 {
		t.Errorf("Cases column B is %.1f wide: the indent leaves the case ID no space before the next column", w)
	}
	for _, cell := range []string{"B1", "B2", "B3"} {
		id, _ := f.GetCellStyle(s, cell)
		st, err := f.GetStyle(id)
		if err != nil {
			t.Fatal(err)
		}
		if st.Alignment == nil || st.Alignment.Indent < 1 {
			t.Errorf("Cases %s (the case ID, beside the order's number) is not set in: %+v", cell, st.Alignment)
		}
	}

	// Printed: every page shows the header's Case ID and case IDs in type
	// at least 8 pt tall.
	rep, words := printSheet(t, printcheck.Require(t), f, s)
	order, caseID, ids := map[int]bool{}, map[int]bool{}, map[int]float64{}
	for i, w := range words {
		order[w.Page] = order[w.Page] || w.Text == "Order"
		caseID[w.Page] = caseID[w.Page] || (w.Text == "Case" && i+1 < len(words) && words[i+1].Text == "ID")
		if strings.HasPrefix(w.Text, "CR26-") {
			ids[w.Page] = max(ids[w.Page], w.YMax-w.YMin)
		}
	}
	if rep.Total < 2 || rep.Total%2 != 0 {
		t.Errorf("Cases prints on %d pages: want two across for each page down", rep.Total)
	}
	for p := 1; p <= rep.Total; p++ {
		if !order[p] || !caseID[p] {
			t.Errorf("page %d of Cases lacks the Order or the Case ID column", p)
		}
		if ids[p] < 8 {
			t.Errorf("page %d of Cases prints its case IDs %.1f pt tall: too small to read", p, ids[p])
		}
	}
}
