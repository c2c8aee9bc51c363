package export

import (
	"context"
	"hash"
	"os"
	"runtime/debug"
	"sync"
	"sync/atomic"
	"unsafe"
)

// Reading a csv file mapped into memory.
//
// A csv file whose bytes are the parser's input as they stand (UTF-8 or
// Windows-1252, LF or CRLF: see parallelAllowed) is mapped into memory
// rather than read, where the system allows it: the parser takes its lines
// in place, with no copy into a read buffer, and the same bytes can be
// hashed for the provenance on a goroutine of their own (Digest) instead
// of being read a second time. Pages both readers are done with are handed
// back as the scan goes (dropPages), so the resident set stays a few
// megabytes whatever the file's size; the file stays in the page cache.
//
// A file cut short by another program while it is mapped would make
// reading the lost pages fault: every goroutine that reads the mapping
// turns such a fault into an error naming the file (catchFault) rather
// than a crash.

// Digest asks a scan of the whole table to give the file's bytes to Hash
// (see RowsOptions).
type Digest struct {
	Hash hash.Hash
	// Done is set when the scan returned nil and Hash was given every
	// byte of the file, in order; otherwise the caller hashes the file.
	Done bool
}

// optScanner is a grid that can hash its file while it scans it, and
// make keys of its case IDs on the goroutines that parse it (scanOpts).
type optScanner interface {
	scanWith(ctx context.Context, want []bool, opts scanOpts, fn func(num int, cells []string) error) (hashed bool, err error)
	// parallelScan reports whether a scan would parse on goroutines of
	// its own (chunk workers) rather than on the caller's.
	parallelScan() bool
}

// csvMap is a file mapped for one scan, and how far its readers are.
type csvMap struct {
	data    []byte
	mu      sync.Mutex
	moved   sync.Cond // a reader moved on
	done    [2]int64  // bytes the parse [mapParse] and the hash [mapHash] no longer need
	dropped int64     // bytes handed back to the system
	stop    atomic.Bool
}

const (
	mapParse = iota
	mapHash
)

const (
	// mapLead is how far one reader may run ahead of the other: the
	// digest is several times faster than the parse, and the pages it has
	// read stay resident until the parse is done with them too.
	mapLead = 2 << 20
	// dropStep is how far the slower reader moves on between two calls to
	// dropPages.
	dropStep = 1 << 20
	// hashStep is how much the digest takes at a time.
	hashStep = 256 << 10
)

func newCSVMap(data []byte, hashing bool) *csvMap {
	m := &csvMap{data: data}
	m.moved.L = &m.mu
	if !hashing {
		m.done[mapHash] = int64(len(data))
	}
	return m
}

// advance records that reader who no longer needs the bytes before pos,
// waits while it is more than mapLead ahead of the other, and hands back
// the pages neither needs.
func (m *csvMap) advance(who int, pos int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[who] = max(m.done[who], pos)
	m.moved.Broadcast()
	for m.done[who]-m.done[1-who] > mapLead && !m.stop.Load() {
		m.moved.Wait()
	}
	low := min(m.done[mapParse], m.done[mapHash])
	low &^= int64(os.Getpagesize() - 1)
	if low-m.dropped >= dropStep {
		dropPages(m.data[m.dropped:low])
		m.dropped = low
	}
}

// finish records that reader who needs nothing more, so that the other
// never waits for it.
func (m *csvMap) finish(who int) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.done[who] = int64(len(m.data))
	m.moved.Broadcast()
}

// hash writes the whole mapping to h, unless the scan stops first; it
// reports whether it wrote it all.
func (m *csvMap) hash(g *csvGrid, h hash.Hash) (ok bool, err error) {
	defer m.finish(mapHash)
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer m.catchFault(g.path, &err)
	for pos := 0; pos < len(m.data); {
		if m.stop.Load() {
			return false, nil
		}
		end := min(pos+hashStep, len(m.data))
		h.Write(m.data[pos:end])
		pos = end
		m.advance(mapHash, int64(pos))
	}
	return true, nil
}

// catchFault, deferred by a goroutine that reads the mapping (after
// debug.SetPanicOnFault(true)), turns a fault reading it into an error
// naming the file; any other panic goes on.
func (m *csvMap) catchFault(path string, err *error) {
	r := recover()
	if r == nil {
		return
	}
	if f, ok := r.(interface{ Addr() uintptr }); ok && len(m.data) > 0 {
		start := uintptr(unsafe.Pointer(unsafe.SliceData(m.data)))
		if a := f.Addr(); a >= start && a-start < uintptr(len(m.data)) {
			*err = &InputError{Path: path, Msg: "the file was cut short while it was being read",
				Hint: "read it again once the program writing it has finished"}
			return
		}
	}
	panic(r)
}

// scanMapped scans a mapped file; when h is set, the file's bytes are
// written to h beside the parse, and hashed says whether they all were.
func (g *csvGrid) scanMapped(ctx context.Context, data []byte, want []bool, opts scanOpts, fn func(num int, cells []string) error) (hashed bool, err error) {
	h := opts.digest
	// Whether the cores are busy is judged before the digest's goroutine
	// starts, so that it does not count itself among the others.
	parallel := g.parallel(int64(len(data)))
	m := newCSVMap(data, h != nil)
	if h != nil {
		type result struct {
			ok  bool
			err error
		}
		done := make(chan result, 1)
		go func() {
			ok, err := m.hash(g, h)
			done <- result{ok, err}
		}()
		defer func() {
			// The mapping is released when scanMapped returns: the digest
			// must be done with it first, whatever happened to the parse.
			if err != nil {
				m.stop.Store(true)
			}
			m.finish(mapParse)
			r := <-done
			if err == nil {
				err = r.err
			}
			hashed = err == nil && r.ok
		}()
	}
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	defer m.catchFault(g.path, &err)
	if parallel {
		return false, g.scanParallel(ctx, chunkSource{data: data, m: m}, int64(len(data)), want, opts, fn)
	}
	r := newMemRecReader(data[g.skip:], g.comma)
	return false, g.scanSerial(ctx, r, want, fn, func() { m.advance(mapParse, int64(g.skip)+r.off) })
}
