package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// invRegIncBeta returns x in (0, 1) with I_x(a, b) = y, for a, b > 0 and
// 0 < y < 1, where I is the regularised incomplete beta function.
//
// It is accurate when y is the smaller tail of interest (the equation is
// solved on log I_x, so relative accuracy in y is kept even for y = 1e-300).
// gonum's own mathext.InvRegIncBeta is used only as a starting guess: it is
// accurate in the middle of the range but returns values wrong by orders of
// magnitude at the extremes (checked in the tests against closed forms), so
// the root is found by Newton's method in log x, safeguarded by a bracket that
// falls back to bisection, on gonum's forward RegIncBeta.
func invRegIncBeta(a, b, y float64) float64 {
	ly := math.Log(y)
	// log of the beta density at x, without the normalising constant.
	lbeta := mathext.Lbeta(a, b)
	lo, hi := 0.0, 1.0
	x := mathext.InvRegIncBeta(a, b, y)
	if !(x > 0 && x < 1) {
		x = 0.5
	}
	for iter := 0; iter < 400; iter++ {
		ix := mathext.RegIncBeta(a, b, x)
		var g float64 // log I_x − log y: increasing in x
		if ix <= 0 {
			g = math.Inf(-1)
		} else {
			g = math.Log(ix) - ly
		}
		if g == 0 {
			return x
		}
		if g < 0 {
			lo = x
		} else {
			hi = x
		}
		next := math.NaN()
		if !math.IsInf(g, 0) {
			// d log I / d log x = x·f(x)/I(x), with f the beta density.
			lf := (a-1)*math.Log(x) + (b-1)*math.Log1p(-x) - lbeta
			slope := math.Exp(math.Log(x) + lf - math.Log(ix))
			if slope > 0 && !math.IsInf(slope, 0) {
				next = x * math.Exp(-g/slope)
			}
		}
		if !(next > lo && next < hi) {
			next = bisect(lo, hi)
		}
		if next == x || math.Abs(next-x) <= 1e-15*x {
			return next
		}
		if hi-lo <= 1e-16*hi {
			return next
		}
		x = next
	}
	return x
}

// bisect returns a point between lo and hi, geometric when the bracket spans
// orders of magnitude so that tiny roots are reached in few steps.
func bisect(lo, hi float64) float64 {
	switch {
	case lo <= 0:
		return hi / 16
	case hi/lo > 4:
		return math.Sqrt(lo) * math.Sqrt(hi)
	default:
		return lo + (hi-lo)/2
	}
}
