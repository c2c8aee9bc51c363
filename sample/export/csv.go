package export

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strconv"
	"strings"
	"unicode"
)

// The csv reader.
//
// A csv (or tsv/txt) export is read as a workbook of one unnamed sheet. The
// file is opened once in openCSV to look at a bounded prefix (sniffBytes):
// that decides the encoding, the line endings and the delimiter. Every scan
// then streams the file again from the start through a small record parser
// of our own (not encoding/csv, which skips blank lines without telling and
// cannot report where a record started), with one reused buffer per record
// and one string allocation per batch of rows for the requested columns
// only. A UTF-8 or Windows-1252 file is mapped into memory where the system
// allows, and parsed in place, its bytes hashed on the way when the caller
// asks (csv_map.go); a large one is parsed in chunks on every core and its
// rows passed on in order (csv_par.go). The rows, cells, row numbers and
// errors are the serial scan's, wherever the chunks are cut, mapped or read.
//
// Encodings:
//   - UTF-8, with or without a BOM (the BOM is skipped);
//   - UTF-16 LE/BE with a BOM, or without one when the first KB shows the
//     tell-tale NUL pattern of ASCII text in UTF-16; decoded with x/text;
//   - UTF-32 LE/BE likewise (three NULs in four bytes of ASCII text);
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
// dates in every column. Plain integers become ISO dates only in a date
// column: one whose header holds a date word (Date, Dates, DOB, D.O.B,
// Birthdate, as a whole word: "Referral Date", "StartDate", "date_of_birth",
// not "Mandated" or "Updated") and whose values are consistently Excel
// serial numbers of plausible dates (1910 to 2100: see serialColumn), and
// then only integers in that range. The grid does not know which row is the
// header, so Open tells it through the optional headerSetter interface once
// the header row is found (see setHeader), and setHeader looks at the
// column's first values. Other text is passed through untouched, untrimmed.

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
	encUTF32LE
	encUTF32BE
)

// wide reports whether the encoding is UTF-16 or UTF-32, which the scan
// decodes to UTF-8 as it reads.
func (e textEncoding) wide() bool { return e >= encUTF16LE }

func (e textEncoding) String() string {
	switch e {
	case encWindows1252:
		return "windows-1252"
	case encUTF16LE:
		return "utf-16le"
	case encUTF16BE:
		return "utf-16be"
	case encUTF32LE:
		return "utf-32le"
	case encUTF32BE:
		return "utf-32be"
	}
	return "utf-8"
}

// headerSetter is implemented by grids whose display values depend on the
// header (the csv grid: serial numbers become dates only in date columns).
// Open calls setHeader once it has found the header row, before any Rows
// scan; row is the 1-based header row and header its trimmed cells.
type headerSetter interface {
	setHeader(ctx context.Context, row int, header []string) error
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
	wideBOM   bool // the UTF-16 or UTF-32 decoder must consume a BOM
	comma     byte
	loneCR    bool   // lines end with a bare CR (classic Mac, some exports)
	headerRow int    // 0 until setHeader
	dateCol   []bool // columns whose header names a date
	raw       bool   // cells as written (OpenOptions.Raw)

	par        int   // parAuto, or a test's parSerial or parForce
	chunkBytes int64 // a test's chunk size for the parallel scan; 0: the default
	noMap      bool  // a test's: read the file, never map it
}

// setHeader records the header row and finds the date columns: those whose
// header is a date word and whose first values (up to serialSampleValues
// of them) are consistently serial numbers.
func (g *csvGrid) setHeader(ctx context.Context, row int, header []string) error {
	g.headerRow, g.dateCol = row, nil
	want := make([]bool, len(header))
	some := false
	for i, h := range header {
		want[i] = isDateHeader(h)
		some = some || want[i]
	}
	if !some {
		return nil
	}
	counts := make([]serialCount, len(header))
	seen := 0
	err := g.scan(ctx, want, func(num int, cells []string) error {
		if num <= row {
			return nil
		}
		for i, c := range cells {
			if want[i] {
				counts[i].add(c)
			}
		}
		if seen++; seen >= serialSampleRows {
			return ErrStop
		}
		return nil
	})
	if err != nil && !errors.Is(err, ErrStop) {
		return err
	}
	dateCol := make([]bool, len(header))
	for i := range header {
		dateCol[i] = want[i] && counts[i].serialColumn()
	}
	g.dateCol = dateCol
	return nil
}

// serialSampleRows is how many data rows setHeader looks at.
const serialSampleRows = 1000

// The plausible dates of a case file as Excel serial numbers (1900 system):
// 1910-01-01 to 2100-12-31.
const (
	minPlausibleSerial = 3654
	maxPlausibleSerial = 73415
)

// serialCount counts a column's first values: numbers, and among them the
// serial numbers of plausible dates.
type serialCount struct{ numbers, serials int }

func (c *serialCount) add(v string) {
	v = strings.TrimSpace(v)
	if v == "" {
		return
	}
	if n, ok := atoiDigits(v, 1, 7); ok {
		c.numbers++
		if n >= minPlausibleSerial && n <= maxPlausibleSerial {
			c.serials++
		}
		return
	}
	if f, err := strconv.ParseFloat(v, 64); err == nil {
		c.numbers++
		if f >= minPlausibleSerial && f < maxPlausibleSerial+1 {
			c.serials++ // a date with a time of day: consistent with dates, though not converted
		}
	}
}

// serialColumn reports whether the values are consistently serials: at
// least one, and at least 9 in 10 of the numbers (text, such as UK dates or
// "not known", may stand between them).
func (c *serialCount) serialColumn() bool {
	return c.serials > 0 && c.serials*10 >= c.numbers*9
}

// isDateHeader reports whether a header names a date column, for the
// serial-number conversion: one of its words (split at anything but a
// letter, and between a lower and an upper case letter: "StartDate") is
// date, dates, dob, birthdate or birthday, or its single letters spell
// D.O.B.
func isDateHeader(h string) bool {
	var words []string
	start := -1
	var prev rune
	for i, r := range h + " " {
		letter := unicode.IsLetter(r)
		split := !letter || (start >= 0 && unicode.IsUpper(r) && unicode.IsLower(prev))
		if split && start >= 0 {
			words = append(words, strings.ToLower(h[start:i]))
			start = -1
		}
		if letter && start < 0 {
			start = i
		}
		prev = r
	}
	initials := ""
	for _, w := range words {
		switch w {
		case "date", "dates", "dob", "birthdate", "birthday":
			return true
		}
		if len(w) == 1 {
			initials += w
			if initials == "dob" {
				return true
			}
		} else {
			initials = ""
		}
	}
	return false
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

	g := &csvGrid{path: path, raw: opts.Raw}
	forced, err := parseEncoding(opts.Encoding)
	if err != nil {
		return nil, &InputError{Path: path, Msg: err.Error(),
			Hint: "use one of utf-8, utf-16le, utf-16be, utf-32le, utf-32be, windows-1252 (or cp1252, latin1)", Err: err}
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
			g.wideBOM = bytes.HasPrefix(prefix, bomLE) || bytes.HasPrefix(prefix, bomBE)
		case encUTF32LE, encUTF32BE:
			g.wideBOM = bytes.HasPrefix(prefix, bom32LE) || bytes.HasPrefix(prefix, bom32BE)
		}
	default:
		g.enc, g.skip, g.wideBOM = detectEncoding(prefix, whole)
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
