package report

import (
	"bufio"
	"fmt"
	"html/template"
	"io"
	"maps"
	"math"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// CaseDocument is a case look-up laid out for people: on a terminal, or as
// a marked document for a subject access response (xlsx or HTML, printed
// on A4).
type CaseDocument struct {
	Record *audit.CaseRecord
	// Marking is the protective marking printed at the top and foot of
	// the document and of every printed page.
	Marking string
	Title   string
	Made    time.Time // when the document was made (UTC)
}

// NewCaseDocument lays out a look-up. The marking is marking when given,
// else the markings recorded with the audits that hold the case.
func NewCaseDocument(r *audit.CaseRecord, marking string, now time.Time) *CaseDocument {
	if marking == "" {
		var ms []string
		for _, a := range r.Audits {
			if a.Marking != "" && !slices.Contains(ms, a.Marking) {
				ms = append(ms, a.Marking)
			}
		}
		marking = strings.Join(ms, " / ")
	}
	return &CaseDocument{Record: r, Marking: marking, Title: "Case " + r.Case + ": what the audit store holds", Made: now.UTC()}
}

// Lead says what the document is, in a few sentences.
func (d *CaseDocument) Lead() []string {
	r := d.Record
	out := []string{fmt.Sprintf("Everything the audit store %s holds about case %s: %s, %s.", r.Store, r.Case,
		plural(len(r.Audits), "1 audit", thousands(len(r.Audits))+" audits"), plural(r.Entries(), "1 trail entry", thousands(r.Entries())+" trail entries"))}
	if r.Asked != "" {
		out = append(out, fmt.Sprintf("Asked for as %q, matched ignoring letter case.", r.Asked))
	}
	if r.Withheld > 0 {
		out = append(out, fmt.Sprintf("%s this case where it is not yours: an auditor looks up only her own cases; QA or information governance sees them all.",
			plural(r.Withheld, "1 more audit holds", thousands(r.Withheld)+" more audits hold")))
	}
	if n := audit.RetiredNote(r.Retired); n != "" {
		out = append(out, strings.ToUpper(n[:1])+n[1:]+".")
	}
	out = append(out, "Each item names its audit and trail entry: caseaudit history AUDIT "+r.Case+" shows the entries with their hashes, and caseaudit verify AUDIT checks them.")
	return out
}

// NamesNote says precisely whom the document names.
func (d *CaseDocument) NamesNote() string {
	s := "Free text (notes, reasons, responses, answers) is shown as written, or as [redacted on DATE] where it was erased; it may name people. "
	if d.Record.Names {
		return s + "Members of staff are named as the store holds them, and the sample's columns of personal details are shown (--include-names)."
	}
	return s + "Members of staff are shown by their initials (--include-names names them as the store holds them), and the sample's columns of personal details are withheld."
}

// Header is the entries table's header.
var caseHeader = []string{"Audit", "Entry", "When (UTC)", "What", "By", "Entered by", "Note", "Reason", "Details"}

// Rows are the entries table: one row per trail entry, audit by audit.
func (d *CaseDocument) Rows() [][]string {
	var out [][]string
	for _, a := range d.Record.Audits {
		for _, e := range a.Entries {
			out = append(out, []string{a.Audit, fmt.Sprint(e.Seq), when(e.At), e.Summary, e.By, e.EnteredBy, e.Note, e.Reason, details(e)})
		}
	}
	return out
}

// when is a stored time as the document shows it.
func when(at string) string {
	t, err := time.Parse(time.RFC3339, at)
	if err != nil {
		return at
	}
	return t.UTC().Format("2006-01-02 15:04:05")
}

// details are what an entry holds beyond its summary, note and reason.
func details(e audit.CaseEntry) string {
	var ds []string
	if e.Date != "" {
		ds = append(ds, "date audited "+e.Date)
	}
	for _, k := range slices.Sorted(maps.Keys(e.Answers)) {
		ds = append(ds, k+": "+e.Answers[k])
	}
	if len(e.RedactedFields) > 0 {
		ds = append(ds, "fields erased: "+strings.Join(e.RedactedFields, ", "))
	}
	return strings.Join(ds, "; ")
}

// sampled describes how the audit holds the case.
func sampled(a audit.CaseAudit) [][2]string {
	s := a.Sampled
	out := [][2]string{
		{"Period", a.Period},
		{"Seed", a.Seed},
		{"Export", a.Export},
		{"Export SHA-256", a.ExportSHA256},
	}
	if a.Sheet != "" {
		out = append(out, [2]string{"Sheet", a.Sheet})
	}
	out = append(out, [2]string{"Case in the sample", thousands(s.Order)}, [2]string{"Row in the export", thousands(s.Row)},
		[2]string{"Ticket", s.Ticket})
	if s.Stratum != "" {
		out = append(out, [2]string{"Stratum", s.Stratum})
	}
	for _, f := range s.Fields {
		v := f.Value
		if f.Withheld {
			v = "(withheld: personal details; --include-names shows them)"
		}
		out = append(out, [2]string{f.Column, v})
	}
	return out
}

// WriteText writes the document for a terminal: audit by audit, each entry
// with its number, time, who, what and its free text.
func (d *CaseDocument) WriteText(w io.Writer) error {
	bw := bufio.NewWriter(w)
	if d.Marking != "" {
		fmt.Fprintf(bw, "%s\n\n", d.Marking)
	}
	for _, l := range d.Lead() {
		fmt.Fprintln(bw, l)
	}
	for _, a := range d.Record.Audits {
		fmt.Fprintf(bw, "\nAudit %q\n", a.Audit)
		for _, kv := range sampled(a) {
			fmt.Fprintf(bw, "  %-20s %s\n", kv[0]+":", kv[1])
		}
		for _, e := range a.Entries {
			who := e.By
			if e.EnteredBy != "" && e.EnteredBy != e.By {
				who += " (entered by " + e.EnteredBy + ")"
			}
			fmt.Fprintf(bw, "  entry %-4d %s  %s", e.Seq, when(e.At), e.Summary)
			if who != "" {
				fmt.Fprintf(bw, "; by %s", who)
			}
			fmt.Fprintln(bw)
			for _, kv := range [][2]string{{"note", e.Note}, {"reason", e.Reason}, {"details", details(e)}} {
				if kv[1] != "" {
					fmt.Fprintf(bw, "             %s: %s\n", kv[0], strings.Join(strings.Fields(kv[1]), " "))
				}
			}
		}
	}
	fmt.Fprintf(bw, "\n%s\n", d.NamesNote())
	if d.Marking != "" {
		fmt.Fprintf(bw, "\n%s\n", d.Marking)
	}
	return bw.Flush()
}

// WriteXLSX writes the document as a workbook for print: a Summary sheet
// (what the document is, and how each audit holds the case) and an
// Entries sheet (one row per trail entry), every cell text, A4, one page
// wide, the marking in every page's header and footer.
func (d *CaseDocument) WriteXLSX(w io.Writer) error {
	f := excelize.NewFile()
	defer f.Close()
	const summary, entries = "Summary", "Entries"
	if err := f.SetSheetName("Sheet1", summary); err != nil {
		return err
	}
	if err := d.summarySheet(f, summary); err != nil {
		return err
	}
	if _, err := f.NewSheet(entries); err != nil {
		return err
	}
	wide := func(h string) bool { return h == "What" || h == "Note" || h == "Reason" || h == "Details" }
	if err := printTable(f, entries, caseHeader, d.Rows(), wide); err != nil {
		return err
	}
	if err := xlsxprint.Apply(f, summary, xlsxprint.Setup{FitWide: 1, Marking: d.Marking, Title: d.Title}); err != nil {
		return err
	}
	if err := xlsxprint.Apply(f, entries, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$1:$1", Marking: d.Marking, Title: d.Title}); err != nil {
		return err
	}
	_, err := f.WriteTo(w)
	return err
}

// summarySheet writes the Summary sheet: the marking, the title, the lead,
// each audit's record of the case, the names note and the marking again.
func (d *CaseDocument) summarySheet(f *excelize.File, sheet string) error {
	mark, err := f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 0, "C00000")})
	if err != nil {
		return err
	}
	title, err := f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 14, "")})
	if err != nil {
		return err
	}
	head, err := f.NewStyle(&excelize.Style{Font: xlsxprint.Font(true, 12, "")})
	if err != nil {
		return err
	}
	wrap, err := f.NewStyle(&excelize.Style{NumFmt: 49, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	label, err := f.NewStyle(&excelize.Style{NumFmt: 49, Font: xlsxprint.Font(true, 0, ""), Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	const labelW, valueW = 22.0, 78.0
	row := 0
	put := func(style int, a, b string) error {
		row++
		ca, _ := excelize.CoordinatesToCellName(1, row)
		if err := f.SetCellStr(sheet, ca, a); err != nil {
			return err
		}
		if err := f.SetCellStyle(sheet, ca, ca, style); err != nil {
			return err
		}
		lines := xlsxprint.Lines(a, labelW)
		if b == "" {
			if a != "" && style == wrap {
				// Prose spans both columns.
				cb, _ := excelize.CoordinatesToCellName(2, row)
				if err := f.MergeCell(sheet, ca, cb); err != nil {
					return err
				}
				lines = xlsxprint.Lines(a, labelW+valueW)
			}
		} else {
			cb, _ := excelize.CoordinatesToCellName(2, row)
			if err := f.SetCellStr(sheet, cb, b); err != nil {
				return err
			}
			if err := f.SetCellStyle(sheet, cb, cb, wrap); err != nil {
				return err
			}
			lines = max(lines, xlsxprint.Lines(b, valueW))
		}
		return f.SetRowHeight(sheet, row, xlsxprint.RowHeight(lines))
	}
	var steps []func() error
	add := func(style int, a, b string) { steps = append(steps, func() error { return put(style, a, b) }) }
	if d.Marking != "" {
		add(mark, d.Marking, "")
	}
	add(title, d.Title, "")
	for _, l := range d.Lead() {
		add(wrap, l, "")
	}
	add(label, "Made", d.Made.Format("2006-01-02 15:04 UTC"))
	for _, a := range d.Record.Audits {
		add(wrap, "", "")
		add(head, "Audit "+a.Audit, "")
		for _, kv := range sampled(a) {
			add(label, kv[0], kv[1])
		}
		add(label, "Trail entries", fmt.Sprintf("%s (the Entries sheet)", thousands(len(a.Entries))))
	}
	add(wrap, "", "")
	add(wrap, d.NamesNote(), "")
	if d.Marking != "" {
		add(mark, d.Marking, "")
	}
	for _, s := range steps {
		if err := s(); err != nil {
			return err
		}
	}
	if err := f.SetColWidth(sheet, "A", "A", labelW); err != nil {
		return err
	}
	return f.SetColWidth(sheet, "B", "B", valueW)
}

// caseHTMLView is what the page template reads.
type caseHTMLView struct {
	*CaseDocument
	Page   template.CSS
	Header []string
	Audits []caseHTMLAudit
}

type caseHTMLAudit struct {
	Name    string
	Sampled [][2]string
	Rows    [][]string
}

// WriteHTML writes the document as one self-contained, printable HTML page:
// A4, the marking at the top and foot of the page and of every printed
// page, "Page n of m", every piece of text escaped.
func (d *CaseDocument) WriteHTML(w io.Writer) error {
	v := caseHTMLView{CaseDocument: d, Page: pageRule(d.Title, d.Marking), Header: caseHeader[1:]}
	for _, a := range d.Record.Audits {
		ha := caseHTMLAudit{Name: a.Audit, Sampled: sampled(a)}
		for _, e := range a.Entries {
			ha.Rows = append(ha.Rows, []string{fmt.Sprint(e.Seq), when(e.At), e.Summary, e.By, e.EnteredBy, e.Note, e.Reason, details(e)})
		}
		v.Audits = append(v.Audits, ha)
	}
	return caseTmpl().Execute(w, v)
}

// caseTmpl is parsed on first use (see htmlTmpl).
var caseTmpl = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("case").Funcs(template.FuncMap{"stamp": htmlStamp}).Parse(`<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{{.Title}}</title>
<style>
` + baseCSS + `p.marking { font-weight: 700; color: #c00000; letter-spacing: .05em; margin: 0 0 .5rem; }
h2 { break-after: avoid; }
table.kv { width: 100%; }
table.kv th { width: 10rem; }
table.kv td { overflow-wrap: anywhere; }
table.entries { width: 100%; font-size: .8rem; }
table.entries td, table.entries th { padding: .2rem .35rem; }
table.entries td.text { overflow-wrap: anywhere; }
span.nw { white-space: nowrap; }
table.entries td.n { text-align: right; white-space: nowrap; }
@media print { body { margin: 0; max-width: none; } }
{{.Page}}
</style>
</head>
<body>
{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}
<h1>{{.Title}}</h1>
{{range .Lead}}<p>{{.}}</p>{{end}}
<dl class="meta"><dt>Made</dt><dd>{{.Made.Format "2006-01-02 15:04 UTC"}}</dd>{{if .Marking}}<dt>Marking</dt><dd>{{.Marking}}</dd>{{end}}</dl>
{{range .Audits}}
<section>
<h2>Audit {{.Name}}</h2>
<table class="kv">{{range .Sampled}}<tr><th scope="row">{{index . 0}}</th><td>{{index . 1}}</td></tr>{{end}}</table>
<table class="entries">
<thead><tr>{{range $.Header}}<th>{{.}}</th>{{end}}</tr></thead>
<tbody>{{range .Rows}}<tr>{{range $i, $c := .}}{{if eq $i 1}}<td>{{stamp $c}}</td>{{else}}<td{{if eq $i 0}} class="n"{{else if ge $i 5}} class="text"{{end}}>{{$c}}</td>{{end}}{{end}}</tr>{{end}}</tbody>
</table>
</section>
{{end}}
<footer>{{if .Marking}}<p class="marking">{{.Marking}}</p>{{end}}<p><small>Made by caseaudit. {{.NamesNote}}</small></p></footer>
</body>
</html>
`))
})

