package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// A sampled case that cannot be audited — closed before the audit,
// transferred, sealed, a duplicate record — is withdrawn with a reason and
// replaced by the next case in ticket order of its stratum (of the whole
// population when the sample is not stratified): the consistent sampler's
// next ticket, which anyone holding the export and the seed finds again.
// The withdrawn case stays in the sample's record; the trail's
// "withdrawal" entry holds the reason and the replacement, which is
// appended to the sample (and given the withdrawn case's auditor when the
// audit is allocated). Reports count audited cases only and say how many
// were withdrawn and why; verify re-derives the sample with its
// replacements.

// KindWithdrawal is the trail entry of a withdrawn case (its Case) and
// the case appended in its place.
const KindWithdrawal = "withdrawal"

// Withdrawal is one withdrawn case.
type Withdrawal struct {
	Case   string
	Reason string
	// Stratum is the withdrawn case's stratum ("" when not stratified).
	Stratum string
	// Replacement is the case drawn in its place; "" when the stratum had
	// no other case.
	Replacement string
	Actor       string
	At          time.Time
	Seq         int
}

type withdrawalPayload struct {
	Reason  string `json:"reason"`
	Stratum string `json:"stratum"`
	// Cases holds the replacement (none when the stratum had no other
	// case): appended to the sample, as a grow entry's cases.
	Cases []sampledCaseJSON `json:"cases"`
	// Factors are the replacement's factor values, when the audit records
	// factors (as a grow entry's).
	Factors map[string]sample.CaseFactors `json:"factors,omitempty"`
}

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

// withdrawalsOf are the withdrawn cases in a trail's entries es, oldest first.
func withdrawalsOf(es []Entry) ([]Withdrawal, error) {
	out := []Withdrawal{}
	for _, e := range es {
		if e.Kind != KindWithdrawal {
			continue
		}
		var p withdrawalPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, opt.Errorf("trail entry %d (withdrawal) is damaged: %w", e.Seq, err)
		}
		w := Withdrawal{Case: e.Case, Reason: p.Reason, Stratum: p.Stratum, Actor: e.Actor, At: e.At, Seq: e.Seq}
		if len(p.Cases) > 0 {
			w.Replacement = p.Cases[0].ID
		}
		out = append(out, w)
	}
	return out, nil
}

// activeCases leaves the withdrawn cases out of cases.
func activeCases(cases []SampledCase, ws []Withdrawal) []SampledCase {
	if len(ws) == 0 {
		return cases
	}
	gone := make(map[string]bool, len(ws))
	for _, w := range ws {
		gone[w.Case] = true
	}
	out := make([]SampledCase, 0, len(cases))
	for _, c := range cases {
		if !gone[c.ID] {
			out = append(out, c)
		}
	}
	return out
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

// WithdrawnError says a case was withdrawn from the sample: it takes no
// finding.
type WithdrawnError struct {
	Audit       string
	Withdrawal  Withdrawal
	Replacement string
}

func (e *WithdrawnError) Error() string {
	msg := fmt.Sprintf("case %s was withdrawn from audit %q on %s (%s)", e.Withdrawal.Case, e.Audit,
		e.Withdrawal.At.Format("2006-01-02"), e.Withdrawal.Reason)
	if e.Withdrawal.Replacement != "" {
		msg += fmt.Sprintf("; %s was drawn in its place", e.Withdrawal.Replacement)
	}
	return msg
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

// WithdrawRequest is the use case "withdraw a case".
type WithdrawRequest struct {
	Name   string
	Case   string
	Reason string // why the case cannot be audited (required)
	// Export is the audit's export; "" finds the recorded one (see
	// LocateExport). It must be the very file the sample was drawn from.
	Export   string
	Progress func(rows int)
}

// WithdrawResult is a withdrawn case and its replacement.
type WithdrawResult struct {
	Audit      *Audit
	Withdrawal Withdrawal
	// Replacement is the case drawn in its place; nil when its stratum had
	// no other case.
	Replacement *SampledCase
	// Auditor is the replacement's auditor, "" when the audit is not
	// allocated or no auditor may take it (Unallocated says why).
	Auditor     string
	Unallocated string
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
	if err := st.read(ctx, "reading", func(tx *store.Tx) error { return checkWithdrawable(ctx, tx, a, req.Case) }); err != nil {
		return nil, err
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
	res := &WithdrawResult{Audit: a}
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
		e, err := st.appendEntry(ctx, tx, a, KindWithdrawal, req.Case, st.actor, p)
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
	if err != nil {
		return nil, err
	}
	res.Replacement = repl
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
		plan, err := PlanAllocation([]SampledCase{repl}, []string{c}, cur.Rules, nil)
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

// replacements counts the withdrawals that drew a replacement.
func replacements(ws []Withdrawal) int {
	n := 0
	for _, w := range ws {
		if w.Replacement != "" {
			n++
		}
	}
	return n
}

// errNotNested: a larger draw does not hold every case already drawn.
var errNotNested = errors.New("the larger draw does not hold the cases already drawn")

// growSelection draws the next k cases of a sample whose draws (the first
// and each growth) hold base cases, have being every case recorded (the
// withdrawn and their replacements too): the smallest draw from base+k on
// that holds every case drawn so far and k cases not yet recorded — a
// replacement the larger draw holds counts as drawn already. Without
// withdrawals that is the draw of base+k.
func growSelection(p *sample.Provenance, pop *sample.Population, base int, have map[string]bool, k int) ([]sample.Selected, error) {
	opts := sample.SelectOptions{}
	if p.Stratified() {
		opts.Allocation, opts.MinPerStratum = p.Strata.Allocation, p.Strata.MinPerStratum
	}
	prev := map[string]bool{}
	if base > 0 {
		opts.Size = base
		sel, err := pop.Select(opts)
		if err != nil {
			return nil, err
		}
		for _, c := range sel.Cases {
			prev[c.ID] = true
		}
	}
	for size := base + k; size <= pop.Len(); size++ {
		opts.Size = size
		sel, err := pop.Select(opts)
		if err != nil {
			return nil, err
		}
		in := map[string]bool{}
		var added []sample.Selected
		for _, c := range sel.Cases {
			in[c.ID] = true
			if !have[c.ID] {
				added = append(added, c)
			}
		}
		for id := range prev {
			if !in[id] {
				return nil, errNotNested
			}
		}
		switch {
		case len(added) == k:
			return added, nil
		case len(added) > k:
			return nil, errNotNested
		}
	}
	// have holds every case recorded: each withdrawn case stays drawn, and
	// its replacement was drawn too.
	if left := pop.Len() - len(have); left > 0 {
		return nil, fmt.Errorf("the population of %d has only %s not drawn yet (a withdrawn case and its replacement both count as drawn); grow by at most %d",
			pop.Len(), words.Count(left, "case"), left)
	}
	return nil, fmt.Errorf("every case of the population of %d is drawn already (a withdrawn case and its replacement both count as drawn)", pop.Len())
}
