package rate

import (
	"math"
	"math/big"
	"strconv"
	"strings"
)

// Rounding is the direction a printed figure is rounded in.
type Rounding int

// The roundings.
const (
	// Nearest rounds to nearest, halves away from zero, with the guard for
	// estimates: a non-zero value never prints as 0 and, for [Percent] and
	// [Fraction], a value below 1 never as 100%.
	Nearest Rounding = iota
	// Down rounds toward −∞: for lower bounds.
	Down
	// Up rounds toward +∞: for upper bounds.
	Up
)

// MaxDecimals is the most decimals the formatters print; more are taken as
// this many, and fewer than 0 as 0.
const MaxDecimals = 12

// notDefined is what NaN and ±Inf print as.
const notDefined = "—"

// Percent formats a share v (0.025 for two and a half percent) as a
// percentage with at most the given decimals, trailing zeros dropped:
// "2.5%", "3%", "0%". See the package documentation for the rules.
func Percent(v float64, decimals int, r Rounding) string {
	x, ok := exactFloat(v)
	if !ok {
		return notDefined
	}
	return formatRat(x.Mul(x, hundred), decimals, r, true) + "%"
}

// Rounded returns the share v rounded as [Percent] rounds it with Down or
// Up, as a share again: Rounded(0.08317, 1, Up) is 0.084, what Percent
// prints as "8.4%". A spreadsheet cell holding it shows, in a "0.0%"
// format, the figure the report's sentence states. Any other rounding is
// Nearest without Percent's guards; NaN and ±Inf are returned as they are.
func Rounded(v float64, decimals int, r Rounding) float64 {
	x, ok := exactFloat(v)
	if !ok {
		return v
	}
	if r != Down && r != Up {
		r = Nearest
	}
	d := min(max(decimals, 0), MaxDecimals)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d+2)), nil)
	m := roundRat(x.Mul(x, new(big.Rat).SetInt(scale)), r)
	f, _ := new(big.Rat).SetFrac(m, scale).Float64()
	return f
}

// Fraction formats k of n as a percentage, from the integers exactly, with
// the rules of [Percent]: Fraction(1, 3, 1, Nearest) is "33.3%",
// Fraction(1, 3000, 1, Nearest) is "<0.1%", Fraction(71, 3000, 1, Up) is
// "2.4%". n must not be 0 ("—").
func Fraction(k, n int, decimals int, r Rounding) string {
	if n == 0 {
		return notDefined
	}
	x := new(big.Rat).SetFrac(big.NewInt(int64(k)), big.NewInt(int64(n)))
	return formatRat(x.Mul(x, hundred), decimals, r, true) + "%"
}

// Points formats a difference of shares v (p1 − p2) in percentage points,
// signed: "+2.4", "−0.3", "0" (no unit: the caller writes "percentage
// points" or "pp"). Down and Up round the signed value toward −∞ and +∞, so
// a lower bound of −0.00244 prints at one decimal as "−0.3" and an upper
// bound of −0.00244 as "−0.2"; Nearest never prints a non-zero difference
// as "0" ("+<0.1", "−<0.1").
func Points(v float64, decimals int, r Rounding) string {
	x, ok := exactFloat(v)
	if !ok {
		return notDefined
	}
	s := formatRat(x.Mul(x, hundred), decimals, r, false)
	if s != "0" && !strings.HasPrefix(s, "−") {
		s = "+" + s
	}
	return s
}

// ConfidencePercent formats a confidence level exactly: 0.95 is "95%",
// 0.999 is "99.9%", 0.9999999999 is "99.99999999%". Beyond ten decimals of a
// percent it is truncated, never rounded up, so a level below 1 never
// prints as "100%".
func ConfidencePercent(c float64) string {
	x, ok := exactFloat(c)
	if !ok {
		return notDefined
	}
	return formatRat(x.Mul(x, hundred), 10, towardZero, false) + "%"
}

// Exact formats a share as the shortest percentage that [Kind.Parse] reads
// back as the same float64: 0.025 is "2.5%", 1e-7 is "0.00001%",
// 0.1 + 0.2 is "30.000000000000004%". For echoing a rate as given.
func Exact(v float64) string {
	x, ok := exactFloat(v)
	if !ok {
		return notDefined
	}
	return ratDecimal(x.Mul(x, hundred)) + "%"
}

var hundred = big.NewRat(100, 1)

// towardZero truncates; used for confidence levels only.
const towardZero Rounding = -1

// exactFloat returns the shortest decimal representation of v as an exact
// rational, or false for NaN and ±Inf.
func exactFloat(v float64) (*big.Rat, bool) {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return nil, false
	}
	x, ok := new(big.Rat).SetString(strconv.FormatFloat(v, 'g', -1, 64))
	return x, ok
}

// formatRat writes x (a percentage, or percentage points) rounded at the
// given decimals as asked, trailing zeros dropped, with "−" for negatives.
// With Nearest, a non-zero x that rounds to 0 is written "<u" (u one unit of
// the last decimal, "−<u" when negative) and, when share is set, an x
// strictly between 0 and 100 that rounds to 100 is written ">(100 − u)".
func formatRat(x *big.Rat, decimals int, r Rounding, share bool) string {
	if r != Down && r != Up && r != towardZero {
		r = Nearest // any other value
	}
	d := min(max(decimals, 0), MaxDecimals)
	scale := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(d)), nil)
	y := new(big.Rat).Mul(x, new(big.Rat).SetInt(scale))
	m := roundRat(y, r)
	if share && r == Down && m.Sign() == 0 && x.Sign() > 0 {
		// A lower bound above 0 that rounds down to 0 would read as
		// "possibly none": it is below the last place shown.
		return "<" + placeDecimals(big.NewInt(1), d)
	}
	if r == Nearest {
		unit := placeDecimals(big.NewInt(1), d)
		if m.Sign() == 0 && x.Sign() != 0 {
			if x.Sign() < 0 {
				return "−<" + unit
			}
			return "<" + unit
		}
		full := new(big.Int).Mul(big.NewInt(100), scale)
		if share && m.Cmp(full) == 0 && x.Cmp(hundred) < 0 {
			return ">" + placeDecimals(new(big.Int).Sub(full, big.NewInt(1)), d)
		}
	}
	return placeDecimals(m, d)
}

// roundRat rounds y to an integer: to nearest (halves away from zero), down,
// up, or toward zero.
func roundRat(y *big.Rat, r Rounding) *big.Int {
	num, den := y.Num(), y.Denom()
	q, m := new(big.Int).DivMod(num, den, new(big.Int)) // floor division: m ≥ 0
	if m.Sign() == 0 {
		return q
	}
	switch r {
	case Down:
		return q
	case Up:
		return q.Add(q, big.NewInt(1))
	case towardZero:
		if y.Sign() < 0 {
			return q.Add(q, big.NewInt(1))
		}
		return q
	}
	// Nearest: compare 2m with den; a half goes away from zero.
	twice := new(big.Int).Lsh(m, 1)
	switch c := twice.Cmp(den); {
	case c > 0, c == 0 && y.Sign() > 0:
		return q.Add(q, big.NewInt(1))
	}
	return q
}
