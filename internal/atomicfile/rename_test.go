package atomicfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"
)

// inUse is the error os.Rename returns on Windows while another program
// holds the file open without sharing it (ERROR_SHARING_VIOLATION).
func inUse(from, to string) error {
	return &os.LinkError{Op: "rename", Old: from, New: to, Err: syscall.Errno(32)}
}

// A scanner holding the new file for a moment: the rename is tried again
// and succeeds, with pauses that add up to less than the wait.
func TestRetryRenameOnWindowsWhileAFileIsBriefly(t *testing.T) {
	fails := 3
	var slept time.Duration
	err := retryRename(func() error {
		if fails > 0 {
			fails--
			return inUse("a", "b")
		}
		return nil
	}, true, func(d time.Duration) { slept += d }, renameWait)
	if err != nil || fails != 0 {
		t.Fatalf("err = %v, %d failures left", err, fails)
	}
	if slept <= 0 || slept > renameWait {
		t.Errorf("slept %v", slept)
	}
}

// A workbook kept open in Excel: after the wait, an error that says what
// to do and still wraps the system's error.
func TestRetryRenameGivesUpOnAFileKeptOpen(t *testing.T) {
	var slept time.Duration
	calls := 0
	err := retryRename(func() error { calls++; return inUse("a", "b") }, true, func(d time.Duration) { slept += d }, renameWait)
	var errno syscall.Errno
	if err == nil || !strings.Contains(err.Error(), "another program has the file open") || !errors.As(err, &errno) || errno != 32 {
		t.Fatalf("err = %v", err)
	}
	if slept < renameWait || slept > renameWait+time.Second || calls < 5 {
		t.Errorf("slept %v over %d tries; want about %v", slept, calls, renameWait)
	}
}

// Elsewhere the same error numbers mean other things (32 is EPIPE on
// Linux), and other errors are not in-use errors on Windows: no retry.
func TestRetryRenameOnlyForWindowsInUseErrors(t *testing.T) {
	for _, tc := range []struct {
		name    string
		windows bool
		err     error
	}{
		{"not windows", false, inUse("a", "b")},
		{"windows, no such folder", true, &os.LinkError{Op: "rename", Old: "a", New: "b", Err: syscall.Errno(3)}},
		{"windows, another error", true, errors.New("disk full")},
	} {
		calls := 0
		err := retryRename(func() error { calls++; return tc.err }, tc.windows, func(time.Duration) { t.Fatal("slept") }, renameWait)
		if calls != 1 || err != tc.err {
			t.Errorf("%s: %d calls, err %v", tc.name, calls, err)
		}
	}
}

// Write replaces an existing file whole, and when the rename fails the
// target is left as it was and no temporary file stays behind.
func TestWriteLeavesTheTargetWhenTheRenameFails(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "audit.xlsx")
	if err := os.WriteFile(p, []byte("old"), 0o600); err != nil {
		t.Fatal(err)
	}
	defer func(f func(string, string) error) { renameFile = f }(renameFile)
	renameFile = func(from, to string) error { return errors.New("the volume went away") }
	err := Write(context.Background(), p, true, func(f *os.File) error { _, err := f.WriteString("new"); return err })
	if err == nil || !strings.Contains(err.Error(), "cannot write "+p) {
		t.Fatalf("err = %v", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("the target became %q", b)
	}
	assertOnly(t, dir, "audit.xlsx")
}
