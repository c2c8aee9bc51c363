package audit

import (
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"
)

func TestFilterActions(t *testing.T) {
	now := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	all := []Action{
		{Audit: "a", Case: "C3", Owner: "J. Smith", Due: "2026-07-10", Status: ActionOpen},       // overdue
		{Audit: "a", Case: "C1", Owner: "A. Khan", Due: "2026-07-25", Status: ActionOpen},        // not yet due
		{Audit: "a", Case: "C2", Owner: "j. smith ", Due: "2026-07-05", Status: ActionResponded}, // answered late: not overdue
		{Audit: "a", Case: "C4", Owner: "J. Smith", Due: "2026-07-01", Status: ActionClosed},
		{Audit: "a", Case: "C5", Owner: "A. Khan", Due: "2026-07-19", Status: ActionOpen}, // overdue
		{Audit: "a", Case: "C6", Owner: "A. Khan", Due: "2026-07-20", Status: ActionOpen}, // due today: not overdue
	}
	cases := func(l ActionList) (s []string) {
		for _, a := range l.Actions {
			s = append(s, a.Case)
		}
		return s
	}
	for _, tc := range []struct {
		name    string
		f       ActionFilter
		want    []string
		overdue int
	}{
		{"open and responded, by due date", ActionFilter{}, []string{"C2", "C3", "C5", "C6", "C1"}, 2},
		{"all", ActionFilter{All: true}, []string{"C4", "C2", "C3", "C5", "C6", "C1"}, 2},
		{"overdue", ActionFilter{Overdue: true}, []string{"C3", "C5"}, 2},
		{"overdue ignores all", ActionFilter{Overdue: true, All: true}, []string{"C3", "C5"}, 2},
		// C2's owner is J. Smith too, spelled with a trailing space: names
		// are compared by one rule (namekey), white space aside.
		{"owner ignoring case and spaces", ActionFilter{Owner: "  j. SMITH"}, []string{"C2", "C3"}, 1},
		{"owner and all", ActionFilter{Owner: "J. Smith", All: true}, []string{"C4", "C2", "C3"}, 1},
		{"nobody", ActionFilter{Owner: "Nobody"}, nil, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			l := FilterActions(all, tc.f, now)
			if got := cases(l); !slices.Equal(got, tc.want) || l.Overdue != tc.overdue {
				t.Errorf("got %v with %d overdue, want %v with %d", got, l.Overdue, tc.want, tc.overdue)
			}
		})
	}
	if all[0].Case != "C3" {
		t.Error("FilterActions reordered its input")
	}
}

// A chase list: owners with the most overdue first, then the most actions,
// then by name; each owner's actions soonest due first; a listing with an
// action overdue fails as a threshold when asked to.
func TestActionsByOwner(t *testing.T) {
	now := time.Date(2026, 7, 20, 9, 0, 0, 0, time.UTC)
	l := FilterActions([]Action{
		{Audit: "a", Case: "C1", Owner: "B. Evans", Due: "2026-07-25", Status: ActionOpen},
		{Audit: "a", Case: "C2", Owner: "A. Khan", Due: "2026-07-24", Status: ActionOpen},
		{Audit: "a", Case: "C3", Owner: "J. Smith", Due: "2026-07-10", Status: ActionOpen}, // overdue
		{Audit: "a", Case: "C4", Owner: "B. Evans", Due: "2026-07-22", Status: ActionOpen},
		{Audit: "a", Case: "C5", Owner: "C. Nowak", Due: "2026-07-26", Status: ActionOpen},
		{Audit: "a", Case: "C6", Owner: "A. Khan", Due: "2026-07-23", Status: ActionOpen},
	}, ActionFilter{}, now)
	var got []string
	for _, g := range l.ByOwner() {
		var cases []string
		for _, a := range g.Actions {
			cases = append(cases, a.Case)
		}
		got = append(got, fmt.Sprintf("%s %d %v", g.Owner, g.Overdue, cases))
	}
	want := []string{"J. Smith 1 [C3]", "A. Khan 0 [C6 C2]", "B. Evans 0 [C4 C1]", "C. Nowak 0 [C5]"}
	if !slices.Equal(got, want) {
		t.Errorf("by owner %q, want %q", got, want)
	}
	err := l.OverdueFailure()
	if !errors.Is(err, ErrThreshold) || err.Error() != "1 follow-up action overdue" {
		t.Errorf("overdue failure: %v", err)
	}
	if err := FilterActions(nil, ActionFilter{}, now).OverdueFailure(); err != nil {
		t.Errorf("nothing overdue fails: %v", err)
	}
}
