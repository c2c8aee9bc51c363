package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/sample"
)

// The tests here give caseaudit and the PostgreSQL guard the same facts
// and ask both: what caseaudit refuses, a login writing raw SQL with her
// own login is refused too, in caseaudit's words; what caseaudit allows,
// the database lets through.

// TestPostgresRespondClosedAction: a closed follow-up action takes no
// response and no second closing, and a case with no action takes
// neither, from anyone, QA included: caseaudit refuses them and the
// database refuses the raw INSERT in the same words.
func TestPostgresRespondClosedAction(t *testing.T) {
	ctx := context.Background()
	// CR-0000001 is North's (T. Manager's), CR-0000002 South's; CR-0000003
	// has no action.
	where, qa, tmURL, _ := teamManagersStore(t, testAudit("a"), testCases(4), "CR-0000001", "CR-0000002")
	tm, tmClock := openAt(t, tmURL, "T. Manager")
	tmClock.t = tmClock.t.Add(time.Hour)
	if _, err := tm.RespondAction(ctx, "a", "CR-0000001", "", "visit booked"); err != nil {
		t.Fatalf("the owner responding to her open action: %v", err)
	}
	if _, err := qa.CloseAction(ctx, "a", "CR-0000001", "", "plan seen"); err != nil {
		t.Fatal(err)
	}
	head := lastSeq(t, qa, "a")

	// sameRefusal: caseaudit refuses with err, and the database refused
	// the raw entry (dbErr) in the same words.
	sameRefusal := func(what string, err, dbErr error) {
		t.Helper()
		if !errors.Is(err, ErrNoAction) {
			t.Fatalf("caseaudit: %s: %v; want refused (no open action)", what, err)
		}
		if dbErr == nil || !strings.Contains(dbErr.Error(), "caseaudit: "+err.Error()+" (SQLSTATE P0001)") {
			t.Errorf("database: %s in SQL: %v\nwant the words: %s", what, dbErr, err)
		}
	}
	const closed = `the action on case CR-0000001 of audit "a" was closed on 2026-07-03 by Q. Lead; a closed action takes no response or closing`
	_, err := tm.RespondAction(ctx, "a", "CR-0000001", "", "seen again")
	if err == nil || err.Error() != closed {
		t.Errorf("caseaudit: the owner responding to her closed action: %v\nwant %s", err, closed)
	}
	sameRefusal("the owner responding to her closed action", err,
		rawAppend(t, qa, tm, KindActionRespond, "CR-0000001", "T. Manager", `{"note":"seen again"}`))
	_, err = qa.RespondAction(ctx, "a", "CR-0000001", "", "chased")
	sameRefusal("QA responding to a closed action", err,
		rawAppend(t, qa, qa, KindActionRespond, "CR-0000001", "Q. Lead", `{"note":"chased"}`))
	_, err = qa.CloseAction(ctx, "a", "CR-0000001", "", "closed twice")
	sameRefusal("QA closing a closed action", err,
		rawAppend(t, qa, qa, KindActionClose, "CR-0000001", "Q. Lead", `{"note":"closed twice"}`))
	const none = `case CR-0000003 of audit "a" has no follow-up action: only a finding needing immediate attention opens one`
	_, err = qa.RespondAction(ctx, "a", "CR-0000003", "", "chased")
	if err == nil || err.Error() != none {
		t.Errorf("caseaudit: responding on a case with no action: %v\nwant %s", err, none)
	}
	sameRefusal("QA responding on a case with no action", err,
		rawAppend(t, qa, qa, KindActionRespond, "CR-0000003", "Q. Lead", `{"note":"chased"}`))
	if n := lastSeq(t, qa, "a"); n != head {
		t.Errorf("the trail grew from %d to %d entries through the refusals", head, n)
	}
	// An open action still takes both, raw as through caseaudit.
	if err := rawAppend(t, qa, qa, KindActionRespond, "CR-0000002", "Q. Lead", `{"note":"chased"}`); err != nil {
		t.Errorf("QA responding to an open action in SQL: %v", err)
	}
	if err := rawAppend(t, qa, qa, KindActionClose, "CR-0000002", "Q. Lead", `{"note":"plan seen"}`); err != nil {
		t.Errorf("QA closing an open action in SQL: %v", err)
	}
	mustVerify(t, qa, "a")

	// A store of schema version 10 (whose guard took the response)
	// fails the integrity check until its owner's next open brings it
	// version 11's.
	owner := upgradeFrom(t, where, qa, tmURL, 10, "require_open_action(bigint, text)", "case_team(bigint, text)")
	tm, _ = openAt(t, tmURL, "T. Manager")
	if err := rawAppend(t, qa, tm, KindActionRespond, "CR-0000001", "T. Manager", `{"note":"seen again"}`); err == nil || !strings.Contains(err.Error(), "caseaudit: "+closed) {
		t.Errorf("the owner responding to her closed action in SQL after the upgrade: %v", err)
	}
	mustVerify(t, owner, "a")
}

