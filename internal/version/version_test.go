package version

import (
	"os"
	"path/filepath"
	"runtime/debug"
	"strings"
	"testing"
)

func settings(kv ...string) []debug.BuildSetting {
	var out []debug.BuildSetting
	for i := 0; i < len(kv); i += 2 {
		out = append(out, debug.BuildSetting{Key: kv[i], Value: kv[i+1]})
	}
	return out
}

func TestResolve(t *testing.T) {
	rev := "0123456789abcdef0123456789abcdef01234567"
	for _, tc := range []struct {
		name                  string
		stamped, commit, date string
		bi                    *debug.BuildInfo
		want, wantCommit      string
		wantDirty             bool
		wantDate              string
	}{
		{name: "go run, -buildvcs=false", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}}, want: "(devel)"},
		{name: "no build info", want: "(devel)"},
		{name: "release build", stamped: "1.2.0", commit: rev, date: "2026-12-01T10:00:00Z",
			bi:   &debug.BuildInfo{Main: debug.Module{Version: "(devel)"}},
			want: "1.2.0", wantCommit: rev, wantDate: "2026-12-01T10:00:00Z"},
		{name: "snapshot build", stamped: "0.0.1-SNAPSHOT-0123456", commit: rev,
			want: "0.0.1-SNAPSHOT-0123456", wantCommit: rev},
		{name: "go install module@version", bi: &debug.BuildInfo{Main: debug.Module{Version: "v1.2.0"}}, want: "v1.2.0"},
		{name: "clone, clean", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "false", "vcs.time", "2026-11-30T08:00:00Z")},
			want: "(devel 0123456789ab)", wantCommit: rev, wantDate: "2026-11-30T08:00:00Z"},
		{name: "clone, uncommitted changes", bi: &debug.BuildInfo{Main: debug.Module{Version: "(devel)"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true")},
			want: "(devel 0123456789ab+dirty)", wantCommit: rev, wantDirty: true},
		{name: "clone, pseudo-version from the toolchain", bi: &debug.BuildInfo{Main: debug.Module{Version: "v0.0.0-20261130080000-0123456789ab+dirty"},
			Settings: settings("vcs.revision", rev, "vcs.modified", "true")},
			want: "v0.0.0-20261130080000-0123456789ab+dirty", wantCommit: rev, wantDirty: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := resolve(tc.stamped, tc.commit, tc.date, tc.bi)
			if got.Version != tc.want || got.Commit != tc.wantCommit || got.Dirty != tc.wantDirty || got.Date != tc.wantDate {
				t.Errorf("resolve = version %q commit %q dirty %v date %q; want %q %q %v %q",
					got.Version, got.Commit, got.Dirty, got.Date, tc.want, tc.wantCommit, tc.wantDirty, tc.wantDate)
			}
		})
	}
}

func TestHashFile(t *testing.T) {
	p := filepath.Join(t.TempDir(), "caseaudit")
	if err := os.WriteFile(p, []byte("abc"), 0o600); err != nil {
		t.Fatal(err)
	}
	got, err := hashFile(p)
	if err != nil {
		t.Fatal(err)
	}
	// SHA-256("abc"), FIPS 180-2 appendix B.1.
	if want := "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"; got != want {
		t.Errorf("hashFile = %s, want %s", got, want)
	}
	if _, err := hashFile(filepath.Join(t.TempDir(), "gone")); err == nil || !strings.HasPrefix(err.Error(), "cannot read the executable to hash it: ") {
		t.Errorf("a missing file: err = %v", err)
	}
	// A path that opens but does not read (a folder where the executable was).
	dir := t.TempDir()
	if _, err := hashFile(dir); err == nil || !strings.HasPrefix(err.Error(), "cannot read the executable "+dir+" to hash it: ") {
		t.Errorf("a folder: err = %v", err)
	}
}

// The running test binary is hashed: Get names it and its SHA-256 is
// that of its bytes, read independently here.
func TestGetHashesTheRunningExecutable(t *testing.T) {
	in := Get()
	if in.Err != nil {
		t.Fatal(in.Err)
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	want, err := hashFile(exe)
	if err != nil {
		t.Fatal(err)
	}
	if in.Executable != exe || in.SHA256 != want || SHA256() != want || len(want) != 64 {
		t.Errorf("Get = %q %q, want %q %q", in.Executable, in.SHA256, exe, want)
	}
}

func TestText(t *testing.T) {
	in := Info{Version: "1.2.0", Commit: "0123456789abcdef", Date: "2026-12-01T10:00:00Z", Go: "go1.26.8", OS: "windows", Arch: "amd64",
		Executable: `C:\Tools\caseaudit.exe`, SHA256: strings.Repeat("ab", 32)}
	want := "caseaudit 1.2.0\n" +
		"commit      0123456789abcdef\n" +
		"built       2026-12-01T10:00:00Z\n" +
		"go          go1.26.8 windows/amd64\n" +
		"executable  C:\\Tools\\caseaudit.exe\n" +
		"sha256      " + strings.Repeat("ab", 32) + "\n"
	if got := in.Text(); got != want {
		t.Errorf("Text:\n%s\nwant:\n%s", got, want)
	}
	in = Info{Version: "(devel 0123456789ab+dirty)", Commit: "0123456789abcdef", Dirty: true, Go: "go1.26.8", OS: "linux", Arch: "arm64"}
	if got := in.Text(); !strings.Contains(got, "commit      0123456789abcdef (with uncommitted changes)\n") || strings.Contains(got, "built") {
		t.Errorf("Text of a dirty build:\n%s", got)
	}
}
