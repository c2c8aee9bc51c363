package report

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
)

// The text formats (table, Markdown, HTML) share one view of the report:
// sections of label–value lines and tables of display strings.

func (r *Report) title() string { return "Case-file audit report: " + r.Audit }

// meta is the line under the title.
func (r *Report) meta() []kv {
	out := []kv{{"Audit", r.Audit}, {"Created", r.Created.Format("2006-01-02 15:04 UTC")}, {"Seed", r.Seed}}
	if r.Input != "" {
		out = append(out, kv{"Export", r.Input})
	}
	if len(r.Filters) > 0 {
		out = append(out, kv{"Filters", strings.Join(r.Filters, "; ")})
	}
	if r.StrataBy != "" {
		out = append(out, kv{"Stratified by", r.StrataBy + " (" + r.Allocation + " allocation)"})
	}
	if r.Generated != "" {
		out = append(out, kv{"Report generated", shownTime(r.Generated)})
	}
	if t := toolLine(r.Version, r.ToolSHA256); t != "" {
		out = append(out, kv{"Made by", t})
	}
	// Whether these are the figures signed off, amended since, or a draft
	// stands in the title block, beside the headline, not only among the
	// notes at the end: a board reading the first page knows which it holds.
	out = append(out, kv{"Sign-off", r.signOffLine()})
	return out
}

// signOffLine is the sign-off state as the title block states it.
func (r *Report) signOffLine() string {
	switch so := r.SignOff; {
	case so == nil:
		return "not signed off: a draft, whose figures may still change"
	case so.Amended:
		return "amended after sign-off: " + so.Sentence
	default:
		return so.Sentence
	}
}

// shownTime is an RFC 3339 time as the report's other lines show one
// ("2026-08-01 12:00 UTC", as Created), not as JSON carries it; a text
// that is not one is shown as it is.
func shownTime(s string) string {
	t, err := time.Parse(time.RFC3339, s)
	if err != nil {
		return s
	}
	return t.UTC().Format("2006-01-02 15:04 UTC")
}

