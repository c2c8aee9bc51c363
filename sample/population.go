package sample

import (
	"bytes"
	"cmp"
	"container/heap"
	"context"
	"encoding/binary"
	"fmt"
	"math"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
)

// LoadOptions say which rows of an export.Table make the population and what to
// keep of each case.
type LoadOptions struct {
	Seed    string   // the sampling seed: tickets are computed while reading
	Fields  []string // columns to keep for each case, by header name (shown in outputs)
	Where   []Filter // conditions, combined with AND
	Strata  string   // column whose values are the strata; "" for none
	Strict  bool     // duplicate IDs are an error rather than skipped
	Exclude func(id string) bool
	// MaxSample, when above 0, promises that no stratum will take more than
	// this many cases: the kept fields are then held only for the best
	// MaxSample candidates of each stratum, so memory does not grow with the
	// export (a later Select that needs more reads them again).
	MaxSample int
	// Progress, when set, is called every 65,536 rows with the rows read so far.
	Progress func(rows int)
	// Idle, when set, does small pieces of other work while no rows are
	// ready (see export.RowsOptions.Idle); what is left when the rows are read is
	// done on another goroutine while the population is sorted, and is
	// finished when Load returns (unless reading failed).
	Idle func() bool
	// Digest, when set, is passed to the reading (export.RowsOptions): the
	// export's bytes are hashed as they are read, when the reader can.
	Digest *export.Digest
	// Observer, when set, is shown every data row as it is read (see
	// RowObserver), and the cells of its columns are kept with the cases
	// that may be sampled, as Fields are (Case.Observed). Without it the
	// loop pays one comparison a row.
	Observer RowObserver

	// keyBits, in tests, keeps only the keys' top bits: keys then collide
	// (still in ticket order) and the full tickets must decide.
	keyBits uint
	// keepNone, in tests, has the reader leave every row's kept fields
	// unread, as the bound never would: Select must read them again.
	keepNone bool
}

// Population is the set of distinct case IDs of an export that match the
// filters, each with its ticket key, source row and stratum, in selection
// order (ticket ascending).
type Population struct {
	Path      string
	Format    string
	Sheet     string
	HeaderRow int
	Seed      string
	Fields    []string // the kept columns' header names, as in the export
	Strata    string   // the strata column's header name, "" for none
	Where     []Filter

	Rows       int // data rows holding a case ID (after blanks and footers)
	Blank      int // blank rows skipped
	Footers    int // rows without an ID, whose ID cell reads Total/Count/Grand total, or in a block of notes under the table (export.Row.Footer)
	Duplicates int // rows whose ID appeared on an earlier row (the first row is kept)
	// FirstDuplicates lists up to five duplicates, in row order.
	FirstDuplicates []Duplicate
	Distinct        int // distinct IDs before filters and exclusions
	FilteredOut     int // distinct IDs whose (first) row does not match the filters
	Excluded        int // distinct IDs left out by Exclude
	// ExcludedIDs are the distinct IDs left out by Exclude, sorted.
	ExcludedIDs []string

	units       unitArray // the population, in selection order
	stratumName []string
	// stratumSize counts each stratum's population: matching rows as they
	// are read, less the duplicates and exclusions dropped after sorting
	// (so that nothing needs to visit the IDs in ticket order to count).
	stratumSize []int
	ids         arena
	tk          *Ticketer
	// readerKeys counts the rows whose ticket key the reader made, and
	// readerLeft those whose kept fields it left unread (see Load), for
	// the tests.
	readerKeys, readerLeft int

	// Kept fields: candidates by ID, and how to read more if needed.
	kept      map[string][]string
	table     *export.Table
	fieldCols []int // the kept columns: Fields, then the observer's
	nFields   int   // how many of fieldCols are Fields
}

// Duplicate is a row whose case ID appeared on an earlier row.
type Duplicate struct {
	ID       string
	Row      int
	FirstRow int
}

