package audit

import (
	"errors"
	"strings"
	"testing"
)

// The README's duties table, written out by hand: for each duty, which of
// QA, the case's auditor, another auditor, a team manager who owns the
// case's action, information governance, and a login with no role may do it
// on a case allocated to "B. Evans", with social worker "C. Okafor", whose
// finding B. Evans recorded and whose action "D. Mensah" owns.
func TestDutyMatrix(t *testing.T) {
	people := map[string]Person{
		"qa":        {Login: "akhan", Name: "A. Khan", Roles: []Role{QA}},
		"auditor":   {Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}},
		"other":     {Login: "fhall", Name: "F. Hall", Roles: []Role{Auditor}},
		"owner":     {Login: "dmensah", Name: "D. Mensah", Roles: []Role{Manager}},
		"ig":        {Login: "gig", Name: "G. Igwe", Roles: []Role{Governance}},
		"worker":    {Login: "cokafor", Name: "C. Okafor", Roles: []Role{Auditor}},
		"unmapped":  {Login: "stranger"},
		"moderator": {Login: "jmod", Name: "J. Moss", Roles: []Role{Moderator}},
		"qaauditor": {Login: "hqa", Name: "H. Quinn", Roles: []Role{Auditor, QA}},
	}
	facts := CaseFacts{AllocatedTo: "B. Evans", Auditor: "B. Evans", Worker: "C. Okafor", Owner: "D. Mensah"}
	//                        qa  auditor other owner ig  worker unmapped qaauditor moderator
	want := map[Duty]string{
		DutyDraw:           "Y   N       N     N     N   N      N        Y         N",
		DutyGrow:           "Y   N       N     N     N   N      N        Y         N",
		DutyWithdraw:       "Y   N       N     N     N   N      N        Y         N",
		DutyAllocate:       "Y   N       N     N     N   N      N        Y         N",
		DutyModerationDraw: "Y   N       N     N     N   N      N        Y         N",
		DutyRecord:         "Y   Y       N     N     N   N      N        Y         N",
		DutyModerate:       "Y   N       Y     N     N   N      N        Y         Y",
		DutyRespond:        "Y   N       N     Y     N   N      N        Y         N",
		DutyClose:          "Y   N       N     N     N   N      N        Y         N",
		DutySignOff:        "Y   N       N     N     N   N      N        Y         N",
		DutyPeople:         "Y   N       N     N     N   N      N        Y         N",
		DutyRedact:         "Y   N       N     N     Y   N      N        Y         N",
		DutyRetention:      "Y   N       N     N     Y   N      N        Y         N",
		DutyLookUp:         "Y   Y       N     N     Y   N      N        Y         N",
	}
	cols := []string{"qa", "auditor", "other", "owner", "ig", "worker", "unmapped", "qaauditor", "moderator"}
	if len(want) != len(DutyTable()) {
		t.Fatalf("the matrix covers %d duties, the table has %d", len(want), len(DutyTable()))
	}
	for d, row := range want {
		cells := strings.Fields(row)
		for i, who := range cols {
			err := Allowed(people[who], d, facts, nil)
			got := "Y"
			if err != nil {
				got = "N"
				if !errors.Is(err, ErrDuty) {
					t.Errorf("%s by %s: %v is not a duty refusal", d, who, err)
				}
			}
			if got != cells[i] {
				t.Errorf("%s by %s: allowed = %s, want %s (%v)", d, who, got, cells[i], err)
			}
		}
	}
}

func TestRecordUnderAnotherName(t *testing.T) {
	evans := Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}}
	err := Allowed(evans, DutyRecord, CaseFacts{AllocatedTo: "F. Hall", For: "F. Hall"}, nil)
	want := "refused: B. Evans (auditor) may not record a finding: an auditor records findings under her own name, not F. Hall's; ask a person with the qa role or a person with the auditor role"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	// Her own case under her own name, spelled loosely.
	if err := Allowed(evans, DutyRecord, CaseFacts{AllocatedTo: "B. Evans", For: "b.  evans"}, nil); err != nil {
		t.Fatal(err)
	}
	// Not allocated at all.
	if err := Allowed(evans, DutyRecord, CaseFacts{}, nil); err == nil || !strings.Contains(err.Error(), "not allocated to anyone yet") {
		t.Fatalf("unallocated case: %v", err)
	}
	// QA records for anyone.
	qa := Person{Login: "akhan", Name: "A. Khan", Roles: []Role{QA}}
	if err := Allowed(qa, DutyRecord, CaseFacts{AllocatedTo: "F. Hall", For: "F. Hall"}, nil); err != nil {
		t.Fatal(err)
	}
}

func TestModeratorIsNeverTheCasesOwnAuditor(t *testing.T) {
	evans := Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}}
	qa := Person{Login: "akhan", Name: "A. Khan", Roles: []Role{QA}}
	// An auditor naming herself as moderator of her own flagged case.
	err := Allowed(evans, DutyModerate, CaseFacts{Auditor: "B. Evans", For: "B. Evans"}, func(Duty) []string { return []string{"A. Khan", "F. Hall"} })
	want := "refused: B. Evans (auditor) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; ask A. Khan or F. Hall"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	// Even QA entering a moderation cannot name the case's auditor as moderator.
	if err := Allowed(qa, DutyModerate, CaseFacts{Auditor: "B. Evans", For: "B. Evans"}, nil); err == nil {
		t.Fatal("QA entered a moderation by the case's own auditor")
	}
	// Nor the allocated worker.
	if err := Allowed(qa, DutyModerate, CaseFacts{Worker: "C. Okafor", For: "c. okafor"}, nil); err == nil || !strings.Contains(err.Error(), "allocated worker") {
		t.Fatalf("worker as moderator: %v", err)
	}
}

func TestDutyRefusalNamesRule(t *testing.T) {
	evans := Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor}}
	err := Allowed(evans, DutyClose, CaseFacts{}, func(Duty) []string { return []string{"A. Khan"} })
	want := "refused: B. Evans (auditor) may not close a follow-up action: only QA closes a follow-up action; ask A. Khan"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	stranger := Person{Login: "stranger"}
	err = Allowed(stranger, DutyRecord, CaseFacts{}, nil)
	want = "refused: stranger (no role in this store) may not record a finding: an auditor records findings only on the cases allocated to her, under her own name; QA may record for anyone; ask a person with the qa role or a person with the auditor role"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	if err := Allowed(stranger, Duty("fly"), CaseFacts{}, nil); err == nil || errors.Is(err, ErrDuty) {
		t.Fatalf("an unknown duty: %v", err)
	}
}

func TestParseRole(t *testing.T) {
	for in, want := range map[string]Role{"QA": QA, " qa lead": QA, "Auditor": Auditor, "team manager": Manager, "IG": Governance} {
		if got, err := ParseRole(in); err != nil || got != want {
			t.Errorf("ParseRole(%q) = %q, %v", in, got, err)
		}
	}
	if _, err := ParseRole("boss"); err == nil || !strings.Contains(err.Error(), "qa, auditor, moderator, manager, governance") {
		t.Errorf("ParseRole(moderator): %v", err)
	}
}
