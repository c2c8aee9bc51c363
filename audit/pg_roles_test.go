package audit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// TestPostgresRoles: an auditor's login records findings and nothing else;
// it cannot change the trail (no grant, and the triggers besides); no one
// enters an entry under another login; a QA login samples and allocates.
func TestPostgresRoles(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	audURL, audRole := pgLogin(t, where, store.GroupAuditor)

	qa, _ := openAt(t, qaURL, "qa.officer")
	if qa.EnteredBy() != qaRole {
		t.Fatalf("entered by %q; want the login %q", qa.EnteredBy(), qaRole)
	}
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(6)); err != nil {
		t.Fatalf("QA creating an audit: %v", err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"A. Khan", "B. Evans"}, AllocationRules{}); err != nil {
		t.Fatalf("QA allocating: %v", err)
	}

	aud, _ := openAt(t, audURL, "b.evans")
	r, err := aud.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Inadequate, Immediate: true, Date: "2026-07-01"})
	if err != nil {
		t.Fatalf("auditor recording: %v", err)
	}
	if r.Entry.EnteredBy != audRole || r.Action == nil {
		t.Fatalf("recorded %+v; want entered by %s and an action opened", r, audRole)
	}
	// A correction that closes the action automatically is the auditor's too.
	if _, err := aud.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Reason: "misread", Date: "2026-07-01"}); err != nil {
		t.Fatalf("auditor correcting: %v", err)
	}
	// What the auditor may not do.
	if _, err := aud.Allocate(ctx, "a", []string{"B. Evans"}, AllocationRules{}); err == nil || !strings.Contains(err.Error(), storeRole(t, where, store.GroupQA)) {
		t.Errorf("auditor allocating: %v", err)
	}
	if _, err := aud.CreateAudit(ctx, testAudit("mine"), testCases(2)); err == nil || !strings.Contains(err.Error(), storeRole(t, where, store.GroupQA)) {
		t.Errorf("auditor creating an audit: %v", err)
	}
	if _, err := aud.DrawModeration(ctx, "a", 1, "1"); err == nil {
		t.Error("auditor drew a moderation sample")
	}
	for _, q := range []string{
		"UPDATE trail SET actor = 'someone else'",
		"DELETE FROM trail",
		"TRUNCATE trail",
		"UPDATE audit SET seed = '1'",
		"DELETE FROM sampled_case",
	} {
		err := rawExec(aud, q)
		if err == nil || !strings.Contains(err.Error(), "permission denied") {
			t.Errorf("auditor: %s: %v; want permission denied", q, err)
		}
	}
	// Entering an entry under someone else's login: refused by the database.
	e, _ := qa.Trail(ctx, "a")
	last := e[len(e)-1]
	payload := `{"grade":"Good","immediate":false,"note":""}`
	at := store.FormatTime(time.Now())
	for _, by := range []string{qaRole, "", "someone"} {
		h, _ := entryHash(last.Hash, "a", last.Seq+1, KindFinding, "CR-0000002", "A. Khan", by, at, []byte(payload))
		_, err := aud.st.DB().Exec("INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (1, $1, 'finding', 'CR-0000002', 'A. Khan', $2, $3, $4, $5, $6)",
			last.Seq+1, at, payload, last.Hash, h, by)
		if err == nil || !strings.Contains(err.Error(), "cannot be made by the login") {
			t.Errorf("entry entered by %q under the login %s: %v", by, audRole, err)
		}
	}
	// Nor does a well-formed entry go in out of its place in the chain.
	h, _ := entryHash(e[0].Hash, "a", 2, KindFinding, "CR-0000002", "A. Khan", audRole, at, []byte(payload))
	_, err = aud.st.DB().Exec("INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by) VALUES (1, $1, 'finding', 'CR-0000002', 'A. Khan', $2, $3, $4, $5, $6)",
		last.Seq+1, at, payload, e[0].Hash, h, audRole)
	if err == nil || !strings.Contains(err.Error(), "does not follow") {
		t.Errorf("an entry off the chain: %v", err)
	}
	if err := qa.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
	mustVerify(t, qa, "a")

	// Disabling a trigger (the owner could) shows in the integrity check.
	admin, _ := openAt(t, where, "admin")
	if err := rawExec(admin, "ALTER TABLE trail DISABLE TRIGGER trail_no_change"); err != nil {
		t.Fatal(err)
	}
	if err := admin.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "trail_no_change on trail is disabled") {
		t.Errorf("integrity check with a disabled trigger: %v", err)
	}
	if _, err := store.InitPostgres(ctx, where); err != nil {
		t.Fatal(err)
	}
	if err := admin.IntegrityCheck(ctx); err != nil {
		t.Errorf("after store init re-enabled the triggers: %v", err)
	}
}

