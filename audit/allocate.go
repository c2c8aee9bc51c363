package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

// AllocationRules are the conflict-of-interest rules for allocating cases
// to auditors. The zero value has no rules.
type AllocationRules struct {
	// WorkerField is the shown column naming a case's allocated worker
	// (e.g. "Allocated Worker"); a case never goes to an auditor of that
	// name (compared case-insensitively, spaces trimmed). "" = no such rule.
	WorkerField string
	// TeamField is the shown column naming a case's team (e.g. "Team"); with
	// AuditorTeams, a case never goes to an auditor from its own team.
	TeamField string
	// AuditorTeams maps each auditor to their team (names and teams compared
	// case-insensitively, trimmed). Every auditor must be in it when
	// TeamField is set.
	AuditorTeams map[string]string
	// NoWorkerRule drops, allocating again, the worker rule of the
	// allocation before (allocate --worker-column ""). Without it an
	// allocation that names no WorkerField keeps that rule: a QA officer
	// re-allocating mid-month, as the README shows, with the auditors
	// alone, would otherwise give a case to its own worker unawares, and
	// lose the rule that keeps a moderator off the cases she works.
	NoWorkerRule bool
	// NoTeamRule drops, allocating again, the team rule of the allocation
	// before (allocate --team-column ""). Without it an allocation that
	// names no TeamField keeps that rule and its auditors' teams, for the
	// reason NoWorkerRule gives: a conflict-of-interest rule is not lost
	// by leaving its flags out.
	NoTeamRule bool
}

// Check reports a mistake in the rules for allocating to auditors: rules
// with no auditors to allocate to, or a team column and auditors' teams
// without each other. Each names its options (opt.Error).
func (r AllocationRules) Check(auditors []string) error {
	switch {
	case len(auditors) == 0 && len(r.AuditorTeams) > 0:
		return opt.Errorf("%s goes with %s", opt.AuditorTeams, opt.Auditors)
	case len(auditors) == 0 && (r.WorkerField != "" || r.TeamField != ""):
		return opt.Errorf("%s, %s and %s go with %s", opt.WorkerColumn, opt.TeamColumn, opt.AuditorTeams, opt.Auditors)
	case (r.TeamField != "") != (len(r.AuditorTeams) > 0):
		return opt.Errorf("%s and %s go together: say each auditor's team", opt.TeamColumn, opt.AuditorTeams)
	}
	return nil
}

// Assignment gives one case to one auditor.
type Assignment struct {
	Case    string
	Auditor string
}

// Unallocated is a case no auditor could take, and why.
type Unallocated struct {
	Case   string
	Reason string
}

// Allocation is who audits which case.
type Allocation struct {
	Auditors    []string
	Rules       AllocationRules
	Assigned    []Assignment  // in sample order
	Unallocated []Unallocated // in sample order
	Kept        int           // assignments kept because the case was already recorded
	// Moved counts the cases not yet recorded that the allocation before
	// gave another auditor (or that are now allocated to no one).
	Moved int
	// Again: there was an allocation before this one (Moved is counted
	// against it).
	Again bool
	// KeptWorkerRule is the worker column of the allocation before, kept
	// because this one named none (see AllocationRules.NoWorkerRule); ""
	// when none was kept.
	KeptWorkerRule string
	// KeptTeamRule is the team column of the allocation before, kept with
	// its auditors' teams because this one named none (see
	// AllocationRules.NoTeamRule); "" when none was kept.
	KeptTeamRule string
	// Standing is the trail entry of the allocation before when this one
	// is the same (see sameAllocation): nothing was recorded. nil when
	// this allocation was recorded.
	Standing *Entry
}

// For returns the auditor a case is allocated to, or "".
func (a Allocation) For(caseID string) string {
	for _, x := range a.Assigned {
		if x.Case == caseID {
			return x.Auditor
		}
	}
	return ""
}

func norm(s string) string { return namekey.Key(s) }

