package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"reflect"
	"testing"
)

// R 4.2, prop.trend.test(x, n) with the default scores 1, 2, 3, from
// /work/shared/reference/statistics.md ("Factors"), to 1e-9 relative.
func TestReferenceTrend(t *testing.T) {
	cases := []struct {
		x, n    []int
		stat, p float64
	}{
		{[]int{2, 5, 9}, []int{40, 45, 35}, 6.8009427898, 0.009110974962},
		{[]int{1, 3, 4}, []int{30, 50, 40}, 1.2650602410, 0.2606954249},
		{[]int{0, 2, 6}, []int{50, 40, 30}, 11.2732919255, 0.0007863016923},
	}
	for _, c := range cases {
		for _, scores := range [][]float64{nil, {1, 2, 3}} {
			r, err := TrendTest(c.x, c.n, scores)
			if err != nil {
				t.Fatal(err)
			}
			if !r.Defined || !relClose(r.Statistic, c.stat, 1e-9) || !relClose(r.P, c.p, 1e-9) {
				t.Errorf("TrendTest(%v, %v, %v) = %+v; want X² %v, p %v", c.x, c.n, scores, r, c.stat, c.p)
			}
			if !reflect.DeepEqual(r.Scores, []float64{1, 2, 3}) {
				t.Errorf("scores %v", r.Scores)
			}
			g, err := GroupTest(c.x, c.n, scores)
			if err != nil || g.Method != TestTrend || g.Groups != 3 || g.Statistic != r.Statistic || g.P != r.P || !g.Defined {
				t.Errorf("GroupTest(%v, %v) = %+v, %v", c.x, c.n, g, err)
			}
		}
	}
}

// R 4.2, fisher.test(matrix(c(a, b, c, d), 2)), a of a+b against c of c+d.
func TestReferenceFisherGroups(t *testing.T) {
	cases := []struct {
		k1, n1, k2, n2 int
		p              float64
	}{
		{9, 60, 3, 60, 0.1254475474},
		{7, 40, 4, 80, 0.04068008964},
	}
	for _, c := range cases {
		p, err := FisherExact(c.k1, c.n1, c.k2, c.n2)
		if err != nil || !relClose(p, c.p, 1e-9) {
			t.Errorf("FisherExact(%d, %d, %d, %d) = %.12g, %v; want %.12g", c.k1, c.n1, c.k2, c.n2, p, err, c.p)
		}
		// Through GroupTest, in either order and with an empty group between.
		for _, in := range [][2][]int{
			{{c.k1, c.k2}, {c.n1, c.n2}},
			{{c.k2, c.k1}, {c.n2, c.n1}},
			{{c.k1, 0, c.k2}, {c.n1, 0, c.n2}},
		} {
			g, err := GroupTest(in[0], in[1], nil)
			if err != nil || g.Method != TestFisher || g.Groups != 2 || !g.Defined || g.Statistic != 0 || !relClose(g.P, c.p, 1e-9) {
				t.Errorf("GroupTest(%v, %v) = %+v, %v; want Fisher p %v", in[0], in[1], g, err, c.p)
			}
		}
	}
}

