package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// factorBlock is a run of cases alike in their factors and findings.
type factorBlock struct {
	name      string
	n         int
	caseload  int // 0: no allocated worker
	changes   int // 0: blank
	timely    string
	flagged   bool
	good      bool
	moderated bool // flagged by a moderator after the auditor said no (the first case only)
}

// factorBlocks make the hand-built audit of TestFactorsHandBuilt: 120
// cases drawn with their factors in the provenance, 10 grown with theirs in
// the trail (U1), and 1 grown without any (X). Caseload target 18: 12 is at
// or below it, 24 above; changes of worker counted as many from 2. The
// groups, counted by hand from the blocks:
//
//	caseload     at or below 18  F1 2 + F2 1 + U2a 7 + U2b 13 + U2c 17 + U3a 4 + U3b 16 = 60, flagged 3, Good 11
//	             above 18        F3 6 + F4 3 + U3c 21 + U3d 24 + U3e 6 = 60, flagged 9, Good 0
//	             in none         U1 10 (no allocated worker)
//	changes      1               F1 2 + F2 1 + U2 37 = 40, flagged 3, Good 7
//	             2 or more       F3 6 + F4 3 + U3 71 = 80, flagged 9, Good 4
//	             in none         U1 10 (blank)
//	timeliness   within          U1 10 + U2a 7 + U2b 13 + U3a 4 + U3b 16 = 50, flagged 0, Good 11
//	             late            F1 2 + U2c 17 + U3c 21 = 40, flagged 2, Good 0
//	             not yet due     F3 6 + U3d 14 = 20, flagged 6, Good 0 (shown, not tested)
//	             overdue         U3d 10, flagged 0, Good 0
//	             in none         F2 1 + F4 3 + U3e 6 = 10 (no start date)
//
// So R's reference values (shared/reference/statistics.md, "Factors")
// appear: flagged by caseload 3 of 60 against 9 of 60 (Fisher, p =
// 0.1254475474); Good or better by changes 7 of 40 against 4 of 80 (Fisher,
// p = 0.04068008964). By timeliness every test is too small to tell. One case of F3 was not flagged
// by its auditor but by a moderator after: by the latest judgement it is
// flagged, as in the headline (12 of 131).
var factorBlocks = []factorBlock{
	{"F1", 2, 12, 1, sample.TimelinessLate, true, false, false},
	{"F2", 1, 12, 1, sample.TimelinessNoStart, true, false, false},
	{"F3", 6, 24, 3, sample.TimelinessNotDone, true, false, true},
	{"F4", 3, 24, 3, sample.TimelinessNoStart, true, false, false},
	{"U2a", 7, 12, 1, sample.TimelinessWithin, false, true, false},
	{"U2b", 13, 12, 1, sample.TimelinessWithin, false, false, false},
	{"U2c", 17, 12, 1, sample.TimelinessLate, false, false, false},
	{"U3a", 4, 12, 3, sample.TimelinessWithin, false, true, false},
	{"U3b", 16, 12, 3, sample.TimelinessWithin, false, false, false},
	{"U3c", 21, 24, 3, sample.TimelinessLate, false, false, false},
	{"U3d", 24, 24, 3, sample.TimelinessNotDone, false, false, false}, // the first 10 overdue
	{"U3e", 6, 24, 3, sample.TimelinessNoStart, false, false, false},
	{"U1", 10, 0, 0, sample.TimelinessWithin, false, false, false}, // grown, factors in the trail
	{"X", 1, 0, 0, "", false, false, false},                        // grown, no factors recorded
}

