package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/xuri/excelize/v2"
)

// The profile as a workbook: a Summary sheet (the sentences, the figures,
// the notes), then Caseload, Changes and Timeliness sheets, each with its
// tables and a native chart, Workers (only with --include-names) and
// Problems (cells that could not be read).

func writeProfileXLSX(w io.Writer, r *ProfileReport) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	dec, err := x.f.NewStyle(&excelize.Style{CustomNumFmt: ptr("0.0")})
	if err != nil {
		return err
	}
	count, err := x.f.NewStyle(&excelize.Style{NumFmt: 3}) // #,##0
	if err != nil {
		return err
	}
	if err := x.f.SetSheetName("Sheet1", "Summary"); err != nil {
		return err
	}
	x.pageTitle, x.mark = r.Title(), r.Marking
	px := &profileXW{xw: x, dec: dec, count: count}
	px.summary(r)
	px.caseload(r)
	px.changes(r)
	px.timeliness(r)
	px.workers(r)
	px.problems(r)
	for _, name := range x.f.GetSheetList() {
		s := xlsxprint.Setup{Landscape: true, FitWide: 1}
		switch name { // the sheets of one long table repeat its header
		case "Workers":
			s.RepeatRows = "$1:$1"
		case "Problems":
			s.RepeatRows = "$3:$3"
		}
		x.print(name, s)
	}
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	x.f.SetActiveSheet(0)
	_, err = x.f.WriteTo(w)
	return err
}

type profileXW struct {
	*xw
	dec   int // style: 0.0
	count int // style: #,##0
}

// deref is *v, or nil (an empty cell).
func deref(v *float64) any {
	if v == nil {
		return nil
	}
	return *v
}

// decCell marks a value to be written with one decimal.
type decCell struct{ v *float64 }

func (x *profileXW) put(sheet string, col, row int, v any) {
	if n, ok := v.(int); ok {
		x.set(sheet, col, row, n)
		if x.err == nil {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			x.err = x.f.SetCellStyle(sheet, cell, cell, x.count)
		}
		return
	}
	if d, ok := v.(decCell); ok {
		if d.v == nil || x.err != nil {
			return
		}
		x.set(sheet, col, row, *d.v)
		if x.err == nil {
			cell, _ := excelize.CoordinatesToCellName(col, row)
			x.err = x.f.SetCellStyle(sheet, cell, cell, x.dec)
		}
		return
	}
	x.set(sheet, col, row, v)
}

func (x *profileXW) line(sheet string, row int, vals ...any) {
	for i, v := range vals {
		x.put(sheet, i+1, row, v)
	}
}

// paragraph writes a sentence across columns A to last (width wide in
// all), wrapped, in a row tall enough for it.
func (x *profileXW) paragraph(sheet string, row int, last string, width float64, text string) {
	x.set(sheet, 1, row, text)
	if x.err != nil {
		return
	}
	a, l := fmt.Sprintf("A%d", row), fmt.Sprintf("%s%d", last, row)
	if x.err = x.f.MergeCell(sheet, a, l); x.err != nil {
		return
	}
	if x.err = x.f.SetCellStyle(sheet, a, a, x.wrap); x.err != nil {
		return
	}
	x.err = x.f.SetRowHeight(sheet, row, xlsxprint.RowHeight(xlsxprint.Lines(text, width)))
}

func quoteSheet(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }

func colRange(sheet, col string, from, to int) string {
	return fmt.Sprintf("%s!$%s$%d:$%s$%d", quoteSheet(sheet), col, from, col, to)
}

func cellRef(sheet, col string, row int) string {
	return fmt.Sprintf("%s!$%s$%d", quoteSheet(sheet), col, row)
}

func chartTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Bold: true, Size: 12}}}}
}

func axisTitle(s string) excelize.ChartTitle {
	return excelize.ChartTitle{Paragraph: []excelize.RichTextRun{{Text: s, Font: &excelize.Font{Size: 10}}}}
}

