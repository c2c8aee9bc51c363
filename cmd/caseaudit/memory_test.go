package main

import (
	"math"
	"runtime"
	"runtime/debug"
	"testing"
	"time"
)

// The memory cap holds while what is kept alive is well below it, and is
// lifted once a collection finds more than liftAt of it alive, so that a
// large export is never read under a limit the collector cannot keep to.
func TestCapMemory(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	limit := func() int64 { return debug.SetMemoryLimit(-1) }
	waitFor := func(want int64, tries int) int64 {
		var got int64
		for range tries {
			runtime.GC()
			time.Sleep(10 * time.Millisecond) // the cleanups run on a goroutine of their own
			if got = limit(); got == want {
				break
			}
		}
		return got
	}

	capMemoryNow(1 << 40) // far above anything this test keeps alive
	if got := waitFor(0, 5); got != 1<<40 {
		t.Fatalf("a cap well above what is alive: limit %d, want it kept", got)
	}

	kept := make([]byte, 64<<20) // 64 MB alive, above 85% of a 32 MB cap
	capMemoryNow(32 << 20)
	if got := waitFor(math.MaxInt64, 100); got != math.MaxInt64 {
		t.Errorf("a cap below what is alive: limit %d, want it lifted", got)
	}
	runtime.KeepAlive(kept)
}

// A moment with more than liftAt of the cap alive (a table doubling holds
// its old and new slots until it has moved them) does not lift the cap: the
// next collection finds less alive and the cap holds for the rest of the
// read.
func TestCapMemorySpike(t *testing.T) {
	t.Setenv("GOMEMLIMIT", "")
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(-1))
	capMemoryNow(32 << 20)
	spike := make([]byte, 64<<20)
	runtime.GC()
	time.Sleep(10 * time.Millisecond) // the cleanup sees the spike alive
	runtime.KeepAlive(spike)
	for range 5 {
		runtime.GC()
		time.Sleep(10 * time.Millisecond)
	}
	if got := debug.SetMemoryLimit(-1); got != 32<<20 {
		t.Errorf("after one collection above the lift point: limit %d, want the cap (%d) kept", got, 32<<20)
	}
}
