package report

import (
	"fmt"
	"io"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/xuri/excelize/v2"
)

// xw writes a workbook: text always as text (never a formula), numbers as
// numbers, shares as numbers formatted as percentages.
type xw struct {
	f       *excelize.File
	pct     int // style: 0.0%
	bold    int
	wrap    int
	heading int
	heat    map[string]int // heat-map band → style (percentage on a fill)
	err     error
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
	if x.bold, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}}}); err != nil {
		return nil, err
	}
	if x.heading, err = f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true, Size: 13}}); err != nil {
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
		x.err = x.f.SetCellInt(sheet, cell, int64(t))
	case float64:
		x.err = x.f.SetCellFloat(sheet, cell, t, -1, 64)
	case *float64:
		if t != nil {
			x.err = x.f.SetCellFloat(sheet, cell, *t, -1, 64)
		}
	case pctCell:
		if t.v != nil {
			if x.err = x.f.SetCellFloat(sheet, cell, *t.v, -1, 64); x.err == nil {
				x.err = x.f.SetCellStyle(sheet, cell, cell, x.pct)
			}
		}
	case bool:
		x.err = x.f.SetCellStr(sheet, cell, yesNo(t))
	default:
		x.err = fmt.Errorf("internal error: cell of type %T", v)
	}
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
// per sampled case with its findings), Breakdown, Focus areas (with the
// team × focus-area heat map), Moderation and Trend sheets, with native charts of the share flagged over time (with its
// interval) and of the grade mix.
func WriteXLSX(w io.Writer, r *Report) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	if err := x.f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	x.summary(r)
	x.cases(r)
	x.breakdown(r)
	x.focus(r)
	x.factorsSheet(r)
	x.moderation(r)
	x.trend(r.Trend, r.opts.Confidence, r.opts.Method)
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
	if err := x.f.SetSheetName("Sheet1", "Trend"); err != nil {
		return err
	}
	x.trend(t.Audits, t.Confidence, t.Method)
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	_, err = x.f.WriteTo(w)
	return err
}

func (x *xw) summary(r *Report) {
	const s = "Summary"
	x.widths(s, 42, 22, 14, 14)
	row := 1
	x.title(s, row, r.title())
	row += 2
	for _, l := range r.meta() {
		x.row(s, row, l.K, l.V)
		row++
	}
	row++
	x.set(s, 1, row, r.Sentence)
	if x.err == nil {
		x.err = x.f.MergeCell(s, fmt.Sprintf("A%d", row), fmt.Sprintf("D%d", row))
	}
	if x.err == nil {
		x.err = x.f.SetCellStyle(s, fmt.Sprintf("A%d", row), fmt.Sprintf("A%d", row), x.wrap)
	}
	if x.err == nil {
		x.err = x.f.SetRowHeight(s, row, 48)
	}
	row += 2
	x.header(s, row, "Figure", "Value")
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
		{"Share needing immediate attention", pctCell{r.Share}},
		{conf + " interval, lower (" + methodName(r.CI.Method) + ")", pctCell{r.CI.Lower}},
		{conf + " interval, upper", pctCell{r.CI.Upper}},
		{conf + " upper bound, one-sided", pctCell{r.UpperOne}},
	}
	if r.FiniteUpper != nil {
		lines = append(lines, []any{conf + " upper bound for the population", pctCell{r.FiniteUpper}},
			[]any{conf + " upper bound for the population, cases", *r.FiniteUpperCount})
	}
	for _, l := range lines {
		x.row(s, row, l...)
		row++
	}
	row++
	x.header(s, row, "Grade", "Cases", "Share")
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
			{conf + " interval of the difference, lower (Newcombe)", pctCell{&c.DifferenceCI[0]}},
			{conf + " interval of the difference, upper", pctCell{&c.DifferenceCI[1]}},
			{"Fisher's exact test, p", c.FisherP},
			{c.Sentence, nil},
		} {
			x.row(s, row, l...)
			row++
		}
		row++
	}
	for _, n := range r.Notes {
		x.row(s, row, "Note: "+n)
		row++
	}
}

