package report

import (
	"fmt"
	"html/template"
	"io"
	"math"
	"strconv"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/profile"
)

// The profile as one self-contained, printable HTML page: inline CSS and
// inline SVG charts, no scripts, every piece of text escaped by
// html/template.

// svgShape is one element of a chart: a rect, a line or a text.
type svgShape struct {
	Kind           string // "rect", "line", "text"
	X, Y, W, H     string // rect; text position (X, Y)
	X1, Y1, X2, Y2 string // line
	Fill, Stroke   string
	Dash           bool
	Anchor         string // text-anchor
	Text           string
	Title          string // a tooltip (rect)
	Bold, Small    bool
	Rotate         bool // text turned to read upwards (a y-axis title)
}

// Class is a text's CSS classes.
func (s svgShape) Class() string {
	switch {
	case s.Bold && s.Small:
		return "bold small"
	case s.Bold:
		return "bold"
	case s.Small:
		return "small"
	}
	return ""
}

type svgChart struct {
	W, H    int
	Label   string // aria-label
	Caption string
	Shapes  []svgShape
}

func (c *svgChart) rect(x, y, w, h float64, fill, title string) {
	c.Shapes = append(c.Shapes, svgShape{Kind: "rect", X: f1(x), Y: f1(y), W: f1(math.Max(w, 0)), H: f1(math.Max(h, 0)), Fill: fill, Title: title})
}

func (c *svgChart) line(x1, y1, x2, y2 float64, stroke string, dash bool) {
	c.Shapes = append(c.Shapes, svgShape{Kind: "line", X1: f1(x1), Y1: f1(y1), X2: f1(x2), Y2: f1(y2), Stroke: stroke, Dash: dash})
}

func (c *svgChart) text(x, y float64, anchor, s string) *svgShape {
	c.Shapes = append(c.Shapes, svgShape{Kind: "text", X: f1(x), Y: f1(y), Anchor: anchor, Text: s})
	return &c.Shapes[len(c.Shapes)-1]
}

// Chart colours (as in the audit report: blue for the figure, red for what
// needs attention, green for on time, amber for overdue).
const (
	colBlue  = "#2c5d8f"
	colRed   = "#b2182b"
	colGreen = "#1b7837"
	colAmber = "#f1a340"
	colGrey  = "#bdbdbd"
)

// niceTop is the smallest of 1, 2, 2.5, 5 × 10^k at or above v (at least 1),
// with the step between five ticks.
func niceTop(v float64) (top, step float64) {
	if v <= 1 {
		return 1, 0.2
	}
	p := math.Pow(10, math.Floor(math.Log10(v)))
	for _, m := range []float64{1, 2, 2.5, 5, 10} {
		if m*p >= v {
			top = m * p
			break
		}
	}
	step = top / 5
	if step < 1 && v > 1 {
		// Whole numbers of workers: ticks at 1s.
		top, step = math.Ceil(v), 1
	}
	return top, step
}