// axisFont is dark enough to read in print (the default is a pale grey).
var axisFont = excelize.Font{Color: "333333", Size: 9}

func fill(hex string) excelize.Fill {
	return excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{strings.TrimPrefix(hex, "#")}}
}

func (x *profileXW) summary(r *ProfileReport) {
	const s = "Summary"
	x.widths(s, 66, 26, 14, 14)
	row := 1
	if r.Marking != "" {
		x.set(s, 1, row, r.Marking)
		if x.err == nil {
			x.err = x.f.SetCellStyle(s, "A1", "A1", x.marking)
		}
		row++
	}
	x.title(s, row, r.Title())
	row += 2
	for _, l := range r.meta() {
		x.row(s, row, l.K, l.V)
		row++
	}
	row++
	for _, sentence := range r.Summary() {
		x.paragraph(s, row, "D", 120, sentence)
		row++
	}
	row++
	x.header(s, row, "Figure", "Value")
	row++
	lines := [][]any{{"Cases (distinct, after filters)", r.Cases}}
	if c := r.Caseload; c != nil {
		lines = append(lines,
			[]any{"Worker column", c.Column},
			[]any{"Cases allocated", c.Allocated},
			[]any{"Cases with no allocated worker", c.Unallocated},
			[]any{"Workers", c.Workers},
			[]any{"Mean caseload", decCell{c.Mean}},
			[]any{"Median caseload", deref(c.Median)},
			[]any{"Largest caseload", c.Max})
		if a := c.AboveTarget; a != nil {
			lines = append(lines,
				[]any{"Caseload target", *c.Target},
				[]any{"Workers above the target", a.Workers},
				[]any{"Share of workers above the target", pctCell{a.WorkersShare}},
				[]any{"Share of allocated cases they hold", pctCell{a.CasesShare}})
		}
	}
	if ch := r.Changes; ch != nil {
		lines = append(lines,
			[]any{"Changes column", ch.Column},
			[]any{fmt.Sprintf("Cases with %d or more", ch.AtLeast), ch.AtLeastCases},
			[]any{fmt.Sprintf("Share with %d or more (of %s with a number)", ch.AtLeast, thousands(ch.Counted)), pctCell{ch.AtLeastShare}})
	}
	for _, t := range r.Timeliness {
		name := pairName(t) + ": "
		lines = append(lines,
			[]any{name + "within " + t.LimitText, pctCell{t.WithinShare}},
			[]any{name + "late", pctCell{t.LateShare}},
			[]any{name + "not done", pctCell{t.NotDoneShare}})
	}
	for _, l := range lines {
		x.line(s, row, l...)
		row++
	}
	row++
	if len(r.Notes) > 0 {
		x.header(s, row, "Notes")
		// The heading on a page with its first note, never alone at the
		// foot of one. (The figures are not kept whole: keepTogether's
		// estimate keeps a tenth spare, and moved a table that fitted to
		// the next page, leaving half of the first empty.)
		x.keepTogether(s, true, [][2]int{{row, row + 1}})
		row++
		for _, n := range r.Notes {
			x.paragraph(s, row, "D", 120, n)
			row++
		}
	}
}

