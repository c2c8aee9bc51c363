package stats

import (
	"errors"
	"fmt"
	"math"
	"testing"
)

func relClose(got, want, rel float64) bool {
	if math.IsNaN(got) || math.IsInf(got, 0) {
		return false
	}
	if want == 0 {
		return got == 0
	}
	return math.Abs(got-want) <= rel*math.Abs(want)
}

var (
	extremeN     = []int{1, 2, 5, 30, 120, 1000, 100000, 1100000}
	extremeAlpha = []float64{0.5, 0.05, 1e-3, 1e-8, 1e-15, 1e-30, 1e-100}
)

// Closed forms at the edges: for k = 0 the two-sided upper bound is
// 1 − (α/2)^(1/n) and the one-sided 1 − α^(1/n); for k = n the lower bound is
// (α/2)^(1/n). They are computed here as −expm1(log(·)/n) and exp(log(·)/n),
// which are accurate to a few ulps. gonum's InvRegIncBeta alone fails these
// badly (e.g. n = 100,000, α = 1e-8 gives an upper bound wrong by a factor of
// hundreds), which is why the package polishes it.
func TestClopperPearsonClosedForms(t *testing.T) {
	for _, n := range extremeN {
		for _, a := range extremeAlpha {
			conf := 1 - a
			if conf == 1 {
				// 1 − 1e-30 rounds to 1 in float64: such a confidence cannot
				// be asked for, and must be refused.
				if _, err := ClopperPearson(0, n, conf); !errors.Is(err, ErrInvalid) {
					t.Errorf("confidence 1 (from α=%g): err = %v, want ErrInvalid", a, err)
				}
				continue
			}
			// α as the package sees it.
			alpha := 1 - conf
			iv, err := ClopperPearson(0, n, conf)
			if err != nil {
				t.Fatal(err)
			}
			want := -math.Expm1(math.Log(alpha/2) / float64(n))
			if iv.Lower != 0 || !relClose(iv.Upper, want, 1e-10) {
				t.Errorf("CP(0, %d, α=%g) = [%g, %.17g], want [0, %.17g]", n, alpha, iv.Lower, iv.Upper, want)
			}
			iv, err = ClopperPearson(n, n, conf)
			if err != nil {
				t.Fatal(err)
			}
			want = math.Exp(math.Log(alpha/2) / float64(n))
			if iv.Upper != 1 || !relClose(iv.Lower, want, 1e-10) {
				t.Errorf("CP(%d, %d, α=%g) = [%.17g, %g], want [%.17g, 1]", n, n, alpha, iv.Lower, iv.Upper, want)
			}
			up, err := UpperOneSided(0, n, conf)
			if err != nil {
				t.Fatal(err)
			}
			want = -math.Expm1(math.Log(alpha) / float64(n))
			if !relClose(up, want, 1e-10) {
				t.Errorf("UpperOneSided(0, %d, α=%g) = %.17g, want %.17g", n, alpha, up, want)
			}
			up, err = UpperOneSided(n, n, conf)
			if err != nil || up != 1 {
				t.Errorf("UpperOneSided(%d, %d) = %g, %v; want 1", n, n, up, err)
			}
		}
	}
}

// The general solver (used for 0 < k < n) at the edges where closed forms
// exist, over n up to 1.1 million and tails down to 1e-100.
func TestSolverClosedForms(t *testing.T) {
	for _, n := range extremeN {
		for _, tail := range extremeAlpha {
			{
				// P(X ≤ 0 | n, p) = (1−p)^n = tail.
				got := cpSolveUpper(0, n, tail)
				want := -math.Expm1(math.Log(tail) / float64(n))
				if !relClose(got, want, 1e-13) {
					t.Errorf("solve (1−p)^%d = %g: p = %.17g, want %.17g", n, tail, got, want)
				}
				// P(X ≥ n | n, p) = p^n = tail.
				got = cpSolveLower(n, n, tail)
				want = math.Exp(math.Log(tail) / float64(n))
				if !relClose(got, want, 1e-13) {
					t.Errorf("solve p^%d = %g: p = %.17g, want %.17g", n, tail, got, want)
				}
				// P(X ≥ 1 | n, p) = 1 − (1−p)^n = tail.
				got = cpSolveLower(1, n, tail)
				want = -math.Expm1(math.Log1p(-tail) / float64(n))
				if !relClose(got, want, 1e-13) {
					t.Errorf("solve 1−(1−p)^%d = %g: p = %.17g, want %.17g", n, tail, got, want)
				}
			}
		}
	}
}