// PlanAllocation allocates cases to auditors: balanced, in the cases' order
// (ticket order), each case to the eligible auditor with the fewest cases so
// far (ties to the auditor named first), never to its own allocated worker
// nor to an auditor of its team. Cases in keep (case ID → auditor, the
// recorded ones) keep their auditor and count towards her workload
// (matched by the name rule, so a kept "a. khan" is A. Khan's), so that
// allocating again evens out the whole audit's workload, not only the cases
// dealt this time: an auditor who has recorded more than a fair share
// already is given nothing more. Cases kept by an auditor not named count
// for no one.
//
// prev (case ID → auditor) is the allocation before of the cases not yet
// recorded: their workbooks are handed out, so allocating again moves as
// few of them as it can. Each auditor named keeps the cases prev gives her
// that she may still take; the cases of auditors not named, those she may
// no longer take and those new to the allocation are dealt by the rule
// above; then, while an auditor holds a case from prev that an eligible
// auditor at least two cases behind her could take, the auditor with the
// most cases (ties to the one named last) gives her last such case in
// ticket order to the eligible auditor with the fewest (ties to the first
// named), and a case moved to an auditor who ends with more cases than the
// one who gave it up goes back. Each move narrows the gap, so the totals
// come out as even as dealing afresh would make them, and no case moves
// from an auditor who is not above her share. With prev nil every case is
// dealt.
//
// It is a pure function of its arguments, so the allocation is
// re-derivable from the trail.
func PlanAllocation(cases []SampledCase, auditors []string, rules AllocationRules, keep, prev map[string]string) (Allocation, error) {
	var names []string
	seen := map[string]string{}
	for _, a := range auditors {
		a = strings.Join(strings.Fields(a), " ")
		if a == "" {
			return Allocation{}, errors.New("an auditor's name is empty")
		}
		if prev, ok := seen[norm(a)]; ok {
			return Allocation{}, fmt.Errorf("auditor %q is named twice (also as %q)", a, prev)
		}
		seen[norm(a)] = a
		names = append(names, a)
	}
	if len(names) == 0 {
		return Allocation{}, errors.New("name at least one auditor to allocate cases to")
	}
	var cols []string
	if len(cases) > 0 {
		cols = cases[0].Columns
	}
	worker, team := -1, -1
	if rules.WorkerField != "" {
		if worker = colname.Index(cols, rules.WorkerField); worker < 0 && len(cases) > 0 {
			return Allocation{}, fmt.Errorf("the audit shows no column %q for the allocated worker; name one of its columns: %s", rules.WorkerField, words.QuoteList(cols))
		}
	}
	teamOf := map[string]string{} // normalised auditor → normalised team
	if rules.TeamField != "" {
		if team = colname.Index(cols, rules.TeamField); team < 0 && len(cases) > 0 {
			return Allocation{}, fmt.Errorf("the audit shows no column %q for the team; name one of its columns: %s", rules.TeamField, words.QuoteList(cols))
		}
		if len(rules.AuditorTeams) == 0 {
			return Allocation{}, fmt.Errorf("a team rule on column %q needs every auditor's team", rules.TeamField)
		}
		for a, t := range rules.AuditorTeams {
			teamOf[norm(a)] = norm(t)
		}
		for _, a := range names {
			if _, ok := teamOf[norm(a)]; !ok {
				return Allocation{}, fmt.Errorf("auditor %q has no team; give every auditor's team (or none, to drop the team rule)", a)
			}
		}
	} else if len(rules.AuditorTeams) > 0 {
		return Allocation{}, errors.New("auditors' teams were given but no team column; name the column holding each case's team")
	}
	// forbids says why auditor i may not take case c, or "" when she may.
	forbids := func(c SampledCase, i int) string {
		a := names[i]
		if worker >= 0 && worker < len(c.Fields) && norm(c.Fields[worker]) != "" && norm(c.Fields[worker]) == norm(a) {
			return fmt.Sprintf("%s is its allocated worker", a)
		}
		if team >= 0 && team < len(c.Fields) && norm(c.Fields[team]) != "" && norm(c.Fields[team]) == teamOf[norm(a)] {
			return fmt.Sprintf("%s is in its team (%s)", a, strings.TrimSpace(c.Fields[team]))
		}
		return ""
	}

	out := Allocation{Auditors: names, Rules: rules}
	load := make([]int, len(names))
	index := make(map[string]int, len(names))
	for i, a := range names {
		index[norm(a)] = i
	}
	to := make([]int, len(cases))     // the auditor each case not kept goes to; -1 none
	held := make([][]int, len(names)) // each auditor's cases from prev she still holds, in ticket order
	var dealt []int
	for ci, c := range cases {
		to[ci] = -1
		if a, ok := keep[c.ID]; ok && a != "" {
			out.Assigned = append(out.Assigned, Assignment{c.ID, a})
			out.Kept++
			if i, ok := index[norm(a)]; ok {
				load[i]++
			}
			continue
		}
		if i, ok := index[norm(prev[c.ID])]; ok && prev[c.ID] != "" && forbids(c, i) == "" {
			to[ci] = i
			load[i]++
			held[i] = append(held[i], ci)
			continue
		}
		dealt = append(dealt, ci)
	}
	for _, ci := range dealt {
		best := -1
		var why []string
		for i := range names {
			if w := forbids(cases[ci], i); w != "" {
				why = append(why, w)
				continue
			}
			if best < 0 || load[i] < load[best] {
				best = i
			}
		}
		if best < 0 {
			out.Unallocated = append(out.Unallocated, Unallocated{cases[ci].ID, "no auditor may take it: " + strings.Join(why, "; ")})
			continue
		}
		load[best]++
		to[ci] = best
	}
	for rebalance(cases, held, load, to, forbids) {
	}
	// Under the conflict-of-interest rules a later move may raise the
	// auditor given a case above the one who gave it up; then the case goes
	// back, which leaves the totals as even and moves one fewer.
	for back := true; back; {
		back = false
		for ci, c := range cases {
			i, ok := index[norm(prev[c.ID])]
			if ok && prev[c.ID] != "" && to[ci] >= 0 && to[ci] != i && load[to[ci]] > load[i] && forbids(c, i) == "" {
				load[to[ci]]--
				load[i]++
				to[ci] = i
				back = true
			}
		}
	}
	for ci, c := range cases {
		if to[ci] >= 0 {
			out.Assigned = append(out.Assigned, Assignment{c.ID, names[to[ci]]})
		}
		if was := prev[c.ID]; was != "" && (to[ci] < 0 || norm(was) != norm(names[to[ci]])) {
			out.Moved++
		}
	}
	// Assigned in sample order.
	pos := make(map[string]int, len(cases))
	for i, c := range cases {
		pos[c.ID] = i
	}
	slices.SortStableFunc(out.Assigned, func(x, y Assignment) int { return pos[x.Case] - pos[y.Case] })
	return out, nil
}