// htmlStamp lets a narrow column break a time stamp between its date and
// its time, never inside the date at a hyphen.
func htmlStamp(s string) template.HTML {
	var b strings.Builder
	for i, part := range strings.Fields(s) {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(`<span class="nw">`)
		b.WriteString(template.HTMLEscapeString(part))
		b.WriteString(`</span>`)
	}
	return template.HTML(b.String())
}

// printTable writes a table of text to a sheet for print: every cell stored
// as text, a grey bold header row frozen at the top, columns as wide as
// their longest word or value (up to 24, or 48 for the columns wide names,
// which wrap), each row as tall as its tallest cell.
func printTable(f *excelize.File, sheet string, header []string, body [][]string, wide func(string) bool) error {
	grid := []excelize.Border{{Type: "left", Color: "BFBFBF", Style: 1}, {Type: "right", Color: "BFBFBF", Style: 1},
		{Type: "top", Color: "BFBFBF", Style: 1}, {Type: "bottom", Color: "BFBFBF", Style: 1}}
	text, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: grid, Alignment: &excelize.Alignment{Vertical: "top", WrapText: true}})
	if err != nil {
		return err
	}
	bold, err := f.NewStyle(&excelize.Style{NumFmt: 49, Border: grid, Font: xlsxprint.Font(true, 0, ""),
		Fill:      excelize.Fill{Type: "pattern", Pattern: 1, Color: []string{"EDEDED"}},
		Alignment: &excelize.Alignment{Vertical: "bottom", WrapText: true}})
	if err != nil {
		return err
	}
	rows := append([][]string{header}, body...)
	widths := make([]float64, len(header))
	for j, h := range header {
		limit := 24.0
		if wide(h) {
			limit = 48
		}
		w := 0.0
		for _, word := range strings.Fields(h) {
			w = max(w, xlsxprint.BoldWidth(word))
		}
		for _, row := range rows[1:] {
			w = max(w, xlsxprint.Width(row[j]))
		}
		widths[j] = math.Ceil(min(w+1.5, limit))
	}
	for i, row := range rows {
		lines := 1
		for j, v := range row {
			cell, _ := excelize.CoordinatesToCellName(j+1, i+1)
			if err := f.SetCellStr(sheet, cell, v); err != nil {
				return err
			}
			if i == 0 {
				lines = max(lines, xlsxprint.BoldLines(v, widths[j]))
			} else {
				lines = max(lines, xlsxprint.Lines(v, widths[j]))
			}
		}
		if err := f.SetRowHeight(sheet, i+1, xlsxprint.RowHeight(lines)); err != nil {
			return err
		}
	}
	last, _ := excelize.CoordinatesToCellName(len(header), len(rows))
	if err := f.SetCellStyle(sheet, "A1", last, text); err != nil {
		return err
	}
	lastHead, _ := excelize.CoordinatesToCellName(len(header), 1)
	if err := f.SetCellStyle(sheet, "A1", lastHead, bold); err != nil {
		return err
	}
	for j, w := range widths {
		c, _ := excelize.ColumnNumberToName(j + 1)
		if err := f.SetColWidth(sheet, c, c, w); err != nil {
			return err
		}
	}
	return f.SetPanes(sheet, &excelize.Panes{Freeze: true, YSplit: 1, TopLeftCell: "A2", ActivePane: "bottomLeft"})
}