// Tiny α given directly (confidence = 1 − α is representable for α ≥ 1e-16
// only as far as 1 − α is): check 1 − 1e-12 against the closed form.
func TestClopperPearsonTinyAlpha(t *testing.T) {
	conf := 1 - 1e-12
	alpha := 1 - conf
	for _, n := range extremeN {
		iv, err := ClopperPearson(0, n, conf)
		if err != nil {
			t.Fatal(err)
		}
		want := -math.Expm1(math.Log(alpha/2) / float64(n))
		if !relClose(iv.Upper, want, 1e-10) {
			t.Errorf("n=%d: upper %.17g, want %.17g", n, iv.Upper, want)
		}
	}
}

// Against an independent bisection on the exact binomial tail in 256-bit
// arithmetic, for interior k, including large n and small α.
func TestClopperPearsonAgainstExactTail(t *testing.T) {
	cases := []struct {
		k, n int
		conf float64
	}{
		{1, 1, 0.95}, {0, 1, 0.95}, {1, 2, 0.95}, {3, 90, 0.95}, {3, 90, 0.99}, {1, 120, 0.95},
		{7, 25, 0.8}, {12, 25, 0.5}, {2, 2000, 0.95}, {5, 2000, 1 - 1e-10}, {1995, 2000, 1 - 1e-10},
		{40, 60, 0.999}, {3, 5000, 0.95}, {3, 100000, 0.95}, {1, 1100000, 0.95}, {2, 1100000, 1 - 1e-10},
	}
	for _, c := range cases {
		iv, err := ClopperPearson(c.k, c.n, c.conf)
		if err != nil {
			t.Fatal(err)
		}
		alpha := 1 - c.conf
		wantLo, wantHi := 0.0, 1.0
		if c.k > 0 {
			wantLo = cpNaive(c.k, c.n, alpha/2, false)
		}
		if c.k < c.n {
			wantHi = cpNaive(c.k, c.n, alpha/2, true)
		}
		if !relClose(iv.Lower, wantLo, 1e-13) || !relClose(iv.Upper, wantHi, 1e-13) {
			t.Errorf("CP(%d, %d, %v) = [%.17g, %.17g], exact tail gives [%.17g, %.17g]",
				c.k, c.n, c.conf, iv.Lower, iv.Upper, wantLo, wantHi)
		}
		up, err := UpperOneSided(c.k, c.n, c.conf)
		if err != nil {
			t.Fatal(err)
		}
		wantUp := 1.0
		if c.k < c.n {
			wantUp = cpNaive(c.k, c.n, alpha, true)
		}
		if !relClose(up, wantUp, 1e-13) {
			t.Errorf("UpperOneSided(%d, %d, %v) = %.17g, exact tail gives %.17g", c.k, c.n, c.conf, up, wantUp)
		}
	}
}

