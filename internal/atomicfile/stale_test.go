package atomicfile

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"
)

// A writer killed with SIGKILL leaves its temporary file; the next Write
// of the same target removes it once it is older than StaleAge, and leaves
// younger ones (another writer may be at work) and other files alone.
func TestWriteRemovesStaleTempFiles(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "audit [1].xlsx")
	old := filepath.Join(dir, ".audit [1].xlsx.tmp-123")
	young := filepath.Join(dir, ".audit [1].xlsx.tmp-456")
	other := filepath.Join(dir, ".other.xlsx.tmp-789")
	for _, p := range []string{old, young, other} {
		if err := os.WriteFile(p, []byte("partial"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	past := time.Now().Add(-StaleAge - time.Minute)
	for _, p := range []string{old, other} {
		if err := os.Chtimes(p, past, past); err != nil {
			t.Fatal(err)
		}
	}
	if err := Write(context.Background(), target, false, func(f *os.File) error {
		_, err := f.WriteString("done")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	assertOnly(t, dir, ".audit [1].xlsx.tmp-456", ".other.xlsx.tmp-789", "audit [1].xlsx")
}
