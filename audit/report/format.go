package report

import (
	"strconv"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
)

func thousands(n int) string { return words.Thousands(n) }

// Rounding directions for percentages: bounds are rounded outwards so a
// printed interval never claims more precision than the exact one. Every
// figure is formatted by internal/rate, the same way in every format.
type rounding int

const (
	nearest rounding = iota
	up
	down
)

func (r rounding) rate() rate.Rounding {
	switch r {
	case up:
		return rate.Up
	case down:
		return rate.Down
	}
	return rate.Nearest
}

// pct formats a share as a percentage with at most one decimal ("2.5%",
// "0%", "100%"), rounded as asked; an estimate above 0 never shows as 0%
// nor one below 1 as 100% ("<0.1%", ">99.9%").
func pct(v float64, r rounding) string { return rate.Percent(v, 1, r.rate()) }

// pctPtr formats a share or "—" when undefined.
func pctPtr(v *float64, r rounding) string {
	if v == nil {
		return "—"
	}
	return pct(*v, r)
}

// points formats a difference of shares in percentage points, signed,
// rounded by its signed value (a lower bound toward −∞, an upper toward +∞).
func points(v float64, r rounding) string { return rate.Points(v, 1, r.rate()) }

// pText is "p = 0.077", or "p < 0.001" for very small values.
func pText(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return "p = " + pvalue(p)
}

// pvalue formats a p-value to three decimals, "< 0.001" below: a p of 1 is
// "1.000", as the tables beside the sentences show it.
func pvalue(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	return strconv.FormatFloat(p, 'f', 3, 64)
}

// num3 formats a kappa or agreement to three decimals, "not defined" for nil.
func num3(v *float64) string {
	if v == nil {
		return "not defined"
	}
	s := strconv.FormatFloat(*v, 'f', 3, 64)
	if s == "-0.000" {
		s = "0.000"
	}
	return s
}

// confPct is a confidence level, exactly: "95%", "99.9%", never "100%".
func confPct(c float64) string { return rate.ConfidencePercent(c) }

func ciText(lo, hi *float64) string {
	if lo == nil || hi == nil {
		return "—"
	}
	return pct(*lo, down) + " – " + pct(*hi, up)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// Personal reports whether a column holds personal details that reports
// leave out by default (caseaudit's one privacy policy: colname.Personal).
func Personal(column string) bool { return colname.Personal(column) }

func casesText(n int) string { return thousands(n) + " " + words.Noun(n, "case", "cases") }