func (x *profileXW) caseload(r *ProfileReport) {
	c := r.Caseload
	if c == nil {
		return
	}
	const s = "Caseload"
	x.sheet(s)
	x.widths(s, 38, 22, 22, 14)
	x.title(s, 1, "Caseload: cases per allocated worker (“"+c.Column+"”)")
	row := 3
	x.header(s, row, "Figure", "Value")
	row++
	lines := [][]any{
		{"Cases allocated", c.Allocated},
		{"Cases with no allocated worker", c.Unallocated},
		{"Share with no allocated worker", pctCell{c.UnallocatedShare}},
		{"Workers", c.Workers},
		{"Mean caseload", decCell{c.Mean}},
		{"Median caseload", deref(c.Median)},
		{"Smallest caseload", c.Min},
		{"Largest caseload", c.Max},
	}
	if a := c.AboveTarget; a != nil {
		lines = append(lines,
			[]any{"Target (most cases a worker should hold)", *c.Target},
			[]any{"Workers above the target", a.Workers},
			[]any{"Share of workers", pctCell{a.WorkersShare}},
			[]any{"Cases held by workers above the target", a.Cases},
			[]any{"Share of allocated cases", pctCell{a.CasesShare}})
	}
	for _, l := range lines {
		x.line(s, row, l...)
		row++
	}
	row++
	h := []string{"Caseload band", "Workers", "Cases held"}
	if c.Target != nil {
		h = append(h, "Above target")
	}
	x.header(s, row, h...)
	row++
	for _, b := range c.Bands {
		vals := []any{b.Label, b.Workers, b.Cases}
		if c.Target != nil {
			vals = append(vals, map[bool]string{true: "yes", false: ""}[b.AboveTarget])
		}
		x.line(s, row, vals...)
		row++
	}
	row++
	// Workers by exact caseload, for the chart: two columns, at or below
	// the target and above it, so the chart colours them apart.
	lo, hi := max(1, c.Min-1), c.Max+1
	byBands := hi-lo+1 > 60
	if c.Workers == 0 {
		return
	}
	first := row + 1
	if c.Target != nil {
		x.header(s, row, "Cases held", "Workers, target or below", "Workers above target")
	} else {
		x.header(s, row, "Cases held", "Workers")
	}
	row++
	at := map[int]int{}
	for _, b := range c.ByCaseload {
		at[b.Caseload] = b.Workers
	}
	put := func(label any, n int, above bool) {
		x.line(s, row, label)
		if c.Target != nil && above {
			x.put(s, 2, row, 0)
			x.put(s, 3, row, n)
		} else {
			x.put(s, 2, row, n)
			if c.Target != nil {
				x.put(s, 3, row, 0)
			}
		}
		row++
	}
	if byBands {
		for _, b := range c.Bands {
			put(b.Label, b.Workers, b.AboveTarget)
		}
	} else {
		for v := lo; v <= hi; v++ {
			put(v, at[v], c.Target != nil && v > *c.Target)
		}
	}
	last := row - 1
	if x.err != nil {
		return
	}
	cats := colRange(s, "A", first, last)
	series := []excelize.ChartSeries{{Name: cellRef(s, "B", first-1), Categories: cats, Values: colRange(s, "B", first, last), Fill: fill(colBlue)}}
	if c.Target != nil {
		series = append(series, excelize.ChartSeries{Name: cellRef(s, "C", first-1), Categories: cats, Values: colRange(s, "C", first, last), Fill: fill(colRed)})
	}
	title := "Workers by the number of cases they hold"
	if c.Target != nil {
		title += fmt.Sprintf(" (target %d)", *c.Target)
	}
	gap, overlap := uint(30), 100
	x.err = x.f.AddChart(s, "F3", &excelize.Chart{
		Type: excelize.ColStacked, Series: series, Title: chartTitle(title),
		Legend:   excelize.ChartLegend{Position: "bottom"},
		XAxis:    excelize.ChartAxis{Title: axisTitle("Cases held by a worker"), Font: axisFont},
		YAxis:    excelize.ChartAxis{MajorGridLines: true, Title: axisTitle("Workers"), Minimum: ptr(0.0), Font: axisFont},
		GapWidth: &gap, Overlap: &overlap,
		Dimension: excelize.ChartDimension{Width: 720, Height: 360},
	})
}

