package export

import (
	"bytes"
	"errors"
	"io"
	"os"
	"runtime"
	"unicode/utf8"
)

// xmlScanner is a small pull scanner over the element structure of an XML
// stream, for the big parts of a workbook (worksheets, shared strings) where
// encoding/xml's token API is too slow. It does not check well-formedness:
// it finds tags, their local names and raw attributes, and on request the
// character data that follows a start tag (entities decoded, CDATA kept,
// comments dropped, line ends normalised as XML requires). Slices it returns
// point into its buffer and stay valid only until the next call.
type xmlScanner struct {
	r   io.Reader
	buf []byte
	pos int // next unread byte
	end int // end of valid data in buf
	eof bool
	err error  // sticky error: read error, or markup too long
	raw []byte // scratch for character data that spans refills

	off int64 // stream offset of buf[0]
	// The stream offsets of a stretch checked by jumpTo: it ends at a
	// </row> and holds nothing that could hide markup.
	cleanFrom, cleanEnd int64
}

const (
	xmlEOF   = iota // end of the stream (or an error: see the error result)
	xmlStart        // <name …>
	xmlEmpty        // <name …/>
	xmlEnd          // </name>
)

const (
	xmlBufSize = 256 << 10 // initial buffer
	xmlBufMax  = 8 << 20   // a single tag (with its attributes) may not exceed this
)

// errMarkupTooLong is returned for a tag, comment or processing instruction
// longer than xmlBufMax: no workbook writes such a thing.
var errMarkupTooLong = errors.New("an XML tag is too long")

// errTextTooLong is returned by text when character data exceeds its limit.
var errTextTooLong = errors.New("text too long")

// errRowTextTooLong: the wanted cells of one row hold more than maxRowText
// of text between them (a row naming one column again and again).
var errRowTextTooLong = errors.New("row text too long")

func newXMLScanner(r io.Reader) *xmlScanner {
	return &xmlScanner{r: r, buf: make([]byte, xmlBufSize), cleanEnd: -1}
}

// fill moves unread data to the front of the buffer and reads more. It
// reports whether any new data arrived. Offsets into the buffer kept by a
// caller must be relative to s.pos, which fill may change.
func (s *xmlScanner) fill() bool {
	if s.eof || s.err != nil {
		return false
	}
	if s.pos > 0 {
		s.end = copy(s.buf, s.buf[s.pos:s.end])
		s.off += int64(s.pos)
		s.pos = 0
	}
	if s.end == len(s.buf) {
		if len(s.buf) >= xmlBufMax {
			s.err = errMarkupTooLong
			return false
		}
		nb := make([]byte, 2*len(s.buf))
		copy(nb, s.buf[:s.end])
		s.buf = nb
	}
	for range 100 {
		n, err := s.r.Read(s.buf[s.end:])
		s.end += n
		if err != nil {
			if err == io.EOF {
				s.eof = true
			} else {
				s.err = err
			}
			return n > 0
		}
		if n > 0 {
			return true
		}
	}
	s.err = io.ErrNoProgress
	return false
}

// ensure makes at least n unread bytes available, if the stream has them.
func (s *xmlScanner) ensure(n int) bool {
	for s.end-s.pos < n {
		if !s.fill() {
			return false
		}
	}
	return true
}

// skipPast advances past the next occurrence of seq, searching from s.pos+from.
func (s *xmlScanner) skipPast(from int, seq string) bool {
	for {
		if s.pos+from <= s.end {
			if i := bytes.Index(s.buf[s.pos+from:s.end], []byte(seq)); i >= 0 {
				s.pos += from + i + len(seq)
				return true
			}
		}
		// Keep the last len(seq)-1 bytes: the sequence may straddle the refill.
		keep := max(s.end-(s.pos+from), 0)
		if keep > len(seq)-1 {
			s.pos = s.end - (len(seq) - 1)
			from = 0
		}
		if !s.fill() {
			s.pos = s.end
			return false
		}
	}
}

