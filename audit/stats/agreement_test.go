package stats

import (
	"errors"
	"math"
	"math/rand/v2"
	"strings"
	"testing"
)

// pairsFromTable expands a confusion table into rating pairs.
func pairsFromTable(table [][]int) [][2]int {
	var pairs [][2]int
	for i, row := range table {
		for j, c := range row {
			for range c {
				pairs = append(pairs, [2]int{i, j})
			}
		}
	}
	return pairs
}

// Wikipedia's example (Cohen's kappa article): 20 yes/yes, 5 yes/no,
// 10 no/yes, 15 no/no of 50: p_o = 0.7, p_e = 0.5, κ = 0.4. With two
// categories the weighted kappas equal κ.
func TestKappaWikipedia(t *testing.T) {
	r, err := Agreement(pairsFromTable([][]int{{20, 5}, {10, 15}}), 2)
	if err != nil {
		t.Fatal(err)
	}
	if r.Pairs != 50 || !r.KappaDefined {
		t.Errorf("pairs %d, defined %v", r.Pairs, r.KappaDefined)
	}
	for name, got := range map[string]float64{"exact": r.Exact - 0.7, "expected": r.Expected - 0.5,
		"kappa": r.Kappa - 0.4, "linear": r.WeightedLinear - 0.4, "quadratic": r.WeightedQuadratic - 0.4} {
		if math.Abs(got) > 1e-15 {
			t.Errorf("%s off by %g", name, got)
		}
	}
}

// A 3×3 table worked by hand from the disagreement-weight definition
// κ_w = 1 − Σ v_ij f_ij / Σ v_ij e_ij, e_ij = r_i c_j / n:
//
//	     0  1  2   row
//	0    5  2  0    7
//	1    1  6  2    9
//	2    0  1  3    4
//	col  6  9  5   20
//
// Unweighted: p_o = 14/20, p_e = (42+81+20)/400 = 143/400, κ = 137/257.
// Linear (v = |i−j|/2): observed Σ v f = 3, expected Σ v r c / n = 158/20,
// κ = 1 − 60/158 = 49/79. Quadratic (v = (i−j)²/4): observed 1.5, expected
// 108.5/20, κ = 1 − 30/108.5 = 157/217.
func TestWeightedKappaByHand(t *testing.T) {
	table := [][]int{{5, 2, 0}, {1, 6, 2}, {0, 1, 3}}
	r, err := Agreement(pairsFromTable(table), 3)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string][2]float64{
		"exact":     {r.Exact, 0.7},
		"expected":  {r.Expected, 143.0 / 400},
		"kappa":     {r.Kappa, 137.0 / 257},
		"linear":    {r.WeightedLinear, 49.0 / 79},
		"quadratic": {r.WeightedQuadratic, 157.0 / 217},
	}
	for name, gw := range want {
		if math.Abs(gw[0]-gw[1]) > 1e-15 {
			t.Errorf("%s = %.17g, want %.17g", name, gw[0], gw[1])
		}
	}
	for i := range table {
		for j := range table[i] {
			if r.Table[i][j] != table[i][j] {
				t.Fatalf("table = %v, want %v", r.Table, table)
			}
		}
	}
}