func (x *profileXW) changes(r *ProfileReport) {
	c := r.Changes
	if c == nil {
		return
	}
	const s = "Changes"
	x.sheet(s)
	x.widths(s, 34, 12, 12, 16, 16)
	x.title(s, 1, "Changes of worker: “"+c.Column+"”")
	row := 3
	x.header(s, row, "Figure", "Value")
	row++
	for _, l := range [][]any{
		{"Cases with a whole number", c.Counted},
		{"Blank", c.Blank},
		{"Not a whole number", c.NotNumbers},
		{fmt.Sprintf("Cases with %d or more", c.AtLeast), c.AtLeastCases},
		{fmt.Sprintf("Share with %d or more", c.AtLeast), pctCell{c.AtLeastShare}},
		{"Mean", decCell{c.Mean}},
	} {
		x.line(s, row, l...)
		row++
	}
	row++
	below, above := fmt.Sprintf("Share, below %d", c.AtLeast), fmt.Sprintf("Share, %d or more", c.AtLeast)
	x.header(s, row, c.Column, "Cases", "Share", below, above)
	first := row + 1
	row++
	for _, v := range c.Distribution {
		x.line(s, row, v.Label, v.Cases, pctCell{v.Share})
		var zero float64
		if v.Value >= c.AtLeast {
			x.put(s, 4, row, pctCell{&zero})
			x.put(s, 5, row, pctCell{v.Share})
		} else {
			x.put(s, 4, row, pctCell{v.Share})
			x.put(s, 5, row, pctCell{&zero})
		}
		row++
	}
	last := row - 1
	if x.err != nil || c.Counted == 0 {
		return
	}
	cats := colRange(s, "A", first, last)
	gap, overlap := uint(40), 100
	x.err = x.f.AddChart(s, "G3", &excelize.Chart{
		Type: excelize.ColStacked,
		Series: []excelize.ChartSeries{
			{Name: cellRef(s, "D", first-1), Categories: cats, Values: colRange(s, "D", first, last), Fill: fill(colBlue)},
			{Name: cellRef(s, "E", first-1), Categories: cats, Values: colRange(s, "E", first, last), Fill: fill(colRed)},
		},
		Title:    chartTitle("Share of cases by “" + c.Column + "”"),
		Legend:   excelize.ChartLegend{Position: "bottom"},
		XAxis:    excelize.ChartAxis{Title: axisTitle(c.Column), Font: axisFont},
		YAxis:    excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Minimum: ptr(0.0), Font: axisFont},
		GapWidth: &gap, Overlap: &overlap,
		Dimension: excelize.ChartDimension{Width: 600, Height: 340},
	})
}

