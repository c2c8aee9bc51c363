package export

import (
	"bytes"
	"context"
	"io"
	"os"
	"runtime"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
)

// Parsing a csv file on several cores.
//
// The file is cut into chunks at fixed byte offsets. A worker parses a
// chunk from the first line start at or after its offset, as if a record
// began there, up to the first record starting at or after the next
// chunk's offset (reading past it to finish a record that runs on). Where a
// record really begins cannot be known from the middle of a file (a quoted
// field may hold newlines, and a lone quote inside an unquoted field is
// kept literally, so counting quotes does not tell either), so that start
// is a guess, and the guess is checked: the caller's goroutine takes the
// chunks in order, and the previous chunk ends exactly where the next one
// must start. When it ends elsewhere (the line start fell inside a quoted
// field), the chunk is parsed again from the right place on the caller's
// goroutine. The records of a chunk whose start is right are the serial
// parser's records, byte for byte, as a record never depends on what came
// before it. Row numbers are counted within a chunk and offset when the
// chunk is passed on; so are the lines an error names.
//
// Only what the serial parser reads byte for byte from the file qualifies:
// UTF-8 (after its BOM) and Windows-1252 with LF or CRLF line endings.
// UTF-16, UTF-32 and bare-CR files are decoded as a stream and stay serial;
// so does a machine with one core (GOMAXPROCS=1), where the workers would
// only take turns with the caller, or whose cores are all busy (coresBusy).
// CASEAUDIT_CSV_PARALLEL=always or never overrides the choice (to measure
// either path, or to rule one out).

const (
	// csvChunkBytes is the size of a chunk after the first: large enough
	// that handing it over costs nothing beside parsing it, small enough
	// that the chunks in flight hold little memory.
	csvChunkBytes = 256 << 10
	// csvFirstChunkBytes is the first chunk's: a scan that stops early (the
	// header search, the date columns) waits for little.
	csvFirstChunkBytes = 256 << 10
	// csvChunkBufBytes is a chunk worker's read buffer (a longer line is
	// gathered in the record reader's own buffer).
	csvChunkBufBytes = 64 << 10
	// csvParallelBytes is the smallest file parsed in chunks.
	csvParallelBytes = 4 << 20
)

// parallel reports whether a scan of a file of size bytes is parsed in
// chunks (size < 0: not a regular file).
func (g *csvGrid) parallel(size int64) bool {
	if !g.parallelAllowed() || size < 0 {
		return false
	}
	switch g.par {
	case parSerial:
		return false
	case parForce:
		return true
	}
	switch os.Getenv("CASEAUDIT_CSV_PARALLEL") {
	case "never":
		return false
	case "always":
		return true
	}
	return runtime.GOMAXPROCS(0) > 1 && size >= csvParallelBytes && !coresBusy()
}

func (g *csvGrid) parallelScan() bool {
	fi, err := os.Stat(g.path)
	return err == nil && fi.Mode().IsRegular() && g.parallel(fi.Size())
}

// coresBusy reports whether the machine's cores are all taken already by
// other programs: Linux's /proc/loadavg counts the threads runnable right
// now (its fourth field, "2/345": this one among them), and when the others
// fill GOMAXPROCS cores the chunk workers would only queue behind them,
// every chunk handed over waiting for a time slice (measured on a 2-core
// machine at a load of 25: the parallel scan took twice as long as the
// serial one for the same CPU time). The count of this moment, not the
// load average: the 1-minute average still counts programs that have
// ended, such as the previous command of a script that used both cores.
// Elsewhere, or should the file not say, the machine is taken as idle.
var coresBusy = sync.OnceValue(func() bool {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil {
		return false
	}
	return othersRunnable(string(b)) >= runtime.GOMAXPROCS(0)
})

// othersRunnable reads, from /proc/loadavg's text, how many threads besides
// the reader's own are runnable; 0 when the text does not say.
func othersRunnable(loadavg string) int {
	f := strings.Fields(loadavg)
	if len(f) < 4 {
		return 0
	}
	r, _, ok := strings.Cut(f[3], "/")
	n, err := strconv.Atoi(r)
	if !ok || err != nil || n < 1 {
		return 0
	}
	return n - 1
}

