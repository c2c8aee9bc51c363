package rate

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"strconv"
	"strings"
	"unicode"
)

// Kind says what a rate is for, and so what it may be and how a bare number
// (one without %) reads. See the package documentation.
type Kind int

// The kinds of rate.
const (
	// Share is a rate strictly between 0% and 100%, such as a tolerable
	// rate. A bare number is a fraction below 1.
	Share Kind = iota
	// Limit is a threshold from 0% up to, not including, 100%, such as
	// fail-above. A bare number is a fraction below 1.
	Limit
	// Confidence is a confidence level from 50% up to, not including, 100%.
	// A bare number is a fraction below 1.
	Confidence
	// PercentOf is a percentage of a population, above 0% and up to 100%.
	// A bare number is a fraction below 1, as for every kind.
	PercentOf
)

func (k Kind) String() string {
	switch k {
	case Share:
		return "share"
	case Limit:
		return "limit"
	case Confidence:
		return "confidence"
	case PercentOf:
		return "percentage of the population"
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// example is a typical value of the kind, as a percentage and as a fraction.
func (k Kind) example() (pct, frac string) {
	switch k {
	case Limit:
		return "5%", "0.05"
	case Confidence:
		return "95%", "0.95"
	case PercentOf:
		return "10%", "0.1"
	}
	return "2.5%", "0.025"
}

// ErrInvalid is wrapped by every error of [Kind.Parse].
var ErrInvalid = errors.New("invalid rate")

// Problem says what is wrong with a rate.
type Problem int

// The problems [Kind.Parse] reports.
const (
	Empty        Problem = iota + 1 // nothing but spaces
	Syntax                          // not a decimal number, with or without %
	NotFinite                       // NaN or infinity
	Negative                        // a minus sign
	Separator                       // a thousands separator: "1,000", "1 000", "1_000"
	DecimalComma                    // a decimal comma: "2,5%"
	Ambiguous                       // a bare number that reads two ways for the kind
	TooLow                          // below the kind's range
	TooHigh                         // above the kind's range
)

// Error is a rate that could not be read. Its message starts with the input
// in quotes and never names a flag or config key.
type Error struct {
	Input   string  // the text as given
	Kind    Kind    // what it was read as
	Problem Problem // what is wrong
	// Value is the rate read, as a share, for TooLow and TooHigh; for
	// Ambiguous, the bare number as written (5 for "5"); else 0. A number
	// beyond the float64 range gives math.MaxFloat64.
	Value float64
	// number is the decimal as written, without %, for the messages.
	number string
}

func (e *Error) Unwrap() error { return ErrInvalid }

func (e *Error) Error() string {
	ex, exFrac := e.Kind.example()
	suggest := "write a percentage such as " + ex
	if exFrac != "" {
		suggest += ", or a fraction such as " + exFrac
	}
	var msg string
	switch e.Problem {
	case Empty:
		msg = "no rate given; " + suggest
	case Syntax:
		msg = "not a rate; " + suggest
	case NotFinite:
		msg = "not a number; " + suggest
	case Negative:
		msg = "a rate cannot be negative"
	case Separator:
		msg = "a thousands separator does not belong in a rate; " + suggest
	case DecimalComma:
		msg = "write the decimal point as a point: " + strings.Replace(strings.TrimSpace(e.Input), ",", ".", 1)
	case Ambiguous:
		msg = e.ambiguous(suggest)
	case TooLow, TooHigh:
		msg = e.outOfRange()
	default:
		msg = "not a rate"
	}
	return strconv.Quote(e.Input) + ": " + msg
}

// ambiguous explains a bare number that reads two ways.
func (e *Error) ambiguous(suggest string) string {
	// A bare number of 1 or more: v percent, if that is in range.
	if lo, hi := e.Kind.bounds(); e.Value < 100 {
		share := e.Value / 100
		if (share > lo.v || (lo.incl && share == lo.v)) && share < hi.v {
			frac := shiftDecimal(e.number, -2)
			return fmt.Sprintf("write %s%% for %s percent, or %s", e.number, e.number, frac)
		}
	}
	return "a bare number means a fraction here, below 1; " + suggest
}

// outOfRange explains a rate outside the kind's range.
func (e *Error) outOfRange() string {
	switch e.Kind {
	case Share:
		if e.Problem == TooLow {
			return "give a rate above 0%"
		}
		return "give a rate below 100%"
	case Limit:
		return "give a limit from 0% up to, but not including, 100%"
	case Confidence:
		if e.Problem == TooLow {
			return "a confidence below 50% is more likely wrong than right; give 50% or more, such as 95%"
		}
		return "give a confidence below 100%, such as 95% or 99.9%: no sample gives certainty"
	case PercentOf:
		if e.Problem == TooLow {
			return "give a percentage above 0%"
		}
		return "give a percentage of at most 100%"
	}
	return "out of range"
}

type bound struct {
	v    float64
	r    *big.Rat
	incl bool
}

// bounds returns the kind's range as shares.
func (k Kind) bounds() (lo, hi bound) {
	zero, half, one := big.NewRat(0, 1), big.NewRat(1, 2), big.NewRat(1, 1)
	switch k {
	case Limit:
		return bound{0, zero, true}, bound{1, one, false}
	case Confidence:
		return bound{0.5, half, true}, bound{1, one, false}
	case PercentOf:
		return bound{0, zero, false}, bound{1, one, true}
	}
	return bound{0, zero, false}, bound{1, one, false}
}

// maxInput is the longest text Parse reads: enough for every float64 as
// [Exact] writes it (the smallest is 5e-324, 326 characters as a
// percentage); anything longer is not a rate.
const maxInput = 400

// Parse reads a [Share], such as a tolerable rate: "2.5%", "2.5 %", "0.025"
// and ".025" are all two and a half percent, "0.5" is fifty percent, and a
// bare number of 1 or more is refused.
func Parse(s string) (float64, error) { return Share.Parse(s) }

// Parse reads a rate of kind k and returns it as a share (0.05 for five
// percent). See the package documentation for what each kind accepts.
func (k Kind) Parse(s string) (float64, error) {
	fail := func(p Problem) (float64, error) {
		return 0, &Error{Input: s, Kind: k, Problem: p}
	}
	t := strings.TrimFunc(s, unicode.IsSpace)
	if t == "" {
		return fail(Empty)
	}
	if len(t) > maxInput {
		return fail(Syntax)
	}
	pct := false
	if body, ok := strings.CutSuffix(t, "%"); ok {
		pct = true
		t = strings.TrimRightFunc(body, unicode.IsSpace)
	}
	num, problem := readDecimal(t)
	if problem != 0 {
		return fail(problem)
	}
	// num is digits with at most one '.', at least one digit.
	exact, _ := new(big.Rat).SetString(num)
	whole := exact.Cmp(big.NewRat(1, 1)) >= 0
	if !pct && whole {
		written, _ := strconv.ParseFloat(num, 64) // +Inf beyond the float64 range
		return 0, &Error{Input: s, Kind: k, Problem: Ambiguous, Value: min(written, math.MaxFloat64), number: num}
	}
	// The float64 nearest the decimal: the percentage's digits with the
	// exponent moved, so that there is one rounding only. Out of range it is
	// +Inf or 0, which the checks below refuse.
	text := num
	if pct {
		exact.Quo(exact, hundred)
		text += "e-2"
	}
	v, _ := strconv.ParseFloat(text, 64)
	outside := func(p Problem) (float64, error) {
		return 0, &Error{Input: s, Kind: k, Problem: p, Value: min(v, math.MaxFloat64), number: num}
	}
	// The decimal itself must be in range, and so must the float64: a
	// decimal just inside the range can round onto an excluded end.
	lo, hi := k.bounds()
	if c := exact.Cmp(lo.r); c < 0 || (c == 0 && !lo.incl) || v < lo.v || (v == lo.v && !lo.incl) {
		return outside(TooLow)
	}
	if c := exact.Cmp(hi.r); c > 0 || (c == 0 && !hi.incl) || v > hi.v || (v == hi.v && !hi.incl) {
		return outside(TooHigh)
	}
	return v, nil
}

// readDecimal checks that t is an unsigned decimal number, digits with at
// most one point and at least one digit, and returns it with a leading 0
// added before a leading point. Otherwise it names the problem.
func readDecimal(t string) (string, Problem) {
	if t == "" {
		return "", Syntax
	}
	lower := strings.ToLower(strings.TrimLeft(t, "+-−"))
	for _, w := range []string{"nan", "inf", "infinity", "∞"} {
		if lower == w {
			return "", NotFinite
		}
	}
	if strings.HasPrefix(t, "-") || strings.HasPrefix(t, "−") {
		if _, p := readDecimal(strings.TrimLeft(t, "-−")); p == 0 {
			return "", Negative
		}
		return "", Syntax
	}
	digits, points, separators := 0, 0, 0
	for _, r := range t {
		switch {
		case r >= '0' && r <= '9':
			digits++
		case r == '.':
			points++
		case r == ',' || r == '_' || r == '\'' || r == '’' || unicode.IsSpace(r):
			separators++
		default:
			return "", Syntax // a letter, a sign, an exponent, another digit set …
		}
	}
	if separators > 0 && digits > 0 {
		return "", separatorProblem(t)
	}
	if digits == 0 || points > 1 || separators > 0 {
		return "", Syntax
	}
	if t[0] == '.' {
		t = "0" + t
	}
	return t, 0
}

// separatorProblem tells a thousands separator ("1,000", "12 500", "1_000")
// from a decimal comma ("2,5", "0,05", "0,050"): a single comma between
// digits, with no other separator or point, is a decimal comma unless three
// digits follow it after a non-zero whole part.
func separatorProblem(t string) Problem {
	if strings.Count(t, ",") == 1 && !strings.ContainsAny(t, "._'’") && !strings.ContainsFunc(t, unicode.IsSpace) {
		before, after, _ := strings.Cut(t, ",")
		if isDigits(before) && isDigits(after) && (len(after) != 3 || strings.TrimLeft(before, "0") == "") {
			return DecimalComma
		}
	}
	return Separator
}

func isDigits(s string) bool {
	if s == "" {
		return false
	}
	for _, r := range s {
		if r < '0' || r > '9' {
			return false
		}
	}
	return true
}

// shiftDecimal moves the point of a plain decimal ("2.5") by places (−2:
// "0.025"), exactly, dropping needless zeros.
func shiftDecimal(num string, places int) string {
	r, ok := new(big.Rat).SetString(num)
	if !ok {
		return num
	}
	p := new(big.Int).Exp(big.NewInt(10), big.NewInt(int64(abs(places))), nil)
	if places < 0 {
		r.Quo(r, new(big.Rat).SetInt(p))
	} else {
		r.Mul(r, new(big.Rat).SetInt(p))
	}
	return ratDecimal(r)
}

// ratDecimal writes a rational with a terminating decimal expansion in full
// ("0.025", "5"); it must terminate (a denominator of 2s and 5s only).
func ratDecimal(r *big.Rat) string {
	den := new(big.Int).Set(r.Denom())
	places := 0
	ten := big.NewInt(10)
	num := new(big.Int).Set(r.Num())
	for den.Cmp(big.NewInt(1)) != 0 {
		num.Mul(num, ten)
		places++
		g := new(big.Int).GCD(nil, nil, num, den)
		num.Quo(num, g)
		den.Quo(den, g)
		if places > 400 {
			break // not terminating; cannot happen for the callers
		}
	}
	return placeDecimals(num, places)
}

// placeDecimals writes m·10^−places with trailing zeros dropped.
func placeDecimals(m *big.Int, places int) string {
	neg := m.Sign() < 0
	s := new(big.Int).Abs(m).String()
	if places > 0 {
		if len(s) <= places {
			s = strings.Repeat("0", places-len(s)+1) + s
		}
		s = s[:len(s)-places] + "." + s[len(s)-places:]
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if neg && s != "0" {
		s = "−" + s
	}
	return s
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}

// Check reports whether a share v (0.05 for five percent) is in the range
// of kind k, with the same [*Error] as Parse (its Input is v as a
// percentage).
func (k Kind) Check(v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return &Error{Input: strconv.FormatFloat(v, 'g', -1, 64), Kind: k, Problem: NotFinite}
	}
	in := Exact(v)
	lo, hi := k.bounds()
	if v < lo.v || (v == lo.v && !lo.incl) {
		return &Error{Input: in, Kind: k, Problem: TooLow, Value: v}
	}
	if v > hi.v || (v == hi.v && !hi.incl) {
		return &Error{Input: in, Kind: k, Problem: TooHigh, Value: v}
	}
	return nil
}