// TestPostgresRefusesOtherDatabases: a schema that is not a store, a
// newer store, and a missing store are refused untouched.
func TestPostgresRefusesOtherDatabases(t *testing.T) {
	ctx := context.Background()
	base := pgServer(t)
	admin := pgAdmin(t)
	other := randomName("o_")
	if _, err := admin.Exec("CREATE SCHEMA " + other + "; CREATE TABLE " + other + ".contacts (name text); INSERT INTO " + other + ".contacts VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP SCHEMA " + other + " CASCADE") })
	where := withParam(t, base, "schema", other)
	_, err := Open(ctx, where, Options{})
	if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), "is not a caseaudit store") {
		t.Errorf("open a foreign schema: %v", err)
	}
	if _, err := store.InitPostgres(ctx, where); !errors.Is(err, ErrNotStore) {
		t.Errorf("init over a foreign schema: %v", err)
	}
	var n int
	admin.QueryRow("SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = $1", other).Scan(&n)
	if n != 1 {
		t.Errorf("the foreign schema now has %d tables", n)
	}

	missing := withParam(t, base, "schema", randomName("m_"))
	_, err = Open(ctx, missing, Options{})
	if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), "store init") {
		t.Errorf("open a database without a store: %v", err)
	}

	newer := pgStore(t)
	s, _ := openAt(t, newer, "x")
	if err := rawExec(s, "UPDATE meta SET value = '99' WHERE key = 'schema_version'"); err != nil {
		t.Fatal(err)
	}
	_, err = Open(ctx, newer, Options{})
	if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), "newer caseaudit (schema version 99") {
		t.Errorf("open a newer store: %v", err)
	}
	if _, err := store.InitPostgres(ctx, newer); !errors.Is(err, ErrNotStore) {
		t.Errorf("init over a newer store: %v", err)
	}
}

// TestPostgresMigrates: a store of schema version 2 is migrated by its
// owner's first open, and its entries of before verify after; a login that
// does not own it is told who must upgrade it.
func TestPostgresMigrates(t *testing.T) {
	ctx := context.Background()
	where := pgStoreVersion(t, 2)
	qaURL, _ := pgLogin(t, where, store.GroupQA)
	if _, err := Open(ctx, qaURL, Options{}); err == nil || !strings.Contains(err.Error(), "upgrades it with: caseaudit store init") {
		t.Fatalf("open an old store without owning it: %v", err)
	}
	// Write an audit as schema 2 had it (no entered_by), by hand.
	s, _ := openAt(t, where, "qa.officer")
	var v string
	s.st.DB().QueryRow("SELECT value FROM meta WHERE key = 'schema_version'").Scan(&v)
	if v != strconv.Itoa(store.SchemaVersion) {
		t.Fatalf("schema version after the owner's open: %s, want %d", v, store.SchemaVersion)
	}
	if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	mustVerify(t, s, "a")
}

// TestPostgresConnectionErrors: a wrong password, a refused sslmode and a
// database that does not exist each give one line naming the store without
// any password.
func TestPostgresConnectionErrors(t *testing.T) {
	ctx := context.Background()
	base := pgServer(t)
	where := pgStore(t)
	bad := withUser(t, where, "caseaudit_ci", "not-the-password-x9")
	_, err := Open(ctx, bad, Options{})
	if err == nil || strings.Contains(err.Error(), "not-the-password-x9") || strings.ContainsAny(err.Error(), "\n\r") ||
		!strings.Contains(err.Error(), "password") {
		t.Errorf("wrong password: %v", err)
	}
	tls := withParam(t, where, "sslmode", "require")
	_, err = Open(ctx, tls, Options{})
	if err == nil || strings.ContainsAny(err.Error(), "\n\r") || !strings.Contains(err.Error(), "cannot connect to the store") {
		t.Errorf("sslmode=require against a server without TLS: %v", err)
	}
	u := strings.Replace(base, "/caseaudit_ci?", "/no_such_db_x?", 1)
	_, err = Open(ctx, u, Options{})
	if err == nil || strings.ContainsAny(err.Error(), "\n\r") || !strings.Contains(err.Error(), "no_such_db_x") {
		t.Errorf("no such database: %v", err)
	}
}

// TestPostgresConnectionLost: the connection is cut in the middle of an
// import's transaction. The server rolls it back; the error is one line
// saying to run the command again; running it again records every finding
// once, and once more records nothing.
func TestPostgresConnectionLost(t *testing.T) {
	ctx := context.Background()
	where := withParam(t, pgStore(t), "application_name", "caseaudit-cut")
	s, _ := openAt(t, where, "qa.officer")
	if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(30)); err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	b.WriteString(csvHeader)
	for i, c := range testCases(30) {
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,A. Khan,Good,No,ok,2026-07-01\n", i+1, c.ID, c.Fields[0], c.Fields[1], c.Fields[2])
	}
	p := writeCSV(t, b.String())
	admin := pgAdmin(t)
	_, err := Import(ctx, s, "a", p, ImportOptions{Progress: func(n int) {
		if n == 10 {
			if _, err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'caseaudit-cut%'"); err != nil {
				t.Error(err)
			}
		}
	}})
	if err == nil || strings.ContainsAny(err.Error(), "\n\r") || !strings.Contains(err.Error(), "was lost while importing findings into it") ||
		!strings.Contains(err.Error(), "run the same command again") {
		t.Fatalf("import cut off: %v", err)
	}
	if fs, err := s.Findings(ctx, "a", false); err != nil || len(fs) != 0 {
		t.Fatalf("after the cut: %d findings, %v; want none (rolled back)", len(fs), err)
	}
	res, err := Import(ctx, s, "a", p, ImportOptions{})
	if err != nil || res.Recorded != 30 {
		t.Fatalf("import again: %+v %v", res, err)
	}
	res, err = Import(ctx, s, "a", p, ImportOptions{})
	if err != nil || res.Unchanged != 30 {
		t.Fatalf("import once more: %+v %v", res, err)
	}
	mustVerify(t, s, "a")
}
