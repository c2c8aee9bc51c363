package report

import (
	"context"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// Focus areas and follow-up actions: the parts of the report that come from
// the audit's form and from the actions opened on flagged cases.

// Heat-map bands of the team × focus-area table (share Good or better).
const (
	HeatRed   = 0.50 // below: red
	HeatAmber = 0.75 // below (and at least HeatRed): amber; at or above: green
)

// heatLegend says what the colours mean, wherever they are used.
const heatLegend = "Heat map of the share Good or better (Not applicable excluded): red below 50%, amber 50% to under 75%, green 75% or more; no colour where no case was graded."

// heatBand names the colour band of a share: "red", "amber", "green", or ""
// when undefined.
func heatBand(v *float64) string {
	switch {
	case v == nil:
		return ""
	case *v < HeatRed:
		return "red"
	case *v < HeatAmber:
		return "amber"
	}
	return "green"
}

// focusAreas converts the store's tallies, filling every offered answer.
func focusAreas(form *audit.Form, tallies []tallyArea) []FocusArea {
	out := make([]FocusArea, 0, len(tallies))
	for i, t := range tallies {
		q := form.Questions[i]
		fa := FocusArea{Key: t.Key, Label: t.Label, Kind: t.Kind, Answers: map[string]int{}, AnswerOrder: []string{}}
		for _, n := range t.Answers {
			fa.Answered += n
		}
		if q.Kind != audit.QuestionText {
			for _, o := range q.Options() {
				fa.Answers[o] = t.Answers[o]
				fa.AnswerOrder = append(fa.AnswerOrder, o)
			}
			// Answers no longer offered (kept as recorded), after the rest.
			var extra []string
			for a := range t.Answers {
				if _, ok := fa.Answers[a]; !ok {
					extra = append(extra, a)
				}
			}
			slices.Sort(extra)
			for _, a := range extra {
				fa.Answers[a] = t.Answers[a]
				fa.AnswerOrder = append(fa.AnswerOrder, a)
			}
		}
		if q.Kind == audit.QuestionGrade {
			fa.Graded = t.Graded
			if t.Graded > 0 {
				fa.GoodOrBetter = ptr(t.GoodOrBetter)
			}
		}
		out = append(out, fa)
	}
	return out
}

// teamColumn picks the shown column holding the team: "Team" itself, else
// the first column with the word team in its name; "" when there is none.
func teamColumn(a *audit.Audit, includeNames bool) int {
	best := -1
	for i, c := range a.Columns {
		if Personal(c) && !includeNames {
			continue
		}
		words := strings.FieldsFunc(strings.ToLower(c), func(r rune) bool { return !('a' <= r && r <= 'z') })
		if len(words) == 1 && words[0] == "team" {
			return i
		}
		if best < 0 && slices.Contains(words, "team") {
			best = i
		}
	}
	return best
}

// focusTeams builds the team × focus-area table; nil without a team column
// or a grade question.
func focusTeams(a *audit.Audit, form *audit.Form, cases []audit.SampledCase, orig []audit.Finding, includeNames bool) *FocusTeams {
	col := teamColumn(a, includeNames)
	if col < 0 {
		return nil
	}
	var keys []string
	for _, q := range form.Questions {
		if q.Kind == audit.QuestionGrade {
			keys = append(keys, q.Key)
		}
	}
	if len(keys) == 0 {
		return nil
	}
	groupOf := make(map[string]string, len(cases))
	for _, c := range cases {
		v := ""
		if col < len(c.Fields) {
			v = strings.Join(strings.Fields(c.Fields[col]), " ")
		}
		if v == "" {
			v = "(blank)"
		}
		groupOf[c.ID] = v
	}
	ft := &FocusTeams{Column: a.Columns[col], Areas: keys, Teams: []FocusTeam{}}
	for _, g := range tallyBy(form, orig, groupOf) {
		team := g.Group
		if team == "" {
			team = "(blank)" // a finding on a case not in the sample
		}
		row := FocusTeam{Team: team, Audited: g.Cases}
		for i, t := range g.Areas {
			if form.Questions[i].Kind != audit.QuestionGrade {
				continue
			}
			c := FocusCell{Key: t.Key, Graded: t.Graded}
			if t.Graded > 0 {
				c.GoodOrBetter = ptr(t.GoodOrBetter)
			}
			row.Cells = append(row.Cells, c)
		}
		ft.Teams = append(ft.Teams, row)
	}
	return ft
}

// focus fills the focus areas from the audit's form (none without a form).
func (r *Report) focus(ctx context.Context, st *audit.Store, a *audit.Audit, cases []audit.SampledCase, orig []audit.Finding) error {
	r.FocusAreas = []FocusArea{}
	form, err := st.Form(ctx, a.Name)
	if err != nil {
		return err
	}
	if form == nil {
		return nil
	}
	r.FocusAreas = focusAreas(form, tally(form, orig))
	r.FocusTeams = focusTeams(a, form, cases, orig, r.opts.IncludeNames)
	return nil
}

// actions counts the audit's follow-up actions as of now.
func (r *Report) actions(ctx context.Context, st *audit.Store, name string, now time.Time) error {
	acts, err := st.Actions(ctx, name)
	if err != nil {
		return err
	}
	s := audit.SummariseActions(acts, now)
	r.Actions = Actions{AsOf: now.UTC().Format(time.DateOnly), Opened: s.Opened, Open: s.Open,
		Responded: s.Responded, RespondedNotClosed: s.RespondedNotClosed, Closed: s.Closed, Overdue: s.Overdue, Timed: s.ResponseTimes}
	if s.ResponseTimes > 0 {
		r.Actions.MedianDaysToResponse = ptr(s.MedianDaysToResponse)
	}
	return nil
}

// areaLabel returns a grade question's label by key.
func (r *Report) areaLabel(key string) string {
	for _, fa := range r.FocusAreas {
		if fa.Key == key {
			return fa.Label
		}
	}
	return key
}
