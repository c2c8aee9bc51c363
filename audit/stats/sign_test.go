package stats

import (
	"math"
	"testing"
)

// Reference values from R 4: binom.test(x, n)$p.value.
func TestSignTest(t *testing.T) {
	for _, c := range []struct {
		higher, lower int
		p             float64
	}{
		{7, 1, 0.0703125},           // binom.test(7, 8)$p.value
		{1, 7, 0.0703125},           // binom.test(1, 8)$p.value
		{9, 0, 0.00390625},          // binom.test(9, 9)$p.value
		{12, 3, 0.03515625},         // binom.test(12, 15)$p.value
		{40, 22, 0.0300158643491},   // binom.test(40, 62)$p.value
		{5, 5, 1},                   // binom.test(5, 10)$p.value
		{0, 0, 1},                   // no disagreement
		{1, 0, 1},                   // binom.test(1, 1)$p.value
		{300, 250, 0.0365787455491}, // binom.test(300, 550)$p.value
	} {
		p, err := SignTest(c.higher, c.lower)
		if err != nil || math.Abs(p-c.p) > 1e-9*math.Max(c.p, 1e-3) {
			t.Errorf("SignTest(%d, %d) = %.12g, %v; want %.12g", c.higher, c.lower, p, err, c.p)
		}
	}
	if _, err := SignTest(-1, 2); err == nil {
		t.Error("a negative count passed")
	}
}
