package rate

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/stats"
)

// Variables, so that 0.1 + 0.2 is added in float64 at run time, not folded
// to 0.3 by the compiler.
var pointOne, pointTwo = 0.1, 0.2

func TestPercent(t *testing.T) {
	cases := []struct {
		v                 float64
		d                 int
		nearest, down, up string
	}{
		{0.025, 1, "2.5%", "2.5%", "2.5%"}, // the float64 is a little above 0.025: not "2.6%"
		{0.0244, 1, "2.4%", "2.4%", "2.5%"},
		{0.0245, 1, "2.5%", "2.4%", "2.5%"}, // half away from zero
		{0.0246554, 1, "2.5%", "2.4%", "2.5%"},
		{0.006927603, 1, "0.7%", "0.6%", "0.7%"},
		{0.094336093, 1, "9.4%", "9.4%", "9.5%"},
		{0, 1, "0%", "0%", "0%"},
		{1, 1, "100%", "100%", "100%"},
		{0.03, 1, "3%", "3%", "3%"},
		// Never "0%" for an estimate or a lower bound above 0, nor "100%"
		// for an estimate below 1.
		{1.0 / 3000, 1, "<0.1%", "<0.1%", "0.1%"},
		{0.00049, 1, "<0.1%", "<0.1%", "0.1%"},
		{0.0005, 1, "0.1%", "<0.1%", "0.1%"},
		{0.99996, 1, ">99.9%", "99.9%", "100%"},
		{0.9995, 1, ">99.9%", "99.9%", "100%"},
		{0.9994, 1, "99.9%", "99.9%", "100%"},
		{math.Nextafter(1, 0), 1, ">99.9%", "99.9%", "100%"},
		{5e-324, 1, "<0.1%", "<0.1%", "0.1%"},
		// Other decimals.
		{0.025, 0, "3%", "2%", "3%"},
		{0.004, 0, "<1%", "<1%", "1%"},
		{0.996, 0, ">99%", "99%", "100%"},
		{0.025, 2, "2.5%", "2.5%", "2.5%"},
		{0.0000333, 2, "<0.01%", "<0.01%", "0.01%"},
		{0.12345, 3, "12.345%", "12.345%", "12.345%"},
		{0.123456, 3, "12.346%", "12.345%", "12.346%"},
		{0.025, -1, "3%", "2%", "3%"}, // fewer than 0 decimals: 0
		// A float64 is its shortest decimal: 0.1 + 0.2 is 0.30000000000000004,
		// just above 30%, so its upper bound is 30.1%.
		{pointOne + pointTwo, 1, "30%", "30%", "30.1%"},
	}
	for _, c := range cases {
		for _, x := range []struct {
			r    Rounding
			want string
		}{{Nearest, c.nearest}, {Down, c.down}, {Up, c.up}} {
			if got := Percent(c.v, c.d, x.r); got != x.want {
				t.Errorf("Percent(%v, %d, %v) = %q, want %q", c.v, c.d, x.r, got, x.want)
			}
		}
	}
	for _, v := range []float64{math.NaN(), math.Inf(1), math.Inf(-1)} {
		if got := Percent(v, 1, Nearest); got != "—" {
			t.Errorf("Percent(%v) = %q", v, got)
		}
	}
	// Too many decimals are MaxDecimals.
	if got := Percent(1.0/3, 40, Nearest); got != "33.333333333333%" {
		t.Errorf("Percent(1/3, 40) = %q", got)
	}
}

// The reference intervals of /work/shared/reference/statistics.md, printed
// outward at one decimal, contain the exact ones.
func TestPercentReferenceIntervals(t *testing.T) {
	for _, c := range []struct {
		lo, hi         float64
		wantLo, wantHi string
	}{
		{0.006927603, 0.094336093, "0.6%", "9.5%"}, // Clopper–Pearson 3 of 90
		{0, 0.030272973, "0%", "3.1%"},             // Clopper–Pearson 0 of 120
		{0.011400390, 0.093472860, "1.1%", "9.4%"}, // Wilson 3 of 90
	} {
		if lo, hi := Percent(c.lo, 1, Down), Percent(c.hi, 1, Up); lo != c.wantLo || hi != c.wantHi {
			t.Errorf("[%v, %v] printed %s – %s, want %s – %s", c.lo, c.hi, lo, hi, c.wantLo, c.wantHi)
		}
	}
}

