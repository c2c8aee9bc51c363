package report

import (
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/internal/xlsxprint"
	"github.com/xuri/excelize/v2"
)

// The views across audits (the pooled view and the auditors' calibration)
// as sections of the report and as pages of their own: an xlsx workbook
// and an HTML page, printed as the report is.

const (
	calibrationTitle = "Auditor calibration: agreement with the moderators"
	calibrationSheet = "Calibration"
	pooledSheet      = "Pooled"
)

func (p *Pooled) title() string {
	t := "Share needing immediate attention over several audits"
	if p.Period != "" {
		t += ": " + p.Period
	}
	return t
}

// pooledSection is the pooled view as a section: its sentence, why the
// audits were or were not pooled, and the audits with the total.
func pooledSection(p *Pooled) section {
	t := pooledTable(p)
	pop := "—"
	if p.Population != nil {
		pop = thousands(*p.Population)
	}
	share := pctPtr(p.Share, nearest)
	if p.Lower != nil && p.Upper != nil {
		share += " (" + ciText(p.Lower, p.Upper) + ")"
	}
	t.Rows = append(t.Rows, []string{p.Method.label(), p.Period, pop, thousands(p.Audited), thousands(p.Flagged), share, "", ""})
	return section{Title: "Immediate attention over the audits", Intro: strings.TrimSpace(p.Sentence + " " + p.Why), Table: t}
}

func (p *Pooled) sections() []section {
	out := []section{pooledSection(p)}
	if p.Calibration != nil && p.Calibration.Pairs > 0 {
		out = append(out, calibrationSection(p.Calibration))
	}
	return out
}

func (p *Pooled) meta() []kv {
	names := make([]string, len(p.Audits))
	for i, a := range p.Audits {
		names[i] = a.Audit
	}
	out := []kv{{"Audits", strings.Join(names, ", ")}}
	if p.Period != "" {
		out = append([]kv{{"Period", p.Period}}, out...)
	}
	if p.CIMethod != "" {
		out = append(out, kv{"Interval", fmt.Sprintf("%s, %s", confPct(p.Confidence), p.CIMethod)})
	}
	return out
}

// writeSectionsHTML writes a page of sections, the first one leading, as
// the report's HTML page (A4, the marking and page numbers on every page).
func writeSectionsHTML(w io.Writer, title, marking string, meta []kv, sections []section, names string) error {
	for i := range sections {
		if t := sections[i].Table; t != nil {
			fillRight(t)
		}
		for _, m := range sections[i].More {
			if m.Table != nil {
				fillRight(m.Table)
			}
		}
	}
	v := htmlView{Title: title, Marking: marking, Page: pageRule(title, marking), Meta: meta, Names: names}
	if len(sections) > 0 {
		v.Lead, v.Sections = &sections[0], sections[1:]
	}
	return htmlTmpl().Execute(w, v)
}

