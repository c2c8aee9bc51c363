package main

import (
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdPgdate sets an environment variable of the story to the date (UTC,
// yyyy-mm-dd) by the clock of the test server at base, for a story to
// check what the server's clock dated:
//
//	pgdate VAR
func cmdPgdate(base string) func(ts *testscript.TestScript, neg bool, args []string) {
	return func(ts *testscript.TestScript, neg bool, args []string) {
		if neg || len(args) != 1 {
			ts.Fatalf("usage: pgdate VAR")
		}
		cfg, err := pgx.ParseConfig(base)
		ts.Check(err)
		db := stdlib.OpenDB(*cfg)
		defer db.Close()
		var at time.Time
		ts.Check(db.QueryRow("SELECT pg_catalog.clock_timestamp()").Scan(&at))
		ts.Setenv(args[0], at.UTC().Format(time.DateOnly))
	}
}
