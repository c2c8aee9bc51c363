package report

import (
	"context"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
)

// naiveHyperUpper is the finite-population upper bound for 0 flagged of n
// from N by direct products: the largest M with P(X = 0 | M) > α.
func naiveHyperUpper0(n, N int, conf float64) int {
	alpha := 1 - conf
	for M := 0; M <= N-n; M++ {
		p := 1.0
		for j := 0; j < n; j++ {
			p *= float64(N-M-j) / float64(N-j)
		}
		if p <= alpha {
			return M - 1
		}
	}
	return N - n
}

func TestReportReferenceValues(t *testing.T) {
	r := buildFixture(t, "", fixedOptions())
	if r.Audit != "2026-07" {
		t.Fatalf("the default audit is %q, want the latest, 2026-07", r.Audit)
	}
	if r.Sampled != 120 || r.Audited != 120 || r.ToDo != 0 || r.Flagged != 0 || *r.Population != 3000 {
		t.Fatalf("counts: sampled %d audited %d to do %d flagged %d population %d", r.Sampled, r.Audited, r.ToDo, r.Flagged, *r.Population)
	}
	near(t, "share", r.Share, 0)
	if r.CI.Method != "clopper-pearson" || r.CI.Confidence != 0.95 {
		t.Errorf("ci = %+v", r.CI)
	}
	near(t, "ci lower", r.CI.Lower, 0)
	near(t, "ci upper", r.CI.Upper, cp0of120Hi)
	near(t, "upper one-sided", r.UpperOne, one0of120)
	wantCount := naiveHyperUpper0(120, 3000, 0.95)
	if r.FiniteUpperCount == nil || *r.FiniteUpperCount != wantCount {
		t.Fatalf("finite-population upper count = %v, want %d", r.FiniteUpperCount, wantCount)
	}
	near(t, "finite-population upper", r.FiniteUpper, float64(wantCount)/3000)
	if *r.FiniteUpper >= one0of120 {
		t.Errorf("the finite-population bound %.6f should be below the binomial one %.6f", *r.FiniteUpper, one0of120)
	}
	// The bound for the population is a count, inclusive: "at most 72 of
	// the 3,000 cases", never "fewer than 2.4%" (which claims 71).
	up1 := math.Ceil(float64(wantCount)/3000*1000) / 10
	want := fmt.Sprintf("None of the 120 audited cases needed immediate attention; with 95%% confidence at most %d of the 3,000 cases (%s%%) would.",
		wantCount, strings.TrimSuffix(fmt.Sprintf("%.1f", up1), ".0"))
	if r.Sentence != want {
		t.Errorf("sentence\n got %q\nwant %q", r.Sentence, want)
	}
	if !strings.Contains(r.Sentence, "at most 72 of the 3,000 cases (2.4%)") {
		t.Errorf("R's phyper gives 72 cases: %q", r.Sentence)
	}
	// Grades: 12, 72, 24, 12 of 120; Good or better 84/120.
	for g, n := range map[string]int{"Outstanding": 12, "Good": 72, "Requires improvement": 24, "Inadequate": 12} {
		if r.Grades[g] != n {
			t.Errorf("grade %s: %d, want %d", g, r.Grades[g], n)
		}
	}
	near(t, "good or better", r.GoodOrBetter, 0.7)
	// Stratified: the breakdown defaults to the stratum, 30 a team, none flagged.
	if r.By != ByStratum || len(r.Breakdown) != 4 {
		t.Fatalf("breakdown by %q: %+v", r.By, r.Breakdown)
	}
	upper30 := 1 - math.Pow(0.025, 1.0/30) // Clopper–Pearson upper for 0 of 30: (α/2)^(1/n)
	for i, team := range []string{"East", "North", "South", "West"} {
		g := r.Breakdown[i]
		if g.Group != team || g.Sampled != 30 || g.Audited != 30 || g.Flagged != 0 {
			t.Errorf("breakdown row %d = %+v", i, g)
		}
		near(t, team+" upper", g.Upper, upper30)
	}
	// Comparison with 2025-07: 0/120 vs 3/90.
	c := r.Comparison
	if c == nil {
		t.Fatal("no comparison with the previous audit")
	}
	if c.Previous != "2025-07" || c.PreviousFlagged != 3 || c.PreviousAudited != 90 {
		t.Errorf("comparison = %+v", c)
	}
	// R (audit/stats/testdata/score_reference.R): Miettinen–Nurminen for
	// 0/120 − 3/90 is −0.093674975 … −0.001577202, score test p = 0.044469452.
	nearTol(t, "score p", &c.P, 0.044469452, 5e-10)
	near(t, "difference", &c.Difference, -3.0/90)
	nearTol(t, "difference lower", &c.DifferenceCI[0], -0.093674975, 5e-10)
	nearTol(t, "difference upper", &c.DifferenceCI[1], -0.001577202, 5e-10)
	if !c.Significant || c.Test != stats.TestScoreDiff || c.CIMethod != stats.MethodMiettinenNurminen {
		t.Errorf("comparison %+v: p = 0.044 with an interval clear of 0 is significant at 5%%", c)
	}
	if !strings.Contains(c.Sentence, "(95% interval −9.4 to −0.1), is a statistically significant fall at the 5% level (score test, p = 0.044; the interval leaves out 0).") {
		t.Errorf("comparison sentence: %q", c.Sentence)
	}
	// Trend, oldest first.
	if len(r.Trend) != 2 || r.Trend[0].Audit != "2025-07" || r.Trend[1].Audit != "2026-07" {
		t.Fatalf("trend = %+v", r.Trend)
	}
	near(t, "trend 2025 lower", r.Trend[0].Lower, cp3of90Lo)
	near(t, "trend 2025 upper", r.Trend[0].Upper, cp3of90Hi)
	near(t, "trend 2026 upper", r.Trend[1].Upper, cp0of120Hi)
	if len(r.Notes) != 0 {
		t.Errorf("notes: %q", r.Notes)
	}
}

