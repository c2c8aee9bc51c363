package export

import (
	"encoding/binary"
	"io"
)

// sharedStrings is the shared strings table, front-coded: entries are kept
// in blocks of sstBlock, the first of a block whole (a varint length and
// the text) and each of the others as the length of the prefix it shares
// with the entry before it and the rest: one byte holding both when the
// prefix is under 15 bytes and the rest under 16, else 0xff and two
// varints, then the rest's text. Workbooks list their shared strings in the order the cells first
// use them, so a column of case references fills the table with runs of
// neighbours (CR-0001234, CR-0001235, …) that share all but a byte or two:
// a million of them take about 3 MB here, against 15 MB held whole with an
// offset each, and the table is held for as long as a sheet is read, beside
// everything the reading keeps. Entries without a shared prefix cost one
// to three bytes on their text, still less than an offset.
// Reading an entry decodes at most sstBlock-1 entries before it, without
// copying what the wanted one does not share; sstReader keeps the entries a
// sheet uses again and again (teams, workers, statuses) as strings.
type sharedStrings struct {
	data  []byte   // the blocks
	block []uint32 // block k starts at data[block[k]]
	empty []uint64 // bit i: entry i is ""
	n     int
	last  []byte // while loading: the entry added last
}

const sstBlock = 16

func (t *sharedStrings) count() int {
	if t == nil {
		return 0
	}
	return t.n
}

// add appends an entry.
func (t *sharedStrings) add(s []byte) {
	if t.n%sstBlock == 0 {
		t.block = append(t.block, uint32(len(t.data)))
		t.data = binary.AppendUvarint(t.data, uint64(len(s)))
		t.data = append(t.data, s...)
	} else {
		pre := 0
		for pre < len(s) && pre < len(t.last) && s[pre] == t.last[pre] {
			pre++
		}
		if rest := len(s) - pre; pre < 15 && rest < 16 {
			t.data = append(t.data, byte(pre<<4|rest))
		} else {
			t.data = append(t.data, 0xff)
			t.data = binary.AppendUvarint(t.data, uint64(pre))
			t.data = binary.AppendUvarint(t.data, uint64(rest))
		}
		t.data = append(t.data, s[pre:]...)
	}
	if len(s) == 0 {
		for len(t.empty) <= t.n>>6 {
			t.empty = append(t.empty, 0)
		}
		t.empty[t.n>>6] |= 1 << (t.n & 63)
	}
	t.last = append(t.last[:0], s...)
	t.n++
}

// done ends loading: the table's slices are trimmed to their length.
func (t *sharedStrings) done() {
	t.data = append([]byte(nil), t.data...)
	t.block = append([]uint32(nil), t.block...)
	t.last = nil
}

// isEmpty reports whether entry i (< count) is "".
func (t *sharedStrings) isEmpty(i int) bool {
	return i>>6 < len(t.empty) && t.empty[i>>6]&(1<<(i&63)) != 0
}

// appendEntry appends entry i (< count) to dst.
func (t *sharedStrings) appendEntry(dst []byte, i int) []byte {
	dst, _ = t.appendEntryAt(dst, i)
	return dst
}

// appendEntryAt appends entry i (< count) to dst and returns where the
// entry after it starts in data.
func (t *sharedStrings) appendEntryAt(dst []byte, i int) ([]byte, int) {
	d := t.data
	p := int(t.block[i/sstBlock])
	var l uint64
	l, p = sstVarint(d, p)
	// The entry being decoded is dst[start:start+have] followed by d[a:b].
	start, have := len(dst), 0
	a, b := p, p+int(l)
	p = b
	for j := i % sstBlock; j > 0; j-- {
		var pre, rest int
		pre, rest, p = t.header(p)
		if pre > have {
			dst = append(dst, d[a:a+pre-have]...)
		} else {
			dst = dst[:start+pre]
		}
		have = pre
		a, b = p, p+rest
		p = b
	}
	return append(dst, d[a:b]...), p
}

// header reads the prefix and rest lengths of an entry that is not the
// first of its block, at data[p], and returns where its text starts.
func (t *sharedStrings) header(p int) (pre, rest, text int) {
	if h := t.data[p]; h != 0xff {
		return int(h >> 4), int(h & 15), p + 1
	}
	v, p := sstVarint(t.data, p+1)
	w, p := sstVarint(t.data, p)
	return int(v), int(w), p
}

// entry returns entry i (< count) as a new string.
func (t *sharedStrings) entry(i int) string {
	return string(t.appendEntry(nil, i))
}

func sstVarint(d []byte, p int) (uint64, int) {
	if c := d[p]; c < 0x80 {
		return uint64(c), p + 1
	}
	v, k := binary.Uvarint(d[p:])
	return v, p + k
}

