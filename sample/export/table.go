package export

import (
	"context"
	"errors"
	"os"
	"sync"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// OpenOptions say how to read an export. The zero value detects everything.
type OpenOptions struct {
	Sheet     string // sheet name (case-insensitive) or 1-based number; "" = first visible sheet whose header row holds the ID column
	HeaderRow int    // 1-based; 0 = the first row, among the first 50 holding values, that holds the ID column
	IDColumn  string // header name, case-insensitive and trimmed; "" = detect among common names
	Delimiter string // csv: "," ";" "\t" "|" (or "tab"); "" = sniff
	Encoding  string // csv: "utf-8", "utf-16le", "utf-16be", "utf-32le", "utf-32be", "windows-1252"; "" = detect
	Password  string // xlsx: password of an encrypted workbook
	// Raw, for csv, gives cells as written: a date stays "07/10/2026" (or
	// a serial number), where it would read as yyyy-mm-dd, for a caller
	// that decides the order of day and month itself. xlsx cells are typed
	// and read the same either way.
	Raw bool
}

// Table is an opened export whose sheet, header row and ID column are known.
type Table struct {
	Path      string   // as the user named it
	Format    string   // "csv" or "xlsx"
	Sheet     string   // sheet name; "" for csv
	HeaderRow int      // 1-based row number of the header
	Header    []string // header cells, trimmed, in column order
	IDIndex   int      // index into Header of the ID column

	wb workbook
	g  grid
}

// Row is one data row below the header.
type Row struct {
	Num    int      // 1-based row number as a spreadsheet (or a text editor, for csv records) shows it
	Cells  []string // the requested columns' display text, in the order requested
	Blank  bool     // the row holds no value at all (in any column, requested or not)
	Footer bool     // the row is in a block of notes under the table (see footer.go): no case
	// IDKey is RowsOptions.IDKey's function of the row's case ID, when
	// HasIDKey says the reader made it; otherwise the caller makes it.
	IDKey    uint64
	HasIDKey bool
	// LazyLeft says the reader left the cells of RowsOptions.Lazy empty,
	// because Keep refused the row's key.
	LazyLeft bool
}

// ErrStop may be returned by a Rows callback to end the walk early without error.
var ErrStop = errors.New("stop")

// Rows calls fn for every row after the header row, in order, with the cells
// of the requested columns (indexes into Header). Row.Cells is reused between
// calls: copy what you keep. Rows of a block of notes under the table are
// marked Footer (see footer.go); a case ID that is an error value (#REF!)
// ends the walk with an InputError naming its row.
//
// The file is read and parsed on a second goroutine while fn runs on the
// caller's, a batch of rows at a time, so that reading and the caller's work
// (tickets, for a sample) use both cores. A large csv file parsed in chunks
// has goroutines of its own for that: fn is then called as the chunks are
// taken in order (see rowsDirect). fn is never called concurrently.
func (t *Table) Rows(ctx context.Context, cols []int, fn func(Row) error) error {
	return t.RowsWith(ctx, cols, RowsOptions{}, fn)
}

// RowsOptions tune Rows.
type RowsOptions struct {
	// Idle, when set, is called on the caller's goroutine whenever no rows
	// are ready: it should do a small piece of other work (well under a
	// millisecond) and report whether any is left. Work such as hashing the
	// file then fills the moments the caller would wait, instead of
	// competing with the reading for a core.
	Idle func() bool
	// Digest, when set, asks for the file's bytes to be given to
	// Digest.Hash by the scan itself, if it reads the whole file in place
	// (a csv file mapped into memory: see Table.Digests), on a goroutine of
	// its own beside the parsing; Digest.Done says whether it was.
	Digest *Digest
	// IDKey, when set, makes a function of a case ID (as CaseID gives it,
	// as bytes valid only during the call) that a reader parsing on
	// several goroutines calls there, each goroutine with its own function
	// (so none needs to be safe for concurrent use): Row.IDKey then
	// carries its result, and work the caller would do for every row runs
	// beside the parsing instead of after it. The reader makes no key for
	// some rows (a serial read, an xlsx sheet, an ID that is not ASCII or
	// may read as a date, a row held back by the footer finder): for
	// those Row.HasIDKey is false.
	IDKey func() func(id []byte) uint64
	// Lazy (indexes into Header) and Keep, with IDKey: the cells of the
	// Lazy columns are needed only in rows whose key Keep takes. A reader
	// that makes a row's key may then leave those cells empty (and not
	// even find them in the row) when Keep refuses it, and says so in
	// Row.LazyLeft. Keep is called on the reader's goroutines, at any
	// moment: it must be safe for concurrent use.
	Lazy []int
	Keep func(key uint64) bool
}

// scanKeys fills in what a scan needs for opts.IDKey, Lazy and Keep.
func (t *Table) scanKeys(so *scanOpts, opts RowsOptions) {
	so.keys = opts.IDKey
	if opts.Keep == nil {
		return
	}
	so.keep = opts.Keep
	so.lazy = make([]bool, len(t.Header))
	for _, c := range opts.Lazy {
		if c >= 0 && c < len(so.lazy) && c != t.IDIndex {
			so.lazy[c] = true
		}
	}
}

// Digests reports whether a scan of the table can hash its file as it
// reads it (RowsOptions.Digest); the scan may still find it cannot, and
// says so in Digest.Done.
func (t *Table) Digests() bool {
	w, ok := t.wb.(*csvWorkbook)
	if !ok {
		return false
	}
	fi, err := os.Stat(w.g.path)
	return err == nil && fi.Mode().IsRegular() && w.g.mappable(fi.Size())
}

// RowsWith is Rows with options.
func (t *Table) RowsWith(ctx context.Context, cols []int, opts RowsOptions, fn func(Row) error) error {
	want := make([]bool, len(t.Header))
	for _, c := range cols {
		if c >= 0 && c < len(want) {
			want[c] = true
		}
	}
	if t.IDIndex >= 0 && t.IDIndex < len(want) {
		want[t.IDIndex] = true // for the footer finder
	}
	if sc, ok := t.g.(optScanner); ok && opts.Idle == nil && sc.parallelScan() {
		return t.rowsDirect(ctx, cols, want, opts, sc, fn)
	}
	ctx, cancel := context.WithCancel(ctx)
	full := make(chan *rowBatch, 2)
	// Four batches circulate (two in full, the one being filled, the one
	// being read), and all four can be back in free at one moment (the
	// reader has handed one over and not yet taken the next): a shorter
	// free list would drop one there, for the reader to make anew.
	free := make(chan *rowBatch, 8)
	gone := make(chan struct{}) // closed when the caller takes no more batches
	stop := sync.OnceFunc(func() { cancel(); close(gone) })
	defer func() {
		// On every way out, fn's panic included: stop the reader and wait
		// until it has finished with the file (the caller may close it).
		stop()
		for range full {
		}
	}()
	send := func(b *rowBatch) bool {
		select {
		case full <- b:
			return true
		case <-gone:
			return false
		}
	}
	go func() {
		defer close(full)
		b := newRowBatch(len(cols))
		defer func() {
			// A panic in the reader is a bug: carry it to the caller's
			// goroutine, where it would have happened without the pipeline.
			if r := recover(); r != nil {
				b.panicked = &r
				full <- b // the caller reads until full is closed, whatever happens
			}
		}()
		var keys rowKeys
		withKeys := false // the scan's workers make keys
		emit := func(num int, cells []string, footer bool) error {
			b.add(num, cols, cells, footer)
			if withKeys {
				k, ok := keys.of(num)
				b.addKey(ok, k)
			}
			if len(b.nums) < batchRows {
				return nil
			}
			if !send(b) {
				return ErrStop
			}
			select {
			case b = <-free:
				b.reset()
			default:
				b = newRowBatch(len(cols))
			}
			return nil
		}
		ff := &footerFinder{t: t}
		rowFn := func(num int, cells []string) error {
			if num <= t.HeaderRow {
				return nil
			}
			keys.pass(num, ff)
			return ff.row(num, cells, emit)
		}
		if sc, ok := t.g.(optScanner); ok && (opts.Digest != nil || opts.IDKey != nil) {
			so := scanOpts{keyCol: t.IDIndex, cur: &keys.cur}
			if opts.IDKey != nil && sc.parallelScan() {
				t.scanKeys(&so, opts)
				withKeys = true
			}
			if opts.Digest != nil {
				so.digest = opts.Digest.Hash
			}
			var hashed bool
			hashed, b.err = sc.scanWith(ctx, want, so, rowFn)
			if opts.Digest != nil {
				opts.Digest.Done = hashed
			}
		} else {
			b.err = t.g.scan(ctx, want, rowFn)
		}
		if b.err == nil {
			b.err = ff.end(emit)
		}
		send(b)
	}()
	var err error
	idle := opts.Idle
	for {
		var b *rowBatch
		var ok bool
		if idle != nil && err == nil {
			select {
			case b, ok = <-full:
			default:
				if !idle() {
					idle = nil // nothing left to do
				}
				continue
			}
		} else {
			b, ok = <-full
		}
		if !ok {
			break
		}
		if b.panicked != nil {
			panic(*b.panicked) // even after fn failed: a bug must not pass unseen
		}
		if err != nil {
			continue // fn failed: wait for the reader to stop
		}
		n := len(cols)
		for i, num := range b.nums {
			cells := b.cells[i*n : i*n+n : i*n+n]
			r := Row{Num: num, Cells: cells, Blank: b.blank[i], Footer: b.footer[i]}
			if len(b.keys) > 0 {
				r.IDKey, r.HasIDKey, r.LazyLeft = b.keys[i], b.keyed[i], b.left[i]
			}
			if err = fn(r); err != nil {
				stop()
				break
			}
		}
		if err == nil && b.err != nil {
			err = b.err
		}
		select {
		case free <- b:
		default:
		}
	}
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// rowsDirect is RowsWith for a scan that parses on goroutines of its own
// (a large csv file parsed in chunks): the rows are passed to fn from the
// scan's own goroutine, the caller's, as they are taken in order from the
// chunks, rather than gathered into batches for a goroutine of the
// caller's. The chunk workers already run beside fn, and a stage between
// them and fn would cost a hand-over and a copy of every row.
func (t *Table) rowsDirect(ctx context.Context, cols []int, want []bool, opts RowsOptions, sc optScanner, fn func(Row) error) error {
	var keys rowKeys
	cells := make([]string, len(cols))
	emit := func(num int, rc []string, footer bool) error {
		for i, c := range cols {
			if c < len(rc) {
				cells[i] = rc[c]
			} else {
				cells[i] = ""
			}
		}
		r := Row{Num: num, Cells: cells, Blank: len(rc) == 0, Footer: footer}
		if k, ok := keys.of(num); ok {
			r.IDKey, r.HasIDKey, r.LazyLeft = k.key, true, k.left
		}
		return fn(r)
	}
	ff := &footerFinder{t: t}
	so := scanOpts{keyCol: t.IDIndex, cur: &keys.cur}
	if opts.IDKey != nil {
		t.scanKeys(&so, opts)
	}
	if opts.Digest != nil {
		so.digest = opts.Digest.Hash
	}
	hashed, err := sc.scanWith(ctx, want, so, func(num int, rc []string) error {
		if num <= t.HeaderRow {
			return nil
		}
		keys.pass(num, ff)
		return ff.row(num, rc, emit)
	})
	if opts.Digest != nil {
		opts.Digest.Done = hashed
	}
	if err == nil {
		err = ff.end(emit)
	}
	if errors.Is(err, ErrStop) {
		return nil
	}
	return err
}

// rowKeys gives the rows the footer finder emits the keys a chunk worker
// made for them (scanOpts): a row it emits is the row the scan passed last
// (cur, set by the scan), or one it held back since a blank row, whose key
// is kept while it may be held.
type rowKeys struct {
	cur  rowKey
	held map[int]rowKey
}

// pass is called as the scan passes row num to the footer finder.
func (k *rowKeys) pass(num int, ff *footerFinder) {
	if ff.gap && k.cur.num == num { // the finder may hold the row
		if k.held == nil {
			k.held = map[int]rowKey{}
		}
		k.held[num] = k.cur
	}
}

// of returns the key of row num, if a worker made one.
func (k *rowKeys) of(num int) (rowKey, bool) {
	if len(k.held) > 0 {
		if h, ok := k.held[num]; ok {
			delete(k.held, num)
			return h, true
		}
	}
	if k.cur.num == num {
		return k.cur, true
	}
	return rowKey{}, false
}

// batchRows is how many rows the reader hands over at a time.
const batchRows = 1024

// rowBatch is rows read and not yet passed to the Rows callback.
type rowBatch struct {
	nums     []int
	blank    []bool
	footer   []bool
	keys     []uint64 // Row.IDKey, for every row or none (no IDKey asked)
	keyed    []bool
	left     []bool   // Row.LazyLeft, as keys
	cells    []string // len(cols) per row
	err      error    // the reader's error after these rows, if any
	panicked *any
}

func newRowBatch(ncols int) *rowBatch {
	return &rowBatch{
		nums:   make([]int, 0, batchRows),
		blank:  make([]bool, 0, batchRows),
		footer: make([]bool, 0, batchRows),
		cells:  make([]string, 0, batchRows*ncols),
	}
}

func (b *rowBatch) reset() {
	b.nums, b.blank, b.footer, b.cells, b.err = b.nums[:0], b.blank[:0], b.footer[:0], b.cells[:0], nil
	b.keys, b.keyed, b.left = b.keys[:0], b.keyed[:0], b.left[:0]
}

func (b *rowBatch) add(num int, cols []int, cells []string, footer bool) {
	b.nums = append(b.nums, num)
	b.blank = append(b.blank, len(cells) == 0)
	b.footer = append(b.footer, footer)
	for _, c := range cols {
		if c < len(cells) {
			b.cells = append(b.cells, cells[c])
		} else {
			b.cells = append(b.cells, "")
		}
	}
}

// addKey gives the row added last its key, if keyed (rows of a batch have
// keys all or none).
func (b *rowBatch) addKey(keyed bool, k rowKey) {
	b.keys = append(b.keys, k.key)
	b.keyed = append(b.keyed, keyed)
	b.left = append(b.left, keyed && k.left)
}

// Close releases the file.
func (t *Table) Close() error {
	if t.wb == nil {
		return nil
	}
	return t.wb.close()
}

// Sheets returns the names of the workbook's sheets, in order; none for a
// csv file.
func (t *Table) Sheets() []string {
	if t.wb == nil || t.Format != "xlsx" {
		return nil
	}
	var names []string
	for _, s := range t.wb.sheets() {
		names = append(names, s.Name)
	}
	return names
}

// workbook is an opened export: an xlsx workbook, or a csv file seen as a
// workbook of one unnamed sheet.
type workbook interface {
	sheets() []sheetInfo
	// grid opens sheet i (index into sheets()) for reading.
	grid(i int) (grid, error)
	close() error
}

type sheetInfo struct {
	Name   string // "" for csv
	Hidden bool   // hidden or very hidden
}

// grid is one sheet (or one csv file), read row by row.
type grid interface {
	// scan calls fn for every row from row 1 to the last row holding a value,
	// with consecutive row numbers num = 1, 2, 3 … (a row absent from the
	// file, or a blank csv line, is passed with len(cells) == 0; a csv record
	// spanning several lines counts as one row, as a spreadsheet shows it).
	// For a row holding any value, cells[i] is the display text of column i
	// (0 = column A or the first field) for every i with want[i] true, or for
	// every column when want is nil; cells past the last value may be
	// omitted, so len(cells) may be short. Cells not wanted may be left "".
	// Display text: see values.go (dates as yyyy-mm-dd, numbers as Excel's
	// General format shows them, shared strings resolved, text untrimmed).
	// cells is reused between calls. scan checks ctx at least every few
	// thousand rows and returns ctx.Err() when it is done. An error returned
	// by fn ends the scan and is returned as is.
	scan(ctx context.Context, want []bool, fn func(num int, cells []string) error) error
}

// Check reports a mistake in the options themselves (an unknown encoding or
// delimiter, a negative header row), before any file is read: callers can
// treat it as a usage error.
func (o OpenOptions) Check() error {
	if _, err := parseEncoding(o.Encoding); err != nil {
		return opt.Errorf("%s %q: use utf-8, utf-16le, utf-16be, utf-32le, utf-32be or windows-1252", opt.Encoding, o.Encoding)
	}
	if _, err := parseDelimiter(o.Delimiter); err != nil {
		return opt.Errorf("%s %q: use , ; | or tab", opt.Delimiter, o.Delimiter)
	}
	if o.HeaderRow < 0 {
		return opt.Errorf("%s must be a row number from 1", opt.HeaderRow)
	}
	return nil
}
