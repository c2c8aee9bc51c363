package report

import (
	"bytes"
	"context"
	"encoding/json"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// pooledStore records three monthly audits, not stratified, of the same
// population definition, each with n cases audited of population N and the
// first k flagged; stratify makes the last one stratified.
func pooledStore(t *testing.T, k, n, N []int, stratify bool) *audit.Store {
	t.Helper()
	ctx := context.Background()
	st, clock := clockStore(t, time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	for m := range 3 {
		name := []string{"2026-07", "2026-08", "2026-09"}[m]
		clock.t = time.Date(2026, time.Month(7+m), 1, 9, 0, 0, 0, time.UTC) // each month drawn on its 1st
		a := fxAudit(name, N[m])
		if !stratify || m < 2 {
			a.Provenance.Strata = nil
		}
		cases := fxCases(n[m], "CR"+name)
		if _, err := st.CreateAudit(ctx, a, cases); err != nil {
			t.Fatal(err)
		}
		clock.t = time.Date(2026, time.Month(7+m), 20, 17, 0, 0, 0, time.UTC) // and read on the 20th
		for i, c := range cases {
			mustRecord(t, st, name, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: i < k[m], Date: name + "-20"})
		}
	}
	return st
}

// pooledAudits are three monthly audits as pooling takes them from their
// reports: the first k of n audited cases flagged, of a population of N
// (nil when N is 0), none stratified, all of one population definition.
func pooledAudits(k, n, N []int) []pooledAudit {
	var out []pooledAudit
	for m := range k {
		name := []string{"2026-07", "2026-08", "2026-09"}[m]
		pa := PooledAudit{Audit: name, Period: name, Sampled: n[m], Audited: n[m], Flagged: k[m], Definition: "no filters"}
		if N[m] > 0 {
			pa.Population = ptr(N[m])
		}
		if n[m] > 0 {
			pa.Share = ptr(float64(k[m]) / float64(n[m]))
		}
		out = append(out, pooledAudit{PooledAudit: pa})
	}
	return out
}

// The quarter pooled, from hand-written audit figures: three simple random
// samples of one population definition at one sampling fraction are one
// sample, with the exact interval of R's binom.test(10, 360); a stratified
// audit among them, another population definition, or unequal sampling
// fractions make it a population-weighted estimate, and audits whose
// population is not recorded are weighted by their audited cases:
//
//	k <- c(3,5,2); n <- c(120,120,120); N <- c(3000,3000,3000); W <- N/sum(N); p <- k/n
//	est <- sum(W*p); v <- sum(W^2*(1-n/N)*p*(1-p)/(n-1)); z <- qnorm(0.975)
//	c(est, est - z*sqrt(v), est + z*sqrt(v))   # 0.027777777778 0.011108730049 0.044446825506
//	# z <- qnorm(0.95) (90%):                     0.027777777778 0.013788671942 0.041766883614
//	# n <- c(120,90,60); N <- c(3000,2000,4000): 0.035493827160 0.011020714583 0.059966939738
//	# n <- c(120,90,60), no N: W <- n/sum(n), no (1-n/N): 0.037037037037 0.014439152687 0.059634921387
//	binom.test(10, 270)$conf.int                # 0.0179010830782 0.0670559866930
func TestPooledQuarter(t *testing.T) {
	near := func(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }
	opts := func(conf float64) Options {
		o := fixedOptions()
		o.Confidence = conf
		if err := o.normalise(); err != nil {
			t.Fatal(err)
		}
		return o
	}
	pooled := func(period string, conf float64, as []pooledAudit) *Pooled {
		t.Helper()
		p, err := pool(period, opts(conf), as, nil)
		if err != nil {
			t.Fatal(err)
		}
		return p
	}

	p := pooled("2026-Q3", 0, pooledAudits([]int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000}))
	if p.Method != "pooled" || p.Period != "2026-Q3" || p.Audited != 360 || p.Flagged != 10 || *p.Population != 9000 || !near(p.Share, 10.0/360) ||
		!near(p.Lower, 0.0133991915) || !near(p.Upper, 0.0504898185) || p.CIMethod != MethodClopperPearson || p.Calibration != nil { // binom.test(10, 360)$conf.int
		t.Errorf("pooled: %s %d/%d [%v, %v] %s", p.Method, p.Flagged, p.Audited, *p.Lower, *p.Upper, p.CIMethod)
	}
	if !strings.Contains(p.Sentence, "Over 3 audits, 10 of the 360 audited cases (2.8%) needed immediate attention; with 95% confidence between 1.3% and 5.1%") {
		t.Errorf("sentence: %s", p.Sentence)
	}
	// binom.test(10, 360, conf.level=0.9)$conf.int
	if p := pooled("", 0.9, pooledAudits([]int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000})); !near(p.Lower, 0.0151462066599) || !near(p.Upper, 0.0466617202196) {
		t.Errorf("pooled at 90%%: [%v, %v]", *p.Lower, *p.Upper)
	}

	as := pooledAudits([]int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000})
	as[2].Stratified = true
	p = pooled("", 0, as)
	if p.Method != "weighted" || !near(p.Share, 0.027777777778) || !near(p.Lower, 0.011108730049) || !near(p.Upper, 0.044446825506) ||
		p.CIMethod != "normal approximation (stratified, weighted by population)" ||
		p.Why != "Not pooled, as a sum would over-count some audits: 2026-09 was stratified. Each audit's share is weighted by its population." {
		t.Errorf("stratified: %s %v [%v, %v] %s", p.Method, *p.Share, *p.Lower, *p.Upper, p.Why)
	}
	if p = pooled("", 0.9, as); !near(p.Share, 0.027777777778) || !near(p.Lower, 0.013788671942) || !near(p.Upper, 0.041766883614) {
		t.Errorf("stratified at 90%%: %v [%v, %v]", *p.Share, *p.Lower, *p.Upper)
	}
	if strings.Contains(p.Sentence, "rough") {
		t.Errorf("10 flagged, weighted: %s", p.Sentence)
	}
	as9 := pooledAudits([]int{3, 5, 1}, []int{120, 120, 120}, []int{3000, 3000, 3000})
	as9[0].Stratified = true
	if p := pooled("", 0, as9); !strings.HasSuffix(p.Sentence, "With so few flagged the approximation is rough: read the interval as a guide.") {
		t.Errorf("9 flagged, weighted: %s", p.Sentence)
	}

	as = pooledAudits([]int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000})
	as[1].Definition = "filters Team = North"
	if p = pooled("", 0, as); p.Method != "weighted" || !near(p.Share, 0.027777777778) ||
		!strings.Contains(p.Why, "2026-08 was drawn from a different population (filters Team = North, not no filters)") {
		t.Errorf("another population: %s %s", p.Method, p.Why)
	}

	// Sampling fractions within a tenth of each other pool; further apart, not.
	for n3, method := range map[int]PoolMethod{131: "pooled", 133: "weighted"} { // 131/3000 is 1.092 times 120/3000; 133/3000 1.108
		if p := pooled("", 0, pooledAudits([]int{3, 5, 2}, []int{120, 120, n3}, []int{3000, 3000, 3000})); p.Method != method {
			t.Errorf("fractions 4%% and %d/3000: %s, %s", n3, p.Method, p.Why)
		}
	}

	p = pooled("2026-07..2026-09", 0, pooledAudits([]int{3, 5, 2}, []int{120, 90, 60}, []int{3000, 2000, 4000}))
	if p.Method != "weighted" || !near(p.Share, 0.035493827160) || !near(p.Lower, 0.011020714583) || !near(p.Upper, 0.059966939738) ||
		!strings.Contains(p.Why, "their sampling fractions differ (1.5% to 4.5% of each population audited)") {
		t.Errorf("unequal fractions: %s %v [%v, %v] %s", p.Method, *p.Share, *p.Lower, *p.Upper, p.Why)
	}
	for f, want := range map[Format]string{Table: "the share is 3.5%", Markdown: "| 2026-08 |",
		CSV: "(all: weighted),2026-07..2026-09,9000,270,10,0.03549382716", JSON: `"method": "weighted"`} {
		var b bytes.Buffer
		if err := RenderPooled(&b, p, f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %q:\n%s", f, want, b.String())
		}
	}

	// Populations not recorded: the fractions cannot be compared, so like
	// samples are pooled (binom.test(10, 270)) and others weighted by their
	// audited cases.
	as = pooledAudits([]int{3, 5, 2}, []int{120, 90, 60}, []int{0, 0, 0})
	if p = pooled("", 0, as); p.Method != "pooled" || p.Population != nil || !near(p.Lower, 0.0179010830782) || !near(p.Upper, 0.0670559866930) {
		t.Errorf("populations unknown, alike: %s [%v, %v]", p.Method, *p.Lower, *p.Upper)
	}
	as[0].Stratified = true
	p = pooled("", 0, as)
	if p.Method != "weighted" || p.Population != nil || !near(p.Share, 0.037037037037) || !near(p.Lower, 0.014439152687) || !near(p.Upper, 0.059634921387) ||
		!strings.HasSuffix(p.Why, "An audit's population is not recorded, so each audit is weighted by its audited cases.") {
		t.Errorf("populations unknown: %s %v [%v, %v] %s", p.Method, *p.Share, *p.Lower, *p.Upper, p.Why)
	}
}