func TestReportPrevious(t *testing.T) {
	r := buildFixture(t, "2025-07", fixedOptions())
	near(t, "share", r.Share, 3.0/90)
	near(t, "cp lower", r.CI.Lower, cp3of90Lo)
	near(t, "cp upper", r.CI.Upper, cp3of90Hi)
	if r.Comparison != nil {
		t.Errorf("the oldest audit has nothing to compare with: %+v", r.Comparison)
	}
	if got, want := r.Sentence, "3 of the 90 audited cases (3.3%) needed immediate attention; with 95% confidence between 0.6% and 9.5% of the 2,500 cases would."; got != want {
		t.Errorf("sentence\n got %q\nwant %q", got, want)
	}
	if len(r.Flags) != 3 || r.Flags[0].ID != "CR25-00010" || r.Flags[2].ID != "CR25-00070" {
		t.Errorf("flagged cases = %+v", r.Flags)
	}
	o := fixedOptions()
	o.Method = "wilson"
	w := buildFixture(t, "2025-07", o)
	if w.CI.Method != "wilson" {
		t.Errorf("method %q", w.CI.Method)
	}
	near(t, "wilson lower", w.CI.Lower, wilson3of90Lo)
	near(t, "wilson upper", w.CI.Upper, wilson3of90Hi)
	// Comparing the other way: 3/90 against 0/120 gives the same p and the
	// mirrored difference.
	o = fixedOptions()
	o.Compare = "2026-07"
	x := buildFixture(t, "2025-07", o)
	if x.Comparison == nil {
		t.Fatal("--compare gave no comparison")
	}
	nearTol(t, "score p reversed", &x.Comparison.P, 0.044469452, 5e-10)
	near(t, "difference reversed", &x.Comparison.Difference, 3.0/90)
}

func TestPersonal(t *testing.T) {
	for col, want := range map[string]bool{
		"Forename": true, "Surname": true, "Name": true, "Child Name": true, "Full name": true, "Date of Birth": true,
		"DOB": true, "Address": true, "Post Code": true, "Postcode": true, "First Name": true,
		"Team": false, "Team Name": false, "Allocated Worker": false, "Worker Name": false, "Legal Status": false,
		"Case Reference": false, "Gender": false,
	} {
		if got := Personal(col); got != want {
			t.Errorf("Personal(%q) = %v, want %v", col, got, want)
		}
	}
}

