package store

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
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"modernc.org/sqlite"
)

// DefaultPath is the store file used when the user names none. A store is
// an SQLite file (a path) or a PostgreSQL database (a postgres:// or
// postgresql:// URL; see IsPostgres and postgres.go).
const DefaultPath = "caseaudit.db"

// DefaultBusyTimeout is how long a write waits for another writer.
const DefaultBusyTimeout = 5 * time.Second

// DefaultDeadline is how long one read or write of the store may take
// before the store is taken for not answering (a server that stopped
// responding, a network gone quiet): the command then ends with a message
// rather than hanging.
const DefaultDeadline = 60 * time.Second

// Options say how to open a store. The zero value is usable.
type Options struct {
	// BusyTimeout is how long a write waits while another process writes;
	// 0 means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// EnteredBy names the person at the keyboard, recorded with every trail
	// entry appended through the store. On PostgreSQL it is ignored: the
	// database role of the login (session_user) is recorded, and the
	// database checks it.
	EnteredBy string
	// Deadline bounds each read and write transaction of a PostgreSQL
	// store (0 means DefaultDeadline; a negative value, none), and is the
	// server's statement_timeout. An SQLite file has none.
	Deadline time.Duration
	// Waiting, when set, is told (one line) when a write of a PostgreSQL
	// store must wait for another session's lock: who holds it, since
	// when, in what application.
	Waiting func(string)
}

func (o Options) deadline() time.Duration {
	switch {
	case o.Deadline < 0:
		return 0
	case o.Deadline == 0:
		return DefaultDeadline
	}
	return o.Deadline
}

// Store is an opened store: audit rows, their sampled cases and their
// trails, on SQLite or PostgreSQL. It knows rows and hash chains; what the
// entries mean is the audit package's. It is safe for concurrent use by
// several goroutines, and several processes (on several machines, for
// PostgreSQL) may open the same store at once.
type Store struct {
	path      string // the store as messages name it: a path, or a URL without its password
	db        *sql.DB
	b         backend
	enteredBy string        // recorded with every trail entry
	deadline  time.Duration // bounds each transaction; 0: none
	lockWait  time.Duration // how long a write waits for another writer's lock
	// raw opens the handle DB returns, when it differs from db.
	raw     func() *sql.DB
	closing []io.Closer
}

// backend is what differs between the two kinds of store. Everything else
// (every query, written once with $N placeholders, which both drivers
// bind) is shared.
type backend interface {
	// kind is "sqlite" or "postgres".
	kind() string
	// beginWrite starts a write transaction: SQLite's BEGIN IMMEDIATE, or a
	// PostgreSQL READ COMMITTED transaction whose appends to an audit's
	// trail are serialised by lockAudit.
	beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// beginRead starts a read transaction: one snapshot of the whole store
	// (PostgreSQL: REPEATABLE READ).
	beginRead(ctx context.Context, db *sql.DB) (*sql.Tx, error)
	// lockAudit serialises the writers of one audit until the write
	// transaction tx ends (PostgreSQL: a transaction advisory lock; SQLite
	// needs none, its writers are serial).
	lockAudit(ctx context.Context, tx *sql.Tx, auditID int64) error
	// lockingAudit is a query reading the audit named $1 (its columns
	// cols) that also tries the audit's lock, as lockAudit does, adding
	// whether it got it and one more column, with its arguments after $1;
	// "" when the backend's writers need no lock.
	lockingAudit(cols string) (query string, args []any)
	// prefetchQuery is the backend's own statement for Tx.Prefetch, with
	// its arguments, returning the rows prefetch.go describes; "" to use
	// the statement Prefetch writes.
	prefetchQuery(auditID int64, p Prefetch) (query string, args []any)
	// insertID runs an INSERT into a table with an id column and returns
	// the new row's id.
	insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error)
	// explain turns the backend's own errors into ones a person can act on;
	// it returns nil for errors it does not know.
	explain(s *Store, doing string, err error) error
	// integrityCheck checks the store as a whole: SQLite's integrity_check,
	// or PostgreSQL's triggers and grants.
	integrityCheck(ctx context.Context, s *Store) error
	// mayCopyInto refuses a copy into the store by a login that may not
	// write entries entered by others (PostgreSQL: only the owner may).
	mayCopyInto(ctx context.Context, s *Store) error
}