func (r *Report) sections() []section {
	var out []section
	conf := confPct(r.opts.Confidence)
	// Immediate attention.
	s := section{Title: "Immediate attention", Intro: strings.TrimSpace(r.Sentence + " " + r.PopulationNote)}
	if r.Population != nil {
		s.Lines = append(s.Lines, kv{"Population", thousands(*r.Population) + " cases"})
	}
	s.Lines = append(s.Lines,
		kv{"Sampled", thousands(r.Sampled)},
		kv{"Audited", thousands(r.Audited)},
		kv{"Still to audit", thousands(r.ToDo)},
	)
	if r.Audited == 0 {
		s.Lines = append(s.Lines, kv{"Needing immediate attention", "not defined (no case audited yet)"})
	} else {
		s.Lines = append(s.Lines,
			kv{"Needing immediate attention", fmt.Sprintf("%s of %s (%s)", thousands(r.Flagged), thousands(r.Audited), pctPtr(r.Share, nearest))},
			kv{conf + " interval", ciText(r.CI.Lower, r.CI.Upper) + " (" + methodName(r.CI.Method) + ")"},
			kv{conf + " upper bound, one-sided", pctPtr(r.UpperOne, up)},
		)
		if r.FiniteUpper != nil {
			s.Lines = append(s.Lines, kv{conf + " upper bound for the " + thousands(*r.Population) + " cases",
				fmt.Sprintf("at most %s (%s)", words.Count(*r.FiniteUpperCount, "case"), rate.Fraction(*r.FiniteUpperCount, *r.Population, 1, rate.Up))})
		}
	}
	out = append(out, s)

	// Grades.
	g := section{Title: "Grades"}
	gt := &tbl{Header: []string{"Grade", "Cases", "Share"}, Right: []bool{false, true, true}}
	for _, name := range r.GradeOrder {
		n := r.Grades[name]
		gt.Rows = append(gt.Rows, []string{name, thousands(n), shareOf(n, r.Audited)})
	}
	good := r.Grades[r.GradeOrder[0]] + r.Grades[r.GradeOrder[1]]
	gt.Rows = append(gt.Rows, []string{"Good or better", thousands(good), pctPtr(r.GoodOrBetter, nearest)})
	g.Table = gt
	out = append(out, g)

	// Breakdown.
	if r.By != "" {
		b := section{Title: "By " + r.By}
		bt := &tbl{Header: []string{r.byLabel(), "Sampled", "Audited", "Flagged", "Share", conf + " interval"},
			Right: []bool{false, true, true, true, true, true}}
		for _, x := range r.Breakdown {
			bt.Rows = append(bt.Rows, []string{x.Group, thousands(x.Sampled), thousands(x.Audited), thousands(x.Flagged),
				pctPtr(x.Share, nearest), ciText(x.Lower, x.Upper)})
		}
		b.Table = bt
		out = append(out, b)
	}

	if fs, ok := r.focusSection(); ok {
		out = append(out, fs)
	}
	if fs, ok := r.factorsSection(); ok {
		out = append(out, fs)
	}

	// Moderation.
	if m := r.Moderation; m != nil {
		ms := section{Title: "Moderation"}
		ms.Lines = []kv{{"Cases drawn for moderation", thousands(m.Sample)}, {"Moderated (pairs)", thousands(m.Pairs)}}
		if m.Seed != "" {
			ms.Lines = append(ms.Lines, kv{"Moderation seed", m.Seed})
		}
		if m.Pairs == 0 {
			ms.Intro = "No moderated case yet: agreement is not defined."
		} else {
			ms.Lines = append(ms.Lines,
				kv{"Exact agreement on grade", pctPtr(m.Agreement, nearest)},
				kv{"Cohen's kappa", m.kappaText(m.Kappa)},
				kv{"Weighted kappa (linear)", m.kappaText(m.Linear)},
				kv{"Weighted kappa (quadratic)", m.kappaText(m.Quadratic)},
				kv{"Agreement on immediate attention", pctPtr(m.ImmediateAgreement, nearest)},
			)
			ct := &tbl{Header: append([]string{"Auditor \\ moderator"}, r.GradeOrder...), Right: []bool{false, true, true, true, true}}
			for i, name := range r.GradeOrder {
				row := []string{name}
				for j := range r.GradeOrder {
					row = append(row, strconv.Itoa(m.Table[i][j]))
				}
				ct.Rows = append(ct.Rows, row)
			}
			ms.Table = ct
			if len(m.Disagreements) > 0 {
				dt := &tbl{Header: []string{"Case ID", "Auditor's grade", "Moderator's grade", "Auditor: immediate", "Moderator: immediate"}}
				for _, d := range m.Disagreements {
					dt.Rows = append(dt.Rows, []string{d.Case, d.Original, d.Moderated, yesNo(d.OriginalImmediate), yesNo(d.ModeratedImmediate)})
				}
				ms.More = append(ms.More, captioned{Caption: "Disagreements", Table: dt})
			} else {
				ms.More = append(ms.More, captioned{Caption: "Disagreements: none"})
			}
		}
		out = append(out, ms)
	}

	if c := r.Calibration; c != nil && c.Pairs > 0 {
		out = append(out, calibrationSection(c))
	}

	// Comparison.
	if c := r.Comparison; c != nil {
		cs := section{Title: "Compared with " + c.Previous, Intro: c.Sentence}
		lo, hi := diffBounds(c)
		ct := &tbl{Header: []string{"Audit", "Audited", "Flagged", "Share"}, Right: []bool{false, true, true, true}}
		ct.Rows = [][]string{
			{c.Previous, thousands(c.PreviousAudited), thousands(c.PreviousFlagged), pct(c.PreviousShare, nearest)},
			{r.Audit, thousands(r.Audited), thousands(r.Flagged), pct(c.Share, nearest)},
		}
		cs.Table = ct
		cs.Lines = []kv{
			{"Difference", points(c.Difference, nearest) + " percentage points"},
			{conf + " interval", lo + " to " + hi + " points"},
			{"Score test", pText(c.P)},
			{"Method", comparisonMethod},
		}
		out = append(out, cs)
	}

	// Flagged cases.
	fs := section{Title: "Cases needing immediate attention"}
	if len(r.Flags) == 0 {
		fs.Intro = "None."
	} else {
		fs.Table = r.caseTable(r.Flags, false)
	}
	out = append(out, fs)
	out = append(out, r.actionSection())

	// Trend.
	if len(r.Trend) > 1 {
		ts := section{Title: "Trend"}
		ts.Table = trendTable(r.Trend, r.opts.Confidence)
		out = append(out, ts)
	}

	if len(r.Notes) > 0 {
		ns := section{Title: "Notes"}
		for _, n := range r.Notes {
			ns.Lines = append(ns.Lines, kv{"", n})
		}
		out = append(out, ns)
	}
	return out
}

