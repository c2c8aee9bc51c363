// Package xlsxprint sets up workbook sheets to print as a QA officer needs
// them — A4, fitted to the page's width, the header row repeated, the
// protective marking in every page's header and footer — and estimates how
// wide text is in the default font (Calibri 11), so columns fit their
// longest value and wrapped rows get the height their text needs.
package xlsxprint

import (
	"math"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/xuri/excelize/v2"
)

// Setup is how one sheet prints.
type Setup struct {
	Landscape bool
	// FitWide and FitTall are the pages the sheet is scaled to fit across
	// and down; 0 leaves that direction unbounded. FitWide 1, FitTall 0 is
	// "fit to one page wide".
	FitWide, FitTall int
	// RepeatRows are rows printed at the top of every page, e.g. "$1:$1".
	RepeatRows string
	// Marking is the protective marking ("OFFICIAL-SENSITIVE") printed at
	// the centre of every page's header and at the left of its footer.
	Marking string
	// Title is printed at the left of the header (e.g. the audit's name).
	Title string
}

// A4 is the paper size code of A4 in SpreadsheetML.
const A4 = 9

// Apply sets up the sheet's printing.
func Apply(f *excelize.File, sheet string, s Setup) error {
	orient := "portrait"
	if s.Landscape {
		orient = "landscape"
	}
	size := A4
	lo := &excelize.PageLayoutOptions{Size: &size, Orientation: &orient}
	fit := s.FitWide > 0 || s.FitTall > 0
	if fit {
		w, h := s.FitWide, s.FitTall
		lo.FitToWidth, lo.FitToHeight = &w, &h
	}
	if err := f.SetPageLayout(sheet, lo); err != nil {
		return err
	}
	if err := f.SetSheetProps(sheet, &excelize.SheetPropsOptions{FitToPage: &fit}); err != nil {
		return err
	}
	left, right, top, bottom, hdr, ftr := 0.4, 0.4, 0.7, 0.7, 0.3, 0.3
	if err := f.SetPageMargins(sheet, &excelize.PageLayoutMarginsOptions{Left: &left, Right: &right, Top: &top,
		Bottom: &bottom, Header: &hdr, Footer: &ftr}); err != nil {
		return err
	}
	hf := &excelize.HeaderFooterOptions{}
	var head strings.Builder
	if s.Title != "" {
		head.WriteString("&L" + Escape(clip(s.Title, 80)))
	}
	if s.Marking != "" {
		head.WriteString("&C&\"-,Bold\"" + Escape(clip(s.Marking, 60)))
	}
	head.WriteString("&R&A")
	hf.OddHeader = head.String()
	foot := "&RPage &P of &N"
	if s.Marking != "" {
		foot = "&L&\"-,Bold\"" + Escape(clip(s.Marking, 60)) + foot
	}
	hf.OddFooter = foot
	if err := f.SetHeaderFooter(sheet, hf); err != nil {
		return err
	}
	if s.RepeatRows != "" {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
			RefersTo: QuoteSheet(sheet) + "!" + s.RepeatRows, Scope: sheet}); err != nil {
			return err
		}
	}
	return nil
}

// PrintArea limits what prints to a range such as "$A$1:$Q$121".
func PrintArea(f *excelize.File, sheet, ref string) error {
	return f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Area", RefersTo: QuoteSheet(sheet) + "!" + ref, Scope: sheet})
}

// QuoteSheet quotes a sheet name for a reference when it needs it.
func QuoteSheet(name string) string {
	for _, r := range name {
		if !(unicode.IsLetter(r) || unicode.IsDigit(r) || r == '_') {
			return "'" + strings.ReplaceAll(name, "'", "''") + "'"
		}
	}
	return name
}

// Escape makes text literal in a header or footer (& starts a code there).
func Escape(s string) string { return strings.ReplaceAll(s, "&", "&&") }

func clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	return string([]rune(s)[:n-1]) + "…"
}

// Width estimates how wide text is in column-width units (the width of
// "0" in Calibri 11): what a column must be to show it on one line.
func Width(s string) float64 {
	w := 0.0
	for _, r := range s {
		w += runeWidth(r)
	}
	return w
}

// BoldWidth is Width for bold text.
func BoldWidth(s string) float64 { return Width(s) * 1.07 }

func runeWidth(r rune) float64 {
	switch {
	case strings.ContainsRune("iljI'.,:;!|", r):
		return 0.45
	case strings.ContainsRune("ftr()[]{}\"", r) || r == ' ':
		return 0.6
	case r == 'm' || r == 'w' || r == 'M' || r == 'W':
		return 1.45
	case r >= '0' && r <= '9':
		return 1
	case unicode.IsUpper(r):
		return 1.15
	case r < 128:
		return 0.92
	}
	return 1.1
}

// Lines estimates how many lines text takes when wrapped in a column of
// the given width (words are never split unless longer than a line).
func Lines(text string, width float64) int {
	if width <= 1 {
		width = 1
	}
	avail := width - 1 // the cell's padding
	total := 0
	for _, para := range strings.Split(text, "\n") {
		lines, cur := 1, 0.0
		for _, word := range strings.Fields(para) {
			ww := Width(word) * 1.06 // err on the side of a line too many
			switch {
			case cur == 0:
				cur = ww
			case cur+runeWidth(' ')+ww <= avail:
				cur += runeWidth(' ') + ww
			default:
				lines++
				cur = ww
			}
			for cur > avail { // a word longer than the line breaks anywhere
				lines++
				cur -= avail
			}
		}
		total += lines
	}
	return total
}

// RowHeight is the height in points of a row whose tallest cell holds
// lines lines of 11-point text.
func RowHeight(lines int) float64 {
	if lines < 1 {
		lines = 1
	}
	return math.Ceil(float64(lines)*15 + 3)
}

// Font is the workbook's font (Calibri, 11 points unless size is given),
// bold or not, in a colour ("" for the default). A font without a family
// prints in whatever the reader's default is (a serif, in LibreOffice).
func Font(bold bool, size float64, color string) *excelize.Font {
	if size == 0 {
		size = 11
	}
	return &excelize.Font{Family: "Calibri", Size: size, Bold: bold, Color: color}
}
