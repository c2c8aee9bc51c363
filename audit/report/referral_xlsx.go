package report

import (
	"io"
	"strconv"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// The referral sheet is a form a team manager prints and writes on by pen,
// so it is laid out as one: a card per case, four columns (a label and its
// value, twice) on A4 portrait at full size, rather than a table of fifteen
// columns that only fits a page when shrunk to half size. Each card holds
// what the table's row held, then a ruled box for the response and lines to
// sign, name and date it (a smaller box, for a further response, once the
// owner has answered; none once the action is closed, whose card says who
// closed it, when and why); a card never runs across a page break.
const (
	// ReferralLabelWidth and ReferralValueWidth are the widths of the
	// columns A and C (labels, 10 point: "Immediate attention" on one
	// line) and B and D (values), in Calibri 11's digit widths: 94 in
	// all, about 185 mm as LibreOffice prints them, within A4 portrait's 190 mm between its side
	// margins, so the sheet prints at 100%. B is a little wider than D so
	// that a corrected grade fits on one line.
	ReferralLabelWidth  = 17.0
	ReferralValueWidth  = 32.0 // B
	referralValueWidthD = 28.0
	// ReferralRuledLines and ReferralLineHeight make the response box:
	// four lines 21 points (7.4 mm, a ruled pad's spacing) apart, about
	// 30 mm of writing across the card's whole width, under a head row.
	ReferralRuledLines = 4
	ReferralLineHeight = 21.0
	// ReferralFurtherLines is the box of an action already answered but
	// not closed: two lines for a further response.
	ReferralFurtherLines = 2
	referralBoxHead      = 18.0
	// ReferralSignHeight is the height of the Signed / Name and Date rows:
	// room above the line for a signature.
	ReferralSignHeight = 24.0
	// referralGap is the blank row between two cards.
	referralGap = 12.0
	// referralInstruction heads every printed page.
	referralInstruction = "Write your response in the box under each case, then sign, name and date it."
	// labelScale is how much narrower a 10-point label is than the
	// 11-point text xlsxprint measures.
	labelScale = 10.0 / 11
)

// WriteXLSX writes the referral sheet as a workbook for print: a card per
// action, every cell stored as text (a case ID such as 00123 keeps its
// zeros, a note starting "=" is never a formula), A4 portrait at full
// size, a manual page break before any card that would not fit on the
// page, the instruction row on every page and the marking in every page's
// header and footer.
func (r *Referrals) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const sheet = "Referrals"
	if err := f.SetSheetName("Sheet1", sheet); err != nil {
		return err
	}
	cw, err := newCardWriter(f, sheet)
	if err != nil {
		return err
	}
	for _, col := range []string{"A", "C"} {
		if err := f.SetColWidth(sheet, col, col, ReferralLabelWidth); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "B", "B", ReferralValueWidth); err != nil {
		return err
	}
	if err := f.SetColWidth(sheet, "D", "D", referralValueWidthD); err != nil {
		return err
	}
	cw.full(referralInstruction, cw.st.note, 0)
	// Every row's height is set and the sheet prints at 100%, so where
	// each page ends is known: a card that would run past the foot of a
	// page starts the next (a card taller than a page starts one and runs
	// on). A page holds A4's height within the top and bottom margins
	// xlsxprint sets, less the row repeated at its top and a fiftieth for
	// rounding.
	top := cw.height
	capacity := (842 - 2*0.7*72 - top) * 0.98
	// The blank row before a card goes with it to the next page, where it
	// sets the card apart from the row at the top.
	used := 0.0
	for i, c := range r.Cards {
		start, before := cw.row, cw.height
		if i > 0 {
			cw.gap()
		}
		if err := cw.card(r.NameColumns, c); err != nil {
			return err
		}
		h := cw.height - before
		if i > 0 && used+h > capacity {
			cell, _ := excelize.CoordinatesToCellName(1, start)
			if err := f.InsertPageBreak(sheet, cell); err != nil {
				return err
			}
			used = 0
		}
		used += h
	}
	if cw.err != nil {
		return cw.err
	}
	if err := xlsxprint.Apply(f, sheet, xlsxprint.Setup{FitWide: 1, RepeatRows: "$1:$1", Marking: r.Marking, Title: r.Title}); err != nil {
		return err
	}
	_, err = f.WriteTo(w)
	return err
}

// cardStyles are the referral sheet's cell styles.
type cardStyles struct {
	note, label, value, bandLabel, bandValue, overdue, boxHead, boxLine, boxLast, signLabel, signLine int
}

