package netfs

import (
	"path/filepath"

	"golang.org/x/sys/windows"
)

// of asks Windows what kind of drive holds dir: a drive letter mapped to a
// share reports DRIVE_REMOTE.
func of(dir string) Where {
	vol := filepath.VolumeName(dir)
	if vol == "" {
		return Where{}
	}
	if IsUNC(vol) {
		return Where{Network: true, Kind: "a Windows network share"}
	}
	root, err := windows.UTF16PtrFromString(vol + `\`)
	if err != nil {
		return Where{}
	}
	if windows.GetDriveType(root) == windows.DRIVE_REMOTE {
		return Where{Network: true, Kind: "a mapped network drive (" + vol + ")"}
	}
	return Where{}
}
