package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// xw writes a workbook: text always as text (never a formula), numbers as
// numbers, shares as numbers formatted as percentages.
type xw struct {
	f       *excelize.File
	pct     int // style: 0.0%
	pctTiny int // style: "<0.1%", for a share above 0 that 0.0% would show as 0
	exact   int // style: 0.000%
	bold    int
	// boldRight heads a column of numbers: bold, over the numbers' right edge.
	boldRight int
	// right is text in a column of numbers ("— (under 10)" among kappas),
	// aligned with them; boldGap and gap head and fill a column of text
	// after a column of numbers, set in from its left edge so that the two
	// do not read as one ("0.375 higher").
	right, boldGap, gap, wrapGap int
	top                          int // a value beside a wrapped label: on its first line
	wrap                         int
	heading                      int
	kappa                        int // style: 0.000
	count                        int // style: #,##0
	marking                      int
	heat                         map[string]int // heat-map band → style (percentage on a fill)
	err                          error
	// Printing: every sheet's title in the page header, the protective
	// marking in every header and footer.
	pageTitle, mark string
}

// heatFills are the heat-map colours (as in the HTML report).
var heatFills = map[string]string{"red": "F4C7C3", "amber": "FCE8B2", "green": "B7E1CD"}

func newXW() (*xw, error) {
	f := excelize.NewFile()
	x := &xw{f: f}
	var err error
	if x.pct, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0%")}); err != nil {
		return nil, err
	}
	if x.pctTiny, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr(`"<0.1%"`)}); err != nil {
		return nil, err
	}
	if x.exact, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.000%")}); err != nil {
		return nil, err
	}
	if x.kappa, err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.000")}); err != nil {
		return nil, err
	}
	if x.count, err = f.NewStyle(&excelize.Style{NumFmt: 3}); err != nil {
		return nil, err
	}
	if x.bold, err = f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom"}}); err != nil {
		return nil, err
	}
	if x.boldRight, err = f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom", Horizontal: "right"}}); err != nil {
		return nil, err
	}
	if x.boldGap, err = f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{WrapText: true, Vertical: "bottom", Horizontal: "left", Indent: 1}}); err != nil {
		return nil, err
	}
	if x.right, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "right"}}); err != nil {
		return nil, err
	}
	if x.gap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Indent: 1}}); err != nil {
		return nil, err
	}
	if x.top, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Vertical: "top"}}); err != nil {
		return nil, err
	}
	if x.wrapGap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{Horizontal: "left", Indent: 1, WrapText: true, Vertical: "top"}}); err != nil {
		return nil, err
	}
	if x.heading, err = f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 13, "")}); err != nil {
		return nil, err
	}
	if x.marking, err = f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 12, "C00000")}); err != nil {
		return nil, err
	}
	if x.wrap, err = f.NewStyle(&excelize.Style{Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}}); err != nil {
		return nil, err
	}
	x.heat = map[string]int{}
	for _, band := range []string{"red", "amber", "green"} { // in order: the same workbook every time
		fill := heatFills[band]
		if x.heat[band], err = f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0%"),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}}}); err != nil {
			return nil, err
		}
	}
	return x, nil
}

// pctCell marks a value to be written as a percentage.
type pctCell struct{ v *float64 }

// lowCell and highCell are the lower and upper bounds of an interval,
// written rounded outward at 0.1 percentage point — as the sentence and
// every other format state them — so that a cell never shows 12.3% where
// the sentence says 12.4%. The Summary sheet's Exact column holds them
// unrounded.
type lowCell struct{ v *float64 }
type highCell struct{ v *float64 }

// exactCell is a share at full precision, shown to three decimals of a
// percent.
type exactCell struct{ v *float64 }

// num3Cell is a number shown to three decimals (a kappa, a p-value); the
// cell keeps its full precision.
type num3Cell float64

