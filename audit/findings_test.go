package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
)

func TestParseGrade(t *testing.T) {
	for in, want := range map[string]Grade{
		"Outstanding": Outstanding, "o": Outstanding, " O ": Outstanding, "OUTSTANDING": Outstanding,
		"Good": Good, "g": Good, "good": Good,
		"Requires improvement": RequiresImprovement, "requires-improvement": RequiresImprovement,
		"Requires  Improvement": RequiresImprovement, "ri": RequiresImprovement, "RI": RequiresImprovement,
		"Inadequate": Inadequate, "i": Inadequate, "inadequate ": Inadequate,
	} {
		got, err := ParseGrade(in)
		if err != nil || got != want {
			t.Errorf("ParseGrade(%q) = %v, %v; want %v", in, got, err, want)
		}
	}
	for _, in := range []string{"", "Goood", "requires", "excellent", "1", "r i x"} {
		if g, err := ParseGrade(in); err == nil {
			t.Errorf("ParseGrade(%q) = %v; want an error", in, g)
		}
	}
	_, err := ParseGrade("Goood")
	if err == nil || err.Error() != `"Goood" is not a grade; did you mean "Good"? use Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)` {
		t.Errorf("error: %v", err)
	}
	for _, g := range Grades {
		if back, err := ParseGrade(g.String()); err != nil || back != g {
			t.Errorf("round trip of %v: %v %v", g, back, err)
		}
	}
}

func TestParseYesNo(t *testing.T) {
	for in, want := range map[string]bool{"yes": true, "Yes": true, "Y": true, "true": true, "TRUE": true,
		"no": false, "No": false, "n": false, "false": false, " N ": false} {
		got, err := ParseYesNo(in)
		if err != nil || got != want {
			t.Errorf("ParseYesNo(%q) = %v, %v", in, got, err)
		}
	}
	for _, in := range []string{"", "maybe", "1", "0", "yess"} {
		if _, err := ParseYesNo(in); err == nil {
			t.Errorf("ParseYesNo(%q) accepted", in)
		}
	}
}

