package export

import (
	"archive/zip"
	"bytes"
	"compress/flate"
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/xuri/excelize/v2"
)

// ---- test workbooks ----

// xlsxGenexport writes a synthetic export like shared/tools/genexport's
// under t.TempDir().
func xlsxGenexport(t testing.TB, name string, args ...string) string {
	t.Helper()
	return genExport(t, name, args...)
}

// zipPart is one entry of a hand-built zip.
type zipPart struct{ name, body string }

func buildZip(t testing.TB, parts []zipPart) []byte {
	t.Helper()
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range parts {
		w, err := zw.Create(p.name)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := w.Write([]byte(p.body)); err != nil {
			t.Fatal(err)
		}
	}
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func writeFile(t testing.TB, name string, data []byte) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, data, 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

const (
	nsMain = `xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"`
	relWS  = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
)

// minimalParts is the skeleton of a workbook with the given sheet XML
// (sheetData and all) as its only sheet, "Cases".
func minimalParts(sheetXML string, extra ...zipPart) []zipPart {
	parts := []zipPart{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook ` + nsMain + `><sheets><sheet name="Cases" sheetId="1" r:id="rId1"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + relWS + `" Target="worksheets/sheet1.xml"/></Relationships>`},
		{"xl/worksheets/sheet1.xml", `<?xml version="1.0"?><worksheet ` + nsMain + `>` + sheetXML + `</worksheet>`},
	}
	return append(parts, extra...)
}

// ---- reading helpers ----

// readGrid reads sheet i with the reader under test and returns the rows
// (index num-1), checking that row numbers are consecutive from 1.
func readGrid(t testing.TB, wb workbook, i int, want []bool) [][]string {
	t.Helper()
	g, err := wb.grid(i)
	if err != nil {
		t.Fatalf("grid(%d): %v", i, err)
	}
	var rows [][]string
	err = g.scan(context.Background(), want, func(num int, cells []string) error {
		if num != len(rows)+1 {
			t.Fatalf("row number %d after %d rows", num, len(rows))
		}
		rows = append(rows, append([]string(nil), cells...))
		return nil
	})
	if err != nil {
		t.Fatalf("scan sheet %d: %v", i, err)
	}
	return rows
}

func openBook(t testing.TB, path string, opts OpenOptions) workbook {
	t.Helper()
	wb, err := openXLSX(path, opts)
	if err != nil {
		t.Fatalf("openXLSX: %v", err)
	}
	t.Cleanup(func() { wb.close() })
	return wb
}

// normaliseRows drops trailing empty cells of each row and trailing empty
// rows, the parts of a sheet that readers may or may not report.
func normaliseRows(rows [][]string) [][]string {
	out := make([][]string, len(rows))
	for i, r := range rows {
		n := len(r)
		for n > 0 && r[n-1] == "" {
			n--
		}
		out[i] = r[:n]
	}
	n := len(out)
	for n > 0 && len(out[n-1]) == 0 {
		n--
	}
	return out[:n]
}

// ---- the reference: excelize ----

// refBuiltinKind lists the built-in number formats that show dates or times
// (ECMA-376 part 1, 18.8.30, and Excel's East Asian formats): 18–21 and
// 45, 47 are times of day (h:mm AM/PM, h:mm:ss, mm:ss, mmss.0), 32 and 33
// the East Asian h"時"mm"分"(ss"秒"), 46 ([h]:mm:ss) an elapsed time.
var refBuiltinKind = map[int]numFmtKind{
	14: fmtDate, 15: fmtDate, 16: fmtDate, 17: fmtDate, 18: fmtTime, 19: fmtTime, 20: fmtTime, 21: fmtTime, 22: fmtDate,
	27: fmtDate, 28: fmtDate, 29: fmtDate, 30: fmtDate, 31: fmtDate, 32: fmtTime, 33: fmtTime, 34: fmtDate, 35: fmtDate, 36: fmtDate,
	45: fmtTime, 46: fmtElapsed, 47: fmtTime,
	50: fmtDate, 51: fmtDate, 52: fmtDate, 53: fmtDate, 54: fmtDate, 55: fmtDate, 56: fmtDate, 57: fmtDate, 58: fmtDate,
}

// refCustomKind says, for every custom format code the test workbooks use,
// how it shows a number: decided by hand, not by the code under test.
var refCustomKind = map[string]numFmtKind{
	"dd/mm/yyyy":               fmtDate,
	"yyyy-mm-dd hh:mm":         fmtDate,
	`[$-809]dd mmmm yyyy`:      fmtDate,
	"d-mmm-yy":                 fmtDate,
	`dd/mm/yyyy;@`:             fmtDate,
	"[h]:mm:ss":                fmtElapsed,
	"[h]":                      fmtElapsed, // 36 days show as 864 (hours)
	"[mm]:ss":                  fmtElapsedMinutes,
	"[ss]":                     fmtElapsedSeconds,
	"hh:mm:ss":                 fmtTime,
	"h:mm":                     fmtTime,
	"mm:ss":                    fmtTime,
	"mm:ss.0":                  fmtTime,
	`h "h" mm "min"`:           fmtTime,
	"@":                        fmtNumber,
	`"£"#,##0.00`:              fmtNumber,
	`#,##0.00 "days"`:          fmtNumber,
	`[Red][<0]-0.00;0.00`:      fmtNumber,
	`0.00E+00`:                 fmtNumber,
	`"Date: "0`:                fmtNumber,
	`\d\a\y 0`:                 fmtNumber,
	`[$£-809]#,##0.00`:         fmtNumber,
	"General":                  fmtNumber,
	"m/d/yyyy":                 fmtDate, // LibreOffice's code for built-in format 14
	"0%":                       fmtNumber,
	"hh:mm AM/PM":              fmtTime,
	`mmm\-yy`:                  fmtDate,
	"mmmm":                     fmtDate,
	`[$-F800]dddd\,\ mmmm\ dd`: fmtDate,
	`[$-F400]h:mm:ss\ AM/PM`:   fmtTime,   // Excel's long time
	"0.00;[h]:mm":              fmtNumber, // only the first section (positive numbers) counts
}

// refClock shows a number of days in a time format, computed with the time
// package: the time of day of the date-time it stands for, or the duration.
func refClock(days float64, kind numFmtKind) string {
	d := time.Duration(math.Round(days*86400)) * time.Second
	switch kind {
	case fmtTime:
		return time.Date(2000, 1, 1, 0, 0, 0, 0, time.UTC).Add(d).Format("15:04:05")
	case fmtElapsed:
		return fmt.Sprintf("%d:%02d:%02d", int(d.Hours()), int(d.Minutes())%60, int(d.Seconds())%60)
	case fmtElapsedMinutes:
		return fmt.Sprintf("%d:%02d", int(d.Minutes()), int(d.Seconds())%60)
	case fmtElapsedSeconds:
		return fmt.Sprint(int(d.Seconds()))
	}
	panic("not a time format")
}

// excelizeRows reads a sheet with excelize, raw values, and applies the
// display rules of values.go to them using excelize's own idea of each
// cell's type and number format. It is the independent reference for the
// scanner.
func excelizeRows(t testing.TB, path, sheet string, opts ...excelize.Options) [][]string {
	t.Helper()
	f, err := excelize.OpenFile(path, opts...)
	if err != nil {
		t.Fatalf("excelize open: %v", err)
	}
	defer f.Close()
	props, err := f.GetWorkbookProps()
	if err != nil {
		t.Fatal(err)
	}
	date1904 := props.Date1904 != nil && *props.Date1904
	rows, err := f.Rows(sheet)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out [][]string
	for r := 1; rows.Next(); r++ {
		raw, err := rows.Columns(excelize.Options{RawCellValue: true})
		if err != nil {
			t.Fatal(err)
		}
		row := make([]string, len(raw))
		for c, v := range raw {
			if v == "" {
				continue
			}
			cell, _ := excelize.CoordinatesToCellName(c+1, r)
			row[c] = refDisplay(t, f, sheet, cell, v, date1904)
		}
		out = append(out, row)
	}
	if err := rows.Error(); err != nil {
		t.Fatal(err)
	}
	return out
}

