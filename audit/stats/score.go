package stats

import (
	"math"

	"gonum.org/v1/gonum/mathext"
)

// MethodMiettinenNurminen names the score interval of [ScoreDiff].
const MethodMiettinenNurminen = "miettinen-nurminen"

// TestScoreDiff names the test of [ScoreDiff]: at a difference of zero the
// Miettinen–Nurminen score statistic is Pearson's chi-squared multiplied by
// (N − 1)/N, the "N − 1" chi-squared test.
const TestScoreDiff = "score-n-1-chi-squared"

// DiffResult is a difference of two shares with a test and an interval of
// one family: the interval holds every difference the test, run at that
// difference, would not reject, so the interval leaves out 0 exactly when
// P < 1 − Confidence.
type DiffResult struct {
	Diff     float64  // p1 − p2
	Interval Interval // MethodMiettinenNurminen
	Test     string   // TestScoreDiff
	Stat     float64  // the score statistic at a difference of 0 (χ² on 1 degree of freedom)
	P        float64  // two-sided p-value of that statistic
}

// Significant reports whether the difference is significant at the
// interval's level; by construction it is the same as the interval leaving
// out 0.
func (r DiffResult) Significant() bool {
	return r.P < 1-r.Interval.Confidence
}

// ScoreDiff compares k1 of n1 with k2 of n2 by the Miettinen–Nurminen (1985)
// score method: the statistic for a hypothesised difference Δ is
//
//	T(Δ) = (p1 − p2 − Δ)² / V(Δ),  V(Δ) = (q1(1−q1)/n1 + q2(1−q2)/n2) · N/(N−1)
//
// where (q1, q2), q1 − q2 = Δ, is the maximum-likelihood pair under Δ and
// N = n1 + n2. The interval is {Δ : T(Δ) ≤ χ²₁(confidence)} and the test is
// T(0) against χ²₁, so the two cannot disagree. The pair is the one
// Fagerland, Lydersen and Laake (2015, 2017) recommend for a difference of
// two proportions; Fisher's exact test is not used here because no interval
// for a difference in points inverts it, and a conditional test beside an
// unconditional interval is what let a report call a change both excluded
// from zero and not significant.
func ScoreDiff(k1, n1, k2, n2 int, confidence float64) (DiffResult, error) {
	alpha, err := checkConfidence(confidence)
	if err != nil {
		return DiffResult{}, err
	}
	if err := checkCount("score interval, first sample", k1, n1); err != nil {
		return DiffResult{}, err
	}
	if err := checkCount("score interval, second sample", k2, n2); err != nil {
		return DiffResult{}, err
	}
	s := scoreStat{x1: float64(k1), n1: float64(n1), x2: float64(k2), n2: float64(n2)}
	s.p1, s.p2 = s.x1/s.n1, s.x2/s.n2
	d := s.p1 - s.p2
	z := -mathext.NormalQuantile(alpha / 2)
	crit := z * z
	res := DiffResult{Diff: d, Test: TestScoreDiff}
	res.Stat = s.at(0)
	res.P = chiSq1Upper(res.Stat)
	// T rises as Δ leaves the estimate in either direction, so each bound is
	// the one crossing of crit between the estimate and ±1; bisection keeps
	// lo outside (T > crit) and hi inside, and the bound returned is the
	// inside end, which for a non-significant table is at or beyond 0.
	bound := func(edge float64) float64 {
		if !(s.at(edge) > crit) {
			return edge
		}
		in, out := d, edge
		for i := 0; i < 200 && in != out; i++ {
			mid := in + (out-in)/2
			if mid == in || mid == out {
				break
			}
			if s.at(mid) > crit {
				out = mid
			} else {
				in = mid
			}
		}
		return in
	}
	res.Interval = Interval{Method: MethodMiettinenNurminen, Confidence: confidence, Estimate: d,
		Lower: bound(-1), Upper: bound(1)}
	// The test and the interval use the same T; where rounding in the
	// bisection could put a bound a hair across 0 at T(0) = crit, the test
	// decides and the bound is set to 0.
	if res.Significant() {
		if d > 0 && res.Interval.Lower <= 0 {
			res.Interval.Lower = math.SmallestNonzeroFloat64
		}
		if d < 0 && res.Interval.Upper >= 0 {
			res.Interval.Upper = -math.SmallestNonzeroFloat64
		}
	} else {
		res.Interval.Lower = math.Min(res.Interval.Lower, 0)
		res.Interval.Upper = math.Max(res.Interval.Upper, 0)
	}
	return res, nil
}

type scoreStat struct {
	x1, n1, x2, n2 float64
	p1, p2         float64
}

// at returns T(Δ); +Inf where the variance under Δ is 0 but the estimate
// differs from Δ, 0 where both vanish.
func (s scoreStat) at(delta float64) float64 {
	q1, q2 := s.mle(delta)
	n := s.n1 + s.n2
	v := (q1*(1-q1)/s.n1 + q2*(1-q2)/s.n2) * n / (n - 1)
	num := s.p1 - s.p2 - delta
	num *= num
	if num == 0 {
		return 0
	}
	if !(v > 0) {
		return math.Inf(1)
	}
	return num / v
}

// mle returns the maximum-likelihood (q1, q2) with q1 − q2 = delta, the
// root in range of the likelihood equation's cubic, by the closed form of
// Miettinen and Nurminen (1985) and Farrington and Manning (1990).
func (s scoreStat) mle(delta float64) (q1, q2 float64) {
	if delta == 0 {
		q := (s.x1 + s.x2) / (s.n1 + s.n2)
		return q, q
	}
	theta := s.n2 / s.n1
	a := 1 + theta
	b := -(1 + theta + s.p1 + theta*s.p2 + delta*(theta+2))
	c := delta*delta + delta*(2*s.p1+theta+1) + s.p1 + theta*s.p2
	d := -s.p1 * delta * (1 + delta)
	v := b*b*b/(27*a*a*a) - b*c/(6*a*a) + d/(2*a)
	u := math.Sqrt(math.Max(0, b*b/(9*a*a)-c/(3*a)))
	if v < 0 {
		u = -u
	}
	w := math.Pi / 3
	if u != 0 {
		w = (math.Pi + math.Acos(math.Max(-1, math.Min(1, v/(u*u*u))))) / 3
	}
	q1 = 2*u*math.Cos(w) - b/(3*a)
	lo, hi := math.Max(0, delta), math.Min(1, 1+delta)
	q1 = math.Max(lo, math.Min(hi, q1))
	return q1, q1 - delta
}