// Pooling's edges, from hand-written figures: an audit not wholly recorded
// is named, none audited has no share, an audit named twice is refused,
// and the calibration of the audits' moderated cases comes with the pool.
func TestPooledEdges(t *testing.T) {
	o := fixedOptions()
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	as := pooledAudits([]int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000})
	as[1].Sampled, as[1].Incomplete = 130, true
	var cal []calibrationAudit
	for _, a := range as {
		cal = append(cal, calibrationAudit{Name: a.Audit})
	}
	calibrationPairs(&cal[1], "A. Khan", 0, []int{1, 1, 2}, []int{1, 2, 2})
	p, err := pool("", o, as, cal)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(p.Incomplete, ",") != "2026-08" || !strings.HasSuffix(p.Sentence, "Not every sampled case of 2026-08 is recorded yet: the figures may still move.") {
		t.Errorf("incomplete: %v %s", p.Incomplete, p.Sentence)
	}
	if c := p.Calibration; c == nil || c.Pairs != 3 || strings.Join(c.Audits, ",") != "2026-08" || strings.Join(c.NotModerated, ",") != "2026-07,2026-09" ||
		len(c.Auditors) != 1 || c.Auditors[0].Exact != 2 || c.Auditors[0].Higher != 1 {
		t.Errorf("calibration: %+v", p.Calibration)
	}

	p, err = pool("", o, pooledAudits([]int{0, 0}, []int{0, 0}, []int{3000, 3000}), nil)
	if err != nil || p.Share != nil || p.Method != "" || p.Sentence != "No case of these audits has been audited yet." {
		t.Errorf("none audited: %+v %v", p, err)
	}

	twice := pooledAudits([]int{3, 5}, []int{120, 120}, []int{3000, 3000})
	twice[1].Audit = "2026-07"
	if _, err := pool("", o, twice, nil); err == nil || err.Error() != `audit "2026-07" is named twice` {
		t.Errorf("an audit named twice: %v", err)
	}
}

