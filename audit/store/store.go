package audit

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
	"strings"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"modernc.org/sqlite"
)

// DefaultPath is the store file used when the user names none. A store is
// an SQLite file (a path) or a PostgreSQL database (a postgres:// or
// postgresql:// URL; see IsPostgres and store_postgres.go).
const DefaultPath = "caseaudit.db"

// DefaultBusyTimeout is how long a write waits for another writer.
const DefaultBusyTimeout = 5 * time.Second

// Options say how to open a store. The zero value is usable.
type Options struct {
	// BusyTimeout is how long a write waits while another process writes;
	// 0 means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Clock gives the time recorded with every entry; nil means time.Now.
	// Times are stored in UTC.
	Clock func() time.Time
	// Actor names the person running the tool; it is recorded with entries
	// that are not findings (sample growth, allocation, moderation draws).
	Actor string
	// EnteredBy names the person at the keyboard, recorded with every trail
	// entry beside the auditor or actor named ("" means Actor). On
	// PostgreSQL it is ignored: the database role of the login
	// (session_user) is recorded, and the database checks it.
	EnteredBy string
}

// Store is an opened audit store. It is safe for concurrent use by several
// goroutines, and several processes (on several machines, for PostgreSQL)
// may open the same store at once.
type Store struct {
	path      string // the store as messages name it: a path, or a URL without its password
	db        *sql.DB
	b         backend
	clock     func() time.Time
	actor     string
	enteredBy string  // recorded with every trail entry
	snap      *sql.Tx // set in a Snapshot's view: every read goes through it
}

// backend is what differs between the two kinds of store. Everything else —
// every query of the package, written once with ? placeholders — is shared:
// the PostgreSQL connector rewrites placeholders (see pg_driver.go).
type backend interface {
	// kind is "sqlite" or "postgres".
	kind() string
	// beginWrite starts a write transaction: SQLite's BEGIN IMMEDIATE, or a
	// PostgreSQL READ COMMITTED transaction whose appends to an audit's
	// trail are serialised by lockAudit.
	beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// readOptions are the options of a read transaction: one snapshot of
	// the whole store (PostgreSQL: REPEATABLE READ).
	readOptions() *sql.TxOptions
	// lockAudit serialises the writers of one audit until the write
	// transaction tx ends (PostgreSQL: a transaction advisory lock; SQLite
	// needs none, its writers are serial).
	lockAudit(ctx context.Context, tx *sql.Tx, auditID int64) error
	// insertID runs an INSERT into a table with an id column and returns
	// the new row's id.
	insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error)
	// explain turns the backend's own errors into ones a person can act on;
	// it returns nil for errors it does not know.
	explain(s *Store, doing string, err error) error
	// integrityCheck checks the store as a whole: SQLite's integrity_check,
	// or PostgreSQL's triggers and grants.
	integrityCheck(ctx context.Context, s *Store) error
}