// cardWriter writes cards row by row, keeping the first error.
type cardWriter struct {
	f      *excelize.File
	sheet  string
	row    int     // the next row to write
	height float64 // of the rows written, in points
	st     cardStyles
	err    error
}

func newCardWriter(f *excelize.File, sheet string) (*cardWriter, error) {
	cw := &cardWriter{f: f, sheet: sheet, row: 1}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	line := func(typ, color string, style int) excelize.Border {
		return excelize.Border{Type: typ, Color: color, Style: style}
	}
	side := []excelize.Border{line("left", "000000", 1), line("right", "000000", 1)}
	for _, s := range []struct {
		dst *int
		def excelize.Style
	}{
		{&cw.st.note, excelize.Style{Font: &excelize.Font{Family: "Calibri", Size: 10, Italic: true}, Alignment: top}},
		{&cw.st.label, excelize.Style{Font: xlsxprint.Font(true, 10, "404040"), Alignment: top}},
		{&cw.st.value, excelize.Style{Font: xlsxprint.Font(false, 0, ""), Alignment: top}},
		{&cw.st.bandLabel, excelize.Style{Font: xlsxprint.Font(true, 10, "404040"), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}, Border: []excelize.Border{line("top", "000000", 2)}}},
		{&cw.st.bandValue, excelize.Style{Font: xlsxprint.Font(true, 12, ""), Alignment: &excelize.Alignment{Vertical: "center", WrapText: true},
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"E7E6E6"}}, Border: []excelize.Border{line("top", "000000", 2)}}},
		{&cw.st.overdue, excelize.Style{Font: xlsxprint.Font(true, 0, "C00000"), Alignment: top}},
		{&cw.st.boxHead, excelize.Style{Font: xlsxprint.Font(true, 0, ""), Alignment: &excelize.Alignment{Vertical: "center"},
			Border: append([]excelize.Border{line("top", "000000", 1), line("bottom", "A6A6A6", 1)}, side...)}},
		{&cw.st.boxLine, excelize.Style{Font: xlsxprint.Font(false, 0, ""), Alignment: &excelize.Alignment{Vertical: "bottom", WrapText: true},
			Border: append([]excelize.Border{line("bottom", "A6A6A6", 1)}, side...)}},
		{&cw.st.boxLast, excelize.Style{Font: xlsxprint.Font(false, 0, ""), Alignment: &excelize.Alignment{Vertical: "bottom", WrapText: true},
			Border: append([]excelize.Border{line("bottom", "000000", 1)}, side...)}},
		{&cw.st.signLabel, excelize.Style{Font: xlsxprint.Font(true, 10, "404040"), Alignment: &excelize.Alignment{Vertical: "bottom"}}},
		{&cw.st.signLine, excelize.Style{Font: xlsxprint.Font(false, 0, ""), Alignment: &excelize.Alignment{Vertical: "bottom"},
			Border: []excelize.Border{line("bottom", "000000", 1)}}},
	} {
		def := s.def
		def.NumFmt = 49 // text: what is written is kept as written
		id, err := f.NewStyle(&def)
		if err != nil {
			return nil, err
		}
		*s.dst = id
	}
	return cw, nil
}

// card writes one action's card: the band naming the case, the names (when
// asked for), the finding as it stands, the action, the responses recorded
// so far, then the response box and the lines to sign.
func (cw *cardWriter) card(nameCols []string, c Referral) error {
	cw.pair("Case ID", c.Case, "Audit", c.Audit, cw.st.bandLabel, cw.st.bandValue, 20)
	for i := 0; i < len(nameCols); i += 2 {
		if i+1 < len(nameCols) {
			cw.pair(nameCols[i], c.Names[i], nameCols[i+1], c.Names[i+1], cw.st.label, cw.st.value, 0)
		} else {
			cw.long(nameCols[i], c.Names[i], cw.st.value)
		}
	}
	cw.pair("Team", c.Team, "Owner", c.Owner, cw.st.label, cw.st.value, 0)
	cw.pair("Grade", c.Grade, "Immediate attention", c.Immediate, cw.st.label, cw.st.value, 0)
	cw.pair("Auditor", c.Auditor, "Date audited", c.Audited, cw.st.label, cw.st.value, 0)
	cw.long("Auditor's note", c.Note, cw.st.value)
	cw.pair("Raised", c.Raised, "Reason for the action", c.Reason, cw.st.label, cw.st.value, 0)
	due, dueStyle := c.Due, cw.st.value
	if c.Overdue {
		due, dueStyle = c.Due+" (overdue)", cw.st.overdue
	}
	cw.pair("Due", due, "Status", c.Status, cw.st.label, cw.st.value, 0)
	if dueStyle != cw.st.value {
		cw.style("B", "B", cw.row-1, dueStyle)
	}
	if c.Responses != "" {
		cw.long("Responses recorded", c.Responses, cw.st.value)
	}
	if c.Closed != "" {
		// Nothing is left to write on a closed action: the card says who
		// closed it, when and why, and offers no box or lines to sign.
		cw.long("Closed", c.Closed, cw.st.value)
		return cw.err
	}
	head, ruled := "Response", ReferralRuledLines
	if c.Responses != "" {
		// The owner has answered; the box is for anything further, so it
		// is smaller and says so.
		head, ruled = "Further response (if any)", ReferralFurtherLines
	}
	cw.full(head, cw.st.boxHead, referralBoxHead)
	for i := range ruled {
		st := cw.st.boxLine
		if i == ruled-1 {
			st = cw.st.boxLast
		}
		cw.full("", st, ReferralLineHeight)
	}
	cw.sign("Signed", "Name")
	cw.sign("Date", "")
	return cw.err
}

