package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"
)

// The HTML report is one self-contained file: inline CSS, inline SVG
// charts, no scripts, no external assets. html/template escapes every piece
// of text from the store.

type htmlView struct {
	Title    string
	Marking  string
	Page     template.CSS // the @page rule: A4, the marking and page numbers in the margins
	Meta     []kv
	Sentence string
	// Lead is the first section (immediate attention), shown before the
	// headline chart; Sections are the rest.
	Lead     *section
	Sections []section
	Trend    *svgTrend
	Mix      *svgMix
	Good     *svgLines
	// Names says who the page names (see Report.NamesNote).
	Names string
}

type svgTrend struct {
	W, H     int
	Points   []svgPoint
	Line     string // polyline points
	Ticks    []svgTick
	Caption  string
	X0, X1   int
	Y0, YTop int
	// LimitY is the height of the limit line ("" for none), LimitLabel its
	// label.
	LimitY, LimitLabel string
}

// svgLines is a line chart of shares (0 to 100%) audit by audit: the share
// Good or better, overall and per focus area.
type svgLines struct {
	W, H     int
	X0, X1   int
	Y0, YTop int
	Ticks    []svgTick
	Labels   []svgLabel
	Series   []svgSeries
	LegendY  int
	Caption  string
}

type svgLabel struct {
	X     string
	Y     int
	Label string
}

type svgSeries struct {
	Name   string
	Color  string
	Width  string
	Line   string // polyline points
	Points []svgDot
	// Legend: a swatch at (LX, LY), the name at TX.
	LX, LY, TX, TY int
}

type svgDot struct {
	X, Y, Title string
}

type svgPoint struct {
	X, Y, YLo, YHi string
	CapL, CapR     string // the ends of the error bars' caps
	Label, Value   string
	LabelY         int
}

type svgTick struct {
	Y     string
	Label string
}

type svgMix struct {
	W, H                 int
	LegendY, LegendTextY int
	Rows                 []svgMixRow
	Legend               []svgLegend
}

type svgMixRow struct {
	Y, TextY int
	Label    string
	Bars     []svgBar
}

type svgBar struct {
	X, W  string
	Fill  string
	Title string
}

type svgLegend struct {
	X     int
	TextX int
	Fill  string
	Label string
}

var gradeFills = []string{"#1b7837", "#7fbf7b", "#f1a340", "#b2182b"}

func f1(v float64) string { return strconv.FormatFloat(v, 'f', 1, 64) }

// trendSVG draws the share flagged per audit with its interval as an error
// bar, oldest first, and the limit (when given) as a line.
func trendSVG(ps []TrendPoint, conf float64, limit *float64) *svgTrend {
	var pts []TrendPoint
	for _, p := range ps {
		if p.Share != nil {
			pts = append(pts, p)
		}
	}
	if len(pts) == 0 {
		return nil
	}
	top := 0.05
	for _, p := range pts {
		top = math.Max(top, *p.Upper)
	}
	if limit != nil {
		top = math.Max(top, *limit*1.15)
	}
	top = math.Min(1, math.Ceil(top*20)/20) // a multiple of 5%
	s := &svgTrend{W: 640, H: 280, X0: 60, X1: 620, Y0: 230, YTop: 20,
		Caption: fmt.Sprintf("Share of audited cases needing immediate attention, with %s intervals", confPct(conf))}
	y := func(v float64) float64 { return float64(s.Y0) - v/top*float64(s.Y0-s.YTop) }
	for i := 0; i <= 5; i++ {
		v := top * float64(i) / 5
		s.Ticks = append(s.Ticks, svgTick{Y: f1(y(v)), Label: pct(v, nearest)})
	}
	step := float64(s.X1-s.X0) / float64(len(pts))
	for i, p := range pts {
		x := float64(s.X0) + step*(float64(i)+0.5)
		sp := svgPoint{X: f1(x), CapL: f1(x - 6), CapR: f1(x + 6), Y: f1(y(*p.Share)), YLo: f1(y(*p.Lower)), YHi: f1(y(*p.Upper)), Label: p.Audit,
			Value: fmt.Sprintf("%s: %s (%s)", p.Audit, pct(*p.Share, nearest), ciText(p.Lower, p.Upper)), LabelY: s.Y0 + 18}
		s.Points = append(s.Points, sp)
		if i > 0 {
			s.Line += " "
		}
		s.Line += sp.X + "," + sp.Y
	}
	if limit != nil {
		s.LimitY, s.LimitLabel = f1(y(*limit)), "limit "+pct(*limit, nearest)
	}
	return s
}

