package export

import (
	"archive/zip"
	"bytes"
	"encoding/xml"
	"fmt"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/transform"
)

// The small parts of a workbook (the package relationships, xl/workbook.xml,
// its relationships and xl/styles.xml) are read with encoding/xml: they are
// a few kilobytes and read once. The worksheets and the shared strings table
// go through the byte scanner in xlsx_scan.go.

// xlsxSheetEntry is one <sheet> of xl/workbook.xml.
type xlsxSheetEntry struct {
	name   string
	state  string // "", "visible", "hidden", "veryHidden"
	relID  string
	target string // part name inside the zip, resolved from the relationships
	kind   string // last path element of the relationship type: "worksheet", "chartsheet", "dialogsheet", …
}

// xlsxRel is one relationship of a .rels part.
type xlsxRel struct {
	id, typ, target string
	external        bool
}

// relTypeName returns the last element of a relationship type URI
// ("…/relationships/worksheet" -> "worksheet"), which is the same in the
// transitional and the strict OOXML namespaces.
func relTypeName(typ string) string {
	if i := strings.LastIndexByte(typ, '/'); i >= 0 {
		return typ[i+1:]
	}
	return typ
}

// zipPartName is a zip entry's name as a part name: backslashes (which
// some Windows zip tools write) as slashes, no leading slash, lower case
// (part names compare case-insensitively).
func zipPartName(name string) string {
	return strings.ToLower(strings.TrimPrefix(strings.ReplaceAll(name, "\\", "/"), "/"))
}

// utf8Part reads a part's XML as UTF-8. XML may be stored in UTF-16 (Excel
// on Windows Phone and some generators write parts so): a part that starts
// with a UTF-16 byte order mark, or with "<?" in UTF-16 without one, is
// transcoded; any other part is passed through as it is. The small parts'
// decoder accepts the encoding the declaration then names (see
// newPartDecoder); the byte scanner of the big parts ignores declarations.
func utf8Part(rc io.ReadCloser) (io.ReadCloser, error) {
	var head [4]byte
	n, err := io.ReadFull(rc, head[:])
	if err != nil && err != io.ErrUnexpectedEOF && err != io.EOF {
		return nil, err
	}
	h := head[:n]
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(h, bomLE), bytes.HasPrefix(h, bomBE):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM) // the BOM decides
	case bytes.Equal(h, []byte{'<', 0, '?', 0}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	case bytes.Equal(h, []byte{0, '<', 0, '?'}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	}
	r := io.MultiReader(bytes.NewReader(h), rc)
	if enc != nil {
		r = transform.NewReader(r, enc.NewDecoder())
	}
	return partReader{r, rc}, nil
}

type partReader struct {
	io.Reader
	c io.Closer
}

func (p partReader) Close() error { return p.c.Close() }

// newPartDecoder returns an encoding/xml decoder for a small part read
// through utf8Part. A declaration naming UTF-16 is taken as read (the part
// was transcoded, or is in fact ASCII-compatible); ISO-8859-1 and
// Windows-1252 are decoded; other encodings are an error.
func newPartDecoder(r io.Reader) *xml.Decoder {
	d := xml.NewDecoder(r)
	d.Strict = false
	d.CharsetReader = func(label string, input io.Reader) (io.Reader, error) {
		l := strings.ToLower(strings.TrimSpace(label))
		if strings.HasPrefix(l, "utf-16") || strings.HasPrefix(l, "utf16") || l == "ucs-2" || l == "unicode" {
			return input, nil
		}
		switch l {
		case "us-ascii", "ascii", "iso-8859-1", "iso8859-1", "latin1", "latin-1":
			return charmap.ISO8859_1.NewDecoder().Reader(input), nil
		case "windows-1252", "cp1252":
			return charmap.Windows1252.NewDecoder().Reader(input), nil
		}
		return nil, errXMLEncoding{fmt.Errorf("the workbook's XML is in the encoding %q, which caseaudit cannot read (it reads UTF-8, UTF-16, ISO-8859-1 and Windows-1252)", label)}
	}
	return d
}

// errXMLEncoding is a part declaring an encoding the reader does not know;
// readError prints it without encoding/xml's words around it.
type errXMLEncoding struct{ error }

