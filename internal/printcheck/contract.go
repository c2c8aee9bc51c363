package printcheck

import (
	"bytes"
	"fmt"
	"html"
	"regexp"
	"strconv"
	"strings"

	"github.com/xuri/excelize/v2"
)

// The print contract every printed output of caseaudit keeps, checked from
// the file itself without printing it: each visible sheet of a workbook
// prints on A4, scaled to one page wide (or two, its first columns
// repeated), with "Page n of m" in its footer,
// the protective marking (when one is set) in its header and its footer,
// and — unless it is one of the sheets named as prose, such as
// instructions or a summary — its header row repeated on every page. A
// hidden sheet does not print (the drop-down lists, the IDs left out of a
// sample), so it is not checked. An HTML page's @page rule asks for A4,
// page numbers "n of m" and the marking in the margin boxes.

// a4 is SpreadsheetML's paper size code for A4.
const a4 = 9

// CheckWorkbook returns what breaks the print contract in an xlsx, one
// line per problem naming the sheet; none when it keeps it. prose names the
// sheets that need no repeated header row.
func CheckWorkbook(xlsx []byte, marking string, prose ...string) ([]string, error) {
	f, err := excelize.OpenReader(bytes.NewReader(xlsx))
	if err != nil {
		return nil, err
	}
	defer f.Close()
	titles, cols := map[string]bool{}, map[string]bool{}
	for _, n := range f.GetDefinedName() {
		if n.Name == "_xlnm.Print_Titles" && n.RefersTo != "" {
			titles[n.Scope] = true
			cols[n.Scope] = repeatsColumns.MatchString(n.RefersTo)
		}
	}
	var out []string
	visible := 0
	for _, s := range f.GetSheetList() {
		if v, _ := f.GetSheetVisible(s); !v {
			continue
		}
		visible++
		bad := func(format string, a ...any) {
			out = append(out, fmt.Sprintf("sheet %q: ", s)+fmt.Sprintf(format, a...))
		}
		lo, err := f.GetPageLayout(s)
		if err != nil {
			return nil, err
		}
		if lo.Size == nil || *lo.Size != a4 {
			bad("paper is not A4")
		}
		props, err := f.GetSheetProps(s)
		if err != nil {
			return nil, err
		}
		// Two pages wide at most, and only with the columns that name a
		// row repeated on each.
		if props.FitToPage == nil || !*props.FitToPage || lo.FitToWidth == nil || *lo.FitToWidth < 1 || *lo.FitToWidth > 2 ||
			(*lo.FitToWidth == 2 && !cols[s]) {
			bad("not fitted to one page wide (or two, with its first columns repeated)")
		}
		hf, err := f.GetHeaderFooter(s)
		if err != nil {
			return nil, err
		}
		if hf == nil {
			hf = &excelize.HeaderFooterOptions{}
		}
		if !strings.Contains(hf.OddFooter, "&P") || !strings.Contains(hf.OddFooter, "&N") {
			bad("no \"Page n of m\" in the footer")
		}
		if marking != "" {
			m := strings.ReplaceAll(marking, "&", "&&")
			if !strings.Contains(hf.OddHeader, m) {
				bad("the marking %q is not in the page header", marking)
			}
			if !strings.Contains(hf.OddFooter, m) {
				bad("the marking %q is not in the page footer", marking)
			}
		}
		if !titles[s] && !isProse(s, prose) {
			bad("its header row is not repeated on every page (Print_Titles)")
		}
	}
	if visible == 0 {
		out = append(out, "no sheet is visible")
	}
	return out, nil
}

func isProse(s string, prose []string) bool {
	for _, p := range prose {
		if p == s {
			return true
		}
	}
	return false
}

var (
	// repeatsColumns finds columns among a sheet's print titles ("!$A:$B").
	repeatsColumns = regexp.MustCompile(`!\$[A-Z]+:\$[A-Z]+(,|$)`)
	pageRule       = regexp.MustCompile(`(?s)@page\s*\{(.*?)\n\}`)
	a4Size         = regexp.MustCompile(`size:\s*A4\b`)
	pageCounts     = regexp.MustCompile(`counter\(page\)[^;]*counter\(pages\)`)
	cssEscape      = regexp.MustCompile(`\\[0-9a-fA-F]{1,6} ?`)
)

// CheckHTML returns what breaks the print contract in an HTML page: an
// @page rule for A4 with "Page n of m" in a margin box, and the marking
// (when one is set) in the top and bottom margins and in the page itself.
func CheckHTML(page []byte, marking string) []string {
	var out []string
	m := pageRule.FindSubmatch(page)
	if m == nil {
		return []string{"no @page rule"}
	}
	rule := cssEscape.ReplaceAllStringFunc(string(m[1]), func(e string) string {
		n, err := strconv.ParseUint(strings.TrimSpace(e[1:]), 16, 32)
		if err != nil {
			return e
		}
		return string(rune(n))
	})
	if !a4Size.MatchString(rule) {
		out = append(out, "the @page rule does not ask for A4")
	}
	if !pageCounts.MatchString(rule) {
		out = append(out, "no \"Page n of m\" in the page margins")
	}
	if marking != "" {
		quoted := fmt.Sprintf("%q", marking)
		for _, box := range []string{"@top-right", "@bottom-left"} {
			i := strings.Index(rule, box)
			if i < 0 || !strings.Contains(rule[i:min(len(rule), i+len(box)+len(quoted)+20)], quoted) {
				out = append(out, fmt.Sprintf("the marking %q is not in the %s margin box", marking, box))
			}
		}
		if strings.Count(html.UnescapeString(string(page)), marking) < 3 {
			out = append(out, fmt.Sprintf("the marking %q is not at the top and foot of the page's text", marking))
		}
	}
	return out
}
