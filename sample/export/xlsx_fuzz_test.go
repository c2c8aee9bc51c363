package export

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/xlsxfixture"
	"github.com/xuri/excelize/v2"
)

// fuzzScanBook reads every sheet of a workbook held in memory, stopping
// each after a bounded number of rows; it must never panic.
func fuzzScanBook(data []byte) {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil && !errors.Is(err, zip.ErrInsecurePath) {
		return
	}
	wb, err := newXLSXBook("fuzz.xlsx", nil, zr)
	if err != nil {
		if !IsInputError(err) {
			panic(fmt.Sprintf("open error is not an InputError: %v", err))
		}
		return
	}
	for i := range wb.sheets() {
		g, err := wb.grid(i)
		if err != nil {
			continue
		}
		for _, want := range [][]bool{nil, {true, false, true}} {
			rows := 0
			err = g.scan(context.Background(), want, func(num int, cells []string) error {
				if num < 1 || num > maxSheetRows || len(cells) > maxSheetCols {
					panic(fmt.Sprintf("row %d with %d cells", num, len(cells)))
				}
				if rows++; rows > 5000 {
					return ErrStop
				}
				return nil
			})
			if err != nil && !errors.Is(err, ErrStop) && !IsInputError(err) {
				panic(fmt.Sprintf("scan error is not an InputError: %v", err))
			}
		}
	}
}

