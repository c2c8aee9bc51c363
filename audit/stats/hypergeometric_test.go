package stats

import (
	"errors"
	"math"
	"math/big"
	"testing"
)

// alphaRat is α = 1 − confidence exactly as the float64 the package computes.
func alphaRat(conf float64) *big.Rat { return new(big.Rat).SetFloat64(1 - conf) }

// The defining property, checked with exact rational arithmetic:
// P(X ≤ k | count) > α and, unless count is the largest possible value,
// P(X ≤ k | count+1) ≤ α.
func checkHyperUpper(t *testing.T, k, n, N int, conf float64) int {
	t.Helper()
	share, count, err := HypergeometricUpper(k, n, N, conf)
	if err != nil {
		t.Fatalf("HypergeometricUpper(%d, %d, %d, %v): %v", k, n, N, conf, err)
	}
	if share != float64(count)/float64(N) {
		t.Errorf("share %v is not count/N = %d/%d", share, count, N)
	}
	a := alphaRat(conf)
	if count < k || count > N-(n-k) {
		t.Fatalf("k=%d n=%d N=%d: count %d outside [k, N−(n−k)]", k, n, N, count)
	}
	if hyperCDFRat(k, N, count, n).Cmp(a) <= 0 {
		t.Errorf("k=%d n=%d N=%d conf=%v: count %d is rejected: P(X ≤ k) = %g ≤ α",
			k, n, N, conf, count, ratFloat(hyperCDFRat(k, N, count, n)))
	}
	if count < N-(n-k) && hyperCDFRat(k, N, count+1, n).Cmp(a) > 0 {
		t.Errorf("k=%d n=%d N=%d conf=%v: count %d is not the largest: P(X ≤ k | %d) = %g > α",
			k, n, N, conf, count, count+1, ratFloat(hyperCDFRat(k, N, count+1, n)))
	}
	return count
}

func TestHypergeometricUpperExact(t *testing.T) {
	cases := []struct {
		k, n, N int
		conf    float64
	}{
		{0, 1, 1, 0.95}, {1, 1, 1, 0.95}, {0, 1, 10, 0.95}, {0, 1, 100, 0.5},
		{0, 120, 3000, 0.95}, {3, 90, 3000, 0.95}, {3, 90, 3000, 0.99}, {0, 117, 3000, 0.95},
		{5, 50, 60, 0.9}, {0, 50, 50, 0.95}, {7, 50, 50, 0.95}, {50, 50, 51, 0.95},
		{2, 30, 31, 0.8}, {12, 40, 100, 0.95}, {39, 40, 100, 0.95},
		{0, 120, 1100000, 0.95}, {2, 120, 1100000, 0.95}, {1, 400, 1100000, 1 - 1e-9},
	}
	for _, c := range cases {
		checkHyperUpper(t, c.k, c.n, c.N, c.conf)
	}
}

// Edges: a census knows M exactly; every case with the attribute leaves
// N − (n − k) = N possible; k = 0 of n = 1 from N = 1 is 0.
func TestHypergeometricUpperEdges(t *testing.T) {
	if s, c, err := HypergeometricUpper(7, 200, 200, 0.95); err != nil || c != 7 || s != 7.0/200 {
		t.Errorf("census: %v %v %v, want 7/200", s, c, err)
	}
	if s, c, err := HypergeometricUpper(30, 30, 500, 0.95); err != nil || c != 500 || s != 1 {
		t.Errorf("k = n: %v %v %v, want all 500", s, c, err)
	}
	if _, c, err := HypergeometricUpper(0, 1, 1, 0.95); err != nil || c != 0 {
		t.Errorf("0 of 1 of 1: %v %v, want 0", c, err)
	}
	if _, _, err := HypergeometricUpper(0, 0, 10, 0.95); !errors.Is(err, ErrInvalid) {
		t.Errorf("n = 0: %v", err)
	}
}

