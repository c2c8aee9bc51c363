package stats

// AgreementResult summarises how two raters agree on ordinal grades coded
// 0 … K−1 (for example a case's original grade and its moderated grade).
type AgreementResult struct {
	Pairs      int     // number of rated pairs
	Categories int     // K
	Exact      float64 // share of pairs with the same grade (observed agreement)
	Expected   float64 // agreement expected by chance from the two raters' margins
	// Kappa is Cohen's kappa, (Exact − Expected)/(1 − Expected).
	Kappa float64
	// WeightedLinear and WeightedQuadratic are Cohen's weighted kappa with
	// agreement weights 1 − |i−j|/(K−1) and 1 − (i−j)²/(K−1)².
	WeightedLinear    float64
	WeightedQuadratic float64
	// KappaDefined is false when chance agreement is 1, that is when both
	// raters gave every pair the same single grade: the kappas are then 0/0.
	// Kappa, WeightedLinear and WeightedQuadratic are set to 1 in that case
	// (the agreement is complete but cannot be told apart from chance); show
	// them as "not defined" rather than as numbers.
	KappaDefined bool
	// Table is the K×K confusion table: Table[i][j] counts the pairs rated i
	// by the first rater and j by the second.
	Table [][]int
}

// Agreement computes exact agreement, Cohen's kappa and weighted kappas for
// pairs of ordinal ratings coded 0 … categories−1. It needs at least one pair
// and at least two categories; a rating outside the range is an error naming
// the pair. The kappas are computed from integer counts,
//
//	κ_w = (n·Σ w_ij f_ij − Σ w_ij r_i c_j) / (n²·w_max − Σ w_ij r_i c_j),
//
// with integer weights (identity; K−1−|i−j|; (K−1)²−(i−j)²), so they are
// exact up to one final division.
func Agreement(pairs [][2]int, categories int) (AgreementResult, error) {
	if categories < 2 {
		return AgreementResult{}, invalidf("agreement: %d categories; grades need at least 2", categories)
	}
	if len(pairs) == 0 {
		return AgreementResult{}, invalidf("agreement: no rated pairs; moderate at least one case")
	}
	K := categories
	table := make([][]int, K)
	for i := range table {
		table[i] = make([]int, K)
	}
	for i, p := range pairs {
		for r, g := range p {
			if g < 0 || g >= K {
				return AgreementResult{}, invalidf("agreement: pair %d, rater %d: grade %d is outside 0…%d", i+1, r+1, g, K-1)
			}
		}
		table[p[0]][p[1]]++
	}
	n := len(pairs)
	rows := make([]int, K)
	cols := make([]int, K)
	diag := 0
	for i := range K {
		for j := range K {
			rows[i] += table[i][j]
			cols[j] += table[i][j]
		}
		diag += table[i][i]
	}
	res := AgreementResult{Pairs: n, Categories: K, Table: table, KappaDefined: true}
	nf := float64(n)
	res.Exact = float64(diag) / nf
	var rc float64 // Σ r_i c_i
	for i := range K {
		rc += float64(rows[i]) * float64(cols[i])
	}
	res.Expected = rc / (nf * nf)
	for i := range K {
		if rows[i] == n && cols[i] == n {
			res.KappaDefined = false
		}
	}
	if !res.KappaDefined {
		res.Kappa, res.WeightedLinear, res.WeightedQuadratic = 1, 1, 1
		return res, nil
	}
	weighted := func(w func(i, j int) int) float64 {
		var obs, exp float64
		for i := range K {
			for j := range K {
				wij := float64(w(i, j))
				obs += wij * float64(table[i][j])
				exp += wij * float64(rows[i]) * float64(cols[j])
			}
		}
		wmax := float64(w(0, 0))
		return (nf*obs - exp) / (nf*nf*wmax - exp)
	}
	res.Kappa = weighted(func(i, j int) int {
		if i == j {
			return 1
		}
		return 0
	})
	res.WeightedLinear = weighted(func(i, j int) int { return K - 1 - abs(i-j) })
	res.WeightedQuadratic = weighted(func(i, j int) int { return (K-1)*(K-1) - (i-j)*(i-j) })
	return res, nil
}

func abs(x int) int {
	if x < 0 {
		return -x
	}
	return x
}