// Errors a caller may test for with errors.Is.
var (
	// ErrBusy: another process held the store's write lock beyond the busy timeout.
	ErrBusy = errors.New("store busy")
	// ErrNotStore: the file is not a caseaudit store (or is one from a newer caseaudit).
	ErrNotStore = errors.New("not a caseaudit store")
	// ErrNotFound: no audit of that name (or no audit at all).
	ErrNotFound = errors.New("not found")
	// ErrReasonRequired: a case already has a finding and a correction needs a reason.
	ErrReasonRequired = errors.New("a correction needs a reason")
	// ErrNotInSample: the case is not in the audit's sample.
	ErrNotInSample = errors.New("case not in the audit's sample")
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
	clock := opts.Clock
	if clock == nil {
		clock = time.Now
	}
	fresh, err := precheck(path)
	if err != nil {
		return nil, err
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return nil, fmt.Errorf("the store %s: %w", path, err)
	}
	q := url.Values{}
	q.Add("_pragma", fmt.Sprintf("busy_timeout(%d)", timeout.Milliseconds()))
	q.Add("_pragma", "foreign_keys(1)")
	q.Set("_txlock", "immediate")
	dsn := (&url.URL{Scheme: "file", Path: filepath.ToSlash(abs), RawQuery: q.Encode()}).String()
	db, err := sql.Open("sqlite", dsn)
	if err != nil {
		return nil, fmt.Errorf("opening the store %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	s := &Store{path: path, db: db, b: sqliteBackend{}, clock: clock, actor: opts.Actor, enteredBy: opts.EnteredBy}
	if s.enteredBy == "" {
		s.enteredBy = opts.Actor
	}
	if err := s.init(ctx, fresh); err != nil {
		db.Close()
		return nil, err
	}
	tightenPerms(abs)
	return s, nil
}

// precheck refuses a file that is not a caseaudit store without writing to
// it, and creates a missing store file with mode 0600. It reports whether
// the file is new (absent or empty).
func precheck(path string) (fresh bool, err error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		nf, cerr := os.OpenFile(path, os.O_RDWR|os.O_CREATE|os.O_EXCL, 0o600)
		if cerr != nil && !errors.Is(cerr, fs.ErrExist) {
			return false, fmt.Errorf("creating the store %s: %w", path, cerr)
		}
		if cerr == nil {
			nf.Close()
		}
		return precheck(path) // another process may have created it meanwhile
	}
	if err != nil {
		return false, fmt.Errorf("opening the store %s: %w", path, err)
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return false, fmt.Errorf("opening the store %s: %w", path, err)
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

// init makes a fresh file a store, or checks an existing store's version and
// migrates it.
func (s *Store) init(ctx context.Context, fresh bool) error {
	conn, err := s.db.Conn(ctx)
	if err != nil {
		return s.wrap("opening", err)
	}
	defer conn.Close()
	if fresh {
		// application_id goes into the file header before WAL is switched
		// on, so the main file always carries the mark even if this process
		// dies before the first checkpoint.
		var id int64
		if err := conn.QueryRowContext(ctx, "PRAGMA application_id").Scan(&id); err != nil {
			return s.wrap("opening", err)
		}
		if id == 0 {
			if _, err := conn.ExecContext(ctx, fmt.Sprintf("PRAGMA application_id = %d", applicationID)); err != nil {
				return s.wrap("creating", err)
			}
		} else if id != applicationID {
			return errorf(ErrNotStore, "%s is an SQLite database but not a caseaudit store; name another file with %s", s.path, opt.Store)
		}
	}
	var v int
	if err := conn.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return s.wrap("opening", err)
	}
	if v > len(migrations) {
		return fmt.Errorf("the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit: %w",
			s.path, v, len(migrations), ErrNotStore)
	}
	if v > 0 {
		for _, t := range requiredTables {
			var n int
			if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?", t).Scan(&n); err != nil {
				return s.wrap("opening", err)
			}
			if n == 0 {
				return errorf(ErrNotStore, "%s is not a caseaudit store (table %s is missing); name another file with %s", s.path, t, opt.Store)
			}
		}
	}
	// Only now, sure the file is ours, may anything be written to it.
	var mode string
	if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode); err != nil {
		return s.wrap("opening", err)
	}
	if mode != "wal" { // a store whose creation was cut short before WAL was on
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return s.wrap("opening", err)
		}
	}
	conn.Close()
	if v == len(migrations) {
		return nil // up to date: opening takes no write lock
	}
	if err := migrate(ctx, s.db); err != nil {
		var nv errNewerVersion
		if errors.As(err, &nv) {
			return errorf(ErrNotStore, "the store %s was written by a newer caseaudit (%v); upgrade caseaudit", s.path, nv)
		}
		return s.wrap("preparing", err)
	}
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

// Close closes the store.
func (s *Store) Close() error {
	if s == nil || s.db == nil {
		return nil
	}
	return s.db.Close()
}