// fuzzSeedBooks are small valid workbooks in both writers' styles.
func fuzzSeedBooks(t testing.TB) [][]byte {
	seeds := [][]byte{
		handWorkbook(t, false),
		handWorkbook(t, true),
		buildZip(t, minimalParts(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>Case Reference</t></is></c><c r="B1"><v>1</v></c></row><row r="3"><c r="A3" t="inlineStr"><is><t>CR-1</t></is></c></row></sheetData>`)),
	}
	// Stored (uncompressed) copies let mutations reach the XML itself.
	seeds = append(seeds, storedZip(t, seeds[0]), storedZip(t, seeds[2]))
	// Other producers' layouts: the workbook elsewhere, UTF-16
	// parts, cached values as inline strings, times and durations.
	rels := `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">`
	off := "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
	elsewhere, err := xlsxfixture.Zip(
		"_rels/.rels", rels+`<Relationship Id="r" Type="`+off+`officeDocument" Target="wtf/workbook.xml"/></Relationships>`,
		`wtf\workbook.xml`, xlsxfixture.Workbook("S"),
		"wtf/_rels/workbook.xml.rels", rels+`<Relationship Id="rId1" Type="`+off+`worksheet" Target="/sheet1.xml"/><Relationship Id="s" Type="`+off+`styles" Target="../styles.xml"/></Relationships>`,
		"styles.xml", `<styleSheet><numFmts><numFmt numFmtId="164" formatCode="[h]:mm:ss"/></numFmts><cellXfs><xf numFmtId="0"/><xf numFmtId="164"/><xf numFmtId="21"/></cellXfs></styleSheet>`,
		"sheet1.xml", xlsxfixture.Worksheet(`<sheetData><row r="1"><c t="inlineStr"><f>"ID"</f><is><t>ID</t></is></c><c s="1"><v>10.63</v></c><c s="2"><v>0.5</v></c><c t="e"><v>#REF!</v></c></row></sheetData>`))
	if err != nil {
		t.Fatal(err)
	}
	u16 := func(s string) string {
		b := []byte{0xFF, 0xFE}
		for _, r := range s {
			b = append(b, byte(r), byte(r>>8))
		}
		return string(b)
	}
	wide, err := xlsxfixture.Zip(
		"_rels/.rels", u16(xlsxfixture.PackageRels),
		"xl/workbook.xml", u16(strings.Replace(xlsxfixture.Workbook("S"), `<?xml version="1.0"?>`, `<?xml version="1.0" encoding="UTF-16"?>`, 1)),
		"xl/_rels/workbook.xml.rels", u16(xlsxfixture.WorkbookRels),
		"xl/worksheets/sheet1.xml", u16(xlsxfixture.Worksheet(`<sheetData><row><c t="inlineStr"><is><t>Case Reference</t></is></c></row></sheetData>`)))
	if err != nil {
		t.Fatal(err)
	}
	seeds = append(seeds, storedZip(t, elsewhere), storedZip(t, wide))
	f := excelize.NewFile()
	f.SetSheetRow("Sheet1", "A1", &[]any{"Case Reference", "Team", "Date", true, 0.5})
	f.SetSheetRow("Sheet1", "A2", &[]any{"CR-0000001", "Salisbury CIN", 46203, false, 1e20})
	st, _ := f.NewStyle(&excelize.Style{NumFmt: 14})
	f.SetCellStyle("Sheet1", "C2", "C2", st)
	if buf, err := f.WriteToBuffer(); err == nil {
		seeds = append(seeds, buf.Bytes())
	}
	f.Close()
	return seeds
}

// FuzzEncryptionInfo feeds encryption streams to the verifier and the
// reader's own agile decryption, which must never panic (openCFB recovers
// from a panic, which would hide one here).
func FuzzEncryptionInfo(f *testing.F) {
	plain := []byte("PK\x03\x04 not really a zip, but enough to decrypt")
	for _, s := range []agileSpec{{"", 256, "SHA512", 128, "SHA1", 3}, {"", 192, "SHA1", 192, "SHA1", 3}, {"3DES", 192, "SHA1", 192, "SHA1", 3}} {
		info, pkg := agileEncrypt(s, plain, "x")
		f.Add(info, pkg)
	}
	f.Fuzz(func(t *testing.T, info, pkg []byte) {
		m, err := parseEncryptionInfo(info)
		if err != nil || m.agile && m.spinCount > 1000 {
			return
		}
		key, err := m.key("x")
		if err != nil || len(pkg) < 8 {
			return
		}
		if out, err := m.decrypt(pkg, key); err == nil && uint64(len(out)) != binary.LittleEndian.Uint64(pkg) {
			t.Fatalf("%d bytes out of a package of %d", len(out), binary.LittleEndian.Uint64(pkg))
		}
	})
}

// FuzzEncryptedWorkbook mutates encrypted workbooks (the compound file) and
// opens them with their password.
func FuzzEncryptedWorkbook(f *testing.F) {
	plain := []byte("PK\x03\x04 not really a zip, but enough to decrypt")
	info, pkg := agileEncrypt(agileSpec{"", 128, "SHA1", 128, "SHA1", 3}, plain, "x")
	f.Add(xlsxfixture.CFB([]byte("EncryptionInfo"), info, []byte("EncryptedPackage"), pkg))
	if b, err := os.ReadFile(filepath.Join("testdata", "encrypted", "standard.xlsx")); err == nil {
		f.Add(b)
	}
	dir := f.TempDir()
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(dir, "fuzz.xlsx")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		if tb, err := Open(context.Background(), path, OpenOptions{Password: "x"}); err == nil {
			tb.Close()
		}
	})
}

// FuzzXLSX mutates small workbooks (the zip bytes) and reads them.
func FuzzXLSX(f *testing.F) {
	for _, s := range fuzzSeedBooks(f) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		fuzzScanBook(data)
	})
}

