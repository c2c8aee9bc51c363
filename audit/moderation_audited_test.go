package audit

import (
	"context"
	"errors"
	"strings"
	"testing"
)

// A moderator is never the case's own auditor: not who recorded its latest
// finding alone, but anyone who recorded a finding on it, one since
// corrected under another name included. She audited the case; the
// correction does not make her a second pair of eyes on it.

// TestModeratorNeverAnEarlierAuditor: the rule itself, with and without a
// people list to name who may moderate instead.
func TestModeratorNeverAnEarlierAuditor(t *testing.T) {
	qa := Person{Login: "qlead", Name: "Q. Lead", Roles: []Role{QA}}
	evans := Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor, Moderator}}
	diaz := Person{Login: "cdiaz", Name: "C. Diaz", Roles: []Role{Auditor}}
	mod := Person{Login: "mmod", Name: "M. Moderator", Roles: []Role{Moderator}}
	list := Roster{evans, diaz, mod, qa}
	// B. Evans recorded the case's first finding; C. Diaz corrected it.
	facts := CaseFacts{Auditor: "C. Diaz", Audited: []string{"B. Evans", "C. Diaz"}, For: "b. evans"}
	const want = "refused: B. Evans (auditor, moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only M. Moderator or Q. Lead may moderate it"
	if err := Allowed(evans, DutyModerate, facts, list); !errors.Is(err, ErrDuty) || err.Error() != want {
		t.Errorf("the first auditor moderating:\n got %v\nwant %s", err, want)
	}
	// Without a list, the name alone, and anyone but both may.
	facts.For = "B. Evans"
	const noList = "refused: B. Evans (moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only someone other than B. Evans and C. Diaz may moderate it"
	if err := Allowed(Person{Name: "B. Evans", Roles: []Role{Moderator}}, DutyModerate, facts, nil); !errors.Is(err, ErrDuty) || err.Error() != noList {
		t.Errorf("without a people list:\n got %v\nwant %s", err, noList)
	}
	// QA entering it under her name is refused too.
	if err := Allowed(qa, DutyModerate, facts, list); !errors.Is(err, ErrDuty) {
		t.Errorf("QA entering a moderation under the first auditor's name: %v", err)
	}
	facts.For = "M. Moderator"
	if err := Allowed(mod, DutyModerate, facts, list); err != nil {
		t.Errorf("another moderator: %v", err)
	}
}

// TestContractModerationNotByAnyAuditor: through Record and import, on
// either backend, a moderation under the name of the case's first auditor,
// whose finding another auditor corrected, is refused, in the same words;
// verify names one forged into an SQLite trail by hand.
func TestContractModerationNotByAnyAuditor(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(3)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "B. Evans", Grade: Good, Date: "2026-07-01"})
		mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "C. Diaz", Grade: Inadequate, Date: "2026-07-02", Reason: "second reading"})
		mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "C. Diaz", Grade: Good, Date: "2026-07-01"})
		if _, err := s.DrawModeration(ctx, "a", 2, "m"); err != nil {
			t.Fatal(err)
		}
		head := lastSeq(t, s, "a")
		// caseaudit respells the name as the audit knows its auditor.
		const want = "refused: B. Evans (moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only someone other than B. Evans and C. Diaz may moderate it"
		_, err := s.Record(ctx, "a", Finding{Case: "CR-0000002", Auditor: "b. evans", Moderation: true, Grade: Good, Date: "2026-07-03"})
		if !errors.Is(err, ErrDuty) || err.Error() != want {
			t.Errorf("record --moderation under the first auditor's name:\n got %v\nwant %s", err, want)
		}
		// A moderators' workbook naming her is refused at her row, and
		// nothing of it is imported.
		path := writeCSV(t, "Case ID,Moderator,Grade,Immediate attention,Notes,Date audited\nCR-0000003,B. Evans,Good,No,,2026-07-03\nCR-0000002,B. Evans,Good,No,,2026-07-03\n")
		_, err = Import(ctx, s, "a", path, ImportOptions{Moderation: true})
		if !errors.Is(err, ErrDuty) || !strings.Contains(err.Error(), "refused: B. Evans (moderator) may not moderate a case: B. Evans audited the case") ||
			!strings.Contains(err.Error(), "row 3, case CR-0000002; nothing was imported") {
			t.Errorf("import of a moderators' workbook naming the first auditor: %v", err)
		}
		if n := lastSeq(t, s, "a"); n != head {
			t.Errorf("the trail grew from %d to %d entries through the refusals", head, n)
		}
		if strings.HasPrefix(where, "postgres") {
			mustRecord(t, s, "a", Finding{Case: "CR-0000002", Auditor: "M. Moderator", Moderation: true, Grade: Good, Date: "2026-07-03"})
			mustVerify(t, s, "a")
			return
		}
		// Appended by hand to the SQLite file, hash computed: the chain
		// holds, and verify names the entry in the refusal's words.
		if err := rawAppend(t, s, s, KindModerationFinding, "CR-0000002", "b. evans", `{"grade":"Good","immediate":false,"note":""}`); err != nil {
			t.Fatal(err)
		}
		v, err := s.Verify(ctx, "a")
		if err != nil {
			t.Fatal(err)
		}
		forged := strings.ReplaceAll(want, "B. Evans (moderator)", "b. evans (moderator)")
		forged = strings.Replace(forged, "B. Evans audited", "b. evans audited", 1)
		if !v.OK || len(v.Duties) != 1 || v.Duties[0].Entry != head+1 || v.Duties[0].Refusal != forged {
			t.Errorf("verify of a moderation by the first auditor forged by hand: ok %v, %+v\nwant entry %d refused: %s", v.OK, v.Duties, head+1, forged)
		}
	})
}
