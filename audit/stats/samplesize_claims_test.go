package stats

import (
	"math"
	"math/big"
	"testing"
)

// The doc of SampleSize promises that a probability within 1e-12 (relative)
// of α counts as equal to it. That needs tails accurate to better than
// 1e-12; gonum's binomial cdf (regularised incomplete beta), which plans used
// before, is off by up to a few 1e-10 and got every case below marked
// "gonum" wrong, planning one case too many. The confidence here is
// 1 − P(X ≤ k | n) rounded to float64, with P from 256-bit summation, so α
// is within 1.2e-16 (absolute) of P and the plan must be exactly n.
func TestBinomialPlanNearTies(t *testing.T) {
	cases := []struct {
		tol  float64
		n, k int
	}{
		{0.001, 3000, 0}, {0.001, 3000, 1}, {0.001, 3000, 2}, // gonum
		{0.001, 10000, 2}, {0.001, 10000, 6}, {0.001, 10000, 7}, // gonum
		{0.001, 30000, 13}, {0.001, 30000, 22}, {0.001, 30000, 29}, // gonum
		{0.01, 3000, 12}, {0.01, 3000, 15}, {0.01, 3000, 18}, // gonum
		{0.025, 119, 0}, {0.05, 93, 1}, {0.025, 1000, 10}, {0.1, 300, 20}, {0.5, 100, 40},
		{0.001, 100000, 90}, {0.0001, 1000000, 90},
	}
	for _, c := range cases {
		P := bigFloat64(binomCDFBig(c.k, c.n, c.tol))
		conf := 1 - P
		alpha := 1 - conf
		if math.Abs(alpha-P) > 1.2e-16 || P > 0.5 || P < 1e-4 {
			t.Fatalf("t=%v n=%d k=%d: P = %v is not a usable near-tie", c.tol, c.n, c.k, P)
		}
		// n − 1 must be clearly short of the confidence.
		if prev := bigFloat64(binomCDFBig(c.k, c.n-1, c.tol)); prev <= alpha*(1+1e-10) {
			t.Fatalf("t=%v n=%d k=%d: P(n−1) = %v is too close to α = %v", c.tol, c.n, c.k, prev, alpha)
		}
		got, err := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: c.tol, Confidence: conf, ExpectedErrors: c.k})
		if err != nil || got != c.n {
			t.Errorf("binomial t=%v conf=%.17g k=%d: n = %d, %v; want %d (P(X ≤ k) = α up to 1.2e-16)", c.tol, conf, c.k, got, err, c.n)
		}
	}
}

// Exact ties: with t = ½ (and ¼, ¾) P(X ≤ k | n) is a dyadic rational whose
// complement is a float64 for the n here, so the confidence 1 − P is exact
// and P = α exactly at n. The plan must be n, for every k < n.
func TestBinomialPlanExactTies(t *testing.T) {
	for _, c := range []struct {
		tol  float64
		maxN int
	}{{0.5, 53}, {0.25, 26}, {0.75, 26}} {
		tr := new(big.Rat).SetFloat64(c.tol)
		for n := 1; n <= c.maxN; n++ {
			for k := 0; k < n; k++ {
				P := binomCDFRat(k, n, tr)
				cr := new(big.Rat).Sub(big.NewRat(1, 1), P)
				conf, exact := cr.Float64()
				if !exact || conf < 0.5 || conf >= 1 {
					continue
				}
				got, err := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: c.tol, Confidence: conf, ExpectedErrors: k})
				if err != nil || got != n {
					t.Errorf("binomial tie t=%v conf=%v k=%d: n = %d, %v; want %d", c.tol, conf, k, got, err, n)
				}
			}
		}
	}
}

// The same for the Poisson plan, with λ = n·t as the package forms it and
// the tail from 256-bit summation.
func TestPoissonPlanNearTies(t *testing.T) {
	cases := []struct {
		tol  float64
		n, k int
	}{
		{0.025, 120, 0}, {0.001, 3000, 0}, {0.001, 3000, 1}, {0.001, 10000, 6}, {0.01, 3000, 15},
		{0.05, 100, 2}, {0.1, 300, 20}, {0.5, 100, 40}, {0.001, 1000000, 950}, {0.05, 100000, 4900},
	}
	for _, c := range cases {
		P := bigFloat64(poisCDFBig(c.k, float64(c.n)*c.tol))
		conf := 1 - P
		alpha := 1 - conf
		if math.Abs(alpha-P) > 1.2e-16 || P > 0.5 || P < 1e-4 {
			t.Fatalf("t=%v n=%d k=%d: P = %v is not a usable near-tie", c.tol, c.n, c.k, P)
		}
		if prev := bigFloat64(poisCDFBig(c.k, float64(c.n-1)*c.tol)); prev <= alpha*(1+1e-10) {
			t.Fatalf("t=%v n=%d k=%d: P(n−1) = %v is too close to α = %v", c.tol, c.n, c.k, prev, alpha)
		}
		got, err := SampleSize(SampleSizeParams{Method: Poisson, Tolerable: c.tol, Confidence: conf, ExpectedErrors: c.k})
		if err != nil || got != c.n {
			t.Errorf("Poisson t=%v conf=%.17g k=%d: n = %d, %v; want %d", c.tol, conf, c.k, got, err, c.n)
		}
	}
}

