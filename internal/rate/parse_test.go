package rate

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"testing"
)

func TestParseAccepts(t *testing.T) {
	cases := []struct {
		kind Kind
		in   string
		want float64
	}{
		// Five percent, every way.
		{Share, "5%", 0.05}, {Share, "5 %", 0.05}, {Share, "0.05", 0.05}, {Share, ".05", 0.05},
		{Share, " 5%\t", 0.05}, {Share, "5\u00a0%", 0.05}, {Share, "5\u202f%", 0.05}, {Share, "05%", 0.05},
		{Share, "5.%", 0.05}, {Share, "5.0%", 0.05}, {Share, "0.050", 0.05},
		// A bare fraction below 1 is a fraction: 0.5 is fifty percent.
		{Share, "0.5", 0.5}, {Share, "2.5%", 0.025}, {Share, "0.025", 0.025}, {Share, ".5%", 0.005},
		{Share, "99.9%", 0.999}, {Share, "0.999", 0.999}, {Share, "12.345%", 0.12345},
		{Share, "0.0000001%", 1e-9},
		// Limits allow 0 (fail on any case); --fail-above 0.5 is 50%.
		{Limit, "0", 0}, {Limit, "0%", 0}, {Limit, "0.0", 0}, {Limit, "0.5", 0.5}, {Limit, "5%", 0.05},
		{Limit, "99.99%", 0.9999},
		// Confidence from 50%.
		{Confidence, "95%", 0.95}, {Confidence, "0.95", 0.95}, {Confidence, "99%", 0.99}, {Confidence, "99.9%", 0.999},
		{Confidence, "50%", 0.5}, {Confidence, "0.5", 0.5}, {Confidence, "99.99999999%", 0.9999999999},
		{Confidence, ".999", 0.999},
		// A percentage of the population: a bare number is percent.
		{PercentOf, "0.05", 0.05}, {PercentOf, "5%", 0.05}, {PercentOf, "5 %", 0.05}, {PercentOf, ".05", 0.05},
		{PercentOf, "100%", 1}, {PercentOf, "0.5%", 0.005}, {PercentOf, "0.5", 0.5}, {PercentOf, "12.5%", 0.125},
	}
	for _, c := range cases {
		got, err := c.kind.Parse(c.in)
		if err != nil || got != c.want {
			t.Errorf("%v.Parse(%q) = %v, %v; want %v", c.kind, c.in, got, err, c.want)
		}
	}
	// Parse is Share.Parse.
	if v, err := Parse("2.5%"); err != nil || v != 0.025 {
		t.Errorf("Parse(2.5%%) = %v, %v", v, err)
	}
}

// The float64 returned is the nearest to the decimal written: one rounding,
// never a division of a rounded percentage by 100.
func TestParseNearest(t *testing.T) {
	for _, pct := range []string{"2.5", "12.345", "7", "0.1", "33.333333333333333333", "1.15", "4.35", "57.7", "99.99999999"} {
		want, _ := strconv.ParseFloat(pct+"e-2", 64)
		got, err := Parse(pct + "%")
		if err != nil || got != want {
			t.Errorf("Parse(%s%%) = %v, %v; want the nearest float64 %v", pct, got, err, want)
		}
	}
}