// TestPostgresModerationNotByAllocated: a moderation is never made under
// the name of the auditor the case is allocated to, nor of its allocated
// worker (the allocation's worker column), even before anyone recorded
// its finding under that name: caseaudit refuses it, and so does the
// database, to QA's login in a store without a people list and to a
// moderator's own login in one with a list.
func TestPostgresModerationNotByAllocated(t *testing.T) {
	ctx := context.Background()
	grade := `{"grade":"Good","immediate":false,"note":""}`
	// Each case's worker: CR-0000001 A. Khan, CR-0000003 C. Diaz
	// (testWorkers). Every case goes to B. Evans; QA records CR-0000001's
	// finding under her own name (a paper return she entered herself),
	// B. Evans records CR-0000003's.
	setUp := func(t *testing.T, qa, b *Store, cases []SampledCase) {
		t.Helper()
		if _, err := qa.CreateAudit(ctx, testAudit("a"), cases); err != nil {
			t.Fatal(err)
		}
		if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{WorkerField: "Allocated Worker"}); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "Q. Lead", Grade: Good, Date: "2026-07-01", NewAuditor: true})
		mustRecord(t, b, "a", Finding{Case: "CR-0000003", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
		if _, err := qa.DrawModeration(ctx, "a", 2, "m"); err != nil {
			t.Fatal(err)
		}
	}
	sameRefusal := sameModerationRefusal

	t.Run("no people list", func(t *testing.T) {
		where := pgStore(t)
		qaURL, _ := pgLogin(t, where, store.GroupQA)
		qa, _ := openAt(t, qaURL, "Q. Lead")
		setUp(t, qa, qa, testCases(4))
		// Without a people list the person is the name the moderation
		// is made under, and anyone else may moderate the case.
		const others = "; only someone other than Q. Lead, B. Evans and A. Khan may moderate it"
		sameRefusal(t, qa, qa, "CR-0000001", "B. Evans",
			"refused: B. Evans (moderator) may not moderate a case: the case is allocated to B. Evans; a moderator is never the case's own auditor"+others)
		sameRefusal(t, qa, qa, "CR-0000001", "A. Khan",
			"refused: A. Khan (moderator) may not moderate a case: A. Khan is the case's allocated worker; a moderator never moderates her own case work"+others)
		// Spacing and case aside, as caseaudit compares names (caseaudit
		// respells the name before it records it; the database names it as
		// the entry does).
		if err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", "a.\u00a0 khan", grade); err == nil || !strings.Contains(err.Error(),
			"caseaudit: refused: a.\u00a0 khan (moderator) may not moderate a case: a.\u00a0 khan is the case's allocated worker; a moderator never moderates her own case work"+others) {
			t.Errorf("database: a moderation under the worker's name spaced twice: %v", err)
		}
		// A store of schema version 11 (whose guard said neither who acts
		// nor who may instead) fails the integrity check until its owner's
		// next open brings it version 12's.
		other, _ := pgLogin(t, where, store.GroupAuditor)
		owner := upgradeFrom(t, where, qa, other, 11, "moderation_refusal(bigint, text, text)")
		sameRefusal(t, owner, qa, "CR-0000001", "A. Khan",
			"refused: A. Khan (moderator) may not moderate a case: A. Khan is the case's allocated worker; a moderator never moderates her own case work"+others)
		// Anyone else moderates it, raw or through caseaudit.
		if err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", "M. Moderator", grade); err != nil {
			t.Errorf("database: a moderation under another name: %v", err)
		}
		if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000003", Auditor: "M. Moderator", Moderation: true, Grade: Good, Date: "2026-07-03"}); err != nil {
			t.Errorf("caseaudit: a moderation under another name: %v", err)
		}
		mustVerify(t, qa, "a")
	})

	t.Run("people list", func(t *testing.T) {
		where := pgStore(t)
		qaURL, qaRole := pgLogin(t, where, store.GroupQA)
		bURL, bRole := pgLogin(t, where, store.GroupAuditor)
		cURL, cRole := pgLogin(t, where, store.GroupAuditor)
		mURL, mRole := pgLogin(t, where, store.GroupAuditor)
		qa, _ := openAt(t, qaURL, "Q. Lead")
		addPeople(t, qa,
			Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
			Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor, Moderator}},
			Person{Login: cRole, Name: "C. Diaz", Roles: []Role{Moderator}},
			Person{Login: mRole, Name: "M. Moderator", Roles: []Role{Moderator}})
		b, bClock := openAt(t, bURL, "B. Evans")
		c, cClock := openAt(t, cURL, "C. Diaz")
		m, mClock := openAt(t, mURL, "M. Moderator")
		for _, k := range []*testClock{bClock, cClock, mClock} {
			k.t = k.t.Add(time.Hour) // they act after QA added them
		}
		// CR-0000004's worker column holds C. Diaz's login, not her name:
		// the name is hers all the same (Person.is).
		cases := testCases(4)
		cases[3].Fields[1] = cRole
		setUp(t, qa, b, cases)
		mustRecord(t, b, "a", Finding{Case: "CR-0000004", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
		if _, err := qa.DrawModeration(ctx, "a", 3, "m"); err != nil {
			t.Fatal(err)
		}
		// With a list, the person is hers (her name, and every role she
		// holds), and who may moderate the case instead is everyone on it
		// who moderates and is none of the case's own people, in login
		// order. B. Evans did not record CR-0000001, but it is allocated to
		// her; Q. Lead recorded it and A. Khan is its worker.
		only := func(people ...[2]string) string { // login, name
			slices.SortFunc(people, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
			return "; only " + people[0][1] + " or " + people[1][1] + " may moderate it"
		}
		sameRefusal(t, qa, b, "CR-0000001", "B. Evans",
			"refused: B. Evans (auditor, moderator) may not moderate a case: the case is allocated to B. Evans; a moderator is never the case's own auditor"+
				only([2]string{cRole, "C. Diaz"}, [2]string{mRole, "M. Moderator"}))
		// C. Diaz is CR-0000003's social worker.
		notHers := only([2]string{qaRole, "Q. Lead"}, [2]string{mRole, "M. Moderator"})
		sameRefusal(t, qa, c, "CR-0000003", "C. Diaz",
			"refused: C. Diaz (moderator) may not moderate a case: C. Diaz is the case's allocated worker; a moderator never moderates her own case work"+notHers)
		sameRefusal(t, qa, c, "CR-0000004", "c.  diaz",
			"refused: C. Diaz (moderator) may not moderate a case: C. Diaz is the case's allocated worker; a moderator never moderates her own case work"+notHers)
		// She moderates a case that is not hers; M. Moderator hers.
		if err := rawAppend(t, qa, c, KindModerationFinding, "CR-0000001", "C. Diaz", grade); err != nil {
			t.Errorf("database: C. Diaz moderating a case not hers in SQL: %v", err)
		}
		// Once the case is moderated, who may instead is who corrects its
		// moderation: QA recorded CR-0000001's finding herself.
		const byQA = "refused: Q. Lead (qa) may not moderate a case: Q. Lead audited the case; a moderator is never the case's own auditor; only C. Diaz or QA (Q. Lead) may correct its moderation"
		if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "Q. Lead", Moderation: true, Grade: Good, Date: "2026-07-02", Reason: "re-read"}); !errors.Is(err, ErrDuty) || err.Error() != byQA {
			t.Errorf("caseaudit: QA correcting the moderation of a case she audited: %v\nwant %s", err, byQA)
		}
		if err := rawAppend(t, qa, qa, KindModerationCorrection, "CR-0000001", "Q. Lead", grade); err == nil || !strings.Contains(err.Error(), "caseaudit: "+byQA+" (SQLSTATE 42501)") {
			t.Errorf("database: QA correcting the moderation of a case she audited in SQL: %v\nwant %s", err, byQA)
		}
		if _, err := m.Record(ctx, "a", Finding{Case: "CR-0000003", Auditor: "M. Moderator", Moderation: true, Grade: Good, Date: "2026-07-03"}); err != nil {
			t.Errorf("caseaudit: M. Moderator moderating CR-0000003: %v", err)
		}
		mustVerify(t, qa, "a")
	})
}

