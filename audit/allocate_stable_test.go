package audit

import (
	"context"
	"fmt"
	"maps"
	"math/rand/v2"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/namekey"
)

// Allocating again moves only the cases it must: the workbooks already
// handed out stay right for every case that does not have to move. These
// tests are worked by hand from the round-robin first allocation (case i
// to the ((i−1) mod k)-th auditor named) and count the moves themselves,
// from the allocation before and after.

// moves are the cases not yet recorded whose auditor changed between
// allocations prev and next, by case: "from → to" ("" when it is now
// allocated to no one).
func moves(t *testing.T, s *Store, name string, prev, next Allocation) map[string][2]string {
	t.Helper()
	fs, err := s.Findings(context.Background(), name, false)
	if err != nil {
		t.Fatal(err)
	}
	recorded := map[string]bool{}
	for _, f := range fs {
		recorded[f.Case] = true
	}
	out := map[string][2]string{}
	for _, x := range prev.Assigned {
		if recorded[x.Case] {
			continue
		}
		if to := next.For(x.Case); namekey.Key(to) != namekey.Key(x.Auditor) {
			out[x.Case] = [2]string{x.Auditor, to}
		}
	}
	return out
}

// current is the audit's allocation as the store holds it.
func current(t *testing.T, s *Store, name string) Allocation {
	t.Helper()
	al, err := s.Allocation(context.Background(), name)
	if err != nil || al == nil {
		t.Fatalf("allocation: %v, %v", al, err)
	}
	return *al
}

// The measured month: 120 cases among three auditors who have recorded 20,
// 16 and 24 of their 40 when D. Mensah joins. Each must end at 30, so each
// gives up 10 of her cases not yet recorded, her last 10 in ticket order, to
// D. Mensah: 30 move, all to her, and none between the three.
func TestReallocateJoinMovesOnlyToNewcomer(t *testing.T) {
	first := []string{"A. Khan", "B. Evans", "C. Nowak"}
	s := allocateAndRecord(t, 120, first, map[string]int{"A. Khan": 20, "B. Evans": 16, "C. Nowak": 24})
	prev := current(t, s, "July")
	al := reallocate(t, s, "July", append(first, "D. Mensah"))
	mv := moves(t, s, "July", prev, al)
	if len(mv) != 30 {
		t.Errorf("%d cases not yet recorded moved; want 30: %v", len(mv), mv)
	}
	for c, m := range mv {
		if m[1] != "D. Mensah" {
			t.Errorf("case %s moved from %s to %s; only D. Mensah should be given cases", c, m[0], m[1])
		}
	}
	// Each keeps her first 30 cases in ticket order: auditor j had cases
	// j+1, j+4, … (i ≡ j+1 mod 3), so her 30th is case 3·29+j+1.
	for j, a := range first {
		last := 3*29 + j + 1
		for i := j + 1; i <= 120; i += 3 {
			id := fmt.Sprintf("CR-%07d", i)
			want := a
			if i > last {
				want = "D. Mensah"
			}
			if got := al.For(id); got != want {
				t.Errorf("case %s is %s's; want %s's", id, got, want)
			}
		}
	}
	wantShares(t, s, "July", map[string]share{"A. Khan": {30, 20}, "B. Evans": {30, 16}, "C. Nowak": {30, 24}, "D. Mensah": {30, 0}})
}

// C. Nowak leaves with 15 of her 30 recorded: her 15 others are dealt
// between A. Khan and B. Evans (8 and 7, the first named first); none of
// theirs moves.
func TestReallocateLeaveMovesOnlyHerCases(t *testing.T) {
	s := allocateAndRecord(t, 90, []string{"A. Khan", "B. Evans", "C. Nowak"}, map[string]int{"A. Khan": 12, "B. Evans": 6, "C. Nowak": 15})
	prev := current(t, s, "July")
	al := reallocate(t, s, "July", []string{"A. Khan", "B. Evans"})
	mv := moves(t, s, "July", prev, al)
	if len(mv) != 15 {
		t.Errorf("%d cases not yet recorded moved; want C. Nowak's 15: %v", len(mv), mv)
	}
	to := map[string]int{}
	for c, m := range mv {
		if m[0] != "C. Nowak" {
			t.Errorf("case %s moved from %s, who stays", c, m[0])
		}
		to[m[1]]++
	}
	if to["A. Khan"] != 8 || to["B. Evans"] != 7 {
		t.Errorf("C. Nowak's cases went %v; want 8 to A. Khan and 7 to B. Evans", to)
	}
	wantShares(t, s, "July", map[string]share{"A. Khan": {38, 12}, "B. Evans": {37, 6}, "C. Nowak": {15, 15}})
}