// unit is one data row, 16 bytes: a million rows take 16 MB. Its ID and
// stratum live in the arena record at ref; the top bit of row says the row
// does not match the filters.
type unit struct {
	key uint64
	ref uint32
	row uint32
}

const noMatch = 1 << 31

func (u unit) rowNum() int { return int(u.row &^ noMatch) }

// arena holds variable-length records in 1 MiB chunks, so it grows without
// copying. A reference is chunk<<20 | offset.
type arena struct{ chunks [][]byte }

const chunkBits = 20

func (a *arena) add(rec []byte) (uint32, error) {
	if len(rec) > 1<<chunkBits {
		return 0, idTooLong(len(rec))
	}
	n := len(a.chunks)
	if n == 0 || len(a.chunks[n-1])+len(rec) > 1<<chunkBits {
		if n >= 1<<(32-chunkBits) {
			return 0, fmt.Errorf("too many case IDs to hold (over 4 GB)")
		}
		a.chunks = append(a.chunks, make([]byte, 0, 1<<chunkBits))
		n++
	}
	c := a.chunks[n-1]
	ref := uint32(n-1)<<chunkBits | uint32(len(c))
	a.chunks[n-1] = append(c, rec...)
	return ref, nil
}

// record reads the record at ref: the stratum and the ID bytes.
func (a *arena) record(ref uint32) (stratum uint32, id []byte) {
	b := a.chunks[ref>>chunkBits][ref&(1<<chunkBits-1):]
	s, k := binary.Uvarint(b)
	b = b[k:]
	l, k := binary.Uvarint(b)
	return uint32(s), b[k : k+int(l)]
}

// maxIDBytes is the longest case ID held: an arena chunk less room for
// the record's two varints.
const maxIDBytes = 1<<chunkBits - 2*binary.MaxVarintLen32

// idTooLong is the message of a case ID longer than maxIDBytes: no case
// reference is that long, so the ID column is likely the wrong one.
func idTooLong(n int) error {
	return fmt.Errorf("a case ID of %s bytes is too long for a case reference (at most 1 MB)", words.Thousands(n))
}

func encodeRecord(buf []byte, stratum uint32, id string) []byte {
	buf = binary.AppendUvarint(buf[:0], uint64(stratum))
	buf = binary.AppendUvarint(buf, uint64(len(id)))
	return append(buf, id...)
}

// Case is one member of the population.
type Case struct {
	ID      string
	Row     int      // 1-based source row (the first row holding this ID)
	Stratum string   // "" when not stratified
	Fields  []string // the kept columns, in LoadOptions.Fields order
	// Observed are the cells of LoadOptions.Observer's columns, in its
	// order; nil without an observer.
	Observed []string
}

// Len returns the population size: distinct IDs after filters and exclusions.
func (p *Population) Len() int { return p.units.n }

// Case returns the i-th case in selection order. Its Fields are nil when
// they were not kept (see LoadOptions.MaxSample); Select fills them in.
func (p *Population) Case(i int) Case {
	u := p.units.at(i)
	st, id := p.ids.record(u.ref)
	c := Case{ID: string(id), Row: u.rowNum()}
	c.Fields, c.Observed = p.split(p.kept[string(id)])
	if p.Strata != "" {
		c.Stratum = p.stratumName[st]
	}
	return c
}

// split parts kept cells into the shown fields and the observed cells.
func (p *Population) split(kept []string) (fields, observed []string) {
	if kept == nil {
		return nil, nil
	}
	if len(kept) > p.nFields {
		observed = kept[p.nFields:]
	}
	return kept[:p.nFields:p.nFields], observed
}

// Ticket returns the full ticket of the i-th case.
func (p *Population) Ticket(i int) string { return p.tk.Ticket(p.id(p.units.at(i))) }

func (p *Population) id(u unit) string {
	_, id := p.ids.record(u.ref)
	return string(id)
}

func (p *Population) idBytes(u unit) []byte {
	_, id := p.ids.record(u.ref)
	return id
}

func (p *Population) stratumOf(u unit) uint32 {
	s, _ := p.ids.record(u.ref)
	return s
}

