package stats

import (
	"errors"
	"math"
	"testing"
)

// FuzzNoNaN drives every function with arbitrary counts and confidences:
// each either returns an error wrapping ErrInvalid or ErrInfeasible, or
// finite figures in range. It never panics.
func FuzzNoNaN(f *testing.F) {
	f.Add(3, 90, 0, 120, 3000, 0.95)
	f.Add(0, 1, 1, 1, 1, 0.5)
	f.Add(-1, 0, 5, 4, 0, 1.0)
	f.Add(7, 7, 0, 3, 7, 1e-300)
	f.Add(0, 100000, 2, 1000000, 1100000, 0.999999)
	f.Fuzz(func(t *testing.T, k1, n1, k2, n2, N int, conf float64) {
		// Keep sizes where a single call is fast; out-of-range values still
		// reach the validation.
		if n1 > 2000000 || n2 > 2000000 || N > 2000000 || k1 > 2000000 || k2 > 2000000 {
			t.Skip()
		}
		ok := func(err error) bool {
			if err == nil {
				return true
			}
			if !errors.Is(err, ErrInvalid) && !errors.Is(err, ErrInfeasible) {
				t.Fatalf("error without a sentinel: %v", err)
			}
			return false
		}
		in01 := func(what string, xs ...float64) {
			for _, x := range xs {
				if math.IsNaN(x) || x < 0 || x > 1 {
					t.Fatalf("%s(k1=%d n1=%d k2=%d n2=%d N=%d conf=%v) gave %v", what, k1, n1, k2, n2, N, conf, x)
				}
			}
		}
		if iv, err := ClopperPearson(k1, n1, conf); ok(err) {
			in01("ClopperPearson", iv.Lower, iv.Upper)
			if iv.Lower > iv.Upper {
				t.Fatalf("CP(%d,%d,%v) = %+v", k1, n1, conf, iv)
			}
		}
		if iv, err := Wilson(k1, n1, conf); ok(err) {
			in01("Wilson", iv.Lower, iv.Upper)
		}
		if up, err := UpperOneSided(k1, n1, conf); ok(err) {
			in01("UpperOneSided", up)
		}
		if p, err := FisherExact(k1, n1, k2, n2); ok(err) {
			in01("FisherExact", p)
		}
		if d, iv, err := NewcombeDiff(k1, n1, k2, n2, conf); ok(err) {
			if math.IsNaN(d) || iv.Lower < -1 || iv.Upper > 1 || iv.Lower > d || d > iv.Upper {
				t.Fatalf("Newcombe(%d,%d,%d,%d,%v) = %v %+v", k1, n1, k2, n2, conf, d, iv)
			}
		}
		if s, c, err := HypergeometricUpper(k1, n1, N, conf); ok(err) {
			in01("HypergeometricUpper", s)
			if c < k1 || c > N {
				t.Fatalf("HypergeometricUpper(%d,%d,%d,%v) count %d", k1, n1, N, conf, c)
			}
		}
		tol := float64(k2%1000) / 1000
		for _, m := range []SampleSizeMethod{Binomial, Poisson, Hypergeometric} {
			if n, err := SampleSize(SampleSizeParams{Method: m, Tolerable: tol, Confidence: conf, ExpectedErrors: k1 % 50, Population: N}); ok(err) {
				if n < 1 || (m == Hypergeometric && n > N) {
					t.Fatalf("SampleSize %s t=%v conf=%v k=%d N=%d: %d", m, tol, conf, k1%50, N, n)
				}
			}
		}
		x, n := []int{k1, k2, k1 % 7}, []int{n1, n2, N}
		scores := []float64{conf, 1, 2 * conf}
		if tr, err := TrendTest(x, n, scores); ok(err) {
			in01("TrendTest p", tr.P)
			if math.IsNaN(tr.Statistic) || math.IsInf(tr.Statistic, 0) || tr.Statistic < 0 {
				t.Fatalf("TrendTest(%v, %v, %v) = %+v", x, n, scores, tr)
			}
		}
		if g, err := GroupTest(x, n, nil); ok(err) {
			in01("GroupTest p", g.P)
		}
		if e, err := Expected(x, n); ok(err) {
			in01("Expected pooled", e.Pooled)
		}
		if n1 > 0 && n1 < 5000 {
			pairs := make([][2]int, n1)
			for i := range pairs {
				pairs[i] = [2]int{(i * (k1 + 1)) % 4, (i*(k2+1) + N) % 4}
				if pairs[i][1] < 0 {
					pairs[i][1] += 4
				}
				if pairs[i][0] < 0 {
					pairs[i][0] += 4
				}
			}
			if r, err := Agreement(pairs, 4); ok(err) {
				for _, v := range []float64{r.Exact, r.Expected, r.Kappa, r.WeightedLinear, r.WeightedQuadratic} {
					if math.IsNaN(v) || math.IsInf(v, 0) || v < -1 || v > 1 {
						t.Fatalf("Agreement gave %+v", r)
					}
				}
			}
		}
	})
}

