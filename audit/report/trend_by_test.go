package report

import (
	"bytes"
	"context"
	"math"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// trendByStore holds two audits by team: June, 80 cases all recorded
// (North 12 of 20 flagged, South 8, East 2, West 4); July, 40 cases of
// which 36 are recorded (one per team not yet), North 2 of 9 flagged.
func trendByStore(t *testing.T) *audit.Store {
	t.Helper()
	ctx := context.Background()
	st, clock := clockStore(t, time.Date(2026, 6, 1, 9, 0, 0, 0, time.UTC))
	flags := map[string]int{"North": 12, "South": 8, "East": 2, "West": 4}
	if _, err := st.CreateAudit(ctx, fxAudit("2026-06", 3000), fxCases(80, "CR06")); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 6, 10, 17, 0, 0, 0, time.UTC) // recorded on the day the cases were read
	seen := map[string]int{}
	for _, c := range fxCases(80, "CR06") {
		team := c.Fields[0]
		mustRecord(t, st, "2026-06", audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: seen[team] < flags[team], Date: "2026-06-10"})
		seen[team]++
	}
	clock.t = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	if _, err := st.CreateAudit(ctx, fxAudit("2026-07", 3000), fxCases(40, "CR07")); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 7, 10, 17, 0, 0, 0, time.UTC)
	seen = map[string]int{}
	for _, c := range fxCases(40, "CR07") {
		team := c.Fields[0]
		seen[team]++
		if seen[team] == 10 {
			continue // not recorded yet
		}
		mustRecord(t, st, "2026-07", audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good,
			Immediate: team == "North" && seen[team] <= 2, Date: "2026-07-10"})
	}
	return st
}

// trendByInputs is trendByStore's two audits as groupBy takes them: the
// audit, its active cases, its findings and which of them need immediate
// attention, and its trend point with its counts so far.
func trendByInputs() (audits []audit.Audit, cases [][]audit.SampledCase, fs [][]audit.Finding, judged []map[string]bool, points []TrendPoint) {
	flags := map[string]int{"North": 12, "South": 8, "East": 2, "West": 4}
	jun, jul := fxCases(80, "CR06"), fxCases(40, "CR07")
	var fJun, fJul []audit.Finding
	jJun, jJul := map[string]bool{}, map[string]bool{}
	seen := map[string]int{}
	for _, c := range jun {
		team := c.Fields[0]
		fJun = append(fJun, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: seen[team] < flags[team]})
		jJun[c.ID] = seen[team] < flags[team]
		seen[team]++
	}
	seen = map[string]int{}
	for _, c := range jul {
		team := c.Fields[0]
		seen[team]++
		if seen[team] == 10 {
			continue // not recorded yet
		}
		fJul = append(fJul, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: team == "North" && seen[team] <= 2})
		jJul[c.ID] = team == "North" && seen[team] <= 2
	}
	grades := func(good int) map[string]int {
		return map[string]int{"Outstanding": 0, "Good": good, "Requires improvement": 0, "Inadequate": 0}
	}
	points = []TrendPoint{ // binom.test(26, 80) and binom.test(2, 36)
		{Audit: "2026-06", Period: "2026-06", Sampled: 80, Audited: 80, Flagged: 26, Grades: grades(80),
			Share: ptr(26.0 / 80), Lower: ptr(0.224459585177), Upper: ptr(0.438937045604)},
		{Audit: "2026-07", Period: "2026-07", Sampled: 40, Audited: 36, Flagged: 2, NotRecorded: 4, Incomplete: true, Grades: grades(36),
			Share: ptr(2.0 / 36), Lower: ptr(0.00680030065402), Upper: ptr(0.18663670645755)},
	}
	return []audit.Audit{fxAudit("2026-06", 3000), fxAudit("2026-07", 3000)}, [][]audit.SampledCase{jun, jul},
		[][]audit.Finding{fJun, fJul}, []map[string]bool{jJun, jJul}, points
}

// teamShares are the trend by team of trendByInputs, each team's exact
// interval from R.
type teamShare struct {
	k, n         int
	lower, upper float64 // R: binom.test(k, n)$conf.int
	tooFew       bool
}

var teamShares = map[string]map[string]teamShare{
	"2026-06": { // 26 of 80 flagged: a team of 20 expects 6.5 flagged and 13.5 not
		"North": {12, 20, 0.3605425873, 0.8088099393, false}, // binom.test(12, 20)
		"South": {8, 20, 0.1911900607, 0.6394574127, false},  // binom.test(8, 20)
		"East":  {2, 20, 0.0123485272, 0.3169827140, false},  // binom.test(2, 20)
		"West":  {4, 20, 0.0573339971, 0.4366140030, false},  // binom.test(4, 20)
	},
	"2026-07": { // 2 of 36: a team of 9 expects 0.5 flagged
		"North": {2, 9, 0.0281449735, 0.6000935737, true}, // binom.test(2, 9)
		"South": {0, 9, 0, 0.3362671169, true},            // binom.test(0, 9)
		"East":  {0, 9, 0, 0.3362671169, true},
		"West":  {0, 9, 0, 0.3362671169, true},
	},
}

