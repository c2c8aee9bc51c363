package store

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/stdlib"
)

// A store's role names: plain where the schema and database make a short
// identifier, shortened with a hash where they do not, and never longer
// than PostgreSQL keeps (63 bytes), whatever the database is called.
func TestRolePrefix(t *testing.T) {
	for _, c := range []struct{ db, schema, want string }{
		{"casefiles", "caseaudit", "caseaudit_casefiles"},
		{"Children's Services", "caseaudit", "caseaudit_children_s_services_"}, // a hash of what was lost
		{"casefiles", "audit_2026", "audit_2026_casefiles"},
	} {
		got := rolePrefix(c.db, c.schema, false)
		if !strings.HasPrefix(got, c.want) {
			t.Errorf("rolePrefix(%q, %q) = %q; want it to start %q", c.db, c.schema, got, c.want)
		}
	}
	if got := rolePrefix("casefiles", "caseaudit", false); got != "caseaudit_casefiles" {
		t.Errorf("a plain name got %q", got)
	}
	// Sanitised names hash what they lost, so "a b" and "a_b" differ.
	if a, b := rolePrefix("a b", "s", false), rolePrefix("a_b", "s", false); a == b {
		t.Errorf("two databases share the role prefix %q", a)
	}
	long := strings.Repeat("x", 63)
	p1, p2 := rolePrefix(long+"1", long, false), rolePrefix(long+"2", long, false)
	if p1 == p2 {
		t.Errorf("two long names share the prefix %q", p1)
	}
	for _, p := range []string{p1, p2, rolePrefix("casefiles", "caseaudit", true)} {
		for _, g := range storeGroups {
			if n := len(p + "_" + g); n > 63 {
				t.Errorf("the role %s_%s is %d bytes long; PostgreSQL keeps 63", p, g, n)
			}
		}
	}
	if a, b := rolePrefix("casefiles", "caseaudit", false), rolePrefix("casefiles", "caseaudit", true); a == b {
		t.Errorf("a taken prefix is not changed: %q", a)
	}
}