// FuzzValid maps arbitrary inputs into the valid domain and checks the
// figures' relations: bounds ordered and containing the estimate (for
// confidence ≥ ½), the one-sided bound inside the two-sided, the
// finite-population bound within what the sample allows and, for confidence
// ≥ ½, no larger than the binomial one (up to rounding to a whole count).
func FuzzValid(f *testing.F) {
	f.Add(uint16(3), uint16(90), uint16(0), uint16(120), uint32(2910), 0.95)
	f.Add(uint16(0), uint16(1), uint16(1), uint16(1), uint32(0), 0.5)
	f.Add(uint16(500), uint16(1000), uint16(7), uint16(9), uint32(1099000), 0.999999)
	f.Fuzz(func(t *testing.T, k1, n1, k2, n2 uint16, extra uint32, conf float64) {
		conf = math.Mod(math.Abs(conf), 1)
		if conf <= 0 || math.IsNaN(conf) {
			t.Skip()
		}
		n1i, n2i := int(n1)+1, int(n2)+1
		k1i, k2i := int(k1)%(n1i+1), int(k2)%(n2i+1)
		N := n1i + int(extra%2000000)
		cp, err := ClopperPearson(k1i, n1i, conf)
		if err != nil {
			t.Fatal(err)
		}
		est := float64(k1i) / float64(n1i)
		if cp.Lower < 0 || cp.Upper > 1 || cp.Lower > cp.Upper || (conf >= 0.5 && (cp.Lower > est || est > cp.Upper)) {
			t.Fatalf("CP(%d,%d,%v) = %+v", k1i, n1i, conf, cp)
		}
		w, err := Wilson(k1i, n1i, conf)
		if err != nil || w.Lower > est || est > w.Upper || w.Lower < 0 || w.Upper > 1 {
			t.Fatalf("Wilson(%d,%d,%v) = %+v %v", k1i, n1i, conf, w, err)
		}
		up, err := UpperOneSided(k1i, n1i, conf)
		// Near 1 a float64 resolves only 1.1e-16, so the order of two bounds
		// a few ulps apart is not meaningful.
		if err != nil || up > cp.Upper+1e-15 || up < 0 {
			t.Fatalf("UpperOneSided(%d,%d,%v) = %v (two-sided %v) %v", k1i, n1i, conf, up, cp.Upper, err)
		}
		share, count, err := HypergeometricUpper(k1i, n1i, N, conf)
		// Sampling without replacement is less variable, so for α ≤ ½ its
		// bound is tighter than the binomial; for α > ½ (bounds below the
		// estimate) it is the other way round.
		if err != nil || count < k1i || count > N-(n1i-k1i) || (conf >= 0.5 && share > up+1e-12+1/float64(N)) {
			t.Fatalf("HypergeometricUpper(%d,%d,%d,%v) = %v, %d (binomial %v) %v", k1i, n1i, N, conf, share, count, up, err)
		}
		p, err := FisherExact(k1i, n1i, k2i, n2i)
		// p can underflow to 0 (below about 1e-300) for extreme tables.
		if err != nil || !(p >= 0 && p <= 1) {
			t.Fatalf("Fisher(%d,%d,%d,%d) = %v %v", k1i, n1i, k2i, n2i, p, err)
		}
		d, iv, err := NewcombeDiff(k1i, n1i, k2i, n2i, conf)
		if err != nil || iv.Lower > d || d > iv.Upper || iv.Lower < -1 || iv.Upper > 1 {
			t.Fatalf("Newcombe(%d,%d,%d,%d,%v) = %v %+v %v", k1i, n1i, k2i, n2i, conf, d, iv, err)
		}
	})
}