// sstReader reads a sharedStrings table for one sheet parser. An entry
// used a second time is kept as a string in a small cache, so that the
// entries a column repeats on row after row are decoded once and cost no
// bytes in the row's text; an entry seen once (a case reference) is only
// marked, so that a column of unique entries does not push the repeated
// ones out.
type sstReader struct {
	t    *sharedStrings
	hot  [sstHot]sstHotEntry
	seen [sstSeen]uint32 // entry number + 1

	// The entry decoded last (cur, entry curI, the next starting at
	// data[curP]): a column of case references asks for entries in order,
	// and the next in the same block is then one step on, not up to
	// sstBlock-1 from the block's start.
	cur        []byte
	curI, curP int // curI is entry number + 1
}

type sstHotEntry struct {
	i uint32 // entry number + 1
	s string
}

const (
	sstHot  = 1024
	sstSeen = 4096

	// sstLong is the length past which a shared string is always given as
	// a string of its own rather than copied into the row's text, so that
	// a row's text grows by at most this much a cell for shared strings.
	sstLong = 256
)

// get returns entry i (< count) as a string when the reader holds it or
// the entry is used again, and otherwise appends it to dst.
func (r *sstReader) get(dst []byte, i int) (s string, ok bool, out []byte) {
	h := &r.hot[i%sstHot]
	if h.i == uint32(i)+1 {
		return h.s, true, dst
	}
	if seen := &r.seen[i%sstSeen]; *seen != uint32(i)+1 {
		*seen = uint32(i) + 1
		e := r.decode(i)
		if len(e) > sstLong {
			// A long entry is its own string, so it never grows the
			// row's buffer for the rest of the sheet.
			return string(e), true, dst
		}
		return "", false, append(dst, e...)
	}
	s = string(r.decode(i))
	h.i, h.s = uint32(i)+1, s
	return s, true, dst
}

// decode returns entry i (< count), valid until the next call.
func (r *sstReader) decode(i int) []byte {
	if c := r.curI - 1; r.curI > 0 && i >= c && i/sstBlock == c/sstBlock {
		d, p := r.t.data, r.curP
		for ; c < i; c++ {
			var pre, rest int
			pre, rest, p = r.t.header(p)
			r.cur = append(r.cur[:pre], d[p:p+rest]...)
			p += rest
		}
		r.curI, r.curP = i+1, p
		return r.cur
	}
	if cap(r.cur) > 64<<10 {
		r.cur = nil // not held beyond a long entry's use
	}
	r.cur, r.curP = r.t.appendEntryAt(r.cur[:0], i)
	r.curI = i + 1
	return r.cur
}

// loadSharedStrings reads xl/sharedStrings.xml: each <si> is plain text
// (<t>) or rich text runs (<r><t>), concatenated; phonetic runs (<rPh>) are
// skipped; entities and _xHHHH_ escapes are decoded.
func loadSharedStrings(r io.Reader) (*sharedStrings, error) {
	sc := newXMLScanner(r)
	t := &sharedStrings{}
	var item, dec []byte
	inSI, closed := false, false
	phonetic := 0
	for {
		kind, name, attrs, err := sc.next()
		if err != nil {
			return nil, err
		}
		if kind == xmlEOF {
			break
		}
		switch string(name) {
		case "sst":
			if kind == xmlStart {
				it := xmlAttrs{attrs}
				for n, v, ok := it.next(); ok; n, v, ok = it.next() {
					if string(n) == "uniqueCount" {
						if c, ok := smallUint(v); ok {
							// Neighbouring case references take about
							// four bytes each.
							t.data = make([]byte, 0, min(c, 1<<20)*4)
							t.block = make([]uint32, 0, min(c, 1<<20)/sstBlock+1)
						}
					}
				}
			} else {
				closed = true
			}
		case "si":
			switch kind {
			case xmlStart:
				inSI, phonetic = true, 0
				item = item[:0]
			case xmlEmpty:
				t.add(nil)
			case xmlEnd:
				if inSI {
					dec = appendXstring(dec[:0], item)
					t.add(dec)
					inSI = false
				}
			}
		case "rPh":
			if kind == xmlStart {
				phonetic++
			} else if kind == xmlEnd && phonetic > 0 {
				phonetic--
			}
		case "t":
			if kind == xmlStart && inSI && phonetic == 0 {
				if item, err = sc.text(item, maxCellText); err != nil {
					return nil, err
				}
			}
		}
	}
	if !closed || inSI {
		return nil, io.ErrUnexpectedEOF
	}
	t.done()
	return t, nil
}
