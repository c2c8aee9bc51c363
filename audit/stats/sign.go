package stats

import "math"

// SignTest is the two-sided sign test of whether disagreements fall one way
// more often than the other: with higher and lower the pairs differing in
// each direction (ties left out), the exact binomial test of higher out of
// higher+lower against one half, as R's binom.test(higher, higher+lower).
// Its p-value is 2·P(X ≤ min(higher, lower)), at most 1; 1 when there is no
// disagreement.
func SignTest(higher, lower int) (float64, error) {
	if higher < 0 || lower < 0 {
		return 0, invalidf("sign test: %d and %d disagreements; counts cannot be negative", higher, lower)
	}
	n := higher + lower
	if n == 0 || higher == lower {
		return 1, nil
	}
	p := 2 * math.Exp(logBinomLE(min(higher, lower), n, 0.5))
	return math.Min(1, p), nil
}