// StratumSizes returns each stratum's population, strata in name order.
func (p *Population) StratumSizes() []Stratum {
	var out []Stratum
	for i, n := range p.stratumSize {
		if n > 0 {
			out = append(out, Stratum{Name: p.stratumName[i], Population: n})
		}
	}
	slices.SortFunc(out, func(a, b Stratum) int { return strings.Compare(a.Name, b.Name) })
	return out
}

// IsFooterID reports whether an ID cell reads like a totals line: Total,
// Grand total, Count, Sum (with anything after "total").
func IsFooterID(id string) bool {
	s := strings.TrimSpace(id)
	if s == "" {
		return false
	}
	if len(s) < 3 {
		return false
	}
	// Every footer starts with to, gr, co or su (in any case); most IDs do not.
	switch uint16(s[0]|0x20)<<8 | uint16(s[1]|0x20) {
	case 't'<<8 | 'o', 'g'<<8 | 'r', 'c'<<8 | 'o', 's'<<8 | 'u':
	default:
		return false
	}
	s = strings.TrimRight(s, ": ")
	return hasPrefixFold(s, "total") || hasPrefixFold(s, "grand total") ||
		strings.EqualFold(s, "count") || strings.EqualFold(s, "sum") || hasPrefixFold(strings.TrimSpace(id), "count:")
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// seenStratum is a slot of Load's cache of strata: a name and its index.
type seenStratum struct {
	name string
	si   uint32
	ok   bool
}

// seenSlot chooses a slot for a stratum name from its length and three of
// its bytes: cheap, and different for the few names a column usually holds.
func seenSlot(s string) uint8 {
	n := len(s)
	h := uint32(n)
	if n > 0 {
		h = h*131 + uint32(s[0])
		h = h*131 + uint32(s[n/2])
		h = h*131 + uint32(s[n-1])
	}
	return uint8(h ^ h>>8 ^ h>>16)
}

// candidate is a row whose fields are kept because it may be sampled.
type candidate struct {
	key    uint64
	id     string
	fields []string
}

// candHeap is a max-heap (the worst candidate on top) of one stratum's best.
type candHeap []*candidate

func (h candHeap) Len() int { return len(h) }
func (h candHeap) Less(i, j int) bool {
	if h[i].key != h[j].key {
		return h[i].key > h[j].key
	}
	return h[i].id > h[j].id
}
func (h candHeap) Swap(i, j int) { h[i], h[j] = h[j], h[i] }
func (h *candHeap) Push(x any)   { *h = append(*h, x.(*candidate)) }
func (h *candHeap) Pop() any {
	old := *h
	x := old[len(old)-1]
	*h = old[:len(old)-1]
	return x
}

// Load reads the table's data rows and builds the population.
func Load(ctx context.Context, t *export.Table, opts LoadOptions) (*Population, error) {
	p := &Population{
		Path: t.Path, Format: t.Format, Sheet: t.Sheet, HeaderRow: t.HeaderRow,
		Seed: opts.Seed, Where: opts.Where, tk: NewTicketer(opts.Seed),
		kept: map[string][]string{}, table: t,
	}
	// Columns to read: the ID, the kept fields, the strata, the filters,
	// each once; colAt gives a column's place in a row's cells.
	cols := []int{t.IDIndex}
	colAt := func(c int) int {
		if i := slices.Index(cols, c); i >= 0 {
			return i
		}
		cols = append(cols, c)
		return len(cols) - 1
	}
	var fieldAt []int
	for _, name := range opts.Fields {
		c, err := t.ColumnIndex(name)
		if err != nil {
			return nil, err
		}
		p.Fields = append(p.Fields, t.Header[c])
		p.fieldCols = append(p.fieldCols, c)
		fieldAt = append(fieldAt, colAt(c))
	}
	p.nFields = len(p.fieldCols)
	obs := opts.Observer
	var obsAt []int
	var obsCells []string
	if obs != nil {
		for _, c := range obs.Columns() {
			if c < 0 || c >= len(t.Header) {
				return nil, fmt.Errorf("%s: the observer asks for column %d of %d", t.Path, c+1, len(t.Header))
			}
			p.fieldCols = append(p.fieldCols, c)
			at := colAt(c)
			fieldAt = append(fieldAt, at)
			obsAt = append(obsAt, at)
		}
		obsCells = make([]string, len(obsAt))
	}
	strataAt := -1
	if opts.Strata != "" {
		c, err := t.ColumnIndex(opts.Strata)
		if err != nil {
			return nil, err
		}
		p.Strata = t.Header[c]
		strataAt = colAt(c)
	}
	filterAt := make([]int, len(opts.Where))
	for i, f := range opts.Where {
		c, err := t.ColumnIndex(f.Column)
		if err != nil {
			return nil, err
		}
		filterAt[i] = colAt(c)
	}

	stratumIndex := map[string]uint32{}
	var seen [256]seenStratum
	var heaps []*candHeap
	var rec []byte
	// idle is opts.Idle, never called again once it has said nothing is left.
	var idle func() bool
	if opts.Idle != nil {
		more := true
		idle = func() bool {
			if more {
				more = opts.Idle()
			}
			return more
		}
	}
	// The ticket keys (a SHA-256 block per row) are the largest piece of
	// the per-row work: a reader that parses on several goroutines makes
	// them there, each with a Ticketer of its own, so that this loop,
	// which takes every row in turn, does not wait on them.
	idKey := func() func(id []byte) uint64 { return NewTicketer(opts.Seed).KeyBytes }
	ro := export.RowsOptions{Idle: idle, Digest: opts.Digest, IDKey: idKey}
	// Without strata, the kept fields are needed only for rows whose key
	// is at most the worst candidate's once MaxSample are held (it only
	// falls as better ones come): the reader is told that bound (thr), so
	// that it need not find and copy those cells in the other rows
	// (Row.LazyLeft). Strata (a bound per stratum) and an observer (which
	// sees every row's cells) read every cell.
	var thr atomic.Uint64
	thr.Store(math.MaxUint64)
	lazy := opts.MaxSample > 0 && strataAt < 0 && obs == nil && opts.keyBits == 0
	if lazy {
		for _, c := range p.fieldCols {
			if c != t.IDIndex && !slices.ContainsFunc(filterAt, func(at int) bool { return cols[at] == c }) {
				ro.Lazy = append(ro.Lazy, c)
			}
		}
		ro.Keep = func(key uint64) bool { return key <= thr.Load() }
		if opts.keepNone {
			ro.Keep = func(uint64) bool { return false }
		}
	}
	err := t.RowsWith(ctx, cols, ro, func(r export.Row) error {
		if r.Blank {
			p.Blank++
			return nil
		}
		if r.Footer {
			p.Footers++
			return nil
		}
		id := export.CaseID(r.Cells[0])
		if id == "" || IsFooterID(id) {
			p.Footers++
			return nil
		}
		p.Rows++
		if opts.Progress != nil && p.Rows&0xffff == 0 {
			opts.Progress(p.Rows)
		}
		var si uint32
		if strataAt >= 0 {
			name := strings.TrimSpace(r.Cells[strataAt])
			if name == "" {
				name = "(blank)"
			}
			// A stratum column holds few values, over and over: a small
			// cache in front of the map spares most rows the map's hashing.
			e := &seen[seenSlot(name)]
			if e.ok && e.name == name {
				si = e.si
			} else {
				var ok bool
				if si, ok = stratumIndex[name]; !ok {
					name = strings.Clone(name) // cells share memory with their neighbours
					si = uint32(len(p.stratumName))
					stratumIndex[name] = si
					p.stratumName = append(p.stratumName, name)
					p.stratumSize = append(p.stratumSize, 0)
				}
				*e = seenStratum{name: p.stratumName[si], si: si, ok: true}
			}
		}
		match := true
		for i, f := range opts.Where {
			if !f.Match(r.Cells[filterAt[i]]) {
				match = false
				break
			}
		}
		if match && strataAt >= 0 {
			p.stratumSize[si]++
		}
		if obs != nil {
			for i, at := range obsAt {
				obsCells[i] = r.Cells[at]
			}
			obs.Row(r.Num, id, match, obsCells)
		}
		if len(id) > maxIDBytes {
			return (&export.InputError{Path: t.Path, Sheet: t.Sheet, Row: r.Num, Msg: idTooLong(len(id)).Error()}).
				WithHint(opt.Sprintf("check that the ID column holds case references, or name the right one with %s", opt.IDColumn))
		}
		rec = encodeRecord(rec, si, id)
		ref, err := p.ids.add(rec)
		if err != nil {
			return &export.InputError{Path: t.Path, Sheet: t.Sheet, Row: r.Num, Msg: err.Error()}
		}
		if r.Num >= noMatch {
			return &export.InputError{Path: t.Path, Sheet: t.Sheet, Row: r.Num, Msg: "too many rows (over 2,147,483,647)"}
		}
		u := unit{key: r.IDKey, ref: ref, row: uint32(r.Num)}
		if r.HasIDKey {
			p.readerKeys++
			if r.LazyLeft {
				p.readerLeft++
			}
		} else {
			u.key = p.tk.Key(id)
		}
		if opts.keyBits > 0 {
			u.key &^= 1<<(64-opts.keyBits) - 1
		}
		if !match {
			u.row |= noMatch
		}
		p.units.add(u)

		// Keep the fields of rows that may be sampled.
		if !match || len(p.fieldCols) == 0 {
			return nil
		}
		for int(si) >= len(heaps) {
			heaps = append(heaps, &candHeap{})
		}
		h := heaps[si]
		if opts.MaxSample > 0 && h.Len() >= opts.MaxSample {
			top := (*h)[0]
			if u.key > top.key || (u.key == top.key && id >= top.id) {
				return nil
			}
		}
		if _, dup := p.kept[id]; dup {
			return nil // the first row keeps its fields
		}
		if opts.Exclude != nil && opts.Exclude(id) {
			return nil
		}
		// Clone what is kept: a cell shares its memory with the rows read
		// with it, which would otherwise stay alive.
		id = strings.Clone(id)
		var fields []string
		if !r.LazyLeft { // else (never, by the bound) Select reads them again
			fields = make([]string, len(p.fieldCols))
			for i := range fields {
				fields[i] = strings.Clone(strings.TrimSpace(r.Cells[fieldAt[i]]))
			}
		}
		c := &candidate{key: u.key, id: id, fields: fields}
		p.kept[id] = fields
		heap.Push(h, c)
		if opts.MaxSample > 0 && h.Len() > opts.MaxSample {
			out := heap.Pop(h).(*candidate)
			delete(p.kept, out.id)
		}
		if lazy && h.Len() >= opts.MaxSample {
			thr.Store((*h)[0].key)
		}
		return nil
	})
	if obs != nil {
		obs.Done()
	}
	if err != nil {
		return nil, err
	}
	if idle != nil {
		// Idle work left over runs beside the sort rather than after it.
		idleDone := make(chan struct{})
		go func() {
			defer close(idleDone)
			for idle() {
			}
		}()
		defer func() { <-idleDone }()
	}
	if p.Rows == 0 {
		return nil, (&export.InputError{Path: t.Path, Sheet: t.Sheet, Row: t.HeaderRow,
			Msg: fmt.Sprintf("no case IDs below the header row in column %q", t.Header[t.IDIndex])}).
			WithHint(opt.Sprintf("check %s, %s and %s", opt.Sheet, opt.HeaderRow, opt.IDColumn))
	}
	// Selection order; equal IDs have equal keys, so duplicates end up side
	// by side, first row first. Keys are uniform: the units were put in
	// buckets by their keys' top byte as they were added, and each bucket
	// needs only a counting pass on the next byte and insertion (see
	// unitArray.sort): no big sort, and no second copy of the units.
	cmpUnit := func(a, b unit) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		ida, idb := p.id(a), p.id(b)
		if ida != idb {
			// Equal keys of different IDs (about one pair in 10^19): compare
			// full tickets. The buckets are sorted on two goroutines and a
			// Ticketer is not safe for concurrent use, so use a new one.
			if ta, tb := Ticket(p.Seed, ida), Ticket(p.Seed, idb); ta != tb {
				return strings.Compare(ta, tb)
			}
			return strings.Compare(ida, idb)
		}
		return cmp.Compare(a.rowNum(), b.rowNum())
	}
	all := &p.units
	all.sort(cmpUnit)
	// Keep each ID's first row when it matches and is not excluded,
	// compacting in place.
	// Only the first few duplicates (by row) are reported; the rest are
	// counted: an export of a million rows repeating a few IDs would
	// otherwise hold a record (and a copy of the ID) for each.
	var dups []Duplicate
	nDups := 0
	dropped := func(u unit) { // a matching row that is not in the population
		if u.row&noMatch == 0 && p.Strata != "" {
			p.stratumSize[p.stratumOf(u)]--
		}
	}
	w := 0
	for i := 0; i < all.n; i++ {
		first := all.at(i)
		for i+1 < all.n && all.at(i+1).key == first.key && bytes.Equal(p.idBytes(all.at(i+1)), p.idBytes(first)) {
			i++
			nDups++
			if row := all.at(i).rowNum(); len(dups) < maxFirstDuplicates || row < dups[len(dups)-1].Row {
				dups = firstDuplicates(dups, Duplicate{ID: p.id(first), Row: row, FirstRow: first.rowNum()})
			}
			dropped(all.at(i))
			if obs != nil {
				obs.Duplicate(all.at(i).rowNum())
			}
		}
		p.Distinct++
		switch {
		case first.row&noMatch != 0:
			p.FilteredOut++
		case opts.Exclude != nil && opts.Exclude(p.id(first)):
			p.Excluded++
			p.ExcludedIDs = append(p.ExcludedIDs, p.id(first))
			dropped(first)
		default:
			*all.ptr(w) = first
			w++
		}
	}
	all.truncate(w)
	slices.Sort(p.ExcludedIDs)
	p.Duplicates = nDups
	if len(dups) > 0 && opts.Strict {
		d := dups[0]
		return nil, (&export.InputError{Path: t.Path, Sheet: t.Sheet, Row: d.Row, Column: t.Header[t.IDIndex],
			Msg: fmt.Sprintf("duplicate case ID %q (first on row %s); %d duplicate rows in all", d.ID, words.Thousands(d.FirstRow), nDups)}).
			WithHint(opt.Sprintf("remove the duplicates or run without %s to keep each ID's first row", opt.Strict))
	}
	p.FirstDuplicates = dups
	return p, nil
}