// seriesColors colour the lines of the Good or better chart: the overall
// share first, then the focus areas.
var seriesColors = []string{"#1a1a1a", "#1b9e77", "#d95f02", "#7570b3", "#e7298a", "#66a61e", "#e6ab02", "#a6761d", "#1f78b4", "#b15928"}

// goodSVG draws the share Good or better per audit, overall and per focus
// area; nil when no audit has an audited case.
func goodSVG(ps []TrendPoint) *svgLines {
	any := false
	for _, p := range ps {
		if p.GoodOrBetter != nil {
			any = true
		}
	}
	if !any {
		return nil
	}
	keys, labels := trendFocusKeys(ps)
	c := &svgLines{W: 640, X0: 60, X1: 620, Y0: 210, YTop: 15,
		Caption: "Share of audited cases Good or better (Outstanding or Good), overall and by focus area (Not applicable left out)"}
	y := func(v float64) float64 { return float64(c.Y0) - v*float64(c.Y0-c.YTop) }
	for i := 0; i <= 4; i++ {
		v := float64(i) / 4
		c.Ticks = append(c.Ticks, svgTick{Y: f1(y(v)), Label: pct(v, nearest)})
	}
	step := float64(c.X1-c.X0) / float64(len(ps))
	xOf := func(i int) float64 { return float64(c.X0) + step*(float64(i)+0.5) }
	for i, p := range ps {
		c.Labels = append(c.Labels, svgLabel{X: f1(xOf(i)), Y: c.Y0 + 18, Label: p.Audit})
	}
	type line struct {
		name string
		get  func(p TrendPoint) *float64
	}
	lines := []line{{"All cases", func(p TrendPoint) *float64 { return p.GoodOrBetter }}}
	for _, k := range keys {
		lines = append(lines, line{labels[k], func(p TrendPoint) *float64 { return p.focusShare(k) }})
	}
	ly := c.Y0 + 40
	for i, l := range lines {
		sr := svgSeries{Name: l.name, Color: seriesColors[i%len(seriesColors)], Width: "1.5"}
		if i == 0 {
			sr.Width = "2.5"
		}
		for j, p := range ps {
			v := l.get(p)
			if v == nil {
				continue
			}
			x, yy := f1(xOf(j)), f1(y(*v))
			if sr.Line != "" {
				sr.Line += " "
			}
			sr.Line += x + "," + yy
			sr.Points = append(sr.Points, svgDot{X: x, Y: yy, Title: fmt.Sprintf("%s, %s: %s", p.Audit, l.name, pct(*v, nearest))})
		}
		if len(sr.Points) == 0 {
			continue // a focus area nobody answered
		}
		col, row := len(c.Series)%2, len(c.Series)/2
		sr.LX, sr.LY = 60+col*290, ly+row*18
		sr.TX, sr.TY = sr.LX+18, sr.LY+10
		c.Series = append(c.Series, sr)
	}
	c.LegendY = ly
	c.H = ly + ((len(c.Series)+1)/2)*18 + 10
	return c
}

