package audit

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
)

// kindsOf lists the kinds of a look-up's entries in one audit, in order.
func kindsOf(a CaseAudit) string {
	var ks []string
	for _, e := range a.Entries {
		ks = append(ks, e.Kind)
	}
	return strings.Join(ks, " ")
}

// checkAgainstTrail checks a look-up's audit against the trail itself:
// every entry it names is the trail's entry of that number and kind, and
// every trail entry recorded under the case is among them.
func checkAgainstTrail(t *testing.T, s *Store, id string, ca CaseAudit) {
	t.Helper()
	trail, err := s.Trail(context.Background(), ca.Audit)
	if err != nil {
		t.Fatal(err)
	}
	listed := map[int]bool{}
	for _, e := range ca.Entries {
		if e.Seq < 1 || e.Seq > len(trail) || trail[e.Seq-1].Kind != e.Kind {
			t.Errorf("%s: the look-up names entry %d as %s, which the trail does not hold", ca.Audit, e.Seq, e.Kind)
		}
		listed[e.Seq] = true
	}
	for _, e := range trail {
		if e.Case == id && !listed[e.Seq] {
			t.Errorf("%s: %s is about %s but the look-up leaves it out", ca.Audit, store.Describe(e), id)
		}
	}
}

// TestLookUpFindsEveryPath writes entries about cases through every path
// that writes one — record, correction, import of a workbook, moderation
// draw and finding, follow-up actions opened, responded to and closed,
// withdrawal with its replacement, redaction and sign-off — across two
// audits, and looks each case up, on both backends.
func TestLookUpFindsEveryPath(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, clock := openAt(t, where, "QA Officer")
		export := synthExport(t, t.TempDir(), "cases.csv", 600)
		d, err := Draw(ctx, s, DrawRequest{Spec: drawSpec(export, "lookup", 12, clock.now()), Name: "L",
			Auditors: []string{"A. Khan", "B. Lee"}, Rules: AllocationRules{WorkerField: "Allocated Worker"}})
		if err != nil {
			t.Fatal(err)
		}
		d.Close()
		clock.on("2026-07-04") // after the draw, on the day of the last finding
		cases, err := s.Cases(ctx, "L")
		if err != nil {
			t.Fatal(err)
		}
		al, err := s.Allocation(ctx, "L")
		if err != nil || al == nil {
			t.Fatalf("allocation: %v %v", al, err)
		}
		c1, c2, c3 := cases[0], cases[1], cases[2]
		by1, by2 := al.For(c1.ID), al.For(c2.ID)
		other := "A. Khan"
		if by1 == other {
			other = "B. Lee"
		}

		// Recorded by hand: flagged, the action answered and closed, then
		// corrected, and the note naming a child redacted.
		mustRecord(t, s, "L", Finding{Case: c1.ID, Auditor: by1, Grade: Inadequate, Immediate: true, Date: "2026-07-03", Note: "Jayden Smith, no plan"})
		if _, err := s.RespondAction(ctx, "L", c1.ID, "T. Manager", "visited the same day"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CloseAction(ctx, "L", c1.ID, "QA Officer", "plan now on file"); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "L", Finding{Case: c1.ID, Auditor: by1, Grade: RequiresImprovement, Date: "2026-07-04", Note: "plan on file", Reason: "plan found"})

		// Imported from the auditors' workbook (row 3 is the second case).
		wb := workbookFor(t, s, "L")
		fill(t, wb, map[int]map[string]any{3: {"Auditor": by2, "Grade": "Inadequate", "Immediate attention": "Yes", "Notes": "no visit in 6 weeks"}})
		if _, err := Import(ctx, s, "L", wb, ImportOptions{}); err != nil {
			t.Fatal(err)
		}

		// Moderation: both recorded cases drawn, the second re-graded.
		if _, err := s.DrawModeration(ctx, "L", 2, "m"); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "L", Finding{Case: c2.ID, Auditor: "Z. Moderator", Grade: RequiresImprovement, Immediate: true, Moderation: true})

		// Withdrawn, and replaced by the next ticket of its team.
		w, err := Withdraw(ctx, s, WithdrawRequest{Name: "L", Case: c3.ID, Reason: "case closed before the audit", Export: export})
		if err != nil {
			t.Fatal(err)
		}
		repl := w.Withdrawal.Replacement
		if repl == "" {
			t.Fatal("no replacement drawn")
		}

		h, _ := s.History(ctx, "L", c1.ID)
		if _, err := s.Redact(ctx, RedactRequest{Audit: "L", Entry: findingEntries(h)[0].Seq, Reason: "names a child", Person: governance}); err != nil {
			t.Fatal(err)
		}
		// Re-allocated: the cases without a finding go to a new auditor.
		if _, err := s.Allocate(ctx, "L", []string{"C. Diaz"}, AllocationRules{}); err != nil {
			t.Fatal(err)
		}
		// Some cases are still unrecorded: signed off anyway, as a forced sign-off.
		trail, _ := s.Trail(ctx, "L")
		if _, err := s.SignOffAudit(ctx, "L", Figures{Flagged: 1, Size: 2, Population: 400}, len(trail), true); err != nil {
			t.Fatal(err)
		}

		// A second audit sampled the first case again.
		m := testAudit("M")
		one := testCases(1)
		one[0].ID = c1.ID
		if _, err := s.CreateAudit(ctx, m, one); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "M", Finding{Case: c1.ID, Auditor: other, Grade: Good, Note: "seen at home"})
		grown := testCases(2)[1:]
		grown[0].ID = "GR-0000001"
		if err := s.Grow(ctx, "M", grown); err != nil {
			t.Fatal(err)
		}

		qa := Person{Login: "qa", Name: "QA Officer", Roles: []Role{QA}}
		look := func(id string, p Person, names bool) *CaseRecord {
			t.Helper()
			r, err := s.LookUp(ctx, LookUpRequest{Case: id, Person: p, Names: names})
			if err != nil {
				t.Fatalf("look-up of %s: %v", id, err)
			}
			for _, a := range r.Audits {
				checkAgainstTrail(t, s, r.Case, a)
			}
			return r
		}

		r := look(c1.ID, qa, false)
		if len(r.Audits) != 2 || r.Audits[0].Audit != "L" || r.Audits[1].Audit != "M" || r.Withheld != 0 {
			t.Fatalf("audits holding %s: %+v", c1.ID, r.Audits)
		}
		want := "sample allocation finding action-open action-respond action-close correction moderation-draw redaction redaction sign-off"
		if got := kindsOf(r.Audits[0]); got != want {
			t.Errorf("%s in L:\n got %s\nwant %s", c1.ID, got, want)
		}
		if got := kindsOf(r.Audits[1]); got != "sample finding" {
			t.Errorf("%s in M: %s", c1.ID, got)
		}
		l := r.Audits[0]
		if l.Seed != "lookup" || l.Export != export || l.Sampled.Row != c1.Row || l.Sampled.Ticket != c1.Ticket || l.Sampled.Order != 1 {
			t.Errorf("sampled: %+v (export %s, seed %s)", l.Sampled, l.Export, l.Seed)
		}
		fin := l.Entries[2]
		if fin.Grade != "Inadequate" || fin.Immediate == nil || !*fin.Immediate || !strings.HasPrefix(fin.Note, "[redacted on 2026-") {
			t.Errorf("the redacted finding: %+v", fin)
		}
		if fin.By != Initials(by1) || fin.By == by1 {
			t.Errorf("without names the auditor is %q, want her initials %q", fin.By, Initials(by1))
		}
		if cor := l.Entries[6]; cor.Reason != "plan found" || cor.Note != "plan on file" || cor.Grade != "Requires improvement" {
			t.Errorf("the correction: %+v", cor)
		}
		if resp := l.Entries[4]; resp.Note != "visited the same day" || resp.By != "T.M." {
			t.Errorf("the response: %+v", resp)
		}
		if red := l.Entries[8]; red.Redacted != fin.Seq || red.Reason != "names a child" || red.By != "I.O." {
			t.Errorf("the redaction: %+v", red)
		}
		if so := l.Entries[10]; so.Flagged == nil || *so.Flagged || !strings.Contains(so.Summary, "1 of 2 flagged") {
			t.Errorf("the sign-off: %+v", so)
		}
		for _, f := range l.Sampled.Fields {
			if f.Column == "Allocated Worker" && (f.Value == c1.Field("Allocated Worker") || f.Value != Initials(c1.Field("Allocated Worker"))) {
				t.Errorf("without names the worker shows as %q", f.Value)
			}
		}
		// Nothing the store holds under a member of staff's name shows
		// without names; with them, it shows as stored.
		named := look(c1.ID, qa, true)
		if named.Audits[0].Entries[2].By != by1 || named.Audits[0].Entries[4].By != "T. Manager" {
			t.Errorf("with names: %+v", named.Audits[0].Entries[2])
		}
		for _, f := range named.Audits[0].Sampled.Fields {
			if f.Column == "Allocated Worker" && f.Value != c1.Field("Allocated Worker") {
				t.Errorf("with names the worker shows as %q", f.Value)
			}
		}

		r = look(c2.ID, qa, false)
		if got := kindsOf(r.Audits[0]); got != "sample allocation finding action-open moderation-draw moderation-finding sign-off" {
			t.Errorf("%s: %s", c2.ID, got)
		}
		if imp := r.Audits[0].Entries[2]; imp.Source != "import audit.xlsx row 3" || imp.Note != "no visit in 6 weeks" {
			t.Errorf("the imported finding: %+v", imp)
		}
		r = look(c3.ID, qa, false)
		if got := kindsOf(r.Audits[0]); got != "sample allocation withdrawal allocation" {
			t.Errorf("%s: %s", c3.ID, got)
		}
		if wd := r.Audits[0].Entries[2]; wd.Replacement != repl || wd.Reason != "case closed before the audit" {
			t.Errorf("the withdrawal: %+v", wd)
		}
		r = look(repl, qa, false)
		if got := kindsOf(r.Audits[0]); got != "withdrawal allocation allocation" || r.Audits[0].Entries[0].Replaces != c3.ID {
			t.Errorf("the replacement %s: %s %+v", repl, got, r.Audits[0].Entries)
		}
		if re := r.Audits[0].Entries[2]; re.AllocatedTo != "C.D." || re.AllocatedFrom != Initials(al.For(c3.ID)) ||
			re.Summary != "re-allocated from "+Initials(al.For(c3.ID))+" to C.D." {
			t.Errorf("the re-allocation: %+v", re)
		}
		r = look("GR-0000001", qa, false)
		if got := kindsOf(r.Audits[0]); got != "grow" || r.Audits[0].Audit != "M" || r.Audits[0].Sampled.Order != 2 {
			t.Errorf("the grown case: %s %+v", got, r.Audits[0])
		}

		// Typed loosely: spaces and letter case.
		r = look("  "+strings.ToLower(c1.ID)+" ", qa, false)
		if r.Case != c1.ID || r.Asked != strings.ToLower(c1.ID) {
			t.Errorf("loose ID: case %q asked %q", r.Case, r.Asked)
		}
		// A case no audit sampled.
		_, err = s.LookUp(ctx, LookUpRequest{Case: "CR-9999999", Person: qa})
		if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `no entry in this store (`+s.Path()+`) for case "CR-9999999"`) {
			t.Errorf("unknown case: %v", err)
		}

		// An auditor sees the audits where the case is hers, and is told
		// how many others hold it.
		mine := look(c1.ID, Person{Login: "x", Name: by1, Roles: []Role{Auditor}}, false)
		if len(mine.Audits) != 1 || mine.Audits[0].Audit != "L" || mine.Withheld != 1 {
			t.Errorf("%s looked up by %s: %d audits, %d withheld", c1.ID, by1, len(mine.Audits), mine.Withheld)
		}
		if _, err := s.LookUp(ctx, LookUpRequest{Case: c2.ID, Person: Person{Name: other + " X", Roles: []Role{Auditor}}}); !errors.Is(err, ErrDuty) {
			t.Errorf("another auditor's case: %v", err)
		}
		if _, err := s.LookUp(ctx, LookUpRequest{Case: "CR-9999999", Person: Person{Name: "T. Manager", Roles: []Role{Manager}}}); !errors.Is(err, ErrDuty) {
			t.Errorf("a manager's look-up: %v, want a refusal before anything is said of the case", err)
		}
	})
}

