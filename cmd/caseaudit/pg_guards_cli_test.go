package main

import (
	"context"
	"os"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
)

// pgBase is the test server, or the test is skipped (failed under CI).
func pgBase(t *testing.T) string {
	t.Helper()
	base := os.Getenv("CASEAUDIT_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CASEAUDIT_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (.ci/run starts a server)")
		}
		t.Skip("no PostgreSQL server: set CASEAUDIT_TEST_POSTGRES (eval \"$(.ci/postgres start)\") to run the PostgreSQL tests")
	}
	return base
}

// pgMatrixStore makes the duties matrix's fixture for logins of the given
// database groups (by role key: qa, auditor, other, moderator) and copies
// it into a new PostgreSQL store, whose URL it returns (as its owner).
func pgMatrixStore(t *testing.T, groups map[string]string) (*matrixPostgres, *matrixFixture, map[string]string, string) {
	t.Helper()
	base := pgBase(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	t.Setenv("CASEAUDIT_DB", "")
	t.Setenv("CASEAUDIT_USER", "")
	pg := newMatrixPostgres(t, base)
	logins := map[string]string{}
	for _, r := range []string{"qa", "auditor", "other", "moderator"} {
		logins[r] = pg.login(t, groups[r])
	}
	fx, path := buildMatrixFixture(t, logins)
	where := pg.store(t)
	if code, _, errs := runCmd(t, "store", "copy", path, where); code != 0 {
		t.Fatalf("store copy: %s", errs)
	}
	return pg, fx, logins, where
}

// What the database's own guards refuse reads as the duties check's own
// refusal: one line naming the duty's rule and who may do it, then the
// database's reason, exit 5, nothing changed. Here the people list says
// B. Evans audits, but her login was given the store's governance role,
// not its auditor role: caseaudit's check lets her finding through, and
// the trigger on the trail refuses it.
func TestPostgresGuardRefusalReadsAsRefusal(t *testing.T) {
	pg, fx, logins, where := pgMatrixStore(t, map[string]string{
		"qa": store.GroupQA, "auditor": store.GroupGovernance, "other": store.GroupAuditor, "moderator": store.GroupAuditor})
	before := fingerprint(t, where)
	mine := fx.casesOf["B. Evans"][2]
	code, out, errs := runCmd(t, "--db", pg.as(t, where, logins["auditor"]), "record", "September", mine,
		"--grade", "good", "--immediate", "no", "--auditor", "B. Evans", "--note", "seen")
	if code != exitDuty {
		t.Fatalf("a finding the database refuses: exit %d, want %d\n%s%s", code, exitDuty, out, errs)
	}
	line := strings.TrimSpace(errs)
	t.Log(line)
	if strings.Contains(line, "\n") {
		t.Errorf("more than one line: %q", errs)
	}
	for _, want := range []string{
		"caseaudit: refused: B. Evans (auditor) may not record a finding: an auditor records findings only on the cases allocated to her, under her own name; QA may record for anyone; the people list allows it, so ask the store's administrator to give the login the store role the database names; ",
		"; the store's database refused it: the login " + logins["auditor"] + " may not record entries of kind finding in this store; that needs the role ",
		"_auditor or ",
	} {
		if !strings.Contains(line, want) {
			t.Errorf("the refusal %q does not say %q", line, want)
		}
	}
	if strings.Contains(line, "SQLSTATE") || strings.Contains(line, "caseaudit: caseaudit") {
		t.Errorf("a driver's error: %q", line)
	}
	if after := fingerprint(t, where); after != before {
		t.Errorf("the refused finding changed the store:\nbefore %s\nafter  %s", before, after)
	}

	// A login on the list as an auditor only, whose database role is QA's,
	// is refused QA's duties by caseaudit's check first, in the same words.
	code, _, errs = runCmd(t, "--db", pg.as(t, where, logins["auditor"]), "people", "add", "someone", "--name", "S. One", "--role", "auditor")
	if code != exitDuty || !strings.HasPrefix(errs, "caseaudit: refused: B. Evans (auditor) may not manage the people list: only QA manages people (logins, names, roles); ask Q. Lead") {
		t.Errorf("people add by an auditor: exit %d: %s", code, errs)
	}
}

// A write kept waiting by another's lock says who holds it, then gives up
// after --lock-timeout with one line naming them (exit 1, as every busy
// store), and records nothing. The holder is A. Khan's caseaudit, in the
// middle of a write to the same audit.
func TestPostgresLockTimeoutNamesTheHolder(t *testing.T) {
	pg, fx, logins, where := pgMatrixStore(t, map[string]string{
		"qa": store.GroupQA, "auditor": store.GroupAuditor, "other": store.GroupAuditor, "moderator": store.GroupAuditor})

	ctx := context.Background()
	holder, err := store.Open(ctx, pg.as(t, where, logins["other"]), store.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	held, release, done := make(chan struct{}), make(chan struct{}), make(chan error, 1)
	go func() {
		done <- holder.Write(ctx, "holding", func(w *store.WriteTx) error {
			a, err := w.Audit(ctx, "September")
			if err != nil {
				return err
			}
			if _, err := w.Chain(ctx, a.ID, a.Name); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	select {
	case <-held:
	case err := <-done:
		t.Fatalf("the holder: %v", err)
	}
	before := fingerprint(t, where)
	theirs := fx.casesOf["A. Khan"][2]
	code, out, errs := runCmd(t, "--db", pg.as(t, where, logins["qa"]), "--lock-timeout", "1500ms", "record", "September", theirs,
		"--grade", "good", "--immediate", "no", "--auditor", "A. Khan", "--note", "seen")
	close(release)
	if err := <-done; err != nil {
		t.Fatalf("the holder: %v", err)
	}
	if code != exitError {
		t.Fatalf("a write behind another's lock: exit %d, want %d\n%s%s", code, exitError, out, errs)
	}
	lines := strings.Split(strings.TrimSpace(errs), "\n")
	t.Log(errs)
	if len(lines) != 2 {
		t.Fatalf("want the wait and the giving up, one line each: %q", errs)
	}
	who := "A. Khan (login " + logins["other"] + ")"
	if !strings.HasPrefix(lines[0], "waiting for "+who) || !strings.Contains(lines[0], "(up to 1.5s)") {
		t.Errorf("the wait: %q", lines[0])
	}
	for _, want := range []string{"caseaudit: the store ", " is busy: " + who, "longer than the lock timeout (1.5s)", "--lock-timeout"} {
		if !strings.Contains(lines[1], want) {
			t.Errorf("%q does not say %q", lines[1], want)
		}
	}
	if after := fingerprint(t, where); after != before {
		t.Errorf("the write that gave up changed the store:\nbefore %s\nafter  %s", before, after)
	}
	// Once the holder is done, the same command records it.
	if code, _, errs := runCmd(t, "--db", pg.as(t, where, logins["qa"]), "--lock-timeout", "1500ms", "record", "September", theirs,
		"--grade", "good", "--immediate", "no", "--auditor", "A. Khan", "--note", "seen"); code != 0 {
		t.Errorf("after the holder finished: exit %d: %s", code, errs)
	}
}