// next advances to the next tag and returns its kind, local name (without
// a namespace prefix) and raw attribute text. Text, comments, processing
// instructions, CDATA sections and doctype declarations between tags are
// skipped. At the end of the stream it returns xmlEOF and s.err (nil on a
// clean end).
func (s *xmlScanner) next() (kind int, name, attrs []byte, err error) {
	for {
		p := s.pos
		if p >= s.end || s.buf[p] != '<' {
			i := -1
			if p < s.end {
				i = bytes.IndexByte(s.buf[p:s.end], '<')
			}
			if i < 0 {
				s.pos = s.end
				if !s.fill() {
					return xmlEOF, nil, nil, s.err
				}
				continue
			}
			p += i
			s.pos = p
		}
		// One pass over the tag: name, then attributes up to '>' (quoted
		// values may hold '>'). If the buffer ends first, refill and start
		// again from the '<'.
		buf := s.buf[:s.end]
		k := p + 1
		if k >= len(buf) {
			if !s.fill() {
				s.pos = s.end
				return xmlEOF, nil, nil, s.err
			}
			continue
		}
		c := buf[k]
		kind = xmlStart
		switch c {
		case '/':
			kind = xmlEnd
			k++
		case '?', '!':
			s.skipSpecial()
			continue
		}
		local := k
		for k < len(buf) {
			c = buf[k]
			if c == '>' || c == '/' || c <= ' ' {
				break
			}
			if c == ':' {
				local = k + 1
			}
			k++
		}
		if k < len(buf) && c == '>' {
			s.pos = k + 1
			return kind, buf[local:k], nil, nil
		}
		nameEnd, attrStart := k, k
		// Usually the attributes' values are in double quotes and hold no
		// '>': then the first '>' ends the tag when the quotes before it
		// pair up, found by three vector searches rather than a loop over
		// every byte. Otherwise walk the values one by one.
		if j := bytes.IndexByte(buf[k:], '>'); j >= 0 {
			seg := buf[k : k+j]
			if bytes.IndexByte(seg, '\'') < 0 && bytes.Count(seg, []byte{'"'})%2 == 0 {
				k += j
			}
		}
		for k < len(buf) {
			c = buf[k]
			if c == '>' {
				break
			}
			if c == '"' || c == '\'' {
				q := bytes.IndexByte(buf[k+1:], c)
				if q < 0 {
					k = len(buf)
					break
				}
				k += q + 2
				continue
			}
			k++
		}
		if k >= len(buf) {
			if !s.fill() {
				s.pos = s.end
				return xmlEOF, nil, nil, s.err
			}
			continue
		}
		attrs = buf[attrStart:k]
		if n := len(attrs); n > 0 && attrs[n-1] == '/' {
			attrs = attrs[:n-1]
			if kind == xmlStart {
				kind = xmlEmpty
			}
		}
		s.pos = k + 1
		return kind, buf[local:nameEnd], attrs, nil
	}
}

// skipCell moves past the end tag of the unprefixed <c> element whose
// start tag was just read, when its content holds nothing that could hide
// an end tag ("</c" followed by anything but '>'; a comment, CDATA section
// or processing instruction before it) and the end tag is near. It reports whether it did; when it
// did not, the position is unchanged and the caller reads the content tag
// by tag. Within a cell the first "</c>" ends it: its content elements (v,
// f, is, t, r, rPh …) never start with c, and character data cannot hold '<'.
func (s *xmlScanner) skipCell() bool {
	j := 0 // offset from s.pos of the next byte to look at
	for {
		rest := s.buf[s.pos:s.end]
		if j < len(rest) {
			if i := bytes.IndexByte(rest[j:], '<'); i >= 0 {
				j += i
				if j+3 < len(rest) {
					switch rest[j+1] {
					case '/':
						if rest[j+2] == 'c' {
							if rest[j+3] != '>' {
								return false
							}
							s.pos += j + 4
							return true
						}
					case '!', '?':
						return false
					}
					j++
					continue
				}
			} else {
				j = len(rest)
			}
		}
		if len(rest) > 64<<10 || !s.fill() {
			return false
		}
	}
}

