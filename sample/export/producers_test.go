package export

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf16"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// Files from producers other than Excel and the case-management systems:
// each test builds, by hand, the smallest file that shows one
// class of real files, and checks that it is read right or refused for the
// true reason.

// tableRows opens path and returns the header and every row below it, all
// columns.
func tableRows(t *testing.T, path string, opts OpenOptions) (*Table, []readRow) {
	t.Helper()
	return openAndReadAll(t, path, opts)
}

// rowsText renders rows as "num:cell|cell" lines, blank rows as "num:-".
func rowsText(rows []readRow) string {
	var b strings.Builder
	for _, r := range rows {
		if r.blank {
			fmt.Fprintf(&b, "%d:-\n", r.num)
			continue
		}
		fmt.Fprintf(&b, "%d:%s\n", r.num, strings.Join(r.cells, "|"))
	}
	return b.String()
}

func writeXLSXParts(t *testing.T, name string, parts ...string) string {
	t.Helper()
	data, err := xlsxfixture.Zip(parts...)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, data)
}

func sheetBook(t *testing.T, name, sheetData string) string {
	t.Helper()
	data, err := xlsxfixture.SheetBook("Cases", sheetData)
	if err != nil {
		t.Fatal(err)
	}
	return writeFile(t, name, data)
}

// Item 8: LibreOffice 4.1 and node-xlsx-stream keep a formula's cached value
// as an inline string.
func TestProducersFormulaCachedAsInlineString(t *testing.T) {
	path := sheetBook(t, "lo41.xlsx", `<sheetData><row r="1">`+
		xlsxfixture.Inline("A1", "Case Reference")+xlsxfixture.Inline("B1", "Team")+`</row>`+
		`<row r="2"><c r="A2" t="inlineStr"><f>"CR-"&amp;"0001"</f><is><t>CR-0001</t></is></c>`+
		`<c r="B2" t="inlineStr"><f>UPPER("north")</f><is><t>NORTH</t></is></c></row>`+
		`<row r="3"><c r="A3" t="str"><f>"CR-0002"</f><is><t>CR-0002</t></is></c><c r="B3" t="inlineStr"><is><t>South</t></is></c></row>`+
		`</sheetData>`)
	tb, rows := tableRows(t, path, OpenOptions{})
	if tb.Header[tb.IDIndex] != "Case Reference" {
		t.Fatalf("header %q", tb.Header)
	}
	if got, want := rowsText(rows), "2:CR-0001|NORTH\n3:CR-0002|South\n"; got != want {
		t.Errorf("rows\n%s\nwant\n%s", got, want)
	}
	// A formula with no value at all is still refused, as before.
	path = sheetBook(t, "nov.xlsx", `<sheetData><row r="1">`+xlsxfixture.Inline("A1", "Case Reference")+`</row>`+
		`<row r="2"><c r="A2" t="inlineStr"><f>"CR-"&amp;"0001"</f></c></row></sheetData>`)
	wantOneLineInputError(t, readAll(path, OpenOptions{}), path, "row 2", "formula without a saved value in cell A2")
}

// Item 5: the package's relationships put the workbook at wtf/workbook.xml
// and its parts at the package root, as Excel and LibreOffice allow.
func TestProducersWorkbookElsewhere(t *testing.T) {
	const relNS = `xmlns="http://schemas.openxmlformats.org/package/2006/relationships"`
	const officeRel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	parts := []string{
		"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">` +
			`<Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>` +
			`<Override PartName="/wtf/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>`,
		"_rels/.rels", `<?xml version="1.0"?><Relationships ` + relNS + `><Relationship Id="rId1" Type="` + officeRel + `officeDocument" Target="wtf/workbook.xml"/></Relationships>`,
		"wtf/workbook.xml", xlsxfixture.Workbook("Cases"),
		"wtf/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships ` + relNS + `>` +
			`<Relationship Id="rId1" Type="` + officeRel + `worksheet" Target="../sheet1.xml"/>` +
			`<Relationship Id="rId2" Type="` + officeRel + `sharedStrings" Target="/strings.xml"/>` +
			`<Relationship Id="rId3" Type="` + officeRel + `styles" Target="../styles.xml"/></Relationships>`,
		"sheet1.xml", xlsxfixture.Worksheet(`<sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c></row>` +
			`<row r="2"><c r="A2" t="s"><v>2</v></c><c r="B2" s="1"><v>46203</v></c></row></sheetData>`),
		"strings.xml", `<?xml version="1.0"?><sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="3" uniqueCount="3">` +
			`<si><t>Case Reference</t></si><si><t>Referral Date</t></si><si><t>CR-0000001</t></si></sst>`,
		"styles.xml", `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
			`<cellXfs count="2"><xf numFmtId="0"/><xf numFmtId="14"/></cellXfs></styleSheet>`,
	}
	want := "2:CR-0000001|2026-06-30\n"
	path := writeXLSXParts(t, "wtf.xlsx", parts...)
	tb, rows := tableRows(t, path, OpenOptions{})
	if tb.Sheet != "Cases" || rowsText(rows) != want {
		t.Errorf("sheet %q, rows\n%s", tb.Sheet, rowsText(rows))
	}

	// The same package with backslashes in its zip entry names (written by
	// some Windows zip tools; Excel reads it).
	bs := append([]string(nil), parts...)
	for i := 0; i < len(bs); i += 2 {
		bs[i] = strings.ReplaceAll(bs[i], "/", `\`)
	}
	path = writeXLSXParts(t, "backslash.xlsx", bs...)
	tb, rows = tableRows(t, path, OpenOptions{})
	if tb.Sheet != "Cases" || rowsText(rows) != want {
		t.Errorf("backslashes: sheet %q, rows\n%s", tb.Sheet, rowsText(rows))
	}

	// A Word document is still no workbook, though it has relationships.
	docx := writeXLSXParts(t, "letter.xlsx",
		"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Override PartName="/word/document.xml" ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>`,
		"_rels/.rels", `<?xml version="1.0"?><Relationships `+relNS+`><Relationship Id="rId1" Type="`+officeRel+`officeDocument" Target="word/document.xml"/></Relationships>`,
		"word/document.xml", `<w:document/>`)
	_, err := Open(context.Background(), docx, OpenOptions{})
	wantOneLineInputError(t, err, docx, "this is a Word document (.docx), which caseaudit does not read; it reads .xlsx workbooks and CSV text")
}

