package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
)

// findingFacts gathers what the duties table needs to know of the case a
// finding f is recorded on: to whom it is allocated, who audited it, who
// its allocated worker is (where the allocation named the worker column),
// and the name f is recorded under.
func findingFacts(ctx context.Context, tx *store.Tx, a *Audit, f Finding) (CaseFacts, error) {
	c := CaseFacts{For: f.Auditor}
	al, err := loadAllocation(ctx, tx, a)
	if err != nil {
		return c, err
	}
	if al != nil {
		for _, x := range al.Assigned {
			if x.Case == f.Case {
				c.AllocatedTo = x.Auditor
			}
		}
		if al.Rules.WorkerField != "" {
			sc, err := loadCase(ctx, tx, a, f.Case)
			if err != nil {
				return c, err
			}
			if i := colname.Index(a.Columns, al.Rules.WorkerField); i >= 0 && i < len(sc.Fields) {
				c.Worker = sc.Fields[i]
			}
		}
	}
	if f.Moderation {
		prev, ok, err := latestFinding(ctx, tx, a, f.Case, false)
		if err != nil {
			return c, err
		}
		if ok {
			c.Auditor = prev.Auditor
		}
	}
	return c, nil
}

// mayRecord checks that the person acting may record finding f: as an
// auditor on her own allocated case, or as a moderator on a case that is
// not hers.
func (s *Store) mayRecord(ctx context.Context, tx *store.Tx, a *Audit, f Finding) error {
	d := DutyRecord
	if f.Moderation {
		d = DutyModerate
	}
	s.attempt(d, CaseFacts{For: f.Auditor})
	cs, err := tx.PersonChanges(ctx)
	if err != nil {
		return err
	}
	if len(cs) == 0 && !f.Moderation {
		return nil // no people list: a one-person store
	}
	facts, err := findingFacts(ctx, tx, a, f)
	if err != nil {
		return err
	}
	s.attempt(d, facts)
	if len(cs) == 0 {
		// Even in a one-person store a moderation is never made under the
		// name of the case's own auditor or allocated worker: the rule is
		// about the names the trail records, which need no people list.
		return Allowed(Person{Name: f.Auditor, Roles: []Role{Moderator}}, DutyModerate, facts, nil)
	}
	return mayIn(peopleOf(cs), s.Login(), d, facts)
}
