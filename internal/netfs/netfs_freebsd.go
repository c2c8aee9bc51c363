package netfs

import "golang.org/x/sys/unix"

func fstypename(st *unix.Statfs_t) string { return unix.ByteSliceToString(st.Fstypename[:]) }
