package main

import (
	"math"
	"os"
	"runtime"
	"runtime/debug"
	"runtime/metrics"
	"sync"
)

// Reading an export keeps what grows with it alive to the end (a
// million-row export: 16 MB of tickets, 12 MB of case IDs, 2 MB of the
// factor recorder's ID filter, or the profile's 19 MB set of the IDs), and
// the garbage collector lets the heap grow by a share of that before it
// collects (gcPercent): 50% past 34 MB is 17 MB of garbage waiting, which
// took `sample --factors` to 67 MB resident. A soft memory limit caps that
// growth in megabytes instead: while what is kept alive is well below the
// cap the collector runs a little more often near the end of a large export
// (31 collections instead of 26 for that sample), and the process stays
// within the cap (60 MB resident). Once what is kept alive comes close to
// the cap (a larger export), the limit is lifted and gcPercent alone paces
// the collector again: a limit below what a program keeps alive would have
// it collect without end.

// memoryCap is the Go memory (heap, stacks, the runtime's own) an
// export-reading command keeps to while it can; the executable's pages
// (about 16 MB resident) come on top.
const memoryCap = 46 << 20

// liftAt is the share of memoryCap kept alive past which the cap is
// lifted: below it a collection frees at least 15% of the cap.
const liftAt = 0.85

// liftAfter is how many collections in a row must find more than liftAt of
// the cap alive before it is lifted. What is alive passes it for a moment
// while a table or a slice doubles (it holds its old memory and the new
// until it has moved what it holds): lifted then, the cap would stay off
// for the rest of a read that fits within it again a collection later.
const liftAfter = 2

// capMemory sets the soft memory limit to limit bytes and lifts it after
// liftAfter collections in a row find more than liftAt of it alive. GOMEMLIMIT
// in the environment overrides it, as GOGC overrides gcPercent. Only the
// first call in a process counts (tests run commands in one process).
func capMemory(limit int64) {
	capOnce.Do(func() { capMemoryNow(limit) })
}

var capOnce sync.Once

func capMemoryNow(limit int64) {
	if os.Getenv("GOMEMLIMIT") != "" {
		return
	}
	debug.SetMemoryLimit(limit)
	w := capWatch{limit: limit}
	watchLive(func(live uint64) bool {
		if w.lift(live) {
			debug.SetMemoryLimit(math.MaxInt64)
			return false
		}
		return true
	})
}

// capWatch decides, collection by collection, when a cap is lifted.
type capWatch struct {
	limit int64
	above int // collections in a row that found more than liftAt of it alive
}

// lift is told what a collection found alive and reports whether the cap
// is to be lifted now.
func (w *capWatch) lift(live uint64) bool {
	if float64(live) <= liftAt*float64(w.limit) {
		w.above = 0
		return false
	}
	w.above++
	return w.above >= liftAfter
}

// watchLive calls f with the bytes of heap kept alive after each garbage
// collection, for as long as f returns true. (A cleanup runs once the
// collector has found its object unreachable; each arms the next.)
func watchLive(f func(live uint64) bool) {
	samples := []metrics.Sample{{Name: "/gc/heap/live:bytes"}}
	var arm func()
	arm = func() {
		// A pointer-sized object at least: cleanups on tiny objects, which
		// share a block with others, may never run.
		runtime.AddCleanup(new(*int), func(struct{}) {
			metrics.Read(samples)
			if samples[0].Value.Kind() == metrics.KindUint64 && !f(samples[0].Value.Uint64()) {
				return
			}
			arm()
		}, struct{}{})
	}
	arm()
}
