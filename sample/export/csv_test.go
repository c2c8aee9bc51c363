package export

import (
	"bufio"
	"bytes"
	"context"
	"encoding/binary"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/words"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// runGenexport writes a synthetic export like shared/tools/genexport's
// (internal/synth writes the same bytes; see its test) under t.TempDir().
func runGenexport(t *testing.T, name string, args ...string) string {
	t.Helper()
	return genExport(t, name, args...)
}

// ---- helpers ----

func writeTestCSV(t *testing.T, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

type readRow struct {
	num    int
	cells  []string
	blank  bool
	footer bool
}

// openAndReadAll opens path and returns every row below the header with every
// header column.
func openAndReadAll(t *testing.T, path string, opts OpenOptions) (*Table, []readRow) {
	t.Helper()
	tb, err := Open(context.Background(), path, opts)
	if err != nil {
		t.Fatalf("Open: %v", err)
	}
	t.Cleanup(func() { tb.Close() })
	cols := make([]int, len(tb.Header))
	for i := range cols {
		cols[i] = i
	}
	var rows []readRow
	err = tb.Rows(context.Background(), cols, func(r Row) error {
		rows = append(rows, readRow{r.Num, append([]string(nil), r.Cells...), r.Blank, r.Footer})
		return nil
	})
	if err != nil {
		t.Fatalf("Rows: %v", err)
	}
	return tb, rows
}

var ukDatePattern = regexp.MustCompile(`^\d\d/\d\d/\d\d\d\d$`)

// expectedDisplay is an independent statement of the display rules for
// runGenexport's cells: dd/mm/yyyy -> ISO; a whole number in a column whose
// header says date -> the date that many days after 1899-12-30.
func expectedDisplay(header, v string) string {
	if ukDatePattern.MatchString(v) {
		d, err := time.Parse("02/01/2006", v)
		if err != nil {
			panic(err)
		}
		return d.Format("2006-01-02")
	}
	if strings.Contains(strings.ToLower(header), "date") && regexp.MustCompile(`^\d+$`).MatchString(v) {
		var n int
		fmt.Sscan(v, &n)
		return time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC).AddDate(0, 0, n).Format("2006-01-02")
	}
	return v
}

// referenceCSVRows reads utf8 csv text with encoding/csv (every record on one
// line in runGenexport output, so line numbers are row numbers) and returns the
// expected rows after headerRow keyed by row number; blank lines are absent.
func referenceCSVRows(t *testing.T, text []byte, comma rune, headerRow int) (map[int][]string, int) {
	t.Helper()
	r := csv.NewReader(bytes.NewReader(text))
	r.Comma = comma
	r.FieldsPerRecord = -1
	want := map[int][]string{}
	var header []string
	last := 0
	for {
		rec, err := r.Read()
		if err != nil {
			break
		}
		line, _ := r.FieldPos(0)
		if line == headerRow {
			header = rec
		}
		if line <= headerRow {
			continue
		}
		exp := make([]string, len(rec))
		for i, v := range rec {
			h := ""
			if i < len(header) {
				h = header[i]
			}
			exp[i] = expectedDisplay(h, v)
		}
		want[line] = exp
		last = line
	}
	return want, last
}

// checkRowsAgainst compares every row read by Open with the reference rows.
func checkRowsAgainst(t *testing.T, rows []readRow, want map[int][]string, last, headerRow int) {
	t.Helper()
	if len(rows) != last-headerRow {
		t.Fatalf("got %d rows after the header, want %d (rows %d..%d)", len(rows), last-headerRow, headerRow+1, last)
	}
	for k, r := range rows {
		if r.num != headerRow+1+k {
			t.Fatalf("row %d has number %d, want %d", k, r.num, headerRow+1+k)
		}
		exp, ok := want[r.num]
		if !ok {
			if !r.blank {
				t.Fatalf("row %d: want blank, got %q", r.num, r.cells)
			}
			continue
		}
		if r.blank {
			t.Fatalf("row %d: blank, want %q", r.num, exp)
		}
		for i := range r.cells {
			w := ""
			if i < len(exp) {
				w = exp[i]
			}
			if r.cells[i] != w {
				t.Fatalf("row %d col %d: got %q, want %q", r.num, i, r.cells[i], w)
			}
		}
	}
}

var genexportHeader = []string{"Case Reference", "Person ID", "Forename", "Surname", "Date of Birth", "Gender",
	"Team", "Allocated Worker", "Legal Status", "Referral Date", "Assessment Completed",
	"Plan Start Date", "Last Visit", "Workers in 12m", "Case Status"}

// ---- runGenexport files ----

func TestCSVCleanGenexport(t *testing.T) {
	p := runGenexport(t, "clean.csv", "-n", "3000")
	tb, rows := openAndReadAll(t, p, OpenOptions{})
	if tb.Format != "csv" || tb.Sheet != "" || tb.HeaderRow != 1 || tb.IDIndex != 0 {
		t.Fatalf("table: format %q sheet %q header row %d id %d", tb.Format, tb.Sheet, tb.HeaderRow, tb.IDIndex)
	}
	if strings.Join(tb.Header, "|") != strings.Join(genexportHeader, "|") {
		t.Fatalf("header %q", tb.Header)
	}
	if len(rows) != 3000 {
		t.Fatalf("%d rows", len(rows))
	}
	// Row N+1 holds CR-%07d N, Person ID 500000+3N.
	for _, n := range []int{1, 2, 997, 1499, 1500, 3000} {
		r := rows[n-1]
		if r.num != n+1 || r.cells[0] != fmt.Sprintf("CR-%07d", n) || r.cells[1] != fmt.Sprint(500000+3*n) {
			t.Errorf("row for case %d: %d %q", n, r.num, r.cells[:2])
		}
	}
	text, _ := os.ReadFile(p)
	want, last := referenceCSVRows(t, text, ',', 1)
	checkRowsAgainst(t, rows, want, last, 1)
	// Dates are ISO, not dd/mm/yyyy, and numbers stay as written.
	if !regexp.MustCompile(`^\d{4}-\d\d-\d\d$`).MatchString(rows[0].cells[4]) || rows[0].cells[13] == "" {
		t.Errorf("row 2 display values %q", rows[0].cells)
	}
}

// messyRowNum is where runGenexport -messy puts data row i (0-based): two title
// rows, a blank row and the header (row 4), then a blank row before every
// 997th data row.
func messyRowNum(i int) int { return 5 + i + i/997 }

// messyCaseID is the case reference of data row i: every 1,499th repeats the
// previous one.
func messyCaseID(i int) string {
	id := i + 1
	if i > 0 && i%1499 == 0 {
		id = i
	}
	return fmt.Sprintf("CR-%07d", id)
}

func TestCSVMessyGenexport(t *testing.T) {
	p := runGenexport(t, "messy.csv", "-n", "3000", "-messy")
	tb, rows := openAndReadAll(t, p, OpenOptions{})
	if tb.HeaderRow != 4 {
		t.Fatalf("header row %d, want 4", tb.HeaderRow)
	}
	if tb.Header[tb.IDIndex] != "Case Reference" {
		t.Fatalf("ID column %q, want Case Reference (not Person ID)", tb.Header[tb.IDIndex])
	}
	byNum := map[int]readRow{}
	var blanks []int
	for k, r := range rows {
		if r.num != 5+k {
			t.Fatalf("row numbering: index %d has %d", k, r.num)
		}
		byNum[r.num] = r
		if r.blank {
			blanks = append(blanks, r.num)
			for _, c := range r.cells {
				if c != "" {
					t.Fatalf("blank row %d has a value: %q", r.num, r.cells)
				}
			}
		}
	}
	// Blank rows before data rows 997, 1994, 2991: rows 4+998k.
	if fmt.Sprint(blanks) != "[1002 2000 2998]" {
		t.Errorf("blank rows %v, want [1002 2000 2998]", blanks)
	}
	for _, i := range []int{0, 1, 996, 997, 998, 1498, 1499, 1500, 2997, 2998, 2999} {
		r, ok := byNum[messyRowNum(i)]
		if !ok || r.blank || r.cells[0] != messyCaseID(i) {
			t.Errorf("data row %d (row %d): %v %q, want %s", i, messyRowNum(i), ok, r.cells, messyCaseID(i))
		}
	}
	// The totals row closes the file.
	lastRow := rows[len(rows)-1]
	if lastRow.num != messyRowNum(2999)+1 || lastRow.cells[0] != "Total" || lastRow.cells[1] != "3000" {
		t.Errorf("last row %d %q, want Total 3000 on row %d", lastRow.num, lastRow.cells, messyRowNum(2999)+1)
	}
	// Referral Date (a serial in the file) reads as an ISO date; the Person ID
	// and Workers in 12m (whole numbers in non-date columns) stay numbers.
	text, _ := os.ReadFile(p)
	want, last := referenceCSVRows(t, text, ',', 4)
	checkRowsAgainst(t, rows, want, last, 4)
	r := byNum[5]
	if !regexp.MustCompile(`^20\d\d-\d\d-\d\d$`).MatchString(r.cells[9]) || r.cells[1] != "500003" {
		t.Errorf("row 5: referral %q person %q", r.cells[9], r.cells[1])
	}
}

func TestCSVWindows1252Semicolon(t *testing.T) {
	p := runGenexport(t, "cp.csv", "-n", "3000", "-messy", "-encoding", "cp1252", "-delim", ";")
	raw, _ := os.ReadFile(p)
	if bytes.Contains(raw, []byte("é")) {
		t.Fatal("test file is not cp1252")
	}
	text, err := charmap.Windows1252.NewDecoder().Bytes(raw)
	if err != nil {
		t.Fatal(err)
	}
	tb, rows := openAndReadAll(t, p, OpenOptions{})
	if tb.HeaderRow != 4 || tb.IDIndex != 0 || len(tb.Header) != 15 {
		t.Fatalf("header row %d id %d header %q", tb.HeaderRow, tb.IDIndex, tb.Header)
	}
	want, last := referenceCSVRows(t, text, ';', 4)
	checkRowsAgainst(t, rows, want, last, 4)
	accented := 0
	for _, r := range rows {
		for _, c := range r.cells {
			if strings.ContainsAny(c, "éáüöë") {
				accented++
			}
		}
	}
	if accented == 0 {
		t.Error("no accented names decoded")
	}
	// Forcing the encoding gives the same; forcing UTF-8 falls back to
	// Windows-1252 for the invalid bytes rather than U+FFFD.
	for _, enc := range []string{"cp1252", "Windows-1252", "latin1", "utf-8"} {
		_, rows2 := openAndReadAll(t, p, OpenOptions{Encoding: enc, Delimiter: ";"})
		checkRowsAgainst(t, rows2, want, last, 4)
	}
}

func TestCSVUTF8BOM(t *testing.T) {
	p := runGenexport(t, "bom.csv", "-n", "500", "-encoding", "utf8bom")
	raw, _ := os.ReadFile(p)
	if !bytes.HasPrefix(raw, []byte("\xef\xbb\xbf")) {
		t.Fatal("no BOM in test file")
	}
	tb, rows := openAndReadAll(t, p, OpenOptions{})
	if tb.Header[0] != "Case Reference" || tb.IDIndex != 0 {
		t.Fatalf("header[0] %q id %d", tb.Header[0], tb.IDIndex)
	}
	want, last := referenceCSVRows(t, raw[3:], ',', 1)
	checkRowsAgainst(t, rows, want, last, 1)
}

func TestCSVUTF16(t *testing.T) {
	p := runGenexport(t, "u8.csv", "-n", "800", "-messy")
	u8, _ := os.ReadFile(p)
	want, last := referenceCSVRows(t, u8, ',', 4)
	for _, tc := range []struct {
		name string
		end  unicode.Endianness
		bom  unicode.BOMPolicy
		opt  string
	}{
		{"le-bom", unicode.LittleEndian, unicode.UseBOM, ""},
		{"be-bom", unicode.BigEndian, unicode.UseBOM, ""},
		{"le-nobom", unicode.LittleEndian, unicode.IgnoreBOM, ""},
		{"be-nobom", unicode.BigEndian, unicode.IgnoreBOM, ""},
		{"le-forced", unicode.LittleEndian, unicode.IgnoreBOM, "utf-16le"},
		{"be-forced-bom", unicode.BigEndian, unicode.UseBOM, "UTF-16BE"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			b, err := unicode.UTF16(tc.end, tc.bom).NewEncoder().Bytes(u8)
			if err != nil {
				t.Fatal(err)
			}
			if tc.bom == unicode.UseBOM && !(bytes.HasPrefix(b, []byte{0xff, 0xfe}) || bytes.HasPrefix(b, []byte{0xfe, 0xff})) {
				t.Fatal("encoder wrote no BOM")
			}
			path := writeTestCSV(t, "u16.csv", b)
			tb, rows := openAndReadAll(t, path, OpenOptions{Encoding: tc.opt})
			if tb.HeaderRow != 4 || tb.Header[0] != "Case Reference" {
				t.Fatalf("header row %d header %q", tb.HeaderRow, tb.Header)
			}
			checkRowsAgainst(t, rows, want, last, 4)
		})
	}
}

