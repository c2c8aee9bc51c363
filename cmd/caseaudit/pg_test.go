package main

import (
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/rogpeppe/go-internal/testscript"
)

// TestPostgresScripts runs the stories in testdata/pgscript against a
// PostgreSQL server (CASEAUDIT_TEST_POSTGRES; see the README): each story
// gets a store of its own (a new schema, dropped after it) in CASEAUDIT_DB,
// and makes it with caseaudit store init. Without a server they skip,
// unless CI=true.
func TestPostgresScripts(t *testing.T) {
	base := os.Getenv("CASEAUDIT_TEST_POSTGRES")
	if base == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CASEAUDIT_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (.ci/run starts a server)")
		}
		t.Skip("no PostgreSQL server: set CASEAUDIT_TEST_POSTGRES (eval \"$(.ci/postgres start)\") to run the PostgreSQL tests")
	}
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	// Not deferred: the stories run in parallel after this function returns,
	// and each drops its schema and roles through admin when it ends.
	t.Cleanup(func() { admin.Close() })
	testscript.Run(t, testscript.Params{
		Dir:                 "testdata/pgscript",
		RequireExplicitExec: true,
		Setup: func(e *testscript.Env) error {
			b := make([]byte, 6)
			rand.Read(b)
			schema := "s_" + hex.EncodeToString(b)
			u, err := url.Parse(base)
			if err != nil {
				return err
			}
			q := u.Query()
			q.Set("schema", schema)
			u.RawQuery = q.Encode()
			e.Setenv("CASEAUDIT_DB", u.String())
			// The server and the login, for stories naming another
			// database on it.
			e.Setenv("CASEAUDIT_PG_HOST", u.Host)
			e.Setenv("CASEAUDIT_PG_USER", u.User.Username())
			e.Setenv("CASEAUDIT_PG_DB", strings.TrimPrefix(u.Path, "/"))
			e.Setenv("CASEAUDIT_PG_SCHEMA", schema)
			e.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
			e.Setenv("TZ", "UTC") // dates audited are local calendar dates
			e.Setenv("NO_COLOR", "1")
			for _, k := range []string{"PGPASSFILE", "PGPASSWORD", "PGSERVICE", "PGSERVICEFILE", "HOME"} {
				if v := os.Getenv(k); v != "" && k != "HOME" {
					e.Setenv(k, v)
				}
			}
			e.Defer(func() {
				// The store's group roles are the server's, not the schema's.
				var prefix string
				admin.QueryRow(`SELECT value FROM "` + schema + `".meta WHERE key = 'role_prefix'`).Scan(&prefix)
				admin.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
				for _, g := range []string{store.GroupQA, store.GroupAuditor, store.GroupGovernance} {
					if prefix != "" {
						admin.Exec(`DROP ROLE IF EXISTS "` + prefix + "_" + g + `"`)
					}
				}
			})
			return nil
		},
		Cmds: map[string]func(ts *testscript.TestScript, neg bool, args []string){
			"genexport":  cmdGenexport,
			"fill":       cmdFill,
			"exits":      cmdExits,
			"pgsuper":    cmdPgsuper(base),
			"pgoldstore": cmdPgOldStore,
			"pgdate":     cmdPgdate(base),
			"mkfile":     cmdMkfile,
		},
		Condition: func(cond string) (bool, error) {
			if cond == "pgsuper" {
				return os.Getenv("CASEAUDIT_TEST_POSTGRES_DIR") != "", nil
			}
			return false, fmt.Errorf("unknown condition %q", cond)
		},
	})
}

// cmdPgsuper runs SQL as the server's superuser, over the private socket of
// the throwaway cluster .ci/postgres starts (CASEAUDIT_TEST_POSTGRES_DIR),
// to put the server in the states a store's administrator may leave it in
// (a database not in UTF8, a connection limit, a read-only database):
//
//	pgsuper [-db DATABASE] SQL …
//
// A database, schema or role it creates is dropped after the story, with the
// store roles store init made for the database (dropped first, as
// testscript runs deferred work last first).
func cmdPgsuper(base string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		dir := os.Getenv("CASEAUDIT_TEST_POSTGRES_DIR")
		if neg || dir == "" || len(args) == 0 {
			ts.Fatalf("usage: [pgsuper] pgsuper [-db DATABASE] SQL … (needs the cluster of .ci/postgres start)")
		}
		db := "postgres"
		if args[0] == "-db" && len(args) > 2 {
			db, args = args[1], args[2:]
		}
		u, err := url.Parse(base)
		ts.Check(err)
		conn := func(db string) *sql.DB {
			cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s/sock port=%s user=postgres dbname=%s", dir, u.Port(), db))
			ts.Check(err)
			return stdlib.OpenDB(*cfg)
		}
		c := conn(db)
		defer c.Close()
		for _, q := range args {
			if _, err := c.Exec(q); err != nil {
				ts.Fatalf("pgsuper: %s: %v", q, err)
			}
			f := strings.Fields(q)
			if len(f) >= 3 && strings.EqualFold(f[0], "CREATE") && strings.EqualFold(f[1], "SCHEMA") {
				name, db := f[2], db
				ts.Defer(func() {
					c := conn(db)
					defer c.Close()
					c.Exec(`DROP SCHEMA IF EXISTS "` + name + `" CASCADE`)
				})
			}
			if len(f) >= 3 && strings.EqualFold(f[0], "CREATE") && strings.EqualFold(f[1], "ROLE") {
				name := f[2]
				ts.Defer(func() {
					c := conn("postgres")
					defer c.Close()
					c.Exec(`DROP ROLE IF EXISTS "` + name + `"`)
				})
			}
			if len(f) >= 3 && strings.EqualFold(f[0], "CREATE") && strings.EqualFold(f[1], "DATABASE") {
				name := f[2]
				ts.Defer(func() {
					c := conn("postgres")
					defer c.Close()
					c.Exec(`DROP DATABASE IF EXISTS "` + name + `" WITH (FORCE)`)
					rows, err := c.Query(`SELECT rolname FROM pg_roles WHERE rolname LIKE $1`, "caseaudit\\_"+name+"\\_%")
					if err != nil {
						return
					}
					var roles []string
					for rows.Next() {
						var r string
						if rows.Scan(&r) == nil {
							roles = append(roles, r)
						}
					}
					rows.Close()
					for _, r := range roles {
						c.Exec(`DROP ROLE IF EXISTS "` + r + `"`)
					}
				})
			}
		}
	}
}
