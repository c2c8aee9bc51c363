package audit

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"
)

// Two people give the same command at the same moment: the commands that
// take a command given again as done (withdraw, signoff, retire, redact,
// a response or closing) must take a twin racing them as done too. Each test
// opens the store twice, as two processes do, and releases two goroutines
// together, many times over: whichever writes second finds the first's
// entry inside its own write transaction and changes nothing.

// together runs fn on each store at once and returns what each returned.
func together[T any](stores []*Store, fn func(s *Store) (T, error)) ([]T, []error) {
	out, errs := make([]T, len(stores)), make([]error, len(stores))
	start := make(chan struct{})
	var wg sync.WaitGroup
	for i, s := range stores {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			out[i], errs[i] = fn(s)
		}()
	}
	close(start)
	wg.Wait()
	return out, errs
}

// twoHandles opens the store at where twice, as two processes would.
func twoHandles(t *testing.T, where string) []*Store {
	t.Helper()
	var out []*Store
	for range 2 {
		s, err := Open(context.Background(), where, Options{Actor: "QA Officer"})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		out = append(out, s)
	}
	return out
}

// countKind counts the entries of kind about caseID ("" any) in a trail.
func countKind(es []Entry, kind, caseID string) int {
	n := 0
	for _, e := range es {
		if e.Kind == kind && (caseID == "" || e.Case == caseID) {
			n++
		}
	}
	return n
}

const raceRounds = 12

func TestRacingWithdrawals(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		export := synthExport(t, t.TempDir(), "cases.csv", 3000)
		hs := twoHandles(t, where)
		d, err := Draw(ctx, hs[0], DrawRequest{Spec: drawSpec(export, "race", 2*raceRounds, time.Now()), Name: "W",
			Auditors: []string{"A. Khan", "B. Lee"}, Rules: AllocationRules{WorkerField: "Allocated Worker"}})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		cases, err := hs[0].Cases(ctx, "W")
		if err != nil {
			t.Fatal(err)
		}
		for i := range raceRounds {
			id := cases[i].ID
			res, errs := together(hs, func(s *Store) (*WithdrawResult, error) {
				return Withdraw(ctx, s, WithdrawRequest{Name: "W", Case: id, Reason: "closed before the audit"})
			})
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: two identical withdrawals at once: %v", i+1, err)
			}
			if res[0].Changed == res[1].Changed {
				t.Fatalf("round %d: changed %v and %v; want one withdrawal made and one found made", i+1, res[0].Changed, res[1].Changed)
			}
			if res[0].Withdrawal.Seq != res[1].Withdrawal.Seq || res[0].Replacement == nil || res[1].Replacement == nil ||
				res[0].Replacement.ID != res[1].Replacement.ID || res[0].Auditor != res[1].Auditor {
				t.Fatalf("round %d: the two said different withdrawals: %+v (replacement %v), %+v (replacement %v)",
					i+1, res[0].Withdrawal, res[0].Replacement, res[1].Withdrawal, res[1].Replacement)
			}
		}
		es, err := hs[0].Trail(ctx, "W")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range cases[:raceRounds] {
			if n := countKind(es, KindWithdrawal, c.ID); n != 1 {
				t.Errorf("%s has %d withdrawal entries; want 1", c.ID, n)
			}
		}
		if n := countKind(es, KindWithdrawal, ""); n != raceRounds {
			t.Errorf("%d withdrawal entries; want %d", n, raceRounds)
		}
		v, err := Verify(ctx, hs[1], VerifyRequest{Name: "W"})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			t.Errorf("verify after the races: %v", v.Problems(0))
		}
	})
}