// With a people list the login's own roles decide, whatever is declared.
func TestLookUpPeopleListDecides(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 3)
	if _, err := s.AddPerson(ctx, Person{Login: "QA Officer", Name: "Q. Lead", Roles: []Role{QA}}); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AddPerson(ctx, Person{Login: "other", Name: "O. Ther", Roles: []Role{Manager}}); err != nil {
		t.Fatal(err)
	}
	r, err := s.LookUp(ctx, LookUpRequest{Case: "CR-0000002", Person: Person{Name: "anyone"}})
	if err != nil || len(r.Audits) != 1 {
		t.Fatalf("QA by the list: %v %v", r, err)
	}
	// The list's name for a login is what its initials come from.
	if by := r.Audits[0].Entries[0].EnteredBy; by != "Q.L." {
		t.Errorf("entered by %q, want the list's name's initials Q.L.", by)
	}
}

// Two IDs that differ only in letter case are two cases: a look-up typed
// in the other case answers for neither.
func TestLookUpLetterCase(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	cs := testCases(2)
	cs[0].ID, cs[1].ID = "cr-0000001", "CR-0000001"
	if _, err := s.CreateAudit(ctx, testAudit("a"), cs); err != nil {
		t.Fatal(err)
	}
	qa := Person{Name: "Q", Roles: []Role{QA}}
	r, err := s.LookUp(ctx, LookUpRequest{Case: "CR-0000001", Person: qa})
	if err != nil || r.Case != "CR-0000001" || r.Asked != "" || r.Audits[0].Sampled.Order != 2 {
		t.Fatalf("exact ID: %+v %v", r, err)
	}
	_, err = s.LookUp(ctx, LookUpRequest{Case: "Cr-0000001", Person: qa})
	want := `case "Cr-0000001" matches 2 cases that differ only in letter case ("CR-0000001", "cr-0000001"); give the ID exactly as sampled`
	if err == nil || err.Error() != want {
		t.Errorf("got %v\nwant %s", err, want)
	}
	if _, err := s.LookUp(ctx, LookUpRequest{Case: "  ", Person: qa}); err == nil {
		t.Error("an empty case ID was looked up")
	}
}

