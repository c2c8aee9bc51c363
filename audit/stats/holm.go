package stats

import (
	"math"
	"slices"
)

// Holm returns Holm's step-down adjustment of p-values for the number of
// tests made, exactly R's p.adjust(p, method = "holm"): with the p-values
// in ascending order p(1) ≤ … ≤ p(m), the adjusted p(i) is
// max over j ≤ i of min(1, (m − j + 1)·p(j)), returned in the order given.
// It controls the chance of any false "significant" result among the m
// tests at the level the adjusted p-values are compared with, without
// assuming the tests independent. Errors wrap [ErrInvalid]: a p-value
// that is NaN or outside 0 to 1.
func Holm(p []float64) ([]float64, error) {
	for i, v := range p {
		if math.IsNaN(v) || v < 0 || v > 1 {
			return nil, invalidf("holm: p-value %d is %v; it must be from 0 to 1", i+1, v)
		}
	}
	m := len(p)
	order := make([]int, m)
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case p[a] < p[b]:
			return -1
		case p[a] > p[b]:
			return 1
		}
		return 0
	})
	out := make([]float64, m)
	run := 0.0
	for j, i := range order {
		v := math.Min(1, float64(m-j)*p[i])
		run = math.Max(run, v)
		out[i] = run
	}
	return out, nil
}
