package audit

// The use cases as a library, without cobra: draw and record, grow,
// re-derive and compare, verify; and a store written before schema 2.

import (
	"bytes"
	"context"
	"encoding/csv"
	"errors"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample"
)

// synthExport writes an invented export (csv or xlsx by the name's
// extension) of n rows.
func synthExport(t *testing.T, dir, name string, n int) string {
	t.Helper()
	p := filepath.Join(dir, name)
	if err := synth.WriteFile(p, synth.Options{Rows: n, Seed: 11}); err != nil {
		t.Fatal(err)
	}
	return p
}

func drawSpec(export, seed string, size int, now time.Time) sample.Spec {
	return sample.Spec{Export: export, Seed: seed, Size: size, Strata: "Team", ToolVersion: "test", Now: now}
}

// editCSV rewrites a csv export, calling edit on every data row (its
// cells; return false to drop the row).
func editCSV(t *testing.T, src, dst string, edit func(rec []string) bool) {
	t.Helper()
	f, err := os.Open(src)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.FieldsPerRecord = -1
	var out bytes.Buffer
	w := csv.NewWriter(&out)
	for i := 0; ; i++ {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatal(err)
		}
		if i > 0 && !edit(rec) {
			continue
		}
		w.Write(rec)
	}
	w.Flush()
	if err := os.WriteFile(dst, out.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestDrawRecordGrowRederive(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "june.csv", 3000)

	// June: 60 cases by team, allocated to two auditors, in one transaction.
	june, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "june", 60, clock.now()), Name: "June",
		Period: "2026-06", Auditors: []string{"A. Khan", "B. Lee"}, Rules: AllocationRules{WorkerField: "Allocated Worker"}})
	if err != nil {
		t.Fatal(err)
	}
	june.Close()
	if june.Audit.Period != "2026-06" || june.Allocation == nil || len(june.Allocation.Assigned) != 60 {
		t.Fatalf("June recorded as %+v, allocation %+v", june.Audit, june.Allocation)
	}
	if abs, _ := filepath.Abs(export); june.Audit.Provenance.Export.AbsPath != abs {
		t.Errorf("absolute path %q, want %q", june.Audit.Provenance.Export.AbsPath, abs)
	}

	// July, drawn from the same export, leaves out June's cases.
	july, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "july", 60, clock.now()), Name: "July", ExcludeWithin: "12m"})
	if err != nil {
		t.Fatal(err)
	}
	july.Close()
	p := july.Audit.Provenance
	juneCases, _ := st.Cases(ctx, "June")
	if p.Exclusion == nil || len(p.Exclusion.IDs) != 60 || p.Counts.Excluded != 60 || p.Exclusion.Within != "12m" ||
		p.Counts.Population != p.Counts.Distinct-60 {
		t.Fatalf("July's exclusion: %+v, counts %+v", p.Exclusion, p.Counts)
	}
	for _, c := range juneCases {
		if !slices.Contains(p.Exclusion.IDs, c.ID) {
			t.Errorf("June's case %s is not among July's excluded IDs", c.ID)
		}
	}
	// A third party re-derives July with nothing but the export, the seed
	// and the provenance (its excluded IDs): no store.
	again, err := sample.Rederive(ctx, &p, export, sample.RederiveOptions{})
	if err != nil {
		t.Fatal(err)
	}
	julyCases, _ := st.Cases(ctx, "July")
	for i, c := range again.Sample.Cases {
		if c.ID != julyCases[i].ID {
			t.Fatalf("case %d re-derives as %s, recorded %s", i+1, c.ID, julyCases[i].ID)
		}
	}
	again.Close()

	// Grow July by 6 and share the new cases out: one transaction.
	g, err := Grow(ctx, st, GrowRequest{Name: "July", By: 6, Auditors: []string{"A. Khan", "B. Lee"}})
	if err != nil {
		t.Fatal(err)
	}
	g.Close()
	if len(g.Added) != 6 || len(g.Cases) != 66 || g.Allocation == nil || len(g.Allocation.Assigned) != 66 {
		t.Fatalf("grown: %d added, %d cases, allocation %+v", len(g.Added), len(g.Cases), g.Allocation)
	}
	wb, err := st.Workbook(ctx, "July", WorkbookOptions{Auditor: "b. lee"})
	if err != nil {
		t.Fatal(err)
	}
	if len(wb.Cases) != 33 {
		t.Errorf("B. Lee's workbook holds %d cases, want 33", len(wb.Cases))
	}

	// Verify: the trail, and the sample re-derived from the recorded export.
	for _, name := range []string{"June", "July"} {
		v, err := Verify(ctx, st, VerifyRequest{Name: name})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() || v.Rederivation.Comparison.Cases != map[string]int{"June": 60, "July": 66}[name] {
			t.Errorf("%s does not verify: %v", name, v.Problems(0))
		}
	}

	// From another folder, with the export moved: found by its absolute
	// path; then, the file gone, not checked (and not OK) unless trail only.
	wd, _ := os.Getwd()
	defer os.Chdir(wd)
	os.Chdir(t.TempDir())
	if v, err := Verify(ctx, st, VerifyRequest{Name: "June"}); err != nil || !v.OK() {
		t.Errorf("verify from another folder: %v %v", err, v.Problems(0))
	}
	moved := filepath.Join(dir, "moved.csv")
	if err := os.Rename(export, moved); err != nil {
		t.Fatal(err)
	}
	v, err := Verify(ctx, st, VerifyRequest{Name: "June"})
	if err != nil {
		t.Fatal(err)
	}
	if v.OK() || v.Rederivation != nil && v.Rederivation.Comparison != nil || !strings.Contains(v.NotChecked, "is not at") {
		t.Errorf("missing export: OK %v, not checked %q", v.OK(), v.NotChecked)
	}
	if v, _ := Verify(ctx, st, VerifyRequest{Name: "June", TrailOnly: true}); !v.OK() {
		t.Errorf("trail only: %v", v.Problems(0))
	}
	if v, _ := Verify(ctx, st, VerifyRequest{Name: "June", Export: moved}); !v.OK() || !v.Rederivation.Comparison.SameExport {
		t.Errorf("--input the moved export: %v", v.Problems(0))
	}

	// An edited export: a sampled case's team changed, another sampled case
	// deleted. Verify says which cases and why.
	changed, gone := juneCases[0].ID, juneCases[1].ID
	edited := filepath.Join(dir, "edited.csv")
	editCSV(t, moved, edited, func(rec []string) bool {
		if rec[0] == changed {
			rec[7] = "Somebody Else"
		}
		return rec[0] != gone
	})
	v, err = Verify(ctx, st, VerifyRequest{Name: "June", Export: edited})
	if err != nil {
		t.Fatal(err)
	}
	c := v.Rederivation.Comparison
	if v.OK() || c.SameExport || c.Population != 2999 || c.RecordedPopulation != 3000 {
		t.Fatalf("edited export: OK %v, same %v, population %d/%d", v.OK(), c.SameExport, c.Population, c.RecordedPopulation)
	}
	if len(c.Missing) != 1 || c.Missing[0].ID != gone || c.Missing[0].Why != "it is no longer in the export" {
		t.Errorf("missing: %+v", c.Missing)
	}
	if len(c.Changed) != 1 || c.Changed[0].ID != changed || c.Changed[0].Column != "Allocated Worker" || c.Changed[0].Now != "Somebody Else" {
		t.Errorf("changed: %+v", c.Changed)
	}
	if len(c.Added) != 1 {
		t.Errorf("added: %+v (the deleted case's stratum takes the next ticket)", c.Added)
	}
	all := strings.Join(v.Problems(0), "\n")
	for _, want := range []string{gone + " (number 2 of the recorded sample) is not re-derived: it is no longer in the export",
		"case " + changed + " reads differently in the export: Allocated Worker was", "the population is 2,999 cases when re-derived but 3,000 were recorded"} {
		if !strings.Contains(all, want) {
			t.Errorf("problems lack %q:\n%s", want, all)
		}
	}
}

