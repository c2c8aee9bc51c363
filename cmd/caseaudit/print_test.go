package main

import (
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

// printedOutputs runs a quarter's audit through every command that writes
// something people print — the auditors' workbook at sample time, again
// per auditor (--split), the moderators' workbook, the report and the trend
// (xlsx and html), the pooled view and the calibration (xlsx and html), the
// profile (xlsx and html) and the referral sheet —
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
	// The moderation is recorded (a copy of the workbook filled in), so that
	// the report, the pooled view and the calibration carry the auditors'
	// calibration.
	moderated := out("moderated.xlsx")
	b, err := os.ReadFile(files["moderate --out"])
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(moderated, b, 0o600); err != nil {
		t.Fatal(err)
	}
	fillModeration(t, moderated)
	mustOut(t, "--db", db, "import", "July", moderated)
	for _, ext := range []string{"xlsx", "html"} {
		files["report "+ext] = out("report." + ext)
		mustOut(t, "--db", db, "report", "July", "--out", files["report "+ext], "--marking", marking)
		files["trend "+ext] = out("trend." + ext)
		mustOut(t, "--db", db, "trend", "--by", "Team", "--out", files["trend "+ext], "--marking", marking)
		files["report --period "+ext] = out("pooled." + ext)
		mustOut(t, "--db", db, "report", "--period", "2026-06..2026-07", "--out", files["report --period "+ext], "--marking", marking)
		files["calibration "+ext] = out("calibration." + ext)
		mustOut(t, "--db", db, "calibration", "--out", files["calibration "+ext], "--marking", marking)
		files["profile "+ext] = out("profile." + ext)
		mustOut(t, "profile", export, "--caseload-target", "18", "--timeliness", "Referral Date..Assessment Completed<=45wd",
			"--out", files["profile "+ext], "--marking", marking)
	}
	// The views across audits are in what is printed: the report's and the
	// pooled view's calibration sheet, and both pages' sections.
	for k, want := range map[string]string{"report xlsx": "Calibration", "report --period xlsx": "Pooled,Calibration", "calibration xlsx": "Calibration"} {
		f, err := excelize.OpenFile(files[k])
		if err != nil {
			t.Fatal(err)
		}
		sheets := strings.Join(f.GetSheetList(), ",")
		f.Close()
		if !strings.Contains(sheets, want) {
			t.Errorf("%s has the sheets %s; want %s among them", k, sheets, want)
		}
	}
	// The calibration's own page is headed once, by its title; in a
	// report it is a section.
	if b, _ := os.ReadFile(files["calibration html"]); !strings.Contains(string(b), "<h1>Auditor calibration: agreement with the moderators</h1>") ||
		strings.Contains(string(b), "<h2>Auditor calibration</h2>") {
		t.Errorf("calibration html is not headed once by its title")
	}
	for _, k := range []string{"report html", "report --period html"} {
		if b, _ := os.ReadFile(files[k]); !strings.Contains(string(b), "<h2>Auditor calibration</h2>") {
			t.Errorf("%s has no calibration section", k)
		}
	}
	files["actions --out"] = out("referrals.xlsx")
	mustOut(t, "--db", db, "actions", "--all", "--out", files["actions --out"], "--marking", marking)
	// The subject access document of a flagged case of July: its record
	// holds a finding, its follow-up action and an allocation.
	var acts struct {
		Actions []struct {
			Case string `json:"case"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "actions", "July", "--all", "--format", "json")), &acts); err != nil || len(acts.Actions) == 0 {
		t.Fatalf("July's actions: %v %v", acts, err)
	}
	for _, ext := range []string{"xlsx", "html"} {
		files["case "+ext] = out("case." + ext)
		mustOut(t, "--db", db, "case", acts.Actions[0].Case, "--role", "governance", "--out", files["case "+ext], "--marking", marking)
	}
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

// TestEveryPrintedOutputPrints prints every output of printedOutputs —
// workbooks through LibreOffice, HTML pages through headless Chromium —
// and reads the pages back: every page A4, the marking at its top and its
// foot, "Page n of m" on it, and no word past the page's side margins.
// PRINTCHECK_SHOTS=DIR keeps the PDFs there to look at.
func TestEveryPrintedOutputPrints(t *testing.T) {
	tools := printcheck.Require(t)
	browser := printcheck.RequireBrowser(t)
	const marking = "OFFICIAL-SENSITIVE"
	files := printedOutputs(t, marking)
	dir := t.TempDir()
	if d := os.Getenv("PRINTCHECK_SHOTS"); d != "" {
		dir = d
	}
	var keys, xlsx []string
	for k, p := range files {
		keys = append(keys, k)
		if strings.HasSuffix(p, ".xlsx") {
			xlsx = append(xlsx, p)
		}
	}
	sort.Strings(keys)
	sort.Strings(xlsx)
	pdfOf := map[string]string{}
	pdfs, err := tools.Convert(context.Background(), dir, xlsx...)
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range xlsx {
		pdfOf[p] = pdfs[i]
	}
	for _, k := range keys {
		if p := files[k]; strings.HasSuffix(p, ".html") {
			pdfOf[p] = filepath.Join(dir, strings.TrimSuffix(filepath.Base(p), ".html")+"-html.pdf")
			if err := printcheck.PrintHTML(context.Background(), browser, p, pdfOf[p]); err != nil {
				t.Fatal(err)
			}
		}
	}
	for _, k := range keys {
		pdf := pdfOf[files[k]]
		sizes, err := tools.PageSizes(pdf)
		if err != nil {
			t.Fatal(err)
		}
		words, err := tools.Words(pdf)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d pages", k, len(sizes))
		marks, numbers := map[int]int{}, map[int]bool{}
		for i, w := range words {
			size := sizes[w.Page-1]
			if w.Text == marking {
				marks[w.Page]++
			}
			if w.Text == "Page" && i+3 < len(words) && words[i+2].Text == "of" && words[i+3].Text == strconv.Itoa(len(sizes)) {
				numbers[w.Page] = true
			}
			if w.XMax > size[0]-20 || w.XMin < 20 {
				t.Errorf("%s page %d: %q runs into the page's edge (x %.0f to %.0f of %.0f)", k, w.Page, w.Text, w.XMin, w.XMax, size[0])
			}
		}
		for p, size := range sizes {
			if a4 := (abs(size[0]-595) < 2 && abs(size[1]-842) < 2) || (abs(size[0]-842) < 2 && abs(size[1]-595) < 2); !a4 {
				t.Errorf("%s page %d is %.0f x %.0f points, not A4", k, p+1, size[0], size[1])
			}
			if marks[p+1] < 2 {
				t.Errorf("%s page %d shows the marking %d times; want it at the top and the foot", k, p+1, marks[p+1])
			}
			if !numbers[p+1] {
				t.Errorf("%s page %d has no \"Page n of %d\"", k, p+1, len(sizes))
			}
		}
	}
}

func abs(x float64) float64 {
	if x < 0 {
		return -x
	}
	return x
}
