package stats

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// Minimality checked with exact rationals: P(X ≤ k) ≤ α at n and > α at n−1.
func TestSampleSizeBinomialExact(t *testing.T) {
	for _, tol := range []struct {
		f float64
		r *big.Rat
	}{{0.025, big.NewRat(25, 1000)}, {0.05, big.NewRat(5, 100)}, {0.1, big.NewRat(1, 10)}, {0.2, big.NewRat(2, 10)}} {
		for _, conf := range []float64{0.9, 0.95, 0.99} {
			for k := 0; k <= 4; k++ {
				n, err := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: tol.f, Confidence: conf, ExpectedErrors: k})
				if err != nil {
					t.Fatal(err)
				}
				// The float tolerable rate differs from the decimal by < 1e-17
				// relative: far too little to move these comparisons.
				a := alphaRat(conf)
				if binomCDFRat(k, n, tol.r).Cmp(a) > 0 {
					t.Errorf("t=%v conf=%v k=%d: n=%d does not reach the confidence", tol.f, conf, k, n)
				}
				if binomCDFRat(k, n-1, tol.r).Cmp(a) <= 0 {
					t.Errorf("t=%v conf=%v k=%d: n=%d is not the smallest", tol.f, conf, k, n)
				}
			}
		}
	}
}

func TestSampleSizeHypergeometricExact(t *testing.T) {
	for _, N := range []int{50, 500, 3000, 20000} {
		for _, tol := range []float64{0.025, 0.05, 0.1} {
			for k := 0; k <= 3; k++ {
				M := int(math.Ceil(tol*float64(N) - 1e-9))
				if M <= k {
					continue
				}
				n, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: tol, Confidence: 0.95, ExpectedErrors: k, Population: N})
				if err != nil {
					t.Fatalf("N=%d t=%v k=%d: %v", N, tol, k, err)
				}
				a := alphaRat(0.95)
				if n > N || hyperCDFRat(k, N, M, n).Cmp(a) > 0 {
					t.Errorf("N=%d t=%v k=%d: n=%d does not reach the confidence", N, tol, k, n)
				}
				if hyperCDFRat(k, N, M, n-1).Cmp(a) <= 0 {
					t.Errorf("N=%d t=%v k=%d: n=%d is not the smallest", N, tol, k, n)
				}
				bin, _ := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: tol, Confidence: 0.95, ExpectedErrors: k})
				if n > bin {
					t.Errorf("N=%d t=%v k=%d: hypergeometric %d exceeds binomial %d", N, tol, k, n, bin)
				}
			}
		}
	}
}

// The reference case pins the rounding convention: with N = 3000 and 2.5%,
// M = 74 would give n = 118 and M = 76 would give 115 (exact rationals), so
// only M = ⌈0.025·3000⌉ = 75 reproduces n = 117.
func TestSampleSizeHypergeometricConvention(t *testing.T) {
	a := alphaRat(0.95)
	smallest := func(M int) int {
		for n := 1; ; n++ {
			if hyperCDFRat(0, 3000, M, n).Cmp(a) <= 0 {
				return n
			}
		}
	}
	if got := []int{smallest(74), smallest(75), smallest(76)}; got[0] != 118 || got[1] != 117 || got[2] != 115 {
		t.Fatalf("exact n for M = 74, 75, 76: %v", got)
	}
	// A rate whose product is not whole rounds up: 2.5% of 3001 is 75.025 → 76.
	n, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: 0.025, Confidence: 0.95, Population: 3001})
	if err != nil {
		t.Fatal(err)
	}
	if hyperCDFRat(0, 3001, 76, n).Cmp(a) > 0 || hyperCDFRat(0, 3001, 76, n-1).Cmp(a) <= 0 {
		t.Errorf("N = 3001: n = %d is not the plan for M = 76", n)
	}
	// Products that are whole numbers in decimal but not in binary.
	for _, c := range []struct {
		t    float64
		N, M int
	}{{0.025, 3000, 75}, {0.07, 100, 7}, {0.1, 30, 3}, {0.3, 10, 3}, {0.025, 3001, 76}, {0.001, 999, 1}} {
		if got := ceilCount(c.t, c.N); got != c.M {
			t.Errorf("⌈%v × %d⌉ = %d, want %d", c.t, c.N, got, c.M)
		}
	}
}

// Poisson: for k = 0 the plan is ⌈−ln α / t⌉ (when that is not a whole
// number); for k = 1 check e^{−λ}(1+λ) either side of n directly.
func TestSampleSizePoisson(t *testing.T) {
	for _, tol := range []float64{0.01, 0.025, 0.05, 0.1} {
		for _, conf := range []float64{0.9, 0.95, 0.99} {
			alpha := 1 - conf
			n, err := SampleSize(SampleSizeParams{Method: Poisson, Tolerable: tol, Confidence: conf})
			if err != nil {
				t.Fatal(err)
			}
			if want := int(math.Ceil(-math.Log(alpha) / tol)); n != want {
				t.Errorf("Poisson t=%v conf=%v k=0: n = %d, want %d", tol, conf, n, want)
			}
			n, err = SampleSize(SampleSizeParams{Method: Poisson, Tolerable: tol, Confidence: conf, ExpectedErrors: 1})
			if err != nil {
				t.Fatal(err)
			}
			p := func(n int) float64 { l := float64(n) * tol; return math.Exp(-l) * (1 + l) }
			if p(n) > alpha || p(n-1) <= alpha {
				t.Errorf("Poisson t=%v conf=%v k=1: n = %d (P = %v, at n−1 %v)", tol, conf, n, p(n), p(n-1))
			}
			bin, _ := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: tol, Confidence: conf, ExpectedErrors: 1})
			if n < bin {
				t.Errorf("Poisson %d below binomial %d", n, bin)
			}
		}
	}
}

