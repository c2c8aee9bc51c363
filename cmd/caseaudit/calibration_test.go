package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/xuri/excelize/v2"
)

// calibration across the store: every moderated case counted once for its
// auditor, JSON with the documented keys, exit 2 for a format it has not.
func TestCalibrationCommand(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 500, Seed: 3})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	mustOut(t, "--db", db, "sample", export, "--size", "20", "--seed", "c", "--audit", "July")
	wb := filepath.Join(dir, "july.xlsx")
	mustOut(t, "--db", db, "workbook", "July", "--out", wb)
	fillWorkbook(t, wb, wb) // every case by A. Khan
	mustOut(t, "--db", db, "import", "July", wb)
	mod := filepath.Join(dir, "mod.xlsx")
	mustOut(t, "--db", db, "moderate", "July", "--size", "6", "--seed", "m", "--out", mod)
	var c struct {
		Schema   string `json:"$schema"`
		Pairs    int    `json:"pairs"`
		Auditors []struct {
			Auditor string   `json:"auditor"`
			Pairs   int      `json:"pairs"`
			Kappa   *float64 `json:"kappa"`
		} `json:"auditors"`
	}
	// Nothing moderated yet: an empty calibration, said on stderr.
	code, out, errs := runCmd(t, "--db", db, "calibration", "--format", "json")
	if code != 0 || json.Unmarshal([]byte(out), &c) != nil || c.Pairs != 0 || len(c.Auditors) != 0 {
		t.Fatalf("before moderation: exit %d %s %s", code, out, errs)
	}
	fillModeration(t, mod)
	mustOut(t, "--db", db, "import", "July", mod)
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "calibration", "July", "--format", "json")), &c); err != nil {
		t.Fatal(err)
	}
	if c.Schema != "urn:caseaudit:schema:calibration:2" || c.Pairs != 6 || len(c.Auditors) != 1 || c.Auditors[0].Auditor != "A. Khan" ||
		c.Auditors[0].Pairs != 6 || c.Auditors[0].Kappa != nil {
		t.Errorf("calibration %+v", c)
	}
	if code, out, _ := runCmd(t, "--db", db, "calibration", "--format", "xlsx"); code != 0 || !strings.HasPrefix(out, "PK") {
		t.Errorf("--format xlsx to a pipe: exit %d, %.20q; want a workbook", code, out)
	}
	if code, _, _ := runCmd(t, "--db", db, "calibration", "--format", "pdf"); code != exitUsage {
		t.Errorf("--format pdf: exit %d; want %d", code, exitUsage)
	}
	// For print: a workbook with the calibration sheet, an HTML page with
	// the table and each auditor's sentence.
	xl, page := filepath.Join(dir, "cal.xlsx"), filepath.Join(dir, "cal.html")
	mustOut(t, "--db", db, "calibration", "--out", xl, "--marking", "OFFICIAL-SENSITIVE")
	mustOut(t, "--db", db, "calibration", "--out", page, "--marking", "OFFICIAL-SENSITIVE")
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	rows, _ := f.GetRows("Calibration")
	f.Close()
	if len(rows) < 5 || rows[3][0] != "Auditor" || rows[4][0] != "A. Khan" || rows[4][1] != "6" {
		t.Errorf("the Calibration sheet: %q", rows)
	}
	html, _ := os.ReadFile(page)
	if !strings.Contains(string(html), "<h1>Auditor calibration: agreement with the moderators</h1>") || !strings.Contains(string(html), "A. Khan: ") ||
		strings.Contains(string(html), "<h2>Auditor calibration</h2>") {
		t.Errorf("the calibration page lacks its table and sentences, or is headed twice:\n%s", html)
	}
	if code, _, _ := runCmd(t, "--db", db, "calibration", "No such audit"); code == 0 {
		t.Error("an unknown audit: exit 0")
	}
}

// fillModeration grades every case of a moderators' workbook as M. Moderator.
func fillModeration(t *testing.T, path string) {
	t.Helper()
	fillSample(t, path, path, func(_ int, set func(column, value string)) {
		set("Moderator", "M. Moderator")
		set("Grade", "Good")
		set("Immediate attention", "No")
	})
}

