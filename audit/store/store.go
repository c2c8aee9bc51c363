package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
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
	// Warn, when set, is told (one line) what the store's opening found
	// wrong that does not stop its use: a PostgreSQL database whose guards
	// cannot compare names as caseaudit does.
	Warn func(string)
	// MachineClock is this machine's clock (nil: time.Now), which dates
	// what an SQLite store records; a PostgreSQL store dates by its
	// server's clock, and only measures how far this one is from it (see
	// Store.Now). Tests set it to a machine whose clock is wrong.
	MachineClock func() time.Time
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
	// created: this Open made the store (wrote its schema into an empty
	// file). Of several processes opening one new file at once, only the
	// one whose write transaction found it empty made it.
	created bool
	// skew is how far the server's clock was ahead of this machine's when
	// the store was opened (0 for SQLite): see Now.
	skew time.Duration
	// skewRead: skew was measured (PostgreSQL).
	skewRead bool
	// machine is Options.MachineClock.
	machine func() time.Time
}

// machineNow is this machine's clock.
func (s *Store) machineNow() time.Time {
	if s.machine != nil {
		return s.machine()
	}
	return time.Now()
}

// backend is what differs between the two kinds of store. Everything else
// (every query, written once with $N placeholders, which both drivers
// bind) is shared.
type backend interface {
	// kind is "sqlite" or "postgres".
	kind() string
	// beginWrite starts a write transaction: SQLite's BEGIN IMMEDIATE, or a
	// PostgreSQL READ COMMITTED transaction whose appends to an audit's
	// trail are serialised by lockAudit. It returns the server's clock as
	// the transaction began, zero when the store has no server (see
	// Tx.Now).
	beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error)
	// beginRead starts a read transaction: one snapshot of the whole store
	// (PostgreSQL: REPEATABLE READ), with the server's clock as beginWrite.
	beginRead(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error)
	// lockAudit serialises the writers of one audit until the write
	// transaction tx ends (PostgreSQL: a transaction advisory lock; SQLite
	// needs none, its writers are serial), and returns the server's clock
	// read once the lock is held (zero without a server).
	lockAudit(ctx context.Context, tx *sql.Tx, auditID int64) (time.Time, error)
	// lockingAudit is a query reading the audit named $1 (its columns
	// cols) that also tries the audit's lock, as lockAudit does, adding
	// whether it got it, one more column, and the server's clock read
	// once it got it, with its arguments after $1; "" when the backend's
	// writers need no lock.
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

// Created reports whether this Open made the store: an SQLite file that
// had no schema until now. False for PostgreSQL (made by InitPostgres).
func (s *Store) Created() bool { return s.created }

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
// Explain is for what may write (a write transaction, opening, which may
// create or upgrade the store); ExplainRead for what only reads.
func (s *Store) Explain(doing string, err error) error { return s.explainAs(doing, err, true) }

// ExplainRead is Explain for an error met while only reading the store:
// a failed disk is not said to have kept a write from happening.
func (s *Store) ExplainRead(doing string, err error) error { return s.explainAs(doing, err, false) }

func (s *Store) explainAs(doing string, err error, writing bool) error {
	var done *explained
	if err == nil || errors.As(err, &done) {
		return err
	}
	if e := s.explain(doing, err, writing); e != err {
		return &explained{e}
	}
	return err
}

// explained marks an error Explain made, so that explaining it again (a
// read within a read) changes nothing.
type explained struct{ error }

func (e *explained) Unwrap() error { return e.error }