// mixSVG draws each audit's grade mix as a 100% stacked bar.
func mixSVG(ps []TrendPoint) *svgMix {
	names := gradeNames()
	m := &svgMix{W: 640}
	y := 10
	for _, p := range ps {
		if p.Audited == 0 {
			continue
		}
		row := svgMixRow{Y: y, TextY: y + 15, Label: p.Audit}
		x := 160.0
		for i, g := range names {
			w := 460 * float64(p.Grades[g]) / float64(p.Audited)
			row.Bars = append(row.Bars, svgBar{X: f1(x), W: f1(w), Fill: gradeFills[i],
				Title: fmt.Sprintf("%s, %s: %d of %d (%s)", p.Audit, g, p.Grades[g], p.Audited, shareOf(p.Grades[g], p.Audited))})
			x += w
		}
		m.Rows = append(m.Rows, row)
		y += 28
	}
	if len(m.Rows) == 0 {
		return nil
	}
	lx := 160
	for i, g := range names {
		m.Legend = append(m.Legend, svgLegend{X: lx, TextX: lx + 16, Fill: gradeFills[i], Label: g})
		lx += 30 + 7*len(g) // about 7px a character at 12px
	}
	m.LegendY, m.LegendTextY = y+6, y+16
	m.H = y + 30
	return m
}

// idColumn says whether a table's column holds case IDs (never wrapped).
func idColumn(t *tbl, col int) bool {
	return col < len(t.Header) && (t.Header[col] == "Case ID" || t.Header[col] == "Disagreement: case ID")
}

// wideColumns is how many columns make a table wide: printed in smaller
// type (the trend's table has ten or more).
const wideColumns = 10

// wideTable says whether a table has so many columns that it is printed in
// smaller type.
func wideTable(t *tbl) bool { return len(t.Header) >= wideColumns }

// headClass is the class of a table's header cell.
func headClass(t *tbl, col int) string {
	var c []string
	if col < len(t.Right) && t.Right[col] {
		c = append(c, "n")
	}
	if idColumn(t, col) {
		c = append(c, "id")
	}
	return strings.Join(c, " ")
}

// cellClass is the class of a table cell: "n" for a numeric column, "id"
// for case IDs, plus the heat-map band when the table has one.
func cellClass(t *tbl, row, col int) string {
	var c []string
	if col < len(t.Right) && t.Right[col] {
		c = append(c, "n")
	}
	if idColumn(t, col) {
		c = append(c, "id")
	} else if len(c) == 0 && row < len(t.Rows) && col < len(t.Rows[row]) && utf8.RuneCountInString(t.Rows[row][col]) <= 24 {
		c = append(c, "short") // a date, an audit's name, a grade: on one line
	}
	if row < len(t.Heat) && col < len(t.Heat[row]) && t.Heat[row][col] != "" {
		c = append(c, "heat-"+t.Heat[row][col])
	}
	return strings.Join(c, " ")
}

// baseCSS is the style the report and the profile share: type, tables
// (numbers right-aligned and never wrapped; case IDs and short cells on
// one line), the metadata list, figures and notes.
const baseCSS = `body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; }
h3 { font-size: 1rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
td.n { white-space: nowrap; }
td.id, th.id, td.short { white-space: nowrap; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; font-size: .9rem; color: #444; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
figure { margin: 1rem 0; break-inside: avoid; }
figcaption { font-size: .9rem; color: #444; }
svg text { font-family: inherit; font-size: 12px; fill: #333; }
ul.notes li { margin-bottom: .3rem; }
span.nb { white-space: nowrap; }
/* On paper the page's margin is the margin: the text and the tables share
   one column, and a table as wide as it may be ends where the text does,
   never in the margin. */
@media print { body { padding: 0; } }
`

