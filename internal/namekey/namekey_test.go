package namekey

import (
	"testing"
	"unicode"
)

func TestSame(t *testing.T) {
	for _, c := range []struct {
		a, b string
		same bool
	}{
		{"ŁUKASZ WÓJCIK", "Łukasz Wójcik", true},
		{"ÉLODIE\u00a0 DUPONT", " élodie dupont\u2003", true},
		{"ΟΔΥΣΣΕΥΣ ΠΑΠΑΣ", "Οδυσσευς Παπας", true}, // final sigma
		{"Ὀδυσσεύς", "ὀδυσσεύσ", true},
		{"Gſell", "GSELL", true},                 // long s
		{"İLKAY YILDIZ", "İlkay Yıldız", true},   // dotted capital, dotless small
		{"İlkay Yıldız", "ilkay yildiz", true},   // as typed without Turkish letters
		{"\u212a. Khan", "k. khan", true},        // Kelvin sign
		{"\u00b5. Patel", "\u03bc. patel", true}, // micro sign and mu
		{"ẞ. Strauß", "ß. strauß", true},         // capital and small sharp s
		{"Strauss", "Strauß", false},             // no mapping changes a name's length
		{"A. Khan", "A.Khan", false},             // white space is not nothing
		{"A.\u200bKhan", "A. Khan", false},       // zero-width space is no space to Go
		{"B. Evans", "B. Evens", false},
	} {
		if got := Same(c.a, c.b); got != c.same {
			t.Errorf("Same(%q, %q) = %v, want %v (keys %q, %q)", c.a, c.b, got, c.same, Key(c.a), Key(c.b))
		}
	}
}

// TestKeyMergesWhatEqualFoldDoes: every pair of letters strings.EqualFold
// takes for one (unicode.SimpleFold's orbits) has one key, so no name
// caseaudit took for one person before is taken for two now.
func TestKeyMergesWhatEqualFoldDoes(t *testing.T) {
	for r := rune(0); r <= unicode.MaxRune; r++ {
		for f := unicode.SimpleFold(r); f != r; f = unicode.SimpleFold(f) {
			if Fold(f) != Fold(r) {
				t.Errorf("%U and %U are one to strings.EqualFold, keyed %U and %U", r, f, Fold(r), Fold(f))
			}
		}
	}
}

func TestSpellings(t *testing.T) {
	var s Spellings
	for _, n := range []string{"a. khan", "A. Khan", "A.  Khan", "B. Evans", "İlkay Yıldız", "ILKAY YILDIZ", "Ilkay Yildiz"} {
		s.Add(n)
	}
	for _, c := range []struct{ name, want string }{
		{"A. KHAN", "A. Khan"},              // used twice (spacing collapsed), against once
		{"b. evans", "B. Evans"},            // the one spelling
		{"ilkay yildiz", "Ilkay Yildiz"},    // three used once each: the latest
		{" İLKAY  YILDIZ ", "Ilkay Yildiz"}, // whatever spelling asks
	} {
		if got, ok := s.Of(c.name); !ok || got != c.want {
			t.Errorf("Of(%q) = %q, %v; want %q", c.name, got, ok, c.want)
		}
	}
	if got, ok := s.Of("C. Diaz"); ok || got != "" {
		t.Errorf("Of a name never added = %q, %v", got, ok)
	}
}