func (x *xw) set(sheet string, col, row int, v any) {
	if x.err != nil {
		return
	}
	cell, err := excelize.CoordinatesToCellName(col, row)
	if err != nil {
		x.err = err
		return
	}
	switch t := v.(type) {
	case nil:
	case string:
		x.err = x.f.SetCellStr(sheet, cell, t)
	case int:
		if x.err = x.f.SetCellInt(sheet, cell, int64(t)); x.err == nil && (t >= 1000 || t <= -1000) {
			x.err = x.f.SetCellStyle(sheet, cell, cell, x.count)
		}
	case float64:
		x.err = x.f.SetCellFloat(sheet, cell, t, -1, 64)
	case *float64:
		if t != nil {
			x.err = x.f.SetCellFloat(sheet, cell, *t, -1, 64)
		}
	case pctCell:
		if t.v != nil {
			style := x.pct
			if *t.v > 0 && *t.v < 0.0005 {
				// It would show as 0.0%, read as "none": the cell keeps
				// the number and shows "<0.1%", as every other format.
				style = x.pctTiny
			}
			if x.err = x.f.SetCellFloat(sheet, cell, *t.v, -1, 64); x.err == nil {
				x.err = x.f.SetCellStyle(sheet, cell, cell, style)
			}
		}
	case lowCell:
		v := roundedPtr(t.v, rate.Down)
		if v != nil && *v == 0 && *t.v > 0 {
			v = t.v // shown "<0.1%", never "0.0%"
		}
		x.set(sheet, col, row, pctCell{v})
	case highCell:
		x.set(sheet, col, row, pctCell{roundedPtr(t.v, rate.Up)})
	case exactCell:
		if t.v != nil {
			if x.err = x.f.SetCellFloat(sheet, cell, *t.v, -1, 64); x.err == nil {
				x.err = x.f.SetCellStyle(sheet, cell, cell, x.exact)
			}
		}
	case num3Cell:
		if x.err = x.f.SetCellFloat(sheet, cell, float64(t), -1, 64); x.err == nil {
			x.err = x.f.SetCellStyle(sheet, cell, cell, x.kappa)
		}
	case bool:
		x.err = x.f.SetCellStr(sheet, cell, yesNo(t))
	default:
		x.err = fmt.Errorf("internal error: cell of type %T", v)
	}
}

// roundedPtr is *v rounded outward at 0.1 percentage point (see lowCell).
func roundedPtr(v *float64, r rate.Rounding) *float64 {
	if v == nil {
		return nil
	}
	return ptr(rate.Rounded(*v, 1, r))
}

func (x *xw) row(sheet string, row int, vals ...any) {
	for i, v := range vals {
		x.set(sheet, i+1, row, v)
	}
}

func (x *xw) header(sheet string, row int, names ...string) {
	for i, n := range names {
		x.set(sheet, i+1, row, n)
	}
	if x.err == nil && len(names) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(names), row)
		start, _ := excelize.CoordinatesToCellName(1, row)
		x.err = x.f.SetCellStyle(sheet, start, end, x.bold)
	}
	// Headers wrap at their words: the row is as tall as the longest needs.
	lines := 1
	for i, n := range names {
		col, _ := excelize.ColumnNumberToName(i + 1)
		if w, err := x.f.GetColWidth(sheet, col); err == nil {
			lines = max(lines, xlsxprint.BoldLines(n, w))
		}
	}
	if x.err == nil && lines > 1 {
		x.err = x.f.SetRowHeight(sheet, row, xlsxprint.RowHeight(lines))
	}
}

func (x *xw) title(sheet string, row int, text string) {
	x.set(sheet, 1, row, text)
	if x.err == nil {
		cell, _ := excelize.CoordinatesToCellName(1, row)
		x.err = x.f.SetCellStyle(sheet, cell, cell, x.heading)
	}
}

func (x *xw) widths(sheet string, ws ...float64) {
	for i, w := range ws {
		if x.err != nil {
			return
		}
		c, _ := excelize.ColumnNumberToName(i + 1)
		x.err = x.f.SetColWidth(sheet, c, c, w)
	}
}

func (x *xw) sheet(name string) {
	if x.err != nil {
		return
	}
	_, x.err = x.f.NewSheet(name)
}

// WriteXLSX writes the report as an Excel workbook: Summary, Cases (one row
// per sampled case with its findings and its answers to the form),
// Breakdown, Focus areas (with the team × focus-area heat map), Moderation,
// Calibration (when any case of the audits up to this one was moderated)
// and Trend sheets, with native charts of the share flagged over time (with
// its interval and the limit, when given), of the grade mix and of the share
// Good or better. Every sheet prints on A4, fitted to the page's width, its
// header row repeated and the protective marking in every page's header and
// footer; the Summary prints on one page.
func WriteXLSX(w io.Writer, r *Report) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.pageTitle, x.mark = r.title(), r.Marking
	if err := x.f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	x.summary(r)
	x.cases(r)
	x.breakdown(r)
	x.focus(r)
	x.factorsSheet(r)
	x.moderation(r)
	if r.Calibration != nil && r.Calibration.Pairs > 0 {
		x.calibrationSheet(r.Calibration)
	}
	x.trend(r.Trend, r.opts.Confidence, r.opts.Method, r.opts.Limit)
	x.print("Summary", xlsxprint.Setup{FitWide: 1, FitTall: 1})
	x.print("Cases", xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1"})
	x.print("Breakdown", xlsxprint.Setup{FitWide: 1})
	x.print("Focus areas", xlsxprint.Setup{Landscape: true, FitWide: 1, FitTall: 1})
	if r.Factors != nil {
		x.print("Factors", xlsxprint.Setup{Landscape: true, FitWide: 1})
	}
	x.print("Moderation", xlsxprint.Setup{FitWide: 1})
	x.print("Trend", xlsxprint.Setup{Landscape: true, FitWide: 1, FitTall: 1})
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	x.f.SetActiveSheet(0)
	_, err = x.f.WriteTo(w)
	return err
}