// jumpTo moves the scanner to the next occurrence, in the buffered data,
// of needle, a start or end tag written the usual way (such as `<c r="G12"`
// or `</row>`), when it lies before the first `</row>` and nothing between
// here and that could hide markup (a comment, CDATA section or processing
// instruction: character data and attribute values cannot hold '<'). It
// reports whether it moved; when it did not, the caller reads on tag by
// tag. key indexes a byte of needle that is rare in a worksheet (a column
// letter, the w of row): the search runs by vector search for that byte
// rather than comparing at every position. The row's end, once found and
// checked, serves the later jumps in the same row.
func (s *xmlScanner) jumpTo(needle []byte, key int) bool {
	rest := s.buf[s.pos:s.end]
	here := s.off + int64(s.pos)
	if here < s.cleanFrom || here > s.cleanEnd {
		end := indexKeyed(rest, rowEndTag, 4)
		if end < 0 || hidesMarkup(rest[:end]) {
			// The row goes on past the buffered data, is written
			// otherwise, or holds a comment, CDATA section or
			// processing instruction.
			return false
		}
		s.cleanFrom, s.cleanEnd = here, here+int64(end)
	}
	// Unread data stays in the buffer, so the stretch is still there.
	end := int(s.cleanEnd - here)
	at := end
	if !bytes.Equal(needle, rowEndTag) {
		if at = indexKeyed(rest[:end], needle, key); at < 0 {
			return false
		}
	}
	s.pos += at
	return true
}

var rowEndTag = []byte("</row>")

// indexKeyed is bytes.Index(b, needle), found by searching for needle[key].
func indexKeyed(b, needle []byte, key int) int {
	c := needle[key]
	for from := key; from < len(b); {
		j := bytes.IndexByte(b[from:], c)
		if j < 0 {
			return -1
		}
		at := from + j - key
		if at+len(needle) > len(b) {
			return -1
		}
		if bytes.Equal(b[at:at+len(needle)], needle) {
			return at
		}
		from += j + 1
	}
	return -1
}

// hidesMarkup reports whether b holds "<!" or "<?": the start of a comment,
// CDATA section, declaration or processing instruction, whose text could
// look like a tag. '!' and '?' are rare in a worksheet, so they are what is
// searched for.
func hidesMarkup(b []byte) bool {
	for _, c := range [...]byte{'!', '?'} {
		for from := 1; from < len(b); {
			j := bytes.IndexByte(b[from:], c)
			if j < 0 {
				break
			}
			if b[from+j-1] == '<' {
				return true
			}
			from += j + 1
		}
	}
	return false
}

// plainCell reads the content of a cell, its start tag just read, when it
// is written the way nearly every cell is: <v>text</v></c>, or
// <is><t>text</t></is></c> (the t tag perhaps with xml:space="preserve"),
// the text holding no markup and the whole in the buffered data. Then the
// text (entities decoded) is in p.v or p.is, the scanner is past </c>, and
// it reports which; otherwise it reports neither and nothing has moved, and
// the caller reads the content tag by tag.
func (s *xmlScanner) plainCell(p *sheetParser) (hasV, hasIs bool) {
	rest := s.buf[s.pos:s.end]
	var open, close string
	switch {
	case bytes.HasPrefix(rest, []byte("<v>")):
		open, close = "<v>", "</v></c>"
	case bytes.HasPrefix(rest, []byte("<is><t>")):
		open, close = "<is><t>", "</t></is></c>"
	case bytes.HasPrefix(rest, []byte(`<is><t xml:space="preserve">`)):
		open, close = `<is><t xml:space="preserve">`, "</t></is></c>"
	default:
		return false, false
	}
	text := rest[len(open):]
	i := bytes.IndexByte(text, '<')
	if i < 0 || !bytes.HasPrefix(text[i:], []byte(close)) {
		return false, false
	}
	text = text[:i]
	if open == "<v>" {
		p.v = appendXMLText(p.v[:0], text)
		hasV = true
	} else {
		p.is = appendXMLText(p.is[:0], text)
		hasIs = true
	}
	s.pos += len(open) + i + len(close)
	return hasV, hasIs
}

// prefixed reports whether the tag whose local name is name (a slice of the
// buffer returned by next) was written with a namespace prefix.
func (s *xmlScanner) prefixed(name []byte) bool {
	off := cap(s.buf) - cap(name) // name's offset in buf
	return off < 1 || off > len(s.buf) || s.buf[off-1] != '<'
}