// On PostgreSQL each login looks up with its own grants and its own roles
// in the store's people list: QA sees every audit, an auditor's login her
// own cases, whatever role each declares.
func TestPostgresLookUpByLogin(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "Q. Lead")
	b, _ := openAt(t, bURL, "B. Evans")
	for _, p := range []Person{
		{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}},
	} {
		if _, err := qa.AddPerson(ctx, p); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4)); err != nil {
		t.Fatal(err)
	}
	al, err := qa.Allocate(ctx, "a", []string{"A. Khan", "B. Evans"}, AllocationRules{})
	if err != nil {
		t.Fatal(err)
	}
	mine, theirs := "", ""
	for _, x := range al.Assigned {
		if x.Auditor == "B. Evans" {
			mine = x.Case
		} else {
			theirs = x.Case
		}
	}
	mustRecord(t, b, "a", Finding{Case: mine, Auditor: "B. Evans", Grade: Good, Date: "2026-07-01", Note: "seen at school"})
	claimsQA := Person{Name: "B. Evans", Roles: []Role{QA}}
	r, err := b.LookUp(ctx, LookUpRequest{Case: mine, Person: claimsQA})
	if err != nil || kindsOf(r.Audits[0]) != "sample allocation finding" || r.Audits[0].Entries[2].Note != "seen at school" {
		t.Fatalf("the auditor's own case: %+v %v", r, err)
	}
	if r.Audits[0].Entries[2].EnteredBy != "B.E." {
		t.Errorf("entered by %q: the login's name on the list gives the initials", r.Audits[0].Entries[2].EnteredBy)
	}
	if _, err := b.LookUp(ctx, LookUpRequest{Case: theirs, Person: claimsQA}); !errors.Is(err, ErrDuty) {
		t.Errorf("an auditor's login declaring QA looked up another's case: %v", err)
	}
	if r, err := qa.LookUp(ctx, LookUpRequest{Case: theirs, Person: Person{Name: "Q. Lead"}}); err != nil || len(r.Audits) != 1 {
		t.Errorf("QA by the list: %+v %v", r, err)
	}
}