// Errors a caller may test for with errors.Is.
var (
	// ErrBusy: another process held the store's write lock beyond the busy timeout.
	ErrBusy = errors.New("store busy")
	// ErrNotStore: the file is not a caseaudit store (or is one from a newer caseaudit).
	ErrNotStore = errors.New("not a caseaudit store")
	// ErrText: a text to be stored holds a NUL or bytes that are not UTF-8.
	ErrText = errors.New("text caseaudit does not store")
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
		return nil, fmt.Errorf("opening the store %s: %w", path, err)
	}
	db.SetMaxOpenConns(4)
	db.SetMaxIdleConns(4)
	// No deadline on a local file: SQLite's busy timeout bounds waiting for
	// another writer, and a long import on a slow disk is not a dead server.
	s := &Store{path: path, db: db, b: sqliteBackend{}, enteredBy: opts.EnteredBy, lockWait: timeout}
	if err := s.init(ctx, fresh); err != nil {
		db.Close()
		return nil, err
	}
	tightenPerms(abs)
	return s, nil
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

// init makes a fresh file a store, or checks an existing store's version and
// migrates it.
func (s *Store) init(ctx context.Context, fresh bool) error {
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
		return fmt.Errorf("the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit: %w",
			s.path, v, len(migrations), ErrNotStore)
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
	if mode != "wal" { // a store whose creation was cut short before WAL was on
		if err := conn.QueryRowContext(ctx, "PRAGMA journal_mode = WAL").Scan(&mode); err != nil {
			return s.Explain("opening", err)
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
		return s.Explain("preparing", err)
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
	for _, c := range s.closing {
		c.Close()
	}
	return s.db.Close()
}

// Path returns the store as given to Open: its file path, or for
// PostgreSQL its URL without the password (safe to print).
func (s *Store) Path() string { return s.path }

// Kind is "sqlite" or "postgres", for people to read; nothing outside
// this package decides anything by it.
func (s *Store) Kind() string { return s.b.kind() }

// EnteredBy is who the store records as having entered each new trail
// entry: the person at the keyboard (Options.EnteredBy) for SQLite, the
// login's database role for PostgreSQL.
func (s *Store) EnteredBy() string { return s.enteredBy }

// TimeFormat is how times are stored: fixed-width, so that they sort as
// text, and hashed as stored.
const TimeFormat = "2006-01-02T15:04:05.000000000Z"

// FormatTime is t as stored.
func FormatTime(t time.Time) string { return t.UTC().Format(TimeFormat) }

// ParseTime reads a stored time; the zero time when it does not parse.
func ParseTime(s string) time.Time {
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

// Explain turns an error met while doing something to the store ("reading",
// "recording a finding in") into one a person can act on: a busy store, a
// damaged or read-only file, a lost connection, a refused login. Errors it
// does not know, such as the caller's own, are returned as they are.
func (s *Store) Explain(doing string, err error) error {
	var done *explained
	if err == nil || errors.As(err, &done) {
		return err
	}
	if e := s.explain(doing, err); e != err {
		return &explained{e}
	}
	return err
}

// explained marks an error Explain made, so that explaining it again (a
// read within a read) changes nothing.
type explained struct{ error }

func (e *explained) Unwrap() error { return e.error }

func (s *Store) explain(doing string, err error) error {
	if isBusy(err) {
		return errorf(ErrBusy, "the store %s is busy: another caseaudit has been writing to it for longer than the lock timeout (%s); try again, or wait longer with --lock-timeout", s.path, s.lockWait)
	}
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	if e := s.b.explain(s, doing, err); e != nil {
		return e
	}
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return err // the caller's own errors already say what to do
	}
	switch se.Code() & 0xff {
	case 26: // SQLITE_NOTADB
		return errorf(ErrNotStore, "%s is not a caseaudit store (not an SQLite database)", s.path)
	case 11: // SQLITE_CORRUPT
		return fmt.Errorf("the store %s is damaged (SQLite cannot read its pages); restore it from a backup", s.path)
	case 8: // SQLITE_READONLY
		return fmt.Errorf("the store %s is read-only; check its permissions: caseaudit needs to write the file and, while in use, files beside it in its folder", s.path)
	case 10: // SQLITE_IOERR: the disk or the system refused a read or write
		return fmt.Errorf("the disk holding the store %s refused a read or write (SQLite I/O error %d), so nothing was written; check the disk (free space, a limit on file sizes, a drive or share removed) and run the command again", s.path, se.Code())
	case 13: // SQLITE_FULL
		return fmt.Errorf("the disk holding the store %s is full, so nothing was written; free some space on it and run the command again", s.path)
	}
	return fmt.Errorf("%s the store %s: %w", doing, s.path, err)
}

// Tx is a transaction on the store. In a read transaction (Read) every
// query sees one state of the store, whatever others commit meanwhile. In
// a write transaction (the Tx of a WriteTx) looking an audit up locks it
// for this transaction's writers (see WriteTx), so everything read of the
// audit afterwards is what the last writer left. A Tx is used by one
// goroutine at a time and only within the function it is given to.
type Tx struct {
	s  *Store
	tx *sql.Tx
	w  *writeState // nil in a read transaction
	// trails holds, in a read transaction, each audit's whole trail once
	// read: the transaction sees one state, so a command that reads an
	// audit's entries for several views (report, trend, sign-off,
	// calibration) reads and decodes them once.
	trails  map[int64][]Entry
	held    int                // entries in trails (see maxHeld)
	caseIDs map[int64][]string // sampled case IDs held by HoldAudits
	memo    map[any]any        // Memo's values, in a read transaction
	// leaveOut names the text fields this view of a read transaction
	// does not read (WithoutTexts); nil in the transaction itself.
	leaveOut []string
	of       *Tx   // the transaction this is a view of; nil in the transaction itself
	views    []*Tx // the views WithoutTexts made of the transaction
}

// WithoutTexts is a view of this read transaction whose entries are read
// without the texts of these fields (their paths, as Draft.Text names
// them): a view that never shows them, such as the trend over every audit,
// which shows no note, is spared reading and merging thousands. It sees
// the same state of the store, but holds its own trails and memo (see
// Memo), so an entry read without texts never stands for the whole entry
// in the transaction. In its entries the fields left out are absent, as if
// the payload had never held them, and the other texts are merged as
// ever. In a write transaction, or with no fields, it is t.
func (t *Tx) WithoutTexts(fields ...string) *Tx {
	if t.w != nil || len(fields) == 0 {
		return t
	}
	root := t
	if t.of != nil {
		if !slices.ContainsFunc(fields, func(f string) bool { return !slices.Contains(t.leaveOut, f) }) {
			return t
		}
		root, fields = t.of, append(slices.Clone(t.leaveOut), fields...)
	}
	fields = slices.Compact(slices.Sorted(slices.Values(fields)))
	for _, v := range root.views {
		if slices.Equal(v.leaveOut, fields) {
			return v
		}
	}
	v := &Tx{s: root.s, tx: root.tx, leaveOut: fields, of: root}
	root.views = append(root.views, v)
	return v
}

// Memo returns what fn derives from the store, computing it once per key
// within a read transaction (which sees one state of the store, so the
// value cannot go stale): a report and the trend and calibration within it
// fold each audit's findings once. In a write transaction, where the
// store changes under it, fn runs every time. The value is shared by
// every caller with the key: callers must not change it.
func (t *Tx) Memo(key any, fn func() (any, error)) (any, error) {
	if t.w != nil {
		return fn()
	}
	if v, ok := t.memo[key]; ok {
		return v, nil
	}
	v, err := fn()
	if err != nil {
		return nil, err
	}
	if t.memo == nil {
		t.memo = map[any]any{}
	}
	t.memo[key] = v
	return v, nil
}

// writeState is what a write transaction knows beyond its *sql.Tx.
type writeState struct {
	locked map[int64]bool   // audits locked by lock
	chains map[int64]*Chain // the chains opened, by audit
	pre    *prefetched      // what Prefetch read; nil when nothing
}

// WriteTx is a write transaction: a Tx that may also insert audits and
// sampled cases and append to trails. It knows the audits it locked and
// who is entering what it appends.
type WriteTx struct {
	*Tx
}

// EnteredBy is who is entering the entries this transaction appends.
func (w *WriteTx) EnteredBy() string { return w.s.enteredBy }

// Write runs fn in one write transaction: all of it or nothing. doing says
// what is being done, for messages ("recording a finding in").
func (s *Store) Write(ctx context.Context, doing string, fn func(*WriteTx) error) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	tx, err := s.b.beginWrite(ctx, s.db)
	if err != nil {
		return s.explainIn(ctx, doing, err)
	}
	w := &WriteTx{&Tx{s: s, tx: tx, w: &writeState{locked: map[int64]bool{}, chains: map[int64]*Chain{}}}}
	if err := fn(w); err != nil {
		tx.Rollback()
		return s.explainIn(ctx, doing, err)
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return s.explainIn(ctx, doing, err)
	}
	return nil
}

// Read runs fn in one read-only transaction: everything fn reads is one
// state of the store, even while others write (SQLite's WAL keeps the
// snapshot; PostgreSQL's REPEATABLE READ). doing says what is being done,
// for messages.
func (s *Store) Read(ctx context.Context, doing string, fn func(*Tx) error) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	tx, err := s.beginRead(ctx)
	if err != nil {
		return s.explainIn(ctx, doing, err)
	}
	defer tx.Rollback()
	if err := fn(&Tx{s: s, tx: tx}); err != nil {
		return s.explainIn(ctx, doing, err)
	}
	return nil
}