// keepTogether breaks a sheet's printed pages before any block of rows
// (first and last row, in order) that would otherwise run over the foot of
// a page, so that a table's title is never left at the foot of one page
// and its rows on the next. A block taller than a page starts a page and
// runs on. The page's height is A4's within the margins xlsxprint sets,
// scaled as fitting the sheet to the page's width scales it; the rows'
// heights are the sheet's own (15 pt where unset).
func (x *xw) keepTogether(sheet string, landscape bool, blocks [][2]int) {
	if x.err != nil || len(blocks) == 0 {
		return
	}
	pageW, pageH := 595.0, 842.0 // A4, in points
	if landscape {
		pageW, pageH = pageH, pageW
	}
	const sideMargins, topBottom = 0.8 * 72, 1.4 * 72 // xlsxprint's margins
	cols, err := x.f.GetCols(sheet)
	if err != nil {
		x.err = err
		return
	}
	sheetW := 0.0
	for i := range max(len(cols), 1) {
		name, _ := excelize.ColumnNumberToName(i + 1)
		w, err := x.f.GetColWidth(sheet, name)
		if err != nil {
			x.err = err
			return
		}
		sheetW += (w*7 + 5) * 0.75 // characters to pixels to points
	}
	scale := min(1, (pageW-sideMargins)/sheetW)
	// A tenth kept spare: LibreOffice and Excel set rows a little taller
	// than asked where the text needs it.
	capacity := (pageH - topBottom) / scale * 0.9
	height := func(row int) float64 {
		h, err := x.f.GetRowHeight(sheet, row)
		if err != nil || h <= 0 {
			return 15
		}
		return h
	}
	used, row := 0.0, 1
	for _, b := range blocks {
		for ; row < b[0]; row++ {
			used += height(row)
		}
		need := 0.0
		for r := b[0]; r <= b[1]; r++ {
			need += height(r)
		}
		for used > capacity { // the pages before, filled
			used -= capacity
		}
		if used > 0 && used+need > capacity {
			cell, _ := excelize.CoordinatesToCellName(1, b[0])
			if x.err = x.f.InsertPageBreak(sheet, cell); x.err != nil {
				return
			}
			used = 0
		}
	}
}

// print sets up a sheet's printing, with the report's title and marking.
func (x *xw) print(sheet string, s xlsxprint.Setup) {
	if x.err != nil {
		return
	}
	s.Title, s.Marking = x.pageTitle, x.mark
	x.err = xlsxprint.Apply(x.f, sheet, s)
}

func writeTrendXLSX(w io.Writer, t *Trend) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.pageTitle, x.mark = trendTitle, t.Marking
	if err := x.f.SetSheetName("Sheet1", "Trend"); err != nil {
		return err
	}
	x.trend(t.Audits, t.Confidence, t.Method, t.Limit)
	x.print("Trend", xlsxprint.Setup{Landscape: true, FitWide: 1, FitTall: 1})
	if t.By != "" {
		x.trendBy(t)
	}
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	_, err = x.f.WriteTo(w)
	return err
}

// para writes a paragraph into columns A to last of a row, merged, wrapped,
// the row as tall as the text needs (neither LibreOffice nor Excel fits a
// merged cell's row); width is the merged cells' width.
func (x *xw) para(sheet string, row int, text, last string, width float64) {
	x.set(sheet, 1, row, text)
	if x.err != nil {
		return
	}
	a, b := fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row)
	if x.err = x.f.MergeCell(sheet, a, b); x.err != nil {
		return
	}
	if x.err = x.f.SetCellStyle(sheet, a, b, x.wrap); x.err != nil {
		return
	}
	if n := xlsxprint.Lines(text, width); n > 1 {
		x.err = x.f.SetRowHeight(sheet, row, xlsxprint.RowHeight(n))
	}
}

// summaryWidths are the Summary sheet's columns: a label and three values.
var summaryWidths = []float64{50, 16, 12, 12}

