package form

import "testing"

// A misspelt grade is offered the grade clearly meant — a unique prefix of
// a grade's name, or the one grade within a slip's edit distance — and
// nothing when no grade, or more than one, is as near; ParseGrade still
// refuses it, naming the suggestion.
func TestSuggestGrade(t *testing.T) {
	for _, c := range []struct {
		in   string
		want Grade
	}{
		{"Requires improvment", RequiresImprovement},
		{"requires  improvemnt", RequiresImprovement},
		{"REQUIRES", RequiresImprovement},
		{"req", RequiresImprovement},
		{"Goood", Good},
		{"god", Good},
		{"inadequte", Inadequate},
		{"Inadequat", Inadequate},
		{"outstandng", Outstanding},
		{"out", Outstanding},
		{"Excellent", NoGrade},
		{"Superb", NoGrade},
		{"Fair", NoGrade},
		{"bad", NoGrade},
		{"ok", NoGrade},
		{"", NoGrade},
		{"x", NoGrade},
	} {
		g, ok := SuggestGrade(c.in)
		if g != c.want || ok != (c.want != NoGrade) {
			t.Errorf("SuggestGrade(%q) = %v, %v; want %v", c.in, g, ok, c.want)
		}
		if _, err := ParseGrade(c.in); err == nil {
			t.Errorf("ParseGrade(%q) took it as a grade; a suggestion is never taken in its place", c.in)
		}
	}
	_, err := ParseGrade("Requires improvment")
	if want := `"Requires improvment" is not a grade; did you mean "Requires improvement"? use Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)`; err == nil || err.Error() != want {
		t.Errorf("ParseGrade: %v\nwant %s", err, want)
	}
	_, err = ParseGrade("Excellent")
	if want := `"Excellent" is not a grade; use Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)`; err == nil || err.Error() != want {
		t.Errorf("ParseGrade: %v\nwant %s", err, want)
	}
}