// htmlTmpl is parsed on first use: every command, record included, would
// otherwise parse it at start-up.
var htmlTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("report").Funcs(template.FuncMap{"cellClass": cellClass, "headClass": headClass, "unbroken": unbroken, "wide": wideTable}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Marking}}{{.Marking}}: {{end}}{{.Title}}</title>
<style>
` + baseCSS + `p.marking { font-weight: 700; color: #c00000; letter-spacing: .05em; margin: 0 0 .5rem; }
p.lead { font-size: 1.15rem; background: #f3f6fa; border-left: 4px solid #2c5d8f; padding: .6rem .9rem; }
td.heat-red, .swatch.heat-red { background: #f4c7c3; }
td.heat-amber, .swatch.heat-amber { background: #fce8b2; }
td.heat-green, .swatch.heat-green { background: #b7e1cd; }
td[class*="heat-"], .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #999; vertical-align: -.1em; margin: 0 .25em 0 .6em; }
p.legend { font-size: .88rem; color: #444; }
footer { margin-top: 2rem; }
{{.Page}}
@media print {
  body { margin: 0; max-width: none; font-size: 10pt; }
  p.lead { background: none; }
  /* A heading never ends a page: it keeps room below it for what it heads. */
  h2, h3 { break-after: avoid; break-inside: avoid; }
  h2::after, h3::after { content: ""; display: block; height: 7em; margin-bottom: -7em; }
  figure, table.kv { break-inside: avoid; }
  /* Tables as wide as the page at most: headings wrap, numbers never. */
  table { font-size: 8.5pt; max-width: 100%; }
  th, td { padding: .2rem .35rem; }
  /* A table of many columns (the trend: grades, status, the factors) in
     smaller type, so that it fits the page with its numbers on one line. */
  table.wide { font-size: 7.5pt; }
  table.wide th, table.wide td { padding: .15rem .25rem; }
}
</style>
</head>
<body>
{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}
<h1>{{.Title}}</h1>
<dl class="meta">{{range .Meta}}<dt>{{.K}}</dt><dd>{{.V}}</dd>{{end}}</dl>
{{with .Lead}}{{template "section" .}}{{end}}
{{with .Trend}}<figure class="headline">
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Caption}}">
{{range .Ticks}}<line x1="55" x2="620" y1="{{.Y}}" y2="{{.Y}}" stroke="#e3e3e3"/><text x="50" y="{{.Y}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>
{{end}}<line x1="{{.X0}}" x2="{{.X1}}" y1="{{.Y0}}" y2="{{.Y0}}" stroke="#888"/>
{{if .LimitY}}<line x1="{{.X0}}" x2="{{.X1}}" y1="{{.LimitY}}" y2="{{.LimitY}}" stroke="#c00000" stroke-width="1.5" stroke-dasharray="6 4"/><text x="{{.X1}}" y="{{.LimitY}}" dy="-4" text-anchor="end" style="fill:#c00000">{{.LimitLabel}}</text>
{{end}}<polyline points="{{.Line}}" fill="none" stroke="#2c5d8f" stroke-width="2"/>
{{range .Points}}<g><title>{{.Value}}</title><line x1="{{.X}}" x2="{{.X}}" y1="{{.YLo}}" y2="{{.YHi}}" stroke="#2c5d8f" stroke-width="1.5"/><line x1="{{.CapL}}" x2="{{.CapR}}" y1="{{.YHi}}" y2="{{.YHi}}" stroke="#2c5d8f"/><line x1="{{.CapL}}" x2="{{.CapR}}" y1="{{.YLo}}" y2="{{.YLo}}" stroke="#2c5d8f"/><circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="#2c5d8f"/><text x="{{.X}}" y="{{.LabelY}}" text-anchor="middle">{{.Label}}</text></g>
{{end}}</svg>
<figcaption>{{.Caption}}{{if .LimitY}}; the dashed red line is the {{.LimitLabel}}{{end}}.</figcaption>
</figure>{{end}}
{{range .Sections}}{{template "section" .}}{{end}}
{{if or .Mix .Good}}<section>
<h2>Charts</h2>
{{with .Mix}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="Grade mix by audit">
{{range .Rows}}<text x="150" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>{{$y := .Y}}{{range .Bars}}<rect x="{{.X}}" y="{{$y}}" width="{{.W}}" height="20" fill="{{.Fill}}"><title>{{.Title}}</title></rect>{{end}}
{{end}}{{$ly := .LegendY}}{{$lt := .LegendTextY}}{{range .Legend}}<rect x="{{.X}}" y="{{$ly}}" width="12" height="12" fill="{{.Fill}}"/><text x="{{.TextX}}" y="{{$lt}}">{{.Label}}</text>
{{end}}</svg>
<figcaption>Grade mix of the audited cases, audit by audit.</figcaption>
</figure>{{end}}
{{with .Good}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Caption}}">
{{range .Ticks}}<line x1="55" x2="620" y1="{{.Y}}" y2="{{.Y}}" stroke="#e3e3e3"/><text x="50" y="{{.Y}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>
{{end}}<line x1="{{.X0}}" x2="{{.X1}}" y1="{{.Y0}}" y2="{{.Y0}}" stroke="#888"/>
{{range .Labels}}<text x="{{.X}}" y="{{.Y}}" text-anchor="middle">{{.Label}}</text>
{{end}}{{range .Series}}{{$c := .Color}}<g><polyline points="{{.Line}}" fill="none" stroke="{{.Color}}" stroke-width="{{.Width}}"/>{{range .Points}}<circle cx="{{.X}}" cy="{{.Y}}" r="3.5" fill="{{$c}}"><title>{{.Title}}</title></circle>{{end}}<rect x="{{.LX}}" y="{{.LY}}" width="12" height="12" fill="{{.Color}}"/><text x="{{.TX}}" y="{{.TY}}">{{.Name}}</text></g>
{{end}}</svg>
<figcaption>{{.Caption}}.</figcaption>
</figure>{{end}}
</section>{{end}}
<footer>{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}<p><small>Made by caseaudit. {{.Names}}</small></p></footer>
</body>
</html>
{{define "section"}}<section>
{{if .Title}}<h2>{{.Title}}</h2>{{end}}
{{if .Intro}}<p{{if eq .Title "Immediate attention"}} class="lead"{{end}}>{{.Intro}}</p>{{end}}
{{if eq .Title "Notes"}}<ul class="notes">{{range .Lines}}<li>{{unbroken .V}}</li>{{end}}</ul>{{else}}
{{if .Lines}}<table class="kv">{{range .Lines}}<tr><th scope="row">{{.K}}</th><td>{{.V}}</td></tr>{{end}}</table>{{end}}
{{with .Table}}{{template "tbl" .}}{{end}}
{{range .More}}<h3>{{.Caption}}</h3>{{with .Table}}{{template "tbl" .}}{{end}}{{if .Note}}<p class="legend">{{if .Table}}{{if .Table.Heat}}<span class="swatch heat-red"></span>below 50% <span class="swatch heat-amber"></span>50% to under 75% <span class="swatch heat-green"></span>75% or more. {{end}}{{end}}{{.Note}}</p>{{end}}{{end}}
{{end}}
{{if .Bullets}}<ul class="notes">{{range .Bullets}}<li>{{unbroken .}}</li>{{end}}</ul>{{end}}
</section>
{{end}}
{{define "tbl"}}<table{{if wide .}} class="wide"{{end}}>
<thead><tr>{{range $i, $h := .Header}}<th{{with headClass $ $i}} class="{{.}}"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range $r, $row := .Rows}}<tr>{{range $i, $c := $row}}<td{{with cellClass $ $r $i}} class="{{.}}"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody>
</table>{{end}}
`))
})

// WriteHTML writes the report as one self-contained, printable HTML page
// with inline SVG charts (the trend of the share flagged and the grade mix).
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{Title: r.title(), Marking: r.Marking, Page: pageRule(r.title(), r.Marking), Meta: r.meta(), Sections: r.sections(),
		Trend: trendSVG(r.Trend, r.opts.Confidence, r.opts.Limit), Mix: mixSVG(r.Trend), Good: goodSVG(r.Trend), Names: r.NamesNote()}
	for i := range v.Sections {
		if t := v.Sections[i].Table; t != nil {
			fillRight(t)
		}
		for _, m := range v.Sections[i].More {
			if m.Table != nil {
				fillRight(m.Table)
			}
		}
	}
	// The headline: the share needing immediate attention, then its chart,
	// near the top; the other sections after.
	if len(v.Sections) > 0 {
		v.Lead, v.Sections = &v.Sections[0], v.Sections[1:]
	}
	return htmlTmpl().Execute(w, v)
}

// pageRule is the print CSS for every page: A4, the title at the top left,
// the marking at the top right and the bottom left, the page number at
// the bottom right. The marking is not at the top centre: a centre box
// leaves each side box half of what remains, and Chromium neither
// truncates a margin box's text nor keeps it from running into the next
// box, so a title of more than about 45 characters ("Share needing
// immediate attention over several audits: 2026-Q3", an audit's long
// name) wrapped onto two lines beside the marking; with two boxes the
// title has the width the marking leaves. Text goes in as escaped CSS
// strings: nothing from the store or the command line can end the rule or
// the style element.
func pageRule(title, marking string) template.CSS {
	var b strings.Builder
	b.WriteString("@page {\n  size: A4;\n  margin: 16mm 14mm 16mm 14mm;\n")
	fmt.Fprintf(&b, "  @top-left { content: %s; font: 8pt sans-serif; color: #555; }\n", cssString(title))
	if marking != "" {
		fmt.Fprintf(&b, "  @top-right { content: %s; font: bold 9pt sans-serif; color: #c00000; white-space: nowrap; }\n", cssString(marking))
		fmt.Fprintf(&b, "  @bottom-left { content: %s; font: bold 9pt sans-serif; color: #c00000; }\n", cssString(marking))
	}
	b.WriteString("  @bottom-right { content: \"Page \" counter(page) \" of \" counter(pages); font: 8pt sans-serif; color: #555; }\n}")
	return template.CSS(b.String())
}

// cssString quotes text as a CSS string: letters, digits, spaces and a few
// harmless marks as they are, anything else as a hexadecimal escape.
func cssString(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r < 0x80 && (r == ' ' || r == '-' || r == '.' || r == ',' || r == ':' || r == '(' || r == ')' ||
			('a' <= r && r <= 'z') || ('A' <= r && r <= 'Z') || ('0' <= r && r <= '9')):
			b.WriteRune(r)
		default:
			// The space ends the escape and is eaten with it, so a space
			// after the character is kept.
			fmt.Fprintf(&b, "\\%06x ", r)
		}
	}
	b.WriteByte('"')
	return b.String()
}

// fillRight pads Right so the template can index it for every column.
func fillRight(t *tbl) {
	for len(t.Right) < len(t.Header) {
		t.Right = append(t.Right, false)
	}
}

func writeTrendHTML(w io.Writer, t *Trend) error {
	tt := trendTable(t.Audits, t.Confidence)
	fillRight(tt)
	v := htmlView{Title: trendTitle, Marking: t.Marking, Page: pageRule(trendTitle, t.Marking),
		Lead:  &section{Title: "Audits", Intro: trendIntro(t), Table: tt},
		Trend: trendSVG(t.Audits, t.Confidence, t.Limit), Mix: mixSVG(t.Audits), Good: goodSVG(t.Audits),
		Names: "No one is named here: figures per audit only."}
	if bt := byTable(t); bt != nil {
		fillRight(bt)
		v.Sections = append(v.Sections, section{Title: "By " + t.By, Intro: byIntro(t), Table: bt})
	}
	if gt := goodTable(t.Audits); gt != nil {
		fillRight(gt)
		v.Sections = append(v.Sections, section{Title: "Good or better", Intro: goodIntro, Table: gt})
	}
	if len(t.Audits) == 0 {
		v.Lead.Table = nil
	}
	return htmlTmpl().Execute(w, v)
}

// unbroken is a sentence of free text (a note) as HTML, escaped, with each
// word that holds a hyphen and a digit — a case ID such as CR-0000892, a
// date — kept on one line: a browser otherwise breaks a line after the
// hyphen, and a case ID split over two lines is misread and cannot be
// searched for in the printed page.
func unbroken(s string) template.HTML {
	var b strings.Builder
	for i, w := range strings.Split(s, " ") {
		if i > 0 {
			b.WriteByte(' ')
		}
		if strings.Contains(w, "-") && strings.ContainsAny(w, "0123456789") {
			b.WriteString(`<span class="nb">`)
			b.WriteString(template.HTMLEscapeString(w))
			b.WriteString(`</span>`)
			continue
		}
		b.WriteString(template.HTMLEscapeString(w))
	}
	return template.HTML(b.String())
}
