package export

import (
	"archive/zip"
	"bytes"
	"context"
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// zipBytes builds a zip archive of the given entries, in order.
func zipBytes(t *testing.T, entries ...[2]string) []byte {
	t.Helper()
	var b bytes.Buffer
	zw := zip.NewWriter(&b)
	for _, e := range entries {
		w, err := zw.CreateHeader(&zip.FileHeader{Name: e[0], Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		w.Write([]byte(e[1]))
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return b.Bytes()
}

func TestOpenRejectsNonSpreadsheets(t *testing.T) {
	pdf := []byte("%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /Catalog >>\nendobj\n")
	ods := zipBytes(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"},
		[2]string{"content.xml", "<office:document-content/>"})
	odt := zipBytes(t, [2]string{"mimetype", "application/vnd.oasis.opendocument.text"})
	plainZip := zipBytes(t, [2]string{"cases.csv", "Case Reference\nCR-1\n"})
	docx := zipBytes(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"word/document.xml", "<w:document/>"})
	xlsb := zipBytes(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"xl/workbook.bin", "\x00"})
	numbers := zipBytes(t, [2]string{"Index/Document.iwa", "\x00"}, [2]string{"Metadata/Properties.plist", "<plist/>"})
	pptx := zipBytes(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"ppt/presentation.xml", "<p:presentation/>"})
	png := append([]byte("\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"), make([]byte, 64)...)
	cases := []struct {
		name string
		data []byte
		want string
	}{
		{"report.csv", pdf, "this is a PDF, not a spreadsheet; export the case list as .xlsx or CSV"},
		{"report.xlsx", pdf, "this is a PDF"},
		{"cases.ods", ods, ".ods (OpenDocument spreadsheet) is not supported; save it as .xlsx or CSV"},
		{"cases.xlsx", ods, ".ods"},
		{"letter.xlsx", odt, "not a spreadsheet or CSV file"},
		{"cases.zip", plainZip, "not a spreadsheet or CSV file"},
		{"cases.xlsx", docx, "this is a Word document (.docx), which caseaudit does not read; it reads .xlsx workbooks and CSV text (.csv, .tsv, .txt, or a file with no extension): export or save the case list as one of those"},
		{"cases.numbers", numbers, "this is an Apple Numbers spreadsheet, which caseaudit does not read; it reads .xlsx workbooks"},
		{"cases.zip", numbers, "this is an Apple iWork document (Numbers, Pages or Keynote), which caseaudit does not read"},
		{"slides.xlsx", pptx, "this is a PowerPoint presentation (.pptx), which caseaudit does not read"},
		{"cases.json", []byte(`[{"Case Reference": "CR-1"}]`), "this is a JSON file, which caseaudit does not read; it reads .xlsx workbooks and CSV text"},
		{"cases.csv", []byte("{\n  \"cases\": []\n}\n"), "this is a JSON file"},
		{"cases.csv", []byte("{\\rtf1\\ansi Case Reference}"), "this is a Rich Text document (.rtf)"},
		{"cases.csv", []byte("<?xml version=\"1.0\"?>\n<cases/>"), "this is an XML file"},
		{"cases.docx", []byte("Case Reference\nCR-1\n"), "this is a Word document, which caseaudit does not read"},
		{"cases.yaml", []byte("cases:\n  - CR-1\n"), "this is a YAML file"},
		{"cases.xlsb", xlsb, ".xlsb"},
		{"cases.xlsx", []byte("PK\x03\x04 this zip was cut short"), "damaged or incomplete"},
		{"cases.csv", png, "not a spreadsheet or CSV file"},
		{"cases.csv", []byte{}, "the file is empty"},
		{"cases.xls", []byte("<html><body><table><tr><td>Case Reference</td></tr></table></body></html>"), "web page (HTML)"},
		{"cases.xls", []byte("<?xml version=\"1.0\"?>\n<Workbook xmlns=\"urn:schemas-microsoft-com:office:spreadsheet\">"), "XML Spreadsheet 2003"},
	}
	for _, tc := range cases {
		p := writeTestCSV(t, tc.name, tc.data)
		_, err := Open(context.Background(), p, OpenOptions{})
		if !IsInputError(err) || !strings.Contains(spelled(err), tc.want) {
			t.Errorf("%s (%.12q): got %v, want %q", tc.name, tc.data, err, tc.want)
			continue
		}
		if !strings.HasPrefix(spelled(err), p+": ") || strings.Contains(spelled(err), "\n") {
			t.Errorf("%s: error does not start with the path on one line: %v", tc.name, err)
		}
		if _, err := Sheets(p, OpenOptions{}); !IsInputError(err) {
			t.Errorf("Sheets(%s): %v", tc.name, err)
		}
	}
}

func TestOpenMissingAndDirectory(t *testing.T) {
	dir := t.TempDir()
	missing := filepath.Join(dir, "nope.csv")
	_, err := Open(context.Background(), missing, OpenOptions{})
	if !errors.Is(err, fs.ErrNotExist) || !IsInputError(err) || !strings.Contains(spelled(err), "does not exist") {
		t.Errorf("missing: %v", err)
	}
	if _, err := Sheets(missing, OpenOptions{}); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("Sheets missing: %v", err)
	}
	_, err = Open(context.Background(), dir, OpenOptions{})
	if !IsInputError(err) || !strings.Contains(spelled(err), "directory") {
		t.Errorf("directory: %v", err)
	}
	if os.Geteuid() != 0 { // root reads anything
		p := writeTestCSV(t, "locked.csv", []byte("Case Reference\nCR-1\n"))
		os.Chmod(p, 0)
		_, err = Open(context.Background(), p, OpenOptions{})
		if !errors.Is(err, fs.ErrPermission) || !strings.Contains(spelled(err), "permission denied") {
			t.Errorf("unreadable: %v", err)
		}
	}
}