// checkTeamShares checks a trend's groups against teamShares.
func checkTeamShares(t *testing.T, ps []TrendPoint) {
	t.Helper()
	for _, p := range ps {
		w := teamShares[p.Audit]
		if len(p.Groups) != len(w) {
			t.Errorf("%s: %d groups", p.Audit, len(p.Groups))
		}
		for _, g := range p.Groups {
			x := w[g.Group]
			if g.Flagged != x.k || g.Audited != x.n || g.TooFew != x.tooFew || g.Share == nil || math.Abs(*g.Share-float64(x.k)/float64(x.n)) > 1e-12 ||
				math.Abs(*g.Lower-x.lower) > 1e-9 || math.Abs(*g.Upper-x.upper) > 1e-9 {
				t.Errorf("%s %s: %d of %d, [%.10f, %.10f], too few %v; want %+v", p.Audit, g.Group, g.Flagged, g.Audited, *g.Lower, *g.Upper, g.TooFew, x)
			}
		}
	}
}

// The trend by team, computed from hand-written cases and findings: each
// team's share per audit with its exact interval, checked against R's
// binom.test; a team whose cases would expect fewer than 5 flagged (or
// not) is too few to tell; the audit not wholly recorded is marked
// incomplete in every format.
func TestTrendByTeam(t *testing.T) {
	o := fixedOptions()
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	audits, cases, fs, judged, ps := trendByInputs()
	for i := range ps {
		name, err := ps[i].groupBy(&audits[i], cases[i], "team", judged[i], fs[i], o)
		if err != nil || name != "Team" {
			t.Fatalf("%s: %q, %v", ps[i].Audit, name, err)
		}
	}
	checkTeamShares(t, ps)
	tr := &Trend{By: "Team", Method: o.Method, Confidence: o.Confidence, Audits: ps}
	for _, f := range []Format{Table, Markdown, HTML, CSV, JSON} {
		var b bytes.Buffer
		if err := RenderTrend(&b, tr, f, RenderOptions{}); err != nil {
			t.Fatal(err)
		}
		out := b.String()
		for _, want := range map[Format][]string{
			Table:    {"North", "60% (12 of 20, 36% – 80.9%)", "22.2% (2 of 9, 2.8% – 60.1%) †", "2026-07 (incomplete: 4 of 40 not recorded)"},
			Markdown: {"60% (12 of 20, 36% – 80.9%)", "2026-07 (incomplete: 4 of 40 not recorded)"},
			HTML:     {"60% (12 of 20, 36% – 80.9%)", "2026-07 (incomplete: 4 of 40 not recorded)"},
			CSV:      {"2026-07,2026-07,Team,North,9,2,0.2222222222222222,clopper-pearson,0.95,0.028144973", ",true,true"},
			JSON:     {`"by": "Team"`, `"too_few": true`, `"incomplete": true`, `"not_recorded": 4`},
		}[f] {
			if !strings.Contains(out, want) {
				t.Errorf("%s lacks %q:\n%s", f, want, out)
			}
		}
	}
}