func refDisplay(t testing.TB, f *excelize.File, sheet, cell, raw string, date1904 bool) string {
	if _, err := strconv.ParseFloat(raw, 64); err != nil && !(len(raw) >= 10 && raw[4] == '-' && raw[7] == '-') {
		// Text that is neither a number nor an ISO date reads as it stands
		// under every rule below: skip excelize's slow per-cell lookups.
		return raw
	}
	typ, err := f.GetCellType(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	switch typ {
	case excelize.CellTypeBool:
		switch raw {
		case "1":
			return "TRUE"
		case "0":
			return "FALSE"
		}
		return raw
	case excelize.CellTypeError, excelize.CellTypeSharedString, excelize.CellTypeInlineString, excelize.CellTypeFormula:
		return raw
	case excelize.CellTypeDate:
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
			if tm, err := time.Parse(layout, raw); err == nil {
				if tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 {
					return tm.Format("2006-01-02")
				}
				return tm.Format("2006-01-02 15:04:05")
			}
		}
		return raw
	}
	idx, err := f.GetCellStyle(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	kind := fmtNumber
	if idx > 0 {
		st, err := f.GetStyle(idx)
		if err != nil {
			t.Fatal(err)
		}
		if st.CustomNumFmt != nil {
			k, ok := refCustomKind[*st.CustomNumFmt]
			if !ok {
				t.Fatalf("cell %s: custom format %q not in refCustomKind", cell, *st.CustomNumFmt)
			}
			kind = k
		} else {
			kind = refBuiltinKind[st.NumFmt]
		}
	}
	v, err := strconv.ParseFloat(raw, 64)
	switch {
	case err != nil, kind == fmtNumber:
	case kind == fmtDate:
		if s, ok := refDate(v, date1904); ok {
			return s
		}
	case kind == fmtTime && v < 0:
	default:
		return refClock(v, kind)
	}
	return refGeneral(t, f, sheet, cell, raw)
}

// refDate shows a date serial as excelize converts it; ok is false where
// Excel shows no date (before 1900 or 1904, after 9999).
func refDate(v float64, date1904 bool) (string, bool) {
	tm, err := excelize.ExcelDateToTime(v, date1904)
	if err != nil || tm.Year() > 9999 {
		return "", false
	}
	if !date1904 && int(v) == 60 {
		// Excel shows the day Lotus 1-2-3 believed in, which no
		// calendar has.
		tm = time.Date(1900, 2, 29, 0, 0, 0, 0, time.UTC).Add(tm.Sub(tm.Truncate(24 * time.Hour)))
		if tm.Hour()+tm.Minute()+tm.Second() == 0 {
			return "1900-02-29", true
		}
		return "1900-02-29 " + tm.Format("15:04:05"), true
	}
	if tm.Hour() == 0 && tm.Minute() == 0 && tm.Second() == 0 {
		return tm.Format("2006-01-02"), true
	}
	return tm.Format("2006-01-02 15:04:05"), true
}

// refGeneral shows a number in Excel's General form as excelize formats a
// cell whose style is General, except where the reader deliberately shows
// what Excel's formula bar shows (refFormulaBar).
func refGeneral(t testing.TB, f *excelize.File, sheet, cell, raw string) string {
	if s, ok := refFormulaBar[raw]; ok {
		return s
	}
	general, err := f.NewStyle(&excelize.Style{NumFmt: 0})
	if err == nil {
		err = f.SetCellStyle(sheet, cell, cell, general)
	}
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.GetCellValue(sheet, cell)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// refFormulaBar lists stored numbers that excelize's General shows
// otherwise than the reader's rule (at most 15 significant digits, an
// exponent only below 1e-9 or from 1e21, no negative zero), with what the
// rule shows, worked out by hand.
var refFormulaBar = map[string]string{
	"-0":                 "0",
	"0.00000000015":      "1.5e-10", // excelize's raw value of a stored 1.5E-10
	"123456789012345678": "123456789012346000",
}

// compareWithExcelize checks every cell of every sheet against excelize.
func compareWithExcelize(t *testing.T, path string) {
	t.Helper()
	wb := openBook(t, path, OpenOptions{})
	for i, si := range wb.sheets() {
		got := normaliseRows(readGrid(t, wb, i, nil))
		want := normaliseRows(excelizeRows(t, path, si.Name))
		compareRows(t, si.Name, got, want)
	}
}

func compareRows(t *testing.T, sheet string, got, want [][]string) {
	t.Helper()
	bad := 0
	for r := 0; r < max(len(got), len(want)); r++ {
		var g, w []string
		if r < len(got) {
			g = got[r]
		}
		if r < len(want) {
			w = want[r]
		}
		for c := 0; c < max(len(g), len(w)); c++ {
			gv, wv := "", ""
			if c < len(g) {
				gv = g[c]
			}
			if c < len(w) {
				wv = w[c]
			}
			if gv != wv {
				t.Errorf("sheet %q cell %s%d: got %q, excelize %q", sheet, columnName(c), r+1, gv, wv)
				if bad++; bad > 20 {
					t.Fatal("too many differences")
				}
			}
		}
	}
	if len(got) != len(want) {
		t.Errorf("sheet %q: %d rows, excelize %d", sheet, len(got), len(want))
	}
}

// ---- differential tests ----

func TestXLSXGenexportCleanMatchesExcelize(t *testing.T) {
	path := xlsxGenexport(t, "clean.xlsx", "-n", "3000", "-format", "xlsx")
	compareWithExcelize(t, path)

	// And against what genexport put in: 3,000 cases under a header in row 1,
	// IDs CR-0000001…, Person ID 500000+3i, dates in yyyy-mm-dd.
	wb := openBook(t, path, OpenOptions{})
	rows := readGrid(t, wb, 0, nil)
	if len(rows) != 3001 {
		t.Fatalf("%d rows, want 3,001", len(rows))
	}
	if rows[0][0] != "Case Reference" || rows[0][14] != "Case Status" {
		t.Errorf("header %q", rows[0])
	}
	for i := 1; i <= 3000; i++ {
		if want := fmt.Sprintf("CR-%07d", i); rows[i][0] != want {
			t.Fatalf("row %d: ID %q, want %q", i+1, rows[i][0], want)
		}
		if want := strconv.Itoa(500000 + 3*i); rows[i][1] != want {
			t.Fatalf("row %d: person ID %q, want %q", i+1, rows[i][1], want)
		}
		if _, err := time.Parse("2006-01-02", rows[i][4]); err != nil {
			t.Fatalf("row %d: date of birth %q is not yyyy-mm-dd", i+1, rows[i][4])
		}
	}
}

func TestXLSXGenexportMessyMatchesExcelize(t *testing.T) {
	path := xlsxGenexport(t, "messy.xlsx", "-n", "3000", "-messy", "-format", "xlsx")
	compareWithExcelize(t, path)

	wb := openBook(t, path, OpenOptions{})
	if s := wb.sheets(); len(s) != 2 || s[0].Name != "Summary" || s[1].Name != "Cases" || s[0].Hidden || s[1].Hidden {
		t.Fatalf("sheets %+v", s)
	}
	// Only the ID column wanted: blank rows (every 997 data rows) stay blank,
	// the title rows are present, row numbers are the sheet's.
	rows := readGrid(t, wb, 1, []bool{true})
	if rows[0][0] != "Open cases report" || len(rows[2]) != 0 || rows[3][0] != "Case Reference" {
		t.Fatalf("top rows %q", rows[:4])
	}
	blank := 0
	for i, r := range rows[4:] {
		if len(r) == 0 {
			blank++
			continue
		}
		if len(r) != 1 || !strings.HasPrefix(r[0], "CR-") {
			t.Fatalf("row %d: %q", i+5, r)
		}
	}
	if blank != 3 { // before data rows 998, 1995, 2992
		t.Errorf("%d blank rows among the data, want 3", blank)
	}
}

// fixtureWorkbook builds, with excelize, a workbook holding the kinds of
// values exports carry.
func fixtureWorkbook(t *testing.T, date1904 bool) string {
	t.Helper()
	f := excelize.NewFile()
	defer f.Close()
	if date1904 {
		v := true
		if err := f.SetWorkbookProps(&excelize.WorkbookPropsOptions{Date1904: &v}); err != nil {
			t.Fatal(err)
		}
	}
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(f.SetSheetName("Sheet1", "Case list"))
	for _, n := range []string{"Données été", "Hidden", "Very hidden"} {
		_, err := f.NewSheet(n)
		must(err)
	}
	must(f.SetSheetVisible("Hidden", false))
	must(f.SetSheetVisible("Very hidden", false, true))

	style := func(s *excelize.Style) int {
		id, err := f.NewStyle(s)
		must(err)
		return id
	}
	custom := func(code string) int { return style(&excelize.Style{CustomNumFmt: &code}) }
	sh := "Case list"
	set := func(cell string, v any, st int) {
		t.Helper()
		must(f.SetCellValue(sh, cell, v))
		if st != 0 {
			must(f.SetCellStyle(sh, cell, cell, st))
		}
	}
	must(f.SetSheetRow(sh, "A1", &[]any{"Case Reference", "Label", "Value", "Format"}))
	day := time.Date(2026, 6, 30, 0, 0, 0, 0, time.UTC)
	at := time.Date(2026, 6, 30, 9, 14, 5, 0, time.UTC)
	rows := []struct {
		label string
		v     any
		st    int
	}{
		{"shared string", "Salisbury CIN", 0},
		{"integer", 500003, 0},
		{"0.1+0.2", 0.1 + 0.2, 0},
		{"1e20", 1e20, 0},
		{"tiny", 1.5e-10, 0},
		{"negative", -0.5, 0},
		{"big int", int64(123456789012345678), 0},
		{"bool true", true, 0},
		{"bool false", false, 0},
		{"date 14", day, style(&excelize.Style{NumFmt: 14})},
		{"date 22", at, style(&excelize.Style{NumFmt: 22})},
		{"date 15", day, style(&excelize.Style{NumFmt: 15})},
		{"time 20", at, style(&excelize.Style{NumFmt: 20})},
		{"dd/mm/yyyy", day, custom("dd/mm/yyyy")},
		{"yyyy-mm-dd hh:mm", at, custom("yyyy-mm-dd hh:mm")},
		{"locale long date", day, custom(`[$-809]dd mmmm yyyy`)},
		{"d-mmm-yy", day, custom("d-mmm-yy")},
		{"date;@", day, custom(`dd/mm/yyyy;@`)},
		{"elapsed", 1.5, custom("[h]:mm:ss")},
		{"hours only", 36, custom("[h]")},
		{"text format number", 46203, custom("@")},
		{"currency", 1234.5, custom(`"£"#,##0.00`)},
		{"quoted days", 12, custom(`#,##0.00 "days"`)},
		{"condition", -3.25, custom(`[Red][<0]-0.00;0.00`)},
		{"scientific", 12345.678, custom(`0.00E+00`)},
		{"quoted Date", 46203, custom(`"Date: "0`)},
		{"escaped d", 7, custom(`\d\a\y 0`)},
		{"locale currency", 99.99, custom(`[$£-809]#,##0.00`)},
		{"percent", 0.25, style(&excelize.Style{NumFmt: 9})},
		{"percent custom", 0.5, custom("0%")},
		{"am/pm", at, custom("hh:mm AM/PM")},
		{"month-year", day, custom(`mmm\-yy`)},
		{"long weekday", day, custom(`[$-F800]dddd\,\ mmmm\ dd`)},
		{"date before 1900-03-01", time.Date(1900, 1, 15, 0, 0, 0, 0, time.UTC), style(&excelize.Style{NumFmt: 14})},
		{"negative in date format", -5, style(&excelize.Style{NumFmt: 14})},
		{"string in date format", "not a date", style(&excelize.Style{NumFmt: 14})},
		{"unicode", "Zoë Müller – 日本語 🙂", 0},
		{"spaces", "  padded  ", 0},
		{"newline", "line one\nline two", 0},
		{"ampersand", `Tom & Jerry <"quoted"> 'x'`, 0},
		{"underscore escape", "_x000D_ literal", 0},
		{"control char", "bell\x07here", 0},
	}
	for i, r := range rows {
		n := i + 2
		set(fmt.Sprintf("A%d", n), fmt.Sprintf("CR-%07d", n), 0)
		set(fmt.Sprintf("B%d", n), r.label, 0)
		set(fmt.Sprintf("C%d", n), r.v, r.st)
	}
	last := len(rows) + 1
	// Rich text, sparse cells, a gap of rows.
	must(f.SetCellRichText(sh, fmt.Sprintf("C%d", last+1), []excelize.RichTextRun{
		{Text: "Bold "}, {Text: "and plain", Font: &excelize.Font{Bold: true}}}))
	set(fmt.Sprintf("A%d", last+1), "rich", 0)
	set(fmt.Sprintf("H%d", last+5), "far away", 0)
	set(fmt.Sprintf("XFD%d", last+6), "last column", 0)

	sh = "Données été"
	must(f.SetSheetRow(sh, "A1", &[]any{"Référence", "Équipe"}))
	must(f.SetSheetRow(sh, "A2", &[]any{"CR-0000001", "Équipe Nord"}))
	sh = "Hidden"
	must(f.SetCellValue(sh, "A1", "hidden value"))
	sh = "Very hidden"
	must(f.SetCellValue(sh, "A1", 42))

	path := filepath.Join(t.TempDir(), "fixture.xlsx")
	must(f.SaveAs(path))
	return path
}

func TestXLSXExcelizeFixtureMatchesExcelize(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprintf("date1904=%v", date1904), func(t *testing.T) {
			path := fixtureWorkbook(t, date1904)
			compareWithExcelize(t, path)

			wb := openBook(t, path, OpenOptions{})
			want := []sheetInfo{{"Case list", false}, {"Données été", false}, {"Hidden", true}, {"Very hidden", true}}
			if got := wb.sheets(); fmt.Sprint(got) != fmt.Sprint(want) {
				t.Errorf("sheets %v, want %v", got, want)
			}
			// Hand-checked values (not from either reader).
			rows := readGrid(t, wb, 0, nil)
			byLabel := map[string]string{}
			for _, r := range rows[1:] {
				if len(r) >= 3 {
					byLabel[r[1]] = r[2]
				}
			}
			for label, want := range map[string]string{
				"integer": "500003", "0.1+0.2": "0.3", "1e20": "100000000000000000000", "tiny": "1.5e-10",
				"big int": "123456789012346000", "bool true": "TRUE", "bool false": "FALSE",
				"date 14": "2026-06-30", "date 22": "2026-06-30 09:14:05", "dd/mm/yyyy": "2026-06-30",
				"date;@": "2026-06-30", "text format number": "46203", "currency": "1234.5", "percent": "0.25",
				"negative in date format": "-5",
				"string in date format":   "not a date", "spaces": "  padded  ", "newline": "line one\nline two",
				"ampersand": `Tom & Jerry <"quoted"> 'x'`, "hours only": "864:00:00",
				// Times of day and elapsed times, in both date systems.
				"time 20": "09:14:05", "am/pm": "09:14:05", "elapsed": "36:00:00",
				// excelize writes "_x000D_" unescaped, which the spec reads as a
				// carriage return, and replaces control characters with U+FFFD.
				"underscore escape": "\r literal", "control char": "bell\uFFFDhere",
			} {
				if got := byLabel[label]; got != want {
					t.Errorf("%s: got %q, want %q", label, got, want)
				}
			}
			early := "1900-01-15"
			if date1904 {
				// 1900-01-15 is before the 1904 system's day 0: excelize stores it as text.
				early = "1900-01-15T00:00:00Z"
			}
			if byLabel["date before 1900-03-01"] != early {
				t.Errorf("early date %q; want %q", byLabel["date before 1900-03-01"], early)
			}
			n := len(rows)
			if got := rows[n-1]; len(got) != maxSheetCols || got[maxSheetCols-1] != "last column" {
				t.Errorf("last row has %d cells", len(got))
			}
			if got := rows[n-2]; len(got) != 8 || got[7] != "far away" {
				t.Errorf("row %d: %q", n-1, got)
			}
			if len(rows[n-3]) != 0 || len(rows[n-4]) != 0 {
				t.Errorf("gap rows not empty: %q %q", rows[n-4], rows[n-3])
			}
		})
	}
}

