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
// is in the population when that row matches every filter. (Exclusions of
// recently audited cases are a sampling matter and do not apply: a worker's
// caseload includes the cases audited last month.)
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
	err := t.RowsWith(ctx, cols, export.RowsOptions{Idle: opts.Idle}, func(r export.Row) error {
		if r.Blank {
			c.Blank++
			return nil
		}
		id := strings.TrimSpace(r.Cells[0])
		if id == "" || sample.IsFooterID(id) {
			c.Footers++
			return nil
		}
		c.Rows++
		if opts.Progress != nil && c.Rows&0xffff == 0 {
			opts.Progress(c.Rows)
		}
		if firstRow, ok := seen.First(id, r.Num); !ok {
			c.Duplicates++
			if len(c.FirstDuplicates) < 5 {
				c.FirstDuplicates = append(c.FirstDuplicates, sample.Duplicate{ID: strings.Clone(id), Row: r.Num, FirstRow: firstRow})
			}
			return nil
		}
		c.Distinct++
		for i, f := range opts.Where {
			if !f.Match(r.Cells[filterAt[i]]) {
				c.FilteredOut++
				return nil
			}
		}
		p.Add(r.Num, r.Cells[first:])
		return nil
	})
	if err != nil {
		return c, err
	}
	if c.Rows == 0 {
		return c, &export.InputError{Path: t.Path, Sheet: t.Sheet, Row: t.HeaderRow,
			Msg:  fmt.Sprintf("no case IDs below the header row in column %q", t.Header[t.IDIndex]),
			Hint: "check --sheet, --header-row and --id-column"}
	}
	return c, nil
}

// Seen is a set of case IDs with the row each was first seen on, for
// telling a case's first row from its duplicates while rows are read in
// order. It holds each ID once, in chunks of memory without pointers (about
// 28 bytes per ID of 10 characters), so a million IDs cost about 30 MB and
// little garbage collection.
type Seen struct {
	seed   maphash.Seed
	slots  []uint64 // 0: empty; else hash tag (high 32 bits, nonzero) | arena ref
	n      int
	chunks [][]byte // records: 4-byte row, 2-byte length, the ID
}

const (
	seenChunkBits = 20
	seenChunk     = 1 << seenChunkBits
)

// NewSeen returns an empty set.
func NewSeen() *Seen {
	return &Seen{seed: maphash.MakeSeed(), slots: make([]uint64, 1<<12)}
}

// Len returns the number of distinct IDs.
func (s *Seen) Len() int { return s.n }

// First adds id, seen on row, and reports true; if id was already in the
// set it is not added, and First returns the row it was first seen on and
// false. IDs are compared byte for byte (trim them first).
func (s *Seen) First(id string, row int) (firstRow int, first bool) {
	h := maphash.String(s.seed, id)
	tag := uint32(h>>32) | 1
	mask := uint64(len(s.slots) - 1)
	for i := h & mask; ; i = (i + 1) & mask {
		v := s.slots[i]
		if v == 0 {
			ref := s.add(id, row)
			s.slots[i] = uint64(tag)<<32 | uint64(ref)
			s.n++
			if s.n*4 > len(s.slots)*3 {
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
	mask := uint64(len(s.slots) - 1)
	for _, v := range old {
		if v == 0 {
			continue
		}
		_, id := s.record(uint32(v))
		h := maphash.String(s.seed, id)
		i := h & mask
		for s.slots[i] != 0 {
			i = (i + 1) & mask
		}
		s.slots[i] = v
	}
}
