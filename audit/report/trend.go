package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
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
	return fmt.Sprintf("%d %s, by the month audited; intervals are %s %s.", len(t.Audits), plural(len(t.Audits), "audit", "audits"),
		confPct(t.Confidence), methodName(t.Method))
}

func writeTrendTable(w io.Writer, t *Trend, color bool) error {
	bw := bufio.NewWriter(w)
	title := "Share of cases needing immediate attention, audit by audit"
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
	h := []string{"audit", "period", "created", "sampled", "audited", "flagged", "share", "ci_method", "confidence", "ci_lower", "ci_upper"}
	for _, g := range gradeNames() {
		h = append(h, g)
	}
	fh, fcells := trendFactorCSV(t.Audits)
	c.row(append(h, fh...)...)
	for _, p := range t.Audits {
		row := []string{p.Audit, p.Period, p.Created.Format("2006-01-02T15:04:05Z"), inum(p.Sampled), inum(p.Audited), inum(p.Flagged),
			fptr(p.Share), t.Method, fnum(t.Confidence), fptr(p.Lower), fptr(p.Upper)}
		for _, g := range gradeNames() {
			row = append(row, inum(p.Grades[g]))
		}
		c.row(append(row, fcells(p)...)...)
	}
	cw.Flush()
	return cw.Error()
}
