package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// TestPostgresDuties: with a people list, the use cases refuse what a
// login's roles do not allow (ErrDuty, as on SQLite), and the database
// refuses the same to a login writing raw SQL: an auditor closing an
// action, recording under another's name, moderating her own case; a login
// not on the list; anyone but QA changing the list. Roles are per store.
func TestPostgresDuties(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	aURL, aRole := pgLogin(t, where, store.GroupAuditor)
	mURL, mRole := pgLogin(t, where, store.GroupAuditor)
	xURL, _ := pgLogin(t, where, store.GroupAuditor) // not on the list
	// A team manager writes through the store's auditor role; the people
	// list makes her a manager.
	tmURL, tmRole := pgLogin(t, where, store.GroupAuditor)

	qa, qaClock := openAt(t, qaURL, "Q. Lead")
	b, bClock := openAt(t, bURL, "B. Evans")
	m, mClock := openAt(t, mURL, "M. Moderator")
	ak, akClock := openAt(t, aURL, "A. Khan")
	x, _ := openAt(t, xURL, "X. Stranger")
	tm, _ := openAt(t, tmURL, "T. Manager")
	// July's audit, its findings recorded on 8 July, after the days they
	// are dated.
	for _, c := range []*testClock{qaClock, bClock, mClock, akClock} {
		c.on("2026-07-08")
	}

	// The first person is QA, adding herself; only QA adds the others.
	if _, err := qa.AddPerson(ctx, Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}}); !errors.Is(err, ErrDuty) {
		t.Fatalf("a first person without qa: %v", err)
	}
	for _, p := range []Person{
		{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor, Moderator}},
		{Login: aRole, Name: "A. Khan", Roles: []Role{Auditor}},
		{Login: mRole, Name: "M. Moderator", Roles: []Role{Moderator}},
		{Login: tmRole, Name: "T. Manager", Roles: []Role{Manager}},
	} {
		if _, err := qa.AddPerson(ctx, p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
	if _, err := b.AddPerson(ctx, Person{Login: "someone", Name: "S. One", Roles: []Role{QA}}); !errors.Is(err, ErrDuty) {
		t.Errorf("an auditor adding a person: %v", err)
	}

	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(6)); err != nil {
		t.Fatal(err)
	}
	al, err := qa.Allocate(ctx, "a", []string{"A. Khan", "B. Evans"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := "", ""
	for _, x := range al.Assigned {
		if x.Auditor == "B. Evans" && mine == "" {
			mine = x.Case
		}
		if x.Auditor == "A. Khan" && theirs == "" {
			theirs = x.Case
		}
	}

	// The use cases, as on SQLite.
	if _, err := b.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); !errors.Is(err, ErrDuty) {
		t.Errorf("auditor allocating: %v", err)
	}
	if _, err := b.Record(ctx, "a", Finding{Case: theirs, Auditor: "A. Khan", Grade: Good, Date: "2026-07-01"}); !errors.Is(err, ErrDuty) {
		t.Errorf("auditor recording under another's name: %v", err)
	}
	if _, err := b.Record(ctx, "a", Finding{Case: theirs, Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"}); !errors.Is(err, ErrDuty) {
		t.Errorf("auditor recording another's case: %v", err)
	}
	if _, err := x.Record(ctx, "a", Finding{Case: mine, Auditor: "X. Stranger", Grade: Good, Date: "2026-07-01", NewAuditor: true}); !errors.Is(err, ErrDuty) {
		t.Errorf("a login not on the list recording: %v", err)
	}
	if _, err := b.Record(ctx, "a", Finding{Case: mine, Auditor: "B. Evans", Grade: Inadequate, Immediate: true, Date: "2026-07-01"}); err != nil {
		t.Fatalf("auditor recording her own case: %v", err)
	}
	if _, err := b.CloseAction(ctx, "a", mine, "B. Evans", "done"); !errors.Is(err, ErrDuty) {
		t.Errorf("auditor closing an action: %v", err)
	}

	// Raw SQL as each login: the database refuses the same.
	insert := func(s *Store, kind, caseID, actor, payload string) error {
		return rawAppend(t, qa, s, kind, caseID, actor, payload)
	}
	refused := func(what string, err error) {
		t.Helper()
		// trail_check (the group roles) or trail_duty (the people list)
		// refuses it: insufficient privilege either way.
		if err == nil || !strings.Contains(err.Error(), "42501") {
			t.Errorf("%s: %v; want refused by the database (SQLSTATE 42501)", what, err)
		}
	}
	// refusedAs: refused, in the words of caseaudit's own refusal.
	refusedAs := func(what string, err error, words string) {
		t.Helper()
		refused(what, err)
		if err != nil && !strings.Contains(err.Error(), "caseaudit: refused: "+words+" (SQLSTATE 42501)") {
			t.Errorf("%s: %v\nwant the words: %s", what, err, words)
		}
	}
	refused("auditor closing an action in SQL", insert(b, KindActionClose, mine, "B. Evans", `{"note":"done"}`))
	refused("auditor closing an action with auto false", insert(b, KindActionClose, mine, "B. Evans", `{"auto":false,"note":"done"}`))
	refused("auditor recording under another's name in SQL", insert(b, KindFinding, theirs, "A. Khan", `{"grade":"Good","immediate":false,"note":""}`))
	// Under her own name, a case allocated to another: caseaudit's words.
	refusedAs("auditor recording another's case under her own name in SQL",
		insert(b, KindFinding, theirs, "B. Evans", `{"grade":"Good","immediate":false,"note":""}`),
		"B. Evans (auditor, moderator) may not record a finding: the case is allocated to A. Khan; an auditor records only the cases allocated to her; only A. Khan or QA (Q. Lead) may record it")
	// An auditor's follow-up entries only at once after her own finding:
	// an action closed "automatically" on its own, or opened on a case
	// with no finding of hers just before, is refused.
	refused("auditor closing an action as if automatically in SQL", insert(b, KindActionClose, mine, "B. Evans", fmt.Sprintf(`{"auto":true,"finding":%d,"note":"done"}`, lastSeq(t, qa, "a"))))
	refused("auditor opening an action on another's case in SQL", insert(b, KindActionOpen, theirs, "B. Evans", fmt.Sprintf(`{"owner":"","opened":"2026-07-01","due":"2026-07-08","finding":%d,"grade":"Good","note":""}`, lastSeq(t, qa, "a"))))
	refused("auditor signing off in SQL", insert(b, KindSignOff, "", "B. Evans", `{}`))
	refused("login not on the list in SQL", insert(x, KindFinding, mine, "X. Stranger", `{"grade":"Good","immediate":false,"note":""}`))
	refused("moderator recording a finding in SQL", insert(m, KindFinding, mine, "M. Moderator", `{"grade":"Good","immediate":false,"note":""}`))
	refused("auditor moderating her own case in SQL", insert(b, KindModerationFinding, mine, "B. Evans", `{"grade":"Good","immediate":false,"note":""}`))
	refused("QA moderating under the name of the case's own auditor in SQL", insert(qa, KindModerationFinding, mine, "b. evans ", `{"grade":"Good","immediate":false,"note":""}`))
	if err := insert(m, KindModerationFinding, mine, "M. Moderator", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
		t.Errorf("a moderator moderating another's case in SQL: %v", err)
	}
	// A moderation is corrected only by its moderator or QA: caseaudit
	// refuses another moderator, and the database refuses her raw INSERT
	// in the same words, whatever kind the entry claims.
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	const secondLook = "A. Khan (auditor) may not moderate a case: M. Moderator moderated the case; a moderation is corrected only by its moderator or QA; only M. Moderator or QA (Q. Lead) may correct its moderation"
	if _, err := ak.Record(ctx, "a", Finding{Case: mine, Auditor: "A. Khan", Moderation: true, Grade: Inadequate, Immediate: true, Date: "2026-07-02", Reason: "second look"}); !errors.Is(err, ErrDuty) || err.Error() != "refused: "+secondLook {
		t.Errorf("a second moderator correcting a moderation: %v\nwant refused: %s", err, secondLook)
	}
	refusedAs("a second moderator correcting a moderation in SQL",
		insert(ak, KindModerationCorrection, mine, "A. Khan", `{"grade":"Inadequate","immediate":true,"note":"","reason":"second look"}`), secondLook)
	refusedAs("a second moderator's moderation finding over a moderated case in SQL",
		insert(ak, KindModerationFinding, mine, "A. Khan", `{"grade":"Inadequate","immediate":true,"note":""}`), secondLook)
	// The follow-up entries a finding makes at once go through: the
	// auditor's correction to no immediate attention closes her case's
	// action; the moderator (no auditor role in the list) corrects her
	// moderation to immediate attention, which opens an action, then back,
	// which closes it; QA corrects a moderation too.
	if r, err := b.Record(ctx, "a", Finding{Case: mine, Auditor: "B. Evans", Grade: Good, Date: "2026-07-02", Reason: "the plan was updated"}); err != nil || r.Action == nil || r.Action.Status != ActionClosed {
		t.Errorf("the auditor correcting to no immediate attention: %+v %v; want her action closed", r.Action, err)
	}
	if r, err := m.Record(ctx, "a", Finding{Case: mine, Auditor: "M. Moderator", Moderation: true, Grade: Inadequate, Immediate: true, Date: "2026-07-08", Reason: "read the plan again"}); err != nil || r.Action == nil || r.Action.Status != ActionOpen {
		t.Errorf("the moderator correcting her own moderation to immediate attention: %+v %v; want an action opened", r.Action, err)
	}
	if r, err := m.Record(ctx, "a", Finding{Case: mine, Auditor: "M. Moderator", Moderation: true, Grade: Good, Date: "2026-07-08", Reason: "the visit happened"}); err != nil || r.Action == nil || r.Action.Status != ActionClosed {
		t.Errorf("the moderator correcting to no immediate attention: %+v %v; want her action closed", r.Action, err)
	}
	if r, err := qa.Record(ctx, "a", Finding{Case: mine, Auditor: "Q. Lead", Moderation: true, Grade: RequiresImprovement, Date: "2026-07-08", Reason: "QA's own look"}); err != nil || !r.Changed {
		t.Errorf("QA correcting a moderation: %+v %v", r, err)
	}
	// A response to a follow-up action: its owner's, never an auditor's,
	// and not a manager's before the action is hers. The case's action was
	// closed by the moderator's correction: the auditor's correction back
	// to immediate attention opens it again.
	if r, err := b.Record(ctx, "a", Finding{Case: mine, Auditor: "B. Evans", Grade: Inadequate, Immediate: true, Date: "2026-07-06", Reason: "the plan lapsed"}); err != nil || r.Action == nil || r.Action.Status != ActionOpen {
		t.Fatalf("the auditor correcting to immediate attention again: %+v %v; want an action opened", r.Action, err)
	}
	refused("auditor responding to an action in SQL", insert(b, KindActionRespond, mine, "B. Evans", `{"note":"seen"}`))
	refusedAs("a team manager responding to an action nobody owns in SQL", insert(tm, KindActionRespond, mine, "T. Manager", `{"note":"visited"}`),
		"T. Manager (manager) may not respond to a follow-up action: the action has no owner yet; only its owner or QA responds; only QA (Q. Lead) may respond to it until it has an owner")
	for _, team := range testTeams {
		if _, err := qa.SetTeamManager(ctx, team, "T. Manager"); err != nil {
			t.Fatal(err)
		}
	}
	if err := insert(tm, KindActionRespond, mine, "T. Manager", `{"note":"visited"}`); err != nil {
		t.Errorf("a team manager responding to her team's action in SQL: %v", err)
	}
	// Changing the people list in SQL: no grant for an auditor, and no one
	// but QA even with one.
	if err := rawExec(b, "INSERT INTO person_change (seq, op, login, name, roles, at, entered_by, prev_hash, hash) VALUES (99, 'add', 'x', 'x', 'qa', '', '', '', '')"); err == nil {
		t.Error("an auditor's login changed the people list")
	}
	if r, err := qa.Verify(ctx, "a"); err != nil || !r.OK {
		t.Errorf("verify after the refusals: %+v %v", r, err)
	}
	if ps, err := qa.VerifyPeople(ctx); err != nil || len(ps) > 0 {
		t.Errorf("people list: %v %v", ps, err)
	}

	// Per store: B. Evans is nobody in another store with a people list.
	other := pgStore(t)
	qa2URL, qa2Role := pgLogin(t, other, store.GroupQA)
	qa2, _ := openAt(t, qa2URL, "Q. Two")
	if _, err := qa2.AddPerson(ctx, Person{Login: qa2Role, Name: "Q. Two", Roles: []Role{QA}}); err != nil {
		t.Fatal(err)
	}
	if _, err := qa2.CreateAudit(ctx, testAudit("o"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	// Her login holds none of the other store's roles: it cannot even
	// open it.
	if b2, err := Open(ctx, withParam(t, bURL, "schema", schemaOf(t, other)), Options{Actor: "B. Evans"}); !errors.Is(err, ErrDuty) {
		b2.Close()
		t.Errorf("an auditor of one store opening another: %v", err)
	}
}

// schemaOf is the schema a store URL names.
func schemaOf(t *testing.T, where string) string {
	t.Helper()
	i := strings.Index(where, "schema=")
	if i < 0 {
		t.Fatalf("no schema in %s", where)
	}
	s := where[i+len("schema="):]
	if j := strings.IndexByte(s, '&'); j >= 0 {
		s = s[:j]
	}
	return s
}

// On PostgreSQL the database login acts, whatever the operating system's
// login that opened the store: what a listed person does herself is
// recorded under her name on the people list.
func TestPostgresEntriesNameThePerson(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	tmURL, tmRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "root")
	tm, _ := openAt(t, tmURL, "root")
	for _, p := range []Person{
		{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		{Login: tmRole, Name: "T. Manager", Roles: []Role{Manager}},
	} {
		if _, err := qa.AddPerson(ctx, p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"A. Khan"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-01"}); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.SetTeamManager(ctx, "North", "T. Manager"); err != nil {
		t.Fatal(err)
	}
	if _, err := tm.RespondAction(ctx, "a", "CR-0000001", "", "visit booked"); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.CloseAction(ctx, "a", "CR-0000001", "", "plan seen"); err != nil {
		t.Fatal(err)
	}
	tr, err := qa.Trail(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, e := range tr {
		switch e.Kind {
		case KindSample, KindAllocation, KindTeamManager, KindActionRespond, KindActionClose:
			got = append(got, e.Kind+":"+e.Actor)
		}
	}
	want := "sample:Q. Lead allocation:Q. Lead team-manager:Q. Lead action-respond:T. Manager action-close:Q. Lead"
	if g := strings.Join(got, " "); g != want {
		t.Errorf("entries by\n%s\nwant\n%s", g, want)
	}
}

// lastSeq is the number of the last entry of an audit's trail.
func lastSeq(t *testing.T, s *Store, audit string) int {
	t.Helper()
	es, err := s.Trail(context.Background(), audit)
	if err != nil || len(es) == 0 {
		t.Fatalf("the trail of %s: %d entries, %v", audit, len(es), err)
	}
	return es[len(es)-1].Seq
}

// TestPostgresGuardsUpgrade: a store of the previous release (schema
// version 8, without the guards that hold the duties' case rules) fails
// the integrity check until its owner's next open brings it to this
// version; then it verifies, and a second moderator's raw correction of a
// moderation is refused.
func TestPostgresGuardsUpgrade(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	aURL, aRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	addPeople(t, qa,
		Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}},
		Person{Login: aRole, Name: "A. Khan", Roles: []Role{Auditor, Moderator}})
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	// Each store's test clock starts at the same time: B. Evans's runs
	// later, as her entries come after QA added her (verify replays the
	// duties with the people list as of each entry's time).
	b, bClock := openAt(t, bURL, "B. Evans")
	bClock.t = bClock.t.Add(time.Hour)
	mustRecord(t, b, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "Q. Lead", Moderation: true, Grade: Good, Date: "2026-07-03"})

	// As the previous release left it; the owner's open upgrades it.
	owner := upgradeFrom(t, where, qa, aURL, 8, "qa_named()", "follows_own_finding(bigint, bigint, text, text, text, boolean)")
	mustVerify(t, owner, "a")
	a, _ := openAt(t, aURL, "A. Khan")
	err := rawAppend(t, a, a, KindModerationCorrection, "CR-0000001", "A. Khan", `{"grade":"Inadequate","immediate":false,"note":"","reason":"second look"}`)
	if want := "refused: A. Khan (auditor, moderator) may not moderate a case: Q. Lead moderated the case; a moderation is corrected only by its moderator or QA; only QA (Q. Lead) may correct its moderation"; err == nil || !strings.Contains(err.Error(), want) {
		t.Errorf("a second moderator's raw correction after the upgrade: %v\nwant %s", err, want)
	}
	mustVerify(t, owner, "a")
}

// TestPostgresRespondOnlyOwner: a follow-up action is responded to only by
// its owner (the team manager its opening named, or its team's manager set
// since) or QA, in caseaudit and, for a login writing raw SQL, in the
// database, refused in caseaudit's words.
func TestPostgresRespondOnlyOwner(t *testing.T) {
	ctx := context.Background()
	// CR-0000001 is North's, CR-0000002 South's (testTeams).
	where, qa, tmURL, omURL := teamManagersStore(t, testAudit("a"), testCases(4), "CR-0000001", "CR-0000002")
	// The managers' clocks run later, as they act after QA added them
	// (verify replays the duties with the list as of each entry's time).
	tm, tmClock := openAt(t, tmURL, "T. Manager")
	om, omClock := openAt(t, omURL, "O. Manager")
	tmClock.t, omClock.t = tmClock.t.Add(time.Hour), omClock.t.Add(time.Hour)
	const words = "O. Manager (manager) may not respond to a follow-up action: the action is owned by T. Manager; only its owner or QA responds; only T. Manager or QA (Q. Lead) may respond to it"
	if _, err := om.RespondAction(ctx, "a", "CR-0000001", "", "seen"); !errors.Is(err, ErrDuty) || err.Error() != "refused: "+words {
		t.Errorf("caseaudit: another team's manager responding: %v\nwant refused: %s", err, words)
	}
	err := rawAppend(t, qa, om, KindActionRespond, "CR-0000001", "O. Manager", `{"note":"seen"}`)
	if err == nil || !strings.Contains(err.Error(), "caseaudit: refused: "+words+" (SQLSTATE 42501)") {
		t.Errorf("database: another team's manager responding in SQL: %v\nwant refused: %s", err, words)
	}
	// Under the owner's name does not help: the login is who acts.
	if err := rawAppend(t, qa, om, KindActionRespond, "CR-0000001", "T. Manager", `{"note":"seen"}`); err == nil {
		t.Error("another team's manager responding in SQL under the owner's name went through")
	}
	// The owner and QA go through, raw or through caseaudit.
	if err := rawAppend(t, qa, tm, KindActionRespond, "CR-0000001", "T. Manager", `{"note":"visit booked"}`); err != nil {
		t.Errorf("the owner responding in SQL: %v", err)
	}
	if err := rawAppend(t, qa, qa, KindActionRespond, "CR-0000001", "Q. Lead", `{"note":"chased"}`); err != nil {
		t.Errorf("QA responding in SQL: %v", err)
	}
	if _, err := om.RespondAction(ctx, "a", "CR-0000002", "", "plan updated"); err != nil {
		t.Errorf("caseaudit: the owner responding: %v", err)
	}
	mustVerify(t, qa, "a")
	// An action QA owns herself: she is named once, in caseaudit's words
	// and the database's.
	if _, err := qa.SetTeamManager(ctx, "South", "Q. Lead"); err != nil {
		t.Fatal(err)
	}
	const once = "O. Manager (manager) may not respond to a follow-up action: the action is owned by Q. Lead; only its owner or QA responds; only QA (Q. Lead) may respond to it"
	if _, err := om.RespondAction(ctx, "a", "CR-0000002", "", "again"); err == nil || err.Error() != "refused: "+once {
		t.Errorf("caseaudit: responding to QA's own action: %v\nwant refused: %s", err, once)
	}
	if err := rawAppend(t, qa, om, KindActionRespond, "CR-0000002", "O. Manager", `{"note":"again"}`); err == nil || !strings.Contains(err.Error(), "caseaudit: refused: "+once+" (SQLSTATE 42501)") {
		t.Errorf("database: responding to QA's own action: %v\nwant refused: %s", err, once)
	}

	// A store of schema version 9 (this morning's, whose guard let any
	// manager respond) fails the integrity check until its owner's next
	// open brings it the owner check.
	owner := upgradeFrom(t, where, qa, omURL, 9, "action_owner(bigint, text)")
	om, _ = openAt(t, omURL, "O. Manager")
	err = rawAppend(t, qa, om, KindActionRespond, "CR-0000001", "O. Manager", `{"note":"seen"}`)
	if err == nil || !strings.Contains(err.Error(), "caseaudit: refused: "+words) {
		t.Errorf("another team's manager responding in SQL after the upgrade: %v", err)
	}
	mustVerify(t, owner, "a")
}

// teamManagersStore is a PostgreSQL store with a people list of QA and two
// managers (T. Manager of North, O. Manager of South, their logins those
// of the store's auditor role) and the audit "a" of cases, allocated to
// A. Khan, QA recording a finding needing immediate attention on each of
// flagged before the managers are set. It returns the store's URL, QA's
// store, and the managers' URLs.
func teamManagersStore(t *testing.T, a Audit, cases []SampledCase, flagged ...string) (where string, qa *Store, tmURL, omURL string) {
	t.Helper()
	ctx := context.Background()
	where = pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	tmURL, tmRole := pgLogin(t, where, store.GroupAuditor)
	omURL, omRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ = openAt(t, qaURL, "Q. Lead")
	addPeople(t, qa,
		Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: tmRole, Name: "T. Manager", Roles: []Role{Manager}},
		Person{Login: omRole, Name: "O. Manager", Roles: []Role{Manager}})
	if _, err := qa.CreateAudit(ctx, a, cases); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"A. Khan"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	for _, c := range flagged {
		mustRecord(t, qa, "a", Finding{Case: c, Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-01"})
	}
	if _, err := qa.SetTeamManager(ctx, "North", "T. Manager"); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.SetTeamManager(ctx, "South", "O. Manager"); err != nil {
		t.Fatal(err)
	}
	return where, qa, tmURL, omURL
}

// upgradeFrom makes the store at where as the release of schema version
// left it, without the guard functions drop names ("name(types)"), and
// checks that the integrity check (as qa) finds the first missing and that
// a login not owning the store (loginURL) may not open it before its
// upgrade; then the owner's open upgrades it, and it passes the integrity
// check. It returns the owner's store.
func upgradeFrom(t *testing.T, where string, qa *Store, loginURL string, version int, drop ...string) *Store {
	t.Helper()
	ctx := context.Background()
	owner, _ := openAt(t, where, "qa.officer")
	var stmts []string
	for _, f := range drop {
		stmts = append(stmts, "DROP FUNCTION "+f)
	}
	stmts = append(stmts, fmt.Sprintf("UPDATE meta SET value = '%d' WHERE key = 'schema_version'", version))
	if err := rawExec(owner, stmts...); err != nil {
		t.Fatal(err)
	}
	owner.Close()
	missing := "the function " + drop[0][:strings.IndexByte(drop[0], '(')] + " is missing"
	if err := qa.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), missing) {
		t.Fatalf("integrity check of a version %d store: %v; want %q", version, err, missing)
	}
	if _, err := Open(ctx, loginURL, Options{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has schema version %d and this caseaudit needs", version)) {
		t.Fatalf("a login that does not own the store opening it before its upgrade: %v", err)
	}
	owner, _ = openAt(t, where, "qa.officer")
	if err := owner.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check after the upgrade: %v", err)
	}
	return owner
}

// rawAppend appends, as s's login writing SQL by hand, an entry to the
// trail of the audit "a" (the store's first) after its head as reader
// sees it, hashed as caseaudit would hash it.
func rawAppend(t *testing.T, reader, s *Store, kind, caseID, actor, payload string) error {
	t.Helper()
	es, err := reader.Trail(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	last := es[len(es)-1]
	at := store.FormatTime(time.Now())
	h, _ := entryHash(last.Hash, "a", last.Seq+1, kind, caseID, actor, s.EnteredBy(), at, []byte(payload))
	_, err = s.st.DB().Exec("INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (1, $1, $2, $3, $4, $5, $6, $7, $8, $9)",
		last.Seq+1, kind, caseID, actor, at, payload, last.Hash, h, s.EnteredBy())
	return err
}

// addPeople adds people to the store's list, as QA.
func addPeople(t *testing.T, qa *Store, people ...Person) {
	t.Helper()
	for _, p := range people {
		if _, err := qa.AddPerson(context.Background(), p); err != nil {
			t.Fatalf("adding %s: %v", p.Name, err)
		}
	}
}

// TestPostgresModerationNeverByTheAuditor: in a store without a people
// list, as caseaudit refuses it, the database refuses a moderation
// recorded under the name of the case's own auditor (who recorded its
// latest finding), to the QA role too; under another name it goes through.
func TestPostgresModerationNeverByTheAuditor(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, _ := pgLogin(t, where, store.GroupQA)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	// The database refuses in caseaudit's words: the person (without a
	// list, the name the moderation is made under), the rule, and who may
	// moderate the case instead.
	const want = "refused: B. Evans (moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only someone other than B. Evans may moderate it"
	if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Moderation: true, Grade: Good, Date: "2026-07-02"}); !errors.Is(err, ErrDuty) || err.Error() != want {
		t.Errorf("caseaudit recording a moderation under the case's auditor's name: %v\nwant %s", err, want)
	}
	err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", "B. Evans", `{"grade":"Good","immediate":false,"note":""}`)
	if err == nil || !strings.Contains(err.Error(), "caseaudit: "+want+" (SQLSTATE 42501)") {
		t.Errorf("a raw moderation under the case's auditor's name: %v\nwant %s", err, want)
	}
	// Case and spacing aside as caseaudit's sameName has it: two spaces,
	// a non-breaking one among them, are one. (caseaudit respells the
	// name before it records it; the database names it as the entry does.)
	for _, name := range []string{" b. evans", "B.\u00a0 Evans"} {
		if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: name, Moderation: true, Grade: Good, Date: "2026-07-02"}); !errors.Is(err, ErrDuty) {
			t.Fatalf("caseaudit recording a moderation under the name %q: %v", name, err)
		}
		dbErr := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", name, `{"grade":"Good","immediate":false,"note":""}`)
		if want := "caseaudit: refused: " + name + " (moderator) may not moderate a case: " + name + " audited the case; a moderator is never the case's own auditor; only someone other than B. Evans may moderate it (SQLSTATE 42501)"; dbErr == nil || !strings.Contains(dbErr.Error(), want) {
			t.Errorf("a raw moderation under the case's auditor's name as %q: %v\nwant %s", name, dbErr, want)
		}
	}
	if err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", "M. Moderator", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
		t.Errorf("a raw moderation under another name: %v", err)
	}
	mustVerify(t, qa, "a")
}

