//go:build !unix

package store

import "testing"

// permissiveUmask: Windows has no umask and no file modes to check; a
// store there is private by the folder it is in (README, "For your IT
// department").
func permissiveUmask(t *testing.T) func() {
	t.Skip("no file modes on this system")
	return func() {}
}