func TestPoints(t *testing.T) {
	cases := []struct {
		v                 float64
		d                 int
		nearest, down, up string
	}{
		{-0.00244, 1, "−0.2", "−0.3", "−0.2"},
		{0.00244, 1, "+0.2", "+0.2", "+0.3"},
		{-0.0333, 1, "−3.3", "−3.4", "−3.3"},
		{0.024, 1, "+2.4", "+2.4", "+2.4"},
		{-0.024, 1, "−2.4", "−2.4", "−2.4"},
		{0, 1, "0", "0", "0"},
		{-0.0004, 1, "−<0.1", "−0.1", "0"},
		{0.0004, 1, "+<0.1", "0", "+0.1"},
		{-0.00045, 1, "−<0.1", "−0.1", "0"},
		{-0.0005, 1, "−0.1", "−0.1", "0"}, // half away from zero
		{-1, 1, "−100", "−100", "−100"},
		{1, 0, "+100", "+100", "+100"},
		{-0.02, 0, "−2", "−2", "−2"},
		{-0.025, 0, "−3", "−3", "−2"},
	}
	for _, c := range cases {
		for _, x := range []struct {
			r    Rounding
			want string
		}{{Nearest, c.nearest}, {Down, c.down}, {Up, c.up}} {
			if got := Points(c.v, c.d, x.r); got != x.want {
				t.Errorf("Points(%v, %d, %v) = %q, want %q", c.v, c.d, x.r, got, x.want)
			}
		}
	}
	if got := Points(math.NaN(), 1, Nearest); got != "—" {
		t.Errorf("Points(NaN) = %q", got)
	}
	// The printed interval of a difference contains the exact one: the
	// lower bound never rises, the upper never falls.
	for i := -2000; i <= 2000; i++ {
		v := float64(i) / 7919
		lo, hi := Points(v, 1, Down), Points(v, 1, Up)
		if parsePoints(t, lo) > v*100+1e-12 || parsePoints(t, hi) < v*100-1e-12 {
			t.Fatalf("Points(%v): [%s, %s]", v, lo, hi)
		}
	}
}

// parsePoints reads "−0.3", "+2.4" or "0" back as a number.
func parsePoints(t *testing.T, s string) float64 {
	t.Helper()
	v, err := strconv.ParseFloat(strings.TrimPrefix(strings.Replace(s, "−", "-", 1), "+"), 64)
	if err != nil {
		t.Fatal(err)
	}
	return v
}

func TestFraction(t *testing.T) {
	cases := []struct {
		k, n, d int
		r       Rounding
		want    string
	}{
		{1, 3, 1, Nearest, "33.3%"}, {2, 3, 1, Nearest, "66.7%"}, {3, 90, 1, Nearest, "3.3%"},
		{1, 3000, 1, Nearest, "<0.1%"}, {2999, 3000, 1, Nearest, ">99.9%"}, {0, 5, 1, Nearest, "0%"},
		{5, 5, 1, Nearest, "100%"}, {71, 3000, 1, Up, "2.4%"}, {71, 3000, 1, Down, "2.3%"},
		{24, 1000, 1, Up, "2.4%"}, {1, 8, 1, Nearest, "12.5%"}, {1, 8, 0, Nearest, "13%"},
		{1, 0, 1, Nearest, "—"},
	}
	for _, c := range cases {
		if got := Fraction(c.k, c.n, c.d, c.r); got != c.want {
			t.Errorf("Fraction(%d, %d, %d, %v) = %q, want %q", c.k, c.n, c.d, c.r, got, c.want)
		}
	}
}

