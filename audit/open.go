package audit

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// DefaultPath is the store file used when the user names none.
const DefaultPath = store.DefaultPath

// DefaultBusyTimeout is how long a write waits for another writer.
const DefaultBusyTimeout = store.DefaultBusyTimeout

// Options say how to open a store. The zero value is usable.
type Options struct {
	// BusyTimeout is how long a write waits while another process writes;
	// 0 means DefaultBusyTimeout.
	BusyTimeout time.Duration
	// Clock, when set, gives the time recorded with every entry and
	// judged by (what is due, overdue): an injected clock, for tests and
	// demonstrations. Nil means the store's own clock: the server's on
	// PostgreSQL, read in each write transaction once the chain written
	// to is locked, so that a team's entries agree whatever their
	// machines' clocks say (see store.Tx.Now); the machine's on SQLite.
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
	// NetworkStore, when not "", says where the SQLite store lies on a
	// network filesystem the user chose to use anyway
	// (--allow-network-store): "a Windows network share", "a network
	// drive (nfs4)". Each command's first write to an audit's trail then
	// records it there (see noteNetwork).
	NetworkStore string
	// Deadline bounds each read and write of the store (see
	// store.Options.Deadline): a server that stops answering ends the
	// command with a message. 0 means store.DefaultDeadline.
	Deadline time.Duration
	// Waiting, when set, is told when a write must wait for another
	// session's lock on a PostgreSQL store, and whose (store.Options).
	Waiting func(string)
	// Warn, when set, is told (one line) what the store's opening found
	// wrong that does not stop its use (store.Options).
	Warn func(string)
	// MachineClock is this machine's clock (store.Options.MachineClock):
	// nil for time.Now; tests set one that is wrong.
	MachineClock func() time.Time
}

// Errors a caller may test for with errors.Is.
var (
	// ErrBusy: another process held the store's write lock beyond the busy timeout.
	ErrBusy = store.ErrBusy
	// ErrNotStore: the file is not a caseaudit store (or is one from a newer caseaudit).
	ErrNotStore = store.ErrNotStore
)

// Store is an opened audit store: the use cases of audits over the rows
// and chains of an audit/store.Store, with the clock and the person acting.
type Store struct {
	st    *store.Store
	snap  *store.Tx        // set in a Snapshot's view: every read goes through it
	clock func() time.Time // Options.Clock; nil: the store's (see nowIn)
	actor string
	// network is Options.NetworkStore; netNoted holds the audits whose
	// trail this Store has recorded it in (committed), netPending those of
	// the write transaction under way.
	network    string
	netNoted   map[int64]bool
	netPending map[int64]bool
	// netLogged: this Store has noted the network drive in the store log
	// (for a write that went into no audit's trail), committed.
	netLogged bool
	// duty is the duty the write under way exercises, and on what case,
	// as its check named it (attempt): a refusal by the database's own
	// guards is then worded as the check's own would be (refusedBy).
	duty *dutyAttempt
}

// Open opens the audit store at path (an SQLite file, created when missing)
// or a PostgreSQL URL: see store.Open.
func Open(ctx context.Context, path string, opts Options) (*Store, error) {
	by := opts.EnteredBy
	if by == "" {
		by = opts.Actor
	}
	st, err := store.Open(ctx, path, store.Options{BusyTimeout: opts.BusyTimeout, EnteredBy: by, Deadline: opts.Deadline, Waiting: opts.Waiting, Warn: opts.Warn,
		MachineClock: opts.MachineClock})
	if err != nil {
		return nil, err
	}
	return &Store{st: st, clock: opts.Clock, actor: opts.Actor, network: opts.NetworkStore, netNoted: map[int64]bool{}}, nil
}

// Close closes the store.
func (s *Store) Close() error {
	if s == nil || s.st == nil {
		return nil
	}
	return s.st.Close()
}

// Path returns the store as given to Open: its file path, or for
// PostgreSQL its URL without the password (safe to print).
func (s *Store) Path() string { return s.st.Path() }

// Created reports whether opening made the store (see store.Store.Created):
// of several commands started at once on a new file, only one did.
func (s *Store) Created() bool { return s.st.Created() }

