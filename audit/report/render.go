package report

import (
	"bufio"
	"encoding/csv"
	"fmt"
	"io"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/internal/jsonout"
)

// Format is an output format.
type Format string

// The output formats.
const (
	Table    Format = "table"
	Markdown Format = "markdown"
	CSV      Format = "csv"
	JSON     Format = "json"
	XLSX     Format = "xlsx"
	HTML     Format = "html"
)

// Formats lists every format, for help and errors.
var Formats = []Format{Table, Markdown, CSV, JSON, XLSX, HTML}

// ParseFormat reads a format name ("md" and "htm" are accepted too).
func ParseFormat(s string) (Format, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "table", "text", "txt":
		return Table, nil
	case "markdown", "md":
		return Markdown, nil
	case "csv":
		return CSV, nil
	case "json":
		return JSON, nil
	case "xlsx", "excel":
		return XLSX, nil
	case "html", "htm":
		return HTML, nil
	}
	return "", fmt.Errorf("format %q: use table, markdown, csv, json, xlsx or html", s)
}

// FormatForPath infers the format from a file name's extension; ok is false
// for an extension it does not know.
func FormatForPath(path string) (Format, bool) {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".txt":
		return Table, true
	case ".md", ".markdown":
		return Markdown, true
	case ".csv":
		return CSV, true
	case ".json":
		return JSON, true
	case ".xlsx":
		return XLSX, true
	case ".html", ".htm":
		return HTML, true
	}
	return "", false
}

// Binary reports whether a format is not text (it should not go to a terminal).
func (f Format) Binary() bool { return f == XLSX }

// RenderOptions say how to render.
type RenderOptions struct {
	// Color marks headings for emphasis in the table format (textsafe.Bold
	// and Plain, which the terminal's writer turns into escape sequences).
	// Text for a terminal is made inert by that writer, not here.
	Color bool
	// Cases makes the CSV format one row per sampled case instead of the
	// figures.
	Cases bool
}

// Render writes the report in the given format.
func Render(w io.Writer, r *Report, f Format, o RenderOptions) error {
	switch f {
	case Table:
		if r.Marking == "" {
			return WriteTable(w, r, o.Color)
		}
		return withMarking(w, r.Marking, "", func(w io.Writer) error { return WriteTable(w, r, o.Color) })
	case Markdown:
		if r.Marking == "" {
			return WriteMarkdown(w, r)
		}
		return withMarking(w, "**"+mdEscape(r.Marking)+"**", "\n", func(w io.Writer) error { return WriteMarkdown(w, r) })
	case CSV:
		if o.Cases {
			return WriteCasesCSV(w, r)
		}
		return WriteCSV(w, r)
	case JSON:
		return WriteJSON(w, r)
	case XLSX:
		return WriteXLSX(w, r)
	case HTML:
		return WriteHTML(w, r)
	}
	return fmt.Errorf("format %q: use table, markdown, csv, json, xlsx or html", f)
}

// WriteJSON writes the report as one indented JSON object (Schema).
func WriteJSON(w io.Writer, r *Report) error {
	return jsonout.Write(w, Schema, r)
}

// WriteTrendJSON writes the trend as one indented JSON object (TrendSchema).
func WriteTrendJSON(w io.Writer, t *Trend) error {
	return jsonout.Write(w, TrendSchema, t)
}

// withMarking writes the protective marking on a line of its own above and
// below what write writes (sep after the first line and before the last).
func withMarking(w io.Writer, line, sep string, write func(io.Writer) error) error {
	if _, err := io.WriteString(w, line+"\n"+sep); err != nil {
		return err
	}
	if err := write(w); err != nil {
		return err
	}
	_, err := io.WriteString(w, sep+line+"\n")
	return err
}

// RenderTrend writes the trend in the given format.
func RenderTrend(w io.Writer, t *Trend, f Format, o RenderOptions) error {
	switch f {
	case Table:
		return writeTrendTable(w, t, o.Color)
	case Markdown:
		bw := bufio.NewWriter(w)
		if t.Marking != "" {
			fmt.Fprintf(bw, "**%s**\n\n", mdEscape(t.Marking))
		}
		fmt.Fprintf(bw, "# %s\n\n%s\n\n", trendTitle, mdEscape(trendIntro(t)))
		if len(t.Audits) > 0 {
			mdTable(bw, trendTable(t.Audits, t.Confidence))
		}
		if bt := byTable(t); bt != nil {
			fmt.Fprintf(bw, "\n## By %s\n\n%s\n\n", mdEscape(t.By), mdEscape(byIntro(t)))
			mdTable(bw, bt)
		}
		if gt := goodTable(t.Audits); gt != nil {
			fmt.Fprintf(bw, "\n## Good or better\n\n%s\n\n", mdEscape(goodIntro))
			mdTable(bw, gt)
		}
		if t.Marking != "" {
			fmt.Fprintf(bw, "\n**%s**\n", mdEscape(t.Marking))
		}
		return bw.Flush()
	case CSV:
		if t.By != "" {
			return writeTrendByCSV(w, t)
		}
		return writeTrendCSV(w, t)
	case JSON:
		return WriteTrendJSON(w, t)
	case XLSX:
		return writeTrendXLSX(w, t)
	case HTML:
		return writeTrendHTML(w, t)
	}
	return fmt.Errorf("format %q: use table, markdown, csv, json, xlsx or html", f)
}