// By hand: x = 1, 2, 3 of 3, 3, 3 with scores 1, 2, 3. N = 9, X = 6,
// S = Σ n s = 18, Q = Σ n s² = 42, T = Σ x s = 14; N·T − X·S = 18,
// N·Q − S² = 54, X(N − X) = 18, so X² = 9·18²/(18·54) = 3 exactly and
// p = erfc(√1.5). The regression view agrees: the shares 1/3, 2/3, 1 lie
// on a line of slope 1/3, p̄ = 2/3, weights 3/(2/9) = 13.5 each, and the
// regression sum of squares is 13.5·(1/9 + 0 + 1/9) = 3.
func TestTrendByHand(t *testing.T) {
	r, err := TrendTest([]int{1, 2, 3}, []int{3, 3, 3}, nil)
	if err != nil || r.Statistic != 3 || !relClose(r.P, 0.08326451666355039, 1e-14) {
		t.Errorf("TrendTest(1 2 3 of 3 3 3) = %+v, %v; want X² = 3, p = erfc(√1.5) = 0.0832645166635504", r, err)
	}
	// Scores are only a line: any increasing affine map a + b·s gives the
	// same test, and reversing them too.
	for _, s := range [][]float64{{0, 1, 2}, {10, 20, 30}, {-1, -0.5, 0}, {3, 2, 1}, {0.1, 0.2, 0.30000000000000004}} {
		r2, err := TrendTest([]int{1, 2, 3}, []int{3, 3, 3}, s)
		if err != nil || !relClose(r2.Statistic, 3, 1e-15) {
			t.Errorf("scores %v: %+v, %v; want X² = 3", s, r2, err)
		}
	}
	// Equal shares in every group: no trend at all, X² = 0, p = 1.
	r, err = TrendTest([]int{2, 4, 6}, []int{10, 20, 30}, nil)
	if err != nil || r.Statistic != 0 || r.P != 1 || !r.Defined {
		t.Errorf("equal shares: %+v, %v; want X² = 0, p = 1", r, err)
	}
}

// With two non-empty groups the trend statistic is Pearson's chi-squared
// for the 2×2 table, Σ (O − E)²/E over the four cells, computed here
// directly from the definition.
func TestTrendTwoGroupsIsPearson(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for range 300 {
		n1, n2 := 1+rng.IntN(300), 1+rng.IntN(300)
		k1, k2 := rng.IntN(n1+1), rng.IntN(n2+1)
		X, N := float64(k1+k2), float64(n1+n2)
		if X == 0 || X == N {
			continue
		}
		var chi float64
		for _, cell := range [][2]float64{{float64(k1), float64(n1) * X / N}, {float64(n1 - k1), float64(n1) * (N - X) / N},
			{float64(k2), float64(n2) * X / N}, {float64(n2 - k2), float64(n2) * (N - X) / N}} {
			chi += (cell[0] - cell[1]) * (cell[0] - cell[1]) / cell[1]
		}
		r, err := TrendTest([]int{k1, k2}, []int{n1, n2}, []float64{rng.Float64(), 1 + rng.Float64()})
		if err != nil || !r.Defined || math.Abs(r.Statistic-chi) > 1e-11*math.Max(1, chi) {
			t.Errorf("%d/%d vs %d/%d: X² = %v (%v), Pearson %v", k1, n1, k2, n2, r.Statistic, err, chi)
		}
	}
}

// wlsRegressionSS fits freq = a + b·score by weighted least squares, as R's
// lm does, with weights n/(p̄(1−p̄)), and returns the regression sum of
// squares Σ w (fitted − weighted mean)², the "score" row of anova().
func wlsRegressionSS(x, n []int, s []float64) float64 {
	var N, X float64
	for i := range x {
		N += float64(n[i])
		X += float64(x[i])
	}
	p := X / N
	var sw, swx, swy float64
	for i := range x {
		if n[i] == 0 {
			continue
		}
		w := float64(n[i]) / (p * (1 - p))
		sw += w
		swx += w * s[i]
		swy += w * float64(x[i]) / float64(n[i])
	}
	mx, my := swx/sw, swy/sw
	var sxx, sxy float64
	for i := range x {
		if n[i] == 0 {
			continue
		}
		w := float64(n[i]) / (p * (1 - p))
		sxx += w * (s[i] - mx) * (s[i] - mx)
		sxy += w * (s[i] - mx) * (float64(x[i])/float64(n[i]) - my)
	}
	b := sxy / sxx
	var ss float64
	for i := range x {
		if n[i] == 0 {
			continue
		}
		w := float64(n[i]) / (p * (1 - p))
		f := my + b*(s[i]-mx) - my
		ss += w * f * f
	}
	return ss
}