// TestPostgresNamesSpacedAsCaseaudit: the database compares the names an
// allocation and an entry give as caseaudit's sameName does, inner spacing
// aside: an auditor allocated, in SQL, as "A.  Khan" (two spaces, one of
// them non-breaking) records her case under "A. Khan".
func TestPostgresNamesSpacedAsCaseaudit(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	aURL, aRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	ak, _ := openAt(t, aURL, "A. Khan")
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}}, Person{Login: aRole, Name: "A. Khan", Roles: []Role{Auditor}})
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	const c = "CR-0000001"
	if err := rawAppend(t, qa, qa, KindAllocation, "", "Q. Lead", `{"assigned":[{"case":"`+c+`","auditor":"A.\u00a0 Khan"}]}`); err != nil {
		t.Fatalf("QA allocating in SQL: %v", err)
	}
	if err := rawAppend(t, qa, ak, KindFinding, c, "A. Khan", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
		t.Errorf("the auditor recording in SQL the case allocated to her spaced twice: %v", err)
	}
	if err := rawAppend(t, qa, ak, KindModerationFinding, c, "A.  khan", `{"grade":"Good","immediate":false,"note":""}`); err == nil || !strings.Contains(err.Error(), "42501") {
		t.Errorf("the auditor moderating her own case in SQL under her name spaced twice: %v", err)
	}
}

