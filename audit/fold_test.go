package audit

// More of what the trail adds up to, from hand-written entries (see
// projection_test.go): team managers and owners, sign-off and amendment,
// withdrawals, factor values of later cases, the action summary and the
// moderation order. No store, no database.

import (
	"encoding/json"
	"fmt"
	"reflect"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/sample"
)

func TestFoldTeamManagers(t *testing.T) {
	es := []Entry{
		entry(1, KindTeamManager, "", "QA", `{"team":"North  CIN","manager":"K. Ward"}`),
		entry(2, KindTeamManager, "", "QA", `{"team":"South","manager":"L. Osei"}`),
		entry(3, KindTeamManager, "", "Lead", `{"team":"north cin","manager":"P. Hale"}`), // same team, other spelling: replaces
		entry(4, KindTeamManager, "", "QA", `{"team":"SOUTH","manager":""}`),              // cleared
	}
	m, err := foldTeamManagers(es)
	if err != nil {
		t.Fatal(err)
	}
	if len(m) != 1 {
		t.Fatalf("team managers %+v; want North CIN only", m)
	}
	tm := m["north cin"]
	if tm.Team != "north cin" || tm.Manager != "P. Hale" || tm.By != "Lead" || !tm.At.Equal(time.Date(2026, 7, 3, 9, 0, 3, 0, time.UTC)) {
		t.Errorf("North CIN: %+v", tm)
	}
	if _, err := foldTeamManagers([]Entry{entry(1, KindTeamManager, "", "QA", `{"team":`)}); err == nil {
		t.Error("a damaged team-manager entry went unnoticed")
	}

	// Who owns a flagged case's action when it opens: the store's team
	// manager for the case's team, unless the audit's rule names each
	// case's owner in a column of its own.
	c := SampledCase{ID: "CR-1", Columns: []string{"Team", "Manager"}, Fields: []string{" North   CIN ", "J. Doe"}}
	byTeam := &Audit{Columns: c.Columns, FollowUp: OwnerRule{Column: "Team"}}
	byManager := &Audit{Columns: c.Columns, FollowUp: OwnerRule{Column: "Manager"}}
	noRule := &Audit{Columns: c.Columns}
	for _, tc := range []struct {
		name string
		a    *Audit
		want string
	}{
		{"rule by team", byTeam, "P. Hale"},
		{"rule by manager column", byManager, "J. Doe"},
		{"no rule, a Team column", noRule, "P. Hale"},
	} {
		if got := ownerAtOpening(tc.a, c, m); got != tc.want {
			t.Errorf("%s: owner %q; want %q", tc.name, got, tc.want)
		}
	}
	if got := ownerAtOpening(byTeam, c, nil); got != "North CIN" {
		t.Errorf("no team managers: owner %q; want the team itself", got)
	}

	// An action opened before the manager was named moves to the manager;
	// one already owned by someone other than the team stays.
	if got, moved := ownerByTeam(Unassigned, "North CIN", m); got != "P. Hale" || !moved {
		t.Errorf("unassigned: %q %v", got, moved)
	}
	if got, moved := ownerByTeam("north  cin", "North CIN", m); got != "P. Hale" || !moved {
		t.Errorf("owned by the team's name: %q %v", got, moved)
	}
	if got, moved := ownerByTeam("J. Doe", "North CIN", m); got != "J. Doe" || moved {
		t.Errorf("owned by a person: %q %v", got, moved)
	}

	// The audit's own team managers win over the store's.
	r := withStoreTeamManagers(OwnerRule{Column: "Team", TeamManagers: map[string]string{"NORTH CIN": "A. Own"}}, m, "Team")
	if !reflect.DeepEqual(r.TeamManagers, map[string]string{"NORTH CIN": "A. Own"}) {
		t.Errorf("rule %+v", r)
	}
	r = withStoreTeamManagers(OwnerRule{}, m, "Team")
	if r.Column != "Team" || !reflect.DeepEqual(r.TeamManagers, map[string]string{"north cin": "P. Hale"}) {
		t.Errorf("rule without a column: %+v", r)
	}
	if r := withStoreTeamManagers(OwnerRule{Column: "Manager"}, m, "Team"); r.TeamManagers != nil {
		t.Errorf("a rule by owner column took team managers: %+v", r)
	}
}

