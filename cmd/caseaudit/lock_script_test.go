package main

import (
	"context"
	"database/sql"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
	_ "modernc.org/sqlite"
)

// sqliteLocks are the write locks stories hold on SQLite files, by path.
var sqliteLocks = struct {
	sync.Mutex
	held map[string]*sql.DB
}{held: map[string]*sql.DB{}}

// cmdSqlitelock holds an SQLite store's write lock, as another caseaudit
// writing would, until "sqlitelock -release FILE" or the story ends:
//
//	sqlitelock caseaudit.db
//	exits 1 caseaudit record … --lock-timeout 300ms
//	sqlitelock -release caseaudit.db
//
// The lock is held by this test process, so the caseaudit a story runs
// meets it as another program's.
func cmdSqlitelock(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) == 0 || len(args) > 2 || len(args) == 2 && args[0] != "-release" {
		ts.Fatalf("usage: sqlitelock [-release] FILE")
	}
	path := ts.MkAbs(args[len(args)-1])
	sqliteLocks.Lock()
	defer sqliteLocks.Unlock()
	if len(args) == 2 {
		db := sqliteLocks.held[path]
		if db == nil {
			ts.Fatalf("sqlitelock: %s is not locked", path)
		}
		db.Close()
		delete(sqliteLocks.held, path)
		return
	}
	db, err := sql.Open("sqlite", path)
	ts.Check(err)
	db.SetMaxOpenConns(1)
	// One connection, kept: BEGIN IMMEDIATE takes the write lock and holds
	// it until the connection closes.
	_, err = db.ExecContext(context.Background(), "BEGIN IMMEDIATE")
	ts.Check(err)
	sqliteLocks.held[path] = db
	ts.Defer(func() {
		sqliteLocks.Lock()
		defer sqliteLocks.Unlock()
		if sqliteLocks.held[path] == db {
			db.Close()
			delete(sqliteLocks.held, path)
		}
	})
}