func TestRecordCorrectAndHistory(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, _ := withAudit(t, name, 20)

	r := mustRecord(t, s, name, Finding{Case: " CR-0000007 ", Auditor: "A.  Khan", Grade: RequiresImprovement, Immediate: true,
		Note: "Plan out of date", Date: "2026-07-03", Answers: map[string]string{"Q1": "Yes"}})
	if !r.Changed || r.Entry.Kind != KindFinding || r.Entry.Case != "CR-0000007" || r.Entry.Actor != "A. Khan" {
		t.Fatalf("first finding: %+v", r)
	}
	// The same finding again: nothing new.
	r2 := mustRecord(t, s, name, Finding{Case: "CR-0000007", Auditor: "A. Khan", Grade: RequiresImprovement, Immediate: true,
		Note: "Plan out of date", Date: "2026-07-03", Answers: map[string]string{"Q1": "Yes"}})
	if r2.Changed {
		t.Error("an identical finding was recorded again")
	}
	// A different one without a reason is refused with the brief's message.
	_, err := s.Record(ctx, name, Finding{Case: "CR-0000007", Auditor: "A. Khan", Grade: Good})
	want := "CR-0000007 already has a finding by A. Khan on 2026-07-03; to correct it give --reason"
	if !errors.Is(err, ErrReasonRequired) || opt.Spell(err, opt.Flags) != want {
		t.Fatalf("correction without reason: %v; want %q", err, want)
	}
	r3 := mustRecord(t, s, name, Finding{Case: "CR-0000007", Auditor: "A. Khan", Grade: Good, Reason: "misread the plan date"})
	if r3.Entry.Kind != KindCorrection {
		t.Errorf("kind %s; want correction", r3.Entry.Kind)
	}
	mustRecord(t, s, name, Finding{Case: "CR-0000002", Auditor: "B. Lee", Grade: Outstanding})

	full, err := s.History(ctx, name, "CR-0000007")
	if err != nil {
		t.Fatal(err)
	}
	// The flagged finding opened an action and the correction to "no" closed it.
	if len(full) != 4 || full[1].Kind != KindActionOpen || full[3].Kind != KindActionClose {
		t.Fatalf("full history: %+v", full)
	}
	h := findingEntries(full)
	if len(h) != 2 || h[0].Kind != KindFinding || h[1].Kind != KindCorrection || full[2].PrevHash != full[1].Hash {
		t.Fatalf("history: %+v", h)
	}
	var p map[string]any
	json.Unmarshal(h[1].Payload, &p)
	if p["reason"] != "misread the plan date" || p["grade"] != "Good" {
		t.Errorf("correction payload: %s", h[1].Payload)
	}
	// Reports use the latest, in sample order.
	fs, err := s.Findings(ctx, name, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != 2 || fs[0].Case != "CR-0000002" || fs[1].Case != "CR-0000007" || fs[1].Grade != Good || fs[1].Immediate {
		t.Fatalf("latest findings: %+v", fs)
	}
	st, err := s.Status(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if st.Size != 20 || st.Recorded != 2 || st.Flagged != 0 || len(st.ToDo) != 18 || st.Entries != 6 { // sample, finding, action-open, correction, action-close, finding
		t.Errorf("status: %+v", st.AuditSummary)
	}
	mustVerify(t, s, name)
}

func TestRecordErrors(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, _ := openTest(t)
	cases := testCases(200)
	if _, err := s.CreateAudit(ctx, testAudit(name), cases); err != nil {
		t.Fatal(err)
	}
	_, err := s.Record(ctx, name, Finding{Case: "CR-000123", Auditor: "A. Khan", Grade: Good})
	want := `case "CR-000123" is not in audit "2026-07 monthly"; did you mean "CR-0000123"?`
	if !errors.Is(err, ErrNotInSample) || err.Error() != want {
		t.Errorf("got %v; want %s", err, want)
	}
	_, err = s.Record(ctx, name, Finding{Case: "ZZ-1", Auditor: "A. Khan", Grade: Good})
	if err == nil || err.Error() != `case "ZZ-1" is not in audit "2026-07 monthly"` {
		t.Errorf("far-off ID: %v", err)
	}
	for _, f := range []Finding{
		{Case: "CR-0000001", Grade: Good},                                       // no auditor
		{Case: "CR-0000001", Auditor: "A. Khan"},                                // no grade
		{Case: "", Auditor: "A. Khan", Grade: Good},                             // no case
		{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "3/7/2026"}, // date not ISO
	} {
		if _, err := s.Record(ctx, name, f); err == nil {
			t.Errorf("%+v accepted", f)
		}
	}
	if _, err := s.Record(ctx, "no such audit", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good}); !errors.Is(err, ErrNotFound) {
		t.Errorf("unknown audit: %v", err)
	}
	// Nothing of the failed attempts reached the trail.
	tr, _ := s.Trail(ctx, name)
	if len(tr) != 1 {
		t.Errorf("trail has %d entries; want only the sample", len(tr))
	}
}

func TestEditDistanceAgainstNaive(t *testing.T) {
	// naive recursive definition, memoised
	var naive func(a, b []rune) int
	naive = func(a, b []rune) int {
		memo := map[[2]int]int{}
		var f func(i, j int) int
		f = func(i, j int) int {
			if i == 0 {
				return j
			}
			if j == 0 {
				return i
			}
			if v, ok := memo[[2]int{i, j}]; ok {
				return v
			}
			c := 1
			if a[i-1] == b[j-1] {
				c = 0
			}
			v := min(f(i-1, j)+1, f(i, j-1)+1, f(i-1, j-1)+c)
			memo[[2]int{i, j}] = v
			return v
		}
		return f(len(a), len(b))
	}
	words := []string{"", "CR-0000123", "CR-000123", "CR-0001230", "cr-0000123", "kitten", "sitting", "Δx-1", "x-1"}
	for _, a := range words {
		for _, b := range words {
			if got, want := textdist.Levenshtein(a, b), naive([]rune(a), []rune(b)); got != want {
				t.Errorf("Levenshtein(%q,%q) = %d; want %d", a, b, got, want)
			}
		}
	}
}

func TestModerationDrawReferenceOrder(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	// The public test vector: seed 314159 over A-1 … B-3 orders B-2, B-3, A-3, A-2, B-1, A-1.
	ids := []string{"A-1", "A-2", "A-3", "B-1", "B-2", "B-3", "C-1"}
	var cases []SampledCase
	for i, id := range ids {
		cases = append(cases, SampledCase{Order: i + 1, ID: id, Ticket: "0.1", Row: i + 2, Fields: []string{"North", "A. Khan", "CIN"}})
	}
	if _, err := s.CreateAudit(ctx, testAudit("m"), cases); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DrawModeration(ctx, "m", 2, "314159"); err == nil {
		t.Error("a draw from no recorded cases was accepted")
	}
	for _, id := range ids[:6] { // C-1 is not recorded: it must never be drawn
		mustRecord(t, s, "m", Finding{Case: id, Auditor: "B. Lee", Grade: Good})
	}
	if _, err := s.Record(ctx, "m", Finding{Case: "B-2", Auditor: "C. Diaz", Grade: Good, Moderation: true}); err == nil {
		t.Error("a moderation finding before any draw was accepted")
	}
	m, err := s.DrawModeration(ctx, "m", 3, "314159")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Cases, " ") != "B-2 B-3 A-3" || m.Recorded != 6 {
		t.Fatalf("moderation sample %v (from %d); want B-2 B-3 A-3 from 6", m.Cases, m.Recorded)
	}
	// Same draw again: nothing new. Another seed: refused. Larger: grows, keeping the first three.
	before, _ := s.Trail(ctx, "m")
	if _, err := s.DrawModeration(ctx, "m", 3, "314159"); err != nil {
		t.Fatal(err)
	}
	if after, _ := s.Trail(ctx, "m"); len(after) != len(before) {
		t.Error("repeating the same draw added an entry")
	}
	if _, err := s.DrawModeration(ctx, "m", 3, "271828"); err == nil || !strings.Contains(err.Error(), `seed "314159"`) {
		t.Errorf("another seed: %v", err)
	}
	m, err = s.DrawModeration(ctx, "m", 5, "314159")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(m.Cases, " ") != "B-2 B-3 A-3 A-2 B-1" {
		t.Errorf("grown moderation sample %v", m.Cases)
	}
	if _, err := s.DrawModeration(ctx, "m", 7, "314159"); err == nil {
		t.Error("a draw larger than the recorded cases was accepted")
	}

	// Moderation findings are kept apart from original findings.
	_, err = s.Record(ctx, "m", Finding{Case: "A-1", Auditor: "C. Diaz", Grade: Good, Moderation: true})
	if err == nil || !strings.Contains(err.Error(), "not in the moderation sample") {
		t.Errorf("moderating an undrawn case: %v", err)
	}
	mustRecord(t, s, "m", Finding{Case: "B-2", Auditor: "C. Diaz", Grade: Inadequate, Immediate: true, Moderation: true})
	mustRecord(t, s, "m", Finding{Case: "A-3", Auditor: "C. Diaz", Grade: Good, Moderation: true})
	_, err = s.Record(ctx, "m", Finding{Case: "A-3", Auditor: "C. Diaz", Grade: Outstanding, Moderation: true})
	if err == nil || !strings.Contains(err.Error(), "already has a moderation finding by C. Diaz") {
		t.Errorf("moderation correction without reason: %v", err)
	}
	r := mustRecord(t, s, "m", Finding{Case: "A-3", Auditor: "C. Diaz", Grade: RequiresImprovement, Moderation: true, Reason: "second look"})
	if r.Entry.Kind != KindModerationCorrection {
		t.Errorf("kind %s", r.Entry.Kind)
	}
	orig, _ := s.Findings(ctx, "m", false)
	if len(orig) != 6 || orig[4].Grade != Good {
		t.Errorf("original findings changed by moderation: %+v", orig)
	}
	pairs, err := s.ModerationPairs(ctx, "m")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(pairs)
	want := fmt.Sprint([]GradePair{
		{Case: "A-3", Original: Good, Moderated: RequiresImprovement},
		{Case: "B-2", Original: Good, Moderated: Inadequate, ModeratedImmediate: true},
	})
	if got != want {
		t.Errorf("pairs %s; want %s", got, want)
	}
	st, _ := s.Status(ctx, "m")
	if st.ModerationSize != 5 || st.Moderated != 2 || st.Recorded != 6 {
		t.Errorf("status %+v", st.AuditSummary)
	}
	mustVerify(t, s, "m")
}

