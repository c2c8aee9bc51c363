package store

// Opening a store: the path or URL chooses the backend (store.go's
// SQLite, postgres.go's PostgreSQL), and a new or older SQLite file is
// brought to the current schema (schema.go). An SQLite store a command is
// about to open may be opened ahead, on another goroutine (Preopen).

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// sqliteHeader starts every SQLite database file.
var sqliteHeader = []byte("SQLite format 3\x00")

// Open opens the store at path, creating it (mode 0600) when the file does
// not exist or is empty. A file that is not a caseaudit store — not SQLite,
// SQLite without caseaudit's application_id or tables, or a store written by
// a newer caseaudit — is refused with an error wrapping ErrNotStore and is
// left untouched: its header is checked before SQLite opens it for writing.
//
// A postgres:// or postgresql:// URL opens a PostgreSQL store instead (see
// openPostgres): it must have been made with InitPostgres.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	if path == "" {
		path = DefaultPath
	}
	if IsPostgres(path) {
		return openPostgres(ctx, path, opts)
	}
	timeout := opts.BusyTimeout
	if timeout <= 0 {
		timeout = DefaultBusyTimeout
	}
	fresh, err := precheck(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("the store %s: %w", path, err)
	}
	if db := takePreopened(ctx, abs, timeout); db != nil {
		// Opened ahead (Preopen) as below, and checked as below without
		// writing: the store was current, and in WAL mode.
		s := &Store{path: path, db: db, b: sqliteBackend{}, enteredBy: opts.EnteredBy, lockWait: timeout, machine: opts.MachineClock}
		tightenPerms(abs)
		return s, nil
	}
	db, err := openDB(abs, timeout)
	if err != nil {
		return nil, fmt.Errorf("opening the store %s: %w", path, err)
	}
	// No deadline on a local file: SQLite's busy timeout bounds waiting for
	// another writer, and a long import on a slow disk is not a dead server.
	s := &Store{path: path, db: db, b: sqliteBackend{}, enteredBy: opts.EnteredBy, lockWait: timeout, machine: opts.MachineClock}
	if err := s.check(ctx, fresh, true); err != nil {
		db.Close()
		return nil, err
	}
	tightenPerms(abs)
	return s, nil
}

// openDB is the handle on the SQLite store file at abs: every connection
// waits up to timeout for another writer, checks foreign keys and
// overwrites what it deletes, and begins each transaction IMMEDIATE.
func openDB(abs string, timeout time.Duration) (*sql.DB, error) {
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	// What is deleted (a retired audit) or erased (a redacted text) is
	// overwritten in the file, not left in free pages for a file viewer to
	// find; caseaudit deletes rarely, so the cost is small.
	q.Add("_pragma", "secure_delete(1)")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, err
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	return db, nil
}

// pathCause is the system's reason in an error on a file (not a
// directory, read-only file system), without the operation and the path
// Go puts before it, which the message names already.
func pathCause(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// precheck refuses a file that is not a caseaudit store without writing to
// it, and creates a missing store file with mode 0600. It reports whether
// the file is new (absent or empty).
func precheck(path string) (fresh bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		nf, cerr := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if cerr != nil && !errors.Is(cerr, fs.ErrExist) {
			return false, fmt.Errorf("cannot create the store %s (%w); name a file in a folder you may write to", path, pathCause(cerr))
		}
		if cerr == nil {
			nf.Close()
		}
		return precheck(path) // another process may have created it meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("cannot open the store %s (%w); check the path to it", path, pathCause(err))
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("cannot open the store %s (%w); check the path to it", path, pathCause(err))
	}
	if st.IsDir() {
		return false, errorf(ErrNotStore, "the store %s is a directory; name a file", path)
	}
	if st.Size() == 0 {
		return true, nil
	}
	hdr := make([]byte, 100)
	if _, err := io.ReadFull(f, hdr); err != nil || !bytes.Equal(hdr[:16], sqliteHeader) {
		return false, errorf(ErrNotStore, "%s is not a caseaudit store (not an SQLite database); name another file with %s", path, opt.Store)
	}
	if id := binary.BigEndian.Uint32(hdr[68:72]); id != applicationID {
		return false, errorf(ErrNotStore, "%s is an SQLite database but not a caseaudit store; name another file with %s", path, opt.Store)
	}
	return false, nil
}

// check makes a fresh file a store, or checks an existing store's version
// and migrates it. When it may not write (mayWrite false: Preopen), a
// store that needs anything written (made, migrated, switched to WAL) is
// declined with errPreopenDeclined.
func (s *Store) check(ctx context.Context, fresh, mayWrite bool) error {
	if fresh && !mayWrite {
		return errPreopenDeclined
	}
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.Explain("opening", err)
	}
	defer conn.Close()
	if fresh {
		// application_id goes into the file header before WAL is switched
		// on, so the main file always carries the mark even if this process
		// dies before the first checkpoint.
		var id int64
		if err := conn.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
			return s.Explain("opening", err)
		}
		if id == 0 {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
				return s.Explain("creating", err)
			}
		} else if id != applicationID {
			return errorf(ErrNotStore, "%s is an SQLite database but not a caseaudit store; name another file with %s", s.path, opt.Store)
		}
	}
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return s.Explain("opening", err)
	}
	if v > len(migrations) {
		return errorf(ErrNotStore, "the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit",
			s.path, v, len(migrations))
	}
	if v > 0 {
		// One query for all of them: every command opens the store.
		var have string
		if err := conn.QueryRowContext(ctx, "SELECT coalesce(group_concat(name, ','), '') FROM sqlite_master WHERE type = 'table' AND name IN ('"+
			strings.Join(requiredTables, "', '")+"')").Scan(&have); err != nil {
			return s.Explain("opening", err)
		}
		for _, t := range requiredTables {
			if !slices.Contains(strings.Split(have, ","), t) {
				return errorf(ErrNotStore, "%s is not a caseaudit store (table %s is missing); name another file with %s", s.path, t, opt.Store)
			}
		}
	}
	// Only now, sure the file is ours, may anything be written to it.
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return s.Explain("opening", err)
	}
	if (mode != "wal" || v != len(migrations)) && !mayWrite {
		return errPreopenDeclined
	}
	if mode != "wal" { // a store whose creation was cut short before WAL was on
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return s.Explain("opening", err)
		}
	}
	conn.Close()
	if v == len(migrations) {
		return nil // up to date: opening takes no write lock
	}
	created, err := migrate(ctx, s.db)
	if err != nil {
		var nv errNewerVersion
		if errors.As(err, &nv) {
			return errorf(ErrNotStore, "the store %s was written by a newer caseaudit (%v); upgrade caseaudit", s.path, nv)
		}
		return s.Explain("preparing", err)
	}
	s.created = created
	return nil
}

// tightenPerms keeps the store's -wal and -shm files as private as the store
// itself, whatever the umask.
func tightenPerms(abs string) {
	st, err := os.Stat(abs)
	if err != nil {
		return
	}
	mode := st.Mode().Perm() &^ 0o007
	for _, suffix := range []string{"-wal", "-shm"} {
		if fi, err := os.Stat(abs + suffix); err == nil && fi.Mode().Perm() != mode {
			os.Chmod(abs+suffix, mode)
		}
	}
}

// Opening an SQLite store ahead of time. A short command such as one
// finding recorded from a script spends about a millisecond opening its
// store (SQLite's connection, the schema read and parsed, the write-ahead
// log and its index set up), and before that about two milliseconds
// initialising the packages linked into the program, one after the other
// on one core. Preopen lets the command line's store be opened on another
// core meanwhile; Open then takes the handle instead of opening the file
// again.

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