func TestConfidencePercent(t *testing.T) {
	cases := []struct {
		c    float64
		want string
	}{
		{0.95, "95%"}, {0.99, "99%"}, {0.999, "99.9%"}, {0.9, "90%"}, {0.5, "50%"}, {0.8, "80%"},
		{0.9999999999, "99.99999999%"}, {0.975, "97.5%"},
		{1 - 1e-12, "99.9999999999%"},
		{math.Nextafter(1, 0), "99.9999999999%"}, // truncated, never "100%"
		{0.99999999999999, "99.9999999999%"},
		{math.NaN(), "—"},
	}
	for _, c := range cases {
		if got := ConfidencePercent(c.c); got != c.want {
			t.Errorf("ConfidencePercent(%v) = %q, want %q", c.c, got, c.want)
		}
	}
	// Parsed levels print as written.
	for _, s := range []string{"95%", "99%", "99.9%", "90%", "99.99999999%", "80%", "97.5%", "50%"} {
		c, err := Confidence.Parse(s)
		if err != nil || ConfidencePercent(c) != s {
			t.Errorf("ConfidencePercent(Parse(%s)) = %q, %v", s, ConfidencePercent(c), err)
		}
	}
}

func TestExact(t *testing.T) {
	cases := []struct {
		v    float64
		want string
	}{
		{0.025, "2.5%"}, {1e-7, "0.00001%"}, {0.95, "95%"}, {1, "100%"}, {0, "0%"}, {pointOne + pointTwo, "30.000000000000004%"},
		{0.5, "50%"}, {-0.05, "−5%"}, {math.Inf(1), "—"},
	}
	for _, c := range cases {
		if got := Exact(c.v); got != c.want {
			t.Errorf("Exact(%v) = %q, want %q", c.v, got, c.want)
		}
	}
}

func TestCasesBelow(t *testing.T) {
	cases := []struct {
		u    float64
		N    int
		want int
	}{
		{0.025, 3000, 74},       // exactly 75 of 3,000 is not below 2.5%
		{0.024655401, 3000, 73}, // one-sided bound 0 of 120: 73.97 cases
		{0.0250001, 3000, 75},
		{1e-9, 3000, 0},
		{0.5, 1, 0},
		{0.5, 3, 1},
		{1, 3000, 3000}, // no bound
		{0.3, 0, 0},
	}
	for _, c := range cases {
		if got, err := CasesBelow(c.u, c.N); err != nil || got != c.want {
			t.Errorf("CasesBelow(%v, %d) = %d, %v; want %d", c.u, c.N, got, err, c.want)
		}
	}
	for _, bad := range []struct {
		u float64
		N int
	}{{0, 10}, {-0.1, 10}, {1.1, 10}, {math.NaN(), 10}, {0.5, -1}, {math.Inf(1), 10}} {
		if _, err := CasesBelow(bad.u, bad.N); !errors.Is(err, ErrInvalid) {
			t.Errorf("CasesBelow(%v, %d): %v", bad.u, bad.N, err)
		}
	}
}

func TestCasesAtMost(t *testing.T) {
	cases := []struct {
		u    float64
		N    int
		want int
	}{
		{0.024, 1000, 24}, {0.0239999, 1000, 23}, {71.0 / 3000, 3000, 71}, {0, 3000, 0}, {1, 3000, 3000},
		{0.5, 3, 1},
	}
	for _, c := range cases {
		if got, err := CasesAtMost(c.u, c.N); err != nil || got != c.want {
			t.Errorf("CasesAtMost(%v, %d) = %d, %v; want %d", c.u, c.N, got, err, c.want)
		}
	}
	// count/N in floating point gives count back, for every count.
	for _, N := range []int{1, 3, 7, 49, 100, 999, 3000, 4999} {
		for count := 0; count <= N; count++ {
			if got, err := CasesAtMost(float64(count)/float64(N), N); err != nil || got != count {
				t.Fatalf("CasesAtMost(%d/%d) = %d, %v", count, N, got, err)
			}
		}
	}
	for _, N := range []int{1 << 20, 2147483648} {
		for _, count := range []int{0, 1, 12345, N/3 + 1, N - 1, N} {
			if got, err := CasesAtMost(float64(count)/float64(N), N); err != nil || got != count {
				t.Fatalf("CasesAtMost(%d/%d) = %d, %v", count, N, got, err)
			}
		}
	}
	if _, err := CasesAtMost(math.NaN(), 10); !errors.Is(err, ErrInvalid) {
		t.Errorf("NaN: %v", err)
	}
}

