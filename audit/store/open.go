package store

// Opening a store: the path or URL chooses the backend (store.go's
// SQLite, postgres.go's PostgreSQL), and a new or older SQLite file is
// brought to the current schema (schema.go).

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
		s := &Store{path: path, db: db, b: sqliteBackend{}, enteredBy: opts.EnteredBy, lockWait: timeout}
		tightenPerms(abs)
		return s, nil
	}
	db, err := openDB(abs, timeout)
	if err != nil {
		return nil, fmt.Errorf("opening the store %s: %w", path, err)
	}
	// No deadline on a local file: SQLite's busy timeout bounds waiting for
	// another writer, and a long import on a slow disk is not a dead server.
	s := &Store{path: path, db: db, b: sqliteBackend{}, enteredBy: opts.EnteredBy, lockWait: timeout}
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