func TestOwnerRuleOwner(t *testing.T) {
	c := SampledCase{ID: "x", Columns: []string{"Team", "Manager"}, Fields: []string{" Salisbury  CIN ", ""}}
	for _, tc := range []struct {
		rule OwnerRule
		want string
	}{
		{OwnerRule{}, Unassigned},
		{OwnerRule{Column: "Manager"}, Unassigned}, // empty cell
		{OwnerRule{Column: "team"}, "Salisbury CIN"},
		{OwnerRule{Column: "Team", TeamManagers: map[string]string{"Salisbury CIN": "K. Ward"}}, "K. Ward"},
		{OwnerRule{Column: "Team", TeamManagers: map[string]string{"Devizes": "K. Ward"}}, "Salisbury CIN"},
	} {
		if got := tc.rule.Owner(c); got != tc.want {
			t.Errorf("%+v: owner %q; want %q", tc.rule, got, tc.want)
		}
	}
}

func TestFoldSignOff(t *testing.T) {
	signed := Figures{Flagged: 2, Size: 90, Population: 400, Lower: 0.0027, Upper: 0.078, Confidence: 0.95, Method: "exact",
		Teams: []TeamFigures{{"North", 1, 45}, {"South", 1, 45}}}
	raw, err := json.Marshal(signOffPayload{Figures: signed})
	if err != nil {
		t.Fatal(err)
	}
	at := func(seq int) time.Time { return time.Date(2026, 7, 3, 9, 0, seq, 0, time.UTC) }

	st, err := signOffOf(projectionTrail)
	if err != nil || st.SignOff != nil || st.Amendment(signed) != nil {
		t.Fatalf("no sign-off yet: %+v %v", st, err)
	}

	es := append(append([]Entry(nil), projectionTrail[:4]...), entry(11, KindSignOff, "", "QA", string(raw)))
	st, err = signOffOf(es)
	if err != nil || st.SignOff == nil || st.SignOff.Seq != 11 || st.SignOff.By != "QA" || !st.SignOff.At.Equal(at(11)) ||
		!reflect.DeepEqual(st.SignOff.Figures, signed) || st.SignOff.Incomplete != nil || !st.ChangedAt.IsZero() {
		t.Fatalf("signed off: %+v %v", st, err)
	}
	// Same headline (flagged, size, teams) with other bounds: no amendment.
	same := signed
	same.Lower, same.Upper = 0.01, 0.2
	if a := st.Amendment(same); a != nil {
		t.Errorf("an unchanged headline was amended: %+v", a)
	}
	// A correction afterwards changes a team's count: amended, dated by
	// the first entry after the sign-off.
	es = append(es, entry(12, KindCorrection, "CR-1", "A. Khan", `{"grade":"Inadequate","immediate":true,"reason":"missed"}`),
		entry(13, KindFinding, "CR-3", "A. Khan", `{"grade":"Good"}`))
	st, err = signOffOf(es)
	if err != nil {
		t.Fatal(err)
	}
	now := signed
	now.Flagged = 3
	now.Teams = []TeamFigures{{"North", 2, 45}, {"South", 1, 45}}
	a := st.Amendment(now)
	if a == nil || !a.At.Equal(at(12)) || a.SignOff.Seq != 11 || a.Now.Flagged != 3 {
		t.Fatalf("amendment %+v", a)
	}

	// Signed off anyway while incomplete: the payload says what was missing.
	raw, _ = json.Marshal(signOffPayload{Figures: signed, Incomplete: &Incomplete{Unrecorded: 3}})
	st, err = signOffOf([]Entry{entry(1, KindSignOff, "", "QA", string(raw))})
	if err != nil || st.SignOff.Incomplete == nil || st.SignOff.Incomplete.Unrecorded != 3 || st.SignOff.Incomplete.Phrase() == "" {
		t.Errorf("incomplete sign-off: %+v %v", st, err)
	}
	if _, err := signOffOf([]Entry{entry(1, KindSignOff, "", "QA", `{"flagged":"two"}`)}); err == nil {
		t.Error("a damaged sign-off went unnoticed")
	}

	for _, tc := range []struct {
		st   Status
		want *Incomplete
	}{
		{Status{AuditSummary: AuditSummary{Size: 90, Recorded: 90, ModerationSize: 9, Moderated: 9}}, nil},
		{Status{AuditSummary: AuditSummary{Size: 90, Recorded: 87, ModerationSize: 9, Moderated: 9}}, &Incomplete{Unrecorded: 3}},
		{Status{AuditSummary: AuditSummary{Size: 90, Recorded: 90, ModerationSize: 9, Moderated: 7}}, &Incomplete{ModerationOutstanding: 2}},
	} {
		if got := incompleteOf(&tc.st); !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%+v: incomplete %+v; want %+v", tc.st.AuditSummary, got, tc.want)
		}
	}
}