func (x *xw) summary(r *Report) {
	const s = "Summary"
	x.widths(s, summaryWidths...)
	total := 0.0
	for _, w := range summaryWidths {
		total += w
	}
	row := 1
	if r.Marking != "" {
		x.set(s, 1, row, r.Marking)
		if x.err == nil {
			x.err = x.f.SetCellStyle(s, "A1", "A1", x.marking)
		}
		row++
	}
	x.title(s, row, r.title())
	row += 2
	for _, l := range r.meta() {
		x.row(s, row, l.K, l.V)
		if x.err == nil {
			x.err = x.f.MergeCell(s, fmt.Sprintf("B%d", row), fmt.Sprintf("D%d", row))
		}
		row++
	}
	row++
	x.para(s, row, strings.TrimSpace(r.Sentence+" "+r.PopulationNote), "D", total)
	row += 2
	x.header(s, row, "Figure", "Value", "Exact")
	x.rightHeads(s, row, 2, 3)
	row++
	conf := confPct(r.opts.Confidence)
	var pop any
	if r.Population != nil {
		pop = *r.Population
	}
	lines := [][]any{
		{"Population (distinct cases after filters)", pop},
		{"Sampled", r.Sampled},
		{"Audited", r.Audited},
		{"Still to audit", r.ToDo},
		{"Needing immediate attention", r.Flagged},
		{"Share needing immediate attention", pctCell{r.Share}, exactCell{r.Share}},
		{conf + " interval, lower (" + methodName(r.CI.Method) + ")", lowCell{r.CI.Lower}, exactCell{r.CI.Lower}},
		{conf + " interval, upper", highCell{r.CI.Upper}, exactCell{r.CI.Upper}},
		{conf + " upper bound, one-sided", highCell{r.UpperOne}, exactCell{r.UpperOne}},
	}
	if r.FiniteUpper != nil {
		lines = append(lines, []any{conf + " upper bound for the population", highCell{r.FiniteUpper}, exactCell{r.FiniteUpper}},
			[]any{conf + " upper bound for the population, cases", *r.FiniteUpperCount})
	}
	if len(r.Withdrawn) > 0 {
		lines = append(lines, []any{"Withdrawn from the sample (could not be audited)", len(r.Withdrawn)})
	}
	for _, l := range lines {
		x.row(s, row, l...)
		row++
	}
	row++
	x.header(s, row, "Grade", "Cases", "Share")
	x.rightHeads(s, row, 2, 3)
	row++
	for _, g := range r.GradeOrder {
		var sh *float64
		if r.Audited > 0 {
			sh = ptr(float64(r.Grades[g]) / float64(r.Audited))
		}
		x.row(s, row, g, r.Grades[g], pctCell{sh})
		row++
	}
	x.row(s, row, "Good or better", r.Grades[r.GradeOrder[0]]+r.Grades[r.GradeOrder[1]], pctCell{r.GoodOrBetter})
	row += 2
	{
		a := r.Actions
		x.header(s, row, "Follow-up actions", "Value")
		x.rightHeads(s, row, 2, 2)
		row++
		var med any
		if a.MedianDaysToResponse != nil {
			med = *a.MedianDaysToResponse
		}
		for _, l := range [][]any{
			{"Opened", a.Opened},
			{"Waiting for a response", a.Open},
			{"Responded", a.Responded},
			{"Closed", a.Closed},
			{"Overdue on " + a.AsOf, a.Overdue},
			{"Median days to response", med},
		} {
			x.row(s, row, l...)
			row++
		}
		row++
	}
	if c := r.Comparison; c != nil {
		x.header(s, row, "Compared with "+c.Previous, "Value")
		row++
		for _, l := range [][]any{
			{"Previous audit", c.Previous},
			{"Previous: audited", c.PreviousAudited},
			{"Previous: needing immediate attention", c.PreviousFlagged},
			{"Previous: share", pctCell{&c.PreviousShare}},
			{"Difference (this − previous)", pctCell{&c.Difference}},
			{conf + " interval of the difference, lower (Newcombe)", lowCell{&c.DifferenceCI[0]}, exactCell{&c.DifferenceCI[0]}},
			{conf + " interval of the difference, upper", highCell{&c.DifferenceCI[1]}, exactCell{&c.DifferenceCI[1]}},
			{"Fisher's exact test, p", num3Cell(c.FisherP)},
		} {
			x.row(s, row, l...)
			row++
		}
		x.para(s, row, c.Sentence, "D", total)
		row += 2
	}
	if len(r.Withdrawn) > 0 {
		x.header(s, row, "Withdrawn case: reason", "Case ID", "Replaced by", "On")
		row++
		for _, w := range r.Withdrawn {
			x.row(s, row, w.Reason, w.Case, w.Replacement, w.Date)
			row++
		}
		row++
	}
	for _, n := range r.Notes {
		x.para(s, row, "Note: "+n, "D", total)
		row++
	}
}

// caseWidth is how wide a Cases column is: its longest value (at most
// max), the header wrapping at its words.
func caseWidth(header string, values []string, maxWidth float64) float64 {
	w := 6.0
	for _, word := range strings.Fields(header) {
		w = max(w, xlsxprint.BoldWidth(word))
	}
	for _, v := range values {
		w = max(w, xlsxprint.Width(v))
	}
	return math.Ceil(min(w+1.5, maxWidth))
}