// maxFirstDuplicates is how many duplicates a population lists
// (FirstDuplicates).
const maxFirstDuplicates = 5

// firstDuplicates adds d to dups, which holds the duplicates of the lowest
// rows seen so far in row order, keeping at most maxFirstDuplicates.
func firstDuplicates(dups []Duplicate, d Duplicate) []Duplicate {
	i, _ := slices.BinarySearchFunc(dups, d.Row, func(e Duplicate, row int) int { return cmp.Compare(e.Row, row) })
	dups = slices.Insert(dups, i, d)
	if len(dups) > maxFirstDuplicates {
		dups = dups[:maxFirstDuplicates]
	}
	return dups
}

// fillFields reads the kept fields of the given cases from the table again,
// for cases whose fields were not kept while loading.
func (p *Population) fillFields(ctx context.Context, cases []Selected) error {
	need := map[int]int{} // row -> index in cases
	for i, c := range cases {
		if c.Fields == nil && len(p.fieldCols) > 0 {
			need[c.Row] = i
		}
	}
	if len(need) == 0 {
		return nil
	}
	if p.table == nil {
		return fmt.Errorf("%s: the export is closed; cannot read the fields of %d cases", p.Path, len(need))
	}
	found := 0
	err := p.table.Rows(ctx, p.fieldCols, func(r export.Row) error {
		i, ok := need[r.Num]
		if !ok {
			return nil
		}
		f := make([]string, len(r.Cells))
		for j, v := range r.Cells {
			f[j] = strings.TrimSpace(v)
		}
		cases[i].Fields, cases[i].Observed = p.split(f)
		found++
		if found == len(need) {
			return export.ErrStop
		}
		return nil
	})
	if err != nil {
		return err
	}
	if found < len(need) {
		return fmt.Errorf("%s: the export changed while it was read (%d sampled rows are gone); run the command again once whatever writes it has finished", p.Path, len(need)-found)
	}
	return nil
}

