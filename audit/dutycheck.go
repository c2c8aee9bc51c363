package audit

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/words"
)

// A trail whose hashes all check can still hold an entry caseaudit would
// have refused: anyone holding an SQLite file can append one with a
// correctly computed hash, and a PostgreSQL store's older guards let some
// through. verify therefore replays the trail against the duties table,
// through the same decisions the use cases make (recordAllowed, mayIn,
// actionFacts), and names each entry that breaks a rule.

// DutyBreach is a trail entry that the duties table refuses: the person
// who entered it could not have done it through caseaudit.
type DutyBreach struct {
	Entry     int    // the entry's number in the trail
	Kind      string // the entry's kind
	Case      string // "" when the entry is not about one case
	Actor     string // the name the entry is recorded under
	EnteredBy string // the login that entered it
	Duty      Duty
	// Refusal is what caseaudit says refusing it ("refused: B. Evans
	// (auditor) may not close a follow-up action: only QA closes a
	// follow-up action; ask Q. Lead"), with the people list of the time.
	Refusal string
}

// dutyOfKind is the duty an entry of each kind is made by. Follow-up
// entries a finding makes at once (an action opened, or closed
// automatically) are checked as part of the finding; a network-store
// note is the tool's own.
var dutyOfKind = map[string]Duty{
	KindSample:         DutyDraw,
	KindGrow:           DutyGrow,
	KindWithdrawal:     DutyWithdraw,
	KindAllocation:     DutyAllocate,
	KindModerationDraw: DutyModerationDraw,
	KindActionRespond:  DutyRespond,
	KindActionClose:    DutyClose,
	KindSignOff:        DutySignOff,
	KindTeamManager:    DutyOwners,
	KindRedaction:      DutyRedact,
}

