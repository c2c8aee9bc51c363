package export

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"hash"
	"io"
	"math"
	"os"
	"strings"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/words"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/transform"
)

// Scanning a csv file into rows of display values: decoding wanted cells,
// UK dates and serial numbers in date columns as ISO dates.

// csvBatchBytes bounds the text of the rows scan converts to one string:
// one allocation per batch rather than one per row.
const csvBatchBytes = 32 << 10

// scan streams the file; see the grid interface.
//
// Records are parsed into batches (csvParser): a batch's wanted fields are
// copied (and decoded) into one buffer that becomes one string, and its
// cells are slices of that string or display values made from them. So a
// cell kept by fn keeps its batch's string alive: clone what you keep long.
// A UTF-8 or Windows-1252 file is mapped into memory when it can be
// (scanMapped), and a large one is parsed in chunks on every core (see
// scanParallel); fn is called on the caller's goroutine, in row order,
// either way.
func (g *csvGrid) scan(ctx context.Context, want []bool, fn func(num int, cells []string) error) error {
	_, err := g.scanWith(ctx, want, scanOpts{}, fn)
	return err
}

// scanOpts is what the rows pipeline may ask of a scan besides the rows.
type scanOpts struct {
	// digest, when set and the file is mapped into memory (csv_map.go), is
	// given every byte of the file on a goroutine of its own.
	digest hash.Hash
	// keys, when set, makes the function each chunk worker of a parallel
	// scan calls on the case ID in column keyCol (see RowsOptions.IDKey);
	// before fn is given a row whose key a worker made, cur is set to it.
	keys   func() func(id []byte) uint64
	keyCol int
	cur    *rowKey
	// lazy (by column) and keep, with keys: the cells of the lazy columns
	// are left empty in a row whose key keep refuses (see
	// RowsOptions.Keep).
	lazy []bool
	keep func(key uint64) bool
}

// rowKey is the key a chunk worker made for row num (0: none yet); left
// says it left the row's lazy cells empty.
type rowKey struct {
	num  int
	key  uint64
	left bool
}

// scanWith is scan with options; hashed says whether opts.digest was
// given every byte of the file.
func (g *csvGrid) scanWith(ctx context.Context, want []bool, opts scanOpts, fn func(num int, cells []string) error) (hashed bool, err error) {
	f, err := os.Open(g.path)
	if err != nil {
		return false, openError(g.path, err)
	}
	defer f.Close()
	size := int64(-1)
	var before os.FileInfo
	if fi, err := f.Stat(); err == nil && fi.Mode().IsRegular() {
		size, before = fi.Size(), fi
	}
	if g.mappable(size) {
		if data, err := mapFile(f, size); err == nil {
			defer unmapFile(data)
			hashed, err := g.scanMapped(ctx, data, want, opts, fn)
			// A file rewritten in place within its last page faults
			// nowhere: the mapping shows its new bytes, or zeros. The rows
			// and the digest may then be of no version of it, so the read
			// stands only if the file is as it was when mapped; and a
			// change explains a row it then found malformed.
			if ctx.Err() == nil {
				if fi, e := f.Stat(); e != nil || fi.Size() != before.Size() || !fi.ModTime().Equal(before.ModTime()) {
					msg := "the file changed while it was being read"
					if e == nil && fi.Size() < before.Size() {
						msg = "the file was cut short while it was being read" // as a fault past its end says
					}
					return false, &InputError{Path: g.path, Msg: msg, Hint: "read it again once the program writing it has finished"}
				}
			}
			return hashed, err
		}
		// Not mappable after all (a file system that cannot): read it.
	}
	if g.parallel(size) {
		return false, g.scanParallel(ctx, chunkSource{f: f}, size, want, opts, fn)
	}
	var src io.Reader = f
	if g.skip > 0 {
		if _, err := f.Seek(int64(g.skip), io.SeekStart); err != nil {
			return false, &InputError{Path: g.path, Msg: "cannot read the file: " + err.Error(), Err: err}
		}
	}
	if g.enc.wide() {
		src = transform.NewReader(src, g.wideDecoder())
	}
	if g.loneCR {
		src = &crReader{r: src}
	}
	bufSize := csvBufBytes
	if size >= 0 && size < int64(bufSize) {
		bufSize = max(int(size), 4096)
	}
	return false, g.scanSerial(ctx, newRecReader(src, g.comma, bufSize), want, fn, nil)
}

