//go:build linux || darwin || freebsd || netbsd || openbsd || dragonfly

package export

import (
	"os"

	"golang.org/x/sys/unix"
)

// mapFile maps size bytes of f into memory, read only.
func mapFile(f *os.File, size int64) ([]byte, error) {
	return unix.Mmap(int(f.Fd()), 0, int(size), unix.PROT_READ, unix.MAP_SHARED)
}

func unmapFile(b []byte) error { return unix.Munmap(b) }

// dropPages tells the kernel that the pages of b (page-aligned) will not be
// read again for now: they leave the process's resident set, and stay in
// the page cache. Reading them again maps them again.
func dropPages(b []byte) { _ = unix.Madvise(b, unix.MADV_DONTNEED) }

const canMap = true
