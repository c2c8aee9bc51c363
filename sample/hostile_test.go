package sample

// The bad-input matrix at the package level: every hostile or
// broken export goes through export.Open and Load, the path every command takes,
// and must give either the right population or a one-line *export.InputError that
// names the file — never a panic, never a misleading population.

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
	"github.com/caseaudit/caseaudit/sample/export"

	"github.com/xuri/excelize/v2"
)

// hostileLoad opens path and loads its population (seed "hostile").
func hostileLoad(path string, opts export.OpenOptions) (*Population, error) {
	t, err := export.Open(context.Background(), path, opts)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	return Load(context.Background(), t, LoadOptions{Seed: "hostile"})
}

// hostileWrite writes data to a fresh file called name.
func hostileWrite(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// hostileBook writes a workbook made with excelize; build fills it.
func hostileBook(t testing.TB, name string, opts excelize.Options, build func(f *excelize.File)) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	build(f)
	p := filepath.Join(t.TempDir(), name)
	if err := f.SaveAs(p, opts); err != nil {
		t.Fatal(err)
	}
	return p
}

// casesSheet fills sheet "Cases" with a header and n cases CR-0001….
func casesSheet(n int) func(f *excelize.File) {
	return func(f *excelize.File) {
		f.SetSheetName("Sheet1", "Cases")
		f.SetSheetRow("Cases", "A1", &[]any{"Case Reference", "Team"})
		for i := 1; i <= n; i++ {
			f.SetSheetRow("Cases", fmt.Sprintf("A%d", i+1), &[]any{fmt.Sprintf("CR-%04d", i), "Team A"})
		}
	}
}

