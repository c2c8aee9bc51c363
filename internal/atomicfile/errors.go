package atomicfile

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"syscall"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// WriteError is a write of an output file that failed: it names the file
// as the user gave it, says why in words (the folder is not writable, the
// disk is full) and what to do. The temporary file's name, which the
// system's error names, is never shown: the user never named it, and it is
// gone.
type WriteError struct {
	Path string // the file as the user named it
	Dir  string // its folder
	Err  error  // what the system said
	// Option is the option that names the file's folder, spelled as the
	// command spells it ("--split"); "" is --out (outputs.workbook in a
	// run's configuration).
	Option string
}

// failed is the WriteError for path when err is the system's; nil for nil.
func failed(path string, err error) error {
	if err == nil {
		return nil
	}
	var we *WriteError
	if errors.As(err, &we) {
		return err
	}
	return &WriteError{Path: path, Dir: dirOf(path), Err: err}
}

// dirOf is path's folder as the user would write it ("." for a bare name).
func dirOf(path string) string { return filepath.Dir(path) }

func (e *WriteError) Error() string { return e.Spell(opt.Keys) }

func (e *WriteError) Unwrap() error { return e.Err }

// Spell is the message with the option it names spelled as st spells it.
func (e *WriteError) Spell(st opt.Style) string {
	out := opt.Out.Spell(st)
	if e.Option != "" {
		out = e.Option
	}
	folder := "the folder " + e.Dir
	if e.Dir == "." {
		folder = "the current folder"
	}
	var inUse *inUseError
	switch {
	case errors.As(e.Err, &inUse):
		return fmt.Sprintf("cannot write %s: %s", e.Path, inUse.Error())
	case errors.Is(e.Err, syscall.EROFS):
		return fmt.Sprintf("cannot write %s: %s is on a read-only disk; choose another folder with %s", e.Path, folder, out)
	case errors.Is(e.Err, syscall.ENOSPC), errors.Is(e.Err, syscall.EDQUOT):
		return fmt.Sprintf("cannot write %s: the disk holding %s is full, so nothing was written; free some space on it, or choose another folder with %s", e.Path, folder, out)
	case errors.Is(e.Err, fs.ErrPermission):
		return fmt.Sprintf("cannot write %s: %s is not writable by you; choose another folder with %s", e.Path, folder, out)
	}
	return fmt.Sprintf("cannot write %s: %v", e.Path, systemWords(e.Err))
}

// systemWords is what the system said, without the temporary file's name
// that an *fs.PathError or *os.LinkError carries.
func systemWords(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	var le *os.LinkError
	if errors.As(err, &le) {
		return le.Err
	}
	return err
}
