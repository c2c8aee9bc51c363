package report

import (
	"bufio"
	"fmt"
	"io"
	"slices"
	"strings"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/textsafe"
)

const (
	ansiBold  = textsafe.Bold
	ansiReset = textsafe.Plain
)

// WriteTable writes the report for a terminal: aligned columns, every cell
// made inert (no control characters or escape sequences from the data),
// headings in bold only when color is true.
func WriteTable(w io.Writer, r *Report, color bool) error {
	return writeTableDoc(w, r.title(), r.meta(), r.sections(), color, "Notes")
}

// writeTableDoc writes a titled document of sections for a terminal:
// headings (underlined, or bold when color), figures aligned, tables; the
// sections named in lists are bullet lists of their lines' values. A
// "Compared…" section shows its table before its figures.
func writeTableDoc(w io.Writer, title string, meta []kv, sections []section, color bool, lists ...string) error {
	bw := bufio.NewWriter(w)
	heading := func(s string) {
		s = textsafe.OneLine(s)
		if color {
			fmt.Fprintf(bw, "%s%s%s\n", ansiBold, s, ansiReset)
		} else {
			fmt.Fprintf(bw, "%s\n%s\n", s, strings.Repeat("─", utf8.RuneCountInString(s)))
		}
	}
	heading(title)
	writeKV(bw, meta, "")
	for _, s := range sections {
		bw.WriteString("\n")
		heading(s.Title)
		if s.Intro != "" {
			fmt.Fprintf(bw, "%s\n", wrap(textsafe.OneLine(s.Intro), 100))
			if len(s.Lines) > 0 || s.Table != nil {
				bw.WriteString("\n")
			}
		}
		if slices.Contains(lists, s.Title) {
			for _, l := range s.Lines {
				fmt.Fprintf(bw, "%s\n", strings.ReplaceAll(wrap("- "+textsafe.OneLine(l.V), 100), "\n", "\n  "))
			}
			continue
		}
		if s.Table != nil && strings.HasPrefix(s.Title, "Compared") {
			writeTbl(bw, s.Table, "  ")
			bw.WriteString("\n")
			writeKV(bw, s.Lines, "  ")
		} else {
			writeKV(bw, s.Lines, "  ")
			if s.Table != nil {
				if len(s.Lines) > 0 {
					bw.WriteString("\n")
				}
				writeTbl(bw, s.Table, "  ")
			}
		}
		for _, m := range s.More {
			fmt.Fprintf(bw, "\n  %s\n", textsafe.OneLine(m.Caption))
			if m.Table != nil {
				writeTbl(bw, m.Table, "  ")
			}
			if m.Note != "" {
				fmt.Fprintf(bw, "  %s\n", strings.ReplaceAll(wrap(textsafe.OneLine(m.Note), 98), "\n", "\n  "))
			}
		}
		if len(s.Bullets) > 0 {
			bw.WriteString("\n")
		}
		for _, b := range s.Bullets {
			fmt.Fprintf(bw, "  %s\n", strings.ReplaceAll(wrap("- "+textsafe.OneLine(b), 98), "\n", "\n    "))
		}
	}
	return bw.Flush()
}

func writeKV(w io.Writer, lines []kv, indent string) {
	width := 0
	for _, l := range lines {
		width = max(width, utf8.RuneCountInString(l.K))
	}
	for _, l := range lines {
		k := textsafe.OneLine(l.K)
		fmt.Fprintf(w, "%s%s%s  %s\n", indent, k, strings.Repeat(" ", width-utf8.RuneCountInString(k)), textsafe.OneLine(l.V))
	}
}

// writeTbl aligns a table by display width (runes), upper-case headers,
// numbers right-aligned. Long cells (notes) are cut at 60 characters.
func writeTbl(w io.Writer, t *tbl, indent string) {
	cells := make([][]string, 0, len(t.Rows)+1)
	hdr := make([]string, len(t.Header))
	for i, h := range t.Header {
		hdr[i] = strings.ToUpper(textsafe.OneLine(h))
	}
	cells = append(cells, hdr)
	for _, row := range t.Rows {
		c := make([]string, len(row))
		for i, v := range row {
			v = textsafe.OneLine(v)
			if utf8.RuneCountInString(v) > 60 {
				v = string([]rune(v)[:59]) + "…"
			}
			c[i] = v
		}
		cells = append(cells, c)
	}
	widths := make([]int, len(hdr))
	for _, row := range cells {
		for i, v := range row {
			if i < len(widths) {
				widths[i] = max(widths[i], utf8.RuneCountInString(v))
			}
		}
	}
	for _, row := range cells {
		var b strings.Builder
		b.WriteString(indent)
		for i, v := range row {
			if i >= len(widths) {
				break
			}
			pad := strings.Repeat(" ", widths[i]-utf8.RuneCountInString(v))
			right := i < len(t.Right) && t.Right[i]
			if i > 0 {
				b.WriteString("  ")
			}
			if right {
				b.WriteString(pad + v)
			} else if i == len(row)-1 {
				b.WriteString(v)
			} else {
				b.WriteString(v + pad)
			}
		}
		fmt.Fprintln(w, strings.TrimRight(b.String(), " "))
	}
}

