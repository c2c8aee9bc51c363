package form

import (
	"fmt"
	"strings"
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
	k := strings.ToLower(strings.Join(strings.Fields(strings.NewReplacer("-", " ", "_", " ").Replace(s)), " "))
	switch k {
	case "outstanding", "o":
		return Outstanding, nil
	case "good", "g":
		return Good, nil
	case "requires improvement", "ri":
		return RequiresImprovement, nil
	case "inadequate", "i":
		return Inadequate, nil
	}
	return NoGrade, fmt.Errorf("%q is not a grade; use Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)", strings.TrimSpace(s))
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
