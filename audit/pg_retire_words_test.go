package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// TestPostgresRetireInCaseauditsWords: the database's retire_audit
// refuses an audit that is not due in the words caseaudit uses for it (an
// error, exit 1, not a refused duty), read from the database's own
// message as a QA login calling the function in raw SQL. A store of the
// previous schema version, whose function said "refused:", is given the
// new words by its owner's next open, as every upgrade is taken.
func TestPostgresRetireInCaseauditsWords(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	owner, clock := openAt(t, where, "QA Officer")
	qaURL, _ := pgLogin(t, where, store.GroupQA)
	qa, qaClock := openAt(t, qaURL, "QA Officer")
	qaClock.t = time.Now().UTC()

	// Not signed off; and signed off on the last day of January 2030,
	// whose 13 months run, as caseaudit counts them, to 3 March 2031 (a
	// 31st of February is 3 March), inside the period by both clocks. The
	// second name holds quotes and a backslash, as Go's %q writes them.
	const unsigned, recent = "2026-06 monthly", `2030-01 "recent" \ north`
	for _, name := range []string{unsigned, recent} {
		if _, err := owner.CreateAudit(ctx, testAudit(name), testCases(3)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, owner, name, Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2026-07-03"})
	}
	clock.t = time.Date(2030, 1, 31, 10, 0, 0, 0, time.UTC)
	signOff(t, owner, recent, 0)

	// raw calls retire_audit as the QA login, as psql would.
	raw := func(name string) error {
		return rawExec(qa, fmt.Sprintf(`SELECT * FROM retire_audit(%s, 1, 'x', '2026-07-03T09:00:00.000000000Z', '{}', '', '')`,
			"'"+name+"'"))
	}
	// same: caseaudit refused the audit as not due (err), and the
	// database, called raw, in the very words.
	same := func(what string, err error, words string) {
		t.Helper()
		if !errors.Is(err, ErrNotDue) {
			t.Fatalf("caseaudit: %s: %v; want not due", what, err)
		}
		if dbErr := raw(what); dbErr == nil || !strings.Contains(dbErr.Error(), "caseaudit: "+words+" (SQLSTATE P0001)") {
			t.Errorf("database: %s:\n%v\nwant the words:\n%s", what, dbErr, words)
		}
	}

	// No retention period: caseaudit names the store, which the database
	// cannot (it knows no URL); the rest is word for word.
	_, err := qa.Retire(ctx, RetireRequest{Audits: []string{unsigned}, Person: qaLead})
	same(unsigned, err, strings.Replace(errText(err), "the store "+qa.Path()+" has", "the store has", 1))
	if !strings.HasPrefix(errText(err), "the store "+qa.Path()+" has no retention period") {
		t.Errorf("caseaudit without a retention period: %v", err)
	}

	if _, err := owner.SetRetention(ctx, 13, qaLead); err != nil {
		t.Fatal(err)
	}
	_, err = qa.Retire(ctx, RetireRequest{Audits: []string{unsigned}, Person: qaLead})
	const notSigned = `audit "2026-06 monthly" is not due to retire: it is not signed off: only a signed-off audit is retired; an audit is retired once signed off and past the store's retention period of 13 months`
	if errText(err) != notSigned {
		t.Errorf("caseaudit: %v\nwant %s", err, notSigned)
	}
	same(unsigned, err, notSigned)

	_, err = qa.Retire(ctx, RetireRequest{Audits: []string{recent}, Person: qaLead})
	const inside = `audit "2030-01 \"recent\" \\ north" is not due to retire: it is inside the retention period of 13 months (signed off 2030-01-31; due 2031-03-03); an audit is retired once signed off and past the store's retention period of 13 months`
	if errText(err) != inside {
		t.Errorf("caseaudit: %v\nwant %s", err, inside)
	}
	same(recent, err, inside)

	// The previous release's store: schema version 13, its function
	// worded as a refusal. The QA login meets those words until the
	// owner's next open upgrades the store.
	if err := rawExec(owner, `CREATE OR REPLACE FUNCTION retire_audit(p_audit text, p_seq bigint, p_actor text, p_at text, p_payload text, p_prev_hash text, p_hash text)
		RETURNS TABLE (tbl text, deleted bigint) LANGUAGE plpgsql SECURITY DEFINER AS $$
		BEGIN RAISE EXCEPTION 'caseaudit: refused: audit % is not signed off; only a signed-off audit is retired', p_audit USING ERRCODE = 'P0001'; END $$`,
		"UPDATE meta SET value = '13' WHERE key = 'schema_version'"); err != nil {
		t.Fatal(err)
	}
	if err := raw(unsigned); err == nil || !strings.Contains(err.Error(), "caseaudit: refused: audit 2026-06 monthly is not signed off") {
		t.Fatalf("the version 13 function: %v", err)
	}
	if err := owner.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "retire_audit") {
		t.Errorf("integrity check of the version 13 store: %v", err)
	}
	if _, err := Open(ctx, qaURL, Options{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has schema version 13 and this caseaudit needs %d", store.SchemaVersion)) {
		t.Fatalf("the QA login opening the store before its upgrade: %v", err)
	}
	upgraded, _ := openAt(t, where, "QA Officer")
	if err := upgraded.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check after the owner's open: %v", err)
	}
	same(unsigned, err0(qa.Retire(ctx, RetireRequest{Audits: []string{unsigned}, Person: qaLead})), notSigned)
}

// errText is err's message, "" for none.
func errText(err error) string {
	if err == nil {
		return ""
	}
	return err.Error()
}

// err0 is the error of a call returning a value and an error.
func err0[T any](_ T, err error) error { return err }
