package report

// The CSV writer and number cells every CSV view shares.

import (
	"encoding/csv"
	"strconv"

	"github.com/caseaudit/caseaudit/internal/textsafe"
)

// csvWriter writes rows with every text cell made safe against formula
// injection (textsafe.CSVCell).
type csvWriter struct{ w *csv.Writer }

func (c csvWriter) row(cells ...string) error {
	safe := make([]string, len(cells))
	for i, s := range cells {
		safe[i] = textsafe.CSVCell(s)
	}
	return c.w.Write(safe)
}

// fnum formats a number for CSV: plain decimal, full precision, no exponent.
func fnum(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func fptr(v *float64) string {
	if v == nil {
		return ""
	}
	return fnum(*v)
}

func inum(n int) string { return strconv.Itoa(n) }

// markedCSV writes a view over several audits, one row per audit (or per
// audit and group, or per auditor), with the view's protective marking as
// its first column, "marking", on every row: the file still loads as one
// table in a spreadsheet or a data frame, a copy filtered to some of its
// rows keeps the marking, and a person opening it sees it in the first
// column. A leading comment line or a summary row would do neither: a
// comment breaks Excel's and pandas' imports, a summary row breaks the
// one-row-per-audit layout and is the first thing a filter drops. Without
// a marking the column is left out, as the other formats leave it out.
type markedCSV struct {
	c       csvWriter
	marking string
}

// head writes the header row.
func (m markedCSV) head(cells ...string) error {
	if m.marking == "" {
		return m.c.row(cells...)
	}
	return m.c.row(append([]string{"marking"}, cells...)...)
}

// row writes a data row.
func (m markedCSV) row(cells ...string) error {
	if m.marking == "" {
		return m.c.row(cells...)
	}
	return m.c.row(append([]string{m.marking}, cells...)...)
}
