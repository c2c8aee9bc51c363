package store

// Opening an SQLite store ahead of time. A short command such as one
// finding recorded from a script spends about a millisecond opening its
// store (SQLite's connection, the schema read and parsed, the write-ahead
// log and its index set up), and before that about two milliseconds
// initialising the packages linked into the program, one after the other
// on one core. Preopen lets the command line's store be opened on another
// core meanwhile; Open then takes the handle instead of opening the file
// again.

import (
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// errPreopenDeclined: the store needs what only Open may do (a schema
// migration, the switch to WAL).
var errPreopenDeclined = errors.New("left to Open")

// preopened is a store being opened ahead of time.
type preopened struct {
	abs  string
	done chan struct{} // closed when db and file are set
	db   *sql.DB       // nil when it could not be, or need not be, opened ahead
	file os.FileInfo   // the store file opened, to know it again
}

var ahead struct {
	sync.Mutex
	p *preopened
}

// Preopen starts opening, in the background, the SQLite store at path as
// Open would with the default busy timeout, for a command about to open
// it: an Open of the same file with the same busy timeout then takes that
// handle. Only an existing caseaudit store at this schema version, already
// in WAL mode, is opened ahead; Preopen creates and changes nothing, and
// whatever it cannot or need not open (a missing or empty file, another
// kind of file, a store to migrate) is left to Open, which makes the same
// checks and says what is wrong. The caller checks that path is not on a
// network drive, where the command would refuse it, and calls
// ClosePreopened before it exits. Only the first call counts.
func Preopen(path string) {
	if path == "" || IsPostgres(path) {
		return
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return
	}
	ahead.Lock()
	defer ahead.Unlock()
	if ahead.p != nil {
		return
	}
	p := &preopened{abs: abs, done: make(chan struct{})}
	ahead.p = p
	go func() {
		defer close(p.done)
		p.db, p.file = openAhead(abs)
	}()
}

// openAhead opens the store at abs if it is one Open would open without
// writing to it; nil otherwise.
func openAhead(abs string) (*sql.DB, os.FileInfo) {
	fi, err := os.Stat(abs)
	if err != nil || !fi.Mode().IsRegular() || fi.Size() == 0 {
		return nil, nil // precheck would create it, or refuse it: Open's part
	}
	if fresh, err := precheck(abs); err != nil || fresh {
		return nil, nil
	}
	db, err := openDB(abs, DefaultBusyTimeout)
	if err != nil {
		return nil, nil
	}
	s := &Store{path: abs, db: db, b: sqliteBackend{}, lockWait: DefaultBusyTimeout}
	if err := s.check(context.Background(), false, false); err != nil {
		db.Close()
		return nil, nil
	}
	return db, fi
}

// takePreopened returns the handle Preopen opened on the store file at
// abs, if it is still the file there and timeout is the busy timeout it
// was opened with; nil otherwise. It waits for the opening to finish, or
// for ctx to end.
func takePreopened(ctx context.Context, abs string, timeout time.Duration) *sql.DB {
	ahead.Lock()
	p := ahead.p
	if p == nil || p.abs != abs {
		ahead.Unlock()
		return nil // another store's, if any, is ClosePreopened's
	}
	ahead.p = nil
	ahead.Unlock()
	select {
	case <-p.done:
	case <-ctx.Done():
		go func() { <-p.done; p.close() }()
		return nil
	}
	if p.db == nil {
		return nil
	}
	if timeout != DefaultBusyTimeout || !p.stillThere() {
		// Another busy timeout, or another file now at the path (one
		// renamed over it meanwhile), or one emptied: Open opens it
		// afresh.
		p.close()
		return nil
	}
	return p.db
}

// stillThere reports whether the store file at the path is the one opened
// ahead, and not emptied.
func (p *preopened) stillThere() bool {
	fi, err := os.Stat(p.abs)
	return err == nil && os.SameFile(fi, p.file) && fi.Size() > 0
}

// close closes the handle opened ahead, unless another file is now at its
// path: SQLite, the last user of the file it opened, would then remove the
// -wal and -shm files at that path, which are the new file's (and hold
// what others committed to it). That handle is left for the process's end
// to release, which removes nothing.
func (p *preopened) close() {
	if p.db == nil {
		return
	}
	if fi, err := os.Stat(p.abs); err == nil && os.SameFile(fi, p.file) {
		p.db.Close()
	}
}

// ClosePreopened closes the store Preopen opened if no Open took it, once
// its opening has finished, so that SQLite removes the store's -wal and
// -shm files as it does when a command's own handle closes.
func ClosePreopened() {
	ahead.Lock()
	p := ahead.p
	ahead.p = nil
	ahead.Unlock()
	if p == nil {
		return
	}
	<-p.done
	p.close()
}