func factorStore(t *testing.T) *audit.Store {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	cases := fxCases(131, "CF")
	values := map[string]sample.CaseFactors{}
	type finding struct {
		flagged, good, moderated bool
	}
	findings := map[string]finding{}
	i := 0
	overdue := 0
	for _, b := range factorBlocks {
		for k := 0; k < b.n; k++ {
			c := &cases[i]
			i++
			findings[c.ID] = finding{b.flagged, b.good, b.moderated && k == 0}
			if b.name == "X" {
				continue
			}
			var cf sample.CaseFactors
			if b.caseload > 0 {
				v := b.caseload
				cf.Caseload = &v
			}
			if b.changes > 0 {
				v := b.changes
				cf.Changes = &v
			}
			tl := b.timely
			if b.name == "U3d" && overdue < 10 {
				tl = sample.TimelinessOverdue
				overdue++
			}
			cf.Timeliness = []string{tl}
			if c.Order > 120 {
				c.Factors = &cf // grown: recorded in the trail
			} else {
				values[c.ID] = cf
			}
		}
	}
	a := fxAudit("2026-07", 3000)
	med := 19.0
	a.Provenance.Factors = &sample.Factors{
		Spec: sample.FactorSpec{WorkerColumn: "Allocated Worker", ChangesColumn: "Workers in 12m", TeamColumn: "Team",
			CaseloadTarget: 18, ChangesAtLeast: 2, Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01"},
		Population: sample.FactorSummary{Cases: 3000,
			Caseload: &sample.CaseloadSummary{Allocated: 2990, Unallocated: 10, Workers: 160, Median: &med, Max: 31,
				AboveTargetWorkers: 85, AboveTargetCases: 1896},
			Changes: &sample.ChangesSummary{Counted: 3000, AtLeastCases: 2400},
			Timeliness: []sample.TimelinessSummary{{Pair: "Referral Date..Assessment Completed<=45d", Measured: 3000,
				Within: 1974, Late: 884, NotDone: 142, Overdue: 134}}},
		Cases: values,
	}
	if _, err := st.CreateAudit(ctx, a, cases[:120]); err != nil {
		t.Fatal(err)
	}
	if err := st.Grow(ctx, "2026-07", cases[120:]); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 7, 20, 17, 0, 0, 0, time.UTC) // recorded on the day the cases were read
	for _, c := range cases {
		f := findings[c.ID]
		g := audit.RequiresImprovement
		if f.good {
			g = audit.Good
		}
		mustRecord(t, st, "2026-07", audit.Finding{Case: c.ID, Auditor: "A. Auditor", Grade: g, Immediate: f.flagged && !f.moderated, Date: "2026-07-20"})
	}
	if _, err := st.DrawModeration(ctx, "2026-07", 131, "m"); err != nil {
		t.Fatal(err)
	}
	for _, c := range cases {
		if findings[c.ID].moderated {
			mustRecord(t, st, "2026-07", audit.Finding{Case: c.ID, Auditor: "M. Moderator", Grade: audit.Good, Immediate: true, Moderation: true})
		}
	}
	if v, err := st.Verify(ctx, "2026-07"); err != nil || !v.OK {
		t.Fatalf("the hand-built store does not verify: %v %v", err, v.Problems)
	}
	return st
}

type groupWant struct {
	label                  string
	audited, flagged, good int
}

