package audit

import (
	"context"
	"reflect"
	"testing"
)

// TestAuditsWithFindingsMatchesAuditsAndFindings checks the one-fold read
// every trend uses against the separate reads it replaces: the progress of
// each audit (Audits) and its latest findings and moderation findings
// (Findings), with a correction, a moderation finding and cases still to do.
func TestAuditsWithFindingsMatchesAuditsAndFindings(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	for _, name := range []string{"first", "second"} {
		if _, err := s.CreateAudit(ctx, testAudit(name), testCases(6)); err != nil {
			t.Fatal(err)
		}
	}
	mustRecord(t, s, "first", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	mustRecord(t, s, "first", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true})
	mustRecord(t, s, "first", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: RequiresImprovement, Reason: "misread the dates"})
	mustRecord(t, s, "second", Finding{Case: "CR-0000004", Auditor: "B. Evans", Grade: Outstanding})
	if _, err := s.DrawModeration(ctx, "first", 1, "m"); err != nil {
		t.Fatal(err)
	}
	m, err := s.Moderation(ctx, "first")
	if err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, "first", Finding{Case: m.Cases[0], Auditor: "M. Patel", Grade: Good, Moderation: true})

	got, err := s.AuditsWithFindings(ctx)
	if err != nil {
		t.Fatal(err)
	}
	sums, err := s.Audits(ctx)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != len(sums) || len(got) != 2 {
		t.Fatalf("%d audits with findings, %d audits; want 2", len(got), len(sums))
	}
	for i, a := range got {
		if !reflect.DeepEqual(a.AuditSummary, sums[i]) {
			t.Errorf("audit %d: summary %+v; Audits says %+v", i, a.AuditSummary, sums[i])
		}
		for _, mod := range []bool{false, true} {
			want, err := s.Findings(ctx, a.Name, mod)
			if err != nil {
				t.Fatal(err)
			}
			have := a.Findings
			if mod {
				have = a.Moderation
			}
			if !reflect.DeepEqual(have, want) {
				t.Errorf("%s, moderation %v: %+v; Findings says %+v", a.Name, mod, have, want)
			}
		}
	}
	if f := got[0].Findings; len(f) != 2 || f[0].Grade != RequiresImprovement || len(got[0].Moderation) != 1 || got[0].Recorded != 2 || got[0].Flagged != 1 {
		t.Errorf("first audit: %+v", got[0])
	}
}