func (x *xw) cases(r *Report) {
	const s = "Cases"
	x.sheet(s)
	h := r.caseHeader()
	x.header(s, 1, h...)
	ws := make([]float64, len(h))
	for i := range ws {
		ws[i] = 16
	}
	ws[0] = 8
	ws[len(ws)-5] = 50 // Note
	x.widths(s, ws...)
	for i, c := range r.AllCases {
		cells := r.caseCells(c)
		vals := make([]any, len(cells))
		for j, v := range cells {
			vals[j] = v
		}
		vals[0] = c.Order
		x.row(s, i+2, vals...)
	}
	if x.err == nil {
		x.err = x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
}

func (x *xw) breakdown(r *Report) {
	const s = "Breakdown"
	x.sheet(s)
	x.widths(s, 28, 10, 10, 10, 10, 12, 12)
	if r.By == "" {
		x.row(s, 1, opt.Spell(fmt.Sprintf("No breakdown: give %s FIELD (a recorded column, stratum or auditor).", opt.By), opt.Flags))
		return
	}
	x.title(s, 1, "By "+r.byLabel())
	conf := confPct(r.opts.Confidence)
	x.header(s, 3, r.byLabel(), "Sampled", "Audited", "Flagged", "Share", conf+" lower", conf+" upper")
	for i, g := range r.Breakdown {
		x.row(s, i+4, g.Group, g.Sampled, g.Audited, g.Flagged, pctCell{g.Share}, pctCell{g.Lower}, pctCell{g.Upper})
	}
}

func (x *xw) moderation(r *Report) {
	const s = "Moderation"
	x.sheet(s)
	x.widths(s, 30, 16, 16, 22, 16, 22)
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
	return *v
}

// trend writes the Trend sheet and its two charts.
func (x *xw) trend(ps []TrendPoint, conf float64, method string) {
	const s = "Trend"
	if idx, _ := x.f.GetSheetIndex(s); idx < 0 {
		x.sheet(s)
	}
	c := confPct(conf)
	h := []string{"Audit", "Created", "Sampled", "Audited", "Flagged", "Share", c + " lower", c + " upper"}
	h = append(h, gradeNames()...)
	x.header(s, 1, h...)
	x.widths(s, 18, 12, 10, 10, 10, 10, 12, 12, 13, 10, 20, 12)
	for i, p := range ps {
		vals := []any{p.Audit, p.Created.Format("2006-01-02"), p.Sampled, p.Audited, p.Flagged, pctCell{p.Share}, pctCell{p.Lower}, pctCell{p.Upper}}
		for _, g := range gradeNames() {
			vals = append(vals, p.Grades[g])
		}
		x.row(s, i+2, vals...)
	}
	x.trendFactorsXLSX(s, ps, len(h)+1)
	if x.err != nil || len(ps) == 0 {
		return
	}
	last := len(ps) + 1
	cats := fmt.Sprintf("Trend!$A$2:$A$%d", last)
	col := func(letter string) string { return fmt.Sprintf("Trend!$%s$2:$%s$%d", letter, letter, last) }
	pctFmt := excelize.ChartNumFmt{CustomNumFmt: "0%"}
	x.err = x.f.AddChart(s, "A"+fmt.Sprint(last+3), &excelize.Chart{
		Type: excelize.Line,
		Series: []excelize.ChartSeries{
			{Name: "Trend!$F$1", Categories: cats, Values: col("F"), Line: excelize.LineOptions{Width: 2.25},
				Marker: excelize.ChartMarker{Symbol: "circle", Size: 6}},
			{Name: "Trend!$G$1", Categories: cats, Values: col("G"),
				Line: excelize.LineOptions{Width: 1, Dash: excelize.LineDashDash}, Marker: excelize.ChartMarker{Symbol: "dash"}},
			{Name: "Trend!$H$1", Categories: cats, Values: col("H"),
				Line: excelize.LineOptions{Width: 1, Dash: excelize.LineDashDash}, Marker: excelize.ChartMarker{Symbol: "dash"}},
		},
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Share needing immediate attention, with " + c + " interval (" + methodName(method) + ")"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		YAxis:     excelize.ChartAxis{NumFmt: pctFmt, MajorGridLines: true, Minimum: ptr(0.0)},
		Dimension: excelize.ChartDimension{Width: 640, Height: 320},
	})
	if x.err != nil {
		return
	}
	var series []excelize.ChartSeries
	for i := range gradeNames() {
		letter, _ := excelize.ColumnNumberToName(9 + i)
		series = append(series, excelize.ChartSeries{Name: fmt.Sprintf("Trend!$%s$1", letter), Categories: cats, Values: col(letter),
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{gradeFills[i][1:]}}})
	}
	x.err = x.f.AddChart(s, "J"+fmt.Sprint(last+3), &excelize.Chart{
		Type:      excelize.ColPercentStacked,
		Series:    series,
		Title:     excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: "Grade mix of the audited cases"}}},
		Legend:    excelize.ChartLegend{Position: "bottom"},
		YAxis:     excelize.ChartAxis{NumFmt: pctFmt, MajorGridLines: true},
		Dimension: excelize.ChartDimension{Width: 560, Height: 320},
	})
}

// focus writes the Focus areas sheet: the grade questions' answers and
// share Good or better, the other questions' answers, the team ×
// focus-area table coloured as a heat map (with its legend).
func (x *xw) focus(r *Report) {
	const s = "Focus areas"
	x.sheet(s)
	x.widths(s, 36, 13, 13, 20, 13, 15, 10, 15)
	row := 1
	x.title(s, row, "Focus areas")
	row += 2
	if len(r.FocusAreas) == 0 {
		x.row(s, row, "The audit has no form: there are no focus areas.")
		row += 2
	} else {
		h := append([]string{"Focus area"}, r.GradeOrder...)
		h = append(h, audit.GradeNotApplicable, "Graded", "Good or better")
		x.header(s, row, h...)
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
			x.header(s, row, h...)
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
			row++
		}
	}
}
