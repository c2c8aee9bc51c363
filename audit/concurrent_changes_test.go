package audit

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"
)

// What another person does between the moment a command reads an audit and
// the moment it writes is caught in the write's transaction, and the
// command says to run it again. The commands read, then write, with the
// store unlocked between (figures are computed, an export is read again):
// these tests put the other person's write in that gap, through the same
// use cases, which no story can time.

// A finding recorded while QA's sign-off computed its figures: the sign-off
// is refused, and nothing is signed off.
func TestSignOffRefusesFiguresOfAnOlderTrail(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "S", 4)
	mustRecord(t, s, "S", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2026-07-01"})
	es, err := s.Trail(ctx, "S")
	if err != nil {
		t.Fatal(err)
	}
	asOf := len(es) // the sign-off's figures are computed from this trail
	mustRecord(t, s, "S", Finding{Case: "CR-0000002", Auditor: "B. Lee", Grade: Good, Date: "2026-07-01"})
	_, err = s.SignOffAudit(ctx, "S", Figures{Flagged: 0, Size: 4, Population: 2000}, asOf, true)
	want := fmt.Sprintf("audit \"S\" changed while its figures were computed (its trail has %d entries, not %d); run signoff again", asOf+1, asOf)
	if err == nil || err.Error() != want {
		t.Fatalf("sign-off with the figures of an older trail: %v, want %q", err, want)
	}
	if so, err := s.SignOffOf(ctx, "S"); err != nil || so.SignOff != nil {
		t.Errorf("sign-off after the refusal: %+v, %v", so, err)
	}
}

// Retire: a redaction made while the figures were computed, and an audit
// that fell due after they were computed; nothing is retired either time.
func TestRetireRefusesFiguresOfAnOlderTrail(t *testing.T) {
	ctx := context.Background()
	s, clock := openTest(t)
	figs := retireFixture(t, s, clock)
	stale := figuresFor(t, s, map[string]Figures{"old": figs["old"]})
	h, err := s.History(ctx, "old", "CR-0000002")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redact(ctx, RedactRequest{Audit: "old", Entry: h[0].Seq, Reason: "names a child", Person: governance}); err != nil {
		t.Fatal(err)
	}
	_, err = s.Retire(ctx, RetireRequest{Person: qaLead, Figures: stale})
	if err == nil || !strings.Contains(err.Error(), `audit "old" changed while its figures were computed (its trail has `) ||
		!strings.HasSuffix(err.Error(), "; run retire again") {
		t.Errorf("retire with the figures of an older trail: %v", err)
	}
	// The command computes figures for the audits due when it reads; one
	// that falls due before it writes has none.
	_, err = s.Retire(ctx, RetireRequest{Person: qaLead, Figures: map[string]RetireFigures{}})
	if want := `no figures were computed for audit "old"; run retire again`; err == nil || err.Error() != want {
		t.Errorf("retire of an audit due without figures: %v, want %q", err, want)
	}
	if r, err := s.Retired(ctx); err != nil || len(r) != 0 {
		t.Errorf("retired after the refusals: %v, %v", r, err)
	}
	clock.t = time.Now().UTC()
	if _, err := s.Retire(ctx, RetireRequest{Person: qaLead, Figures: figuresFor(t, s, map[string]Figures{"old": figs["old"]})}); err != nil {
		t.Errorf("retire run again: %v", err)
	}
}

// A case withdrawn by someone else while this withdrawal read the export
// again for a replacement: this one is refused, the other stands.
func TestWithdrawRefusesASampleChangedMeanwhile(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	// The read reports its progress every 65,536 rows: the other
	// withdrawal runs at the first report.
	export := synthExport(t, dir, "cases.csv", 70000)
	d, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "race", 10, clock.now()), Name: "W"})
	if err != nil {
		t.Fatal(err)
	}
	d.Close()
	cases, _ := st.Cases(ctx, "W")
	other := false
	progress := func(int) {
		if other {
			return
		}
		other = true // the other person's withdrawal, while this one reads
		if _, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: cases[1].ID, Reason: "transferred"}); err != nil {
			t.Errorf("the other withdrawal: %v", err)
		}
	}
	_, err = Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: cases[0].ID, Reason: "closed before the audit", Progress: progress})
	want := `the sample of audit "W" changed while the replacement was drawn; withdraw the case again`
	if !other || err == nil || err.Error() != want {
		t.Fatalf("withdrawal while another withdrew (other ran: %v): %v, want %q", other, err, want)
	}
	ws, err := st.Withdrawals(ctx, "W")
	if err != nil || len(ws) != 1 || ws[0].Case != cases[1].ID {
		t.Errorf("withdrawals after the refusal: %+v, %v; want only %s", ws, err, cases[1].ID)
	}
	if _, err := Withdraw(ctx, st, WithdrawRequest{Name: "W", Case: cases[0].ID, Reason: "closed before the audit"}); err != nil {
		t.Errorf("the withdrawal run again: %v", err)
	}
}