// For a large population the bound approaches the binomial one from below:
// with N = 1.1 million it lies within 1/N-scale distance of UpperOneSided.
func TestHypergeometricUpperApproachesBinomial(t *testing.T) {
	for _, c := range [][2]int{{0, 120}, {3, 90}, {10, 1000}} {
		k, n := c[0], c[1]
		N := 1100000
		share, _, err := HypergeometricUpper(k, n, N, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		bin, _ := UpperOneSided(k, n, 0.95)
		// Finite-population correction shrinks the bound by a relative
		// amount of order n/N (about 1e-4 here) and rounding down to a whole
		// count by at most 1/N.
		if share > bin+1.0/float64(N) || share < bin*(1-float64(n)/float64(N))-2.0/float64(N) {
			t.Errorf("k=%d n=%d: hypergeometric %.9f vs binomial %.9f", k, n, share, bin)
		}
	}
}

// Coverage, checked exactly on a small population: for every true M, the
// probability over samples that the bound falls below M is at most α.
func TestHypergeometricUpperCoverage(t *testing.T) {
	const N, n = 40, 12
	for _, conf := range []float64{0.8, 0.95} {
		bounds := make([]int, n+1)
		for k := 0; k <= n; k++ {
			_, bounds[k], _ = HypergeometricUpper(k, n, N, conf)
		}
		a := alphaRat(conf)
		for M := 0; M <= N; M++ {
			miss := new(big.Rat) // P(bound(X) < M)
			for k := 0; k <= n; k++ {
				if bounds[k] < M {
					pk := new(big.Rat).Sub(hyperCDFRat(k, N, M, n), hyperCDFRat(k-1, N, M, n))
					miss.Add(miss, pk)
				}
			}
			if miss.Cmp(a) > 0 {
				t.Errorf("conf %v, M = %d: non-coverage %g > α", conf, M, ratFloat(miss))
			}
		}
	}
}

// The cdf itself against exact rationals, including populations of a million
// and both tails (summing below the mean and by complement above it).
func TestHyperLogCDF(t *testing.T) {
	cases := [][4]int{ // k, N, M, n
		{0, 3000, 75, 117}, {3, 3000, 75, 117}, {2, 210, 3, 90}, {10, 50, 25, 20}, {15, 50, 25, 20},
		{0, 1100000, 27119, 120}, {5, 1100000, 27119, 120}, {100, 1000000, 500000, 200},
		{3, 20, 19, 4}, {0, 10, 0, 5}, {5, 10, 10, 5},
	}
	for _, c := range cases {
		k, N, M, n := c[0], c[1], c[2], c[3]
		want := ratFloat(hyperCDFRat(k, N, M, n))
		got := math.Exp(hyperLogCDF(k, N, M, n))
		if !relClose(got, want, 1e-13) {
			t.Errorf("P(X ≤ %d | N=%d, M=%d, n=%d) = %.17g, exact %.17g", k, N, M, n, got, want)
		}
	}
}

// Fisher's exact test against exact enumeration of tables (R's rule with
// the 1 + 1e-7 tolerance) and the tea-tasting table.
func TestFisherExact(t *testing.T) {
	// Tea tasting: 3 of 4 vs 1 of 4; two-sided p = 34/70 = 0.4857142857 (R:
	// fisher.test(matrix(c(3,1,1,3),2))$p.value).
	p, err := FisherExact(3, 4, 1, 4)
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(p, 34.0/70, 1e-14) {
		t.Errorf("tea tasting p = %.12g, want 0.4857142857", p)
	}
	cases := [][4]int{
		{3, 90, 0, 120}, {0, 10, 0, 10}, {5, 5, 0, 5}, {1, 2, 1, 2}, {12, 40, 3, 44}, {7, 7, 7, 7},
		{0, 1, 1, 1}, {20, 300, 9, 250}, {45, 50, 2, 60}, {3, 1000, 10, 1200},
		{60, 1000, 40, 1000}, {90, 100, 5, 100}, {1, 2, 0, 3}, {2, 4, 2, 4}, {0, 3, 3, 3},
	}
	for _, c := range cases {
		got, err := FisherExact(c[0], c[1], c[2], c[3])
		if err != nil {
			t.Fatal(err)
		}
		want := ratFloat(fisherRat(c[0], c[1], c[2], c[3]))
		if want > 1 {
			want = 1
		}
		if !relClose(got, want, 1e-12) {
			t.Errorf("Fisher %v = %.17g, exact %.17g", c, got, want)
		}
		// Swapping the two samples leaves the two-sided p unchanged.
		sw, _ := FisherExact(c[2], c[3], c[0], c[1])
		if !relClose(sw, got, 1e-12) {
			t.Errorf("Fisher %v swapped = %v, want %v", c, sw, got)
		}
	}
}

// Two samples of a million: the tail search and truncated sums against a
// plain enumeration of the whole support with log-gamma densities (good to
// about 1e-8 at this size, hence the looser tolerance).
func TestFisherLarge(t *testing.T) {
	for _, c := range [][4]int{{300, 1000000, 250, 1000000}, {10, 1000000, 0, 900000}, {0, 1000000, 1, 3}} {
		got, err := FisherExact(c[0], c[1], c[2], c[3])
		if err != nil {
			t.Fatal(err)
		}
		k1, n1, k2, n2 := c[0], c[1], c[2], c[3]
		M, N := k1+k2, n1+n2
		lchoose := func(a, b int) float64 {
			x, _ := math.Lgamma(float64(a + 1))
			y, _ := math.Lgamma(float64(b + 1))
			z, _ := math.Lgamma(float64(a - b + 1))
			return x - y - z
		}
		ld := func(x int) float64 { return lchoose(M, x) + lchoose(N-M, n1-x) - lchoose(N, n1) }
		obs := math.Exp(ld(k1))
		var tail, total float64
		for x := max(0, n1-(N-M)); x <= min(n1, M); x++ {
			d := math.Exp(ld(x))
			total += d
			if d <= obs*(1+1e-7) {
				tail += d
			}
		}
		if !relClose(got, math.Min(1, tail/total), 1e-6) {
			t.Errorf("Fisher %v = %.12g, enumeration %.12g", c, got, tail/total)
		}
	}
}

// The finite-population bound can sit above the binomial one by less than a
// case: 2 of 3 from N = 30 at 50%. P(X ≤ 2 | M) = 1 − C(M,3)/C(30,3):
// M = 24 gives 1 − 2024/4060 > ½ and M = 25 gives 1 − 2300/4060 < ½, so the
// count is 24 (share 0.8); the binomial bound solves 1 − p³ = ½.
func TestHypergeometricUpperAboveBinomial(t *testing.T) {
	share, count, err := HypergeometricUpper(2, 3, 30, 0.5)
	if err != nil || count != 24 || share != 0.8 {
		t.Fatalf("HypergeometricUpper(2, 3, 30, 50%%) = %v, %d, %v; want 0.8, 24", share, count, err)
	}
	up, err := UpperOneSided(2, 3, 0.5)
	if err != nil || !relClose(up, math.Cbrt(0.5), 1e-14) {
		t.Fatalf("UpperOneSided(2, 3, 50%%) = %v, %v; want ∛½", up, err)
	}
	if !(share > up && share <= up+1.0/30) {
		t.Errorf("share %v against binomial %v: want above it by less than 1/N", share, up)
	}
}

// Over a grid, at confidences of 50% or more, the finite-population bound is
// never more than one case (1/N) above the binomial one-sided bound.
func TestHypergeometricUpperWithinOneCase(t *testing.T) {
	for _, N := range []int{10, 30, 100, 1000, 10000, 100000} {
		for n := 1; n <= N && n <= 300; n += 1 + n/10 {
			for k := 0; k <= n; k += 1 + k/4 {
				for _, conf := range []float64{0.5, 0.6, 0.8, 0.9, 0.95, 0.99} {
					share, _, err1 := HypergeometricUpper(k, n, N, conf)
					up, err2 := UpperOneSided(k, n, conf)
					if err1 != nil || err2 != nil || share > up+1/float64(N) {
						t.Errorf("N=%d n=%d k=%d conf=%v: hypergeometric %v, binomial %v (%v, %v)", N, n, k, conf, share, up, err1, err2)
					}
				}
			}
		}
	}
}