func (r *Report) byLabel() string {
	switch r.By {
	case ByStratum:
		if r.StrataBy != "" {
			return "Stratum (" + r.StrataBy + ")"
		}
		return "Stratum"
	case ByAuditor:
		return "Auditor"
	}
	return r.By
}

// caseTable lists cases: ID, shown fields, auditor, grade and the note.
func (r *Report) caseTable(rows []CaseRow, moderation bool) *tbl {
	t := &tbl{Header: []string{"#", "Case ID"}, Right: []bool{true, false}}
	// The stratum is shown unless it is one of the shown columns already.
	showStratum := r.StrataBy != ""
	for _, c := range r.Columns {
		if strings.EqualFold(strings.TrimSpace(c), strings.TrimSpace(r.StrataBy)) {
			showStratum = false
		}
	}
	if showStratum {
		t.Header = append(t.Header, "Stratum")
		t.Right = append(t.Right, false)
	}
	for _, c := range r.Columns {
		t.Header = append(t.Header, c)
		t.Right = append(t.Right, false)
	}
	t.Header = append(t.Header, "Auditor", "Grade", "Note")
	t.Right = append(t.Right, false, false, false)
	for _, c := range rows {
		row := []string{strconv.Itoa(c.Order), c.ID}
		if showStratum {
			row = append(row, c.Stratum)
		}
		row = append(row, c.FieldList...)
		note := c.Note
		if c.RaisedAtModeration {
			note = strings.TrimSpace(fmt.Sprintf("Raised at moderation by %s (moderated grade %s). %s", c.Moderator, c.ModeratedGrade, note))
		}
		row = append(row, c.Auditor, c.Grade, note)
		t.Rows = append(t.Rows, row)
	}
	return t
}

// statusNote marks an audit whose figures may still move: " (incomplete:
// 12 of 60 not recorded)"; "" for a complete one. An audit not signed off
// will be marked here too once caseaudit records sign-off.
func statusNote(p TrendPoint) string {
	if !p.Incomplete {
		return ""
	}
	return fmt.Sprintf(" (incomplete: %s of %s not recorded)", thousands(p.NotRecorded), thousands(p.Sampled))
}

func trendTable(ps []TrendPoint, conf float64) *tbl {
	t := &tbl{Header: []string{"Audit", "Period", "Audited", "Flagged", "Share", confPct(conf) + " interval"},
		Right: []bool{false, false, true, true, true, true}}
	for _, g := range gradeNames() {
		t.Header = append(t.Header, g)
		t.Right = append(t.Right, true)
	}
	for _, p := range ps {
		row := []string{p.Audit + statusNote(p), p.Period, thousands(p.Audited), thousands(p.Flagged),
			pctPtr(p.Share, nearest), ciText(p.Lower, p.Upper)}
		for _, g := range gradeNames() {
			if p.Retired { // its sealed summary keeps no grades
				row = append(row, "—")
				continue
			}
			row = append(row, thousands(p.Grades[g]))
		}
		t.Rows = append(t.Rows, row)
	}
	trendFactorColumn(t, ps)
	t.Header = append(t.Header, "Status")
	t.Right = append(t.Right, false)
	for i, p := range ps {
		t.Rows[i] = append(t.Rows[i], p.StatusMark())
	}
	return t
}