// ClockOffset is how far the store's server's clock is ahead of this
// machine's (behind when negative), measured when the store was opened; ok
// is false for SQLite, which has no clock but the machine's.
func (s *Store) ClockOffset() (time.Duration, bool) { return s.st.ClockOffset() }

// Kind is "sqlite" or "postgres", for people to read.
func (s *Store) Kind() string { return s.st.Kind() }

// ErasureLeftovers names the tables a PostgreSQL store's owner rewrites
// for what a retirement or redaction erased to leave its files: see
// store.Store.ErasureLeftovers; none on SQLite.
func (s *Store) ErasureLeftovers(tables ...string) []string { return s.st.ErasureLeftovers(tables...) }

// EnteredBy is who the store records as having entered each new trail
// entry: the person at the keyboard (Options.EnteredBy, else Actor) for
// SQLite, the login's database role for PostgreSQL.
func (s *Store) EnteredBy() string { return s.st.EnteredBy() }

// IntegrityCheck checks the store as a whole: see store.Store.IntegrityCheck.
func (s *Store) IntegrityCheck(ctx context.Context) error { return s.st.IntegrityCheck(ctx) }

// now returns the time in UTC outside a transaction: the injected
// clock's, else in a Snapshot's view its transaction's (nowIn), else the
// store's (store.Store.Now).
func (s *Store) now() time.Time {
	switch {
	case s.clock != nil:
		return s.clock().UTC()
	case s.snap != nil:
		return s.snap.Now()
	}
	return s.st.Now()
}

// nowIn is the time in UTC within the transaction tx: the injected
// clock's, else the transaction's (store.Tx.Now: on PostgreSQL the
// server's, read as it began and as each lock was taken). A write
// transaction dates an entry by it only after the entry's chain is
// locked (see stamp).
func (s *Store) nowIn(tx *store.Tx) time.Time {
	if s.clock != nil {
		return s.clock().UTC()
	}
	return tx.Now()
}

// stamp is the time to give an entry's draft: the injected clock's, or
// zero for the store to date it once the chain's lock is held (see
// store.Draft).
func (s *Store) stamp() time.Time {
	if s.clock != nil {
		return s.clock().UTC()
	}
	return time.Time{}
}

// read runs fn in one read transaction, or in the Snapshot's transaction
// when s is a Snapshot's view.
func (s *Store) read(ctx context.Context, doing string, fn func(*store.Tx) error) error {
	if s.snap != nil {
		return s.st.ExplainRead(doing, fn(s.snap))
	}
	return s.st.Read(ctx, doing, fn)
}

// write runs fn in one write transaction: all of it or nothing.
func (s *Store) write(ctx context.Context, doing string, fn func(*store.WriteTx) error) error {
	if s.snap != nil {
		return fmt.Errorf("%s the store %s: a snapshot only reads", doing, s.Path())
	}
	s.duty = nil
	if s.network == "" {
		return s.refusedBy(ctx, s.st.Write(ctx, doing, fn))
	}
	// A network note belongs to the transaction that writes it: should it
	// roll back, the next write records it again.
	var pending map[int64]bool
	logged := false
	err := s.st.Write(ctx, doing, func(tx *store.WriteTx) error {
		pending, logged = map[int64]bool{}, false
		s.netPending = pending
		before, err := tx.Changes(ctx)
		if err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		// What went into no audit's trail (the people list, the
		// retention period, a retirement) is noted in the store log.
		if len(pending) > 0 || s.netLogged {
			return nil
		}
		after, err := tx.Changes(ctx)
		if err != nil || after == before {
			return err
		}
		logged = true
		return s.noteNetworkLog(ctx, tx)
	})
	s.netPending = nil
	if err == nil {
		for id := range pending {
			s.netNoted[id] = true
		}
		s.netLogged = s.netLogged || logged
	}
	return s.refusedBy(ctx, err)
}

