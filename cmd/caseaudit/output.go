package main

import (
	"encoding/csv"
	"fmt"
	"io"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/sample"
)

// writeCSV writes rows as CSV with every cell made safe against formula
// injection.
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
	fmt.Fprintf(p.g.IO.Err, "\r%s: %s rows (%s rows/s)   ", p.label, sample.Thousands(n), sample.Thousands(int(float64(n)/el.Seconds())))
}

func (p *progress) done() {
	if p.shown {
		fmt.Fprint(p.g.IO.Err, "\r\033[K")
	}
}