// TestPostgresFollowUpOnItsOwn: in a store without a people list, an
// auditor's login appending in SQL an action opened, or closed
// "automatically", by no finding of hers just before it is refused in
// verify's words, not told it lacks the auditor role it holds.
func TestPostgresFollowUpOnItsOwn(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, _ := pgLogin(t, where, store.GroupQA)
	bURL, _ := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	b, _ := openAt(t, bURL, "B. Evans")
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	const c = "CR-0000001"
	mustRecord(t, qa, "a", Finding{Case: c, Auditor: "Q. Lead", Grade: Good, Date: "2026-07-01"})
	seq := lastSeq(t, qa, "a")
	for _, x := range []struct{ kind, payload, words string }{
		{KindActionOpen, fmt.Sprintf(`{"owner":"","opened":"2026-07-01","due":"2026-07-08","finding":%d,"grade":"Good","note":""}`, seq),
			"may not open a follow-up action on its own: an action is opened only by the finding needing immediate attention recorded just before it, by the same person; QA may open one (SQLSTATE 42501)"},
		{KindActionClose, fmt.Sprintf(`{"auto":true,"finding":%d,"note":"done"}`, seq),
			"may not close a follow-up action automatically on its own: an action is closed automatically only by the correction to no immediate attention recorded just before it, by the same person; QA may close one (SQLSTATE 42501)"},
	} {
		err := rawAppend(t, qa, b, x.kind, c, "B. Evans", x.payload)
		if err == nil || !strings.Contains(err.Error(), "caseaudit: refused: the login ") || !strings.Contains(err.Error(), x.words) {
			t.Errorf("an auditor's %s on its own in SQL: %v\nwant the words: %s", x.kind, err, x.words)
		}
	}
	mustVerify(t, qa, "a")
}

