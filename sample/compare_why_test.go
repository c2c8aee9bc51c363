package sample

import (
	"context"
	"encoding/csv"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// TestCompareSaysWhyCasesMove: when rows leave the export, verify's
// explanations say what happened: a case not drawn before that now is
// "moves up" (into a removed case's place, or because its stratum's share
// grew), and a recorded case pushed out by its stratum's smaller share says
// so — not "new in the export" or "a case with a smaller ticket".
func TestCompareSaysWhyCasesMove(t *testing.T) {
	ctx := context.Background()
	path := writeSynth(t, "cases.csv", synth.Options{Rows: 500, Seed: 5})
	d, err := Draw(ctx, Spec{Export: path, Seed: "why", Size: 30, Strata: "Team"})
	if err != nil {
		t.Fatal(err)
	}
	drawn := map[string]bool{}
	for _, c := range d.Sample.Cases {
		drawn[c.ID] = true
	}
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(f).ReadAll()
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	team := -1
	for i, h := range rows[0] {
		if h == "Team" {
			team = i
		}
	}
	rederive := func(name string, drop func(r []string, n int) bool) *Comparison {
		out := [][]string{rows[0]}
		n := 0
		for _, r := range rows[1:] {
			if drop(r, n) {
				n++
				continue
			}
			out = append(out, r)
		}
		p := filepath.Join(t.TempDir(), name)
		fh, err := os.Create(p)
		if err != nil {
			t.Fatal(err)
		}
		w := csv.NewWriter(fh)
		w.WriteAll(out)
		fh.Close()
		again, err := Rederive(ctx, &d.Provenance, p, RederiveOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return Compare(ctx, &d.Provenance, d.Sample.Cases, d.Provenance.Columns, len(d.Sample.Cases), again)
	}
	// One sampled case removed: another case moves up (in its stratum, or in
	// one whose share grew as the shares were worked out again).
	first := d.Sample.Cases[0]
	c := rederive("one-gone.csv", func(r []string, _ int) bool { return r[0] == first.ID })
	if len(c.Missing) != 1 || c.Missing[0].Why != "it is no longer in the export" {
		t.Errorf("missing: %+v", c.Missing)
	}
	if len(c.Added) != 1 || !strings.Contains(c.Added[0].Why, "was not drawn before and moves up into the sample") {
		t.Errorf("added: %+v", c.Added)
	}
	// Fifty unsampled cases of one team removed: its share falls, others' grow.
	c = rederive("team-shrinks.csv", func(r []string, n int) bool {
		return r[team] == first.Stratum && !drawn[r[0]] && n < 50
	})
	if len(c.Missing) == 0 || len(c.Added) == 0 {
		t.Fatalf("expected cases to move: %+v", c)
	}
	for _, m := range c.Missing {
		if !strings.HasPrefix(m.Why, "its stratum's share of the sample fell from ") {
			t.Errorf("missing %s: %q", m.ID, m.Why)
		}
	}
	for _, a := range c.Added {
		if !strings.Contains(a.Why, "moves up into the sample: its stratum's share grew from ") {
			t.Errorf("added %s: %q", a.ID, a.Why)
		}
	}
}

// TestFactorProblemsReadAsEnglish: each factor difference of the population
// is a sentence whose verb agrees with its subject.
func TestFactorProblemsReadAsEnglish(t *testing.T) {
	c := &Comparison{SameExport: true, Factors: []FactorChange{
		{Factor: "number of cases profiled", Recorded: "500", Now: "499"},
		{Factor: "caseloads", Recorded: "a", Now: "b"},
		{Factor: "changes of worker", Recorded: "a", Now: "b"},
		{Factor: "timeliness", Recorded: "a", Now: "b"},
	}}
	got := strings.Join(c.Problems(0), "\n")
	want := strings.Join([]string{
		"the population's number of cases profiled differs: recorded 500; now 499",
		"the population's caseloads differ: recorded a; now b",
		"the population's changes of worker differ: recorded a; now b",
		"the population's timeliness differs: recorded a; now b",
	}, "\n")
	if got != want {
		t.Errorf("got\n%s\nwant\n%s", got, want)
	}
}
