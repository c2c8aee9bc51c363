package export

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/words"
)

// Spreadsheet limits (Excel 2007 and later).
const (
	maxSheetRows = 1 << 20 // 1,048,576
	maxSheetCols = 1 << 14 // 16,384, column XFD
)

const (
	maxCellText = 16 << 20 // decoded text of one cell or shared string (Excel allows 32,767 characters)
	maxRowText  = 64 << 20 // decoded text of the wanted cells of one row
)

// xlsxGrid is one worksheet of an opened workbook.
type xlsxGrid struct {
	book  *xlsxBook
	sheet string
	zf    *zip.File

	tagByTag bool // see sheetParser.tagByTag
}

func (g *xlsxGrid) scan(ctx context.Context, want []bool, fn func(num int, cells []string) error) error {
	return g.scanWith(ctx, want, false, fn)
}

// scanTop is scan for finding the header row (see topScanner): every
// column, and a formula without a saved value reads as an empty cell, so
// that one in a column nobody asks for does not stop the workbook opening
// (Rows still refuses one in a column it reads).
func (g *xlsxGrid) scanTop(ctx context.Context, fn func(num int, cells []string) error) error {
	return g.scanWith(ctx, nil, true, fn)
}

func (g *xlsxGrid) scanWith(ctx context.Context, want []bool, noValueEmpty bool, fn func(num int, cells []string) error) error {
	rc, err := g.book.openPart(g.zf, sheetPartLimit, g.sheet)
	if err != nil {
		return err
	}
	ar := readAhead(rc)
	defer ar.Close()
	p := &sheetParser{
		sc:       newXMLScanner(ar),
		sst:      g.book.sst,
		styles:   g.book.styles,
		date1904: g.book.date1904,
		path:     g.book.path,
		sheet:    g.sheet,
		want:     want,

		noValueEmpty: noValueEmpty,
		tagByTag:     g.tagByTag,
	}
	err = p.run(ctx, fn)
	if err != nil && (p.fnErr || (ctx.Err() != nil && errors.Is(err, ctx.Err()))) {
		return err // from fn, or the context's, as is
	}
	if err != nil {
		return g.book.readError(err, g.sheet, p.rowNum, p.colName())
	}
	return nil
}

// cell types (the t attribute)
const (
	ctNumber = iota // "n" or absent
	ctShared        // "s"
	ctInline        // "inlineStr"
	ctString        // "str": a formula's text result
	ctBool          // "b"
	ctError         // "e"
	ctDate          // "d"
)

// cellRec places one wanted, non-empty cell of the current row.
type cellRec struct {
	col     int32
	fromSST bool   // the text is str, else the row's text from a to b
	a, b    uint32 // text span
	str     string
}

// sheetParser walks a worksheet's XML. A row's wanted cells are decoded into
// one buffer which becomes one string per row; shared strings are
// substrings of the table. So a row costs one allocation, whatever its width.
type sheetParser struct {
	sc       *xmlScanner
	sst      *sharedStrings
	sstr     *sstReader // reads sst, made on first use
	styles   *xlsxStyles
	date1904 bool
	path     string
	sheet    string
	want     []bool

	cells   []string
	recs    []cellRec
	days    civilCache // the text of the dates met
	rowBuf  []byte
	v, is   []byte
	rowNum  int  // current (or last) row number
	emitted int  // last row number passed to fn
	col     int  // current (or last) column index in the row, -1 before the first cell
	rowVal  bool // the current row holds a value
	lastCol int  // highest column index among the recorded cells of the row, -1 if none
	tick    int
	fnErr   bool // the error came from fn

	// Jumping past cells nobody asked for (see jump).
	nextWant  []int32 // nextWant[c]: the first wanted column at or after c, -1 if none
	tagRow    bool    // the current row opened with an unprefixed <row> tag
	needle    []byte
	digits    []byte // the row number digitsRow in decimal
	digitsRow int

	noValueEmpty bool // a formula without a saved value is an empty cell, not an error

	// tagByTag turns off the shortcuts (skipping, jumping past and
	// reading whole cells by the usual forms): the plain reading that
	// tests check the shortcuts against.
	tagByTag bool
}