// calibrationSheet writes the calibration as a sheet: a title, what it
// shows (and which audits had no moderated case with both grades), one row per auditor (numbers
// as numbers) and a sentence each. Each column is as wide as its longest
// value and its header's longest word, so nothing is cut off when printed:
// "— (under 10)" in the Kappa column, a long name in the Auditor column.
func (x *xw) calibrationSheet(c *Calibration) {
	const s = calibrationSheet
	x.sheet(s)
	header := []string{"Auditor", "Moderated", "Same grade", "Same grade (share)", "Within one", "Within one (share)", "Kappa", "Higher", "Lower", "Sign test p", "Leans"}
	cells := make([][]string, len(header)) // each column's values as shown
	rows := make([][]any, len(c.Auditors))
	for i, a := range c.Auditors {
		kappa := kappaCell(a.Kappa, a.Pairs, true)
		shown, _ := kappa.(string)
		if a.Kappa != nil && a.Pairs >= KappaMinPairs {
			shown = fmt.Sprintf("%.3f", *a.Kappa)
		}
		rows[i] = []any{a.Auditor, a.Pairs, a.Exact, pctCell{ptr(a.ExactShare)}, a.WithinOne, pctCell{ptr(a.WithinShare)}, kappa,
			a.Higher, a.Lower, num3Cell(a.SignP), a.Leans}
		for j, v := range []string{a.Auditor, thousands(a.Pairs), thousands(a.Exact), pct(a.ExactShare, nearest), thousands(a.WithinOne),
			pct(a.WithinShare, nearest), shown, thousands(a.Higher), thousands(a.Lower), fmt.Sprintf("%.3f", a.SignP), a.Leans} {
			cells[j] = append(cells[j], v)
		}
	}
	ws := make([]float64, len(header))
	width := 0.0
	for j, h := range header {
		ws[j] = max(caseWidth(h, cells[j], 20), 10)
		if j == 0 { // a person's name, whole
			ws[j] = caseWidth(h, cells[j], 45)
		}
		width += ws[j]
	}
	// The intro and the sentences wrap across the table: at least as wide
	// as a page of text.
	for width < 100 {
		ws[0]++
		width++
	}
	x.widths(s, ws...)
	last, _ := excelize.ColumnNumberToName(len(header))
	x.title(s, 1, calibrationTitle)
	x.para(s, 2, calibrationIntro(c), last, width)
	x.header(s, 4, header...)
	x.rightHeads(s, 4, 2, 10)
	x.styleCell(s, 11, 4, x.boldGap)
	row := 5
	for i, r := range rows {
		x.row(s, row, r...)
		if _, text := r[6].(string); text {
			x.styleCell(s, 7, row, x.right)
		}
		if c.Auditors[i].Leans != "" {
			x.styleCell(s, 11, row, x.gap)
		}
		row++
	}
	row++
	for _, a := range c.Auditors {
		x.para(s, row, a.Sentence, last, width)
		row++
	}
	x.print(s, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$4:$4"})
}

// pooledSheet writes the pooled view as a sheet: the sentence, why, the
// audits and the total, and the interval's method.
func (x *xw) pooledSheet(p *Pooled) {
	const s = pooledSheet
	ws := []float64{22, 10, 11, 9, 9, 9, 9, 10, 10, 40}
	x.widths(s, ws...)
	width := 0.0
	for _, w := range ws {
		width += w
	}
	x.title(s, 1, p.title())
	x.para(s, 2, p.Sentence, "J", width)
	x.para(s, 3, p.Why, "J", width)
	conf := confPct(p.Confidence)
	x.header(s, 5, "Audit", "Period", "Population", "Sampled", "Audited", "Flagged", "Share", conf+" lower", conf+" upper", "Population definition")
	x.rightHeads(s, 5, 3, 9)
	x.styleCell(s, 10, 5, x.boldGap)
	row := 6
	// A row as tall as its population definition, wrapped in its column.
	text := func(row int, v string) {
		x.set(s, 10, row, v)
		x.styleCell(s, 10, row, x.wrapGap)
		if n := xlsxprint.Lines(v, ws[9]); n > 1 && x.err == nil {
			x.err = x.f.SetRowHeight(s, row, xlsxprint.RowHeight(n))
		}
	}
	sampled := 0
	for _, a := range p.Audits {
		var pop any
		if a.Population != nil {
			pop = *a.Population
		}
		x.row(s, row, a.Audit, a.Period, pop, a.Sampled, a.Audited, a.Flagged, pctCell{a.Share})
		def := a.Definition
		if a.Stratified {
			def += " (stratified)"
		}
		text(row, def)
		sampled += a.Sampled
		row++
	}
	var pop any
	if p.Population != nil {
		pop = *p.Population
	}
	x.row(s, row, p.Method.label(), p.Period, pop, sampled, p.Audited, p.Flagged, pctCell{p.Share}, lowCell{p.Lower}, highCell{p.Upper})
	if p.CIMethod != "" {
		x.para(s, row+2, "The interval: "+conf+", "+p.CIMethod+".", "J", width)
	}
	x.print(s, xlsxprint.Setup{Landscape: true, FitWide: 1, RepeatRows: "$5:$5"})
}

// writePooledXLSX writes the pooled view, and the calibration of its
// audits when any case was moderated, as a workbook.
func writePooledXLSX(w io.Writer, p *Pooled) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.pageTitle, x.mark = p.title(), p.Marking
	if err := x.f.SetSheetName("Sheet1", pooledSheet); err != nil {
		return err
	}
	x.pooledSheet(p)
	if p.Calibration != nil && p.Calibration.Pairs > 0 {
		x.calibrationSheet(p.Calibration)
	}
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	x.f.SetActiveSheet(0)
	_, err = x.f.WriteTo(w)
	return err
}

// writeCalibrationXLSX writes the calibration as a workbook of one sheet.
func writeCalibrationXLSX(w io.Writer, c *Calibration) error {
	x, err := newXW()
	if err != nil {
		return err
	}
	defer x.f.Close()
	x.pageTitle, x.mark = calibrationTitle, c.Marking
	x.calibrationSheet(c)
	if x.err != nil {
		return fmt.Errorf("building the workbook: %w", x.err)
	}
	if err := x.f.DeleteSheet("Sheet1"); err != nil {
		return err
	}
	x.f.SetActiveSheet(0)
	_, err = x.f.WriteTo(w)
	return err
}

const viewNames = "Auditors and moderators are named; no child is: figures per audit and per auditor only."
