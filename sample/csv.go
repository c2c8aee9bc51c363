package sample

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math/bits"
	"os"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The csv reader.
//
// A csv (or tsv/txt) export is read as a workbook of one unnamed sheet. The
// file is opened once in openCSV to look at a bounded prefix (sniffBytes):
// that decides the encoding, the line endings and the delimiter. Every scan
// then streams the file again from the start through a small record parser
// of our own (not encoding/csv, which skips blank lines without telling and
// cannot report where a record started), with one reused buffer per record
// and one string allocation per row for the requested columns only.
//
// Encodings:
//   - UTF-8, with or without a BOM (the BOM is skipped);
//   - UTF-16 LE/BE with a BOM, or without one when the first KB shows the
//     tell-tale NUL pattern of ASCII text in UTF-16; decoded with x/text;
//   - Windows-1252 when the prefix is not valid UTF-8. Only the requested
//     cells are decoded (a byte table), as delimiters, quotes and newlines
//     are ASCII in both.
//   - Forced with OpenOptions.Encoding (see parseEncoding).
//
// Invalid UTF-8 later in a file judged UTF-8 (past the prefix, or forced
// "utf-8"): each byte that is not part of a valid UTF-8 sequence is decoded
// as Windows-1252, which is what such a byte almost always is in an export
// from a UK system (£, é, smart quotes). The value is never turned into
// U+FFFD. A file that mixes both encodings byte by byte is read correctly;
// a cp1252 byte pair that happens to form valid UTF-8 (for example "Ã©") is
// read as UTF-8, as every other tool would.
//
// Quotes follow RFC 4180 with the leniency of Excel where it cannot lose
// data: a '"' inside an unquoted field is kept literally (O"Neill), and
// spaces between a closing quote and the delimiter are dropped. A quoted
// field that never closes, or text after a closing quote ("a"b), is an
// InputError naming the row (and the line, when they differ). A quoted
// field longer than any spreadsheet cell (maxQuotedBytes) is taken to be
// an unbalanced quote rather than read to the end of a million-row file.
//
// Row numbers follow the grid contract: every record is one row, whether it
// spans several lines (newlines inside quotes) or not; an empty line, or a
// line whose fields are all empty (",,,,"), is a blank row.
//
// Display values: UK dates ("30/06/2026", with an optional time) become ISO
// dates in every column. Plain integers in 1..2958465 become ISO dates when
// the column's header contains "date", "dob" or "d.o.b" — but the grid does
// not know which row is the header, so Open tells it through the optional
// headerSetter interface once the header row is found (see setHeader). Other
// text is passed through untouched, untrimmed.

// sniffBytes is how much of a csv file is read to choose the encoding, line
// endings and delimiter.
const sniffBytes = 1 << 20

// maxLineBytes bounds one physical line: a "csv" with a longer line is
// binary or broken, and reading it whole would use unbounded memory.
const maxLineBytes = 16 << 20

// maxQuotedBytes bounds one quoted field: an Excel cell holds at most 32,767
// characters, at most 4 bytes each in UTF-8.
const maxQuotedBytes = 4 * 32767

// textEncoding is how the bytes of a csv file are turned into text.
type textEncoding int

const (
	encUTF8 textEncoding = iota
	encWindows1252
	encUTF16LE
	encUTF16BE
)

func (e textEncoding) String() string {
	switch e {
	case encWindows1252:
		return "windows-1252"
	case encUTF16LE:
		return "utf-16le"
	case encUTF16BE:
		return "utf-16be"
	}
	return "utf-8"
}

// headerSetter is implemented by grids whose display values depend on the
// header (the csv grid: serial numbers become dates only in date columns).
// Open calls setHeader once it has found the header row, before any Rows
// scan; row is the 1-based header row and header its trimmed cells.
type headerSetter interface {
	setHeader(row int, header []string)
}

// csvWorkbook is a csv file seen as a workbook of one unnamed sheet.
type csvWorkbook struct{ g *csvGrid }

func (w *csvWorkbook) sheets() []sheetInfo { return []sheetInfo{{}} }

func (w *csvWorkbook) grid(i int) (grid, error) {
	if i != 0 {
		return nil, fmt.Errorf("csv file has one sheet, not %d", i+1)
	}
	return w.g, nil
}

// close does nothing: each scan opens and closes the file itself.
func (w *csvWorkbook) close() error { return nil }

