package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/sample"
)

// Withdrawals returns the audit's withdrawn cases, oldest first.
func (s *Store) Withdrawals(ctx context.Context, auditName string) ([]Withdrawal, error) {
	return readAudit(ctx, s, auditName, loadWithdrawals)
}

func loadWithdrawals(ctx context.Context, tx *store.Tx, a *Audit) ([]Withdrawal, error) {
	es, err := entries(ctx, tx, a, KindWithdrawal)
	if err != nil {
		return nil, err
	}
	return withdrawalsOf(es)
}

// ActiveCases returns the audit's sampled cases that stand: the sample
// less the withdrawn cases (their replacements included), in order, and
// the withdrawals.
func (s *Store) ActiveCases(ctx context.Context, auditName string) ([]SampledCase, []Withdrawal, error) {
	var cases []SampledCase
	var ws []Withdrawal
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		if cases, err = loadCases(ctx, tx, a); err != nil {
			return err
		}
		ws, err = loadWithdrawals(ctx, tx, a)
		cases = activeCases(cases, ws)
		return err
	})
	return cases, ws, err
}

// checkNotWithdrawn returns a *WithdrawnError when the case was withdrawn.
func checkNotWithdrawn(ctx context.Context, tx *store.Tx, a *Audit, caseID string) error {
	ws, err := loadWithdrawals(ctx, tx, a)
	if err != nil {
		return err
	}
	for _, w := range ws {
		if w.Case == caseID {
			return &WithdrawnError{Audit: a.Name, Withdrawal: w}
		}
	}
	return nil
}