// maxMapBytes is the largest file mapped into memory: a larger one is
// read, so that a 32-bit system never runs short of address space.
const maxMapBytes = 1<<31 - 1

// mappable reports whether a file of size bytes (-1: not a regular file) is
// read mapped into memory, its digest taken beside the parse.
func (g *csvGrid) mappable(size int64) bool {
	return canMap && !g.noMap && g.parallelAllowed() && size > 0 && size <= maxMapBytes
}

// scanSerial parses r's records one after another on this goroutine and
// passes them to fn; batched, when set, is called after each batch.
func (g *csvGrid) scanSerial(ctx context.Context, r *recReader, want []bool, fn func(num int, cells []string) error, batched func()) error {
	p := newCSVParser(g, want)
	em := newCSVEmitter(g, want, fn, nil)
	b := new(csvBatch)
	res := p.parse(ctx, r, math.MaxInt64, func(*csvBatch) *csvBatch {
		if err := em.emit(b, 0); err != nil {
			em.err = err
			return nil
		}
		if batched != nil {
			batched()
		}
		b.reset() // the emitter copied what it passes on
		return b
	}, b)
	if em.err != nil {
		return em.err
	}
	return g.parseResultError(res, 0, 0)
}

// csvBufBytes is the read buffer of one scan (or of one chunk worker).
const csvBufBytes = 256 << 10

// csvBatch is parsed rows not yet passed to fn: rows[i].num counts from the
// start of the parse (1 = its first record). A row's wanted fields (those
// below its field count) are written one after another in text, so each
// ends where the next starts: the row's first starts at rows[i].start and
// ends at ends[rows[i].off]. Blank rows are not listed: they are the
// numbers in between. A batch holds no pointers but its text, so the
// batches in flight cost the garbage collector nothing to scan.
type csvBatch struct {
	text string
	rows []csvRow
	ends []int
}

type csvRow struct {
	num, nf, start, off int
	// key is the case ID's key, when the parser makes keys (csvParser.key)
	// and keyed says it made this one.
	key   uint64
	keyed bool
	left  bool // the lazy columns' cells were left empty (csvParser.keep)
}

func (b *csvBatch) reset() { b.text, b.rows, b.ends = "", b.rows[:0], b.ends[:0] }

// csvParser turns records into batches.
type csvParser struct {
	g     *csvGrid
	want  []bool
	limit int   // fields to locate on each line: up to the last wanted one
	idx   []int // the wanted columns in order; every column when want is nil (it grows with the widest row)
	text  strings.Builder
	// key, when set, makes each row's key from its case ID, column keyCol
	// (a chunk worker's: see scanOpts.keys).
	key    func(id []byte) uint64
	keyCol int
	// keep, with key, says whether a keyed row needs the cells of the
	// lazy columns: fields are located only up to limit (the other wanted
	// columns) first, and up to fullLimit for a row keep takes.
	keep      func(key uint64) bool
	lazy      []bool
	fullLimit int
}

// setKeys makes p key its rows (see scanOpts).
func (p *csvParser) setKeys(opts scanOpts) {
	p.key, p.keyCol = opts.keys(), opts.keyCol
	if opts.keep == nil || p.want == nil || opts.keyCol >= len(p.want) {
		return
	}
	p.keep, p.lazy, p.fullLimit = opts.keep, opts.lazy, p.limit
	p.limit = opts.keyCol + 1
	for i, w := range p.want {
		if w && (i >= len(opts.lazy) || !opts.lazy[i]) {
			p.limit = max(p.limit, i+1)
		}
	}
}

func newCSVParser(g *csvGrid, want []bool) *csvParser {
	p := &csvParser{g: g, want: want}
	if want != nil {
		p.limit = 1
		for i, w := range want {
			if w {
				p.limit = i + 1
				p.idx = append(p.idx, i)
			}
		}
	}
	return p
}

// parseResult is where a parse stopped: after rows records (blank ones
// included) on lines physical lines, end bytes into its input; err is the
// problem with record rows (whose first line is errLine), if any.
type parseResult struct {
	rows, lines int
	end         int64
	err         error
	errLine     int
}

