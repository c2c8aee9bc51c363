package stats

import (
	"math"
	"sort"
)

// HypergeometricUpper returns the exact one-sided upper confidence bound for
// the number M of items with an attribute in a population of N, given k of a
// sample of n drawn without replacement: the standard exact attribute-sampling
// upper limit for a finite population.
//
// Definition: with α = 1 − confidence and X ~ Hypergeometric(N, M, n),
//
//	count = max{ M : P(X ≤ k | N, M, n) > α },  share = count / N.
//
// P(X ≤ k | M) decreases as M grows, so the set of M not rejected by the
// one-sided exact test of H0: "the population holds M" against "fewer" is
// {k, …, count}, and the bound covers the true M with probability at least
// the confidence. The search runs over k ≤ M ≤ N − (n − k) (the sample
// itself shows at least k with and n − k without the attribute); count is
// N − (n − k) when even that M is not rejected, and k when n = N (a census).
// Equivalently count + 1 is the smallest M with P(X ≤ k) ≤ α. For large N,
// share approaches [UpperOneSided] from below.
//
// The cdf is exact up to rounding (Loader's method plus summation of exact
// term ratios); the search is a binary search on M, about log2(N) cdf
// evaluations, each costing O(k) operations, so N in the millions is fast.
func HypergeometricUpper(k, n, N int, confidence float64) (share float64, count int, err error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return 0, 0, err
	}
	if err := checkCount("hypergeometric upper bound", k, n); err != nil {
		return 0, 0, err
	}
	if N < n {
		return 0, 0, invalidf("hypergeometric upper bound: population N = %d is smaller than the sample n = %d", N, n)
	}
	la := math.Log(alpha)
	notRejected := func(M int) bool {
		return hyperLogCDF(k, N, M, n) > la
	}
	lo, hi := k, N-(n-k) // notRejected(lo) holds: P(X ≤ k | M = k) = 1.
	// Find the first M in (lo, hi] that is rejected.
	first := lo + 1 + sort.Search(hi-lo, func(i int) bool { return !notRejected(lo + 1 + i) })
	count = first - 1
	return float64(count) / float64(N), count, nil
}

// hyperLogCDF returns log P(X ≤ k) where X counts the marked items in a
// sample of n from a population of N holding M marked items.
func hyperLogCDF(k, N, M, n int) float64 {
	return logPhyper(float64(k), float64(M), float64(N-M), float64(n))
}

// FisherExact returns the two-sided p-value of Fisher's exact test for the
// 2×2 table of k1 of n1 against k2 of n2, by R's definition (fisher.test):
// conditional on the margins, the sum of the probabilities of all tables whose
// probability is at most the observed table's times 1 + 1e-7.
func FisherExact(k1, n1, k2, n2 int) (float64, error) {
	if err := checkCount("Fisher's exact test, first sample", k1, n1); err != nil {
		return 0, err
	}
	if err := checkCount("Fisher's exact test, second sample", k2, n2); err != nil {
		return 0, err
	}
	// X = k1 is hypergeometric: n1 drawn from m = k1+k2 marked and
	// b = (n1−k1)+(n2−k2) unmarked.
	m := float64(k1 + k2)
	b := float64((n1 - k1) + (n2 - k2))
	nn := float64(n1)
	lo := max(0, n1-((n1-k1)+(n2-k2)))
	hi := min(n1, k1+k2)
	logd := make([]float64, hi-lo+1)
	top := math.Inf(-1)
	for x := lo; x <= hi; x++ {
		l := logDhyper(float64(x), m, b, nn)
		logd[x-lo] = l
		top = math.Max(top, l)
	}
	obs := math.Exp(logd[k1-lo] - top)
	var total, tail float64
	for _, l := range logd {
		d := math.Exp(l - top)
		total += d
		if d <= obs*(1+1e-7) {
			tail += d
		}
	}
	return math.Min(1, tail/total), nil
}
