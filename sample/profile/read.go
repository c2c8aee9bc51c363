package profile

import (
	"context"
	"fmt"
	"hash/maphash"
	"strings"
	"unsafe"

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
// order. It holds each ID once, in chunks of memory without pointers (16
// to 32 bytes a slot at most half full, and the ID with 6 bytes), so
// 1,048,575 IDs of 10 characters take 33 MB, and cost the garbage collector
// nothing to scan.
type Seen struct {
	seed   maphash.Seed
	slots  []uint64 // 0: empty; else hash tag (high 32 bits, nonzero) | arena ref
	shift  uint32   // 32 - log2(len(slots)): a tag's top bits are its home slot
	n      int
	chunks [][]byte // records: 4-byte row, 2-byte length, the ID
	sink   uint64   // what touch read, so that its loads are not left out
}

const (
	seenChunkBits = 20
	seenChunk     = 1 << seenChunkBits
)

// NewSeen returns an empty set.
func NewSeen() *Seen {
	return &Seen{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<12), shift: 32 - 12}
}

// Len returns the number of distinct IDs.
func (s *Seen) Len() int { return s.n }

// First adds id, seen on row, and reports true; if id was already in the
// set it is not added, and First returns the row it was first seen on and
// false. IDs are compared byte for byte (trim them first).
//
// The table is open-addressed with linear probing; an ID's home slot is
// the top bits of its hash, which its slot's tag holds, so growing the
// table reads no ID again and writes the new table almost in order.
func (s *Seen) First(id string, row int) (firstRow int, first bool) {
	return s.firstHashed(id, s.hash(id), row)
}

func (s *Seen) hash(id string) uint64 { return maphash.String(s.seed, id) }

// touch loads the home slots of the hashes, so that the loads wait for
// memory together rather than one after another in firstHashed.
func (s *Seen) touch(hs []uint64) {
	var x uint64
	for _, h := range hs {
		x += s.slots[uint32(h>>32)>>s.shift]
	}
	s.sink += x
}

func (s *Seen) firstHashed(id string, h uint64, row int) (firstRow int, first bool) {
	tag := uint32(h>>32) | 1
	mask := uint32(len(s.slots) - 1)
	for i := tag >> s.shift; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			ref := s.add(id, row)
			s.slots[i] = uint64(tag)<<32 | uint64(ref)
			s.n++
			if s.n*2 > len(s.slots) {
				s.grow()
			}
			return row, true
		}
		if uint32(v>>32) == tag {
			r, rid := s.record(uint32(v))
			if rid == id {
				return r, false
			}
		}
	}
}

// add appends an ID's record and returns its reference (chunk << 20 | offset).
func (s *Seen) add(id string, row int) uint32 {
	if len(id) > 0xffff {
		id = id[:0xffff] // an ID this long is a broken export; it still counts once
	}
	size := 6 + len(id)
	n := len(s.chunks)
	if n == 0 || len(s.chunks[n-1])+size > seenChunk {
		s.chunks = append(s.chunks, make([]byte, 0, seenChunk))
		n++
	}
	c := s.chunks[n-1]
	ref := uint32(n-1)<<seenChunkBits | uint32(len(c))
	c = append(c, byte(row), byte(row>>8), byte(row>>16), byte(row>>24), byte(len(id)), byte(len(id)>>8))
	s.chunks[n-1] = append(c, id...)
	return ref
}

// record returns a record's row and ID. The ID is a view of the chunk,
// which is only appended to, never moved or changed: it is valid for the
// set's life and must not be kept beyond it.
func (s *Seen) record(ref uint32) (int, string) {
	b := s.chunks[ref>>seenChunkBits][ref&(seenChunk-1):]
	row := int(uint32(b[0]) | uint32(b[1])<<8 | uint32(b[2])<<16 | uint32(b[3])<<24)
	l := int(b[4]) | int(b[5])<<8
	if l == 0 {
		return row, ""
	}
	return row, unsafe.String(&b[6], l)
}

func (s *Seen) grow() {
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
		i := uint32(v>>32) >> s.shift
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