// Against the regression computed directly, on random groups with random
// scores and some empty groups.
func TestTrendAgainstRegression(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 4))
	for range 500 {
		g := 2 + rng.IntN(6)
		x, n, s := make([]int, g), make([]int, g), make([]float64, g)
		for i := range g {
			if rng.IntN(8) > 0 {
				n[i] = 1 + rng.IntN(200)
				x[i] = rng.IntN(n[i] + 1)
			}
			s[i] = float64(i) + rng.Float64()
		}
		r, err := TrendTest(x, n, s)
		if err != nil {
			t.Fatal(err)
		}
		if !r.Defined {
			continue
		}
		want := wlsRegressionSS(x, n, s)
		if math.Abs(r.Statistic-want) > 1e-9*math.Max(1, want) {
			t.Errorf("x=%v n=%v s=%v: X² = %.15g, regression %.15g", x, n, s, r.Statistic, want)
		}
		if want := math.Erfc(math.Sqrt(r.Statistic / 2)); r.P != want || r.P < 0 || r.P > 1 {
			t.Errorf("p = %v, want %v", r.P, want)
		}
	}
}

// Not defined: no case with the attribute, every case with it, or one
// score for every case. R's prop.trend.test gives NaN for these.
func TestTrendUndefined(t *testing.T) {
	cases := []struct {
		x, n []int
		s    []float64
	}{
		{[]int{0, 0, 0}, []int{10, 20, 30}, nil},
		{[]int{10, 20, 30}, []int{10, 20, 30}, nil},
		{[]int{0, 3, 0}, []int{0, 10, 0}, nil},
		{[]int{1, 3}, []int{5, 10}, []float64{2, 2}},
		{[]int{0, 0}, []int{0, 0}, nil},
	}
	for _, c := range cases {
		r, err := TrendTest(c.x, c.n, c.s)
		if err != nil || r.Defined || r.Statistic != 0 || r.P != 1 {
			t.Errorf("TrendTest(%v, %v, %v) = %+v, %v; want not defined, 0, 1", c.x, c.n, c.s, r, err)
		}
	}
}

func TestExpected(t *testing.T) {
	// 2, 5, 9 of 40, 45, 35: p̄ = 16/120; expected with 40·16/120 = 5.33,
	// 6, 4.67; without 34.67, 39, 30.33. Only the third is below 5.
	e, err := Expected([]int{2, 5, 9}, []int{40, 45, 35})
	if err != nil {
		t.Fatal(err)
	}
	if !relClose(e.Pooled, 16.0/120, 1e-15) || !reflect.DeepEqual(e.Small, []int{2}) || !e.TooSmall() {
		t.Errorf("Expected = %+v", e)
	}
	for i, want := range []float64{40 * 16.0 / 120, 6, 35 * 16.0 / 120} {
		if !relClose(e.With[i], want, 1e-15) || !relClose(e.Without[i], float64([]int{40, 45, 35}[i])-want, 1e-15) {
			t.Errorf("group %d: %v, %v", i, e.With[i], e.Without[i])
		}
	}
	// Exactly 5 is not below 5: 5 of 10 and 5 of 10, p̄ = ½, 5 expected in
	// each cell.
	e, _ = Expected([]int{5, 5}, []int{10, 10})
	if e.TooSmall() || e.With[0] != 5 || e.Without[1] != 5 {
		t.Errorf("exactly 5: %+v", e)
	}
	// p̄ = 1/3, which no float64 holds: 15 cases expect exactly 5 with the
	// attribute, and the exact comparison (15·X = 5·N) does not call it small.
	e, _ = Expected([]int{5, 5, 0}, []int{15, 15, 0})
	if !reflect.DeepEqual(e.Small, []int{2}) {
		t.Errorf("p̄ = 1/3: small %v, want only the empty group", e.Small)
	}
	e, _ = Expected([]int{3, 2, 5}, []int{30, 20, 50})
	if !reflect.DeepEqual(e.Small, []int{0, 1}) {
		t.Errorf("10 of 100: small %v, want groups 0 and 1 (3 and 2 expected) only", e.Small)
	}
	// No case flagged: every group is too small to tell.
	e, _ = Expected([]int{0, 0, 0}, []int{100, 100, 100})
	if !reflect.DeepEqual(e.Small, []int{0, 1, 2}) || e.Pooled != 0 {
		t.Errorf("none flagged: %+v", e)
	}
	// Empty groups are small; no cases at all gives zeros, never NaN.
	e, _ = Expected([]int{0, 0}, []int{0, 0})
	if !reflect.DeepEqual(e.Small, []int{0, 1}) || e.Pooled != 0 || e.With[0] != 0 || e.Without[1] != 0 {
		t.Errorf("no cases: %+v", e)
	}
	// Large groups, exactly.
	e, _ = Expected([]int{1 << 30, 5}, []int{1 << 31, 1 << 31})
	if !reflect.DeepEqual(e.Small, []int{}) {
		t.Errorf("large: %+v", e)
	}
}

