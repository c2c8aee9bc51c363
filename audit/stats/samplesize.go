package stats

import (
	"fmt"
	"math"
	"sort"
)

// SampleSizeMethod names the model behind a sample-size plan.
type SampleSizeMethod string

// The sample-size models.
const (
	// Binomial: sampling with replacement, or a population large enough for
	// it not to matter.
	Binomial SampleSizeMethod = "binomial"
	// Poisson: the Poisson approximation to the binomial, as in many audit
	// sampling tables. At a confidence above 50% its plan is not smaller
	// than the binomial plan (see [SampleSize] for how far that is proved);
	// below 50% it can be.
	Poisson SampleSizeMethod = "poisson"
	// Hypergeometric: sampling without replacement from a population of
	// known size. Its plan is usually smaller than the binomial plan, and
	// never larger when the plan allows no cases with the attribute, but it
	// can be larger otherwise (see [SampleSize]).
	Hypergeometric SampleSizeMethod = "hypergeometric"
)

// MaxSampleSize is the largest sample size [SampleSize] will search for with
// the binomial and Poisson models; a plan needing more is reported as
// infeasible.
const MaxSampleSize = MaxCount

// SampleSizeParams describes a plan to show that the share of cases with an
// attribute (for example needing immediate attention) is below a tolerable
// rate.
type SampleSizeParams struct {
	Method         SampleSizeMethod // Binomial, Poisson or Hypergeometric
	Tolerable      float64          // tolerable rate, in (0, 1), e.g. 0.025
	Confidence     float64          // in (0, 1), e.g. 0.95
	ExpectedErrors int              // k, the number of cases with the attribute the plan allows for; ≥ 0
	Population     int              // N, needed for Hypergeometric only
}