// naiveKappa computes Cohen's kappa with agreement weights w(i, j) from
// pairs directly with floats: the textbook definition.
func naiveKappa(pairs [][2]int, k int, w func(i, j int) float64) float64 {
	n := float64(len(pairs))
	row, col := make([]float64, k), make([]float64, k)
	po := 0.0
	for _, p := range pairs {
		row[p[0]]++
		col[p[1]]++
		po += w(p[0], p[1])
	}
	po /= n
	pe := 0.0
	for i := 0; i < k; i++ {
		for j := 0; j < k; j++ {
			pe += w(i, j) * row[i] * col[j] / (n * n)
		}
	}
	return (po - pe) / (1 - pe)
}

func TestReportModeration(t *testing.T) {
	st, _ := fixture(t)
	ctx := context.Background()
	r, err := Build(ctx, st, "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	ms, err := st.Moderation(ctx, "2026-07")
	if err != nil {
		t.Fatal(err)
	}
	m := r.Moderation
	if m == nil || m.Pairs != 12 || m.Sample != 12 || m.Seed != "moderation-2026" {
		t.Fatalf("moderation = %+v", m)
	}
	// Expected pairs from the fixture's rules, not from the store.
	var pairs [][2]int
	table := make([][]int, 4)
	for i := range table {
		table[i] = make([]int, 4)
	}
	for j, id := range ms.Cases {
		o := grade26(caseIndex(id))
		g := o
		switch j {
		case 0:
			g = worse(o)
		case 1:
			g = better(o)
		}
		pairs = append(pairs, [2]int{int(o) - 1, int(g) - 1})
		table[o-1][g-1]++
	}
	for i := range table {
		if !slices.Equal(table[i], m.Table[i]) {
			t.Errorf("confusion row %d = %v, want %v", i, m.Table[i], table[i])
		}
	}
	near(t, "agreement", m.Agreement, 10.0/12)
	near(t, "immediate agreement", m.ImmediateAgreement, 1)
	near(t, "kappa", m.Kappa, naiveKappa(pairs, 4, func(i, j int) float64 {
		if i == j {
			return 1
		}
		return 0
	}))
	near(t, "linear", m.Linear, naiveKappa(pairs, 4, func(i, j int) float64 { return 1 - math.Abs(float64(i-j))/3 }))
	near(t, "quadratic", m.Quadratic, naiveKappa(pairs, 4, func(i, j int) float64 { return 1 - float64((i-j)*(i-j))/9 }))
	if len(m.Disagreements) != 2 {
		t.Fatalf("disagreements = %+v", m.Disagreements)
	}
	got := map[string]bool{}
	for _, d := range m.Disagreements {
		got[d.Case] = true
	}
	for _, id := range ms.Cases[:2] {
		if !got[id] {
			t.Errorf("%s should be a disagreement: %+v", id, m.Disagreements)
		}
	}
}

// edgeStore is a store with one audit of n cases of which the first
// audited are recorded and the first flagged of those need immediate
// attention.
func edgeStore(t *testing.T, n, audited, flagged, pop int) *audit.Store {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "x.db"), audit.Options{Clock: clock.now, Actor: "QA"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := fxAudit("edge", pop)
	a.Provenance.Strata = nil
	cases := fxCases(n, "E")
	for i := range cases {
		cases[i].Stratum = ""
	}
	if _, err := st.CreateAudit(ctx, a, cases); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < audited; i++ {
		mustRecord(t, st, "edge", audit.Finding{Case: cases[i].ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: i < flagged})
	}
	clock.t = time.Date(2026, 1, 20, 17, 0, 0, 0, time.UTC) // workbooks dated 20 January are imported on that day
	return st
}

func TestReportEdgeCases(t *testing.T) {
	t.Run("nothing audited", func(t *testing.T) {
		r, err := edgeReport(t, 5, 0, 0, 100), error(nil)
		if err != nil {
			t.Fatal(err)
		}
		if r.Share != nil || r.CI.Lower != nil || r.CI.Upper != nil || r.UpperOne != nil || r.FiniteUpper != nil || r.GoodOrBetter != nil {
			t.Errorf("undefined figures must be nil: %+v", r)
		}
		if r.Sentence != "None of the 5 sampled cases has been audited yet, so there is nothing to estimate." {
			t.Errorf("sentence %q", r.Sentence)
		}
		var buf strings.Builder
		if err := WriteJSON(&buf, r); err != nil {
			t.Fatal(err)
		}
		js := buf.String()
		for _, s := range []string{`"share": null`, `"lower": null`, `"upper": null`, `"upper_one_sided": null`, `"good_or_better": null`} {
			if !strings.Contains(js, s) {
				t.Errorf("JSON lacks %s", s)
			}
		}
		if strings.Contains(js, "NaN") || strings.Contains(js, "finite_population_upper") {
			t.Errorf("JSON:\n%s", js)
		}
		if _, _, err := r.Exceeds(0.05, OnShare); !errors.Is(err, ErrNothingAudited) {
			t.Errorf("Exceeds with nothing audited: %v", err)
		}
		for _, f := range Formats {
			var b strings.Builder
			if err := Render(&b, r, f, RenderOptions{}); err != nil {
				t.Errorf("%s: %v", f, err)
			}
			if strings.Contains(b.String(), "NaN") {
				t.Errorf("%s shows NaN", f)
			}
		}
	})
	t.Run("1 of 1", func(t *testing.T) {
		r, err := edgeReport(t, 1, 1, 1, 0), error(nil)
		if err != nil {
			t.Fatal(err)
		}
		// Clopper–Pearson for 1 of 1: lower (α/2)^(1/1) = 0.025, upper 1.
		near(t, "lower", r.CI.Lower, 0.025)
		near(t, "upper", r.CI.Upper, 1)
		near(t, "one-sided", r.UpperOne, 1)
		if r.Population != nil || r.FiniteUpper != nil {
			t.Error("no population recorded: no finite-population bound")
		}
		if r.Sentence != "The only audited case needed immediate attention; with 95% confidence between 2.5% and 100% of all cases would." {
			t.Errorf("sentence %q", r.Sentence)
		}
	})
	t.Run("0 of 1", func(t *testing.T) {
		r, _ := edgeReport(t, 1, 1, 0, 0), error(nil)
		near(t, "upper", r.CI.Upper, 0.975)
		near(t, "one-sided", r.UpperOne, 0.95)
		if r.Sentence != "The only audited case did not need immediate attention; with 95% confidence fewer than 95% of all cases would." {
			t.Errorf("sentence %q", r.Sentence)
		}
	})
	t.Run("n of n", func(t *testing.T) {
		r, _ := edgeReport(t, 10, 10, 10, 40), error(nil)
		// Lower = (α/2)^(1/n).
		near(t, "lower", r.CI.Lower, math.Pow(0.025, 0.1))
		near(t, "upper", r.CI.Upper, 1)
		if !strings.HasPrefix(r.Sentence, "All 10 audited cases needed immediate attention; with 95% confidence between 69.1% and 100% of the 40 cases would.") {
			t.Errorf("sentence %q", r.Sentence)
		}
		if r.FiniteUpperCount == nil || *r.FiniteUpperCount != 40 {
			t.Errorf("finite upper with all flagged: %v", r.FiniteUpperCount)
		}
	})
	t.Run("census, nothing flagged", func(t *testing.T) {
		// Every case of a population of 5 audited: a count, not an estimate
		// (it used to say "fewer than 0% of the 5 cases").
		r, _ := edgeReport(t, 5, 5, 0, 5), error(nil)
		if r.Sentence != "None of the 5 cases needed immediate attention: every case of the population was audited." {
			t.Errorf("sentence %q", r.Sentence)
		}
		r, _ = edgeReport(t, 5, 5, 1, 5), error(nil)
		if r.Sentence != "1 of the 5 cases (20%) needed immediate attention: every case of the population was audited." {
			t.Errorf("sentence %q", r.Sentence)
		}
	})
	t.Run("one case", func(t *testing.T) {
		r, _ := edgeReport(t, 1, 0, 0, 40), error(nil)
		if r.Sentence != "The only sampled case has not been audited yet, so there is nothing to estimate." {
			t.Errorf("sentence %q", r.Sentence)
		}
	})
	t.Run("some to do", func(t *testing.T) {
		r, _ := edgeReport(t, 10, 4, 1, 40), error(nil)
		if r.ToDo != 6 || len(r.Notes) != 1 || !strings.Contains(r.Notes[0], "6 of the 10 sampled cases are still to be audited") {
			t.Errorf("to do %d, notes %q", r.ToDo, r.Notes)
		}
		exceeds, v, err := r.Exceeds(0.2, OnShare)
		if err != nil || !exceeds || v != 0.25 {
			t.Errorf("1 of 4 = 25%% > 20%%: %v %v %v", exceeds, v, err)
		}
		if ex, _, _ := r.Exceeds(0.25, OnShare); ex {
			t.Error("25% does not exceed 25%")
		}
		if ex, v, _ := r.Exceeds(0.5, OnUpper); !ex || v <= 0.5 {
			t.Errorf("the upper bound of 1 of 4 (0.806) exceeds 50%%: %v %v", ex, v)
		}
	})
	t.Run("kappa not defined", func(t *testing.T) {
		// Ten of twelve cases moderated (KappaMinPairs), every grade Good
		// on both sides.
		a, cases, orig := edgeInputs(12, 12, 0, 0)
		ms := &audit.ModerationSample{Seed: "s", Size: 10}
		for i := 1; i <= 10; i++ {
			ms.Cases = append(ms.Cases, fmt.Sprintf("E-%05d", i))
		}
		var mod []audit.Finding
		var pairs []audit.GradePair
		for j, id := range ms.Cases {
			mod = append(mod, audit.Finding{Case: id, Auditor: "M", Grade: audit.Good, Moderation: true, Kind: audit.KindModerationFinding, Seq: 7 + j})
			pairs = append(pairs, audit.GradePair{Case: id, Original: audit.Good, Moderated: audit.Good})
		}
		r := computed(t, fixedOptions(), a, cases, orig, mod, ms, pairs)
		m := r.Moderation
		if m.Kappa != nil || m.Linear != nil || m.Quadratic != nil {
			t.Errorf("kappa must be undefined when both raters gave one grade: %+v", m)
		}
		near(t, "agreement", m.Agreement, 1)
		var b strings.Builder
		WriteTable(&b, r, false)
		if !strings.Contains(b.String(), "Cohen's kappa                     not defined") {
			t.Errorf("table:\n%s", b.String())
		}
		b.Reset()
		WriteJSON(&b, r)
		if !strings.Contains(b.String(), `"kappa": null`) {
			t.Errorf("JSON kappa should be null:\n%s", b.String())
		}
	})
}

func TestOptions(t *testing.T) {
	st := edgeStore(t, 3, 3, 0, 0)
	for _, o := range []Options{{Confidence: 1}, {Confidence: -0.1}, {Method: "bayes"}} {
		if _, err := Build(context.Background(), st, "", o); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if _, err := Build(context.Background(), st, "nope", Options{}); !errors.Is(err, audit.ErrNotFound) {
		t.Errorf("unknown audit: %v", err)
	}
	if _, err := Build(context.Background(), st, "", Options{Compare: "edge"}); err == nil {
		t.Error("comparing an audit with itself is refused")
	}
	if _, err := Build(context.Background(), st, "", Options{By: "stratum"}); err == nil || !strings.Contains(err.Error(), "not stratified") {
		t.Errorf("--by stratum on an unstratified audit: %v", err)
	}
}

func TestPct(t *testing.T) {
	for _, c := range []struct {
		v    float64
		r    rounding
		want string
	}{
		{0.024655401, up, "2.5%"}, {0.024, up, "2.4%"}, {0.0240000000001, up, "2.5%"}, {-0.00244, down, "−0.3%"}, {0.006927603, down, "0.6%"},
		{0.094336093, up, "9.5%"}, {1, up, "100%"}, {0, down, "0%"}, {1.0 / 30, nearest, "3.3%"}, {0.7, nearest, "70%"},
	} {
		if got := pct(c.v, c.r); got != c.want {
			t.Errorf("pct(%v, %d) = %q, want %q", c.v, c.r, got, c.want)
		}
	}
	if got := points(-1.0/30, nearest); got != "−3.3" {
		t.Errorf("points = %q", got)
	}
	// Bounds of a difference round outward by their signed value.
	if lo, hi := points(-0.00244, down), points(-0.00244, up); lo != "−0.3" || hi != "−0.2" {
		t.Errorf("points of −0.244 pp: lower %q, upper %q; want −0.3 and −0.2", lo, hi)
	}
}

// An audit backfilled for June after July's exists is compared, and
// trended, by the month it covers, not by when it was recorded.
func TestPeriodOrder(t *testing.T) {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 8, 1, 0, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "p.db"), audit.Options{Clock: clock.now, Actor: "QA"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	record := func(name string, flagged int) {
		a := fxAudit(name, 500)
		cases := fxCases(20, name)
		if _, err := st.CreateAudit(ctx, a, cases); err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			mustRecord(t, st, name, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: i < flagged})
		}
	}
	record("2026-07", 1) // recorded first
	record("2026-06", 4) // backfilled later
	tr, err := BuildTrend(ctx, st, fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if len(tr.Audits) != 2 || tr.Audits[0].Audit != "2026-06" || tr.Audits[1].Audit != "2026-07" || tr.Audits[0].Period != "2026-06" {
		t.Fatalf("trend order: %+v", tr.Audits)
	}
	r, err := Build(ctx, st, "", fixedOptions()) // the latest: July, by period
	if err != nil {
		t.Fatal(err)
	}
	if r.Audit != "2026-07" || r.Comparison == nil || r.Comparison.Previous != "2026-06" {
		t.Fatalf("latest %q compared with %+v", r.Audit, r.Comparison)
	}
	r, err = Build(ctx, st, "2026-06", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Comparison != nil {
		t.Errorf("June has no earlier month to compare with, got %q", r.Comparison.Previous)
	}
}

// A moderator who finds a case needs immediate attention where the auditor
// did not: the latest judgement stands, so the headline counts it, the
// flagged cases list it as raised at moderation, and the notes say the rule.
func TestRaisedAtModeration(t *testing.T) {
	ctx := context.Background()
	st := edgeStore(t, 10, 10, 0, 200) // 10 audited, none flagged by the auditor
	ms, err := st.DrawModeration(ctx, "edge", 3, "m")
	if err != nil {
		t.Fatal(err)
	}
	for j, id := range ms.Cases {
		mustRecord(t, st, "edge", audit.Finding{Case: id, Auditor: "M. Moderator", Grade: audit.Inadequate, Immediate: j == 0, Moderation: true})
	}
	r, err := Build(ctx, st, "edge", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Flagged != 1 || len(r.Flags) != 1 || r.Flags[0].ID != ms.Cases[0] || !r.Flags[0].RaisedAtModeration || !r.Flags[0].NeedsAttention {
		t.Fatalf("flagged %d: %+v", r.Flagged, r.Flags)
	}
	if !strings.HasPrefix(r.Sentence, "1 of the 10 audited cases (10%) needed immediate attention") {
		t.Errorf("sentence %q", r.Sentence)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, "latest judgement, the auditor's or a later moderator's: 1 case was flagged at moderation where the auditor did not flag it")
	}) {
		t.Errorf("notes %q", r.Notes)
	}
	var b strings.Builder
	if err := Render(&b, r, Table, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), "Raised at moderation by M. Moderator") {
		t.Errorf("the flagged table does not say it was raised at moderation:\n%s", b.String())
	}
	tr, err := BuildTrend(ctx, st, fixedOptions())
	if err != nil || tr.Audits[0].Flagged != 1 {
		t.Errorf("trend counts %d flagged (%v)", tr.Audits[0].Flagged, err)
	}
	// A correction by the auditor after moderation is the latest judgement.
	mustRecord(t, st, "edge", audit.Finding{Case: ms.Cases[0], Auditor: "A. Khan", Grade: audit.RequiresImprovement, Immediate: false, Reason: "checked again"})
	if r, _ := Build(ctx, st, "edge", fixedOptions()); r.Flagged != 0 {
		t.Errorf("after the auditor's later correction: %d flagged", r.Flagged)
	}
}