// pgLoginIn makes a login role that is a member of the role named and
// returns the store's URL as that login, and the role.
func pgLoginIn(t *testing.T, where, group string) (string, string) {
	t.Helper()
	admin := pgAdminDB(t)
	role := randomRole(t)
	if _, err := admin.Exec("CREATE ROLE " + quoteIdent(role) + " LOGIN PASSWORD 'pw" + role + "'"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("GRANT " + quoteIdent(group) + " TO " + quoteIdent(role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP OWNED BY " + quoteIdent(role))
		admin.Exec("DROP ROLE " + quoteIdent(role))
	})
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(role, "pw"+role)
	return u.String(), role
}

// pgLoginAs makes a login role in the store's group role for group
// (GroupQA, GroupAuditor, GroupGovernance) and returns the store's URL as
// that login, and the role.
func pgLoginAs(t *testing.T, where, group string) (string, string) {
	t.Helper()
	return pgLoginIn(t, where, storeRole(t, where, group))
}

func randomRole(t *testing.T) string {
	return fmt.Sprintf("p_%d", time.Now().UnixNano())
}

// A store made before roles were per store (its meta has no role prefix,
// its guards and grants name the server-wide caseaudit_qa and
// caseaudit_auditor): its members keep working; verify says its roles are
// shared with every such store; store init gives it roles of its own,
// makes every member of the server-wide roles a member of the store's own,
// and leaves the server-wide roles nothing in it, so that a login given
// caseaudit_auditor afterwards (for another store) cannot even read it.
func TestStoreInitGivesAnOldStoreRolesOfItsOwn(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	admin := pgAdminDB(t)
	schema := mustSchema(t, where)
	old := pgNames{schema: schema, prefix: legacyPrefix}
	for _, g := range storeGroups {
		// The server-wide roles are shared by every test; made once, never dropped.
		admin.Exec("CREATE ROLE " + quoteIdent(old.role(g)) + " NOLOGIN")
	}
	// The store as the previous release left it.
	newRoles := []string{storeRole(t, where, GroupQA), storeRole(t, where, GroupAuditor), storeRole(t, where, GroupGovernance)}
	for _, q := range []string{
		"DELETE FROM " + quoteIdent(schema) + ".meta WHERE key = 'role_prefix'",
		guardsSQL(old),
		grantsSQL(old, SchemaVersion, nil),
		"REVOKE ALL ON ALL TABLES IN SCHEMA " + quoteIdent(schema) + " FROM " + strings.Join(quoteAll(newRoles), ", "),
		"REVOKE ALL ON SCHEMA " + quoteIdent(schema) + " FROM " + strings.Join(quoteAll(newRoles), ", "),
		"REVOKE ALL ON ALL FUNCTIONS IN SCHEMA " + quoteIdent(schema) + " FROM " + strings.Join(quoteAll(newRoles), ", "),
		"DROP ROLE " + strings.Join(quoteAll(newRoles), ", "),
	} {
		if _, err := admin.Exec(q); err != nil {
			t.Fatalf("%.80s: %v", q, err)
		}
	}
	qaURL, qaLogin := pgLoginIn(t, where, old.role(GroupQA))
	audURL, audLogin := pgLoginIn(t, where, old.role(GroupAuditor))
	qa, err := Open(ctx, qaURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer qa.Close()
	id := newAudit(t, qa, "june", 2)
	appendAs := func(where, kind string) error {
		s, err := Open(ctx, where, Options{})
		if err != nil {
			return err
		}
		defer s.Close()
		return s.Write(ctx, "appending", func(w *WriteTx) error {
			c, err := w.Chain(ctx, id, "june")
			if err != nil {
				return err
			}
			_, err = c.Append(ctx, Draft{Kind: kind, Case: "CR-1", Actor: "B. Evans", At: t0, Payload: map[string]any{"grade": "Good"}})
			return err
		})
	}
	if err := appendAs(audURL, "finding"); err != nil {
		t.Fatalf("an auditor of the old store recording: %v", err)
	}
	owner, err := Open(ctx, where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	if err := owner.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "cluster-wide caseaudit_qa and caseaudit_auditor") {
		t.Errorf("verify on a store with the server-wide roles: %v", err)
	}

	res, err := InitPostgres(ctx, where)
	if err != nil {
		t.Fatal(err)
	}
	dropStoreAfter(t, schema, res.Roles)
	if !res.RevokedLegacy || res.Role(GroupQA) == "caseaudit_qa" || !strings.HasPrefix(res.Role(GroupQA), schema+"_") {
		t.Fatalf("store init on an old store: %+v", res)
	}
	moved := map[string]string{}
	for _, m := range res.Migrated {
		moved[m.Login] = m.To
	}
	if moved[qaLogin] != res.Role(GroupQA) || moved[audLogin] != res.Role(GroupAuditor) {
		t.Errorf("members moved: %v; want %s → %s and %s → %s", res.Migrated, qaLogin, res.Role(GroupQA), audLogin, res.Role(GroupAuditor))
	}
	if err := appendAs(audURL, "correction"); err != nil {
		t.Errorf("the auditor after store init: %v", err)
	}
	if err := appendAs(qaURL, "allocation"); err != nil {
		t.Errorf("QA after store init: %v", err)
	}
	if err := owner.IntegrityCheck(ctx); err != nil {
		t.Errorf("verify after store init: %v", err)
	}
	// Someone made an auditor of another store through the server-wide
	// role now gets nothing here.
	otherURL, _ := pgLoginIn(t, where, old.role(GroupAuditor))
	if s, err := Open(ctx, otherURL, Options{}); !errors.Is(err, ErrDuty) {
		s.Close()
		t.Errorf("a new member of caseaudit_auditor opening the store: %v", err)
	}
	// Running init again changes nothing and moves no one.
	res2, err := InitPostgres(ctx, where)
	if err != nil {
		t.Fatal(err)
	}
	if len(res2.Migrated) > 0 || res2.RevokedLegacy || res2.Role(GroupQA) != res.Role(GroupQA) {
		t.Errorf("store init again: %+v", res2)
	}
}

func quoteAll(names []string) []string {
	out := make([]string, len(names))
	for i, n := range names {
		out[i] = quoteIdent(n)
	}
	return out
}

func mustSchema(t *testing.T, where string) string {
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	return u.Query().Get("schema")
}

// The free text's tables are guarded like the trail: a trigger dropped,
// disabled or replaced, a privilege granted beyond what the store expects
// or one taken away, is named by verify, and store init puts it back.
func TestTextGuardsAndGrantsChecked(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	s, err := Open(ctx, where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	aud, gov := storeRole(t, where, GroupAuditor), storeRole(t, where, GroupGovernance)
	for _, q := range []string{
		"DROP TRIGGER trail_text_erase_only ON trail_text",
		"ALTER TABLE trail_redaction DISABLE TRIGGER trail_redaction_no_change",
		"DROP TRIGGER trail_text_redact_duty ON trail_text",
		"CREATE OR REPLACE FUNCTION text_erase_only() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$",
		"GRANT DELETE ON trail_text TO " + quoteIdent(aud),
		"GRANT UPDATE (text) ON trail_text TO " + quoteIdent(aud),
		"GRANT SELECT ON trail_text TO PUBLIC",
		"REVOKE INSERT ON trail_redaction FROM " + quoteIdent(gov),
	} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err = s.IntegrityCheck(ctx)
	for _, want := range []string{
		"the trigger trail_text_erase_only on trail_text is missing",
		"the trigger trail_redaction_no_change on trail_redaction is disabled",
		"the trigger trail_text_redact_duty on trail_text is missing",
		"the function text_erase_only has been changed",
		"the role " + aud + ", DELETE on trail_text",
		"the role " + aud + ", UPDATE on the column trail_text.text",
		"every login (PUBLIC), SELECT on trail_text",
		"missing: the role " + gov + ", INSERT on trail_redaction",
	} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("verify does not say %q: %v", want, err)
		}
	}
	if _, err := InitPostgres(ctx, where); err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("after store init: %v", err)
	}
}