// caseloadSVG draws the number of workers by caseload, bars above the
// target in red, with the target as a dashed line. More than 60 caseloads
// are drawn as the bands instead.
func caseloadSVG(c *profile.Caseload) *svgChart {
	if c == nil || c.Workers == 0 {
		return nil
	}
	type bar struct {
		label   string
		workers int
		above   bool
		title   string
	}
	var bars []bar
	lo, hi := max(1, c.Min-1), c.Max+1
	targetAt := -1.0 // bar index after which the target line goes
	if hi-lo+1 <= 60 {
		at := map[int]int{}
		for _, b := range c.ByCaseload {
			at[b.Caseload] = b.Workers
		}
		for v := lo; v <= hi; v++ {
			above := c.Target != nil && v > *c.Target
			bars = append(bars, bar{strconv.Itoa(v), at[v], above,
				fmt.Sprintf("%s %s: %s %s", thousands(v), words.Noun(v, "case", "cases"), thousands(at[v]), words.Noun(at[v], "worker", "workers"))})
			if c.Target != nil && v == *c.Target {
				targetAt = float64(len(bars))
			}
		}
		if c.Target != nil && *c.Target < lo {
			targetAt = 0
		}
		if c.Target != nil && *c.Target >= hi {
			targetAt = float64(len(bars))
		}
	} else {
		for _, b := range c.Bands {
			bars = append(bars, bar{b.Label, b.Workers, b.AboveTarget,
				fmt.Sprintf("%s cases: %s %s", b.Label, thousands(b.Workers), words.Noun(b.Workers, "worker", "workers"))})
			if c.Target != nil && b.To != nil && *b.To == *c.Target {
				targetAt = float64(len(bars))
			}
		}
	}
	most := 0
	for _, b := range bars {
		most = max(most, b.workers)
	}
	top, step := niceTop(float64(most))
	ch := &svgChart{W: 720, H: 300, Label: "Workers by caseload"}
	x0, x1, y0, yTop := 56.0, 704.0, 240.0, 24.0
	y := func(v float64) float64 { return y0 - v/top*(y0-yTop) }
	for v := 0.0; v <= top+1e-9; v += step {
		ch.line(x0, y(v), x1, y(v), "#e3e3e3", false)
		ch.text(x0-6, y(v)+4, "end", strconv.FormatFloat(v, 'f', -1, 64))
	}
	w := (x1 - x0) / float64(len(bars))
	every := 1
	if len(bars) > 24 {
		every = 5
	}
	for i, b := range bars {
		fill := colBlue
		if b.above {
			fill = colRed
		}
		x := x0 + w*float64(i)
		ch.rect(x+w*0.12, y(float64(b.workers)), w*0.76, y0-y(float64(b.workers)), fill, b.title)
		n, err := strconv.Atoi(b.label)
		if every == 1 || err != nil || n%every == 0 {
			ch.text(x+w/2, y0+16, "middle", b.label).Small = len(bars) > 12 && err != nil
		}
	}
	ch.line(x0, y0, x1, y0, "#888", false)
	if targetAt >= 0 {
		tx := x0 + w*targetAt
		ch.line(tx, yTop-8, tx, y0, "#333", true)
		ch.text(tx+4, yTop-10, "start", fmt.Sprintf("target %s", thousands(*c.Target))).Bold = true
	}
	ch.text((x0+x1)/2, y0+38, "middle", "Cases held by a worker")
	t := ch.text(16, (y0+yTop)/2, "middle", "Workers")
	t.Rotate = true
	ch.H = int(y0) + 50
	ch.Caption = "Workers by the number of cases they hold"
	if c.Target != nil {
		ch.Caption += fmt.Sprintf("; red: above the target of %s", thousands(*c.Target))
	}
	return ch
}

// changesSVG draws the share of cases by count, those at or above the
// threshold in red.
func changesSVG(c *profile.Changes) *svgChart {
	if c == nil || c.Counted == 0 {
		return nil
	}
	ch := &svgChart{W: 720, H: 270, Label: "Cases by " + c.Column}
	x0, x1, y0, yTop := 56.0, 704.0, 210.0, 20.0
	most := 0.0
	for _, v := range c.Distribution {
		most = math.Max(most, *v.Share)
	}
	top := math.Min(1, math.Max(0.1, math.Ceil(most*10)/10))
	y := func(v float64) float64 { return y0 - v/top*(y0-yTop) }
	for i := 0; i <= 5; i++ {
		v := top * float64(i) / 5
		ch.line(x0, y(v), x1, y(v), "#e3e3e3", false)
		ch.text(x0-6, y(v)+4, "end", pct(v, nearest))
	}
	w := (x1 - x0) / float64(len(c.Distribution))
	for i, v := range c.Distribution {
		fill := colBlue
		if v.Value >= c.AtLeast {
			fill = colRed
		}
		x := x0 + w*float64(i)
		ch.rect(x+w*0.2, y(*v.Share), w*0.6, y0-y(*v.Share), fill,
			fmt.Sprintf("%s: %s %s (%s)", v.Label, thousands(v.Cases), words.Noun(v.Cases, "case", "cases"), pct(*v.Share, nearest)))
		ch.text(x+w/2, y(*v.Share)-5, "middle", pct(*v.Share, nearest)).Small = true
		ch.text(x+w/2, y0+16, "middle", v.Label)
	}
	ch.line(x0, y0, x1, y0, "#888", false)
	ch.text((x0+x1)/2, y0+38, "middle", c.Column)
	ch.text(16, (y0+yTop)/2, "middle", "Share of cases").Rotate = true
	ch.H = int(y0) + 50
	ch.Caption = fmt.Sprintf("Share of the cases with a number by “%s”; red: %d or more", c.Column, c.AtLeast)
	return ch
}

