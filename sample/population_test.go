package sample

import (
	"cmp"
	"context"
	"encoding/csv"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/sample/export"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/synth"
)

func writeSynth(t testing.TB, name string, o synth.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := synth.WriteFile(path, o); err != nil {
		t.Fatal(err)
	}
	return path
}

type naiveCase struct{ id, ticket, team string }

// naiveSample reads a clean or messy csv export with encoding/csv, keeps
// each ID's first row, applies keep, computes every ticket with math/big
// (naiveTicket) and sorts them all: the reference ordering.
func naiveSample(t *testing.T, path, seed string, keep func(rec []string) bool) []naiveCase {
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	recs, err := r.ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	var out []naiveCase
	header := false
	for _, rec := range recs {
		if !header {
			header = rec[0] == "Case Reference"
			continue
		}
		if len(rec) < 15 || rec[0] == "" || rec[0] == "Total" || seen[rec[0]] {
			continue
		}
		seen[rec[0]] = true
		if keep != nil && !keep(rec) {
			continue
		}
		out = append(out, naiveCase{rec[0], naiveTicket(seed, rec[0]), rec[6]})
	}
	sort.Slice(out, func(i, j int) bool { return Less(out[i].ticket, out[i].id, out[j].ticket, out[j].id) })
	return out
}

func load(t *testing.T, path string, o LoadOptions) *Population {
	t.Helper()
	tb, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	p, err := Load(context.Background(), tb, o)
	if err != nil {
		t.Fatal(err)
	}
	return p
}

// The sample equals the reference ordering of all tickets, sorted naively,
// whether fields are kept for every row or only for the best candidates.
func TestSampleMatchesNaiveOrdering(t *testing.T) {
	n := 100000
	if testing.Short() {
		n = 20000
	}
	path := writeSynth(t, "cases.csv", synth.Options{Rows: n, Seed: 4, Messy: true})
	const seed = "2026-07 monthly"
	want := naiveSample(t, path, seed, nil)
	for _, maxSample := range []int{0, 120, 500} {
		p := load(t, path, LoadOptions{Seed: seed, Fields: []string{"Team"}, MaxSample: maxSample})
		if p.Len() != len(want) {
			t.Fatalf("population %d, naive %d", p.Len(), len(want))
		}
		s, err := p.Select(SelectOptions{Size: 120})
		if err != nil {
			t.Fatal(err)
		}
		for i, c := range s.Cases {
			if c.ID != want[i].id || c.Ticket != want[i].ticket || c.Fields[0] != want[i].team {
				t.Fatalf("MaxSample %d: case %d is %s %s %v, naive %+v", maxSample, i+1, c.ID, c.Ticket, c.Fields, want[i])
			}
		}
	}
	// With a filter, the population is the matching distinct IDs.
	wantCP := naiveSample(t, path, seed, func(rec []string) bool { return rec[8] == "CP" })
	f, _ := ParseFilter("Legal Status=CP")
	p := load(t, path, LoadOptions{Seed: seed, Fields: []string{"Team"}, Where: []Filter{f}, MaxSample: 50})
	s, err := p.Select(SelectOptions{Size: 50})
	if err != nil {
		t.Fatal(err)
	}
	if p.Len() != len(wantCP) {
		t.Fatalf("filtered population %d, naive %d", p.Len(), len(wantCP))
	}
	for i, c := range s.Cases {
		if c.ID != wantCP[i].id || c.Fields[0] != wantCP[i].team {
			t.Fatalf("filtered case %d is %s, naive %s", i+1, c.ID, wantCP[i].id)
		}
	}
}