// Two sign-offs of figures computed from the same trail: one signs off,
// the other finds it signed off with those figures (ErrSignedOff, which
// the command takes as done), not that the audit changed meanwhile.
func TestRacingSignOffs(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		hs := twoHandles(t, where)
		if _, err := hs[0].CreateAudit(ctx, testAudit("S"), testCases(2*raceRounds)); err != nil {
			t.Fatal(err)
		}
		for i := range raceRounds {
			// Each round's figures differ from the last sign-off's: a
			// finding flagged since.
			if _, err := hs[0].Record(ctx, "S", Finding{Case: testCases(raceRounds)[i].ID, Auditor: "A. Khan", Grade: Inadequate,
				Immediate: true, Date: time.Now().Format(time.DateOnly)}); err != nil {
				t.Fatal(err)
			}
			es, err := hs[0].Trail(ctx, "S")
			if err != nil {
				t.Fatal(err)
			}
			figs := Figures{Flagged: i + 1, Size: 2 * raceRounds, Population: 2000}
			so, errs := together(hs, func(s *Store) (SignOff, error) { return s.SignOffAudit(ctx, "S", figs, len(es), true) })
			made := 0
			for j, err := range errs {
				switch {
				case err == nil:
					made++
				case !errors.Is(err, ErrSignedOff):
					t.Fatalf("round %d: two sign-offs at once: %v", i+1, err)
				}
				if so[j].Figures.Flagged != i+1 {
					t.Errorf("round %d: sign-off %d stands with %d flagged", i+1, j, so[j].Figures.Flagged)
				}
			}
			if made != 1 || so[0].Seq != so[1].Seq {
				t.Fatalf("round %d: %d sign-offs made (entries %d, %d); want one, said by both", i+1, made, so[0].Seq, so[1].Seq)
			}
		}
		es, err := hs[1].Trail(ctx, "S")
		if err != nil {
			t.Fatal(err)
		}
		if n := countKind(es, KindSignOff, ""); n != raceRounds {
			t.Errorf("%d sign-off entries; want %d", n, raceRounds)
		}
	})
}

// Two retirements of every audit due at once: one retires each audit, the
// other finds nothing left to retire, as it would run a moment later.
func TestRacingRetirements(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		setup, clock := openAt(t, where, "QA Officer")
		if _, err := setup.SetRetention(ctx, 12, qaLead); err != nil {
			t.Fatal(err)
		}
		hs := twoHandles(t, where)
		const rounds = raceRounds / 2
		for i := range rounds {
			clock.t = time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)
			name := fmt.Sprintf("2019-02 round %d", i+1)
			a := testAudit(name)
			a.Period = "2019-02"
			if _, err := setup.CreateAudit(ctx, a, testCases(5)); err != nil {
				t.Fatal(err)
			}
			mustRecord(t, setup, name, Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2019-03-01"})
			figs := signOff(t, setup, name, 0)
			plan := figuresFor(t, setup, map[string]Figures{name: figs})
			got, errs := together(hs, func(s *Store) (Retirement, error) {
				return s.Retire(ctx, RetireRequest{Person: qaLead, Figures: plan})
			})
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: two retirements at once: %v", i+1, err)
			}
			if n := len(got[0].Retired) + len(got[1].Retired); n != 1 {
				t.Fatalf("round %d: %d retirements of %q; want 1", i+1, n, name)
			}
		}
		r, err := setup.Retired(ctx)
		if err != nil || len(r) != rounds {
			t.Errorf("retired: %d, %v; want %d", len(r), err, rounds)
		}
		_, problems, err := setup.VerifyLog(ctx)
		if err != nil || len(problems) > 0 {
			t.Errorf("the store log after the races: %v, %v", problems, err)
		}
	})
}

// Two identical responses, then two identical closings, at once: the
// decision is made inside the write transaction, so one is recorded and
// the other finds it (Unchanged), each time.
func TestRacingActionNotes(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		hs := twoHandles(t, where)
		if _, err := hs[0].CreateAudit(ctx, testAudit("A"), testCases(raceRounds)); err != nil {
			t.Fatal(err)
		}
		for i, c := range testCases(raceRounds) {
			mustRecord(t, hs[0], "A", Finding{Case: c.ID, Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: time.Now().Format(time.DateOnly)})
			for _, move := range []func(s *Store) (*Action, error){
				func(s *Store) (*Action, error) { return s.RespondAction(ctx, "A", c.ID, "T. Manager", "visit booked") },
				func(s *Store) (*Action, error) { return s.CloseAction(ctx, "A", c.ID, "QA Officer", "seen and safe") },
			} {
				acts, errs := together(hs, move)
				if err := errors.Join(errs...); err != nil {
					t.Fatalf("round %d: two identical notes at once: %v", i+1, err)
				}
				if (acts[0].Unchanged == nil) == (acts[1].Unchanged == nil) {
					t.Fatalf("round %d: unchanged %v and %v; want one note recorded and one found", i+1, acts[0].Unchanged, acts[1].Unchanged)
				}
			}
		}
		es, err := hs[1].Trail(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if r, c := countKind(es, KindActionRespond, ""), countKind(es, KindActionClose, ""); r != raceRounds || c != raceRounds {
			t.Errorf("%d responses and %d closings; want %d of each", r, c, raceRounds)
		}
	})
}

