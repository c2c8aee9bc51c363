package audit

import (
	"context"
	"fmt"
	"io"
	"strings"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/words"
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

// WorkbookSpec is what goes into an auditors' (or moderators') workbook.
type WorkbookSpec struct {
	// Audit is the audit's name in the store; "" when the sample is not
	// recorded.
	Audit string
	// Moderation, when set, makes this the moderators' workbook of its
	// moderation sample (Cases are the moderated cases).
	Moderation *ModerationSample
	// Provenance says how the audit's sample was drawn (the Method sheet).
	Provenance sample.Provenance
	Columns    []string          // the shown fields' header names, in order
	Cases      []SampledCase     // in order
	Auditors   map[string]string // case ID → allocated auditor (optional)
	// Form, when set, adds one column per question between Auditor and
	// Grade, headed by the question's label, with a drop-down of its answers
	// (grade, yesno and choice questions) and its help as the cell prompt.
	Form *Form
}

// SheetExcluded lists the IDs an exclusion left out of the population, one
// per row, when there are any: with the export and the seed they re-derive
// the sample.
const SheetExcluded = "Excluded"

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
	if strata := spec.Provenance.StrataColumn(); strata != "" && !containsFold(spec.Columns, strata) {
		stratumCol = len(header)
		header = append(header, strata)
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
	if err := writeMethodSheet(f, spec); err != nil {
		return err
	}
	f.SetActiveSheet(0)
	_, err = f.WriteTo(w)
	return err
}

// methodRows is the Method sheet: which workbook this is, how the sample
// was drawn (the provenance), and the moderation draw for a moderators'
// workbook.
func methodRows(spec WorkbookSpec) [][2]string {
	var rows [][2]string
	if spec.Moderation != nil {
		rows = append(rows, [2]string{"Workbook", WorkbookModeration})
	} else {
		rows = append(rows, [2]string{"Workbook", WorkbookAuditors})
	}
	if spec.Audit != "" {
		rows = append(rows, [2]string{"Audit", spec.Audit})
	}
	if m := spec.Moderation; m != nil {
		rows = append(rows,
			[2]string{"Moderation seed", m.Seed},
			[2]string{"Moderation sample", fmt.Sprintf("%s, drawn from %s recorded", words.Count(len(m.Cases), "case"), words.Thousands(m.Recorded))})
	}
	rows = append(rows, spec.Provenance.Describe()...)
	return rows
}

// The values of the Method sheet's "Workbook" row, by which import knows
// an auditors' workbook from a moderators'.
const (
	WorkbookAuditors   = "Auditors' workbook"
	WorkbookModeration = "Moderators' workbook"
)

func writeMethodSheet(f *excelize.File, spec WorkbookSpec) error {
	if _, err := f.NewSheet(SheetMethod); err != nil {
		return err
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
	put := func(k, v string) {
		f.SetCellStr(SheetMethod, fmt.Sprintf("A%d", r), k)
		f.SetCellStr(SheetMethod, fmt.Sprintf("B%d", r), v)
		f.SetCellStyle(SheetMethod, fmt.Sprintf("A%d", r), fmt.Sprintf("A%d", r), bold)
		f.SetCellStyle(SheetMethod, fmt.Sprintf("B%d", r), fmt.Sprintf("B%d", r), wrap)
		r++
	}
	for _, kv := range methodRows(spec) {
		put(kv[0], kv[1])
	}
	p := spec.Provenance
	if p.Exclusion != nil && len(p.Exclusion.IDs) > 0 {
		put("Excluded case IDs", fmt.Sprintf("listed on the sheet %s (%s)", SheetExcluded, words.Count(len(p.Exclusion.IDs), "ID")))
	}
	r++
	put("How to re-derive this sample", p.RederiveText())
	f.SetColWidth(SheetMethod, "A", "A", 32)
	f.SetColWidth(SheetMethod, "B", "B", 90)
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

func displayWidth(s string) int { return utf8.RuneCountInString(s) }

// clip shortens s to at most n runes (Excel limits prompt and error texts).
func clip(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// WorkbookOptions choose the cases of a workbook written from the store.
type WorkbookOptions struct {
	// Auditor keeps only the cases allocated to this auditor ("" = all).
	Auditor string
	// Outstanding keeps only the cases without a finding yet.
	Outstanding bool
	// Moderation writes the moderators' workbook of the moderation sample.
	Moderation bool
}

// Workbook gathers, from one snapshot of the store, what goes into a
// workbook for a recorded audit: its sample (or moderation sample), the
// current allocation, its form and its provenance. A workbook can be
// written again at any time: after growth, after reallocation, or when a
// file is lost.
func (s *Store) Workbook(ctx context.Context, name string, o WorkbookOptions) (WorkbookSpec, error) {
	var spec WorkbookSpec
	err := s.Snapshot(ctx, func(v *Store) error {
		a, err := v.Audit(ctx, name)
		if err != nil {
			return err
		}
		cases, err := v.Cases(ctx, a.Name)
		if err != nil {
			return err
		}
		spec = WorkbookSpec{Audit: a.Name, Provenance: a.Provenance, Columns: a.Columns, Auditors: map[string]string{}}
		if o.Moderation {
			m, err := v.Moderation(ctx, a.Name)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("audit %q has no moderation sample yet; draw one with caseaudit moderate", a.Name)
			}
			spec.Moderation = m
			byID := map[string]SampledCase{}
			for _, c := range cases {
				byID[c.ID] = c
			}
			var mod []SampledCase
			for i, id := range m.Cases {
				c := byID[id]
				c.Order = i + 1
				mod = append(mod, c)
			}
			cases = mod
		} else {
			if spec.Form, err = v.Form(ctx, a.Name); err != nil {
				return err
			}
			al, err := v.Allocation(ctx, a.Name)
			if err != nil {
				return err
			}
			if al != nil {
				for _, x := range al.Assigned {
					spec.Auditors[x.Case] = x.Auditor
				}
			}
		}
		if o.Auditor != "" || o.Outstanding {
			done, err := v.Findings(ctx, a.Name, o.Moderation)
			if err != nil {
				return err
			}
			recorded := map[string]bool{}
			for _, f := range done {
				recorded[f.Case] = true
			}
			keep := cases[:0:0]
			for _, c := range cases {
				if o.Outstanding && recorded[c.ID] {
					continue
				}
				if o.Auditor != "" && norm(spec.Auditors[c.ID]) != norm(o.Auditor) {
					continue
				}
				keep = append(keep, c)
			}
			cases = keep
		}
		spec.Cases = cases
		return nil
	})
	return spec, err
}