// Stratified: each stratum takes its first cases in ticket order, and keeping
// fields only for the best candidates changes nothing.
func TestStratifiedMatchesNaive(t *testing.T) {
	path := writeSynth(t, "cases.csv", synth.Options{Rows: 20000, Seed: 5})
	const seed = "s"
	all := naiveSample(t, path, seed, nil)
	for _, maxSample := range []int{0, 80} {
		p := load(t, path, LoadOptions{Seed: seed, Fields: []string{"Allocated Worker"}, Strata: "Team", MaxSample: maxSample})
		s, err := p.Select(SelectOptions{Size: 80, Allocation: Equal})
		if err != nil {
			t.Fatal(err)
		}
		quota := map[string]int{}
		for _, st := range s.Strata {
			quota[st.Name] = st.Size
			if st.Size != 10 {
				t.Fatalf("equal allocation of 80 over 8 teams gave %s %d", st.Name, st.Size)
			}
		}
		var want []string
		for _, c := range all {
			if quota[c.team] > 0 {
				quota[c.team]--
				want = append(want, c.id)
			}
		}
		var got []string
		for _, c := range s.Cases {
			got = append(got, c.ID)
			if c.Fields == nil || c.Fields[0] == "" {
				t.Fatalf("case %s has no worker", c.ID)
			}
		}
		if !slices.Equal(got, want) {
			t.Fatalf("MaxSample %d: stratified sample differs from the naive one", maxSample)
		}
	}
}

// Duplicates keep their first row; exclusions and --strict behave.
func TestPopulationDuplicatesAndExclusions(t *testing.T) {
	path := writeSynth(t, "cases.csv", synth.Options{Rows: 3000, Seed: 1, Messy: true})
	p := load(t, path, LoadOptions{Seed: "x", Fields: []string{"Team"}})
	// genexport -messy: a duplicate every 1,499 rows (i = 1499, 2998), a blank
	// row every 997 (3 of them), two title rows, a blank row and a Total row.
	if p.Rows != 3000 || p.Distinct != 2998 || p.Duplicates != 2 || p.Blank != 3 || p.Footers != 1 {
		t.Fatalf("rows %d distinct %d duplicates %d blank %d footers %d", p.Rows, p.Distinct, p.Duplicates, p.Blank, p.Footers)
	}
	d := p.FirstDuplicates[0]
	if d.ID != "CR-0001499" || d.FirstRow+1 != d.Row {
		t.Fatalf("first duplicate %+v", d)
	}
	ex := load(t, path, LoadOptions{Seed: "x", Exclude: func(id string) bool { return strings.HasSuffix(id, "7") }})
	if ex.Excluded != 300 || ex.Len() != 2998-300 {
		t.Fatalf("excluded %d, population %d", ex.Excluded, ex.Len())
	}
	tb, _ := export.Open(context.Background(), path, export.OpenOptions{})
	defer tb.Close()
	if _, err := Load(context.Background(), tb, LoadOptions{Seed: "x", Strict: true}); err == nil ||
		!strings.Contains(err.Error(), `duplicate case ID "CR-0001499"`) {
		t.Fatalf("strict: %v", err)
	}
}

// A wrong --id-column in a workbook with a cover sheet: the error speaks of
// the case-list sheet (not the cover) and suggests the closest header.
func TestWrongIDColumnNamesTheCaseSheet(t *testing.T) {
	path := writeSynth(t, "cases.xlsx", synth.Options{Rows: 50, Seed: 1, Messy: true})
	_, err := export.Open(context.Background(), path, export.OpenOptions{IDColumn: "Case Ref No"})
	if err == nil {
		t.Fatal("no error for a missing ID column")
	}
	msg := opt.Spell(err, opt.Flags)
	for _, want := range []string{`sheet "Cases", row 4`, `no column "Case Ref No"`, `--id-column "Case Reference"`} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
}

func TestIsFooterID(t *testing.T) {
	for id, want := range map[string]bool{
		"Total": true, " TOTAL: ": true, "Totals": true, "Grand Total": true, "grand total 2026": true,
		"Count": true, "count:": true, "Count: 1,204": true, "SUM": true, "Sum:": true,
		"": false, "CR-0000001": false, "Summary of cases": false, "Counted": false, "G123": false,
		"Team total": false, "ſum": false, "T": false, "Countess": false,
	} {
		if got := IsFooterID(id); got != want {
			t.Errorf("IsFooterID(%q) = %v, want %v", id, got, want)
		}
	}
}

