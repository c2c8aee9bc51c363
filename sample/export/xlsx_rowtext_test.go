package export

import (
	"archive/zip"
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// rowNamingOneColumn is a hostile workbook: a header row, then a row whose
// cells all name column A again and again, refs times, each referring to
// the next of entries shared strings of 255 characters in turn (as many as
// the reader's table of strings seen, twice over, so none is ever taken
// as seen before: each is copied into the row anew).
func rowNamingOneColumn(t *testing.T, entries, refs int) []byte {
	t.Helper()
	var sst strings.Builder
	fmt.Fprintf(&sst, `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="%d" uniqueCount="%d"><si><t>Case Reference</t></si>`, entries+1, entries+1)
	for i := range entries {
		s := fmt.Sprintf("entry %06d ", i)
		fmt.Fprintf(&sst, "<si><t>%s%s</t></si>", s, strings.Repeat("x", sstLong-1-len(s)))
	}
	sst.WriteString("</sst>")
	var sheet strings.Builder
	sheet.WriteString(`<?xml version="1.0"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c></row><row r="2">`)
	for i := range refs {
		fmt.Fprintf(&sheet, `<c r="A2" t="s"><v>%d</v></c>`, 1+i%entries)
	}
	sheet.WriteString(`</row><row r="3">` + xlsxfixture.Inline("A3", "CR-0000001") + `</row></sheetData></worksheet>`)
	rels := strings.Replace(xlsxfixture.WorkbookRels, `</Relationships>`,
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, 1)
	data, err := xlsxfixture.Zip(
		"[Content_Types].xml", xlsxfixture.ContentTypes,
		"_rels/.rels", xlsxfixture.PackageRels,
		"xl/workbook.xml", xlsxfixture.Workbook("Cases"),
		"xl/_rels/workbook.xml.rels", rels,
		"xl/sharedStrings.xml", sst.String(),
		"xl/worksheets/sheet1.xml", sheet.String())
	if err != nil {
		t.Fatal(err)
	}
	return data
}

// A row naming one column again and again, with shared strings each
// copied into the row anew, is refused at the row's text limit with one
// line naming the file, the sheet and the row; the reader stops there
// rather than copying the rest of the row (four times the limit).
func TestHostileRowNamingOneColumn(t *testing.T) {
	const entries = 2 * sstSeen
	refs := 4 * maxRowText / (sstLong - 1)
	data := rowNamingOneColumn(t, entries, refs)
	sheetSize := int64(0)
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range zr.File {
		if f.Name == "xl/worksheets/sheet1.xml" {
			sheetSize = int64(f.UncompressedSize64)
		}
	}
	t.Logf("workbook: %d bytes; sheet XML %d bytes, %d references to %d shared strings of %d characters in one row", len(data), sheetSize, refs, entries, sstLong-1)
	path := filepath.Join(t.TempDir(), "one-column.xlsx")
	if err := os.WriteFile(path, data, 0o600); err != nil {
		t.Fatal(err)
	}

	// Through Open and Rows, as a command reads it.
	err = readAll(path, OpenOptions{})
	wantOneLineInputError(t, err, path, "sheet \"Cases\", row 2: the row's cells hold more than 64 MB of text between them; check that this is the case list export")
	t.Logf("refused: %s", spelled(err))

	// With every inflated byte counted: the sheet is read only as far as
	// the limit (the shared strings and about a quarter of the sheet).
	n, err := readCounting(t, path, data)
	wantOneLineInputError(t, err, path, "row 2: the row's cells hold more than 64 MB of text")
	if n > sheetSize/2 {
		t.Errorf("inflated %d bytes before refusing (the sheet is %d); want the reading stopped at the row's limit", n, sheetSize)
	}
	t.Logf("inflated %d bytes before refusing", n)
}