// With the statistics: the finite-population bound's count is inclusive and
// reads back from its share; the sentence "at most K of the N cases (P%)"
// with P rounded up never understates K.
func TestCountsWithStats(t *testing.T) {
	for _, c := range []struct{ k, n, N int }{{0, 120, 3000}, {3, 90, 3000}, {0, 117, 3000}, {2, 50, 400}, {0, 120, 1000000}} {
		share, count, err := stats.HypergeometricUpper(c.k, c.n, c.N, 0.95)
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := CasesAtMost(share, c.N); got != count {
			t.Errorf("%+v: CasesAtMost(%v) = %d, want the count %d", c, share, got, count)
		}
		p := Fraction(count, c.N, 1, Up)
		v, err := Share.Parse(p)
		if err != nil || v*float64(c.N) < float64(count)-1e-9 {
			t.Errorf("%+v: %d of %d printed as %s", c, count, c.N, p)
		}
	}
	// 0 of 120 from 3,000 at 95%: at most 72 of the 3,000 cases (2.4%).
	// "Fewer than 2.4%" would say at most 71: one case too few.
	_, count, _ := stats.HypergeometricUpper(0, 120, 3000, 0.95)
	if count != 72 || Fraction(count, 3000, 1, Up) != "2.4%" {
		t.Errorf("0 of 120 from 3,000: at most %d (%s)", count, Fraction(count, 3000, 1, Up))
	}
	// The binomial one-sided bound is strict: 0 of 120 gives 2.4655401%, so
	// at most 73 of 3,000.
	up, _ := stats.UpperOneSided(0, 120, 0.95)
	if k, _ := CasesBelow(up, 3000); k != 73 {
		t.Errorf("CasesBelow(%v, 3000) = %d, want 73", up, k)
	}
}

// Rounded gives the share Percent prints, so that a spreadsheet cell in a
// "0.0%" format shows what the sentence says (issue 14 item 7: a sentence
// of 2.5%–12.4% beside a cell of 12.3%).
func TestRounded(t *testing.T) {
	for _, c := range []struct {
		v    float64
		r    Rounding
		want float64
	}{
		{0.12321, Up, 0.124},
		{0.12321, Down, 0.123},
		{0.02549, Down, 0.025},
		{0.0834, Up, 0.084},
		{0.084, Up, 0.084}, // exactly 8.4%: no step up
		{0.0, Up, 0.0},
		{-0.00244, Down, -0.003},
		{-0.00244, Up, -0.002},
		{0.12345, Nearest, 0.123},
		{0.12355, Nearest, 0.124},
	} {
		got := Rounded(c.v, 1, c.r)
		if got != c.want {
			t.Errorf("Rounded(%v, 1, %v) = %v, want %v", c.v, c.r, got, c.want)
		}
		// The cell shows what Percent prints.
		if c.r != Nearest {
			if p, q := Percent(c.v, 1, c.r), Percent(got, 1, Nearest); p != q && !(p == "0%" && q == "0%") {
				t.Errorf("Percent(%v) = %s, the rounded cell %s", c.v, p, q)
			}
		}
	}
	if !math.IsNaN(Rounded(math.NaN(), 1, Up)) {
		t.Error("NaN")
	}
}