// The package's exact tails against 256-bit summation: about 1e-14
// relative, far inside the 1e-12 the tie rule allows, for every probability
// above 1e-30 (α = 1 − confidence is at least 1.1e-16). Far smaller
// probabilities, held as logarithms of several hundred, keep about 1e-16 of
// their logarithm: 3e-13 relative at 1e-298.
func TestPlanTailsAgainstBig(t *testing.T) {
	worstB, worstP := 0.0, 0.0
	for _, n := range []int{1, 2, 10, 119, 1000, 3000, 100000, 1000000} {
		for _, p := range []float64{0.001, 0.025, 0.1, 0.5, 0.9} {
			for _, k := range []int{0, 1, 2, 5, 20, 60} {
				if k > n {
					continue
				}
				want := binomCDFBig(k, n, p)
				w := bigFloat64(want)
				if w > 1e-30 {
					got := math.Exp(logBinomLE(k, n, p))
					worstB = max(worstB, math.Abs(got-w)/w)
				}
				lambda := float64(n) * p
				if lambda > 5e4 {
					continue // the 256-bit Poisson sum of e^{−λ}… loses nothing, but is slow
				}
				w = bigFloat64(poisCDFBig(k, lambda))
				if w > 1e-30 {
					got := math.Exp(logPoisLE(k, lambda))
					worstP = max(worstP, math.Abs(got-w)/w)
				}
			}
		}
	}
	if worstB > 1e-13 || worstP > 1e-13 {
		t.Errorf("worst relative error: binomial %g, Poisson %g; want ≤ 1e-13", worstB, worstP)
	}
}

// Poisson against binomial. For k = 0 the Poisson plan is never smaller,
// as (1−t)^n ≤ e^{−nt}. For k ≥ 1 it is not smaller at any confidence above
// one half on this grid (tolerable rates 1%…99%, k ≤ 30), as Anderson and
// Samuels (1967) with Choi's (1994) bound on the Poisson median prove for
// t ≤ ⅔; at low confidence it can be smaller, as the binomial tail is then
// the heavier: t = 1%, confidence 1%, k = 1 gives 15 against 16.
func TestPoissonAgainstBinomial(t *testing.T) {
	for ti := 1; ti < 100; ti += 2 {
		tol := float64(ti) / 100
		for _, conf := range []float64{0.5, 0.51, 0.6, 0.75, 0.8, 0.9, 0.95, 0.99, 0.999} {
			for k := 0; k <= 30; k += 1 + k/5 {
				b, err1 := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: tol, Confidence: conf, ExpectedErrors: k})
				p, err2 := SampleSize(SampleSizeParams{Method: Poisson, Tolerable: tol, Confidence: conf, ExpectedErrors: k})
				if err1 != nil || err2 != nil || p < b {
					t.Errorf("t=%v conf=%v k=%d: Poisson %d < binomial %d (%v, %v)", tol, conf, k, p, b, err1, err2)
				}
			}
		}
	}
	b, _ := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: 0.01, Confidence: 0.01, ExpectedErrors: 1})
	p, _ := SampleSize(SampleSizeParams{Method: Poisson, Tolerable: 0.01, Confidence: 0.01, ExpectedErrors: 1})
	if b != 16 || p != 15 {
		t.Errorf("t=1%% conf=1%% k=1: binomial %d, Poisson %d; want 16 and 15", b, p)
	}
	// Independently: binomial 15 is short of α = 0.99 and 16 meets it
	// (exact rationals); Poisson 15 meets it (256-bit).
	a := alphaRat(0.01)
	tr := big.NewRat(1, 100)
	if binomCDFRat(1, 15, tr).Cmp(a) <= 0 || binomCDFRat(1, 16, tr).Cmp(a) > 0 {
		t.Error("binomial plan for t=1%, conf=1%, k=1 is not 16")
	}
	if af, _ := a.Float64(); bigFloat64(poisCDFBig(1, 15*0.01)) > af || bigFloat64(poisCDFBig(1, 14*0.01)) <= af {
		t.Error("Poisson plan for t=1%, conf=1%, k=1 is not 15")
	}
}

// Hypergeometric against binomial. For k = 0 the hypergeometric plan is
// never larger: P(X = 0) = Π (1 − M/(N−i)) ≤ (1 − M/N)^n ≤ (1 − t)^n. For
// k ≥ 1 it can be larger when the tolerable rate is above one half: N = 10,
// t = 70%, confidence 51%, k = 3 needs 6 cases without replacement and 5
// with (both checked with exact rationals).
func TestHypergeometricAgainstBinomial(t *testing.T) {
	for _, N := range []int{5, 10, 30, 100, 1000} {
		for ti := 1; ti < 100; ti += 3 {
			tol := float64(ti) / 100
			for _, conf := range []float64{0.5, 0.8, 0.95, 0.99} {
				h, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: tol, Confidence: conf, Population: N})
				if err != nil {
					continue
				}
				b, _ := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: tol, Confidence: conf})
				if h > b {
					t.Errorf("k=0 N=%d t=%v conf=%v: hypergeometric %d > binomial %d", N, tol, conf, h, b)
				}
			}
		}
	}
	h, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: 0.7, Confidence: 0.51, ExpectedErrors: 3, Population: 10})
	b, _ := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: 0.7, Confidence: 0.51, ExpectedErrors: 3})
	if err != nil || h != 6 || b != 5 {
		t.Errorf("N=10 t=70%% conf=51%% k=3: hypergeometric %d (%v), binomial %d; want 6 and 5", h, err, b)
	}
	a := alphaRat(0.51)
	if hyperCDFRat(3, 10, 7, 5).Cmp(a) <= 0 || hyperCDFRat(3, 10, 7, 6).Cmp(a) > 0 {
		t.Error("exact hypergeometric plan for N=10, M=7, k=3 at 51% is not 6")
	}
	if tr := big.NewRat(7, 10); binomCDFRat(3, 4, tr).Cmp(a) <= 0 || binomCDFRat(3, 5, tr).Cmp(a) > 0 {
		t.Error("exact binomial plan for t=70%, k=3 at 51% is not 5")
	}
}