// colName names the current column for an error message ("" when none).
func (p *sheetParser) colName() string {
	if p.col < 0 || p.col >= maxSheetCols {
		return ""
	}
	return columnName(p.col)
}

// columnName turns a 0-based column index into letters: 0 -> "A", 27 -> "AB".
func columnName(i int) string { return string(appendColumnName(nil, i)) }

func appendColumnName(dst []byte, i int) []byte {
	var b [4]byte
	n := len(b)
	for i++; i > 0 && n > 0; i = (i - 1) / 26 {
		n--
		b[n] = byte('A' + (i-1)%26)
	}
	return append(dst, b[n:]...)
}

// parseCellRef parses "AB12" into column index 27 and row 12. Columns and
// rows beyond the spreadsheet limits fail; so does anything else.
func parseCellRef(b []byte) (col, row int, ok bool) {
	i := 0
	for i < len(b) {
		c := b[i] &^ 0x20 // upper case
		if c < 'A' || c > 'Z' || b[i] < 'A' {
			break
		}
		col = col*26 + int(c-'A') + 1
		if col > maxSheetCols {
			return 0, 0, false
		}
		i++
	}
	if i == 0 || i == len(b) {
		return 0, 0, false
	}
	for _, c := range b[i:] {
		if c < '0' || c > '9' {
			return 0, 0, false
		}
		row = row*10 + int(c-'0')
		if row > maxSheetRows {
			return 0, 0, false
		}
	}
	if row == 0 {
		return 0, 0, false
	}
	return col - 1, row, true
}

// sheetDataError is a structural problem of the sheet XML; readError turns it
// into an InputError with the sheet, row and column.
type sheetDataError struct{ msg, hint string }

func (e *sheetDataError) Error() string { return e.msg }

func (p *sheetParser) run(ctx context.Context, fn func(int, []string) error) error {
	if p.want != nil {
		p.cells = make([]string, len(p.want))
		p.nextWant = make([]int32, len(p.want)+1)
		next := int32(-1)
		for c := len(p.want); c >= 0; c-- {
			if c < len(p.want) && p.want[c] {
				next = int32(c)
			}
			p.nextWant[c] = next
		}
	}
	p.col, p.lastCol = -1, -1
	inData, inRow := false, false
	for {
		kind, name, attrs, err := p.sc.next()
		if err != nil {
			return err
		}
		if kind == xmlEOF {
			return io.ErrUnexpectedEOF // no </sheetData>: the part is cut short
		}
		switch string(name) {
		case "sheetData":
			if kind == xmlStart {
				inData = true
				continue
			}
			if inRow {
				if err := p.endRow(ctx, fn); err != nil {
					return err
				}
			}
			return nil
		case "row":
			if !inData {
				continue
			}
			if inRow {
				if err := p.endRow(ctx, fn); err != nil {
					return err
				}
				inRow = false
			}
			if kind == xmlEnd {
				continue
			}
			if err := p.startRow(ctx, attrs); err != nil {
				return err
			}
			inRow = true
			p.tagRow = !p.sc.prefixed(name)
			if kind == xmlEmpty {
				if err := p.endRow(ctx, fn); err != nil {
					return err
				}
				inRow = false
			}
		case "c":
			if !inData || kind == xmlEnd {
				continue
			}
			if !inRow { // a cell outside any <row>: give it a row of its own
				if err := p.startRow(ctx, nil); err != nil {
					return err
				}
				inRow = true
				p.tagRow = false
			}
			wanted, err := p.cell(kind, name, attrs)
			if err != nil {
				return err
			}
			if wanted {
				p.jump()
			}
		}
	}
}