// SampleSize returns the smallest sample size n such that finding at most k =
// ExpectedErrors cases with the attribute would show, at the given confidence,
// that the rate is below the tolerable rate t. With α = 1 − confidence:
//
//   - Binomial: the smallest n with P(X ≤ k | n, t) ≤ α.
//   - Poisson: the smallest n with P(X ≤ k | λ = n·t) ≤ α.
//   - Hypergeometric: the smallest n ≤ N with P(X ≤ k) ≤ α where X counts
//     the cases with the attribute in a sample of n drawn without replacement
//     from a population of N holding M = ⌈t·N⌉ of them: the smallest count
//     whose rate reaches the tolerable rate, the usual convention of audit
//     sampling. (A product t·N within 1e-9 relative of a whole number is taken
//     as that number, so that binary rounding cannot turn 0.025 × 3000 into
//     76.) For N = 3000, t = 2.5%, 95% and k = 0 this gives M = 75 and
//     n = 117, the reference value.
//
// All three tails are computed exactly up to rounding, by the package's own
// summation of Loader's densities (see binomial.go, poisson.go, loader.go),
// to about 1e-14 relative for every α a float64 confidence can give. A
// probability within 1e-12 (relative) of α counts as equal to it, so that an
// exact tie P = α meets the plan despite rounding (see [atMostAlpha]): for
// example t = ½, k = 1, confidence 93.75% gives n = 7, where P(X ≤ 1) =
// 8/128 = α exactly. (gonum's binomial cdf is off by up to a few 1e-10
// relative, which breaks such ties: with it 3,001 cases would be planned
// where P(X ≤ 0 | 3,000, 0.1%) equals α to 1e-16.)
//
// How the models compare:
//
//   - Poisson against binomial: with k = 0 the Poisson plan is never smaller,
//     as (1−t)^n ≤ e^{−nt}. With k ≥ 1 and a confidence above 50% it is not
//     smaller either: at the Poisson plan P(X ≤ k) < ½ puts k below the
//     Poisson median, so k < nt − ⅔ (Choi 1994), where the Poisson lower tail
//     exceeds the binomial (Anderson and Samuels 1967) when t ≤ ⅔; the tests
//     find no exception above ⅔. At a confidence below 50% it can be smaller
//     (t = 1%, confidence 1%, k = 1: Poisson 15, binomial 16).
//   - Hypergeometric against binomial: with k = 0 the hypergeometric plan is
//     never larger, as P(X = 0) = Π_{i<n} (1 − M/(N−i)) ≤ (1 − t)^n. With
//     k ≥ 1 it is usually smaller but can be larger when the tolerable rate is
//     above one half (N = 10, t = 70%, confidence 51%, k = 3: hypergeometric
//     6, binomial 5). It is the exact plan for the population either way.
//
// Errors wrap [ErrInvalid] for a tolerable rate or confidence outside (0, 1),
// negative expected errors, an unknown method or a population below 1 with
// the hypergeometric model, and [ErrInfeasible] when no sample can meet the
// plan: with the hypergeometric model when M ≤ k (the population cannot hold
// more than k cases at the tolerable rate, so finding k proves nothing), and
// with the other models when n would exceed [MaxSampleSize].
func SampleSize(p SampleSizeParams) (int, error) {
	alpha, err := checkConfidence(p.Confidence)
	if err != nil {
		return 0, err
	}
	t := p.Tolerable
	if math.IsNaN(t) || t <= 0 || t >= 1 {
		return 0, invalidf("sample size: tolerable rate %v is outside (0, 1); give a fraction such as 0.025 for 2.5%%", t)
	}
	k := p.ExpectedErrors
	if k < 0 {
		return 0, invalidf("sample size: expected errors %d is negative", k)
	}
	switch p.Method {
	case Binomial:
		return smallestN(k, func(n int) bool {
			return atMostAlpha(logBinomLE(k, n, t), alpha)
		})
	case Poisson:
		return smallestN(k, func(n int) bool {
			return atMostAlpha(logPoisLE(k, float64(n)*t), alpha)
		})
	case Hypergeometric:
		N := p.Population
		if N < 1 {
			return 0, invalidf("sample size: population N = %d; the hypergeometric plan needs the number of cases in the population", N)
		}
		if N > MaxCount {
			return 0, invalidf("sample size: population N = %d exceeds %d", N, MaxCount)
		}
		M := ceilCount(t, N)
		if M <= k {
			return 0, fmt.Errorf("stats: %w: a population of %d at a tolerable rate of %v holds %d cases with the attribute, no more than the %d expected errors; allow fewer expected errors or use a higher tolerable rate", ErrInfeasible, N, t, M, k)
		}
		// P(X ≤ k) decreases in n and is 0 at n = N (X = M > k), so a
		// solution exists in (k, N].
		n := k + 1 + sort.Search(N-k, func(i int) bool {
			return atMostAlpha(hyperLogCDF(k, N, M, k+1+i), alpha)
		})
		return n, nil
	default:
		return 0, invalidf("sample size: unknown method %q; use %q, %q or %q", p.Method, Binomial, Poisson, Hypergeometric)
	}
}

// smallestN returns the smallest n > k with ok(n), for ok monotone in n
// (false, then true), searching by doubling then bisection.
func smallestN(k int, ok func(n int) bool) (int, error) {
	if k >= MaxSampleSize {
		return 0, fmt.Errorf("stats: %w: %d expected errors need more than %d cases", ErrInfeasible, k, MaxSampleSize)
	}
	lo := k // ok(k) is false: P(X ≤ k) = 1 with n = k trials.
	hi := max(2*k, k+1)
	for !ok(hi) {
		lo = hi
		if hi >= MaxSampleSize {
			return 0, fmt.Errorf("stats: %w: the plan would need more than %d cases; use a higher tolerable rate or a lower confidence", ErrInfeasible, MaxSampleSize)
		}
		hi = min(2*hi, MaxSampleSize)
	}
	// ok(lo) false, ok(hi) true.
	n := lo + 1 + sort.Search(hi-lo-1, func(i int) bool { return ok(lo + 1 + i) })
	return n, nil
}

// ceilCount returns ⌈t·N⌉, taking a product within 1e-9 relative of a whole
// number as that number so that binary representation error cannot push a
// whole product up by one.
func ceilCount(t float64, N int) int {
	x := t * float64(N)
	if r := math.Round(x); math.Abs(x-r) <= 1e-9*math.Max(1, x) {
		return int(r)
	}
	return int(math.Ceil(x))
}