// An action's owner is a member of staff when the audit names team
// managers (initials without names), a team otherwise (shown as it is, and
// said to be a team with no manager, not taken for a person).
func TestLookUpActionOwner(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	a := testAudit("a")
	a.FollowUp = OwnerRule{Column: "Team", TeamManagers: map[string]string{"North": "M. Manager"}}
	if _, err := s.CreateAudit(ctx, a, testCases(2)); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true})
	mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true})
	qa := Person{Name: "Q", Roles: []Role{QA}}
	for _, c := range []struct {
		id     string
		names  bool
		owner  string
		team   bool
		phrase string
	}{{"CR-0000001", false, "M.M.", false, "owned by M.M.,"}, {"CR-0000001", true, "M. Manager", false, "owned by M. Manager,"},
		{"CR-0000002", false, "South", true, "owned by the team South (no manager set),"}} {
		r, err := s.LookUp(ctx, LookUpRequest{Case: c.id, Person: qa, Names: c.names})
		if err != nil {
			t.Fatal(err)
		}
		open := r.Audits[0].Entries[2]
		if open.Kind != KindActionOpen || open.Owner != c.owner || open.OwnerIsTeam != c.team || !strings.Contains(open.Summary, c.phrase) {
			t.Errorf("%s (names %v): %+v, want owner %s", c.id, c.names, open, c.owner)
		}
	}
}
