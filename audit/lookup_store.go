package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/sample/export"
)

// retiredRefs names the store's retired audits.
func retiredRefs(ctx context.Context, tx *store.Tx) ([]RetiredRef, error) {
	log, err := tx.Log(ctx)
	if err != nil {
		return nil, err
	}
	ret, err := retiredOf(log)
	if err != nil {
		return nil, err
	}
	out := []RetiredRef{}
	for _, r := range ret {
		out = append(out, RetiredRef{Audit: r.Summary.Audit, Period: r.Summary.Period, Retired: r.At.UTC().Format("2006-01-02")})
	}
	return out, nil
}

// LookUp returns everything the store holds about one case, across all
// audits, oldest period first. A case no audit sampled is an error
// wrapping ErrNotFound that names the store; a person whose duties do not
// include it is refused (ErrDuty).
func (s *Store) LookUp(ctx context.Context, req LookUpRequest) (*CaseRecord, error) {
	id := export.CaseID(req.Case)
	if id == "" {
		return nil, fmt.Errorf("give a case ID to look up")
	}
	var out *CaseRecord
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		p, roster := req.Person, Roster(nil)
		if len(people) > 0 {
			lp, ok := people[s.Login()]
			if !ok {
				lp = Person{Login: s.Login()}
			}
			p, roster = lp, Roster(sortedPeople(people))
		}
		// Someone whose roles never allow a look-up learns nothing, not
		// even whether the store holds the case.
		if !slices.ContainsFunc(p.Roles, func(r Role) bool { return MayDo(r, DutyLookUp) }) {
			return Allowed(p, DutyLookUp, CaseFacts{}, roster)
		}
		audits, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		caseID, err := matchCase(ctx, tx, audits, id)
		if err != nil {
			return err
		}
		retired, err := retiredRefs(ctx, tx)
		if err != nil {
			return err
		}
		if caseID == "" {
			if r := RetiredNote(retired); r != "" {
				return errorf(ErrNotFound, "no entry in this store (%s) for case %q: no audit in it sampled the case; %s", s.Path(), id, r)
			}
			return errorf(ErrNotFound, "no entry in this store (%s) for case %q: no audit in it sampled the case", s.Path(), id)
		}
		rec := &CaseRecord{Case: caseID, Store: s.Path(), Names: req.Names, Audits: []CaseAudit{}, Retired: retired}
		if caseID != id {
			rec.Asked = id
		}
		nm := namer{names: req.Names, people: people}
		var refusal error
		for _, a := range audits {
			row, err := tx.Case(ctx, a.id, caseID)
			if err != nil {
				return err
			}
			if row == nil {
				continue
			}
			es, err := lookUpEntries(ctx, tx, a, caseID)
			if err != nil {
				return err
			}
			facts, err := lookUpFacts(a, es, caseID)
			if err != nil {
				return err
			}
			if err := Allowed(p, DutyLookUp, facts, roster); err != nil {
				rec.Withheld++
				refusal = err
				continue
			}
			ca, err := caseInAudit(a, *row, es, nm)
			if err != nil {
				return err
			}
			rec.Audits = append(rec.Audits, ca)
		}
		if len(rec.Audits) == 0 && refusal != nil {
			return refusal
		}
		out = rec
		return nil
	})
	return out, err
}

// matchCase finds the case ID as the store holds it: exactly, in any
// audit; else the one ID that matches ignoring letter case. "" when none
// does; an error when several IDs differ only in letter case, since
// answering for the wrong one would disclose another child's record.
func matchCase(ctx context.Context, tx *store.Tx, audits []*Audit, id string) (string, error) {
	for _, a := range audits {
		if c, err := tx.Case(ctx, a.id, id); err != nil || c != nil {
			return id, err
		}
	}
	var folded []string
	for _, a := range audits {
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return "", err
		}
		for _, x := range ids {
			if strings.EqualFold(x, id) && !slices.Contains(folded, x) {
				folded = append(folded, x)
			}
		}
	}
	switch len(folded) {
	case 0:
		return "", nil
	case 1:
		return folded[0], nil
	}
	slices.Sort(folded)
	quoted := make([]string, len(folded))
	for i, x := range folded {
		quoted[i] = fmt.Sprintf("%q", x)
	}
	return "", fmt.Errorf("case %q matches %d cases that differ only in letter case (%s); give the ID exactly as sampled",
		id, len(folded), strings.Join(quoted, ", "))
}

// lookUpEntries reads the entries of a's trail that may be about the case,
// in order: those recorded under it, and those that name cases in their
// payload (the sample, growths, allocations, moderation draws,
// withdrawals, whose replacement may be this case) or count them
// (sign-offs). The kinds are read first: a read transaction then holds the
// whole trail, and the case's own entries come from it, not from a second
// query.
func lookUpEntries(ctx context.Context, tx *store.Tx, a *Audit, caseID string) ([]Entry, error) {
	named, err := entries(ctx, tx, a, KindSample, KindGrow, KindAllocation, KindModerationDraw, KindWithdrawal, KindSignOff)
	if err != nil {
		return nil, err
	}
	own, err := caseEntries(ctx, tx, a, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(own)+len(named))
	for len(own) > 0 || len(named) > 0 {
		switch {
		case len(named) == 0 || len(own) > 0 && own[0].Seq < named[0].Seq:
			out, own = append(out, own[0]), own[1:]
		case len(own) > 0 && own[0].Seq == named[0].Seq:
			out, own, named = append(out, own[0]), own[1:], named[1:]
		default:
			out, named = append(out, named[0]), named[1:]
		}
	}
	return out, nil
}
