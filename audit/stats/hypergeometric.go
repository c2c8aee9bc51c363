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
// Equivalently count + 1 is the smallest M with P(X ≤ k) ≤ α. The bound is
// inclusive: say "at most count of the N cases", not "fewer than share".
//
// For large N, share approaches [UpperOneSided]. At a confidence of 50% or
// more it is usually below it, and in every case the tests (and FuzzValid)
// try never more than one case (1/N) above it; it can be above by less than
// that when most of the sample has the attribute (2 of 3 from N = 30 at 50%:
// count 24, share 0.8, against the binomial 0.5^(1/3) = 0.794).
//
// Exact ties (P(X ≤ k) = α, as with 0 of 1 from 100 at 50% confidence,
// where M = 50 gives P = ½) count as rejections, as the definition says; see
// [atMostAlpha].
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
	if N > MaxCount {
		return 0, 0, invalidf("hypergeometric upper bound: population N = %d exceeds %d", N, MaxCount)
	}
	notRejected := func(M int) bool {
		return !atMostAlpha(hyperLogCDF(k, N, M, n), alpha)
	}
	lo, hi := k, N-(n-k) // notRejected(lo) holds: P(X ≤ k | M = k) = 1.
	// Find the first M in (lo, hi] that is rejected.
	first := lo + 1 + sort.Search(hi-lo, func(i int) bool { return !notRejected(lo + 1 + i) })
	count = first - 1
	return float64(count) / float64(N), count, nil
}

// atMostAlpha reports whether a probability, given as its logarithm, is at
// most α. A probability within 1e-12 (relative) above α counts as equal to
// it, so that exact ties resolve as the definitions say despite rounding
// errors of about 1e-14 in the computed probability.
func atMostAlpha(logP, alpha float64) bool {
	return logP <= math.Log(alpha)+1e-12
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
//
// The conditional distribution of k1 is hypergeometric and unimodal, so the
// tables counted form two tails, one each side of the mode; each tail's inner
// end is found by binary search and the tail summed outwards until its terms
// no longer change the sum. The work grows with the spread of the
// distribution, not with n1 + n2. A p-value below about 1e-300 (a table
// hundreds of standard deviations from the mode) underflows to 0.
func FisherExact(k1, n1, k2, n2 int) (float64, error) {
	if err := checkCount("Fisher's exact test, first sample", k1, n1); err != nil {
		return 0, err
	}
	if err := checkCount("Fisher's exact test, second sample", k2, n2); err != nil {
		return 0, err
	}
	if n1 > MaxCount || n2 > MaxCount {
		return 0, invalidf("Fisher's exact test: samples of %d and %d exceed %d", n1, n2, MaxCount)
	}
	// X = k1 counts marked items in a draw of n1 from m = k1+k2 marked and
	// b = (n1−k1)+(n2−k2) unmarked.
	mi, bi := k1+k2, (n1-k1)+(n2-k2)
	lo, hi := max(0, n1-bi), min(n1, mi)
	m, b, nn := float64(mi), float64(bi), float64(n1)
	mode := int(math.Floor((nn + 1) * (m + 1) / (m + b + 2)))
	mode = min(hi, max(lo, mode))
	top := logDhyper(float64(mode), m, b, nn)
	// d returns the probability of X = x relative to the mode's.
	d := func(x int) float64 { return math.Exp(logDhyper(float64(x), m, b, nn) - top) }
	limit := d(k1) * (1 + 1e-7)

	// sumFrom adds d(x), d(x+step), … while x stays in [lo, hi] and the
	// terms still count.
	sumFrom := func(x, step int) float64 {
		sum := 0.0
		for ; x >= lo && x <= hi; x += step {
			t := d(x)
			sum += t
			if t <= 1e-17*sum {
				break
			}
		}
		return sum
	}
	total := sumFrom(mode, 1) + sumFrom(mode-1, -1)
	// Right of the mode d is non-increasing: the first x ≥ mode with
	// d(x) ≤ limit starts the right tail.
	right := mode + sort.Search(hi-mode+1, func(i int) bool { return d(mode+i) <= limit })
	// Left of the mode d is non-increasing going down from mode−1.
	left := mode - 1 - sort.Search(mode-lo, func(i int) bool { return d(mode-1-i) <= limit })
	tail := sumFrom(right, 1) + sumFrom(left, -1)
	return math.Min(1, tail/total), nil
}
