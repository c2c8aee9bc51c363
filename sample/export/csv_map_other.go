//go:build !(linux || darwin || freebsd || netbsd || openbsd || dragonfly)

package export

import (
	"errors"
	"os"
)

func mapFile(*os.File, int64) ([]byte, error) { return nil, errors.ErrUnsupported }

func unmapFile([]byte) error { return nil }

func dropPages([]byte) {}

const canMap = false
