package workbook

import (
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// The Instructions sheet, first in every workbook: what the audit is for,
// whose cases these are and when they are due back, whom to tell at once
// about a case needing immediate attention, how to fill in each column of
// the Sample sheet, what each grade means, and that names stay out of
// notes. The texts come from the audit's form (Form.Guide).

// InstructionLine is one line of the Instructions sheet: a heading (Key
// only, Heading set), a labelled line, or a paragraph (Key "").
type InstructionLine struct {
	Key, Text string
	Heading   bool
	Grade     form.Grade // a grade's line, coloured as the grade
}

// gradeFills colour the grades on the Instructions sheet (as in reports).
var gradeFills = map[form.Grade]string{form.Outstanding: "1B7837", form.Good: "7FBF7B", form.RequiresImprovement: "F1A340", form.Inadequate: "B2182B"}

// InstructionLines are the Instructions sheet's lines for a workbook.
func InstructionLines(spec Spec) []InstructionLine {
	g := spec.Form.Guide()
	var out []InstructionLine
	add := func(k, t string) { out = append(out, InstructionLine{Key: k, Text: t}) }
	head := func(k string) { out = append(out, InstructionLine{Key: k, Heading: true}) }
	mod := spec.Moderation != nil
	who := ColAuditor
	if mod {
		who = ColModerator
	}

	if spec.Audit != "" {
		add("Audit", spec.Audit)
	}
	n := words.Count(len(spec.Cases), "case")
	switch {
	case mod && spec.Moderator != "":
		add("Moderator", fmt.Sprintf("%s (%s to re-grade)", spec.Moderator, n))
	case mod:
		add("Cases", n+" to re-grade")
	case spec.Auditor != "":
		add("Auditor", fmt.Sprintf("%s (%s)", spec.Auditor, n))
	default:
		add("Cases", n)
	}
	if spec.Outstanding {
		add("", "Only the cases not yet recorded are listed: the others are already in the audit.")
	}
	if spec.ReturnBy != "" {
		add("Return by", longDate(spec.ReturnBy))
	}
	contact := spec.Contact
	if contact == "" {
		contact = "the case's team manager, and the person who sent you this workbook"
	}
	add("Immediate attention: tell", contact)
	if !spec.Issued.IsZero() {
		add("Issued", spec.Issued.UTC().Format("2 January 2006"))
	}

	head("What to do")
	if mod {
		add("", g.Moderation)
	} else {
		add("", g.Introduction)
	}

	head("How to fill in the Sample sheet")
	add("Columns", "The shaded columns are yours to fill in; the others come from the sample: leave them as they are. "+
		"Hover over a column's cells for a reminder, and choose from the drop-down lists.")
	if mod {
		add(who, "Your own name, on every row you moderate.")
	} else {
		add(who, "Your name, on every row you audit (already filled in where the cases are allocated).")
	}
	if f := spec.Form; f != nil && !mod {
		for _, q := range f.Questions {
			t := q.Help
			if q.Kind != form.QuestionText {
				t = strings.TrimSpace(t + " Choose " + q.ListDescribe() + ".")
			}
			if q.PrefillFrom != "" {
				t += " Pre-filled from the export's column " + q.PrefillFrom + " where it has a value: change it if the file shows otherwise."
			}
			if q.Required {
				t += " Required."
			}
			add(q.Label, t)
		}
	}
	add(ColGrade, "Your overall judgement of the case: Outstanding, Good, Requires improvement or Inadequate (below).")
	add(ColImmediate, "Yes or No (below).")
	add(ColNotes, "What your grade rests on, in a few lines. No names.")
	add(ColDate, "The day you read the file, e.g. 14/07/2026.")
	add("Rows", "A row counts once it has a grade and Yes or No; leave a row blank until you have read the file. "+
		"Do not add, delete or sort rows, and keep the Method sheet: it says how the sample was drawn.")

	head("On paper")
	add("Print", "The Instructions and the Paper sheet: one block per case, with a box to write in for each answer. "+
		"The Sample sheet is for typing.")
	if f := spec.Form; f != nil && !mod && len(f.Questions) > 0 {
		add("Focus areas", "Write in each box one of the answers printed under its name: O, G, RI or I for a grade; Y or N; or the choice, in words.")
	}
	add(ColGrade, "Write O (Outstanding), G (Good), RI (Requires improvement) or I (Inadequate).")
	if spec.Contact != "" {
		add(ColImmediate, "Write Y or N. Y: tell "+spec.Contact+" at once, before you hand the pages back.")
	} else {
		add(ColImmediate, "Write Y or N. Y: tell the case's team manager at once, before you hand the pages back.")
	}
	add(ColNotes, "What your grade rests on, in two or three lines. No names.")
	back := "Type what you wrote into the Sample sheet, choosing from its lists, or hand the pages to the person who sent you this workbook to type in"
	if spec.ReturnBy != "" {
		back += ", by " + longDate(spec.ReturnBy)
	}
	add("Then", back+". Only what is in the Sample sheet is imported.")

	head("What the grades mean")
	for _, gr := range form.Grades {
		out = append(out, InstructionLine{Key: gr.String(), Text: g.Grades[gr.String()], Grade: gr})
	}

	head("Immediate attention")
	add("What counts", g.Immediate)
	add("What to do at once", g.ActAtOnce)
	if spec.Contact != "" {
		add("Contact", spec.Contact)
	} else {
		add("Contact", "The person who sent you this workbook (no contact was named when it was written).")
	}

	head("Names stay out of notes")
	add("", g.Names)
	return out
}

// longDate writes yyyy-mm-dd as "Friday 24 July 2026" (as given otherwise).
func longDate(iso string) string { return words.Date(iso, "Monday 2 January 2006") }

func writeInstructions(f *excelize.File, spec *Spec) error {
	const s = SheetInstructions
	const wa, wb = 27.0, 76.0
	if err := f.SetColWidth(s, "A", "A", wa); err != nil {
		return err
	}
	if err := f.SetColWidth(s, "B", "B", wb); err != nil {
		return err
	}
	newStyle := func(st *excelize.Style) int {
		id, _ := f.NewStyle(st)
		return id
	}
	top := &excelize.Alignment{Vertical: "top", WrapText: true}
	title := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 14, "")})
	marking := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 12, "C00000")})
	heading := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 12, ""), Alignment: &excelize.Alignment{Vertical: "bottom"},
		Border: []excelize.Border{{Type: "bottom", Color: "808080", Style: 1}}})
	key := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""), Alignment: top})
	text := newStyle(&excelize.Style{NumFmt: 49, Alignment: top})
	shaded := newStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""), Alignment: top,
		Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fillCellFill}}})
	grade := map[form.Grade]int{}
	for g, fill := range gradeFills {
		font := xlsxprint.Font(true, 0, "")
		if g == form.Outstanding || g == form.Inadequate {
			font.Color = "FFFFFF"
		}
		grade[g] = newStyle(&excelize.Style{Font: font, Alignment: top,
			Fill: excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}}})
	}
	r := 1
	cell := func(col string) string { return fmt.Sprintf("%s%d", col, r) }
	if spec.Marking != "" {
		f.SetCellStr(s, cell("A"), spec.Marking)
		f.SetCellStyle(s, cell("A"), cell("A"), marking)
		r++
	}
	t := "Case-file audit: instructions for auditors"
	if spec.Moderation != nil {
		t = "Case-file audit: instructions for moderators"
	}
	f.SetCellStr(s, cell("A"), t)
	f.SetCellStyle(s, cell("A"), cell("A"), title)
	f.SetRowHeight(s, r, 21)
	r += 2
	for _, l := range InstructionLines(*spec) {
		if l.Heading {
			r++
			f.SetCellStr(s, cell("A"), l.Key)
			f.SetCellStyle(s, cell("A"), cell("B"), heading)
			f.SetRowHeight(s, r, 20)
			r++
			continue
		}
		lines := xlsxprint.Lines(l.Text, wb)
		ks := key
		switch {
		case l.Grade != form.NoGrade:
			ks = grade[l.Grade]
		case l.Key == "Columns":
			ks = shaded
		}
		if l.Key != "" {
			f.SetCellStr(s, cell("A"), l.Key)
			f.SetCellStyle(s, cell("A"), cell("A"), ks)
			lines = max(lines, xlsxprint.BoldLines(l.Key, wa))
		}
		f.SetCellStr(s, cell("B"), l.Text)
		f.SetCellStyle(s, cell("B"), cell("B"), text)
		// Neither LibreOffice nor Excel fits a row to wrapped text when
		// opening a file: the height is set here.
		if lines > 1 {
			f.SetRowHeight(s, r, xlsxprint.RowHeight(lines))
		}
		r++
	}
	return xlsxprint.Apply(f, s, xlsxprint.Setup{FitWide: 1, Marking: spec.Marking, Title: spec.title()})
}