func (x *xw) cases(r *Report) {
	const s = "Cases"
	x.sheet(s)
	h := r.caseHeader()
	x.header(s, 1, h...)
	x.rightHeads(s, 1, 1, 1) // the order, a number
	cells := make([][]string, len(r.AllCases))
	for i, c := range r.AllCases {
		cells[i] = r.caseCells(c)
	}
	ws := make([]float64, len(h))
	head := 1
	for j, name := range h {
		var col []string
		for _, c := range cells {
			col = append(col, c[j])
		}
		limit := 24.0
		if name == "Note" {
			limit = 40
		}
		ws[j] = caseWidth(name, col, limit)
		head = max(head, xlsxprint.BoldLines(name, ws[j]))
	}
	x.widths(s, ws...)
	if x.err == nil {
		x.err = x.f.SetRowHeight(s, 1, xlsxprint.RowHeight(head))
	}
	for i, c := range r.AllCases {
		vals := make([]any, len(cells[i]))
		for j, v := range cells[i] {
			vals[j] = v
		}
		vals[0] = c.Order
		x.row(s, i+2, vals...)
		// Long notes and answers wrap; the row is as tall as they need.
		lines := 1
		for j, v := range cells[i] {
			if xlsxprint.Width(v) > ws[j]-1 {
				lines = max(lines, xlsxprint.Lines(v, ws[j]))
			}
		}
		if lines > 1 && x.err == nil {
			end, _ := excelize.CoordinatesToCellName(len(h), i+2)
			if x.err = x.f.SetCellStyle(s, fmt.Sprintf("A%d", i+2), end, x.wrap); x.err == nil {
				x.err = x.f.SetRowHeight(s, i+2, xlsxprint.RowHeight(lines))
			}
		}
	}
	if x.err == nil {
		x.err = x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 2, TopLeftCell: "C2", ActivePane: "bottomRight"})
	}
	if x.err == nil && len(h) > 0 {
		end, _ := excelize.CoordinatesToCellName(len(h), 1)
		x.err = x.f.AutoFilter(s, "A1:"+end, nil)
	}
}

func (x *xw) breakdown(r *Report) {
	const s = "Breakdown"
	x.sheet(s)
	x.widths(s, 28, 10, 10, 10, 10, 12, 12)
	if r.By == "" {
		x.row(s, 1, fmt.Sprintf("No breakdown: give %s FIELD (a recorded column, stratum or auditor).", opt.By.Flag()))
		return
	}
	x.title(s, 1, "By "+r.byLabel())
	conf := confPct(r.opts.Confidence)
	x.header(s, 3, r.byLabel(), "Sampled", "Audited", "Flagged", "Share", conf+" lower", conf+" upper")
	x.rightHeads(s, 3, 2, 7)
	for i, g := range r.Breakdown {
		x.row(s, i+4, g.Group, g.Sampled, g.Audited, g.Flagged, pctCell{g.Share}, lowCell{g.Lower}, highCell{g.Upper})
	}
}

func (x *xw) moderation(r *Report) {
	const s = "Moderation"
	x.sheet(s)
	x.widths(s, 30, 21, 21, 21, 21, 12)
	m := r.Moderation
	if m == nil {
		x.row(s, 1, "No moderation sample has been drawn for this audit.")
		return
	}
	x.title(s, 1, "Moderation")
	row := 3
	for _, l := range [][]any{
		{"Cases drawn for moderation", m.Sample},
		{"Moderated (pairs)", m.Pairs},
		{"Moderation seed", m.Seed},
		{"Exact agreement on grade", pctCell{m.Agreement}},
		{"Cohen's kappa", kappaCell(m.Kappa, m.Pairs)},
		{"Weighted kappa (linear)", kappaCell(m.Linear, m.Pairs)},
		{"Weighted kappa (quadratic)", kappaCell(m.Quadratic, m.Pairs)},
		{"Agreement on immediate attention", pctCell{m.ImmediateAgreement}},
	} {
		x.row(s, row, l...)
		row++
	}
	row++
	x.header(s, row, append([]string{"Auditor \\ moderator"}, r.GradeOrder...)...)
	x.rightHeads(s, row, 2, 1+len(r.GradeOrder))
	row++
	for i, g := range r.GradeOrder {
		vals := []any{g}
		for j := range r.GradeOrder {
			vals = append(vals, m.Table[i][j])
		}
		x.row(s, row, vals...)
		row++
	}
	row++
	x.header(s, row, "Disagreement: case ID", "Auditor's grade", "Moderator's grade", "Auditor: immediate", "Moderator: immediate")
	row++
	for _, d := range m.Disagreements {
		x.row(s, row, d.Case, d.Original, d.Moderated, d.OriginalImmediate, d.ModeratedImmediate)
		row++
	}
}

func kappaCell(v *float64, pairs int) any {
	if v == nil {
		if pairs == 0 {
			return nil
		}
		return "not defined"
	}
	return num3Cell(*v)
}

