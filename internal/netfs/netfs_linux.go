package netfs

import (
	"os"

	"golang.org/x/sys/unix"
)

// localFS names, as mountinfo does, a filesystem by its statfs f_type
// (linux/magic.h) when it is always on a disk of this machine; "" for any
// other. For these one statfs call answers; anything else (network
// filesystems, FUSE, which may be sshfs or local, stacked ones such as
// ecryptfs) is looked up by name in /proc/self/mountinfo, whose text the
// kernel builds for every mount at each read: on a desktop with dozens of
// mounts it was the largest part of checking a store's place.
func localFS(magic uint32) string {
	switch magic {
	case 0xEF53: // also ext2 and ext3
		return "ext4"
	case 0x58465342:
		return "xfs"
	case 0x9123683E:
		return "btrfs"
	case 0x01021994:
		return "tmpfs"
	case 0x858458F6:
		return "ramfs"
	case 0x794C7630:
		return "overlay"
	case 0xF2F52010:
		return "f2fs"
	case 0x2FC12FC1:
		return "zfs"
	case 0x4D44:
		return "vfat"
	case 0x2011BAB0:
		return "exfat"
	}
	return ""
}

func of(dir string) Where {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err == nil {
		if name := localFS(uint32(st.Type)); name != "" {
			return Where{Kind: name}
		}
	}
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return Where{}
	}
	t := mountOf(string(mi), dir)
	return Where{Network: IsNetworkType(t), Kind: t}
}