// The same data saved as xlsx and as csv verify alike: the sheet applies to
// the workbook only.
func TestRederiveFromTheOtherFormat(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	xlsx := synthExport(t, dir, "cases.xlsx", 800)
	csvCopy := synthExport(t, dir, "cases.csv", 800)
	res, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(xlsx, "s", 40, clock.now()), Name: "A"})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	if res.Audit.Provenance.Export.Sheet != "Cases" {
		t.Fatalf("sheet %q", res.Audit.Provenance.Export.Sheet)
	}
	v, err := Verify(ctx, st, VerifyRequest{Name: "A", Export: csvCopy})
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK() || v.Rederivation.Comparison.SameExport {
		t.Errorf("csv copy of the xlsx: OK %v, same file %v: %v", v.OK(), v.Rederivation.Comparison.SameExport, v.Problems(0))
	}
	// And the reverse: drawn from the csv, verified against the xlsx.
	res, err = Draw(ctx, st, DrawRequest{Spec: drawSpec(csvCopy, "t", 40, clock.now()), Name: "B"})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	if v, err := Verify(ctx, st, VerifyRequest{Name: "B", Export: xlsx}); err != nil || !v.OK() {
		t.Errorf("xlsx copy of the csv: %v %v", err, v.Problems(0))
	}
}

