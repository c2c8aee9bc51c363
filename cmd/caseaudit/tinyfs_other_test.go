//go:build !linux

package main

import "github.com/rogpeppe/go-internal/testscript"

// cmdTinyfs: mounting a small filesystem is Linux's; the stories using it
// are skipped elsewhere ([!tinyfs]).
func cmdTinyfs(ts *testscript.TestScript, neg bool, args []string) {
	ts.Fatalf("tinyfs mounts a tmpfs, which only Linux has")
}

func canMountTinyfs() bool { return false }