// unitArray is one logical array of units held in blocks of 1,024 (16 KB),
// so it grows without copying (a million units take 16 MB, never twice
// that). Units are added in any order, scattered by their key's top byte
// into 256 buckets (each a list of blocks), and read back by index only
// once sort has put them in order, in the same blocks.
type unitArray struct {
	blocks [][]unit // after sort: the units in order, unitBlockLen a block
	n      int
	// buckets holds the units added and not yet sorted, by the key's top
	// byte.
	buckets *[256]unitBucket
}

// unitBucket is the units added whose keys share a top byte: full blocks,
// and the block being filled. While the array is small that block grows by
// append, so that a small population takes little memory; past
// unitGrowLimit units every block is made whole at once.
type unitBucket struct {
	full [][]unit
	cur  []unit
}

func (b *unitBucket) len() int { return len(b.full)*unitBlockLen + len(b.cur) }

const (
	unitBlockBits = 10
	unitBlockLen  = 1 << unitBlockBits
	unitBlockMask = unitBlockLen - 1
	// unitGrowLimit is the array's size past which a bucket's next block
	// is made whole (a quarter of a block for each bucket, on average):
	// growing every bucket's first block by append up to there leaves
	// about a megabyte to collect.
	unitGrowLimit = 256 * unitBlockLen / 4
)

