package stats

import (
	"math"
	"testing"
)

// The figures in /work/shared/reference/statistics.md (R 4.2, cross-checked
// with mpmath) are printed with 9 decimals. "Equal to 1e-9 relative" is
// checked as an absolute difference of at most 5e-10 from the printed digits,
// that is agreement to every printed digit after rounding.
const printedTol = 5e-10

func near(t *testing.T, what string, got, want, tol float64) {
	t.Helper()
	if math.IsNaN(got) || math.Abs(got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g (±%g)", what, got, want, tol)
	}
}

func TestReferenceIntervals(t *testing.T) {
	cp, err := ClopperPearson(3, 90, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Clopper–Pearson 3/90 lower", cp.Lower, 0.006927603, printedTol)
	near(t, "Clopper–Pearson 3/90 upper", cp.Upper, 0.094336093, printedTol)
	if cp.Method != MethodClopperPearson || cp.Confidence != 0.95 || cp.Estimate != 3.0/90 {
		t.Errorf("interval labels = %+v", cp)
	}

	cp, err = ClopperPearson(0, 120, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if cp.Lower != 0 {
		t.Errorf("Clopper–Pearson 0/120 lower = %g, want exactly 0", cp.Lower)
	}
	near(t, "Clopper–Pearson 0/120 upper", cp.Upper, 0.030272973, printedTol)

	up, err := UpperOneSided(0, 120, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "one-sided upper 0/120", up, 0.024655401, printedTol)

	w, err := Wilson(3, 90, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	near(t, "Wilson 3/90 lower", w.Lower, 0.011400390, printedTol)
	near(t, "Wilson 3/90 upper", w.Upper, 0.093472860, printedTol)
	if w.Method != MethodWilson {
		t.Errorf("Wilson method = %q", w.Method)
	}

	w, err = Wilson(0, 120, 0.95)
	if err != nil {
		t.Fatal(err)
	}
	if w.Lower != 0 {
		t.Errorf("Wilson 0/120 lower = %g, want exactly 0", w.Lower)
	}
	near(t, "Wilson 0/120 upper", w.Upper, 0.031019166, printedTol)
}

func TestReferenceFisher(t *testing.T) {
	p, err := FisherExact(3, 90, 0, 120)
	if err != nil {
		t.Fatal(err)
	}
	// Printed with 8 decimals in the reference: half a unit of the last digit.
	near(t, "Fisher 3/90 vs 0/120", p, 0.07721226, 5e-9)
}

func TestReferenceSampleSizes(t *testing.T) {
	cases := []struct {
		p    SampleSizeParams
		want int
	}{
		{SampleSizeParams{Method: Binomial, Tolerable: 0.025, Confidence: 0.95}, 119},
		{SampleSizeParams{Method: Poisson, Tolerable: 0.025, Confidence: 0.95}, 120},
		{SampleSizeParams{Method: Hypergeometric, Tolerable: 0.025, Confidence: 0.95, Population: 3000}, 117},
		{SampleSizeParams{Method: Binomial, Tolerable: 0.05, Confidence: 0.95, ExpectedErrors: 1}, 93},
	}
	for _, c := range cases {
		got, err := SampleSize(c.p)
		if err != nil {
			t.Errorf("%+v: %v", c.p, err)
			continue
		}
		if got != c.want {
			t.Errorf("%+v: n = %d, want %d", c.p, got, c.want)
		}
	}
}
