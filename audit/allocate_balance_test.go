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

// share is an auditor's cases in the status view: allocated in all, and
// recorded.
type share struct{ allocated, recorded int }

// wantShares checks the status view's per-auditor counts.
func wantShares(t *testing.T, s *Store, name string, want map[string]share) {
	t.Helper()
	p := progress(t, s, name)
	for a, w := range want {
		if got := (share{p[a].Allocated, p[a].Recorded}); got != w {
			t.Errorf("%s: %d allocated, %d recorded; want %d and %d", a, got.allocated, got.recorded, w.allocated, w.recorded)
		}
	}
	if len(p) != len(want) {
		t.Errorf("%d auditors in the status view; want %d", len(p), len(want))
	}
}

// allocateAndRecord allocates an audit of n cases to auditors, then records
// findings on the first cases of each as recorded says.
func allocateAndRecord(t *testing.T, n int, auditors []string, recorded map[string]int) *Store {
	t.Helper()
	s, _ := withAudit(t, "July", n)
	al, err := s.Allocate(context.Background(), "July", auditors, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range auditors {
		if recorded[a] > 0 {
			recordFirst(t, s, "July", al, a, recorded[a])
		}
	}
	return s
}

// Each month by hand: the shares the status view must show after the
// audit is allocated again.
func TestReallocateBalancesWholeWorkload(t *testing.T) {
	for _, c := range []struct {
		name     string
		cases    int
		first    []string
		recorded map[string]int
		again    []string
		want     map[string]share
	}{{
		// 35 recorded (20, 5, 0, 10); the 85 left bring each to 120/4.
		name:     "same four auditors at different points",
		cases:    120,
		first:    []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"},
		recorded: map[string]int{"A. Khan": 20, "B. Evans": 5, "D. Mensah": 10},
		again:    []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"},
		want:     map[string]share{"A. Khan": {30, 20}, "B. Evans": {30, 5}, "C. Nowak": {30, 0}, "D. Mensah": {30, 10}},
	}, {
		// C. Nowak leaves having recorded 15 of her 30: they stay hers.
		// 90 − 15 = 75 between the other two; B. Evans, 6 behind, takes
		// the first 6 cases dealt, then they alternate from A. Khan: 38
		// and 37.
		name:     "an auditor leaves",
		cases:    90,
		first:    []string{"A. Khan", "B. Evans", "C. Nowak"},
		recorded: map[string]int{"A. Khan": 12, "B. Evans": 6, "C. Nowak": 15},
		again:    []string{"A. Khan", "B. Evans"},
		want:     map[string]share{"A. Khan": {38, 12}, "B. Evans": {37, 6}, "C. Nowak": {15, 15}},
	}, {
		// D. Mensah joins and takes a full share of 30; the others end
		// with 30 each too, however far each had got.
		name:     "an auditor joins",
		cases:    120,
		first:    []string{"A. Khan", "B. Evans", "C. Nowak"},
		recorded: map[string]int{"A. Khan": 20, "B. Evans": 16, "C. Nowak": 24},
		again:    []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"},
		want:     map[string]share{"A. Khan": {30, 20}, "B. Evans": {30, 16}, "C. Nowak": {30, 24}, "D. Mensah": {30, 0}},
	}, {
		// A. Khan's 30 recorded are more than 120/5: she is given nothing
		// more; the other 90 go 23, 23, 22, 22, the extra two to the
		// first named of those level at the end.
		name:     "an auditor ahead of her share when a fifth joins",
		cases:    120,
		first:    []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"},
		recorded: map[string]int{"A. Khan": 30, "B. Evans": 10, "D. Mensah": 5},
		again:    []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah", "E. Okafor"},
		want:     map[string]share{"A. Khan": {30, 30}, "B. Evans": {23, 10}, "C. Nowak": {23, 0}, "D. Mensah": {22, 5}, "E. Okafor": {22, 0}},
	}} {
		t.Run(c.name, func(t *testing.T) {
			s := allocateAndRecord(t, c.cases, c.first, c.recorded)
			reallocate(t, s, "July", c.again)
			wantShares(t, s, "July", c.want)
		})
	}
}

// Allocating twice in a month, one leaving and one joining each time.
func TestReallocateTwiceInAMonth(t *testing.T) {
	ctx := context.Background()
	s := allocateAndRecord(t, 120, []string{"A. Khan", "B. Evans", "C. Nowak", "D. Mensah"},
		map[string]int{"A. Khan": 30, "B. Evans": 10, "D. Mensah": 5})
	// C. Nowak leaves, E. Okafor joins: 120 − 30 = 90 among B. Evans,
	// D. Mensah and E. Okafor, 30 each.
	reallocate(t, s, "July", []string{"A. Khan", "B. Evans", "D. Mensah", "E. Okafor"})
	wantShares(t, s, "July", map[string]share{"A. Khan": {30, 30}, "B. Evans": {30, 10}, "D. Mensah": {30, 5}, "E. Okafor": {30, 0}})
	cur, err := s.Allocation(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	// B. Evans leaves with 10 recorded; F. Silva joins. 120 − 30 − 10 = 80
	// among three: 26 each and two over, to the first named, D. Mensah
	// and E. Okafor.
	recordFirst(t, s, "July", *cur, "E. Okafor", 4)
	reallocate(t, s, "July", []string{"A. Khan", "D. Mensah", "E. Okafor", "F. Silva"})
	wantShares(t, s, "July", map[string]share{"A. Khan": {30, 30}, "B. Evans": {10, 10}, "D. Mensah": {27, 5}, "E. Okafor": {27, 4}, "F. Silva": {26, 0}})
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
	got, err := PlanAllocation(cases, []string{"A. Khan", "B. Lee"}, AllocationRules{}, map[string]string{"CR-0000001": "a.  khan"}, nil)
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
		got, err := PlanAllocation(cases, auditors, AllocationRules{}, keep, nil)
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
