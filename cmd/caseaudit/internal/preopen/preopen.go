// Package preopen starts opening the SQLite store of a `caseaudit record`
// command line while the program is still starting.
//
// Before main runs, Go initialises every package linked into caseaudit one
// after the other (the spreadsheet library's tables and patterns alone take
// about a millisecond), whichever command runs; opening the store takes
// about as long again. Recording one finding from a script, the two need
// not wait for each other: this package's initialisation, which Go runs as
// soon as the store package is ready and before those libraries, asks the
// store package to open the named store on another goroutine (see
// store.Preopen), and the command's own open takes that handle. Only the
// record command is served: it is the one run many times a minute from
// scripts, where a millisecond counts.
package preopen

import (
	"os"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/netfs"
)

func init() {
	path, ok := Target(os.Args[1:], os.Getenv)
	// A store on a network drive is refused by the command (unless
	// --allow-network-store), and SQLite's locks are not safe there: it is
	// not opened before the command has decided.
	if !ok || netfs.Of(path).Network {
		return
	}
	store.Preopen(path)
}

// ValueFlags are the root command's persistent flags that take a value,
// and BoolFlags those that take none (-q is quiet's shorthand); they may
// come before the command's name (TestPreopenKnowsTheGlobalFlags checks
// them against the root's).
var (
	ValueFlags = []string{"db", "db-timeout", "lock-timeout", "log-format", "user"}
	BoolFlags  = []string{"allow-network-store", "quiet"}
)

// Target is the SQLite store a `caseaudit record` command line names
// (args without the program's name), read as cobra reads the root's flags
// before and after the command: --db, else $CASEAUDIT_DB, else
// caseaudit.db. ok is false for any other command line (help among them),
// for a PostgreSQL store and for a line with --lock-timeout, whose store
// is opened with another busy timeout. A line misread here costs only
// time: the command opens the store it names, and a handle opened on
// another file is closed unused.
func Target(args []string, getenv func(string) string) (path string, ok bool) {
	db, command := "", ""
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--":
			i = len(args)
		case strings.HasPrefix(a, "--"):
			name, val, inline := strings.Cut(a[2:], "=")
			switch {
			case name == "lock-timeout":
				return "", false
			case slices.Contains(ValueFlags, name):
				if !inline {
					if i+1 == len(args) {
						return "", false
					}
					i++
					val = args[i]
				}
				if name == "db" {
					db = val
				}
			case command == "" && !slices.Contains(BoolFlags, name):
				return "", false // --help, or a flag cobra refuses
			}
		case command == "" && a != "-q":
			if strings.HasPrefix(a, "-") {
				return "", false
			}
			command = a
		}
	}
	if command != "record" {
		return "", false
	}
	if db == "" {
		db = getenv("CASEAUDIT_DB")
	}
	if db == "" {
		db = store.DefaultPath
	}
	if store.IsPostgres(db) {
		return "", false
	}
	return db, true
}
