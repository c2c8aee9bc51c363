//go:build unix

package main

import (
	"os/exec"
	"syscall"
	"testing"
)

func mkfifo(t *testing.T, path string) error { return syscall.Mkfifo(path, 0o600) }

// runAsNobody runs cmd as the user nobody (the caller is root).
func runAsNobody(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
}
