package audit

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Allocate allocates the audit's cases to auditors (see PlanAllocation) and
// records the allocation as one trail entry, in one transaction.
// Allocating again keeps every recorded case with its auditor and moves as
// few of the cases not yet recorded as it can (see PlanAllocation).
func (s *Store) Allocate(ctx context.Context, auditName string, auditors []string, rules AllocationRules) (Allocation, error) {
	var out Allocation
	err := s.write(ctx, "allocating cases in", func(tx *store.WriteTx) error {
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		out, err = s.allocateTx(ctx, tx, a, auditors, rules)
		return err
	})
	return out, err
}

// allocateTx allocates within a write transaction.
func (s *Store) allocateTx(ctx context.Context, tx *store.WriteTx, a *Audit, auditors []string, rules AllocationRules) (Allocation, error) {
	if err := s.may(ctx, tx.Tx, DutyAllocate, CaseFacts{}); err != nil {
		return Allocation{}, err
	}
	if err := checkListedAuditors(ctx, tx.Tx, auditors); err != nil {
		return Allocation{}, err
	}
	cases, err := loadCases(ctx, tx.Tx, a)
	if err != nil {
		return Allocation{}, err
	}
	es, err := entries(ctx, tx.Tx, a, KindWithdrawal, KindFinding, KindCorrection, KindAllocation)
	if err != nil {
		return Allocation{}, err
	}
	ws, err := withdrawalsOf(es)
	if err != nil {
		return Allocation{}, err
	}
	cases = activeCases(cases, ws) // a withdrawn case is audited by no one
	recorded, err := latestFindings(es, false)
	if err != nil {
		return Allocation{}, err
	}
	cur, err := allocationOf(es)
	if err != nil {
		return Allocation{}, err
	}
	kept := ""
	if cur != nil && rules.WorkerField == "" && !rules.NoWorkerRule && cur.Rules.WorkerField != "" {
		rules.WorkerField, kept = cur.Rules.WorkerField, cur.Rules.WorkerField
	}
	keptTeam, err := keepTeamRule(cur, auditors, &rules)
	if err != nil {
		return Allocation{}, err
	}
	keep, prev := map[string]string{}, map[string]string{}
	if cur != nil {
		for _, x := range cur.Assigned {
			if _, ok := recorded[x.Case]; ok {
				keep[x.Case] = x.Auditor
			} else {
				prev[x.Case] = x.Auditor
			}
		}
	}
	// recorded cases that were never allocated need no auditor now
	todo := cases[:0:0]
	for _, c := range cases {
		if _, done := recorded[c.ID]; !done || keep[c.ID] != "" {
			todo = append(todo, c)
		}
	}
	if len(todo) == 0 {
		return Allocation{}, errorf(ErrNothingToAllocate, "nothing left to allocate: every case of audit %q already has a finding", a.Name)
	}
	out, err := PlanAllocation(todo, auditors, rules, keep, prev)
	if err != nil {
		return Allocation{}, err
	}
	out.Again, out.KeptWorkerRule, out.KeptTeamRule = cur != nil, kept, keptTeam
	p := allocationPayload{Auditors: out.Auditors, WorkerField: rules.WorkerField, TeamField: rules.TeamField,
		AuditorTeams: rules.AuditorTeams, Kept: out.Kept, Assigned: []assignJSON{}, Unallocated: []unallocJSON{}}
	for _, x := range out.Assigned {
		p.Assigned = append(p.Assigned, assignJSON(x))
	}
	for _, x := range out.Unallocated {
		p.Unallocated = append(p.Unallocated, unallocJSON(x))
	}
	// The same allocation as the one standing (a cron retry, a command
	// run again) is not recorded again: the trail keeps allocations that
	// change who audits what, and the one standing is said.
	if cur != nil && sameAllocation(*cur, out, rules) {
		e, _ := last(es, KindAllocation)
		out.Standing = &e
		return out, nil
	}
	who, err := s.actorIn(ctx, tx.Tx)
	if err != nil {
		return Allocation{}, err
	}
	_, err = s.appendEntry(ctx, tx, a, KindAllocation, "", who, p)
	return out, err
}

