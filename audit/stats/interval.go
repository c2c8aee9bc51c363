package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// Method names carried in [Interval.Method].
const (
	MethodClopperPearson = "clopper-pearson"       // exact binomial, two-sided
	MethodWilson         = "wilson"                // score interval, no continuity correction
	MethodNewcombe       = "newcombe-hybrid-score" // Newcombe (1998) method 10, for p1 − p2
)

// Interval is a two-sided confidence interval.
type Interval struct {
	Method     string  // one of the Method constants
	Confidence float64 // e.g. 0.95
	Estimate   float64 // the point estimate: k/n, or p1 − p2 for a difference
	Lower      float64 // lower bound
	Upper      float64 // upper bound
}

// ClopperPearson returns the exact (Clopper–Pearson) two-sided interval for a
// binomial proportion with k successes in n trials, as R's binom.test gives:
// Lower solves P(X ≥ k | n, p) = α/2 (0 when k = 0) and Upper solves
// P(X ≤ k | n, p) = α/2 (1 when k = n), where α = 1 − confidence. In beta
// quantiles, Lower = B(α/2; k, n−k+1) and Upper = B(1−α/2; k+1, n−k).
func ClopperPearson(k, n int, confidence float64) (Interval, error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return Interval{}, err
	}
	if err := checkCount("Clopper–Pearson interval", k, n); err != nil {
		return Interval{}, err
	}
	iv := Interval{Method: MethodClopperPearson, Confidence: confidence, Estimate: float64(k) / float64(n)}
	iv.Lower = cpLower(k, n, alpha/2)
	iv.Upper = cpUpper(k, n, alpha/2)
	return iv, nil
}

// UpperOneSided returns the exact one-sided upper confidence bound for a
// binomial proportion (Clopper–Pearson one-sided, R's binom.test with
// alternative = "less"): the p with P(X ≤ k | n, p) = 1 − confidence, or 1
// when k = n. For k = 0 it is 1 − (1 − confidence)^(1/n).
func UpperOneSided(k, n int, confidence float64) (float64, error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return 0, err
	}
	if err := checkCount("one-sided upper bound", k, n); err != nil {
		return 0, err
	}
	return cpUpper(k, n, alpha), nil
}

// cpUpper solves P(X ≤ k | n, p) = tail for p: 1 for k = n, the closed
// form 1 − tail^(1/n) for k = 0, else by [cpSolveUpper].
func cpUpper(k, n int, tail float64) float64 {
	switch k {
	case n:
		return 1
	case 0:
		return clamp01(-math.Expm1(math.Log(tail) / float64(n)))
	}
	return clamp01(cpSolveUpper(k, n, tail))
}

// cpLower solves P(X ≥ k | n, p) = tail for p: 0 for k = 0, the closed form
// tail^(1/n) for k = n, else by [cpSolveLower].
func cpLower(k, n int, tail float64) float64 {
	switch k {
	case 0:
		return 0
	case n:
		return clamp01(math.Exp(math.Log(tail) / float64(n)))
	}
	return clamp01(cpSolveLower(k, n, tail))
}

// Wilson returns the Wilson score interval without continuity correction (R's
// prop.test(k, n, correct = FALSE)): the two roots in p of
// (k/n − p)² = z² p(1−p)/n, with z the 1 − α/2 normal quantile. The bounds are
// clamped to [0, 1]; for k = 0 the lower bound is exactly 0 and for k = n the
// upper bound is exactly 1.
func Wilson(k, n int, confidence float64) (Interval, error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return Interval{}, err
	}
	if err := checkCount("Wilson interval", k, n); err != nil {
		return Interval{}, err
	}
	lo, hi := wilson(k, n, alpha)
	return Interval{Method: MethodWilson, Confidence: confidence, Estimate: float64(k) / float64(n), Lower: lo, Upper: hi}, nil
}

// wilson computes the Wilson bounds without cancellation: the larger root of
// (n+z²)p² − (2k+z²)p + k²/n = 0 by the usual formula with a plus sign (all
// its terms are positive), the smaller from the product of the roots,
// k²/(n(n+z²)). For k = 0 the lower bound is exactly 0 and for k = n the upper
// bound is exactly 1.
func wilson(k, n int, alpha float64) (lo, hi float64) {
	// z = Φ⁻¹(1 − α/2), taken from the small tail to keep accuracy for tiny α.
	z := -mathext.NormalQuantile(alpha / 2)
	kf, nf, z2 := float64(k), float64(n), z*z
	upper := (2*kf + z2 + z*math.Sqrt(z2+4*kf*(nf-kf)/nf)) / (2 * (nf + z2))
	est := kf / nf
	lo, hi = 0, 1
	if k > 0 {
		// min: at a confidence near 0 both roots meet k/n, and rounding
		// must not put the lower one above it.
		lo = math.Min(est, kf*kf/(nf*(nf+z2)*upper))
	}
	if k < n {
		hi = math.Max(est, math.Min(1, upper))
	}
	return lo, hi
}

// NewcombeDiff returns the difference p1 − p2 = k1/n1 − k2/n2 and Newcombe's
// hybrid score interval for it (Newcombe 1998, method 10, no continuity
// correction), built from the Wilson intervals (l1, u1) and (l2, u2):
//
//	Lower = d − √((p1 − l1)² + (u2 − p2)²)
//	Upper = d + √((u1 − p1)² + (p2 − l2)²)
//
// The bounds lie in [−1, 1].
func NewcombeDiff(k1, n1, k2, n2 int, confidence float64) (diff float64, iv Interval, err error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return 0, Interval{}, err
	}
	if err := checkCount("Newcombe interval, first sample", k1, n1); err != nil {
		return 0, Interval{}, err
	}
	if err := checkCount("Newcombe interval, second sample", k2, n2); err != nil {
		return 0, Interval{}, err
	}
	p1, p2 := float64(k1)/float64(n1), float64(k2)/float64(n2)
	l1, u1 := wilson(k1, n1, alpha)
	l2, u2 := wilson(k2, n2, alpha)
	diff = p1 - p2
	iv = Interval{
		Method:     MethodNewcombe,
		Confidence: confidence,
		Estimate:   diff,
		Lower:      math.Max(-1, diff-math.Hypot(p1-l1, u2-p2)),
		Upper:      math.Min(1, diff+math.Hypot(u1-p1, p2-l2)),
	}
	return diff, iv, nil
}

func clamp01(x float64) float64 {
	return math.Min(1, math.Max(0, x))
}
