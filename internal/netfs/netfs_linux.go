package netfs

import "os"

func of(dir string) Where {
	mi, err := os.ReadFile("/proc/self/mountinfo")
	if err != nil {
		return Where{}
	}
	t := mountOf(string(mi), dir)
	return Where{Network: IsNetworkType(t), Kind: t}
}
