package version

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestRememberedHash checks that a remembered sum is used only for the
// very file it was taken from: not after the file is rewritten (even with
// its size and modification time put back), not for a file changed too
// recently to be trusted, and not for another path.
func TestRememberedHash(t *testing.T) {
	if fileIDOf(os.Args[0]) == "" {
		t.Skip("this system does not give a file's identity: nothing is remembered")
	}
	cache := t.TempDir()
	t.Setenv("XDG_CACHE_HOME", cache)
	t.Setenv("HOME", cache)
	dir := t.TempDir()
	p := filepath.Join(dir, "caseaudit")
	if err := os.WriteFile(p, []byte("program one"), 0o700); err != nil {
		t.Fatal(err)
	}
	sum, err := hashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	later := time.Now().Add(time.Minute)

	rememberHash(p, p, fileIDOf(p), sum, time.Now())
	if _, ok := cachedHash(p, p); ok {
		t.Fatal("a file changed a moment ago was remembered")
	}
	rememberHash(p, p, fileIDOf(p), sum, later)
	if got, ok := cachedHash(p, p); !ok || got != sum {
		t.Fatalf("cachedHash = %q, %v; want the remembered %s", got, ok, sum)
	}
	if _, ok := cachedHash(p+"-other", p); ok {
		t.Error("another path found the sum")
	}

	// Rewritten with the same size, its modification time put back.
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	time.Sleep(10 * time.Millisecond)
	if err := os.WriteFile(p, []byte("program two"), 0o700); err != nil {
		t.Fatal(err)
	}
	if err := os.Chtimes(p, fi.ModTime(), fi.ModTime()); err != nil {
		t.Fatal(err)
	}
	if got, ok := cachedHash(p, p); ok {
		t.Errorf("the rewritten file found the old sum %s", got)
	}

	// A damaged cache file is ignored.
	rememberHash(p, p, fileIDOf(p), "not a sum", later)
	if got, ok := cachedHash(p, p); ok {
		t.Errorf("a damaged entry gave %q", got)
	}
	entries, _ := os.ReadDir(filepath.Join(cache, "caseaudit", "executable-sha256"))
	for _, e := range entries {
		if strings.HasPrefix(e.Name(), ".tmp-") {
			t.Errorf("a temporary file was left: %s", e.Name())
		}
	}
}
