package audit

import (
	"context"
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

func TestPlanAllocationByHand(t *testing.T) {
	cases := testCases(8)
	for i := range cases {
		cases[i].Columns = testColumns
	}
	rules := AllocationRules{WorkerField: "allocated worker", TeamField: "TEAM",
		AuditorTeams: map[string]string{"A. Khan": "North", "B. LEE": "south", "Z. Ward": "East"}}
	got, err := PlanAllocation(cases, []string{"A. Khan", " b. lee ", "Z. Ward"}, rules, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	// Worked by hand (team, worker of case i cycle North/South/East/West and
	// A. Khan … F. Silva); each case goes to the least-loaded eligible
	// auditor, ties to the first named.
	want := "CR-0000001:b. lee CR-0000002:A. Khan CR-0000003:A. Khan CR-0000004:Z. Ward " +
		"CR-0000005:b. lee CR-0000006:Z. Ward CR-0000007:b. lee CR-0000008:A. Khan"
	var b []string
	for _, x := range got.Assigned {
		b = append(b, x.Case+":"+x.Auditor)
	}
	if strings.Join(b, " ") != want || len(got.Unallocated) != 0 {
		t.Errorf("allocation\n got %s\nwant %s\nunallocated %v", strings.Join(b, " "), want, got.Unallocated)
	}

	one, err := PlanAllocation(cases, []string{"A. Khan"}, AllocationRules{WorkerField: "Allocated Worker", TeamField: "Team",
		AuditorTeams: map[string]string{"a. khan": "north"}}, nil, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantU := []Unallocated{
		{"CR-0000001", "no auditor may take it: A. Khan is its allocated worker"},
		{"CR-0000005", "no auditor may take it: A. Khan is in its team (North)"},
		{"CR-0000007", "no auditor may take it: A. Khan is its allocated worker"},
	}
	if fmt.Sprint(one.Unallocated) != fmt.Sprint(wantU) || len(one.Assigned) != 5 {
		t.Errorf("unallocated %v; want %v", one.Unallocated, wantU)
	}
}

func TestPlanAllocationErrors(t *testing.T) {
	cases := testCases(4)
	for i := range cases {
		cases[i].Columns = testColumns
	}
	for _, c := range []struct {
		auditors []string
		rules    AllocationRules
		want     string
	}{
		{nil, AllocationRules{}, "at least one auditor"},
		{[]string{"A. Khan", "a. khan"}, AllocationRules{}, "named twice"},
		{[]string{"A. Khan", " "}, AllocationRules{}, "empty"},
		{[]string{"A. Khan"}, AllocationRules{WorkerField: "Social Worker"}, `no column "Social Worker"`},
		{[]string{"A. Khan"}, AllocationRules{TeamField: "Team"}, "every auditor's team"},
		{[]string{"A. Khan", "B. Lee"}, AllocationRules{TeamField: "Team", AuditorTeams: map[string]string{"A. Khan": "North"}}, `"B. Lee" has no team`},
		{[]string{"A. Khan"}, AllocationRules{AuditorTeams: map[string]string{"A. Khan": "North"}}, "no team column"},
	} {
		_, err := PlanAllocation(cases, c.auditors, c.rules, nil, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%v %+v: %v; want %q", c.auditors, c.rules, err, c.want)
		}
	}
}

// TestPlanAllocationProperties checks random allocations against the rules
// directly: no conflict of interest, every case that some auditor may take
// is taken, and without rules the loads differ by at most one.
func TestPlanAllocationProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	for trial := 0; trial < 200; trial++ {
		nAud := 1 + rng.IntN(5)
		var auditors []string
		teams := map[string]string{}
		for i := 0; i < nAud; i++ {
			a := fmt.Sprintf("Auditor %c", 'A'+i)
			auditors = append(auditors, a)
			teams[a] = testTeams[rng.IntN(len(testTeams))]
		}
		cases := make([]SampledCase, 1+rng.IntN(60))
		for i := range cases {
			worker := fmt.Sprintf("Worker %d", rng.IntN(4))
			if rng.IntN(3) == 0 {
				worker = strings.ToUpper(auditors[rng.IntN(nAud)]) + " " // same person, other spelling
			}
			cases[i] = SampledCase{Order: i + 1, ID: fmt.Sprintf("C-%d", i), Columns: testColumns,
				Fields: []string{testTeams[rng.IntN(len(testTeams))], worker, "CP"}}
		}
		useRules := trial%2 == 0
		rules := AllocationRules{}
		if useRules {
			rules = AllocationRules{WorkerField: "Allocated Worker", TeamField: "Team", AuditorTeams: teams}
		}
		got, err := PlanAllocation(cases, auditors, rules, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		eligible := func(c SampledCase, a string) bool {
			if !useRules {
				return true
			}
			return !strings.EqualFold(strings.TrimSpace(c.Fields[1]), a) && c.Fields[0] != teams[a]
		}
		byID := map[string]SampledCase{}
		for _, c := range cases {
			byID[c.ID] = c
		}
		load := map[string]int{}
		for _, x := range got.Assigned {
			if !eligible(byID[x.Case], x.Auditor) {
				t.Fatalf("trial %d: %s given to %s against the rules", trial, x.Case, x.Auditor)
			}
			load[x.Auditor]++
		}
		for _, u := range got.Unallocated {
			for _, a := range auditors {
				if eligible(byID[u.Case], a) {
					t.Fatalf("trial %d: %s left unallocated though %s may take it", trial, u.Case, a)
				}
			}
		}
		if len(got.Assigned)+len(got.Unallocated) != len(cases) {
			t.Fatalf("trial %d: %d assigned + %d unallocated != %d cases", trial, len(got.Assigned), len(got.Unallocated), len(cases))
		}
		if !useRules {
			lo, hi := len(cases), 0
			for _, a := range auditors {
				lo, hi = min(lo, load[a]), max(hi, load[a])
			}
			if hi-lo > 1 {
				t.Fatalf("trial %d: loads %v not balanced", trial, load)
			}
		}
	}
}

func TestStoreAllocateAndReallocate(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, _ := withAudit(t, name, 12)
	a1, err := s.Allocate(ctx, name, []string{"Auditor One", "Auditor Two", "Auditor Three"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	if len(a1.Assigned) != 12 || a1.For("CR-0000001") != "Auditor One" || a1.For("CR-0000002") != "Auditor Two" {
		t.Fatalf("first allocation: %+v", a1.Assigned)
	}
	// Two cases are recorded; re-allocating to two other auditors keeps them.
	mustRecord(t, s, name, Finding{Case: "CR-0000001", Auditor: "Auditor One", Grade: Good})
	mustRecord(t, s, name, Finding{Case: "CR-0000005", Auditor: "Auditor Two", Grade: Inadequate, Immediate: true})
	a2, err := s.Allocate(ctx, name, []string{"Auditor Four", "Auditor Five"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	if a2.Kept != 2 || a2.For("CR-0000001") != "Auditor One" || a2.For("CR-0000005") != "Auditor Two" {
		t.Errorf("recorded cases were re-allocated: %+v", a2.Assigned)
	}
	// The other ten alternate between the new auditors in ticket order.
	if a2.For("CR-0000002") != "Auditor Four" || a2.For("CR-0000003") != "Auditor Five" || a2.For("CR-0000004") != "Auditor Four" || a2.For("CR-0000006") != "Auditor Five" {
		t.Errorf("re-allocation: %+v", a2.Assigned)
	}
	cur, err := s.Allocation(ctx, name)
	if err != nil || fmt.Sprint(cur.Assigned) != fmt.Sprint(a2.Assigned) {
		t.Errorf("stored allocation %v, %v", cur, err)
	}
	st, err := s.Status(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	prog := map[string]AuditorProgress{}
	for _, p := range st.Auditors {
		prog[p.Auditor] = p
	}
	if p := prog["Auditor Four"]; p.Allocated != 5 || p.Recorded != 0 || len(p.ToDo) != 5 || p.ToDo[0] != "CR-0000002" {
		t.Errorf("Auditor Four: %+v", p)
	}
	if p := prog["Auditor Two"]; p.Allocated != 1 || p.Recorded != 1 || len(p.ToDo) != 0 {
		t.Errorf("Auditor Two (kept): %+v", p)
	}
	if st.Flagged != 1 || st.Recorded != 2 || len(st.Unallocated) != 0 {
		t.Errorf("status: %+v", st)
	}
	tr, _ := s.Trail(ctx, name)
	n := 0
	for _, e := range tr {
		if e.Kind == KindAllocation {
			n++
			if e.Actor != "QA Officer" {
				t.Errorf("allocation by %q; want the store's actor", e.Actor)
			}
		}
	}
	if n != 2 {
		t.Errorf("%d allocation entries in the trail; want 2", n)
	}
	mustVerify(t, s, name)
}
