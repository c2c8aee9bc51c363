package export

import (
	"encoding/xml"
	"io"
	"net/url"
	"path"
	"strconv"
	"strings"
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

// parseRels reads a relationships part.
func parseRels(r io.Reader) ([]xlsxRel, error) {
	d := xml.NewDecoder(r)
	d.Strict = false
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
	d := xml.NewDecoder(r)
	d.Strict = false
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

// xlsxStyles holds, per cell format (the s attribute of a cell, an index
// into cellXfs), whether numbers in that format are dates.
type xlsxStyles struct {
	isDate []bool
}

func (st *xlsxStyles) dateStyle(s int) bool {
	return st != nil && s >= 0 && s < len(st.isDate) && st.isDate[s]
}

// maxStyles bounds the cellXfs entries kept (Excel allows 64,000).
const maxStyles = 1 << 20

// parseStyles reads the number formats of xl/styles.xml.
func parseStyles(r io.Reader) (*xlsxStyles, error) {
	d := xml.NewDecoder(r)
	d.Strict = false
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
	st := &xlsxStyles{isDate: make([]bool, len(xfIDs))}
	for i, id := range xfIDs {
		if code, ok := custom[id]; ok {
			st.isDate[i] = isDateFormatCode(code)
		} else {
			st.isDate[i] = isBuiltinDateFormat(id)
		}
	}
	return st, nil
}

// isBuiltinDateFormat reports whether a built-in number format id shows a
// date or time: 14–22 (d/m/yyyy, d-mmm-yy, h:mm AM/PM, …), 27–36 and 50–58
// (East Asian dates), 45–47 (mm:ss, [h]:mm:ss, mm:ss.0).
func isBuiltinDateFormat(id int) bool {
	return id >= 14 && id <= 22 || id >= 27 && id <= 36 || id >= 45 && id <= 47 || id >= 50 && id <= 58
}

// isDateFormatCode reports whether a custom number format code shows a
// date or time. Only the first section (the one for positive numbers)
// counts. Quoted text, backslash-escaped characters, _x and *x spacing and
// [..] brackets (colours, conditions, locales, elapsed [h]) are ignored; a
// d, m, y, h or s outside them makes it a date, so "[h]" alone is a number
// and "[h]:mm:ss" is a time. A text format (@) is not a date. Numbers in
// other formats, percent and currency ones included, are shown in Excel's
// General form ("0.25", not "25%"): the value, which is what a person
// filtering or matching on it expects.
func isDateFormatCode(code string) bool {
	for i := 0; i < len(code); i++ {
		switch c := code[i]; c {
		case ';':
			return false // end of the first section
		case '"':
			j := strings.IndexByte(code[i+1:], '"')
			if j < 0 {
				return false
			}
			i += j + 1
		case '\\', '_', '*':
			i++ // the next character is literal
		case '[':
			j := strings.IndexByte(code[i+1:], ']')
			if j < 0 {
				return false
			}
			i += j + 1
		case '@':
			return false
		case 'G', 'g':
			if len(code)-i >= 7 && strings.EqualFold(code[i:i+7], "General") {
				i += 6
			}
		case 'd', 'D', 'm', 'M', 'y', 'Y', 'h', 'H', 's', 'S':
			return true
		}
	}
	return false
}