// parallelAllowed reports whether the file's bytes are the parser's input
// as they stand (not decoded as a stream first).
func (g *csvGrid) parallelAllowed() bool { return !g.enc.wide() && !g.loneCR }

// How a grid chooses between the serial and the parallel scan: by the file
// and the machine, or forced by a test.
const (
	parAuto = iota
	parSerial
	parForce
)

// csvChunk is a chunk as a worker parsed it.
type csvChunk struct {
	start   int64 // where its first record was taken to start
	batches []*csvBatch
	res     parseResult // res.end is relative to start
}

// chunkSource is the file a parallel scan reads: mapped into memory
// (data, and m to say how far the parse is), or read with ReadAt (f).
type chunkSource struct {
	f    *os.File
	data []byte
	m    *csvMap
}

// chunkParser parses chunks of one file; each worker has its own, and
// keeps its buffers (and its cache of dates) from chunk to chunk.
type chunkParser struct {
	src  chunkSource
	size int64
	r    *recReader
	p    *csvParser
	free chan *csvBatch // batches passed on, to be filled again
	// spare is the batch a parse was handed last and left unfilled (parse
	// asks for the next batch as it passes one on, also after the last):
	// the next chunk fills it, rather than each chunk dropping one.
	spare *csvBatch
}

func newChunkParser(g *csvGrid, src chunkSource, size int64, want []bool, opts scanOpts, free chan *csvBatch) *chunkParser {
	c := &chunkParser{src: src, size: size, p: newCSVParser(g, want), free: free}
	if opts.keys != nil {
		c.p.setKeys(opts)
	}
	if src.data != nil {
		c.r = newMemRecReader(nil, g.comma)
	} else {
		c.r = newRecReader(nil, g.comma, int(min(csvChunkBufBytes, max(size, 4096))))
	}
	return c
}

func (c *chunkParser) batch() *csvBatch {
	if b := c.spare; b != nil {
		c.spare = nil
		b.reset()
		return b
	}
	select {
	case b := <-c.free:
		b.reset()
		return b
	default:
		return new(csvBatch) // grown by append, and kept when recycled
	}
}

// parse parses the records starting in [start, limit), taking start to be
// where a record begins.
func (c *chunkParser) parse(ctx context.Context, start, limit int64) *csvChunk {
	ch := &csvChunk{start: start}
	if c.src.data != nil {
		c.r.resetMem(c.src.data[start:])
	} else {
		c.r.reset(io.NewSectionReader(c.src.f, start, c.size-start))
	}
	next := c.batch()
	ch.res = c.p.parse(ctx, c.r, limit-start, func(b *csvBatch) *csvBatch {
		if len(b.rows) == 0 {
			return b
		}
		ch.batches = append(ch.batches, b)
		next = c.batch()
		return next
	}, next)
	// The batch parse was filling when it stopped is not among the
	// chunk's (it was handed over empty, or the parse was cancelled).
	c.spare = next
	return ch
}

// work parses chunk k of those starting at starts, taking its first line
// start for a record's; a chunk with start -1 is for the caller to parse
// again (from the right place), and to report the error if there is one:
// the first line start could not be read, or the mapped file was cut short.
func (c *chunkParser) work(ctx context.Context, path string, starts []int64, k int) (ch *csvChunk) {
	var err error
	if c.src.m != nil {
		defer func() {
			if err != nil {
				ch = &csvChunk{start: -1}
			}
		}()
		defer c.src.m.catchFault(path, &err)
	}
	start := starts[k]
	if k > 0 {
		if start, err = c.lineStart(start); err != nil {
			return &csvChunk{start: -1}
		}
	}
	return c.parse(ctx, start, starts[k+1])
}

