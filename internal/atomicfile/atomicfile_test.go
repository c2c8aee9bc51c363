package atomicfile

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

func TestWriteCreatesPrivateFile(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	if err := Write(context.Background(), p, false, func(f *os.File) error {
		_, err := f.WriteString("a,b\n")
		return err
	}); err != nil {
		t.Fatal(err)
	}
	st, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	// Windows has no file modes to speak of (only a read-only flag): a
	// file there is private by being in the user's profile folder, whose
	// access list admits only its owner (see README, "For your IT
	// department").
	if runtime.GOOS != "windows" && st.Mode().Perm() != 0o600 {
		t.Errorf("mode %v, want 0600", st.Mode().Perm())
	}
	if b, _ := os.ReadFile(p); string(b) != "a,b\n" {
		t.Errorf("content %q", b)
	}
	assertOnly(t, dir, "out.csv")
}

func TestWriteRefusesExistingWithoutForce(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	os.WriteFile(p, []byte("old"), 0o600)
	err := Write(context.Background(), p, false, func(f *os.File) error { _, err := f.WriteString("new"); return err })
	if !errors.Is(err, ErrExists) {
		t.Fatalf("err = %v, want ErrExists", err)
	}
	if b, _ := os.ReadFile(p); string(b) != "old" {
		t.Errorf("existing file changed to %q", b)
	}
	if err := Write(context.Background(), p, true, func(f *os.File) error { _, err := f.WriteString("new"); return err }); err != nil {
		t.Fatal(err)
	}
	if b, _ := os.ReadFile(p); string(b) != "new" {
		t.Errorf("with force: %q", b)
	}
	assertOnly(t, dir, "out.csv")
}

func TestWriteFailureLeavesNothing(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "out.csv")
	boom := errors.New("boom")
	err := Write(context.Background(), p, false, func(f *os.File) error {
		f.WriteString("partial")
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	assertOnly(t, dir)

	ctx, cancel := context.WithCancel(context.Background())
	err = Write(ctx, p, false, func(f *os.File) error { cancel(); _, err := f.WriteString("x"); return err })
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: err = %v", err)
	}
	assertOnly(t, dir)
}

func TestWriteMissingFolder(t *testing.T) {
	err := Write(context.Background(), filepath.Join(t.TempDir(), "no", "out.csv"), false, func(*os.File) error { return nil })
	if err == nil {
		t.Fatal("want an error for a missing folder")
	}
}

func assertOnly(t *testing.T, dir string, names ...string) {
	t.Helper()
	ents, _ := os.ReadDir(dir)
	var got []string
	for _, e := range ents {
		got = append(got, e.Name())
	}
	if len(got) != len(names) {
		t.Fatalf("folder holds %v, want %v", got, names)
	}
	for i := range names {
		if got[i] != names[i] {
			t.Fatalf("folder holds %v, want %v", got, names)
		}
	}
}