// report --period pools the quarter's audits; exit 2 for a period it cannot
// read or a format the pooled view has not.
func TestReportPeriod(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 500, Seed: 4})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	for _, m := range []string{"07", "08"} {
		t.Setenv("CASEAUDIT_NOW", "2026-"+m+"-01T09:00:00Z")
		mustOut(t, "--db", db, "sample", export, "--size", "20", "--seed", m, "--audit", "M"+m, "--period", "2026-"+m)
		wb := filepath.Join(dir, m+".xlsx")
		mustOut(t, "--db", db, "workbook", "M"+m, "--out", wb)
		fillWorkbook(t, wb, wb)
		mustOut(t, "--db", db, "import", "M"+m, wb)
	}
	var p struct {
		Method  string `json:"method"`
		Audited int    `json:"audited"`
		Audits  []struct {
			Audit string `json:"audit"`
		} `json:"audits"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "report", "--period", "2026-Q3", "--format", "json")), &p); err != nil {
		t.Fatal(err)
	}
	if p.Method != "pooled" || p.Audited != 40 || len(p.Audits) != 2 {
		t.Errorf("pooled %+v", p)
	}
	if out := mustOut(t, "--db", db, "report", "M07", "M08"); !strings.Contains(out, "Over 2 audits") {
		t.Errorf("two audits named:\n%s", out)
	}
	// With moderated cases the pooled view carries the auditors'
	// calibration over the period's audits, in JSON and for print.
	mod := filepath.Join(dir, "mod.xlsx")
	mustOut(t, "--db", db, "moderate", "M07", "--size", "6", "--seed", "m", "--out", mod)
	fillModeration(t, mod)
	mustOut(t, "--db", db, "import", "M07", mod)
	var pc struct {
		Calibration *struct {
			Audits       []string `json:"audits"`
			NotModerated []string `json:"not_moderated"`
			Pairs        int      `json:"pairs"`
		} `json:"calibration"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "report", "--period", "2026-Q3", "--format", "json")), &pc); err != nil {
		t.Fatal(err)
	}
	// August had no moderation: it is named apart, not as compared.
	if pc.Calibration == nil || pc.Calibration.Pairs != 6 || strings.Join(pc.Calibration.Audits, ",") != "M07" ||
		strings.Join(pc.Calibration.NotModerated, ",") != "M08" {
		t.Errorf("pooled calibration %+v", pc.Calibration)
	}
	xl := filepath.Join(dir, "q3.xlsx")
	mustOut(t, "--db", db, "report", "--period", "2026-Q3", "--out", xl, "--marking", "OFFICIAL-SENSITIVE")
	f, err := excelize.OpenFile(xl)
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(f.GetSheetList(), ","); got != "Pooled,Calibration" {
		t.Errorf("the pooled workbook's sheets: %s", got)
	}
	rows, _ := f.GetRows("Pooled")
	f.Close()
	var total []string
	for _, r := range rows {
		if len(r) > 0 && strings.HasPrefix(r[0], "All (") {
			total = r
		}
	}
	if len(total) < 9 || total[0] != "All (pooled)" || total[4] != "40" || total[7] == "" || total[8] == "" {
		t.Errorf("the pooled total row: %q", total)
	}
	page := filepath.Join(dir, "q3.html")
	mustOut(t, "--db", db, "report", "--period", "2026-Q3", "--out", page)
	if html, _ := os.ReadFile(page); !strings.Contains(string(html), "<h2>Auditor calibration</h2>") || !strings.Contains(string(html), "All (pooled)") {
		t.Errorf("the pooled page:\n%s", html)
	}
	// The report of one audit carries the calibration over the audits up to it.
	var rc struct {
		Calibration *struct {
			Audits       []string `json:"audits"`
			NotModerated []string `json:"not_moderated"`
			Pairs        int      `json:"pairs"`
		} `json:"calibration"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "report", "M08", "--format", "json")), &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Calibration == nil || rc.Calibration.Pairs != 6 || strings.Join(rc.Calibration.Audits, ",") != "M07" ||
		strings.Join(rc.Calibration.NotModerated, ",") != "M08" {
		t.Errorf("the report's calibration %+v", rc.Calibration)
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "report", "M07", "--format", "json")), &rc); err != nil {
		t.Fatal(err)
	}
	if rc.Calibration == nil || strings.Join(rc.Calibration.Audits, ",") != "M07" {
		t.Errorf("July's report looks ahead: %+v", rc.Calibration)
	}
	for _, args := range [][]string{{"--period", "2026-Q5"}, {"--period", "2026-Q3", "--cases"}, {"--period", "2026-Q3", "--by", "Team"}} {
		if code, _, _ := runCmd(t, append([]string{"--db", db, "report"}, args...)...); code != exitUsage {
			t.Errorf("report %v: exit %d; want %d", args, code, exitUsage)
		}
	}
}

// actions --overdue --by owner is a chase list owner by owner, the owner
// with most overdue first; --split writes one referral sheet per owner.
func TestActionsByOwner(t *testing.T) {
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 600, Seed: 6})
	db := filepath.Join(dir, "s.db")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	mustOut(t, "--db", db, "sample", export, "--size", "40", "--seed", "o", "--audit", "July", "--owner-column", "Team")
	wb := filepath.Join(dir, "july.xlsx")
	mustOut(t, "--db", db, "workbook", "July", "--out", wb)
	fillWorkbook(t, wb, wb) // every 7th row flagged
	mustOut(t, "--db", db, "import", "July", wb)
	t.Setenv("CASEAUDIT_NOW", "2026-08-01T09:00:00Z") // all overdue
	var doc struct {
		Actions []struct {
			Owner   string `json:"owner"`
			Overdue bool   `json:"overdue"`
		} `json:"actions"`
	}
	if err := json.Unmarshal([]byte(mustOut(t, "--db", db, "actions", "--overdue", "--by", "owner", "--format", "json")), &doc); err != nil {
		t.Fatal(err)
	}
	list := doc.Actions
	if len(list) < 3 {
		t.Fatalf("%d overdue actions", len(list))
	}
	count := map[string]int{}
	for _, a := range list {
		count[a.Owner]++
	}
	seen := map[string]bool{}
	for i, a := range list {
		if i > 0 && a.Owner != list[i-1].Owner {
			if seen[a.Owner] {
				t.Errorf("owner %s's actions are not together: %v", a.Owner, list)
			}
			if count[a.Owner] > count[list[i-1].Owner] {
				t.Errorf("%s (%d overdue) comes after %s (%d)", a.Owner, count[a.Owner], list[i-1].Owner, count[list[i-1].Owner])
			}
		}
		seen[a.Owner] = true
	}
	split := filepath.Join(dir, "split")
	mustOut(t, "--db", db, "actions", "July", "--split", split, "--marking", "OFFICIAL-SENSITIVE")
	files, _ := filepath.Glob(filepath.Join(split, "*.xlsx"))
	if len(files) != len(count) {
		t.Errorf("%d sheets for %d owners: %v", len(files), len(count), files)
	}
	for _, f := range files {
		x, err := excelize.OpenFile(f)
		if err != nil {
			t.Fatal(err)
		}
		owner := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "July - "), ".xlsx")
		for _, c := range referralCardsOf(t, x) {
			// A team owning its cases' actions (no manager set) is
			// marked as a team in the sheet, not in its file's name.
			if fileName(strings.TrimSuffix(c["Owner"], " "+audit.TeamOwnerNote)) != owner {
				t.Errorf("%s holds an action of %s", filepath.Base(f), c["Owner"])
			}
		}
		x.Close()
	}
	if code, _, _ := runCmd(t, "--db", db, "actions", "--by", "team"); code != exitUsage {
		t.Errorf("--by team: exit %d", code)
	}
}
