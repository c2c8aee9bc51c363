package report

import (
	"bytes"
	"context"
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
	st, _ := clockStore(t, time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	for m := range 3 {
		name := []string{"2026-07", "2026-08", "2026-09"}[m]
		a := fxAudit(name, N[m])
		if !stratify || m < 2 {
			a.Provenance.Strata = nil
		}
		cases := fxCases(n[m], "CR"+name)
		if _, err := st.CreateAudit(ctx, a, cases); err != nil {
			t.Fatal(err)
		}
		for i, c := range cases {
			mustRecord(t, st, name, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: i < k[m], Date: name + "-20"})
		}
	}
	return st
}

// The quarter pooled: three simple random samples of one population
// definition at one sampling fraction are one sample, with the exact
// interval of R's binom.test(10, 360); a stratified audit among them, or
// unequal sampling fractions, make it a population-weighted estimate:
//
//	k <- c(3,5,2); n <- c(120,120,120); N <- c(3000,3000,3000); W <- N/sum(N); p <- k/n
//	est <- sum(W*p); v <- sum(W^2*(1-n/N)*p*(1-p)/(n-1)); z <- qnorm(0.975)
//	c(est, est - z*sqrt(v), est + z*sqrt(v))   # 0.027777777778 0.011108730049 0.044446825506
//	# n <- c(120,90,60); N <- c(3000,2000,4000): 0.035493827160 0.011020714583 0.059966939738
func TestPooledQuarter(t *testing.T) {
	ctx := context.Background()
	near := func(a *float64, b float64) bool { return a != nil && math.Abs(*a-b) < 1e-9 }
	st := pooledStore(t, []int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000}, false)
	p, err := BuildPooled(ctx, st, nil, "2026-Q3", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "pooled" || p.Audited != 360 || p.Flagged != 10 || *p.Population != 9000 ||
		!near(p.Lower, 0.0133991915) || !near(p.Upper, 0.0504898185) { // binom.test(10, 360)$conf.int
		t.Errorf("pooled: %s %d/%d [%v, %v]", p.Method, p.Flagged, p.Audited, *p.Lower, *p.Upper)
	}
	if !strings.Contains(p.Sentence, "Over 3 audits, 10 of the 360 audited cases (2.8%) needed immediate attention; with 95% confidence between 1.3% and 5.1%") {
		t.Errorf("sentence: %s", p.Sentence)
	}

	st = pooledStore(t, []int{3, 5, 2}, []int{120, 120, 120}, []int{3000, 3000, 3000}, true)
	p, err = BuildPooled(ctx, st, []string{"2026-07", "2026-08", "2026-09"}, "", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if p.Method != "weighted" || !near(p.Share, 0.027777777778) || !near(p.Lower, 0.011108730049) || !near(p.Upper, 0.044446825506) ||
		!strings.Contains(p.Why, "2026-09 was stratified") {
		t.Errorf("stratified: %s %v [%v, %v] %s", p.Method, *p.Share, *p.Lower, *p.Upper, p.Why)
	}

	st = pooledStore(t, []int{3, 5, 2}, []int{120, 90, 60}, []int{3000, 2000, 4000}, false)
	p, err = BuildPooled(ctx, st, nil, "2026-07..2026-09", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
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
	if _, err := BuildPooled(ctx, st, nil, "2026-Q1", fixedOptions()); err == nil || !strings.Contains(err.Error(), "no audit in the store covers 2026-Q1") {
		t.Errorf("an empty quarter: %v", err)
	}
	if _, err := BuildPooled(ctx, st, []string{"2026-07"}, "", fixedOptions()); err == nil {
		t.Error("one audit pooled")
	}
}
