// Package netfs tells whether a file lies on a network filesystem (SMB/CIFS,
// NFS, AFP, WebDAV, sshfs, a Windows share or mapped network drive).
//
// SQLite's locking and its write-ahead log rely on the local filesystem:
// over SMB and NFS, byte-range locks and shared memory are not reliable, and
// two people writing one store file can corrupt it (SQLite's own
// documentation, "How To Corrupt An SQLite Database File", section 2.1). A
// local authority's QA team would naturally put a shared store on the team
// drive, so caseaudit asks before it does.
package netfs

import (
	"path/filepath"
	"strings"
)

// network are filesystem type names, as each OS reports them, that live on
// another machine. Linux: the type field of /proc/self/mountinfo; macOS
// and the BSDs: statfs's f_fstypename.
var network = map[string]bool{
	"nfs": true, "nfs4": true, "cifs": true, "smb3": true, "smbfs": true, "smb2": true,
	"ncpfs": true, "afs": true, "coda": true, "9p": true, "afpfs": true, "webdav": true,
	"davfs": true, "fuse.sshfs": true, "sshfs": true, "fuse.davfs": true, "fuse.rclone": true,
	"fuse.s3fs": true, "fuse.gcsfuse": true, "glusterfs": true, "fuse.glusterfs": true,
	"ceph": true, "fuse.ceph": true, "lustre": true, "gpfs": true, "ocfs2": true, "gfs2": true,
}

// IsNetworkType reports whether a filesystem type name, as an OS reports
// it, is a network filesystem.
func IsNetworkType(fsType string) bool {
	return network[strings.ToLower(strings.TrimSpace(fsType))]
}

// IsUNC reports whether a path names a Windows network share:
// \\server\share\… or \\?\UNC\server\share\…. (On Windows, Of also
// takes //server/share/… for one; elsewhere that is a local path.)
func IsUNC(path string) bool {
	p := path
	if strings.HasPrefix(strings.ToUpper(p), `\\?\UNC\`) {
		return true
	}
	if strings.HasPrefix(p, `\\?\`) || strings.HasPrefix(p, `\\.\`) {
		return false // a local device or long path
	}
	if !strings.HasPrefix(p, `\\`) {
		return false
	}
	rest := strings.TrimPrefix(p, `\\`)
	server, _, ok := strings.Cut(rest, `\`)
	return ok && server != ""
}

// Where says where a file lies.
type Where struct {
	Network bool
	// Kind names what it is ("cifs", "nfs4", "a Windows share",
	// "a mapped network drive"), for messages.
	Kind string
}

// Of says whether path (a file that may not exist yet) lies on a network
// filesystem. An error in finding out is reported as not on the network:
// the check guards against a known hazard, it is not a permission.
func Of(path string) Where {
	if IsUNC(filepath.FromSlash(path)) {
		return Where{Network: true, Kind: "a Windows network share"}
	}
	abs, err := filepath.Abs(path)
	if err != nil {
		return Where{}
	}
	dir := filepath.Dir(abs)
	if real, err := filepath.EvalSymlinks(dir); err == nil {
		dir = real
	}
	return of(dir)
}

// mountOf returns the filesystem type of the mount holding path, from the
// text of a Linux /proc/self/mountinfo: the mount with the longest mount
// point that is path or a parent of it.
func mountOf(mountinfo, path string) string {
	best, bestType := -1, ""
	for _, line := range strings.Split(mountinfo, "\n") {
		// 36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw
		pre, post, ok := strings.Cut(line, " - ")
		if !ok {
			continue
		}
		f := strings.Fields(pre)
		g := strings.Fields(post)
		if len(f) < 5 || len(g) < 1 {
			continue
		}
		mp := unescapeMount(f[4])
		if !within(path, mp) || len(mp) <= best {
			continue
		}
		best, bestType = len(mp), g[0]
	}
	return bestType
}

func within(path, dir string) bool {
	if dir == "/" {
		return strings.HasPrefix(path, "/")
	}
	return path == dir || strings.HasPrefix(path, dir+"/")
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) && isOct(s[i+1]) && isOct(s[i+2]) && isOct(s[i+3]) {
			b.WriteByte((s[i+1]-'0')<<6 | (s[i+2]-'0')<<3 | (s[i+3] - '0'))
			i += 3
			continue
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func isOct(c byte) bool { return c >= '0' && c <= '7' }