// csvGrid reads one csv file. It is immutable after setHeader, so scans may
// run one after another (not concurrently with setHeader).
type csvGrid struct {
	path      string
	enc       textEncoding
	skip      int  // leading bytes to skip (a UTF-8 BOM)
	utf16BOM  bool // the UTF-16 decoder must consume a BOM
	comma     byte
	loneCR    bool   // lines end with a bare CR (classic Mac, some exports)
	headerRow int    // 0 until setHeader
	dateCol   []bool // columns whose header names a date
}

func (g *csvGrid) setHeader(row int, header []string) {
	g.headerRow = row
	g.dateCol = make([]bool, len(header))
	for i, h := range header {
		g.dateCol[i] = isDateHeader(h)
	}
}

// isDateHeader reports whether a header names a date column, for the
// serial-number conversion.
func isDateHeader(h string) bool {
	l := strings.ToLower(h)
	return strings.Contains(l, "date") || strings.Contains(l, "dob") || strings.Contains(l, "d.o.b")
}

// openCSV opens a csv/tsv/txt export: it reads a bounded prefix to choose
// the encoding, line endings and delimiter, and returns a workbook of one
// unnamed sheet whose grid streams the file on every scan.
func openCSV(path string, opts OpenOptions) (workbook, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, openError(path, err)
	}
	defer f.Close()
	size := int64(sniffBytes)
	if fi, err := f.Stat(); err == nil && fi.Size() < size {
		size = fi.Size()
	}
	prefix := make([]byte, size)
	n, err := io.ReadFull(f, prefix)
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, &InputError{Path: path, Msg: "cannot read the file: " + err.Error(), Err: err}
	}
	prefix = prefix[:n]
	whole := n < sniffBytes // the prefix is the whole file

	g := &csvGrid{path: path}
	forced, err := parseEncoding(opts.Encoding)
	if err != nil {
		return nil, &InputError{Path: path, Msg: err.Error(),
			Hint: "use one of utf-8, utf-16le, utf-16be, windows-1252 (or cp1252, latin1)", Err: err}
	}
	switch {
	case forced >= 0:
		g.enc = forced
		switch g.enc {
		case encUTF8:
			if bytes.HasPrefix(prefix, utf8BOM) {
				g.skip = len(utf8BOM)
			}
		case encUTF16LE, encUTF16BE:
			g.utf16BOM = bytes.HasPrefix(prefix, bomLE) || bytes.HasPrefix(prefix, bomBE)
		}
	default:
		g.enc, g.skip, g.utf16BOM = detectEncoding(prefix, whole)
	}

	text := decodePrefix(g, prefix)
	g.loneCR = hasLoneCR(text)
	if g.loneCR {
		text = crToLF(text)
	}
	comma, err := parseDelimiter(opts.Delimiter)
	if err != nil {
		return nil, &InputError{Path: path, Msg: err.Error(),
			Hint: `use one of "," ";" "tab" "|"`, Err: err}
	}
	if comma == 0 {
		comma = sniffDelimiter(text)
	}
	g.comma = comma
	return &csvWorkbook{g: g}, nil
}

var (
	utf8BOM = []byte{0xEF, 0xBB, 0xBF}
	bomLE   = []byte{0xFF, 0xFE}
	bomBE   = []byte{0xFE, 0xFF}
)

// parseEncoding maps an --encoding value to a textEncoding; -1 for "".
func parseEncoding(s string) (textEncoding, error) {
	k := strings.NewReplacer("-", "", "_", "", " ", "").Replace(strings.ToLower(strings.TrimSpace(s)))
	switch k {
	case "":
		return -1, nil
	case "utf8", "utf8bom", "utf8sig":
		return encUTF8, nil
	case "utf16le":
		return encUTF16LE, nil
	case "utf16be":
		return encUTF16BE, nil
	case "windows1252", "cp1252", "latin1", "iso88591":
		return encWindows1252, nil
	}
	return -1, fmt.Errorf("unknown encoding %q", s)
}

// parseDelimiter maps a --delimiter value to a byte; 0 for "" (sniff).
func parseDelimiter(s string) (byte, error) {
	switch s {
	case "":
		return 0, nil
	case ",", ";", "|", "\t":
		return s[0], nil
	}
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "tab", `\t`:
		return '\t', nil
	case ",", ";", "|":
		return strings.TrimSpace(s)[0], nil
	case "comma":
		return ',', nil
	case "semicolon":
		return ';', nil
	case "pipe":
		return '|', nil
	}
	return 0, fmt.Errorf("unknown delimiter %q", s)
}

