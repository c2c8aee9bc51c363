package main

import (
	"encoding/json"
	"math"
	"strings"
	"testing"
)

func TestTrend(t *testing.T) {
	db := reportStore(t)
	code, out, errs := runCmd(t, "trend", "--db", db, "--format", "json")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	var tr struct {
		Method     string
		Confidence float64
		Audits     []struct {
			Audit            string
			Audited, Flagged int
			Share            *float64
			Lower, Upper     *float64
			Grades           map[string]int
		}
	}
	if err := json.Unmarshal([]byte(out), &tr); err != nil {
		t.Fatal(err)
	}
	if len(tr.Audits) != 2 || tr.Audits[0].Audit != "2025-07" || tr.Audits[1].Audit != "2026-07" {
		t.Fatalf("trend is not oldest first: %+v", tr.Audits)
	}
	a := tr.Audits[0]
	// Reference: Clopper–Pearson 3 of 90 → 0.006927603 … 0.094336093.
	if a.Flagged != 3 || a.Audited != 90 || math.Abs(*a.Lower-0.006927603) > 5e-10 || math.Abs(*a.Upper-0.094336093) > 5e-10 {
		t.Errorf("2025-07: %+v lower %v upper %v", a, *a.Lower, *a.Upper)
	}
	if a.Grades["Good"] != 90 || tr.Method != "clopper-pearson" || tr.Confidence != 0.95 {
		t.Errorf("grades %v method %s confidence %v", a.Grades, tr.Method, tr.Confidence)
	}
	code, out, _ = runCmd(t, "trend", "--db", db)
	lines := strings.Split(out, "\n")
	if code != 0 || len(lines) < 5 || !strings.HasPrefix(lines[4], "2025-07") || !strings.HasPrefix(lines[5], "2026-07") {
		t.Errorf("table: exit %d\n%s", code, out)
	}
	code, out, _ = runCmd(t, "trend", "--db", db, "--format", "csv", "--confidence", "90%")
	if code != 0 || !strings.HasPrefix(out, "audit,period,created,sampled,audited,flagged,share,ci_method,confidence,ci_lower,ci_upper,") ||
		!strings.Contains(out, ",clopper-pearson,0.9,") {
		t.Errorf("csv: exit %d\n%s", code, out)
	}
	if code, _, _ := runCmd(t, "trend", "extra", "--db", db); code != exitUsage {
		t.Errorf("trend with an argument: exit %d", code)
	}
}
