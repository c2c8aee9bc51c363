package sample

import (
	"slices"
	"testing"
)

// Expected shares are worked out by hand from the definitions in Allocate's
// doc comment.
func TestAllocate(t *testing.T) {
	cases := []struct {
		name   string
		size   int
		pops   []int
		method string
		min    int
		want   []int
	}{
		{"exact proportions", 10, []int{50, 30, 20}, Proportional, 0, []int{5, 3, 2}},
		// quotas 4.5, 3.5, 2: the tied remainder goes to the larger stratum
		{"largest remainder tie", 10, []int{45, 35, 20}, Proportional, 0, []int{5, 3, 2}},
		// quotas 3.47, 3.47, 3.06 (of 120, 120, 106 = 346): floors 3,3,3, one left for the first largest
		{"remainder to largest fraction", 10, []int{120, 120, 106}, Proportional, 0, []int{4, 3, 3}},
		{"equal", 10, []int{50, 30, 20}, Equal, 0, []int{4, 3, 3}},
		{"equal with a small stratum capped", 10, []int{50, 30, 2}, Equal, 0, []int{4, 4, 2}},
		{"minimum per stratum", 10, []int{90, 9, 1}, Proportional, 2, []int{7, 2, 1}},
		{"proportional cap never binds above population", 6, []int{3, 3}, Proportional, 0, []int{3, 3}},
		{"everything", 100, []int{50, 30, 20}, Proportional, 0, []int{50, 30, 20}},
		{"one stratum", 7, []int{12}, Equal, 3, []int{7}},
	}
	for _, c := range cases {
		got, err := Allocate(c.size, c.pops, c.method, c.min)
		if err != nil {
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		if !slices.Equal(got, c.want) {
			t.Errorf("%s: Allocate(%d, %v, %s, %d) = %v, want %v", c.name, c.size, c.pops, c.method, c.min, got, c.want)
		}
	}
}

func TestAllocateSumsToSize(t *testing.T) {
	pops := []int{1, 2, 3, 5, 8, 13, 21, 34, 55, 89}
	for _, method := range []string{Proportional, Equal} {
		for size := 1; size <= 231; size++ {
			for _, min := range []int{0, 1, 3} {
				got, err := Allocate(size, pops, method, min)
				if err != nil {
					continue // the minimum may need more than the size
				}
				sum := 0
				for i, g := range got {
					sum += g
					if g > pops[i] || g < 0 {
						t.Fatalf("%s size %d min %d: stratum %d gets %d of %d", method, size, min, i, g, pops[i])
					}
					if g < min && g < pops[i] {
						t.Fatalf("%s size %d min %d: stratum %d gets %d, below the minimum", method, size, min, i, g)
					}
				}
				if sum != size {
					t.Fatalf("%s size %d min %d: shares %v sum to %d", method, size, min, got, sum)
				}
			}
		}
	}
}

func TestAllocateErrors(t *testing.T) {
	if _, err := Allocate(11, []int{5, 5}, Proportional, 0); err == nil {
		t.Error("size above the population: want an error")
	}
	if _, err := Allocate(5, []int{5, 5, 5}, Proportional, 2); err == nil {
		t.Error("minimum needing more than the size: want an error")
	}
	if _, err := Allocate(5, []int{5, 5}, "neyman", 0); err == nil {
		t.Error("unknown method: want an error")
	}
}

func TestSizeForShare(t *testing.T) {
	cases := []struct {
		share float64
		pop   int
		want  int
	}{{0.05, 3000, 150}, {0.05, 2990, 150}, {0.05, 2981, 150}, {0.05, 2980, 149}, {0.005, 3000, 15}, {1, 7, 7}, {0.1, 1, 1},
		// 0.07 × 100 is 7.000000000000001 in floating point; 7% of 100 is 7.
		{0.07, 100, 7}, {0.07, 300, 21}, {0.29, 100, 29}, {0.57, 100, 57}}
	for _, c := range cases {
		got, err := SizeForShare(c.share, c.pop)
		if err != nil || got != c.want {
			t.Errorf("SizeForShare(%v, %d) = %d, %v; want %d", c.share, c.pop, got, err, c.want)
		}
	}
	for _, bad := range []float64{0, -0.01, 1.01} {
		if _, err := SizeForShare(bad, 10); err == nil {
			t.Errorf("share %v: want an error", bad)
		}
	}
}