func TestFoldWithdrawalsAndActiveCases(t *testing.T) {
	ws, err := withdrawalsOf(append(append([]Entry(nil), projectionTrail...),
		entry(11, KindWithdrawal, "CR-3", "QA", `{"reason":"closed before the audit","stratum":"North","cases":[]}`)))
	if err != nil || len(ws) != 2 {
		t.Fatalf("withdrawals %+v %v", ws, err)
	}
	if ws[1].Case != "CR-3" || ws[1].Replacement != "" || ws[1].Stratum != "North" || replacements(ws) != 1 {
		t.Errorf("a withdrawal without a replacement: %+v, %d replacements", ws[1], replacements(ws))
	}
	var cases []SampledCase
	for i, id := range []string{"CR-1", "CR-2", "CR-3", "CR-4", "CR-5"} {
		cases = append(cases, SampledCase{Order: i + 1, ID: id})
	}
	var ids []string
	for _, c := range activeCases(cases, ws) {
		ids = append(ids, c.ID)
	}
	if got := strings.Join(ids, " "); got != "CR-1 CR-2 CR-5" {
		t.Errorf("active cases %s; want CR-1 CR-2 CR-5", got)
	}
	if got := activeCases(cases, nil); len(got) != 5 {
		t.Errorf("no withdrawal: %d active cases", len(got))
	}
}

func TestFoldCaseFactors(t *testing.T) {
	one, four := 1, 4
	a := &Audit{Name: "a", Provenance: sample.Provenance{Factors: &sample.Factors{
		Cases: map[string]sample.CaseFactors{"CR-1": {Caseload: &four, Timeliness: []string{}}},
	}}}
	es := []Entry{
		entry(1, KindSample, "", "QA", `{}`),
		entry(2, KindGrow, "", "QA", `{"cases":[],"factors":{"CR-6":{"caseload":null,"changes":1}}}`),
		entry(3, KindWithdrawal, "CR-1", "QA", `{"reason":"x","cases":[],"factors":{"CR-7":{"caseload":4,"changes":null,"timeliness":["late"]}}}`),
		entry(4, KindFinding, "CR-6", "A", `{"grade":"Good","factors":{"CR-8":{}}}`), // not a kind that adds cases
	}
	got, err := caseFactors(a, es)
	if err != nil {
		t.Fatal(err)
	}
	want := map[string]sample.CaseFactors{
		"CR-1": {Caseload: &four, Timeliness: []string{}},
		"CR-6": {Changes: &one, Timeliness: []string{}},
		"CR-7": {Caseload: &four, Timeliness: []string{"late"}},
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("factors %s; want %s", show(got), show(want))
	}
	if got, err := caseFactors(&Audit{}, es); got != nil || err != nil {
		t.Errorf("an audit without factors: %v %v", got, err)
	}
	if _, err := caseFactors(a, []Entry{entry(2, KindGrow, "", "QA", `{"factors":[]}`)}); err == nil {
		t.Error("a damaged grow entry went unnoticed")
	}
}

func show(m map[string]sample.CaseFactors) string {
	b, _ := json.Marshal(m)
	return string(b)
}

func TestSummariseActions(t *testing.T) {
	day := func(d string) time.Time { t, _ := time.Parse(time.DateOnly, d); return t }
	responded := func(opened, on string) Action {
		return Action{Opened: opened, Due: "2026-07-10", Status: ActionResponded,
			Responses: []ActionNote{{At: day(on).Add(9 * time.Hour), By: "K. Ward", Note: "done"}}}
	}
	acts := []Action{
		{Opened: "2026-07-01", Due: "2026-07-08", Status: ActionOpen},   // overdue on 20 July
		{Opened: "2026-07-15", Due: "2026-07-22", Status: ActionOpen},   // not yet due
		responded("2026-07-03", "2026-07-08"),                           // 5 days
		responded("2026-07-06", "2026-07-16"),                           // 10 days
		responded("2026-07-06", "2026-07-07"),                           // 1 day
		{Opened: "2026-07-02", Due: "2026-07-09", Status: ActionClosed}, // closed without a response
	}
	acts[3].Status = ActionClosed
	got := SummariseActions(acts, day("2026-07-20"))
	// Open, RespondedNotClosed and Closed are the parts of Opened: 2 + 2 + 2.
	want := ActionSummary{Opened: 6, Open: 2, Responded: 3, RespondedNotClosed: 2, Closed: 2, Overdue: 1, MedianDaysToResponse: 5, ResponseTimes: 3}
	if got != want {
		t.Errorf("summary %+v; want %+v", got, want)
	}
	got = SummariseActions(acts[2:4], day("2026-07-20"))
	if got.MedianDaysToResponse != 7.5 || got.ResponseTimes != 2 {
		t.Errorf("median of 5 and 10 days: %+v", got)
	}
	if got := SummariseActions(nil, day("2026-07-20")); got != (ActionSummary{}) {
		t.Errorf("no actions: %+v", got)
	}
}

