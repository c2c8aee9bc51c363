// Package xlsxfixture builds small xlsx packages by hand, part by part, for
// tests that need what a spreadsheet library will not write: odd producers'
// layouts, damaged or hostile files. Nothing here is used outside tests.
package xlsxfixture

import (
	"archive/zip"
	"bytes"
	"io"
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
