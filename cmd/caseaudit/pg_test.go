package main

import (
	"crypto/rand"
	"encoding/hex"
	"net/url"
	"os"
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
	defer admin.Close()
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
			e.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
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
			"genexport": cmdGenexport,
			"fill":      cmdFill,
			"exits":     cmdExits,
		},
	})
}
