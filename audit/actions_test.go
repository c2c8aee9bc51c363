package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"
)

func TestAddWorkingDays(t *testing.T) {
	// Worked by hand on a July 2026 calendar: the 3rd is a Friday.
	for _, tc := range []struct {
		from string
		n    int
		want string
	}{
		{"2026-07-03", 5, "2026-07-10"}, // Fri → Mon 6 … Fri 10
		{"2026-07-06", 5, "2026-07-13"}, // Mon → Tue 7 … Mon 13
		{"2026-07-04", 5, "2026-07-10"}, // Sat → Mon 6 … Fri 10
		{"2026-07-05", 1, "2026-07-06"}, // Sun → Mon
		{"2026-07-09", 2, "2026-07-13"}, // Thu → Fri 10, Mon 13
		{"2026-07-09", 0, "2026-07-09"},
		{"2026-12-28", 5, "2027-01-04"}, // across the year (no bank holidays)
	} {
		d, _ := time.Parse(time.DateOnly, tc.from)
		if got := AddWorkingDays(d, tc.n).Format(time.DateOnly); got != tc.want {
			t.Errorf("%s + %d working days = %s; want %s", tc.from, tc.n, got, tc.want)
		}
	}
}

// actionAudit is an audit whose actions belong to the team's manager.
func actionAudit(t *testing.T, params string) (*Store, *testClock) {
	t.Helper()
	s, clock := openTest(t)
	a := testAudit("a")
	if err := json.Unmarshal([]byte(params), &a.FollowUp); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAudit(context.Background(), a, testCases(8)); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func TestActionOpensOnFlaggedFinding(t *testing.T) {
	ctx := context.Background()
	s, clock := actionAudit(t, `{"owner_column":"Team","team_managers":{"north":"J. Smith"}}`)
	clock.on("2026-07-09") // the day of the last finding's reading
	// Not flagged: no action.
	r := mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03"})
	if r.Action != nil {
		t.Fatalf("an unflagged finding opened %+v", r.Action)
	}
	// Flagged: case 1 is in team North, managed by J. Smith (team matched ignoring case).
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true,
		Note: "No visit for 9 weeks", Date: "2026-07-03"})
	if r.Action == nil || r.Action.Owner != "J. Smith" || r.Action.Due != "2026-07-10" || r.Action.Status != ActionOpen ||
		r.Action.Seq != r.Entry.Seq+1 {
		t.Fatalf("action %+v (finding entry %d)", r.Action, r.Entry.Seq)
	}
	// Case 3 is in team East: no manager listed, so the team owns it;
	// --due 2 working days from Thursday 9 July is Monday 13 July.
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "B. Lee", Grade: RequiresImprovement, Immediate: true,
		Date: "2026-07-09", Due: 2})
	if r.Action == nil || r.Action.Owner != "East" || r.Action.Due != "2026-07-13" {
		t.Fatalf("action %+v", r.Action)
	}
	// A correction that keeps the flag opens nothing more.
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: RequiresImprovement, Immediate: true,
		Note: "No visit for 9 weeks", Date: "2026-07-03", Reason: "regraded"})
	if r.Action != nil {
		t.Fatalf("a correction keeping the flag opened %+v", r.Action)
	}
	acts, err := s.Actions(ctx, "a")
	if err != nil || len(acts) != 2 {
		t.Fatalf("%v %v", acts, err)
	}
	if a := acts[0]; a.Case != "CR-0000001" || a.Auditor != "A. Khan" || a.Note != "No visit for 9 weeks" || a.Grade != Inadequate || a.Opened != "2026-07-03" {
		t.Errorf("first action %+v", a)
	}
	mustVerify(t, s, "a")
}

func TestActionDefaults(t *testing.T) {
	// The audit's own default due days, and no owner rule: unassigned.
	s, _ := actionAudit(t, `{"due_days": 10}`)
	r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-03"})
	if r.Action.Owner != Unassigned || r.Action.Due != "2026-07-17" {
		t.Errorf("action %+v", r.Action)
	}
	// No date audited: opened on the store's day (the test clock: 3 July 2026).
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true})
	if r.Action.Opened != "2026-07-03" {
		t.Errorf("opened %q", r.Action.Opened)
	}
}