// trendFocusKeys lists the grade questions of the audits' forms, in the
// order they first appear, with their labels.
func trendFocusKeys(ps []TrendPoint) (keys []string, labels map[string]string) {
	labels = map[string]string{}
	for _, p := range ps {
		for _, f := range p.FocusAreas {
			if _, ok := labels[f.Key]; !ok {
				keys = append(keys, f.Key)
				labels[f.Key] = f.Label
			}
		}
	}
	return keys, labels
}

func (p TrendPoint) focusShare(key string) *float64 {
	for _, f := range p.FocusAreas {
		if f.Key == key {
			return f.GoodOrBetter
		}
	}
	return nil
}

// limitLabel names the limit line of the trend charts.
func limitLabel(limit float64) string { return "Limit (" + pct(limit, nearest) + ")" }

// trend writes the Trend sheet and its charts: the share flagged with its
// interval (and the limit, when given, as a line), the grade mix, and the
// share Good or better, overall and per focus area.
func (x *xw) trend(ps []TrendPoint, conf float64, method string, limit *float64) {
	const s = "Trend"
	if idx, _ := x.f.GetSheetIndex(s); idx < 0 {
		x.sheet(s)
	}
	c := confPct(conf)
	// Two tables, one below the other, so that the sheet prints large
	// enough to read on one landscape page: the share flagged with the
	// columns the text and HTML trend show (the period, the status; the
	// interval as two bounds), the grades, the limit and the factors; then,
	// as the HTML's second table, the share Good or better overall and per
	// focus area. The charts draw from both.
	h := []string{"Audit", "Period", "Status", "Created", "Sampled", "Audited", "Flagged", "Share", c + " lower", c + " upper"}
	const shareCol = 8 // 1-based: Share, then the interval's bounds
	gradeCol := len(h) + 1
	h = append(h, gradeNames()...)
	limitCol := 0
	if limit != nil {
		h = append(h, limitLabel(*limit))
		limitCol = len(h)
	}
	names, statuses := make([]string, len(ps)), make([]string, len(ps))
	var open []string
	for i, p := range ps {
		names[i] = p.Audit
		if p.Incomplete { // marked, and said below the table
			names[i] += " *"
			open = append(open, p.Audit+statusNote(p))
		}
		if p.Retired {
			names[i] += " (retired)"
		}
		statuses[i] = p.StatusMark()
	}
	ws := []float64{caseWidth("Audit", names, 30), 9, caseWidth("Status", statuses, 26), 11, 9, 9, 9, 9, 10, 10, 12, 9, 13, 11}
	if limit != nil {
		ws = append(ws, 11)
	}
	keys, labels := trendFocusKeys(ps)
	for len(ws) < 3+len(keys) { // the second table wider than the first
		ws = append(ws, 15)
	}
	// The focus areas' names head the second table's columns, wrapped at
	// their words: each column at least as wide as its longest word.
	for i, k := range keys {
		for _, word := range strings.Fields(labels[k]) {
			ws[3+i] = max(ws[3+i], 12, math.Ceil(xlsxprint.BoldWidth(word)+1.5))
		}
	}
	x.widths(s, ws...)
	x.header(s, 1, h...)
	x.rightHeads(s, 1, 5, len(h)) // over the numbers: each header above its own column's
	for i, p := range ps {
		vals := []any{names[i], p.Period, statuses[i], p.Created.Format("2006-01-02"), p.Sampled, p.Audited, p.Flagged, pctCell{p.Share}, lowCell{p.Lower}, highCell{p.Upper}}
		for _, g := range gradeNames() {
			if p.Retired { // its sealed summary keeps no grades
				vals = append(vals, "—")
				continue
			}
			vals = append(vals, p.Grades[g])
		}
		if limit != nil {
			vals = append(vals, pctCell{limit})
		}
		x.row(s, i+2, vals...)
	}
	x.trendFactorsXLSX(s, ps, len(h)+1)
	row := len(ps) + 3
	var notes []string
	if len(open) > 0 {
		notes = append(notes, "* Not every sampled case is recorded yet, so the figures may still move: "+strings.Join(open, "; ")+".")
	}
	if note := strings.TrimSpace(retiredIntro(ps)); note != "" {
		notes = append(notes, "(retired) "+note)
	}
	if len(notes) > 0 {
		// Wrapped across the table, so it prints within the page.
		end, _ := excelize.ColumnNumberToName(len(h))
		total := 0.0
		for _, w := range ws[:len(h)] {
			total += w
		}
		x.para(s, row, strings.Join(notes, " "), end, total)
		row += 2
	}
	// The second table: Good or better, overall and per focus area.
	x.title(s, row, "Share Good or better (Outstanding or Good), overall and by focus area")
	goodHead := row + 1
	gh := []string{"Audit", "Audited", "Good or better"}
	for _, k := range keys {
		gh = append(gh, labels[k])
	}
	x.header(s, goodHead, gh...)
	x.rightHeads(s, goodHead, 2, len(gh))
	for i, p := range ps {
		vals := []any{names[i], p.Audited, pctCell{p.GoodOrBetter}}
		for _, k := range keys {
			vals = append(vals, pctCell{p.focusShare(k)})
		}
		x.row(s, goodHead+1+i, vals...)
	}
	head := 1
	for i, name := range gh {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if w, err := x.f.GetColWidth(s, c); err == nil {
			head = max(head, xlsxprint.BoldLines(name, w))
		}
	}
	if x.err == nil {
		x.err = x.f.SetRowHeight(s, goodHead, xlsxprint.RowHeight(head))
	}
	if x.err != nil || len(ps) == 0 {
		return
	}
	last := len(ps) + 1
	cats := fmt.Sprintf("Trend!$A$2:$A$%d", last)
	letter := func(n int) string { l, _ := excelize.ColumnNumberToName(n); return l }
	col := func(l string) string { return fmt.Sprintf("Trend!$%s$2:$%s$%d", l, l, last) }
	pctFmt := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	limitSeries := func() excelize.ChartSeries {
		l := letter(limitCol)
		return excelize.ChartSeries{Name: fmt.Sprintf("Trend!$%s$1", l), Categories: cats, Values: col(l),
			Line:   excelize.LineOptions{Width: 2, Dash: excelize.LineDashSysDash},
			Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"C00000"}},
			Marker: excelize.ChartMarker{Symbol: "none"}}
	}
	named := func(n int) (string, string) { l := letter(n); return fmt.Sprintf("Trend!$%s$1", l), col(l) }
	shareName, shareVals := named(shareCol)
	lowName, lowVals := named(shareCol + 1)
	highName, highVals := named(shareCol + 2)
	series := []excelize.ChartSeries{
		{Name: shareName, Categories: cats, Values: shareVals, Line: excelize.LineOptions{Width: 2.25},
			Marker: excelize.ChartMarker{Symbol: "circle", Size: 6}},
		{Name: lowName, Categories: cats, Values: lowVals,
			Line: excelize.LineOptions{Width: 1, Dash: excelize.LineDashDash}, Marker: excelize.ChartMarker{Symbol: "dash"}},
		{Name: highName, Categories: cats, Values: highVals,
			Line: excelize.LineOptions{Width: 1, Dash: excelize.LineDashDash}, Marker: excelize.ChartMarker{Symbol: "dash"}},
	}
	if limit != nil {
		series = append(series, limitSeries())
	}
	top := goodHead + len(ps) + 2
	x.err = x.f.AddChart(s, "A"+fmt.Sprint(top), &excelize.Chart{
		Type:      excelize.Line,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Share needing immediate attention, with " + c + " interval (" + methodName(method) + ")"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{NumFmt: pctFmt, MajorGridLines: true, Minimum: ptr(0.0), Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 640, Height: 320},
	})
	if x.err != nil {
		return
	}
	series = nil
	for i := range gradeNames() {
		l := letter(gradeCol + i)
		series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("Trend!$%s$1", l), Categories: cats, Values: col(l),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{gradeFills[i][1:]}}})
	}
	x.err = x.f.AddChart(s, "J"+fmt.Sprint(top), &excelize.Chart{
		Type:      excelize.ColPercentStacked,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Grade mix of the audited cases"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{NumFmt: pctFmt, MajorGridLines: true, Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 560, Height: 320},
	})
	if x.err != nil {
		return
	}
	// The second table's rows.
	goodCats := fmt.Sprintf("Trend!$A$%d:$A$%d", goodHead+1, goodHead+len(ps))
	good := func(n int) (string, string) {
		l := letter(n)
		return fmt.Sprintf("Trend!$%s$%d", l, goodHead), fmt.Sprintf("Trend!$%s$%d:$%s$%d", l, goodHead+1, l, goodHead+len(ps))
	}
	goodName, goodVals := good(3)
	series = []excelize.ChartSeries{{Name: goodName, Categories: goodCats, Values: goodVals,
		Line: excelize.LineOptions{Width: 2.5}, Marker: excelize.ChartMarker{Symbol: "circle", Size: 6}}}
	// Focus areas often lie within a few points of each other: each line
	// has its own dash and marker, so they tell apart in black and white.
	dashes := []excelize.LineDashType{excelize.LineDashDash, excelize.LineDashSysDot, excelize.LineDashLgDashDot,
		excelize.LineDashSysDash, excelize.LineDashLgDash, excelize.LineDashSysDashDotDot}
	markers := []string{"square", "diamond", "triangle", "x", "star", "plus"}
	for i := range keys {
		name, vals := good(4 + i)
		series = append(series, excelize.ChartSeries{Name: name, Categories: goodCats, Values: vals,
			Line:   excelize.LineOptions{Width: 1.5, Dash: dashes[i%len(dashes)]},
			Marker: excelize.ChartMarker{Symbol: markers[i%len(markers)], Size: 6}})
	}
	x.err = x.f.AddChart(s, "A"+fmt.Sprint(top+18), &excelize.Chart{
		Type:      excelize.Line,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Share Good or better, overall and by focus area"}}},
		Legend:    excelize.ChartLegend{Position: "right"},
		XAxis:     excelize.ChartAxis{Font: axisFont},
		YAxis:     excelize.ChartAxis{NumFmt: pctFmt, MajorGridLines: true, Minimum: ptr(0.0), Maximum: ptr(1.0), Font: axisFont},
		Dimension: excelize.ChartDimension{Width: 1000, Height: 340},
	})
}

