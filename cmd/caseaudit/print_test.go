package main

import (
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/synth"
)

// printedOutputs runs a quarter's audit through every command that writes
// something people print — the auditors' workbook at sample time, again
// per auditor (--split), the moderators' workbook, the report and the trend
// (xlsx and html), the profile (xlsx and html) and the referral sheet —
// each with --marking, and returns the files written, by what wrote them.
func printedOutputs(t *testing.T, marking string) map[string]string {
	t.Helper()
	dir := t.TempDir()
	export := writeExport(t, "cases.xlsx", synth.Options{Rows: 3000, Seed: 23})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-06-01T09:00:00Z")
	out := func(name string) string { return filepath.Join(dir, name) }
	files := map[string]string{}
	mustOut(t, "--db", db, "sample", export, "--size", "90", "--seed", "june", "--audit", "June", "--period", "2026-06")
	fillAndImport(t, db, "June", out("june.xlsx"))

	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	files["sample --out"] = out("workbook.xlsx")
	mustOut(t, "--db", db, "sample", export, "--size", "60", "--seed", "july", "--audit", "July", "--period", "2026-07",
		"--exclude-audited-within", "12m", "--strata", "Team", "--auditors", "A. Khan,B. Evans,C. Nowak",
		"--owner-column", "Team", "--factors", "--caseload-target", "18",
		"--out", files["sample --out"], "--marking", marking, "--contact", "Q. Officer, 01225 000000", "--return-by", "2026-07-24")
	mustOut(t, "--db", db, "workbook", "July", "--split", out("split"), "--marking", marking)
	split, _ := filepath.Glob(filepath.Join(out("split"), "*.xlsx"))
	if len(split) != 3 {
		t.Fatalf("--split wrote %v", split)
	}
	for _, p := range split {
		files["workbook --split "+filepath.Base(p)] = p
	}
	fillAndImport(t, db, "July", out("july.xlsx"))
	files["moderate --out"] = out("moderation.xlsx")
	mustOut(t, "--db", db, "moderate", "July", "--size", "12", "--seed", "m", "--out", files["moderate --out"], "--marking", marking)
	for _, ext := range []string{"xlsx", "html"} {
		files["report "+ext] = out("report." + ext)
		mustOut(t, "--db", db, "report", "July", "--out", files["report "+ext], "--marking", marking)
		files["trend "+ext] = out("trend." + ext)
		mustOut(t, "--db", db, "trend", "--out", files["trend "+ext], "--marking", marking)
		files["profile "+ext] = out("profile." + ext)
		mustOut(t, "profile", export, "--caseload-target", "18", "--timeliness", "Referral Date..Assessment Completed<=45wd",
			"--out", files["profile "+ext], "--marking", marking)
	}
	files["actions --out"] = out("referrals.xlsx")
	mustOut(t, "--db", db, "actions", "--all", "--out", files["actions --out"], "--marking", marking)
	return files
}

// fillAndImport writes an audit's workbook, grades every case in it and
// imports it.
func fillAndImport(t *testing.T, db, audit, path string) {
	t.Helper()
	mustOut(t, "--db", db, "workbook", audit, "--out", path, "--force")
	fillWorkbook(t, path, path)
	mustOut(t, "--db", db, "import", audit, path)
}

// proseSheets are the sheets that need no header row repeated: text, or
// several small tables each with its own header, or one page.
var proseSheets = []string{
	"Instructions", "Method", // the workbooks'
	"Summary", "Breakdown", "Focus areas", "Factors", "Moderation", "Trend", // the report's
	"Caseload", "Changes", "Timeliness", // the profile's
}

// TestEveryPrintedOutputKeepsThePrintContract walks every sheet of every
// workbook and every HTML page the commands write: A4, one page wide, page
// n of m, the marking in every header and footer, the header row repeated.
// A sheet or an output added without its print setup fails here.
func TestEveryPrintedOutputKeepsThePrintContract(t *testing.T) {
	const marking = "OFFICIAL-SENSITIVE & PERSONAL"
	files := printedOutputs(t, marking)
	var keys []string
	for k := range files {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		b, err := os.ReadFile(files[k])
		if err != nil {
			t.Fatal(err)
		}
		var problems []string
		if strings.HasSuffix(files[k], ".html") {
			problems = printcheck.CheckHTML(b, marking)
		} else if problems, err = printcheck.CheckWorkbook(b, marking, proseSheets...); err != nil {
			t.Fatalf("%s: %v", k, err)
		}
		for _, p := range problems {
			t.Errorf("%s: %s", k, p)
		}
	}
}
