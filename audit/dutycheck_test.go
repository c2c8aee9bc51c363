package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestVerifyReplaysDuties: on an SQLite store, entries appended by hand
// with correctly computed hashes keep the chain intact, and verify names
// each that caseaudit would have refused, in the refusal's words with the
// people list of the time: another team's manager responding to an action,
// a second moderator correcting a moderation. An entry made before the
// person was on the list is judged by the list of its time.
func TestVerifyReplaysDuties(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	clock := newClock() // one clock for every login, as one machine's
	open := func(login, name string) *Store {
		s, err := Open(ctx, path, Options{Clock: clock.now, Actor: name, EnteredBy: login})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	qa := open("qa.lead", "Q. Lead")
	addPeople(t, qa,
		Person{Login: "qa.lead", Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}},
		Person{Login: "mmod", Name: "M. Moderator", Roles: []Role{Moderator}},
		Person{Login: "akhan", Name: "A. Khan", Roles: []Role{Auditor, Moderator}},
		Person{Login: "tman", Name: "T. Manager", Roles: []Role{Manager}},
		Person{Login: "oman", Name: "O. Manager", Roles: []Role{Manager}})
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	b := open("bevans", "B. Evans")
	mustRecord(t, b, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Inadequate, Immediate: true, Date: "2026-07-01"})
	if _, err := qa.SetTeamManager(ctx, "North", "T. Manager"); err != nil { // CR-0000001 is North's
		t.Fatal(err)
	}
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	m := open("mmod", "M. Moderator")
	mustRecord(t, m, "a", Finding{Case: "CR-0000001", Auditor: "M. Moderator", Moderation: true, Grade: Inadequate, Immediate: true, Date: "2026-07-03"})
	tm := open("tman", "T. Manager")
	if _, err := tm.RespondAction(ctx, "a", "CR-0000001", "", "visit booked"); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, qa, "a")

	om, ak := open("oman", "O. Manager"), open("akhan", "A. Khan")
	forge := func(s *Store, kind, actor, payload string) int {
		t.Helper()
		if err := rawAppend(t, qa, s, kind, "CR-0000001", actor, payload); err != nil {
			t.Fatal(err)
		}
		return lastSeq(t, qa, "a")
	}
	respond := forge(om, KindActionRespond, "O. Manager", `{"note":"seen"}`)
	correct := forge(ak, KindModerationCorrection, "A. Khan", `{"grade":"Good","immediate":false,"note":"","reason":"second look"}`)
	v, err := qa.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK {
		t.Fatalf("the chain: %v; want intact (the hashes were computed)", v.Problems)
	}
	want := map[int]string{
		respond: "refused: O. Manager (manager) may not respond to a follow-up action: the action is owned by T. Manager; only its owner or QA responds; only T. Manager or QA (Q. Lead) may respond to it",
		correct: "refused: A. Khan (auditor, moderator) may not moderate a case: M. Moderator moderated the case; a moderation is corrected only by its moderator or QA; only M. Moderator or QA (Q. Lead) may correct its moderation",
	}
	if len(v.Duties) != len(want) {
		t.Errorf("%d breaches, want %d: %+v", len(v.Duties), len(want), v.Duties)
	}
	for _, d := range v.Duties {
		if d.Refusal != want[d.Entry] {
			t.Errorf("entry %d (%s by %s): %q\nwant %q", d.Entry, d.Kind, d.EnteredBy, d.Refusal, want[d.Entry])
		}
	}
	if !strings.Contains(v.DutyBasis, "as it stood at each entry's time") {
		t.Errorf("basis: %s", v.DutyBasis)
	}

	// A person removed since: her entries of the time still verify; the
	// same entry made after her removal does not.
	if _, err := qa.RemovePerson(ctx, "tman"); err != nil {
		t.Fatal(err)
	}
	late := forge(tm, KindActionRespond, "T. Manager", `{"note":"again"}`)
	v, err = qa.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var entries []int
	for _, d := range v.Duties {
		entries = append(entries, d.Entry)
	}
	if len(entries) != 3 || entries[2] != late || !strings.HasPrefix(v.Duties[2].Refusal, "refused: tman (no role in this store) may not respond") {
		t.Errorf("after T. Manager's removal: breaches %v (%+v); want %d, %d and %d", entries, v.Duties, respond, correct, late)
	}
}

// TestVerifyDutiesWithoutPeople: a store with no people list is a
// one-person store: verify checks only the rule that needs none, a
// moderation recorded under the name of the case's own auditor.
func TestVerifyDutiesWithoutPeople(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 4)
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
	if _, err := s.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	mustVerify(t, s, "a")
	if err := rawAppend(t, s, s, KindModerationFinding, "CR-0000001", "B. Evans", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
		t.Fatal(err)
	}
	v, err := s.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || len(v.Duties) != 1 || !strings.Contains(v.Duties[0].Refusal, "B. Evans audited the case; a moderator is never the case's own auditor") {
		t.Errorf("verify: ok %v, breaches %+v", v.OK, v.Duties)
	}
	if !strings.HasPrefix(v.DutyBasis, "no people list (the store has none)") {
		t.Errorf("basis: %s", v.DutyBasis)
	}
}

// TestVerifyDutiesClockSkew: each writer dates its entries by its own
// clock. An auditor added by QA whose machine runs a minute behind QA's
// records her first finding "before" she was added: verify does not call
// that a breach. A finding dated an hour before her addition is one.
func TestVerifyDutiesClockSkew(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	qaClock := newClock()
	open := func(clock func() time.Time, login, name string) *Store {
		s, err := Open(ctx, path, Options{Clock: clock, Actor: name, EnteredBy: login})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { s.Close() })
		return s
	}
	qa := open(qaClock.now, "qa.lead", "Q. Lead")
	addPeople(t, qa, Person{Login: "qa.lead", Name: "Q. Lead", Roles: []Role{QA}})
	qaClock.t = qaClock.t.Add(2 * time.Hour) // the list was started two hours before the auditors were added
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans", "C. Diaz"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	addPeople(t, qa, Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}}, Person{Login: "cdiaz", Name: "C. Diaz", Roles: []Role{Auditor}})
	added := qaClock.now()
	behind := &testClock{t: added.Add(-time.Minute)}
	b := open(behind.now, "bevans", "B. Evans")
	cases, err := qa.Allocation(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	of := func(who string) string {
		for _, a := range cases.Assigned {
			if a.Auditor == who {
				return a.Case
			}
		}
		t.Fatalf("no case allocated to %s: %+v", who, cases)
		return ""
	}
	mustRecord(t, b, "a", Finding{Case: of("B. Evans"), Auditor: "B. Evans", Grade: Good, Date: "2026-07-03"})
	mustVerify(t, qa, "a")

	farBehind := &testClock{t: added.Add(-time.Hour)}
	c := open(farBehind.now, "cdiaz", "C. Diaz")
	mustRecord(t, c, "a", Finding{Case: of("C. Diaz"), Auditor: "C. Diaz", Grade: Good, Date: "2026-07-03"})
	v, err := qa.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if len(v.Duties) != 1 || v.Duties[0].EnteredBy != "cdiaz" || !strings.Contains(v.Duties[0].Refusal, "cdiaz (no role in this store)") {
		t.Errorf("an entry an hour before her addition: %+v; want one breach, C. Diaz's", v.Duties)
	}
}
