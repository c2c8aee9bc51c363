package report

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/words"
)

func thousands(n int) string { return words.Thousands(n) }

// Rounding directions for percentages: bounds are rounded outwards so a
// printed interval never claims more precision than the exact one.
type rounding int

const (
	nearest rounding = iota
	up
	down
)

// pct formats a share as a percentage with one decimal ("2.5%", "0%",
// "100%"), rounded as asked.
func pct(v float64, r rounding) string {
	x := v * 1000
	switch r {
	case up:
		x = math.Ceil(x - 1e-7)
	case down:
		x = math.Floor(x + 1e-7)
	default:
		x = math.Round(x)
	}
	s := strconv.FormatFloat(x/10, 'f', 1, 64)
	s = strings.TrimSuffix(s, ".0")
	if s == "-0" {
		s = "0"
	}
	return s + "%"
}

// pctPtr formats a share or "—" when undefined.
func pctPtr(v *float64, r rounding) string {
	if v == nil {
		return "—"
	}
	return pct(*v, r)
}

// points formats a difference of shares in percentage points, signed.
func points(v float64, r rounding) string {
	s := pct(math.Abs(v), r)
	s = strings.TrimSuffix(s, "%")
	switch {
	case s == "0":
		return "0"
	case v < 0:
		return "−" + s
	}
	return "+" + s
}

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

func confPct(c float64) string {
	s := strconv.FormatFloat(c*100, 'f', 2, 64)
	return strings.TrimRight(strings.TrimRight(s, "0"), ".") + "%"
}

func ciText(lo, hi *float64) string {
	if lo == nil || hi == nil {
		return "—"
	}
	return pct(*lo, down) + " – " + pct(*hi, up)
}

// sentence is the report's plain-English summary.
func (r *Report) sentence() string {
	conf := confPct(r.opts.Confidence)
	if r.Audited == 0 {
		return fmt.Sprintf("None of the %s sampled %s has been audited yet, so there is nothing to estimate.",
			thousands(r.Sampled), plural(r.Sampled, "case", "cases"))
	}
	of := "all cases"
	if r.Population != nil {
		of = "the " + thousands(*r.Population) + " " + plural(*r.Population, "case", "cases")
	}
	n, k := r.Audited, r.Flagged
	if k == 0 {
		upper := *r.UpperOne
		if r.FiniteUpper != nil {
			upper = *r.FiniteUpper
		}
		who := fmt.Sprintf("None of the %s audited cases", thousands(n))
		if n == 1 {
			who = "The only audited case did not need immediate attention"
			return fmt.Sprintf("%s; with %s confidence fewer than %s of %s would.", who, conf, pct(upper, up), of)
		}
		return fmt.Sprintf("%s needed immediate attention; with %s confidence fewer than %s of %s would.", who, conf, pct(upper, up), of)
	}
	var who string
	switch {
	case n == 1:
		who = "The only audited case needed immediate attention"
	case k == n:
		who = fmt.Sprintf("All %s audited cases needed immediate attention", thousands(n))
	default:
		who = fmt.Sprintf("%s of the %s audited cases (%s) needed immediate attention", thousands(k), thousands(n), pct(float64(k)/float64(n), nearest))
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
	switch {
	case c.Significant && c.Difference < 0:
		fmt.Fprintf(&b, "%s, is a statistically significant fall (Fisher's exact test, %s).", diff, pText(c.FisherP))
	case c.Significant && c.Difference > 0:
		fmt.Fprintf(&b, "%s, is a statistically significant rise (Fisher's exact test, %s).", diff, pText(c.FisherP))
	default:
		fmt.Fprintf(&b, "%s, is not a statistically significant change (Fisher's exact test, %s): it could be chance.", diff, pText(c.FisherP))
	}
	return b.String()
}

// Personal reports whether a column holds personal details that reports
// leave out by default (caseaudit's one privacy policy: colname.Personal).
func Personal(column string) bool { return colname.Personal(column) }