// TestPostgresOwnerByTeamColumn: who owns a follow-up action, and so who
// may respond to it, is decided by the database as by caseaudit: through
// the case's team read from the audit's team column (the stratification's,
// else the follow-up rule's when it gives team managers, else a column
// named Team), and from no other column that happens to name a team. Each
// audit below is asked, for each team manager, through caseaudit and as a
// raw INSERT: both allow the same manager, and refuse the other in the
// same words.
func TestPostgresOwnerByTeamColumn(t *testing.T) {
	ctx := context.Background()
	// T. Manager manages North, O. Manager South (teamManagersStore).
	const (
		noOwner   = "the action has no owner yet; only its owner or QA responds; only QA (Q. Lead) may respond to it until it has an owner"
		ownedBy   = "the action is owned by %s; only its owner or QA responds; only %s or QA (Q. Lead) may respond to it"
		tmManager = "T. Manager"
		omManager = "O. Manager"
	)
	areaColumns := []string{"Area", "Allocated Worker", "Legal Status"}
	for _, c := range []struct {
		name string
		// audit shapes the audit "a"; its case CR-0000001 holds fields
		// and is in stratum.
		audit   func(a *Audit)
		fields  []string
		stratum string
		// owner is who caseaudit finds owns the action; the manager it
		// names may respond, and the other is refused for why (when it
		// names neither, both are).
		owner, why string
	}{
		{name: "no team column: a column naming a team is not the team",
			audit: func(a *Audit) { a.Columns, a.Provenance.Columns = areaColumns, areaColumns }, fields: []string{"North", "A. Khan", "CIN"},
			owner: Unassigned, why: noOwner},
		{name: "no team column: an owner column naming a team is no person",
			audit: func(a *Audit) {
				a.Columns, a.Provenance.Columns = areaColumns, areaColumns
				a.FollowUp = OwnerRule{Column: "Area"}
			}, fields: []string{"North", "A. Khan", "CIN"},
			owner: "North", why: strings.ReplaceAll(ownedBy, "%s", "North")},
		{name: "a Team column",
			audit: func(a *Audit) {}, fields: []string{"South", "A. Khan", "CIN"},
			owner: omManager},
		{name: "the follow-up rule's team without a manager: the team owns it, and is no person",
			audit: func(a *Audit) {
				a.FollowUp = OwnerRule{Column: "Team", TeamManagers: map[string]string{"East": "E. Manager"}}
			}, fields: []string{"West", "A. Khan", "CIN"},
			owner: "West", why: "the action is owned by the team West, which has no manager set; only the team's manager or QA responds; only West's team manager (none is set: QA sets one with caseaudit owners set) or QA (Q. Lead) may respond to it"},
		{name: "the stratification's column before a Team column",
			audit: func(a *Audit) {
				cols := []string{"Team", "Area", "Legal Status"}
				a.Columns, a.Provenance.Columns = cols, cols
				a.Provenance.Strata = &sample.StrataRule{Column: "Area", Allocation: sample.Proportional}
			}, fields: []string{"South", "North", "CIN"}, stratum: "North",
			owner: tmManager},
		{name: "the stratum, where the stratification's column is empty",
			audit: func(a *Audit) {
				a.Provenance.Strata = &sample.StrataRule{Column: "Team", Allocation: sample.Proportional}
			}, fields: []string{" ", "A. Khan", "CIN"}, stratum: "South",
			owner: omManager},
		{name: "the follow-up rule's column, which gives team managers",
			audit: func(a *Audit) {
				cols := []string{"Team", " AREA ", "Legal Status"}
				a.Columns, a.Provenance.Columns = cols, cols
				a.FollowUp = OwnerRule{Column: "area", TeamManagers: map[string]string{"East": "E. Manager"}}
			}, fields: []string{"South", "north\u00a0 ", "CIN"},
			owner: tmManager},
	} {
		t.Run(c.name, func(t *testing.T) {
			a := testAudit("a")
			c.audit(&a)
			cases := testCases(2)
			cases[0].Fields, cases[0].Stratum = c.fields, c.stratum
			if c.stratum != "" {
				cases[1].Stratum = "East"
			}
			_, qa, tmURL, omURL := teamManagersStore(t, a, cases, "CR-0000001")
			tm, tmClock := openAt(t, tmURL, tmManager)
			om, omClock := openAt(t, omURL, omManager)
			tmClock.t, omClock.t = tmClock.t.Add(time.Hour), omClock.t.Add(time.Hour)
			acts, err := qa.Actions(ctx, "a")
			if err != nil || len(acts) != 1 {
				t.Fatalf("actions: %+v %v", acts, err)
			}
			if got := acts[0].Owner; got != c.owner {
				t.Fatalf("caseaudit finds the action owned by %q; the test expects %q", got, c.owner)
			}
			for _, m := range []struct {
				name string
				s    *Store
			}{{tmManager, tm}, {omManager, om}} {
				_, err := m.s.RespondAction(ctx, "a", "CR-0000001", "", "seen")
				dbErr := rawAppend(t, qa, m.s, KindActionRespond, "CR-0000001", m.name, `{"note":"seen"}`)
				if m.name == c.owner {
					if err != nil || dbErr != nil {
						t.Errorf("%s, the owner, responding: caseaudit %v; database %v", m.name, err, dbErr)
					}
					continue
				}
				why := c.why
				if why == "" {
					why = strings.ReplaceAll(ownedBy, "%s", c.owner)
				}
				words := m.name + " (manager) may not respond to a follow-up action: " + why
				if !errors.Is(err, ErrDuty) || err.Error() != "refused: "+words {
					t.Errorf("caseaudit: %s responding: %v\nwant refused: %s", m.name, err, words)
				}
				if dbErr == nil || !strings.Contains(dbErr.Error(), "caseaudit: refused: "+words+" (SQLSTATE 42501)") {
					t.Errorf("database: %s responding in SQL: %v\nwant refused: %s", m.name, dbErr, words)
				}
			}
			mustVerify(t, qa, "a")
		})
	}
}

