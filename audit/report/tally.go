package report

import (
	"sort"

	"github.com/caseaudit/caseaudit/audit"
)

// Tallies of the audit form's answers, for the report's focus areas.

// tallyArea is the tally of one form question over an audit's findings.
type tallyArea struct {
	Key     string
	Label   string
	Kind    string
	Answers map[string]int // answer (canonical spelling) → number of cases
	// Graded counts the answers on the four-point scale (grade questions;
	// Not applicable and unanswered excluded); GoodOrBetter is the share of
	// them Outstanding or Good (0 when Graded is 0).
	Graded       int
	GoodOrBetter float64
}

// tally counts the answers to each question of form over findings (the
// latest finding per case), in form order.
func tally(form *audit.Form, findings []audit.Finding) []tallyArea {
	if form == nil {
		return nil
	}
	out := make([]tallyArea, len(form.Questions))
	for i, q := range form.Questions {
		fa := tallyArea{Key: q.Key, Label: q.Label, Kind: q.Kind, Answers: map[string]int{}}
		good := 0
		for _, f := range findings {
			v, ok := f.Answers[q.Key]
			if !ok || v == "" {
				continue
			}
			fa.Answers[v]++
			if q.Kind == audit.QuestionGrade {
				if g, err := audit.ParseGrade(v); err == nil {
					fa.Graded++
					if g == audit.Outstanding || g == audit.Good {
						good++
					}
				}
			}
		}
		if fa.Graded > 0 {
			fa.GoodOrBetter = float64(good) / float64(fa.Graded)
		}
		out[i] = fa
	}
	return out
}

// tallyGroup is the focus-area tally of one group of cases (e.g. a team).
type tallyGroup struct {
	Group string
	Cases int // findings in the group
	Areas []tallyArea
}

// tallyBy tallies the focus areas per group, groupOf mapping a case ID to
// its group (cases without one are in group ""); groups are in name order.
func tallyBy(form *audit.Form, findings []audit.Finding, groupOf map[string]string) []tallyGroup {
	if form == nil {
		return nil
	}
	byGroup := map[string][]audit.Finding{}
	for _, f := range findings {
		byGroup[groupOf[f.Case]] = append(byGroup[groupOf[f.Case]], f)
	}
	names := make([]string, 0, len(byGroup))
	for g := range byGroup {
		names = append(names, g)
	}
	sort.Strings(names)
	out := make([]tallyGroup, 0, len(names))
	for _, g := range names {
		out = append(out, tallyGroup{Group: g, Cases: len(byGroup[g]), Areas: tally(form, byGroup[g])})
	}
	return out
}