// keepTeamRule gives rules the team rule of the allocation before, cur,
// when rules name none and do not drop it (NoTeamRule), and returns its
// column ("" when nothing is kept). Every auditor named now must have a
// team in the rule kept: a new auditor's team is not known, and leaving
// her free of the rule would give her cases of her own team unawares, so
// the refusal says how to give the rule again with every team, or drop it.
func keepTeamRule(cur *Allocation, auditors []string, rules *AllocationRules) (string, error) {
	if cur == nil || rules.TeamField != "" || len(rules.AuditorTeams) > 0 || rules.NoTeamRule || cur.Rules.TeamField == "" {
		return "", nil
	}
	teams := map[string]string{}
	for a, t := range cur.Rules.AuditorTeams {
		teams[norm(a)] = t
	}
	var missing []string
	again := []string{"--team-column " + strconv.Quote(cur.Rules.TeamField)}
	for _, a := range auditors {
		t, ok := teams[norm(a)]
		if !ok {
			missing = append(missing, a)
			t = "TEAM"
		}
		again = append(again, "--auditor-team "+strconv.Quote(a+"="+t))
	}
	if len(missing) > 0 {
		return "", fmt.Errorf("the allocation before has a team rule (no case goes to an auditor of its own team, column %q), and it gives no team for %s: give the rule again with every auditor's team (%s), or drop it with --team-column \"\"",
			cur.Rules.TeamField, words.QuoteList(missing), strings.Join(again, " "))
	}
	rules.TeamField, rules.AuditorTeams = cur.Rules.TeamField, cur.Rules.AuditorTeams
	return cur.Rules.TeamField, nil
}

// sameAllocation reports whether the allocation planned under rules gives
// every case to the auditor cur gave it (spelled alike), leaves the same
// cases out for the same reasons, and was made for the same auditors and
// rules: recording it would record nothing new.
func sameAllocation(cur, planned Allocation, rules AllocationRules) bool {
	return slices.Equal(cur.Auditors, planned.Auditors) &&
		slices.Equal(cur.Assigned, planned.Assigned) &&
		slices.Equal(cur.Unallocated, planned.Unallocated) &&
		cur.Rules.WorkerField == rules.WorkerField && cur.Rules.TeamField == rules.TeamField &&
		maps.Equal(cur.Rules.AuditorTeams, rules.AuditorTeams)
}

// Allocation returns the audit's current allocation (nil when the audit's
// cases have never been allocated).
func (s *Store) Allocation(ctx context.Context, auditName string) (*Allocation, error) {
	return readAudit(ctx, s, auditName, loadAllocation)
}

func loadAllocation(ctx context.Context, tx *store.Tx, a *Audit) (*Allocation, error) {
	es, err := entries(ctx, tx, a, KindAllocation)
	if err != nil {
		return nil, err
	}
	return allocationOf(es)
}

// checkListedAuditors refuses, in a store with a people list, an auditor's
// name that is not on the list but within a typing slip of a listed
// auditor's (or QA's): cases allocated to "B. Evens" are cases no login may
// record. A name unlike any on the list is allowed: QA records the findings
// of an auditor who has no login (a paper return, an agency auditor).
func checkListedAuditors(ctx context.Context, tx *store.Tx, auditors []string) error {
	cs, err := tx.PersonChanges(ctx)
	if err != nil || len(cs) == 0 {
		return err
	}
	var names []string
	for _, p := range peopleOf(cs) {
		if p.Has(Auditor) || p.Has(QA) {
			names = append(names, p.Name)
		}
	}
	slices.Sort(names)
	for _, n := range auditors {
		if slices.ContainsFunc(names, func(x string) bool { return sameName(x, n) }) {
			continue
		}
		if sug := slipOf(n, names); sug != "" {
			return fmt.Errorf("%q is not an auditor on the store's people list; did you mean %q? (to allocate to someone else of a name so like it, QA adds her first: caseaudit people add LOGIN --name NAME --role auditor)", n, sug)
		}
	}
	return nil
}

// slipOf returns the listed name n differs from by one letter (case and
// spacing aside), or "": a typing slip, where two edits may be two people
// ("Tom Hay" and "Tim Day").
func slipOf(n string, names []string) string {
	key := namekey.Key
	for _, x := range names {
		if textdist.Levenshtein(key(n), key(x)) <= 1 {
			return x
		}
	}
	return ""
}
