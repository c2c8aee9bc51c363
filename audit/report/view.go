package report

import (
	"fmt"
	"strconv"
	"strings"
)

// The text formats (table, Markdown, HTML) share one view of the report:
// sections of label–value lines and tables of display strings.

type kv struct{ K, V string }

type tbl struct {
	Header []string
	Rows   [][]string
	Right  []bool // right-aligned (numeric) columns
}

type section struct {
	Title string
	Intro string // a sentence above the lines
	Lines []kv
	Table *tbl
	// Extra tables after the first, each with a caption.
	More []captioned
}

type captioned struct {
	Caption string
	Table   *tbl
}

func methodName(m string) string {
	if m == MethodWilson {
		return "Wilson score"
	}
	return "Clopper–Pearson, exact"
}

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
		out = append(out, kv{"Report generated", r.Generated})
	}
	return out
}

func (r *Report) sections() []section {
	var out []section
	conf := confPct(r.opts.Confidence)
	// Immediate attention.
	s := section{Title: "Immediate attention", Intro: r.Sentence}
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
				fmt.Sprintf("%s (%s cases)", pct(*r.FiniteUpper, up), thousands(*r.FiniteUpperCount))})
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
				kv{"Cohen's kappa", num3(m.Kappa)},
				kv{"Weighted kappa (linear)", num3(m.Linear)},
				kv{"Weighted kappa (quadratic)", num3(m.Quadratic)},
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
				ms.More = append(ms.More, captioned{"Disagreements", dt})
			} else {
				ms.More = append(ms.More, captioned{"Disagreements: none", nil})
			}
		}
		out = append(out, ms)
	}

	// Comparison.
	if c := r.Comparison; c != nil {
		cs := section{Title: "Compared with " + c.Previous, Intro: c.Sentence}
		ct := &tbl{Header: []string{"Audit", "Audited", "Flagged", "Share"}, Right: []bool{false, true, true, true}}
		ct.Rows = [][]string{
			{c.Previous, thousands(c.PreviousAudited), thousands(c.PreviousFlagged), pct(c.PreviousShare, nearest)},
			{r.Audit, thousands(r.Audited), thousands(r.Flagged), pct(c.Share, nearest)},
		}
		cs.Table = ct
		cs.Lines = []kv{
			{"Difference", points(c.Difference, nearest) + " percentage points"},
			{conf + " interval (Newcombe)", points(c.DifferenceCI[0], down) + " to " + points(c.DifferenceCI[1], up) + " points"},
			{"Fisher's exact test", "p = " + pvalue(c.FisherP)},
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

func shareOf(k, n int) string {
	if n == 0 {
		return "—"
	}
	return pct(float64(k)/float64(n), nearest)
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

func yesNoPtr(b *bool) string {
	if b == nil {
		return ""
	}
	return yesNo(*b)
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
		row = append(row, c.Auditor, c.Grade, c.Note)
		t.Rows = append(t.Rows, row)
	}
	return t
}

func trendTable(ps []TrendPoint, conf float64) *tbl {
	t := &tbl{Header: []string{"Audit", "Created", "Audited", "Flagged", "Share", confPct(conf) + " interval"},
		Right: []bool{false, false, true, true, true, true}}
	for _, g := range gradeNames() {
		t.Header = append(t.Header, g)
		t.Right = append(t.Right, true)
	}
	for _, p := range ps {
		row := []string{p.Audit, p.Created.Format("2006-01-02"), thousands(p.Audited), thousands(p.Flagged),
			pctPtr(p.Share, nearest), ciText(p.Lower, p.Upper)}
		for _, g := range gradeNames() {
			row = append(row, thousands(p.Grades[g]))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
}