func TestActionOverdueRespondClose(t *testing.T) {
	ctx := context.Background()
	s, clock := actionAudit(t, `{}`)
	clock.on("2026-07-06")
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-03"})
	mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-06"})
	acts, _ := s.Actions(ctx, "a")
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t.Add(15 * time.Hour) }
	// Due 10 and 13 July: overdue from the day after.
	for _, tc := range []struct {
		on   string
		want string
	}{{"2026-07-10", "false false"}, {"2026-07-11", "true false"}, {"2026-07-14", "true true"}} {
		if got := fmt.Sprint(acts[0].Overdue(day(tc.on)), acts[1].Overdue(day(tc.on))); got != tc.want {
			t.Errorf("on %s overdue %s; want %s", tc.on, got, tc.want)
		}
	}
	// The manager responds on 8 July (the injected clock): no longer overdue.
	clock.t = time.Date(2026, 7, 8, 11, 0, 0, 0, time.UTC)
	if _, err := s.RespondAction(ctx, "a", "CR-0000001", "J. Smith", "  "); err == nil {
		t.Error("a response without a note was accepted")
	}
	a, err := s.RespondAction(ctx, "a", "CR-0000001", "J. Smith", "Visited the child on 7 July; plan reviewed")
	if err != nil || a.Status != ActionResponded || a.Overdue(day("2026-07-20")) {
		t.Fatalf("respond: %+v %v", a, err)
	}
	if d, ok := a.DaysToResponse(); !ok || d != 5 { // 3 July → 8 July
		t.Errorf("days to response %d %v", d, ok)
	}
	// Nothing to respond to on an unflagged case; an unknown case suggests.
	if _, err := s.RespondAction(ctx, "a", "CR-0000005", "J. Smith", "x"); !errors.Is(err, ErrNoAction) {
		t.Errorf("no action: %v", err)
	}
	if _, err := s.RespondAction(ctx, "a", "CR-000001", "J. Smith", "x"); !errors.Is(err, ErrNotInSample) {
		t.Errorf("not in sample: %v", err)
	}
	clock.t = time.Date(2026, 7, 10, 11, 0, 0, 0, time.UTC)
	a, err = s.CloseAction(ctx, "a", "CR-0000001", "QA Officer", "Response checked")
	if err != nil || a.Status != ActionClosed || a.Closure.By != "QA Officer" {
		t.Fatalf("close: %+v %v", a, err)
	}
	if _, err := s.CloseAction(ctx, "a", "CR-0000001", "QA Officer", "again"); !errors.Is(err, ErrNoAction) {
		t.Errorf("closing twice: %v", err)
	}
	if _, err := s.RespondAction(ctx, "a", "CR-0000001", "J. Smith", "late"); !errors.Is(err, ErrNoAction) {
		t.Errorf("responding to a closed action: %v", err)
	}
	// Case 2: responded on 16 July (10 days after 6 July) → median of 5 and 10 = 7.5.
	clock.t = time.Date(2026, 7, 16, 8, 0, 0, 0, time.UTC)
	if _, err := s.RespondAction(ctx, "a", "CR-0000002", "K. Ward", "Strategy meeting held"); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-01"})
	sum, err := s.ActionSummary(ctx, "a") // the clock is past 16 July: case 3 (due 8 July) is overdue
	if err != nil {
		t.Fatal(err)
	}
	want := ActionSummary{Opened: 3, Open: 1, Responded: 2, RespondedNotClosed: 1, Closed: 1, Overdue: 1, MedianDaysToResponse: 7.5, ResponseTimes: 2}
	if sum != want {
		t.Errorf("summary %+v; want %+v", sum, want)
	}
	// Every change is in the trail, by whom, and the chain verifies.
	tr, _ := s.Trail(ctx, "a")
	var kinds []string
	for _, e := range tr {
		if strings.HasPrefix(e.Kind, "action-") {
			kinds = append(kinds, e.Kind+":"+e.Actor)
		}
	}
	if got := strings.Join(kinds, " "); got != "action-open:A. Khan action-open:A. Khan action-respond:J. Smith action-close:QA Officer action-respond:K. Ward action-open:A. Khan" {
		t.Errorf("trail %s", got)
	}
	mustVerify(t, s, "a")
	// Without a name, the response is recorded under the person acting:
	// the store's actor, as no people list names the login.
	a, err = s.RespondAction(ctx, "a", "CR-0000003", "", "Called the team")
	if err != nil || a.Responses[len(a.Responses)-1].By != "QA Officer" {
		t.Errorf("a response without a name: %+v %v; want it by QA Officer", a, err)
	}
}

func TestCorrectionClosesAction(t *testing.T) {
	ctx := context.Background()
	s, clock := actionAudit(t, `{}`)
	clock.on("2026-07-06")
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-03"})
	r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03", Reason: "wrong file"})
	if r.Action == nil || r.Action.Status != ActionClosed || !r.Action.Closure.Auto ||
		!strings.Contains(r.Action.Closure.Note, fmt.Sprintf("trail entry %d", r.Entry.Seq)) || !strings.Contains(r.Action.Closure.Note, "wrong file") {
		t.Fatalf("auto close %+v", r.Action)
	}
	// Flagged again: a new action, the closed one stays.
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-06", Reason: "second look"})
	if r.Action == nil || r.Action.Status != ActionOpen || r.Action.Due != "2026-07-13" {
		t.Fatalf("reopened %+v", r.Action)
	}
	acts, _ := s.Actions(ctx, "a")
	if len(acts) != 2 || acts[0].Status != ActionClosed || acts[1].Status != ActionOpen {
		t.Errorf("actions %+v", acts)
	}
	// Moderation findings never open actions.
	if _, err := s.DrawModeration(ctx, "a", 1, "m"); err != nil {
		t.Fatal(err)
	}
	m, _ := s.Moderation(ctx, "a")
	r = mustRecord(t, s, "a", Finding{Case: m.Cases[0], Auditor: "M. Patel", Grade: Inadequate, Immediate: true, Moderation: true})
	if r.Action != nil {
		t.Errorf("a moderation finding opened %+v", r.Action)
	}
	mustVerify(t, s, "a")
}

