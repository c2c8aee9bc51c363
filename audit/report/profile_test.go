package report

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/xuri/excelize/v2"
)

// profileFixture profiles a generated 1,000-row export (invented workers),
// with a few hand-made rows appended: a team whose name is markup and a
// formula, an unreadable count and date, an unallocated case.
func profileFixture(t *testing.T, names bool) *ProfileReport {
	t.Helper()
	var buf bytes.Buffer
	if err := synth.WriteCSV(&buf, synth.Options{Rows: 1000, Seed: 5}); err != nil {
		t.Fatal(err)
	}
	// Case Reference,Person ID,Forename,Surname,Date of Birth,Gender,Team,Allocated Worker,Legal Status,
	// Referral Date,Assessment Completed,Plan Start Date,Last Visit,Workers in 12m,Case Status
	buf.WriteString("X-1,1,Ann,Example,01/01/2015,F,<b>Team</b>,Unallocated,CP,01/06/2026,,,,two,Open\n")
	buf.WriteString("X-2,2,Bo,Example,01/01/2015,M,=HYPERLINK(\"http://x\"),Worker Zed,CP,01/06/2026,soon,,,2,Open\n")
	path := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(path, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	tl, err := profile.ParseTimeliness("Referral Date..Assessment Completed<=45d")
	if err != nil {
		t.Fatal(err)
	}
	tw, _ := profile.ParseTimeliness("Assessment Completed..Plan Start Date<=10wd")
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	p, err := profile.New(profile.Spec{CaseloadTarget: 7, Timeliness: []profile.Timeliness{tl, tw}, AsOf: now, IncludeNames: names}, tb)
	if err != nil {
		t.Fatal(err)
	}
	c, err := profile.Read(context.Background(), tb, p, profile.ReadOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return NewProfileReport(p.Result(), ProfileInput{Path: "cases.csv", SHA256: strings.Repeat("ab", 32), Format: tb.Format,
		HeaderRow: tb.HeaderRow, IDColumn: "Case Reference", Rows: c.Rows},
		[]string{"Legal Status=CP"}, ProfileSkipped{Blank: c.Blank}, now, "test", names)
}

func renderProfile(t *testing.T, r *ProfileReport, f Format) []byte {
	t.Helper()
	var buf bytes.Buffer
	if err := RenderProfile(&buf, r, f, RenderOptions{}); err != nil {
		t.Fatalf("%s: %v", f, err)
	}
	return buf.Bytes()
}

// workbookText is every cell of every sheet, tab-separated.
func workbookText(t *testing.T, b []byte) (string, *excelize.File) {
	t.Helper()
	f, err := excelize.OpenReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	var sb strings.Builder
	for _, s := range f.GetSheetList() {
		rows, err := f.GetRows(s)
		if err != nil {
			t.Fatal(err)
		}
		for _, r := range rows {
			sb.WriteString(strings.Join(r, "\t") + "\n")
		}
	}
	return sb.String(), f
}

// Without --include-names no worker's name appears in any format; with it,
// they do.
func TestProfileNoWorkerNames(t *testing.T) {
	for _, names := range []bool{false, true} {
		r := profileFixture(t, names)
		for _, f := range Formats {
			out := string(renderProfile(t, r, f))
			if f == XLSX {
				out, _ = workbookText(t, []byte(out))
			}
			found := 0
			for _, w := range append(synth.Workers(), "Worker Zed") {
				if strings.Contains(out, w) {
					found++
				}
			}
			if !names && found > 0 {
				t.Errorf("%s: %d worker names without IncludeNames", f, found)
			}
			if names && found == 0 {
				t.Errorf("%s: no worker named with IncludeNames", f)
			}
			// Unreadable cells' text only with names.
			if strings.Contains(out, "soon") != names && f != Table {
				t.Errorf("%s: the unreadable cell's text shown = %v, want %v", f, !names, names)
			}
		}
	}
}

func TestProfileJSON(t *testing.T) {
	r := profileFixture(t, false)
	var m map[string]any
	if err := json.Unmarshal(renderProfile(t, r, JSON), &m); err != nil {
		t.Fatal(err)
	}
	if m["$schema"] != ProfileSchema || m["cases"] != 1002.0 || m["generated"] != "2026-07-01T09:00:00Z" || m["team_column"] != "Team" {
		t.Errorf("top level: %v %v %v %v", m["$schema"], m["cases"], m["generated"], m["team_column"])
	}
	in := m["input"].(map[string]any)
	if in["id_column"] != "Case Reference" || in["rows"] != 1002.0 || in["format"] != "csv" {
		t.Errorf("input %v", in)
	}
	cl := m["caseload"].(map[string]any)
	if cl["column"] != "Allocated Worker" || cl["unallocated"] != 1.0 || cl["target"] != 7.0 || cl["workers"].(float64) < 100 {
		t.Errorf("caseload %v", cl)
	}
	if _, ok := cl["worker_list"]; ok {
		t.Errorf("worker_list without include_names")
	}
	at := cl["above_target"].(map[string]any)
	if s := at["cases_share"].(float64); s <= 0 || s >= 1 {
		t.Errorf("cases_share %v is not a fraction", s)
	}
	ch := m["changes"].(map[string]any)
	if ch["not_numbers"] != 1.0 || ch["at_least"] != 3.0 || len(ch["distribution"].([]any)) != 7 {
		t.Errorf("changes %v", ch)
	}
	tl := m["timeliness"].([]any)
	if len(tl) != 2 {
		t.Fatalf("timeliness %v", tl)
	}
	t0 := tl[0].(map[string]any)
	if t0["spec"] != "Referral Date..Assessment Completed<=45d" || t0["as_of"] != "2026-07-01" || t0["unreadable"] != 1.0 ||
		len(t0["by_team"].([]any)) != 10 || t0["unit"] != "d" {
		t.Errorf("timeliness %v", t0)
	}
	if sum := t0["within"].(float64) + t0["late"].(float64) + t0["not_done"].(float64); sum != t0["measured"].(float64) {
		t.Errorf("within + late + not done = %v, measured %v", sum, t0["measured"])
	}
	notes := m["notes"].([]any)
	if len(notes) < 3 {
		t.Errorf("notes %v", notes)
	}
	if !bytes.Contains(renderProfile(t, r, JSON), []byte(`"<=45d"`[1:])) {
		t.Errorf("JSON escapes <= in the spec")
	}
}

func TestProfileCSV(t *testing.T) {
	r := profileFixture(t, false)
	recs, err := csv.NewReader(bytes.NewReader(renderProfile(t, r, CSV))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(recs[0], ",") != "section,pair,group,measure,value" {
		t.Errorf("header %v", recs[0])
	}
	find := func(section, pair, group, measure string) string {
		for _, rec := range recs {
			if rec[0] == section && rec[1] == pair && rec[2] == group && rec[3] == measure {
				return rec[4]
			}
		}
		t.Errorf("no row %s/%s/%s/%s", section, pair, group, measure)
		return ""
	}
	if find("summary", "", "", "cases") != "1002" || find("caseload", "", "", "target") != "7" || find("changes", "", "", "not_numbers") != "1" {
		t.Errorf("figures")
	}
	if find("timeliness_by_team", "Referral Date..Assessment Completed<=45d", "'=HYPERLINK(\"http://x\")", "cases") != "1" {
		t.Errorf("a team name that is a formula is not neutralised")
	}
}

func TestProfileHTML(t *testing.T) {
	r := profileFixture(t, false)
	h := string(renderProfile(t, r, HTML))
	if n := strings.Count(h, "<svg"); n != 4 { // caseload, changes, two timeliness pairs
		t.Errorf("%d charts, want 4", n)
	}
	for _, bad := range []string{"<script", "<b>Team</b>", "http://x\"", "src="} {
		if strings.Contains(h, bad) {
			t.Errorf("the page holds %q", bad)
		}
	}
	for _, want := range []string{"&lt;b&gt;Team&lt;/b&gt;", "target 7", "Caseloads, changes of worker and timeliness", "<figcaption>"} {
		if !strings.Contains(h, want) {
			t.Errorf("the page lacks %q", want)
		}
	}
}

func TestProfileXLSX(t *testing.T) {
	r := profileFixture(t, true)
	b := renderProfile(t, r, XLSX)
	text, f := workbookText(t, b)
	defer f.Close()
	want := []string{"Summary", "Caseload", "Changes", "Timeliness", "Workers", "Problems"}
	if got := f.GetSheetList(); strings.Join(got, ",") != strings.Join(want, ",") {
		t.Errorf("sheets %v, want %v", got, want)
	}
	for _, s := range r.Summary() {
		if !strings.Contains(text, s) {
			t.Errorf("the workbook lacks the sentence %q", s)
		}
	}
	// Counts are numbers, not text.
	if v, err := f.GetCellType("Caseload", "B4"); err != nil || v != excelize.CellTypeNumber && v != excelize.CellTypeUnset {
		t.Errorf("Caseload B4 is %v (%v)", v, err)
	}
	if raw, _ := f.GetCellValue("Caseload", "B4", excelize.Options{RawCellValue: true}); raw != "1001" {
		t.Errorf("cases allocated %q, want 1001", raw)
	}
	zr, err := zip.NewReader(bytes.NewReader(b), int64(len(b)))
	if err != nil {
		t.Fatal(err)
	}
	charts := 0
	for _, zf := range zr.File {
		if strings.HasPrefix(zf.Name, "xl/charts/chart") {
			charts++
		}
	}
	if charts != 4 {
		t.Errorf("%d charts, want 4", charts)
	}
}

func TestProfileTableAndMarkdown(t *testing.T) {
	r := profileFixture(t, false)
	tb := string(renderProfile(t, r, Table))
	for _, want := range []string{"Caseloads, changes of worker and timeliness\n", "  Workers above the target", "Timeliness: “Referral Date” to “Assessment Completed” within 45 days",
		"CASELOAD  WORKERS  CASES HELD  ABOVE TARGET", "Filters            Legal Status=CP"} {
		if !strings.Contains(tb, want) {
			t.Errorf("table lacks %q", want)
		}
	}
	if strings.Contains(tb, "\x1b") {
		t.Errorf("escape sequence in the table")
	}
	var buf bytes.Buffer
	if err := RenderProfile(&buf, r, Table, RenderOptions{Color: true}); err != nil || !strings.Contains(buf.String(), ansiBold) {
		t.Errorf("colour: %v", err)
	}
	md := string(renderProfile(t, r, Markdown))
	for _, want := range []string{"# Caseloads, changes of worker and timeliness", "## Caseload", "## Changes of worker", "## Cells that could not be read", "&lt;b&gt;Team&lt;/b&gt;"} {
		if !strings.Contains(md, want) {
			t.Errorf("markdown lacks %q", want)
		}
	}
}

// A profile without a worker or changes column, without a team column
// and with nothing measured still renders in every format.
func TestProfileSparse(t *testing.T) {
	tl := profile.TimelinessResult{Spec: "A..B<=1d", From: "A", To: "B", Limit: 1, Unit: "d", LimitText: "1 day", ElapsedUnit: "days",
		ByTeam: []profile.TeamTimeliness{}, Problems: []profile.CellProblem{}, TimelinessCounts: profile.TimelinessCounts{Cases: 2, NoStart: 2}}
	r := NewProfileReport(profile.Profile{Cases: 2, Timeliness: []profile.TimelinessResult{tl}}, ProfileInput{Path: "x.csv"}, nil, ProfileSkipped{}, time.Time{}, "test", false)
	for _, f := range Formats {
		out := renderProfile(t, r, f)
		if len(out) == 0 {
			t.Errorf("%s: empty", f)
		}
	}
	if s := r.Summary(); len(s) != 1 || !strings.Contains(s[0], "no case could be measured") {
		t.Errorf("summary %q", s)
	}
	c := &profile.Caseload{Column: "Worker", Unallocated: 3, UnallocatedAs: map[string]int{"": 3}, Bands: []profile.Band{}, ByCaseload: []profile.CaseloadCount{}}
	r = NewProfileReport(profile.Profile{Cases: 3, Caseload: c, Timeliness: []profile.TimelinessResult{}}, ProfileInput{Path: "x.csv"}, nil, ProfileSkipped{}, time.Time{}, "test", false)
	for _, f := range Formats {
		renderProfile(t, r, f)
	}
	if s := r.Summary(); len(s) != 1 || !strings.Contains(s[0], "No case has an allocated worker") {
		t.Errorf("summary %q", s)
	}
}

func TestFoldEmptyBands(t *testing.T) {
	to := func(n int) *int { return &n }
	bs := []profile.Band{{Label: "1–5", From: 1, To: to(5), Workers: 2}, {Label: "6–10", From: 6, To: to(10)}, {Label: "11–15", From: 11, To: to(15), Workers: 1},
		{Label: "16–20", From: 16, To: to(20)}, {Label: "21–25", From: 21, To: to(25)}, {Label: "26–30", From: 26, To: to(30)}, {Label: "31 or more", From: 31, Workers: 1}}
	var got []string
	for _, b := range foldEmptyBands(bs) {
		got = append(got, b.Label)
	}
	if strings.Join(got, " ") != "1–5 6–10 11–15 16–30 31 or more" {
		t.Errorf("folded %q", got)
	}
	bs = []profile.Band{{Label: "1–5", From: 1, To: to(5), Workers: 2}, {Label: "6–10", From: 6, To: to(10)}, {Label: "11 or more", From: 11}}
	got = nil
	for _, b := range foldEmptyBands(bs) {
		got = append(got, b.Label)
	}
	if strings.Join(got, " ") != "1–5 6 or more" {
		t.Errorf("folded %q", got)
	}
}

// A "count" column whose values are large is probably the wrong column.
func TestProfileNoteOnLargeCounts(t *testing.T) {
	mean := 40123.0
	ch := &profile.Changes{Column: "Staff No", Counted: 3, Mean: &mean, AtLeast: 3, AtLeastCases: 3, AtLeastShare: ptr(1.0), Problems: []profile.CellProblem{}}
	r := NewProfileReport(profile.Profile{Cases: 3, Changes: ch, Timeliness: []profile.TimelinessResult{}}, ProfileInput{Path: "x.csv"}, nil, ProfileSkipped{}, time.Time{}, "test", false)
	if !strings.Contains(strings.Join(r.Notes, "\n"), "The values of “Staff No” are large for a count of workers (a mean of 40123.0)") {
		t.Errorf("notes %q", r.Notes)
	}
}
