package audit

import (
	"strings"
	"time"
)

// ActionFilter chooses the actions a listing shows.
type ActionFilter struct {
	// Overdue keeps only the actions past their due date without a response.
	Overdue bool
	// Owner keeps only the actions of this owner (ignoring case and the
	// spaces around it); "" keeps every owner.
	Owner string
	// All keeps closed actions too (Overdue leaves them out anyway: a
	// closed action is never overdue).
	All bool
}

// ActionList is the actions a filter keeps, soonest due first, and how many
// of them are overdue.
type ActionList struct {
	Actions []Action
	Overdue int
	AsOf    time.Time // the day overdue was judged on
}

// FilterActions keeps the actions f chooses, as of now, ordered by due date.
func FilterActions(all []Action, f ActionFilter, now time.Time) ActionList {
	l := ActionList{AsOf: now}
	owner := strings.TrimSpace(f.Owner)
	for _, a := range all {
		if a.Status == ActionClosed && !f.All && !f.Overdue {
			continue
		}
		late := a.Overdue(now)
		if f.Overdue && !late {
			continue
		}
		if owner != "" && !strings.EqualFold(owner, a.Owner) {
			continue
		}
		if late {
			l.Overdue++
		}
		l.Actions = append(l.Actions, a)
	}
	sortActions(l.Actions)
	return l
}

// RaisedAt says which finding opened the action: "audit" or "moderation".
func (a *Action) RaisedAt() string {
	if a.Moderation {
		return "moderation"
	}
	return "audit"
}
