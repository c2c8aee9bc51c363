package version

import (
	"bufio"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// A program replaced at its path while it runs (an upgrade by rename) still
// names its own bytes, not the new file's: the test binary is copied, run,
// and replaced under it before it hashes itself.
func TestHashAfterUpgradeIsTheRunningProgram(t *testing.T) {
	if os.Getenv("CASEAUDIT_VERSION_HELPER") != "" {
		// The child: wait for the parent to replace the program, then hash.
		for i := 0; i < 500; i++ {
			if _, err := os.Stat(os.Getenv("CASEAUDIT_VERSION_HELPER")); err == nil {
				break
			}
			time.Sleep(10 * time.Millisecond)
		}
		in := Get()
		if in.Err != nil {
			os.Stdout.WriteString("error " + in.Err.Error() + "\n")
			return
		}
		os.Stdout.WriteString("sum " + in.SHA256 + "\n")
		return
	}
	self, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	prog := filepath.Join(dir, "prog")
	copyFile(t, self, prog, 0o755)
	want, err := hashFile(prog)
	if err != nil {
		t.Fatal(err)
	}
	ready := filepath.Join(dir, "replaced")
	cmd := exec.Command(prog, "-test.run=^TestHashAfterUpgradeIsTheRunningProgram$")
	cmd.Env = append(os.Environ(), "CASEAUDIT_VERSION_HELPER="+ready, "XDG_CACHE_HOME="+filepath.Join(dir, "cache"))
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	// The new release: other bytes, renamed over the running program.
	next := filepath.Join(dir, "prog.new")
	if err := os.WriteFile(next, []byte("#!/bin/sh\necho a newer release\n"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, prog); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(ready, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	var got string
	sc := bufio.NewScanner(out)
	for sc.Scan() {
		if s, ok := strings.CutPrefix(sc.Text(), "sum "); ok {
			got = s
		} else if strings.HasPrefix(sc.Text(), "error ") {
			t.Error(sc.Text())
		}
	}
	if err := cmd.Wait(); err != nil {
		t.Fatal(err)
	}
	if got != want {
		t.Fatalf("after the upgrade the running program says %q, want its own bytes' %s", got, want)
	}
}

func copyFile(t *testing.T, from, to string, mode os.FileMode) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	o, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, mode)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(o, in); err != nil {
		t.Fatal(err)
	}
	if err := o.Close(); err != nil {
		t.Fatal(err)
	}
}
