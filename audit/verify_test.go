package audit

import (
	"context"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
)

// tamperable returns a store with an audit whose trail is: 1 sample, then
// findings on CR-0000001 … CR-0000005 (entries 2 … 6), with the
// append-only triggers dropped, as someone editing the file would.
func tamperable(t *testing.T) *Store {
	t.Helper()
	s, _ := withAudit(t, "a", 10)
	for i, g := range []Grade{Good, Outstanding, Inadequate, Good, RequiresImprovement} {
		mustRecord(t, s, "a", Finding{Case: testCases(5)[i].ID, Auditor: "A. Khan", Grade: g})
	}
	mustVerify(t, s, "a")
	for _, tr := range []string{"trail_no_update", "trail_no_delete", "sampled_case_no_update", "audit_no_update"} {
		if _, err := s.st.DB().Exec("DROP TRIGGER " + tr); err != nil {
			t.Fatal(err)
		}
	}
	return s
}

func sqlExec(t *testing.T, s *Store, qs ...string) {
	t.Helper()
	for _, q := range qs {
		if _, err := s.st.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
}

func expectProblem(t *testing.T, s *Store, want ...string) {
	t.Helper()
	v, err := s.Verify(context.Background(), "a")
	if err != nil {
		t.Fatal(err)
	}
	if v.OK {
		t.Fatalf("verify passed after tampering; want %q", want)
	}
	all := strings.Join(v.Problems, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("problems:\n%s\nwant one containing %q", all, w)
		}
	}
}

func TestVerifyFindsEditedEntry(t *testing.T) {
	s := tamperable(t)
	sqlExec(t, s, `UPDATE trail SET payload = replace(payload, '"Inadequate"', '"Good"') WHERE seq = 4`)
	expectProblem(t, s, "entry 4 (finding CR-0000003 by A. Khan, 2026-07-03 09:00:04 UTC) was edited")
}

func TestVerifyFindsEditedActorAndTime(t *testing.T) {
	s := tamperable(t)
	sqlExec(t, s, `UPDATE trail SET actor = 'B. Lee' WHERE seq = 3`, `UPDATE trail SET at = '2026-07-01T00:00:00.000000000Z' WHERE seq = 5`)
	expectProblem(t, s, "entry 3 (finding CR-0000002 by B. Lee", "entry 5 (finding CR-0000004 by A. Khan, 2026-07-01 00:00:00 UTC) was edited")
}

func TestVerifyFindsRehashedEdit(t *testing.T) {
	// The editor recomputes the edited entry's own hash: the next entry no
	// longer follows it.
	s := tamperable(t)
	e, _ := s.Trail(context.Background(), "a")
	x := e[3]
	payload := strings.Replace(string(x.Payload), `"Inadequate"`, `"Good"`, 1)
	h, err := entryHash(x.PrevHash, "a", x.Seq, x.Kind, x.Case, x.Actor, x.EnteredBy, store.FormatTime(x.At), []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.st.DB().Exec("UPDATE trail SET payload = $1, hash = $2 WHERE seq = 4", payload, h); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, s, "an entry before entry 5 was deleted or edited")
}

func TestVerifyFindsDeletedEntry(t *testing.T) {
	s := tamperable(t)
	sqlExec(t, s, "DELETE FROM trail WHERE seq = 3")
	expectProblem(t, s, "entry 3 is missing (deleted)")
}

func TestVerifyFindsDeletedAndRenumbered(t *testing.T) {
	s := tamperable(t)
	sqlExec(t, s, "DELETE FROM trail WHERE seq = 3",
		"UPDATE trail SET seq = -seq WHERE seq > 3",
		"UPDATE trail SET seq = -seq - 1 WHERE seq < 0")
	expectProblem(t, s, "an entry before entry 3 was deleted or edited", "entry 3 (finding CR-0000003 by A. Khan, 2026-07-03 09:00:04 UTC) was renumbered: it was entry 4")
}

func TestVerifyFindsInsertedEntry(t *testing.T) {
	s := tamperable(t)
	e, _ := s.Trail(context.Background(), "a")
	// A forged finding on CR-0000009 slipped in as entry 3, correctly hashed
	// onto entry 2, with the later entries renumbered.
	payload := `{"grade":"Good","immediate":false,"note":""}`
	at := store.FormatTime(e[1].At)
	h, err := entryHash(e[1].Hash, "a", 3, KindFinding, "CR-0000009", "A. Khan", "", at, []byte(payload))
	if err != nil {
		t.Fatal(err)
	}
	sqlExec(t, s, "UPDATE trail SET seq = -seq WHERE seq >= 3", "UPDATE trail SET seq = -seq + 1 WHERE seq < 0")
	if _, err := s.st.DB().Exec("INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash) VALUES (1, 3, $1, $2, $3, $4, $5, $6, $7)",
		KindFinding, "CR-0000009", "A. Khan", at, payload, e[1].Hash, h); err != nil {
		t.Fatal(err)
	}
	expectProblem(t, s, "entry 3 (finding CR-0000009 by A. Khan, 2026-07-03 09:00:02 UTC) was inserted: entry 4 follows entry 2 directly",
		"entry 4 (finding CR-0000002 by A. Khan, 2026-07-03 09:00:03 UTC) was renumbered: it was entry 3")
}

func TestVerifyFindsEditedSample(t *testing.T) {
	s := tamperable(t)
	sqlExec(t, s, `UPDATE sampled_case SET fields = '["North","B. Lee","CIN"]' WHERE ord = 1`)
	expectProblem(t, s, "sampled case 1 (CR-0000001) differs from the trail")

	s = tamperable(t)
	sqlExec(t, s, `INSERT INTO sampled_case VALUES (1, 11, 'CR-0000099', '0.9', '', 9, '["North","B. Lee","CIN"]')`)
	expectProblem(t, s, "sampled case 11 (CR-0000099) is not in the trail: it was inserted")

	// The provenance (how the sample was drawn) and the period are vouched
	// for by the first entry.
	s = tamperable(t)
	sqlExec(t, s, `UPDATE audit SET provenance = replace(provenance, '"seed":"314159"', '"seed":"271828"')`)
	expectProblem(t, s, `the parameters of audit "a" differ`)

	s = tamperable(t)
	sqlExec(t, s, `UPDATE audit SET period = '2026-06'`)
	expectProblem(t, s, `the parameters of audit "a" differ`)

	s = tamperable(t)
	sqlExec(t, s, `UPDATE audit SET follow_up = '{"owner_column":"Team"}'`)
	expectProblem(t, s, `the parameters of audit "a" differ`)
}

func TestVerifyIntactAfterEverything(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 10)
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Note: `quotes " and <tags> & ünïcödé`})
	if _, err := s.Allocate(ctx, "a", []string{"A. Khan", "B. Lee"}, AllocationRules{WorkerField: "Allocated Worker"}); err != nil {
		t.Fatal(err)
	}
	if err := s.Grow(ctx, "a", testCases(12)[10:]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.DrawModeration(ctx, "a", 1, "seed"); err != nil {
		t.Fatal(err)
	}
	v, err := s.Verify(ctx, "a")
	if err != nil || !v.OK || v.Entries != 5 || len(v.Head) != 64 {
		t.Fatalf("verify: %+v %v", v, err)
	}
}