// handWorkbook is a workbook written as Excel and LibreOffice write them
// (shared strings, numbers without t, spans) with the oddities the spec
// allows: rows and cells without r, rich text with phonetic runs, entities,
// _xHHHH_ escapes, CDATA, formulas with cached values, errors, t="d",
// namespace prefixes, an absolute relationship target, a chart sheet.
func handWorkbook(t testing.TB, date1904 bool) []byte {
	wbPr := ""
	if date1904 {
		wbPr = `<workbookPr date1904="1"/>`
	}
	sst := `<?xml version="1.0" encoding="UTF-8" standalone="yes"?>
<sst ` + nsMain + ` count="9" uniqueCount="9">
<si><t>Case Reference</t></si>
<si><t xml:space="preserve"> leading and trailing </t></si>
<si><r><rPr><b/></rPr><t>Rich </t></r><r><t>text</t></r><rPh sb="0" eb="1"><t>PHONETIC</t></rPh><phoneticPr fontId="1"/></si>
<si><t>Tom &amp; Jerry &lt;3 &#233;&#x263A; &quot;q&quot;</t></si>
<si><t>carriage_x000D_
return and _x005F_x0041_ kept</t></si>
<si><t><![CDATA[<not a tag> & raw]]></t></si>
<si><t/></si>
<si><t>Team</t></si>
<si><t>CR-0000002</t></si>
</sst>`
	styles := `<?xml version="1.0"?><styleSheet ` + nsMain + `>
<numFmts count="2"><numFmt numFmtId="164" formatCode="dd/mm/yyyy"/><numFmt numFmtId="165" formatCode="&quot;£&quot;#,##0.00"/></numFmts>
<cellXfs count="5"><xf numFmtId="0"/><xf numFmtId="14" applyNumberFormat="1"/><xf numFmtId="164"/><xf numFmtId="165"/><xf numFmtId="22"/></cellXfs>
</styleSheet>`
	sheet1 := `<?xml version="1.0" encoding="UTF-8"?>
<worksheet ` + nsMain + `><dimension ref="A1:E12"/><sheetData>
<row r="1" spans="1:5"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>7</v></c><c r="C1" t="inlineStr"><is><t>Opened</t></is></c></row>
<row><c t="s"><v>8</v></c><c t="s"><v>1</v></c><c s="1"><v>46203</v></c><c s="2"><v>46203.5</v></c><c s="3"><v>1234.5</v></c></row>
<row r="3"><c r="A3" t="inlineStr"><is><t>CR-0000003</t></is></c><c r="B3" t="s"><v>2</v></c><c r="C3"><f>1+1</f><v>2</v></c><c r="D3" t="str"><f>"a"&amp;"b"</f><v>ab</v></c><c r="E3" t="e"><f>NA()</f><v>#N/A</v></c></row>
<row r="4"><c r="A4" t="inlineStr"><is><r><t>CR-</t></r><r><t>0000004</t></r><rPh><t>X</t></rPh></is></c><c r="B4" t="s"><v>3</v></c><c r="C4" t="b"><v>1</v></c><c r="D4" t="b"><v>0</v></c><c r="E4" t="e"><v>#DIV/0!</v></c></row>
<row r="7"><c r="A7" t="inlineStr"><is><t>CR-0000007</t></is></c><c r="B7" t="s"><v>4</v></c><c r="E7" s="4"><v>46203.385474537035</v></c></row>
<row r="8"><c r="A8" t="inlineStr"><is><t>CR-0000008</t></is></c><c r="B8" t="s"><v>5</v></c><c r="C8" s="1"/><c r="D8" t="s"><v>6</v></c></row>
<row r="9"><c r="A9" s="1"/><c r="B9" s="2"/></row>
<row r="10"><!-- a comment --><?pi stuff?><c r="C10"><v>-0</v></c><c r="D10"><v>5.00003E5</v></c><c r="E10"><v>0.30000000000000004</v></c></row>
<row r="12" spans="1:5" ht="15"><c r="A12" t="inlineStr"><is><t xml:space="preserve">  CR-0000012 </t></is></c></row>
<row r="13"><c r="A13" s="1"/></row>
<row r="14"/>
</sheetData><pageMargins left="0.7"/></worksheet>`
	// A sheet with a namespace prefix on every element, as some writers do.
	sheet2 := `<?xml version="1.0"?><x:worksheet xmlns:x="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><x:sheetData>
<x:row r="1"><x:c r="A1" t="s"><x:v>0</x:v></x:c><x:c r="B1" t="inlineStr"><x:is><x:t>Prefixed</x:t></x:is></x:c></x:row>
<x:row r="2"><x:c r="A2" t="inlineStr"><x:is><x:t>CR-0000001</x:t></x:is></x:c><x:c r="B2"><x:v>42</x:v></x:c></x:row>
</x:sheetData></x:worksheet>`
	return buildZip(t, []zipPart{
		{"[Content_Types].xml", `<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="xml" ContentType="application/xml"/><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/worksheets/sheet2.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/><Override PartName="/xl/styles.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/></Types>`},
		{"_rels/.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>`},
		{"xl/workbook.xml", `<?xml version="1.0"?><workbook ` + nsMain + `>` + wbPr + `<sheets><sheet name="Export data" sheetId="1" r:id="rId1"/><sheet name="Prefixed" sheetId="2" r:id="rId2"/><sheet name="Chart" sheetId="3" r:id="rId5"/><sheet name="Old" sheetId="4" state="hidden" r:id="rId2"/></sheets></workbook>`},
		{"xl/_rels/workbook.xml.rels", `<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="` + relWS + `" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="` + relWS + `" Target="/xl/worksheets/sheet2.xml"/><Relationship Id="rId3" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/><Relationship Id="rId4" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles" Target="styles.xml"/><Relationship Id="rId5" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/chartsheet" Target="chartsheets/sheet1.xml"/></Relationships>`},
		{"xl/sharedStrings.xml", sst},
		{"xl/styles.xml", styles},
		{"xl/worksheets/sheet1.xml", sheet1},
		{"xl/worksheets/sheet2.xml", sheet2},
		{"xl/chartsheets/sheet1.xml", `<?xml version="1.0"?><chartsheet ` + nsMain + `/>`},
	})
}

func TestXLSXHandWrittenWorkbook(t *testing.T) {
	for _, date1904 := range []bool{false, true} {
		t.Run(fmt.Sprintf("date1904=%v", date1904), func(t *testing.T) {
			path := writeFile(t, "hand.xlsx", handWorkbook(t, date1904))
			wb := openBook(t, path, OpenOptions{})
			wantSheets := []sheetInfo{{"Export data", false}, {"Prefixed", false}, {"Chart", true}, {"Old", true}}
			if got := wb.sheets(); fmt.Sprint(got) != fmt.Sprint(wantSheets) {
				t.Fatalf("sheets %v, want %v", got, wantSheets)
			}
			// Expected by hand from the XML above. Serial 46203 is 2026-06-30 in
			// the 1900 system (46,203 days after 1899-12-30) and 2030-07-01 in
			// the 1904 system (46,203 days after 1904-01-01).
			d, dt, dtm := "2026-06-30", "2026-06-30 12:00:00", "2026-06-30 09:15:05"
			if date1904 {
				d, dt, dtm = "2030-07-01", "2030-07-01 12:00:00", "2030-07-01 09:15:05"
			}
			want := [][]string{
				{"Case Reference", "Team", "Opened"},
				{"CR-0000002", " leading and trailing ", d, dt, "1234.5"},
				{"CR-0000003", "Rich text", "2", "ab", "#N/A"},
				{"CR-0000004", "Tom & Jerry <3 é☺ \"q\"", "TRUE", "FALSE", "#DIV/0!"},
				{},
				{},
				{"CR-0000007", "carriage\r\nreturn and _x0041_ kept", "", "", dtm},
				{"CR-0000008", "<not a tag> & raw"},
				{},
				{"", "", "0", "500003", "0.3"},
				{},
				{"  CR-0000012 "},
			}
			got := readGrid(t, wb, 0, nil)
			if fmt.Sprintf("%q", got) != fmt.Sprintf("%q", want) {
				t.Errorf("got\n%q\nwant\n%q", got, want)
			}
			got2 := readGrid(t, wb, 1, nil)
			if want := [][]string{{"Case Reference", "Prefixed"}, {"CR-0000001", "42"}}; fmt.Sprintf("%q", got2) != fmt.Sprintf("%q", want) {
				t.Errorf("prefixed sheet: got %q, want %q", got2, want)
			}
			if _, err := wb.grid(2); err == nil || !IsInputError(err) || !strings.Contains(err.Error(), "chart sheet") {
				t.Errorf("chart sheet: %v", err)
			}
			// Only column B wanted: rows keep their numbers, other cells are "".
			gotB := readGrid(t, wb, 0, []bool{false, true})
			if len(gotB) != 12 || gotB[1][1] != " leading and trailing " || gotB[1][0] != "" || len(gotB[9]) != 1 || gotB[9][0] != "" {
				t.Errorf("column B only: %q", gotB)
			}
		})
	}
}

func TestXLSXHandWrittenMatchesExcelize(t *testing.T) {
	// excelize is the reference on the parts of the hand-written workbook it
	// reads as the spec says (it does not place cells that lack r and keeps
	// _x escapes in formula strings, so compare the rows that have both).
	path := writeFile(t, "hand.xlsx", handWorkbook(t, false))
	wb := openBook(t, path, OpenOptions{})
	got := readGrid(t, wb, 0, nil)
	ref := excelizeRows(t, path, "Export data")
	for _, r := range []int{1, 3, 4, 7, 8, 10, 12} {
		var w []string
		if r-1 < len(ref) {
			w = ref[r-1]
		}
		compareRows(t, fmt.Sprintf("Export data row %d", r), normaliseRows([][]string{got[r-1]}), normaliseRows([][]string{w}))
	}
}

// ---- hostile and odd files ----

func wantInputError(t *testing.T, err error, parts ...string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want one containing %q", parts)
	}
	if !IsInputError(err) {
		t.Errorf("%v: not an InputError", err)
	}
	for _, p := range parts {
		if !strings.Contains(spelled(err), p) {
			t.Errorf("error %q does not contain %q", err, p)
		}
	}
	if strings.Contains(err.Error(), "\n") {
		t.Errorf("error spans lines: %q", err)
	}
}