// checkDuties replays an audit's trail es (in order) against the duties
// table, each entry with the people list as it stood at the entry's time
// (the changes cs dated at or before it): an entry made while the store
// had no people list is checked only by the rule that needs none (no
// moderation under the name of the case's own auditor or worker). It
// returns the breaches and a sentence saying what it checked against.
func checkDuties(a *Audit, es []Entry, cases []SampledCase, cs []store.PersonChange) ([]DutyBreach, string) {
	byID := make(map[string]*SampledCase, len(cases))
	for i := range cases {
		c := &cases[i]
		if c.Columns == nil {
			c.Columns = a.Columns
		}
		byID[c.ID] = c
	}
	var (
		out        []DutyBreach
		allocs     []Entry // allocation entries so far
		al         *Allocation
		auditors   = map[string][]string{} // case → who recorded a finding on it, in order of their first
		auditor    = map[string]string{}   // case → who recorded its latest finding
		moderator  = map[string]string{}   // case → who recorded its latest moderation
		actionEs   = map[string][]Entry{}  // case → its action entries so far
		managerEs  []Entry                 // team-manager entries so far
		managers   teamManagersSoFar
		unknown    int // entries with no login recorded
		listedOnce bool
		atEntry    = listAt{cs: cs}
		afterGrace = listAt{cs: cs}
	)
	for i, e := range es {
		people := atEntry.at(e.At)
		listedOnce = listedOnce || len(people) > 0
		// breach names the entry when check refuses it under the people
		// list of its time, and also under the list a few minutes later:
		// where writers date entries and list changes by their own
		// machines' clocks (see dutyClockGrace), one a minute behind the
		// one that added her would otherwise put a person's first entry
		// before her addition.
		breach := func(d Duty, check func(people map[string]Person) error) {
			err := check(people)
			if err == nil || check(afterGrace.at(e.At.Add(dutyClockGrace))) == nil {
				return
			}
			refusal := err.Error()
			if t, ok := allowedFrom(cs, e.At, check); ok {
				refusal += fmt.Sprintf("; the people list allowed it from %s, later than the entry's time by its writer's clock (%s): a clock running that far behind would explain it",
					t.UTC().Format("2006-01-02 15:04:05 MST"), e.At.UTC().Format("2006-01-02 15:04:05 MST"))
			}
			out = append(out, DutyBreach{Entry: e.Seq, Kind: e.Kind, Case: e.Case, Actor: e.Actor, EnteredBy: e.EnteredBy, Duty: d, Refusal: refusal})
		}
		// follows: the entry is the follow-up of the entry just before it,
		// a finding of the same person on the same case of one of kinds.
		follows := func(kinds ...string) bool {
			if i == 0 {
				return false
			}
			p := es[i-1]
			if p.Case != e.Case || p.Actor != e.Actor || p.EnteredBy != e.EnteredBy {
				return false
			}
			for _, k := range kinds {
				if p.Kind == k {
					return true
				}
			}
			return false
		}
		checked := e.EnteredBy != "" || len(people) == 0
		if !checked {
			unknown++
		}
		switch e.Kind {
		case KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection:
			moderation := e.Kind == KindModerationFinding || e.Kind == KindModerationCorrection
			f := Finding{Case: e.Case, Auditor: e.Actor, Moderation: moderation}
			mod := "" // who made the moderation this one corrects, as Record finds it
			if moderation {
				mod = moderator[e.Case]
			}
			facts := caseFactsOf(a, al, byID[e.Case], f, auditors[e.Case], auditor[e.Case], mod)
			if checked {
				d := DutyRecord
				if moderation {
					d = DutyModerate
				}
				breach(d, func(people map[string]Person) error { return recordAllowed(people, e.EnteredBy, f, facts) })
			}
			if moderation {
				moderator[e.Case] = e.Actor
			} else {
				auditor[e.Case] = e.Actor
				auditors[e.Case] = addAuditor(auditors[e.Case], e.Actor)
			}
		case KindActionOpen:
			actionEs[e.Case] = append(actionEs[e.Case], e)
			if checked && !follows(KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection) {
				breach(DutyRecord, func(people map[string]Person) error {
					return fmt.Errorf("refused: %s may not open a follow-up action on its own: an action is opened only by the finding needing immediate attention recorded just before it, by the same person", whoEntered(e, people))
				})
			}
		case KindActionClose:
			actionEs[e.Case] = append(actionEs[e.Case], e)
			var p actionNotePayload
			_ = json.Unmarshal(e.Payload, &p)
			if checked && !(p.Auto && follows(KindCorrection, KindModerationCorrection)) {
				breach(DutyClose, func(people map[string]Person) error { return mayIn(people, e.EnteredBy, DutyClose, CaseFacts{}) })
			}
		case KindActionRespond:
			actionEs[e.Case] = append(actionEs[e.Case], e)
			if checked {
				m, folded := managers.of(managerEs)
				team := ""
				if sc := byID[e.Case]; sc != nil {
					team = a.Team(*sc)
				}
				facts := actionFacts(ownerAt(a, actionEs[e.Case], m, folded, e.Case, byID[e.Case]), team)
				breach(DutyRespond, func(people map[string]Person) error { return mayIn(people, e.EnteredBy, DutyRespond, facts) })
			}
		default:
			if d, ok := dutyOfKind[e.Kind]; ok && checked {
				breach(d, func(people map[string]Person) error { return mayIn(people, e.EnteredBy, d, CaseFacts{}) })
			}
		}
		switch e.Kind {
		case KindAllocation:
			allocs = append(allocs, e)
			al, _ = allocationOf(allocs)
		case KindTeamManager:
			managerEs = append(managerEs, e)
		}
	}
	const namesOnly = "only the rule that needs none, no moderation under the name of the case's own auditor or worker"
	basis := "the people list as it stood at each entry's time (by each writer's clock)"
	switch {
	case len(cs) == 0:
		basis = "no people list (the store has none): " + namesOnly
	case !listedOnce:
		basis = "no people list (the store's was started after this audit's last entry): " + namesOnly
	}
	if unknown > 0 {
		basis += fmt.Sprintf("; %s from before the store kept who entered %s not checked", words.Count(unknown, "entry", "entries"), words.Noun(unknown, "it is", "them are"))
	}
	return out, basis
}