// skipSpecial skips the comment, CDATA section, processing instruction or
// declaration starting at s.pos ("<!" or "<?").
func (s *xmlScanner) skipSpecial() {
	if s.buf[s.pos+1] == '?' {
		s.skipPast(2, "?>")
		return
	}
	s.ensure(9)
	rest := s.buf[s.pos:s.end]
	switch {
	case bytes.HasPrefix(rest, []byte("<!--")):
		s.skipPast(4, "-->")
	case bytes.HasPrefix(rest, []byte("<![CDATA[")):
		s.skipPast(9, "]]>")
	default:
		s.skipPast(2, ">")
	}
}

func isXMLSpace(c byte) bool { return c == ' ' || c == '\t' || c == '\n' || c == '\r' }

// text appends to dst the character data from the current position up to the
// next tag (entities decoded, CDATA sections kept, comments dropped), and
// leaves the scanner at that tag. It fails with errTextTooLong when the
// data would take dst past limit bytes.
func (s *xmlScanner) text(dst []byte, limit int) ([]byte, error) {
	s.raw = s.raw[:0]
	for {
		i := bytes.IndexByte(s.buf[s.pos:s.end], '<')
		if i < 0 {
			s.raw = append(s.raw, s.buf[s.pos:s.end]...)
			s.pos = s.end
			if len(s.raw) > 4*limit {
				return dst, errTextTooLong
			}
			if !s.fill() {
				return appendXMLText(dst, s.raw), s.err
			}
			continue
		}
		if len(s.raw) == 0 {
			dst = appendXMLText(dst, s.buf[s.pos:s.pos+i])
		} else {
			s.raw = append(s.raw, s.buf[s.pos:s.pos+i]...)
			dst = appendXMLText(dst, s.raw)
			s.raw = s.raw[:0]
		}
		s.pos += i
		if len(dst) > limit {
			return dst, errTextTooLong
		}
		if s.pos+1 < s.end && s.buf[s.pos+1] != '!' {
			return dst, nil // the usual case: the closing tag
		}
		s.ensure(9)
		rest := s.buf[s.pos:s.end]
		switch {
		case bytes.HasPrefix(rest, []byte("<![CDATA[")):
			start := len(dst)
			s.pos += 9
			for {
				j := bytes.Index(s.buf[s.pos:s.end], []byte("]]>"))
				if j >= 0 {
					dst = append(dst, s.buf[s.pos:s.pos+j]...)
					s.pos += j + 3
					break
				}
				// keep two bytes that may start "]]>"
				take := max(s.end-s.pos-2, 0)
				dst = append(dst, s.buf[s.pos:s.pos+take]...)
				s.pos += take
				if len(dst) > limit {
					return dst, errTextTooLong
				}
				if !s.fill() {
					dst = append(dst, s.buf[s.pos:s.end]...)
					s.pos = s.end
					return dst, s.err
				}
			}
			dst = append(dst[:start], normaliseNewlines(dst[start:])...)
		case bytes.HasPrefix(rest, []byte("<!--")):
			s.skipPast(4, "-->")
		default:
			return dst, nil
		}
		if len(dst) > limit {
			return dst, errTextTooLong
		}
	}
}

// normaliseNewlines turns CR LF and lone CR into LF, in place.
func normaliseNewlines(b []byte) []byte {
	if bytes.IndexByte(b, '\r') < 0 {
		return b
	}
	out := b[:0]
	for i := 0; i < len(b); i++ {
		c := b[i]
		if c == '\r' {
			if i+1 < len(b) && b[i+1] == '\n' {
				continue
			}
			c = '\n'
		}
		out = append(out, c)
	}
	return out
}

// appendXMLText appends src with XML entity and character references
// decoded and line ends normalised. Unknown or malformed references are kept
// as they stand.
func appendXMLText(dst, src []byte) []byte {
	if bytes.IndexByte(src, '\r') >= 0 {
		return appendXMLTextCR(dst, src)
	}
	for len(src) > 0 {
		amp := bytes.IndexByte(src, '&')
		if amp < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:amp]...)
		src = src[amp:]
		semi := bytes.IndexByte(src[:min(len(src), 12)], ';')
		if semi < 0 {
			dst = append(dst, '&')
			src = src[1:]
			continue
		}
		ref := src[1:semi]
		switch string(ref) {
		case "amp":
			dst = append(dst, '&')
		case "lt":
			dst = append(dst, '<')
		case "gt":
			dst = append(dst, '>')
		case "quot":
			dst = append(dst, '"')
		case "apos":
			dst = append(dst, '\'')
		default:
			r, ok := charRef(ref)
			if !ok {
				dst = append(dst, '&')
				src = src[1:]
				continue
			}
			dst = utf8.AppendRune(dst, r)
		}
		src = src[semi+1:]
	}
	return dst
}

