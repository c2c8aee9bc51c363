package xlsxprint

import (
	"testing"

	"github.com/xuri/excelize/v2"
)

func TestWidthAndLines(t *testing.T) {
	if w := Width("0000"); w != 4 {
		t.Errorf("Width(0000) = %v, want 4", w)
	}
	if Width("Requires improvement") >= Width("MMMMMMMMMMMMMMMMMMMM") || BoldWidth("Grade") <= Width("Grade") {
		t.Error("widths do not follow the font's")
	}
	// Measured in LibreOffice: this line fits a column 76 wide, one word more does not.
	fits := "You are auditing the case files listed on the Sample sheet, drawn at random so that the audit"
	if Lines(fits, 76) != 1 || Lines(fits+" speaks", 76) != 2 {
		t.Errorf("Lines: %d, %d", Lines(fits, 76), Lines(fits+" speaks", 76))
	}
	if Lines("a\nb", 20) != 2 || Lines("", 10) != 1 || Lines("Supercalifragilistic", 5) < 4 {
		t.Error("paragraphs and long words")
	}
}

func TestApply(t *testing.T) {
	f := excelize.NewFile()
	defer f.Close()
	if err := Apply(f, "Sheet1", Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1", Marking: "A & B", Title: "T"}); err != nil {
		t.Fatal(err)
	}
	hf, _ := f.GetHeaderFooter("Sheet1")
	if hf.OddHeader != `&LT&C&"-,Bold"A && B&R&A` || hf.OddFooter != `&L&"-,Bold"A && B&RPage &P of &N` {
		t.Errorf("header %q footer %q", hf.OddHeader, hf.OddFooter)
	}
	lo, _ := f.GetPageLayout("Sheet1")
	if *lo.Size != A4 || *lo.Orientation != "landscape" || *lo.FitToWidth != 1 || *lo.FitToHeight != 0 {
		t.Errorf("layout %+v", lo)
	}
	if QuoteSheet("Focus areas") != "'Focus areas'" || QuoteSheet("Sample") != "Sample" {
		t.Error("QuoteSheet")
	}
}

func TestRowHeight(t *testing.T) {
	if RowHeight(0) != 17 || RowHeight(1) != 17 || RowHeight(3) != 45 {
		t.Errorf("RowHeight(0, 1, 3) = %v, %v, %v; want 17, 17, 45", RowHeight(0), RowHeight(1), RowHeight(3))
	}
	// A workbook refuses a row taller than 409 points.
	if RowHeight(29) != 407 || RowHeight(30) != 409 || RowHeight(500) != 409 {
		t.Errorf("RowHeight(29, 30, 500) = %v, %v, %v; want 407, 409, 409", RowHeight(29), RowHeight(30), RowHeight(500))
	}
}
