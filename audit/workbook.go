package audit

import (
	"fmt"
	"io"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// The auditors' workbook: sheet "Sample" holds one row per sampled case, in
// selection order, with the finding columns for auditors to fill in; sheet
// "Method" says how the sample was drawn and how to re-derive it; a hidden
// sheet "Lists" holds the drop-down values. `caseaudit import` reads the
// filled-in workbook back by these header names.
const (
	SheetSample = "Sample"
	SheetMethod = "Method"
	SheetLists  = "Lists"

	ColOrder     = "#"
	ColCaseID    = "Case ID"
	ColAuditor   = "Auditor"
	ColGrade     = "Grade"
	ColImmediate = "Immediate attention"
	ColNotes     = "Notes"
	ColDate      = "Date audited"
)

// workbookGrades are the grade drop-down's values, best first.
var workbookGrades = func() []string {
	var out []string
	for _, g := range Grades {
		out = append(out, g.String())
	}
	return out
}()

// Method records how a sample was drawn: everything needed to re-derive it.
type Method struct {
	Audit          string // audit name in the store, "" when not recorded
	Seed           string
	InputPath      string
	InputSHA256    string
	Format         string // csv or xlsx
	Sheet          string
	HeaderRow      int
	IDColumn       string
	Rows           int // data rows holding a case ID
	Population     int // distinct IDs after filters and exclusions
	Filters        []string
	Strata         string
	Allocation     string
	MinPerStratum  int
	Excluded       int
	ExcludedWithin string
	Size           int
	ToolVersion    string
	Created        time.Time
}

// WorkbookSpec is what goes into an auditors' workbook.
type WorkbookSpec struct {
	Method   Method
	Columns  []string // the shown fields' header names, in order
	Cases    []sample.Selected
	Auditors map[string]string // case ID → allocated auditor (optional)
	// Form, when set, adds one column per question between Auditor and
	// Grade, headed by the question's label, with a drop-down of its answers
	// (grade, yesno and choice questions) and its help as the cell prompt.
	Form *Form
}

// WriteWorkbook writes the auditors' workbook as xlsx to w. Every value is
// written as a string cell, so nothing from the export can become a formula.
func WriteWorkbook(w io.Writer, spec WorkbookSpec) error {
	f := excelize.NewFile()
	defer f.Close()
	if err := f.SetSheetName("Sheet1", SheetSample); err != nil {
		return err
	}
	header := []string{ColOrder, ColCaseID}
	header = append(header, spec.Columns...)
	stratumCol := -1
	if spec.Method.Strata != "" && !containsFold(spec.Columns, spec.Method.Strata) {
		stratumCol = len(header)
		header = append(header, spec.Method.Strata)
	}
	auditorAt := len(header)
	header = append(header, ColAuditor)
	formAt := len(header)
	var questions []Question
	if spec.Form != nil {
		questions = spec.Form.Questions
		for _, q := range questions {
			if containsFold(header, q.Label) {
				return fmt.Errorf("the form's question %q has the same label as the column %q of the sample; rename the question", q.Key, q.Label)
			}
			header = append(header, q.Label)
		}
	}
	gradeAt := len(header)
	header = append(header, ColGrade, ColImmediate, ColNotes, ColDate)
	immAt, notesAt, dateAt := gradeAt+1, gradeAt+2, gradeAt+3

	widths := make([]int, len(header))
	headStyle, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true},
		Fill:   excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"DDEBF7"}},
		Border: []excelize.Border{{Type: "bottom", Color: "8EA9DB", Style: 1}}})
	if err != nil {
		return err
	}
	textStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	notesStyle, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	dateStyle, err := f.NewStyle(&excelize.Style{NumFmt: 14, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	for i, h := range header {
		cell, _ := excelize.CoordinatesToCellName(i+1, 1)
		if err := f.SetCellStr(SheetSample, cell, h); err != nil {
			return err
		}
		widths[i] = max(widths[i], displayWidth(h)+2)
	}
	last, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(SheetSample, "A1", last, headStyle); err != nil {
		return err
	}
	for r, c := range spec.Cases {
		row := r + 2
		vals := make([]string, len(header))
		vals[0] = fmt.Sprint(c.Order)
		vals[1] = c.ID
		for i := range spec.Columns {
			if i < len(c.Fields) {
				vals[2+i] = c.Fields[i]
			}
		}
		if stratumCol >= 0 {
			vals[stratumCol] = c.Stratum
		}
		vals[auditorAt] = spec.Auditors[c.ID]
		for i, v := range vals {
			cell, _ := excelize.CoordinatesToCellName(i+1, row)
			if i == 0 {
				if err := f.SetCellInt(SheetSample, cell, int64(c.Order)); err != nil {
					return err
				}
			} else if v != "" {
				if err := f.SetCellStr(SheetSample, cell, v); err != nil {
					return err
				}
			}
			widths[i] = max(widths[i], min(displayWidth(v)+2, 60))
		}
	}
	lastRow := len(spec.Cases) + 1
	if lastRow < 2 {
		lastRow = 2
	}
	col := func(i int) string { n, _ := excelize.ColumnNumberToName(i + 1); return n }
	rangeOf := func(i int) string { return fmt.Sprintf("%s2:%s%d", col(i), col(i), lastRow) }
	// Text format for the case columns (so "000123" stays text when edited),
	// a date format for Date audited, wrapping for notes.
	for i := range header {
		style := textStyle
		switch i {
		case notesAt:
			style = notesStyle
		case dateAt:
			style = dateStyle
		}
		if err := f.SetColStyle(SheetSample, col(i), style); err != nil {
			return err
		}
		w := float64(widths[i])
		if i == notesAt {
			w = 50
		}
		if i == dateAt {
			w = 14
		}
		if i >= formAt && i < gradeAt {
			w = min(max(w, 16), 30)
		}
		if err := f.SetColWidth(SheetSample, col(i), col(i), w); err != nil {
			return err
		}
	}
	if err := f.SetCellStyle(SheetSample, "A1", last, headStyle); err != nil {
		return err
	}

	// Drop-downs, with their values in a hidden sheet.
	if _, err := f.NewSheet(SheetLists); err != nil {
		return err
	}
	for i, g := range workbookGrades {
		f.SetCellStr(SheetLists, fmt.Sprintf("A%d", i+1), g)
	}
	f.SetCellStr(SheetLists, "B1", "Yes")
	f.SetCellStr(SheetLists, "B2", "No")
	grade := excelize.NewDataValidation(true)
	grade.Sqref = rangeOf(gradeAt)
	grade.SetSqrefDropList(fmt.Sprintf("%s!$A$1:$A$%d", SheetLists, len(workbookGrades)))
	grade.SetError(excelize.DataValidationErrorStyleStop, "Grade", "Choose Outstanding, Good, Requires improvement or Inadequate.")
	if err := f.AddDataValidation(SheetSample, grade); err != nil {
		return err
	}
	imm := excelize.NewDataValidation(true)
	imm.Sqref = rangeOf(immAt)
	imm.SetSqrefDropList(SheetLists + "!$B$1:$B$2")
	imm.SetError(excelize.DataValidationErrorStyleStop, "Immediate attention", "Choose Yes or No.")
	if err := f.AddDataValidation(SheetSample, imm); err != nil {
		return err
	}
	date := excelize.NewDataValidation(true)
	date.Sqref = rangeOf(dateAt)
	if err := date.SetRange("DATE(2000,1,1)", "DATE(2099,12,31)", excelize.DataValidationTypeDate, excelize.DataValidationOperatorBetween); err != nil {
		return err
	}
	date.SetError(excelize.DataValidationErrorStyleStop, "Date audited", "Enter a date, e.g. 14/07/2026.")
	if err := f.AddDataValidation(SheetSample, date); err != nil {
		return err
	}
	// One drop-down per form question, its values in its own column of Lists.
	for qi, q := range questions {
		opts := q.Options()
		dv := excelize.NewDataValidation(true)
		dv.Sqref = rangeOf(formAt + qi)
		if opts != nil {
			listCol := col(2 + qi) // Lists!C, D, …
			for i, v := range opts {
				if err := f.SetCellStr(SheetLists, fmt.Sprintf("%s%d", listCol, i+1), v); err != nil {
					return err
				}
			}
			dv.SetSqrefDropList(fmt.Sprintf("%s!$%s$1:$%s$%d", SheetLists, listCol, listCol, len(opts)))
			dv.SetError(excelize.DataValidationErrorStyleStop, clip(q.Label, 32), clip("Choose "+q.Describe()+".", 225))
		} else if q.Help == "" {
			continue
		}
		if q.Help != "" {
			dv.SetInput(clip(q.Label, 32), clip(q.Help, 250))
		}
		if err := f.AddDataValidation(SheetSample, dv); err != nil {
			return err
		}
	}
	if err := f.SetSheetVisible(SheetLists, false); err != nil {
		return err
	}
	if err := f.SetPanes(SheetSample, &excelize.Panes{Freeze: true, YSplit: 1, XSplit: 2, TopLeftCell: "C2", ActivePane: "bottomRight"}); err != nil {
		return err
	}
	if err := f.AutoFilter(SheetSample, "A1:"+last, nil); err != nil {
		return err
	}
	if err := writeMethodSheet(f, spec.Method); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

func writeMethodSheet(f *excelize.File, m Method) error {
	if _, err := f.NewSheet(SheetMethod); err != nil {
		return err
	}
	sheetOrNone := m.Sheet
	if sheetOrNone == "" {
		sheetOrNone = "(csv)"
	}
	filters := "none"
	if len(m.Filters) > 0 {
		filters = strings.Join(m.Filters, " AND ")
	}
	strata := "none"
	if m.Strata != "" {
		strata = fmt.Sprintf("%s, %s allocation", m.Strata, m.Allocation)
		if m.MinPerStratum > 0 {
			strata += fmt.Sprintf(", at least %d per stratum", m.MinPerStratum)
		}
	}
	rows := [][2]string{
		{"Audit", m.Audit},
		{"Seed", m.Seed},
		{"Input file", m.InputPath},
		{"Input SHA-256", m.InputSHA256},
		{"Sheet", sheetOrNone},
		{"Header row", fmt.Sprint(m.HeaderRow)},
		{"ID column", m.IDColumn},
		{"Data rows", fmt.Sprint(m.Rows)},
		{"Population (distinct IDs after filters)", fmt.Sprint(m.Population)},
		{"Filters", filters},
		{"Strata", strata},
		{"Sample size", fmt.Sprint(m.Size)},
		{"Tool", "caseaudit " + m.ToolVersion},
		{"Drawn (UTC)", m.Created.UTC().Format("2006-01-02 15:04:05")},
	}
	if m.Excluded > 0 {
		rows = append(rows, [2]string{"Excluded (audited within " + m.ExcludedWithin + ")", fmt.Sprint(m.Excluded)})
	}
	bold, err := f.NewStyle(&excelize.Style{Font: &excelize.Font{Bold: true}, Alignment: &excelize.Alignment{Vertical: "top"}})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{WrapText: true, Vertical: "top"}})
	if err != nil {
		return err
	}
	r := 1
	for _, kv := range rows {
		if kv[0] == "Audit" && kv[1] == "" {
			continue
		}
		f.SetCellStr(SheetMethod, fmt.Sprintf("A%d", r), kv[0])
		f.SetCellStr(SheetMethod, fmt.Sprintf("B%d", r), kv[1])
		f.SetCellStyle(SheetMethod, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), bold)
		f.SetCellStyle(SheetMethod, fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r), wrap)
		r++
	}
	r++
	f.SetCellStr(SheetMethod, fmt.Sprintf("A%d", r), "How to re-derive this sample")
	f.SetCellStyle(SheetMethod, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), bold)
	f.SetCellStr(SheetMethod, fmt.Sprintf("B%d", r), RederiveText(m))
	f.SetCellStyle(SheetMethod, fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r), wrap)
	f.SetColWidth(SheetMethod, "A", "A", 40)
	f.SetColWidth(SheetMethod, "B", "B", 90)
	return nil
}

// RederiveText explains, for a non-specialist, how anyone can check the sample.
func RederiveText(m Method) string {
	return "The sample depends only on the seed and the set of case IDs, not on row order or software " +
		"(Rivest's consistent sampler, as used in election audits). For every distinct case ID in the " +
		"population: S = SHA-256 of the seed as 64 lowercase hex characters; H = SHA-256 of S followed by " +
		"the ID, read as a whole number; the ticket is \"0.\" followed by the decimal digits of H " +
		"(padded to 64) in reverse order. Cases are taken in ticket order (smallest first)" +
		map[bool]string{true: ", within each stratum as allocated", false: ""}[m.Strata != ""] +
		". With the same export file (check its SHA-256) run: caseaudit verify, or caseaudit sample with the " +
		"same seed, filters and size, and compare."
}

func containsFold(list []string, s string) bool {
	for _, x := range list {
		if strings.EqualFold(strings.TrimSpace(x), strings.TrimSpace(s)) {
			return true
		}
	}
	return false
}

func displayWidth(s string) int { return utf8.RuneCountInString(s) }

// clip shortens s to at most n runes (Excel limits prompt and error texts).
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}
