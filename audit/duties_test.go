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
		DutyOwners:         "Y   N       N     N     N   N      N        Y         N",
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
	want := "refused: B. Evans (auditor) may not record a finding: an auditor records findings under her own name, not F. Hall's; only F. Hall or QA may record it"
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
	list := Roster{qa, evans, {Login: "fhall", Name: "F. Hall", Roles: []Role{Auditor}}, {Login: "gig", Name: "G. Igwe", Roles: []Role{Governance}}}
	err := Allowed(evans, DutyModerate, CaseFacts{Auditor: "B. Evans", For: "B. Evans"}, list)
	want := "refused: B. Evans (auditor) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only A. Khan or F. Hall may moderate it"
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
	err := Allowed(evans, DutyClose, CaseFacts{}, Roster{{Login: "akhan", Name: "A. Khan", Roles: []Role{QA}}, evans})
	want := "refused: B. Evans (auditor) may not close a follow-up action: only QA closes a follow-up action; ask A. Khan"
	if err == nil || err.Error() != want {
		t.Fatalf("got %v\nwant %s", err, want)
	}
	stranger := Person{Login: "stranger"}
	err = Allowed(stranger, DutyRecord, CaseFacts{}, nil)
	want = "refused: stranger (no role in this store) may not record a finding: an auditor records findings only on the cases allocated to her, under her own name; QA may record for anyone; only QA may record it until QA allocates it"
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

// A refusal on a case names who may do it on that case, not everyone whose
// role could: the case's auditor and QA by name for a finding, the
// action's owner and QA for a response, and for a moderation everyone who
// may moderate except the case's own auditor and worker.
func TestRefusalNamesWhoMayOnThisCase(t *testing.T) {
	qa := Person{Login: "qlead", Name: "Q. Lead", Roles: []Role{QA}}
	khan := Person{Login: "akhan", Name: "A. Khan", Roles: []Role{Auditor}}
	evans := Person{Login: "bevans", Name: "B. Evans", Roles: []Role{Auditor, Moderator}}
	nowak := Person{Login: "cnowak", Name: "C. Nowak", Roles: []Role{Auditor}}
	mod := Person{Login: "mmod", Name: "M. Moderator", Roles: []Role{Moderator}}
	mensah := Person{Login: "dmensah", Name: "D. Mensah", Roles: []Role{Manager}}
	list := Roster{khan, evans, nowak, mensah, mod, qa} // login order
	for _, c := range []struct {
		p     Person
		d     Duty
		facts CaseFacts
		want  string
	}{
		{evans, DutyRecord, CaseFacts{AllocatedTo: "C. Nowak", For: "A. Khan"},
			"refused: B. Evans (auditor, moderator) may not record a finding: an auditor records findings under her own name, not A. Khan's; only C. Nowak or QA (Q. Lead) may record it"},
		{mod, DutyRecord, CaseFacts{AllocatedTo: "B. Evans", For: "B. Evans"},
			"refused: M. Moderator (moderator) may not record a finding: an auditor records findings only on the cases allocated to her, under her own name; QA may record for anyone; only B. Evans or QA (Q. Lead) may record it"},
		{khan, DutyRecord, CaseFacts{For: "A. Khan"},
			"refused: A. Khan (auditor) may not record a finding: the case is not allocated to anyone yet; an auditor records only the cases allocated to her; only QA (Q. Lead) may record it until QA allocates it"},
		{evans, DutyModerate, CaseFacts{Auditor: "B. Evans", AllocatedTo: "B. Evans", For: "B. Evans"},
			"refused: B. Evans (auditor, moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only A. Khan, C. Nowak, M. Moderator or Q. Lead may moderate it"},
		{khan, DutyRespond, CaseFacts{Owner: "D. Mensah"},
			"refused: A. Khan (auditor) may not respond to a follow-up action: QA, or the person who owns the action, enters its response; only D. Mensah or QA (Q. Lead) may respond to it"},
		{mensah, DutyRespond, CaseFacts{Owner: "F. Hall"},
			"refused: D. Mensah (manager) may not respond to a follow-up action: the action is owned by F. Hall; only its owner or QA responds; only F. Hall or QA (Q. Lead) may respond to it"},
		{evans, DutyRedact, CaseFacts{},
			"refused: B. Evans (auditor, moderator) may not redact a trail entry's text: only QA or information governance redacts; ask Q. Lead"},
		// The owner who is QA herself is named once: alone when she is QA's
		// only member, else beside QA's others.
		{mensah, DutyRespond, CaseFacts{Owner: "q. lead"},
			"refused: D. Mensah (manager) may not respond to a follow-up action: the action is owned by q. lead; only its owner or QA responds; only QA (q. lead) may respond to it"},
		{mensah, DutyRespond, CaseFacts{Owner: "J. Smith"},
			"refused: D. Mensah (manager) may not respond to a follow-up action: the action is owned by J. Smith; only its owner or QA responds; only J. Smith or QA (Q. Admin or Q. Lead) may respond to it",
		},
	} {
		roster := list
		if c.facts.Owner == "J. Smith" {
			roster = Roster{khan, evans, nowak, mensah, {Login: "jsmith", Name: "J. Smith", Roles: []Role{QA, Manager}}, mod, {Login: "qadmin", Name: "Q. Admin", Roles: []Role{QA}}, qa}
		}
		err := Allowed(c.p, c.d, c.facts, roster)
		if err == nil || err.Error() != c.want {
			t.Errorf("%s by %s:\n got %v\nwant %s", c.d, c.p.Name, err, c.want)
		}
	}
}