// officeDocumentIsWorkbook reports whether a zip's package relationships
// (_rels/.rels) name a main document part that is a workbook by its content
// type ([Content_Types].xml) or, failing that, by its name. It is for
// telling a workbook stored under other names from other zip files.
func officeDocumentIsWorkbook(zr *zip.Reader) bool {
	parts := map[string]*zip.File{}
	for _, f := range zr.File {
		parts[zipPartName(f.Name)] = f
	}
	read := func(name string) io.ReadCloser {
		f := parts[name]
		if f == nil {
			return nil
		}
		rc, err := f.Open()
		if err != nil {
			return nil
		}
		u, err := utf8Part(partReader{io.LimitReader(rc, 1<<20), rc})
		if err != nil {
			rc.Close()
			return nil
		}
		return u
	}
	rc := read("_rels/.rels")
	if rc == nil {
		return false
	}
	rels, _ := parseRels(rc)
	rc.Close()
	var types contentTypes
	if rc := read("[content_types].xml"); rc != nil {
		types, _ = parseContentTypes(rc)
		rc.Close()
	}
	for _, r := range rels {
		if relTypeName(r.typ) != "officeDocument" || r.external {
			continue
		}
		t := resolvePart("", r.target)
		if parts[strings.ToLower(t)] != nil && types.workbook(t) {
			return true
		}
	}
	return false
}

// contentTypes is [Content_Types].xml: content types by part name and by
// extension (lower case, part names without the leading slash).
type contentTypes struct {
	byPart, byExt map[string]string
}

func parseContentTypes(r io.Reader) (contentTypes, error) {
	ct := contentTypes{byPart: map[string]string{}, byExt: map[string]string{}}
	d := newPartDecoder(r)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return ct, nil
		}
		if err != nil {
			return ct, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		var name, ext, typ string
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "PartName":
				name = zipPartName(a.Value)
			case "Extension":
				ext = strings.ToLower(a.Value)
			case "ContentType":
				typ = a.Value
			}
		}
		switch se.Name.Local {
		case "Override":
			ct.byPart[name] = typ
		case "Default":
			ct.byExt[ext] = typ
		}
	}
}

// workbook reports whether part is a workbook: its content type is a
// spreadsheet's main part (xlsx, xlsm, xltx, xltm, strict), or, when the
// package does not say, its name ends in workbook.xml.
func (ct contentTypes) workbook(part string) bool {
	p := zipPartName(part)
	typ, ok := ct.byPart[p]
	if !ok {
		typ, ok = ct.byExt[strings.ToLower(path.Ext(p))]
		if ok && !strings.Contains(typ, "main+xml") {
			ok = false // "application/xml" for every .xml part says nothing
		}
	}
	if !ok {
		return strings.HasSuffix(p, "workbook.xml")
	}
	t := strings.ToLower(typ)
	return strings.HasSuffix(t, ".main+xml") && (strings.Contains(t, "spreadsheetml") || strings.Contains(t, "ms-excel"))
}

// parseRels reads a relationships part.
func parseRels(r io.Reader) ([]xlsxRel, error) {
	d := newPartDecoder(r)
	var rels []xlsxRel
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return rels, nil
		}
		if err != nil {
			return rels, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok || se.Name.Local != "Relationship" {
			continue
		}
		var rel xlsxRel
		for _, a := range se.Attr {
			switch a.Name.Local {
			case "Id":
				rel.id = a.Value
			case "Type":
				rel.typ = a.Value
			case "Target":
				rel.target = a.Value
			case "TargetMode":
				rel.external = strings.EqualFold(a.Value, "External")
			}
		}
		rels = append(rels, rel)
	}
}

// resolvePart turns a relationship target into a part name as stored in the
// zip (no leading slash), relative to the directory of the source part.
func resolvePart(sourceDir, target string) string {
	if u, err := url.PathUnescape(target); err == nil {
		target = u
	}
	target = strings.ReplaceAll(target, "\\", "/")
	if strings.HasPrefix(target, "/") {
		return strings.TrimPrefix(path.Clean(target), "/")
	}
	return strings.TrimPrefix(path.Clean(path.Join("/", sourceDir, target)), "/")
}

