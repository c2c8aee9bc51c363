//go:build unix

package store

import (
	"syscall"
	"testing"
)

// permissiveUmask sets the umask to 0 and returns what restores it.
func permissiveUmask(t *testing.T) func() {
	old := syscall.Umask(0)
	return func() { syscall.Umask(old) }
}