// FuzzParsers: the cell parsers never panic, and what they accept reads
// back the same.
func FuzzParsers(f *testing.F) {
	for _, s := range []string{"Good", "ri", " Requires-Improvement ", "yes", "N", "2026-07-03", "03/07/2026", "46206", "31/02/2026", "1e308", "-1", "2026-07-03T10:00"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if g, err := ParseGrade(s); err == nil {
			if back, err := ParseGrade(g.String()); err != nil || back != g {
				t.Fatalf("grade %q -> %v does not read back", s, g)
			}
		}
		ParseYesNo(s)
		if d, ok := ParseDate(s); ok && d != "" {
			if _, err := time.Parse("2006-01-02", d); err != nil {
				t.Fatalf("ParseDate(%q) = %q, not a date", s, d)
			}
		}
		textdist.Closest(s, []string{"CR-0000001", s + "x"}, 3)
	})
}

// The plain reading of a finding's payload must read every payload exactly
// as encoding/json does, and take every payload the store writes.
func TestFindingPayloadPlainReadsAsEncodingJSON(t *testing.T) {
	written := []findingPayload{
		{Grade: "Good", Note: "seen at home", Date: "2026-07-01"},
		{Grade: "Inadequate", Immediate: true, Note: "père absent <b>&</b> — ü", Answers: map[string]string{"q1": "Yes", "q 2": "Not applicable"}},
		{Grade: "Outstanding", Reason: "typo", Source: "audit.xlsx", Prefilled: map[string]string{"team": "North"}},
		{Grade: "Requires improvement", Answers: map[string]string{}},
		{Grade: "Good", Note: "[redacted on 2026-08-01]"},
	}
	for _, p := range written {
		b, err := store.CanonicalJSON(p)
		if err != nil {
			t.Fatal(err)
		}
		var got findingPayload
		if !got.decodePlain(b) {
			t.Errorf("%s: not read plainly, though the store writes it", b)
		}
	}
	var all []string
	for _, p := range written {
		b, _ := store.CanonicalJSON(p)
		all = append(all, string(b))
	}
	all = append(all,
		`{"grade":"Good","note":"line one\nline two"}`, // an escape
		`{"grade":"Good","grade":"Inadequate"}`,        // a key twice: the last wins
		`{"Grade":"Good"}`,                             // encoding/json matches keys without case
		`{"grade":"Good","extra":1}`,                   // a key not of a finding
		`{"grade":"Good","note":null}`,                 // null
		`{"grade":"Good","immediate":1}`,               // not a bool
		`{"grade":"Good","note":"`+"\xff"+`"}`,         // invalid UTF-8, replaced
		`{"grade":"Good","answers":{"q":"a","q":"b"}}`, // a question twice
		`{"grade":"Good","answers":{"q\u0031":"a"}}`,   // an escaped key
		`{"grade":"Good","answers":{"q":1}}`,           // not a string
		`{"grade":"Good","answers":null}`,              // no answers
		`{ "grade": "Good" }`,                          // not compact
		"{\"grade\":\"Good\",\"note\":\"a\tb\"}",       // a control character, refused
		`{}`,
	)
	for _, b := range all {
		var want findingPayload
		werr := json.Unmarshal([]byte(b), &want)
		var got findingPayload
		if !got.decodePlain([]byte(b)) {
			continue // json.Unmarshal reads it
		}
		if werr != nil {
			t.Errorf("%s: read plainly, but encoding/json refuses it: %v", b, werr)
			continue
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: read plainly as %+v, encoding/json reads %+v", b, got, want)
		}
	}
}
