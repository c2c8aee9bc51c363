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

	"github.com/caseaudit/caseaudit/internal/words"
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
	// RepeatCols are columns printed at the left of every page, e.g.
	// "$A:$B": a sheet more than one page wide repeats what names its
	// rows, and its pages go across before down, so that a row's pages
	// print one after the other.
	RepeatCols string
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
	if s.FitWide > 1 {
		order := "overThenDown"
		lo.PageOrder = &order
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
		head.WriteString("&L" + Escape(words.Clip(s.Title, 80)))
	}
	if s.Marking != "" {
		head.WriteString("&C&\"-,Bold\"" + Escape(words.Clip(s.Marking, 60)))
	}
	head.WriteString("&R&A")
	hf.OddHeader = head.String()
	foot := "&RPage &P of &N"
	if s.Marking != "" {
		foot = "&L&\"-,Bold\"" + Escape(words.Clip(s.Marking, 60)) + foot
	}
	hf.OddFooter = foot
	if err := f.SetHeaderFooter(sheet, hf); err != nil {
		return err
	}
	var titles []string
	for _, r := range []string{s.RepeatCols, s.RepeatRows} { // columns first, as Excel writes them
		if r != "" {
			titles = append(titles, QuoteSheet(sheet)+"!"+r)
		}
	}
	if len(titles) > 0 {
		if err := f.SetDefinedName(&excelize.DefinedName{Name: "_xlnm.Print_Titles",
			RefersTo: strings.Join(titles, ","), Scope: sheet}); err != nil {
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

// Width estimates how wide text is in column-width units (the width of
// "0" in Calibri 11): what a column must be to show it on one line. It
// uses the advance widths of Carlito, which has Calibri's metrics.
func Width(s string) float64 { return width(s, &regular) }

// BoldWidth is Width for bold text.
func BoldWidth(s string) float64 { return width(s, &bold) }

func width(s string, t *[95]uint16) float64 {
	sum := 0
	for _, r := range s {
		switch {
		case r >= ' ' && r <= '~':
			sum += int(t[r-' '])
		case unicode.IsUpper(r):
			sum += int(t['N'-' '])
		default: // accented letters and the like: about an "n"
			sum += int(t['n'-' '])
		}
	}
	return float64(sum) / float64(t['0'-' '])
}

// Advance widths of the printable ASCII characters (space to ~) in
// Carlito Regular and Bold, in 2048ths of an em.
var regular = [95]uint16{463, 667, 821, 1020, 1038, 1464, 1397, 452, 621, 621, 1020, 1020, 511, 627, 517, 791, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 548, 548, 1020, 1020, 1020, 949, 1831, 1185, 1114, 1092, 1260, 1000, 941, 1292, 1276, 516, 653, 1064, 861, 1751, 1322, 1356, 1058, 1378, 1112, 941, 998, 1314, 1162, 1822, 1063, 998, 959, 628, 791, 628, 1020, 1020, 596, 981, 1076, 866, 1076, 1019, 625, 964, 1076, 470, 490, 931, 470, 1636, 1076, 1080, 1076, 1076, 714, 801, 686, 1076, 925, 1464, 887, 927, 809, 644, 943, 644, 1020}

var bold = [95]uint16{463, 667, 898, 1020, 1038, 1493, 1443, 478, 638, 638, 1020, 1020, 528, 627, 547, 880, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 1038, 565, 565, 1020, 1020, 1020, 949, 1840, 1241, 1148, 1084, 1291, 999, 940, 1305, 1292, 546, 678, 1120, 866, 1790, 1349, 1385, 1090, 1405, 1153, 968, 1014, 1337, 1211, 1856, 1128, 1064, 979, 665, 880, 665, 1020, 1020, 615, 1011, 1099, 857, 1099, 1031, 648, 971, 1099, 503, 523, 983, 503, 1666, 1099, 1101, 1099, 1099, 728, 817, 710, 1099, 969, 1526, 941, 970, 814, 704, 973, 704, 1020}

// Lines estimates how many lines text takes when wrapped in a column of
// the given width (words are never split unless longer than a line).
func Lines(text string, width float64) int { return lines(text, width, &regular) }

// BoldLines is Lines for bold text.
func BoldLines(text string, width float64) int { return lines(text, width, &bold) }

func lines(text string, colWidth float64, t *[95]uint16) int {
	avail := max(colWidth, 1.5)*0.98 - 0.3 // the cell's padding (measured in LibreOffice)
	space := Width(" ")
	total := 0
	for _, para := range strings.Split(text, "\n") {
		n, cur := 1, 0.0
		for _, word := range strings.Fields(para) {
			for i, part := range hyphenParts(word) {
				sep := space
				if i > 0 {
					sep = 0 // the rest of a hyphenated word, after its hyphen
				}
				ww := width(part, t)
				switch {
				case cur == 0:
					cur = ww
				case cur+sep+ww <= avail:
					cur += sep + ww
				default:
					n++
					cur = ww
				}
				for cur > avail { // a word longer than the line breaks anywhere
					n++
					cur -= avail
				}
			}
		}
		total += n
	}
	return total
}

// hyphenParts splits a word after each hyphen between two letters, where
// LibreOffice and Excel may break a line ("re-" and "assessed"): a
// wrapped line can end there, and the estimate must break where they do,
// or a different break early on may leave it a line short later.
func hyphenParts(word string) []string {
	var parts []string
	rs := []rune(word)
	start := 0
	for i := 1; i+1 < len(rs); i++ {
		if rs[i] == '-' && unicode.IsLetter(rs[i-1]) && unicode.IsLetter(rs[i+1]) {
			parts = append(parts, string(rs[start:i+1]))
			start = i + 1
		}
	}
	return append(parts, string(rs[start:]))
}

// RowHeight is the height in points of a row whose tallest cell holds
// lines lines of 11-point text, up to the most a workbook allows a row
// (409 points, some 29 lines): a longer text is cut on paper rather than
// the workbook refused.
//
// A line is given 13.9 points, what Excel on Windows needs: it spaces
// Calibri 11's lines by the font's Windows ascent and descent, 1.22 em
// (13.4 points, 18 pixels at 96 dpi). LibreOffice on Linux spaces Carlito's
// lines by its ascent and descent without the line gap, 1.0 em (measured:
// 11.11 points a line), so a row printed there keeps about a fifth of its
// height blank under long text. The taller spacing is kept because a row
// too short for Excel cuts the text off on paper, and blank space loses
// nothing.
func RowHeight(lines int) float64 {
	if lines < 1 {
		lines = 1
	}
	return min(math.Ceil(float64(lines)*13.9+3), excelize.MaxRowHeight)
}

// MergedWidth is the width, in column-width units, to wrap text in a cell
// merged across columns of the given widths: their sum and a little for
// each column after the first, whose padding the merged cell writes
// across. Measured in LibreOffice: 120 notes of 100 to 2,000 characters in
// a cell merged across 32, 17 and 28 wrap as in one column of 78.0 (of
// 78.1 or more, some wrap a line later than estimated and would be cut; of
// 77, a sixth are given a line more than they print on). 0.45 a column
// leaves a tenth of a digit to spare. Excel gives a merged cell more room
// (5 pixels a column), so what fits in LibreOffice fits there.
func MergedWidth(widths ...float64) float64 {
	sum := 0.0
	for _, w := range widths {
		sum += w
	}
	return sum + float64(max(len(widths)-1, 0))*0.45
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
