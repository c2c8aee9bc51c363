package audit

import (
	"context"
	"encoding/csv"
	"errors"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/sample"
)

// nextInStratum is the replacement rule worked out independently of the
// sampler's code: of the export's rows whose Team is team, the ID with the
// smallest ticket (then ID) not in taken.
func nextInStratum(t *testing.T, export, seed, team string, taken map[string]bool) string {
	t.Helper()
	f, err := os.Open(export)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	head := recs[0]
	id, tm := slices.Index(head, "Case Reference"), slices.Index(head, "Team")
	best, bestTicket := "", ""
	for _, rec := range recs[1:] {
		if len(rec) <= tm || rec[tm] != team || taken[rec[id]] {
			continue
		}
		tk := sample.Ticket(seed, rec[id])
		if best == "" || tk < bestTicket || (tk == bestTicket && rec[id] < best) {
			best, bestTicket = rec[id], tk
		}
	}
	return best
}

func TestWithdrawReplacesAndVerifies(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "cases.csv", 2000)
	d, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "withdraw", 24, clock.now()), Name: "W",
		Auditors: []string{"A. Khan", "B. Lee"}, Rules: AllocationRules{WorkerField: "Allocated Worker"}})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	cases, _ := st.Cases(ctx, "W")
	target := cases[4]
	al, _ := st.Allocation(ctx, "W")
	taken := map[string]bool{}
	for _, c := range cases {
		taken[c.ID] = true
	}
	want := nextInStratum(t, export, "withdraw", target.Stratum, taken)

	if _, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: target.ID}); err == nil || !strings.Contains(err.Error(), "a withdrawal needs") {
		t.Errorf("a withdrawal without a reason: %v", err)
	}
	res, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: target.ID, Reason: "  closed  before the audit "})
	if err != nil {
		t.Fatal(err)
	}
	if res.Replacement == nil || res.Replacement.ID != want || res.Replacement.Order != 25 || res.Replacement.Stratum != target.Stratum {
		t.Fatalf("replacement %+v; want %s, number 25, stratum %s", res.Replacement, want, target.Stratum)
	}
	if res.Withdrawal.Reason != "closed before the audit" {
		t.Errorf("reason %q", res.Withdrawal.Reason)
	}
	if prev := al.For(target.ID); res.Auditor != prev {
		t.Errorf("the replacement went to %q; the withdrawn case was %q's", res.Auditor, prev)
	}
	// The sample that stands: 24 cases, the replacement in, the withdrawn out.
	active, ws, err := st.ActiveCases(ctx, "W")
	if err != nil {
		t.Fatal(err)
	}
	ids := make([]string, len(active))
	for i, c := range active {
		ids[i] = c.ID
	}
	if len(active) != 24 || slices.Contains(ids, target.ID) || !slices.Contains(ids, want) || len(ws) != 1 {
		t.Errorf("active cases %v, withdrawals %+v", ids, ws)
	}
	al, _ = st.Allocation(ctx, "W")
	if al.For(target.ID) != "" || al.For(want) != res.Auditor {
		t.Errorf("allocation after withdrawal: %+v", al.Assigned)
	}
	status, _ := st.Status(ctx, "W")
	if status.Size != 24 || status.Withdrawn != 1 || slices.Contains(status.ToDo, target.ID) {
		t.Errorf("status %+v", status.AuditSummary)
	}

	// A withdrawn case takes no finding; an audited case is not withdrawn.
	_, err = st.Record(ctx, "W", Finding{Case: target.ID, Auditor: "A. Khan", Grade: Good})
	var we *WithdrawnError
	if !errors.As(err, &we) {
		t.Errorf("a finding on a withdrawn case: %v", err)
	}
	mustRecord(t, st, "W", Finding{Case: want, Auditor: "A. Khan", Grade: Good})
	if _, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: want, Reason: "duplicate"}); err == nil || !strings.Contains(err.Error(), "it was audited") {
		t.Errorf("withdrawing an audited case: %v", err)
	}

	// Verify replays the draw with the replacement; so it does after growth.
	mustVerify(t, st, "W")
	g, err := Grow(ctx, st, GrowRequest{Name: "W", By: 4})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	for _, c := range cases[10:12] {
		if _, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: c.ID, Reason: "transferred"}); err != nil {
			t.Fatal(err)
		}
	}
	v, err := Verify(ctx, st, VerifyRequest{Name: "W"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("verify after withdrawals and growth: %v", v.Problems(0))
	}
	// An export where the replacement's row is gone no longer re-derives it.
	edited := dir + "/edited.csv"
	editCSV(t, export, edited, func(rec []string) bool { return rec[0] != want })
	v, err = Verify(ctx, st, VerifyRequest{Name: "W", Export: edited})
	if err != nil {
		t.Fatal(err)
	}
	if v.OK() || !strings.Contains(strings.Join(v.Problems(0), "\n"), want) {
		t.Errorf("verify with the replacement gone: OK %v, %v", v.OK(), v.Problems(0))
	}
}