// Snapshot calls fn with a view of the store whose reads all come from one
// read transaction: everything fn reads is one state of the store, even
// while others record findings. A report built from several queries cannot
// then mix states. The view cannot write. Inside a Snapshot, Snapshot calls
// fn with the same view.
func (s *Store) Snapshot(ctx context.Context, fn func(*Store) error) error {
	if s.snap != nil {
		return fn(s)
	}
	return s.st.Read(ctx, "reading", func(tx *store.Tx) error {
		v := *s
		v.snap = tx
		return fn(&v)
	})
}

// Login is who the store takes to be acting: the login on PostgreSQL, the
// OS login or --user on SQLite.
func (s *Store) Login() string { return s.st.EnteredBy() }

// dutyAttempt is the duty a write exercises, and on what case.
type dutyAttempt struct {
	duty  Duty
	facts CaseFacts
}

// attempt notes, for the write under way, the duty it exercises: the
// duties check of each use case calls it before it decides, so that what
// the database's own guards refuse afterwards is worded as that check
// would have worded it.
func (s *Store) attempt(d Duty, c CaseFacts) { s.duty = &dutyAttempt{duty: d, facts: c} }

// refusedBy turns a refusal by the database's own guards (a PostgreSQL
// login without the store role the write needs, or a trigger that found
// the write not the login's duty) into the refusal the use-case layer
// gives: the same one line, naming the duty's rule and who may do it, with
// the database's reason after it, and the same exit. The check in caseaudit
// and the one in the database read the same people list, so they disagree
// only when the login's database roles do not match its roles in the list
// (or the list changed between the two): the database's word is final.
// Any other error is returned as it is.
func (s *Store) refusedBy(ctx context.Context, err error) error {
	var r *store.Refusal
	if s.duty == nil || !errors.As(err, &r) {
		return err
	}
	at := *s.duty
	p := Person{Login: s.Login()}
	var roster Roster
	if e := s.read(ctx, "reading the people list of", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		if q, ok := people[p.Login]; ok {
			p = q
		}
		if len(people) > 0 {
			roster = Roster(sortedPeople(people))
		}
		return nil
	}); e != nil {
		return fmt.Errorf("%w (and the people list, to say who may, could not be read: %v)", err, e)
	}
	who := whoMay(at.duty, at.facts, roster)
	if roster != nil && Allowed(p, at.duty, at.facts, roster) == nil {
		// The list allows it and the database does not: what is missing
		// is the login's database role, which only its administrator gives.
		who = "the people list allows it, so ask the store's administrator to give the login the store role the database names"
	}
	return &DutyError{Duty: at.duty, Person: p, Rule: duties[at.duty].rule, Who: who, Guard: r.Reason}
}

// noteNetwork records in the audit's trail, once per command (per Store)
// and audit, before its first entry of the command, that the store lies on
// a network filesystem where SQLite's locking is not safe and was used
// anyway. It is recorded by each command that writes, not once for ever:
// each command may be another person on another machine, and should the
// file be damaged, the trail shows every write made at that risk, by whom
// and when. Being an entry, it is inside the hash chain.
func (s *Store) noteNetwork(ctx context.Context, ch *store.Chain, a *Audit) error {
	if s.network == "" || s.netNoted[a.id] || s.netPending == nil || s.netPending[a.id] {
		return nil
	}
	s.netPending[a.id] = true
	_, err := ch.Append(ctx, store.Draft{Kind: KindNetworkStore, Actor: s.actor, At: s.stamp(),
		Payload: networkPayload{Where: s.network, Flag: "--allow-network-store"}})
	return err
}

// noteNetworkLog records in the store log, within the write transaction
// tx, that the store lies on a network filesystem and was written to
// anyway: for a write that goes into no audit's trail (the people list,
// the retention period, a retirement, a copy made into the store), whose
// marker cannot be a trail entry. The audit trail's note (noteNetwork) and
// this one are the two places a write lands; Store.write and Copy decide
// which, for every command alike.
func (s *Store) noteNetworkLog(ctx context.Context, tx *store.WriteTx) error {
	if s.network == "" {
		return nil
	}
	_, err := tx.AppendNetworkStore(ctx, s.actor, s.stamp(), networkPayload{Where: s.network, Flag: "--allow-network-store"})
	return err
}
