package export

import (
	"fmt"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
)

// Files from producers other than Excel and the case-management systems
// (issue #15): each test builds, by hand, the smallest file that shows one
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
