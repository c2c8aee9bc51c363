package xlsxprint

import (
	"math"
	"strings"
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

// A cell merged across columns of 32, 17 and 28 digits wraps text as a
// column of 77.9 would (78.0 as LibreOffice prints it, less a tenth to
// spare).
func TestMergedWidth(t *testing.T) {
	if got, want := MergedWidth(32, 17, 28), 77.9; math.Abs(got-want) > 1e-9 {
		t.Errorf("MergedWidth(32, 17, 28) = %v; want %v", got, want)
	}
	if MergedWidth(13) != 13 || MergedWidth() != 0 {
		t.Errorf("MergedWidth(13), MergedWidth() = %v, %v; want 13, 0", MergedWidth(13), MergedWidth())
	}
}

// A hyphen between two letters is where a line may break, as LibreOffice
// and Excel break it ("re-" then "assessed"); a hyphen before a figure or
// at a word's edge is not a break. (That it changes what Lines counts, as
// LibreOffice wraps, is shown in print by the referral sheet's notes.)
func TestLinesBreakAfterHyphens(t *testing.T) {
	if got := Lines("aaaa re-assessed", Width("aaaa re-assessed")+1); got != 1 {
		t.Errorf("the whole on one line: %d lines", got)
	}
	for in, want := range map[string][]string{"re-assessed": {"re-", "assessed"}, "Step-parent's": {"Step-", "parent's"},
		"-2": {"-2"}, "pre-": {"pre-"}, "2026-07-03": {"2026-07-03"}, "a-b-c": {"a-", "b-", "c"}} {
		if got := hyphenParts(in); strings.Join(got, "|") != strings.Join(want, "|") {
			t.Errorf("hyphenParts(%q) = %q; want %q", in, got, want)
		}
	}
}
