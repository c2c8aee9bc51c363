package audit

import (
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/words"
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
		if owner != "" && !namekey.Same(owner, a.Owner) {
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

// OverdueFailure is the listing as the error of a run that fails when an
// action is overdue (a chaser's scheduled check): nil when none is, else
// an error marked ErrThreshold.
func (l ActionList) OverdueFailure() error {
	if l.Overdue == 0 {
		return nil
	}
	return errorf(ErrThreshold, "%d follow-up %s overdue", l.Overdue, words.Noun(l.Overdue, "action"))
}

// OwnerActions are one owner's actions in a chase list, and how many of
// them are overdue.
type OwnerActions struct {
	Owner   string
	Actions []Action
	Overdue int
}

// ByOwner groups the list owner by owner — the owner with the most overdue
// actions first, then the most actions, then by name — each owner's
// actions in the list's order (soonest due first): a chase list.
func (l ActionList) ByOwner() []OwnerActions {
	var out []OwnerActions
	at := map[string]int{}
	for _, a := range l.Actions {
		i, ok := at[a.Owner]
		if !ok {
			i = len(out)
			at[a.Owner] = i
			out = append(out, OwnerActions{Owner: a.Owner})
		}
		out[i].Actions = append(out[i].Actions, a)
		if a.Overdue(l.AsOf) {
			out[i].Overdue++
		}
	}
	slices.SortStableFunc(out, func(x, y OwnerActions) int {
		if d := y.Overdue - x.Overdue; d != 0 {
			return d
		}
		if d := len(y.Actions) - len(x.Actions); d != 0 {
			return d
		}
		return strings.Compare(x.Owner, y.Owner)
	})
	return out
}

// StandingFinding is a case's finding as it stands, as reports count it:
// the auditor's latest finding (corrections included: a moderator's grade
// never replaces it), and immediate attention by the case's latest
// judgement (LatestImmediate), which is the moderator's when hers was
// recorded after the auditor's latest finding. A list of actions shows it
// rather than the finding that opened the action, which may since have
// been corrected, or be a moderator's.
type StandingFinding struct {
	Finding   Finding // the auditor's latest finding
	Immediate bool    // needs immediate attention, by the latest judgement
	// ModeratedAfter is the moderation finding that decides Immediate,
	// when recorded after Finding; nil otherwise.
	ModeratedAfter *Finding
}

// Standing is the standing finding of a case whose auditor's latest
// finding is f and whose latest moderation finding is m (when moderated).
func Standing(f, m Finding, moderated bool) StandingFinding {
	s := StandingFinding{Finding: f, Immediate: LatestImmediate(f, m, moderated)}
	if moderated && m.Seq > f.Seq {
		s.ModeratedAfter = &m
	}
	return s
}

// Corrected reports whether the auditor's finding was corrected since it
// was first recorded.
func (s StandingFinding) Corrected() bool { return s.Finding.Kind == KindCorrection }
