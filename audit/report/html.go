package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"
	"strings"
)

// The HTML report is one self-contained file: inline CSS, inline SVG
// charts, no scripts, no external assets. html/template escapes every piece
// of text from the store.

type htmlView struct {
	Title    string
	Meta     []kv
	Sentence string
	Sections []section
	Trend    *svgTrend
	Mix      *svgMix
}

type svgTrend struct {
	W, H     int
	Points   []svgPoint
	Line     string // polyline points
	Ticks    []svgTick
	Caption  string
	X0, X1   int
	Y0, YTop int
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
// bar, oldest first.
func trendSVG(ps []TrendPoint, conf float64) *svgTrend {
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
	return s
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

// cellClass is the class of a table cell: "n" for a numeric column, plus
// the heat-map band when the table has one.
func cellClass(t *tbl, row, col int) string {
	var c []string
	if col < len(t.Right) && t.Right[col] {
		c = append(c, "n")
	}
	if row < len(t.Heat) && col < len(t.Heat[row]) && t.Heat[row][col] != "" {
		c = append(c, "heat-"+t.Heat[row][col])
	}
	return strings.Join(c, " ")
}

var htmlTmpl = template.Must(template.New("report").Funcs(template.FuncMap{"cellClass": cellClass}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
body { font-family: system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; max-width: 60rem; margin: 2rem auto; padding: 0 1rem; color: #1a1a1a; line-height: 1.45; }
h1 { font-size: 1.6rem; margin-bottom: .3rem; }
h2 { font-size: 1.2rem; margin-top: 2rem; border-bottom: 1px solid #ccc; padding-bottom: .2rem; break-after: avoid; }
h3 { font-size: 1rem; }
p.lead { font-size: 1.15rem; background: #f3f6fa; border-left: 4px solid #2c5d8f; padding: .6rem .9rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; font-size: .92rem; break-inside: avoid; }
th, td { border: 1px solid #d0d0d0; padding: .25rem .55rem; text-align: left; vertical-align: top; }
th { background: #f0f0f0; }
td.n, th.n { text-align: right; font-variant-numeric: tabular-nums; }
dl.meta { display: grid; grid-template-columns: max-content auto; gap: .1rem 1rem; font-size: .9rem; color: #444; }
dl.meta dt { font-weight: 600; }
dl.meta dd { margin: 0; }
figure { margin: 1rem 0; break-inside: avoid; }
figcaption { font-size: .9rem; color: #444; }
svg text { font-family: inherit; font-size: 12px; fill: #333; }
ul.notes li { margin-bottom: .3rem; }
td.heat-red, .swatch.heat-red { background: #f4c7c3; }
td.heat-amber, .swatch.heat-amber { background: #fce8b2; }
td.heat-green, .swatch.heat-green { background: #b7e1cd; }
td[class*="heat-"], .swatch { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
.swatch { display: inline-block; width: .9em; height: .9em; border: 1px solid #999; vertical-align: -.1em; margin: 0 .25em 0 .6em; }
p.legend { font-size: .88rem; color: #444; }
@media print { body { margin: 0; max-width: none; } p.lead { background: none; } }
</style>
</head>
<body>
<h1>{{.Title}}</h1>
<dl class="meta">{{range .Meta}}<dt>{{.K}}</dt><dd>{{.V}}</dd>{{end}}</dl>
{{range .Sections}}
<section>
<h2>{{.Title}}</h2>
{{if .Intro}}<p{{if eq .Title "Immediate attention"}} class="lead"{{end}}>{{.Intro}}</p>{{end}}
{{if eq .Title "Notes"}}<ul class="notes">{{range .Lines}}<li>{{.V}}</li>{{end}}</ul>{{else}}
{{if .Lines}}<table>{{range .Lines}}<tr><th scope="row">{{.K}}</th><td>{{.V}}</td></tr>{{end}}</table>{{end}}
{{with .Table}}{{template "tbl" .}}{{end}}
{{range .More}}<h3>{{.Caption}}</h3>{{with .Table}}{{template "tbl" .}}{{end}}{{if .Note}}<p class="legend">{{if .Table}}{{if .Table.Heat}}<span class="swatch heat-red"></span>below 50% <span class="swatch heat-amber"></span>50% to under 75% <span class="swatch heat-green"></span>75% or more. {{end}}{{end}}{{.Note}}</p>{{end}}{{end}}
{{end}}
</section>
{{end}}
{{if or .Trend .Mix}}<section>
<h2>Charts</h2>
{{with .Trend}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Caption}}">
{{range .Ticks}}<line x1="55" x2="620" y1="{{.Y}}" y2="{{.Y}}" stroke="#e3e3e3"/><text x="50" y="{{.Y}}" text-anchor="end" dominant-baseline="middle">{{.Label}}</text>
{{end}}<line x1="{{.X0}}" x2="{{.X1}}" y1="{{.Y0}}" y2="{{.Y0}}" stroke="#888"/>
<polyline points="{{.Line}}" fill="none" stroke="#2c5d8f" stroke-width="2"/>
{{range .Points}}<g><title>{{.Value}}</title><line x1="{{.X}}" x2="{{.X}}" y1="{{.YLo}}" y2="{{.YHi}}" stroke="#2c5d8f" stroke-width="1.5"/><line x1="{{.CapL}}" x2="{{.CapR}}" y1="{{.YHi}}" y2="{{.YHi}}" stroke="#2c5d8f"/><line x1="{{.CapL}}" x2="{{.CapR}}" y1="{{.YLo}}" y2="{{.YLo}}" stroke="#2c5d8f"/><circle cx="{{.X}}" cy="{{.Y}}" r="4" fill="#2c5d8f"/><text x="{{.X}}" y="{{.LabelY}}" text-anchor="middle">{{.Label}}</text></g>
{{end}}</svg>
<figcaption>{{.Caption}}.</figcaption>
</figure>{{end}}
{{with .Mix}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="Grade mix by audit">
{{range .Rows}}<text x="150" y="{{.TextY}}" text-anchor="end">{{.Label}}</text>{{$y := .Y}}{{range .Bars}}<rect x="{{.X}}" y="{{$y}}" width="{{.W}}" height="20" fill="{{.Fill}}"><title>{{.Title}}</title></rect>{{end}}
{{end}}{{$ly := .LegendY}}{{$lt := .LegendTextY}}{{range .Legend}}<rect x="{{.X}}" y="{{$ly}}" width="12" height="12" fill="{{.Fill}}"/><text x="{{.TextX}}" y="{{$lt}}">{{.Label}}</text>
{{end}}</svg>
<figcaption>Grade mix of the audited cases, audit by audit.</figcaption>
</figure>{{end}}
</section>{{end}}
<footer><p><small>Made by caseaudit. Case IDs only; no names unless asked for.</small></p></footer>
</body>
</html>
{{define "tbl"}}<table>
<thead><tr>{{range $i, $h := .Header}}<th{{if index $.Right $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range $r, $row := .Rows}}<tr>{{range $i, $c := $row}}<td{{with cellClass $ $r $i}} class="{{.}}"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody>
</table>{{end}}
`))

// WriteHTML writes the report as one self-contained, printable HTML page
// with inline SVG charts (the trend of the share flagged and the grade mix).
func WriteHTML(w io.Writer, r *Report) error {
	v := htmlView{Title: r.title(), Meta: r.meta(), Sections: r.sections(), Trend: trendSVG(r.Trend, r.opts.Confidence), Mix: mixSVG(r.Trend)}
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
	return htmlTmpl.Execute(w, v)
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
	v := htmlView{Title: "Share of cases needing immediate attention, audit by audit",
		Sections: []section{{Title: "Audits", Intro: trendIntro(t), Table: tt}},
		Trend:    trendSVG(t.Audits, t.Confidence), Mix: mixSVG(t.Audits)}
	if len(t.Audits) == 0 {
		v.Sections[0].Table = nil
	}
	return htmlTmpl.Execute(w, v)
}