// The pooled view read from a store: a quarter's audits found by their
// periods, pooled as computed from their figures, and the periods that hold
// too few audits refused.
func TestPooledStore(t *testing.T) {
	ctx := context.Background()
	near := func(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }
	st := pooledStore(t, []int{3, 5, 2}, []int{120, 90, 60}, []int{3000, 2000, 4000}, true)
	p, err := BuildPooled(ctx, st, nil, "2026-Q3", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "weighted" || p.Audited != 270 || p.Flagged != 10 || *p.Population != 9000 || len(p.Audits) != 3 || !p.Audits[2].Stratified ||
		p.Audits[0].Definition != "no filters" || !near(p.Share, 0.035493827160) || !near(p.Lower, 0.011020714583) || !near(p.Upper, 0.059966939738) ||
		!strings.Contains(p.Why, "2026-09 was stratified") || len(p.Incomplete) != 0 || p.Calibration != nil {
		t.Errorf("2026-Q3: %+v", p)
	}
	if _, err := BuildPooled(ctx, st, nil, "2026-Q1", fixedOptions()); err == nil || !strings.Contains(err.Error(), "no audit in the store covers 2026-Q1") {
		t.Errorf("an empty quarter: %v", err)
	}
	if _, err := BuildPooled(ctx, st, nil, "2026-07", fixedOptions()); err == nil || !strings.Contains(err.Error(), `the period 2026-07 holds one audit, "2026-07"`) {
		t.Errorf("a period of one audit: %v", err)
	}
	if _, err := BuildPooled(ctx, st, []string{"2026-07"}, "", fixedOptions()); err == nil {
		t.Error("one audit pooled")
	}
	if _, err := BuildPooled(ctx, st, []string{"2026-07", "2026-07"}, "", fixedOptions()); err == nil || !strings.Contains(err.Error(), "named twice") {
		t.Errorf("an audit named twice: %v", err)
	}
}

// A population recorded for some audits and not others: every audit is
// weighted by its audited cases, none by its population. Worked by hand:
// 5 of 100 and 10 of 50 weigh 2/3 and 1/3, so the share is
// 2/3·0.05 + 1/3·0.2 = 0.1, with variance (2/3)²·0.05·0.95/99 +
// (1/3)²·0.2·0.8/49 = 0.000576056 and 95% bounds 0.1 ∓ 1.959964·0.0240012.
// Weighting the first by its population of 1,000 and the second by its 50
// cases would have given 60/1050 = 0.057.
func TestPooledSomePopulationsUnknown(t *testing.T) {
	o := fixedOptions()
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	as := pooledAudits([]int{5, 10}, []int{100, 50}, []int{1000, 0})
	as[1].Stratified = true
	p, err := pool("", o, as, nil)
	if err != nil {
		t.Fatal(err)
	}
	near := func(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }
	if p.Method != "weighted" || p.Population != nil || !near(p.Share, 0.1) || !near(p.Lower, 0.05295860483345802) || !near(p.Upper, 0.147041395166542) {
		t.Errorf("weighted: method %s population %v share %v [%v, %v]", p.Method, p.Population, *p.Share, *p.Lower, *p.Upper)
	}
	if p.CIMethod != "normal approximation (stratified, weighted by audited cases)" ||
		!strings.Contains(p.Why, "each audit is weighted by its audited cases") || !strings.Contains(p.Sentence, "weighting each audit by its audited cases, the share is 10%, with 95% confidence between 5.2% and 14.8%") {
		t.Errorf("words: %s | %s | %s", p.CIMethod, p.Why, p.Sentence)
	}
}

// Populations recorded as 0 in every audit weigh nothing: the audits are
// weighted by their audited cases (the figures of
// TestPooledSomePopulationsUnknown). A population recorded below the cases
// audited from it has no finite-population correction. Worked by hand: 5
// of 100 from 1,000 and 10 of 50 from 40 weigh 1000/1040 and 40/1040, so
// the share is 58/1040 = 0.0557692, with variance
// (1000/1040)²·0.9·0.05·0.95/99 + (40/1040)²·0.2·0.8/49 = 0.000404071 and
// 95% bounds 0.0557692 ∓ 1.959964·0.0201015. No NaN reaches the JSON.
func TestPooledPopulationsZeroOrBelowAudited(t *testing.T) {
	o := fixedOptions()
	if err := o.normalise(); err != nil {
		t.Fatal(err)
	}
	near := func(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }
	as := pooledAudits([]int{5, 10}, []int{100, 50}, []int{0, 0})
	as[0].Population, as[1].Population = ptr(0), ptr(0)
	as[1].Stratified = true
	p, err := pool("", o, as, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "weighted" || !near(p.Share, 0.1) || !near(p.Lower, 0.05295860483345802) || !near(p.Upper, 0.147041395166542) ||
		p.CIMethod != "normal approximation (stratified, weighted by audited cases)" || !strings.Contains(p.Sentence, "weighting each audit by its audited cases") {
		t.Errorf("populations of 0: method %s share %v [%v, %v] %s | %s", p.Method, p.Share, p.Lower, p.Upper, p.CIMethod, p.Sentence)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("populations of 0: %v", err)
	}

	as = pooledAudits([]int{5, 10}, []int{100, 50}, []int{1000, 40})
	as[1].Stratified = true
	p, err = pool("", o, as, nil)
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "weighted" || !near(p.Share, 0.05576923076923077) || !near(p.Lower, 0.016371004245334005) || !near(p.Upper, 0.09516745729312753) ||
		p.CIMethod != "normal approximation (stratified, weighted by population)" {
		t.Errorf("a population below its audited cases: method %s share %v [%v, %v] %s", p.Method, p.Share, p.Lower, p.Upper, p.CIMethod)
	}
	if _, err := json.Marshal(p); err != nil {
		t.Errorf("a population below its audited cases: %v", err)
	}
}
