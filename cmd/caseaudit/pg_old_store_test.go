package main

import (
	"context"
	"strconv"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/rogpeppe/go-internal/testscript"
)

// cmdPgOldStore makes a PostgreSQL store as an older caseaudit left it,
// at schema version VERSION (the migrations up to it are the ones that
// release ran), so that a story meets its upgrade:
//
//	pgoldstore VERSION URL
func cmdPgOldStore(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) != 2 {
		ts.Fatalf("usage: pgoldstore VERSION URL")
	}
	v, err := strconv.Atoi(args[0])
	ts.Check(err)
	_, err = store.InitPostgresVersion(context.Background(), args[1], v)
	ts.Check(err)
}
