package netfs

import (
	"os"
	"path/filepath"
	"runtime"
	"testing"
)

// The filesystem type names each OS reports for the places a QA team puts
// a shared file, and for local disks.
func TestIsNetworkType(t *testing.T) {
	for typ, want := range map[string]bool{
		// Linux (/proc/self/mountinfo)
		"cifs": true, "smb3": true, "nfs": true, "nfs4": true, "fuse.sshfs": true, "9p": true,
		"ext4": false, "xfs": false, "btrfs": false, "tmpfs": false, "overlay": false, "fuse.gocryptfs": false,
		// macOS (statfs f_fstypename)
		"smbfs": true, "afpfs": true, "webdav": true, "apfs": false, "hfs": false, "msdos": false, "exfat": false,
		// FreeBSD
		"ufs": false, "zfs": false,
		"": false, "NFS4": true,
	} {
		if got := IsNetworkType(typ); got != want {
			t.Errorf("IsNetworkType(%q) = %v, want %v", typ, got, want)
		}
	}
}

func TestIsUNC(t *testing.T) {
	for p, want := range map[string]bool{
		`\\qa-server\audits\caseaudit.db`:       true,
		`//qa-server/audits/caseaudit.db`:       false, // a share only on Windows, where Of converts slashes
		`\\?\UNC\qa-server\audits\caseaudit.db`: true,
		`\\?\C:\Users\qa\caseaudit.db`:          false,
		`\\.\PhysicalDrive0`:                    false,
		`C:\Users\qa\caseaudit.db`:              false,
		`H:\caseaudit.db`:                       false, // a mapped drive is found by asking Windows
		`/home/qa/caseaudit.db`:                 false,
		`caseaudit.db`:                          false,
		`\\`:                                    false,
	} {
		if got := IsUNC(p); got != want {
			t.Errorf("IsUNC(%q) = %v, want %v", p, got, want)
		}
	}
}

const mountinfo = `22 1 253:1 / / rw,relatime shared:1 - ext4 /dev/vda1 rw
25 22 0:21 / /proc rw,nosuid shared:12 - proc proc rw
40 22 0:35 / /mnt/team rw,relatime shared:20 - cifs //qa-server/audits rw,vers=3.1.1
41 40 0:36 / /mnt/team/local rw,relatime shared:21 - ext4 /dev/vdb1 rw
42 22 0:37 / /srv/nfs\040share rw,relatime shared:22 - nfs4 fs:/export rw
43 22 0:38 / /home/qa/remote rw,nosuid shared:23 - fuse.sshfs qa@host:/ rw
44 22 0:39 / /mnt/teamish rw shared:24 - ext4 /dev/vdc1 rw
`

func TestMountOf(t *testing.T) {
	for path, want := range map[string]string{
		"/home/qa":                "ext4",
		"/mnt/team":               "cifs",
		"/mnt/team/month":         "cifs",
		"/mnt/team/local/x":       "ext4", // a local disk mounted inside the share
		"/mnt/teamish":            "ext4", // a name that merely starts like the share
		"/srv/nfs share/audits":   "nfs4",
		"/home/qa/remote/caseaud": "fuse.sshfs",
	} {
		if got := mountOf(mountinfo, path); got != want {
			t.Errorf("mountOf(%q) = %q, want %q", path, got, want)
		}
	}
}

// The temporary folder of the machine running the tests is a local disk.
func TestOfLocal(t *testing.T) {
	dir := t.TempDir()
	w := Of(filepath.Join(dir, "caseaudit.db"))
	if w.Network {
		t.Fatalf("Of(%s) = %+v: a test machine's temporary folder taken for a network drive", dir, w)
	}
	if runtime.GOOS == "linux" {
		if _, err := os.Stat("/proc/self/mountinfo"); err == nil && w.Kind == "" {
			t.Fatalf("Of(%s) found no filesystem type", dir)
		}
	}
	if !Of(`\\qa-server\audits\caseaudit.db`).Network {
		t.Fatal("a UNC path was not taken for a network share")
	}
}