// hostileZip builds a zip from name/body pairs (deflated, in order).
func hostileZip(t testing.TB, parts ...string) []byte {
	t.Helper()
	b, err := xlsxfixture.Zip(parts...)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// rawSheetBook is a minimal workbook whose only sheet has the given
// sheetData XML, written by hand (for what excelize will not write).
func rawSheetBook(t testing.TB, sheetName, sheetData string) []byte {
	t.Helper()
	b, err := xlsxfixture.SheetBook(sheetName, sheetData)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// inl is an inline string cell.
func inl(ref, s string) string { return xlsxfixture.Inline(ref, s) }

// wantOneLineInputError fails unless err is an *export.InputError whose message is
// one line naming the file and holding every want.
func wantOneLineInputError(t *testing.T, err error, path string, wants ...string) *export.InputError {
	t.Helper()
	var ie *export.InputError
	if !errors.As(err, &ie) {
		t.Fatalf("want an export.InputError, got %T %v", err, err)
	}
	msg := opt.Spell(err, opt.Flags)
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one line: %q", msg)
	}
	if !strings.HasPrefix(msg, path) {
		t.Errorf("error does not start with the file name %s: %s", path, msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
	return ie
}

// popIDs lists a population's IDs in row order (sorted by source row).
func popIDs(p *Population) map[string]int {
	ids := map[string]int{}
	for i := 0; i < p.Len(); i++ {
		c := p.Case(i)
		ids[c.ID] = c.Row
	}
	return ids
}

// legacyXLS makes a Compound File that is not an encrypted workbook (an
// old .xls as far as any reader can tell): excelize's encrypted container
// with its two streams renamed.
func legacyXLS(t *testing.T) []byte {
	t.Helper()
	p := hostileBook(t, "enc.xlsx", excelize.Options{Password: "pw"}, casesSheet(1))
	raw, err := os.ReadFile(p)
	if err != nil {
		t.Fatal(err)
	}
	u16 := func(s string) []byte {
		var b []byte
		for _, r := range s {
			b = append(b, byte(r), 0)
		}
		return b
	}
	raw = bytes.ReplaceAll(raw, u16("EncryptionInfo"), u16("SummaryInfoXYZ"))
	raw = bytes.ReplaceAll(raw, u16("EncryptedPackage"), u16("WorkbookXXXXXXXX"))
	return raw
}

func TestHostileInputMatrix(t *testing.T) {
	good := hostileBook(t, "good.xlsx", excelize.Options{}, casesSheet(40))
	goodBytes, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	encrypted := hostileBook(t, "locked.xlsx", excelize.Options{Password: "s3cret"}, casesSheet(3))

	type tc struct {
		name  string
		path  func(t *testing.T) string
		opts  export.OpenOptions
		wants []string // a refusal holding these; nil: the read succeeds
		check func(t *testing.T, p *Population)
	}
	file := func(name string, data []byte) func(t *testing.T) string {
		return func(t *testing.T) string { return hostileWrite(t, name, data) }
	}
	csvRows := func(sep string, n int) []byte {
		var b strings.Builder
		b.WriteString("Case Reference,Team" + sep)
		for i := 1; i <= n; i++ {
			fmt.Fprintf(&b, "CR-%04d,Team A%s", i, sep)
		}
		return []byte(b.String())
	}
	wantN := func(n int) func(t *testing.T, p *Population) {
		return func(t *testing.T, p *Population) {
			if p.Len() != n || p.Rows != n {
				t.Errorf("population %d (rows %d), want %d", p.Len(), p.Rows, n)
			}
		}
	}
	wide := func(f *excelize.File) {
		f.SetSheetName("Sheet1", "Cases")
		hdr := make([]any, (1 << 14))
		row := make([]any, (1 << 14))
		for i := range hdr {
			hdr[i] = fmt.Sprintf("Col %d", i+1)
			row[i] = i
		}
		hdr[(1<<14)-1] = "Case Reference" // the ID in column XFD
		row[(1<<14)-1] = "CR-XFD"
		f.SetSheetRow("Cases", "A1", &hdr)
		f.SetSheetRow("Cases", "A2", &row)
	}
	bigCell := strings.Repeat("x", 1<<20)

	cases := []tc{
		{name: "empty csv", path: file("empty.csv", nil), wants: []string{"the file is empty"}},
		{name: "0-byte xlsx", path: file("empty.xlsx", nil), wants: []string{"the file is empty"}},
		{name: "zip cut in half", path: file("half.xlsx", goodBytes[:len(goodBytes)/2]), wants: []string{"damaged or incomplete"}},
		{name: "zip cut to its first part", path: file("head.xlsx", goodBytes[:200]), wants: []string{"damaged or incomplete"}},
		{name: "legacy xls", path: func(t *testing.T) string { return hostileWrite(t, "old.xls", legacyXLS(t)) },
			wants: []string{"old-style .xls", "save it as .xlsx or CSV"}},
		{name: "encrypted without password", path: func(*testing.T) string { return encrypted }, wants: []string{"password-protected", "--password"}},
		{name: "encrypted with wrong password", path: func(*testing.T) string { return encrypted }, opts: export.OpenOptions{Password: "nope"},
			wants: []string{"wrong password"}},
		{name: "encrypted with right password", path: func(*testing.T) string { return encrypted }, opts: export.OpenOptions{Password: "s3cret"},
			check: wantN(3)},
		{name: "ods", path: file("cases.ods", hostileZip(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"content.xml", "<office:document-content/>", "META-INF/manifest.xml", "<manifest/>")), wants: []string{".ods", "save it as .xlsx or CSV"}},
		{name: "ods renamed xlsx", path: file("cases.xlsx", hostileZip(t, "mimetype", "application/vnd.oasis.opendocument.spreadsheet",
			"content.xml", "<office:document-content/>")), wants: []string{".ods"}},
		{name: "pdf renamed xlsx", path: file("cases.xlsx", []byte("%PDF-1.7\n1 0 obj<<>>endobj\n%%EOF\n")), wants: []string{"PDF"}},
		{name: "zip of other things", path: file("photos.xlsx", hostileZip(t, "a.jpg", "\xff\xd8\xff")), wants: []string{"holds no workbook"}},
		{name: "html saved as xls", path: file("cases.xls", []byte("<html><table><tr><td>Case Reference</td></tr></table></html>")), wants: []string{"web page"}},
		{name: "16,384 columns, ID in XFD", path: func(t *testing.T) string { return hostileBook(t, "wide.xlsx", excelize.Options{}, wide) },
			check: func(t *testing.T, p *Population) {
				if p.Len() != 1 || p.Case(0).ID != "CR-XFD" {
					t.Errorf("got %d cases, first %q", p.Len(), p.Case(0).ID)
				}
			}},
		{name: "a cell past XFD", path: file("wider.xlsx", rawSheetBook(t, "Cases", `<sheetData><row r="1">`+inl("A1", "Case Reference")+`</row><row r="2">`+inl("A2", "CR-1")+`<c r="XFE2"><v>1</v></c></row></sheetData>`)),
			wants: []string{`sheet "Cases"`, "row 2", `"XFE2" is not a valid cell`}},
		// excelize truncates cells to Excel's 32,767 characters, so the
		// 1 MB cell is written by hand.
		{name: "1 MB cell in xlsx", path: file("bigcell.xlsx", rawSheetBook(t, "Cases", `<sheetData><row r="1">`+inl("A1", "Case Reference")+inl("B1", "Note")+
			`</row><row r="2">`+inl("A2", "CR-1")+inl("B2", bigCell)+`</row><row r="3">`+inl("A3", "CR-2")+`</row></sheetData>`)),
			check: func(t *testing.T, p *Population) {
				wantN(2)(t, p)
				wantBigCell(t, p.Path)
			}},
		{name: "1 MB cell in csv", path: file("bigcell.csv", []byte("Case Reference,Note\nCR-1,"+bigCell+"\nCR-2,x\n")),
			check: func(t *testing.T, p *Population) {
				wantN(2)(t, p)
				wantBigCell(t, p.Path)
			}},
		{name: "header only xlsx", path: func(t *testing.T) string { return hostileBook(t, "h.xlsx", excelize.Options{}, casesSheet(0)) },
			wants: []string{`sheet "Cases"`, "row 1", "no case IDs below the header row"}},
		{name: "header only csv", path: file("h.csv", []byte("Case Reference,Team\r\n")), wants: []string{"row 1", "no case IDs"}},
		{name: "no ID column", path: file("noid.csv", []byte("Forename,Team\nAmelia,A\n")), wants: []string{"--id-column"}},
		{name: "every ID blank", path: file("blank.csv", []byte("Case Reference,Team\n,A\n  ,B\n,C\n")), wants: []string{"no case IDs"}},
		{name: "duplicate IDs keep the first row", path: file("dup.csv", []byte("Case Reference,Team\nCR-1,A\nCR-2,B\nCR-1,C\n")),
			check: func(t *testing.T, p *Population) {
				if p.Len() != 2 || p.Duplicates != 1 || popIDs(p)["CR-1"] != 2 {
					t.Errorf("len %d, duplicates %d, rows %v", p.Len(), p.Duplicates, popIDs(p))
				}
			}},
		{name: "NUL bytes at the start", path: file("nul.csv", []byte("Case Reference\x00,Team\nCR-1,A\n")), wants: []string{"not a spreadsheet or CSV file"}},
		{name: "NUL bytes in an xlsx cell", path: file("nul.xlsx", rawSheetBook(t, "Cases", `<sheetData><row r="1">`+inl("A1", "Case Reference")+`</row><row r="2">`+inl("A2", "CR-_x0000_1")+`</row></sheetData>`)),
			check: func(t *testing.T, p *Population) {
				if p.Len() != 1 || p.Case(0).ID != "CR-\x001" {
					t.Errorf("got %d cases, %q", p.Len(), p.Case(0).ID)
				}
			}},
		{name: "CR line endings", path: file("cr.csv", csvRows("\r", 30)), check: wantN(30)},
		{name: "CRLF line endings", path: file("crlf.csv", csvRows("\r\n", 30)), check: wantN(30)},
		{name: "unbalanced quotes", path: file("q.csv", []byte("Case Reference,Note\nCR-1,\"fine\"\nCR-2,\"never closed\nCR-3,x\n")),
			wants: []string{"row 3"}},
		{name: "invalid UTF-8 read as Windows-1252", path: file("cp.csv", []byte("Case Reference,Forename\nCR-1,Chlo\xe9\n")),
			check: func(t *testing.T, p *Population) { wantN(1)(t, p) }},
		{name: "formula with cached value", path: file("f.xlsx", rawSheetBook(t, "Cases", `<sheetData><row r="1">`+inl("A1", "Case Reference")+`</row><row r="2"><c r="A2" t="str"><f>"CR-"&amp;"7"</f><v>CR-7</v></c></row></sheetData>`)),
			check: func(t *testing.T, p *Population) {
				if p.Len() != 1 || p.Case(0).ID != "CR-7" {
					t.Errorf("got %d cases, %q", p.Len(), p.Case(0).ID)
				}
			}},
		{name: "formula without cached value", path: file("nf.xlsx", rawSheetBook(t, "Cases", `<sheetData><row r="1">`+inl("A1", "Case Reference")+`</row><row r="2">`+inl("A2", "CR-1")+`</row><row r="3"><c r="A3"><f>A2</f></c></row></sheetData>`)),
			wants: []string{`sheet "Cases"`, "row 3", "formula without a saved value in cell A3"}},
		{name: "merged header cells", path: func(t *testing.T) string {
			return hostileBook(t, "merged.xlsx", excelize.Options{}, func(f *excelize.File) {
				f.SetSheetName("Sheet1", "Cases")
				f.SetSheetRow("Cases", "A1", &[]any{"Case Reference", "", "Team"})
				f.MergeCell("Cases", "A1", "B1")
				f.SetSheetRow("Cases", "A2", &[]any{"CR-1", "x", "A"})
				f.SetSheetRow("Cases", "A3", &[]any{"CR-2", "y", "B"})
			})
		}, check: wantN(2)},
		{name: "sheet name with spaces and non-ASCII", path: func(t *testing.T) string {
			return hostileBook(t, "names.xlsx", excelize.Options{}, func(f *excelize.File) {
				f.SetSheetName("Sheet1", "Übersicht 2026")
				f.NewSheet("Fälle – Juli ")
				f.SetSheetRow("Fälle – Juli ", "A1", &[]any{"Case Reference"})
				f.SetSheetRow("Fälle – Juli ", "A2", &[]any{"CR-1"})
			})
		}, opts: export.OpenOptions{Sheet: "fälle – juli"}, check: wantN(1)},
		{name: "missing file", path: func(t *testing.T) string { return filepath.Join(t.TempDir(), "nope.xlsx") }, wants: []string{"does not exist"}},
		{name: "a directory", path: func(t *testing.T) string { return t.TempDir() }, wants: []string{"directory"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			path := c.path(t)
			if strings.HasSuffix(path, ".csv") {
				// Read in chunks, whose workers make the keys, the same.
				compareReaderKeys(t, path, c.opts, LoadOptions{Seed: "hostile"})
			}
			p, err := hostileLoad(path, c.opts)
			if c.wants == nil {
				if err != nil {
					t.Fatalf("want a population, got %v", err)
				}
				c.check(t, p)
				return
			}
			if err == nil {
				t.Fatalf("want a refusal holding %q, got a population of %d", c.wants, p.Len())
			}
			wantOneLineInputError(t, err, path, c.wants...)
		})
	}
}

// wantBigCell checks that the Note of the first data row reads as 1 MB of x.
func wantBigCell(t *testing.T, path string) {
	t.Helper()
	tb, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	note, err := tb.ColumnIndex("Note")
	if err != nil {
		t.Fatal(err)
	}
	got := -1
	tb.Rows(context.Background(), []int{note}, func(r export.Row) error {
		got = len(r.Cells[0])
		if strings.Trim(r.Cells[0], "x") != "" {
			got = -2
		}
		return export.ErrStop
	})
	if got != 1<<20 {
		t.Errorf("the 1 MB cell reads as %d bytes", got)
	}
}

func TestHostileMissingFileWrapsNotExist(t *testing.T) {
	_, err := hostileLoad(filepath.Join(t.TempDir(), "gone.csv"), export.OpenOptions{})
	if !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("want fs.ErrNotExist, got %v", err)
	}
}

func TestHostileUnreadableFile(t *testing.T) {
	if os.Geteuid() == 0 {
		t.Skip("root reads every file; cmd/caseaudit tests this as an unprivileged user")
	}
	p := hostileWrite(t, "locked.csv", []byte("Case Reference\nCR-1\n"))
	if err := os.Chmod(p, 0); err != nil {
		t.Fatal(err)
	}
	_, err := hostileLoad(p, export.OpenOptions{})
	wantOneLineInputError(t, err, p, "permission denied")
}