// lineStart returns the offset of the first line start at or after off
// (off > 0), or the file's size when no line starts there.
func (c *chunkParser) lineStart(off int64) (int64, error) {
	if c.src.data != nil {
		if i := bytes.IndexByte(c.src.data[off-1:], '\n'); i >= 0 {
			return off + int64(i), nil
		}
		return c.size, nil
	}
	buf := make([]byte, 4096)
	for pos := off - 1; pos < c.size; {
		n, err := c.src.f.ReadAt(buf, pos)
		if i := bytes.IndexByte(buf[:n], '\n'); i >= 0 {
			return pos + int64(i) + 1, nil
		}
		pos += int64(n)
		if err == io.EOF {
			break
		}
		if err != nil {
			return 0, err
		}
	}
	return c.size, nil
}

// scanParallel is scan for a file parsed in chunks; see the top of this
// file. fn is called on the caller's goroutine.
func (g *csvGrid) scanParallel(ctx context.Context, src chunkSource, size int64, want []bool, opts scanOpts, fn func(num int, cells []string) error) error {
	chunk, first := int64(csvChunkBytes), int64(csvFirstChunkBytes)
	if g.chunkBytes > 0 {
		chunk, first = g.chunkBytes, g.chunkBytes
	}
	starts := []int64{int64(g.skip)}
	for next := int64(g.skip) + first; next < size; next += chunk {
		starts = append(starts, next)
	}
	starts = append(starts, size)
	n := len(starts) - 1
	workers := min(runtime.GOMAXPROCS(0), 4)
	if g.par == parForce {
		workers = max(workers, 2)
	}

	// Each chunk's result has a slot; the caller takes them in order. A
	// worker takes a chunk only when fewer than inflight are parsed and not
	// yet passed on, which bounds the memory held to a few chunks' rows.
	results := make([]chan *csvChunk, n)
	for k := range results {
		results[k] = make(chan *csvChunk, 1)
	}
	inflight := workers + 1
	credits := make(chan struct{}, inflight)
	jobs := make(chan int)
	free := make(chan *csvBatch, 4*inflight)
	quit := make(chan struct{})
	// The chunks after the first are handed out once the first has been
	// passed on: a scan that stops within it (the search for the header,
	// the look at the date columns) parses nothing more.
	firstDone := make(chan struct{})
	var wg sync.WaitGroup
	wg.Add(1)
	go func() {
		defer wg.Done()
		defer close(jobs)
		for k := 0; k < n; k++ {
			if k == 1 {
				select {
				case <-firstDone:
				case <-quit:
					return
				}
			}
			select {
			case credits <- struct{}{}:
			case <-quit:
				return
			}
			select {
			case jobs <- k:
			case <-quit:
				return
			}
		}
	}()
	for range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if src.m != nil {
				defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
			}
			c := newChunkParser(g, src, size, want, opts, free)
			for k := range jobs {
				select {
				case <-quit:
					results[k] <- nil
					continue
				default:
				}
				results[k] <- c.work(ctx, g.path, starts, k)
			}
		}()
	}
	defer func() {
		close(quit)
		wg.Wait()
	}()

	em := newCSVEmitter(g, want, fn, opts.cur)
	var serial *chunkParser // for a chunk whose guessed start was wrong
	expected, rowOff, lineOff := int64(g.skip), 0, 0
	for k := 0; k < n; k++ {
		var ch *csvChunk
		select {
		case ch = <-results[k]:
		case <-ctx.Done():
			return ctx.Err()
		}
		if ch.start != expected {
			if serial == nil {
				serial = newChunkParser(g, src, size, want, opts, free)
			}
			ch = serial.parse(ctx, expected, starts[k+1])
		}
		for _, b := range ch.batches {
			if err := em.emit(b, rowOff); err != nil {
				return err
			}
			select {
			case free <- b:
			default:
			}
		}
		if ch.res.err != nil {
			return g.parseResultError(ch.res, rowOff, lineOff)
		}
		rowOff += ch.res.rows
		lineOff += ch.res.lines
		expected = ch.start + ch.res.end
		if src.m != nil {
			// No chunk still to parse starts before this one did.
			src.m.advance(mapParse, ch.start)
		}
		<-credits
		if k == 0 {
			close(firstDone)
		}
	}
	return nil
}