// Grouping by the strata, by a column with blanks, by personal details
// and by a column the audit does not show, on hand-written cases. Of five
// cases, North has three audited (one flagged) and one not, and one case
// has a blank team and stratum, audited and not flagged:
// binom.test(1, 3) gives [0.00840375865961, 0.90570067594975] and
// binom.test(0, 1) [0, 0.975]; with 1 of 4 flagged overall, both groups
// are too few to tell.
func TestTrendGroupBy(t *testing.T) {
	o := fixedOptions()
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	cs := fxCases(5, "CR") // teams North, South, East, West, North
	cs[1].Fields[0], cs[2].Fields[0], cs[3].Fields[0] = "North", "North", " "
	cs[1].Stratum, cs[2].Stratum, cs[3].Stratum = "North", "North", ""
	var fs []audit.Finding
	for _, c := range cs[:4] { // the fifth case is not audited
		fs = append(fs, audit.Finding{Case: c.ID, Grade: audit.Good})
	}
	judged := map[string]bool{cs[0].ID: true}
	groups := func(a audit.Audit, by string, o Options) (string, []TrendGroup, error) {
		p := TrendPoint{Audit: a.Name, Audited: 4, Flagged: 1}
		name, err := p.groupBy(&a, cs, by, judged, fs, o)
		return name, p.Groups, err
	}
	want := []TrendGroup{
		{Group: "(blank)", Audited: 1, Flagged: 0, Share: ptr(0.0), Lower: ptr(0.0), Upper: ptr(0.975), TooFew: true},
		{Group: "North", Audited: 3, Flagged: 1, Share: ptr(1.0 / 3), Lower: ptr(0.00840375865961), Upper: ptr(0.90570067594975), TooFew: true},
	}
	same := func(x, y *float64) bool { return x != nil && y != nil && math.Abs(*x-*y) < 1e-9 }
	a := fxAudit("2026-07", 3000)
	for _, by := range []string{"Team", " TEAM ", "stratum"} {
		name, gs, err := groups(a, strings.TrimSpace(by), o)
		if err != nil || name != "Team" || len(gs) != len(want) {
			t.Fatalf("by %q: %q %+v %v", by, name, gs, err)
		}
		for i, g := range gs {
			w := want[i]
			if g.Group != w.Group || g.Audited != w.Audited || g.Flagged != w.Flagged || g.TooFew != w.TooFew ||
				!same(g.Share, w.Share) || !same(g.Lower, w.Lower) || !same(g.Upper, w.Upper) {
				t.Errorf("by %q: %+v; want %+v", by, g, w)
			}
		}
	}

	// Were a group like its whole audit (4 in 5 flagged), 10 cases would
	// expect 8 flagged and 2 not: too few to tell; 30 would expect 24 and 6.
	for n, tooFew := range map[int]bool{10: true, 30: false} {
		many := fxCases(n, "M")
		judged, fs := map[string]bool{}, []audit.Finding(nil)
		for i := range many {
			many[i].Fields[0], many[i].Stratum = "North", "North"
			fs = append(fs, audit.Finding{Case: many[i].ID, Grade: audit.Good})
			judged[many[i].ID] = i < n*4/5
		}
		p := TrendPoint{Audit: a.Name, Audited: n, Flagged: n * 4 / 5}
		if _, err := p.groupBy(&a, many, "Team", judged, fs, o); err != nil || len(p.Groups) != 1 || p.Groups[0].Flagged != n*4/5 || p.Groups[0].TooFew != tooFew {
			t.Errorf("%d cases, 4 in 5 flagged: %+v %v", n, p.Groups, err)
		}
	}

	unstratified := a
	unstratified.Provenance.Strata = nil
	if name, gs, err := groups(unstratified, "stratum", o); name != "" || gs != nil || err != nil {
		t.Errorf("an unstratified audit by stratum: %q %+v %v", name, gs, err)
	}
	if name, gs, err := groups(a, "Postcode", o); name != "" || gs != nil || err != nil {
		t.Errorf("by a column the audit does not show: %q %+v %v", name, gs, err)
	}
	if _, _, err := groups(a, "Forename", o); err == nil || !strings.Contains(err.Error(), `"Forename" holds personal details; a trend by it needs`) {
		t.Errorf("by forename: %v", err)
	}
	o.IncludeNames = true
	// Ada, Ben, Cai, Dee audited; Eli's one case not, so no share and too few.
	if name, gs, err := groups(a, "forename", o); err != nil || name != "Forename" || len(gs) != 5 || gs[0].Group != "Ada" || gs[0].Flagged != 1 ||
		gs[4].Group != "Eli" || gs[4].Audited != 0 || gs[4].Share != nil || !gs[4].TooFew {
		t.Errorf("by forename, names included: %q %+v %v", name, gs, err)
	}
}

// The trend by team read from a store: the groups come out as computed
// from the same cases by hand, the audit not wholly recorded is marked
// incomplete, another shown column breaks it down too, and a column no
// audit shows is refused.
func TestTrendByStore(t *testing.T) {
	st := trendByStore(t)
	o := fixedOptions()
	o.By = "Team"
	tr, err := BuildTrend(context.Background(), st, o)
	if err != nil {
		t.Fatal(err)
	}
	if tr.By != "Team" || len(tr.Audits) != 2 {
		t.Fatalf("by %q, %d audits", tr.By, len(tr.Audits))
	}
	checkTeamShares(t, tr.Audits)
	if p := tr.Audits[1]; !p.Incomplete || p.NotRecorded != 4 || tr.Audits[0].Incomplete {
		t.Errorf("incomplete: %v %d; June %v", p.Incomplete, p.NotRecorded, tr.Audits[0].Incomplete)
	}
	o.By = "Legal Status"
	if tr, err := BuildTrend(context.Background(), st, o); err != nil || tr.By != "Legal Status" || len(tr.Audits[0].Groups) != 3 {
		t.Errorf("by another shown column: %v", err)
	}
	o.By = "Postcode"
	if _, err := BuildTrend(context.Background(), st, o); err == nil || !strings.Contains(err.Error(), `"Postcode": no audit with findings shows that column`) {
		t.Errorf("by a column no audit shows: %v", err)
	}
}

// clockStore opens a store in a temporary folder whose clock starts at at
// and ticks a second a reading.
func clockStore(t *testing.T, at time.Time) (*audit.Store, *fixedClock) {
	t.Helper()
	clock := &fixedClock{t: at}
	st, err := audit.Open(context.Background(), filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, clock
}
