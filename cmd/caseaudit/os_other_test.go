//go:build !unix

package main

import (
	"os/exec"
	"testing"
)

// mkfifo: Windows has no named pipes in the file system.
func mkfifo(t *testing.T, path string) error {
	t.Skip("no named pipes in the file system here")
	return nil
}

// runAsNobody: the tests that call it skip where file modes mean nothing.
func runAsNobody(cmd *exec.Cmd) {}