// utf16Text encodes s as UTF-16, little- or big-endian, with or without a
// byte order mark.
func utf16Text(s string, bigEndian, bom bool) string {
	var b []byte
	put := func(u uint16) {
		if bigEndian {
			b = append(b, byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, u := range utf16.Encode([]rune(s)) {
		put(u)
	}
	return string(b)
}

// Item 6: every XML part in UTF-16 (Excel on Windows Phone, some
// generators), with and without byte order marks, in both byte orders.
func TestProducersUTF16Parts(t *testing.T) {
	decl := `<?xml version="1.0" encoding="UTF-16" standalone="yes"?>`
	sst := decl + `<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" count="2" uniqueCount="2"><si><t>Case Reference</t></si><si><t>Zoë – Ōtautahi 🙂</t></si></sst>`
	rels := strings.Replace(xlsxfixture.WorkbookRels, `</Relationships>`,
		`<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>`, 1)
	sheet := decl + `<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>` +
		`<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="inlineStr"><is><t>Name</t></is></c></row>` +
		`<row r="2"><c r="A2" t="inlineStr"><is><t>CR-0000001</t></is></c><c r="B2" t="s"><v>1</v></c></row></sheetData></worksheet>`
	u8 := func(part string) string { return strings.Replace(part, `<?xml version="1.0"?>`, decl, 1) }
	for _, tc := range []struct {
		name     string
		big, bom bool
	}{{"le-bom", false, true}, {"be-bom", true, true}, {"le", false, false}, {"be", true, false}} {
		t.Run(tc.name, func(t *testing.T) {
			enc := func(s string) string { return utf16Text(s, tc.big, tc.bom) }
			path := writeXLSXParts(t, "utf16.xlsx",
				"[Content_Types].xml", enc(u8(xlsxfixture.ContentTypes)),
				"_rels/.rels", enc(u8(xlsxfixture.PackageRels)),
				"xl/workbook.xml", enc(u8(xlsxfixture.Workbook("Cases"))),
				"xl/_rels/workbook.xml.rels", enc(u8(rels)),
				"xl/sharedStrings.xml", enc(sst),
				"xl/worksheets/sheet1.xml", enc(sheet))
			tb, rows := tableRows(t, path, OpenOptions{})
			if tb.Sheet != "Cases" || rowsText(rows) != "2:CR-0000001|Zoë – Ōtautahi 🙂\n" {
				t.Errorf("sheet %q, rows\n%s", tb.Sheet, rowsText(rows))
			}
		})
	}
}

// Item 3: times of day and elapsed times are not dates, in either date
// system.
func TestProducersTimesAndDurations(t *testing.T) {
	styles := `<?xml version="1.0"?><styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">` +
		`<numFmts count="3"><numFmt numFmtId="164" formatCode="hh:mm:ss"/><numFmt numFmtId="165" formatCode="[h]:mm:ss"/><numFmt numFmtId="166" formatCode="[mm]:ss"/></numFmts>` +
		`<cellXfs count="6"><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="21"/><xf numFmtId="46"/><xf numFmtId="166"/></cellXfs></styleSheet>`
	rels := strings.Replace(xlsxfixture.WorkbookRels, `</Relationships>`,
		`<Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/></Relationships>`, 1)
	row := func(r int, id string, style int, v string) string {
		return fmt.Sprintf(`<row r="%d">%s<c r="B%d" s="%d"><v>%s</v></c></row>`, r, xlsxfixture.Inline(fmt.Sprintf("A%d", r), id), r, style, v)
	}
	sheet := `<sheetData><row r="1">` + xlsxfixture.Inline("A1", "Case Reference") + xlsxfixture.Inline("B1", "Time") + `</row>` +
		row(2, "hh:mm:ss", 1, "0.50918981481481477") + // 12:13:14
		row(3, "hh:mm:ss with a date part", 1, "1.5091898148148148") +
		row(4, "[h]:mm:ss", 2, "10.632060185185185") + // 255:10:10
		row(5, "[h]:mm:ss one day", 2, "1") +
		row(6, "built-in 21", 3, "0.75") +
		row(7, "built-in 46", 4, "10.632060185185185") +
		row(8, "[mm]:ss", 5, "10.632060185185185") +
		row(9, "negative elapsed", 2, "-0.5") + `</sheetData>`
	want := "2:hh:mm:ss|12:13:14\n3:hh:mm:ss with a date part|12:13:14\n4:[h]:mm:ss|255:10:10\n5:[h]:mm:ss one day|24:00:00\n" +
		"6:built-in 21|18:00:00\n7:built-in 46|255:10:10\n8:[mm]:ss|15310:10\n9:negative elapsed|-12:00:00\n"
	for _, date1904 := range []bool{false, true} {
		wb := xlsxfixture.Workbook("Cases")
		if date1904 {
			wb = strings.Replace(wb, "<sheets>", `<workbookPr date1904="1"/><sheets>`, 1)
		}
		path := writeXLSXParts(t, "times.xlsx",
			"[Content_Types].xml", xlsxfixture.ContentTypes, "_rels/.rels", xlsxfixture.PackageRels,
			"xl/workbook.xml", wb, "xl/_rels/workbook.xml.rels", rels, "xl/styles.xml", styles,
			"xl/worksheets/sheet1.xml", xlsxfixture.Worksheet(sheet))
		_, rows := tableRows(t, path, OpenOptions{})
		if got := rowsText(rows); got != want {
			t.Errorf("date1904=%v: rows\n%s\nwant\n%s", date1904, got, want)
		}
	}
}

// Item 1: a row of error values is no header row, though "#REF!" has the
// letters of the ID name "Ref"; a case ID that is an error value is refused
// with its row.
func TestProducersErrorValues(t *testing.T) {
	errCell := func(ref, v string) string { return `<c r="` + ref + `" t="e"><v>` + v + `</v></c>` }
	sheet := `<sheetData>` +
		`<row r="1">` + xlsxfixture.Inline("A1", "Children looked after, by placement") + `</row>` +
		`<row r="2">` + errCell("A2", "#REF!") + errCell("B2", "#N/A") + errCell("C2", "#VALUE!") + `</row>` +
		`<row r="3">` + xlsxfixture.Inline("A3", "Reference") + xlsxfixture.Inline("B3", "Placement") + xlsxfixture.Inline("C3", "Count") + `</row>` +
		`<row r="4">` + xlsxfixture.Inline("A4", "CR-0000001") + xlsxfixture.Inline("B4", "Foster") + `<c r="C4"><v>2</v></c></row>` +
		`<row r="5">` + xlsxfixture.Inline("A5", "CR-0000002") + xlsxfixture.Inline("B5", "Residential") + errCell("C5", "#DIV/0!") + `</row>` +
		`</sheetData>`
	path := sheetBook(t, "errors.xlsx", sheet)
	tb, rows := tableRows(t, path, OpenOptions{})
	if tb.HeaderRow != 3 || tb.Header[tb.IDIndex] != "Reference" {
		t.Errorf("header row %d, ID column %q; want row 3, \"Reference\"", tb.HeaderRow, tb.Header[tb.IDIndex])
	}
	if got, want := rowsText(rows), "4:CR-0000001|Foster|2\n5:CR-0000002|Residential|#DIV/0!\n"; got != want {
		t.Errorf("rows\n%s\nwant\n%s", got, want)
	}

	// The same in csv, where error values are text; and --id-column Ref does
	// not pick the #REF! cell either.
	// Other writers' spellings ("#REF?", "#REF") are error values too.
	csv := "Children looked after\n#REF!,#N/A,#VALUE!\n#REF?,#REF,#NAME!\nReference,Placement,Count\nCR-0000001,Foster,2\n"
	p := writeTestCSV(t, "errors.csv", []byte(csv))
	tb, _ = tableRows(t, p, OpenOptions{})
	if tb.HeaderRow != 4 || tb.Header[tb.IDIndex] != "Reference" {
		t.Errorf("csv: header row %d, ID column %q", tb.HeaderRow, tb.Header[tb.IDIndex])
	}
	_, err := Open(context.Background(), writeTestCSV(t, "ref.csv", []byte("#REF!,Team\nCR-1,North\n")), OpenOptions{IDColumn: "Ref"})
	if err == nil || !strings.Contains(err.Error(), `no column "Ref"`) {
		t.Errorf("--id-column Ref matched an error value: %v", err)
	}

	// A case ID that is an error value: refused, naming row and column.
	for _, tc := range []struct{ name, data string }{
		{"ids.csv", "Case Reference,Team\nCR-0000001,North\nCR-0000002,South\n#N/A,East\nCR-0000004,West\n"},
		{"lo.csv", "Case Reference,Team\nCR-0000001,North\nCR-0000002,South\nErr:502,East\nCR-0000004,West\n"},
	} {
		p := writeTestCSV(t, tc.name, []byte(tc.data))
		wantOneLineInputError(t, readAll(p, OpenOptions{}), p, "row 4, column Case Reference: the case ID is the error value",
			"correct the ID in the file")
	}
	path = sheetBook(t, "iderr.xlsx", `<sheetData><row r="1">`+xlsxfixture.Inline("A1", "Case Reference")+`</row>`+
		`<row r="2">`+xlsxfixture.Inline("A2", "CR-1")+`</row><row r="3">`+errCell("A3", "#REF!")+`</row></sheetData>`)
	wantOneLineInputError(t, readAll(path, OpenOptions{}), path, `sheet "Cases", row 3, column Case Reference: the case ID is the error value #REF!`)
}

// Item 4: notes under a table, below a blank row, are a footer block, not
// cases; a blank row inside the table is not.
func TestProducersFootnotes(t *testing.T) {
	var b strings.Builder
	b.WriteString("URN,Provider type,Places\n")
	for i := 1; i <= 30; i++ {
		fmt.Fprintf(&b, "%d,Children's home,%d\n", 100000+i*37, i%5+1)
		if i == 20 {
			b.WriteString(",,\n") // a blank row inside the table
		}
	}
	b.WriteString("\nNotes\nSource: Ofsted children's social care data\nhttps://www.gov.uk/government/statistical-data-sets/childrens-social-care-data-in-england\n" +
		"\"(b) The majority of homes are run by private providers, see notes.\"\n\n")
	p := writeTestCSV(t, "dfe.csv", []byte(b.String()))
	tb, rows := tableRows(t, p, OpenOptions{IDColumn: "URN"})
	var data, footers, blanks []int
	for _, r := range rows {
		switch {
		case r.blank:
			blanks = append(blanks, r.num)
		case r.footer:
			footers = append(footers, r.num)
		default:
			data = append(data, r.num)
		}
	}
	if tb.HeaderRow != 1 || len(data) != 30 || fmt.Sprint(footers) != "[34 35 36 37]" || fmt.Sprint(blanks) != "[22 33]" {
		t.Errorf("data rows %v, footer rows %v, blank rows %v", data, footers, blanks)
	}

	// Rows after a blank row that look like the table's go on being data,
	// and so do the odd rows between.
	p = writeTestCSV(t, "gap.csv", []byte("Case Reference,Team\nCR-0001,N\nCR-0002,S\nCR-0003,E\n\nTransferred in:\nCR-0004,W\n"))
	_, rows = tableRows(t, p, OpenOptions{})
	if got := rowsText(rows); got != "2:CR-0001|N\n3:CR-0002|S\n4:CR-0003|E\n5:-\n6:Transferred in:|\n7:CR-0004|W\n" || rows[4].footer {
		t.Errorf("rows\n%s", got)
	}
	// A block of IDs of another shape at the end of the table (another kind
	// of case) reads as no note: it is data.
	p = writeTestCSV(t, "kinds.csv", []byte("Case Reference,Team\nCR-0001,N\nCR-0002,S\nCR-0003,E\n\nAB12345,W\nAB12346,W\n"))
	_, rows = tableRows(t, p, OpenOptions{})
	if got := rowsText(rows); got != "2:CR-0001|N\n3:CR-0002|S\n4:CR-0003|E\n5:-\n6:AB12345|W\n7:AB12346|W\n" || rows[4].footer || rows[5].footer {
		t.Errorf("rows\n%s", got)
	}
	// A heading alone is a note.
	p = writeTestCSV(t, "heading.csv", []byte("Case Reference,Team\nCR-0001,N\nCR-0002,S\nCR-0003,E\n\nNotes:\n"))
	_, rows = tableRows(t, p, OpenOptions{})
	if last := rows[len(rows)-1]; last.cells[0] != "Notes:" || !last.footer {
		t.Errorf("last row %+v", last)
	}
	// Too few IDs to judge by: nothing is a footer.
	p = writeTestCSV(t, "few.csv", []byte("Case Reference,Team\nCR-0001,N\n\nNotes\n"))
	_, rows = tableRows(t, p, OpenOptions{})
	if len(rows) != 3 || rows[2].footer {
		t.Errorf("rows %+v", rows)
	}
	// Free-text IDs (names, say): no shape to judge by.
	p = writeTestCSV(t, "names.csv", []byte("Case Reference,Team\nAnn Lee,N\nBo,S\nCy-Ng 2,E\nDee O'Hara,W\nEve,N\nFay 3rd,S\n"+
		"Gus (senior),E\nHal.Io,W\nIvy-Mae Jones,N\nJo_2,S\nK. O.,E\nLu: x,W\nMo!,N\nNed & Co,S\n\"O,P\",E\nPip?,W\nQ/R,N\n\nNotes\n"))
	_, rows = tableRows(t, p, OpenOptions{})
	if last := rows[len(rows)-1]; last.cells[0] != "Notes" || last.footer {
		t.Errorf("last row %+v", last)
	}
	// A long block after a blank row is data, not notes.
	var long strings.Builder
	long.WriteString("Case Reference\nCR-0001\nCR-0002\nCR-0003\n\n")
	for i := 0; i < maxFooterRows+5; i++ {
		fmt.Fprintf(&long, "Note %d\n", i)
	}
	p = writeTestCSV(t, "long.csv", []byte(long.String()))
	_, rows = tableRows(t, p, OpenOptions{})
	for _, r := range rows {
		if r.footer {
			t.Fatalf("row %d is a footer in a block of %d rows", r.num, maxFooterRows+5)
		}
	}
	if len(rows) != 4+maxFooterRows+5 {
		t.Errorf("%d rows", len(rows))
	}
}

// Item 2: numbers in csv become dates only in a column named by a date word
// whose values are consistently serial numbers of plausible dates.
func TestProducersCSVNumbersAreNotDates(t *testing.T) {
	src := "Case Reference,Mandated,Date,Referral Date,StartDate,Updated,D.O.B.,date_of_birth,Amount date\n" +
		"CR-1,636,636,45945,45945,45945,38000,38000,45945\n" +
		"CR-2,15,15,45946,45946,45946,38001,38001,12\n" +
		"CR-3,161,161,45947,45947,45947,38002,38002,13\n" +
		"CR-4,2,45948,45948,45948,45948,38003,38003,14\n"
	_, rows := tableRows(t, writeTestCSV(t, "amounts.csv", []byte(src)), OpenOptions{})
	want := "2:CR-1|636|636|2025-10-15|2025-10-15|45945|2004-01-14|2004-01-14|45945\n" +
		"3:CR-2|15|15|2025-10-16|2025-10-16|45946|2004-01-15|2004-01-15|12\n" +
		"4:CR-3|161|161|2025-10-17|2025-10-17|45947|2004-01-16|2004-01-16|13\n" +
		"5:CR-4|2|45948|2025-10-18|2025-10-18|45948|2004-01-17|2004-01-17|14\n"
	if got := rowsText(rows); got != want {
		t.Errorf("rows\n%s\nwant\n%s", got, want)
	}
	for h, want := range map[string]bool{"Date": true, "Referral Date": true, "DOB": true, "D.O.B": true, "d o b": true,
		"StartDate": true, "date_of_birth": true, "Birthdate": true, "Dates seen": true, "REFERRAL_DATE": true,
		"Mandated": false, "Updated": false, "Candidate": false, "Validated": false, "Doberman": false, "Data": false, "": false} {
		if got := isDateHeader(h); got != want {
			t.Errorf("isDateHeader(%q) = %v", h, got)
		}
	}
}

// utf32Text encodes s as UTF-32, little- or big-endian, with or without a
// byte order mark.
func utf32Text(s string, bigEndian, bom bool) []byte {
	var b []byte
	put := func(r rune) {
		u := uint32(r)
		if bigEndian {
			b = append(b, byte(u>>24), byte(u>>16), byte(u>>8), byte(u))
		} else {
			b = append(b, byte(u), byte(u>>8), byte(u>>16), byte(u>>24))
		}
	}
	if bom {
		put(0xFEFF)
	}
	for _, r := range s {
		put(r)
	}
	return b
}

// Item 12: csv in UTF-32, with or without a byte order mark.
func TestProducersUTF32CSV(t *testing.T) {
	src := "Case Reference;Forename;Team\r\nCR-0000001;Zoë;Ōtautahi 🙂\r\nCR-0000002;Seán;North\r\n"
	want := "2:CR-0000001|Zoë|Ōtautahi 🙂\n3:CR-0000002|Seán|North\n"
	for _, tc := range []struct {
		name     string
		big, bom bool
		enc      string
	}{{"le-bom", false, true, ""}, {"be-bom", true, true, ""}, {"le", false, false, ""}, {"be", true, false, ""}, {"be-forced", true, false, "utf-32be"}} {
		p := writeTestCSV(t, tc.name+".csv", utf32Text(src, tc.big, tc.bom))
		tb, rows := tableRows(t, p, OpenOptions{Encoding: tc.enc})
		if got := rowsText(rows); got != want || strings.Join(tb.Header, "|") != "Case Reference|Forename|Team" {
			t.Errorf("%s: header %q, rows\n%s", tc.name, tb.Header, got)
		}
	}
}

// excelLockFile is the 165 bytes Excel writes to "~$Book.xlsx" while
// Book.xlsx is open: the user name's length, the name padded with spaces
// to byte 54, its length again and the name in UTF-16, padded to the end.
func excelLockFile(user string) []byte {
	b := []byte{byte(len(user))}
	b = append(b, user...)
	for len(b) < 54 {
		b = append(b, ' ')
	}
	b = append(b, byte(len(user)), 0)
	b = append(b, utf16Text(user, false, false)...)
	for len(b) < 165 {
		b = append(b, ' ', 0)
	}
	return b[:165]
}

// Item 13: an Excel lock file is named for what it is, with the workbook to
// open instead.
func TestProducersLockFile(t *testing.T) {
	dir := t.TempDir()
	lock := excelLockFile("A. N. Other")
	for name, data := range map[string][]byte{"~$Book.xlsx": lock, "Book.xlsx": nil, "~$cases.csv": lock, ".~lock.Book.xlsx#": []byte("A. N. Other,host,anon,01.07.2026 09:14,file:///home/anon/.config/libreoffice/4;\n")} {
		if err := os.WriteFile(filepath.Join(dir, name), data, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	for name, want := range map[string][]string{
		"~$Book.xlsx":       {`this is Excel's lock file for "Book.xlsx"`, `open "` + filepath.Join(dir, "Book.xlsx") + `" instead`},
		"~$cases.csv":       {`this is Excel's lock file for "cases.csv"`, `open "` + filepath.Join(dir, "cases.csv") + `" instead`},
		".~lock.Book.xlsx#": {`this is LibreOffice's lock file for "Book.xlsx"`},
	} {
		p := filepath.Join(dir, name)
		_, err := Open(context.Background(), p, OpenOptions{})
		wantOneLineInputError(t, err, p, want...)
		if _, err := Sheets(p, OpenOptions{}); !IsInputError(err) {
			t.Errorf("Sheets(%s): %v", name, err)
		}
	}
	// Renamed, it is still known by its bytes.
	p := writeTestCSV(t, "export.csv", lock)
	_, err := Open(context.Background(), p, OpenOptions{})
	wantOneLineInputError(t, err, p, "this is an Excel lock file")
}

// Item 10: a header row with blank cells is the header row the refusal
// quotes, not a data row below it; and it reads once the ID column is named.
func TestProducersBlankHeaderCells(t *testing.T) {
	// R's write.csv: a blank first header for the row names.
	var b strings.Builder
	b.WriteString(`"","URN","Provider Type","Places"` + "\n")
	for i := 1; i <= 12; i++ {
		fmt.Fprintf(&b, "\"%d\",%d,\"%s\",%d\n", i, 100000+7*i, []string{"Children's home", "Secure unit"}[i%2], i%4+1)
	}
	p := writeTestCSV(t, "r.csv", []byte(b.String()))
	_, err := Open(context.Background(), p, OpenOptions{})
	wantOneLineInputError(t, err, p, `, row 1: no case ID column found (headers on this row: "URN", "Provider Type", "Places")`)
	tb, rows := tableRows(t, p, OpenOptions{IDColumn: "URN"})
	if tb.HeaderRow != 1 || tb.IDIndex != 1 || strings.Join(tb.Header, "|") != "|URN|Provider Type|Places" || len(rows) != 12 || rows[0].cells[1] != "100007" {
		t.Errorf("header row %d %q, ID %d, %d rows", tb.HeaderRow, tb.Header, tb.IDIndex, len(rows))
	}

	// A statistical table: a title, a header with a gap, rows of text.
	src := "Table 1: homes by region\n\nRegion,,Local authority,Provider,Status\n" +
		"North East,E12000001,Durham,Private,Open\nNorth West,E12000002,Bolton,Voluntary,Open\nLondon,E12000007,Camden,Private,Closed\n"
	p = writeTestCSV(t, "dfe.csv", []byte(src))
	_, err = Open(context.Background(), p, OpenOptions{})
	wantOneLineInputError(t, err, p, `, row 3: no case ID column found (headers on this row: "Region", "Local authority", "Provider", "Status")`)
}

// Item 11: a table below row 50 is found; a sheet holding values is never
// called empty, and the refusal names the row where they are.
func TestProducersTableFarDown(t *testing.T) {
	table := func(first int) string {
		var b strings.Builder
		fmt.Fprintf(&b, `<row r="%d">%s%s</row>`, first, xlsxfixture.Inline(fmt.Sprintf("A%d", first), "Case Reference"), xlsxfixture.Inline(fmt.Sprintf("B%d", first), "Team"))
		for i := 1; i <= 3; i++ {
			r := first + i
			fmt.Fprintf(&b, `<row r="%d">%s%s</row>`, r, xlsxfixture.Inline(fmt.Sprintf("A%d", r), fmt.Sprintf("CR-%04d", i)), xlsxfixture.Inline(fmt.Sprintf("B%d", r), "North"))
		}
		return b.String()
	}
	path := sheetBook(t, "deep.xlsx", "<sheetData>"+table(60)+"</sheetData>")
	tb, rows := tableRows(t, path, OpenOptions{})
	if tb.HeaderRow != 60 || len(rows) != 3 || rows[0].num != 61 {
		t.Errorf("header row %d, rows %v", tb.HeaderRow, rows)
	}
	// Title rows, then 76 blank rows, then the table.
	path = sheetBook(t, "title.xlsx", `<sheetData><row r="1">`+xlsxfixture.Inline("A1", "Open cases")+`</row><row r="2">`+
		xlsxfixture.Inline("A2", "Run on 1 July 2026")+`</row>`+table(80)+`</sheetData>`)
	tb, _ = tableRows(t, path, OpenOptions{})
	if tb.HeaderRow != 80 {
		t.Errorf("title: header row %d", tb.HeaderRow)
	}
	// csv too: 70 blank lines first.
	p := writeTestCSV(t, "deep.csv", []byte(strings.Repeat("\n", 70)+"Case Reference,Team\nCR-1,North\n"))
	tb, _ = tableRows(t, p, OpenOptions{})
	if tb.HeaderRow != 71 {
		t.Errorf("csv: header row %d", tb.HeaderRow)
	}
	// Values from row 200, without an ID column: named where they are.
	path = sheetBook(t, "noid.xlsx", `<sheetData><row r="200">`+xlsxfixture.Inline("A200", "Forename")+xlsxfixture.Inline("B200", "Team")+`</row></sheetData>`)
	_, err := Open(context.Background(), path, OpenOptions{})
	wantOneLineInputError(t, err, path, `sheet "Cases", row 200: no case ID column found (headers on this row: "Forename", "Team")`)
	// A sheet with no values at all is empty.
	path = sheetBook(t, "empty.xlsx", `<sheetData><row r="3"><c r="A3" s="0"/></row></sheetData>`)
	_, err = Open(context.Background(), path, OpenOptions{})
	wantOneLineInputError(t, err, path, `sheet "Cases": the sheet is empty`)
}

// Item 14: the suggested ID column is chosen by its values (unique,
// ID-shaped) before its name; long names are never cut inside a character,
// and a cut name given back is answered with the full name.
func TestProducersIDSuggestions(t *testing.T) {
	var b strings.Builder
	b.WriteString("Provider Type,Sector,URN,Places,Registered\n")
	for i := 1; i <= 20; i++ {
		fmt.Fprintf(&b, "%s,%s,SC%06d,%d,%s\n", []string{"Children's home", "Residential special school", "Secure unit"}[i%3],
			[]string{"Private", "Local authority"}[i%2], 400000+13*i, i%6+1, fmt.Sprintf("%02d/03/2019", i))
	}
	p := writeTestCSV(t, "ofsted.csv", []byte(b.String()))
	_, err := Open(context.Background(), p, OpenOptions{})
	wantOneLineInputError(t, err, p, `name the ID column with --id-column "URN"`)

	// With one row there is nothing to judge by values: the column named as
	// a reference number (URN) is suggested, not the name nearest "ID".
	one := writeTestCSV(t, "one-row.csv", []byte("Provider Type,Sector,URN,Places,Registered\nChildren's home,Private,SC400013,2,01/03/2019\n"))
	_, err = Open(context.Background(), one, OpenOptions{})
	wantOneLineInputError(t, err, one, `name the ID column with --id-column "URN"`)

	// An ID column given by a name the export does not have: the column of
	// IDs is suggested, not the header whose name is nearest.
	cases := writeTestCSV(t, "cases.csv", []byte("Case Reference,Case Status,Team\nCR-0001,Open,North\nCR-0002,Open,South\nCR-0003,Closed,North\nCR-0004,Open,South\n"))
	_, err = Open(context.Background(), cases, OpenOptions{IDColumn: "Case ID"})
	wantOneLineInputError(t, err, cases, `did you mean --id-column "Case Reference"?`)

	// Times, dates and amounts are unique without being IDs; a column named
	// by a time is no column to name.
	below := [][]string{{"Home", "0:30:00", "2026-01-01", "12.5", "SC1001"}, {"Home", "1:00:00", "2026-01-02", "13.25", "SC1002"},
		{"School", "1:30:00", "2026-01-03", "14.75", "SC1003"}, {"Home", "2:00:00", "2026-01-04", "15.5", "SC1004"}}
	if got := suggestIDColumn([]string{"Type", "Duration", "Opened", "Fee", "Setting"}, below); got != "Setting" {
		t.Errorf("suggested %q, want Setting", got)
	}
	if got := suggestIDColumn([]string{"Type", "0:00:00", "Opened", "Fee"}, [][]string{{"Home", "SC1", "x", "1"}, {"Home", "SC2", "y", "1"}, {"Home", "SC3", "z", "1"}}); got == "0:00:00" {
		t.Errorf("suggested the time %q", got)
	}

	long := "Unique reference number of the children’s home, as registered with Ofsted on 31 March 2026"
	src := "Région,Équipe,\"" + long + "\"\nNord,A,SC000001\nSud,B,SC000002\nEst,C,SC000003\n"
	p = writeTestCSV(t, "long.csv", []byte(src))
	_, err = Open(context.Background(), p, OpenOptions{})
	if err == nil || !utf8.ValidString(err.Error()) {
		t.Fatalf("error %q", err)
	}
	// The header list shortens the long name with "…" on a character boundary,
	// and the hint gives it in full.
	cut := shorten(long, 60)
	if !strings.HasSuffix(cut, "…") || !utf8.ValidString(cut) || utf8.RuneCountInString(cut) != 60 {
		t.Fatalf("shorten: %q", cut)
	}
	wantOneLineInputError(t, err, p, fmt.Sprintf("%q", cut), fmt.Sprintf("--id-column %q", long))
	for _, given := range []string{cut, strings.TrimSuffix(cut, "…") + "...", "unique reference number of the…"} {
		_, err = Open(context.Background(), p, OpenOptions{IDColumn: given})
		wantOneLineInputError(t, err, p, fmt.Sprintf("did you mean --id-column %q?", long))
		tb, _ := tableRows(t, p, OpenOptions{IDColumn: long})
		if _, err := tb.ColumnIndex(given); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("did you mean %q?", long)) {
			t.Errorf("ColumnIndex(%q): %v", given, err)
		}
	}
	// Cutting never splits a character, wherever the boundary falls.
	for n := 1; n < 12; n++ {
		for _, s := range []string{"ééééééééééééé", "日本語のテキストです。長い", "a🙂b🙂c🙂d🙂e🙂f🙂g"} {
			if c := shorten(s, n); !utf8.ValidString(c) || utf8.RuneCountInString(c) > n {
				t.Errorf("shorten(%q, %d) = %q", s, n, c)
			}
		}
	}
}

// A formula without a saved value in a column nobody reads does not stop
// the workbook opening (SheetJS's wtf_path.xlsx has them in its first row);
// in a column read, it is refused as before.
func TestProducersFormulaWithoutValueElsewhere(t *testing.T) {
	path := sheetBook(t, "calc.xlsx", `<sheetData><row r="1">`+xlsxfixture.Inline("A1", "Case Reference")+xlsxfixture.Inline("B1", "Team")+
		`<c r="D1"><f t="array" ref="D1:D1">SUM(A1:C1*A1:C1)</f></c></row>`+
		`<row r="2">`+xlsxfixture.Inline("A2", "CR-1")+xlsxfixture.Inline("B2", "North")+`<c r="C2"><f>1+1</f></c></row>`+
		`<row r="3">`+xlsxfixture.Inline("A3", "CR-2")+`<c r="B3"><f>B2</f></c></row></sheetData>`)
	tb, err := Open(context.Background(), path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	var ids []string
	if err := tb.Rows(context.Background(), []int{tb.IDIndex}, func(r Row) error {
		ids = append(ids, r.Cells[0])
		return nil
	}); err != nil || fmt.Sprint(ids) != "[CR-1 CR-2]" {
		t.Errorf("rows %q, %v", ids, err)
	}
	err = tb.Rows(context.Background(), []int{tb.IDIndex, 1}, func(Row) error { return nil })
	wantOneLineInputError(t, err, path, "row 3, column B: formula without a saved value in cell B3")
}
