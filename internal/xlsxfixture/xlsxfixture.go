// Package xlsxfixture builds small xlsx packages by hand, part by part, for
// tests that need what a spreadsheet library will not write: odd producers'
// layouts, damaged or hostile files. Nothing here is used outside tests.
package xlsxfixture

import (
	"archive/zip"
	"bytes"
	"encoding/binary"
	"io"
	"strings"
	"unicode/utf16"
)

// Zip builds a zip from name/body pairs (deflated, in order; an entry named
// "mimetype" is stored).
func Zip(parts ...string) ([]byte, error) {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for i := 0; i+1 < len(parts); i += 2 {
		method := zip.Deflate
		if parts[i] == "mimetype" {
			method = zip.Store
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: parts[i], Method: method})
		if err != nil {
			return nil, err
		}
		if _, err := io.WriteString(w, parts[i+1]); err != nil {
			return nil, err
		}
	}
	if err := zw.Close(); err != nil {
		return nil, err
	}
	return buf.Bytes(), nil
}

// The parts of a minimal workbook with one sheet at xl/worksheets/sheet1.xml.
const (
	ContentTypes = `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>`
	PackageRels  = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`
	WorkbookRels = `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/></Relationships>`
)

// Workbook is the workbook part naming one sheet.
func Workbook(sheetName string) string {
	return `<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="` + sheetName + `" sheetId="1" r:id="rId1"/></sheets></workbook>`
}

// Worksheet wraps sheetData XML (and anything else inside <worksheet>).
func Worksheet(inner string) string {
	return `<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` + inner + `</worksheet>`
}

// SheetBook is a minimal workbook whose only sheet has the given sheetData
// XML, written by hand.
func SheetBook(sheetName, sheetData string) ([]byte, error) {
	return Zip(
		"[Content_Types].xml", ContentTypes,
		"_rels/.rels", PackageRels,
		"xl/workbook.xml", Workbook(sheetName),
		"xl/_rels/workbook.xml.rels", WorkbookRels,
		"xl/worksheets/sheet1.xml", Worksheet(sheetData),
	)
}

// Inline is an inline-string cell.
func Inline(ref, s string) string {
	return `<c r="` + ref + `" t="inlineStr"><is><t>` + s + `</t></is></c>`
}

// CFB builds a Compound File (version 3, 512-byte sectors) holding the
// given streams in its root storage, name/content pairs, as an encrypted
// workbook holds EncryptionInfo and EncryptedPackage. Streams under 4,096
// bytes go in the mini stream, as the format requires.
func CFB(streams ...[]byte) []byte {
	const (
		secSize  = 512
		miniSize = 64
		cutoff   = 4096
		endChain = 0xFFFFFFFE
		free     = 0xFFFFFFFF
		fatSect  = 0xFFFFFFFD
		noStream = 0xFFFFFFFF
	)
	type stream struct {
		name  string
		data  []byte
		start uint32
	}
	var ss []stream
	for i := 0; i+1 < len(streams); i += 2 {
		ss = append(ss, stream{name: string(streams[i]), data: streams[i+1]})
	}
	sectors := func(n, size int) int { return (n + size - 1) / size }

	// The mini stream and its FAT.
	var mini []byte
	var miniFAT []uint32
	for i := range ss {
		if len(ss[i].data) >= cutoff {
			continue
		}
		n := sectors(len(ss[i].data), miniSize)
		ss[i].start = uint32(len(miniFAT))
		if n == 0 {
			ss[i].start = endChain
		}
		for k := 0; k < n; k++ {
			next := uint32(len(miniFAT) + 1)
			if k == n-1 {
				next = endChain
			}
			miniFAT = append(miniFAT, next)
		}
		mini = append(mini, ss[i].data...)
		mini = append(mini, make([]byte, n*miniSize-len(ss[i].data))...)
	}

	// Sector layout: directory, mini FAT, mini stream, big streams; the FAT
	// sectors go last, once their number is known.
	var body [][]byte // sector contents in order
	var fat []uint32
	chain := func(data []byte) uint32 {
		n := sectors(len(data), secSize)
		if n == 0 {
			return endChain
		}
		start := uint32(len(body))
		for k := 0; k < n; k++ {
			sec := make([]byte, secSize)
			copy(sec, data[k*secSize:])
			body = append(body, sec)
			next := uint32(len(body))
			if k == n-1 {
				next = endChain
			}
			fat = append(fat, next)
		}
		return start
	}
	// Directory: root, then the streams as a chain of right siblings (a
	// valid, if unbalanced, tree: names sort by length, then upper case).
	sorted := append([]stream(nil), ss...)
	for i := 1; i < len(sorted); i++ {
		for j := i; j > 0 && cfbLess(sorted[j].name, sorted[j-1].name); j-- {
			sorted[j], sorted[j-1] = sorted[j-1], sorted[j]
		}
	}
	dirEntries := 1 + len(sorted)
	dir := make([]byte, sectors(dirEntries*128, secSize)*secSize)
	dirStart := chain(dir) // placeholder content, filled below
	miniFATStart := chain(u32s(miniFAT, secSize))
	miniStart := chain(mini)
	for i := range sorted {
		if len(sorted[i].data) >= cutoff {
			sorted[i].start = chain(sorted[i].data)
		} else {
			for _, s := range ss {
				if s.name == sorted[i].name {
					sorted[i].start = s.start
				}
			}
		}
	}
	entry := func(i int, name string, typ byte, left, right, child, start uint32, size int) {
		e := dir[i*128 : (i+1)*128]
		u := utf16.Encode([]rune(name))
		for k, c := range u {
			binary.LittleEndian.PutUint16(e[2*k:], c)
		}
		binary.LittleEndian.PutUint16(e[64:], uint16(2*len(u)+2))
		e[66], e[67] = typ, 1 // black
		binary.LittleEndian.PutUint32(e[68:], left)
		binary.LittleEndian.PutUint32(e[72:], right)
		binary.LittleEndian.PutUint32(e[76:], child)
		binary.LittleEndian.PutUint32(e[116:], start)
		binary.LittleEndian.PutUint32(e[120:], uint32(size))
	}
	for i := dirEntries; i < len(dir)/128; i++ {
		binary.LittleEndian.PutUint32(dir[i*128+68:], noStream)
		binary.LittleEndian.PutUint32(dir[i*128+72:], noStream)
		binary.LittleEndian.PutUint32(dir[i*128+76:], noStream)
	}
	rootStart := miniStart
	if len(mini) == 0 {
		rootStart = endChain
	}
	child := uint32(noStream)
	if len(sorted) > 0 {
		child = 1
	}
	entry(0, "Root Entry", 5, noStream, noStream, child, rootStart, len(mini))
	for i, s := range sorted {
		right := uint32(noStream)
		if i+1 < len(sorted) {
			right = uint32(i + 2)
		}
		entry(i+1, s.name, 2, noStream, right, noStream, s.start, len(s.data))
	}
	for k := range sectors(len(dir), secSize) {
		copy(body[int(dirStart)+k], dir[k*secSize:])
	}

	// The FAT, which must also map its own sectors.
	nFAT := 1
	for (len(fat)+nFAT)*4 > nFAT*secSize {
		nFAT++
	}
	fatStart := len(body)
	for range nFAT {
		fat = append(fat, fatSect)
	}
	fatBytes := u32s(fat, secSize)
	for k := range nFAT {
		body = append(body, fatBytes[k*secSize:(k+1)*secSize])
	}

	h := make([]byte, secSize)
	copy(h, []byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1})
	binary.LittleEndian.PutUint16(h[24:], 0x3E)   // minor version
	binary.LittleEndian.PutUint16(h[26:], 3)      // major version
	binary.LittleEndian.PutUint16(h[28:], 0xFFFE) // byte order
	binary.LittleEndian.PutUint16(h[30:], 9)      // sector shift
	binary.LittleEndian.PutUint16(h[32:], 6)      // mini sector shift
	binary.LittleEndian.PutUint32(h[44:], uint32(nFAT))
	binary.LittleEndian.PutUint32(h[48:], dirStart)
	binary.LittleEndian.PutUint32(h[56:], cutoff)
	if len(miniFAT) > 0 {
		binary.LittleEndian.PutUint32(h[60:], miniFATStart)
		binary.LittleEndian.PutUint32(h[64:], uint32(sectors(len(miniFAT)*4, secSize)))
	} else {
		binary.LittleEndian.PutUint32(h[60:], endChain)
	}
	binary.LittleEndian.PutUint32(h[68:], endChain) // no DIFAT sectors
	for k := range 109 {
		v := uint32(free)
		if k < nFAT {
			v = uint32(fatStart + k)
		}
		binary.LittleEndian.PutUint32(h[76+4*k:], v)
	}
	out := h
	for _, sec := range body {
		out = append(out, sec...)
	}
	return out
}

// cfbLess orders directory names as a Compound File does: shorter first,
// then by upper-cased UTF-16 code units.
func cfbLess(a, b string) bool {
	ua, ub := utf16.Encode([]rune(strings.ToUpper(a))), utf16.Encode([]rune(strings.ToUpper(b)))
	if len(ua) != len(ub) {
		return len(ua) < len(ub)
	}
	for i := range ua {
		if ua[i] != ub[i] {
			return ua[i] < ub[i]
		}
	}
	return false
}

// u32s lays out little-endian uint32s, padded with free entries (all ones)
// to a multiple of size bytes.
func u32s(v []uint32, size int) []byte {
	n := (len(v)*4 + size - 1) / size * size
	b := bytes.Repeat([]byte{0xFF}, n)
	for i, x := range v {
		binary.LittleEndian.PutUint32(b[4*i:], x)
	}
	return b
}
