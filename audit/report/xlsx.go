package report

import (
	"fmt"
	"io"
	"math"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// WriteXLSX writes the report as an Excel workbook: Summary, Cases (one row
// per sampled case with its findings and its answers to the form),
// Breakdown, Focus areas (with the team × focus-area heat map), Moderation
// (when a moderation sample was drawn; else the Summary says there was none),
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
	// The Cases sheet's twenty-odd columns fitted to one page's width set
	// the type at about 5 pt: it prints two pages wide instead, at about
	// full size, each page with the order and the case ID, a row's two
	// pages one after the other. One sheet still, not the answers split
	// into another: on screen it stays one table to filter and sort. The
	// pages split where the first is full (Excel and LibreOffice ignore a
	// manual break in a sheet fitted to pages).
	x.print("Cases", xlsxprint.Setup{Landscape: true, FitWide: 2, RepeatRows: "$1:$1", RepeatCols: "$A:$B"})
	x.print("Breakdown", xlsxprint.Setup{FitWide: 1})
	x.print("Focus areas", xlsxprint.Setup{Landscape: true, FitWide: 1, FitTall: 1})
	if r.Factors != nil {
		x.print("Factors", xlsxprint.Setup{Landscape: true, FitWide: 1})
	}
	if r.Moderation != nil {
		x.print("Moderation", xlsxprint.Setup{FitWide: 1})
	}
	x.print("Trend", xlsxprint.Setup{Landscape: true, FitWide: 1, FitTall: 1})
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	x.f.SetActiveSheet(0)
	_, err = x.f.WriteTo(w)
	return err
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
	meta := r.meta()
	if r.Moderation == nil {
		meta = append(meta, kv{"Moderation", noModeration})
	}
	// The values are merged over B:D, and a merged cell never runs on past
	// its last column: a longer value (the "Made by" line with the
	// executable's SHA-256, a long export path) wraps within it instead,
	// its row as tall as its lines, so that the printed page shows it whole.
	valueWidth := total - summaryWidths[0] - 1
	for _, l := range meta {
		x.row(s, row, l.K, l.V)
		a, d := fmt.Sprintf("A%d", row), fmt.Sprintf("D%d", row)
		if x.err == nil {
			x.err = x.f.MergeCell(s, fmt.Sprintf("B%d", row), d)
		}
		if n := xlsxprint.Lines(l.V, valueWidth); n > 1 && x.err == nil {
			if x.err = x.f.SetCellStyle(s, a, d, x.wrap); x.err == nil {
				x.err = x.f.SetRowHeight(s, row, xlsxprint.RowHeight(n))
			}
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
			{"Of those, overdue on " + a.AsOf, a.Overdue},
			{"Responded, not yet closed", a.RespondedNotClosed},
			{"Closed", a.Closed},
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
			{conf + " interval of the difference, lower (Miettinen–Nurminen)", lowCell{&c.DifferenceCI[0]}, exactCell{&c.DifferenceCI[0]}},
			{conf + " interval of the difference, upper", highCell{&c.DifferenceCI[1]}, exactCell{&c.DifferenceCI[1]}},
			{"Score test, p", num3Cell(c.P)},
		} {
			x.row(s, row, l...)
			row++
		}
		x.para(s, row, c.Sentence, "D", total)
		row++
		// The method is a paragraph, not a row: a row's long value would
		// widen the printed page to fit it.
		x.para(s, row, "Method: "+comparisonMethod, "D", total)
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
	if len(ws) > 1 {
		ws[1]++ // the case ID is set in from the order (below) by an indent's width
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
	// The Case ID is text beside the order's number: set in from it, so
	// that "12" and "CR-0012" do not read as one.
	x.styleCell(s, 2, 1, x.boldGap)
	for i := range r.AllCases {
		style := x.gap
		if cs, _ := x.f.GetCellStyle(s, fmt.Sprintf("A%d", i+2)); cs == x.wrap {
			style = x.wrapGap
		}
		x.styleCell(s, 2, i+2, style)
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

// noModeration is what the workbook says of an audit without a
// moderation sample, on its Summary.
const noModeration = "None drawn for this audit"

func (x *xw) moderation(r *Report) {
	const s = "Moderation"
	// A month without moderation has no sheet, which would print a page
	// for its one sentence: the Summary says so instead.
	m := r.Moderation
	if m == nil {
		return
	}
	x.sheet(s)
	x.widths(s, 30, 21, 21, 21, 21, 12)
	x.title(s, 1, "Moderation")
	row := 3
	for _, l := range [][]any{
		{"Cases drawn for moderation", m.Sample},
		{"Moderated (pairs)", m.Pairs},
		{"Moderation seed", m.Seed},
		{"Exact agreement on grade", pctCell{m.Agreement}},
		{"Cohen's kappa", kappaCell(m.Kappa, m.Pairs, false)},
		{"Weighted kappa (linear)", kappaCell(m.Linear, m.Pairs, false)},
		{"Weighted kappa (quadratic)", kappaCell(m.Quadratic, m.Pairs, false)},
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