// The rules change: allocated again with --worker-column, A. Khan may no
// longer audit the cases whose allocated worker she is. Of 61 cases she had
// 21 (1, 4, …, 61); those of worker A. Khan are 1, 7, …, 61. She recorded
// all of them but case 55 before the rule came in, so only case 55 is
// forbidden her: it alone moves, to B. Evans (level with C. Nowak at 20,
// named first), and A. Khan ends at 20.
func TestReallocateRuleChangeMovesOnlyForbiddenCase(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 61)
	auditors := []string{"A. Khan", "B. Evans", "C. Nowak"}
	if _, err := s.Allocate(ctx, "July", auditors, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 61; i += 6 {
		if i == 55 {
			continue
		}
		mustRecord(t, s, "July", Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: "A. Khan", Grade: Good, Note: "seen", Date: "2026-07-03"})
	}
	prev := current(t, s, "July")
	al, err := s.Allocate(ctx, "July", auditors, AllocationRules{WorkerField: "Allocated Worker"})
	if err != nil {
		t.Fatal(err)
	}
	mv := moves(t, s, "July", prev, al)
	if len(mv) != 1 || mv["CR-0000055"] != [2]string{"A. Khan", "B. Evans"} {
		t.Errorf("moved %v; want only CR-0000055, from A. Khan to B. Evans", mv)
	}
	wantShares(t, s, "July", map[string]share{"A. Khan": {20, 10}, "B. Evans": {21, 0}, "C. Nowak": {20, 0}})
}

// Allocating again with the same auditors and rules moves nothing, however
// unevenly the auditors have got on and in whatever order they took their
// cases: the allocation is the one before. A. Khan has recorded 25 of her
// 30 (cases 1, 4, …, 88), from the last back; C. Nowak her first 3.
func TestReallocateSameInputsMovesNothing(t *testing.T) {
	auditors := []string{"A. Khan", "B. Evans", "C. Nowak"}
	s := allocateAndRecord(t, 90, auditors, map[string]int{"C. Nowak": 3})
	for i := 88; i > 88-3*25; i -= 3 {
		mustRecord(t, s, "July", Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: "A. Khan", Grade: Good, Note: "seen", Date: "2026-07-03"})
	}
	prev := current(t, s, "July")
	al := reallocate(t, s, "July", auditors)
	if mv := moves(t, s, "July", prev, al); len(mv) != 0 {
		t.Errorf("allocating again with the same inputs moved %v", mv)
	}
	if fmt.Sprint(al.Assigned) != fmt.Sprint(prev.Assigned) {
		t.Errorf("allocation changed:\n%v\n%v", prev.Assigned, al.Assigned)
	}
	wantShares(t, s, "July", map[string]share{"A. Khan": {30, 25}, "B. Evans": {30, 0}, "C. Nowak": {30, 3}})
}