// A moderator who finds a flagged case does not need immediate attention:
// the latest judgement stands, so the headline no longer counts it, but the
// notes name it and say its follow-up action stays open — a moderator's
// "no" closes nothing.
func TestClearedAtModeration(t *testing.T) {
	ctx := context.Background()
	st := edgeStore(t, 10, 10, 10, 200) // every case flagged by its auditor
	ms, err := st.DrawModeration(ctx, "edge", 3, "m")
	if err != nil {
		t.Fatal(err)
	}
	for j, id := range ms.Cases {
		mustRecord(t, st, "edge", audit.Finding{Case: id, Auditor: "M. Moderator", Grade: audit.Good, Immediate: j != 0, Moderation: true})
	}
	r, err := Build(ctx, st, "edge", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if r.Flagged != 9 || slices.ContainsFunc(r.Flags, func(c CaseRow) bool { return c.ID == ms.Cases[0] }) {
		t.Fatalf("flagged %d, %d listed", r.Flagged, len(r.Flags))
	}
	want := "1 case flagged by its auditor was judged at moderation not to need it (" + ms.Cases[0] + "); it is counted as not needing it, but its follow-up action stays open"
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q", r.Notes)
	}
	acts, err := st.Actions(ctx, "edge")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(acts, func(a audit.Action) bool { return a.Case == ms.Cases[0] && a.Status != audit.ActionClosed }) {
		t.Errorf("the action on %s was closed by the moderator's finding: %+v", ms.Cases[0], acts)
	}
}