func TestCSVTabAndPipe(t *testing.T) {
	for _, d := range []struct {
		flag, opt string
		comma     rune
	}{{"\t", "", '\t'}, {"|", "", '|'}, {"\t", "tab", '\t'}, {"|", "|", '|'}, {"\t", `\t`, '\t'}} {
		p := runGenexport(t, "d.csv", "-n", "1200", "-messy", "-delim", d.flag)
		raw, _ := os.ReadFile(p)
		tb, rows := openAndReadAll(t, p, OpenOptions{Delimiter: d.opt})
		if tb.HeaderRow != 4 || len(tb.Header) != 15 {
			t.Fatalf("delim %q: header row %d header %q", d.flag, tb.HeaderRow, tb.Header)
		}
		want, last := referenceCSVRows(t, raw, d.comma, 4)
		checkRowsAgainst(t, rows, want, last, 4)
	}
}

func TestCSVLineEndings(t *testing.T) {
	p := runGenexport(t, "lf.csv", "-n", "1200", "-messy")
	lf, _ := os.ReadFile(p)
	want, last := referenceCSVRows(t, lf, ',', 4)
	for name, b := range map[string][]byte{
		"crlf": bytes.ReplaceAll(lf, []byte("\n"), []byte("\r\n")),
		"cr":   bytes.ReplaceAll(lf, []byte("\n"), []byte("\r")),
	} {
		t.Run(name, func(t *testing.T) {
			_, rows := openAndReadAll(t, writeTestCSV(t, name+".csv", b), OpenOptions{})
			checkRowsAgainst(t, rows, want, last, 4)
		})
	}
}