func TestParseRefuses(t *testing.T) {
	cases := []struct {
		kind    Kind
		in      string
		problem Problem
		msg     string // a part of the message
	}{
		{Share, "", Empty, `"": no rate given; write a percentage such as 2.5%, or a fraction such as 0.025`},
		{Share, "  ", Empty, "no rate given"},
		// A bare number of 1 or more is ambiguous: "--fail-above 1" could
		// mean 1% or 100%, "--tolerable 5" 5% or 500%.
		{Share, "5", Ambiguous, `"5": write 5% for 5 percent, or 0.05`},
		{Share, "2.5", Ambiguous, `"2.5": write 2.5% for 2.5 percent, or 0.025`},
		{Share, "1", Ambiguous, `"1": write 1% for 1 percent, or 0.01`},
		{Share, "1.0", Ambiguous, "write 1.0% for 1.0 percent, or 0.01"},
		{Share, "150", Ambiguous, "a bare number means a fraction here, below 1"},
		{Limit, "1", Ambiguous, `"1": write 1% for 1 percent, or 0.01`},
		{Limit, "5", Ambiguous, "write 5% for 5 percent, or 0.05"},
		{Confidence, "1", Ambiguous, "a bare number means a fraction here, below 1; write a percentage such as 95%, or a fraction such as 0.95"},
		{Confidence, "95", Ambiguous, `"95": write 95% for 95 percent, or 0.95`},
		{Confidence, "99.9", Ambiguous, "write 99.9% for 99.9 percent, or 0.999"},
		{PercentOf, "5", Ambiguous, `"5": write 5% for 5 percent, or 0.05`},
		{PercentOf, "1", Ambiguous, `"1": write 1% for 1 percent, or 0.01`},
		// Out of range.
		{Share, "0", TooLow, "give a rate above 0%"},
		{Share, "0%", TooLow, "give a rate above 0%"},
		{Share, "100%", TooHigh, "give a rate below 100%"},
		{Share, "250%", TooHigh, "below 100%"},
		{Limit, "100%", TooHigh, "from 0% up to, but not including, 100%"},
		{Confidence, "0.4", TooLow, "a confidence below 50% is more likely wrong than right"},
		{Confidence, "40%", TooLow, "give 50% or more"},
		{Confidence, "49.99999%", TooLow, "50% or more"},
		{Confidence, "100%", TooHigh, "give a confidence below 100%"},
		{Confidence, "99.99999999999999999%", TooHigh, "below 100%"}, // rounds to 1.0
		{Confidence, "0.99999999999999999", TooHigh, "below 100%"},
		{PercentOf, "0", TooLow, "above 0%"},
		{PercentOf, "0%", TooLow, "above 0%"},
		{PercentOf, "100.5%", TooHigh, "at most 100%"},
		{PercentOf, "101%", TooHigh, "at most 100%"},
		{Share, "0." + strings.Repeat("0", 350) + "1", TooLow, "above 0%"}, // underflows to 0
		// Not numbers.
		{Share, "NaN", NotFinite, `"NaN": not a number`},
		{Share, "nan%", NotFinite, "not a number"},
		{Share, "Inf", NotFinite, "not a number"},
		{Share, "+Inf", NotFinite, "not a number"},
		{Share, "-inf", NotFinite, "not a number"},
		{Share, "infinity", NotFinite, "not a number"},
		{Share, "∞%", NotFinite, "not a number"},
		{Share, "abc", Syntax, `"abc": not a rate; write a percentage such as 2.5%`},
		{Share, "5%%", Syntax, "not a rate"},
		{Share, "%5", Syntax, "not a rate"},
		{Share, "5e-2", Syntax, "not a rate"},
		{Share, "0x10", Syntax, "not a rate"},
		{Share, "1.2.3", Syntax, "not a rate"},
		{Share, ".", Syntax, "not a rate"},
		{Share, "%", Syntax, "not a rate"},
		{Share, "+5%", Syntax, "not a rate"},
		{Share, "5 percent", Syntax, "not a rate"},
		{Share, "5 5%", Separator, "thousands separator"},
		{Share, "five", Syntax, "not a rate"},
		{Share, strings.Repeat("1", 401), Syntax, "not a rate"},
		{Share, "-5%", Negative, `"-5%": a rate cannot be negative`},
		{Share, "−5%", Negative, "cannot be negative"},
		{Limit, "-0", Negative, "cannot be negative"},
		{Share, "-x", Syntax, "not a rate"},
		// Thousands separators and decimal commas.
		{Share, "1,000", Separator, `"1,000": a thousands separator does not belong in a rate`},
		{Share, "1,000%", Separator, "thousands separator"},
		{PercentOf, "1,000", Separator, "thousands separator"},
		{Share, "1 000%", Separator, "thousands separator"},
		{Share, "1_000", Separator, "thousands separator"},
		{Share, "1'000", Separator, "thousands separator"},
		{Share, "12,500.5", Separator, "thousands separator"},
		{Share, "2,5%", DecimalComma, `"2,5%": write the decimal point as a point: 2.5%`},
		{Share, "0,05", DecimalComma, "write the decimal point as a point: 0.05"},
		{Share, "0,050", DecimalComma, "0.050"},
		{Confidence, "99,9 %", DecimalComma, "99.9 %"},
	}
	for _, c := range cases {
		v, err := c.kind.Parse(c.in)
		var e *Error
		if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) {
			t.Errorf("%v.Parse(%q) = %v, %v; want an *Error", c.kind, c.in, v, err)
			continue
		}
		if e.Problem != c.problem || e.Input != c.in || e.Kind != c.kind || v != 0 {
			t.Errorf("%v.Parse(%q): %+v; want problem %v", c.kind, c.in, e, c.problem)
		}
		msg := err.Error()
		if !strings.Contains(msg, c.msg) {
			t.Errorf("%v.Parse(%q): message %q does not contain %q", c.kind, c.in, msg, c.msg)
		}
		if !strings.HasPrefix(msg, strconv.Quote(c.in)+": ") {
			t.Errorf("%v.Parse(%q): message %q does not start with the input", c.kind, c.in, msg)
		}
		// Messages never name a flag or config key: the caller adds them.
		for _, w := range []string{"--", "tolerable", "fail", "_", "percent flag", "confidence:"} {
			if strings.Contains(strings.TrimPrefix(msg, strconv.Quote(c.in)), w) {
				t.Errorf("%v.Parse(%q): message %q names %q", c.kind, c.in, msg, w)
			}
		}
	}
}