// TestPostgresTeamAsCaseaudit: the database reads an audit's team column
// and each case's team exactly as caseaudit does (Audit.TeamColumn,
// Audit.Team), for audits of every shape: schema-1 audits (copied from the
// store-v1 fixture, their rule kept in their parameters) and audits drawn
// now, stratified or not, with a follow-up rule that gives team managers,
// a column named Team, or none of these; with names spaced and cased
// unlike their columns'.
func TestPostgresTeamAsCaseaudit(t *testing.T) {
	ctx := context.Background()
	compare := func(t *testing.T, s *Store) {
		t.Helper()
		list, err := s.Audits(ctx)
		if err != nil || len(list) == 0 {
			t.Fatalf("audits: %v %v", list, err)
		}
		teams := 0
		for _, l := range list {
			a, err := s.Audit(ctx, l.Name)
			if err != nil {
				t.Fatal(err)
			}
			var col string
			if err := s.st.DB().QueryRow("SELECT team_column($1)", a.id).Scan(&col); err != nil {
				t.Fatal(err)
			}
			if col != a.TeamColumn() {
				t.Errorf("audit %q: the database's team column is %q, caseaudit's %q", a.Name, col, a.TeamColumn())
			}
			cs, err := s.Cases(ctx, l.Name)
			if err != nil {
				t.Fatal(err)
			}
			for _, c := range cs {
				var team string
				if err := s.st.DB().QueryRow("SELECT case_team($1, $2)", a.id, c.ID).Scan(&team); err != nil {
					t.Fatal(err)
				}
				if team != a.Team(c) {
					t.Errorf("audit %q, case %s: the database's team is %q, caseaudit's %q", a.Name, c.ID, team, a.Team(c))
				}
				if team != "" {
					teams++
				}
			}
		}
		if teams == 0 {
			t.Error("no case has a team: the comparison shows nothing")
		}
	}

	t.Run("schema 1", func(t *testing.T) {
		dst, _ := openAt(t, pgStore(t), "qa.officer")
		// A copy: opening a store brings it to this schema version.
		legacy := filepath.Join(t.TempDir(), "v1.db")
		raw, err := os.ReadFile(filepath.Join("testdata", "store-v1", "caseaudit.db"))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(legacy, raw, 0o600); err != nil {
			t.Fatal(err)
		}
		old, _ := openAt(t, legacy, "x")
		if _, err := Copy(ctx, old, dst, nil); err != nil {
			t.Fatal(err)
		}
		var n int
		if err := dst.st.DB().QueryRow("SELECT count(*) FROM audit WHERE provenance IS NULL").Scan(&n); err != nil || n == 0 {
			t.Fatalf("audits without a provenance on the copy: %d %v", n, err)
		}
		compare(t, dst)
	})

	t.Run("drawn now", func(t *testing.T) {
		s, _ := openAt(t, pgStore(t), "qa.officer")
		cases := func(stratum string, fields ...[]string) []SampledCase {
			out := testCases(len(fields))
			for i, f := range fields {
				out[i].Fields, out[i].Stratum = f, stratum
				if stratum != "" && f[0] != " " {
					out[i].Stratum = f[0]
				}
			}
			return out
		}
		rows := [][]string{{"North", " north\u00a0 team ", "CIN"}, {" ", "South", "CP"}, {"East", "", "CLA"}}
		for _, x := range []struct {
			name    string
			shape   func(a *Audit)
			stratum string
		}{
			{"a Team column", func(a *Audit) {}, ""},
			{"no team column", func(a *Audit) { a.Columns = []string{"Area", "Previous Team", "Legal Status"} }, ""},
			{"a team column spaced and cased", func(a *Audit) { a.Columns = []string{"Area", "  tEAM\u00a0", "Legal Status"} }, ""},
			{"stratified", func(a *Audit) {
				a.Columns = []string{"Area", "Team", "Legal Status"}
				a.Provenance.Strata = &sample.StrataRule{Column: "Area", Allocation: sample.Proportional}
			}, "by area"},
			{"a rule giving team managers", func(a *Audit) {
				a.Columns = []string{"Area", " PREVIOUS team", "Legal Status"}
				a.FollowUp = OwnerRule{Column: "previous team ", TeamManagers: map[string]string{"North": "T. Manager"}}
			}, ""},
			{"a rule without team managers", func(a *Audit) {
				a.Columns = []string{"Area", "Owner", "Legal Status"}
				a.FollowUp = OwnerRule{Column: "Owner"}
			}, ""},
		} {
			a := testAudit(x.name)
			x.shape(&a)
			a.Provenance.Columns = a.Columns
			if _, err := s.CreateAudit(ctx, a, cases(x.stratum, rows...)); err != nil {
				t.Fatal(err)
			}
		}
		compare(t, s)
	})
}

