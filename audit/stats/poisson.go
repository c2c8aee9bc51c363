package stats

import "math"

// Exact Poisson tails for the Poisson sample-size plan, by the same method as
// the binomial tails of binomial.go: Loader's saddle-point density (R's
// dpois_raw) and sums of exact ratios of successive terms.

// logDpois returns log P(X = x) for X ~ Poisson(λ), x a whole number ≥ 0:
// −λ for x = 0, else −stirlerr(x) − bd0(x, λ) − ½ log(2πx).
func logDpois(x, lambda float64) float64 {
	switch {
	case x < 0:
		return math.Inf(-1)
	case lambda == 0:
		if x == 0 {
			return 0
		}
		return math.Inf(-1)
	case x == 0:
		return -lambda
	}
	return -stirlerr(x) - bd0(x, lambda) - 0.5*(ln2Pi+math.Log(x))
}

// logPoisLE returns log P(X ≤ k) for X ~ Poisson(λ), λ ≥ 0. At or below the
// mean it sums p(k)·(1 + Σ_{j<k} p(j)/p(k)) with the exact ratio
// p(j−1)/p(j) = j/λ; above the mean it takes 1 − P(X ≥ k+1).
func logPoisLE(k int, lambda float64) float64 {
	switch {
	case k < 0:
		return math.Inf(-1)
	case lambda == 0:
		return 0
	}
	if float64(k) > lambda {
		return log1mExp(logPoisGE(k+1, lambda))
	}
	sum, term := 0.0, 1.0
	for j := k; j > 0; j-- {
		term *= float64(j) / lambda
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return logDpois(float64(k), lambda) + math.Log1p(sum)
}

// logPoisGE returns log P(X ≥ k) for X ~ Poisson(λ) and k > λ, summing
// p(k)·(1 + Σ_{j>k} p(j)/p(k)) with the exact ratio p(j+1)/p(j) = λ/(j+1)
// < 1, so the terms fall off at least geometrically.
func logPoisGE(k int, lambda float64) float64 {
	sum, term := 0.0, 1.0
	for j := float64(k); ; j++ {
		term *= lambda / (j + 1)
		sum += term
		if term < 1e-17*sum || term == 0 {
			break
		}
	}
	return logDpois(float64(k), lambda) + math.Log1p(sum)
}