// ---- hand-written csv ----

func TestCSVQuotedNewlinesAndRowNumbers(t *testing.T) {
	src := "Report title\n" + // row 1
		"\n" + // row 2, blank
		"Case Reference,Note,Team\n" + // row 3: header
		"CR-1,\"first line\nsecond line, with a comma\",North\n" + // row 4 (lines 4-5)
		",,\n" + // row 5, blank (all fields empty)
		"CR-2,\"say \"\"hi\"\"\",South\n" + // row 6
		"CR-3,O\"Neill,East\r\n" + // row 7: a bare quote is kept
		"\"CR-4\" ,\"multi\r\nline\r\nthree\",West\n" + // row 8 (lines 9-11); CRLF inside quotes -> LF
		"CR-5,,\n" + // row 9
		"\n\n" // trailing blank lines are not rows
	tb, rows := openAndReadAll(t, writeTestCSV(t, "q.csv", []byte(src)), OpenOptions{})
	if tb.HeaderRow != 3 {
		t.Fatalf("header row %d", tb.HeaderRow)
	}
	want := []readRow{
		{4, []string{"CR-1", "first line\nsecond line, with a comma", "North"}, false, false},
		{5, []string{"", "", ""}, true, false},
		{6, []string{"CR-2", `say "hi"`, "South"}, false, false},
		{7, []string{"CR-3", `O"Neill`, "East"}, false, false},
		{8, []string{"CR-4", "multi\nline\nthree", "West"}, false, false},
		{9, []string{"CR-5", "", ""}, false, false},
	}
	if fmt.Sprintf("%#v", rows) != fmt.Sprintf("%#v", want) {
		t.Fatalf("rows\n got %#v\nwant %#v", rows, want)
	}
}