// TestPostgresNonASCIINames: the database compares names as caseaudit
// does, every letter's case aside and not only ASCII's: the trail's
// columns are COLLATE "C", in which PostgreSQL's lower() leaves É as it
// is. A moderation under "Élodie Dupont" of a case whose worker the export
// spells "ÉLODIE DUPONT" is hers, and refused in the same words by both;
// an auditor allocated as "ŁUKASZ WÓJCIK" records the case under
// "Łukasz Wójcik" through either.
func TestPostgresNonASCIINames(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	lwURL, lwRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	lw, lwClock := openAt(t, lwURL, "Łukasz Wójcik")
	lwClock.t = lwClock.t.Add(time.Hour)
	cases := testCases(2)
	cases[0].Fields[1] = "ÉLODIE DUPONT"
	if _, err := qa.CreateAudit(ctx, testAudit("a"), cases); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"ŁUKASZ WÓJCIK"}, AllocationRules{WorkerField: "Allocated Worker"}); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "Q. Lead", Grade: Good, Date: "2026-07-01", NewAuditor: true})
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	const want = "refused: Élodie Dupont (moderator) may not moderate a case: Élodie Dupont is the case's allocated worker; a moderator never moderates her own case work; only someone other than Q. Lead, ŁUKASZ WÓJCIK and ÉLODIE DUPONT may moderate it"
	if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "Élodie Dupont", Moderation: true, Grade: Good, Date: "2026-07-02"}); !errors.Is(err, ErrDuty) || err.Error() != want {
		t.Errorf("caseaudit: a moderation under the worker's name, not in capitals: %v\nwant %s", err, want)
	}
	if err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", "Élodie Dupont", `{"grade":"Good","immediate":false,"note":""}`); err == nil || !strings.Contains(err.Error(), "caseaudit: "+want+" (SQLSTATE 42501)") {
		t.Errorf("database: a moderation under the worker's name, not in capitals, in SQL: %v\nwant %s", err, want)
	}
	// With a people list, the auditor's own case is hers whichever case
	// its letters are in.
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}}, Person{Login: lwRole, Name: "Łukasz Wójcik", Roles: []Role{Auditor}})
	if err := rawAppend(t, qa, lw, KindFinding, "CR-0000002", "Łukasz Wójcik", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
		t.Errorf("database: the auditor recording in SQL the case allocated to her in capitals: %v", err)
	}
	if _, err := lw.Record(ctx, "a", Finding{Case: "CR-0000002", Auditor: "Łukasz Wójcik", Grade: Inadequate, Date: "2026-07-02", Reason: "re-read"}); err != nil {
		t.Errorf("caseaudit: the auditor correcting the case allocated to her in capitals: %v", err)
	}
	mustVerify(t, qa, "a")
}