// FuzzGroups builds up to 12 groups from the bytes (sizes up to 65,535, or
// up to about two billion when large is set; now and then a count above its
// group's size) with scores i + step·byte (step may be NaN or infinite):
// TrendTest, GroupTest and Expected either fail with ErrInvalid or give
// finite figures in range, never panic, and agree with each other.
func FuzzGroups(f *testing.F) {
	f.Add([]byte{40, 0, 13, 1, 45, 0, 28, 2, 35, 0, 66, 3}, false, 1.0)
	f.Add([]byte{0, 0, 0, 0, 10, 0, 255, 0}, true, 0.5)
	f.Add([]byte{1, 0, 255, 255}, false, math.Inf(1))
	f.Add([]byte{255, 255, 128, 7, 255, 255, 129, 9, 0, 0, 0, 0}, true, -1e300)
	f.Fuzz(func(t *testing.T, data []byte, large bool, step float64) {
		g := min(len(data)/4, 12)
		x, n, s := make([]int, g), make([]int, g), make([]float64, g)
		for i := range g {
			b := data[4*i : 4*i+4]
			n[i] = int(b[0]) | int(b[1])<<8
			if large {
				n[i] <<= 15
			}
			x[i] = n[i] * int(b[2]) / 255
			if b[3] == 255 {
				x[i] = n[i] + 1
			}
			s[i] = float64(i) + step*float64(b[3])
		}
		check := func(err error) bool {
			if err != nil && !errors.Is(err, ErrInvalid) {
				t.Fatalf("error without ErrInvalid: %v", err)
			}
			return err == nil
		}
		tr, err := TrendTest(x, n, s)
		if check(err) {
			if !(tr.P >= 0 && tr.P <= 1) || !(tr.Statistic >= 0) || math.IsInf(tr.Statistic, 0) ||
				(!tr.Defined && (tr.P != 1 || tr.Statistic != 0)) {
				t.Fatalf("TrendTest(%v, %v, %v) = %+v", x, n, s, tr)
			}
		}
		gt, err := GroupTest(x, n, s)
		if check(err) {
			if !(gt.P >= 0 && gt.P <= 1) || gt.Groups < 0 || gt.Groups > g {
				t.Fatalf("GroupTest(%v, %v, %v) = %+v", x, n, s, gt)
			}
			if gt.Method == TestTrend && (gt.P != tr.P || gt.Statistic != tr.Statistic || gt.Defined != tr.Defined) {
				t.Fatalf("GroupTest %+v disagrees with TrendTest %+v", gt, tr)
			}
		}
		e, err := Expected(x, n)
		if check(err) {
			if !(e.Pooled >= 0 && e.Pooled <= 1) || len(e.With) != g || len(e.Without) != g {
				t.Fatalf("Expected(%v, %v) = %+v", x, n, e)
			}
			for i := range g {
				if !(e.With[i] >= 0 && e.Without[i] >= 0) || math.IsInf(e.With[i]+e.Without[i], 0) {
					t.Fatalf("Expected(%v, %v) = %+v", x, n, e)
				}
			}
		}
	})
}