func (p *sheetParser) startRow(ctx context.Context, attrs []byte) error {
	num := p.rowNum + 1
	it := xmlAttrs{attrs}
	for n, v, ok := it.next(); ok; n, v, ok = it.next() {
		if len(n) == 1 && n[0] == 'r' {
			// The attributes after r (LibreOffice writes half a dozen,
			// of layout) need not be read.
			it.b = nil
			r, ok := smallUint(bytes.TrimSpace(v))
			if !ok || r < 1 || r > maxSheetRows {
				p.col = -1
				return &sheetDataError{msg: fmt.Sprintf("row number %q is not a valid row (1 to %s)", v, words.Thousands(maxSheetRows)),
					hint: hintResave}
			}
			if int(r) <= p.rowNum {
				return &sheetDataError{msg: fmt.Sprintf("row %s comes after row %s; the rows are out of order", words.Thousands(int(r)), words.Thousands(p.rowNum)),
					hint: hintResave}
			}
			num = int(r)
		}
	}
	if num > maxSheetRows {
		p.rowNum = num - 1
		return &sheetDataError{msg: fmt.Sprintf("more than %s rows", words.Thousands(maxSheetRows)), hint: hintResave}
	}
	p.rowNum = num
	p.col = -1
	p.tick++
	if p.tick&4095 == 0 {
		if err := ctx.Err(); err != nil {
			return err
		}
	}
	return nil
}

// endRow passes the row to fn if it holds a value, after any rows without
// values since the last one passed (so that fn sees consecutive numbers and
// nothing after the last row holding a value).
func (p *sheetParser) endRow(ctx context.Context, fn func(int, []string) error) error {
	defer func() {
		for _, r := range p.recs {
			p.cells[r.col] = ""
		}
		p.recs = p.recs[:0]
		p.rowBuf = p.rowBuf[:0]
		p.rowVal = false
		p.lastCol = -1
	}()
	if !p.rowVal {
		return nil
	}
	for r := p.emitted + 1; r < p.rowNum; r++ {
		if err := fn(r, p.cells[:0]); err != nil {
			p.fnErr = true
			return err
		}
		if r&4095 == 0 {
			if err := ctx.Err(); err != nil {
				p.fnErr = true
				return err
			}
		}
	}
	var rs string
	if len(p.rowBuf) > 0 {
		rs = string(p.rowBuf)
	}
	for _, r := range p.recs {
		if r.fromSST {
			p.cells[r.col] = r.str
		} else {
			p.cells[r.col] = rs[r.a:r.b]
		}
	}
	n := p.lastCol + 1
	if n == 0 {
		n = 1 // the row holds values only in columns not wanted
	}
	if n > len(p.cells) {
		p.growCells(n - 1)
	}
	p.emitted = p.rowNum
	if err := fn(p.rowNum, p.cells[:n]); err != nil {
		p.fnErr = true
		return err
	}
	return nil
}

func (p *sheetParser) growCells(col int) {
	n := max(2*len(p.cells), col+1, 16)
	n = min(n, maxSheetCols)
	nc := make([]string, n)
	copy(nc, p.cells)
	p.cells = nc
}

// jump goes straight from a wanted cell to the start tag of the next
// wanted one, or to the row's end tag when no column after it is wanted,
// in a row already known to hold a value (so that the cells passed over
// cannot change what is passed on), when the row and its cells are written
// as every spreadsheet program writes them: unprefixed, each cell's r
// attribute first and naming the row. Otherwise (the next wanted cell is
// blank and absent, or written another way) it does nothing, and the
// cells are read one by one. Cells passed over are not looked at at all: a
// malformed one in a column nobody reads does not stop the reading.
func (p *sheetParser) jump() {
	if !p.rowVal || !p.tagRow || p.tagByTag || p.nextWant == nil || p.col+1 >= len(p.nextWant) {
		return
	}
	nw := p.nextWant[p.col+1]
	if nw == int32(p.col+1) {
		return // the next cell: the next tag read, as a rule
	}
	if nw < 0 {
		p.sc.jumpTo(rowEndTag, 4)
		return
	}
	if p.digitsRow != p.rowNum {
		p.digits = strconv.AppendInt(p.digits[:0], int64(p.rowNum), 10)
		p.digitsRow = p.rowNum
	}
	p.needle = append(p.needle[:0], `<c r="`...)
	p.needle = appendColumnName(p.needle, int(nw))
	p.needle = append(p.needle, p.digits...)
	p.needle = append(p.needle, '"')
	p.sc.jumpTo(p.needle, len(`<c r="`))
}

