package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

func newRecorder(t *testing.T, spec sample.FactorSpec) *Recorder {
	t.Helper()
	r, err := NewRecorder(spec)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func drawWithFactors(t *testing.T, path string, size int, where []string, spec sample.FactorSpec) *sample.Drawn {
	t.Helper()
	d, err := sample.Draw(context.Background(), sample.Spec{Export: path, Seed: "factors", Size: size, Where: where,
		Now: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC), Factors: newRecorder(t, spec)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { d.Close() })
	return d
}

// The hand-made export, sampled in full: every case's recorded values are
// the ones worked out by hand in handMade's table.
func TestRecorderHandMade(t *testing.T) {
	path := writeText(t, handMade)
	d := drawWithFactors(t, path, 10, nil, sample.FactorSpec{Detect: true, CaseloadTarget: 2,
		Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01"})
	f := d.Provenance.Factors
	if f == nil {
		t.Fatal("no factors recorded")
	}
	wantSpec := sample.FactorSpec{WorkerColumn: "Allocated Worker", ChangesColumn: "Workers in 12m", TeamColumn: "Team",
		CaseloadTarget: 2, ChangesAtLeast: 3, Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01",
		Caseloads: &sample.CaseloadRule{Over: "export"}}
	if !reflect.DeepEqual(f.Spec, wantSpec) {
		t.Errorf("spec %+v, want %+v", f.Spec, wantSpec)
	}
	n := func(v int) *int { return &v }
	// Alpha holds C01, C02, C03 (3); Bravo C04, C05 (2); Charlie C08, C09
	// (2); Delta C10 (1: C02's duplicate row does not count).
	want := map[string]sample.CaseFactors{
		"C01": {Caseload: n(3), Changes: n(1), Timeliness: []string{"within"}},
		"C02": {Caseload: n(3), Changes: n(2), Timeliness: []string{"late"}},
		"C03": {Caseload: n(3), Changes: n(3), Timeliness: []string{"overdue"}},
		"C04": {Caseload: n(2), Changes: n(0), Timeliness: []string{"within"}},
		"C05": {Caseload: n(2), Changes: n(4), Timeliness: []string{"ends_before"}},
		"C06": {Caseload: nil, Changes: n(7), Timeliness: []string{"within"}},
		"C07": {Caseload: nil, Changes: nil, Timeliness: []string{"no_start"}},
		"C08": {Caseload: n(2), Changes: nil, Timeliness: []string{"unreadable"}},
		"C09": {Caseload: n(2), Changes: n(3), Timeliness: []string{"not_done"}},
		"C10": {Caseload: n(1), Changes: n(5), Timeliness: []string{"within"}},
	}
	if !reflect.DeepEqual(f.Cases, want) {
		for id, w := range want {
			if g := f.Cases[id]; !reflect.DeepEqual(g, w) {
				t.Errorf("%s: %s, want %s", id, cfText(g), cfText(w))
			}
		}
		if len(f.Cases) != len(want) {
			t.Errorf("%d cases recorded, want %d", len(f.Cases), len(want))
		}
	}
	med := 2.0
	wantPop := sample.FactorSummary{Cases: 10,
		Caseload: &sample.CaseloadSummary{Allocated: 8, Unallocated: 2, Workers: 4, Median: &med, Max: 3, AboveTargetWorkers: 1, AboveTargetCases: 3,
			Counted: 10, OfCases: 10},
		Changes:    &sample.ChangesSummary{Counted: 8, AtLeastCases: 5},
		Timeliness: []sample.TimelinessSummary{{Pair: "Referral Date..Assessment Completed<=45d", Measured: 7, Within: 4, Late: 1, NotDone: 2, Overdue: 1}}}
	if !reflect.DeepEqual(f.Population, wantPop) {
		t.Errorf("population %+v\nwant %+v", f.Population, wantPop)
	}
}

func cfText(c sample.CaseFactors) string {
	return "caseload " + sampleInt(c.Caseload) + ", changes " + sampleInt(c.Changes) + ", timeliness " + strings.Join(c.Timeliness, "/")
}

func sampleInt(v *int) string {
	if v == nil {
		return "none"
	}
	return strconv.Itoa(*v)
}

func writeText(t *testing.T, text string) string {
	t.Helper()
	path := t.TempDir() + "/cases.csv"
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	return path
}

// Recording factors while drawing gives the population profile Read gives
// in a read of its own (clean and messy exports, with filters), each
// sampled case its worker's caseload in that population, and does not
// change the sample: counting the rows on a goroutine of their own (a
// core free) as on the reading one (one core, or all busy).
func TestRecorderAgreesWithRead(t *testing.T) {
	defer func(f func() bool) { countSerially = f }(countSerially)
	for _, serial := range []bool{true, false} {
		t.Run(fmt.Sprintf("serial=%v", serial), func(t *testing.T) {
			countSerially = func() bool { return serial }
			recorderAgreesWithRead(t)
		})
	}
}

func recorderAgreesWithRead(t *testing.T) {
	tl := "Referral Date..Assessment Completed<=45d"
	for _, fl := range []struct {
		name string
		o    synth.Options
	}{
		{"clean.csv", synth.Options{Rows: 3000, Seed: 1}},
		{"messy.xlsx", synth.Options{Rows: 3000, Seed: 7, Messy: true}},
	} {
		path := writeSynth(t, fl.name, fl.o)
		for _, where := range [][]string{nil, {"Legal Status=CP"}} {
			label := fl.name + " " + strings.Join(where, "&")
			d := drawWithFactors(t, path, 120, where, sample.FactorSpec{Detect: true, CaseloadTarget: 18, Timeliness: []string{tl}, AsOf: "2026-07-01"})
			plain, err := sample.Draw(context.Background(), sample.Spec{Export: path, Seed: "factors", Size: 120, Where: where,
				Now: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)})
			if err != nil {
				t.Fatal(err)
			}
			defer plain.Close()
			if !reflect.DeepEqual(ids(d.Sample.Cases), ids(plain.Sample.Cases)) {
				t.Errorf("%s: recording factors changed the sample", label)
			}
			if plain.Provenance.Factors != nil {
				t.Errorf("%s: factors recorded unasked", label)
			}

			tb, err := export.Open(context.Background(), path, export.OpenOptions{})
			if err != nil {
				t.Fatal(err)
			}
			defer tb.Close()
			var fs []sample.Filter
			for _, w := range where {
				f, _ := sample.ParseFilter(w)
				fs = append(fs, f)
			}
			p, err := New(Spec{CaseloadTarget: 18, Timeliness: []Timeliness{mustTimeliness(t, tl)}, AsOf: asOf}, tb)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := Read(context.Background(), tb, p, ReadOptions{Where: fs}); err != nil {
				t.Fatal(err)
			}
			res := p.Result()
			f := d.Provenance.Factors
			c := res.Caseload
			if f.Population.Cases != res.Cases || f.Population.Caseload.Workers != c.Workers || f.Population.Caseload.Allocated != c.Allocated ||
				f.Population.Caseload.AboveTargetWorkers != c.AboveTarget.Workers || f.Population.Caseload.AboveTargetCases != c.AboveTarget.Cases ||
				*f.Population.Caseload.Median != *c.Median || f.Population.Changes.AtLeastCases != res.Changes.AtLeastCases ||
				f.Population.Timeliness[0].Within != res.Timeliness[0].Within || f.Population.Timeliness[0].NotDone != res.Timeliness[0].NotDone {
				t.Errorf("%s: population %+v, Read's %+v", label, f.Population, res)
			}
			if len(f.Cases) != 120 {
				t.Fatalf("%s: %d cases recorded", label, len(f.Cases))
			}
			for _, s := range d.Sample.Cases {
				w := s.Fields[1] // Allocated Worker, shown by default
				got := f.Cases[s.ID]
				if n, ok := p.Caseload(w); !ok || got.Caseload == nil || *got.Caseload != n {
					t.Fatalf("%s: case %s of %q: caseload %v, Read's %d", label, s.ID, w, got.Caseload, n)
				}
			}
		}
	}
}

func ids(cs []sample.Selected) []string {
	var out []string
	for _, c := range cs {
		out = append(out, c.ID)
	}
	return out
}

// A recorded sample re-derives with its factors; an export whose worker
// changed shows the caseloads that moved, case by case, and the sample
// still re-derives.
func TestRecorderRederive(t *testing.T) {
	path := writeText(t, handMade)
	d := drawWithFactors(t, path, 6, nil, sample.FactorSpec{Detect: true, CaseloadTarget: 2,
		Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01"})
	p := d.Provenance
	// Through JSON, as stored.
	js, err := p.JSON()
	if err != nil {
		t.Fatal(err)
	}
	back, err := sample.ParseProvenance(js)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(back.Factors, p.Factors) {
		t.Fatalf("factors through JSON: %+v, want %+v", back.Factors, p.Factors)
	}
	if _, err := sample.Rederive(context.Background(), back, path, sample.RederiveOptions{}); err == nil || !strings.Contains(err.Error(), "factor recorder") {
		t.Errorf("re-deriving without a recorder: %v", err)
	}
	again, err := sample.Rederive(context.Background(), back, path, sample.RederiveOptions{Factors: newRecorder(t, back.Factors.Spec)})
	if err != nil {
		t.Fatal(err)
	}
	defer again.Close()
	c := sample.Compare(context.Background(), back, d.Sample.Cases, back.Columns, 6, again)
	if !c.Holds() || len(c.Factors) != 0 {
		t.Fatalf("the same export: %v", c.Problems(0))
	}
	// Worker Bravo's cases go to Worker Alpha.
	edited := writeText(t, strings.ReplaceAll(handMade, "Worker Bravo", "Worker Alpha"))
	moved, err := sample.Rederive(context.Background(), back, edited, sample.RederiveOptions{Factors: newRecorder(t, back.Factors.Spec)})
	if err != nil {
		t.Fatal(err)
	}
	defer moved.Close()
	c = sample.Compare(context.Background(), back, d.Sample.Cases, back.Columns, 6, moved)
	if !c.Identical() || c.Holds() || len(c.Factors) == 0 {
		t.Fatalf("an edited export: identical %v, holds %v, factors %+v", c.Identical(), c.Holds(), c.Factors)
	}
	var lines []string
	for _, p := range c.Problems(0) {
		if strings.Contains(p, "caseload") {
			lines = append(lines, p)
		}
	}
	if len(lines) == 0 {
		t.Errorf("no caseload named among %q", c.Problems(0))
	}
}

// A column named for the factors must be there; an export with nothing to
// measure is refused with the options to give.
func TestRecorderErrors(t *testing.T) {
	path := writeText(t, handMade)
	_, err := sample.Draw(context.Background(), sample.Spec{Export: path, Seed: "s", Size: 2,
		Factors: newRecorder(t, sample.FactorSpec{Detect: true, WorkerColumn: "Alocated Worker"})})
	var ce *ColumnError
	if !errors.As(err, &ce) || !strings.Contains(err.Error(), "worker_column") || !strings.Contains(err.Error(), "Allocated Worker") {
		t.Errorf("a misspelt worker column: %v", err)
	}
	bare := writeText(t, "Case Reference,Team\nC1,North\nC2,South\n")
	_, err = sample.Draw(context.Background(), sample.Spec{Export: bare, Seed: "s", Size: 1,
		Factors: newRecorder(t, sample.FactorSpec{Detect: true})})
	if !errors.Is(err, ErrNothingToRecord) {
		t.Errorf("nothing to record: %v", err)
	}
	if _, err := NewRecorder(sample.FactorSpec{Timeliness: []string{"A..B"}}); !errors.Is(err, ErrTimeliness) {
		t.Errorf("a pair without a limit: %v", err)
	}
	if _, err := NewRecorder(sample.FactorSpec{AsOf: "1 July"}); err == nil {
		t.Error("a bad as-of day accepted")
	}
}

// A provenance recorded before caseaudit said how caseloads are counted
// (no "caseloads" in its factors' spec; made by the commit dc5181a from the
// synth export below, filtered to Legal Status=CP, where caseloads counted
// the filtered population) re-derives as it did: the same figures, and
// every sampled case its caseload of then.
func TestRecorderLegacyProvenance(t *testing.T) {
	js, err := os.ReadFile("testdata/legacy-provenance.json")
	if err != nil {
		t.Fatal(err)
	}
	p, err := sample.ParseProvenance(js)
	if err != nil {
		t.Fatal(err)
	}
	if p.Factors == nil || p.Factors.Spec.Caseloads != nil || p.Factors.Population.Caseload.Workers != 159 || p.Factors.Population.Caseload.Max != 10 {
		t.Fatalf("the legacy provenance: %+v", p.Factors)
	}
	path := t.TempDir() + "/legacy.csv"
	if err := synth.WriteFile(path, synth.Options{Rows: 3000, Seed: 7, Messy: true}); err != nil {
		t.Fatal(err)
	}
	rec, err := NewRecorder(p.Factors.Spec)
	if err != nil {
		t.Fatal(err)
	}
	d, err := sample.Rederive(context.Background(), p, path, sample.RederiveOptions{Factors: rec})
	if err != nil {
		t.Fatal(err)
	}
	defer d.Close()
	var recorded []sample.Selected
	for _, c := range d.Sample.Cases {
		recorded = append(recorded, c)
	}
	c := sample.Compare(context.Background(), p, recorded, p.Columns, p.Size, d)
	if !c.Identical() || !c.Holds() || len(c.Factors) != 0 {
		t.Fatalf("the legacy sample does not re-derive as it did: %v %+v", c.Problems(0), c.Factors)
	}
	if !reflect.DeepEqual(d.Provenance.Factors.Population, p.Factors.Population) || d.Provenance.Factors.Spec.Caseloads != nil {
		t.Errorf("population %+v, recorded %+v", d.Provenance.Factors.Population, p.Factors.Population)
	}
	for id, want := range p.Factors.Cases {
		if got := d.Provenance.Factors.Cases[id]; !reflect.DeepEqual(got, want) {
			t.Errorf("%s: %s, recorded %s", id, cfText(got), cfText(want))
		}
	}
	// Drawn today, the same sample counts each worker's whole caseload.
	now := drawWithFactors(t, path, 20, []string{"Legal Status=CP"}, sample.FactorSpec{Detect: true, CaseloadTarget: 18,
		Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01"})
	if c := now.Provenance.Factors.Population.Caseload; c.Allocated != 2998 || c.OfCases != 2998 || c.Workers != 160 {
		t.Errorf("caseloads now: %+v", c)
	}
}