// parse reads the records of r that start before byte limit of its input
// (all of them: math.MaxInt64), batching their wanted fields into b and
// handing each full batch to out, which returns the batch to fill next, or
// nil to stop. The last batch is handed over too, even when empty.
func (p *csvParser) parse(ctx context.Context, r *recReader, limit int64, out func(*csvBatch) *csvBatch, b *csvBatch) parseResult {
	var res parseResult
	// The text of a full batch, or of a whole chunk's wanted fields.
	grow := int(max(0, min(csvBatchBytes+4<<10, limit)))
	p.text.Grow(grow)
	flush := func() bool {
		b.text = p.text.String()
		p.text = strings.Builder{}
		p.text.Grow(grow)
		b = out(b)
		return b != nil
	}
	for row := 0; ; row++ {
		if row&4095 == 0 {
			if err := ctx.Err(); err != nil {
				res.err = err
				return res
			}
		}
		if r.off >= limit {
			res.rows, res.lines, res.end = row, r.line, r.off
			flush()
			return res
		}
		blank, err := r.next(p.limit)
		if err != nil {
			res.rows, res.lines, res.end = row, r.line, r.off
			if err != io.EOF {
				res.rows++
				res.err, res.errLine = err, r.startLine
			}
			flush()
			return res
		}
		if blank {
			continue // passed on before the next row that holds text; trailing blanks are dropped
		}
		br := csvRow{num: row + 1, start: p.text.Len(), off: len(b.ends)}
		if p.key != nil && p.keyCol < r.fields() {
			p.makeKey(r, &br)
		}
		if p.keep != nil {
			if br.keyed && !p.keep(br.key) {
				br.left = true
			} else {
				r.more(p.fullLimit)
			}
		}
		nf := r.fields()
		if p.want != nil && len(p.want) < nf {
			nf = len(p.want)
		}
		for p.want == nil && len(p.idx) < nf {
			p.idx = append(p.idx, len(p.idx))
		}
		br.nf = nf
		b.rows = append(b.rows, br)
		// The usual case, a line of ASCII (the delimiters' search says so
		// in passing), is copied as it stands, with no test per field;
		// otherwise each wanted field is checked (and decoded if need be)
		// on its own, the unwanted ones not at all.
		for _, i := range p.idx {
			if i >= nf {
				break
			}
			if br.left && i < len(p.lazy) && p.lazy[i] {
				b.ends = append(b.ends, p.text.Len()) // ""
				continue
			}
			if r.ascii {
				p.text.Write(r.field(i))
			} else {
				p.g.writeText(&p.text, r.field(i))
			}
			b.ends = append(b.ends, p.text.Len())
		}
		if p.text.Len() >= csvBatchBytes || len(b.rows) >= 1024 {
			if !flush() {
				return res
			}
		}
	}
}

// makeKey makes the key of the current record's case ID, when the field's
// bytes are its cell's display text as they stand: ASCII (so not decoded
// from Windows-1252 or mended as invalid UTF-8) and never a date that
// display would rewrite (that can depend on the row's number in the file,
// which a chunk worker does not know). Other rows, rare, are left to the
// caller.
func (p *csvParser) makeKey(r *recReader, row *csvRow) {
	f := r.field(p.keyCol)
	if len(f) == 0 || !r.ascii && !isASCII(f) || mayBeDate(p.g, p.keyCol, f) {
		return
	}
	if f[0] <= ' ' || f[len(f)-1] <= ' ' { // else nothing to trim (ASCII: no other spaces)
		if f = caseIDBytes(f); len(f) == 0 {
			return
		}
	}
	row.key, row.keyed = p.key(f), true
}

// csvEmitter passes parsed rows to a scan's fn in order, with the blank
// rows between them, turning cells into display values on the way (which
// needs the row's number in the file: serial numbers become dates only
// below the header).
type csvEmitter struct {
	g       *csvGrid
	fn      func(num int, cells []string) error
	all     bool  // every column is wanted
	idx     []int // the wanted columns, unless all
	emitted int   // the last row passed to fn
	cells   []string
	dc      *dateCache
	err     error   // fn's
	cur     *rowKey // set to a row's key before fn is given the row (see scanOpts)
}

func newCSVEmitter(g *csvGrid, want []bool, fn func(num int, cells []string) error, cur *rowKey) *csvEmitter {
	e := &csvEmitter{g: g, fn: fn, all: want == nil, cur: cur}
	for i, w := range want {
		if w {
			e.idx = append(e.idx, i)
		}
	}
	return e
}

