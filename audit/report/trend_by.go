package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
)

// The trend by a column (trend --by Team): for every audit, the share of
// its audited cases needing immediate attention (by the latest judgement,
// as in the headline) in each group of a shown column or the strata, with
// its interval (the trend's method and confidence: exact Clopper-Pearson
// by default). A group whose cases, were it like its whole audit, would
// expect fewer than 5 flagged or fewer than 5 not flagged is marked too few
// to tell apart from the rest — the rule of the report's Factors section —
// and its share is still shown, with its (wide) interval.

// byTable is the trend by a column as a table: a row per group, a column
// per audit, each cell the share with its interval and the counts, marked
// † when too few to tell; nil without --by.
func byTable(t *Trend) *tbl {
	if t.By == "" {
		return nil
	}
	var groups []string
	seen := map[string]bool{}
	for _, p := range t.Audits {
		for _, g := range p.Groups {
			if !seen[g.Group] {
				seen[g.Group] = true
				groups = append(groups, g.Group)
			}
		}
	}
	slices.Sort(groups)
	tb := &tbl{Header: []string{t.By}, Right: []bool{false}}
	for _, p := range t.Audits {
		tb.Header = append(tb.Header, p.Audit+statusNote(p))
		tb.Right = append(tb.Right, true)
	}
	for _, name := range groups {
		row := []string{name}
		for _, p := range t.Audits {
			cell := ""
			for _, g := range p.Groups {
				if g.Group != name {
					continue
				}
				cell = fmt.Sprintf("%s of %s", thousands(g.Flagged), thousands(g.Audited))
				if g.Share != nil {
					cell = fmt.Sprintf("%s (%s of %s, %s)", pctPtr(g.Share, nearest), thousands(g.Flagged), thousands(g.Audited), ciText(g.Lower, g.Upper))
				}
				if g.TooFew {
					cell += " †"
				}
			}
			row = append(row, cell)
		}
		tb.Rows = append(tb.Rows, row)
	}
	return tb
}

// byIntro says what the trend by a column shows.
func byIntro(t *Trend) string {
	return fmt.Sprintf("The share needing immediate attention by %s, audit by audit: the share, the cases flagged of those audited, and the %s %s interval. "+
		"† too few cases to tell: were the group like its whole audit, it would expect fewer than 5 cases needing immediate attention, or fewer than 5 not; "+
		"its share is shown but cannot be told apart from the rest.", t.By, confPct(t.Confidence), methodName(t.Method))
}

// writeTrendByCSV writes the trend by a column in long form: a row per
// audit and group.
func writeTrendByCSV(w io.Writer, t *Trend) error {
	cw := csv.NewWriter(w)
	c := csvWriter{cw}
	c.row("audit", "period", "by", "group", "audited", "flagged", "share", "ci_method", "confidence", "ci_lower", "ci_upper", "too_few", "audit_incomplete")
	for _, p := range t.Audits {
		for _, g := range p.Groups {
			c.row(p.Audit, p.Period, t.By, g.Group, inum(g.Audited), inum(g.Flagged), fptr(g.Share), t.Method, fnum(t.Confidence),
				fptr(g.Lower), fptr(g.Upper), fmt.Sprint(g.TooFew), fmt.Sprint(p.Incomplete))
		}
	}
	cw.Flush()
	return cw.Error()
}

// trendBy writes the sheet "By <column>": a row per audit and group, the
// header repeated on every printed page.
func (x *xw) trendBy(t *Trend) {
	s := clipSheetName("By " + t.By)
	x.sheet(s)
	c := confPct(t.Confidence)
	x.widths(s, 24, 20, 10, 10, 10, 10, 10, 16)
	x.header(s, 1, t.By, "Audit", "Audited", "Flagged", "Share", c+" lower", c+" upper", "Too few to tell")
	x.rightHeads(s, 1, 3, 7)
	x.styleCell(s, 8, 1, x.boldGap) // text after the numbers, set in from them
	row := 2
	for _, p := range t.Audits {
		for _, g := range p.Groups {
			few := ""
			if g.TooFew {
				few = "too few to tell"
			}
			name := p.Audit
			if p.Incomplete {
				name += " (incomplete)"
			}
			x.row(s, row, g.Group, name, g.Audited, g.Flagged, pctCell{g.Share}, lowCell{g.Lower}, highCell{g.Upper}, few)
			if few != "" {
				x.styleCell(s, 8, row, x.gap)
			}
			row++
		}
	}
	x.para(s, row+1, byIntro(t), "H", 110)
	x.print(s, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1"})
}

// clipSheetName keeps a sheet name within Excel's 31 characters and
// without the characters it refuses.
func clipSheetName(s string) string {
	s = strings.Map(func(r rune) rune {
		if strings.ContainsRune(`:\/?*[]`, r) {
			return '_'
		}
		return r
	}, s)
	if r := []rune(s); len(r) > 31 {
		s = string(r[:31])
	}
	return s
}
