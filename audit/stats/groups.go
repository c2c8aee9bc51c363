package stats

import (
	"math"
	"math/big"
)

// Tests across groups: is the share of cases with an attribute (flagged for
// immediate attention, or graded Good or better) different between groups
// such as caseload bands or the number of changes of worker? x[i] of n[i]
// cases in group i have the attribute.
//
//   - [TrendTest]: the chi-squared test for trend in proportions across
//     ordered groups (R's prop.trend.test).
//   - [FisherExact]: Fisher's exact test for two groups (R's fisher.test).
//   - [GroupTest]: Fisher's test for two groups, the trend test for three or
//     more ordered groups, and the expected counts behind the advice below.
//   - [Expected]: the counts expected in every group under the pooled share,
//     to say when groups are too small to tell.

// Group-test methods, carried in [GroupTestResult.Method].
const (
	TestFisher = "fisher-exact"      // Fisher's exact test, two-sided, two groups
	TestTrend  = "chi-squared-trend" // chi-squared test for trend, 1 degree of freedom
)

// MinExpected is the smallest expected count (under the pooled share) at
// which a group is large enough to tell: Cochran's rule of thumb for the
// chi-squared approximation, applied to both the cases with and without the
// attribute.
const MinExpected = 5

// TrendResult is the chi-squared test for trend in proportions.
type TrendResult struct {
	// Statistic is X-squared, on 1 degree of freedom.
	Statistic float64
	// P is the p-value, P(χ²₁ ≥ Statistic). It underflows to 0 for a
	// statistic above about 1,400.
	P float64
	// Defined is false when the statistic is 0/0: no case has the
	// attribute, or every case has it, or all cases are in groups sharing
	// one score (for example a single non-empty group). R gives NaN then;
	// here Statistic is 0 and P is 1, for given the group sizes and the
	// total with the attribute the observed table is the only one possible
	// and no test could find a trend. Show it as "not defined".
	Defined bool
	// Scores are the scores used, one per group.
	Scores []float64
}

// TrendTest returns the chi-squared test for trend in proportions across
// ordered groups, exactly R's prop.trend.test(x, n, score = scores): x[i] of
// n[i] cases in group i have the attribute, and scores (nil for 1, 2, 3, …)
// place the groups on a line. The statistic is the regression sum of squares
// of the weighted least-squares line through the shares x[i]/n[i] against
// the scores, with weights n[i]/(p(1−p)) and p = Σx/Σn the pooled share;
// with S = Σ n[i]·s[i], Q = Σ n[i]·s[i]², T = Σ x[i]·s[i], N = Σn and
// X = Σx it is
//
//	X² = N·(N·T − X·S)² / (X·(N − X)·(N·Q − S²)),
//
// the Cochran–Armitage statistic without its factor (N − 1)/N. It is
// computed in exact rational arithmetic from the counts and the scores (each
// float64 score is an exact binary fraction) and rounded once; the p-value is
// erfc(√(X²/2)), the upper tail of χ² on 1 degree of freedom.
//
// Groups with n[i] = 0 are allowed and contribute nothing, as in R (their
// share is undefined and lm drops them). With two non-empty groups the
// statistic equals Pearson's chi-squared for the 2×2 table (prop.test with
// correct = FALSE). The test relies on the chi-squared approximation: see
// [Expected] for when the groups are too small for it.
//
// Errors wrap [ErrInvalid]: fewer than two groups, len(n) or len(scores)
// different from len(x), a count outside 0 ≤ x[i] ≤ n[i] ≤ [MaxCount], or a
// score that is NaN or infinite.
func TrendTest(x, n []int, scores []float64) (TrendResult, error) {
	if err := checkGroups("trend test", x, n); err != nil {
		return TrendResult{}, err
	}
	s, err := groupScores("trend test", len(x), scores)
	if err != nil {
		return TrendResult{}, err
	}
	stat, defined := trendStatistic(x, n, s)
	res := TrendResult{Statistic: stat, P: 1, Defined: defined, Scores: s}
	if defined {
		res.P = chiSq1Upper(stat)
	}
	return res, nil
}

