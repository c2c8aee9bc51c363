package version

import (
	"crypto/sha256"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"time"
)

// The executable's SHA-256 is remembered between runs: hashing a 35 MB
// program costs about 20 ms of every command that records it, a tenth of
// drawing a sample from a million-row csv. The remembered sum is used only
// while the file is the very same one: same device and inode, size,
// modification and change times to the nanosecond (fileID). Replacing or
// rewriting the program changes its change time, which no one can set back;
// a file changed in the last few seconds is not remembered at all, so a
// write still under way within the clock's resolution cannot be missed.
// One small file per executable path, in the user's cache directory,
// private to the user; nothing is remembered where there is none, or where
// the system does not give a file's identity (fileID returns "").

// cacheMinAge is how long a file must have been left alone to be
// remembered.
const cacheMinAge = 5 * time.Second

// cachePath is where the sum for the executable at path is remembered.
func cachePath(path string) (string, bool) {
	dir, err := os.UserCacheDir()
	if err != nil || dir == "" {
		return "", false
	}
	k := sha256.Sum256([]byte(path))
	return filepath.Join(dir, "caseaudit", "executable-sha256", hex.EncodeToString(k[:12])), true
}

// cachedHash returns the remembered SHA-256 of the executable at path, if
// file (the path itself, or the running program's own file) is still the
// one it was taken from.
func cachedHash(path, file string) (string, bool) {
	cp, ok := cachePath(path)
	if !ok {
		return "", false
	}
	id := fileIDOf(file)
	if id == "" {
		return "", false
	}
	b, err := os.ReadFile(cp)
	if err != nil {
		return "", false
	}
	gotPath, rest, _ := strings.Cut(strings.TrimSuffix(string(b), "\n"), "\n")
	gotID, sum, _ := strings.Cut(rest, "\n")
	if gotPath != path || gotID != id || len(sum) != 64 {
		return "", false
	}
	if _, err := hex.DecodeString(sum); err != nil {
		return "", false
	}
	return sum, true
}

// rememberHash remembers sum for the executable at path, whose file's
// identity was id before it was hashed, unless the file has changed since or
// changed too recently. Failing to remember is not an error: the next run
// hashes again.
func rememberHash(path, file, id, sum string, now time.Time) {
	if id == "" || fileIDOf(file) != id || !settled(file, now) {
		return
	}
	cp, ok := cachePath(path)
	if !ok {
		return
	}
	if err := os.MkdirAll(filepath.Dir(cp), 0o700); err != nil {
		return
	}
	tmp, err := os.CreateTemp(filepath.Dir(cp), ".tmp-*")
	if err != nil {
		return
	}
	_, err = tmp.WriteString(path + "\n" + id + "\n" + sum + "\n")
	if cerr := tmp.Close(); err == nil {
		err = cerr
	}
	if err != nil || os.Rename(tmp.Name(), cp) != nil {
		os.Remove(tmp.Name())
	}
}
