package report

import (
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