// Path returns the store as given to Open: its file path, or for
// PostgreSQL its URL without the password (safe to print).
func (s *Store) Path() string { return s.path }

// Kind is "sqlite" or "postgres".
func (s *Store) Kind() string { return s.b.kind() }

// EnteredBy is who the store records as having entered each new trail
// entry: the person at the keyboard (Options.EnteredBy, else Actor) for
// SQLite, the login's database role for PostgreSQL.
func (s *Store) EnteredBy() string { return s.enteredBy }

// now returns the clock's time in UTC.
func (s *Store) now() time.Time { return s.clock().UTC() }

// timeFormat is fixed-width so that stored times sort as text.
const timeFormat = "2006-01-02T15:04:05.000000000Z"

func formatTime(t time.Time) string { return t.UTC().Format(timeFormat) }

func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// isBusy reports whether err is SQLite's "database is locked/busy".
func isBusy(err error) bool {
	var se *sqlite.Error
	if errors.As(err, &se) {
		c := se.Code() & 0xff
		return c == 5 || c == 6 // SQLITE_BUSY, SQLITE_LOCKED (any extended code)
	}
	return false
}

// wrap turns a database error into one a person can act on.
func (s *Store) wrap(doing string, err error) error {
	if err == nil {
		return nil
	}
	if isBusy(err) {
		return errorf(ErrBusy, "the store %s is busy: another caseaudit is writing to it; try again", s.path)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if e := s.b.explain(s, doing, err); e != nil {
		return e
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err // our own errors already say what to do
	}
	{
		switch se.Code() & 0xff {
		case 26: // SQLITE_NOTADB
			return errorf(ErrNotStore, "%s is not a caseaudit store (not an SQLite database)", s.path)
		case 11: // SQLITE_CORRUPT
			return fmt.Errorf("the store %s is damaged (%v); restore it from a backup", s.path, err)
		case 8: // SQLITE_READONLY
			return fmt.Errorf("the store %s is read-only; check its permissions: %w", s.path, err)
		case 13: // SQLITE_FULL
			return fmt.Errorf("the disk holding the store %s is full: %w", s.path, err)
		}
	}
	return fmt.Errorf("%s the store %s: %w", doing, s.path, err)
}

// write runs fn in one BEGIN IMMEDIATE transaction: all of it or nothing.
func (s *Store) write(ctx context.Context, doing string, fn func(tx *sql.Tx) error) error {
	if s.snap != nil {
		return fmt.Errorf("%s the store %s: a snapshot only reads", doing, s.path)
	}
	tx, err := s.b.beginWrite(ctx, s.db)
	if err != nil {
		return s.wrap(doing, err)
	}
	writeTxs.Store(tx, &writeState{s: s, locked: map[int64]bool{}})
	defer writeTxs.Delete(tx)
	if err := fn(tx); err != nil {
		tx.Rollback()
		return s.wrap(doing, err)
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return s.wrap(doing, err)
	}
	return nil
}

// read runs fn in one read-only transaction (a consistent snapshot), or in
// the Snapshot's transaction when s is a Snapshot's view.
// readAudit loads something of the named audit in one read transaction.
func readAudit[T any](ctx context.Context, s *Store, auditName string, load func(context.Context, querier, *Audit) (T, error)) (T, error) {
	var out T
	err := s.read(ctx, "reading", func(tx *sql.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		out, err = load(ctx, tx, a)
		return err
	})
	return out, err
}

func (s *Store) read(ctx context.Context, doing string, fn func(tx *sql.Tx) error) error {
	if s.snap != nil {
		if err := fn(s.snap); err != nil {
			return s.wrap(doing, err)
		}
		return nil
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return s.wrap(doing, err)
	}
	defer tx.Rollback()
	if err := fn(tx); err != nil {
		return s.wrap(doing, err)
	}
	return nil
}

// Snapshot calls fn with a view of the store whose reads all come from one
// read transaction: everything fn reads is one state of the store, even
// while others record findings (SQLite's WAL keeps the snapshot). A report
// built from several queries cannot then mix states. The view cannot write.
// Inside a Snapshot, Snapshot calls fn with the same view.
func (s *Store) Snapshot(ctx context.Context, fn func(*Store) error) error {
	if s.snap != nil {
		return fn(s)
	}
	tx, err := s.beginRead(ctx)
	if err != nil {
		return s.wrap("reading", err)
	}
	defer tx.Rollback()
	v := *s
	v.snap = tx
	return fn(&v)
}

// beginRead starts a read-only transaction that sees one state of the
// store; a connection lost before it started is tried once more.
func (s *Store) beginRead(ctx context.Context) (*sql.Tx, error) {
	tx, err := s.db.BeginTx(ctx, s.b.readOptions())
	if err != nil && s.b.kind() == "postgres" && connLost(err) && ctx.Err() == nil {
		tx, err = s.db.BeginTx(ctx, s.b.readOptions())
	}
	return tx, err
}

// lockForWrite serialises the writers of an audit from the moment a write
// transaction reads the audit (loadAudit), so everything the transaction
// reads after it is what the last writer left (see backend.lockAudit). In a
// read transaction, and for SQLite, it does nothing.
func lockForWrite(ctx context.Context, q querier, auditID int64) error {
	tx, ok := q.(*sql.Tx)
	if !ok {
		return nil
	}
	w := writing(tx)
	if w == nil || w.locked[auditID] {
		return nil
	}
	if err := w.s.b.lockAudit(ctx, tx, auditID); err != nil {
		return err
	}
	w.locked[auditID] = true
	return nil
}

// writeTxs maps each write transaction in progress (*sql.Tx) to its
// *writeState, so that the package's functions, which are handed only the
// transaction, can lock an audit and know who enters the entries.
var writeTxs sync.Map

// writeState is what a write transaction knows beyond its *sql.Tx. A
// transaction is used by one goroutine at a time.
type writeState struct {
	s      *Store
	locked map[int64]bool // audits locked by lockForWrite
}

// writing returns the state of write transaction tx, nil when tx is not one.
func writing(tx *sql.Tx) *writeState {
	if w, ok := writeTxs.Load(tx); ok {
		return w.(*writeState)
	}
	return nil
}

// IntegrityCheck checks the store as a whole. For SQLite it runs PRAGMA
// integrity_check on the whole file and returns nil when it reports "ok",
// else an error quoting the first problems it found (the file is damaged:
// restore it from a backup). For PostgreSQL it checks that the triggers
// keeping the trail append-only are there and enabled and that neither
// application role may change or delete what is recorded.
func (s *Store) IntegrityCheck(ctx context.Context) error {
	return s.b.integrityCheck(ctx, s)
}

// sqliteBackend is the embedded default: one file, one writer at a time.
type sqliteBackend struct{}

func (sqliteBackend) kind() string { return "sqlite" }

// beginWrite: the DSN's _txlock=immediate makes every transaction BEGIN
// IMMEDIATE, so writers are serial and the chain's head is read under the
// write lock.
func (sqliteBackend) beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	return db.BeginTx(ctx, nil)
}

func (sqliteBackend) readOptions() *sql.TxOptions { return &sql.TxOptions{ReadOnly: true} }

func (sqliteBackend) lockAudit(context.Context, *sql.Tx, int64) error { return nil }

func (sqliteBackend) insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (sqliteBackend) explain(*Store, string, error) error { return nil }

func (sqliteBackend) integrityCheck(ctx context.Context, s *Store) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return s.wrap("checking", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.wrap("checking", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.wrap("checking", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the store %s is damaged (%s); restore it from a backup", s.path, strings.Join(problems, "; "))
	}
	return nil
}