// detectEncoding decides a file's encoding from its first bytes. whole says
// the prefix is the entire file.
func detectEncoding(prefix []byte, whole bool) (enc textEncoding, skip int, utf16BOM bool) {
	switch {
	case bytes.HasPrefix(prefix, utf8BOM):
		return encUTF8, len(utf8BOM), false
	case bytes.HasPrefix(prefix, bomLE):
		return encUTF16LE, 0, true
	case bytes.HasPrefix(prefix, bomBE):
		return encUTF16BE, 0, true
	}
	if e, ok := utf16WithoutBOM(prefix); ok {
		return e, 0, false
	}
	if validUTF8Prefix(prefix, whole) {
		return encUTF8, 0, false
	}
	return encWindows1252, 0, false
}

// validUTF8Prefix reports whether p is valid UTF-8, allowing a rune cut off
// at the end of a prefix that is not the whole file.
func validUTF8Prefix(p []byte, whole bool) bool {
	if utf8.Valid(p) {
		return true
	}
	if whole {
		return false
	}
	// Drop up to 3 trailing bytes of a rune cut by the prefix boundary.
	for cut := 1; cut <= 3 && cut <= len(p); cut++ {
		if utf8.Valid(p[:len(p)-cut]) && !utf8.FullRune(p[len(p)-cut:]) {
			return true
		}
	}
	return false
}

// utf16WithoutBOM recognises UTF-16 text without a BOM by the NUL bytes that
// ASCII characters leave in every other position of the first KB.
func utf16WithoutBOM(p []byte) (textEncoding, bool) {
	if len(p) > 1024 {
		p = p[:1024]
	}
	pairs := len(p) / 2
	if pairs < 2 {
		return 0, false
	}
	var even, odd int
	for i := 0; i+1 < len(p); i += 2 {
		if p[i] == 0 {
			even++
		}
		if p[i+1] == 0 {
			odd++
		}
	}
	switch {
	case odd*10 >= pairs*4 && even*20 <= pairs:
		return encUTF16LE, true
	case even*10 >= pairs*4 && odd*20 <= pairs:
		return encUTF16BE, true
	}
	return 0, false
}

// utf16Decoder returns a decoder for the grid's UTF-16 flavour.
func (g *csvGrid) utf16Decoder() *encoding.Decoder {
	end := unicode.LittleEndian
	if g.enc == encUTF16BE {
		end = unicode.BigEndian
	}
	policy := unicode.IgnoreBOM
	if g.utf16BOM {
		policy = unicode.UseBOM
	}
	return unicode.UTF16(end, policy).NewDecoder()
}

// decodePrefix returns the prefix as text for sniffing the delimiter and
// line endings. Windows-1252 and UTF-8 need no decoding for that (the bytes
// that matter are ASCII in both).
func decodePrefix(g *csvGrid, prefix []byte) []byte {
	switch g.enc {
	case encUTF16LE, encUTF16BE:
		out, _ := io.ReadAll(transform.NewReader(bytes.NewReader(prefix[:len(prefix)&^1]), g.utf16Decoder()))
		return out
	}
	return prefix[g.skip:]
}

// hasLoneCR reports whether the text ends its lines with bare CRs: it has
// more CRs not followed by LF than LFs (so a stray CR inside a field of an
// LF or CRLF file does not turn the file into CR-ended lines). A CR at the
// very end does not count.
func hasLoneCR(p []byte) bool {
	lf := bytes.Count(p, []byte{'\n'})
	lone := 0
	for {
		i := bytes.IndexByte(p, '\r')
		if i < 0 || i+1 >= len(p) {
			return lone > lf
		}
		if p[i+1] != '\n' {
			lone++
		}
		p = p[i+1:]
	}
}

// crToLF returns p with CRLF and bare CR turned into LF.
func crToLF(p []byte) []byte {
	out, _ := io.ReadAll(&crReader{r: bytes.NewReader(p)})
	return out
}

// crReader turns CRLF and bare CR line endings into LF.
type crReader struct {
	r      io.Reader
	prevCR bool
}

func (c *crReader) Read(p []byte) (int, error) {
	for {
		n, err := c.r.Read(p)
		w := 0
		for i := 0; i < n; i++ {
			b := p[i]
			if b == '\n' && c.prevCR {
				c.prevCR = false
				continue
			}
			c.prevCR = b == '\r'
			if b == '\r' {
				b = '\n'
			}
			p[w] = b
			w++
		}
		if w > 0 || err != nil || n == 0 {
			return w, err
		}
	}
}