func (a *unitArray) at(i int) unit { return a.blocks[i>>unitBlockBits][i&unitBlockMask] }

func (a *unitArray) ptr(i int) *unit { return &a.blocks[i>>unitBlockBits][i&unitBlockMask] }

func (a *unitArray) add(u unit) {
	if a.buckets == nil {
		a.buckets = new([256]unitBucket)
	}
	b := &a.buckets[u.key>>56]
	if len(b.cur) == cap(b.cur) && (len(b.full) > 0 || a.n >= unitGrowLimit) {
		b.cur = append(make([]unit, 0, unitBlockLen), b.cur...)
	}
	b.cur = append(b.cur, u)
	if len(b.cur) == unitBlockLen {
		b.full = append(b.full, b.cur)
		b.cur = nil
	}
	a.n++
}

// truncate keeps the first n units (of a sorted array) and releases the
// blocks past them.
func (a *unitArray) truncate(n int) {
	keep := (n + unitBlockMask) >> unitBlockBits
	for i := keep; i < len(a.blocks); i++ {
		a.blocks[i] = nil
	}
	a.blocks = slices.Clip(a.blocks[:keep])
	a.n = n
}

// sort orders the units by cmpUnit (which must order by key first). The
// buckets are sorted one at a time, on two goroutines (each taking half
// the units): a bucket's units are gathered into scratch space, its blocks
// given back, ordered there (a counting pass on the key's second byte
// leaves groups of about sixteen for a million units, each finished by
// insertion), and written to their place in the array, in blocks taken
// from those given back. So the units are held once, plus a bucket or two
// (64 KB each for a million) of scratch space.
func (a *unitArray) sort(cmpUnit func(a, b unit) int) {
	bk := a.buckets
	a.buckets = nil
	a.blocks = make([][]unit, (a.n+unitBlockMask)>>unitBlockBits)
	if bk == nil {
		return
	}
	var start [257]int
	for b := range bk {
		start[b+1] = start[b] + bk[b].len()
	}
	// Halve the work between two goroutines.
	mid := 0
	for mid < 256 && start[mid] < a.n/2 {
		mid++
	}
	var blocks blockPool
	done := make(chan struct{})
	go func() {
		defer close(done)
		var s sorter
		for b := 0; b < mid; b++ {
			s.sortBucket(a, &bk[b], start[b], &blocks, cmpUnit)
		}
	}()
	var s sorter
	for b := mid; b < 256; b++ {
		s.sortBucket(a, &bk[b], start[b], &blocks, cmpUnit)
	}
	<-done
}

