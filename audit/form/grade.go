package form

import (
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/textdist"
)

// Grade is an auditor's judgement of a case. The zero value means no grade.
type Grade int

// Grades, best first.
const (
	NoGrade Grade = iota
	Outstanding
	Good
	RequiresImprovement
	Inadequate
)

// Grades lists the grades best first.
var Grades = []Grade{Outstanding, Good, RequiresImprovement, Inadequate}

// GradeNames are the grades' full names, best first: a grade question's
// answers.
func GradeNames() []string {
	out := make([]string, len(Grades))
	for i, g := range Grades {
		out[i] = g.String()
	}
	return out
}

// String returns the grade's full name ("" for NoGrade).
func (g Grade) String() string {
	switch g {
	case Outstanding:
		return "Outstanding"
	case Good:
		return "Good"
	case RequiresImprovement:
		return "Requires improvement"
	case Inadequate:
		return "Inadequate"
	}
	return ""
}

// ParseGrade reads a grade: full names or short forms (outstanding/o,
// good/g, requires improvement/requires-improvement/ri, inadequate/i),
// ignoring case and surrounding spaces.
func ParseGrade(s string) (Grade, error) {
	switch gradeKey(s) {
	case "outstanding", "o":
		return Outstanding, nil
	case "good", "g":
		return Good, nil
	case "requires improvement", "ri":
		return RequiresImprovement, nil
	case "inadequate", "i":
		return Inadequate, nil
	}
	return NoGrade, fmt.Errorf("%q is not a grade; %suse Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)", strings.TrimSpace(s), DidYouMeanGrade(s))
}

// gradeKey is s as ParseGrade compares it: lower case, "-" and "_" as
// spaces, runs of spaces as one.
func gradeKey(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(s)), " "))
}

// SuggestGrade is the grade s, which is none, was clearly meant to be: the
// one grade whose full name s begins ("requires", "inad"), or else the one
// grade nearest to it by edit distance within a slip (two edits, or a
// third of its length for a longer one: "Requires improvment", "Goood"),
// ignoring case. ok is false when no grade is clearly meant — none is
// near, or two are as near — as for "Excellent" or "Fair". It is only
// ever offered, never taken in s's place.
func SuggestGrade(s string) (g Grade, ok bool) {
	k := gradeKey(s)
	if k == "" {
		return NoGrade, false
	}
	var prefixed []Grade
	for _, g := range Grades {
		if strings.HasPrefix(strings.ToLower(g.String()), k) {
			prefixed = append(prefixed, g)
		}
	}
	if len(prefixed) == 1 {
		return prefixed[0], true
	}
	near := textdist.Closest(k, GradeNames(), 2)
	if len(near) != 1 {
		return NoGrade, false
	}
	for _, g := range Grades {
		if g.String() == near[0] {
			return g, true
		}
	}
	return NoGrade, false
}

// DidYouMeanGrade is `did you mean "Good"? ` when s, which is no grade,
// was clearly meant to be one (SuggestGrade), for the messages refusing
// it; "" otherwise.
func DidYouMeanGrade(s string) string {
	if g, ok := SuggestGrade(s); ok {
		return fmt.Sprintf("did you mean %q? ", g.String())
	}
	return ""
}

// ParseYesNo reads an immediate-attention answer: yes/no, y/n, true/false,
// ignoring case and surrounding spaces.
func ParseYesNo(s string) (bool, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "yes", "y", "true":
		return true, nil
	case "no", "n", "false":
		return false, nil
	}
	return false, fmt.Errorf("%q is not yes or no; use Yes or No", strings.TrimSpace(s))
}