// sniffDelimiter chooses among , ; tab | the delimiter that splits the
// first 50 non-blank records of text into the most consistent field count
// above one: the count shared by most records wins, then the larger count,
// then the order above. Title rows (one field) do not count against a
// delimiter. A file that no candidate splits is one column: ','.
func sniffDelimiter(text []byte) byte {
	best, bestFreq, bestMode := byte(','), 0, 0
	for _, c := range []byte{',', ';', '\t', '|'} {
		if bytes.IndexByte(text, c) < 0 {
			continue
		}
		counts := map[int]int{}
		r := newRecReader(bytes.NewReader(text), c, 64<<10)
		for seen := 0; seen < 50; {
			blank, err := r.next(0)
			if err != nil {
				// io.EOF, a record cut by the prefix boundary, or a quoting
				// problem that the scan will report with its row.
				break
			}
			if blank && r.fields() == 0 {
				// An empty line. (A line of delimiters alone is blank as a
				// row, but counts here: it splits into fields.)
				continue
			}
			seen++
			if n := r.fields(); n > 1 {
				counts[n]++
			}
		}
		mode, freq := 0, 0
		for m, f := range counts {
			if f > freq || (f == freq && m > mode) {
				mode, freq = m, f
			}
		}
		if freq > bestFreq || (freq == bestFreq && freq > 0 && mode > bestMode) {
			best, bestFreq, bestMode = c, freq, mode
		}
	}
	return best
}

// recReader parses csv records from a stream of UTF-8 (or ASCII-compatible)
// bytes with LF or CRLF line endings.
type recReader struct {
	br      *bufio.Reader
	comma   byte
	line    int    // physical lines read so far
	lineBuf []byte // a line longer than the bufio buffer
	// The current record: field i is rec[bounds[2i]:bounds[2i+1]]. rec is
	// the line itself when it holds no quote (valid until the next call), or
	// buf, the fields unquoted and copied.
	rec    []byte
	bounds []int
	buf    []byte

	startLine int // line on which the current record started
}

func newRecReader(r io.Reader, comma byte, size int) *recReader {
	return &recReader{br: bufio.NewReaderSize(r, size), comma: comma}
}

// fields returns the number of fields located in the current record.
func (r *recReader) fields() int { return len(r.bounds) / 2 }

// field returns the bytes of field i of the current record.
func (r *recReader) field(i int) []byte { return r.rec[r.bounds[2*i]:r.bounds[2*i+1]] }

// errQuote and friends are the parse problems a record can have; scan turns
// them into InputErrors naming the row.
var (
	errUnclosedQuote = errors.New("unbalanced quote: a quoted field opened on this row is never closed")
	errLongQuote     = errors.New("unbalanced quote: a quoted field opened on this row runs on for more than 32,767 characters, longer than any spreadsheet cell")
	errAfterQuote    = errors.New(`unbalanced quote: text follows the closing quote of a field`)
	errLongLine      = errors.New("a line is longer than 16 MB; this does not look like a csv file")
)

// readLine returns the next physical line without its line ending, and
// whether it had one (false only for the last line of the file). err is
// io.EOF when there is no line left.
func (r *recReader) readLine() (line []byte, nl bool, err error) {
	line, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		r.lineBuf = append(r.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			if len(r.lineBuf) > maxLineBytes {
				return nil, false, errLongLine
			}
			line, err = r.br.ReadSlice('\n')
			r.lineBuf = append(r.lineBuf, line...)
		}
		line = r.lineBuf
	}
	if len(line) == 0 {
		if err == nil {
			err = io.EOF
		}
		return nil, false, err
	}
	if err != nil && err != io.EOF {
		return nil, false, err
	}
	r.line++
	n := len(line)
	if line[n-1] == '\n' {
		nl = true
		n--
	}
	if n > 0 && line[n-1] == '\r' { // CRLF, or a CR ending the file
		n--
	}
	return line[:n], nl, nil
}

// next reads one record. blank is true when it holds no text at all (an
// empty line, or only delimiters and empty quotes). err is io.EOF at the end
// of the input. When limit > 0, only the first limit fields need be located:
// a line without quotes is not split further (the record's field count is
// then at most limit).
func (r *recReader) next(limit int) (blank bool, err error) {
	r.bounds = r.bounds[:0]
	line, nl, err := r.readLine()
	if err != nil {
		return false, err
	}
	r.startLine = r.line
	if len(line) == 0 {
		r.rec = line
		return true, nil
	}
	if bytes.IndexByte(line, '"') < 0 {
		// The common case: fields are slices of the line, nothing is copied.
		r.rec = line
		if limit <= 0 {
			limit = len(line) + 1
		}
		// Fields are short: rather than a call per field, look at eight
		// bytes at a time for the delimiter.
		pos, comma := 0, r.comma
		pattern := swarOnes * uint64(comma)
		j := 0
	words:
		for ; j+8 <= len(line); j += 8 {
			m := swarZeroBytes(binary.LittleEndian.Uint64(line[j:]) ^ pattern)
			for m != 0 {
				k := j + bits.TrailingZeros64(m)/8
				m &= m - 1
				r.bounds = append(r.bounds, pos, k)
				pos = k + 1
				if len(r.bounds) == 2*limit {
					j = len(line) + 1 // done
					break words
				}
			}
		}
		for ; j < len(line); j++ {
			if line[j] == comma {
				r.bounds = append(r.bounds, pos, j)
				pos = j + 1
				if len(r.bounds) == 2*limit {
					break
				}
			}
		}
		if len(r.bounds) < 2*limit {
			r.bounds = append(r.bounds, pos, len(line))
		}
		return line[0] == r.comma && onlyByte(line, r.comma), nil
	}
	return r.quoted(line, nl)
}