// TestPostgresModerationNoOneElse: when everyone on the people list who
// moderates audited the case or works on it, caseaudit and the database
// both say so, and that QA adds a moderator.
func TestPostgresModerationNoOneElse(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}}, Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor, Moderator}})
	b, bClock := openAt(t, bURL, "B. Evans")
	bClock.t = bClock.t.Add(time.Hour)
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "Q. Lead", Grade: Good, Date: "2026-07-01", NewAuditor: true})
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	const want = "refused: B. Evans (auditor, moderator) may not moderate a case: the case is allocated to B. Evans; a moderator is never the case's own auditor; no one on the people list may moderate it (everyone who moderates audited it or works on it); QA adds a moderator with caseaudit people add"
	if _, err := b.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Moderation: true, Grade: Good, Date: "2026-07-02"}); !errors.Is(err, ErrDuty) || err.Error() != want {
		t.Errorf("caseaudit: %v\nwant %s", err, want)
	}
	if err := rawAppend(t, qa, b, KindModerationFinding, "CR-0000001", "B. Evans", `{"grade":"Good","immediate":false,"note":""}`); err == nil || !strings.Contains(err.Error(), "caseaudit: "+want+" (SQLSTATE 42501)") {
		t.Errorf("database: %v\nwant %s", err, want)
	}
}