// emit passes on the rows of b, numbered from rowOff.
func (e *csvEmitter) emit(b *csvBatch, rowOff int) error {
	s := b.text
	for _, br := range b.rows {
		num := rowOff + br.num
		for ; e.emitted+1 < num; e.emitted++ {
			if err := e.fn(e.emitted+1, e.cells[:0]); err != nil {
				return err
			}
		}
		if cap(e.cells) < br.nf {
			e.cells = make([]string, br.nf, br.nf+8)
		}
		// Columns not wanted stay "": they are never written.
		cells := e.cells[:br.nf]
		pos, k := br.start, br.off
		for j := 0; ; j++ {
			i := j
			if !e.all {
				if j >= len(e.idx) {
					break
				}
				i = e.idx[j]
			}
			if i >= br.nf {
				break
			}
			v := s[pos:b.ends[k]]
			pos = b.ends[k]
			k++
			if e.g.mayBeDate(i, v) {
				if e.dc == nil {
					e.dc = new(dateCache)
				}
				v = e.g.display(num, i, v, e.dc)
			}
			cells[i] = v
		}
		if br.keyed && e.cur != nil {
			*e.cur = rowKey{num: num, key: br.key, left: br.left}
		}
		if err := e.fn(num, cells); err != nil {
			return err
		}
		e.emitted = num
	}
	return nil
}

// parseResultError is the scan's error for a parse that ended as res, whose
// rows and lines are numbered from rowOff and lineOff.
func (g *csvGrid) parseResultError(res parseResult, rowOff, lineOff int) error {
	if res.err == nil {
		return nil
	}
	if res.err == context.Canceled || res.err == context.DeadlineExceeded {
		return res.err
	}
	return g.parseError(rowOff+res.rows, lineOff+res.errLine, res.err)
}

// parseError turns a record parsing problem into an InputError naming the
// row (and the line where the record started, when that differs).
func (g *csvGrid) parseError(row, line int, err error) error {
	msg := err.Error()
	if line != row && line > 0 {
		msg += fmt.Sprintf(" (line %s of the file)", words.Thousands(line))
	}
	hint := `check the quotes on that row: a field holding a quote must be quoted itself, with the quote doubled ("")`
	if errors.Is(err, errLongLine) {
		hint = "export the case list again as csv or xlsx"
	} else if !errors.Is(err, errUnclosedQuote) && !errors.Is(err, errLongQuote) && !errors.Is(err, errAfterQuote) {
		msg = "cannot read the file: " + err.Error()
		hint = ""
	}
	return &InputError{Path: g.path, Row: row, Msg: msg, Hint: hint, Err: err}
}

// writeText writes field bytes to w as UTF-8 text.
func (g *csvGrid) writeText(w *strings.Builder, b []byte) {
	switch g.enc {
	case encWindows1252:
		if isASCII(b) {
			w.Write(b)
			return
		}
		for _, c := range b {
			w.WriteRune(cp1252[c])
		}
	default: // UTF-8, or UTF-16 or UTF-32 already decoded to UTF-8
		// isASCII first: most fields of a line holding one accented name
		// are plain ASCII, which it tells for less than utf8.Valid does.
		if isASCII(b) || utf8.Valid(b) {
			w.Write(b)
			return
		}
		// Fail-safe: bytes that are not valid UTF-8 are Windows-1252.
		for len(b) > 0 {
			c, size := utf8.DecodeRune(b)
			if c == utf8.RuneError && size <= 1 {
				w.WriteRune(cp1252[b[0]])
				b = b[1:]
				continue
			}
			w.Write(b[:size])
			b = b[size:]
		}
	}
}

func isASCII(b []byte) bool {
	for len(b) >= 8 {
		if binary.LittleEndian.Uint64(b)&0x8080808080808080 != 0 {
			return false
		}
		b = b[8:]
	}
	for _, c := range b {
		if c >= 0x80 {
			return false
		}
	}
	return true
}

// cp1252 maps each Windows-1252 byte to its rune.
var cp1252 = func() (t [256]rune) {
	for i := range t {
		t[i] = charmap.Windows1252.DecodeByte(byte(i))
	}
	return t
}()

// mayBeDate reports whether display may show cell v of column col
// differently: the same first tests, inlined, spare most cells the call.
func (g *csvGrid) mayBeDate(col int, v string) bool { return mayBeDate(g, col, v) }