// appendXMLTextCR is appendXMLText for text holding carriage returns: each
// line is decoded on its own, CR LF and lone CR becoming LF.
func appendXMLTextCR(dst, src []byte) []byte {
	for {
		cr := bytes.IndexByte(src, '\r')
		if cr < 0 {
			return appendXMLText(dst, src)
		}
		dst = appendXMLText(dst, src[:cr])
		dst = append(dst, '\n')
		src = src[cr+1:]
		if len(src) > 0 && src[0] == '\n' {
			src = src[1:]
		}
	}
}

// charRef decodes "#10" or "#x0A" (the part of a character reference
// between & and ;).
func charRef(ref []byte) (rune, bool) {
	if len(ref) < 2 || ref[0] != '#' {
		return 0, false
	}
	base := 10
	digits := ref[1:]
	if digits[0] == 'x' {
		base = 16
		digits = digits[1:]
	}
	if len(digits) == 0 {
		return 0, false
	}
	var n rune
	for _, c := range digits {
		d := hexVal(c)
		if d < 0 || d >= base {
			return 0, false
		}
		n = n*rune(base) + rune(d)
		if n > utf8.MaxRune {
			return 0, false
		}
	}
	if n == 0 || !utf8.ValidRune(n) {
		return 0, false
	}
	return n, true
}

func hexVal(c byte) int {
	switch {
	case c >= '0' && c <= '9':
		return int(c - '0')
	case c >= 'a' && c <= 'f':
		return int(c-'a') + 10
	case c >= 'A' && c <= 'F':
		return int(c-'A') + 10
	}
	return -1
}

// appendXstring appends src with Excel's ST_Xstring escapes decoded: _xHHHH_
// stands for the UTF-16 code unit HHHH (how Excel stores characters XML
// cannot hold, such as carriage returns and control characters, and
// _x005F_ for a literal underscore that would otherwise start an escape).
// A surrogate pair written as two escapes is joined; a lone surrogate
// becomes U+FFFD.
func appendXstring(dst, src []byte) []byte {
	for {
		i := bytes.Index(src, []byte("_x"))
		if i < 0 {
			return append(dst, src...)
		}
		dst = append(dst, src[:i]...)
		src = src[i:]
		u, ok := xstringUnit(src)
		if !ok {
			dst = append(dst, '_')
			src = src[1:]
			continue
		}
		src = src[7:]
		r := rune(u)
		if utf16IsHigh(u) {
			if lo, ok := xstringUnit(src); ok && utf16IsLow(lo) {
				r = 0x10000 + (rune(u)-0xD800)<<10 + (rune(lo) - 0xDC00)
				src = src[7:]
			} else {
				r = utf8.RuneError
			}
		} else if utf16IsLow(u) {
			r = utf8.RuneError
		}
		dst = utf8.AppendRune(dst, r)
	}
}

// xstringUnit decodes the escape "_xHHHH_" at the start of b.
func xstringUnit(b []byte) (uint16, bool) {
	if len(b) < 7 || b[0] != '_' || b[1] != 'x' || b[6] != '_' {
		return 0, false
	}
	var u uint16
	for _, c := range b[2:6] {
		d := hexVal(c)
		if d < 0 {
			return 0, false
		}
		u = u<<4 | uint16(d)
	}
	return u, true
}

func utf16IsHigh(u uint16) bool { return u >= 0xD800 && u < 0xDC00 }
func utf16IsLow(u uint16) bool  { return u >= 0xDC00 && u < 0xE000 }

// xmlAttrs iterates over the attributes of a tag's raw attribute text.
type xmlAttrs struct{ b []byte }