// The values carried by errors.
func TestErrorValues(t *testing.T) {
	_, err := Confidence.Parse("40%")
	var e *Error
	if !errors.As(err, &e) || e.Value != 0.4 || e.Problem != TooLow {
		t.Errorf("40%%: %+v", e)
	}
	_, err = Share.Parse("5")
	if !errors.As(err, &e) || e.Value != 5 || e.Problem != Ambiguous {
		t.Errorf("5: %+v", e)
	}
	_, err = Share.Parse(strings.Repeat("9", 350))
	if !errors.As(err, &e) || e.Value != math.MaxFloat64 {
		t.Errorf("huge: %+v", e)
	}
	// A caller's prefix reads naturally.
	if got := "--tolerable " + err.Error(); !strings.HasPrefix(got, `--tolerable "999`) {
		t.Errorf("prefixed: %s", got)
	}
}

func TestCheck(t *testing.T) {
	for _, c := range []struct {
		k  Kind
		v  float64
		ok bool
	}{
		{Share, 0.05, true}, {Share, 0, false}, {Share, 1, false}, {Limit, 0, true}, {Limit, 1, false},
		{Confidence, 0.5, true}, {Confidence, 0.4999, false}, {Confidence, 1, false}, {PercentOf, 1, true},
		{PercentOf, 0, false}, {Share, math.NaN(), false}, {Limit, math.Inf(1), false}, {Share, -0.1, false},
	} {
		err := c.k.Check(c.v)
		if (err == nil) != c.ok || (err != nil && !errors.Is(err, ErrInvalid)) {
			t.Errorf("%v.Check(%v) = %v", c.k, c.v, err)
		}
	}
	err := Confidence.Check(0.4)
	if err == nil || err.Error() != `"40%": a confidence below 50% is more likely wrong than right; give 50% or more, such as 95%` {
		t.Errorf("Check(0.4): %v", err)
	}
}

// FuzzParse: every kind either accepts a value in its range, which reads
// back the same from its Exact form and ignores surrounding spaces, or
// refuses it with an *Error whose message starts with the input. Never a
// panic, NaN or Inf.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"5%", "5 %", "0.05", ".05", "0.5", "5", "1", "1,000", "2,5%", "NaN", "-5%", "",
		"99.99999999%", "100", "0", "0.0000001%", "1e5", "٣%", "5\u00a0%", "１%", "0,050"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, k := range []Kind{Share, Limit, Confidence, PercentOf} {
			v, err := k.Parse(s)
			if err != nil {
				var e *Error
				if !errors.As(err, &e) || !errors.Is(err, ErrInvalid) || v != 0 {
					t.Fatalf("%v.Parse(%q): %v (%T)", k, s, err, err)
				}
				if !strings.HasPrefix(err.Error(), strconv.Quote(s)+": ") || math.IsNaN(e.Value) || math.IsInf(e.Value, 0) {
					t.Fatalf("%v.Parse(%q): %q %+v", k, s, err, e)
				}
				continue
			}
			if math.IsNaN(v) || math.IsInf(v, 0) || k.Check(v) != nil {
				t.Fatalf("%v.Parse(%q) = %v, outside the kind's range", k, s, v)
			}
			back, err := k.Parse(Exact(v))
			if err != nil || back != v {
				t.Fatalf("%v.Parse(Exact(%v) = %q) = %v, %v", k, v, Exact(v), back, err)
			}
			if w, err := k.Parse(" " + s + "\t"); err != nil || w != v {
				t.Fatalf("%v.Parse with spaces around %q = %v, %v; want %v", k, s, w, err, v)
			}
			// Formatting the value never fails or shows NaN.
			for _, r := range []Rounding{Nearest, Down, Up} {
				if p := Percent(v, 1, r); strings.Contains(p, "NaN") || p == notDefined {
					t.Fatalf("Percent(%v) = %q", v, p)
				}
			}
		}
	})
}

// FuzzExactRoundTrip: every share in (0, 1) written by Exact reads back as
// the same float64.
func FuzzExactRoundTrip(f *testing.F) {
	for _, v := range []float64{0.025, pointOne + pointTwo, 5e-324, math.Nextafter(1, 0), 1.0 / 3, 0.95} {
		f.Add(v)
	}
	f.Fuzz(func(t *testing.T, v float64) {
		if !(v > 0 && v < 1) {
			return
		}
		s := Exact(v)
		back, err := Share.Parse(s)
		if err != nil || back != v {
			t.Fatalf("Share.Parse(Exact(%v) = %q) = %v, %v", v, s, back, err)
		}
	})
}