// Withdraw withdraws a sampled case that cannot be audited and draws its
// replacement, in one transaction: the withdrawal and the replacement in
// the trail, the replacement appended to the sample and allocated. A case
// with a finding cannot be withdrawn (it was audited); the export must be
// the recorded one (the same SHA-256), as the replacement is drawn from it.
func Withdraw(ctx context.Context, st *Store, req WithdrawRequest) (*WithdrawResult, error) {
	req.Case = strings.TrimSpace(req.Case)
	req.Reason = strings.Join(strings.Fields(req.Reason), " ")
	if req.Reason == "" {
		return nil, opt.Errorf("a withdrawal needs %s: why the case cannot be audited (closed before the audit, transferred, sealed, a duplicate record …)", opt.Reason)
	}
	a, err := st.Audit(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	// One who may not withdraw is told so first, not whether this case
	// could be, and before the export is read; the write checks again.
	if err := st.MayDo(ctx, DutyWithdraw); err != nil {
		return nil, err
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	var target *SampledCase
	for i := range cases {
		if cases[i].ID == req.Case {
			target = &cases[i]
		}
	}
	if target == nil {
		ids := make([]string, len(cases))
		for i, c := range cases {
			ids[i] = c.ID
		}
		return nil, &NotInSampleError{Audit: a.Name, Case: req.Case, Suggestions: textdist.Closest(req.Case, ids, 3)}
	}
	// The same withdrawal given again is found before the export is read
	// (a script run twice reads nothing), and again in the write, where
	// one given at the same moment by another process is found too.
	var standing *WithdrawResult
	if err := st.read(ctx, "reading", func(tx *store.Tx) error {
		standing, err = withdrawnAlready(ctx, tx, a, req)
		if err != nil || standing != nil {
			return err
		}
		return checkWithdrawable(ctx, tx, a, req.Case)
	}); err != nil || standing != nil {
		return standing, err
	}
	path, sum, err := theExport(a, req.Export, "the replacement is drawn from that very export")
	if err != nil {
		return nil, err
	}
	ro := sample.RederiveOptions{SHA256: sum, Progress: req.Progress}
	if ro.Factors, err = factorRecorder(&a.Provenance); err != nil {
		return nil, err
	}
	d, err := sample.Rederive(ctx, &a.Provenance, path, ro)
	if err != nil {
		return nil, err
	}
	defer d.Close()
	taken := make(map[string]bool, len(cases))
	for _, c := range cases {
		taken[c.ID] = true
	}
	next, ok, err := d.Population.Next(ctx, target.Stratum, func(id string) bool { return taken[id] })
	if err != nil {
		return nil, err
	}
	res := &WithdrawResult{Audit: a, Changed: true}
	var repl *SampledCase
	if ok {
		if len(next.Fields) != len(a.Columns) {
			return nil, fmt.Errorf("%s no longer has every column the audit shows (%s); the replacement cannot be read", path, strings.Join(a.Columns, ", "))
		}
		next.Order = len(cases) + 1
		cs := CasesFromSelection([]sample.Selected{next})
		// Its factors, measured in this read, go into the trail entry.
		if err := measureFactors(ro.Factors, []sample.Selected{next}, cs); err != nil {
			return nil, err
		}
		c := cs[0]
		c.Columns = a.Columns
		repl = &c
	}
	err = st.write(ctx, "withdrawing a case in", func(tx *store.WriteTx) error {
		a, err := loadAudit(ctx, tx.Tx, a.Name)
		if err != nil {
			return err
		}
		if err := st.may(ctx, tx.Tx, DutyWithdraw, CaseFacts{}); err != nil {
			return err
		}
		if standing, err = withdrawnAlready(ctx, tx.Tx, a, req); err != nil || standing != nil {
			return err
		}
		if err := checkWithdrawable(ctx, tx.Tx, a, req.Case); err != nil {
			return err
		}
		n, err := tx.CaseCount(ctx, a.id)
		if err != nil {
			return err
		}
		if n != len(cases) {
			return fmt.Errorf("the sample of audit %q changed while the replacement was drawn; withdraw the case again", a.Name)
		}
		p := withdrawalPayload{Reason: req.Reason, Stratum: target.Stratum, Cases: []sampledCaseJSON{}}
		if repl != nil {
			if err := tx.InsertCases(ctx, a.id, caseRows([]SampledCase{*repl})); err != nil {
				return err
			}
			p.Cases = casesJSON([]SampledCase{*repl})
			if repl.Factors != nil {
				p.Factors = map[string]sample.CaseFactors{repl.ID: *repl.Factors}
			}
		}
		// Recorded under the name the people list gives the person acting,
		// as a draw or an allocation is (her login is kept beside it).
		who, err := st.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		e, err := st.appendEntry(ctx, tx, a, KindWithdrawal, req.Case, who, p)
		if err != nil {
			return err
		}
		res.Withdrawal = Withdrawal{Case: req.Case, Reason: req.Reason, Stratum: target.Stratum, Actor: e.Actor, At: e.At, Seq: e.Seq}
		if repl != nil {
			res.Withdrawal.Replacement = repl.ID
			res.Auditor, res.Unallocated, err = st.reallocateReplacement(ctx, tx, a, req.Case, *repl)
		}
		return err
	})
	if err != nil || standing != nil {
		return standing, err
	}
	res.Replacement = repl
	return res, nil
}

// withdrawnAlready is the withdrawal that stands when req's case was
// withdrawn already with the same reason (compared as a finding's note is,
// once its spaces are normalised): giving the same withdrawal again, as a
// script run twice does, changes nothing. It is nil when the case was not
// withdrawn, or was withdrawn for another reason (checkWithdrawable then
// refuses it).
func withdrawnAlready(ctx context.Context, tx *store.Tx, a *Audit, req WithdrawRequest) (*WithdrawResult, error) {
	ws, err := loadWithdrawals(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	i := slices.IndexFunc(ws, func(w Withdrawal) bool { return w.Case == req.Case })
	if i < 0 || ws[i].Reason != req.Reason {
		return nil, nil
	}
	res := &WithdrawResult{Audit: a, Withdrawal: ws[i]}
	if id := ws[i].Replacement; id != "" {
		cases, err := loadCases(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		if j := slices.IndexFunc(cases, func(c SampledCase) bool { return c.ID == id }); j >= 0 {
			c := cases[j]
			res.Replacement = &c
		}
		cur, err := loadAllocation(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		if cur != nil {
			res.Auditor = cur.For(id)
		}
	}
	return res, nil
}

// checkWithdrawable refuses a case already withdrawn or already audited.
func checkWithdrawable(ctx context.Context, tx *store.Tx, a *Audit, caseID string) error {
	if err := checkNotWithdrawn(ctx, tx, a, caseID); err != nil {
		return err
	}
	f, ok, err := latestFinding(ctx, tx, a, caseID, false)
	if err != nil {
		return err
	}
	if ok {
		return opt.Errorf("case %s has a finding by %s (%s, recorded %s): it was audited, so it cannot be withdrawn; correct the finding instead (%s)",
			caseID, f.Auditor, f.Grade, f.At.Format("2006-01-02"), opt.Reason)
	}
	return nil
}

// reallocateReplacement gives the replacement the withdrawn case's auditor
// (or, when a conflict-of-interest rule forbids it, the eligible auditor
// with the fewest cases) and records the allocation, when the audit is
// allocated. It returns the auditor, or why no auditor may take the case.
func (s *Store) reallocateReplacement(ctx context.Context, tx *store.WriteTx, a *Audit, withdrawn string, repl SampledCase) (string, string, error) {
	cur, err := loadAllocation(ctx, tx.Tx, a)
	if err != nil || cur == nil {
		return "", "", err
	}
	prev := cur.For(withdrawn)
	load := map[string]int{}
	for _, x := range cur.Assigned {
		load[norm(x.Auditor)]++
	}
	candidates := slices.Clone(cur.Auditors)
	slices.SortStableFunc(candidates, func(x, y string) int {
		switch {
		case norm(x) == norm(prev):
			return -1
		case norm(y) == norm(prev):
			return 1
		}
		return load[norm(x)] - load[norm(y)]
	})
	auditor := ""
	var why []string
	for _, c := range candidates {
		plan, err := PlanAllocation([]SampledCase{repl}, []string{c}, cur.Rules, nil, nil)
		if err != nil {
			return "", "", err
		}
		if len(plan.Assigned) == 1 {
			auditor = plan.Assigned[0].Auditor
			break
		}
		for _, u := range plan.Unallocated {
			why = append(why, strings.TrimPrefix(u.Reason, "no auditor may take it: "))
		}
	}
	p := allocationPayload{Auditors: cur.Auditors, WorkerField: cur.Rules.WorkerField, TeamField: cur.Rules.TeamField,
		AuditorTeams: cur.Rules.AuditorTeams, Kept: cur.Kept, Assigned: []assignJSON{}, Unallocated: []unallocJSON{}}
	for _, x := range cur.Assigned {
		if x.Case != withdrawn {
			p.Assigned = append(p.Assigned, assignJSON(x))
		}
	}
	for _, x := range cur.Unallocated {
		if x.Case != withdrawn {
			p.Unallocated = append(p.Unallocated, unallocJSON(x))
		}
	}
	reason := ""
	if auditor != "" {
		p.Assigned = append(p.Assigned, assignJSON{Case: repl.ID, Auditor: auditor})
	} else {
		reason = "no auditor may take it: " + strings.Join(why, "; ")
		p.Unallocated = append(p.Unallocated, unallocJSON{Case: repl.ID, Reason: reason})
	}
	who, err := s.actorIn(ctx, tx.Tx)
	if err != nil {
		return "", "", err
	}
	if _, err := s.appendEntry(ctx, tx, a, KindAllocation, "", who, p); err != nil {
		return "", "", err
	}
	return auditor, reason, nil
}
