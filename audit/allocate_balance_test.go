package audit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"reflect"
	"strings"
	"testing"
)

// Allocating again balances the audit's whole workload: each auditor's
// total counts the recorded cases she keeps, not only the cases dealt this
// time. These tests are the month a QA officer lives through: an audit of
// 90 or 120 cases shared among 3–5 auditors who finish at different paces,
// one who leaves mid-month and one who joins.

// recordFirst records findings on the first n cases (in sample order) the
// allocation al gives the auditor, dated in July, audited on the day the
// audit was drawn, every fifth flagged for
// immediate attention.
func recordFirst(t *testing.T, s *Store, name string, al Allocation, auditor string, n int) {
	t.Helper()
	grades := []Grade{Good, RequiresImprovement, Outstanding, Inadequate}
	done := 0
	for i, x := range al.Assigned {
		if done == n {
			return
		}
		if x.Auditor != auditor {
			continue
		}
		mustRecord(t, s, name, Finding{Case: x.Case, Auditor: auditor, Grade: grades[i%len(grades)],
			Immediate: i%5 == 0, Note: "seen " + x.Case, Date: "2026-07-03"})
		done++
	}
	if done != n {
		t.Fatalf("%s has %d cases; want %d to record", auditor, done, n)
	}
}

// progress is the status view's per-auditor progress, by auditor.
func progress(t *testing.T, s *Store, name string) map[string]AuditorProgress {
	t.Helper()
	st, err := s.Status(context.Background(), name)
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]AuditorProgress{}
	for _, p := range st.Auditors {
		if p.Allocated != p.Recorded+len(p.ToDo) {
			t.Errorf("%s: %d allocated but %d recorded and %d to do", p.Auditor, p.Allocated, p.Recorded, len(p.ToDo))
		}
		out[p.Auditor] = p
	}
	if len(st.Unallocated) != 0 {
		t.Errorf("unallocated %v", st.Unallocated)
	}
	return out
}

// reallocate allocates the audit again and checks what must never change:
// every finding stays as recorded, every recorded case stays with the
// auditor who had it, and the trail verifies.
func reallocate(t *testing.T, s *Store, name string, auditors []string) Allocation {
	t.Helper()
	ctx := context.Background()
	before, err := s.Findings(ctx, name, false)
	if err != nil {
		t.Fatal(err)
	}
	prev, err := s.Allocation(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	al, err := s.Allocate(ctx, name, auditors, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	after, err := s.Findings(ctx, name, false)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("allocating again changed the findings")
	}
	for _, f := range before {
		if got, was := al.For(f.Case), prev.For(f.Case); got != was {
			t.Errorf("recorded case %s moved from %s to %s", f.Case, was, got)
		}
	}
	if al.Kept != len(before) {
		t.Errorf("kept %d; want the %d recorded cases", al.Kept, len(before))
	}
	mustVerify(t, s, name)
	return al
}

// An audit of 120 cases among 4 auditors, allocated again to the same 4
// when they are at different points: each ends with 30 cases in all.
func TestReallocateSameAuditorsEvensWholeWorkload(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 120)
	four := []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"}
	al, err := s.Allocate(ctx, "July", four, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	for a, n := range map[string]int{"A. Khan": 20, "B. Evans": 5, "D. Mensah": 10} {
		recordFirst(t, s, "July", al, a, n)
	}
	reallocate(t, s, "July", four)
	// By hand: 35 recorded (20, 5, 0, 10); the 85 left bring each to 120/4.
	p := progress(t, s, "July")
	for a, rec := range map[string]int{"A. Khan": 20, "B. Evans": 5, "C. Nowak": 0, "D. Mensah": 10} {
		if p[a].Allocated != 30 || p[a].Recorded != rec {
			t.Errorf("%s: %d allocated, %d recorded; want 30 and %d", a, p[a].Allocated, p[a].Recorded, rec)
		}
	}
}

// An audit of 90 cases among 3 auditors; C. Nowak leaves mid-month having
// recorded 15 of her 30. Her recorded cases stay hers; the 15 she had not
// reached are shared so that A. Khan and B. Evans end level (within one),
// counting what each has recorded already.
func TestReallocateAuditorLeaves(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 90)
	al, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	recordFirst(t, s, "July", al, "A. Khan", 12)
	recordFirst(t, s, "July", al, "B. Evans", 6)
	recordFirst(t, s, "July", al, "C. Nowak", 15)
	reallocate(t, s, "July", []string{"A. Khan", "B. Evans"})
	p := progress(t, s, "July")
	// By hand: 90 − 15 = 75 between the two; B. Evans, 6 behind, takes the
	// first 6 cases dealt, then they alternate from A. Khan: 38 and 37.
	if k, e := p["A. Khan"], p["B. Evans"]; k.Allocated != 38 || e.Allocated != 37 || k.Recorded != 12 || e.Recorded != 6 {
		t.Errorf("A. Khan %+v, B. Evans %+v; want 38 and 37 cases", k, e)
	}
	if n := p["C. Nowak"]; n.Allocated != 15 || n.Recorded != 15 || len(n.ToDo) != 0 {
		t.Errorf("C. Nowak, gone: %+v; want her 15 recorded cases and nothing to do", n)
	}
}