func mayBeDate[T string | []byte](g *csvGrid, col int, v T) bool {
	n := len(v)
	return !g.raw && (n >= 8 && n <= 19 && (v[1] == '/' || v[2] == '/') ||
		n >= 1 && n <= 7 && col < len(g.dateCol) && g.dateCol[col])
}

// display turns a cell's text into its display value: UK dates to ISO, and
// integer serial numbers of plausible dates in date columns below the
// header to ISO.
func (g *csvGrid) display(row, col int, v string, dc *dateCache) string {
	n := len(v)
	if n >= 8 && n <= 19 && (v[1] == '/' || v[2] == '/') {
		if n == 10 && v[2] == '/' && v[5] == '/' {
			if iso, ok := dc.ukDate(v); ok {
				return iso
			}
		}
		if iso, ok := UKDateToISO(v); ok {
			return iso
		}
		return v
	}
	if n >= 1 && n <= 7 && g.headerRow > 0 && row > g.headerRow && col < len(g.dateCol) && g.dateCol[col] {
		serial := 0
		for i := 0; i < n; i++ {
			c := v[i]
			if c < '0' || c > '9' {
				return v
			}
			serial = serial*10 + int(c-'0')
		}
		if serial >= minPlausibleSerial && serial <= maxPlausibleSerial {
			return dc.serial(serial)
		}
	}
	return v
}

// dateCache makes the common date shapes cheap: exports repeat the same few
// thousand dates a million times, so each distinct date is formatted once
// and its string shared. It is direct-mapped, a date's slot its place in a
// calendar of 31-day months: the dates of any 44 years have slots of their
// own, where slots chosen by a hash had one date in five evict another (and
// be formatted again) in an export spanning ten years. Results equal
// UKDateToISO and SerialToISO (see TestCSVDateFastPaths).
type dateCache struct {
	keys [dateCacheSlots]int32 // yyyymmdd; 0 for an empty slot
	vals [dateCacheSlots]string
}

const dateCacheSlots = 1 << 14 // 44 years of 372 slots

// iso returns "yyyy-mm-dd" for a valid date with 1000 <= y <= 9999.
func (c *dateCache) iso(y, m, d int) string {
	key := int32(y*10000 + m*100 + d)
	slot := (y*372 + m*31 + d) & (dateCacheSlots - 1)
	if c.keys[slot] == key {
		return c.vals[slot]
	}
	b := [10]byte{byte('0' + y/1000), byte('0' + y/100%10), byte('0' + y/10%10), byte('0' + y%10), '-',
		byte('0' + m/10), byte('0' + m%10), '-', byte('0' + d/10), byte('0' + d%10)}
	s := string(b[:])
	c.keys[slot], c.vals[slot] = key, s
	return s
}

// ukDate converts exactly "dd/mm/yyyy"; ok is false for anything else,
// including impossible days, which the caller leaves to UKDateToISO.
func (c *dateCache) ukDate(v string) (string, bool) {
	if len(v) != 10 || v[2] != '/' || v[5] != '/' {
		return "", false
	}
	// Digits as bytes: a byte below '0' wraps round above 9.
	d0, d1, m0, m1 := v[0]-'0', v[1]-'0', v[3]-'0', v[4]-'0'
	y0, y1, y2, y3 := v[6]-'0', v[7]-'0', v[8]-'0', v[9]-'0'
	if d0 > 9 || d1 > 9 || m0 > 9 || m1 > 9 || y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 {
		return "", false
	}
	d, m, y := int(d0)*10+int(d1), int(m0)*10+int(m1), int(y0)*1000+int(y1)*100+int(y2)*10+int(y3)
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > DaysIn(y, m) {
		return "", false
	}
	return c.iso(y, m, d), true
}

// DaysIn is the number of days in month m (1–12) of year y, Gregorian.
func DaysIn(y, m int) int {
	switch m {
	case 2:
		if y%4 == 0 && (y%100 != 0 || y%400 == 0) {
			return 29
		}
		return 28
	case 4, 6, 9, 11:
		return 30
	}
	return 31
}

// serial converts an Excel 1900-system serial past the phantom 1900-02-29
// (61..2958465) to "yyyy-mm-dd".
func (c *dateCache) serial(s int) string {
	return c.iso(civilDate(int64(s - 25569))) // serial 25569 is 1970-01-01
}