// TestPlanAllocationStableProperties checks random re-allocations (auditors
// leaving and joining, findings recorded in any order, a worker rule coming
// in) against the rule directly, from what the allocations hold:
//   - a case not yet recorded moves from an auditor who stays only if she
//     may no longer take it, or she ends with at least as many cases as
//     the auditor it goes to (she was above her share);
//   - without the worker rule: no auditor both gives up a case she could
//     have kept and is given one; each auditor's total is what dealing
//     every case not yet recorded afresh gives (the same even split); and
//     allocating again with the same inputs moves nothing. (With the rule an
//     auditor may have to take a case no one else may, and give up one of
//     hers to stay level.)
func TestPlanAllocationStableProperties(t *testing.T) {
	rng := rand.New(rand.NewPCG(11, 17))
	pool := []string{"A. Khan", "B. Lee", "C. Diaz", "D. Novak", "E. Okafor", "F. Silva", "G. Ward"}
	pick := func() []string {
		var out []string
		for _, i := range rng.Perm(len(pool))[:1+rng.IntN(5)] {
			out = append(out, pool[i])
		}
		return out
	}
	worker := AllocationRules{WorkerField: "Allocated Worker"}
	for trial := 0; trial < 400; trial++ {
		cases := testCases(1 + rng.IntN(150))
		for i := range cases {
			cases[i].Columns = testColumns
		}
		first, again := pick(), pick()
		rules := AllocationRules{}
		if rng.IntN(3) == 0 {
			rules = worker
		}
		before, err := PlanAllocation(cases, first, AllocationRules{}, nil, nil)
		if err != nil {
			t.Fatal(err)
		}
		keep, prev := map[string]string{}, map[string]string{}
		for _, x := range before.Assigned {
			if rng.IntN(3) == 0 {
				keep[x.Case] = x.Auditor
			} else {
				prev[x.Case] = x.Auditor
			}
		}
		got, err := PlanAllocation(cases, again, rules, keep, prev)
		if err != nil {
			t.Fatal(err)
		}
		total, given, gaveUp := map[string]int{}, map[string]bool{}, map[string]bool{}
		for _, x := range got.Assigned {
			total[x.Auditor]++
		}
		stays := map[string]bool{}
		for _, a := range again {
			stays[a] = true
		}
		fields := map[string][]string{}
		for _, c := range cases {
			fields[c.ID] = c.Fields
		}
		moved := 0
		for _, x := range got.Assigned {
			if k, ok := keep[x.Case]; ok {
				if k != x.Auditor {
					t.Fatalf("trial %d: recorded case %s moved from %s to %s", trial, x.Case, k, x.Auditor)
				}
				continue
			}
			was := prev[x.Case]
			if was == x.Auditor {
				continue
			}
			given[x.Auditor] = true
			if was == "" {
				continue
			}
			moved++
			forbidden := rules.WorkerField != "" && fields[x.Case][1] == was
			if stays[was] && !forbidden {
				gaveUp[was] = true
				if total[was] < total[x.Auditor] {
					t.Fatalf("trial %d: case %s moved from %s (ends with %d) to %s (ends with %d) (rules %v, first %v, again %v, totals %v)", trial, x.Case, was, total[was], x.Auditor, total[x.Auditor], rules, first, again, total)
				}
			}
		}
		for _, x := range got.Unallocated {
			if prev[x.Case] != "" {
				moved++
			}
		}
		if moved != got.Moved {
			t.Fatalf("trial %d: Moved is %d; %d cases not yet recorded changed auditor", trial, got.Moved, moved)
		}
		if rules.WorkerField != "" {
			continue
		}
		for a := range gaveUp {
			if given[a] {
				t.Fatalf("trial %d: %s gave up a case she could keep and was given one (rules %v, %d cases, first %v, again %v, totals %v)", trial, a, rules, len(cases), first, again, total)
			}
		}
		afresh, err := PlanAllocation(cases, again, rules, keep, nil)
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]int{}
		for _, x := range afresh.Assigned {
			want[x.Auditor]++
		}
		var w, g []int
		for _, a := range again {
			w, g = append(w, want[a]), append(g, total[a])
		}
		slices.Sort(w)
		slices.Sort(g)
		if !slices.Equal(w, g) {
			t.Fatalf("trial %d: totals %v; dealing afresh gives %v", trial, g, w)
		}
		next := map[string]string{}
		for _, x := range got.Assigned {
			if _, ok := keep[x.Case]; !ok {
				next[x.Case] = x.Auditor
			}
		}
		same, err := PlanAllocation(cases, again, rules, keep, next)
		if err != nil {
			t.Fatal(err)
		}
		if same.Moved != 0 || fmt.Sprint(same.Assigned) != fmt.Sprint(got.Assigned) {
			t.Fatalf("trial %d: allocating again with the same inputs moved %d cases", trial, same.Moved)
		}
	}
}

// Allocating again without a worker rule keeps the one the allocation before
// had: B. Evans and C. Nowak leave, D. Mensah joins, and of their cases those
// whose allocated worker is A. Khan never go to her. A rule dropped on purpose
// (NoWorkerRule, allocate --worker-column "") is dropped.
func TestReallocateKeepsWorkerRule(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 60)
	rule := AllocationRules{WorkerField: "Allocated Worker"}
	if _, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak"}, rule); err != nil {
		t.Fatal(err)
	}
	al, err := s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	if al.KeptWorkerRule != "Allocated Worker" {
		t.Errorf("KeptWorkerRule = %q; want the rule of the allocation before, \"Allocated Worker\"", al.KeptWorkerRule)
	}
	worker := map[string]string{}
	for _, c := range testCases(60) {
		worker[c.ID] = c.Fields[1]
	}
	for _, x := range al.Assigned {
		if namekey.Key(worker[x.Case]) == namekey.Key(x.Auditor) {
			t.Errorf("case %s allocated to its own worker %s", x.Case, x.Auditor)
		}
	}
	if cur := current(t, s, "July"); cur.Rules.WorkerField != "Allocated Worker" {
		t.Errorf("the allocation recorded has worker rule %q; want \"Allocated Worker\"", cur.Rules.WorkerField)
	}
	mustVerify(t, s, "July")

	al, err = s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{NoWorkerRule: true})
	if err != nil {
		t.Fatal(err)
	}
	if al.KeptWorkerRule != "" {
		t.Errorf("KeptWorkerRule = %q after the rule was dropped on purpose", al.KeptWorkerRule)
	}
	if cur := current(t, s, "July"); cur.Rules.WorkerField != "" {
		t.Errorf("the allocation recorded has worker rule %q; want none, dropped on purpose", cur.Rules.WorkerField)
	}
	// Dropped, it stays dropped: the allocation before now has none.
	if al, err = s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{}); err != nil || al.KeptWorkerRule != "" {
		t.Errorf("allocating again after the rule was dropped: KeptWorkerRule %q, err %v; want none", al.KeptWorkerRule, err)
	}
}