func TestSampleSizeErrors(t *testing.T) {
	cases := []struct {
		name string
		p    SampleSizeParams
		want error
	}{
		{"tolerable 0", SampleSizeParams{Method: Binomial, Tolerable: 0, Confidence: 0.95}, ErrInvalid},
		{"tolerable 1", SampleSizeParams{Method: Binomial, Tolerable: 1, Confidence: 0.95}, ErrInvalid},
		{"tolerable 2.5", SampleSizeParams{Method: Poisson, Tolerable: 2.5, Confidence: 0.95}, ErrInvalid},
		{"tolerable NaN", SampleSizeParams{Method: Poisson, Tolerable: math.NaN(), Confidence: 0.95}, ErrInvalid},
		{"confidence 1", SampleSizeParams{Method: Binomial, Tolerable: 0.05, Confidence: 1}, ErrInvalid},
		{"confidence 95", SampleSizeParams{Method: Binomial, Tolerable: 0.05, Confidence: 95}, ErrInvalid},
		{"negative k", SampleSizeParams{Method: Binomial, Tolerable: 0.05, Confidence: 0.95, ExpectedErrors: -1}, ErrInvalid},
		{"unknown method", SampleSizeParams{Method: "normal", Tolerable: 0.05, Confidence: 0.95}, ErrInvalid},
		{"no method", SampleSizeParams{Tolerable: 0.05, Confidence: 0.95}, ErrInvalid},
		{"no population", SampleSizeParams{Method: Hypergeometric, Tolerable: 0.05, Confidence: 0.95}, ErrInvalid},
		{"population too small", SampleSizeParams{Method: Hypergeometric, Tolerable: 0.05, Confidence: 0.95, Population: 10}, nil},
		{"too many errors", SampleSizeParams{Method: Hypergeometric, Tolerable: 0.025, Confidence: 0.95, Population: 3000, ExpectedErrors: 75}, ErrInfeasible},
		{"k = M − 1 works", SampleSizeParams{Method: Hypergeometric, Tolerable: 0.025, Confidence: 0.95, Population: 3000, ExpectedErrors: 74}, nil},
		{"tiny rate", SampleSizeParams{Method: Binomial, Tolerable: 1e-12, Confidence: 0.95}, ErrInfeasible},
	}
	for _, c := range cases {
		n, err := SampleSize(c.p)
		if c.want == nil {
			if err != nil || n < 1 || (c.p.Population > 0 && n > c.p.Population) {
				t.Errorf("%s: n = %d, err = %v", c.name, n, err)
			}
			continue
		}
		if !errors.Is(err, c.want) {
			t.Errorf("%s: n = %d, err = %v, want %v", c.name, n, err, c.want)
		}
	}
	// 5% of 10 is M = 1 > k = 0: a census of all 10 is not needed, but the
	// plan exists and never exceeds N.
	n, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: 0.05, Confidence: 0.95, Population: 10})
	if err != nil || n != 10 {
		// With M = 1 of 10, P(X = 0) = 1 − n/10 ≤ 0.05 needs n ≥ 9.5.
		t.Errorf("N = 10, 5%%: n = %d, %v; want 10", n, err)
	}
}

// Exact ties resolve as the definitions say: P = α meets the plan, and an
// M with P(X ≤ k) = α is rejected by the upper bound.
func TestTies(t *testing.T) {
	// 0.5^n ≤ 0.25 first holds, with equality, at n = 2.
	if n, err := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: 0.5, Confidence: 0.75}); err != nil || n != 2 {
		t.Errorf("binomial tie: n = %d, %v; want 2", n, err)
	}
	// P(X ≤ 1 | 7, ½) = 8/128 = 1/16 = α exactly; at n = 6 it is 7/64.
	if n, err := SampleSize(SampleSizeParams{Method: Binomial, Tolerable: 0.5, Confidence: 0.9375, ExpectedErrors: 1}); err != nil || n != 7 {
		t.Errorf("binomial tie, k = 1: n = %d, %v; want 7", n, err)
	}
	// N = 4 holding M = 2: P(X = 0 | n = 1) = ½ = α.
	if n, err := SampleSize(SampleSizeParams{Method: Hypergeometric, Tolerable: 0.5, Confidence: 0.5, Population: 4}); err != nil || n != 1 {
		t.Errorf("hypergeometric tie: n = %d, %v; want 1", n, err)
	}
	// 0 of 1 from 100 at 50%: M = 50 gives P(X = 0) = ½ = α, rejected; M = 49
	// gives 0.51.
	if _, c, err := HypergeometricUpper(0, 1, 100, 0.5); err != nil || c != 49 {
		t.Errorf("upper-bound tie: count %d, %v; want 49", c, err)
	}
}