// A second, naive implementation of the textbook formulas in floating
// point, on realistic moderation data: 4 grades, a moderator who mostly
// agrees and otherwise moves one grade.
func TestKappaAgainstNaive(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	for trial := 0; trial < 20; trial++ {
		const K = 4
		n := 5 + rng.IntN(200)
		pairs := make([][2]int, n)
		for i := range pairs {
			a := rng.IntN(K)
			b := a
			if rng.Float64() < 0.3 {
				b = min(K-1, max(0, a+[]int{-1, 1}[rng.IntN(2)]))
			}
			pairs[i] = [2]int{a, b}
		}
		got, err := Agreement(pairs, K)
		if err != nil {
			t.Fatal(err)
		}
		// Naive: proportions f_ij, margins, κ_w = (Σw f − Σw r c)/(1 − Σw r c).
		var f [K][K]float64
		for _, p := range pairs {
			f[p[0]][p[1]] += 1 / float64(n)
		}
		var r, c [K]float64
		for i := 0; i < K; i++ {
			for j := 0; j < K; j++ {
				r[i] += f[i][j]
				c[j] += f[i][j]
			}
		}
		kw := func(w func(i, j int) float64) float64 {
			var po, pe float64
			for i := 0; i < K; i++ {
				for j := 0; j < K; j++ {
					po += w(i, j) * f[i][j]
					pe += w(i, j) * r[i] * c[j]
				}
			}
			return (po - pe) / (1 - pe)
		}
		id := func(i, j int) float64 {
			if i == j {
				return 1
			}
			return 0
		}
		lin := func(i, j int) float64 { return 1 - math.Abs(float64(i-j))/(K-1) }
		quad := func(i, j int) float64 { d := float64(i - j); return 1 - d*d/((K-1)*(K-1)) }
		for name, gw := range map[string][2]float64{
			"kappa": {got.Kappa, kw(id)}, "linear": {got.WeightedLinear, kw(lin)}, "quadratic": {got.WeightedQuadratic, kw(quad)},
		} {
			if math.Abs(gw[0]-gw[1]) > 1e-12 {
				t.Errorf("trial %d (n=%d) %s = %.17g, naive %.17g", trial, n, name, gw[0], gw[1])
			}
		}
		if !(got.WeightedQuadratic >= -1 && got.WeightedQuadratic <= 1) {
			t.Errorf("quadratic kappa %v out of range", got.WeightedQuadratic)
		}
	}
}

func TestKappaEdges(t *testing.T) {
	// Everyone graded Good (1) by both: chance agreement 1, kappa undefined.
	r, err := Agreement([][2]int{{1, 1}, {1, 1}, {1, 1}}, 4)
	if err != nil {
		t.Fatal(err)
	}
	if r.KappaDefined || r.Kappa != 1 || r.WeightedLinear != 1 || r.WeightedQuadratic != 1 || r.Exact != 1 || r.Expected != 1 {
		t.Errorf("single category: %+v", r)
	}
	for _, v := range []float64{r.Kappa, r.WeightedLinear, r.WeightedQuadratic, r.Exact, r.Expected} {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			t.Errorf("single category gave %v", v)
		}
	}
	// One pair is the smallest case: also undefined.
	if r, err := Agreement([][2]int{{2, 2}}, 4); err != nil || r.KappaDefined {
		t.Errorf("one pair: %+v %v", r, err)
	}
	// One pair that disagrees completely: observed and chance agreement are
	// both 0 under every weighting (w_03 = 0), so every kappa is 0.
	if r, err := Agreement([][2]int{{0, 3}}, 4); err != nil || !r.KappaDefined || r.Kappa != 0 || r.WeightedLinear != 0 || r.WeightedQuadratic != 0 {
		t.Errorf("one disagreeing pair: %+v %v", r, err)
	}
	// First rater always Good, second varies: p_o = p_e = c_1/n, κ = 0.
	r, err = Agreement([][2]int{{1, 0}, {1, 1}, {1, 1}, {1, 2}, {1, 3}}, 4)
	if err != nil || !r.KappaDefined || math.Abs(r.Kappa) > 1e-15 {
		t.Errorf("constant first rater: %+v %v", r, err)
	}
	// Perfect agreement with variation: every kappa is 1.
	r, err = Agreement([][2]int{{0, 0}, {1, 1}, {2, 2}, {3, 3}, {3, 3}}, 4)
	if err != nil || !r.KappaDefined || r.Kappa != 1 || r.WeightedLinear != 1 || r.WeightedQuadratic != 1 {
		t.Errorf("perfect agreement: %+v %v", r, err)
	}
}

func TestAgreementErrors(t *testing.T) {
	if _, err := Agreement(nil, 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("no pairs: %v", err)
	}
	if _, err := Agreement([][2]int{{0, 0}}, 1); !errors.Is(err, ErrInvalid) {
		t.Errorf("one category: %v", err)
	}
	_, err := Agreement([][2]int{{0, 0}, {1, 2}, {3, 4}}, 4)
	if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), "pair 3, rater 2: grade 4") {
		t.Errorf("out of range: %v", err)
	}
	if _, err := Agreement([][2]int{{-1, 0}}, 4); !errors.Is(err, ErrInvalid) {
		t.Errorf("negative grade: %v", err)
	}
}