// TestPostgresRespondTwoTeamsNamed: caseaudit reads a case's team from its
// team column alone, and so does the database, whatever other team a
// case's row names: when the South case's "Previous Team" is North, the
// North manager's raw response is refused (caseaudit gives the action to
// South's manager).
func TestPostgresRespondTwoTeamsNamed(t *testing.T) {
	ctx := context.Background()
	a := testAudit("a")
	a.Columns = []string{"Team", "Previous Team", "Legal Status"}
	cs := testCases(2)
	const c = "CR-0000002"
	cs[1].Fields = []string{"South", "North", "CIN"}
	_, qa, tmURL, _ := teamManagersStore(t, a, cs, c)
	tm, tmClock := openAt(t, tmURL, "T. Manager")
	tmClock.t = tmClock.t.Add(time.Hour)
	if _, err := tm.RespondAction(ctx, "a", c, "", "seen"); !errors.Is(err, ErrDuty) {
		t.Errorf("caseaudit: the previous team's manager responding: %v; want refused", err)
	}
	if err := rawAppend(t, qa, tm, KindActionRespond, c, "T. Manager", `{"note":"seen"}`); err == nil || !strings.Contains(err.Error(), "42501") {
		t.Errorf("database: the previous team's manager responding in SQL: %v; want refused", err)
	}
	mustVerify(t, qa, "a")
}
