package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/words"
)

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
	c := markedCSV{csvWriter{cw}, t.Marking}
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
	c.head(append(h, fh...)...)
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

// trendFocusKeys lists the grade questions of the audits' forms, in the
// order they first appear, with their labels.
func trendFocusKeys(ps []TrendPoint) (keys []string, labels map[string]string) {
	labels = map[string]string{}
	for _, p := range ps {
		for _, f := range p.FocusAreas {
			if _, ok := labels[f.Key]; !ok {
				keys = append(keys, f.Key)
				labels[f.Key] = f.Label
			}
		}
	}
	return keys, labels
}

func (p TrendPoint) focusShare(key string) *float64 {
	for _, f := range p.FocusAreas {
		if f.Key == key {
			return f.GoodOrBetter
		}
	}
	return nil
}
