//go:build !unix

package main

import "time"

// cpuTime is not measured where the system gives no rusage: the bench
// reports wall time alone.
func cpuTime() time.Duration { return 0 }