// wrap breaks text into lines of at most width runes at spaces.
func wrap(s string, width int) string {
	words := strings.Fields(s)
	var b strings.Builder
	n := 0
	for _, w := range words {
		l := utf8.RuneCountInString(w)
		if n > 0 && n+1+l > width {
			b.WriteString("\n")
			n = 0
		} else if n > 0 {
			b.WriteString(" ")
			n++
		}
		b.WriteString(w)
		n += l
	}
	return b.String()
}

// WriteMarkdown writes the report as GitHub-flavoured Markdown; text from
// the store is escaped so it cannot add links, HTML or table cells.
func WriteMarkdown(w io.Writer, r *Report) error {
	return writeMarkdownDoc(w, r.title(), r.meta(), r.sections(), "Notes")
}

// writeMarkdownDoc writes a titled document of sections as Markdown; the
// sections named in lists are bullet lists of their lines' values, and
// other sections' figures are "- **name:** value" lines (a Markdown table
// would need a header row, and figures have none).
func writeMarkdownDoc(w io.Writer, title string, meta []kv, sections []section, lists ...string) error {
	bw := bufio.NewWriter(w)
	fmt.Fprintf(bw, "# %s\n\n", mdEscape(title))
	for _, l := range meta {
		fmt.Fprintf(bw, "- **%s:** %s\n", mdEscape(l.K), mdEscape(l.V))
	}
	bw.WriteString("\n")
	for _, s := range sections {
		fmt.Fprintf(bw, "## %s\n\n", mdEscape(s.Title))
		if s.Intro != "" {
			fmt.Fprintf(bw, "%s\n\n", mdEscape(s.Intro))
		}
		if slices.Contains(lists, s.Title) {
			for _, l := range s.Lines {
				fmt.Fprintf(bw, "- %s\n", mdEscape(l.V))
			}
			bw.WriteString("\n")
			continue
		}
		if len(s.Lines) > 0 {
			for _, l := range s.Lines {
				fmt.Fprintf(bw, "- **%s:** %s\n", mdEscape(l.K), mdEscape(l.V))
			}
			bw.WriteString("\n")
		}
		if s.Table != nil {
			mdTable(bw, s.Table)
			bw.WriteString("\n")
		}
		for _, m := range s.More {
			fmt.Fprintf(bw, "**%s**\n\n", mdEscape(m.Caption))
			if m.Table != nil {
				mdTable(bw, m.Table)
				bw.WriteString("\n")
			}
			if m.Note != "" {
				fmt.Fprintf(bw, "%s\n\n", mdEscape(m.Note))
			}
		}
		for _, b := range s.Bullets {
			fmt.Fprintf(bw, "- %s\n", mdEscape(b))
		}
		if len(s.Bullets) > 0 {
			bw.WriteString("\n")
		}
	}
	return bw.Flush()
}

func mdTable(w io.Writer, t *tbl) {
	row := func(cells []string) {
		var b strings.Builder
		b.WriteString("|")
		for _, c := range cells {
			b.WriteString(" " + mdEscape(c) + " |")
		}
		fmt.Fprintln(w, b.String())
	}
	row(t.Header)
	var b strings.Builder
	b.WriteString("|")
	for i := range t.Header {
		if i < len(t.Right) && t.Right[i] {
			b.WriteString("---:|")
		} else {
			b.WriteString("---|")
		}
	}
	fmt.Fprintln(w, b.String())
	for _, r := range t.Rows {
		row(r)
	}
}

var mdReplacer = strings.NewReplacer(
	`\`, `\\`, "`", "\\`", "*", `\*`, "_", `\_`, "[", `\[`, "]", `\]`, "<", "&lt;", ">", "&gt;",
	"|", `\|`, "#", `\#`, "!", `\!`, "&", "&amp;", "\r\n", " ", "\n", " ", "\r", " ", "\t", " ",
)

// mdEscape makes text literal in Markdown (also inside table cells).
func mdEscape(s string) string {
	return mdReplacer.Replace(textsafe.Terminal(s)) // a document: no control characters, one line per cell
}
