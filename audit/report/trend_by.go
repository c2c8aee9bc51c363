package report

import (
	"encoding/csv"
	"fmt"
	"io"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
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

// groupBy fills p.Groups: the audit's active cases grouped by the column
// by (or the strata, when by names its column or is "stratum"), each
// group's audited cases (those with a finding in fs) and flagged ones (by
// judged), its share and interval, and whether it has too few cases to
// tell; it returns the column's name as the audit spells it ("" when the
// audit does not show it).
func (p *TrendPoint) groupBy(a *audit.Audit, cases []audit.SampledCase, by string, judged map[string]bool, fs []audit.Finding, o Options) (string, error) {
	var key func(c audit.SampledCase) string
	name := by
	switch i := colname.Match(a.Columns, by); {
	case strings.EqualFold(by, ByStratum) || (a.StrataColumn() != "" && colname.Same(a.StrataColumn(), by)):
		if a.StrataColumn() == "" {
			return "", nil // this audit was not stratified: no groups
		}
		name = a.StrataColumn()
		key = func(c audit.SampledCase) string { return c.Stratum }
	case i >= 0:
		if Personal(a.Columns[i]) && !o.IncludeNames {
			return "", opt.Errorf("%q holds personal details; a trend by it needs %s", a.Columns[i], opt.IncludeNames)
		}
		name = a.Columns[i]
		key = func(c audit.SampledCase) string {
			if i < len(c.Fields) {
				return c.Fields[i]
			}
			return ""
		}
	default:
		return "", nil // the audit does not show the column
	}
	audited := map[string]bool{}
	for _, f := range fs {
		audited[f.Case] = true
	}
	idx := map[string]int{}
	for _, c := range cases {
		g := strings.TrimSpace(key(c))
		if g == "" {
			g = "(blank)"
		}
		j, ok := idx[g]
		if !ok {
			j = len(p.Groups)
			idx[g] = j
			p.Groups = append(p.Groups, TrendGroup{Group: g})
		}
		if audited[c.ID] {
			p.Groups[j].Audited++
			if judged[c.ID] {
				p.Groups[j].Flagged++
			}
		}
	}
	slices.SortFunc(p.Groups, func(x, y TrendGroup) int { return strings.Compare(x.Group, y.Group) })
	for j := range p.Groups {
		g := &p.Groups[j]
		if g.Audited == 0 {
			g.TooFew = true
			continue
		}
		g.Share = ptr(float64(g.Flagged) / float64(g.Audited))
		iv, err := interval(o.Method, g.Flagged, g.Audited, o.Confidence)
		if err != nil {
			return "", err
		}
		g.Lower, g.Upper = ptr(iv.Lower), ptr(iv.Upper)
		share := float64(p.Flagged) / float64(p.Audited)
		n := float64(g.Audited)
		g.TooFew = n*share < 5 || n*(1-share) < 5
	}
	return name, nil
}

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
	c := markedCSV{csvWriter{cw}, t.Marking}
	c.head("audit", "period", "by", "group", "audited", "flagged", "share", "ci_method", "confidence", "ci_lower", "ci_upper", "too_few", "audit_incomplete")
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