// bounded gives a transaction the store's deadline, after which the store
// is taken for not answering.
func (s *Store) bounded(ctx context.Context) (context.Context, context.CancelFunc) {
	if s.deadline <= 0 {
		return ctx, func() {}
	}
	return context.WithTimeoutCause(ctx, s.deadline, errDeadline)
}

// explainIn is Explain for an error of a transaction run under ctx: one
// ended by the store's deadline says so.
func (s *Store) explainIn(ctx context.Context, doing string, err error) error {
	if context.Cause(ctx) == errDeadline {
		return s.deadlineError(doing)
	}
	return s.Explain(doing, err)
}

// deadlineError: the store did not answer in time.
func (s *Store) deadlineError(doing string) error {
	return fmt.Errorf("%s the store %s: no answer within %s, so caseaudit gave up (what was not committed is rolled back; the same command run again records nothing twice); check that the server and the network are up, or give a longer --db-timeout", doing, s.path, s.deadline)
}

// errDeadline is the cause of a transaction's context ending at the
// store's deadline.
var errDeadline = errors.New("the store's deadline passed")

// beginRead starts a read-only transaction that sees one state of the
// store.
func (s *Store) beginRead(ctx context.Context) (*sql.Tx, error) {
	return s.b.beginRead(ctx, s.db)
}