// pair writes a row of two labels and their values.
func (cw *cardWriter) pair(l1, v1, l2, v2 string, label, value int, height float64) {
	lines := max(labelLines(l1), labelLines(l2), xlsxprint.Lines(v1, ReferralValueWidth), xlsxprint.Lines(v2, referralValueWidthD))
	cw.set(map[string]string{"A": l1, "B": v1, "C": l2, "D": v2})
	cw.style("A", "A", cw.row, label)
	cw.style("C", "C", cw.row, label)
	cw.style("B", "B", cw.row, value)
	cw.style("D", "D", cw.row, value)
	cw.end(max(height, xlsxprint.RowHeight(lines)))
}

// long writes a label and a value that runs across the other three
// columns, wrapped.
func (cw *cardWriter) long(label, value string, style int) {
	lines := max(labelLines(label), xlsxprint.Lines(value, xlsxprint.MergedWidth(ReferralValueWidth, ReferralLabelWidth, referralValueWidthD)))
	cw.set(map[string]string{"A": label, "B": value})
	cw.merge("B", "D")
	cw.style("A", "A", cw.row, cw.st.label)
	cw.style("B", "D", cw.row, style)
	cw.end(xlsxprint.RowHeight(lines))
}

// full writes text across all four columns; height 0 is as tall as the
// text.
func (cw *cardWriter) full(text string, style int, height float64) {
	cw.set(map[string]string{"A": text})
	cw.merge("A", "D")
	cw.style("A", "D", cw.row, style)
	if height == 0 {
		height = xlsxprint.RowHeight(xlsxprint.Lines(text, xlsxprint.MergedWidth(ReferralLabelWidth, ReferralValueWidth, ReferralLabelWidth, referralValueWidthD)))
	}
	cw.end(height)
}

// sign writes a row of one or two labels, each beside a line to write on.
func (cw *cardWriter) sign(l1, l2 string) {
	cw.set(map[string]string{"A": l1, "C": l2})
	cw.style("A", "A", cw.row, cw.st.signLabel)
	cw.style("B", "B", cw.row, cw.st.signLine)
	if l2 != "" {
		cw.style("C", "C", cw.row, cw.st.signLabel)
		cw.style("D", "D", cw.row, cw.st.signLine)
	}
	cw.end(ReferralSignHeight)
}

// gap writes the blank row between two cards.
func (cw *cardWriter) gap() { cw.end(referralGap) }

func (cw *cardWriter) set(cells map[string]string) {
	for col, v := range cells {
		if cw.err == nil && v != "" {
			cw.err = cw.f.SetCellStr(cw.sheet, col+strconv.Itoa(cw.row), v)
		}
	}
}

func (cw *cardWriter) merge(from, to string) {
	if cw.err == nil {
		cw.err = cw.f.MergeCell(cw.sheet, from+strconv.Itoa(cw.row), to+strconv.Itoa(cw.row))
	}
}

func (cw *cardWriter) style(from, to string, row, style int) {
	if cw.err == nil {
		cw.err = cw.f.SetCellStyle(cw.sheet, from+strconv.Itoa(row), to+strconv.Itoa(row), style)
	}
}

// end sets the row's height and moves to the next row.
func (cw *cardWriter) end(height float64) {
	if cw.err == nil {
		cw.err = cw.f.SetRowHeight(cw.sheet, cw.row, height)
	}
	cw.height += height
	cw.row++
}

// labelLines is how many lines a 10-point bold label takes in its column.
func labelLines(label string) int { return xlsxprint.BoldLines(label, ReferralLabelWidth/labelScale) }
