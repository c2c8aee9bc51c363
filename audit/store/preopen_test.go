package store

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// Opening a store ahead of time (Preopen): Open takes the handle only for
// the same file and busy timeout, and nothing that only Open may do
// (create, migrate, switch to WAL) happens ahead of it.

// preopenedNow waits for the store Preopen is opening and returns it (nil
// when none); the test then closes whatever Open did not take.
func preopenedNow(t *testing.T) *preopened {
	t.Helper()
	t.Cleanup(ClosePreopened)
	ahead.Lock()
	p := ahead.p
	ahead.Unlock()
	if p != nil {
		<-p.done
	}
	return p
}

// madeStore is a store file at a new path holding one audit, closed.
func madeStore(t *testing.T) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	newAudit(t, s, "2026-07 monthly", 3)
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path
}

// noLogFiles fails when the store's -wal or -shm is left beside it.
func noLogFiles(t *testing.T, path string) {
	t.Helper()
	for _, suffix := range []string{"-wal", "-shm"} {
		if _, err := os.Stat(path + suffix); err == nil {
			t.Errorf("%s%s is left behind", filepath.Base(path), suffix)
		}
	}
}

func TestOpenTakesThePreopenedStore(t *testing.T) {
	ctx := context.Background()
	path := madeStore(t)
	Preopen(path)
	p := preopenedNow(t)
	if p == nil || p.db == nil {
		t.Fatal("the store was not opened ahead")
	}
	s, err := Open(ctx, path, Options{EnteredBy: "A.Khan"})
	if err != nil {
		t.Fatal(err)
	}
	if s.db != p.db {
		t.Fatal("Open opened the store again instead of taking the handle opened ahead")
	}
	// The handle taken is the store as Open makes it: it reads, writes
	// (foreign keys on, IMMEDIATE transactions) and records who enters.
	newAudit(t, s, "2026-08 monthly", 2)
	var fk int
	if err := s.DB().QueryRow("PRAGMA foreign_keys").Scan(&fk); err != nil || fk != 1 {
		t.Errorf("foreign_keys = %d (%v); want 1", fk, err)
	}
	if s.EnteredBy() != "A.Khan" || s.Path() != path {
		t.Errorf("EnteredBy %q, Path %q; want A.Khan, %s", s.EnteredBy(), s.Path(), path)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	noLogFiles(t, path)
	// Closing it is Open's caller's: nothing is left for ClosePreopened.
	ahead.Lock()
	left := ahead.p
	ahead.Unlock()
	if left != nil {
		t.Error("the handle Open took is still held for ClosePreopened")
	}
}

func TestPreopenedStoreClosedUnused(t *testing.T) {
	path := madeStore(t)
	Preopen(path)
	if p := preopenedNow(t); p == nil || p.db == nil {
		t.Fatal("the store was not opened ahead")
	}
	if _, err := os.Stat(path + "-wal"); err != nil {
		t.Fatalf("SQLite opened no write-ahead log: %v", err) // else the next check proves nothing
	}
	ClosePreopened()
	noLogFiles(t, path)
	ClosePreopened() // twice is harmless
}

func TestPreopenCreatesAndChangesNothing(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "missing.db")
	empty := filepath.Join(dir, "empty.db")
	text := filepath.Join(dir, "notes.db")
	if err := os.WriteFile(empty, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(text, []byte("case notes, not a store\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	for _, path := range []string{missing, empty, text} {
		Preopen(path)
		if p := preopenedNow(t); p == nil || p.db != nil {
			t.Errorf("%s: opened ahead (%v)", filepath.Base(path), p)
		}
		ClosePreopened()
		noLogFiles(t, path)
	}
	if _, err := os.Stat(missing); err == nil {
		t.Error("Preopen created the missing store")
	}
	if fi, err := os.Stat(empty); err != nil || fi.Size() != 0 {
		t.Errorf("the empty file: %v, %v", fi, err)
	}
	if b, _ := os.ReadFile(text); string(b) != "case notes, not a store\n" {
		t.Errorf("the text file now holds %q", b)
	}
}

// A store Open must change first (here one left out of WAL mode, as a
// creation cut short leaves it; a newer schema likewise) is left to Open.
func TestPreopenLeavesChangesToOpen(t *testing.T) {
	ctx := context.Background()
	path := madeStore(t)
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("PRAGMA journal_mode = DELETE"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	Preopen(path)
	if p := preopenedNow(t); p == nil || p.db != nil {
		t.Fatalf("a store not in WAL mode was opened ahead (%v)", p)
	}
	var mode string
	db, _ = sql.Open("sqlite", path)
	db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	db.Close()
	if mode != "delete" {
		t.Fatalf("journal_mode = %s after Preopen; want it left as delete", mode)
	}
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	s.DB().QueryRow("PRAGMA journal_mode").Scan(&mode)
	if mode != "wal" {
		t.Errorf("journal_mode = %s after Open; want wal", mode)
	}

	newer := madeStore(t)
	db, _ = sql.Open("sqlite", newer)
	if _, err := db.Exec("PRAGMA user_version = 99"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	ClosePreopened()
	Preopen(newer)
	if p := preopenedNow(t); p == nil || p.db != nil {
		t.Fatalf("a store of a newer schema was opened ahead (%v)", p)
	}
}

// Open does not take a handle opened on another file, on a file since
// replaced at the same path, or with another busy timeout; it opens the
// store itself. The handle is closed, except one on a file since replaced:
// closing that would remove the -wal and -shm files at the path, which
// are the new file's.
func TestOpenTakesOnlyTheSameStore(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		before   func(t *testing.T, path string) (openPath string, opts Options)
		closedBy bool // the handle opened ahead is closed once Open and ClosePreopened are done
	}{
		{"another store", func(t *testing.T, path string) (string, Options) { return madeStore(t), Options{} }, true},
		{"another busy timeout", func(t *testing.T, path string) (string, Options) {
			return path, Options{BusyTimeout: 2 * time.Second}
		}, true},
		{"replaced since", func(t *testing.T, path string) (string, Options) {
			if err := os.Rename(madeStore(t), path); err != nil {
				t.Fatal(err)
			}
			return path, Options{}
		}, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := madeStore(t)
			Preopen(path)
			p := preopenedNow(t)
			if p == nil || p.db == nil {
				t.Fatal("the store was not opened ahead")
			}
			openPath, opts := tc.before(t, path)
			s, err := Open(ctx, openPath, opts)
			if err != nil {
				t.Fatal(err)
			}
			defer s.Close()
			if s.db == p.db {
				t.Fatal("Open took the handle opened ahead")
			}
			ClosePreopened()
			// What the store opened commits after that is kept, -wal
			// and all: another handle on the path sees it.
			newAudit(t, s, "2026-08 monthly", 2)
			other, err := Open(ctx, openPath, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer other.Close()
			if err := other.Read(ctx, "reading", func(tx *Tx) error {
				_, err := tx.Audit(ctx, "2026-08 monthly")
				return err
			}); err != nil {
				t.Fatalf("the audit written after: %v", err)
			}
			if err := p.db.Ping(); (err != nil) != tc.closedBy {
				t.Errorf("the handle opened ahead: Ping %v; want closed %v", err, tc.closedBy)
			}
		})
	}
}