// TestPostgresModerationNotByAnEarlierAuditor: a moderation is never made
// under the name of anyone who recorded a finding on the case, one since
// corrected under another name included: caseaudit refuses it, and the
// database refuses the raw INSERT in the same words, to the person's own
// login and to QA's. A store of schema version 12, whose guard looked at
// the latest finding alone, is brought the new guard by its owner's open.
func TestPostgresModerationNotByAnEarlierAuditor(t *testing.T) {
	ctx := context.Background()
	grade := `{"grade":"Good","immediate":false,"note":""}`
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	_, cRole := pgLogin(t, where, store.GroupAuditor)
	mURL, mRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	addPeople(t, qa,
		Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor, Moderator}},
		Person{Login: cRole, Name: "C. Diaz", Roles: []Role{Auditor}},
		Person{Login: mRole, Name: "M. Moderator", Roles: []Role{Moderator}})
	b, bClock := openAt(t, bURL, "B. Evans")
	m, mClock := openAt(t, mURL, "M. Moderator")
	bClock.t, mClock.t = bClock.t.Add(time.Hour), mClock.t.Add(time.Hour)
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(3)); err != nil {
		t.Fatal(err)
	}
	// B. Evans audited CR-0000002 on paper and QA entered it; C. Diaz's
	// second reading corrected it. The case was never allocated, and its
	// latest finding is C. Diaz's.
	mustRecord(t, qa, "a", Finding{Case: "CR-0000002", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01", NewAuditor: true})
	mustRecord(t, qa, "a", Finding{Case: "CR-0000002", Auditor: "C. Diaz", Grade: Inadequate, Date: "2026-07-02", Reason: "second reading", NewAuditor: true})
	if _, err := qa.Allocate(ctx, "a", []string{"C. Diaz"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	// Who may instead: everyone on the list who moderates, but B. Evans
	// and C. Diaz, in login order.
	may := [][2]string{{qaRole, "Q. Lead"}, {mRole, "M. Moderator"}}
	slices.SortFunc(may, func(a, b [2]string) int { return strings.Compare(a[0], b[0]) })
	only := "; only " + may[0][1] + " or " + may[1][1] + " may moderate it"
	byB := "refused: B. Evans (auditor, moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor" + only
	sameModerationRefusal(t, qa, b, "CR-0000002", "B. Evans", byB)
	sameModerationRefusal(t, qa, qa, "CR-0000002", "B. Evans", "refused: Q. Lead (qa) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor"+only)

	// A store of schema version 12 (whose guard looked at the latest
	// finding alone) fails the integrity check until its owner's next
	// open brings it version 13's.
	owner := upgradeFrom(t, where, qa, bURL, 12, "moderation_refusal(bigint, text, text)")
	b, _ = openAt(t, bURL, "B. Evans")
	if err := rawAppend(t, owner, b, KindModerationFinding, "CR-0000002", "B. Evans", grade); err == nil || !strings.Contains(err.Error(), "caseaudit: "+byB+" (SQLSTATE 42501)") {
		t.Errorf("database: the first auditor moderating in SQL after the upgrade: %v\nwant %s", err, byB)
	}
	// Someone else moderates it.
	if _, err := m.Record(ctx, "a", Finding{Case: "CR-0000002", Auditor: "M. Moderator", Moderation: true, Grade: Good, Date: "2026-07-03"}); err != nil {
		t.Errorf("caseaudit: M. Moderator moderating the case: %v", err)
	}
	mustVerify(t, qa, "a")
}

// TestPostgresNamesCasedAlike: the letters whose case forms only a
// one-to-one mapping makes one (namekey) are one to caseaudit and to the
// database alike: a case whose worker the export spells "İLKAY YILDIZ" is
// hers when she is named "Ilkay Yildiz", and one allocated to "ΟΔΥΣΣΕΥΣ
// ΠΑΠΑΣ" is his when he is named "Οδυσσευς Παπας" (final sigma); both
// refuse a moderation under those names, in the same words.
func TestPostgresNamesCasedAlike(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, _ := pgLogin(t, where, store.GroupQA)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	cases := testCases(2)
	cases[0].Fields[1] = "İLKAY YILDIZ"
	if _, err := qa.CreateAudit(ctx, testAudit("a"), cases); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"ΟΔΥΣΣΕΥΣ ΠΑΠΑΣ"}, AllocationRules{WorkerField: "Allocated Worker"}); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, qa, "a", Finding{Case: "CR-0000001", Auditor: "Gſell", Grade: Good, Date: "2026-07-01", NewAuditor: true})
	if _, err := qa.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	const others = "; only someone other than Gſell, ΟΔΥΣΣΕΥΣ ΠΑΠΑΣ and İLKAY YILDIZ may moderate it"
	// caseaudit respells a name the audit knows as the audit spells it
	// before it records it; the database names it as the entry does.
	for _, c := range []struct{ name, spelt, why string }{
		{"Ilkay Yildiz", "Ilkay Yildiz", "%s is the case's allocated worker; a moderator never moderates her own case work"},
		{"Οδυσσευς Παπας", "ΟΔΥΣΣΕΥΣ ΠΑΠΑΣ", "the case is allocated to %s; a moderator is never the case's own auditor"},
		{"GSELL", "Gſell", "%s audited the case; a moderator is never the case's own auditor"},
	} {
		refusal := func(name string) string {
			return "refused: " + name + " (moderator) may not moderate a case: " + fmt.Sprintf(c.why, name) + others
		}
		if _, err := qa.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: c.name, Moderation: true, Grade: Good, Date: "2026-07-02", NewAuditor: true}); !errors.Is(err, ErrDuty) || err.Error() != refusal(c.spelt) {
			t.Errorf("caseaudit: a moderation under %q:\n got %v\nwant %s", c.name, err, refusal(c.spelt))
		}
		if err := rawAppend(t, qa, qa, KindModerationFinding, "CR-0000001", c.name, `{"grade":"Good","immediate":false,"note":""}`); err == nil || !strings.Contains(err.Error(), "caseaudit: "+refusal(c.name)+" (SQLSTATE 42501)") {
			t.Errorf("database: a moderation under %q in SQL:\n got %v\nwant %s", c.name, err, refusal(c.name))
		}
	}
	mustVerify(t, qa, "a")
}

// sameModerationRefusal: caseaudit refuses a moderation of caseID of the
// audit "a" under the name actor with the words want (the person, the
// reason, and who may moderate the case instead), and so does the
// database, to login's raw INSERT, word for word.
func sameModerationRefusal(t *testing.T, qa, login *Store, caseID, actor, want string) {
	t.Helper()
	_, err := login.Record(context.Background(), "a", Finding{Case: caseID, Auditor: actor, Moderation: true, Grade: Good, Date: "2026-07-02"})
	if !errors.Is(err, ErrDuty) || err.Error() != want {
		t.Errorf("caseaudit: a moderation of %s under the name %q: %v\nwant %s", caseID, actor, err, want)
	}
	err = rawAppend(t, qa, login, KindModerationFinding, caseID, actor, `{"grade":"Good","immediate":false,"note":""}`)
	if err == nil || !strings.Contains(err.Error(), "caseaudit: "+want+" (SQLSTATE 42501)") {
		t.Errorf("database: a moderation of %s under the name %q in SQL: %v\nwant %s", caseID, actor, err, want)
	}
}