// focusSection shows the focus areas: the grade questions' answers and
// share Good or better, the other questions' answers, and the team ×
// focus-area heat map; ok is false when the audit has no form.
func (r *Report) focusSection() (section, bool) {
	if len(r.FocusAreas) == 0 {
		return section{}, false
	}
	s := section{Title: "Focus areas", Intro: "The answers to the audit form's questions over the " + thousands(r.Audited) +
		" audited " + words.Noun(r.Audited, "case", "cases") + ". Good or better is the share Outstanding or Good of the cases graded on the four-point scale: Not applicable and unanswered are left out."}
	na := false
	for _, fa := range r.FocusAreas {
		if fa.Kind == audit.QuestionGrade && slices.Contains(fa.AnswerOrder, audit.GradeNotApplicable) {
			na = true
		}
	}
	grades := &tbl{Header: append([]string{"Focus area"}, r.GradeOrder...), Right: []bool{false, true, true, true, true}}
	if na {
		grades.Header = append(grades.Header, audit.GradeNotApplicable)
		grades.Right = append(grades.Right, true)
	}
	grades.Header = append(grades.Header, "Graded", "Good or better")
	grades.Right = append(grades.Right, true, true)
	other := &tbl{Header: []string{"Question", "Answered", "Answers"}, Right: []bool{false, true, false}}
	for _, fa := range r.FocusAreas {
		if fa.Kind == audit.QuestionGrade {
			row := []string{fa.Label}
			for _, g := range r.GradeOrder {
				row = append(row, thousands(fa.Answers[g]))
			}
			if na {
				if n, ok := fa.Answers[audit.GradeNotApplicable]; ok {
					row = append(row, thousands(n))
				} else {
					row = append(row, "—") // the question does not offer it
				}
			}
			row = append(row, thousands(fa.Graded), pctPtr(fa.GoodOrBetter, nearest))
			grades.Rows = append(grades.Rows, row)
			continue
		}
		answers := "(free text)"
		if fa.Kind != audit.QuestionText {
			var parts []string
			for _, a := range fa.AnswerOrder {
				parts = append(parts, a+" "+thousands(fa.Answers[a]))
			}
			answers = strings.Join(parts, ", ")
		}
		other.Rows = append(other.Rows, []string{fa.Label, thousands(fa.Answered), answers})
	}
	if len(grades.Rows) > 0 {
		s.Table = grades
	}
	if len(other.Rows) > 0 {
		s.More = append(s.More, captioned{Caption: "Other questions", Table: other})
	}
	if ft := r.FocusTeams; ft != nil && len(ft.Teams) > 0 {
		ht := &tbl{Header: []string{ft.Column, "Audited"}, Right: []bool{false, true}}
		for _, k := range ft.Areas {
			ht.Header = append(ht.Header, r.areaLabel(k))
			ht.Right = append(ht.Right, true)
		}
		for _, t := range ft.Teams {
			row := []string{t.Team, thousands(t.Audited)}
			heat := []string{"", ""}
			for _, c := range t.Cells {
				v := "—"
				if c.GoodOrBetter != nil {
					v = pct(*c.GoodOrBetter, nearest) + " of " + thousands(c.Graded)
				}
				row = append(row, v)
				heat = append(heat, heatBand(c.GoodOrBetter))
			}
			ht.Rows = append(ht.Rows, row)
			ht.Heat = append(ht.Heat, heat)
		}
		s.More = append(s.More, captioned{Caption: "Good or better by " + ft.Column + " (share of the cases graded)", Table: ht, Note: heatLegend})
	}
	return s, true
}

// actionSection shows the follow-up actions opened on flagged cases.
func (r *Report) actionSection() section {
	a := r.Actions
	s := section{Title: "Follow-up actions"}
	if a.Opened == 0 {
		s.Intro = "None: no finding has needed immediate attention."
		return s
	}
	med := "— (no response yet)"
	if a.MedianDaysToResponse != nil {
		med = strconv.FormatFloat(*a.MedianDaysToResponse, 'f', -1, 64) + " " + dayWord(*a.MedianDaysToResponse) +
			" (" + thousands(a.Timed) + " " + words.Noun(a.Timed, "response", "responses") + ")"
	}
	s.Lines = []kv{
		{"Opened", thousands(a.Opened)},
		{"Waiting for a response", thousands(a.Open)},
		{"Of those, overdue on " + a.AsOf, thousands(a.Overdue)},
		{"Responded, not yet closed", thousands(a.RespondedNotClosed)},
		{"Closed", thousands(a.Closed)},
		{"Median days to response", med},
	}
	return s
}

func dayWord(d float64) string {
	if d == 1 {
		return "day"
	}
	return "days"
}