func (x *profileXW) timeliness(r *ProfileReport) {
	if len(r.Timeliness) == 0 {
		return
	}
	const s = "Timeliness"
	x.sheet(s)
	x.widths(s, 46, 11, 11, 11, 17, 17, 11, 11, 11)
	row := 1
	for _, t := range r.Timeliness {
		x.title(s, row, fmt.Sprintf("%s within %s", pairName(t), t.LimitText))
		row += 2
		x.header(s, row, "Figure", "Value")
		row++
		lines := [][]any{
			{"Measured (within + late + not done)", t.Measured},
			{"Within " + t.LimitText, t.Within},
			{"Late", t.Late},
			{"Not done yet", t.NotDone},
		}
		if t.AsOf != "" {
			lines = append(lines, []any{"Not done, past the limit on " + t.AsOf, t.Overdue})
		}
		lines = append(lines,
			[]any{"Share within", pctCell{t.WithinShare}},
			[]any{"Share late", pctCell{t.LateShare}},
			[]any{"Share not done", pctCell{t.NotDoneShare}},
			[]any{"Median time taken (" + t.ElapsedUnit + ")", deref(t.MedianElapsed)},
			[]any{"No “" + t.From + "”", t.NoStart},
			[]any{"Unreadable date", t.Unreadable},
			[]any{"“" + t.To + "” before “" + t.From + "”", t.Negative})
		for _, l := range lines {
			x.line(s, row, l...)
			row++
		}
		row++
		team := r.TeamColumn
		if team == "" {
			team = "Cases"
		}
		h := []string{team, "Measured", "Within", "Late"}
		if t.AsOf != "" {
			h = append(h, "Not done, overdue", "Not done, not due")
		} else {
			h = append(h, "Not done")
		}
		h = append(h, "Within %", "Late %", "Not done %")
		x.header(s, row, h...)
		headerRow := row
		row++
		put := func(name string, c profile.TimelinessCounts) {
			vals := []any{name, c.Measured, c.Within, c.Late}
			if t.AsOf != "" {
				vals = append(vals, c.Overdue, c.NotDone-c.Overdue)
			} else {
				vals = append(vals, c.NotDone)
			}
			vals = append(vals, pctCell{c.WithinShare}, pctCell{c.LateShare}, pctCell{c.NotDoneShare})
			x.line(s, row, vals...)
			row++
		}
		for _, tt := range t.ByTeam {
			put(tt.Team, tt.TimelinessCounts)
		}
		put("All", t.TimelinessCounts)
		last := row - 1
		if x.err != nil {
			return
		}
		fills := []string{colGreen, colRed, colAmber, colGrey}
		letters := []string{"C", "D", "E", "F"}
		if t.AsOf == "" {
			fills, letters = []string{colGreen, colRed, colGrey}, []string{"C", "D", "E"}
		}
		var series []excelize.ChartSeries
		for i, l := range letters {
			series = append(series, excelize.ChartSeries{Name: cellRef(s, l, headerRow), Categories: colRange(s, "A", headerRow+1, last),
				Values: colRange(s, l, headerRow+1, last), Fill: fill(fills[i])})
		}
		height := uint(120 + 30*(last-headerRow))
		gap, overlap := uint(40), 100
		x.err = x.f.AddChart(s, fmt.Sprintf("K%d", headerRow-len(lines)-2), &excelize.Chart{
			Type: excelize.BarPercentStacked, Series: series,
			Title:    chartTitle(fmt.Sprintf("%s within %s", pairName(t), t.LimitText)),
			Legend:   excelize.ChartLegend{Position: "bottom"},
			XAxis:    excelize.ChartAxis{ReverseOrder: true, Font: axisFont},
			YAxis:    excelize.ChartAxis{MajorGridLines: true, NumFmt: excelize.ChartNumFmt{CustomNumFmt: "0%"}, Font: axisFont},
			GapWidth: &gap, Overlap: &overlap,
			Dimension: excelize.ChartDimension{Width: 640, Height: height},
		})
		// Leave room below for the chart when it is taller than the tables.
		row = max(row+2, headerRow-len(lines)-2+int(height)/20+2)
	}
}

func (x *profileXW) workers(r *ProfileReport) {
	c := r.Caseload
	if c == nil || !r.IncludeNames || len(c.WorkerList) == 0 {
		return
	}
	const s = "Workers"
	x.sheet(s)
	x.widths(s, 34, 10, 14)
	h := []string{"Worker", "Cases"}
	if c.Target != nil {
		h = append(h, "Above target")
	}
	x.header(s, 1, h...)
	for i, w := range c.WorkerList {
		vals := []any{w.Worker, w.Cases}
		if c.Target != nil {
			vals = append(vals, map[bool]string{true: "yes", false: ""}[w.AboveTarget])
		}
		x.line(s, i+2, vals...)
	}
	if x.err == nil {
		x.err = x.f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
	}
}

func (x *profileXW) problems(r *ProfileReport) {
	ps := r.problems()
	if len(ps) == 0 {
		return
	}
	const s = "Problems"
	x.sheet(s)
	x.widths(s, 10, 28, 44, 30)
	x.paragraph(s, 1, "D", 112, problemIntro(r.IncludeNames))
	h := []string{"Row", "Column", "Problem"}
	if r.IncludeNames {
		h = append(h, "Cell")
	}
	x.header(s, 3, h...)
	for i, p := range ps {
		vals := []any{p.Row, p.Column, p.Problem}
		if r.IncludeNames {
			vals = append(vals, p.Value)
		}
		x.line(s, i+4, vals...)
	}
}