func TestDetectFormat(t *testing.T) {
	xlsx := zipBytes(t, [2]string{"[Content_Types].xml", "<Types/>"}, [2]string{"xl/workbook.xml", "<workbook/>"})
	cfb := append([]byte{0xD0, 0xCF, 0x11, 0xE0, 0xA1, 0xB1, 0x1A, 0xE1}, make([]byte, 504)...)
	cases := []struct {
		name string
		data []byte
		opts OpenOptions
		want string
	}{
		{"a.csv", xlsx, OpenOptions{}, "xlsx"}, // the bytes decide, not the name
		{"a.xls", cfb, OpenOptions{}, "xlsx"},  // the xlsx reader explains CFB files
		{"a.xlsx", []byte("Case Reference\nCR-1\n"), OpenOptions{}, "csv"},
		{"a.txt", []byte("\xff\xfeC\x00a\x00"), OpenOptions{}, "csv"},
		{"a.txt", []byte("C\x00a\x00s\x00e\x00 \x00I\x00D\x00\n\x00"), OpenOptions{}, "csv"}, // UTF-16LE, no BOM
		{"a.txt", []byte("\x00C\x00a\x00s\x00e\x00 \x00I\x00D\x00\n"), OpenOptions{}, "csv"}, // UTF-16BE, no BOM
		{"a.txt", []byte("\x00C"), OpenOptions{Encoding: "utf-16be"}, "csv"},
		// A .txt, .tsv or extension-less file is a CSV, and so is one whose
		// first header is bracketed.
		{"cases", []byte("Case Reference,Team\nCR-1,A\n"), OpenOptions{}, "csv"},
		{"cases.tsv", []byte("Case Reference\tTeam\nCR-1\tA\n"), OpenOptions{}, "csv"},
		{"cases.txt", []byte("[Case Reference],Team\nCR-1,A\n"), OpenOptions{}, "csv"},
	}
	for _, tc := range cases {
		p := writeTestCSV(t, tc.name, tc.data)
		got, err := detectFormat(p, tc.opts)
		if err != nil || got != tc.want {
			t.Errorf("%s %.16q: got %q, %v; want %q", tc.name, tc.data, got, err, tc.want)
		}
	}
}

func TestSheetsCSV(t *testing.T) {
	p := writeTestCSV(t, "s.csv", []byte("Case Reference\nCR-1\n"))
	names, err := Sheets(p, OpenOptions{})
	if err != nil || names != nil {
		t.Fatalf("got %q, %v", names, err)
	}
}

// ---- sheet choice, with an in-memory workbook ----

type memSheet struct {
	name   string
	hidden bool
	rows   [][]string // row 1 first; nil = blank
}

type memBook struct {
	sheets_ []memSheet
	closed  bool
}

func (m *memBook) sheets() []sheetInfo {
	var out []sheetInfo
	for _, s := range m.sheets_ {
		out = append(out, sheetInfo{Name: s.name, Hidden: s.hidden})
	}
	return out
}
func (m *memBook) grid(i int) (grid, error) { return memGrid(m.sheets_[i].rows), nil }
func (m *memBook) close() error             { m.closed = true; return nil }

type memGrid [][]string

func (g memGrid) scan(ctx context.Context, want []bool, fn func(int, []string) error) error {
	for i, r := range g {
		if err := fn(i+1, r); err != nil {
			return err
		}
	}
	return nil
}