// rebalance makes one move of PlanAllocation's: the auditor with the most
// cases (ties to the one named last) who holds a case from the allocation
// before that an eligible auditor at least two cases behind her may take
// gives the last such case, in ticket order, to the eligible auditor with
// the fewest cases (ties to the first named). It reports whether it moved
// one. Each move lowers the sum of the squared loads, so moves end.
func rebalance(cases []SampledCase, held [][]int, load, to []int, forbids func(SampledCase, int) string) bool {
	givers := make([]int, len(load))
	for i := range givers {
		givers[i] = i
	}
	slices.SortStableFunc(givers, func(x, y int) int {
		if load[x] != load[y] {
			return load[y] - load[x]
		}
		return y - x
	})
	least := slices.Min(load)
	for _, h := range givers {
		if load[h]-2 < least {
			return false // no one is two behind her or anyone after her
		}
		for k := len(held[h]) - 1; k >= 0; k-- {
			ci := held[h][k]
			r := -1
			for i := range load {
				if i != h && (r < 0 || load[i] < load[r]) && forbids(cases[ci], i) == "" {
					r = i
				}
			}
			if r < 0 || load[r] > load[h]-2 {
				continue
			}
			held[h] = slices.Delete(held[h], k, k+1)
			to[ci] = r
			load[h]--
			load[r]++
			return true
		}
	}
	return false
}

type allocationPayload struct {
	Auditors     []string          `json:"auditors"`
	WorkerField  string            `json:"worker_field"`
	TeamField    string            `json:"team_field"`
	AuditorTeams map[string]string `json:"auditor_teams"`
	Assigned     []assignJSON      `json:"assigned"`
	Unallocated  []unallocJSON     `json:"unallocated"`
	Kept         int               `json:"kept"`
}

type assignJSON struct {
	Case    string `json:"case"`
	Auditor string `json:"auditor"`
}

type unallocJSON struct {
	Case   string `json:"case"`
	Reason string `json:"reason"`
}

// ErrNothingToAllocate: every case of the audit is recorded; an allocation
// would change nothing (and none is recorded).
var ErrNothingToAllocate = errors.New("nothing left to allocate")

// allocationOf is the current allocation in a trail's entries es: that of
// the last allocation entry; nil when there is none.
func allocationOf(es []Entry) (*Allocation, error) {
	e, ok := last(es, KindAllocation)
	if !ok {
		return nil, nil
	}
	var p allocationPayload
	if err := json.Unmarshal(e.Payload, &p); err != nil {
		return nil, fmt.Errorf("trail entry %d (allocation) is damaged: %w", e.Seq, err)
	}
	out := &Allocation{Auditors: p.Auditors, Kept: p.Kept,
		Rules: AllocationRules{WorkerField: p.WorkerField, TeamField: p.TeamField, AuditorTeams: p.AuditorTeams}}
	for _, x := range p.Assigned {
		out.Assigned = append(out.Assigned, Assignment(x))
	}
	for _, x := range p.Unallocated {
		out.Unallocated = append(out.Unallocated, Unallocated(x))
	}
	return out, nil
}

// last returns the last entry of the kind in es.
func last(es []Entry, kind string) (Entry, bool) {
	for i := len(es) - 1; i >= 0; i-- {
		if es[i].Kind == kind {
			return es[i], true
		}
	}
	return Entry{}, false
}