// allowedFrom is the time of the earliest change to the people list, after
// t, from which check allows the entry: an entry refused by the list of its
// time but allowed by a later one may be sound, dated by a clock running
// behind, and verify says so rather than leave the reader to suspect the
// person. False when no later list allows it.
func allowedFrom(cs []store.PersonChange, t time.Time, check func(map[string]Person) error) (time.Time, bool) {
	for i, c := range cs {
		if !c.At.After(t) {
			continue
		}
		var upTo []store.PersonChange
		for _, d := range cs {
			if !d.At.After(c.At) {
				upTo = append(upTo, d)
			}
		}
		if check(peopleOf(upTo)) == nil {
			return cs[i].At, true
		}
	}
	return time.Time{}, false
}

// dutyClockGrace is how far a writer's clock may run behind another's
// before an entry is judged by a people list older than the one its
// writer saw. A PostgreSQL store dates entries and list changes by its
// server's clock (store.Tx.Now), which leaves no clocks to disagree; the
// grace holds for every trail all the same, because an SQLite store dates
// by its writers' machines' clocks, because a PostgreSQL trail may hold
// entries its writers' machines dated (those of schema versions before
// 15), which nothing in an entry tells apart and which must verify as
// they always did, and because an entry is dated as its audit's lock is
// taken, which may be a moment before a change to the list its
// transaction then reads.
const dutyClockGrace = 15 * time.Minute

// listAt is the people list as of a time, rebuilt only when the changes
// dated at or before the time differ from the last time asked (a trail's
// entries mostly fall between the same two changes).
type listAt struct {
	cs     []store.PersonChange
	in     []bool // cs[i] counted in people
	people map[string]Person
	built  bool
}

func (l *listAt) at(t time.Time) map[string]Person {
	if l.in == nil {
		l.in = make([]bool, len(l.cs))
	}
	same := l.built
	for i, c := range l.cs {
		q := !c.At.After(t)
		if q != l.in[i] {
			same = false
			l.in[i] = q
		}
	}
	if !same {
		var upTo []store.PersonChange
		for i, c := range l.cs {
			if l.in[i] {
				upTo = append(upTo, c)
			}
		}
		l.people, l.built = peopleOf(upTo), true
	}
	return l.people
}

// teamManagersSoFar folds the team-manager entries once per new entry,
// not once per response.
type teamManagersSoFar struct {
	n      int
	folded bool
	m      map[string]TeamManager
	err    error
}

// of returns the managers es set, and false when es do not fold.
func (t *teamManagersSoFar) of(es []Entry) (map[string]TeamManager, bool) {
	if !t.folded || len(es) != t.n {
		t.m, t.err = foldTeamManagers(es)
		t.n, t.folded = len(es), true
	}
	return t.m, t.err == nil
}

// ownerAt is who owned the action on a case as of the case's action
// entries so far (actionEs, ending with the response being judged), with
// the team managers the audit's trail had set by then: as respond decides
// it (assignByTeam).
func ownerAt(a *Audit, actionEs []Entry, managers map[string]TeamManager, folded bool, caseID string, sc *SampledCase) string {
	acts, err := foldActions(a.Name, actionEs[:len(actionEs)-1])
	if err != nil {
		return ""
	}
	var cur *Action
	for _, x := range acts {
		if x.Case == caseID {
			cur = x
		}
	}
	if cur == nil {
		return ""
	}
	owner := cur.Owner
	if folded && sc != nil {
		if o, ok := ownerByTeam(cur.Owner, a.Team(*sc), managers); ok {
			owner = o
		}
	}
	return owner
}

// whoEntered names the person who entered e as refusals do: her name and
// roles on the people list, else the login.
func whoEntered(e Entry, people map[string]Person) string {
	p, ok := people[e.EnteredBy]
	if !ok {
		return e.EnteredBy + " (no role in this store)"
	}
	rs := ""
	for i, r := range p.Roles {
		if i > 0 {
			rs += ", "
		}
		rs += string(r)
	}
	if rs == "" {
		rs = "no role in this store"
	}
	return p.Name + " (" + rs + ")"
}
