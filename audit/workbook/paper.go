package workbook

import (
	"fmt"
	"math"
	"strings"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// SheetPaper is the workbook's form for writing by hand: one block per
// case, two a page, portrait, at full size (11-point text, boxes 10.5 mm
// tall, the notes box three or four handwritten lines tall across most of
// the page), for
// an auditor who prints the cases and reads the files away from a screen.
// What is written on it is typed into the Sample sheet afterwards; import
// reads only the Sample sheet.
const SheetPaper = "Paper"

// The Paper sheet's columns: a label, a box, a label, a box. A box of 17
// digits (33 mm) holds a handwritten date or grade; an answer longer than
// that (a choice such as "Three or more workers", the auditor's name) has
// a box across the three columns right of its label (64 digits, 120 mm).
var paperWidths = [4]float64{30, 17, 30, 17}

// Heights in points: a box row holds a handwritten answer (30 pt is about
// 10.5 mm; 8 mm is the least a pen needs), the notes box three or four
// lines of handwriting (27 mm).
//
// Two cases a page: three would leave each about 220 points, and the
// built-in form's nine boxes, its notes, name and date need some 250 even
// at the least a pen can fill (26-point boxes, 16 mm of notes), so the
// room a third case would take goes to the boxes, the notes most (each
// case 336 points; a page's rows 725 of the 733 it holds).
const (
	paperBoxRow   = 30.0
	paperNotesRow = 76.0
	paperGapRow   = 12.0
	// paperPage is the height a page gives the rows: A4 (842 pt) less the
	// margins xlsxprint sets (0.7 in at the top and the bottom), with a
	// little to spare for a reader's rounding.
	paperPage = 842 - 2*0.7*72 - 8
	// paperHand is how much wider handwriting is than the same words in
	// 11-point print: a box is made for its longest answer this much
	// wider than it prints.
	paperHand = 1.5
)

// paperLongest is the longest answer a question's box expects, as printed
// ("RI", "NA", "Three or more workers").
func paperLongest(q form.Question) string {
	longest := ""
	var answers []string
	switch q.Kind {
	case form.QuestionGrade:
		answers = []string{"RI", "NA"}
	case form.QuestionYesNo:
		answers = []string{"NA"}
	case form.QuestionChoice:
		answers = q.Choices
	}
	for _, a := range answers {
		if xlsxprint.Width(a) > xlsxprint.Width(longest) {
			longest = a
		}
	}
	return longest
}

// paperFits says whether a handwritten answer fits a box of the given
// width on one line.
func paperFits(answer string, width float64) bool {
	return xlsxprint.Width(answer)*paperHand <= width-1
}

// paperCode is what a question's box takes on paper, e.g. "O / G / RI / I".
func paperCode(q form.Question) string {
	switch q.Kind {
	case form.QuestionGrade:
		if q.NotApplicable {
			return "O / G / RI / I / NA"
		}
		return "O / G / RI / I"
	case form.QuestionYesNo:
		if q.NotApplicable {
			return "Y / N / NA"
		}
		return "Y / N"
	case form.QuestionChoice:
		return strings.Join(q.Choices, " / ")
	}
	return ""
}

// paperKey is the line at the top of every page of the Paper sheet.
func (spec *Spec) paperKey() string {
	who := "auditor"
	if spec.Moderation != nil {
		who = "moderator"
	}
	return fmt.Sprintf("Write in each box. Grade: O Outstanding, G Good, RI Requires improvement, I Inadequate. "+
		"Immediate attention: Y or N (Y: tell %s at once). Then type the answers into the Sample sheet, or hand "+
		"the pages to whoever types them in. The %s's name and the date on every case.", spec.contactOrDefault(), who)
}

// contactOrDefault is whom to tell about a case needing immediate attention.
func (spec *Spec) contactOrDefault() string {
	if spec.Contact != "" {
		return spec.Contact
	}
	return "the case's team manager"
}

// writePaperSheet writes the Paper sheet: for each case of the Sample
// sheet, a block headed by its number, case ID and shown fields, with a
// labelled box for each form question, the grade and immediate attention,
// a notes box, and the auditor's name and the date. Page breaks fall
// between blocks, never inside one.
func writePaperSheet(f *excelize.File, spec *Spec) error {
	const s = SheetPaper
	if _, err := f.NewSheet(s); err != nil {
		return err
	}
	for i, w := range paperWidths {
		c, _ := excelize.ColumnNumberToName(i + 1)
		if err := f.SetColWidth(s, c, c, w); err != nil {
			return err
		}
	}
	total := 0.0
	for _, w := range paperWidths {
		total += w
	}
	grid := func(color string, style int) []excelize.Border {
		return []excelize.Border{{Type: "left", Color: color, Style: style}, {Type: "right", Color: color, Style: style},
			{Type: "top", Color: color, Style: style}, {Type: "bottom", Color: color, Style: style}}
	}
	var styleErr error
	newStyle := func(st *excelize.Style) int {
		id, err := f.NewStyle(st)
		if styleErr == nil {
			styleErr = err
		}
		return id
	}
	key := newStyle(&excelize.Style{Font: xlsxprint.Font(false, 10, ""), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	head := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 12, ""), NumFmt: 49, Border: grid("808080", 1),
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{givenHeadFill}}, Alignment: &excelize.Alignment{WrapText: true, Vertical: "center"}})
	label := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""), Alignment: &excelize.Alignment{WrapText: true, Vertical: "center", Horizontal: "right", Indent: 1}})
	box := newStyle(&excelize.Style{NumFmt: 49, Border: grid("000000", 2), Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if styleErr != nil {
		return styleErr
	}

	set := func(cell, v string, style int) error {
		if v != "" {
			if err := f.SetCellStr(s, cell, v); err != nil {
				return err
			}
		}
		return f.SetCellStyle(s, cell, cell, style)
	}
	merge := func(row int, from, to string, style int) error {
		a, b := fmt.Sprintf("%s%d", from, row), fmt.Sprintf("%s%d", to, row)
		if err := f.MergeCell(s, a, b); err != nil {
			return err
		}
		return f.SetCellStyle(s, a, b, style)
	}
	// Row 1, repeated on every page: what to write.
	text := spec.paperKey()
	if err := set("A1", text, key); err != nil {
		return err
	}
	if err := merge(1, "A", "D", key); err != nil {
		return err
	}
	keyHeight := math.Ceil(float64(xlsxprint.Lines(text, total*1.1))*12.6 + 3)
	if err := f.SetRowHeight(s, 1, keyHeight); err != nil {
		return err
	}

	// A labelled box: the label (with its code below, smaller) in col, the
	// box in the next column, or across the rest of the row when its
	// longest answer (or what is filled in) is too wide for one column.
	type item struct {
		label, code, prefill string
		wide                 bool
	}
	var questions []form.Question
	if spec.Form != nil && spec.Moderation == nil {
		questions = spec.Form.Questions
	}
	who := spec.auditorColumn()
	boxW := paperWidths[1]
	wideW := xlsxprint.MergedWidth(paperWidths[1:]...)
	row := 2
	used := keyHeight
	var breaks []int
	for ci, c := range spec.Cases {
		var items []item
		var prefills map[string]string
		if spec.Moderation == nil {
			prefills = spec.Form.Prefills(spec.Columns, c.Fields)
		}
		for _, q := range questions {
			pf := prefills[q.Key]
			wide := !paperFits(paperLongest(q), boxW) || xlsxprint.Lines(pf, boxW) > 1
			items = append(items, item{q.Label, paperCode(q), pf, wide})
		}
		items = append(items, item{label: ColGrade, code: "O / G / RI / I"}, item{label: ColImmediate, code: "Y / N"})
		// The block's rows and their heights, to keep it on one page.
		type line struct {
			h    float64
			fill func(r int) error
		}
		var lines []line
		title := fmt.Sprintf("%d.  %s", c.Order, c.ID)
		for i, v := range c.Fields {
			if i < len(spec.Columns) && v != "" {
				title += "  ·  " + v
			}
		}
		lines = append(lines, line{xlsxprint.RowHeight(xlsxprint.BoldLines(title, total*0.9)), func(r int) error {
			if err := set(fmt.Sprintf("A%d", r), title, head); err != nil {
				return err
			}
			return merge(r, "A", "D", head)
		}})
		labelHeight := func(it item) float64 {
			w := paperWidths[0]
			return max(paperBoxRow, xlsxprint.RowHeight(xlsxprint.BoldLines(it.label, w-1)+xlsxprint.Lines(it.code, w*11/9)))
		}
		// Rows of two narrow boxes in the form's order; a wide box has a
		// row to itself, after the row of the narrow box before it, whose
		// other half the next narrow box still takes.
		var rows [][]item
		open := -1 // the row with one narrow box and room for another
		for _, it := range items {
			switch {
			case it.wide:
				rows = append(rows, []item{it})
			case open >= 0:
				rows[open] = append(rows[open], it)
				open = -1
			default:
				rows = append(rows, []item{it})
				open = len(rows) - 1
			}
		}
		for _, pair := range rows {
			h := 0.0
			for _, it := range pair {
				h = max(h, labelHeight(it))
				if it.wide {
					h = max(h, xlsxprint.RowHeight(xlsxprint.Lines(it.prefill, wideW)))
				}
			}
			lines = append(lines, line{h, func(r int) error {
				for j, it := range pair {
					lc, bc := string(rune('A'+2*j)), string(rune('B'+2*j))
					if err := f.SetCellRichText(s, fmt.Sprintf("%s%d", lc, r), paperLabel(it.label, it.code)); err != nil {
						return err
					}
					if err := f.SetCellStyle(s, fmt.Sprintf("%s%d", lc, r), fmt.Sprintf("%s%d", lc, r), label); err != nil {
						return err
					}
					if err := set(fmt.Sprintf("%s%d", bc, r), it.prefill, box); err != nil {
						return err
					}
					if it.wide {
						if err := merge(r, "B", "D", box); err != nil {
							return err
						}
					}
				}
				return nil
			}})
		}
		lines = append(lines, line{paperNotesRow, func(r int) error {
			if err := set(fmt.Sprintf("A%d", r), ColNotes, label); err != nil {
				return err
			}
			return merge(r, "B", "D", box)
		}})
		// The name across the row (a name written by hand is as long as
		// the longest choice), then the date.
		name := spec.whoFor(c.ID)
		lines = append(lines, line{max(paperBoxRow, xlsxprint.RowHeight(xlsxprint.Lines(name, wideW))), func(r int) error {
			if err := set(fmt.Sprintf("A%d", r), who, label); err != nil {
				return err
			}
			if err := set(fmt.Sprintf("B%d", r), name, box); err != nil {
				return err
			}
			return merge(r, "B", "D", box)
		}})
		lines = append(lines, line{paperBoxRow, func(r int) error {
			if err := set(fmt.Sprintf("A%d", r), ColDate, label); err != nil {
				return err
			}
			return set(fmt.Sprintf("B%d", r), "", box)
		}})
		height := paperGapRow
		for _, l := range lines {
			height += l.h
		}
		if used > keyHeight && used+height-paperGapRow > paperPage {
			breaks = append(breaks, row)
			used = keyHeight
		}
		used += height
		for _, l := range lines {
			if err := l.fill(row); err != nil {
				return err
			}
			if err := f.SetRowHeight(s, row, l.h); err != nil {
				return err
			}
			row++
		}
		if ci < len(spec.Cases)-1 {
			if err := f.SetRowHeight(s, row, paperGapRow); err != nil {
				return err
			}
			row++
		}
	}
	for _, r := range breaks {
		if err := f.InsertPageBreak(s, fmt.Sprintf("A%d", r)); err != nil {
			return err
		}
	}
	if err := xlsxprint.PrintArea(f, s, fmt.Sprintf("$A$1:$D$%d", max(row, 2))); err != nil {
		return err
	}
	return xlsxprint.Apply(f, s, xlsxprint.Setup{FitWide: 1, RepeatRows: "$1:$1", Marking: spec.Marking, Title: spec.title()})
}

// paperLabel is a box's label in bold with what it takes beneath, smaller.
func paperLabel(label, code string) []excelize.RichTextRun {
	runs := []excelize.RichTextRun{{Text: label, Font: xlsxprint.Font(true, 11, "")}}
	if code != "" {
		runs = append(runs, excelize.RichTextRun{Text: "\n" + code, Font: xlsxprint.Font(false, 9, "404040")})
	}
	return runs
}