// relsPartFor returns the name of the relationships part of a part:
// "xl/workbook.xml" -> "xl/_rels/workbook.xml.rels".
func relsPartFor(part string) string {
	dir, file := path.Split(part)
	return dir + "_rels/" + file + ".rels"
}

// parseWorkbookXML reads the sheet list and the date system of xl/workbook.xml.
func parseWorkbookXML(r io.Reader) (sheets []xlsxSheetEntry, date1904 bool, err error) {
	d := newPartDecoder(r)
	for {
		tok, err := d.Token()
		if err == io.EOF {
			return sheets, date1904, nil
		}
		if err != nil {
			return sheets, date1904, err
		}
		se, ok := tok.(xml.StartElement)
		if !ok {
			continue
		}
		switch se.Name.Local {
		case "workbookPr":
			for _, a := range se.Attr {
				if a.Name.Local == "date1904" {
					v := strings.TrimSpace(a.Value)
					date1904 = v == "1" || strings.EqualFold(v, "true")
				}
			}
		case "sheet":
			var s xlsxSheetEntry
			for _, a := range se.Attr {
				switch {
				case a.Name.Local == "name" && a.Name.Space == "":
					s.name = a.Value
				case a.Name.Local == "state" && a.Name.Space == "":
					s.state = a.Value
				case a.Name.Local == "id" && a.Name.Space != "":
					s.relID = a.Value
				}
			}
			sheets = append(sheets, s)
		}
	}
}

// numFmtKind is how a number format shows a number: as a number, a date
// (with or without a time of day), a time of day, or an elapsed time.
type numFmtKind uint8

const (
	fmtNumber  numFmtKind = iota
	fmtDate               // d, m (month), y: yyyy-mm-dd, with hh:mm:ss when there is a time
	fmtTime               // h, m (minutes), s alone: hh:mm:ss, the time of day
	fmtElapsed            // [h], [m] or [s]: 255:10:10, hours (minutes, seconds) past 24 (60)
	fmtElapsedMinutes
	fmtElapsedSeconds
)

// xlsxStyles holds, per cell format (the s attribute of a cell, an index
// into cellXfs), how numbers in that format are shown.
type xlsxStyles struct {
	kinds []numFmtKind
}

// kind returns the kind of cell format s (fmtNumber when unknown).
func (st *xlsxStyles) kind(s int) numFmtKind {
	if st == nil || s < 0 || s >= len(st.kinds) {
		return fmtNumber
	}
	return st.kinds[s]
}

// maxStyles bounds the cellXfs entries kept (Excel allows 64,000).
const maxStyles = 1 << 20

// parseStyles reads the number formats of xl/styles.xml.
func parseStyles(r io.Reader) (*xlsxStyles, error) {
	d := newPartDecoder(r)
	custom := map[int]string{}
	var xfIDs []int
	depth := 0
	inCellXfs := false
	cellXfsDepth := 0
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil, err
		}
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			switch t.Name.Local {
			case "numFmt":
				id, code := -1, ""
				for _, a := range t.Attr {
					switch a.Name.Local {
					case "numFmtId":
						if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
							id = n
						}
					case "formatCode":
						code = a.Value
					}
				}
				if id >= 0 {
					custom[id] = code
				}
			case "cellXfs":
				inCellXfs = true
				cellXfsDepth = depth
			case "xf":
				if inCellXfs && depth == cellXfsDepth+1 && len(xfIDs) < maxStyles {
					id := 0
					for _, a := range t.Attr {
						if a.Name.Local == "numFmtId" {
							if n, err := strconv.Atoi(strings.TrimSpace(a.Value)); err == nil {
								id = n
							}
						}
					}
					xfIDs = append(xfIDs, id)
				}
			}
		case xml.EndElement:
			if t.Name.Local == "cellXfs" && inCellXfs && depth == cellXfsDepth {
				inCellXfs = false
			}
			depth--
		}
	}
	st := &xlsxStyles{kinds: make([]numFmtKind, len(xfIDs))}
	for i, id := range xfIDs {
		if code, ok := custom[id]; ok {
			st.kinds[i] = formatCodeKind(code)
		} else {
			st.kinds[i] = builtinFormatKind(id)
		}
	}
	return st, nil
}

