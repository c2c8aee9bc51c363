package export

import (
	"bufio"
	"bytes"
	"encoding/binary"
	"errors"
	"io"
	"math/bits"
)

// Parsing csv records: one reused buffer per record, fields located as
// byte ranges, quotes per RFC 4180 with Excel's leniency (see csv.go).

// recReader parses csv records from a stream of UTF-8 (or ASCII-compatible)
// bytes with LF or CRLF line endings: read through a buffer, or in place
// from memory (a file mapped into memory: see csv_map.go), when mem is set.
type recReader struct {
	br      *bufio.Reader
	mem     []byte // the input in memory, from the current position on
	inMem   bool
	comma   byte
	line    int    // physical lines read so far
	lineBuf []byte // a line longer than the bufio buffer
	// The current record: field i is rec[bounds[2i]:bounds[2i+1]]. rec is
	// the line itself when it holds no quote (valid until the next call), or
	// buf, the fields unquoted and copied.
	rec    []byte
	bounds []int
	buf    []byte
	// ascii is set when the bytes of rec that hold its located fields are
	// all ASCII, as the search for the delimiters saw them in passing (for
	// a line without quotes); false says only that they were not looked at
	// that way, or were not all ASCII.
	ascii bool
	// plain is set when rec is a line without quotes, whose fields were
	// located up to limit (see more).
	plain bool
	limit int

	startLine int   // line on which the current record started (or would have)
	off       int64 // bytes consumed by the records read so far
}

func newRecReader(r io.Reader, comma byte, size int) *recReader {
	return &recReader{br: bufio.NewReaderSize(r, size), comma: comma}
}

// newMemRecReader parses the records of data in place.
func newMemRecReader(data []byte, comma byte) *recReader {
	return &recReader{mem: data, inMem: true, comma: comma}
}

// reset makes r read a new stream from its start, keeping its buffers.
func (r *recReader) reset(src io.Reader) {
	r.br.Reset(src)
	r.line, r.startLine, r.off = 0, 0, 0
}

// resetMem makes r read data in place from its start.
func (r *recReader) resetMem(data []byte) {
	r.mem, r.inMem = data, true
	r.line, r.startLine, r.off = 0, 0, 0
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
	if r.inMem {
		return r.memLine()
	}
	line, err = r.br.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		// Checked after each piece, so that a line is too long by its length
		// alone, however the buffer happens to cut it (a chunk of the parallel
		// scan starts its buffer elsewhere than the serial scan).
		r.lineBuf = append(r.lineBuf[:0], line...)
		for err == bufio.ErrBufferFull {
			line, err = r.br.ReadSlice('\n')
			r.lineBuf = append(r.lineBuf, line...)
			if len(r.lineBuf) > maxLineBytes+1 {
				return nil, false, errLongLine
			}
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
	return r.ending(line)
}

// memLine is readLine from memory: the line is a slice of the input.
func (r *recReader) memLine() (line []byte, nl bool, err error) {
	if len(r.mem) == 0 {
		return nil, false, io.EOF
	}
	line = r.mem
	if i := bytes.IndexByte(r.mem, '\n'); i >= 0 {
		line = r.mem[:i+1]
	}
	if len(line) > maxLineBytes+1 { // the same bound as the buffered reader's
		return nil, false, errLongLine
	}
	r.mem = r.mem[len(line):]
	return r.ending(line)
}

// ending counts line, a physical line with its line ending, as read, and
// returns it without the ending.
func (r *recReader) ending(line []byte) ([]byte, bool, error) {
	nl := false
	r.line++
	r.off += int64(len(line))
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
	r.ascii = false
	r.startLine = r.line + 1
	line, nl, err := r.readLine()
	if err != nil {
		return false, err
	}
	if len(line) == 0 {
		r.rec, r.plain = line, false
		return true, nil
	}
	if bytes.IndexByte(line, '"') < 0 {
		// The common case: fields are slices of the line, nothing is copied.
		r.rec, r.plain = line, true
		r.locate(limit)
		return line[0] == r.comma && onlyByte(line, r.comma), nil
	}
	r.plain = false
	return r.quoted(line, nl)
}

// more locates the fields of the current record up to limit (> the limit
// next was given), when next stopped short of them.
func (r *recReader) more(limit int) {
	if r.plain && len(r.bounds) == 2*r.limit {
		r.bounds = r.bounds[:0]
		r.locate(limit)
	}
}

// locate finds the first limit fields (all: limit <= 0) of r.rec, a line
// without quotes.
func (r *recReader) locate(limit int) {
	line := r.rec
	r.limit = limit
	{
		if limit <= 0 {
			limit = len(line) + 1
		}
		// Fields are short: rather than a call per field, look at eight
		// bytes at a time for the delimiter.
		pos, comma := 0, r.comma
		pattern := swarOnes * uint64(comma)
		j := 0
		var seen uint64 // every byte looked at, ORed: its top bits say whether one was not ASCII
	words:
		for ; j+8 <= len(line); j += 8 {
			w := binary.LittleEndian.Uint64(line[j:])
			seen |= w
			m := swarZeroBytes(w ^ pattern)
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
			seen |= uint64(line[j])
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
		r.ascii = seen&(swarOnes*0x80) == 0
	}
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
