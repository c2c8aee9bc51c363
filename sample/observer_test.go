package sample

import (
	"context"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/sample/export"
)

// rowLog is a RowObserver that writes down what it is shown.
type rowLog struct {
	cols []int
	rows []string
	dups []int
	done bool
}

func (l *rowLog) Columns() []int { return l.cols }
func (l *rowLog) Duplicate(num int) {
	if !l.done {
		l.dups = append(l.dups, -1) // a duplicate named before the rows were read
	}
	l.dups = append(l.dups, num)
}
func (l *rowLog) Done() { l.done = true }
func (l *rowLog) Row(num int, id string, match bool, cells []string) {
	m := "out"
	if match {
		m = "in"
	}
	l.rows = append(l.rows, strings.Join(append([]string{id, m}, cells...), "|"))
}

// Load shows an observer every data row (duplicates and rows filtered out
// too, never blank or footer rows) with the cells of its columns, and
// keeps those cells with the sampled cases beside the shown fields, also
// when Select must read them again.
func TestLoadObserver(t *testing.T) {
	text := "Case Reference,Team,Worker,Legal Status\nC1,North,W1,CP\nC2,South,W2,CIN\n,,,\nC1,East,W3,CP\nC3,North,W2,CP\nTotal,3\n"
	path := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	f, _ := ParseFilter("Legal Status=CP")
	obs := &rowLog{cols: []int{2, 1}} // Worker, then Team (a shown field too)
	pop, err := Load(context.Background(), tb, LoadOptions{Seed: "s", Fields: []string{"Team"}, Where: []Filter{f},
		Observer: obs, MaxSample: 1})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"C1|in|W1|North", "C2|out|W2|South", "C1|in|W3|East", "C3|in|W2|North"}
	if !slices.Equal(obs.rows, want) {
		t.Errorf("observed %q, want %q", obs.rows, want)
	}
	// Told that the rows are read before it is told of the duplicates.
	if !obs.done || !slices.Equal(obs.dups, []int{5}) {
		t.Errorf("done %v, duplicates %v; want done, the duplicate on row 5 only", obs.done, obs.dups)
	}
	smp, err := pop.Select(SelectOptions{Size: 2}) // more than MaxSample: one case's cells are read again
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range smp.Cases {
		team := map[string]string{"C1": "North", "C3": "North"}[c.ID]
		worker := map[string]string{"C1": "W1", "C3": "W2"}[c.ID]
		if !slices.Equal(c.Fields, []string{team}) || !slices.Equal(c.Observed, []string{worker, team}) {
			t.Errorf("case %s: fields %q, observed %q", c.ID, c.Fields, c.Observed)
		}
	}
	// Without an observer nothing is observed.
	plain, err := Load(context.Background(), tb, LoadOptions{Seed: "s", Fields: []string{"Team"}})
	if err != nil {
		t.Fatal(err)
	}
	if c := plain.Case(0); c.Observed != nil || len(c.Fields) != 1 {
		t.Errorf("without an observer: %+v", c)
	}
}