// timelinessSVG draws each team's measured cases as a 100% bar: within,
// late, not done and overdue, not done and not yet due.
func timelinessSVG(teamColumn string, t profile.TimelinessResult) *svgChart {
	if t.Measured == 0 {
		return nil
	}
	type row struct {
		name string
		c    profile.TimelinessCounts
	}
	var rows []row
	for _, team := range t.ByTeam {
		if team.Measured > 0 {
			rows = append(rows, row{team.Team, team.TimelinessCounts})
		}
	}
	rows = append(rows, row{"All", t.TimelinessCounts})
	type seg struct {
		name string
		fill string
		n    func(profile.TimelinessCounts) int
	}
	segs := []seg{
		{"Within " + t.LimitText, colGreen, func(c profile.TimelinessCounts) int { return c.Within }},
		{"Late", colRed, func(c profile.TimelinessCounts) int { return c.Late }},
	}
	if t.AsOf != "" {
		segs = append(segs,
			seg{"Not done, past the limit", colAmber, func(c profile.TimelinessCounts) int { return c.Overdue }},
			seg{"Not done, not yet due", colGrey, func(c profile.TimelinessCounts) int { return c.NotDone - c.Overdue }})
	} else {
		segs = append(segs, seg{"Not done yet", colGrey, func(c profile.TimelinessCounts) int { return c.NotDone }})
	}
	ch := &svgChart{W: 720, Label: "Timeliness: " + t.Spec}
	x0, x1 := 200.0, 704.0
	yy := 8.0
	for i, r := range rows {
		if i > 0 && i == len(rows)-1 {
			yy += 6 // a gap before "All"
		}
		name := r.name
		if len([]rune(name)) > 30 {
			name = string([]rune(name)[:29]) + "…"
		}
		tx := ch.text(x0-8, yy+15, "end", name)
		tx.Bold = r.name == "All"
		x := x0
		for _, s := range segs {
			n := s.n(r.c)
			w := (x1 - x0) * float64(n) / float64(r.c.Measured)
			ch.rect(x, yy, w, 20, s.fill, fmt.Sprintf("%s, %s: %s of %s (%s)", r.name, s.name, thousands(n), thousands(r.c.Measured), shareOf(n, r.c.Measured)))
			if w >= 34 {
				lt := ch.text(x+w/2, yy+14, "middle", shareOf(n, r.c.Measured))
				lt.Small = true
				if s.fill != colGrey && s.fill != colAmber {
					lt.Fill = "#fff"
				}
			}
			x += w
		}
		yy += 28
	}
	yy += 6
	lx := 8.0
	for _, s := range segs {
		ch.rect(lx, yy, 12, 12, s.fill, "")
		ch.text(lx+16, yy+11, "start", s.name)
		lx += 34 + 6.4*float64(len([]rune(s.name)))
	}
	ch.H = int(yy) + 22
	by := ""
	if teamColumn != "" {
		by = " by " + teamColumn
	}
	ch.Caption = fmt.Sprintf("%s within %s%s: share of the measured cases", pairName(t), t.LimitText, by)
	return ch
}

type profileHTMLSection struct {
	section
	Lead  []string
	Chart *svgChart
}

type profileHTMLView struct {
	Title    string
	Marking  string
	Page     template.CSS // the @page rule: A4, the marking and page numbers in the margins
	Meta     []kv
	Sections []profileHTMLSection
}

func writeProfileHTML(w io.Writer, r *ProfileReport) error {
	v := profileHTMLView{Title: r.Title(), Marking: r.Marking, Page: pageRule(r.Title(), r.Marking), Meta: r.meta()}
	ti := 0
	for _, s := range r.sections() {
		hs := profileHTMLSection{section: s}
		switch {
		case s.Title == "Summary":
			for _, l := range s.Lines {
				hs.Lead = append(hs.Lead, l.V)
			}
			hs.Lines = nil
		case s.Title == "Caseload":
			hs.Chart = caseloadSVG(r.Caseload)
		case s.Title == "Changes of worker":
			hs.Chart = changesSVG(r.Changes)
		case ti < len(r.Timeliness) && s.Title == fmt.Sprintf("Timeliness: %s within %s", pairName(r.Timeliness[ti]), r.Timeliness[ti].LimitText):
			hs.Chart = timelinessSVG(r.TeamColumn, r.Timeliness[ti])
			hs.Intro = ""
			ti++
		}
		if hs.Table != nil {
			fillRight(hs.Table)
		}
		for _, m := range hs.More {
			if m.Table != nil {
				fillRight(m.Table)
			}
		}
		v.Sections = append(v.Sections, hs)
	}
	return profileTmpl.Execute(w, v)
}

