//go:build unix

package atomicfile

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// Renaming over a device or pipe would replace it (as root, /dev/full
// itself): Write refuses any target that is not a regular file, even with
// force, and leaves it in place.
func TestWriteRefusesNonRegularTarget(t *testing.T) {
	dir := t.TempDir()
	fifo := filepath.Join(dir, "pipe")
	if err := syscall.Mkfifo(fifo, 0o600); err != nil {
		t.Skip("no fifos here:", err)
	}
	link := filepath.Join(dir, "link")
	if err := os.Symlink(filepath.Join(dir, "elsewhere"), link); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{fifo, link} {
		err := Write(context.Background(), p, true, func(f *os.File) error { return nil })
		if err == nil || !strings.Contains(err.Error(), "not a regular file") {
			t.Errorf("%s: got %v", p, err)
		}
	}
	assertOnly(t, dir, "link", "pipe")
}