// builtinFormatKind is the kind of a built-in number format id: 14–17
// and 22 (d/m/yyyy, d-mmm-yy, m/d/yy h:mm, …), 27–31, 34–36 and 50–58 (East
// Asian dates) are dates; 18–21 (h:mm AM/PM, h:mm:ss), 32–33 (East Asian
// h"時"mm"分") and 45, 47 (mm:ss, mmss.0) are times of day; 46 ([h]:mm:ss)
// is an elapsed time.
func builtinFormatKind(id int) numFmtKind {
	switch {
	case id >= 18 && id <= 21, id == 32, id == 33, id == 45, id == 47:
		return fmtTime
	case id == 46:
		return fmtElapsed
	case id >= 14 && id <= 22, id >= 27 && id <= 36, id >= 50 && id <= 58:
		return fmtDate
	}
	return fmtNumber
}

// formatCodeKind is the kind of a custom number format code. Only the first
// section (the one for positive numbers) counts. Quoted text,
// backslash-escaped characters, _x and *x spacing, AM/PM and A/P markers and
// [..] brackets (colours, conditions, locales) are ignored, except the
// elapsed-time brackets [h], [mm], [ss]: a code holding one shows an elapsed
// time, counted in its unit. Otherwise d, y, or an m that is not minutes (an
// m is minutes next to h or s) make a date; h, s or minutes alone a time of
// day. So "[h]" alone is an elapsed time, "hh:mm" a time, "mmm-yy" a date,
// and "0.00" a number. A text format (@) is not a date. Numbers in other
// formats, percent and currency ones included, are shown in Excel's General
// form ("0.25", not "25%"): the value, which is what a person filtering or
// matching on it expects.
func formatCodeKind(code string) numFmtKind {
	var toks []byte // the date and time letters of the first section, one per run, lower case
	elapsed := fmtNumber
scan:
	for i := 0; i < len(code); i++ {
		c := code[i]
		switch c {
		case ';':
			break scan // the end of the first section
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return fmtNumber
			}
			i += j + 1
			continue
		case '\\', '_', '*':
			i++ // the next character is literal
			continue
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return fmtNumber
			}
			if k := elapsedBracket(code[i+1 : i+1+j]); k != fmtNumber && elapsed == fmtNumber {
				elapsed = k
			}
			i += j + 1
			continue
		case '@':
			return fmtNumber
		}
		switch {
		case len(code)-i >= 7 && strings.EqualFold(code[i:i+7], "General"):
			i += 6
			continue
		case len(code)-i >= 5 && strings.EqualFold(code[i:i+5], "AM/PM"):
			i += 4
			continue
		case len(code)-i >= 3 && strings.EqualFold(code[i:i+3], "A/P"):
			i += 2
			continue
		}
		switch l := c | 0x20; l {
		case 'd', 'm', 'y', 'h', 's':
			if len(toks) == 0 || toks[len(toks)-1] != l || code[i-1]|0x20 != l {
				toks = append(toks, l)
			}
		}
	}
	if elapsed != fmtNumber {
		return elapsed
	}
	date, clock := false, false
	for i, t := range toks {
		switch t {
		case 'd', 'y':
			date = true
		case 'h', 's':
			clock = true
		case 'm':
			// Minutes right after hours or right before seconds; else the month.
			if i > 0 && toks[i-1] == 'h' || i+1 < len(toks) && toks[i+1] == 's' {
				clock = true
			} else {
				date = true
			}
		}
	}
	switch {
	case date:
		return fmtDate
	case clock:
		return fmtTime
	}
	return fmtNumber
}

// elapsedBracket recognises the elapsed-time brackets [h], [hh], [m], [mm],
// [s], [ss] (any case).
func elapsedBracket(b string) numFmtKind {
	if b == "" {
		return fmtNumber
	}
	c := b[0] | 0x20
	for i := 1; i < len(b); i++ {
		if b[i]|0x20 != c {
			return fmtNumber
		}
	}
	switch c {
	case 'h':
		return fmtElapsed
	case 'm':
		return fmtElapsedMinutes
	case 's':
		return fmtElapsedSeconds
	}
	return fmtNumber
}