// CP(k, n) and CP(n−k, n) mirror each other: lower(k) = 1 − upper(n−k).
// The same holds for Wilson.
func TestSymmetry(t *testing.T) {
	for _, n := range []int{1, 2, 3, 10, 90, 121, 1000} {
		for k := 0; k <= n; k += 1 + n/17 {
			for _, conf := range []float64{0.8, 0.95, 0.999} {
				a, err1 := ClopperPearson(k, n, conf)
				b, err2 := ClopperPearson(n-k, n, conf)
				if err1 != nil || err2 != nil {
					t.Fatal(err1, err2)
				}
				if math.Abs(a.Lower-(1-b.Upper)) > 1e-14 || math.Abs(a.Upper-(1-b.Lower)) > 1e-14 {
					t.Errorf("CP(%d,%d,%v)=[%.17g,%.17g] not mirror of CP(%d,%d)=[%.17g,%.17g]",
						k, n, conf, a.Lower, a.Upper, n-k, n, b.Lower, b.Upper)
				}
				if !(a.Lower <= a.Estimate && a.Estimate <= a.Upper) {
					t.Errorf("CP(%d,%d,%v) = %+v does not contain k/n", k, n, conf, a)
				}
				w1, _ := Wilson(k, n, conf)
				w2, _ := Wilson(n-k, n, conf)
				if math.Abs(w1.Lower-(1-w2.Upper)) > 1e-14 || math.Abs(w1.Upper-(1-w2.Lower)) > 1e-14 {
					t.Errorf("Wilson(%d,%d,%v)=%+v not mirror of %+v", k, n, conf, w1, w2)
				}
				if !(w1.Lower <= w1.Estimate && w1.Estimate <= w1.Upper) {
					t.Errorf("Wilson(%d,%d,%v) = %+v does not contain k/n", k, n, conf, w1)
				}
			}
		}
	}
}

// The Wilson interval from the textbook formula,
// (p̂ + z²/2n ± z√(p̂(1−p̂)/n + z²/4n²)) / (1 + z²/n),
// with the 95% and 99% normal quantiles written out (Φ⁻¹(0.975),
// Φ⁻¹(0.995) to 16 digits) rather than taken from the package.
func TestWilsonClosedForm(t *testing.T) {
	zs := map[float64]float64{0.95: 1.959963984540054, 0.99: 2.575829303548901}
	for conf, z := range zs {
		for _, c := range [][2]int{{1, 1}, {0, 1}, {3, 90}, {17, 40}, {1, 1000}, {50, 100}, {99, 100}, {0, 120}, {120, 120}} {
			k, n := c[0], c[1]
			ph := float64(k) / float64(n)
			nf := float64(n)
			mid := ph + z*z/(2*nf)
			half := z * math.Sqrt(ph*(1-ph)/nf+z*z/(4*nf*nf))
			den := 1 + z*z/nf
			wantLo, wantHi := (mid-half)/den, (mid+half)/den
			iv, err := Wilson(k, n, conf)
			if err != nil {
				t.Fatal(err)
			}
			if k == 0 {
				if iv.Lower != 0 {
					t.Errorf("Wilson(0,%d) lower = %g, want exactly 0", n, iv.Lower)
				}
			} else if !relClose(iv.Lower, wantLo, 1e-12) {
				t.Errorf("Wilson(%d,%d,%v) lower = %.17g, want %.17g", k, n, conf, iv.Lower, wantLo)
			}
			if k == n {
				if iv.Upper != 1 {
					t.Errorf("Wilson(%d,%d) upper = %g, want exactly 1", k, n, iv.Upper)
				}
			} else if !relClose(iv.Upper, wantHi, 1e-12) {
				t.Errorf("Wilson(%d,%d,%v) upper = %.17g, want %.17g", k, n, conf, iv.Upper, wantHi)
			}
		}
	}
}

// n = 1 gives the familiar figures: CP(0,1) = [0, 1 − α/2], CP(1,1) = [α/2, 1];
// Wilson(0,1) upper = z²/(1+z²).
func TestOneCase(t *testing.T) {
	iv, err := ClopperPearson(0, 1, 0.95)
	if err != nil || iv.Lower != 0 || !relClose(iv.Upper, 0.975, 1e-14) {
		t.Errorf("CP(0,1) = %+v, %v; want [0, 0.975]", iv, err)
	}
	iv, err = ClopperPearson(1, 1, 0.95)
	if err != nil || iv.Upper != 1 || !relClose(iv.Lower, 0.025, 1e-13) {
		t.Errorf("CP(1,1) = %+v, %v; want [0.025, 1]", iv, err)
	}
	z := 1.959963984540054
	iv, err = Wilson(0, 1, 0.95)
	if err != nil || iv.Lower != 0 || !relClose(iv.Upper, z*z/(1+z*z), 1e-14) {
		t.Errorf("Wilson(0,1) = %+v, %v", iv, err)
	}
}

