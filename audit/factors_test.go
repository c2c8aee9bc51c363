package audit

import (
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/sample"
)

// An audit drawn with factors keeps them in its provenance; growing it
// records the added cases' values in the trail; verify re-measures them
// all from the export and names what moved.
func TestDrawGrowVerifyFactors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "cases.csv", 3000)
	spec := drawSpec(export, "factors", 60, clock.now())
	res, err := Draw(ctx, st, DrawRequest{Spec: spec, Name: "July", Period: "2026-07",
		Factors: &sample.FactorSpec{CaseloadTarget: 18, Timeliness: []string{"Referral Date..Assessment Completed<=45d"}, AsOf: "2026-07-01"}})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	a, err := st.Audit(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	f := a.Provenance.Factors
	if f == nil || f.Spec.WorkerColumn != "Allocated Worker" || f.Spec.ChangesColumn != "Workers in 12m" || len(f.Cases) != 60 ||
		f.Population.Cases != 3000 || f.Population.Caseload == nil || f.Population.Caseload.Workers != 160 {
		t.Fatalf("recorded factors: %+v", f)
	}
	// Without factors asked for, none are recorded, and the provenance
	// reads as before (no "factors" key).
	plain, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "plain", 10, clock.now()), Name: "Plain"})
	if err != nil {
		t.Fatal(err)
	}
	plain.Close()
	if js, _ := plain.Audit.Provenance.JSON(); plain.Audit.Provenance.Factors != nil || strings.Contains(string(js), "factors") {
		t.Errorf("factors recorded unasked: %s", js)
	}
	if cf, err := st.CaseFactors(ctx, "Plain"); err != nil || cf != nil {
		t.Errorf("CaseFactors of an audit without: %v, %v", cf, err)
	}

	g, err := Grow(ctx, st, GrowRequest{Name: "July", By: 5})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	cf, err := st.CaseFactors(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	if len(cf) != 65 {
		t.Fatalf("%d cases with factors, want 65", len(cf))
	}
	for _, c := range g.Added {
		if _, ok := cf[c.ID]; !ok {
			t.Errorf("grown case %s has no factors", c.ID)
		}
	}
	mustVerify(t, st, "July")
	v, err := Verify(ctx, st, VerifyRequest{Name: "July"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("July does not verify: %v", v.Problems(0))
	}

	// The export again, with one grown case's worker replaced by a new
	// one: the sample still re-derives, but the caseloads of that case and
	// of its former worker's sampled cases differ, and verify says so.
	moved := g.Added[0]
	var oldWorker string
	edited := filepath.Join(dir, "edited.csv")
	editCSV(t, export, edited, func(rec []string) bool {
		if rec[0] == moved.ID {
			oldWorker, rec[7] = rec[7], "Brand New Worker"
		}
		return true
	})
	v, err = Verify(ctx, st, VerifyRequest{Name: "July", Export: edited})
	if err != nil {
		t.Fatal(err)
	}
	c := v.Rederivation.Comparison
	if v.OK() || !c.Identical() || len(c.Factors) == 0 {
		t.Fatalf("edited export: OK %v, identical %v, factor changes %+v", v.OK(), c.Identical(), c.Factors)
	}
	found := false
	for _, x := range c.Factors {
		if x.ID == moved.ID && x.Factor == "caseload" && x.Now == "1" {
			found = true
		}
	}
	if !found {
		t.Errorf("grown case %s (was %q) not named: %+v", moved.ID, oldWorker, c.Factors)
	}
	joined := strings.Join(v.Problems(0), "\n")
	if !strings.Contains(joined, "case "+moved.ID+"'s caseload was") || !strings.Contains(joined, "the population's caseloads differ") {
		t.Errorf("problems: %s", joined)
	}
}

// A withdrawn case's replacement, and cases grown after a withdrawal (which
// the draw at the final size need not hold), get their factor values in
// the trail, measured from the export; verify replays the withdrawal and
// re-measures them. The caseload is checked against a count of the
// export's own rows.
func TestWithdrawGrowFactors(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "cases.csv", 3000)
	res, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "withdraw-factors", 40, clock.now()), Name: "July", Period: "2026-07",
		Factors: &sample.FactorSpec{CaseloadTarget: 18}})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	cases, err := st.Cases(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	w, err := Withdraw(ctx, st, WithdrawRequest{Name: "July", Case: cases[3].ID, Reason: "closed before the audit"})
	if err != nil {
		t.Fatal(err)
	}
	if w.Replacement == nil {
		t.Fatal("no replacement drawn")
	}
	g, err := Grow(ctx, st, GrowRequest{Name: "July", By: 4})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()

	// The caseload of each allocated worker, counted from the export.
	workerOf, caseload := map[string]string{}, map[string]int{}
	editCSV(t, export, filepath.Join(dir, "copy.csv"), func(rec []string) bool {
		workerOf[rec[0]] = rec[7] // Case Reference, Allocated Worker
		if rec[7] != "" {
			caseload[rec[7]]++
		}
		return true
	})
	cf, err := st.CaseFactors(ctx, "July")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range append([]string{w.Replacement.ID}, ids(g.Added)...) {
		f, ok := cf[id]
		if !ok || f.Caseload == nil {
			t.Errorf("case %s: no caseload recorded (%+v)", id, f)
			continue
		}
		if want := caseload[workerOf[id]]; *f.Caseload != want {
			t.Errorf("case %s: caseload %d recorded, the export gives %s %d cases", id, *f.Caseload, workerOf[id], want)
		}
	}
	v, err := Verify(ctx, st, VerifyRequest{Name: "July"})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() {
		t.Fatalf("July does not verify after a withdrawal and a growth: %v", v.Problems(0))
	}
}

func ids(cs []SampledCase) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.ID
	}
	return out
}
