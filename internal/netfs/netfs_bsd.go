//go:build darwin || freebsd

package netfs

import "golang.org/x/sys/unix"

func of(dir string) Where {
	var st unix.Statfs_t
	if err := unix.Statfs(dir, &st); err != nil {
		return Where{}
	}
	t := fstypename(&st)
	return Where{Network: IsNetworkType(t), Kind: t}
}