// Newcombe (1998), Statistics in Medicine 17:873–890, Table II, method 10
// (hybrid score, no continuity correction), published to 4 decimals.
func TestNewcombePublished(t *testing.T) {
	cases := []struct {
		k1, n1, k2, n2 int
		lo, hi         float64
	}{
		{56, 70, 48, 80, 0.0524, 0.3339},
		{9, 10, 3, 10, 0.1705, 0.8090},
		{5, 56, 0, 29, -0.0381, 0.1926},
		{0, 10, 0, 20, -0.1611, 0.2775},
		{0, 10, 0, 10, -0.2775, 0.2775},
		{10, 10, 0, 20, 0.6791, 1.0000},
		{10, 10, 0, 10, 0.6075, 1.0000},
	}
	for _, c := range cases {
		d, iv, err := NewcombeDiff(c.k1, c.n1, c.k2, c.n2, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		wantD := float64(c.k1)/float64(c.n1) - float64(c.k2)/float64(c.n2)
		if math.Abs(d-wantD) > 1e-15 || iv.Estimate != d || iv.Method != MethodNewcombe {
			t.Errorf("%v: diff %v, interval %+v; want diff %v", c, d, iv, wantD)
		}
		if math.Abs(iv.Lower-c.lo) > 0.00005 || math.Abs(iv.Upper-c.hi) > 0.00005 {
			t.Errorf("Newcombe %d/%d − %d/%d = [%.5f, %.5f], published [%.4f, %.4f]",
				c.k1, c.n1, c.k2, c.n2, iv.Lower, iv.Upper, c.lo, c.hi)
		}
	}
}

// Newcombe's interval from Wilson intervals taken from the package's own
// Wilson (checked separately above) at full precision.
func TestNewcombeFromWilson(t *testing.T) {
	for _, c := range [][4]int{{3, 90, 0, 120}, {0, 1, 1, 1}, {40, 40, 0, 35}, {12, 100, 30, 200}} {
		w1, _ := Wilson(c[0], c[1], 0.9)
		w2, _ := Wilson(c[2], c[3], 0.9)
		p1, p2 := w1.Estimate, w2.Estimate
		wantLo := p1 - p2 - math.Sqrt((p1-w1.Lower)*(p1-w1.Lower)+(w2.Upper-p2)*(w2.Upper-p2))
		wantHi := p1 - p2 + math.Sqrt((w1.Upper-p1)*(w1.Upper-p1)+(p2-w2.Lower)*(p2-w2.Lower))
		_, iv, err := NewcombeDiff(c[0], c[1], c[2], c[3], 0.9)
		if err != nil {
			t.Fatal(err)
		}
		if math.Abs(iv.Lower-math.Max(-1, wantLo)) > 1e-15 || math.Abs(iv.Upper-math.Min(1, wantHi)) > 1e-15 {
			t.Errorf("%v: %+v, want [%v, %v]", c, iv, wantLo, wantHi)
		}
		if iv.Lower < -1 || iv.Upper > 1 {
			t.Errorf("%v: %+v outside [−1, 1]", c, iv)
		}
	}
}

func TestInvalidInput(t *testing.T) {
	bad := []struct {
		name string
		call func() error
	}{
		{"CP k<0", func() error { _, err := ClopperPearson(-1, 10, 0.95); return err }},
		{"CP k>n", func() error { _, err := ClopperPearson(11, 10, 0.95); return err }},
		{"CP n=0", func() error { _, err := ClopperPearson(0, 0, 0.95); return err }},
		{"CP conf 0", func() error { _, err := ClopperPearson(1, 10, 0); return err }},
		{"CP conf 1", func() error { _, err := ClopperPearson(1, 10, 1); return err }},
		{"CP conf 95", func() error { _, err := ClopperPearson(1, 10, 95); return err }},
		{"CP conf NaN", func() error { _, err := ClopperPearson(1, 10, math.NaN()); return err }},
		{"CP conf -Inf", func() error { _, err := ClopperPearson(1, 10, math.Inf(-1)); return err }},
		{"one-sided n<0", func() error { _, err := UpperOneSided(0, -3, 0.95); return err }},
		{"one-sided conf", func() error { _, err := UpperOneSided(0, 3, 1.5); return err }},
		{"Wilson k>n", func() error { _, err := Wilson(4, 3, 0.95); return err }},
		{"Wilson conf", func() error { _, err := Wilson(1, 3, -0.1); return err }},
		{"Newcombe n2=0", func() error { _, _, err := NewcombeDiff(1, 3, 0, 0, 0.95); return err }},
		{"Newcombe k1<0", func() error { _, _, err := NewcombeDiff(-1, 3, 0, 2, 0.95); return err }},
		{"Newcombe conf", func() error { _, _, err := NewcombeDiff(1, 3, 0, 2, 1); return err }},
		{"Fisher k2>n2", func() error { _, err := FisherExact(1, 3, 5, 2); return err }},
		{"Fisher n1=0", func() error { _, err := FisherExact(0, 0, 1, 2); return err }},
		{"hyper N<n", func() error { _, _, err := HypergeometricUpper(0, 10, 9, 0.95); return err }},
		{"hyper k>n", func() error { _, _, err := HypergeometricUpper(11, 10, 90, 0.95); return err }},
		{"hyper conf", func() error { _, _, err := HypergeometricUpper(1, 10, 90, 0); return err }},
	}
	for _, b := range bad {
		err := b.call()
		if !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: err = %v, want ErrInvalid", b.name, err)
			continue
		}
		if msg := err.Error(); len(msg) == 0 || containsNewline(msg) {
			t.Errorf("%s: message %q is not one line", b.name, msg)
		}
	}
}

