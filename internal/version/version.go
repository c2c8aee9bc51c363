// Package version says which caseaudit is running, so that a sample, a
// workbook or a report can be traced to the program that made it: the
// release version, commit and build date that a release build stamps in,
// else what the Go toolchain recorded (a module version from go install, a
// VCS revision from a build in a clone), and always the SHA-256 of the
// executable file itself, which identifies a build that carries no version
// at all (go run, or go build -buildvcs=false) and matches a line of a
// release's checksums.txt.
package version

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strings"
	"sync"
	"time"
)

// Stamped by a release build (see .goreleaser.yaml):
//
//	-X github.com/caseaudit/caseaudit/internal/version.version=1.2.0
//	-X github.com/caseaudit/caseaudit/internal/version.commit=<full hash>
//	-X github.com/caseaudit/caseaudit/internal/version.date=<RFC 3339>
var version, commit, date string

// Devel is the version of a build that carries none.
const Devel = "(devel)"

// Info identifies the running caseaudit.
type Info struct {
	// Version is the release version ("1.2.0"), a module version from go
	// install ("v1.2.0", or a pseudo-version), "(devel 0123456789ab)" or
	// "(devel 0123456789ab+dirty)" for a build in a clone, else "(devel)".
	Version string
	// Commit is the full VCS revision, "" when not recorded; Dirty says
	// the work tree had uncommitted changes.
	Commit string
	Dirty  bool
	// Date is when a release was built (RFC 3339), else the commit's time
	// when the toolchain recorded it, else "".
	Date string
	// Go, OS and Arch are the toolchain and target.
	Go, OS, Arch string
	// Executable is the path of the running program, and SHA256 the
	// SHA-256 (hex) of its bytes; SHA256 is "" only when the file cannot be
	// read, and Err then says why.
	Executable string
	SHA256     string
	Err        error
}

// String is the version, for a provenance's tool_version or a report.
func String() string { return buildVersion() }

var buildVersion = sync.OnceValue(func() string {
	bi, _ := debug.ReadBuildInfo()
	return resolve(version, commit, date, bi).Version
})

// Get returns the running caseaudit's identity, hashing the executable the
// first time (about 0.1 s for a 35 MB file); later calls return the same.
func Get() Info { return get() }

var get = sync.OnceValue(func() Info {
	bi, _ := debug.ReadBuildInfo()
	in := resolve(version, commit, date, bi)
	in.Executable, in.SHA256, in.Err = hashExecutable()
	return in
})

// SHA256 is the SHA-256 of the running executable, "" when it cannot be read.
func SHA256() string { return Get().SHA256 }

// resolve works out the version from what the release build stamped and
// what the toolchain recorded, in that order of trust: a stamped version
// names a release; a module version names what go install fetched; a VCS
// revision names a commit, marked +dirty when the work tree had changes.
func resolve(stamped, stampedCommit, stampedDate string, bi *debug.BuildInfo) Info {
	in := Info{Version: Devel, Commit: stampedCommit, Date: stampedDate, Go: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	var rev, modified, when string
	if bi != nil {
		if bi.GoVersion != "" {
			in.Go = bi.GoVersion
		}
		for _, s := range bi.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.modified":
				modified = s.Value
			case "vcs.time":
				when = s.Value
			case "GOOS":
				in.OS = s.Value
			case "GOARCH":
				in.Arch = s.Value
			}
		}
	}
	if in.Commit == "" {
		in.Commit = rev
		in.Dirty = modified == "true"
	}
	if in.Date == "" {
		in.Date = when
	}
	switch {
	case stamped != "":
		in.Version = stamped
	case bi != nil && bi.Main.Version != "" && bi.Main.Version != Devel:
		// go install module@v1.2.0 records v1.2.0; a build in a clone
		// records a pseudo-version, ending +dirty when the tree had changes.
		in.Version = bi.Main.Version
	case rev != "":
		short := rev
		if len(short) > 12 {
			short = short[:12]
		}
		if in.Dirty {
			short += "+dirty"
		}
		in.Version = "(devel " + short + ")"
	}
	return in
}

// hashExecutable returns the running program's path and SHA-256.
func hashExecutable() (path, sum string, err error) {
	path, err = os.Executable()
	if err != nil {
		return "", "", fmt.Errorf("cannot find the running executable: %w", err)
	}
	file := runningFile(path)
	if sum, ok := cachedHash(path, file); ok {
		return path, sum, nil
	}
	id := fileIDOf(file)
	sum, err = hashFile(file)
	if err == nil {
		rememberHash(path, file, id, sum, time.Now())
	}
	return path, sum, err
}

// selfExe names the running program's own file on Linux: it stays the
// program that is running when an upgrade puts a new binary at its path
// (a rename, as package managers and installers do), so a provenance
// names the build that drew the sample, not its successor.
const selfExe = "/proc/self/exe"

// runningFile is the file to hash for the program at path: the running
// program's own file where the system gives one, else the path.
func runningFile(path string) string {
	if _, err := os.Stat(selfExe); err == nil {
		return selfExe
	}
	return path
}

func hashFile(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", fmt.Errorf("cannot read the executable to hash it: %w", err)
	}
	defer f.Close()
	h := sha256.New()
	if _, err := io.Copy(h, f); err != nil {
		return "", fmt.Errorf("cannot read the executable %s to hash it: %w", path, err)
	}
	return hex.EncodeToString(h.Sum(nil)), nil
}

// Text is the identity as lines for --version: the first line is
// "caseaudit VERSION", as scripts expect; the others label one fact each.
func (in Info) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "caseaudit %s\n", in.Version)
	if in.Commit != "" {
		c := in.Commit
		if in.Dirty {
			c += " (with uncommitted changes)"
		}
		fmt.Fprintf(&b, "commit      %s\n", c)
	}
	if in.Date != "" {
		fmt.Fprintf(&b, "built       %s\n", in.Date)
	}
	fmt.Fprintf(&b, "go          %s %s/%s\n", in.Go, in.OS, in.Arch)
	if in.Executable != "" {
		fmt.Fprintf(&b, "executable  %s\n", in.Executable)
	}
	if in.SHA256 != "" {
		fmt.Fprintf(&b, "sha256      %s\n", in.SHA256)
	} else if in.Err != nil {
		fmt.Fprintf(&b, "sha256      unknown: %v\n", in.Err)
	}
	return b.String()
}
