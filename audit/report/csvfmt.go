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