// A month where the old pair contradicted itself: 7 of 60 flagged, then 1 of
// 60. Newcombe's interval was −20.6 to −0.7 points (clear of 0) while
// Fisher's exact p = 0.061 was reported as "not a statistically significant
// change". The score interval and its test agree: R
// (audit/stats/testdata/score_reference.R) gives −0.208161852 …
// −0.013112873, p = 0.028771229.
func TestComparisonIntervalAgreesWithTest(t *testing.T) {
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 5, 1, 9, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	for _, m := range []struct {
		name    string
		flagged int
	}{{"2026-05", 7}, {"2026-06", 1}} {
		cases := fxCases(60, "CR"+m.name[5:])
		start, _ := time.Parse("2006-01", m.name)
		clock.t = start.Add(21 * 24 * time.Hour)
		if _, err := st.CreateAudit(ctx, fxAudit(m.name, 1500), cases); err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			mustRecord(t, st, m.name, audit.Finding{Case: c.ID, Auditor: fxWorkers[i%len(fxWorkers)], Grade: audit.Good,
				Immediate: i < m.flagged, Date: m.name + "-20"})
		}
	}
	r, err := Build(ctx, st, "2026-06", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	c := r.Comparison
	if c == nil || c.Previous != "2026-05" || c.PreviousFlagged != 7 || r.Flagged != 1 {
		t.Fatalf("comparison %+v, flagged %d", c, r.Flagged)
	}
	nearTol(t, "lower", &c.DifferenceCI[0], -0.208161852, 5e-10)
	nearTol(t, "upper", &c.DifferenceCI[1], -0.013112873, 5e-10)
	nearTol(t, "p", &c.P, 0.028771229, 5e-10)
	if !c.Significant || !(c.DifferenceCI[1] < 0) {
		t.Errorf("interval [%v, %v] clear of 0 but significant = %v", c.DifferenceCI[0], c.DifferenceCI[1], c.Significant)
	}
	want := "The difference, −10 percentage points (95% interval −20.9 to −1.3), is a statistically significant fall at the 5% level (score test, p = 0.029; the interval leaves out 0)."
	if !strings.Contains(c.Sentence, want) {
		t.Errorf("sentence\n got %q\nwant …%q", c.Sentence, want)
	}
	var text strings.Builder
	if err := Render(&text, r, Table, RenderOptions{}); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{"Fisher", "Newcombe", "not a statistically significant"} {
		if strings.Contains(text.String(), s) {
			t.Errorf("the text report still says %q:\n%s", s, text.String())
		}
	}
}

// A bound of a significant change that rounds to 0 at one decimal gets more
// decimals, so the printed interval never touches 0 beside "significant".
func TestDiffBoundsOffZero(t *testing.T) {
	for _, c := range []struct {
		ci     [2]float64
		sig    bool
		lo, hi string
	}{
		{[2]float64{0.0003, 0.05}, true, "+0.03", "+5"},
		{[2]float64{-0.05, -0.00004}, true, "−5", "−0.004"},
		{[2]float64{-0.0937, -0.0016}, true, "−9.4", "−0.1"},
		{[2]float64{-0.0003, 0.05}, false, "−0.1", "+5"},
	} {
		lo, hi := diffBounds(&Comparison{DifferenceCI: c.ci, Significant: c.sig})
		if lo != c.lo || hi != c.hi {
			t.Errorf("%v: %s to %s, want %s to %s", c.ci, lo, hi, c.lo, c.hi)
		}
	}
}