// FuzzXLSXSheetXML feeds raw XML to the worksheet scanner, with a small
// shared strings table and styles (xf 1 is a date format, 2 a time of day,
// 3 to 5 elapsed times).
func FuzzXLSXSheetXML(f *testing.F) {
	for _, s := range fuzzSheetSeeds {
		f.Add([]byte(s))
	}
	sst := sharedStringsOf("Case Reference", "CR-1", "")
	styles := &xlsxStyles{kinds: []numFmtKind{fmtNumber, fmtDate, fmtTime, fmtElapsed, fmtElapsedMinutes, fmtElapsedSeconds}}
	f.Fuzz(func(t *testing.T, data []byte) {
		for _, want := range [][]bool{nil, {true, false, true}} {
			p := &sheetParser{sc: newXMLScanner(bytes.NewReader(data)), sst: sst, styles: styles, path: "f.xlsx", sheet: "S", want: want}
			last := 0
			rows := 0
			err := p.run(context.Background(), func(num int, cells []string) error {
				if num != last+1 || len(cells) > maxSheetCols {
					t.Fatalf("row %d after %d, %d cells", num, last, len(cells))
				}
				last = num
				if rows++; rows > 5000 {
					return ErrStop
				}
				return nil
			})
			_ = err
		}
	})
}

var fuzzSheetSeeds = []string{
	`<worksheet><sheetData><row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" s="1"><v>46203</v></c></row><row r="3"><c t="inlineStr"><is><r><t>CR-</t></r><rPh><t>x</t></rPh><r><t>2</t></r></is></c><c t="b"><v>1</v></c><c t="e"><v>#N/A</v></c></row></sheetData></worksheet>`,
	`<x:worksheet xmlns:x="m"><x:sheetData><x:row><x:c><x:f>1+1</x:f><x:v>2</x:v></x:c><x:c t="str"><x:v>a&amp;b_x000D_</x:v></x:c><x:c t="d"><x:v>2026-06-30T09:14:00Z</x:v></x:c></x:row></x:sheetData></x:worksheet>`,
	`<sheetData><row r="2"/><row r="5" spans="1:3"><c r="C5" s="1"><v>0.5</v></c><!-- c --><c><v><![CDATA[12]]></v></c></row><row r="6"><c r="XFD6"><v>1</v></c></row></sheetData>`,
	`<sheetData><row r="1"><c r="A1" t="s"><v>2</v></c><c r="B1" a='>' t="inlineStr"><is><t xml:space="preserve"> x &#10; &#x263A; </t></is></c></row></sheetData>`,
	`<sheetData><row r="1"><c s="2"><v>0.50918981481</v></c><c s="3"><v>10.632060185</v></c><c s="4"><v>-1.5</v></c><c s="5"><v>1e300</v></c><c s="2"><v>-0.25</v></c></row><row r="2"><c t="inlineStr"><f>A1</f><is><t>cached</t></is></c><c t="str"><f>B1</f><is><t>x</t></is></c></row></sheetData>`,
}

// TestXLSXWriteFuzzSeeds writes the seed corpus files under testdata/fuzz
// (run with CASEAUDIT_WRITE_SEEDS=1 after changing the seeds).
func TestXLSXWriteFuzzSeeds(t *testing.T) {
	if os.Getenv("CASEAUDIT_WRITE_SEEDS") == "" {
		t.Skip("set CASEAUDIT_WRITE_SEEDS=1 to rewrite the seed corpus")
	}
	write := func(target string, i int, data []byte) {
		dir := filepath.Join("testdata", "fuzz", target)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		body := fmt.Sprintf("go test fuzz v1\n[]byte(%q)\n", data)
		if err := os.WriteFile(filepath.Join(dir, fmt.Sprintf("seed%02d", i)), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	for i, s := range fuzzSeedBooks(t) {
		write("FuzzXLSX", i, s)
	}
	for i, s := range fuzzSheetSeeds {
		write("FuzzXLSXSheetXML", i, []byte(s))
	}
}

// storedZip rewrites a zip with every entry stored, not deflated.
func storedZip(t testing.TB, data []byte) []byte {
	zr, err := zip.NewReader(bytes.NewReader(data), int64(len(data)))
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, f := range zr.File {
		rc, err := f.Open()
		if err != nil {
			t.Fatal(err)
		}
		w, err := zw.CreateHeader(&zip.FileHeader{Name: f.Name, Method: zip.Store})
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.Copy(w, rc); err != nil {
			t.Fatal(err)
		}
		rc.Close()
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}