var profileTmpl = template.Must(template.New("profile").Funcs(template.FuncMap{"cellClass": cellClass}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{if .Marking}}{{.Marking}}: {{end}}{{.Title}}</title>
<style>
` + baseCSS + `p.marking { font-weight: 700; color: #c00000; letter-spacing: .05em; margin: 0 0 .5rem; }
h2 { break-after: avoid; }
table { break-inside: avoid; }
ul.lead { font-size: 1.05rem; background: #f3f6fa; border-left: 4px solid #2c5d8f; padding: .6rem .9rem .6rem 2rem; }
ul.lead li { margin: .25rem 0; }
svg { max-width: 100%; height: auto; }
svg text.small { font-size: 10.5px; }
svg text.bold { font-weight: 600; }
svg rect { -webkit-print-color-adjust: exact; print-color-adjust: exact; }
@media print { body { margin: 0; max-width: none; } ul.lead { background: none; } }
{{.Page}}
</style>
</head>
<body>
{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}
<h1>{{.Title}}</h1>
<dl class="meta">{{range .Meta}}<dt>{{.K}}</dt><dd>{{.V}}</dd>{{end}}</dl>
{{range .Sections}}
<section>
<h2>{{.Title}}</h2>
{{if .Lead}}<ul class="lead">{{range .Lead}}<li>{{.}}</li>{{end}}</ul>{{end}}
{{if .Intro}}<p>{{.Intro}}</p>{{end}}
{{if eq .Title "Notes"}}<ul class="notes">{{range .Lines}}<li>{{.V}}</li>{{end}}</ul>{{else}}
{{if .Lines}}<table>{{range .Lines}}<tr><th scope="row">{{.K}}</th><td>{{.V}}</td></tr>{{end}}</table>{{end}}
{{with .Chart}}<figure>
<svg xmlns="http://www.w3.org/2000/svg" width="{{.W}}" height="{{.H}}" viewBox="0 0 {{.W}} {{.H}}" role="img" aria-label="{{.Label}}">
{{range .Shapes}}{{if eq .Kind "rect"}}<rect x="{{.X}}" y="{{.Y}}" width="{{.W}}" height="{{.H}}" fill="{{.Fill}}">{{if .Title}}<title>{{.Title}}</title>{{end}}</rect>
{{else if eq .Kind "line"}}<line x1="{{.X1}}" y1="{{.Y1}}" x2="{{.X2}}" y2="{{.Y2}}" stroke="{{.Stroke}}"{{if .Dash}} stroke-dasharray="5 4"{{end}}/>
{{else}}<text x="{{.X}}" y="{{.Y}}" text-anchor="{{.Anchor}}"{{if .Rotate}} transform="rotate(-90 {{.X}} {{.Y}})"{{end}}{{if .Fill}} style="fill: {{.Fill}}"{{end}}{{with .Class}} class="{{.}}"{{end}}>{{.Text}}</text>
{{end}}{{end}}</svg>
<figcaption>{{.Caption}}.</figcaption>
</figure>{{end}}
{{with .Table}}{{template "tbl" .}}{{end}}
{{range .More}}<h3>{{.Caption}}</h3>{{with .Table}}{{template "tbl" .}}{{end}}{{end}}
{{end}}
</section>
{{end}}
<footer>{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}<p><small>Made by caseaudit. Workers are counted, not named, unless asked for with --include-names.</small></p></footer>
</body>
</html>
{{define "tbl"}}<table>
<thead><tr>{{range $i, $h := .Header}}<th{{if index $.Right $i}} class="n"{{end}}>{{$h}}</th>{{end}}</tr></thead>
<tbody>{{range $r, $row := .Rows}}<tr>{{range $i, $c := $row}}<td{{with cellClass $ $r $i}} class="{{.}}"{{end}}>{{$c}}</td>{{end}}</tr>{{end}}</tbody>
</table>{{end}}
`))