func TestFactorsHandBuilt(t *testing.T) {
	st := factorStore(t)
	r, err := Build(context.Background(), st, "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	// The headline is the same as without the section: 12 of the 131.
	if r.Audited != 131 || r.Flagged != 12 || *r.Share != 12.0/131 {
		t.Fatalf("headline %d of %d", r.Flagged, r.Audited)
	}
	fs := r.Factors
	if fs == nil {
		t.Fatal("no factors section")
	}
	if fs.Audited != 131 || fs.Recorded != 130 {
		t.Errorf("audited %d, with factors %d; want 131 and 130", fs.Audited, fs.Recorded)
	}
	want := map[string][]groupWant{
		"caseload":     {{"at or below 18", 60, 3, 11}, {"above 18", 60, 9, 0}},
		"changes":      {{"1", 40, 3, 7}, {"2 or more", 80, 9, 4}},
		"timeliness_1": {{"within", 50, 0, 11}, {"late", 40, 2, 0}, {"not done, not yet due", 20, 6, 0}, {"not done, overdue", 10, 0, 0}},
	}
	notGrouped := map[string]int{"caseload": 10, "changes": 10, "timeliness_1": 10}
	if len(fs.Groupings) != 3 {
		t.Fatalf("%d groupings, want 3", len(fs.Groupings))
	}
	byKey := map[string]FactorGrouping{}
	for _, g := range fs.Groupings {
		byKey[g.Key] = g
		w := want[g.Key]
		if len(g.Groups) != len(w) {
			t.Fatalf("%s: %d groups, want %d", g.Key, len(g.Groups), len(w))
		}
		for i, x := range g.Groups {
			if x.Label != w[i].label || x.Audited != w[i].audited || x.Flagged != w[i].flagged || x.Good != w[i].good {
				t.Errorf("%s group %d: %q %d audited, %d flagged, %d Good or better; want %+v", g.Key, i, x.Label, x.Audited, x.Flagged, x.Good, w[i])
			}
			cp, _ := stats.ClopperPearson(x.Flagged, x.Audited, 0.95)
			if *x.FlaggedShare != float64(x.Flagged)/float64(x.Audited) || *x.FlaggedLower != cp.Lower || *x.FlaggedUpper != cp.Upper {
				t.Errorf("%s %s: flagged interval %v–%v, want Clopper–Pearson %v", g.Key, x.Label, *x.FlaggedLower, *x.FlaggedUpper, cp)
			}
		}
		if g.NotGrouped != notGrouped[g.Key] {
			t.Errorf("%s: %d not grouped, want %d", g.Key, g.NotGrouped, notGrouped[g.Key])
		}
	}
	near := func(what string, got *float64, want float64) {
		t.Helper()
		if got == nil || math.Abs(*got-want) > 1e-9*math.Max(1, math.Abs(want)) {
			t.Errorf("%s = %v, R gives %v", what, got, want)
		}
	}
	// R: fisher.test(matrix(c(9, 51, 3, 57), 2)).
	cl := byKey["caseload"]
	near("caseload, flagged, Fisher p", cl.Flagged.P, 0.1254475474)
	if cl.Flagged.Method != stats.TestFisher || cl.Flagged.Verdict != VerdictNoClear || len(cl.Flagged.Small) != 0 {
		t.Errorf("caseload, flagged: %+v", cl.Flagged)
	}
	// Good or better by caseload: 11 of 60 against 0 of 60. With equal
	// groups the two-sided p is twice the chance that all 11 fall in one:
	// 2 × C(60, 11) / C(120, 11).
	p := 2.0
	for i := 0; i < 11; i++ {
		p *= float64(60-i) / float64(120-i)
	}
	near("caseload, Good or better, Fisher p", cl.GoodOrBetter.P, p)
	if cl.GoodOrBetter.Verdict != VerdictAssociation || !strings.Contains(cl.GoodOrBetter.Sentence, "not evidence of a cause") {
		t.Errorf("caseload, Good or better: %+v", cl.GoodOrBetter)
	}
	// R: fisher.test(matrix(c(7, 33, 4, 76), 2)). "1" expects 40 × 11 / 120
	// = 3.7 Good or better: small, yet Fisher's test is exact.
	ch := byKey["changes"]
	near("changes, Good or better, Fisher p", ch.GoodOrBetter.P, 0.04068008964)
	if ch.GoodOrBetter.Verdict != VerdictAssociation || len(ch.GoodOrBetter.Small) != 1 || ch.GoodOrBetter.Small[0] != "1" ||
		!strings.Contains(ch.GoodOrBetter.Sentence, "The group “1” is small (fewer than 5 cases Good or better expected)") {
		t.Errorf("changes, Good or better: %+v", ch.GoodOrBetter)
	}
	// 3 of 40 against 9 of 80: "1" expects 4 flagged: too few to tell,
	// and no p-value inside those words.
	if ch.Flagged.Verdict != VerdictTooSmall || !strings.Contains(ch.Flagged.Sentence, "Too few cases to tell") ||
		ch.Flagged.P != nil || strings.Contains(ch.Flagged.Sentence, "p =") || strings.Contains(ch.Flagged.Sentence, "p <") {
		t.Errorf("changes, flagged: %+v", ch.Flagged)
	}
	// Timeliness, flagged: 0 of 50 within, 2 of 40 late, 0 of 10 overdue
	// (the 20 not yet due are shown, not tested): 2 flagged in all, so
	// every group expects fewer than 5: too few to tell, no p-value.
	tl := byKey["timeliness_1"]
	if tl.Flagged.Verdict != VerdictTooSmall || tl.Flagged.P != nil || strings.Contains(tl.Flagged.Sentence, "p =") ||
		strings.Contains(tl.Flagged.Sentence, "p <") || len(tl.Flagged.Small) != 3 {
		t.Errorf("timeliness, flagged: %+v", tl.Flagged)
	}
	// Good or better: 11 of 50, 0 of 40, 0 of 10: late and overdue expect
	// 4.4 and 1.1; left with one group, nothing to compare.
	if g := tl.GoodOrBetter; g.Verdict != VerdictTooSmall || g.P != nil || !strings.Contains(g.Sentence, "leaving no two groups to compare") {
		t.Errorf("timeliness, Good or better: %+v", g)
	}
	if len(tl.Untested) != 1 || tl.Untested[0] != "not done, not yet due" {
		t.Errorf("timeliness, untested %q", tl.Untested)
	}
	// Three tests have a p-value (caseload twice, changes Good or better):
	// the section says so and puts Holm's correction beside each.
	if fs.Tests != 3 || cl.Flagged.PHolm == nil || !strings.Contains(fs.Notes[0], "This section made 3 tests") ||
		!strings.Contains(fs.Notes[0], "about one test in twenty would look “significant” by chance alone") {
		t.Errorf("tests %d, notes %q, Holm %v", fs.Tests, fs.Notes, cl.Flagged.PHolm)
	}
	// R: p.adjust(c(0.1254475474, p, 0.04068008964), "holm").
	ps := []float64{*cl.Flagged.P, *cl.GoodOrBetter.P, *ch.GoodOrBetter.P}
	holm, _ := stats.Holm(ps)
	near("caseload, flagged, Holm", cl.Flagged.PHolm, holm[0])
	near("changes, Good or better, Holm", ch.GoodOrBetter.PHolm, 2*0.04068008964)
	if !strings.Contains(ch.GoodOrBetter.Sentence, "not below 5% once the other tests are allowed for") {
		t.Errorf("changes, Good or better, with Holm: %q", ch.GoodOrBetter.Sentence)
	}

	// The words, in every text format.
	var b bytes.Buffer
	if err := WriteTable(&b, r, false); err != nil {
		t.Fatal(err)
	}
	text := b.String()
	for _, s := range []string{
		"\nFactors\n",
		"The\nheadline share above is unchanged by this section",
		"an association, not a cause",
		"  Caseload above the target of 18                           85 of 160 workers (53.1%), holding 1,896 of 2,990 allocated cases (63.4%)\n",
		"  Audited cases with factors                                130 of 131\n",
		"  Caseload against the target of 18\n",
		"  at or below 18       60        3     5%      1% – 14%              11  18.3%  9.5% – 30.5%\n",
		"1 audited case has no factor values recorded",
	} {
		if !strings.Contains(text, s) {
			t.Errorf("the table lacks %q", s)
		}
	}
	if t.Failed() {
		t.Log(text)
	}
	for _, f := range []Format{Markdown, HTML, CSV, XLSX} {
		b.Reset()
		if err := Render(&b, r, f, RenderOptions{}); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		if f == XLSX {
			x, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
			if err != nil {
				t.Fatal(err)
			}
			rows, err := x.GetRows("Factors")
			if err != nil {
				t.Fatalf("xlsx: %v", err)
			}
			found := false
			for _, row := range rows {
				if len(row) >= 4 && row[0] == "at or below 18" && row[1] == "60" && row[2] == "3" && row[3] == "5.0%" {
					found = true
				}
			}
			if !found {
				t.Errorf("xlsx: no caseload row in %q", rows)
			}
			x.Close()
		} else if !strings.Contains(b.String(), "an association in this sample, not evidence of a cause") {
			t.Errorf("%s: no factors", f)
		}
	}
	// JSON carries the section under "factors".
	b.Reset()
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var js struct {
		Factors *Factors `json:"factors"`
	}
	if err := json.Unmarshal(b.Bytes(), &js); err != nil || js.Factors == nil || len(js.Factors.Groupings) != 3 {
		t.Errorf("json factors: %v %+v", err, js.Factors)
	}
}

// An audit without factors has no section, and its JSON no "factors".
func TestFactorsAbsent(t *testing.T) {
	r := buildFixture(t, "2026-07", fixedOptions())
	if r.Factors != nil {
		t.Fatal("a factors section without factors")
	}
	var b bytes.Buffer
	WriteJSON(&b, r)
	if strings.Contains(b.String(), `"factors"`) {
		t.Error(`"factors" in the JSON of an audit without factors`)
	}
	b.Reset()
	WriteTable(&b, r, false)
	if strings.Contains(b.String(), "\nFactors\n") {
		t.Error("a Factors heading without factors")
	}
}

// The trend shows the caseload above the target beside the share flagged,
// for the audits that recorded a target.
func TestFactorsTrend(t *testing.T) {
	st := factorStore(t)
	tr, err := BuildTrend(context.Background(), st, fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	p := tr.Audits[0]
	if p.CaseloadTarget == nil || *p.CaseloadTarget != 18 || *p.WorkersAboveTarget != 85.0/160 || *p.CasesAboveTarget != 1896.0/2990 {
		t.Fatalf("trend point %+v", p)
	}
	var b bytes.Buffer
	if err := RenderTrend(&b, tr, Table, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "SHARE  95% INTERVAL  WORKERS ABOVE CASELOAD TARGET  OUTSTANDING") ||
		!strings.Contains(b.String(), "  9.2%  4.8% – 15.5%              53.1% (target 18)  ") {
		t.Errorf("trend table:\n%s", b.String())
	}
	b.Reset()
	if err := RenderTrend(&b, tr, CSV, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if lines := strings.Split(b.String(), "\n"); !strings.HasSuffix(lines[0], ",caseload_target,workers_above_target,cases_above_target") ||
		!strings.HasSuffix(lines[1], ",18,0.53125,"+fnum(1896.0/2990)) {
		t.Errorf("trend csv:\n%s", b.String())
	}
	// Without a target recorded, the trend is as it was.
	plain := buildFixture(t, "2026-07", fixedOptions())
	if anyTarget(plain.Trend) {
		t.Error("a caseload target in a trend without factors")
	}
}

// With nothing flagged the tests cannot find anything, and say so: too few
// cases to tell, never "no difference".
func TestFactorsNothingFlagged(t *testing.T) {
	r := factorReport(t)
	n := func(v int) *int { return &v }
	values := map[string]sample.CaseFactors{}
	var orig []audit.Finding
	for i := 0; i < 60; i++ {
		id := fmt.Sprintf("C%02d", i)
		values[id] = sample.CaseFactors{Caseload: n(10 + i%20), Changes: n(1 + i%4), Timeliness: []string{[]string{"within", "late", "not_done"}[i%3]}}
		orig = append(orig, audit.Finding{Case: id, Grade: audit.Good})
	}
	pf := &sample.Factors{Spec: sample.FactorSpec{WorkerColumn: "Worker", ChangesColumn: "Workers in 12m", CaseloadTarget: 18,
		ChangesAtLeast: 3, Timeliness: []string{"A..B<=10d"}}}
	if err := r.computeFactors(pf, values, orig); err != nil {
		t.Fatal(err)
	}
	for _, g := range r.Factors.Groupings {
		f := g.Flagged
		if f.Verdict != VerdictTooSmall {
			t.Errorf("%s, flagged: %+v", g.Key, f)
		}
		want := "Too few cases to tell: none of the 60 grouped cases needed immediate attention."
		if g.Key == "timeliness_1" {
			want = "Too few cases to tell: none of the 40 grouped cases needed immediate attention." // 20 not yet due: not tested
		}
		if f.P != nil || f.Sentence != want {
			t.Errorf("%s: %q, p %v", g.Key, f.Sentence, f.P)
		}
		if gb := g.GoodOrBetter; gb.Verdict != VerdictTooSmall {
			t.Errorf("%s, all Good: %+v", g.Key, gb)
		}
	}
	if got := r.Factors.Groupings[2].GoodOrBetter.Sentence; got != "Too few cases to tell: all 40 grouped cases were graded Good or better." {
		t.Errorf("timeliness, all Good: %q", got)
	}
}

// Every R reference value of shared/reference/statistics.md ("Factors"),
// through the report: the flagged cases of each group given, by timeliness
// (trend test) and by caseload (Fisher's test).
func TestFactorsEqualR(t *testing.T) {
	n := func(v int) *int { return &v }
	build := func(groupOf func(i int) sample.CaseFactors, flagged func(i int) bool, total int) *Factors {
		t.Helper()
		r := &Report{opts: fixedOptions(), judged: map[string]bool{}}
		r.opts.normalise()
		values := map[string]sample.CaseFactors{}
		var orig []audit.Finding
		for i := 0; i < total; i++ {
			id := fmt.Sprintf("C%03d", i)
			values[id] = groupOf(i)
			r.judged[id] = flagged(i)
			orig = append(orig, audit.Finding{Case: id, Grade: audit.Good, Immediate: flagged(i)})
		}
		pf := &sample.Factors{Spec: sample.FactorSpec{WorkerColumn: "Worker", CaseloadTarget: 18, Timeliness: []string{"A..B<=10d"}}}
		if err := r.computeFactors(pf, values, orig); err != nil {
			t.Fatal(err)
		}
		return r.Factors
	}
	// blocks lays out groups of sizes ns with the first xs[g] of each flagged.
	blocks := func(ns, xs []int) (func(int) int, func(int) bool, int) {
		var group []int
		var flag []bool
		for g, size := range ns {
			for k := 0; k < size; k++ {
				group = append(group, g)
				flag = append(flag, k < xs[g])
			}
		}
		return func(i int) int { return group[i] }, func(i int) bool { return flag[i] }, len(group)
	}
	// R (audit/stats/testdata/factors_reference.R): within, late and
	// overdue large enough to test.
	for _, c := range []struct {
		x, n    []int
		stat, p float64
	}{
		{[]int{8, 14, 20}, []int{80, 70, 60}, 11.58620689655, 0.000664427982415},
	} {
		g, f, total := blocks(c.n, c.x)
		fs := build(func(i int) sample.CaseFactors {
			return sample.CaseFactors{Caseload: n(10), Timeliness: []string{[]string{"within", "late", "overdue"}[g(i)]}}
		}, f, total)
		tt := fs.Groupings[1].Flagged
		if tt.Method != stats.TestTrend || math.Abs(*tt.Statistic-c.stat) > 1e-9 || math.Abs(*tt.P-c.p) > 1e-9*math.Max(c.p, 1e-3) {
			t.Errorf("prop.trend.test(%v, %v): X² %v p %v, R %v %v", c.x, c.n, *tt.Statistic, *tt.P, c.stat, c.p)
		}
	}
	for _, c := range []struct {
		x, n []int
		p    float64
	}{
		{[]int{9, 3}, []int{60, 60}, 0.1254475474},
		{[]int{7, 4}, []int{40, 80}, 0.04068008964},
		{[]int{12, 25}, []int{70, 75}, 0.0354424727327166},
	} {
		g, f, total := blocks(c.n, c.x)
		fs := build(func(i int) sample.CaseFactors {
			return sample.CaseFactors{Caseload: n(10 + 20*g(i)), Timeliness: []string{"within"}}
		}, f, total)
		tt := fs.Groupings[0].Flagged
		if tt.Method != stats.TestFisher || math.Abs(*tt.P-c.p) > 1e-9 {
			t.Errorf("fisher.test %v of %v: p %v, R %v", c.x, c.n, *tt.P, c.p)
		}
	}
}

// Timeliness as a reader needs it: "not yet due" is its own group and out
// of the test; a small overdue group is left out and within against late
// gets Fisher's test (R: fisher.test(matrix(c(4, 56, 10, 20), 2)));
// whatever is too small gives its reason and no p-value.
func TestFactorsTimelinessGroups(t *testing.T) {
	r := factorReport(t)
	values := map[string]sample.CaseFactors{}
	var orig []audit.Finding
	add := func(status string, n, flagged int) {
		for k := 0; k < n; k++ {
			id := fmt.Sprintf("C%03d", len(orig))
			values[id] = sample.CaseFactors{Timeliness: []string{status}}
			r.judged[id] = k < flagged
			orig = append(orig, audit.Finding{Case: id, Grade: audit.Good, Immediate: k < flagged})
		}
	}
	add("within", 60, 4)
	add("late", 30, 10)
	add("not_done", 9, 1)
	add("overdue", 5, 2)
	pf := &sample.Factors{Spec: sample.FactorSpec{Timeliness: []string{"Referral Date..Assessment Completed<=45d"}}}
	if err := r.computeFactors(pf, values, orig); err != nil {
		t.Fatal(err)
	}
	g := r.Factors.Groupings[0]
	labels := []string{}
	for _, x := range g.Groups {
		labels = append(labels, fmt.Sprintf("%s %d/%d", x.Label, x.Flagged, x.Audited))
	}
	if strings.Join(labels, "; ") != "within 4/60; late 10/30; not done, not yet due 1/9; not done, overdue 2/5" {
		t.Errorf("groups %q", labels)
	}
	f := g.Flagged
	if f.Method != stats.TestFisher || f.P == nil || math.Abs(*f.P-0.00184549979678577) > 1e-14 || f.Verdict != VerdictAssociation {
		t.Fatalf("flagged: %+v", f)
	}
	if strings.Join(f.Tested, ",") != "within,late" || strings.Join(f.LeftOut, ",") != "not done, overdue" ||
		!strings.Contains(f.Sentence, "Fisher's exact test (within against late), p = 0.002") ||
		!strings.Contains(f.Sentence, "“not done, overdue” left out of the test: too few cases") {
		t.Errorf("flagged: %+v", f)
	}
	// Every case Good: nothing to compare, and no p-value.
	if gb := g.GoodOrBetter; gb.P != nil || gb.Verdict != VerdictTooSmall {
		t.Errorf("Good or better: %+v", gb)
	}
	if r.Factors.Tests != 1 || !strings.Contains(r.Factors.Notes[0], "This section made 1 test") {
		t.Errorf("tests %d, notes %q", r.Factors.Tests, r.Factors.Notes)
	}
}

// An exact lower bound below 0.1% prints as "<0.1%", never "0%" ("possibly
// none"), in every format: 1 of 1,000 flagged has the 95% bounds
// 0.0025% – 0.556% (R: binom.test(1, 1000)).
func TestFactorsTinyLowerBound(t *testing.T) {
	r := factorReport(t)
	n := func(v int) *int { return &v }
	values := map[string]sample.CaseFactors{}
	var orig []audit.Finding
	for i := 0; i < 1100; i++ {
		id := fmt.Sprintf("C%04d", i)
		load := 10
		if i >= 1000 {
			load = 30
		}
		flag := i == 0 || i >= 1090
		values[id] = sample.CaseFactors{Caseload: n(load)}
		r.judged[id] = flag
		orig = append(orig, audit.Finding{Case: id, Grade: audit.Good, Immediate: flag})
	}
	pf := &sample.Factors{Spec: sample.FactorSpec{WorkerColumn: "Worker", CaseloadTarget: 18}}
	if err := r.computeFactors(pf, values, orig); err != nil {
		t.Fatal(err)
	}
	g := r.Factors.Groupings[0].Groups[0]
	if g.Flagged != 1 || g.Audited != 1000 || math.Abs(*g.FlaggedLower-2.53174874912941e-05) > 1e-15 || math.Abs(*g.FlaggedUpper-5.55892427982663e-03) > 1e-15 {
		t.Fatalf("group %+v: bounds %v %v", g, *g.FlaggedLower, *g.FlaggedUpper)
	}
	sec, _ := r.factorsSection()
	var rows []string
	for _, m := range sec.More {
		if m.Table != nil {
			for _, row := range m.Table.Rows {
				rows = append(rows, strings.Join(row, "|"))
			}
		}
	}
	if len(rows) == 0 || rows[0] != "at or below 18|1,000|1|0.1%|<0.1% – 0.6%|1,000|100%|99.6% – 100%" {
		t.Errorf("text rows %q", rows)
	}
	x, err := newXW()
	if err != nil {
		t.Fatal(err)
	}
	x.factorsSheet(r)
	if x.err != nil {
		t.Fatal(x.err)
	}
	// The xlsx cell keeps the bound and shows it as "<0.1%" (a literal
	// number format; LibreOffice renders it so, excelize's own renderer
	// does not, so the format is what is checked).
	xr, err := x.f.GetRows("Factors", excelize.Options{RawCellValue: true})
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for i, row := range xr {
		if len(row) >= 6 && row[0] == "at or below 18" {
			found = true
			cell, _ := excelize.CoordinatesToCellName(5, i+1)
			id, _ := x.f.GetCellStyle("Factors", cell)
			st, _ := x.f.GetStyle(id)
			if v, err := strconv.ParseFloat(row[4], 64); err != nil || math.Abs(v-2.53174874912941e-05) > 1e-15 || st == nil || st.CustomNumFmt == nil || *st.CustomNumFmt != `"<0.1%"` {
				t.Errorf("xlsx lower bound %q, format %+v", row[4], st)
			}
		}
	}
	if !found {
		t.Errorf("xlsx: no group row in %q", xr)
	}
}

// factorReport is an empty report with the fixed options, for
// computeFactors.
func factorReport(t *testing.T) *Report {
	t.Helper()
	r := &Report{opts: fixedOptions(), judged: map[string]bool{}}
	if err := r.opts.normalise(); err != nil {
		t.Fatal(err)
	}
	return r
}