const swarOnes = 0x0101010101010101

// swarZeroBytes returns a mask with the top bit set of each byte of x that
// is zero, and no other bit (exact: no carry crosses a byte).
func swarZeroBytes(x uint64) uint64 {
	const low7 = 0x7f7f7f7f7f7f7f7f
	return ^((x&low7 + low7) | x | low7)
}

// onlyByte reports whether every byte of b is c.
func onlyByte(b []byte, c byte) bool {
	for _, x := range b {
		if x != c {
			return false
		}
	}
	return true
}

// quoted parses a record whose first line holds a quote, copying the
// unquoted fields into buf; a quoted field may run on over several lines.
func (r *recReader) quoted(line []byte, nl bool) (blank bool, err error) {
	r.buf = r.buf[:0]
	defer func() { r.rec = r.buf }()
	pos := 0
	for {
		if pos < len(line) && line[pos] == '"' {
			pos++
			start := len(r.buf)
			for {
				i := bytes.IndexByte(line[pos:], '"')
				if i < 0 {
					// The field goes on past the end of this line.
					r.buf = append(r.buf, line[pos:]...)
					if !nl {
						return false, errUnclosedQuote
					}
					r.buf = append(r.buf, '\n')
					if len(r.buf)-start > maxQuotedBytes {
						return false, errLongQuote
					}
					line, nl, err = r.readLine()
					if err == io.EOF {
						return false, errUnclosedQuote
					}
					if err != nil {
						return false, err
					}
					pos = 0
					continue
				}
				r.buf = append(r.buf, line[pos:pos+i]...)
				pos += i + 1
				if pos < len(line) && line[pos] == '"' {
					r.buf = append(r.buf, '"')
					pos++
					continue
				}
				break
			}
			if len(r.buf)-start > maxQuotedBytes {
				return false, errLongQuote
			}
			// After the closing quote: spaces, then the delimiter or the end.
			for pos < len(line) && line[pos] != r.comma && (line[pos] == ' ' || line[pos] == '\t') {
				pos++
			}
			r.bounds = append(r.bounds, start, len(r.buf))
			if pos == len(line) {
				return len(r.buf) == 0, nil
			}
			if line[pos] != r.comma {
				return false, errAfterQuote
			}
			pos++
			continue
		}
		start := len(r.buf)
		i := bytes.IndexByte(line[pos:], r.comma)
		if i < 0 {
			r.buf = append(r.buf, line[pos:]...)
			r.bounds = append(r.bounds, start, len(r.buf))
			return len(r.buf) == 0, nil
		}
		r.buf = append(r.buf, line[pos:pos+i]...)
		r.bounds = append(r.bounds, start, len(r.buf))
		pos += i + 1
	}
}

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
	if g.enc == encUTF16LE || g.enc == encUTF16BE {
		src = transform.NewReader(src, g.utf16Decoder())
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
		msg += fmt.Sprintf(" (line %s of the file)", Thousands(r.startLine))
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
	default: // UTF-8, or UTF-16 already decoded to UTF-8
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
	return n >= 8 && n <= 19 && (v[1] == '/' || v[2] == '/') ||
		n >= 1 && n <= 7 && col < len(g.dateCol) && g.dateCol[col]
}

// display turns a cell's text into its display value: UK dates to ISO, and
// integer serial numbers in date columns below the header to ISO.
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
		if serial > 60 && serial <= maxSerial {
			return dc.serial(serial)
		}
		if serial >= 1 && serial <= maxSerial {
			if iso, ok := SerialToISO(float64(serial), false); ok {
				return iso
			}
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
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > daysIn(y, m) {
		return "", false
	}
	return c.iso(y, m, d), true
}

func daysIn(y, m int) int {
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
