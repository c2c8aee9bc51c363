// Package atomicfile writes output files so that nothing is ever
// half-written: the content goes to a temporary file beside the target
// (mode 0600), is synced, and is renamed over the target only when complete.
// On any failure, or if the context is cancelled, the temporary file is
// removed and the target is left as it was.
package atomicfile

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// StaleAge is how old a temporary file left beside a target must be before
// Write removes it: a process killed while writing (SIGKILL, power loss)
// cannot remove its own, and an hour is far longer than any write takes.
const StaleAge = time.Hour

// removeStale removes the temporary files ".BASE.tmp-*" that a killed
// writer of the same target left in dir more than StaleAge ago. Failures
// are ignored: they cost only disk space. The folder is listed rather than
// globbed: a glob cannot escape [ or * in a name on Windows, where \ is the
// path separator.
func removeStale(dir, base string) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		return
	}
	prefix := "." + base + ".tmp-"
	now := time.Now()
	for _, e := range entries {
		if !strings.HasPrefix(e.Name(), prefix) {
			continue
		}
		m := filepath.Join(dir, e.Name())
		st, err := os.Lstat(m)
		if err != nil || !st.Mode().IsRegular() || now.Sub(st.ModTime()) < StaleAge {
			continue
		}
		os.Remove(m)
	}
}

// ErrExists is returned when the target exists and overwriting was not asked for.
var ErrExists = errors.New("file exists")

// Write creates path with the bytes fn writes to the given file. When force
// is false an existing path is an error wrapping ErrExists.
func Write(ctx context.Context, path string, force bool, fn func(f *os.File) error) (err error) {
	if err := Check(path, force); err != nil {
		return err
	}
	dir := filepath.Dir(path)
	removeStale(dir, filepath.Base(path))
	tmp, err := createTemp(dir, "."+filepath.Base(path)+".tmp-*")
	if err != nil {
		return failed(path, err)
	}
	name := tmp.Name()
	defer func() {
		if err != nil {
			tmp.Close()
			os.Remove(name)
		}
	}()
	if err = tmp.Chmod(0o600); err != nil {
		return failed(path, err)
	}
	if err = fn(tmp); err != nil {
		// A write to the temporary file that failed (a full disk) is
		// said as the target's; what fn itself refused is its own.
		var pe *fs.PathError
		if errors.As(err, &pe) && pe.Path == name {
			return failed(path, err)
		}
		return err
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = tmp.Sync(); err != nil {
		return failed(path, err)
	}
	if err = tmp.Close(); err != nil {
		return failed(path, err)
	}
	if err = ctx.Err(); err != nil {
		return err
	}
	if err = replace(name, path); err != nil {
		return failed(path, err)
	}
	// Make the rename durable.
	if d, derr := os.Open(dir); derr == nil {
		d.Sync()
		d.Close()
	}
	return nil
}

// createTemp is os.CreateTemp; a test replaces it to meet a folder that
// refuses the file, which a test run as root cannot make.
var createTemp = os.CreateTemp

// Check says, before any work is done, whether Write could write path: its
// folder exists, it is not a folder or a device, and it does not exist yet
// unless force. A command checks its outputs first, so that a mistake
// costs nothing.
func Check(path string, force bool) error {
	dir := filepath.Dir(path)
	if st, err := os.Stat(dir); err != nil {
		if errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: the folder %s does not exist; create it first", path, dir)
		}
		return failed(path, err)
	} else if !st.IsDir() {
		return fmt.Errorf("cannot write %s: %s is not a folder; name a file in a folder that exists", path, dir)
	}
	if st, err := os.Lstat(path); err == nil {
		if st.IsDir() {
			return fmt.Errorf("cannot write %s: it is a folder; name a file in it", path)
		}
		if !st.Mode().IsRegular() {
			// A device, pipe, socket or symlink: renaming over it would
			// replace it (as root, even /dev/full), not write to it.
			return fmt.Errorf("cannot write %s: it is not a regular file (a device, pipe or link); name a file", path)
		}
		if !force {
			return &existsError{path}
		}
	}
	return nil
}

// existsError says a file exists and what to do; it is ErrExists.
type existsError struct{ path string }

func (e *existsError) Error() string { return e.Spell(opt.Keys) }

// Spell is the message with the option it names spelled as st spells it.
func (e *existsError) Spell(st opt.Style) string {
	return fmt.Sprintf("%s already exists; choose another name or give %s to replace it", e.path, opt.Force.Spell(st))
}

func (e *existsError) Is(target error) bool { return target == ErrExists }