// RenderCalibration writes the calibration as table, markdown, csv, json,
// xlsx or html.
func RenderCalibration(w io.Writer, c *Calibration, f Format) error {
	switch f {
	case XLSX:
		return writeCalibrationXLSX(w, c)
	case HTML:
		// The page's heading names it; its one section needs no heading
		// of its own repeating it.
		s := calibrationSection(c)
		s.Title = ""
		return writeSectionsHTML(w, calibrationTitle, c.Marking, calibrationMeta(c), []section{s}, viewNames)
	}
	return renderView(w, f, c.Marking, "calibration", CalibrationSchema, c, func(bw *bufio.Writer, md bool) {
		writeCalibrationText(bw, c, md)
	}, func(cc markedCSV) {
		cc.head("auditor", "pairs", "exact", "within_one", "exact_share", "within_one_share", "kappa", "higher", "lower", "sign_test_p", "leans")
		for _, a := range c.Auditors {
			cc.row(a.Auditor, inum(a.Pairs), inum(a.Exact), inum(a.WithinOne), fnum(a.ExactShare), fnum(a.WithinShare), fptr(a.Kappa),
				inum(a.Higher), inum(a.Lower), fnum(a.SignP), a.Leans)
		}
	})
}

// renderView writes a view across audits: table or markdown (what text
// writes, the marking above and below), csv (what rows writes, the marking
// its first column) or json (v); name says what it is in an error.
func renderView(w io.Writer, f Format, marking, name, schemaID string, v any, text func(bw *bufio.Writer, md bool), rows func(c markedCSV)) error {
	bw := bufio.NewWriter(w)
	switch f {
	case Table, Markdown:
		line := marking
		if f == Markdown && marking != "" {
			// bold, as the report's and the trend's, and escaped: a
			// marking is the user's text, not Markdown
			line = "**" + mdEscape(marking) + "**"
		}
		if line != "" {
			fmt.Fprintf(bw, "%s\n\n", line)
		}
		text(bw, f == Markdown)
		if line != "" {
			fmt.Fprintf(bw, "\n%s\n", line)
		}
	case CSV:
		cw := csv.NewWriter(bw)
		rows(markedCSV{csvWriter{cw}, marking})
		cw.Flush()
		if err := cw.Error(); err != nil {
			return err
		}
	case JSON:
		if err := jsonout.Write(bw, schemaID, v); err != nil {
			return err
		}
	default:
		return fmt.Errorf("format %q: the %s is written as table, markdown, csv, json, xlsx or html", f, name)
	}
	return bw.Flush()
}

// writeCalibrationText writes the calibration for a terminal, or as
// Markdown.
func writeCalibrationText(bw *bufio.Writer, c *Calibration, md bool) {
	if md {
		fmt.Fprintf(bw, "# %s\n\n%s\n\n", calibrationTitle, mdEscape(calibrationIntro(c)))
		mdTable(bw, calibrationTable(c))
		bw.WriteString("\n")
		for _, a := range c.Auditors {
			fmt.Fprintf(bw, "- %s\n", mdEscape(a.Sentence))
		}
		return
	}
	fmt.Fprintf(bw, "%s\n%s\n\n", calibrationTitle, wrap(calibrationIntro(c), 100))
	writeTbl(bw, calibrationTable(c), "")
	bw.WriteString("\n")
	for _, a := range c.Auditors {
		fmt.Fprintf(bw, "%s\n", wrap(a.Sentence, 100))
	}
}

// RenderPooled writes the pooled view (and its audits' calibration) as
// table, markdown, csv, json, xlsx or html.
func RenderPooled(w io.Writer, p *Pooled, f Format) error {
	title := p.title()
	switch f {
	case XLSX:
		return writePooledXLSX(w, p)
	case HTML:
		return writeSectionsHTML(w, title, p.Marking, p.meta(), p.sections(), viewNames)
	}
	return renderView(w, f, p.Marking, "pooled view", PooledSchema, p, func(bw *bufio.Writer, md bool) {
		if md {
			fmt.Fprintf(bw, "# %s\n\n%s\n\n%s\n\n", mdEscape(title), mdEscape(p.Sentence), mdEscape(p.Why))
			mdTable(bw, pooledTable(p))
		} else {
			fmt.Fprintf(bw, "%s\n%s\n%s\n\n", title, wrap(p.Sentence, 100), wrap(p.Why, 100))
			writeTbl(bw, pooledTable(p), "")
		}
		if p.Calibration != nil {
			bw.WriteString("\n")
			writeCalibrationText(bw, p.Calibration, md)
		}
	}, func(c markedCSV) {
		c.head("audit", "period", "population", "audited", "flagged", "share", "stratified", "population_definition")
		for _, a := range p.Audits {
			pop := ""
			if a.Population != nil {
				pop = inum(*a.Population)
			}
			c.row(a.Audit, a.Period, pop, inum(a.Audited), inum(a.Flagged), fptr(a.Share), fmt.Sprint(a.Stratified), a.Definition)
		}
		pop := ""
		if p.Population != nil {
			pop = inum(*p.Population)
		}
		c.row("(all: "+string(p.Method)+")", p.Period, pop, inum(p.Audited), inum(p.Flagged), fptr(p.Share), "", p.CIMethod+" "+fnum(p.Confidence)+": "+fptr(p.Lower)+" to "+fptr(p.Upper))
	})
}