// blockPool is the blocks of sorted buckets, given back to fill the
// array in order; the two sorting goroutines share it (and a block of the
// array where their halves meet), so it is locked.
type blockPool struct {
	mu   sync.Mutex
	free [][]unit
}

func (p *blockPool) put(b []unit) {
	if cap(b) != unitBlockLen {
		return // the first, growing block of a small bucket: left to the collector
	}
	p.mu.Lock()
	p.free = append(p.free, b[:unitBlockLen])
	p.mu.Unlock()
}

// block returns the array's block k, taking one from the pool (or making
// one) the first time.
func (p *blockPool) block(a *unitArray, k int) []unit {
	p.mu.Lock()
	defer p.mu.Unlock()
	if a.blocks[k] == nil {
		if n := len(p.free); n > 0 {
			a.blocks[k], p.free = p.free[n-1], p.free[:n-1]
		} else {
			a.blocks[k] = make([]unit, unitBlockLen)
		}
	}
	return a.blocks[k]
}

// sorter holds one goroutine's scratch space for sorting buckets.
type sorter struct {
	in, out []unit
}

// sortBucket sorts bucket b, whose units go to the array from index lo on.
func (s *sorter) sortBucket(a *unitArray, b *unitBucket, lo int, blocks *blockPool, cmpUnit func(a, b unit) int) {
	n := b.len()
	if n == 0 {
		return
	}
	s.in = slices.Grow(s.in[:0], n)
	for _, blk := range b.full {
		s.in = append(s.in, blk...)
		blocks.put(blk)
	}
	s.in = append(s.in, b.cur...)
	blocks.put(b.cur)
	*b = unitBucket{}
	sorted := s.in
	if n > 64 && n <= 1<<16 {
		// A counting pass on the key's second byte, then the groups.
		var start [257]int
		for _, u := range s.in {
			start[u.key>>48&0xff+1]++
		}
		for i := 1; i < len(start); i++ {
			start[i] += start[i-1]
		}
		s.out = slices.Grow(s.out[:0], n)[:n]
		next := start
		for _, u := range s.in {
			d := u.key >> 48 & 0xff
			s.out[next[d]] = u
			next[d]++
		}
		for g := 0; g < 256; g++ {
			sortUnits(s.out[start[g]:start[g+1]], cmpUnit)
		}
		sorted = s.out
	} else {
		// A small bucket, or keys crowded together (duplicates, or keys
		// that are not uniform): sorted where it stands.
		sortUnits(sorted, cmpUnit)
	}
	for pos := lo; len(sorted) > 0; {
		blk := blocks.block(a, pos>>unitBlockBits)
		k := copy(blk[pos&unitBlockMask:], sorted)
		sorted = sorted[k:]
		pos += k
	}
	if cap(s.in) > 1<<16 {
		s.in = nil // a bucket of crowded keys: let its scratch space go
	}
}

// sortUnits sorts a bucket: by insertion on the keys when it is small,
// calling cmpUnit only for equal keys.
func sortUnits(s []unit, cmpUnit func(a, b unit) int) {
	if len(s) > 64 {
		slices.SortFunc(s, cmpUnit)
		return
	}
	for i := 1; i < len(s); i++ {
		u := s[i]
		j := i
		for ; j > 0; j-- {
			p := s[j-1]
			if p.key < u.key || p.key == u.key && cmpUnit(p, u) <= 0 {
				break
			}
			s[j] = p
		}
		s[j] = u
	}
}