func TestImportOpensActions(t *testing.T) {
	ctx := context.Background()
	s, _ := actionAudit(t, `{"owner_column":"Team","team_managers":{"South":"K. Ward"}}`)
	p := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,2026-07-03\n"+
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,Inadequate,Yes,Not seen,2026-07-03\n")
	res, err := Import(ctx, s, "a", p, ImportOptions{Due: 3})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Actions) != 1 || res.Actions[0].Owner != "K. Ward" || res.Actions[0].Due != "2026-07-08" || res.Actions[0].Note != "Not seen" {
		t.Fatalf("actions %+v", res.Actions)
	}
	// Importing again opens nothing more.
	res, _ = Import(ctx, s, "a", p, ImportOptions{})
	if len(res.Actions) != 0 {
		t.Errorf("second import %+v", res.Actions)
	}
	acts, _ := s.Actions(ctx, "")
	if len(acts) != 1 {
		t.Errorf("all audits: %+v", acts)
	}
}

// Verify covers action entries: editing one (e.g. moving a due date) or
// deleting one breaks the chain.
func TestVerifyCoversActions(t *testing.T) {
	for _, tc := range []struct {
		name, sql, want string
	}{
		{"edited due date", `UPDATE trail SET payload = replace(payload, '"due":"2026-07-10"', '"due":"2026-07-31"') WHERE kind = 'action-open'`, "(action-open CR-0000001 by A. Khan"},
		{"deleted response", `DELETE FROM trail WHERE kind = 'action-respond'`, "is missing (deleted)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx := context.Background()
			s, _ := actionAudit(t, `{}`)
			mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2026-07-03"})
			if _, err := s.RespondAction(ctx, "a", "CR-0000001", "J. Smith", "Visited"); err != nil {
				t.Fatal(err)
			}
			mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03"})
			mustVerify(t, s, "a")
			for _, q := range []string{"DROP TRIGGER trail_no_update", "DROP TRIGGER trail_no_delete", tc.sql} {
				if _, err := s.st.DB().Exec(q); err != nil {
					t.Fatalf("%s: %v", q, err)
				}
			}
			v, err := s.Verify(ctx, "a")
			if err != nil {
				t.Fatal(err)
			}
			if v.OK || !strings.Contains(strings.Join(v.Problems, "\n"), tc.want) {
				t.Errorf("verify after tampering: %v; want %q", v.Problems, tc.want)
			}
		})
	}
}

// A moderator who finds a case needs immediate attention where the auditor
// did not opens a follow-up action like an auditor's, marked as raised at
// moderation; a moderator's "no" never closes an auditor's action.
func TestActionRaisedAtModeration(t *testing.T) {
	ctx := context.Background()
	s, clock := actionAudit(t, `{"owner_column":"Team"}`)
	clock.on("2026-07-06")
	for _, c := range testCases(8) {
		mustRecord(t, s, "a", Finding{Case: c.ID, Auditor: "A. Khan", Grade: Good, Immediate: c.ID == "CR-0000002", Date: "2026-07-03"})
	}
	m, err := s.DrawModeration(ctx, "a", 8, "m") // every case, so the test knows them
	if err != nil || len(m.Cases) != 8 {
		t.Fatal(m, err)
	}
	// The moderator flags case 1, which the auditor did not.
	r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "M. Patel", Grade: Inadequate, Immediate: true,
		Moderation: true, Date: "2026-07-06"})
	if r.Action == nil || !r.Action.Moderation || r.Action.Owner != "North" || r.Action.Due != "2026-07-13" || r.Action.Auditor != "M. Patel" {
		t.Fatalf("the moderator's flag opened %+v", r.Action)
	}
	// The moderator does not flag case 2, which the auditor did: the
	// auditor's action stays open.
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "M. Patel", Grade: Good, Moderation: true})
	if r.Action != nil {
		t.Fatalf("a moderator's no moved %+v", r.Action)
	}
	// A moderation correction back to no closes the action the moderator's
	// flag opened, with a note.
	r = mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "M. Patel", Grade: RequiresImprovement, Moderation: true,
		Reason: "misread the record"})
	if r.Action == nil || r.Action.Status != ActionClosed || !r.Action.Closure.Auto {
		t.Fatalf("the moderation correction left %+v", r.Action)
	}
	acts, err := s.Actions(ctx, "a")
	if err != nil || len(acts) != 2 {
		t.Fatalf("%+v %v", acts, err)
	}
	byCase := map[string]Action{}
	for _, a := range acts {
		byCase[a.Case] = a
	}
	if a := byCase["CR-0000002"]; a.Status != ActionOpen || a.Moderation {
		t.Errorf("the auditor's action: %+v", a)
	}
	if a := byCase["CR-0000001"]; a.Status != ActionClosed || !a.Moderation {
		t.Errorf("the moderator's action: %+v", a)
	}
	mustVerify(t, s, "a")
}
