package report

// The workbook writer every xlsx view uses: its styles, typed cells,
// rows, headers, widths and print set-up. The sheets themselves (xlsx.go,
// views_print.go, the factors, trend and profile sheets) stand above it.

import (
	"fmt"
	"math"
	"slices"
	"strings"

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

// kappaCell is a kappa of pairs moderated cases: empty without any, what
// stands for a kappa withheld below KappaMinPairs (short in a table
// column), or "not defined".
func kappaCell(v *float64, pairs int, short bool) any {
	switch {
	case pairs == 0:
		return nil
	case pairs < KappaMinPairs:
		return kappaWithheld(short)
	case v == nil:
		return "not defined"
	}
	return num3Cell(*v)
}

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
	// The printed width is the columns', or more where a cell's text runs
	// on past its column into empty ones (a long "Made by" line):
	// LibreOffice fits that to the page too. Only text that does not wrap
	// runs on, and only past the last filled cell of its row: a number never spills (it
	// shows ### instead), and text stops at a filled neighbour, which
	// lies within the columns already counted.
	starts := []float64{0}
	for i := range max(len(cols), 1) {
		name, _ := excelize.ColumnNumberToName(i + 1)
		w, err := x.f.GetColWidth(sheet, name)
		if err != nil {
			x.err = err
			return
		}
		starts = append(starts, starts[i]+w)
	}
	widest := starts[len(starts)-1]
	rows, err := x.f.GetRows(sheet)
	if err != nil {
		x.err = err
		return
	}
	merged, _ := x.f.GetMergeCells(sheet)
	for r, row := range rows {
		for c, v := range row {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if v == "" || slices.ContainsFunc(row[c+1:], func(n string) bool { return n != "" }) ||
				slices.ContainsFunc(merged, func(m excelize.MergeCell) bool { return m.GetStartAxis() == cell }) {
				continue // a merged paragraph wraps within its cells
			}
			if t, err := x.f.GetCellType(sheet, cell); err != nil || (t != excelize.CellTypeSharedString && t != excelize.CellTypeInlineString) {
				continue
			}
			if wrapped(x.f, sheet, cell) {
				continue // wrapped text stays within its column
			}
			widest = max(widest, starts[min(c, len(starts)-1)]+xlsxprint.Width(v)+1)
		}
	}
	// Characters to pixels to points, and a twentieth more: LibreOffice
	// sets text a little wider than the font's advance widths add up to
	// (a 64-digit SHA-256 line printed 3.5% wider than estimated), and a
	// scale estimated too large puts the estimated page foot above the
	// real one.
	sheetW := (widest*7 + 5) * 0.75 * 1.05
	scale := min(1, (pageW-sideMargins)/sheetW)
	capacity := (pageH - topBottom) / scale
	height := func(row int) float64 {
		h, err := x.f.GetRowHeight(sheet, row)
		if err != nil || h <= 0 {
			return 15
		}
		return h
	}
	// The pages are filled row by row, as LibreOffice and Excel break
	// them, at a row's top, so that the estimate of where a block falls
	// stays true pages on. A block is moved when it would come within a
	// tenth of a page of the foot: both set rows a little taller than
	// asked where the text needs it.
	used, row := 0.0, 1
	add := func(h float64) {
		if used > 0 && used+h > capacity {
			used = 0
		}
		used += h
	}
	for _, b := range blocks {
		for ; row < b[0]; row++ {
			add(height(row))
		}
		need := 0.0
		for r := b[0]; r <= b[1]; r++ {
			need += height(r)
		}
		if used > 0 && used+need > capacity*0.9 {
			cell, _ := excelize.CoordinatesToCellName(1, b[0])
			if x.err = x.f.InsertPageBreak(sheet, cell); x.err != nil {
				return
			}
			used = 0
		}
	}
}

// wrapped reports whether a cell's style wraps its text.
func wrapped(f *excelize.File, sheet, cell string) bool {
	id, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		return false
	}
	st, err := f.GetStyle(id)
	return err == nil && st.Alignment != nil && st.Alignment.WrapText
}

// print sets up a sheet's printing, with the report's title and marking.
func (x *xw) print(sheet string, s xlsxprint.Setup) {
	if x.err != nil {
		return
	}
	s.Title, s.Marking = x.pageTitle, x.mark
	x.err = xlsxprint.Apply(x.f, sheet, s)
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

// styleCell sets one cell's style (1-based column and row).
func (x *xw) styleCell(sheet string, col, row, style int) {
	if x.err != nil {
		return
	}
	cell, _ := excelize.CoordinatesToCellName(col, row)
	x.err = x.f.SetCellStyle(sheet, cell, cell, style)
}

// rightHeads aligns the headers of columns from to to (1-based) of a row
// to the right, over their numbers.
func (x *xw) rightHeads(sheet string, row, from, to int) {
	if x.err != nil {
		return
	}
	a, _ := excelize.CoordinatesToCellName(from, row)
	b, _ := excelize.CoordinatesToCellName(to, row)
	x.err = x.f.SetCellStyle(sheet, a, b, x.boldRight)
}
