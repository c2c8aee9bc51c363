package store

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"modernc.org/sqlite"
	"modernc.org/sqlite/vfs"
)

// failingDisk is a folder whose files read their first page and then fail,
// as a disk with a bad sector does.
type failingDisk struct{ fs.FS }

func (d failingDisk) Open(name string) (fs.File, error) {
	f, err := d.FS.Open(name)
	if err != nil {
		return nil, err
	}
	return &failingFile{File: f}, nil
}

type failingFile struct {
	fs.File
	at int64
}

func (f *failingFile) Seek(off int64, whence int) (int64, error) {
	n, err := f.File.(io.Seeker).Seek(off, whence)
	f.at = n
	return n, err
}

func (f *failingFile) Read(b []byte) (int, error) {
	if f.at >= 4096 {
		return 0, errors.New("input/output error")
	}
	n, err := f.File.Read(b)
	f.at += int64(n)
	return n, err
}

// diskReadError is the error SQLite gives when the disk fails a read
// (SQLITE_IOERR_READ), from a database on a failingDisk.
func diskReadError(t *testing.T) error {
	t.Helper()
	dir := t.TempDir()
	db, err := sql.Open("sqlite", filepath.Join(dir, "plain.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE t (x TEXT)"); err != nil {
		t.Fatal(err)
	}
	for i := range 50 {
		if _, err := db.Exec("INSERT INTO t VALUES (?)", fmt.Sprintf("%d %s", i, strings.Repeat("x", 1000))); err != nil {
			t.Fatal(err)
		}
	}
	db.Close()
	name, fsys, err := vfs.New(failingDisk{os.DirFS(dir)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { fsys.Close() })
	db, err = sql.Open("sqlite", "file:plain.db?vfs="+name)
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	var n int
	err = db.QueryRow("SELECT count(*) FROM t WHERE length(x) > 0").Scan(&n)
	var se *sqlite.Error
	if !errors.As(err, &se) || se.Code()&0xff != 10 {
		t.Fatalf("reading from a failing disk: %v, want an SQLite I/O error", err)
	}
	return err
}

// The disk's I/O error is said as what is true of what was being done: a
// write transaction wrote nothing; a read (a report, verify, a snapshot)
// changed nothing and could not finish, and never says a write was kept
// from happening.
func TestIOErrorSaysReadOrWrite(t *testing.T) {
	ctx := context.Background()
	ioErr := diskReadError(t)
	s, err := Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), Options{EnteredBy: "qa.officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	path := s.Path()
	read := s.Read(ctx, "reading", func(*Tx) error { return ioErr })
	want := "the disk holding the store " + path + " refused a read or write (SQLite I/O error 266) while caseaudit was only reading it, so the command could not finish; the store is unchanged: check the disk"
	if read == nil || !strings.HasPrefix(read.Error(), want) || strings.Contains(read.Error(), "written") {
		t.Errorf("an I/O error in a read:\n%v\nwant\n%s…", read, want)
	}
	if e := s.ExplainRead("reading", ioErr); e == nil || e.Error() != read.Error() {
		t.Errorf("ExplainRead: %v, want as Read: %v", e, read)
	}
	wrote := s.Write(ctx, "recording a finding in", func(*WriteTx) error { return ioErr })
	want = "the disk holding the store " + path + " refused a read or write (SQLite I/O error 266), so nothing was written; check the disk"
	if wrote == nil || !strings.HasPrefix(wrote.Error(), want) {
		t.Errorf("an I/O error in a write:\n%v\nwant\n%s…", wrote, want)
	}
}