func TestGroupTestDispatch(t *testing.T) {
	// One non-empty group: no test.
	g, err := GroupTest([]int{3, 0}, []int{10, 0}, nil)
	if err != nil || g.Method != "" || g.Groups != 1 || g.Defined || g.P != 1 || !reflect.DeepEqual(g.Expected.Small, []int{0, 1}) {
		t.Errorf("one group: %+v, %v", g, err)
	}
	g, err = GroupTest([]int{3}, []int{10}, nil)
	if err != nil || g.Method != "" || g.Groups != 1 {
		t.Errorf("single group: %+v, %v", g, err)
	}
	// Empty middle group: the trend keeps the others' scores 1 and 3, not
	// 1 and 2 (here three non-empty groups remain).
	a, _ := GroupTest([]int{1, 0, 4, 6}, []int{30, 0, 40, 30}, nil)
	b, _ := TrendTest([]int{1, 4, 6}, []int{30, 40, 30}, []float64{1, 3, 4})
	if a.Method != TestTrend || a.Groups != 3 || a.Statistic != b.Statistic || a.P != b.P {
		t.Errorf("empty group: %+v against %+v", a, b)
	}
	// No case flagged across three groups: trend not defined, p = 1.
	g, _ = GroupTest([]int{0, 0, 0}, []int{30, 40, 50}, nil)
	if g.Method != TestTrend || g.Defined || g.P != 1 || !g.Expected.TooSmall() {
		t.Errorf("none flagged: %+v", g)
	}
	// No case flagged across two groups: Fisher's p is 1 (R agrees).
	g, _ = GroupTest([]int{0, 0}, []int{30, 40}, nil)
	if g.Method != TestFisher || !g.Defined || g.P != 1 {
		t.Errorf("none flagged, two groups: %+v", g)
	}
}

func TestGroupErrors(t *testing.T) {
	cases := []struct {
		name string
		x, n []int
		s    []float64
	}{
		{"no groups", nil, nil, nil},
		{"length", []int{1, 2}, []int{3}, nil},
		{"negative size", []int{0, 1}, []int{-1, 3}, nil},
		{"negative count", []int{-1, 1}, []int{3, 3}, nil},
		{"count above size", []int{4, 1}, []int{3, 3}, nil},
		{"size too large", []int{0, 1}, []int{MaxCount + 1, 3}, nil},
		{"scores length", []int{1, 1}, []int{3, 3}, []float64{1}},
		{"NaN score", []int{1, 1}, []int{3, 3}, []float64{1, math.NaN()}},
		{"Inf score", []int{1, 1}, []int{3, 3}, []float64{math.Inf(1), 1}},
	}
	for _, c := range cases {
		if _, err := GroupTest(c.x, c.n, c.s); !errors.Is(err, ErrInvalid) {
			t.Errorf("GroupTest %s: %v", c.name, err)
		}
		if _, err := TrendTest(c.x, c.n, c.s); !errors.Is(err, ErrInvalid) {
			t.Errorf("TrendTest %s: %v", c.name, err)
		}
		if c.s == nil {
			if _, err := Expected(c.x, c.n); !errors.Is(err, ErrInvalid) {
				t.Errorf("Expected %s: %v", c.name, err)
			}
		}
	}
	if _, err := TrendTest([]int{1}, []int{3}, nil); !errors.Is(err, ErrInvalid) {
		t.Errorf("TrendTest with one group: %v", err)
	}
}
