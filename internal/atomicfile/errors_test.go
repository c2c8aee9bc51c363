package atomicfile

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// A folder the user may not write to (the tests run as root here, which
// any folder lets in): the system's refusal, injected where the temporary
// file is made, is said in one line naming the file as given and its
// folder, never the temporary file's name.
func TestWriteIntoAFolderNotWritable(t *testing.T) {
	dir := t.TempDir()
	ro := filepath.Join(dir, "ro")
	if err := os.Mkdir(ro, 0o755); err != nil {
		t.Fatal(err)
	}
	t.Chdir(dir)
	for _, c := range []struct {
		errno syscall.Errno
		want  string
	}{
		{syscall.EACCES, "cannot write ro/r.xlsx: the folder ro is not writable by you; choose another folder with --out"},
		{syscall.EPERM, "cannot write ro/r.xlsx: the folder ro is not writable by you; choose another folder with --out"},
		{syscall.EROFS, "cannot write ro/r.xlsx: the folder ro is on a read-only disk; choose another folder with --out"},
		{syscall.ENOSPC, "cannot write ro/r.xlsx: the disk holding the folder ro is full, so nothing was written; free some space on it, or choose another folder with --out"},
		{syscall.EIO, "cannot write ro/r.xlsx: input/output error"},
	} {
		createTemp = func(dir, pattern string) (*os.File, error) {
			return nil, &fs.PathError{Op: "open", Path: filepath.Join(dir, strings.Replace(pattern, "*", "3908892679", 1)), Err: c.errno}
		}
		err := Write(context.Background(), "ro/r.xlsx", false, func(f *os.File) error { return nil })
		createTemp = os.CreateTemp
		if got := opt.Spell(err, opt.Flags); got != c.want {
			t.Errorf("%v:\n got %q\nwant %q", c.errno, got, c.want)
		}
		if !errors.Is(err, c.errno) {
			t.Errorf("%v: the error %v does not wrap it", c.errno, err)
		}
		if strings.Contains(err.Error(), "tmp-") {
			t.Errorf("%v: the temporary file's name shows: %v", c.errno, err)
		}
	}
	assertOnly(t, ro)
	// A bare name is in the current folder; a run's configuration names
	// the option as its key.
	createTemp = func(string, string) (*os.File, error) {
		return nil, &fs.PathError{Op: "open", Path: ".x.tmp-1", Err: syscall.EACCES}
	}
	defer func() { createTemp = os.CreateTemp }()
	err := Write(context.Background(), "r.xlsx", false, func(f *os.File) error { return nil })
	if want := "cannot write r.xlsx: the current folder is not writable by you; choose another folder with outputs.workbook"; err.Error() != want {
		t.Errorf("got %q\nwant %q", err, want)
	}
}

// A write to the temporary file that fails (a full disk) names the target,
// not the temporary file; an error of the writer's own is left as it is.
func TestWriteFailingMidwayNamesTheTarget(t *testing.T) {
	dir := t.TempDir()
	t.Chdir(dir)
	err := Write(context.Background(), "r.csv", false, func(f *os.File) error {
		return &fs.PathError{Op: "write", Path: f.Name(), Err: syscall.ENOSPC}
	})
	if want := "cannot write r.csv: the disk holding the current folder is full, so nothing was written; free some space on it, or choose another folder with --out"; opt.Spell(err, opt.Flags) != want {
		t.Errorf("got %q\nwant %q", opt.Spell(err, opt.Flags), want)
	}
	own := errors.New("the report has no figures")
	if err := Write(context.Background(), "r.csv", false, func(f *os.File) error { return own }); err != own {
		t.Errorf("the writer's own error came back as %v", err)
	}
	assertOnly(t, dir)
}
