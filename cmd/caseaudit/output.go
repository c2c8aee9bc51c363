package main

import (
	"bytes"
	"encoding/csv"
	"fmt"
	"github.com/caseaudit/caseaudit/internal/localetext"
	"io"
	"slices"
	"strings"
	"sync"
	"text/tabwriter"
	"time"

	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/internal/words"
)

// writeCSV writes rows as CSV with every cell made safe against formula
// injection. (On a terminal, standard output itself neutralises control
// characters: see run.)
func writeCSV(w io.Writer, rows [][]string) error {
	cw := csv.NewWriter(w)
	for _, r := range rows {
		safe := make([]string, len(r))
		for i, c := range r {
			safe[i] = textsafe.CSVCell(c)
		}
		if err := cw.Write(safe); err != nil {
			return err
		}
	}
	cw.Flush()
	return cw.Error()
}

// markedRows puts marking, when there is one, as the first column of
// rows: "marking" heading the header row (rows[0]), the marking on every
// other, so that a CSV stays one table and a copy filtered to some rows
// keeps its marking.
func markedRows(marking string, rows [][]string) [][]string {
	if marking == "" {
		return rows
	}
	out := make([][]string, len(rows))
	for i, r := range rows {
		first := marking
		if i == 0 {
			first = "marking"
		}
		out[i] = append([]string{first}, r...)
	}
	return out
}

// writeMarkedTable writes rows as a table with marking, when there is
// one, on a line of its own above and below it, as every view that
// carries a marking prints it on a terminal.
func writeMarkedTable(w io.Writer, marking string, rows [][]string) error {
	if marking == "" {
		return writeTable(w, rows)
	}
	if _, err := fmt.Fprintf(w, "%s\n\n", marking); err != nil {
		return err
	}
	if err := writeTable(w, rows); err != nil {
		return err
	}
	_, err := fmt.Fprintf(w, "\n%s\n", marking)
	return err
}

// progress shows rows read on stderr, only when stderr is a terminal and
// the read takes over a second.
type progress struct {
	mu      sync.Mutex
	g       *globalOptions
	label   string
	start   time.Time
	shown   bool
	enabled bool
}

func newProgress(g *globalOptions, label string) *progress {
	return &progress{g: g, label: label, start: time.Now(), enabled: g.IO.ErrTerminal && !g.Quiet}
}

func (p *progress) rows(n int) {
	if !p.enabled {
		return
	}
	p.mu.Lock()
	defer p.mu.Unlock()
	el := time.Since(p.start)
	if el < time.Second {
		return
	}
	p.shown = true
	fmt.Fprintf(p.g.IO.Err, "\r%s: %s rows (%s rows/s)   ", p.label, words.Thousands(n), words.Thousands(int(float64(n)/el.Seconds())))
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.g.IO.Err, "\r\033[K")
	}
}

// writeTable writes rows as aligned columns for a terminal; the first row is
// the header (shown in capitals). Each cell stays on its line.
func writeTable(w io.Writer, rows [][]string) error {
	w = localetext.Writer(w, nil) // a table is for people: in the locale's character set
	var buf bytes.Buffer
	tw := tabwriter.NewWriter(&buf, 0, 0, 2, ' ', 0)
	for i, r := range rows {
		cells := make([]string, len(r))
		for j, c := range r {
			c = textsafe.OneLine(c)
			if i == 0 {
				c = strings.ToUpper(c)
			}
			cells[j] = c
		}
		fmt.Fprintln(tw, strings.Join(cells, "\t"))
	}
	tw.Flush()
	_, err := w.Write(buf.Bytes())
	return err
}

// checkFormat returns a usage error unless format is one of allowed.
func checkFormat(format string, allowed ...string) error {
	if slices.Contains(allowed, format) {
		return nil
	}
	return usagef("--format %q: use %s", format, words.Or(allowed))
}
