package export

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
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
// Rows are parsed into a batch whose wanted fields are copied (and decoded)
// into one buffer; when it is full it becomes one string, the cells are
// slices of it, and fn is called for each row of the batch in order. So a
// cell kept by fn keeps its batch's string alive: clone what you keep long.
func (g *csvGrid) scan(ctx context.Context, want []bool, fn func(num int, cells []string) error) error {
	f, err := os.Open(g.path)
	if err != nil {
		return openError(g.path, err)
	}
	defer f.Close()
	var src io.Reader = f
	if g.skip > 0 {
		if _, err := f.Seek(int64(g.skip), io.SeekStart); err != nil {
			return &InputError{Path: g.path, Msg: "cannot read the file: " + err.Error(), Err: err}
		}
	}
	if g.enc.wide() {
		src = transform.NewReader(src, g.wideDecoder())
	}
	if g.loneCR {
		src = &crReader{r: src}
	}
	bufSize := 256 << 10
	if fi, err := f.Stat(); err == nil && fi.Size() < int64(bufSize) {
		bufSize = max(int(fi.Size()), 4096)
	}
	r := newRecReader(src, g.comma, bufSize)
	limit := 0 // fields to locate on each line: up to the last wanted one
	if want != nil {
		limit = 1
		for i, w := range want {
			if w {
				limit = i + 1
			}
		}
	}

	// idx lists the wanted columns in order (every column when want is nil:
	// it grows with the widest row).
	var idx []int
	for i, w := range want {
		if w {
			idx = append(idx, i)
		}
	}

	// The batch: rows (number, field count, where their text starts in text
	// and their first field ends in ends). A row's wanted fields (those below
	// its field count) are written one after another, so each ends where
	// the next starts. The builder's String takes its bytes without a copy;
	// each batch starts a new one.
	type batchRow struct{ num, nf, start, off int }
	var (
		rows    []batchRow
		text    strings.Builder
		ends    []int
		cells   []string
		row     int
		emitted int // the last row passed to fn; blank rows in between are passed on before the next
		dc      = new(dateCache)
	)
	text.Grow(csvBatchBytes + 4<<10)
	flush := func() error {
		s := text.String()
		text = strings.Builder{}
		text.Grow(csvBatchBytes + 4<<10)
		for _, br := range rows {
			for ; emitted+1 < br.num; emitted++ {
				if err := fn(emitted+1, cells[:0]); err != nil {
					return err
				}
			}
			if cap(cells) < br.nf {
				cells = make([]string, br.nf, br.nf+8)
			}
			// Columns not wanted stay "": they are never written.
			cells = cells[:br.nf]
			pos, k := br.start, br.off
			for _, i := range idx {
				if i >= br.nf {
					break
				}
				v := s[pos:ends[k]]
				pos = ends[k]
				k++
				if g.mayBeDate(i, v) {
					v = g.display(br.num, i, v, dc)
				}
				cells[i] = v
			}
			if err := fn(br.num, cells); err != nil {
				return err
			}
			emitted = br.num
		}
		rows, ends = rows[:0], ends[:0]
		return nil
	}
	for {
		if row&4095 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		blank, err := r.next(limit)
		if err == io.EOF {
			return flush()
		}
		row++
		if err != nil {
			if ferr := flush(); ferr != nil {
				return ferr
			}
			return g.parseError(row, r, err)
		}
		if blank {
			continue // passed on before the next row that holds text; trailing blanks are dropped
		}
		nf := r.fields()
		if want != nil && len(want) < nf {
			nf = len(want)
		}
		for want == nil && len(idx) < nf {
			idx = append(idx, len(idx))
		}
		rows = append(rows, batchRow{num: row, nf: nf, start: text.Len(), off: len(ends)})
		ascii := isASCII(r.rec) // the usual case: one test for the record, none per field
		for _, i := range idx {
			if i >= nf {
				break
			}
			if ascii {
				text.Write(r.field(i))
			} else {
				g.writeText(&text, r.field(i))
			}
			ends = append(ends, text.Len())
		}
		if text.Len() >= csvBatchBytes || len(rows) >= 1024 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
}

// parseError turns a record parsing problem into an InputError naming the
// row (and the line where the record started, when that differs).
func (g *csvGrid) parseError(row int, r *recReader, err error) error {
	msg := err.Error()
	if r.startLine != row && r.startLine > 0 {
		msg += fmt.Sprintf(" (line %s of the file)", words.Thousands(r.startLine))
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
		if utf8.Valid(b) {
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
func (g *csvGrid) mayBeDate(col int, v string) bool {
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
// and its string shared (a direct-mapped cache keyed by yyyymmdd). Results
// equal UKDateToISO and SerialToISO (see TestCSVDateFastPaths).
type dateCache struct {
	keys [1 << 14]int32
	vals [1 << 14]string
}

// iso returns "yyyy-mm-dd" for a valid date with 1000 <= y <= 9999.
func (c *dateCache) iso(y, m, d int) string {
	key := int32(y*10000 + m*100 + d)
	slot := (uint32(key) * 2654435761) >> 18
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
	var x [8]int
	for i, p := range [8]int{0, 1, 3, 4, 6, 7, 8, 9} {
		ch := v[p]
		if ch < '0' || ch > '9' {
			return "", false
		}
		x[i] = int(ch - '0')
	}
	d, m, y := x[0]*10+x[1], x[2]*10+x[3], x[4]*1000+x[5]*100+x[6]*10+x[7]
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
