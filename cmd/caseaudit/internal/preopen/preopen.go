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
// scripts, where a millisecond counts. And only with a core to spare:
// on one core, or on a machine already busy, the goroutine would wait for a
// core while the command waited for it, and record is then quicker opening
// its store itself.
package preopen

import (
	"bytes"
	"os"
	"runtime"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/netfs"
)

func init() {
	path, ok := Target(os.Args[1:], os.Getenv)
	// A store on a network drive is refused by the command (unless
	// --allow-network-store), and SQLite's locks are not safe there: it is
	// not opened before the command has decided.
	if !ok || !spareCore() || netfs.Of(path).Network {
		return
	}
	store.Preopen(path)
}

// spareCore reports whether another core is likely idle while the program
// starts: more than one to run on, and, where the system says
// (/proc/loadavg), a one-minute load average below the cores less half a
// core. On a busy machine the goroutine's thread waits its turn for a
// core, and the command, waiting for the store, with it: record then takes
// longer than opening the store itself.
func spareCore() bool {
	n := min(runtime.NumCPU(), runtime.GOMAXPROCS(0))
	if n < 2 {
		return false
	}
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return true // no load average here (macOS, Windows)
	}
	f := bytes.Fields(b)
	if len(f) == 0 {
		return false
	}
	load, err := strconv.ParseFloat(string(f[0]), 64)
	return err == nil && load < float64(n)-0.5
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