// An audit of 120 cases among 3 auditors; D. Mensah joins mid-month. She
// takes a full share of 30, and the others end with 30 each too, however
// far each had got.
func TestReallocateAuditorJoins(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 120)
	al, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	recordFirst(t, s, "July", al, "A. Khan", 20)
	recordFirst(t, s, "July", al, "B. Evans", 16)
	recordFirst(t, s, "July", al, "C. Nowak", 24)
	reallocate(t, s, "July", []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"})
	p := progress(t, s, "July")
	for a, rec := range map[string]int{"A. Khan": 20, "B. Evans": 16, "C. Nowak": 24, "D. Mensah": 0} {
		if p[a].Allocated != 30 || p[a].Recorded != rec {
			t.Errorf("%s: %d allocated, %d recorded; want 30 and %d", a, p[a].Allocated, p[a].Recorded, rec)
		}
	}
}

// Five auditors, one of whom has recorded more than a fair share already:
// she keeps them all and is given nothing more; the rest share what is left
// evenly. Then one leaves and one joins in the same allocation.
func TestReallocateAuditorAheadOfHerShare(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 120)
	al, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	recordFirst(t, s, "July", al, "A. Khan", 30)
	recordFirst(t, s, "July", al, "B. Evans", 10)
	recordFirst(t, s, "July", al, "D. Mensah", 5)
	reallocate(t, s, "July", []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah", "E. Okafor"})
	p := progress(t, s, "July")
	// By hand: A. Khan's 30 are more than 120/5; the other 90 go 23, 23,
	// 22, 22 — the extra two to the first named of those level at the end.
	want := map[string]int{"A. Khan": 30, "B. Evans": 23, "C. Nowak": 23, "D. Mensah": 22, "E. Okafor": 22}
	for a, n := range want {
		if p[a].Allocated != n {
			t.Errorf("%s: %d allocated; want %d", a, p[a].Allocated, n)
		}
	}
	if len(p["A. Khan"].ToDo) != 0 {
		t.Errorf("A. Khan was given more: %v", p["A. Khan"].ToDo)
	}

	// B. Evans leaves with 10 recorded; F. Silva joins. 120 − 30 − 10 = 80
	// among four: 20 each.
	cur, err := s.Allocation(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	recordFirst(t, s, "July", *cur, "E. Okafor", 4)
	reallocate(t, s, "July", []string{"A. Khan", "C. Nowak", "D. Mensah", "E. Okafor", "F. Silva"})
	p = progress(t, s, "July")
	want = map[string]int{"A. Khan": 30, "B. Evans": 10, "C. Nowak": 20, "D. Mensah": 20, "E. Okafor": 20, "F. Silva": 20}
	for a, n := range want {
		if p[a].Allocated != n {
			t.Errorf("%s: %d allocated; want %d", a, p[a].Allocated, n)
		}
	}
}

// The same audit, findings and auditors give the same allocation again:
// anyone holding the trail can re-derive who was given what.
func TestReallocateIsDeterministic(t *testing.T) {
	ctx := context.Background()
	run := func() []Assignment {
		s, _ := withAudit(t, "July", 90)
		al, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak"}, AllocationRules{})
		if err != nil {
			t.Fatal(err)
		}
		recordFirst(t, s, "July", al, "B. Evans", 7)
		recordFirst(t, s, "July", al, "C. Nowak", 19)
		return reallocate(t, s, "July", []string{"C. Nowak", "A. Khan", "D. Mensah"}).Assigned
	}
	a, b := run(), run()
	if fmt.Sprint(a) != fmt.Sprint(b) {
		t.Errorf("two runs of the same month allocate differently:\n%v\n%v", a, b)
	}
}

// Worked by hand: a kept case counts for the listed auditor it belongs to,
// whatever the spelling it was kept under.
func TestPlanAllocationCountsKeptCases(t *testing.T) {
	cases := testCases(6)
	got, err := PlanAllocation(cases, []string{"A. Khan", "B. Lee"}, AllocationRules{}, map[string]string{"CR-0000001": "a.  khan"})
	if err != nil {
		t.Fatal(err)
	}
	want := "CR-0000001:a.  khan CR-0000002:B. Lee CR-0000003:A. Khan CR-0000004:B. Lee CR-0000005:A. Khan CR-0000006:B. Lee"
	var b []string
	for _, x := range got.Assigned {
		b = append(b, x.Case+":"+x.Auditor)
	}
	if strings.Join(b, " ") != want || got.Kept != 1 {
		t.Errorf("allocation\n got %s\nwant %s", strings.Join(b, " "), want)
	}
}

// TestPlanAllocationKeptProperties checks random re-allocations against the
// rule directly: without conflict-of-interest rules, an auditor given any
// new case ends at most one case above the least-loaded listed auditor,
// counting kept cases; kept cases are never moved.
func TestPlanAllocationKeptProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for trial := 0; trial < 300; trial++ {
		nAud := 1 + rng.IntN(5)
		var auditors []string
		for i := 0; i < nAud; i++ {
			auditors = append(auditors, fmt.Sprintf("Auditor %c", 'A'+i))
		}
		cases := testCases(1 + rng.IntN(120))
		keep := map[string]string{}
		for _, c := range cases {
			if rng.IntN(3) == 0 {
				// kept by a listed auditor (in another spelling, sometimes)
				// or by one who has left
				i := rng.IntN(nAud + 1)
				a := "Auditor Gone"
				if i < nAud {
					a = auditors[i]
					if rng.IntN(2) == 0 {
						a = strings.ToUpper(a)
					}
				}
				keep[c.ID] = a
			}
		}
		got, err := PlanAllocation(cases, auditors, AllocationRules{}, keep)
		if err != nil {
			t.Fatal(err)
		}
		total, fresh := map[string]int{}, map[string]int{}
		for _, x := range got.Assigned {
			if k, ok := keep[x.Case]; ok {
				if x.Auditor != k {
					t.Fatalf("trial %d: kept case %s moved from %s to %s", trial, x.Case, k, x.Auditor)
				}
			} else {
				fresh[x.Auditor]++
			}
			total[strings.ToLower(x.Auditor)]++
		}
		if len(got.Assigned) != len(cases) || got.Kept != len(keep) {
			t.Fatalf("trial %d: %d assigned, %d kept of %d cases, %d to keep", trial, len(got.Assigned), got.Kept, len(cases), len(keep))
		}
		lo := len(cases)
		for _, a := range auditors {
			lo = min(lo, total[strings.ToLower(a)])
		}
		for _, a := range auditors {
			if fresh[a] > 0 && total[strings.ToLower(a)] > lo+1 {
				t.Fatalf("trial %d: %s given %d new cases, ends with %d; the least has %d (totals %v)", trial, a, fresh[a], total[strings.ToLower(a)], lo, total)
			}
		}
	}
}