// A store written by caseaudit before schema 2 opens, migrates, keeps its
// trail hashes, and its audits' provenance is rebuilt: both samples
// re-derive from their exports, the July one with its excluded IDs.
func TestStoreV1Migrates(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	for _, f := range []string{"caseaudit.db", "cases-june.xlsx", "cases-july.csv"} {
		b, err := os.ReadFile(filepath.Join("testdata", "store-v1", f))
		if err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, f), b, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	path := filepath.Join(dir, "caseaudit.db")
	st, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	var v int
	if err := st.st.DB().QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != store.SchemaVersion {
		t.Fatalf("schema version %d (%v), want %d", v, err, store.SchemaVersion)
	}
	june, err := st.Audit(ctx, "2026-06 monthly")
	if err != nil {
		t.Fatal(err)
	}
	p := june.Provenance
	if p.Seed != "june-seed" || p.StrataColumn() != "Team" || p.Export.Sheet != "Cases" || p.Export.Format != "xlsx" ||
		p.Export.IDColumn != "Case Reference" || p.Size != 20 || !p.Partial || june.Period != "2026-06" {
		t.Errorf("June's provenance: %+v, period %q", p, june.Period)
	}
	if june.FollowUp.Column != "Team" || june.FollowUp.TeamManagers["Salisbury CIN"] != "J. Smith" {
		t.Errorf("June's follow-up rule: %+v", june.FollowUp)
	}
	july, err := st.Audit(ctx, "2026-07 monthly")
	if err != nil {
		t.Fatal(err)
	}
	if x := july.Provenance.Exclusion; x == nil || len(x.IDs) != 15 || x.Within != "12m" || july.Provenance.Filters[0] != "Legal Status!=CLA" {
		t.Errorf("July's exclusion: %+v", july.Provenance.Exclusion)
	}
	for name, export := range map[string]string{"2026-06 monthly": "cases-june.xlsx", "2026-07 monthly": "cases-july.csv"} {
		v, err := Verify(ctx, st, VerifyRequest{Name: name, Export: filepath.Join(dir, export)})
		if err != nil {
			t.Fatal(err)
		}
		if !v.OK() {
			t.Errorf("%s does not verify after the migration: %v", name, v.Problems(0))
		}
	}
	if cases, _ := st.Cases(ctx, "2026-07 monthly"); len(cases) != 18 || july.InitialSize != 15 {
		t.Errorf("July has %d cases (initial %d), want 18 (15)", len(cases), july.InitialSize)
	}
	acts, err := st.Actions(ctx, "2026-06 monthly")
	if err != nil || len(acts) != 2 {
		t.Fatalf("actions: %v %v", acts, err)
	}
	owners := []string{acts[0].Owner, acts[1].Owner}
	slices.Sort(owners)
	if strings.Join(owners, ",") != "Chippenham CP,J. Smith" {
		t.Errorf("owners %v", owners)
	}
	// A new audit beside the old ones; and editing a schema-1 column is
	// still caught.
	res, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(filepath.Join(dir, "cases-july.csv"), "aug", 10, time.Date(2026, 8, 1, 9, 0, 0, 0, time.UTC)), Name: "2026-08 monthly"})
	if err != nil {
		t.Fatal(err)
	}
	res.Close()
	sqlExec(t, st, "DROP TRIGGER audit_no_update", `UPDATE audit SET seed = 'x' WHERE name = '2026-06 monthly'`)
	r, err := st.Verify(ctx, "2026-06 monthly")
	if err != nil || r.OK {
		t.Errorf("an edited schema-1 column was not noticed: %+v %v", r, err)
	}
	st.Close()
	// Opened again: nothing left to migrate, and no write needed to open.
	st2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	st2.Close()
}

func TestDrawRefusals(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	st, clock := openTest(t)
	export := synthExport(t, dir, "c.csv", 300)
	if _, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "s", 10, clock.now()), Name: "A", Period: "July"}); err == nil ||
		!strings.Contains(err.Error(), `period "July": write the month as YYYY-MM`) {
		t.Errorf("bad period: %v", err)
	}
	if _, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "s", 10, clock.now()), Name: "A",
		FollowUp: OwnerRule{Column: "Manager"}}); err == nil || !strings.Contains(err.Error(), `no column "Manager"`) {
		t.Errorf("unknown owner column: %v", err)
	}
	if _, err := Draw(ctx, st, DrawRequest{Spec: drawSpec(export, "s", 10, clock.now()), Name: "A",
		Auditors: []string{"X"}, Rules: AllocationRules{WorkerField: "Allocated Wrker"}}); err == nil || !strings.Contains(err.Error(), `did you mean "Allocated Worker"?`) {
		t.Errorf("unknown worker column: %v", err)
	}
	// Nothing was recorded by the refusals.
	if _, err := st.Audit(ctx, "A"); !errors.Is(err, ErrNotFound) {
		t.Errorf("a refused draw left an audit: %v", err)
	}
	if _, err := Draw(ctx, nil, DrawRequest{Spec: drawSpec(export, "s", 10, clock.now()), Name: "A"}); err == nil {
		t.Error("recording without a store was accepted")
	}
}