// Allocating again without a team rule keeps the one the allocation before
// had, with its auditors' teams: C. Nowak leaves, and no case of North or
// South goes to the auditor of that team. An auditor the rule gives no team
// (D. Mensah, new) is refused with the rule to give again; a rule dropped on
// purpose (NoTeamRule, allocate --team-column "") is dropped.
func TestReallocateKeepsTeamRule(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "July", 60)
	teams := map[string]string{"A. Khan": "North", "B. Evans": "South", "C. Nowak": "East"}
	rule := AllocationRules{TeamField: "Team", AuditorTeams: teams}
	if _, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans", "C. Nowak"}, rule); err != nil {
		t.Fatal(err)
	}
	before := current(t, s, "July")

	_, err := s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{})
	if err == nil {
		t.Fatal("allocating again to D. Mensah, whom the team rule kept gives no team: no error")
	}
	for _, want := range []string{`column "Team"`, `"D. Mensah"`, `--team-column "Team" --auditor-team "A. Khan=North" --auditor-team "D. Mensah=TEAM"`, `--team-column ""`} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("refusal %q does not say %s", err, want)
		}
	}
	if cur := current(t, s, "July"); fmt.Sprint(cur.Assigned) != fmt.Sprint(before.Assigned) {
		t.Error("the refused allocation changed the allocation standing")
	}

	al, err := s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	if al.KeptTeamRule != "Team" {
		t.Errorf("KeptTeamRule = %q; want the rule of the allocation before, \"Team\"", al.KeptTeamRule)
	}
	team := map[string]string{}
	for _, c := range testCases(60) {
		team[c.ID] = c.Fields[0]
	}
	n := 0
	for _, x := range al.Assigned {
		n++
		if team[x.Case] == teams[x.Auditor] {
			t.Errorf("case %s of team %s allocated to %s, of that team", x.Case, team[x.Case], x.Auditor)
		}
	}
	if n == 0 {
		t.Fatal("nothing allocated")
	}
	if cur := current(t, s, "July"); cur.Rules.TeamField != "Team" || !maps.Equal(cur.Rules.AuditorTeams, teams) {
		t.Errorf("the allocation recorded has team rule %q %v; want \"Team\" %v", cur.Rules.TeamField, cur.Rules.AuditorTeams, teams)
	}
	mustVerify(t, s, "July")

	// Run again, it is the allocation standing: nothing recorded, and the
	// rule is still the one kept.
	if al, err = s.Allocate(ctx, "July", []string{"A. Khan", "B. Evans"}, AllocationRules{}); err != nil || al.Standing == nil {
		t.Errorf("allocating again the same way: Standing %v, err %v; want the allocation standing", al.Standing, err)
	}

	al, err = s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{NoTeamRule: true})
	if err != nil {
		t.Fatal(err)
	}
	if al.KeptTeamRule != "" {
		t.Errorf("KeptTeamRule = %q after the rule was dropped on purpose", al.KeptTeamRule)
	}
	if cur := current(t, s, "July"); cur.Rules.TeamField != "" || len(cur.Rules.AuditorTeams) != 0 {
		t.Errorf("the allocation recorded has team rule %q %v; want none, dropped on purpose", cur.Rules.TeamField, cur.Rules.AuditorTeams)
	}
	if al, err = s.Allocate(ctx, "July", []string{"A. Khan", "D. Mensah"}, AllocationRules{}); err != nil || al.KeptTeamRule != "" {
		t.Errorf("allocating again after the rule was dropped: KeptTeamRule %q, err %v; want none", al.KeptTeamRule, err)
	}
}
