package stats

import (
	"fmt"
	"math"
	"sort"

	"gonum.org/v1/gonum/stat/distuv"
)

// SampleSizeMethod names the model behind a sample-size plan.
type SampleSizeMethod string

// The sample-size models.
const (
	// Binomial: sampling with replacement, or a population large enough for
	// it not to matter.
	Binomial SampleSizeMethod = "binomial"
	// Poisson: the Poisson approximation to the binomial, as in many audit
	// sampling tables; never smaller than the binomial plan.
	Poisson SampleSizeMethod = "poisson"
	// Hypergeometric: sampling without replacement from a population of
	// known size; never larger than the binomial plan.
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
// A probability within 1e-12 (relative) of α counts as equal to it, so that
// an exact tie P = α meets the plan despite rounding (see [atMostAlpha]).
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
			return atMostAlpha(math.Log(distuv.Binomial{N: float64(n), P: t}.CDF(float64(k))), alpha)
		})
	case Poisson:
		return smallestN(k, func(n int) bool {
			return atMostAlpha(math.Log(distuv.Poisson{Lambda: float64(n) * t}.CDF(float64(k))), alpha)
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
