package export

import (
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Footnotes under a table, and error values in the ID column.
//
// Published tables (DfE statistics, Ofsted lists, many case-management
// reports) end with notes below a blank row: "Notes", "Source: …", a URL,
// "(b) The majority of …". Read as rows, their first cells become case IDs.
// The rows pipeline (Table.Rows) tells them apart by the look of the IDs:
// every ID of the table has a shape (letters, digits and punctuation, each
// run written once: "CR-0001234" is "AA-9", "100001" is "9"), and an ID
// column holds few shapes. After a blank row, rows whose ID cell does not
// have one of the column's shapes are held back; if a row that does comes
// later, the held rows were part of the table after all and are passed on
// as they were; if the sheet ends first, they are a footer block, passed
// on marked Row.Footer for the caller to skip and count with the other
// skipped rows, provided one of them reads as a note (see noteLike: words,
// a URL, "Source: …", "(b) …", "Notes"). A block of short codes of a new
// shape at the end of a table (another kind of ID) is data. Nothing is
// judged by shape until the table has shown minShapeIDs IDs, nor in a
// column whose IDs have more than maxIDShapes shapes (free text), and a
// block longer than maxFooterRows is data.
//
// A case ID that is an error value (#REF!, #N/A, …: a formula that failed)
// is refused with the row and column: the case it stands for cannot be
// identified, and leaving it out would change the population unseen.

const (
	learnAllIDs   = 4096 // the shapes of the first IDs are all learnt,
	learnEvery    = 32   // then one ID's in learnEvery (a power of two)
	maxFooterRows = 100
	maxIDShapes   = 16
	minShapeIDs   = 3
	maxShapeLen   = 24 // longer shapes are cut (and so never match a short ID's)
)

// idShapes are the shapes of an ID column's IDs.
type idShapes struct {
	shapes []string // distinct shapes, at most maxIDShapes+1
	ids    int      // IDs learnt
	last   int      // index of the shape the last ID had
	maxLen int      // the longest ID, in bytes
	buf    []byte
}

// shape appends the shape of id: each run of ASCII digits is '9', of upper
// or lower case letters 'A' or 'a', of spaces ' ', of any other character
// that character ('?' for other non-letters outside ASCII).
func appendShape(dst []byte, id string) []byte {
	start := len(dst)
	for i := 0; i < len(id) && len(dst)-start < maxShapeLen; {
		c := id[i]
		var k byte
		if c < utf8.RuneSelf {
			i++
			switch {
			case c >= '0' && c <= '9':
				k = '9'
			case c >= 'A' && c <= 'Z':
				k = 'A'
			case c >= 'a' && c <= 'z':
				k = 'a'
			case c == ' ' || c == '\t':
				k = ' '
			default:
				k = c
			}
		} else {
			r, n := utf8.DecodeRuneInString(id[i:])
			i += n
			switch {
			case unicode.IsUpper(r):
				k = 'A'
			case unicode.IsLetter(r):
				k = 'a'
			case unicode.IsDigit(r):
				k = '9'
			case unicode.IsSpace(r):
				k = ' '
			default:
				k = '?'
			}
		}
		if len(dst) == start || dst[len(dst)-1] != k {
			dst = append(dst, k)
		}
	}
	return dst
}

// usable reports whether the shapes can judge an ID: enough IDs seen, and
// few enough shapes.
func (s *idShapes) usable() bool {
	return s.ids >= minShapeIDs && len(s.shapes) <= maxIDShapes
}

// find returns the index of id's shape among the shapes, or -1.
func (s *idShapes) find(id string) int {
	s.buf = appendShape(s.buf[:0], id)
	if s.last < len(s.shapes) && s.shapes[s.last] == string(s.buf) {
		return s.last
	}
	for i, sh := range s.shapes {
		if sh == string(s.buf) {
			s.last = i
			return i
		}
	}
	return -1
}

// learn adds an ID of the table.
func (s *idShapes) learn(id string) {
	s.ids++
	s.maxLen = max(s.maxLen, len(id))
	if s.find(id) < 0 && len(s.shapes) <= maxIDShapes {
		s.shapes = append(s.shapes, string(s.buf))
		s.last = len(s.shapes) - 1
	}
}

// footerFinder sits between a grid's scan and the rows pipeline: see above.
type footerFinder struct {
	t      *Table
	shapes idShapes
	seen   int  // IDs of the table seen
	gap    bool // a blank row since the last row of the table, and the shapes are usable
	held   []heldRow
}

type heldRow struct {
	num   int
	cells []string // nil for a blank row
}

// emitFunc passes a row on to the pipeline; footer marks a footer row.
type emitFunc func(num int, cells []string, footer bool) error

// row takes one row below the header row.
func (f *footerFinder) row(num int, cells []string, emit emitFunc) error {
	if !f.gap && len(cells) > f.t.IDIndex {
		// The common case, a row of the table, in few instructions: its
		// ID is neither an error value nor blank-edged, and its shape is
		// not to be learnt (see data).
		if id := cells[f.t.IDIndex]; len(id) > 0 && id[0] != '#' && id[0] != 'E' && id[0] > ' ' && id[len(id)-1] > ' ' &&
			f.shapes.ids >= learnAllIDs && f.seen&(learnEvery-1) != 0 {
			f.seen++
			return emit(num, cells, false)
		}
	}
	if len(cells) == 0 {
		if len(f.held) > 0 {
			f.held = append(f.held, heldRow{num: num})
			return nil
		}
		f.gap = f.shapes.usable()
		return emit(num, cells, false)
	}
	id := f.id(cells)
	if f.gap {
		if (id == "" || f.shapes.find(id) < 0) && len(f.held) < maxFooterRows {
			f.held = append(f.held, heldRow{num: num, cells: slices.Clone(cells)})
			return nil
		}
		// The table goes on (or the block is too long for notes): what was
		// held is data.
		f.gap = false
		if err := f.release(emit); err != nil {
			return err
		}
	}
	return f.data(num, cells, id, emit)
}

func (f *footerFinder) id(cells []string) string {
	if f.t.IDIndex < len(cells) {
		return CaseID(cells[f.t.IDIndex])
	}
	return ""
}

// data passes on a row of the table, learning its ID's shape.
func (f *footerFinder) data(num int, cells []string, id string, emit emitFunc) error {
	if id != "" {
		if id[0] == '#' || id[0] == 'E' {
			if isErrorValue(id) {
				return &InputError{Path: f.t.Path, Sheet: f.t.Sheet, Row: num, Column: f.t.Header[f.t.IDIndex],
					Msg:  fmt.Sprintf("the case ID is the error value %s (a formula that failed), not an ID", id),
					Hint: "correct the ID in the file (or remove the row) and try again"}
			}
		}
		// Learning every ID's shape would cost a few percent of reading a
		// csv: the first learnAllIDs, then one in learnEvery, say enough.
		if f.shapes.ids < learnAllIDs || f.seen&(learnEvery-1) == 0 {
			f.shapes.learn(id)
		}
		f.seen++
	}
	return emit(num, cells, false)
}

// release passes on the held rows as rows of the table.
func (f *footerFinder) release(emit emitFunc) error {
	held := f.held
	f.held = nil
	for _, h := range held {
		if h.cells == nil {
			if err := emit(h.num, nil, false); err != nil {
				return err
			}
			continue
		}
		if err := f.data(h.num, h.cells, f.id(h.cells), emit); err != nil {
			return err
		}
	}
	return nil
}

// end passes on the held rows, at the end of the sheet: as a footer block
// if one of them reads as a note, else as rows of the table.
func (f *footerFinder) end(emit emitFunc) error {
	notes := false
	for _, h := range f.held {
		if h.cells != nil && f.noteLike(f.id(h.cells)) {
			notes = true
			break
		}
	}
	if !notes {
		return f.release(emit)
	}
	for _, h := range f.held {
		if err := emit(h.num, h.cells, h.cells != nil); err != nil {
			return err
		}
	}
	f.held = nil
	return nil
}

// noteLike reports whether the first cell of a row under a table reads as
// a note rather than an ID: words (two or more, or one much longer than
// any ID), a URL, a label and a colon ("Source: …"), a mark that opens a
// footnote ("(b) …", "* …", "1. …"), or a heading such as "Notes".
func (f *footerFinder) noteLike(id string) bool {
	if id == "" {
		return false
	}
	if len(id) > 2*f.shapes.maxLen+8 || strings.Contains(id, "://") || strings.HasPrefix(id, "www.") ||
		strings.Contains(id, ": ") || strings.HasSuffix(id, ":") {
		return true
	}
	switch id[0] {
	case '(', '*', '[':
		return true
	}
	if i := strings.IndexAny(id, ".)"); i > 0 && i <= 3 && i+1 < len(id) && id[i+1] == ' ' {
		return true // "1. …", "b) …"
	}
	words := 0
	for _, w := range strings.Fields(id) {
		for _, r := range w {
			if unicode.IsLetter(r) {
				words++
				break
			}
		}
	}
	if words >= 2 {
		return true
	}
	switch strings.ToLower(strings.TrimRight(id, ".:")) {
	case "note", "notes", "footnote", "footnotes", "source", "sources", "key", "definitions", "comments", "caveats":
		return true
	}
	return false
}
