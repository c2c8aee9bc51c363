package main

import (
	"fmt"
	"os"
	"syscall"

	"github.com/rogpeppe/go-internal/testscript"
)

// cmdTinyfs mounts a small filesystem of its own at DIR, so that a story
// meets a disk that fills up, or one that takes no writes, as a store on a
// small or read-only volume (a USB stick, a share mounted read-only) does:
//
//	tinyfs [-ro] SIZE DIR      SIZE in kilobytes, e.g. tinyfs 256 small
//
// It is unmounted after the story. Mounting needs root (or CAP_SYS_ADMIN):
// a story using it starts with [!tinyfs] skip.
func cmdTinyfs(ts *testscript.TestScript, neg bool, args []string) {
	flags := uintptr(0)
	if len(args) > 0 && args[0] == "-ro" {
		flags, args = syscall.MS_RDONLY, args[1:]
	}
	if neg || len(args) != 2 {
		ts.Fatalf("usage: tinyfs [-ro] SIZE-KB DIR")
	}
	dir := ts.MkAbs(args[1])
	ts.Check(os.MkdirAll(dir, 0o755))
	if err := syscall.Mount("tmpfs", dir, "tmpfs", flags, fmt.Sprintf("size=%sk,mode=0755", args[0])); err != nil {
		ts.Fatalf("tinyfs: cannot mount a small filesystem at %s: %v", dir, err)
	}
	ts.Defer(func() { syscall.Unmount(dir, syscall.MNT_DETACH) })
}

// canMountTinyfs reports whether tinyfs can mount here (the [tinyfs]
// condition of the stories).
func canMountTinyfs() bool {
	dir, err := os.MkdirTemp("", "tinyfs")
	if err != nil {
		return false
	}
	defer os.Remove(dir)
	if syscall.Mount("tmpfs", dir, "tmpfs", 0, "size=16k") != nil {
		return false
	}
	syscall.Unmount(dir, syscall.MNT_DETACH)
	return true
}