// A write kept waiting by another session's lock says who holds it (the
// login, its name in the people list, since when, in what application),
// then gives up after the lock timeout with a one-line message naming
// them. The holder is a real second connection, a person's psql session
// left in a transaction.
func TestWaitNamesTheLockHolder(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	owner, err := Open(ctx, where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	id := newAudit(t, owner, "june", 1)
	holderURL, holder := pgLoginAs(t, where, GroupAuditor)
	qaURL, qaLogin := pgLoginAs(t, where, GroupQA)
	if err := owner.Write(ctx, "adding", func(w *WriteTx) error {
		if _, err := w.AppendPersonChange(ctx, PersonAdd, qaLogin, "Q. Lead", []string{"qa"}, t0); err != nil {
			return err
		}
		_, err := w.AppendPersonChange(ctx, PersonAdd, holder, "B. Evans", []string{"auditor"}, t0)
		return err
	}); err != nil {
		t.Fatal(err)
	}

	// The holder: psql, as B. Evans, in a transaction holding the lock.
	ht, err := parsePostgres(holderURL, 0)
	if err != nil {
		t.Fatal(err)
	}
	cfg := ht.config
	cfg.RuntimeParams["application_name"] = "psql"
	hdb := stdlib.OpenDB(*cfg)
	defer hdb.Close()
	htx, err := hdb.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer htx.Rollback()
	if _, err := htx.Exec("SELECT pg_advisory_xact_lock($1, $2)", lockSpace(mustSchema(t, where)), int32(id)); err != nil {
		t.Fatal(err)
	}

	write := func(s *Store) error {
		return s.Write(ctx, "recording a finding in", func(w *WriteTx) error {
			_, err := w.Chain(ctx, id, "june")
			return err
		})
	}
	for _, c := range []struct {
		name, where string
		since       string // what the messages say of when
	}{
		// The owner (the administrator who ran store init) may see when
		// the holder's transaction began only if the server lets it;
		// another person's login never does, and is told so.
		{"qa", qaURL, "since a time this login may not see"},
	} {
		var said []string
		s, err := Open(ctx, c.where, Options{BusyTimeout: 700 * time.Millisecond, Waiting: func(m string) { said = append(said, m) }})
		if err != nil {
			t.Fatal(err)
		}
		t0 := time.Now()
		err = write(s)
		s.Close()
		if !errors.Is(err, ErrBusy) {
			t.Fatalf("%s: a write behind another's lock: %v", c.name, err)
		}
		if time.Since(t0) < 700*time.Millisecond {
			t.Errorf("%s: gave up before the lock timeout", c.name)
		}
		if len(said) != 1 {
			t.Fatalf("%s: said while waiting %q; want one line", c.name, said)
		}
		for _, m := range []string{said[0], err.Error()} {
			for _, want := range []string{"B. Evans (login " + holder + ")", `"psql"`, c.since, "server process"} {
				if !strings.Contains(m, want) {
					t.Errorf("%s: %q does not say %q", c.name, m, want)
				}
			}
			if strings.Contains(m, "\n") {
				t.Errorf("%s: more than one line: %q", c.name, m)
			}
		}
		if !strings.Contains(said[0], "waiting for") || !strings.Contains(err.Error(), "lock timeout (700ms)") {
			t.Errorf("%s: %q / %q", c.name, said[0], err)
		}
	}

	// Another caseaudit writing says when it took the lock, in a way every
	// login sees; the waiter names it so.
	htx.Rollback()
	release, held := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	holderStore, err := Open(ctx, holderURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer holderStore.Close()
	go func() {
		done <- holderStore.Write(ctx, "holding", func(w *WriteTx) error {
			if _, err := w.Chain(ctx, id, "june"); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	var said []string
	qa, err := Open(ctx, qaURL, Options{BusyTimeout: 500 * time.Millisecond, Waiting: func(m string) { said = append(said, m) }})
	if err != nil {
		t.Fatal(err)
	}
	err = write(qa)
	qa.Close()
	close(release)
	if e := <-done; e != nil {
		t.Fatal(e)
	}
	today := time.Now().UTC().Format("2006-01-02")
	if !errors.Is(err, ErrBusy) || len(said) != 1 || !strings.Contains(said[0], "B. Evans (login "+holder+"), since "+today) ||
		!strings.Contains(said[0], `in "caseaudit"`) || !strings.Contains(err.Error(), "since "+today) {
		t.Errorf("waiting for another caseaudit: said %q, then %v", said, err)
	}
	// Once the holder is gone, the write goes through.
	qa, err = Open(ctx, qaURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer qa.Close()
	if err := write(qa); err != nil {
		t.Errorf("after the holder ended: %v", err)
	}
}

// Roles of the plain name that another store's comment claims are left
// to it: the new store's names get a hash. A role of the plain name with
// no comment (an administrator made it for a login without CREATEROLE) is
// the store's.
func TestStoreInitLeavesAnotherStoresRoles(t *testing.T) {
	ctx := context.Background()
	admin := pgAdminDB(t)
	var db string
	if err := admin.QueryRow("SELECT current_database()").Scan(&db); err != nil {
		t.Fatal(err)
	}
	u, err := url.Parse(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	for i, claimed := range []bool{true, false} {
		schema := fmt.Sprintf("s_claimed_%d_%d", i, time.Now().UnixNano())
		plain := rolePrefix(db, schema, false) + "_" + GroupQA
		if _, err := admin.Exec("CREATE ROLE " + quoteIdent(plain) + " NOLOGIN"); err != nil {
			t.Fatal(err)
		}
		if claimed {
			if _, err := admin.Exec("COMMENT ON ROLE " + quoteIdent(plain) + " IS " + quoteLiteral(roleComment("another", schema, GroupQA))); err != nil {
				t.Fatal(err)
			}
		}
		q := u.Query()
		q.Set("schema", schema)
		u.RawQuery = q.Encode()
		res, err := InitPostgres(ctx, u.String())
		if err != nil {
			t.Fatal(err)
		}
		dropStoreAfter(t, schema, append(res.Roles, plain))
		switch {
		case claimed && (res.Role(GroupQA) == plain || !strings.HasPrefix(res.Role(GroupQA), rolePrefix(db, schema, false)+"_")):
			t.Errorf("another store's role %s: the new store's QA role is %s", plain, res.Role(GroupQA))
		case !claimed && (res.Role(GroupQA) != plain || slices.Contains(res.RolesCreated, plain)):
			t.Errorf("a role made for the store, %s: the store's QA role is %s (created: %v)", plain, res.Role(GroupQA), res.RolesCreated)
		}
	}
}
