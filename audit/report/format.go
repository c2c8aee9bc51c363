package report

import (
	"fmt"
	"strconv"
	"strings"

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

// pvalue formats a p-value with three significant figures, "< 0.001" below.
// pText is "p = 0.077", or "p < 0.001" for very small values.
func pText(p float64) string {
	if p < 0.001 {
		return "p < 0.001"
	}
	return "p = " + pvalue(p)
}

func pvalue(p float64) string {
	if p < 0.001 {
		return "< 0.001"
	}
	if p >= 0.9995 {
		return "1"
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

// sentence is the report's plain-English summary. Bounds are rounded
// outward, as in every table; with nothing flagged, the bound for the
// population is a number of cases, inclusive: "at most 72 of the 3,000
// cases (2.4%)" (never "fewer than 2.4%", which would claim one case too
// many).
func (r *Report) sentence() string {
	conf := confPct(r.opts.Confidence)
	if r.Audited == 0 {
		if r.Sampled == 1 {
			return "The only sampled case has not been audited yet, so there is nothing to estimate."
		}
		return fmt.Sprintf("None of the %s sampled cases has been audited yet, so there is nothing to estimate.", thousands(r.Sampled))
	}
	n, k := r.Audited, r.Flagged
	census := r.Population != nil && n >= *r.Population
	if census {
		// Every case of the population was audited: there is nothing to
		// estimate, only a count.
		switch {
		case k == 0:
			return fmt.Sprintf("None of the %s needed immediate attention: every case of the population was audited.", words.Count(n, "case"))
		default:
			return fmt.Sprintf("%s of the %s (%s) needed immediate attention: every case of the population was audited.",
				thousands(k), words.Count(n, "case"), rate.Fraction(k, n, 1, rate.Nearest))
		}
	}
	if k == 0 {
		who := fmt.Sprintf("None of the %s audited cases needed immediate attention", thousands(n))
		if n == 1 {
			who = "The only audited case did not need immediate attention"
		}
		if r.FiniteUpperCount != nil {
			N := *r.Population
			return fmt.Sprintf("%s; with %s confidence at most %s of the %s (%s) would.", who, conf,
				thousands(*r.FiniteUpperCount), words.Count(N, "case"), rate.Fraction(*r.FiniteUpperCount, N, 1, rate.Up))
		}
		return fmt.Sprintf("%s; with %s confidence fewer than %s of all cases would.", who, conf, pct(*r.UpperOne, up))
	}
	of := "all cases"
	if r.Population != nil {
		of = "the " + words.Count(*r.Population, "case")
	}
	var who string
	switch {
	case n == 1:
		who = "The only audited case needed immediate attention"
	case k == n:
		who = fmt.Sprintf("All %s audited cases needed immediate attention", thousands(n))
	default:
		who = fmt.Sprintf("%s of the %s audited cases (%s) needed immediate attention", thousands(k), thousands(n), rate.Fraction(k, n, 1, rate.Nearest))
	}
	return fmt.Sprintf("%s; with %s confidence between %s and %s of %s would.", who, conf,
		pct(*r.CI.Lower, down), pct(*r.CI.Upper, up), of)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// comparisonSentence says how the share moved, without overclaiming.
func comparisonSentence(c *Comparison, k, n int, conf float64) string {
	var b strings.Builder
	fmt.Fprintf(&b, "In %s, %s of %s audited cases (%s) needed immediate attention; in this audit %s of %s (%s). ",
		c.Previous, thousands(c.PreviousFlagged), thousands(c.PreviousAudited), pct(c.PreviousShare, nearest),
		thousands(k), thousands(n), pct(c.Share, nearest))
	diff := fmt.Sprintf("The difference, %s percentage points (%s interval %s to %s)", points(c.Difference, nearest),
		confPct(conf), points(c.DifferenceCI[0], down), points(c.DifferenceCI[1], up))
	level := rate.Percent(1-conf, 2, rate.Nearest) // significance follows the chosen confidence
	switch {
	case c.Significant && c.Difference < 0:
		fmt.Fprintf(&b, "%s, is a statistically significant fall at the %s level (Fisher's exact test, %s).", diff, level, pText(c.FisherP))
	case c.Significant && c.Difference > 0:
		fmt.Fprintf(&b, "%s, is a statistically significant rise at the %s level (Fisher's exact test, %s).", diff, level, pText(c.FisherP))
	default:
		fmt.Fprintf(&b, "%s, is not a statistically significant change at the %s level (Fisher's exact test, %s): it could be chance.", diff, level, pText(c.FisherP))
	}
	return b.String()
}

// Personal reports whether a column holds personal details that reports
// leave out by default (caseaudit's one privacy policy: colname.Personal).
func Personal(column string) bool { return colname.Personal(column) }
