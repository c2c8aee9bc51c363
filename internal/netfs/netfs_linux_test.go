package netfs

import (
	"os"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// Every mount of this machine that statfs answers for as local is one
// mountinfo names by a local type: the shortcut never hides a network
// filesystem that the longer way would have found.
func TestLocalFSAgreesWithMountinfo(t *testing.T) {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		t.Skipf("no mountinfo: %v", err)
	}
	checked := 0
	for _, line := range strings.Split(string(mi), "\n") {
		pre, post, ok := strings.Cut(line, " - ")
		f, g := strings.Fields(pre), strings.Fields(post)
		if !ok || len(f) < 5 || len(g) < 1 {
			continue
		}
		var st unix.Statfs_t
		mp := unescapeMount(f[4])
		if unix.Statfs(mp, &st) != nil {
			continue
		}
		name := localFS(uint32(st.Type))
		if name == "" {
			continue
		}
		if IsNetworkType(g[0]) {
			t.Errorf("%s: statfs type %#x taken as local %s, mountinfo says %s", mp, uint32(st.Type), name, g[0])
		}
		checked++
	}
	if checked == 0 {
		t.Skip("no mount of a local type to compare")
	}
}
