package report

import (
	"encoding/csv"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
)

// WriteCSV writes the report's figures in long form, one figure a row:
// section, group, measure, value, after a first column "marking" on every
// row when the report has a marking (see markedCSV: the long form is
// filtered to a section or a measure more often than any other file).
// Undefined figures are empty cells; shares are fractions (0.025, not 2.5%).
func WriteCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	c := markedCSV{csvWriter{cw}, r.Marking}
	put := func(section, group, measure, value string) { c.row(section, group, measure, value) }
	c.head("section", "group", "measure", "value")
	put("summary", "", "audit", r.Audit)
	put("summary", "", "created", r.Created.Format("2006-01-02T15:04:05Z"))
	put("summary", "", "seed", r.Seed)
	if r.Population != nil {
		put("summary", "", "population", inum(*r.Population))
	} else {
		put("summary", "", "population", "")
	}
	put("summary", "", "sampled", inum(r.Sampled))
	put("summary", "", "audited", inum(r.Audited))
	put("summary", "", "to_do", inum(r.ToDo))
	put("summary", "", "flagged", inum(r.Flagged))
	put("summary", "", "share", fptr(r.Share))
	put("summary", "", "ci_method", r.CI.Method)
	put("summary", "", "confidence", fnum(r.CI.Confidence))
	put("summary", "", "ci_lower", fptr(r.CI.Lower))
	put("summary", "", "ci_upper", fptr(r.CI.Upper))
	put("summary", "", "upper_one_sided", fptr(r.UpperOne))
	if r.FiniteUpper != nil {
		put("summary", "", "finite_population_upper", fptr(r.FiniteUpper))
		put("summary", "", "finite_population_upper_count", inum(*r.FiniteUpperCount))
	}
	put("summary", "", "sentence", r.Sentence)
	if r.PopulationNote != "" {
		put("summary", "", "population_note", r.PopulationNote)
	}
	for _, g := range r.GradeOrder {
		put("grades", g, "count", inum(r.Grades[g]))
	}
	put("grades", "Good or better", "share", fptr(r.GoodOrBetter))
	for _, g := range r.Breakdown {
		grp := g.Group
		put("breakdown", grp, "by", r.By)
		put("breakdown", grp, "sampled", inum(g.Sampled))
		put("breakdown", grp, "audited", inum(g.Audited))
		put("breakdown", grp, "flagged", inum(g.Flagged))
		put("breakdown", grp, "share", fptr(g.Share))
		put("breakdown", grp, "ci_lower", fptr(g.Lower))
		put("breakdown", grp, "ci_upper", fptr(g.Upper))
	}
	for _, fa := range r.FocusAreas {
		put("focus_area", fa.Key, "label", fa.Label)
		put("focus_area", fa.Key, "kind", fa.Kind)
		put("focus_area", fa.Key, "answered", inum(fa.Answered))
		for _, a := range fa.AnswerOrder {
			put("focus_area", fa.Key, "answer: "+a, inum(fa.Answers[a]))
		}
		if fa.Kind == audit.QuestionGrade {
			put("focus_area", fa.Key, "graded", inum(fa.Graded))
			put("focus_area", fa.Key, "good_or_better", fptr(fa.GoodOrBetter))
		}
	}
	if ft := r.FocusTeams; ft != nil {
		for _, t := range ft.Teams {
			put("focus_by_team", t.Team, "audited", inum(t.Audited))
			for _, c := range t.Cells {
				put("focus_by_team", t.Team, c.Key+": graded", inum(c.Graded))
				put("focus_by_team", t.Team, c.Key+": good_or_better", fptr(c.GoodOrBetter))
			}
		}
	}
	r.factorsCSV(put)
	a := r.Actions
	put("actions", "", "as_of", a.AsOf)
	put("actions", "", "opened", inum(a.Opened))
	put("actions", "", "open", inum(a.Open))
	put("actions", "", "responded", inum(a.Responded))
	put("actions", "", "responded_not_closed", inum(a.RespondedNotClosed))
	put("actions", "", "closed", inum(a.Closed))
	put("actions", "", "overdue", inum(a.Overdue))
	put("actions", "", "median_days_to_response", fptr(a.MedianDaysToResponse))
	put("actions", "", "responses_timed", inum(a.Timed))
	if m := r.Moderation; m != nil {
		put("moderation", "", "sample", inum(m.Sample))
		put("moderation", "", "pairs", inum(m.Pairs))
		put("moderation", "", "agreement", fptr(m.Agreement))
		put("moderation", "", "kappa", fptr(m.Kappa))
		put("moderation", "", "weighted_kappa_linear", fptr(m.Linear))
		put("moderation", "", "weighted_kappa_quadratic", fptr(m.Quadratic))
		put("moderation", "", "kappa_withheld", yesNo(m.KappaWithheld))
		put("moderation", "", "immediate_agreement", fptr(m.ImmediateAgreement))
		for i, a := range r.GradeOrder {
			for j, b := range r.GradeOrder {
				put("moderation_table", a+" / "+b, "pairs", inum(m.Table[i][j]))
			}
		}
		for _, d := range m.Disagreements {
			put("disagreement", d.Case, "grades", d.Original+" / "+d.Moderated)
			put("disagreement", d.Case, "immediate", yesNo(d.OriginalImmediate)+" / "+yesNo(d.ModeratedImmediate))
		}
	}
	if cp := r.Comparison; cp != nil {
		put("comparison", "", "previous", cp.Previous)
		put("comparison", "", "previous_audited", inum(cp.PreviousAudited))
		put("comparison", "", "previous_flagged", inum(cp.PreviousFlagged))
		put("comparison", "", "previous_share", fnum(cp.PreviousShare))
		put("comparison", "", "difference", fnum(cp.Difference))
		put("comparison", "", "difference_ci_lower", fnum(cp.DifferenceCI[0]))
		put("comparison", "", "difference_ci_upper", fnum(cp.DifferenceCI[1]))
		put("comparison", "", "test", cp.Test)
		put("comparison", "", "p", fnum(cp.P))
		put("comparison", "", "sentence", cp.Sentence)
	}
	for _, f := range r.Flags {
		put("flagged", f.ID, "grade", f.Grade)
	}
	for _, w := range r.Withdrawn {
		put("withdrawn", w.Case, "reason", w.Reason)
		put("withdrawn", w.Case, "replacement", w.Replacement)
	}
	for _, p := range r.Trend {
		put("trend", p.Audit, "audited", inum(p.Audited))
		put("trend", p.Audit, "flagged", inum(p.Flagged))
		put("trend", p.Audit, "share", fptr(p.Share))
		put("trend", p.Audit, "ci_lower", fptr(p.Lower))
		put("trend", p.Audit, "ci_upper", fptr(p.Upper))
	}
	for _, n := range r.Notes {
		put("notes", "", "note", n)
	}
	cw.Flush()
	return cw.Error()
}

