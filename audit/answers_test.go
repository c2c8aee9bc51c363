package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
)

func formAudit(t *testing.T, yaml string) (*Store, *testClock) {
	t.Helper()
	s, clock := openTest(t)
	f, err := ParseForm("f.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	a := testAudit("f")
	if a.Form, err = f.JSON(); err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAudit(context.Background(), a, testCases(8)); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func TestRecordChecksAnswers(t *testing.T) {
	ctx := context.Background()
	s, _ := formAudit(t, goodForm)
	// A required question unanswered: refused, nothing recorded.
	_, err := s.Record(ctx, "f", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	var ae *AnswersError
	if !errors.As(err, &ae) || !strings.Contains(err.Error(), `"Risk assessment" (risk) needs an answer`) {
		t.Fatalf("missing required answer: %v", err)
	}
	_, err = s.Record(ctx, "f", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good,
		Answers: map[string]string{"risk": "good", "outcome": "sometimes"}})
	if err == nil || !strings.Contains(err.Error(), `"sometimes" is not an answer to "Outcome"`) {
		t.Fatalf("bad answer: %v", err)
	}
	if fs, _ := s.Findings(ctx, "f", false); len(fs) != 0 {
		t.Fatalf("refused findings were recorded: %v", fs)
	}
	// Stored by key, in canonical spelling.
	mustRecord(t, s, "f", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good,
		Answers: map[string]string{"Risk assessment": "na", "outcome": "partly achieved", "comment": " ok "}})
	fs, _ := s.Findings(ctx, "f", false)
	if len(fs) != 1 || fmt.Sprint(fs[0].Answers) != "map[comment:ok outcome:Partly achieved risk:Not applicable]" {
		t.Fatalf("stored answers: %v", fs)
	}
	// A moderator need not answer the required questions.
	if _, err := s.DrawModeration(ctx, "f", 1, "m"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Record(ctx, "f", Finding{Case: "CR-0000001", Auditor: "M. Patel", Grade: Good, Moderation: true}); err != nil {
		t.Fatalf("moderation finding without answers: %v", err)
	}
	mustVerify(t, s, "f")
}

func TestImportChecksAnswers(t *testing.T) {
	ctx := context.Background()
	s, _ := formAudit(t, goodForm)
	hdr := "#,Case ID,Team,Allocated Worker,Legal Status,Auditor,Risk assessment,Consent recorded,Outcome,Comment,Grade,Immediate attention,Notes,Date audited\n"
	bad := writeCSV(t, hdr+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,Yes,Achieved,,Good,No,,\n"+
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,,maybe,Achieved,,Good,No,,\n"+
		"3,CR-0000003,East,C. Diaz,CIN,D. Novak,Great,No,Unknown,,Good,No,,\n"+
		"4,CR-0000004,West,D. Novak,CIN,E. Okafor,,,,,,,,\n")
	_, err := Import(ctx, s, "f", bad, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("err %v", err)
	}
	var got []string
	for _, p := range ie.Problems {
		got = append(got, fmt.Sprintf("%d/%s", p.Row, p.Column))
	}
	// Row 3: consent "maybe" and the required risk unanswered; row 4: risk
	// "Great" and outcome "Unknown"; row 5 has no finding.
	if want := "[3/Consent recorded 3/Risk assessment 4/Risk assessment 4/Outcome]"; fmt.Sprint(got) != want {
		t.Errorf("problems at %v; want %s\n%v", got, want, ie.Problems)
	}
	if fs, _ := s.Findings(ctx, "f", false); len(fs) != 0 {
		t.Fatalf("an invalid file imported %d findings", len(fs))
	}
	res, err := Import(ctx, s, "f", bad, ImportOptions{SkipInvalid: true})
	if err != nil || res.Recorded != 1 || res.Skipped != 2 || res.Empty != 1 {
		t.Fatalf("skip invalid: %+v %v", res, err)
	}
	fs, _ := s.Findings(ctx, "f", false)
	if fmt.Sprint(fs[0].Answers) != "map[consent:Yes outcome:Achieved risk:Good]" {
		t.Errorf("answers %v", fs[0].Answers)
	}
	// A required question's column missing: one problem naming the header row.
	noRisk := writeCSV(t, "#,Case ID,Team,Allocated Worker,Legal Status,Auditor,Grade,Immediate attention,Notes,Date audited\n"+
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,Good,No,,\n")
	_, err = Import(ctx, s, "f", noRisk, ImportOptions{})
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Row != 1 || !strings.Contains(ie.Problems[0].Msg, `the column "Risk assessment"`) {
		t.Errorf("missing column: %v", err)
	}
}
