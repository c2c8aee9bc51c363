package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/user"
	"path/filepath"
	"runtime"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/netfs"
)

// storePath resolves the audit store: --db, else $CASEAUDIT_DB, else
// ./caseaudit.db. It is a file path (SQLite) or a postgres:// URL.
func (g *globalOptions) storePath() string {
	if g.DB != "" {
		return g.DB
	}
	if p := os.Getenv("CASEAUDIT_DB"); p != "" {
		return p
	}
	return store.DefaultPath
}

// storeName is the store as messages name it: a PostgreSQL URL never shows
// its password.
func (g *globalOptions) storeName() string { return store.Redact(g.storePath()) }

// storeExists reports whether the store may hold audits: the SQLite file
// exists, or the store is on PostgreSQL (where opening it says whether it
// is there).
func (g *globalOptions) storeExists() bool {
	return store.IsPostgres(g.storePath()) || fileExists(g.storePath())
}

// checkStoreFlag refuses a password in a PostgreSQL URL given with --db:
// the command line is visible to other users of the machine (ps) and kept
// in shell history.
func (g *globalOptions) checkStoreFlag() error {
	if store.HasPassword(g.DB) {
		return usagef("--db: the connection string carries a password, which the command line shows to other users of this machine; give it in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE) instead")
	}
	return nil
}

// openStore opens (creating when missing, for SQLite) the audit store for
// a command. The caller closes it.
//
// An SQLite store on a network drive is refused (unless
// --allow-network-store): SQLite's locks are not reliable over SMB or NFS,
// and a team sharing one file there can damage it. A store made now is
// announced with its absolute path, even with --quiet, so that a QA
// officer in the wrong folder sees at once that she is not using the
// team's store; if the command then fails, the new store is removed.
func (g *globalOptions) openStore(ctx context.Context) (*audit.Store, error) {
	if err := g.checkStoreFlag(); err != nil {
		return nil, err
	}
	path := g.storePath()
	fresh := false
	network, err := g.networkStore(path)
	if err != nil {
		return nil, err
	}
	if !store.IsPostgres(path) {
		fi, err := os.Stat(path)
		fresh = errors.Is(err, fs.ErrNotExist) || err == nil && fi.Size() == 0
	}
	st, err := audit.Open(ctx, path, audit.Options{Clock: g.injectedNow, Actor: g.actor(), Deadline: g.DBTimeout, BusyTimeout: g.LockTimeout, NetworkStore: network, MachineClock: g.machineClock,
		Waiting: func(msg string) { g.infof("%s\n", msg) }, Warn: func(msg string) { g.warnf("%s\n", msg) }})
	if err != nil {
		return nil, err
	}
	g.storeNow = st.Now
	// The file's absence before opening is not enough: another command
	// started at the same moment may have made it; only the one that
	// wrote its schema says so (and would remove it after a failure).
	if fresh && st.Created() {
		abs, err := filepath.Abs(path)
		if err != nil {
			abs = path
		}
		if g.createdStore == "" {
			g.createdStore = abs
			g.log("info", "made a new audit store at "+abs)
		}
	}
	return st, nil
}

// networkStore decides, for every command that opens a store (store copy
// included), whether an SQLite store at path may be used: one on a
// network drive is refused unless --allow-network-store insists, and then
// where it lies is returned ("" for a local file or PostgreSQL), for the
// store to note with every write (audit.Options.NetworkStore).
func (g *globalOptions) networkStore(path string) (string, error) {
	if store.IsPostgres(path) {
		return "", nil
	}
	w := netfs.Of(path)
	if !w.Network {
		return "", nil
	}
	if !g.AllowNetworkStore {
		return "", fmt.Errorf("the store %s is on %s, where SQLite's file locking is not safe and two people writing one store can damage it; keep an SQLite store on this computer's own disk for one person, or use a PostgreSQL store for a team (README: \"A team store\"); to use this file anyway, at your own risk, give --allow-network-store", path, networkKind(w))
	}
	return networkKind(w), nil
}

// networkKind names where a network store is, for the refusal.
func networkKind(w netfs.Where) string {
	if strings.HasPrefix(w.Kind, "a ") {
		return w.Kind
	}
	return "a network drive (" + w.Kind + ")"
}

// removeCreatedStore removes a store this command made, when the command
// failed: a refused or failed command leaves no empty store behind. It
// removes nothing that holds an audit (another process may have written
// to it meanwhile).
func (g *globalOptions) removeCreatedStore() {
	if g.createdStore == "" {
		return
	}
	st, err := audit.Open(context.Background(), g.createdStore, audit.Options{})
	if err != nil {
		return
	}
	list, err := st.Audits(context.Background())
	st.Close()
	if err == nil && len(list) > 0 || err != nil && !errors.Is(err, audit.ErrNotFound) {
		return
	}
	for _, suffix := range []string{"", "-wal", "-shm", "-journal"} {
		os.Remove(g.createdStore + suffix)
	}
}

// actor names the person acting, recorded in the trail with what they do
// (and, on SQLite, as who entered every entry): --user, else
// $CASEAUDIT_USER, else the login. (On PostgreSQL the trail also records
// the database login itself.)
func (g *globalOptions) actor() string {
	if s := strings.TrimSpace(g.User); s != "" {
		return s
	}
	return actor()
}

func actor() string {
	return loginName(runtime.GOOS, os.Getenv, user.Current)
}

// loginName is the person acting when neither --user nor a config names
// one: $CASEAUDIT_USER, else the operating system's login. On Windows the
// login is the account as Windows names it, DOMAIN\name ("CORP\a.khan",
// or the computer's name for a local account), which tells two people of
// the same name in different domains apart; should the account lookup
// fail, %USERDOMAIN%\%USERNAME% says the same. Elsewhere it is the user
// name ("akhan"), else $USER.
func loginName(goos string, getenv func(string) string, current func() (*user.User, error)) string {
	if s := strings.TrimSpace(getenv("CASEAUDIT_USER")); s != "" {
		return s
	}
	if u, err := current(); err == nil && u.Username != "" {
		return u.Username
	}
	if goos == "windows" {
		if name := getenv("USERNAME"); name != "" {
			if d := getenv("USERDOMAIN"); d != "" {
				return d + `\` + name
			}
			return name
		}
	} else if name := getenv("USER"); name != "" {
		return name
	}
	return "unknown"
}

// openExistingStore opens the store for a command that reads an audit: a
// missing store is an error that says how to make one, not a new empty file.
func (g *globalOptions) openExistingStore(ctx context.Context) (*audit.Store, error) {
	if !g.storeExists() {
		return nil, fmt.Errorf("no audit store at %s; record an audit first with: caseaudit sample EXPORT --size N --audit NAME (or give --db)", g.storeName())
	}
	return g.openStore(ctx)
}

// openAudit opens the existing store and finds the named audit in it; the
// caller closes the store.
func (g *globalOptions) openAudit(ctx context.Context, name string) (*audit.Store, *audit.Audit, error) {
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return nil, nil, err
	}
	a, err := st.Audit(ctx, name)
	if err != nil {
		st.Close()
		return nil, nil, err
	}
	return st, a, nil
}
