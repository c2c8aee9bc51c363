package atomicfile

import (
	"errors"
	"fmt"
	"os"
	"runtime"
	"syscall"
	"time"
)

// On Windows os.Rename replaces an existing target in one step
// (MoveFileEx with MOVEFILE_REPLACE_EXISTING), as rename does elsewhere, so
// a reader sees the old file or the new one, never a mix. Unlike
// elsewhere, it fails while another program holds either file open without
// sharing it: an antivirus scanner or the search indexer opening the new
// temporary file for a moment, or Excel keeping the old workbook open. The
// first passes within a second or two, so the rename is tried again for up
// to renameWait (as the Go command does for its own files); the second does
// not, and the error then says to close the file.
const renameWait = 2 * time.Second

// replace renames from over to: with retries on Windows.
func replace(from, to string) error {
	return retryRename(func() error { return renameFile(from, to) }, runtime.GOOS == "windows", time.Sleep, renameWait)
}

var renameFile = os.Rename

// retryRename runs rename, and while it fails because another program
// holds a file open (only on Windows: the same error numbers mean other
// things elsewhere), runs it again with growing pauses for up to wait.
func retryRename(rename func() error, windows bool, sleep func(time.Duration), wait time.Duration) error {
	pause, waited := 10*time.Millisecond, time.Duration(0)
	for {
		err := rename()
		if err == nil || !windows || !windowsInUse(err) {
			return err
		}
		if waited >= wait {
			return &inUseError{err}
		}
		sleep(pause)
		waited += pause
		pause = min(2*pause, 500*time.Millisecond)
	}
}

// windowsInUse reports whether err is a Windows error saying another
// program has the file open: ERROR_ACCESS_DENIED (5), which Windows also
// returns for a file being deleted or scanned, ERROR_SHARING_VIOLATION (32)
// and ERROR_LOCK_VIOLATION (33).
func windowsInUse(err error) bool {
	var errno syscall.Errno
	if !errors.As(err, &errno) {
		return false
	}
	switch uintptr(errno) {
	case 5, 32, 33:
		return true
	}
	return false
}

// inUseError is a rename that failed because the target stayed open in
// another program.
type inUseError struct{ err error }

func (e *inUseError) Error() string {
	return fmt.Sprintf("another program has the file open (Excel, or a sync or antivirus program): close it and run again (%v)", e.err)
}

func (e *inUseError) Unwrap() error { return e.err }