func (s *Store) explain(doing string, err error, writing bool) error {
	if isBusy(err) {
		return errorf(ErrBusy, "the store %s is busy: another caseaudit has been writing to it for longer than the lock timeout (%s); try again, or wait longer with %s", s.path, s.lockWait, opt.LockTimeout)
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
		if !writing {
			return fmt.Errorf("the disk holding the store %s refused a read or write (SQLite I/O error %d) while caseaudit was only reading it, so the command could not finish; the store is unchanged: check the disk (a drive or share removed, a limit on file sizes, free space) and run the command again", s.path, se.Code())
		}
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
	// clock is the latest time the server's clock was read in this
	// transaction (as it began, and as each lock was taken); zero on a
	// store without a server (see Now).
	clock time.Time
	// trails holds, in a read transaction, each audit's whole trail once
	// read: the transaction sees one state, so a command that reads an
	// audit's entries for several views (report, trend, sign-off,
	// calibration) reads and decodes them once.
	trails  map[int64][]Entry
	held    int                // entries in trails (see maxHeld)
	caseIDs map[int64][]string // sampled case IDs held by HoldAudits and CaseIDs
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

// Prefetch names what a write transaction is about to read of one audit,
// so that Tx.Prefetch reads it all in one statement: on a PostgreSQL
// server each statement is a round trip, parsed and planned afresh (see
// pgConfig), and recording a finding otherwise reads in nine.
type Prefetch struct {
	// Case: every entry about this case, whatever its kind, and its
	// sampled case (Tx.Case).
	Case string
	// Kinds: every entry of these kinds, about any case.
	Kinds []string
	// ActorKinds: Tx.Actors of these kinds.
	ActorKinds []string
	// People: the people list (Tx.PersonChanges).
	People bool
}

// prefetched is what Tx.Prefetch read, kept for the rest of the write
// transaction: the audit's lock (taken before it is read) keeps every
// other writer from appending to the trail meanwhile, and the
// transaction's own appends are added as they are made (Chain.Append).
// Any other write through the transaction drops it.
type prefetched struct {
	auditID  int64
	p        Prefetch
	entries  []Entry // those Prefetch chose, in order
	actors   []string
	caseRow  *CaseRow // nil when the case is not in the sample
	people   []PersonChange
	headSeq  int
	headHash string
}

// WriteTx is a write transaction: a Tx that may also insert audits and
// sampled cases and append to trails. It knows the audits it locked and
// who is entering what it appends.
type WriteTx struct {
	*Tx
}

// EnteredBy is who is entering the entries this transaction appends.
func (w *WriteTx) EnteredBy() string { return w.s.enteredBy }

// Chain appends entries to one audit's trail within a write transaction.
// Its head is read once, under the audit's lock (SQLite's BEGIN IMMEDIATE,
// or the audit's advisory lock on PostgreSQL), so no other writer can
// append between reading it and committing: the chain never forks. (On
// PostgreSQL the database also refuses an entry that does not follow the
// head: see pg_schema.go.)
type Chain struct {
	w       *WriteTx
	auditID int64
	name    string
	seq     int
	head    string
}

// Write runs fn in one write transaction: all of it or nothing. doing says
// what is being done, for messages ("recording a finding in").
func (s *Store) Write(ctx context.Context, doing string, fn func(*WriteTx) error) error {
	ctx, cancel := s.bounded(ctx)
	defer cancel()
	tx, clock, err := s.b.beginWrite(ctx, s.db)
	if err != nil {
		return s.explainIn(ctx, doing, err, true)
	}
	w := &WriteTx{&Tx{s: s, tx: tx, clock: clock, w: &writeState{locked: map[int64]bool{}, chains: map[int64]*Chain{}}}}
	if err := fn(w); err != nil {
		tx.Rollback()
		return s.explainIn(ctx, doing, err, true)
	}
	if err := tx.Commit(); err != nil {
		tx.Rollback()
		return s.explainIn(ctx, doing, err, true)
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
	tx, clock, err := s.b.beginRead(ctx, s.db)
	if err != nil {
		return s.explainIn(ctx, doing, err, false)
	}
	defer tx.Rollback()
	if err := fn(&Tx{s: s, tx: tx, clock: clock}); err != nil {
		return s.explainIn(ctx, doing, err, false)
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

// explainIn is Explain for an error of a transaction run under ctx
// (writing: a write transaction): one ended by the store's deadline says
// so.
func (s *Store) explainIn(ctx context.Context, doing string, err error, writing bool) error {
	if context.Cause(ctx) == errDeadline {
		return s.deadlineError(doing)
	}
	return s.explainAs(doing, err, writing)
}

// deadlineError: the store did not answer in time.
func (s *Store) deadlineError(doing string) error {
	return opt.Errorf("%s the store %s: no answer within %s, so caseaudit gave up (what was not committed is rolled back; the same command run again records nothing twice); check that the server and the network are up, or give a longer %s", doing, s.path, s.deadline, opt.DBTimeout)
}

// errDeadline is the cause of a transaction's context ending at the
// store's deadline.
var errDeadline = errors.New("the store's deadline passed")

// lock serialises the writers of an audit from the moment a write
// transaction first looks the audit up, so everything the transaction
// reads after it is what the last writer left (see backend.lockAudit). In
// a read transaction it does nothing.
func (t *Tx) lock(ctx context.Context, auditID int64) error {
	if t.w == nil || t.w.locked[auditID] {
		return nil
	}
	at, err := t.s.b.lockAudit(ctx, t.tx, auditID)
	if err != nil {
		return err
	}
	t.w.locked[auditID] = true
	t.saw(at)
	return nil
}

// Now is the time this transaction dates what it writes by, and judges
// what is due or overdue by. On PostgreSQL it is the server's clock, not
// the machine's: a team writes from several machines whose clocks
// disagree, and an entry dated by a clock running behind would fall before
// the people-list change that allowed it, or before the entry it follows.
// It is the latest reading of the server's clock the transaction has
// made, with no round trip of its own: as the transaction began, and
// again as each lock was taken (lockAudit). Read after a chain's lock is
// held, it is later than every entry of that chain already committed, so
// times along a chain never go backwards, however writers race; and it
// never goes backwards within a transaction. On SQLite (one file, on one
// machine as a rule) it is the machine's clock.
func (t *Tx) Now() time.Time {
	if t.of != nil {
		return t.of.Now()
	}
	if t.clock.IsZero() {
		return t.s.machineNow().UTC()
	}
	return t.clock.UTC()
}

// saw keeps a reading of the server's clock (zero: none) as the
// transaction's time when it is later.
func (t *Tx) saw(at time.Time) {
	if at.After(t.clock) {
		t.clock = at.UTC()
	}
}

// Now is the store's clock, for what is judged outside a transaction (an
// action overdue, the time a listing is made): on PostgreSQL the machine's
// clock set by how far it was from the server's when the store was opened
// (see Tx.Now for why the server's), on SQLite the machine's.
func (s *Store) Now() time.Time { return s.machineNow().Add(s.skew).UTC() }

// ClockOffset is how far the server's clock was ahead of this machine's
// when the store was opened (behind when negative), to within half the
// time the reading took to come back; ok is false where there is no
// server's clock (SQLite).
func (s *Store) ClockOffset() (d time.Duration, ok bool) { return s.skew, s.skewRead }

// dropPrefetched forgets the prefetched reads: a write other than an
// append may have changed what they hold.
func (t *Tx) dropPrefetched() {
	if t.w != nil {
		t.w.pre = nil
	}
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
func (sqliteBackend) beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error) {
	tx, err := db.BeginTx(ctx, nil)
	return tx, time.Time{}, err
}

func (sqliteBackend) beginRead(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error) {
	tx, err := db.BeginTx(ctx, &sql.TxOptions{ReadOnly: true})
	return tx, time.Time{}, err
}

func (sqliteBackend) lockAudit(context.Context, *sql.Tx, int64) (time.Time, error) {
	return time.Time{}, nil
}

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
		return s.ExplainRead("checking", err)
	}
	defer rows.Close()
	var problems []string
	for rows.Next() {
		var line string
		if err := rows.Scan(&line); err != nil {
			return s.ExplainRead("checking", err)
		}
		if line != "ok" {
			problems = append(problems, line)
		}
	}
	if err := rows.Err(); err != nil {
		return s.ExplainRead("checking", err)
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