func containsNewline(s string) bool {
	for _, r := range s {
		if r == '\n' {
			return true
		}
	}
	return false
}

// Every k of every small n, at several confidences, gives finite bounds in
// [0, 1], ordered, and containing k/n; the one-sided upper bound never
// exceeds the two-sided one at the same confidence.
func TestSweepFinite(t *testing.T) {
	for n := 1; n <= 40; n++ {
		for k := 0; k <= n; k++ {
			for _, conf := range []float64{0.01, 0.5, 0.9, 0.95, 0.99, 1 - 1e-9} {
				name := fmt.Sprintf("k=%d n=%d conf=%v", k, n, conf)
				for _, iv := range []Interval{must(ClopperPearson(k, n, conf)), must(Wilson(k, n, conf))} {
					if !(iv.Lower >= 0 && iv.Lower <= iv.Estimate && iv.Estimate <= iv.Upper && iv.Upper <= 1) {
						t.Fatalf("%s: %+v", name, iv)
					}
				}
				up, err := UpperOneSided(k, n, conf)
				cp := must(ClopperPearson(k, n, conf))
				// The one-sided bound at level c is the two-sided upper bound at level 2c − 1.
				// With α ≤ 0.5 it is at least k/n, as k is then a median of X ~ B(n, k/n).
				if err != nil || math.IsNaN(up) || (conf >= 0.5 && up < float64(k)/float64(n)) || up > cp.Upper {
					t.Fatalf("%s: one-sided %v (%v), two-sided %+v", name, up, err, cp)
				}
			}
		}
	}
}

func must(iv Interval, err error) Interval {
	if err != nil {
		panic(err)
	}
	return iv
}