// TestUnitArraySort checks the in-place bucket sort against a plain sort on
// units whose keys crowd into few buckets (some larger than the insertion
// limit, some crossing chunk boundaries) and repeat (equal keys are ordered
// by the comparator's tie-break, here the row).
func TestUnitArraySort(t *testing.T) {
	rng := rand.New(rand.NewPCG(7, 11))
	cmpUnit := func(a, b unit) int {
		if a.key != b.key {
			return cmp.Compare(a.key, b.key)
		}
		return cmp.Compare(a.row, b.row)
	}
	for _, n := range []int{0, 1, 2, 1000, 1<<16 - 1, 1 << 16, 1<<16 + 1, 200_000} {
		var a unitArray
		var want []unit
		for i := 0; i < n; i++ {
			var key uint64
			switch rng.IntN(4) {
			case 0:
				key = rng.Uint64() // spread over every bucket
			case 1:
				key = 7<<48 | rng.Uint64N(1000) // one crowded bucket
			case 2:
				key = uint64(rng.IntN(3)) << 48 // few keys, many equal
			default:
				key = ^uint64(0) - rng.Uint64N(5) // the last bucket
			}
			u := unit{key: key, ref: uint32(i), row: uint32(i)}
			a.add(u)
			want = append(want, u)
		}
		a.sort(cmpUnit)
		slices.SortFunc(want, cmpUnit)
		if a.n != n {
			t.Fatalf("n=%d: %d units after sort", n, a.n)
		}
		for i := range want {
			if a.at(i) != want[i] {
				t.Fatalf("n=%d: unit %d is %+v, want %+v", n, i, a.at(i), want[i])
			}
		}
	}
}

// TestStratumSizesAfterDuplicatesAndExclusions: stratum populations are
// counted as rows are read and corrected for what sorting drops; they must
// equal a count of the population's cases, with duplicates whose first row
// does or does not match, duplicates in another stratum, and exclusions.
func TestStratumSizesAfterDuplicatesAndExclusions(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference,Team,Legal Status\n")
	rng := rand.New(rand.NewPCG(3, 4))
	teams := []string{"North", "South", "East", " West ", ""}
	status := []string{"CP", "CIN", "cp"}
	for i := 0; i < 3000; i++ {
		id := fmt.Sprintf("CR-%05d", rng.IntN(1800)) // many duplicates
		fmt.Fprintf(&b, "%s,%s,%s\n", id, teams[rng.IntN(len(teams))], status[rng.IntN(len(status))])
	}
	path := hostileWrite(t, "strata.csv", []byte(b.String()))
	f, err := ParseFilter("Legal Status=CP")
	if err != nil {
		t.Fatal(err)
	}
	exclude := func(id string) bool { return strings.HasSuffix(id, "7") }
	for _, o := range []LoadOptions{
		{Seed: "s", Strata: "Team"},
		{Seed: "s", Strata: "Team", Where: []Filter{f}},
		{Seed: "s", Strata: "Team", Where: []Filter{f}, Exclude: exclude},
		{Seed: "s", Strata: "Team", Exclude: exclude, MaxSample: 10, Fields: []string{"Legal Status"}},
	} {
		p := load(t, path, o)
		want := map[string]int{}
		for i := 0; i < p.Len(); i++ {
			want[p.Case(i).Stratum]++
		}
		got := map[string]int{}
		total := 0
		for _, s := range p.StratumSizes() {
			got[s.Name] = s.Population
			total += s.Population
		}
		if fmt.Sprint(got) != fmt.Sprint(want) || total != p.Len() {
			t.Errorf("where %v, exclude %v: sizes %v, want %v (population %d)", o.Where, o.Exclude != nil, got, want, p.Len())
		}
		if p.Duplicates == 0 || (o.Exclude != nil && p.Excluded == 0) {
			t.Fatalf("the test lost its duplicates or exclusions: %+v", p)
		}
	}
}