// scanErr opens a workbook and scans its first sheet, returning the first error.
func scanErr(path string) error {
	wb, err := openXLSX(path, OpenOptions{})
	if err != nil {
		return err
	}
	defer wb.close()
	g, err := wb.grid(0)
	if err != nil {
		return err
	}
	return g.scan(context.Background(), nil, func(int, []string) error { return nil })
}

func TestXLSXTruncatedZip(t *testing.T) {
	good := handWorkbook(t, false)
	for _, cut := range []int{len(good) / 3, len(good) - 30} {
		path := writeFile(t, "cut.xlsx", good[:cut])
		wantInputError(t, scanErr(path), "cut.xlsx", "damaged or incomplete", "re-export")
	}
}

func TestXLSXCorruptPart(t *testing.T) {
	// A sheet part cut short inside the XML (the zip itself is fine).
	path := writeFile(t, "short.xlsx", buildZip(t, minimalParts(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>CR-1</t></is></c></row><row r="2"><c r="A2" t="inl`)))
	wantInputError(t, scanErr(path), "short.xlsx", `sheet "Cases"`, "damaged or incomplete")
}

func TestXLSXNotAWorkbook(t *testing.T) {
	path := writeFile(t, "notes.xlsx", buildZip(t, []zipPart{{"notes.txt", "hello"}}))
	wantInputError(t, scanErr(path), "notes.xlsx", "not an Excel workbook")
	path = writeFile(t, "sheet.ods", buildZip(t, []zipPart{{"mimetype", "application/vnd.oasis.opendocument.spreadsheet"}, {"content.xml", "<x/>"}}))
	wantInputError(t, scanErr(path), "not an Excel workbook", "OpenDocument")
}

func TestXLSXFormulaWithoutValue(t *testing.T) {
	path := writeFile(t, "f.xlsx", buildZip(t, minimalParts(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>ID</t></is></c></row><row r="12"><c r="A12"><v>1</v></c><c r="C12"><f>A12*2</f></c></row></sheetData>`)))
	err := scanErr(path)
	wantInputError(t, err, "f.xlsx", `sheet "Cases"`, "row 12", "column C", "formula without a saved value in cell C12",
		"open the file in Excel, save it, and try again")
	// Not wanted, it is no obstacle.
	wb := openBook(t, path, OpenOptions{})
	if rows := readGrid(t, wb, 0, []bool{true}); len(rows) != 12 || rows[11][0] != "1" {
		t.Errorf("rows %q", rows)
	}
}

func TestXLSXOutOfRangeReferences(t *testing.T) {
	for _, tc := range []struct{ name, xml, msg string }{
		{"column past XFD", `<sheetData><row r="1"><c r="XFE1"><v>1</v></c></row></sheetData>`, `"XFE1" is not a valid cell`},
		{"row past limit", `<sheetData><row r="1048577"><c><v>1</v></c></row></sheetData>`, `row number "1048577" is not a valid row`},
		{"cell after XFD", `<sheetData><row r="1"><c r="XFD1"><v>1</v></c><c><v>2</v></c></row></sheetData>`, "beyond column XFD"},
		{"rows out of order", `<sheetData><row r="5"><c><v>1</v></c></row><row r="3"><c><v>1</v></c></row></sheetData>`, "row 3 comes after row 5"},
		{"huge row number", `<sheetData><row r="99999999999"><c><v>1</v></c></row></sheetData>`, "not a valid row"},
		{"shared string missing", `<sheetData><row r="1"><c t="s"><v>7</v></c></row></sheetData>`, "shared string"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "r.xlsx", buildZip(t, minimalParts(tc.xml)))
			wantInputError(t, scanErr(path), "r.xlsx", `sheet "Cases"`, tc.msg)
		})
	}
	// The last row a sheet can have, after row 1: every row in between is
	// passed, empty, and nothing past it.
	path := writeFile(t, "last.xlsx", buildZip(t, minimalParts(`<sheetData><row r="1"><c><v>1</v></c></row><row r="1048576"><c r="A1048576"><v>2</v></c></row></sheetData>`)))
	wb := openBook(t, path, OpenOptions{})
	rows := readGrid(t, wb, 0, nil)
	if len(rows) != maxSheetRows || rows[maxSheetRows-1][0] != "2" || len(rows[5000]) != 0 {
		t.Errorf("%d rows", len(rows))
	}
}

func TestXLSXWideRowBigCellAndNUL(t *testing.T) {
	var sb strings.Builder
	sb.WriteString(`<sheetData><row r="1">`)
	for c := range maxSheetCols {
		fmt.Fprintf(&sb, `<c r="%s1"><v>%d</v></c>`, columnName(c), c)
	}
	big := strings.Repeat("é&amp;x", 1<<18) // 1 MB decoded (2+1+1 bytes × 256 Ki)
	sb.WriteString(`</row><row r="2"><c r="A2" t="inlineStr"><is><t>` + big + `</t></is></c>`)
	sb.WriteString(`<c r="B2" t="inlineStr"><is><t>nul_x0000_here</t></is></c><c r="C2" t="inlineStr"><is><t>raw` + "\x00" + `nul</t></is></c></row></sheetData>`)
	path := writeFile(t, "wide.xlsx", buildZip(t, minimalParts(sb.String())))
	wb := openBook(t, path, OpenOptions{})
	rows := readGrid(t, wb, 0, nil)
	if len(rows[0]) != maxSheetCols || rows[0][maxSheetCols-1] != "16383" || rows[0][702] != "702" {
		t.Errorf("wide row: %d cells", len(rows[0]))
	}
	if want := strings.Repeat("é&x", 1<<18); rows[1][0] != want {
		t.Errorf("big cell: %d bytes, want %d", len(rows[1][0]), len(want))
	}
	if rows[1][1] != "nul\x00here" || rows[1][2] != "raw\x00nul" {
		t.Errorf("NUL cells %q %q", rows[1][1], rows[1][2])
	}
	// Only the last column wanted.
	want := make([]bool, maxSheetCols)
	want[maxSheetCols-1] = true
	rows = readGrid(t, wb, 0, want)
	if rows[0][maxSheetCols-1] != "16383" || rows[0][0] != "" || len(rows[1]) != 1 {
		t.Errorf("last column only: %q… %d cells in row 2", rows[0][maxSheetCols-1], len(rows[1]))
	}
}

func TestXLSXCellTooBig(t *testing.T) {
	big := strings.Repeat("x", maxCellText+10)
	path := writeFile(t, "big.xlsx", buildZip(t, minimalParts(`<sheetData><row r="1"><c r="A1" t="inlineStr"><is><t>`+big+`</t></is></c></row></sheetData>`)))
	wantInputError(t, scanErr(path), "big.xlsx", "more than 16 MB of text")
}

// bombZip builds a zip whose sheet part inflates to size bytes of repeated
// rows, declaring declared as its size (the truth, or a lie).
func bombZip(t *testing.T, size int64, declared uint64) []byte {
	t.Helper()
	var row bytes.Buffer
	for row.Len() < 1<<20 {
		row.WriteString(`<row><c t="inlineStr"><is><t>bomb</t></is></c></row>`)
	}
	unit := row.Bytes()
	// One deflate stream made of the same sync-flushed segment repeated:
	// the first segment references nothing before it, so copies of it decode
	// to copies of the unit.
	var seg bytes.Buffer
	fw, _ := flate.NewWriter(&seg, flate.BestCompression)
	fw.Write(unit)
	fw.Flush()
	segment := append([]byte(nil), seg.Bytes()...)
	var body bytes.Buffer
	n := size / int64(len(unit))
	for range n {
		body.Write(segment)
	}
	body.Write([]byte{0x03, 0x00}) // final empty fixed-Huffman block

	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	for _, p := range minimalParts("") {
		if p.name == "xl/worksheets/sheet1.xml" {
			continue
		}
		w, _ := zw.Create(p.name)
		w.Write([]byte(p.body))
	}
	hdr := &zip.FileHeader{Name: "xl/worksheets/sheet1.xml", Method: zip.Deflate,
		CompressedSize64: uint64(body.Len()), UncompressedSize64: declared, CRC32: 0}
	w, err := zw.CreateRaw(hdr)
	if err != nil {
		t.Fatal(err)
	}
	w.Write(body.Bytes())
	if err := zw.Close(); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

func TestXLSXZipBomb(t *testing.T) {
	for _, tc := range []struct {
		name     string
		size     int64
		declared uint64
	}{
		{"declared 5 GiB", 8 << 20, 5 << 30},
		{"ratio over 200:1 past 256 MiB", 300 << 20, 300 << 20},
		{"declared size lies", 300 << 20, 4 << 20},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := writeFile(t, "bomb.xlsx", bombZip(t, tc.size, tc.declared))
			err := scanErr(path)
			if tc.declared < 256<<20 {
				// archive/zip itself stops at the declared size.
				wantInputError(t, err, "bomb.xlsx")
				return
			}
			wantInputError(t, err, "bomb.xlsx", "zip bomb", "not read")
		})
	}
}

func TestXLSXLimitedPartStopsPastLimit(t *testing.T) {
	// Independent of archive/zip's own check: the counting reader refuses
	// the byte after the limit.
	src := strings.NewReader(strings.Repeat("a", 1000))
	lp := &limitedPart{rc: nopCloser{src}, left: 600, part: "p", limit: 600}
	buf := make([]byte, 256)
	total := 0
	var err error
	for err == nil {
		var n int
		n, err = lp.Read(buf)
		total += n
	}
	var big *errPartTooLarge
	if !errors.As(err, &big) || total != 600 {
		t.Errorf("read %d bytes, err %v; want 600 and errPartTooLarge", total, err)
	}
}

type nopCloser struct{ *strings.Reader }

func (nopCloser) Close() error { return nil }

// encryptedWorkbook writes a workbook encrypted by excelize with the
// password s3cret, and returns its path and bytes (a Compound File).
func encryptedWorkbook(t *testing.T) (string, []byte) {
	t.Helper()
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Cases")
	f.SetSheetRow("Cases", "A1", &[]any{"Case Reference", "Team"})
	f.SetSheetRow("Cases", "A2", &[]any{"CR-0000001", "Salisbury CIN"})
	enc := filepath.Join(t.TempDir(), "locked.xlsx")
	if err := f.SaveAs(enc, excelize.Options{Password: "s3cret"}); err != nil {
		t.Fatal(err)
	}
	f.Close()
	raw, err := os.ReadFile(enc)
	if err != nil {
		t.Fatal(err)
	}
	return enc, raw
}

func TestXLSXLegacyAndEncrypted(t *testing.T) {
	enc, raw := encryptedWorkbook(t)
	if !bytes.HasPrefix(raw, cfbMagic) {
		t.Fatalf("excelize did not write a compound file")
	}

	_, err := openXLSX(enc, OpenOptions{})
	wantInputError(t, err, "locked.xlsx", "the workbook is password-protected; give --password")
	_, err = openXLSX(enc, OpenOptions{Password: "wrong"})
	wantInputError(t, err, "locked.xlsx", "wrong password for")
	wb := openBook(t, enc, OpenOptions{Password: "s3cret"})
	if got := readGrid(t, wb, 0, nil); fmt.Sprintf("%q", got) != `[["Case Reference" "Team"] ["CR-0000001" "Salisbury CIN"]]` {
		t.Errorf("decrypted rows %q", got)
	}

	// The same container with its streams renamed is a compound file
	// without EncryptionInfo: an old-style .xls as far as the reader knows.
	xls := bytes.ReplaceAll(raw, utf16le("EncryptionInfo"), utf16le("SummaryInfoXYZ"))
	xls = bytes.ReplaceAll(xls, utf16le("EncryptedPackage"), utf16le("WorkbookXXXXXXXX"))
	_, err = openXLSX(writeFile(t, "old.xls", xls), OpenOptions{})
	wantInputError(t, err, "old.xls", "this is an old-style .xls workbook; save it as .xlsx or CSV and try again")

	// A damaged compound file.
	_, err = openXLSX(writeFile(t, "junk.xls", append(append([]byte{}, cfbMagic...), make([]byte, 100)...)), OpenOptions{})
	wantInputError(t, err, "junk.xls")
}

func utf16le(s string) []byte {
	var b []byte
	for _, r := range s {
		b = append(b, byte(r), 0)
	}
	return b
}

func TestXLSXMissingSheetPart(t *testing.T) {
	parts := minimalParts("")[:4] // no sheet1.xml
	path := writeFile(t, "m.xlsx", buildZip(t, parts))
	wantInputError(t, scanErr(path), "m.xlsx", `sheet "Cases"`, "missing")
}

func TestXLSXContextCancelled(t *testing.T) {
	var sb strings.Builder
	sb.WriteString("<sheetData>")
	for i := 1; i <= 20000; i++ {
		fmt.Fprintf(&sb, `<row r="%d"><c><v>%d</v></c></row>`, i, i)
	}
	sb.WriteString("</sheetData>")
	path := writeFile(t, "c.xlsx", buildZip(t, minimalParts(sb.String())))
	wb := openBook(t, path, OpenOptions{})
	g, err := wb.grid(0)
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	seen := 0
	err = g.scan(ctx, nil, func(num int, _ []string) error {
		seen++
		if num == 10 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) || seen >= 20000 {
		t.Errorf("err %v after %d rows", err, seen)
	}
	// An error from fn ends the scan and comes back as is.
	stop := errors.New("enough")
	err = g.scan(context.Background(), nil, func(num int, _ []string) error {
		if num == 3 {
			return stop
		}
		return nil
	})
	if err != stop {
		t.Errorf("fn error came back as %v", err)
	}
}

// ---- units ----

func TestXLSXDateFormatCode(t *testing.T) {
	for code, want := range refCustomKind {
		if got := formatCodeKind(code); got != want {
			t.Errorf("formatCodeKind(%q) = %v, want %v", code, got, want)
		}
	}
	for id := 0; id < 200; id++ {
		if got := builtinFormatKind(id); got != refBuiltinKind[id] {
			t.Errorf("builtinFormatKind(%d) = %v, want %v", id, got, refBuiltinKind[id])
		}
	}
}

func TestXLSXSerialFastPathMatchesSerialToISO(t *testing.T) {
	// One cache throughout, its slots shared by days 11 years apart: each
	// value is converted without it, then with it twice (the second time
	// from the cache).
	dc := new(civilCache)
	check := func(v string, date1904 bool) {
		t.Helper()
		f, err := strconv.ParseFloat(v, 64)
		want, ok := SerialToISO(f, date1904)
		if !ok || err != nil {
			want = FormatNumber(v)
		}
		for _, c := range []*civilCache{nil, dc, dc} {
			if got := string(appendSerialText(nil, []byte(v), date1904, c)); got != want {
				t.Fatalf("serial %s (1904=%v, cache %v): got %q, want %q", v, date1904, c != nil, got, want)
			}
		}
	}
	for _, date1904 := range []bool{false, true} {
		for n := 0; n <= maxSerial+2; n += 1 + n/5000 {
			check(strconv.Itoa(n), date1904)
		}
		for _, v := range []string{"59", "60", "61", "1", "0", "2958465", "2958466", "-1", "46203.5", "0.75", "1e3", "abc", "00046203", "46203.999999999"} {
			check(v, date1904)
		}
	}
}

func TestXLSXNumberFastPathMatchesFormatNumber(t *testing.T) {
	for _, v := range []string{"0", "-0", "1", "-1", "500003", "999999999999999", "1000000000000000", "-999999999999999",
		"0123", "1.0", "0.1", "5.00003E5", "1E+20", "0.30000000000000004", "123456789012345678", "+5", " 7", "abc", ""} {
		if got, want := string(appendNumberText(nil, []byte(v))), FormatNumber(v); got != want {
			t.Errorf("%q: got %q, want %q", v, got, want)
		}
	}
}

func TestXLSXTextDecoding(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"plain", "plain"},
		{"a &amp; b &lt; c &gt; d &quot;e&quot; &apos;f&apos;", `a & b < c > d "e" 'f'`},
		{"&#65;&#x42;&#x263a;&#128578;", "AB☺🙂"},
		{"bad &unknown; & lone &#xZZ; &#0;", "bad &unknown; & lone &#xZZ; &#0;"},
		{"crlf\r\nlf\ncr\rend", "crlf\nlf\ncr\nend"},
		{"&#13;&#10;", "\r\n"},
	} {
		if got := string(appendXMLText(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("appendXMLText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
	for _, tc := range []struct{ in, want string }{
		{"_x000D_", "\r"},
		{"a_x0009_b", "a\tb"},
		{"_x005F_x000D_", "_x000D_"},
		{"_xD83D__xDE42_", "🙂"},
		{"_xD83D_", "\uFFFD"},
		{"_x00_ _xGGGG_ _x12345_ _x0041_", "_x00_ _xGGGG_ _x12345_ A"},
		{"snake_case_x", "snake_case_x"},
	} {
		if got := string(appendXstring(nil, []byte(tc.in))); got != tc.want {
			t.Errorf("appendXstring(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestXLSXCellRefs(t *testing.T) {
	for _, tc := range []struct {
		ref      string
		col, row int
		ok       bool
	}{
		{"A1", 0, 1, true}, {"Z9", 25, 9, true}, {"AA10", 26, 10, true}, {"XFD1048576", 16383, 1048576, true},
		{"xfd2", 16383, 2, true}, {"XFE1", 0, 0, false}, {"A0", 0, 0, false}, {"A1048577", 0, 0, false},
		{"1A", 0, 0, false}, {"A", 0, 0, false}, {"", 0, 0, false}, {"A1B", 0, 0, false}, {"$A$1", 0, 0, false},
	} {
		col, row, ok := parseCellRef([]byte(tc.ref))
		if ok != tc.ok || (ok && (col != tc.col || row != tc.row)) {
			t.Errorf("parseCellRef(%q) = %d, %d, %v", tc.ref, col, row, ok)
		}
	}
	for i, want := range map[int]string{0: "A", 25: "Z", 26: "AA", 701: "ZZ", 702: "AAA", 16383: "XFD"} {
		if got := columnName(i); got != want {
			t.Errorf("columnName(%d) = %q, want %q", i, got, want)
		}
	}
}

func TestXLSXScannerSmallBuffers(t *testing.T) {
	// The scanner must give the same tags and text however the stream is
	// cut: feed a document one byte at a time.
	doc := `<?xml version="1.0"?><!-- c > --><a x="1>2" y='3'><b/><t>te&amp;xt<![CDATA[ <raw> ]]>more</t></a>`
	got := scannedTags(t, newXMLScanner(&oneByteReader{s: doc}))
	want := []string{`1:a: x="1>2" y='3'`, "2:b:", "1:t:", "text:te&xt <raw> more", "3:t:", "3:a:"}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("got %q\nwant %q", got, want)
	}
}

type oneByteReader struct {
	s string
	i int
}

func (r *oneByteReader) Read(p []byte) (int, error) {
	if r.i >= len(r.s) {
		return 0, io.EOF
	}
	if len(p) == 0 {
		return 0, nil
	}
	p[0] = r.s[r.i]
	r.i++
	return 1, nil
}

func TestXLSXLibreOfficeResave(t *testing.T) {
	if testing.Short() {
		t.Skip("LibreOffice takes several seconds")
	}
	soffice := printcheck.RequireSoffice(t)
	orig := xlsxGenexport(t, "messy.xlsx", "-n", "1200", "-messy", "-format", "xlsx")
	out := t.TempDir()
	cmd := exec.Command(soffice, "-env:UserInstallation=file://"+filepath.ToSlash(t.TempDir()), "--headless",
		"--convert-to", "xlsx", "--outdir", out, orig)
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, b)
	}
	resaved := filepath.Join(out, "messy.xlsx")
	raw, err := os.ReadFile(resaved)
	if err != nil {
		t.Fatal(err)
	}
	// LibreOffice writes shared strings and numbers without t: the other
	// writer's style, which is the point of the test.
	zr, err := zip.NewReader(bytes.NewReader(raw), int64(len(raw)))
	if err != nil {
		t.Fatal(err)
	}
	hasSST := false
	for _, f := range zr.File {
		hasSST = hasSST || f.Name == "xl/sharedStrings.xml"
	}
	if !hasSST {
		t.Fatal("LibreOffice wrote no shared strings table")
	}
	compareWithExcelize(t, resaved)

	// And it reads exactly as the excelize-written original.
	a, b := openBook(t, orig, OpenOptions{}), openBook(t, resaved, OpenOptions{})
	if fmt.Sprint(a.sheets()) != fmt.Sprint(b.sheets()) {
		t.Fatalf("sheets %v vs %v", a.sheets(), b.sheets())
	}
	for i, si := range a.sheets() {
		compareRows(t, si.Name+" (LibreOffice vs original)", normaliseRows(readGrid(t, b, i, nil)), normaliseRows(readGrid(t, a, i, nil)))
	}
}

func TestXLSXThroughOpen(t *testing.T) {
	// The whole path a command takes: Open picks the sheet and header, Rows
	// streams the ID column. genexport -messy: a Summary sheet first, title
	// rows, a blank row every 997 data rows, the header on row 4.
	path := xlsxGenexport(t, "messy.xlsx", "-n", "2500", "-messy", "-format", "xlsx")
	tb, err := Open(context.Background(), path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	if tb.Format != "xlsx" || tb.Sheet != "Cases" || tb.HeaderRow != 4 || tb.Header[tb.IDIndex] != "Case Reference" {
		t.Fatalf("table %+v", tb)
	}
	ids, blanks, last := 0, 0, 0
	err = tb.Rows(context.Background(), []int{tb.IDIndex, 9}, func(r Row) error {
		last = r.Num
		if r.Blank {
			blanks++
			return nil
		}
		ids++
		if !strings.HasPrefix(r.Cells[0], "CR-") {
			return fmt.Errorf("row %d: ID %q", r.Num, r.Cells[0])
		}
		if _, err := time.Parse("2006-01-02", r.Cells[1]); err != nil {
			return fmt.Errorf("row %d: referral date %q", r.Num, r.Cells[1])
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// 2,500 data rows, blank rows before data rows 998 and 1,995.
	if ids != 2500 || blanks != 2 || last != 4+2500+2 {
		t.Errorf("%d IDs, %d blank rows, last row %d", ids, blanks, last)
	}
}

// scannedTags lists what the scanner finds, as "kind:name:attributes", with
// the text of each <t> after it as "text:…".
func scannedTags(t *testing.T, sc *xmlScanner) []string {
	t.Helper()
	var got []string
	for {
		kind, name, attrs, err := sc.next()
		if err != nil {
			t.Fatal(err)
		}
		if kind == xmlEOF {
			return got
		}
		got = append(got, fmt.Sprintf("%d:%s:%s", kind, name, attrs))
		if string(name) == "t" && kind == xmlStart {
			txt, err := sc.text(nil, 100)
			if err != nil {
				t.Fatal(err)
			}
			got = append(got, "text:"+string(txt))
		}
	}
}

// Word documents, PowerPoint files and Outlook messages are Compound Files
// like a legacy .xls: named for what they are, not read as a workbook.
func TestCFBDocumentsNamed(t *testing.T) {
	_, raw := encryptedWorkbook(t)
	// rename gives the directory entry named old the name new (its name
	// field, 64 bytes, is followed by its length in bytes with the NUL).
	rename := func(b []byte, old, new string) []byte {
		b = append([]byte(nil), b...)
		i := bytes.Index(b, utf16le(old))
		if i < 0 {
			t.Fatalf("no entry %q", old)
		}
		field := make([]byte, 64)
		copy(field, utf16le(new))
		copy(b[i:], field)
		binary.LittleEndian.PutUint16(b[i+64:], uint16(2*(len(new)+1)))
		return b
	}
	for _, c := range []struct{ name, stream, want string }{
		{"letter.xls", "WordDocument", "this is a Word document (.doc), which caseaudit does not read; it reads .xlsx workbooks"},
		{"slides.csv", "PowerPoint Document", "this is a PowerPoint presentation (.ppt)"},
		{"mail.xlsx", "__substg1.0_0037001F", "this is an Outlook message (.msg)"},
	} {
		b := rename(rename(raw, "EncryptionInfo", c.stream), "EncryptedPackage", "Data")
		_, err := Open(context.Background(), writeFile(t, c.name, b), OpenOptions{})
		wantInputError(t, err, c.name, c.want)
	}
	// Named as a workbook's stream, it is a legacy .xls, explained by the
	// xlsx reader.
	b := rename(rename(raw, "EncryptionInfo", "Workbook"), "EncryptedPackage", "Data")
	_, err := Open(context.Background(), writeFile(t, "old.xls", b), OpenOptions{})
	wantInputError(t, err, "old.xls", "this is an old-style .xls workbook")
	// A Word document with an Excel object embedded: the object's Workbook
	// stream is inside a storage, not at the root, and the file is a Word
	// document, not a legacy .xls.
	b = embedded(t, rename(rename(raw, "EncryptionInfo", "WordDocument"), "EncryptedPackage", "Workbook"))
	_, err = Open(context.Background(), writeFile(t, "embeds.xls", b), OpenOptions{})
	wantInputError(t, err, "embeds.xls", "this is a Word document (.doc)")
}

// embedded moves the second stream of a Compound File holding two (root,
// first and second stream as directory entries 0, 1, 2) into a new storage,
// "ObjectPool", made of the unused fourth entry of the directory's first
// sector: root → first, ObjectPool; ObjectPool → second, as a Word file
// holds an embedded object.
func embedded(t *testing.T, b []byte) []byte {
	t.Helper()
	b = append([]byte(nil), b...)
	dir := (int(binary.LittleEndian.Uint32(b[0x30:])) + 1) * 512
	entry := func(i int) []byte { return b[dir+128*i : dir+128*(i+1)] }
	const none = 0xFFFFFFFF
	if entry(3)[66] != 0 {
		t.Fatal("the fourth directory entry is in use")
	}
	set := func(e []byte, left, right, child uint32) {
		binary.LittleEndian.PutUint32(e[68:], left)
		binary.LittleEndian.PutUint32(e[72:], right)
		binary.LittleEndian.PutUint32(e[76:], child)
	}
	pool := entry(3)
	clear(pool)
	copy(pool, utf16le("ObjectPool"))
	binary.LittleEndian.PutUint16(pool[64:], uint16(2*(len("ObjectPool")+1)))
	pool[66], pool[67] = 1, 1 // a storage, black
	set(pool, none, none, 2)
	set(entry(0), none, none, 1)
	set(entry(1), none, 3, none)
	set(entry(2), none, none, none)
	return b
}