// trendStatistic evaluates the closed form of [TrendTest] in exact rational
// arithmetic; defined is false when its denominator is 0.
func trendStatistic(x, n []int, s []float64) (stat float64, defined bool) {
	N, X := new(big.Int), new(big.Int)
	S, Q, T := new(big.Rat), new(big.Rat), new(big.Rat)
	for i := range x {
		if n[i] == 0 {
			continue
		}
		ni := new(big.Rat).SetInt64(int64(n[i]))
		xi := new(big.Rat).SetInt64(int64(x[i]))
		si := new(big.Rat).SetFloat64(s[i]) // exact: s[i] is finite
		N.Add(N, big.NewInt(int64(n[i])))
		X.Add(X, big.NewInt(int64(x[i])))
		ns := new(big.Rat).Mul(ni, si)
		S.Add(S, ns)
		Q.Add(Q, ns.Mul(ns, si))
		T.Add(T, xi.Mul(xi, si))
	}
	Nr, Xr := new(big.Rat).SetInt(N), new(big.Rat).SetInt(X)
	// num = N·(N·T − X·S)²
	d := new(big.Rat).Mul(Nr, T)
	d.Sub(d, new(big.Rat).Mul(Xr, S))
	num := new(big.Rat).Mul(d, d)
	num.Mul(num, Nr)
	// den = X·(N − X)·(N·Q − S²)
	v := new(big.Rat).Mul(Nr, Q)
	v.Sub(v, new(big.Rat).Mul(S, S))
	den := new(big.Rat).Sub(Nr, Xr)
	den.Mul(den, Xr)
	den.Mul(den, v)
	if den.Sign() <= 0 {
		return 0, false
	}
	stat, _ = num.Quo(num, den).Float64()
	return stat, true
}

// chiSq1Upper returns P(χ²₁ ≥ x) = erfc(√(x/2)).
func chiSq1Upper(x float64) float64 {
	if !(x > 0) {
		return 1
	}
	return math.Erfc(math.Sqrt(x / 2))
}

// ExpectedCounts are the counts expected in each group if every group had
// the pooled share, and the groups where either is below [MinExpected].
type ExpectedCounts struct {
	// Pooled is the pooled share Σx/Σn (0 when there are no cases).
	Pooled float64
	// With[i] = n[i]·Pooled and Without[i] = n[i]·(1 − Pooled) are the
	// expected counts of cases with and without the attribute in group i.
	With, Without []float64
	// Small lists, in order, the groups with an expected count below
	// MinExpected in either cell, compared exactly (n[i]·X < 5·N, where
	// X = Σx and N = Σn). An empty group is always small. With no case
	// with the attribute, or every case with it, every group is small.
	Small []int
}

// TooSmall reports whether any group is too small to tell: an expected count
// below [MinExpected] with or without the attribute.
func (e ExpectedCounts) TooSmall() bool { return len(e.Small) > 0 }

// Expected returns the expected counts of [ExpectedCounts] for x[i] of n[i]
// cases with the attribute in group i.
//
// What "too small to tell" means depends on the test. The trend test's
// chi-squared approximation is unreliable when an expected count is below 5,
// and its p-value should be shown with that warning or not at all. Fisher's
// exact test stays exact however small the groups, but a small group can
// show only a very large difference: a p-value above the threshold then says
// little ("too few cases to tell", not "no difference").
//
// Errors wrap [ErrInvalid] as for [TrendTest], except that a single group is
// allowed.
func Expected(x, n []int) (ExpectedCounts, error) {
	if len(x) == 0 {
		return ExpectedCounts{}, invalidf("expected counts: no groups")
	}
	if err := checkGroupCounts("expected counts", x, n); err != nil {
		return ExpectedCounts{}, err
	}
	return expected(x, n), nil
}

func expected(x, n []int) ExpectedCounts {
	N, X := new(big.Int), new(big.Int)
	for i := range x {
		N.Add(N, big.NewInt(int64(n[i])))
		X.Add(X, big.NewInt(int64(x[i])))
	}
	e := ExpectedCounts{With: make([]float64, len(x)), Without: make([]float64, len(x)), Small: []int{}}
	if N.Sign() > 0 {
		e.Pooled, _ = new(big.Rat).SetFrac(X, N).Float64()
	}
	Y := new(big.Int).Sub(N, X)
	five := new(big.Int).Mul(big.NewInt(MinExpected), N)
	ratio := func(a, b *big.Int) float64 {
		if b.Sign() == 0 {
			return 0
		}
		f, _ := new(big.Rat).SetFrac(a, b).Float64()
		return f
	}
	for i := range x {
		ni := big.NewInt(int64(n[i]))
		w := new(big.Int).Mul(ni, X)
		wo := new(big.Int).Mul(ni, Y)
		e.With[i] = ratio(w, N)
		e.Without[i] = ratio(wo, N)
		if n[i] == 0 || w.Cmp(five) < 0 || wo.Cmp(five) < 0 {
			e.Small = append(e.Small, i)
		}
	}
	return e
}