// TestKeyCollisionsUseFullTickets: when keys are cut to their top 10 bits,
// thousands of different IDs share a key, and the order must come from
// their full tickets (compared on the two sorting goroutines): the sample
// still equals the naive ordering, and duplicates are still found.
func TestKeyCollisionsUseFullTickets(t *testing.T) {
	path := writeSynth(t, "cases.csv", synth.Options{Rows: 20000, Seed: 6, Messy: true})
	const seed = "collide"
	want := naiveSample(t, path, seed, nil)
	full := load(t, path, LoadOptions{Seed: seed})
	p := load(t, path, LoadOptions{Seed: seed, MaxSample: 300, Fields: []string{"Team"}, keyBits: 10})
	if p.Len() != len(want) || p.Duplicates != full.Duplicates || p.Distinct != full.Distinct {
		t.Fatalf("population %d (naive %d), duplicates %d (%d), distinct %d (%d)",
			p.Len(), len(want), p.Duplicates, full.Duplicates, p.Distinct, full.Distinct)
	}
	for i := 0; i < p.Len(); i++ {
		if c := p.Case(i); c.ID != want[i].id {
			t.Fatalf("case %d is %s, naive %s", i+1, c.ID, want[i].id)
		}
	}
	s, err := p.Select(SelectOptions{Size: 300})
	if err != nil {
		t.Fatal(err)
	}
	for i, c := range s.Cases {
		if c.ID != want[i].id || c.Ticket != want[i].ticket || c.Fields[0] != want[i].team {
			t.Fatalf("sampled case %d is %s %v, naive %+v", i+1, c.ID, c.Fields, want[i])
		}
	}
}

// TestLoadFinishesIdleWork: the idle work given to Load is all done when
// Load returns, whether it fits in the reading or is left for after.
func TestLoadFinishesIdleWork(t *testing.T) {
	path := writeSynth(t, "cases.csv", synth.Options{Rows: 5000, Seed: 7})
	for _, pieces := range []int{1, 50, 200_000} {
		left := pieces
		p := load(t, path, LoadOptions{Seed: "s", Idle: func() bool {
			if left == 0 {
				t.Fatal("Idle called after it said nothing was left")
			}
			left--
			return left > 0
		}})
		if left != 0 || p.Len() == 0 {
			t.Fatalf("%d pieces of idle work: %d left when Load returned", pieces, left)
		}
	}
}

// TestFirstDuplicatesOfMany: with thousands of duplicate rows (met in ticket
// order, not row order, while the sorted population is walked), the count
// is every one of them and the five listed are those of the lowest rows,
// with their IDs' first rows, as a walk of the file in row order finds them.
func TestFirstDuplicatesOfMany(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference,Team\n")
	rng := rand.New(rand.NewPCG(5, 6))
	first := map[string]int{}
	var want []Duplicate
	for i := 0; i < 20000; i++ {
		id := fmt.Sprintf("CR-%04d", rng.IntN(300))
		row := i + 2 // the header is row 1
		fmt.Fprintf(&b, "%s,North\n", id)
		if f, ok := first[id]; ok {
			want = append(want, Duplicate{ID: id, Row: row, FirstRow: f})
		} else {
			first[id] = row
		}
	}
	path := filepath.Join(t.TempDir(), "dups.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	p := load(t, path, LoadOptions{Seed: "x"})
	if p.Duplicates != len(want) || p.Distinct != len(first) {
		t.Fatalf("duplicates %d, distinct %d; want %d, %d", p.Duplicates, p.Distinct, len(want), len(first))
	}
	if !slices.Equal(p.FirstDuplicates, want[:5]) {
		t.Fatalf("first duplicates %+v\nwant %+v", p.FirstDuplicates, want[:5])
	}
}
