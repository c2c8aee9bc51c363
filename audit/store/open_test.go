package store

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// Opening an SQLite store: what is refused untouched, what becomes a store,
// and how a busy or damaged store is reported. (The trail's triggers are in
// the contract suite, on both backends.)

func TestOpenCreatesPrivateWALStore(t *testing.T) {
	defer permissiveUmask(t)() // a permissive umask must not make the store readable by others
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	newAudit(t, s, "2026-07 monthly", 3)
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; want no group/other access", p, fi.Mode().Perm())
		}
	}
	// The header marks the file as ours (application_id at offset 68).
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b[68:72], []byte("CAUD")) {
		t.Errorf("application_id bytes = %q; want CAUD", b[68:72])
	}
	var mode string
	var fk, uv int
	s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode)
	s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk)
	s.DB().QueryRow("PRAGMA user_version").Scan(&uv)
	if mode != "wal" || fk != 1 || uv != SchemaVersion {
		t.Errorf("journal_mode=%s foreign_keys=%d user_version=%d; want wal 1 %d", mode, fk, uv, SchemaVersion)
	}
	// Reopening an existing store works and keeps its audits.
	s.Close()
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	s2.Read(ctx, "reading", func(tx *Tx) error {
		if a, err := tx.Audit(ctx, "2026-07 monthly"); err != nil || a == nil {
			t.Fatalf("the audit after reopening: %v, %v", a, err)
		}
		return nil
	})
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte("Case notes, not a database\n"), 0o600)

	foreign := filepath.Join(dir, "other.sqlite")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer := filepath.Join(dir, "newer.db")
	db, _ = sql.Open("sqlite", newer)
	if _, err := db.Exec("PRAGMA application_id = 1128355140; PRAGMA user_version = 99; CREATE TABLE audit (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	noTables := filepath.Join(dir, "notables.db")
	db, _ = sql.Open("sqlite", noTables)
	if _, err := db.Exec("PRAGMA application_id = 1128355140; PRAGMA user_version = 1; CREATE TABLE other (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, c := range []struct{ path, want string }{
		{text, "is not a caseaudit store (not an SQLite database)"},
		{foreign, "is an SQLite database but not a caseaudit store"},
		{newer, "was written by a newer caseaudit (schema version 99"},
		{noTables, "table audit is missing"},
		{dir, "is a directory"},
	} {
		var before []byte
		if fi, _ := os.Stat(c.path); !fi.IsDir() {
			before, _ = os.ReadFile(c.path)
		}
		s, err := Open(ctx, c.path, Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s: opened; want refusal", c.path)
			continue
		}
		if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q; want ErrNotStore containing %q", filepath.Base(c.path), err, c.want)
		}
		if before != nil {
			after, _ := os.ReadFile(c.path)
			if !bytes.Equal(before, after) {
				t.Errorf("%s was changed by the refused open", c.path)
			}
		}
	}
}

func TestOpenEmptyFileBecomesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "touched.db")
	os.WriteFile(path, nil, 0o600)
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestBusyStoreGivesClearError(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "store.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := newAudit(t, s, "2026-07 monthly", 5)
	// Another writer (a separate connection, as another process would be)
	// holds the write lock.
	other, err := sql.Open("sqlite", s.Path())
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	impatient, err := Open(ctx, s.Path(), Options{BusyTimeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	err = impatient.Write(ctx, "recording a finding in", func(w *WriteTx) error {
		c, err := w.Chain(ctx, id, "2026-07 monthly")
		if err != nil {
			return err
		}
		_, err = c.Append(ctx, Draft{Kind: "finding", Case: "CR-1", At: t0, Payload: 1})
		return err
	})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("error %v; want ErrBusy", err)
	}
	// The option is named as the face spells it: the flag at the command
	// line, the configuration's key under a scheduled run.
	want := "the store " + s.Path() + " is busy: another caseaudit has been writing to it for longer than the lock timeout (30ms); try again, or wait longer with "
	for st, option := range map[opt.Style]string{opt.Flags: "--lock-timeout", opt.Keys: "lock_timeout"} {
		if got := opt.Spell(err, st); got != want+option {
			t.Errorf("error %q; want %q", got, want+option)
		}
	}
	// Reading is not blocked by a writer (WAL).
	if err := impatient.Read(ctx, "reading", func(tx *Tx) error { _, err := tx.Entries(ctx, id, Filter{}); return err }); err != nil {
		t.Errorf("reading while another process writes: %v", err)
	}
}

// IntegrityCheck passes on a sound store and names the damage when a page
// in the middle of the file is overwritten.
func TestIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "store.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	newAudit(t, s, "a", 2000)
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("sound store: %v", err)
	}
	path := s.Path()
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12*4096 {
		t.Fatalf("store of %d bytes is too small to damage a middle page", len(b))
	}
	// Scramble the cell pointers of a b-tree page past the schema.
	for i := 8*4096 + 8; i < 8*4096+200; i++ {
		b[i] = 0xff
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Logf("refused at open: %v", err)
		return // refusing the damaged file at once is also right
	}
	defer s2.Close()
	if err := s2.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("damaged store: %v", err)
	}
}

// Two commands started together on a new file both find it missing before
// opening; only the one whose transaction wrote the schema made the store
// (and says so), the other opened what the first made.
func TestOnlyOneOpenCreatesANewStore(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	var stores []*Store
	for range 2 {
		fresh, err := precheck(path) // both look before either writes
		if err != nil || !fresh {
			t.Fatalf("precheck of a missing file: fresh %v, %v", fresh, err)
		}
		db, err := openDB(path, time.Second)
		if err != nil {
			t.Fatal(err)
		}
		s := &Store{path: path, db: db, b: sqliteBackend{}, lockWait: time.Second}
		defer s.Close()
		stores = append(stores, s)
	}
	for i, s := range stores {
		if err := s.check(ctx, true, true); err != nil {
			t.Fatalf("opening %d: %v", i, err)
		}
	}
	if !stores[0].Created() || stores[1].Created() {
		t.Errorf("Created: first %v, second %v; want only the first", stores[0].Created(), stores[1].Created())
	}
	again, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	if again.Created() {
		t.Error("opening an existing store says it made it")
	}
}
