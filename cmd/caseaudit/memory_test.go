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
// its old and new slots until it has moved them) does not lift the cap when
// the next collection finds less alive; collections in a row above it do.
func TestCapWatchSpike(t *testing.T) {
	const limit = 32 << 20
	w := capWatch{limit: limit}
	for i, c := range []struct {
		live uint64
		lift bool
	}{
		{10 << 20, false},
		{30 << 20, false}, // above 85%: one collection
		{20 << 20, false}, // below again
		{30 << 20, false},
		{12 << 20, false},
		{30 << 20, false},
		{64 << 20, true}, // the second in a row
	} {
		if got := w.lift(c.live); got != c.lift {
			t.Fatalf("collection %d finding %d MB alive under a %d MB cap: lift %v, want %v", i+1, c.live>>20, limit>>20, got, c.lift)
		}
	}
}