// GroupTestResult is the outcome of [GroupTest].
type GroupTestResult struct {
	// Method is TestFisher (two non-empty groups), TestTrend (three or
	// more) or "" (fewer than two non-empty groups: no test).
	Method string
	// Groups counts the groups with at least one case.
	Groups int
	// Statistic is the trend test's X-squared (1 degree of freedom); 0 for
	// Fisher's test and for no test.
	Statistic float64
	// P is the two-sided p-value; 1 when there is no test or the trend
	// statistic is not defined.
	P float64
	// Defined is false when there is no test or the trend statistic is 0/0
	// (see [TrendResult.Defined]); Fisher's p-value is always defined.
	Defined bool
	// Expected holds the expected counts of every group given, empty ones
	// included, and the groups too small to tell.
	Expected ExpectedCounts
}

// GroupTest tests whether the share with an attribute differs across
// ordered groups, x[i] of n[i] cases in group i, with scores as for
// [TrendTest] (nil for 1, 2, 3, …). Empty groups (n[i] = 0) are left out,
// keeping the others' scores. Two non-empty groups get Fisher's exact test,
// two-sided as R's fisher.test (the order of the groups and the scores do
// not matter to it); three or more get the chi-squared test for trend with
// the scores. The expected counts of all groups come with either, so that a
// report can say when the groups are too small to tell (see [Expected]).
//
// Groups without a natural order (teams, say) have no test here: the trend
// test would depend on an arbitrary order.
//
// Errors wrap [ErrInvalid] as for [TrendTest]; a single group is allowed
// (no test).
func GroupTest(x, n []int, scores []float64) (GroupTestResult, error) {
	if len(x) == 0 {
		return GroupTestResult{}, invalidf("group test: no groups")
	}
	if err := checkGroupCounts("group test", x, n); err != nil {
		return GroupTestResult{}, err
	}
	s, err := groupScores("group test", len(x), scores)
	if err != nil {
		return GroupTestResult{}, err
	}
	res := GroupTestResult{P: 1, Expected: expected(x, n)}
	var nonEmpty []int
	for i := range n {
		if n[i] > 0 {
			nonEmpty = append(nonEmpty, i)
		}
	}
	res.Groups = len(nonEmpty)
	switch {
	case len(nonEmpty) < 2:
		return res, nil
	case len(nonEmpty) == 2:
		a, b := nonEmpty[0], nonEmpty[1]
		p, err := FisherExact(x[a], n[a], x[b], n[b])
		if err != nil {
			return GroupTestResult{}, err
		}
		res.Method, res.P, res.Defined = TestFisher, p, true
		return res, nil
	}
	stat, defined := trendStatistic(x, n, s)
	res.Method, res.Statistic, res.Defined = TestTrend, stat, defined
	if defined {
		res.P = chiSq1Upper(stat)
	}
	return res, nil
}

// checkGroups checks at least two groups and their counts.
func checkGroups(what string, x, n []int) error {
	if len(x) < 2 {
		return invalidf("%s: %d groups; it needs at least 2", what, len(x))
	}
	return checkGroupCounts(what, x, n)
}

// checkGroupCounts checks len(n) = len(x) and 0 ≤ x[i] ≤ n[i] ≤ MaxCount.
func checkGroupCounts(what string, x, n []int) error {
	if len(n) != len(x) {
		return invalidf("%s: %d counts but %d group sizes", what, len(x), len(n))
	}
	for i := range x {
		switch {
		case n[i] < 0:
			return invalidf("%s: group %d: size %d is negative", what, i+1, n[i])
		case n[i] > MaxCount:
			return invalidf("%s: group %d: size %d exceeds %d", what, i+1, n[i], MaxCount)
		case x[i] < 0:
			return invalidf("%s: group %d: count %d is negative", what, i+1, x[i])
		case x[i] > n[i]:
			return invalidf("%s: group %d: count %d is larger than the group size %d", what, i+1, x[i], n[i])
		}
	}
	return nil
}

// groupScores returns the scores to use: 1, 2, 3, … for nil, else a copy of
// scores after checking its length and that every score is finite.
func groupScores(what string, groups int, scores []float64) ([]float64, error) {
	if scores == nil {
		s := make([]float64, groups)
		for i := range s {
			s[i] = float64(i + 1)
		}
		return s, nil
	}
	if len(scores) != groups {
		return nil, invalidf("%s: %d scores for %d groups", what, len(scores), groups)
	}
	for i, v := range scores {
		if math.IsNaN(v) || math.IsInf(v, 0) {
			return nil, invalidf("%s: group %d: score %v is not a finite number", what, i+1, v)
		}
	}
	return append([]float64(nil), scores...), nil
}
