package workbook

import (
	"fmt"
	"math"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// The auditors' workbook. Sheet "Instructions" (first) says what each grade
// means, what counts as needing immediate attention and what to do at
// once, when the workbook is due back and how to fill in the columns;
// sheet "Sample" holds one row per sampled case, in selection order, with
// the finding columns for auditors to fill in (shaded); sheet "Method"
// says which workbook this is and how the sample was drawn and can be
// re-derived; a hidden sheet "Lists" holds the drop-down values.
// `caseaudit import` reads the filled-in workbook back by these header
// names. Every sheet prints on A4, fitted to the page's width, with the
// protective marking in each page's header and footer.
const (
	SheetInstructions = "Instructions"
	SheetSample       = "Sample"
	SheetMethod       = "Method"
	SheetLists        = "Lists"

	ColOrder     = form.ColOrder
	ColCaseID    = form.ColCaseID
	ColAuditor   = form.ColAuditor
	ColModerator = form.ColModerator // the moderators' workbook's Auditor column
	ColGrade     = form.ColGrade
	ColImmediate = form.ColImmediate
	ColNotes     = form.ColNotes
	ColDate      = form.ColDate
)

// workbookGrades are the grade drop-down's values, best first.
var workbookGrades = form.GradeNames()

// Spec is what goes into an auditors' (or moderators') workbook.
type Spec struct {
	// Audit is the audit's name in the store; "" when the sample is not
	// recorded.
	Audit string
	// Moderation, when set, makes this the moderators' workbook of the
	// audit's moderation sample (Cases are the moderated cases).
	Moderation *Moderation
	// Provenance says how the audit's sample was drawn (the Method sheet).
	Provenance sample.Provenance
	Columns    []string          // the shown fields' header names, in order
	Cases      []sample.Selected // in order
	Auditors   map[string]string // case ID → allocated auditor (optional)
	// Form, when set, adds one column per question between Auditor and
	// Grade, headed by the question's label, with a drop-down of its answers
	// (grade, yesno and choice questions) and its help as the cell prompt.
	// Its instructions (or the built-in ones) fill the Instructions sheet.
	Form *form.Form

	// Marking is the protective marking printed in every sheet's header
	// and footer and at the top of the Instructions ("OFFICIAL-SENSITIVE");
	// "" for none.
	Marking string
	// Contact is whom to tell at once about a case needing immediate
	// attention (a name and a telephone number); "" says the team manager.
	Contact string
	// ReturnBy is the day the workbook is due back, yyyy-mm-dd; "" for none.
	ReturnBy string
	// Auditor names the auditor whose cases these are (a workbook for one
	// auditor); Moderator pre-fills the Moderator column of a moderators'
	// workbook.
	Auditor   string
	Moderator string
	// Outstanding: only the cases without a finding yet are in the workbook.
	Outstanding bool
	// Issued is when the workbook was written (the Instructions and Method
	// sheets show the day); zero leaves it out.
	Issued time.Time
	// Withdrawn counts the sampled cases withdrawn and replaced (they are
	// not in the workbook).
	Withdrawn int
}

// Moderation is what the moderators' workbook says of its moderation
// sample.
type Moderation struct {
	Seed     string
	Size     int // cases drawn
	Recorded int // recorded cases the draw chose from
}

// SheetExcluded lists the IDs an exclusion left out of the population, one
// per row, when there are any: with the export and the seed they re-derive
// the sample. It is hidden, so it does not print with the auditor's pack.
const SheetExcluded = "Excluded"

// The workbook's colours: given columns plain with a blue-grey header, the
// columns to fill shaded with an amber header, so they stand apart on
// screen and in black and white print.
const (
	givenHeadFill = "DDEBF7"
	fillHeadFill  = "FFD966"
	fillCellFill  = "FFF2CC"
	gridColor     = "BFBFBF"
)

// column is one column of the Sample sheet.
type column struct {
	name   string
	width  float64
	fill   bool                                  // for the auditor to fill in
	wrap   bool                                  // wrap the column's values
	values func(c sample.Selected, i int) string // the given value of a row
}

// auditorColumn is the header of the column naming who recorded a finding.
func (spec *Spec) auditorColumn() string {
	if spec.Moderation != nil {
		return ColModerator
	}
	return ColAuditor
}

// listLabel is the prompt or error title Excel allows (32 characters).
func listLabel(s string) string { return words.Clip(s, 32) }

// The Notes column of the Sample sheet: notesWidth characters wide and
// notesLines lines tall, room for a few sentences (about 150 characters)
// on the printed sheet.
const (
	notesWidth = 48
	notesLines = 3
)

func writeSampleSheet(f *excelize.File, spec *Spec) error {
	const s = SheetSample
	header := []string{ColOrder, ColCaseID}
	header = append(header, spec.Columns...)
	if strata := spec.Provenance.StrataColumn(); strata != "" && !containsFold(spec.Columns, strata) {
		header = append(header, strata)
	}
	stratumCol := -1
	if len(header) > 2+len(spec.Columns) {
		stratumCol = len(header) - 1
	}
	var questions []form.Question
	if spec.Form != nil {
		questions = spec.Form.Questions
		for _, q := range questions {
			if containsFold(header, q.Label) || containsFold([]string{ColAuditor, ColModerator}, q.Label) {
				return fmt.Errorf("the form's question %q has the same label as the column %q of the sample; rename the question", q.Key, q.Label)
			}
		}
	}
	// The columns, with widths that fit their longest value (the header
	// wraps instead).
	var cols []column
	given := func(name string, value func(c sample.Selected, i int) string) {
		cols = append(cols, column{name: name, values: value})
	}
	given(ColOrder, func(c sample.Selected, _ int) string { return fmt.Sprint(c.Order) })
	given(ColCaseID, func(c sample.Selected, _ int) string { return c.ID })
	for i, name := range spec.Columns {
		given(name, func(c sample.Selected, _ int) string {
			if i < len(c.Fields) {
				return c.Fields[i]
			}
			return ""
		})
	}
	if stratumCol >= 0 {
		given(header[stratumCol], func(c sample.Selected, _ int) string { return c.Stratum })
	}
	who := spec.auditorColumn()
	allAllocated := len(spec.Cases) > 0
	for _, c := range spec.Cases {
		if spec.whoFor(c.ID) == "" {
			allAllocated = false
		}
	}
	cols = append(cols, column{name: who, fill: !allAllocated, values: func(c sample.Selected, _ int) string { return spec.whoFor(c.ID) }})
	formAt := len(cols)
	prefills := make([]map[string]string, len(spec.Cases))
	if spec.Moderation == nil {
		for i, c := range spec.Cases {
			prefills[i] = spec.Form.Prefills(spec.Columns, c.Fields)
		}
	}
	for _, q := range questions {
		cols = append(cols, column{name: q.Label, fill: true, wrap: true, values: func(c sample.Selected, i int) string { return prefills[i][q.Key] }})
	}
	gradeAt := len(cols)
	cols = append(cols,
		column{name: ColGrade, fill: true},
		column{name: ColImmediate, fill: true},
		column{name: ColNotes, fill: true, wrap: true, width: notesWidth},
		column{name: ColDate, fill: true, width: 11})
	immAt, notesAt, dateAt := gradeAt+1, gradeAt+2, gradeAt+3

	// Widths: the longest given value, or the longest value the column's
	// drop-down allows; headers wrap at word breaks to fit.
	for i := range cols {
		c := &cols[i]
		if c.width > 0 {
			continue
		}
		w := 0.0
		for _, word := range strings.Fields(c.name) {
			w = max(w, xlsxprint.BoldWidth(word))
		}
		if c.values != nil {
			for r, sc := range spec.Cases {
				w = max(w, xlsxprint.Width(c.values(sc, r)))
			}
		}
		switch {
		case i == gradeAt:
			for _, g := range workbookGrades {
				w = max(w, xlsxprint.Width(g))
			}
		case i == immAt:
			w = max(w, xlsxprint.BoldWidth("attention"))
		case i >= formAt && i < gradeAt:
			// Focus areas: wide enough for the answers' longest word; the
			// longest answers ("Requires improvement") wrap onto two lines.
			for _, o := range questions[i-formAt].Options() {
				for _, word := range strings.Fields(o) {
					w = max(w, xlsxprint.Width(word))
				}
			}
			w = max(w, 11)
		}
		c.width = math.Ceil(min(w+1.5, 40))
	}
	// Styles: text format everywhere (an ID such as "000123" stays text
	// when edited), the columns to fill shaded, a light grid to read rows by.
	grid := []excelize.Border{{Type: "left", Color: gridColor, Style: 1}, {Type: "right", Color: gridColor, Style: 1},
		{Type: "top", Color: gridColor, Style: 1}, {Type: "bottom", Color: gridColor, Style: 1}}
	style := func(numFmt int, fill string, wrap, bold bool, headFill string) (int, error) {
		st := &excelize.Style{NumFmt: numFmt, Border: grid,
			Alignment: &excelize.Alignment{Vertical: "top", WrapText: wrap}}
		if fill != "" {
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{fill}}
		}
		if bold {
			st.Font = xlsxprint.Font(true, 0, "")
			st.Fill = excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{headFill}}
			st.Alignment = &excelize.Alignment{Vertical: "center", WrapText: true}
			st.Border = append(grid[:3:3], excelize.Border{Type: "bottom", Color: "808080", Style: 2})
		}
		return f.NewStyle(st)
	}
	colText, err := f.NewStyle(&excelize.Style{NumFmt: 49})
	if err != nil {
		return err
	}
	colDate, err := f.NewStyle(&excelize.Style{NumFmt: 14})
	if err != nil {
		return err
	}
	givenHead, err := style(0, "", false, true, givenHeadFill)
	if err != nil {
		return err
	}
	fillHead, err := style(0, "", false, true, fillHeadFill)
	if err != nil {
		return err
	}
	givenCell, err := style(49, "", false, false, "")
	if err != nil {
		return err
	}
	fillCell, err := style(49, fillCellFill, false, false, "")
	if err != nil {
		return err
	}
	fillWrap, err := style(49, fillCellFill, true, false, "")
	if err != nil {
		return err
	}
	fillDate, err := style(14, fillCellFill, false, false, "")
	if err != nil {
		return err
	}
	orderCell, err := f.NewStyle(&excelize.Style{Border: grid, Alignment: &excelize.Alignment{Vertical: "top", Horizontal: "right"}})
	if err != nil {
		return err
	}
	lastRow := max(len(spec.Cases)+1, 2)
	colName := func(i int) string { n, _ := excelize.ColumnNumberToName(i + 1); return n }
	// Column styles first: setting one restyles the column's cells.
	for i, c := range cols {
		cs := colText
		if i == dateAt {
			cs = colDate
		}
		if err := f.SetColStyle(s, colName(i), cs); err != nil {
			return err
		}
		if err := f.SetColWidth(s, colName(i), colName(i), c.width); err != nil {
			return err
		}
	}
	headLines := 1
	for i, c := range cols {
		cell := colName(i) + "1"
		if err := f.SetCellStr(s, cell, c.name); err != nil {
			return err
		}
		hs := givenHead
		if c.fill {
			hs = fillHead
		}
		if err := f.SetCellStyle(s, cell, cell, hs); err != nil {
			return err
		}
		headLines = max(headLines, xlsxprint.BoldLines(c.name, c.width))
		cells := givenCell
		switch {
		case i == 0:
			cells = orderCell
		case i == dateAt:
			cells = fillDate
		case c.fill && c.wrap:
			cells = fillWrap
		case c.fill:
			cells = fillCell
		}
		if err := f.SetCellStyle(s, colName(i)+"2", fmt.Sprintf("%s%d", colName(i), lastRow), cells); err != nil {
			return err
		}
	}
	if err := f.SetRowHeight(s, 1, xlsxprint.RowHeight(headLines)); err != nil {
		return err
	}
	// Every case's row is as tall as notesLines lines of notes, set as the
	// sheet's default row height rather than row by row: a program that
	// fills the notes and re-saves the workbook without measuring them
	// (a script, LibreOffice's convert) keeps the height, so the printed
	// notes stay in their rows instead of running over the rows below;
	// and no row is fixed, so Excel and Calc still grow a row whose note
	// is typed longer.
	rowHeight, custom := xlsxprint.RowHeight(notesLines), true
	if err := f.SetSheetProps(s, &excelize.SheetPropsOptions{DefaultRowHeight: &rowHeight, CustomHeight: &custom}); err != nil {
		return err
	}
	for r, c := range spec.Cases {
		row := r + 2
		for i, col := range cols {
			if col.values == nil {
				continue
			}
			cell := fmt.Sprintf("%s%d", colName(i), row)
			if i == 0 {
				if err := f.SetCellInt(s, cell, int64(c.Order)); err != nil {
					return err
				}
				continue
			}
			if v := col.values(c, r); v != "" {
				if err := f.SetCellStr(s, cell, v); err != nil {
					return err
				}
			}
		}
	}
	// Drop-downs, with their values in a hidden sheet, a prompt on every
	// column to fill, and error messages offering only what the list takes.
	if _, err := f.NewSheet(SheetLists); err != nil {
		return err
	}
	for i, g := range workbookGrades {
		f.SetCellStr(SheetLists, fmt.Sprintf("A%d", i+1), g)
	}
	f.SetCellStr(SheetLists, "B1", "Yes")
	f.SetCellStr(SheetLists, "B2", "No")
	rangeOf := func(i int) string { return fmt.Sprintf("%s2:%s%d", colName(i), colName(i), lastRow) }
	guide := spec.Form.Guide()
	contact := spec.Contact
	if contact == "" {
		contact = "the case's team manager"
	}
	grade := excelize.NewDataValidation(true)
	grade.Sqref = rangeOf(gradeAt)
	grade.SetSqrefDropList(fmt.Sprintf("%s!$A$1:$A$%d", SheetLists, len(workbookGrades)))
	grade.SetInput("Grade", "Your overall judgement of the case: Outstanding, Good, Requires improvement or Inadequate. What each means is on the Instructions sheet.")
	grade.SetError(excelize.DataValidationErrorStyleStop, "Grade", "Choose Outstanding, Good, Requires improvement or Inadequate from the list.")
	if err := f.AddDataValidation(s, grade); err != nil {
		return err
	}
	imm := excelize.NewDataValidation(true)
	imm.Sqref = rangeOf(immAt)
	imm.SetSqrefDropList(SheetLists + "!$B$1:$B$2")
	imm.SetInput("Immediate attention", words.Clip("Yes if a child may be at risk of significant harm that is not being acted on, or something must happen today: then tell "+contact+" at once. Otherwise No.", 250))
	imm.SetError(excelize.DataValidationErrorStyleStop, "Immediate attention", "Choose Yes or No from the list.")
	if err := f.AddDataValidation(s, imm); err != nil {
		return err
	}
	notes := excelize.NewDataValidation(true)
	notes.Sqref = rangeOf(notesAt)
	notes.SetInput("Notes", words.Clip("What the grade rests on, in a few lines. "+firstSentence(guide.Names), 250))
	if err := f.AddDataValidation(s, notes); err != nil {
		return err
	}
	date := excelize.NewDataValidation(true)
	date.Sqref = rangeOf(dateAt)
	if err := date.SetRange("DATE(2000,1,1)", "DATE(2099,12,31)", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	date.SetInput("Date audited", "The day you read the file, e.g. 14/07/2026.")
	date.SetError(excelize.DataValidationErrorStyleStop, "Date audited", "Enter a date, e.g. 14/07/2026.")
	if err := f.AddDataValidation(s, date); err != nil {
		return err
	}
	// One drop-down per form question, its values in its own column of Lists.
	for qi, q := range questions {
		opts := q.Options()
		dv := excelize.NewDataValidation(true)
		dv.Sqref = rangeOf(formAt + qi)
		if opts != nil {
			listCol := colName(2 + qi) // Lists!C, D, …
			for i, v := range opts {
				if err := f.SetCellStr(SheetLists, fmt.Sprintf("%s%d", listCol, i+1), v); err != nil {
					return err
				}
			}
			dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$1:$%s$%d", SheetLists, listCol, listCol, len(opts)))
			dv.SetError(excelize.DataValidationErrorStyleStop, listLabel(q.Label), words.Clip("Choose "+q.ListDescribe()+" from the list.", 225))
		}
		prompt := q.Help
		if q.PrefillFrom != "" {
			prompt = strings.TrimSpace(prompt + " Pre-filled from the export's " + q.PrefillFrom + " where it has a value: change it if the file shows otherwise.")
		}
		if prompt == "" && opts == nil {
			continue
		}
		if prompt != "" {
			dv.SetInput(listLabel(q.Label), words.Clip(prompt, 250))
		}
		if err := f.AddDataValidation(s, dv); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(SheetLists, false); err != nil {
		return err
	}
	if err := f.SetPanes(s, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 2, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	last := colName(len(cols)-1) + "1"
	if err := f.AutoFilter(s, "A1:"+last, nil); err != nil {
		return err
	}
	if err := xlsxprint.PrintArea(f, s, fmt.Sprintf("$A$1:$%s$%d", colName(len(cols)-1), lastRow)); err != nil {
		return err
	}
	return xlsxprint.Apply(f, s, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1",
		Marking: spec.Marking, Title: spec.title()})
}

// whoFor is the name the auditor (moderator) column holds for a case.
func (spec *Spec) whoFor(id string) string {
	if spec.Moderation != nil {
		return spec.Moderator
	}
	return spec.Auditors[id]
}

// title names the workbook in page headers.
func (spec *Spec) title() string {
	t := "Case-file audit"
	if spec.Moderation != nil {
		t = "Moderation"
	}
	if spec.Audit != "" {
		t += ": " + spec.Audit
	}
	if spec.Auditor != "" {
		t += " (" + spec.Auditor + ")"
	}
	return t
}

// firstSentence is the first sentence of a text.
func firstSentence(s string) string {
	if i := strings.Index(s, ". "); i >= 0 {
		return s[:i+1]
	}
	return s
}

// methodRows is the Method sheet: which workbook this is, how the sample
// was drawn (the provenance), and the moderation draw for a moderators'
// workbook.
func methodRows(spec Spec) [][2]string {
	var rows [][2]string
	if spec.Moderation != nil {
		rows = append(rows, [2]string{"Workbook", WorkbookModeration})
	} else {
		rows = append(rows, [2]string{"Workbook", WorkbookAuditors})
	}
	if spec.Audit != "" {
		rows = append(rows, [2]string{"Audit", spec.Audit})
	}
	if c := spec.casesLine(); c != "" {
		rows = append(rows, [2]string{"Cases in this workbook", c})
	}
	if !spec.Issued.IsZero() {
		rows = append(rows, [2]string{"Issued", spec.Issued.UTC().Format("2006-01-02 15:04 UTC")})
	}
	if m := spec.Moderation; m != nil {
		rows = append(rows,
			[2]string{"Moderation seed", m.Seed},
			[2]string{"Moderation sample", fmt.Sprintf("%s, drawn from %s recorded", words.Count(m.Size, "case"), words.Thousands(m.Recorded))})
	}
	rows = append(rows, spec.Provenance.Describe()...)
	return rows
}

// casesLine says which cases the workbook holds: "" for the whole sample.
func (spec *Spec) casesLine() string {
	var parts []string
	if spec.Auditor != "" {
		parts = append(parts, "allocated to "+spec.Auditor)
	}
	if spec.Outstanding {
		parts = append(parts, "not yet recorded")
	}
	if len(parts) == 0 && spec.Withdrawn == 0 {
		return ""
	}
	line := words.Count(len(spec.Cases), "case")
	if len(parts) > 0 {
		line += ", " + strings.Join(parts, " and ")
	}
	if spec.Withdrawn > 0 {
		line += fmt.Sprintf(" (%s withdrawn from the sample and replaced: not listed)", words.Count(spec.Withdrawn, "case"))
	}
	return line
}

// The values of the Method sheet's "Workbook" row, by which import knows
// an auditors' workbook from a moderators'.
const (
	WorkbookAuditors   = "Auditors' workbook"
	WorkbookModeration = "Moderators' workbook"
)

func writeMethodSheet(f *excelize.File, spec Spec) error {
	if _, err := f.NewSheet(SheetMethod); err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, ""), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	const wa, wb = 28.0, 74.0
	r := 1
	put := func(k, v string) {
		f.SetCellStr(SheetMethod, fmt.Sprintf("A%d", r), k)
		f.SetCellStr(SheetMethod, fmt.Sprintf("B%d", r), v)
		f.SetCellStyle(SheetMethod, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), bold)
		f.SetCellStyle(SheetMethod, fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r), wrap)
		if lines := max(xlsxprint.BoldLines(k, wa), xlsxprint.Lines(v, wb)); lines > 1 {
			f.SetRowHeight(SheetMethod, r, xlsxprint.RowHeight(lines))
		}
		r++
	}
	for _, kv := range methodRows(spec) {
		put(kv[0], kv[1])
	}
	p := spec.Provenance
	if p.Exclusion != nil && len(p.Exclusion.IDs) > 0 {
		put("Excluded case IDs", fmt.Sprintf("%s, listed on the hidden sheet %s, which does not print (unhide it to read them)",
			words.Count(len(p.Exclusion.IDs), "ID"), SheetExcluded))
	}
	r++
	put("How to re-derive this sample", p.RederiveText())
	f.SetColWidth(SheetMethod, "A", "A", wa)
	f.SetColWidth(SheetMethod, "B", "B", wb)
	if err := xlsxprint.Apply(f, SheetMethod, xlsxprint.Setup{FitWide: 1, FitTall: 1, Marking: spec.Marking, Title: spec.title()}); err != nil {
		return err
	}
	if p.Exclusion != nil && len(p.Exclusion.IDs) > 0 {
		if _, err := f.NewSheet(SheetExcluded); err != nil {
			return err
		}
		f.SetCellStr(SheetExcluded, "A1", "Excluded case ID")
		f.SetCellStyle(SheetExcluded, "A1", "A1", bold)
		f.SetCellStr(SheetExcluded, "B1", p.Exclusion.Rule)
		for i, id := range p.Exclusion.IDs {
			if err := f.SetCellStr(SheetExcluded, fmt.Sprintf("A%d", i+2), id); err != nil {
				return err
			}
		}
		f.SetColWidth(SheetExcluded, "A", "A", 20)
		if err := xlsxprint.Apply(f, SheetExcluded, xlsxprint.Setup{FitWide: 1, RepeatRows: "$1:$1", Marking: spec.Marking, Title: spec.title()}); err != nil {
			return err
		}
		// Hidden: the IDs re-derive the sample, but pages of them are no
		// part of an auditor's pack.
		if err := f.SetSheetVisible(SheetExcluded, false); err != nil {
			return err
		}
	}
	return nil
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}
