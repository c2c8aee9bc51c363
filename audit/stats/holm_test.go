package stats

import (
	"errors"
	"math"
	"testing"
)

// Holm's correction against R's p.adjust(method = "holm") (the script is
// testdata/factors_reference.R; R 4.2.2).
func TestHolmReference(t *testing.T) {
	cases := []struct{ p, want []float64 }{
		{[]float64{0.0123, 0.04, 0.5, 0.0007, 0.2, 0.049}, []float64{0.0615, 0.16, 0.5, 0.0042, 0.4, 0.16}},
		{[]float64{0.01, 0.01, 0.03}, []float64{0.03, 0.03, 0.03}},
		{[]float64{1e-10, 0.9}, []float64{2e-10, 0.9}},
		{[]float64{0.3}, []float64{0.3}},
		{[]float64{}, []float64{}},
	}
	for _, c := range cases {
		got, err := Holm(c.p)
		if err != nil {
			t.Fatal(err)
		}
		if len(got) != len(c.want) {
			t.Fatalf("Holm(%v) = %v, want %v", c.p, got, c.want)
		}
		for i := range got {
			if math.Abs(got[i]-c.want[i]) > 1e-15*math.Max(1, c.want[i]) {
				t.Errorf("Holm(%v)[%d] = %.17g, want %.17g", c.p, i, got[i], c.want[i])
			}
		}
	}
	for _, bad := range [][]float64{{math.NaN()}, {-0.1}, {1.5}} {
		if _, err := Holm(bad); !errors.Is(err, ErrInvalid) {
			t.Errorf("Holm(%v): %v", bad, err)
		}
	}
}

// The tests the Factors section makes of timeliness, against R
// (testdata/factors_reference.R): Fisher's test of within against late,
// and the trend across within, late and overdue.
func TestTimelinessTestsReference(t *testing.T) {
	p, err := FisherExact(3, 40, 9, 25)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "fisher 3/40 vs 9/25", p, 0.0070769406075592, 1e-14)
	p, err = FisherExact(4, 60, 10, 30)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "fisher 4/60 vs 10/30", p, 0.00184549979678577, 1e-14)
	tr, err := TrendTest([]int{3, 9, 7}, []int{40, 25, 12}, nil)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "trend statistic", tr.Statistic, 15.31129172256, 1e-10)
	near(t, "trend p", tr.P, 9.11699154341e-05, 1e-15)
	iv, err := ClopperPearson(1, 90, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Clopper–Pearson 1/90 lower", iv.Lower, 0.000281269413942739, 1e-15)
	near(t, "Clopper–Pearson 1/90 upper", iv.Upper, 0.060357480574731892, 1e-15)
}