// focus writes the Focus areas sheet: the grade questions' answers and
// share Good or better, the other questions' answers, the team ×
// focus-area table coloured as a heat map (with its legend).
func (x *xw) focus(r *Report) {
	const s = "Focus areas"
	x.sheet(s)
	answerWidth := 13.0
	for _, fa := range r.FocusAreas {
		if fa.Kind == audit.QuestionGrade {
			continue
		}
		for _, a := range append(fa.AnswerOrder, "(free text, answered)") {
			answerWidth = max(answerWidth, math.Ceil(xlsxprint.Width(a)+1.5))
		}
	}
	x.widths(s, 36, answerWidth, 13, 20, 13, 15, 10, 15)
	row := 1
	x.title(s, row, "Focus areas")
	row += 2
	if len(r.FocusAreas) == 0 {
		x.row(s, row, "The audit has no form: there are no focus areas.")
	} else {
		h := append([]string{"Focus area"}, r.GradeOrder...)
		h = append(h, audit.GradeNotApplicable, "Graded", "Good or better")
		x.header(s, row, h...)
		x.rightHeads(s, row, 2, len(h))
		row++
		for _, fa := range r.FocusAreas {
			if fa.Kind != audit.QuestionGrade {
				continue
			}
			vals := []any{fa.Label}
			for _, g := range r.GradeOrder {
				vals = append(vals, fa.Answers[g])
			}
			var na any
			if n, ok := fa.Answers[audit.GradeNotApplicable]; ok {
				na = n
			}
			vals = append(vals, na, fa.Graded, pctCell{fa.GoodOrBetter})
			x.row(s, row, vals...)
			row++
		}
		row++
		first := true
		for _, fa := range r.FocusAreas {
			if fa.Kind == audit.QuestionGrade {
				continue
			}
			if first {
				x.header(s, row, "Question", "Answer", "Cases")
				x.rightHeads(s, row, 3, 3)
				row++
				first = false
			}
			if fa.Kind == audit.QuestionText {
				x.row(s, row, fa.Label, "(free text, answered)", fa.Answered)
				row++
				continue
			}
			for _, a := range fa.AnswerOrder {
				x.row(s, row, fa.Label, a, fa.Answers[a])
				row++
			}
		}
		if !first {
			row++
		}
		if ft := r.FocusTeams; ft != nil && len(ft.Teams) > 0 {
			x.title(s, row, "Good or better by "+ft.Column+" (share of the cases graded)")
			row++
			h := []string{ft.Column, "Audited"}
			for _, k := range ft.Areas {
				h = append(h, r.areaLabel(k))
			}
			// Each column at least as wide as its header's longest word.
			for i, name := range h {
				col, _ := excelize.ColumnNumberToName(i + 1)
				w, _ := x.f.GetColWidth(s, col)
				for _, word := range strings.Fields(name) {
					w = max(w, math.Ceil(xlsxprint.BoldWidth(word)+1.5))
				}
				if x.err == nil {
					x.err = x.f.SetColWidth(s, col, col, w)
				}
			}
			x.header(s, row, h...)
			x.rightHeads(s, row, 2, len(h))
			row++
			for _, t := range ft.Teams {
				x.row(s, row, t.Team, t.Audited)
				for i, c := range t.Cells {
					x.set(s, i+3, row, pctCell{c.GoodOrBetter})
					if band := heatBand(c.GoodOrBetter); band != "" && x.err == nil {
						cell, _ := excelize.CoordinatesToCellName(i+3, row)
						x.err = x.f.SetCellStyle(s, cell, cell, x.heat[band])
					}
				}
				row++
			}
			x.row(s, row, heatLegend)
			row++
			for _, l := range []struct{ band, text string }{{"red", "below 50%"}, {"amber", "50% to under 75%"}, {"green", "75% or more"}} {
				x.set(s, 1, row, l.text)
				if x.err == nil {
					cell, _ := excelize.CoordinatesToCellName(1, row)
					x.err = x.f.SetCellStyle(s, cell, cell, x.heat[l.band])
				}
				row++
			}
		}
	}
}
