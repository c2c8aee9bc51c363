//go:build linux || darwin || freebsd || netbsd

package version

import (
	"fmt"
	"os"
	"syscall"
	"time"
)

// fileIDOf returns what identifies the file at path as it stands: device,
// inode, size, and modification and change times; "" when unknown.
func fileIDOf(path string) string {
	fi, err := os.Stat(path)
	if err != nil {
		return ""
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok || !fi.Mode().IsRegular() {
		return ""
	}
	c := changeTime(st)
	return fmt.Sprintf("dev %d ino %d size %d mtime %d ctime %d", st.Dev, st.Ino, fi.Size(), fi.ModTime().UnixNano(), c.UnixNano())
}

// settled reports whether the file at path was last changed (contents or
// attributes) at least cacheMinAge before now.
func settled(path string, now time.Time) bool {
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	st, ok := fi.Sys().(*syscall.Stat_t)
	return ok && now.Sub(changeTime(st)) >= cacheMinAge && now.Sub(fi.ModTime()) >= cacheMinAge
}