func TestCSVUnbalancedQuotes(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference,Note\n")
	for i := 1; i <= 99; i++ {
		fmt.Fprintf(&b, "CR-%d,ok\n", i)
	}
	early := "Case Reference,Note\nCR-1,\"never closed\nCR-2,x\n"
	late := b.String() + "CR-100,\"never closed\nCR-101,x\n"
	after := b.String() + "CR-100,\"closed\"junk\nCR-101,x\n"
	cases := []struct {
		name, src string
		row       int
		inOpen    bool
		msg       string
	}{
		{"early", early, 2, true, "never closed"},
		{"late", late, 101, false, "never closed"},
		{"after", after, 101, false, "text follows the closing quote"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := writeTestCSV(t, "u.csv", []byte(tc.src))
			tb, err := Open(context.Background(), p, OpenOptions{})
			if !tc.inOpen {
				if err != nil {
					t.Fatalf("Open: %v", err)
				}
				n := 0
				err = tb.Rows(context.Background(), []int{0}, func(r Row) error { n++; return nil })
				if n != tc.row-2 {
					t.Errorf("%d rows before the error, want %d", n, tc.row-2)
				}
			}
			var ie *InputError
			if !errors.As(err, &ie) {
				t.Fatalf("want InputError, got %v", err)
			}
			if ie.Row != tc.row || !strings.Contains(ie.Msg, tc.msg) || !strings.Contains(ie.Msg, "unbalanced quote") {
				t.Fatalf("error %q (row %d), want row %d and %q", err, ie.Row, tc.row, tc.msg)
			}
			if !strings.Contains(err.Error(), "row "+words.Thousands(tc.row)) {
				t.Errorf("message does not name the row: %v", err)
			}
		})
	}
}

func TestCSVUnbalancedQuoteDoesNotSwallowFile(t *testing.T) {
	// An unclosed quote on row 2 of a large file is reported after a
	// cell's worth of text, not after reading the whole file into a field.
	var b bytes.Buffer
	b.WriteString("Case Reference,Note\nCR-0,\"oops\n")
	line := "CR-0000001,some text that goes on for a while to make the file large enough\n"
	for b.Len() < 4<<20 {
		b.WriteString(line)
	}
	_, err := Open(context.Background(), writeTestCSV(t, "big.csv", b.Bytes()), OpenOptions{})
	var ie *InputError
	if !errors.As(err, &ie) || ie.Row != 2 || !strings.Contains(ie.Msg, "32,767") {
		t.Fatalf("got %v", err)
	}
}

func TestCSVNULBytes(t *testing.T) {
	// NUL in the first KB: binary, not csv.
	_, err := Open(context.Background(), writeTestCSV(t, "bin.csv", []byte("Case Reference\x00,Team\nCR-1,a\n")), OpenOptions{})
	if err == nil || !strings.Contains(err.Error(), "not a spreadsheet or CSV file") {
		t.Fatalf("NUL in head: %v", err)
	}
	// NUL later on: read as a character, no crash.
	var b strings.Builder
	b.WriteString("Case Reference,Team\n")
	for i := 1; i <= 100; i++ {
		fmt.Fprintf(&b, "CR-%04d,Team %d\n", i, i)
	}
	b.WriteString("CR-\x00101,Nul\x00Team\n")
	_, rows := openAndReadAll(t, writeTestCSV(t, "nul.csv", []byte(b.String())), OpenOptions{})
	last := rows[len(rows)-1]
	if last.num != 102 || last.cells[0] != "CR-\x00101" || last.cells[1] != "Nul\x00Team" {
		t.Fatalf("last row %d %q", last.num, last.cells)
	}
}

func TestCSVHeaderOnly(t *testing.T) {
	for _, src := range []string{"Case Reference,Team\n", "Case Reference,Team", "Case Reference,Team\r\n\r\n\r\n"} {
		tb, rows := openAndReadAll(t, writeTestCSV(t, "h.csv", []byte(src)), OpenOptions{})
		if tb.HeaderRow != 1 || len(rows) != 0 {
			t.Fatalf("%q: header row %d, %d rows", src, tb.HeaderRow, len(rows))
		}
	}
}

func TestCSVInvalidUTF8AfterPrefix(t *testing.T) {
	// More than the sniffed prefix of ASCII, then Windows-1252 bytes: the
	// file is judged UTF-8, and the stray bytes still read as cp1252.
	var b bytes.Buffer
	b.WriteString("Case Reference,Forename\n")
	i := 0
	for b.Len() <= sniffBytes {
		i++
		fmt.Fprintf(&b, "CR-%07d,Amelia\n", i)
	}
	b.WriteString("CR-9999999,Chlo\xe9 \x93Z\x94 \xa3\n") // Chloé “Z” £
	b.WriteString("CR-9999998,Zoë\n")                     // real UTF-8 after it
	_, rows := openAndReadAll(t, writeTestCSV(t, "late.csv", b.Bytes()), OpenOptions{})
	n := len(rows)
	if rows[n-2].cells[1] != "Chloé “Z” £" || rows[n-1].cells[1] != "Zoë" {
		t.Fatalf("got %q and %q", rows[n-2].cells[1], rows[n-1].cells[1])
	}
	if rows[n-1].num != i+3 {
		t.Fatalf("last row %d, want %d", rows[n-1].num, i+3)
	}
}

