package audit

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The PostgreSQL tests need a server: CASEAUDIT_TEST_POSTGRES names it, as a
// URL whose role may create roles and owns the database (.ci/postgres starts
// a throwaway one; see the README). Without it they skip, unless CI=true,
// where they must run. Each test gets a schema of its own, dropped after it.

const envPostgres = "CASEAUDIT_TEST_POSTGRES"

// pgServer returns the test server's URL, or skips (fails under CI).
func pgServer(t testing.TB) string {
	t.Helper()
	u := os.Getenv(envPostgres)
	if u == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: CI must run the PostgreSQL tests (.ci/run starts a server)", envPostgres)
		}
		t.Skipf("no PostgreSQL server: set %s (eval \"$(.ci/postgres start)\") to run the PostgreSQL tests", envPostgres)
	}
	return u
}

// withParam returns the URL with a query parameter set.
func withParam(t testing.TB, raw, key, value string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set(key, value)
	u.RawQuery = q.Encode()
	return u.String()
}

// withUser returns the URL with another user and password.
func withUser(t testing.TB, raw, user, password string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.UserPassword(user, password)
	return u.String()
}

func randomName(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// pgAdmin opens the test server as its administrator (outside any store
// schema).
func pgAdmin(t testing.TB) *sql.DB {
	t.Helper()
	return pgAdminOn(t, pgServer(t))
}

// pgAdminOn opens the server at base as its administrator.
func pgAdminOn(t testing.TB, base string) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// pgStore makes a new PostgreSQL store (a schema of its own, made with
// store.InitPostgres) and returns its URL; the schema is dropped after the test.
func pgStore(t testing.TB) string {
	t.Helper()
	return pgStoreVersion(t, store.SchemaVersion)
}

func pgStoreVersion(t testing.TB, version int) string {
	t.Helper()
	return pgStoreOn(t, pgServer(t), version)
}

// pgStoreOn makes a new store of the given schema version on the server at
// base.
func pgStoreOn(t testing.TB, base string, version int) string {
	t.Helper()
	schema := randomName("t_")
	where := withParam(t, base, "schema", schema)
	res, err := store.InitPostgresVersion(context.Background(), where, version)
	if err != nil {
		t.Fatalf("store init: %v", err)
	}
	admin := pgAdminOn(t, base)
	t.Cleanup(func() {
		if _, err := admin.Exec("DROP SCHEMA " + quoteIdent(schema) + " CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", schema, err)
		}
		for _, r := range res.Roles {
			if _, err := admin.Exec("DROP ROLE IF EXISTS " + quoteIdent(r)); err != nil {
				t.Logf("dropping role %s: %v", r, err)
			}
		}
	})
	return where
}

// storeRole is the name of the store's group role for group
// (store.GroupQA, GroupAuditor, GroupGovernance), from its meta.
func storeRole(t testing.TB, where, group string) string {
	t.Helper()
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("schema")
	if schema == "" {
		schema = store.DefaultPostgresSchema
	}
	var prefix string
	if err := pgAdmin(t).QueryRow("SELECT value FROM " + quoteIdent(schema) + ".meta WHERE key = 'role_prefix'").Scan(&prefix); err != nil {
		t.Fatalf("the role prefix of %s: %v", schema, err)
	}
	return prefix + "_" + group
}

// pgLogin makes a login role that is a member of the store's group role
// for group (store.GroupQA, GroupAuditor, GroupGovernance) and returns the
// store URL as that login; the role is dropped after the test.
func pgLogin(t testing.TB, where, group string) (string, string) {
	t.Helper()
	admin := pgAdmin(t)
	role := randomName("p_")
	pw := randomName("pw")
	if _, err := admin.Exec("CREATE ROLE " + quoteIdent(role) + " LOGIN PASSWORD '" + pw + "'"); err != nil {
		t.Fatal(err)
	}
	if _, err := admin.Exec("GRANT " + quoteIdent(storeRole(t, where, group)) + " TO " + quoteIdent(role)); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		admin.Exec("DROP OWNED BY " + quoteIdent(role))
		admin.Exec("DROP ROLE " + quoteIdent(role))
	})
	return withUser(t, where, role, pw), role
}

// backendCase is one backend the contract tests run on.
type backendCase struct {
	name string
	// new returns the location of a new, empty store of this backend.
	new func(t *testing.T) string
}

var backends = []backendCase{
	{"sqlite", func(t *testing.T) string { return t.TempDir() + "/caseaudit.db" }},
	{"postgres", func(t *testing.T) string { return pgStore(t) }},
}

// eachBackend runs fn once per backend, as subtests.
func eachBackend(t *testing.T, fn func(t *testing.T, where string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { fn(t, b.new(t)) })
	}
}

// openAt opens the store at where with a test clock and closes it after
// the test.
func openAt(t testing.TB, where string, actor string) (*Store, *testClock) {
	t.Helper()
	clock := newClock()
	s, err := Open(context.Background(), where, Options{Clock: clock.now, Actor: actor})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// rawExec runs statements on the store's own connection (as its login).
func rawExec(s *Store, stmts ...string) error {
	for _, q := range stmts {
		if _, err := s.st.DB().Exec(q); err != nil {
			return err
		}
	}
	return nil
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }
