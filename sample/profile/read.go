package profile

import (
	"context"
	"encoding/binary"
	"fmt"
	"hash/maphash"
	"strings"

	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// ReadOptions say which rows of a table are the population.
type ReadOptions struct {
	Where []sample.Filter // conditions, combined with AND
	// Progress, when set, is called every 65,536 rows with the rows read so far.
	Progress func(rows int)
	// Idle, when set, does small pieces of other work while no rows are
	// ready (see export.RowsOptions.Idle).
	Idle func() bool
}

// Counts say what Read made of the table's rows, as sample.Population does
// for a sample of the same table.
type Counts struct {
	Rows       int // data rows holding a case ID (after blanks and footers)
	Blank      int // blank rows skipped
	Footers    int // rows without an ID, or whose ID cell reads Total/Count/Grand total
	Duplicates int // rows whose ID appeared on an earlier row (the first row counts)
	// FirstDuplicates lists up to five duplicates, in row order.
	FirstDuplicates []sample.Duplicate
	Distinct        int // distinct IDs before filters
	FilteredOut     int // distinct IDs whose (first) row does not match the filters
}

// Read reads the table once and profiles its population with p (made by
// New for the same table): the cases sample.Load would sample, by the same
// rules — blank rows and footer rows (no ID, or Total/Count/Grand total) are
// skipped; each distinct ID (trimmed) counts once, by its first row; a case
// is in the population when that row matches every filter. Caseloads count
// every distinct case, matching or not (see Profiler.AddCase). (Exclusions
// of recently audited cases are a sampling matter and do not apply: a
// worker's caseload includes the cases audited last month.)
//
// An export with no case ID below the header is an error, as for a sample.
func Read(ctx context.Context, t *export.Table, p *Profiler, opts ReadOptions) (Counts, error) {
	var c Counts
	// Columns to read: the ID, the filters' columns, then the profiler's.
	cols := []int{t.IDIndex}
	filterAt := make([]int, len(opts.Where))
	for i, f := range opts.Where {
		col, err := t.ColumnIndex(f.Column)
		if err != nil {
			return c, err
		}
		filterAt[i] = len(cols)
		cols = append(cols, col)
	}
	first := len(cols)
	cols = append(cols, p.cols...)
	seen := NewSeen()
	// Rows wait in a small batch so that the set's table is looked up for
	// all of them before any is decided: the memory loads then overlap
	// instead of each waiting for the last.
	b := newRowBuffer(len(cols), rowBufferRows)
	flush := func() {
		for i := range b.n {
			b.hash[i] = seen.hash(b.id[i])
		}
		seen.touch(b.hash[:b.n])
		for i := range b.n {
			id, num, cells := b.id[i], b.num[i], b.row(i)
			if firstRow, ok := seen.firstHashed(id, b.hash[i], num); !ok {
				c.Duplicates++
				if len(c.FirstDuplicates) < 5 {
					c.FirstDuplicates = append(c.FirstDuplicates, sample.Duplicate{ID: strings.Clone(id), Row: num, FirstRow: firstRow})
				}
				continue
			}
			c.Distinct++
			match := true
			for j, f := range opts.Where {
				if !f.Match(cells[filterAt[j]]) {
					match = false
					break
				}
			}
			if !match {
				c.FilteredOut++
			}
			p.AddCase(num, match, cells[first:])
		}
		b.reset()
	}
	err := t.RowsWith(ctx, cols, export.RowsOptions{Idle: opts.Idle}, func(r export.Row) error {
		if r.Blank {
			c.Blank++
			return nil
		}
		id := export.CaseID(r.Cells[0])
		if id == "" || sample.IsFooterID(id) {
			c.Footers++
			return nil
		}
		c.Rows++
		if opts.Progress != nil && c.Rows&0xffff == 0 {
			opts.Progress(c.Rows)
		}
		if b.add(r.Num, id, r.Cells) {
			flush()
		}
		return nil
	})
	if err != nil {
		return c, err
	}
	flush()
	if c.Rows == 0 {
		return c, &export.InputError{Path: t.Path, Sheet: t.Sheet, Row: t.HeaderRow,
			Msg:  fmt.Sprintf("no case IDs below the header row in column %q", t.Header[t.IDIndex]),
			Hint: "check --sheet, --header-row and --id-column"}
	}
	return c, nil
}

// Seen is a set of case IDs with the row each was first seen on, for
// telling a case's first row from its duplicates while rows are read in
// order. Its memory has no pointers, so the garbage collector never scans
// it: tables of 8-byte slots at most 3/4 full, and the IDs with their rows
// front-coded in blocks of seenBlock, each ID as the length of the prefix
// it shares with the ID before it and the rest. Exports list their case
// references in runs of neighbours (CR-0001234, CR-0001235, …) that share
// all but a byte or two, so 1,048,575 IDs of 10 characters take 16 MB of
// slots and 2.5 MB of records (16 MB held whole with their rows).
//
// The slots are split among seenShards tables by the top bits of the hash,
// each doubling on its own: one table of them all would, while doubling,
// hold its old slots and the new ones at once (8 and 16 MB at 790,000 IDs),
// more than the set holds at the end.
type Seen struct {
	seed   maphash.Seed
	shards [seenShards]seenShard
	n      int
	// Blocks of records in chunks, a block never across two (see add).
	chunks  [][]byte
	block   uint32 // ref of the block being filled: chunk << seenChunkBits | offset
	inBlock int    // records in it
	last    []byte // the ID added last
	lastRow int
	id      []byte // scratch for decoding a block
	sink    uint64 // what touch read, so that its loads are not left out
}

// seenShard is an open-addressed table with linear probing. An ID's home
// slot is the top bits of its hash after those choosing the shard, which
// its slot's tag holds, so doubling the table reads no ID again and writes
// the new table almost in order.
type seenShard struct {
	slots []uint64 // 0: empty; else hash tag (high 32 bits, nonzero) | block ref
	shift uint32   // 32 - log2(len(slots))
	n     int
}

const (
	seenShardBits = 6
	seenShards    = 1 << seenShardBits
	seenChunkBits = 20
	seenChunk     = 1 << seenChunkBits
	// seenBlock bounds the records decoded to find one ID. A lookup decodes
	// a block only when a slot's tag matches: for a duplicate, and almost
	// never otherwise.
	seenBlock = 16
)

// NewSeen returns an empty set.
func NewSeen() *Seen {
	s := &Seen{seed: maphash.MakeSeed()}
	for i := range s.shards {
		s.shards[i] = seenShard{slots: make([]uint64, 1<<6), shift: 32 - 6}
	}
	return s
}

// Len returns the number of distinct IDs.
func (s *Seen) Len() int { return s.n }

// First adds id, seen on row, and reports true; if id was already in the
// set it is not added, and First returns the row it was first seen on and
// false. IDs are compared byte for byte (trim them first).
func (s *Seen) First(id string, row int) (firstRow int, first bool) {
	return s.firstHashed(id, s.hash(id), row)
}

func (s *Seen) hash(id string) uint64 { return maphash.String(s.seed, id) }

// touch loads the home slots of the hashes, so that the loads wait for
// memory together rather than one after another in firstHashed.
func (s *Seen) touch(hs []uint64) {
	var x uint64
	for _, h := range hs {
		tag := uint32(h >> 32)
		sh := &s.shards[tag>>(32-seenShardBits)]
		x += sh.slots[tag<<seenShardBits>>sh.shift]
	}
	s.sink += x
}

func (s *Seen) firstHashed(id string, h uint64, row int) (firstRow int, first bool) {
	tag := uint32(h>>32) | 1
	sh := &s.shards[tag>>(32-seenShardBits)]
	mask := uint32(len(sh.slots) - 1)
	for i := tag << seenShardBits >> sh.shift; ; i = (i + 1) & mask {
		v := sh.slots[i]
		if v == 0 {
			ref := s.add(id, row)
			sh.slots[i] = uint64(tag)<<32 | uint64(ref)
			s.n++
			sh.n++
			if sh.n*4 > len(sh.slots)*3 {
				sh.grow()
			}
			return row, true
		}
		// A slot refers to its ID's block. Another ID of the block may
		// have the same tag: the ID is in the set all the same, with the
		// row recorded beside it.
		if uint32(v>>32) == tag {
			if r, ok := s.find(uint32(v), id); ok {
				return r, false
			}
		}
	}
}

// add appends an ID's record and returns the reference of its block. A
// record is the row's difference from the row of the record before it in
// the block (from 0 for the first), the length of the prefix the ID shares
// with the ID before it (0 for the first) and the length of the rest, then
// the rest. The lengths take one byte, prefix<<4 | rest, when the
// difference is 1, the prefix under 15 bytes and the rest under 16;
// otherwise the byte is 0xff and the three numbers follow as varints.
func (s *Seen) add(id string, row int) uint32 {
	n := len(s.chunks)
	var c []byte
	if n > 0 {
		c = s.chunks[n-1]
	}
	var buf [1 + 3*binary.MaxVarintLen64]byte
	var h []byte
	pre := 0
	ended := false // the block being filled ends here, before it is full
	if n > 0 && s.inBlock < seenBlock {
		pre = sharedPrefix(id, s.last)
		if h = seenHeader(buf[:0], row-s.lastRow, pre, len(id)-pre); len(c)+len(h)+len(id)-pre > cap(c) {
			h, ended = nil, true
		}
	}
	if h == nil {
		pre, h = 0, seenHeader(buf[:0], row, 0, len(id))
		// A block that ends before it is full ends with its chunk: find
		// reads a block until seenBlock records or the chunk's end, and a
		// block after it in the chunk would be read as its continuation.
		// The whole record may fit where the continuation did not (rows
		// going backwards take a longer header than a first record).
		if size := len(h) + len(id); n == 0 || ended || len(c)+size > cap(c) {
			// An ID longer than a chunk has one of its own.
			c = make([]byte, 0, max(seenChunk, size))
			s.chunks = append(s.chunks, c)
			n++
		}
		s.block, s.inBlock = uint32(n-1)<<seenChunkBits|uint32(len(c)), 0
	}
	c = append(c, h...)
	s.chunks[n-1] = append(c, id[pre:]...)
	s.inBlock++
	s.last = append(s.last[:pre], id[pre:]...)
	s.lastRow = row
	return s.block
}

// sharedPrefix returns the length of the prefix a and b share.
func sharedPrefix(a string, b []byte) int {
	b = b[:min(len(a), len(b))]
	i := 0
	for i+8 <= len(b) && a[i:i+8] == string(b[i:i+8]) {
		i += 8
	}
	for i < len(b) && a[i] == b[i] {
		i++
	}
	return i
}

// seenHeader appends a record's header (see add).
func seenHeader(b []byte, delta, pre, rest int) []byte {
	if delta == 1 && pre < 15 && rest < 16 {
		return append(b, byte(pre<<4|rest))
	}
	b = append(b, 0xff)
	b = binary.AppendVarint(b, int64(delta))
	b = binary.AppendUvarint(b, uint64(pre))
	return binary.AppendUvarint(b, uint64(rest))
}

// find looks for id in the block at ref and returns its row.
func (s *Seen) find(ref uint32, id string) (row int, ok bool) {
	c := s.chunks[ref>>seenChunkBits]
	p := int(ref & (seenChunk - 1))
	cur := s.id[:0]
	for k := 0; k < seenBlock && p < len(c); k++ {
		delta, pre, rest := 1, int(c[p]>>4), int(c[p]&15)
		p++
		if c[p-1] == 0xff {
			d, w := binary.Varint(c[p:])
			p += w
			u, w := binary.Uvarint(c[p:])
			p += w
			r, w := binary.Uvarint(c[p:])
			p += w
			delta, pre, rest = int(d), int(u), int(r)
		}
		row += delta
		cur = append(cur[:pre], c[p:p+rest]...)
		p += rest
		if string(cur) == id {
			s.id = cur
			return row, true
		}
	}
	s.id = cur
	return 0, false
}

func (s *seenShard) grow() {
	old := s.slots
	s.slots = make([]uint64, len(old)*2)
	s.shift--
	mask := uint32(len(s.slots) - 1)
	// Entries keep their order of home slots, so walking the old table from
	// the start of a cluster places each after those before it.
	start := 0
	for start < len(old) && old[start] != 0 {
		start++ // a cluster may wrap around the end: begin after an empty slot
	}
	for k := 0; k < len(old); k++ {
		v := old[(start+k)&(len(old)-1)]
		if v == 0 {
			continue
		}
		i := uint32(v>>32) << seenShardBits >> s.shift
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}

// rowBuffer holds a few rows' cells (the strings, which stay valid, not the
// reused slice that holds them).
type rowBuffer struct {
	n     int
	ncols int
	num   []int
	id    []string
	hash  []uint64
	match []bool // for a Recorder: the row meets the filters
	cells []string
}

// rowBufferRows is the rows looked up together in a set or filter (see
// Seen.touch and bloom.touch).
const rowBufferRows = 32

// newRowBuffer returns a buffer for rows rows of ncols cells.
func newRowBuffer(ncols, rows int) *rowBuffer {
	return &rowBuffer{ncols: ncols, num: make([]int, rows), id: make([]string, rows), hash: make([]uint64, rows),
		match: make([]bool, rows), cells: make([]string, rows*ncols)}
}

// add keeps a row and reports whether the buffer is full.
func (b *rowBuffer) add(num int, id string, cells []string) bool {
	b.num[b.n], b.id[b.n] = num, id
	copy(b.cells[b.n*b.ncols:(b.n+1)*b.ncols], cells)
	b.n++
	return b.n == len(b.num)
}

// addMatch keeps a row with whether it meets the filters.
func (b *rowBuffer) addMatch(num int, id string, match bool, cells []string) bool {
	b.match[b.n] = match
	return b.add(num, id, cells)
}

func (b *rowBuffer) row(i int) []string { return b.cells[i*b.ncols : (i+1)*b.ncols : (i+1)*b.ncols] }

// reset empties the buffer, letting go of the cells' text.
func (b *rowBuffer) reset() {
	clear(b.id[:b.n])
	clear(b.cells[:b.n*b.ncols])
	b.n = 0
}