// cell reads one <c> element (its start tag has been read) and reports
// whether its column is wanted.
func (p *sheetParser) cell(kind int, name, attrs []byte) (bool, error) {
	col := p.col + 1
	typ, style := ctNumber, 0
	it := xmlAttrs{attrs}
	for n, v, ok := it.next(); ok; n, v, ok = it.next() {
		if len(n) != 1 {
			continue
		}
		switch n[0] {
		case 'r':
			if len(v) == 0 || v[0] <= ' ' || v[len(v)-1] <= ' ' {
				v = bytes.TrimSpace(v)
			}
			c, _, ok := parseCellRef(v)
			if !ok {
				p.col = -1
				return false, &sheetDataError{
					msg:  fmt.Sprintf("cell reference %q is not a valid cell (columns A to XFD, rows 1 to %s)", v, words.Thousands(maxSheetRows)),
					hint: hintResave}
			}
			col = c
		case 't':
			switch string(v) {
			case "s":
				typ = ctShared
			case "inlineStr":
				typ = ctInline
			case "str":
				typ = ctString
			case "b":
				typ = ctBool
			case "e":
				typ = ctError
			case "d":
				typ = ctDate
			}
		case 's':
			if s, ok := smallUint(v); ok {
				style = int(s)
			}
		}
	}
	if col >= maxSheetCols {
		p.col = -1
		return false, &sheetDataError{msg: "a cell lies beyond column XFD, the last column a sheet can have", hint: hintResave}
	}
	p.col = col
	if kind == xmlStart && p.rowVal && p.want != nil && !p.tagByTag && (col >= len(p.want) || !p.want[col]) &&
		!p.sc.prefixed(name) && p.sc.skipCell() {
		// A cell nobody asked for, in a row already known to hold a
		// value: nothing in it matters (most of a sheet, when a sample
		// reads 4 columns of 15).
		return false, nil
	}

	hasV, hasF, hasIs := false, false, false
	p.v, p.is = p.v[:0], p.is[:0]
	if kind == xmlStart && !p.tagByTag {
		hasV, hasIs = p.sc.plainCell(p)
	}
	if kind == xmlStart && !hasV && !hasIs {
		inIs, phonetic := false, 0
	content:
		for {
			k, nm, _, err := p.sc.next()
			if err != nil {
				return false, err
			}
			if k == xmlEOF {
				return false, io.ErrUnexpectedEOF
			}
			switch string(nm) {
			case "v":
				if k == xmlStart {
					hasV = true
					if p.v, err = p.sc.text(p.v[:0], maxCellText); err != nil {
						return false, err
					}
				} else if k == xmlEmpty {
					hasV = true
				}
			case "f":
				hasF = true
			case "is":
				if k != xmlEnd {
					hasIs = true
				}
				inIs = k == xmlStart
			case "rPh":
				if k == xmlStart {
					phonetic++
				} else if k == xmlEnd && phonetic > 0 {
					phonetic--
				}
			case "t":
				if k == xmlStart && inIs && phonetic == 0 {
					if p.is, err = p.sc.text(p.is, maxCellText); err != nil {
						return false, err
					}
				}
			case "c":
				if k == xmlEnd {
					break content
				}
			}
		}
	}

	wanted := p.want == nil || (col < len(p.want) && p.want[col])
	if !wanted {
		switch {
		case typ == ctShared:
			if i, ok := smallUint(bytes.TrimSpace(p.v)); ok && int(i) < p.sst.count() {
				p.rowVal = p.rowVal || !p.sst.isEmpty(int(i))
			} else {
				p.rowVal = p.rowVal || len(p.v) > 0
			}
		case typ == ctInline && hasIs, typ == ctString && hasIs && !hasV:
			p.rowVal = p.rowVal || len(p.is) > 0
		default:
			p.rowVal = p.rowVal || len(p.v) > 0 || (hasF && !hasV)
		}
		return false, nil
	}
	if hasF && !hasV && !hasIs && p.noValueEmpty {
		return true, nil
	}
	if hasF && !hasV && !hasIs {
		// A formula whose cached value is kept as an inline string
		// (<is>, as LibreOffice 4.1 and node-xlsx-stream write it) has a
		// value; one with neither has none.
		return false, &sheetDataError{
			msg:  fmt.Sprintf("formula without a saved value in cell %s%d", columnName(col), p.rowNum),
			hint: "open the file in Excel, save it, and try again"}
	}
	if col >= len(p.cells) {
		p.growCells(col)
	}
	rec := cellRec{col: int32(col), a: uint32(len(p.rowBuf))}
	switch typ {
	case ctShared:
		v := bytes.TrimSpace(p.v)
		if len(v) == 0 {
			return true, nil
		}
		i, ok := smallUint(v)
		if !ok || int(i) >= p.sst.count() {
			return false, &sheetDataError{
				msg:  fmt.Sprintf("cell %s%d refers to shared string %q, which the workbook does not have", columnName(col), p.rowNum, v),
				hint: hintResave}
		}
		if p.sstr == nil {
			p.sstr = &sstReader{t: p.sst}
		}
		var s string
		// Shared text copied into the row counts against maxRowText like
		// a cell's own: a row naming one column again and again would
		// otherwise copy entries without bound.
		if s, rec.fromSST, p.rowBuf = p.sstr.get(p.rowBuf, int(i)); rec.fromSST {
			if s == "" {
				return true, nil
			}
			rec.str = s
		}
	case ctInline:
		src := p.v
		if hasIs {
			src = p.is
		}
		p.rowBuf = appendXstring(p.rowBuf, src)
	case ctString:
		src := p.v
		if hasIs && !hasV {
			src = p.is
		}
		p.rowBuf = appendXstring(p.rowBuf, src)
	case ctBool:
		switch v := bytes.TrimSpace(p.v); {
		case string(v) == "1" || strings.EqualFold(string(v), "true"):
			p.rowBuf = append(p.rowBuf, "TRUE"...)
		case string(v) == "0" || strings.EqualFold(string(v), "false"):
			p.rowBuf = append(p.rowBuf, "FALSE"...)
		default:
			p.rowBuf = append(p.rowBuf, p.v...)
		}
	case ctError:
		p.rowBuf = append(p.rowBuf, p.v...)
	case ctDate:
		p.rowBuf = appendISODateText(p.rowBuf, bytes.TrimSpace(p.v))
	default:
		v := bytes.TrimSpace(p.v)
		if len(v) > 0 {
			switch k := p.styles.kind(style); k {
			case fmtNumber:
				p.rowBuf = appendNumberText(p.rowBuf, v)
			case fmtDate:
				p.rowBuf = appendSerialText(p.rowBuf, v, p.date1904, &p.days)
			default:
				p.rowBuf = appendClockText(p.rowBuf, v, k)
			}
		}
	}
	if !rec.fromSST {
		if len(p.rowBuf) > maxRowText {
			return true, errRowTextTooLong
		}
		rec.b = uint32(len(p.rowBuf))
	}
	if !rec.fromSST && rec.b == rec.a {
		return true, nil // empty: nothing to place
	}
	p.rowVal = true
	p.recs = append(p.recs, rec)
	p.lastCol = max(p.lastCol, col)
	return true, nil
}