func TestCSVDisplayValues(t *testing.T) {
	src := "45000,1/7/2026\n" + // above the header: a serial stays a number
		"Case Reference,DOB,Referral date,Workers in 12m,Note\n" +
		"CR-1,45474,45945,3,30/06/2026 09:14\n" +
		"CR-2,01/02/2003,45946,45000,31/02/2026\n" +
		"CR-3,45475,45945.5,7,12/34/5678\n" +
		"CR-4, 45474,45947,0012,007\n" +
		"CR-5,45476,not known,1,\n" +
		"CR-6,45477,45948,1,\n" +
		"CR-7,45478,45949,1,\n" +
		"CR-8,45479,45950,1,\n" +
		"CR-9,45480,45951,1,\n" +
		"CR-10,45481,45952,1,\n" +
		"CR-11,45482,45953,1,\n" +
		"CR-12,45483,2958466,1,\n" // one number in ten may be no date
	tb, rows := openAndReadAll(t, writeTestCSV(t, "d.csv", []byte(src)), OpenOptions{})
	if tb.HeaderRow != 2 {
		t.Fatalf("header row %d", tb.HeaderRow)
	}
	// 45474 days after 1899-12-30 is 2024-07-01; 45945 is 2025-10-15.
	want := [][]string{
		{"CR-1", "2024-07-01", "2025-10-15", "3", "2026-06-30 09:14:00"},
		{"CR-2", "2003-02-01", "2025-10-16", "45000", "31/02/2026"},
		{"CR-3", "2024-07-02", "45945.5", "7", "12/34/5678"},
		{"CR-4", " 45474", "2025-10-17", "0012", "007"},
		{"CR-5", "2024-07-03", "not known", "1", ""},
		{"CR-6", "2024-07-04", "2025-10-18", "1", ""},
		{"CR-7", "2024-07-05", "2025-10-19", "1", ""},
		{"CR-8", "2024-07-06", "2025-10-20", "1", ""},
		{"CR-9", "2024-07-07", "2025-10-21", "1", ""},
		{"CR-10", "2024-07-08", "2025-10-22", "1", ""},
		{"CR-11", "2024-07-09", "2025-10-23", "1", ""},
		{"CR-12", "2024-07-10", "2958466", "1", ""},
	}
	for k, r := range rows {
		if fmt.Sprintf("%q", r.cells) != fmt.Sprintf("%q", want[k]) {
			t.Errorf("row %d: got %q want %q", r.num, r.cells, want[k])
		}
	}
	// Rows above the header: read through the grid itself.
	wb, err := openCSV(tb.Path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	g, _ := wb.grid(0)
	if err := g.(headerSetter).setHeader(context.Background(), 2, []string{"Case Reference", "DOB"}); err != nil {
		t.Fatal(err)
	}
	var first []string
	g.scan(context.Background(), nil, func(num int, cells []string) error {
		first = append([]string(nil), cells...)
		return ErrStop
	})
	if fmt.Sprintf("%q", first) != `["45000" "2026-07-01"]` {
		t.Errorf("row 1: %q", first)
	}
}

func TestCSVWantedColumnsOnly(t *testing.T) {
	src := "Case Reference,A,B,C\nCR-1,a1,b1,c1\nCR-2,a2\nCR-3,a3,b3,c3,extra\n"
	tb, err := Open(context.Background(), writeTestCSV(t, "w.csv", []byte(src)), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	tb.Rows(context.Background(), []int{2, 0}, func(r Row) error {
		got = append(got, fmt.Sprintf("%d:%q", r.Num, r.Cells))
		return nil
	})
	if strings.Join(got, " ") != `2:["b1" "CR-1"] 3:["" "CR-2"] 4:["b3" "CR-3"]` {
		t.Fatalf("got %s", strings.Join(got, " "))
	}
}

func TestCSVStopAndCancel(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference\n")
	for i := 0; i < 20000; i++ {
		fmt.Fprintf(&b, "CR-%d\n", i)
	}
	tb, err := Open(context.Background(), writeTestCSV(t, "s.csv", []byte(b.String())), OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	n := 0
	err = tb.Rows(context.Background(), []int{0}, func(r Row) error {
		n++
		if n == 10 {
			return ErrStop
		}
		return nil
	})
	if err != nil || n != 10 {
		t.Fatalf("ErrStop: %v after %d rows", err, n)
	}
	ctx, cancel := context.WithCancel(context.Background())
	n = 0
	err = tb.Rows(ctx, []int{0}, func(r Row) error {
		n++
		if n == 100 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || n >= 20000 {
		t.Fatalf("cancel: %v after %d rows", err, n)
	}
}

func TestCSVOptionErrors(t *testing.T) {
	p := writeTestCSV(t, "o.csv", []byte("Case Reference,Team\nCR-1,x\n"))
	_, err := Open(context.Background(), p, OpenOptions{Encoding: "ebcdic"})
	if !IsInputError(err) || !strings.Contains(err.Error(), "utf-16le") || !strings.Contains(err.Error(), "windows-1252") {
		t.Errorf("encoding: %v", err)
	}
	_, err = Open(context.Background(), p, OpenOptions{Delimiter: ":"})
	if !IsInputError(err) || !strings.Contains(err.Error(), `"tab"`) {
		t.Errorf("delimiter: %v", err)
	}
	if _, err := Open(context.Background(), p, OpenOptions{Sheet: "1"}); err != nil {
		t.Errorf("sheet 1 of a csv: %v", err)
	}
	_, err = Open(context.Background(), p, OpenOptions{Sheet: "Cases"})
	if !IsInputError(err) || !strings.Contains(err.Error(), "no sheets") {
		t.Errorf("sheet of a csv: %v", err)
	}
	// Forcing a delimiter that is wrong leaves one column, without the ID.
	_, err = Open(context.Background(), p, OpenOptions{Delimiter: ";"})
	if !IsInputError(err) || !strings.Contains(err.Error(), "Case Reference,Team") {
		t.Errorf("wrong delimiter: %v", err)
	}
}

func TestSniffDelimiter(t *testing.T) {
	cases := []struct {
		src  string
		want byte
	}{
		{"Title only\n\nA;B;C\n1;2,5;3\n4;5;6\n", ';'},
		{"a,b,c\n\"x;y\",2,3\n", ','},
		{"a\tb\tc\n1\t2\t3\n", '\t'},
		{"a|b|c\n1|2|3\n", '|'},
		{"Case Reference\nCR-1\nCR-2\n", ','},
		{"a;b,c;d\n1;2,3;4\n5;6,7;8\n", ';'},         // same consistency: more fields wins
		{"x,y\n\"1;2;3;4\",5\n\"6;7;8;9\",0\n", ','}, // delimiters inside quotes do not count
		// A line of delimiters alone is a blank row, but it shows the delimiter.
		{"Case Reference\nCR-1\n;\nCR-2\n", ';'},
		{"Case Reference\nCR-1\n;\n\"\";\"\"\nCR-2\n", ';'},
		{"Case Reference\nCR-1\n\t\t\nCR-2\n", '\t'},
	}
	for _, tc := range cases {
		if got := sniffDelimiter([]byte(tc.src)); got != tc.want {
			t.Errorf("%q: got %q want %q", tc.src, got, tc.want)
		}
	}
}

// FuzzCSV feeds arbitrary bytes to the csv reader: the grid alone, and Open
// with Rows. Nothing may panic; every error is an InputError on one line;
// rows are numbered 1, 2, 3 …; every cell is valid UTF-8. Where
// encoding/csv (strict quotes) accepts the input as comma-separated, the
// record parser must give the same fields and the same starting lines.
func FuzzCSV(f *testing.F) {
	f.Add([]byte("Case Reference,Team\nCR-1,North\n"))
	f.Add([]byte("Title\n\nCase Reference;Team\r\nCR-1;\"a\r\nb\"\r\n"))
	f.Add([]byte("\xff\xfeC\x00a\x00s\x00e\x00 \x00I\x00D\x00\n\x001\x00"))
	p := filepath.Join(f.TempDir(), "f.csv") // one file per fuzzing process, rewritten each time
	f.Fuzz(func(t *testing.T, data []byte) {
		ctx := context.Background()
		if err := os.WriteFile(p, data, 0o600); err != nil {
			t.Fatal(err)
		}
		checkErr := func(what string, err error) {
			if err == nil {
				return
			}
			if !IsInputError(err) {
				t.Fatalf("%s: not an InputError: %v", what, err)
			}
			if strings.Contains(err.Error(), "\n") {
				t.Fatalf("%s: error on several lines: %q", what, err)
			}
		}

		wb, err := openCSV(p, OpenOptions{})
		checkErr("openCSV", err)
		if err == nil {
			g, _ := wb.grid(0)
			prev := 0
			err = g.scan(ctx, nil, func(num int, cells []string) error {
				if num != prev+1 {
					t.Fatalf("row %d after %d", num, prev)
				}
				prev = num
				for _, c := range cells {
					if !utf8.ValidString(c) {
						t.Fatalf("row %d: invalid UTF-8 %q", num, c)
					}
				}
				return nil
			})
			checkErr("scan", err)
			// Reading only some columns (a line without quotes is then
			// split only up to the last one wanted) gives the same cells,
			// rows and error as reading them all.
			all, allErr := scanAll(ctx, g, nil)
			for _, want := range [][]bool{{true}, {false, true}, {true, false, true, false}} {
				some, someErr := scanAll(ctx, g, want)
				if fmt.Sprint(allErr) != fmt.Sprint(someErr) || len(all) != len(some) {
					t.Fatalf("want %v: %d rows, error %v; all columns: %d rows, error %v", want, len(some), someErr, len(all), allErr)
				}
				for i := range all {
					if all[i].num != some[i].num || (len(all[i].cells) == 0) != (len(some[i].cells) == 0) {
						t.Fatalf("want %v: row %d/%d blank %v; all columns: row %d blank %v", want, i, some[i].num, len(some[i].cells) == 0, all[i].num, len(all[i].cells) == 0)
					}
					for c, w := range want {
						if w && cellAt(all[i].cells, c) != cellAt(some[i].cells, c) {
							t.Fatalf("want %v: row %d column %d is %q; all columns: %q", want, all[i].num, c, cellAt(some[i].cells, c), cellAt(all[i].cells, c))
						}
					}
				}
			}
		}

		tb, err := Open(ctx, p, OpenOptions{})
		checkErr("Open", err)
		if err == nil {
			if tb.IDIndex < 0 || tb.IDIndex >= len(tb.Header) || tb.HeaderRow < 1 {
				t.Fatalf("table %+v", tb)
			}
			if i, err := tb.ColumnIndex(tb.Header[tb.IDIndex]); err != nil || colname.Norm(tb.Header[i]) != colname.Norm(tb.Header[tb.IDIndex]) {
				t.Fatalf("ColumnIndex(%q) = %d, %v", tb.Header[tb.IDIndex], i, err)
			}
			cols := make([]int, len(tb.Header))
			for i := range cols {
				cols[i] = i
			}
			next := tb.HeaderRow + 1
			err = tb.Rows(ctx, cols, func(r Row) error {
				if r.Num != next {
					t.Fatalf("row %d, want %d", r.Num, next)
				}
				next++
				return nil
			})
			checkErr("Rows", err)
			tb.Close()
		}

		// Differential check of the record parser against encoding/csv.
		cr := csv.NewReader(bytes.NewReader(data))
		cr.FieldsPerRecord = -1
		var want [][]string
		var wantLines []int
		for {
			rec, err := cr.Read()
			if err == io.EOF {
				break
			}
			if err != nil {
				return // encoding/csv rejects it; our leniency is tested elsewhere
			}
			if strings.Join(rec, "") != "" {
				line, _ := cr.FieldPos(0)
				want = append(want, rec)
				wantLines = append(wantLines, line)
			}
		}
		rr := newRecReader(bytes.NewReader(data), ',', 4096)
		var got [][]string
		var gotLines []int
		for {
			blank, err := rr.next(0)
			if err == io.EOF {
				break
			}
			if err != nil {
				t.Fatalf("encoding/csv accepts %q, we fail: %v", data, err)
			}
			if blank {
				continue
			}
			var rec []string
			for i := 0; i < rr.fields(); i++ {
				rec = append(rec, string(rr.field(i)))
			}
			got = append(got, rec)
			gotLines = append(gotLines, rr.startLine)
		}
		if fmt.Sprintf("%q %v", got, gotLines) != fmt.Sprintf("%q %v", want, wantLines) {
			t.Fatalf("input %q\n got %q %v\nwant %q %v", data, got, gotLines, want, wantLines)
		}
	})
}

// BenchmarkCSVScan compares Open+Rows on a 100,000-row messy genexport csv
// with a plain encoding/csv loop over the same file (ReuseRecord, as the
// shared baseline does). Report the ratio of the two ns/op.
func BenchmarkCSVScan(b *testing.B) {
	if testing.Short() {
		b.Skip("generates a 100,000-row csv")
	}
	path := benchCSV(b, 100_000)
	b.Run("encoding-csv", func(b *testing.B) {
		for b.Loop() {
			f, err := os.Open(path)
			if err != nil {
				b.Fatal(err)
			}
			r := csv.NewReader(bufio.NewReaderSize(f, 1<<20))
			r.FieldsPerRecord = -1
			r.ReuseRecord = true
			r.LazyQuotes = true
			n := 0
			for {
				if _, err := r.Read(); err != nil {
					break
				}
				n++
			}
			f.Close()
		}
	})
	for _, bc := range []struct {
		name string
		cols []int
	}{{"id-only", []int{0}}, {"id-team-date", []int{0, 6, 9}}, {"all", nil}} {
		b.Run(bc.name, func(b *testing.B) {
			for b.Loop() {
				tb, err := Open(context.Background(), path, OpenOptions{})
				if err != nil {
					b.Fatal(err)
				}
				cols := bc.cols
				if cols == nil {
					for i := range tb.Header {
						cols = append(cols, i)
					}
				}
				n := 0
				if err := tb.Rows(context.Background(), cols, func(Row) error { n++; return nil }); err != nil {
					b.Fatal(err)
				}
				tb.Close()
			}
		})
	}
}

// benchCSV writes an n-row messy genexport csv under the benchmark's temp dir.
func benchCSV(b *testing.B, n int) string {
	b.Helper()
	return genExport(b, "bench.csv", "-n", fmt.Sprint(n), "-messy")
}

// TestCSVDateFastPaths checks the cached date conversions against
// UKDateToISO and SerialToISO, which they must equal.
func TestCSVDateFastPaths(t *testing.T) {
	dc := new(dateCache)
	check := func(s int) {
		want, ok := SerialToISO(float64(s), false)
		if got := dc.serial(s); !ok || got != want {
			t.Fatalf("serial %d: got %q, want %q", s, got, want)
		}
	}
	for s := 61; s <= 120000; s++ {
		check(s)
	}
	for s := 120000; s <= maxSerial; s += 97 {
		check(s)
	}
	check(maxSerial)
	for _, y := range []int{999, 1000, 1900, 1999, 2000, 2023, 2024, 2100, 9999} {
		for m := 0; m <= 13; m++ {
			for d := 0; d <= 32; d++ {
				v := fmt.Sprintf("%02d/%02d/%04d", d, m, y)
				want, wok := UKDateToISO(v)
				got, ok := dc.ukDate(v)
				if ok != wok || got != want {
					t.Fatalf("%s: got %q %v, want %q %v", v, got, ok, want, wok)
				}
			}
		}
	}
}

func TestCSVStrayCR(t *testing.T) {
	// A stray CR inside a field of an LF file is data, not a line break;
	// a file of CR-ended lines is read line by line.
	lf := "Case Reference,Note\nCR-1,a\rb\nCR-2,c\n"
	_, rows := openAndReadAll(t, writeTestCSV(t, "lf.csv", []byte(lf)), OpenOptions{})
	if len(rows) != 2 || rows[0].cells[1] != "a\rb" || rows[1].num != 3 {
		t.Errorf("LF file with a stray CR: %#v", rows)
	}
	cr := "Case Reference,Note\rCR-1,\"a\r\nb\"\rCR-2,c\r"
	_, rows = openAndReadAll(t, writeTestCSV(t, "cr.csv", []byte(cr)), OpenOptions{})
	if len(rows) != 2 || rows[0].cells[1] != "a\nb" || rows[1].num != 3 || rows[1].cells[1] != "c" {
		t.Errorf("CR file: %#v", rows)
	}
}

type scannedRow struct {
	num   int
	cells []string
}

// scanAll reads every row of g with the given wanted columns.
func scanAll(ctx context.Context, g grid, want []bool) ([]scannedRow, error) {
	var out []scannedRow
	err := g.scan(ctx, want, func(num int, cells []string) error {
		out = append(out, scannedRow{num, slices.Clone(cells)})
		return nil
	})
	return out, err
}

func cellAt(cells []string, i int) string {
	if i < len(cells) {
		return cells[i]
	}
	return ""
}

// TestSWARZeroBytes checks the eight-bytes-at-a-time test against a byte
// loop for every byte value in every position, among neighbours that are
// zero, one, 0x80 or 0xff (where a carry or borrow would show).
func TestSWARZeroBytes(t *testing.T) {
	for pos := 0; pos < 8; pos++ {
		for v := 0; v < 256; v++ {
			for _, fill := range []byte{0, 1, 0x80, 0xff, ','} {
				var b [8]byte
				for i := range b {
					b[i] = fill
				}
				b[pos] = byte(v)
				var want uint64
				for i, c := range b {
					if c == 0 {
						want |= 0x80 << (8 * i)
					}
				}
				if got := swarZeroBytes(binary.LittleEndian.Uint64(b[:])); got != want {
					t.Fatalf("%x: got %016x, want %016x", b, got, want)
				}
			}
		}
	}
}

// Raw keeps a csv's cells as written: dates with slashes and serial
// numbers in a date column are not turned into yyyy-mm-dd.
func TestCSVRaw(t *testing.T) {
	path := writeFile(t, "raw.csv", []byte(utf16Text("Case Reference,Date opened,Note\r\nCR-1,07/10/2026,a\r\nCR-2,46203,30/06/2026 09:14\r\n", false, true)))
	_, rows := tableRows(t, path, OpenOptions{Raw: true})
	if got, want := rowsText(rows), "2:CR-1|07/10/2026|a\n3:CR-2|46203|30/06/2026 09:14\n"; got != want {
		t.Errorf("raw:\n%s\nwant\n%s", got, want)
	}
	_, rows = tableRows(t, path, OpenOptions{})
	if got, want := rowsText(rows), "2:CR-1|2026-10-07|a\n3:CR-2|2026-06-30|2026-06-30 09:14:00\n"; got != want {
		t.Errorf("display:\n%s\nwant\n%s", got, want)
	}
}

func TestSlashDateToISO(t *testing.T) {
	for _, tc := range []struct {
		in         string
		monthFirst bool
		want       string
	}{
		{"07/10/2026", false, "2026-10-07"},
		{"07/10/2026", true, "2026-07-10"},
		{"7/1/2026 09:14", true, "2026-07-01 09:14:00"},
		{"12/31/2025", true, "2025-12-31"},
		{"12/31/2025", false, ""},
		{"02/29/2026", true, ""},
		{"29/02/2028", false, "2028-02-29"},
		{"07/10/2026 junk", true, ""},
	} {
		got, ok := SlashDateToISO(tc.in, tc.monthFirst)
		if got != tc.want || ok != (tc.want != "") {
			t.Errorf("SlashDateToISO(%q, %v) = %q, %v; want %q", tc.in, tc.monthFirst, got, ok, tc.want)
		}
	}
}

// TestCSVWantedFieldsText checks the shortcut that copies a line's wanted
// fields as they stand when the search for the delimiters saw only ASCII:
// text past the last wanted field is not looked at (and must not matter),
// and a line with other bytes has each wanted field checked on its own, a
// Windows-1252 byte in a file judged UTF-8 still read as such. Serial and
// in chunks.
func TestCSVWantedFieldsText(t *testing.T) {
	var b strings.Builder
	b.WriteString("ID,Name,Team,Note\n")
	for i := 0; b.Len() <= sniffBytes; i++ {
		fmt.Fprintf(&b, "CR-%07d,Sam Smith,North,plain\n", i)
	}
	b.WriteString("CR-1000001,Sam,South,Zo\xc3\xab Chlo\xe9\n")    // after the wanted fields: valid and invalid UTF-8
	b.WriteString("CR-1000002,Zo\xc3\xab Evans,Chlo\xe9 team,x\n") // an unwanted field not ASCII, a wanted one in Windows-1252
	b.WriteString("CR-1000003,Sam,\"West, \xc3\xa9\",y\n")         // quoted
	b.WriteString("CR-1000004,Sam,abcdefghij\xc3\xa9klmnop,z\n")   // the UTF-8 in a later eight-byte word
	wantTail := `["CR-1000001" "" "South"]
["CR-1000002" "" "Chloé team"]
["CR-1000003" "" "West, é"]
["CR-1000004" "" "abcdefghijéklmnop"]`
	for _, par := range []int{parSerial, parForce} {
		g := openCSVGrid(t, []byte(b.String()))
		g.par = par
		lines := strings.Split(strings.TrimSuffix(scanText(g, []bool{true, false, true}, 0), "\n"), "\n")
		var tail []string
		for _, l := range lines[len(lines)-4:] {
			_, cells, _ := strings.Cut(l, " ")
			tail = append(tail, cells)
		}
		if got := strings.Join(tail, "\n"); got != wantTail {
			t.Errorf("par %d: last rows:\n%s\nwant:\n%s", par, got, wantTail)
		}
		if lines[1] != `2 ["CR-0000000" "" "North"]` {
			t.Errorf("par %d: row 2: %s", par, lines[1])
		}
	}
}
