package report

import (
	"bufio"
	"context"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
)

// RenderTrend writes the trend in the given format.
func RenderTrend(w io.Writer, t *Trend, f Format, o RenderOptions) error {
	switch f {
	case Table:
		return writeTrendTable(w, t, o.Color)
	case Markdown:
		bw := bufio.NewWriter(w)
		if t.Marking != "" {
			fmt.Fprintf(bw, "**%s**\n\n", mdEscape(t.Marking))
		}
		fmt.Fprintf(bw, "# %s\n\n%s\n\n", trendTitle, mdEscape(trendIntro(t)))
		if len(t.Audits) > 0 {
			mdTable(bw, trendTable(t.Audits, t.Confidence))
		}
		if bt := byTable(t); bt != nil {
			fmt.Fprintf(bw, "\n## By %s\n\n%s\n\n", mdEscape(t.By), mdEscape(byIntro(t)))
			mdTable(bw, bt)
		}
		if gt := goodTable(t.Audits); gt != nil {
			fmt.Fprintf(bw, "\n## Good or better\n\n%s\n\n", mdEscape(goodIntro))
			mdTable(bw, gt)
		}
		if t.Marking != "" {
			fmt.Fprintf(bw, "\n**%s**\n", mdEscape(t.Marking))
		}
		return bw.Flush()
	case CSV:
		if t.By != "" {
			return writeTrendByCSV(w, t)
		}
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
	s := fmt.Sprintf("%d %s, by the month audited; intervals are %s %s.", len(t.Audits), words.Noun(len(t.Audits), "audit", "audits"),
		confPct(t.Confidence), methodName(t.Method))
	if t.Limit != nil {
		s += fmt.Sprintf(" The limit is %s.", pct(*t.Limit, nearest))
	}
	var open []string
	for _, p := range t.Audits {
		if p.Incomplete {
			open = append(open, p.Audit)
		}
	}
	if len(open) > 0 {
		s += fmt.Sprintf(" Not every sampled case of %s is recorded yet: %s figures may still move.", strings.Join(open, ", "), plural(len(open), "its", "their"))
	}
	return s + retiredIntro(t.Audits)
}

// goodIntro says what the Good or better table shows.
const goodIntro = "The share of audited cases Outstanding or Good, overall and for each focus area of the audit's form (Not applicable left out)."

// goodTable is the share Good or better per audit, overall and per focus
// area; nil when there is no audit.
func goodTable(ps []TrendPoint) *tbl {
	if len(ps) == 0 {
		return nil
	}
	keys, labels := trendFocusKeys(ps)
	t := &tbl{Header: []string{"Audit", "Audited", "Good or better"}, Right: []bool{false, true, true}}
	for _, k := range keys {
		t.Header = append(t.Header, labels[k])
		t.Right = append(t.Right, true)
	}
	for _, p := range ps {
		row := []string{p.Audit, thousands(p.Audited), pctPtr(p.GoodOrBetter, nearest)}
		for _, k := range keys {
			row = append(row, pctPtr(p.focusShare(k), nearest))
		}
		t.Rows = append(t.Rows, row)
	}
	return t
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
	if t.Marking != "" {
		fmt.Fprintf(bw, "%s\n", t.Marking)
	}
	fmt.Fprintf(bw, "%s\n", trendIntro(t))
	if len(t.Audits) > 0 {
		bw.WriteString("\n")
		writeTbl(bw, trendTable(t.Audits, t.Confidence), "")
		for _, a := range trendAmendments(t.Audits) {
			fmt.Fprintf(bw, "Amended after sign-off: %s\n", a)
		}
	}
	if bt := byTable(t); bt != nil {
		fmt.Fprintf(bw, "\n%s\n", wrap(byIntro(t), 100))
		writeTbl(bw, bt, "")
	}
	if gt := goodTable(t.Audits); gt != nil {
		fmt.Fprintf(bw, "\n%s\n", wrap(goodIntro, 100))
		writeTbl(bw, gt, "")
	}
	if t.Marking != "" {
		fmt.Fprintf(bw, "%s\n", t.Marking)
	}
	return bw.Flush()
}

func writeTrendCSV(w io.Writer, t *Trend) error {
	cw := csv.NewWriter(w)
	c := csvWriter{cw}
	h := []string{"audit", "period", "created", "sampled", "audited", "flagged", "share", "ci_method", "confidence", "ci_lower", "ci_upper",
		"complete", "signed_off", "amended_after_sign_off", "signed_off_incomplete"}
	for _, g := range gradeNames() {
		h = append(h, g)
	}
	h = append(h, "good_or_better")
	keys, _ := trendFocusKeys(t.Audits)
	for _, k := range keys {
		h = append(h, k+": good_or_better")
	}
	h = append(h, "not_recorded")
	if t.Limit != nil {
		h = append(h, "limit")
	}
	anyRetired := false
	for _, p := range t.Audits {
		anyRetired = anyRetired || p.Retired
	}
	if anyRetired {
		h = append(h, "retired")
	}
	fh, fcells := trendFactorCSV(t.Audits)
	c.row(append(h, fh...)...)
	for _, p := range t.Audits {
		row := []string{p.Audit, p.Period, p.Created.Format("2006-01-02T15:04:05Z"), inum(p.Sampled), inum(p.Audited), inum(p.Flagged),
			fptr(p.Share), t.Method, fnum(t.Confidence), fptr(p.Lower), fptr(p.Upper),
			strconv.FormatBool(p.Complete), strconv.FormatBool(p.SignedOff), p.Amended, strconv.FormatBool(p.SignedOffIncomplete)}
		for _, g := range gradeNames() {
			if p.Retired { // its sealed summary keeps no grades
				row = append(row, "")
				continue
			}
			row = append(row, inum(p.Grades[g]))
		}
		row = append(row, fptr(p.GoodOrBetter))
		for _, k := range keys {
			row = append(row, fptr(p.focusShare(k)))
		}
		row = append(row, inum(p.NotRecorded))
		if t.Limit != nil {
			row = append(row, fptr(t.Limit))
		}
		if anyRetired {
			row = append(row, strconv.FormatBool(p.Retired))
		}
		c.row(append(row, fcells(p)...)...)
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
	for _, fa := range tally(form, fs) {
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
