package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Exact binomial tails and the Clopper–Pearson equations.
//
// gonum's inverse of the regularised incomplete beta function
// (mathext.InvRegIncBeta, from cephes incbi) is accurate in the middle of its
// range but wrong at the extremes (measured against the closed form
// 1 − x = 1 − y^(1/n) of I_x(n, 1) = y: relative error 1e-7 for n = 1000 and
// y = 5e-9, 3e-3 for y = 5e-16, and a factor of hundreds for n = 100,000 and
// y = 5e-9), and its forward RegIncBeta keeps only about 1e-9 relative
// accuracy for n near a million (bounds off by up to 5e-10). The
// Clopper–Pearson bounds are therefore found here by a bracketed Newton
// iteration on binomial tails summed exactly from Loader's densities, which
// keeps about 1e-14 relative accuracy for n up to millions and tails down to
// 1e-300. gonum's inverse supplies the starting point.

// logBinomLE returns log P(X ≤ k) for X ~ Binomial(n, p).
func logBinomLE(k, n int, p float64) float64 {
	switch {
	case k < 0:
		return math.Inf(-1)
	case k >= n || p == 0:
		return 0
	case p == 1:
		return math.Inf(-1)
	}
	if float64(k) <= float64(n)*p {
		return sumBinomDown(k, n, p)
	}
	return log1mExp(sumBinomUp(k+1, n, p))
}

// logBinomGE returns log P(X ≥ k) for X ~ Binomial(n, p).
func logBinomGE(k, n int, p float64) float64 {
	switch {
	case k <= 0 || p == 1:
		return 0
	case k > n || p == 0:
		return math.Inf(-1)
	}
	if float64(k) >= float64(n)*p {
		return sumBinomUp(k, n, p)
	}
	return log1mExp(sumBinomDown(k-1, n, p))
}

// sumBinomDown returns log P(X ≤ k) as b(k)·(1 + Σ_{j<k} b(j)/b(k)), using
// the exact ratio b(j−1)/b(j) = j q / ((n−j+1) p). Accurate when k ≤ np,
// where the terms fall off at least geometrically.
func sumBinomDown(k, n int, p float64) float64 {
	q := 1 - p
	nf := float64(n)
	sum, term := 0.0, 1.0
	for j := k; j > 0; j-- {
		jf := float64(j)
		term *= jf * q / ((nf - jf + 1) * p)
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return logDbinom(float64(k), nf, p, q) + math.Log1p(sum)
}

// sumBinomUp returns log P(X ≥ k) as b(k)·(1 + Σ_{j>k} b(j)/b(k)), using the
// exact ratio b(j+1)/b(j) = (n−j) p / ((j+1) q). Accurate when k ≥ np.
func sumBinomUp(k, n int, p float64) float64 {
	q := 1 - p
	nf := float64(n)
	sum, term := 0.0, 1.0
	for j := k; j < n; j++ {
		jf := float64(j)
		term *= (nf - jf) * p / ((jf + 1) * q)
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return logDbinom(float64(k), nf, p, q) + math.Log1p(sum)
}

// cpSolveUpper returns p in (0, 1) with P(X ≤ k | n, p) = tail, for
// 0 ≤ k < n and 0 < tail < 1. d/dp P(X ≤ k) = −n·b(k; n−1, p).
func cpSolveUpper(k, n int, tail float64) float64 {
	x0 := 1 - mathext.InvRegIncBeta(float64(n-k), float64(k+1), tail)
	return solveLog(func(p float64) (float64, float64) {
		lf := logBinomLE(k, n, p)
		ld := math.Log(float64(n)) + logDbinom(float64(k), float64(n-1), p, 1-p)
		return lf, -p * math.Exp(ld-lf)
	}, math.Log(tail), false, x0)
}

// cpSolveLower returns p in (0, 1) with P(X ≥ k | n, p) = tail, for
// 0 < k ≤ n and 0 < tail < 1. d/dp P(X ≥ k) = n·b(k−1; n−1, p).
func cpSolveLower(k, n int, tail float64) float64 {
	x0 := mathext.InvRegIncBeta(float64(k), float64(n-k+1), tail)
	return solveLog(func(p float64) (float64, float64) {
		lf := logBinomGE(k, n, p)
		ld := math.Log(float64(n)) + logDbinom(float64(k-1), float64(n-1), p, 1-p)
		return lf, p * math.Exp(ld-lf)
	}, math.Log(tail), true, x0)
}

// solveLog finds x in (0, 1) with log F(x) = ly for a monotone F, increasing
// or not as said. eval returns log F(x) and its slope d log F / d log x. It
// takes Newton steps in log x, kept inside a bracket that shrinks at every
// step, and bisects when a step would leave it. x0 is a starting guess;
// values outside (0, 1) are replaced by ½.
func solveLog(eval func(x float64) (lf, slope float64), ly float64, increasing bool, x0 float64) float64 {
	lo, hi := 0.0, 1.0
	x := x0
	if !(x > 0 && x < 1) {
		x = 0.5
	}
	for iter := 0; iter < 500; iter++ {
		lf, slope := eval(x)
		g := lf - ly
		if g == 0 {
			return x
		}
		if (g < 0) == increasing { // x lies below the root
			lo = x
		} else {
			hi = x
		}
		next := math.NaN()
		if finite(g) && finite(slope) && slope != 0 {
			next = x * math.Exp(-g/slope)
		}
		if !(next > lo && next < hi) {
			next = bisect(lo, hi)
		}
		if next == x || math.Abs(next-x) <= 1e-15*x || hi-lo <= 1e-16*hi {
			return next
		}
		x = next
	}
	return x
}

func finite(x float64) bool { return !math.IsNaN(x) && !math.IsInf(x, 0) }

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