// caseHeader and caseCells are the columns of a case row (CSV --cases and
// the workbook's Cases sheet): the stratum unless it is a shown column
// already, the shown columns, the finding, one column per form question
// (its answer), and the moderation finding.
func (r *Report) caseHeader() []string {
	h := []string{"Order", "Case ID"}
	if r.showStratum() {
		h = append(h, "Stratum")
	}
	h = append(h, r.Columns...)
	h = append(h, "Audited", "Auditor", "Grade", "Immediate attention", "Note", "Date audited")
	for _, fa := range r.FocusAreas {
		h = append(h, fa.Label)
	}
	return append(h, "Moderated grade", "Moderated immediate attention", "Moderator")
}

// showStratum says whether case rows need a Stratum column: the sample is
// stratified by a column that is not shown.
func (r *Report) showStratum() bool {
	if r.StrataBy == "" {
		return false
	}
	for _, c := range r.Columns {
		if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(r.StrataBy)) {
			return false
		}
	}
	return true
}

func (r *Report) caseCells(c CaseRow) []string {
	row := []string{inum(c.Order), c.ID}
	if r.showStratum() {
		row = append(row, c.Stratum)
	}
	row = append(row, c.FieldList...)
	var mi string
	if c.ModeratedImmediate != nil {
		mi = yesNo(*c.ModeratedImmediate)
	}
	row = append(row, yesNo(c.Audited), c.Auditor, c.Grade, yesNoPtr(c.Immediate), c.Note, c.Date)
	for _, fa := range r.FocusAreas {
		row = append(row, c.Answers[fa.Key])
	}
	return append(row, c.ModeratedGrade, mi, c.Moderator)
}

// WriteCasesCSV writes one row per sampled case, in sample order, with its
// latest finding and moderation finding, after the report's marking when
// it has one.
func WriteCasesCSV(w io.Writer, r *Report) error {
	cw := csv.NewWriter(w)
	c := csvWriter{cw}
	// The list of cases is passed on and filtered: the marking is a column
	// of every row (see markedCSV), headed as this file's columns are.
	mark := func(first string, cells []string) []string {
		if r.Marking == "" {
			return cells
		}
		return append([]string{first}, cells...)
	}
	c.row(mark("Marking", r.caseHeader())...)
	for _, x := range r.AllCases {
		c.row(mark(r.Marking, r.caseCells(x))...)
	}
	cw.Flush()
	return cw.Error()
}
