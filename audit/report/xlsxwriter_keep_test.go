package report

import (
	"archive/zip"
	"bytes"
	"io"
	"regexp"
	"strings"
	"testing"

	"github.com/xuri/excelize/v2"
)

// keepTogether counts as running past its column only text whose row has
// nothing to its right: a long number (which never spills, LibreOffice
// shows ### instead) or a long text stopped by a filled neighbour leaves
// the sheet's printed width, and so its page breaks, as they are; a long
// text with empty cells to its right widens the sheet (fitting it to the
// page shrinks it, and a block that broke to a new page fits).
func TestKeepTogetherCountsOnlyTextThatRunsOn(t *testing.T) {
	breaks := func(fill func(f *excelize.File), first int) string {
		x := &xw{f: excelize.NewFile()}
		for r := 1; r <= 120; r++ {
			cell, _ := excelize.CoordinatesToCellName(1, r)
			_ = x.f.SetCellValue("Sheet1", cell, "row")
		}
		// Column A nearly as wide as the page, B a narrow one after it.
		_ = x.f.SetColWidth("Sheet1", "A", "A", 80)
		_ = x.f.SetCellValue("Sheet1", "B3", "b")
		fill(x.f)
		x.keepTogether("Sheet1", false, [][2]int{{first, first + 8}})
		if x.err != nil {
			t.Fatal(x.err)
		}
		var b bytes.Buffer
		if err := x.f.Write(&b); err != nil {
			t.Fatal(err)
		}
		return strings.Join(regexp.MustCompile(`<brk id="\d+"`).FindAllString(string(sheet1XML(t, b.Bytes())), -1), " ")
	}
	none := func(*excelize.File) {}
	// The first block start that breaks to a new page on a plain sheet.
	first := 0
	for k := 2; k < 100 && first == 0; k++ {
		if breaks(none, k) != "" {
			first = k
		}
	}
	if first == 0 {
		t.Fatal("no block of the plain sheet breaks to a new page")
	}
	want := breaks(none, first)
	long := strings.Repeat("wide ", 60)
	number := func(f *excelize.File) { _ = f.SetCellValue("Sheet1", "B1", 1234567890123456789.0) }
	stopped := func(f *excelize.File) {
		_ = f.SetCellValue("Sheet1", "A2", long)
		_ = f.SetCellValue("Sheet1", "B2", "next")
	}
	runsOn := func(f *excelize.File) { _ = f.SetCellValue("Sheet1", "A2", long) }
	if got := breaks(number, first); got != want {
		t.Errorf("a long number moved the page breaks: %q, want %q", got, want)
	}
	if got := breaks(stopped, first); got != want {
		t.Errorf("a long text with a filled neighbour moved the page breaks: %q, want %q", got, want)
	}
	if got := breaks(runsOn, first); got == want {
		t.Errorf("a long text running on into empty cells left the page breaks as they were: %q", got)
	}
}

// sheet1XML is the XML of a workbook's first sheet, where excelize keeps
// what it sets but does not read back (page breaks).
func sheet1XML(t *testing.T, xlsx []byte) []byte {
	t.Helper()
	z, err := zip.NewReader(bytes.NewReader(xlsx), int64(len(xlsx)))
	if err != nil {
		t.Fatal(err)
	}
	for _, zf := range z.File {
		if zf.Name == "xl/worksheets/sheet1.xml" {
			rc, err := zf.Open()
			if err != nil {
				t.Fatal(err)
			}
			defer rc.Close()
			b, err := io.ReadAll(rc)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
	}
	t.Fatal("no xl/worksheets/sheet1.xml")
	return nil
}