// Two redactions of the same note at once (an erasure script started twice):
// one erases it and writes the redaction entry, the other finds it erased
// and says that redaction, with nothing written.
func TestRacingRedactions(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		hs := twoHandles(t, where)
		cases := testCases(raceRounds)
		if _, err := hs[0].CreateAudit(ctx, testAudit("R"), cases); err != nil {
			t.Fatal(err)
		}
		for i := range raceRounds {
			mustRecord(t, hs[0], "R", Finding{Case: cases[i].ID, Auditor: "A. Khan", Grade: Good,
				Date: time.Now().Format(time.DateOnly), Note: fmt.Sprintf("Invented Child %d", i)})
			h, err := hs[0].History(ctx, "R", cases[i].ID)
			if err != nil || len(h) != 1 {
				t.Fatalf("history of %s: %v %v", cases[i].ID, h, err)
			}
			seq := h[0].Seq
			res, errs := together(hs, func(s *Store) (Redaction, error) {
				return s.Redact(ctx, RedactRequest{Audit: "R", Entry: seq, Reason: "names a child", Person: governance})
			})
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: two identical redactions at once: %v", i+1, err)
			}
			if res[0].Changed == res[1].Changed {
				t.Fatalf("round %d: changed %v and %v; want one redaction made and one found made", i+1, res[0].Changed, res[1].Changed)
			}
			if res[0].Seq != res[1].Seq || !res[0].At.Equal(res[1].At) {
				t.Fatalf("round %d: the two said different redactions: %+v, %+v", i+1, res[0], res[1])
			}
		}
		es, err := hs[0].Trail(ctx, "R")
		if err != nil {
			t.Fatal(err)
		}
		if n := countKind(es, KindRedaction, ""); n != raceRounds {
			t.Errorf("%d redaction entries; want %d", n, raceRounds)
		}
		mustVerify(t, hs[1], "R")
	})
}

// Two identical allocations at once (cron and a person, or a retry): one is
// recorded, the other finds it standing, and both give the same cases to
// the same auditors.
func TestRacingAllocations(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		hs := twoHandles(t, where)
		if _, err := hs[0].CreateAudit(ctx, testAudit("A"), testCases(2*raceRounds)); err != nil {
			t.Fatal(err)
		}
		teams := [][]string{{"A. Khan", "B. Lee"}, {"A. Khan", "B. Lee", "C. Nowak"}}
		for i := range raceRounds {
			auditors := teams[i%2]
			res, errs := together(hs, func(s *Store) (Allocation, error) { return s.Allocate(ctx, "A", auditors, AllocationRules{}) })
			if err := errors.Join(errs...); err != nil {
				t.Fatalf("round %d: two identical allocations at once: %v", i+1, err)
			}
			if (res[0].Standing == nil) == (res[1].Standing == nil) {
				t.Fatalf("round %d: standing %v and %v; want one allocation recorded and one found standing", i+1, res[0].Standing, res[1].Standing)
			}
			if fmt.Sprint(res[0].Assigned) != fmt.Sprint(res[1].Assigned) {
				t.Fatalf("round %d: the two gave different allocations", i+1)
			}
		}
		es, err := hs[0].Trail(ctx, "A")
		if err != nil {
			t.Fatal(err)
		}
		if n := countKind(es, KindAllocation, ""); n != raceRounds {
			t.Errorf("%d allocation entries; want %d (one a round)", n, raceRounds)
		}
		mustVerify(t, hs[1], "A")
	})
}