// TestModerationTicketOrder checks the moderation subsample's order against
// the public test vector of the ticket draw: seed 314159 over A-1 … B-3.
func TestModerationTicketOrder(t *testing.T) {
	got := ticketOrder("314159", []string{"A-1", "A-2", "A-3", "B-1", "B-2", "B-3"})
	if s := strings.Join(got, " "); s != "B-2 B-3 A-3 A-2 B-1 A-1" {
		t.Errorf("order %s; want B-2 B-3 A-3 A-2 B-1 A-1", s)
	}
	// The order does not depend on the order the cases are given in.
	again := ticketOrder("314159", []string{"B-3", "A-1", "B-1", "A-3", "B-2", "A-2"})
	if fmt.Sprint(again) != fmt.Sprint(got) {
		t.Errorf("shuffled input: %v", again)
	}
}

func TestLookUpFacts(t *testing.T) {
	a := &Audit{Name: "a"}
	for _, tc := range []struct {
		id                 string
		allocated, auditor string
	}{
		{"CR-1", "A. Khan", "a. khan"}, // the correction's spelling: the latest finding's auditor
		{"CR-2", "B. Lee", "B. Lee"},
		{"CR-3", "A. Khan", ""},
		{"CR-5", "", ""}, // the replacement, never allocated
	} {
		c, err := lookUpFacts(a, projectionTrail, tc.id)
		if err != nil || c.AllocatedTo != tc.allocated || c.Auditor != tc.auditor {
			t.Errorf("%s: %+v %v; want allocated to %q, auditor %q", tc.id, c, err, tc.allocated, tc.auditor)
		}
	}
}

// TestCheckSample compares an audit and its sampled cases with what its
// trail's sample, grow and withdrawal entries recorded.
func TestCheckSample(t *testing.T) {
	a := &Audit{Name: "a", Created: time.Date(2026, 7, 1, 8, 30, 0, 0, time.UTC), Period: "2026-07", InitialSize: 2,
		provJSON: json.RawMessage(`{"seed":"7"}`), followJSON: json.RawMessage(`{"column":"Team"}`)}
	es := []Entry{
		entry(1, KindSample, "", "QA", `{"audit":{"name":"a","created":"2026-07-01T08:30:00.000000000Z","period":"2026-07","initial_size":2,`+
			`"provenance":{"seed":"7"},"follow_up":{"column":"Team"},"form":null},`+
			`"cases":[{"order":1,"id":"CR-1","ticket":"0.1","stratum":"","row":2,"fields":["North"]},`+
			`{"order":2,"id":"CR-2","ticket":"0.2","stratum":"","row":3,"fields":["South"]}]}`),
		entry(2, KindFinding, "CR-1", "A", `{"grade":"Good"}`),
		entry(3, KindGrow, "", "QA", `{"cases":[{"order":3,"id":"CR-3","ticket":"0.3","stratum":"","row":4,"fields":["North"]}]}`),
	}
	cases := []SampledCase{
		{Order: 1, ID: "CR-1", Ticket: "0.1", Row: 2, Fields: []string{"North"}},
		{Order: 2, ID: "CR-2", Ticket: "0.2", Row: 3, Fields: []string{"South"}},
		{Order: 3, ID: "CR-3", Ticket: "0.3", Row: 4, Fields: []string{"North"}},
	}
	check := func(a *Audit, cases []SampledCase) []string {
		var problems []string
		checkSample(a, es, cases, func(f string, args ...any) { problems = append(problems, fmt.Sprintf(f, args...)) })
		return problems
	}
	if p := check(a, cases); len(p) != 0 {
		t.Fatalf("an intact audit: %q", p)
	}
	edited := slices.Clone(cases)
	edited[1].Fields = []string{"North"}
	if p := check(a, edited); len(p) != 1 || p[0] != "sampled case 2 (CR-2) differs from the trail (CR-2): it was edited" {
		t.Errorf("an edited case: %q", p)
	}
	if p := check(a, append(slices.Clone(cases), SampledCase{Order: 4, ID: "CR-9"})); len(p) != 1 || p[0] != "sampled case 4 (CR-9) is not in the trail: it was inserted" {
		t.Errorf("an inserted case: %q", p)
	}
	if p := check(a, cases[:2]); len(p) != 1 || p[0] != "sampled case 3 (CR-3) is missing from the sample: it was deleted" {
		t.Errorf("a deleted case: %q", p)
	}
	moved := *a
	moved.Period = "2026-06"
	if p := check(&moved, cases); len(p) != 1 || !strings.HasPrefix(p[0], `the parameters of audit "a" differ from those recorded in`) {
		t.Errorf("an edited period: %q", p)
	}
}