func caseRows(header ...string) [][]string {
	return [][]string{{"Open cases report"}, nil, header, {"CR-1", "Team A"}}
}

func TestPickSheet(t *testing.T) {
	book := func() *memBook {
		return &memBook{sheets_: []memSheet{
			{name: "Summary", rows: [][]string{{"This workbook lists open cases"}, {"Case Reference", "Count"}}},
			{name: "Cases", rows: caseRows("Case Reference", "Team")},
			{name: "Old cases", hidden: true, rows: [][]string{{"Case ID", "Team"}}},
			{name: "Lookup", rows: [][]string{{"Team", "Manager"}}},
		}}
	}
	ctx := context.Background()
	cases := []struct {
		opts      OpenOptions
		sheet     string
		headerRow int
	}{
		{OpenOptions{}, "Cases", 3}, // the cover sheet "Summary" is tried last
		{OpenOptions{Sheet: " cases "}, "Cases", 3},
		{OpenOptions{Sheet: "2"}, "Cases", 3},
		{OpenOptions{Sheet: "OLD CASES"}, "Old cases", 1}, // hidden, but named
		{OpenOptions{Sheet: "1"}, "Summary", 2},
	}
	for _, tc := range cases {
		tb, err := pickSheet(ctx, "w.xlsx", formatXLSX, book(), tc.opts)
		if err != nil {
			t.Errorf("%+v: %v", tc.opts, err)
			continue
		}
		if tb.Sheet != tc.sheet || tb.HeaderRow != tc.headerRow || tb.Format != "xlsx" {
			t.Errorf("%+v: sheet %q row %d, want %q row %d", tc.opts, tb.Sheet, tb.HeaderRow, tc.sheet, tc.headerRow)
		}
	}
	// Hidden sheets are not searched, so an ID column only there is not found.
	_, err := pickSheet(ctx, "w.xlsx", formatXLSX, book(), OpenOptions{IDColumn: "case id"})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Sheet != "Summary" || !strings.Contains(ie.Msg, `no column "case id"`) {
		t.Errorf("hidden only: %v", err)
	}

	_, err = pickSheet(ctx, "w.xlsx", formatXLSX, book(), OpenOptions{Sheet: "Nope"})
	if !IsInputError(err) || !strings.Contains(spelled(err), `no sheet "Nope"`) ||
		!strings.Contains(spelled(err), `2 "Cases"`) || !strings.Contains(spelled(err), `3 "Old cases" (hidden)`) {
		t.Errorf("unknown sheet: %v", err)
	}
	_, err = pickSheet(ctx, "w.xlsx", formatXLSX, book(), OpenOptions{Sheet: "5"})
	if !IsInputError(err) || !strings.Contains(spelled(err), `no sheet "5"`) {
		t.Errorf("sheet 5: %v", err)
	}

	noID := &memBook{sheets_: []memSheet{
		{name: "Cases", rows: [][]string{{"Open cases"}, {"Ref No", "Forename", "Team"}, {"A1", "Amelia", "T"}}},
		{name: "Other", rows: [][]string{{"Team", "Manager"}}},
	}}
	_, err = pickSheet(ctx, "w.xlsx", formatXLSX, noID, OpenOptions{})
	if !errors.As(err, &ie) || ie.Sheet != "Cases" || ie.Row != 2 ||
		!strings.Contains(spelled(err), `"Ref No", "Forename", "Team"`) ||
		!strings.Contains(spelled(err), `--id-column "Ref No"`) || !strings.Contains(spelled(err), "--sheet") {
		t.Errorf("no ID column: %v", err)
	}

	amb := &memBook{sheets_: []memSheet{{name: "Cases", rows: [][]string{{"Case ID", "Case Reference", "Person ID"}}}}}
	_, err = pickSheet(ctx, "w.xlsx", formatXLSX, amb, OpenOptions{})
	if !IsInputError(err) || !strings.Contains(spelled(err), "ambiguous") ||
		!strings.Contains(spelled(err), `"Case ID", "Case Reference"`) || !strings.Contains(spelled(err), "--id-column") {
		t.Errorf("ambiguous: %v", err)
	}

	hiddenAll := &memBook{sheets_: []memSheet{{name: "A", hidden: true, rows: caseRows("Case Reference")}}}
	_, err = pickSheet(ctx, "w.xlsx", formatXLSX, hiddenAll, OpenOptions{})
	if !IsInputError(err) || !strings.Contains(spelled(err), "hidden") {
		t.Errorf("all hidden: %v", err)
	}
}
