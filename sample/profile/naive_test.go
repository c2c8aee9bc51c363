package profile

import (
	"context"
	"math"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// naive recomputes a profile the plain way: every row in memory, maps,
// time.Time arithmetic, working days counted one by one.
type naive struct {
	cases                             int
	load                              map[string]int // normalised worker -> cases
	unallocated                       int
	counts                            []int // changes: value -> cases
	blank, bad                        int
	within, late, notDone, overdue    int
	noStart, unreadable, negative     int
	teamWithin, teamLate, teamNotDone map[string]int
	elapsed                           []int
}

func naiveDate(s string) (time.Time, string) {
	s = strings.TrimSpace(s)
	if s == "" {
		return time.Time{}, "blank"
	}
	if len(s) > 10 {
		s = s[:10]
	}
	t, err := time.Parse("2006-01-02", s)
	if err != nil {
		return time.Time{}, "bad"
	}
	return t, ""
}

func naiveWorkingDays(from, to time.Time) int {
	n := 0
	for d := from.AddDate(0, 0, 1); !d.After(to); d = d.AddDate(0, 0, 1) {
		if d.Weekday() != time.Saturday && d.Weekday() != time.Sunday {
			n++
		}
	}
	return n
}

func naiveLate(tl Timeliness, from, to time.Time) bool {
	days := int(to.Sub(from).Hours() / 24)
	switch tl.Unit {
	case UnitWorkingDays:
		return naiveWorkingDays(from, to) > tl.Limit
	case UnitWeeks:
		return days > 7*tl.Limit
	case UnitMonths:
		y, m, d := from.Date()
		first := time.Date(y, m+time.Month(tl.Limit), 1, 0, 0, 0, 0, time.UTC)
		last := first.AddDate(0, 1, -1).Day()
		return to.After(time.Date(first.Year(), first.Month(), min(d, last), 0, 0, 0, 0, time.UTC))
	}
	return days > tl.Limit
}

func naiveProfile(t *testing.T, tb *export.Table, where []sample.Filter, tl Timeliness, asOf time.Time) naive {
	t.Helper()
	all := make([]int, len(tb.Header))
	for i := range all {
		all[i] = i
	}
	col := func(name string) int {
		i, err := tb.ColumnIndex(name)
		if err != nil {
			t.Fatal(err)
		}
		return i
	}
	wc, cc, tc, fc, toc := col("Allocated Worker"), col("Workers in 12m"), col("Team"), col(tl.From), col(tl.To)
	var rows [][]string
	err := tb.Rows(context.Background(), all, func(r export.Row) error {
		if !r.Blank {
			rows = append(rows, slices.Clone(r.Cells))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	n := naive{load: map[string]int{}, teamWithin: map[string]int{}, teamLate: map[string]int{}, teamNotDone: map[string]int{}}
	seen := map[string]bool{}
	sc := -1
	for i, h := range tb.Header {
		if h == "Status" {
			sc = i
		}
	}
rows:
	for _, r := range rows {
		id := strings.TrimSpace(r[tb.IDIndex])
		if id == "" || sample.IsFooterID(id) || seen[id] {
			continue
		}
		seen[id] = true
		// A caseload counts every open case of the export, whatever the
		// filters; names "Surname, Forename" are "Forename Surname".
		if sc < 0 || !strings.EqualFold(strings.TrimSpace(r[sc]), "closed") {
			w := strings.ToLower(strings.Join(strings.Fields(r[wc]), " "))
			if a, b, ok := strings.Cut(w, ", "); ok {
				w = b + " " + a
			}
			if Unallocated(w) {
				n.unallocated++
			} else {
				n.load[w]++
			}
		}
		for _, f := range where {
			if !f.Match(r[col(f.Column)]) {
				continue rows
			}
		}
		n.cases++
		if v := strings.TrimSpace(r[cc]); v == "" {
			n.blank++
		} else if x, err := strconv.Atoi(v); err != nil || x < 0 {
			n.bad++
		} else {
			for x >= len(n.counts) {
				n.counts = append(n.counts, 0)
			}
			n.counts[x]++
		}
		team := strings.TrimSpace(r[tc])
		from, fk := naiveDate(r[fc])
		to, tk := naiveDate(r[toc])
		switch {
		case fk == "bad" || tk == "bad":
			n.unreadable++
		case fk == "blank":
			n.noStart++
		case tk == "blank":
			n.notDone++
			n.teamNotDone[team]++
			if asOf.After(from) && naiveLate(tl, from, asOf) {
				n.overdue++
			}
		case to.Before(from):
			n.negative++
		case naiveLate(tl, from, to):
			n.late++
			n.teamLate[team]++
			n.elapsed = append(n.elapsed, elapsedNaive(tl, from, to))
		default:
			n.within++
			n.teamWithin[team]++
			n.elapsed = append(n.elapsed, elapsedNaive(tl, from, to))
		}
	}
	return n
}

func elapsedNaive(tl Timeliness, from, to time.Time) int {
	if tl.Unit == UnitWorkingDays {
		return naiveWorkingDays(from, to)
	}
	return int(to.Sub(from).Hours() / 24)
}

func writeSynth(t *testing.T, name string, o synth.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := synth.WriteFile(path, o); err != nil {
		t.Fatal(err)
	}
	return path
}

// The profile of a generated 3,000-row export (clean and messy, csv and
// xlsx, with and without filters, every limit unit) agrees with the naive
// recomputation, and its population with sample.Load's.
func TestAgainstNaive(t *testing.T) {
	asOf := time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)
	specs := []string{
		"Referral Date..Assessment Completed<=45d",
		"Referral Date..Assessment Completed<=30wd",
		"Assessment Completed..Plan Start Date<=2w",
		"Referral Date..Plan Start Date<=2m",
	}
	wheres := [][]string{nil, {"Legal Status=CP"}, {"Team!=Salisbury CIN", "Referral Date>=2025-01-01"}}
	files := []struct {
		name string
		o    synth.Options
	}{
		{"clean.csv", synth.Options{Rows: 3000, Seed: 1}},
		{"messy.csv", synth.Options{Rows: 3000, Seed: 7, Messy: true}},
		{"messy.xlsx", synth.Options{Rows: 3000, Seed: 7, Messy: true}},
	}
	results := map[string]Profile{}
	for _, fl := range files {
		path := writeSynth(t, fl.name, fl.o)
		for wi, wh := range wheres {
			for si, s := range specs {
				tl := mustTimeliness(t, s)
				tb, err := export.Open(context.Background(), path, export.OpenOptions{})
				if err != nil {
					t.Fatal(err)
				}
				var filters []sample.Filter
				for _, w := range wh {
					f, err := sample.ParseFilter(w)
					if err != nil {
						t.Fatal(err)
					}
					filters = append(filters, f)
				}
				target := 15 + si
				p, err := New(Spec{CaseloadTarget: target, Timeliness: []Timeliness{tl}, AsOf: asOf, IncludeNames: true}, tb)
				if err != nil {
					t.Fatal(err)
				}
				counts, err := Read(context.Background(), tb, p, ReadOptions{Where: filters})
				if err != nil {
					t.Fatal(err)
				}
				got := p.Result()
				want := naiveProfile(t, tb, filters, tl, asOf)
				label := fl.name + " " + strings.Join(wh, " & ") + " " + s
				checkAgainstNaive(t, label, got, want, target)

				pop, err := sample.Load(context.Background(), tb, sample.LoadOptions{Seed: "s", Where: filters})
				if err != nil {
					t.Fatal(err)
				}
				if pop.Len() != got.Cases || pop.Rows != counts.Rows || pop.Blank != counts.Blank || pop.Footers != counts.Footers ||
					pop.Duplicates != counts.Duplicates || pop.Distinct != counts.Distinct || pop.FilteredOut != counts.FilteredOut ||
					!reflect.DeepEqual(pop.FirstDuplicates, counts.FirstDuplicates) {
					t.Errorf("%s: population %d (%+v), sample.Load's %d (%+v)", label, got.Cases, counts, pop.Len(), pop)
				}
				tb.Close()
				if strings.HasPrefix(fl.name, "messy") {
					results[fl.name+strconv.Itoa(wi)+strconv.Itoa(si)] = got
				}
			}
		}
	}
	// The same export as csv and as xlsx gives the same profile.
	for k, v := range results {
		if strings.HasPrefix(k, "messy.csv") {
			x := results["messy.xlsx"+strings.TrimPrefix(k, "messy.csv")]
			if !reflect.DeepEqual(v, x) {
				t.Errorf("%s: csv and xlsx profiles differ", k)
			}
		}
	}
}

func checkAgainstNaive(t *testing.T, label string, got Profile, want naive, target int) {
	t.Helper()
	if got.Cases != want.cases {
		t.Errorf("%s: cases %d, want %d", label, got.Cases, want.cases)
	}
	c := got.Caseload
	var loads []int
	allocated := 0
	for _, n := range want.load {
		loads = append(loads, n)
		allocated += n
	}
	sort.Ints(loads)
	med := float64(loads[(len(loads)-1)/2]+loads[len(loads)/2]) / 2
	above, aboveCases := 0, 0
	for _, n := range loads {
		if n > target {
			above++
			aboveCases += n
		}
	}
	if c.Workers != len(loads) || c.Allocated != allocated || c.Unallocated != want.unallocated || c.Max != loads[len(loads)-1] ||
		c.Min != loads[0] || !eqf(c.Median, med) || !eqf(c.Mean, float64(allocated)/float64(len(loads))) {
		t.Errorf("%s: caseload %+v; want %d workers, %d allocated, max %d, median %v", label, c, len(loads), allocated, loads[len(loads)-1], med)
	}
	if c.AboveTarget.Workers != above || c.AboveTarget.Cases != aboveCases || !eqf(c.AboveTarget.CasesShare, float64(aboveCases)/float64(allocated)) {
		t.Errorf("%s: above target %+v, want %d workers holding %d", label, c.AboveTarget, above, aboveCases)
	}
	bw, bc := 0, 0
	for _, b := range c.Bands {
		bw += b.Workers
		bc += b.Cases
	}
	if bw != c.Workers || bc != c.Allocated {
		t.Errorf("%s: bands hold %d workers, %d cases", label, bw, bc)
	}
	if len(c.WorkerList) != len(loads) {
		t.Errorf("%s: %d workers listed, want %d", label, len(c.WorkerList), len(loads))
	}

	ch := got.Changes
	counted, atLeast := 0, 0
	for v, n := range want.counts {
		counted += n
		if v >= 3 {
			atLeast += n
		}
	}
	if ch.Counted != counted || ch.Blank != want.blank || ch.NotNumbers != want.bad || ch.AtLeastCases != atLeast {
		t.Errorf("%s: changes %+v; want counted %d, at least 3: %d", label, ch, counted, atLeast)
	}
	for _, vc := range ch.Distribution {
		w := 0
		for v, n := range want.counts {
			if v == vc.Value || (vc.OrMore && v > vc.Value) {
				w += n
			}
		}
		if vc.Cases != w {
			t.Errorf("%s: changes %s: %d, want %d", label, vc.Label, vc.Cases, w)
		}
	}

	tl := got.Timeliness[0]
	if tl.Within != want.within || tl.Late != want.late || tl.NotDone != want.notDone || tl.Overdue != want.overdue ||
		tl.NoStart != want.noStart || tl.Unreadable != want.unreadable || tl.Negative != want.negative {
		t.Errorf("%s: timeliness %+v, want within %d late %d not done %d overdue %d no start %d unreadable %d negative %d", label,
			tl.TimelinessCounts, want.within, want.late, want.notDone, want.overdue, want.noStart, want.unreadable, want.negative)
	}
	if tl.Within+tl.Late+tl.NotDone+tl.NoStart+tl.Unreadable+tl.Negative != got.Cases {
		t.Errorf("%s: statuses do not add up to the cases", label)
	}
	for _, team := range tl.ByTeam {
		if team.Within != want.teamWithin[team.Team] || team.Late != want.teamLate[team.Team] || team.NotDone != want.teamNotDone[team.Team] {
			t.Errorf("%s: team %s: %+v, want within %d late %d not done %d", label, team.Team, team.TimelinessCounts,
				want.teamWithin[team.Team], want.teamLate[team.Team], want.teamNotDone[team.Team])
		}
	}
	sort.Ints(want.elapsed)
	if len(want.elapsed) > 0 {
		m := float64(want.elapsed[(len(want.elapsed)-1)/2]+want.elapsed[len(want.elapsed)/2]) / 2
		if !eqf(tl.MedianElapsed, m) {
			t.Errorf("%s: median elapsed %v, want %v", label, *tl.MedianElapsed, m)
		}
	}
	if tl.WithinShare != nil && math.Abs(*tl.WithinShare-float64(want.within)/float64(want.within+want.late+want.notDone)) > 1e-12 {
		t.Errorf("%s: within share %v", label, *tl.WithinShare)
	}
}