// next returns the next attribute's (possibly prefixed) name and raw value.
func (a *xmlAttrs) next() (name, val []byte, ok bool) {
	b := a.b
	// The usual form in a worksheet, ` r="B2"`: one search.
	if len(b) >= 5 && b[0] == ' ' && b[2] == '=' && b[3] == '"' && b[1] > ' ' {
		if q := bytes.IndexByte(b[4:], '"'); q >= 0 {
			a.b = b[5+q:]
			return b[1:2], b[4 : 4+q], true
		}
	}
	for len(b) > 0 && isXMLSpace(b[0]) {
		b = b[1:]
	}
	eq := bytes.IndexByte(b, '=')
	if eq <= 0 {
		a.b = nil
		return nil, nil, false
	}
	name = b[:eq]
	for len(name) > 0 && isXMLSpace(name[len(name)-1]) {
		name = name[:len(name)-1]
	}
	b = b[eq+1:]
	for len(b) > 0 && isXMLSpace(b[0]) {
		b = b[1:]
	}
	if len(b) == 0 || (b[0] != '"' && b[0] != '\'') {
		a.b = nil
		return nil, nil, false
	}
	q := bytes.IndexByte(b[1:], b[0])
	if q < 0 {
		a.b = nil
		return nil, nil, false
	}
	val = b[1 : 1+q]
	a.b = b[q+2:]
	return name, val, true
}

// readAhead returns src read ahead on a second goroutine (asyncReader)
// when a second core is there to run it: inflating a part then runs beside
// its parsing. With one core (GOMAXPROCS=1), or all the machine's cores
// busy (coresBusy, the rule the csv reader follows), the two would only
// take turns, and the hand-over (a copy of every inflated byte and a
// channel send per chunk) would be pure cost: then src is read directly.
// CASEAUDIT_XLSX_READAHEAD=never or always overrides the choice (for
// measuring).
func readAhead(src io.ReadCloser) io.ReadCloser {
	switch os.Getenv("CASEAUDIT_XLSX_READAHEAD") {
	case "never":
		return src
	case "always":
		return newAsyncReader(src)
	}
	if runtime.GOMAXPROCS(0) < 2 || coresBusy() {
		return src
	}
	return newAsyncReader(src)
}

// asyncReader reads its source ahead in a goroutine, so that inflating a
// worksheet (about half the work) runs beside the scanning. It holds at
// most asyncChunks buffers of asyncChunkSize bytes.
type asyncReader struct {
	src    io.ReadCloser
	filled chan asyncChunk
	free   chan []byte
	done   chan struct{}
	exited chan struct{}
	cur    []byte // unread part of the current chunk
	curBuf []byte // the current chunk's buffer, to give back
	err    error
	closed bool
}

type asyncChunk struct {
	b   []byte
	err error
}

const (
	asyncChunks    = 4
	asyncChunkSize = 256 << 10
)

func newAsyncReader(src io.ReadCloser) *asyncReader {
	a := &asyncReader{
		src:    src,
		filled: make(chan asyncChunk, asyncChunks),
		free:   make(chan []byte, asyncChunks),
		done:   make(chan struct{}),
		exited: make(chan struct{}),
	}
	for range asyncChunks {
		a.free <- make([]byte, asyncChunkSize)
	}
	go a.loop()
	return a
}

func (a *asyncReader) loop() {
	defer close(a.exited)
	for {
		var buf []byte
		select {
		case buf = <-a.free:
		case <-a.done:
			return
		}
		n := 0
		var err error
		for n < len(buf) && err == nil {
			var m int
			m, err = a.src.Read(buf[n:])
			n += m
		}
		select {
		case a.filled <- asyncChunk{b: buf[:n], err: err}:
		case <-a.done:
			return
		}
		if err != nil {
			return
		}
	}
}

func (a *asyncReader) Read(p []byte) (int, error) {
	for len(a.cur) == 0 {
		if a.err != nil {
			return 0, a.err
		}
		if a.curBuf != nil {
			a.free <- a.curBuf[:cap(a.curBuf)]
			a.curBuf = nil
		}
		c := <-a.filled
		a.cur, a.curBuf, a.err = c.b, c.b, c.err
	}
	n := copy(p, a.cur)
	a.cur = a.cur[n:]
	return n, nil
}

// Close stops the read-ahead and closes the source.
func (a *asyncReader) Close() error {
	if a.closed {
		return nil
	}
	a.closed = true
	close(a.done)
	<-a.exited
	return a.src.Close()
}
