package report

import (
	"strings"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// factorsSheet writes the Factors sheet when the audit recorded factors:
// the population's figures, then for each factor its groups (counts as
// numbers, shares and interval bounds as percentages in full precision)
// and the two tests in words.
func (x *xw) factorsSheet(r *Report) {
	fs := r.Factors
	if fs == nil {
		return
	}
	const s = "Factors"
	x.sheet(s)
	x.widths(s, 44, 11, 11, 11, 12, 12, 15, 11, 12, 12)
	row := 1
	x.title(s, row, "Factors")
	row += 2
	x.set(s, 1, row, strings.TrimSpace(factorsIntro+" "+r.PopulationNote))
	x.merge(s, row, 10)
	row += 2
	for _, l := range fs.populationLines() {
		x.row(s, row, l.K, l.V)
		// A long label (a timeliness pair's) wraps in its column rather
		// than run under its value.
		if n := xlsxprint.Lines(l.K, 44); n > 1 {
			x.styleCell(s, 1, row, x.wrap)
			x.styleCell(s, 2, row, x.top)
			if x.err == nil {
				x.err = x.f.SetRowHeight(s, row, xlsxprint.RowHeight(n))
			}
		}
		row++
	}
	x.row(s, row, "Audited cases with factors", fs.Recorded)
	row++
	x.row(s, row, "Audited cases", fs.Audited)
	row += 2
	conf := confPct(r.opts.Confidence)
	var blocks [][2]int // each factor's rows, from its title to its last sentence
	for _, g := range fs.Groupings {
		first := row
		x.title(s, row, g.Title)
		row++
		x.header(s, row, g.Label, "Audited", "Flagged", "Share", conf+" lower", conf+" upper", "Good or better", "Share", conf+" lower", conf+" upper")
		x.rightHeads(s, row, 2, 10)
		row++
		for _, c := range g.Groups {
			x.row(s, row, c.Label, c.Audited, c.Flagged, pctCell{c.FlaggedShare}, lowCell{c.FlaggedLower}, highCell{c.FlaggedUpper},
				c.Good, pctCell{c.GoodShare}, lowCell{c.GoodLower}, highCell{c.GoodUpper})
			row++
		}
		if g.NotGrouped > 0 {
			x.row(s, row, "in no group ("+g.Why+")", g.NotGrouped)
			row++
		}
		if len(g.Untested) > 0 {
			x.row(s, row, "Shown, not tested: "+groupNames(g.Untested)+" ("+g.UntestedWhy+").")
			x.merge(s, row, 10)
			row++
		}
		for _, t := range []struct {
			name string
			t    FactorTest
		}{{"Needing immediate attention", g.Flagged}, {"Good or better", g.GoodOrBetter}} {
			x.row(s, row, t.name+": "+t.t.Sentence)
			x.merge(s, row, 10)
			row++
		}
		blocks = append(blocks, [2]int{first, row - 1})
		row++
	}
	x.keepTogether(s, true, blocks)
	for _, n := range fs.Notes {
		x.row(s, row, n)
		x.merge(s, row, 10)
		row++
	}
}

// merge merges a row's first cols cells and wraps its text.
func (x *xw) merge(sheet string, row, cols int) {
	if x.err != nil {
		return
	}
	start, _ := excelize.CoordinatesToCellName(1, row)
	end, _ := excelize.CoordinatesToCellName(cols, row)
	if x.err = x.f.MergeCell(sheet, start, end); x.err == nil {
		x.err = x.f.SetCellStyle(sheet, start, start, x.wrap)
	}
	if x.err != nil {
		return
	}
	// The row is as tall as the text needs across the merged width
	// (neither LibreOffice nor Excel fits a merged cell's row).
	width := 0.0
	for c := 1; c <= cols; c++ {
		name, _ := excelize.ColumnNumberToName(c)
		w, err := x.f.GetColWidth(sheet, name)
		if err != nil {
			x.err = err
			return
		}
		width += w
	}
	text, err := x.f.GetCellValue(sheet, start)
	if err != nil {
		x.err = err
		return
	}
	x.err = x.f.SetRowHeight(sheet, row, xlsxprint.RowHeight(xlsxprint.Lines(text, width)))
}
