package audit

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseaudit/caseaudit/audit/store"
)

// dutyAttempt is the duty a write exercises, and on what case.
type dutyAttempt struct {
	duty  Duty
	facts CaseFacts
}

// attempt notes, for the write under way, the duty it exercises: the
// duties check of each use case calls it before it decides, so that what
// the database's own guards refuse afterwards is worded as that check
// would have worded it.
func (s *Store) attempt(d Duty, c CaseFacts) { s.duty = &dutyAttempt{duty: d, facts: c} }

// refusedBy turns a refusal by the database's own guards (a PostgreSQL
// login without the store role the write needs, or a trigger that found
// the write not the login's duty) into the refusal the use-case layer
// gives: the same one line, naming the duty's rule and who may do it, with
// the database's reason after it, and the same exit. The check in caseaudit
// and the one in the database read the same people list, so they disagree
// only when the login's database roles do not match its roles in the list
// (or the list changed between the two): the database's word is final.
// Any other error is returned as it is.
func (s *Store) refusedBy(ctx context.Context, err error) error {
	var r *store.Refusal
	if s.duty == nil || !errors.As(err, &r) {
		return err
	}
	at := *s.duty
	p := Person{Login: s.Login()}
	var roster Roster
	if e := s.read(ctx, "reading the people list of", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		if q, ok := people[p.Login]; ok {
			p = q
		}
		if len(people) > 0 {
			roster = Roster(sortedPeople(people))
		}
		return nil
	}); e != nil {
		return fmt.Errorf("%w (and the people list, to say who may, could not be read: %v)", err, e)
	}
	who := whoMay(at.duty, at.facts, roster)
	if roster != nil && Allowed(p, at.duty, at.facts, roster) == nil {
		// The list allows it and the database does not: what is missing
		// is the login's database role, which only its administrator gives.
		who = "the people list allows it, so ask the store's administrator to give the login the store role the database names"
	}
	return &DutyError{Duty: at.duty, Person: p, Rule: duties[at.duty].rule, Who: who, Guard: r.Reason}
}
