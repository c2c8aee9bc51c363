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

// The trend by team: each team's share per audit with its exact interval,
// checked against R's binom.test; a team whose cases would expect fewer
// than 5 flagged (or not) is too few to tell; the audit not wholly
// recorded is marked incomplete in every format.
func TestTrendByTeam(t *testing.T) {
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
	type want struct {
		k, n         int
		lower, upper float64 // R: binom.test(k, n)$conf.int
		tooFew       bool
	}
	wants := map[string]map[string]want{
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
	for _, p := range tr.Audits {
		w := wants[p.Audit]
		if len(p.Groups) != len(w) {
			t.Errorf("%s: %d groups", p.Audit, len(p.Groups))
		}
		for _, g := range p.Groups {
			x := w[g.Group]
			if g.Flagged != x.k || g.Audited != x.n || g.TooFew != x.tooFew || math.Abs(*g.Lower-x.lower) > 1e-9 || math.Abs(*g.Upper-x.upper) > 1e-9 {
				t.Errorf("%s %s: %d of %d, [%.10f, %.10f], too few %v; want %+v", p.Audit, g.Group, g.Flagged, g.Audited, *g.Lower, *g.Upper, g.TooFew, x)
			}
		}
	}
	if p := tr.Audits[1]; !p.Incomplete || p.NotRecorded != 4 || tr.Audits[0].Incomplete {
		t.Errorf("incomplete: %v %d; June %v", p.Incomplete, p.NotRecorded, tr.Audits[0].Incomplete)
	}
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
	o.By = "Legal Status"
	if _, err := BuildTrend(context.Background(), st, o); err != nil {
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