// lock serialises the writers of an audit from the moment a write
// transaction first looks the audit up, so everything the transaction
// reads after it is what the last writer left (see backend.lockAudit). In
// a read transaction it does nothing.
func (t *Tx) lock(ctx context.Context, auditID int64) error {
	if t.w == nil || t.w.locked[auditID] {
		return nil
	}
	if err := t.s.b.lockAudit(ctx, t.tx, auditID); err != nil {
		return err
	}
	t.w.locked[auditID] = true
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

func (sqliteBackend) beginRead(ctx context.Context, db *sql.DB) (*sql.Tx, error) {
	return db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
}

func (sqliteBackend) lockAudit(context.Context, *sql.Tx, int64) error { return nil }

func (sqliteBackend) lockingAudit(string) (string, []any) { return "", nil }

func (sqliteBackend) prefetchQuery(int64, Prefetch) (string, []any) { return "", nil }

func (sqliteBackend) insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	res, err := tx.ExecContext(ctx, query, args...)
	if err != nil {
		return 0, err
	}
	return res.LastInsertId()
}

func (sqliteBackend) explain(*Store, string, error) error { return nil }

// mayCopyInto: whoever may write an SQLite file may copy into it.
func (sqliteBackend) mayCopyInto(context.Context, *Store) error { return nil }

func (sqliteBackend) integrityCheck(ctx context.Context, s *Store) error {
	rows, err := s.db.QueryContext(ctx, "PRAGMA integrity_check(10)")
	if err != nil {
		return s.Explain("checking", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.Explain("checking", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.Explain("checking", err)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the store %s is damaged (%s); restore it from a backup", s.path, strings.Join(problems, "; "))
	}
	return nil
}

// DB is the store's database handle, for tests that must reach the rows
// behind the store's back (to tamper with a trail, or drop a trigger) and
// for tools that inspect a store. Everything caseaudit itself does goes
// through Read and Write.
//
// On PostgreSQL its connections have the store's schema as their search
// path (the store's own connections set it for each transaction instead,
// so that they work behind a pooler).
func (s *Store) DB() *sql.DB {
	if s.raw != nil {
		return s.raw()
	}
	return s.db
}
