package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"

	"github.com/caseaudit/caseaudit/audit"
)

// RenderTrend writes the trend in the given format.
func RenderTrend(w io.Writer, t *Trend, f Format, o RenderOptions) error {
	switch f {
	case Table:
		return writeTrendTable(w, t, o.Color)
	case Markdown:
		bw := bufio.NewWriter(w)
		fmt.Fprintf(bw, "# Share of cases needing immediate attention, audit by audit\n\n%s\n\n", mdEscape(trendIntro(t)))
		if len(t.Audits) > 0 {
			mdTable(bw, trendTable(t.Audits, t.Confidence))
		}
		return bw.Flush()
	case CSV:
		return writeTrendCSV(w, t)
	case JSON:
		return WriteTrendJSON(w, t)
	case XLSX:
		return writeTrendXLSX(w, t)
	case HTML:
		return writeTrendHTML(w, t)
	}
	return fmt.Errorf("format %q: use table, markdown, csv, json, xlsx or html", f)
}

func trendIntro(t *Trend) string {
	if len(t.Audits) == 0 {
		return "The store holds no audits yet."
	}
	return fmt.Sprintf("%d %s, oldest first; intervals are %s %s.", len(t.Audits), plural(len(t.Audits), "audit", "audits"),
		confPct(t.Confidence), methodName(t.Method))
}

// trendTitle heads the trend in every format.
const trendTitle = "Share of cases needing immediate attention, audit by audit"

func writeTrendTable(w io.Writer, t *Trend, color bool) error {
	bw := bufio.NewWriter(w)
	title := trendTitle
	if color {
		fmt.Fprintf(bw, "%s%s%s\n", ansiBold, title, ansiReset)
	} else {
		fmt.Fprintf(bw, "%s\n", title)
	}
	fmt.Fprintf(bw, "%s\n", trendIntro(t))
	if len(t.Audits) > 0 {
		bw.WriteString("\n")
		writeTbl(bw, trendTable(t.Audits, t.Confidence), "")
	}
	return bw.Flush()
}

func writeTrendCSV(w io.Writer, t *Trend) error {
	cw := csv.NewWriter(w)
	c := csvWriter{cw}
	h := []string{"audit", "created", "sampled", "audited", "flagged", "share", "ci_method", "confidence", "ci_lower", "ci_upper"}
	for _, g := range gradeNames() {
		h = append(h, g)
	}
	c.row(h...)
	for _, p := range t.Audits {
		row := []string{p.Audit, p.Created.Format("2006-01-02T15:04:05Z"), inum(p.Sampled), inum(p.Audited), inum(p.Flagged),
			fptr(p.Share), t.Method, fnum(t.Confidence), fptr(p.Lower), fptr(p.Upper)}
		for _, g := range gradeNames() {
			row = append(row, inum(p.Grades[g]))
		}
		c.row(row...)
	}
	cw.Flush()
	return cw.Error()
}

// TrendFocus is one grade question's share Good or better in one audit.
type TrendFocus struct {
	Key          string   `json:"key"`
	Label        string   `json:"label"`
	Graded       int      `json:"graded"`
	GoodOrBetter *float64 `json:"good_or_better"` // nil when nothing is graded
}

// focus fills the share Good or better, overall and per grade question of
// the audit's form, from its latest findings.
func (p *TrendPoint) focus(ctx context.Context, st *audit.Store, fs []audit.Finding) error {
	p.FocusAreas = []TrendFocus{}
	good := 0
	for _, f := range fs {
		if f.Grade == audit.Outstanding || f.Grade == audit.Good {
			good++
		}
	}
	if len(fs) > 0 {
		p.GoodOrBetter = ptr(float64(good) / float64(len(fs)))
	}
	form, err := st.Form(ctx, p.Audit)
	if err != nil || form == nil {
		return err
	}
	for _, fa := range audit.TallyFocusAreas(form, fs) {
		if fa.Kind != audit.QuestionGrade {
			continue
		}
		tf := TrendFocus{Key: fa.Key, Label: fa.Label, Graded: fa.Graded}
		if fa.Graded > 0 {
			tf.GoodOrBetter = ptr(fa.GoodOrBetter)
		}
		p.FocusAreas = append(p.FocusAreas, tf)
	}
	return nil
}
