package report

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// A small audit with a form, built by hand so every figure can be counted
// on paper (invented IDs only):
//
//	case  team  assessment (N/A allowed)  voice                 visits (N/A allowed)
//	F-1   A     Outstanding               Good                  Yes
//	F-2   A     Good                      Inadequate            No
//	F-3   A     Not applicable            Good                  N/A
//	F-4   A     Requires improvement      Good                  Yes
//	F-5   B     Inadequate                Requires improvement  Yes
//	F-6   B     Not applicable            Inadequate            (none)
//	F-7   B     Good                      Requires improvement  No
//	F-8   B     (not audited)
//
// assessment: Outstanding 1, Good 2, RI 1, Inadequate 1, N/A 2; answered 7,
// graded 5, Good or better 3/5 = 60% (3/7 if N/A wrongly counted).
// voice: Good 3, RI 2, Inadequate 2; graded 7, Good or better 3/7.
// visits: Yes 3, No 2, N/A 1; answered 6; no Good or better.
// Team A (4 audited): assessment 2 of 3 (amber), voice 3 of 4 = 75% (green,
// on the boundary). Team B (3 audited): assessment 1 of 2 = 50% (amber, on
// the boundary), voice 0 of 3 (red).
const smallForm = `name: Small form
questions:
  - key: assessment
    label: Assessment
    kind: grade
    not_applicable: true
  - key: voice
    label: Child's voice
    kind: grade
  - key: visits
    label: Visits on time
    kind: yesno
    not_applicable: true
`

func smallStore(t *testing.T) (*audit.Store, *fixedClock) {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st, clock
}

func smallCases(prefix string, n int) []audit.SampledCase {
	out := make([]audit.SampledCase, n)
	for i := range out {
		team := "A"
		if i >= n/2 {
			team = "B"
		}
		out[i] = audit.SampledCase{Order: i + 1, ID: fmt.Sprintf("%s-%d", prefix, i+1), Ticket: fmt.Sprintf("0.%018d", i+1),
			Row: i + 2, Fields: []string{team, "CIN"}}
	}
	return out
}

func smallAudit(name string, form json.RawMessage) audit.Audit {
	return audit.Audit{Name: name, Columns: []string{"Team", "Legal Status"}, Form: form,
		Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, ToolVersion: "test", Seed: "seed-" + name,
			Export: sample.Source{Path: "small.csv", SHA256: "cd34", Format: "csv", HeaderRow: 1, IDColumn: "Case Reference"},
			Counts: sample.Counts{Rows: 8, Distinct: 8, Population: 8}, Columns: []string{"Team", "Legal Status"}, Size: 1}}
}

// parseSmallForm is smallForm parsed, and as an audit stores it.
func parseSmallForm(t *testing.T) (*audit.Form, json.RawMessage) {
	t.Helper()
	form, err := audit.ParseForm("small.yaml", []byte(smallForm))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := form.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return form, raw
}

func buildSmallForm(t *testing.T) *Report {
	t.Helper()
	ctx := context.Background()
	st, _ := smallStore(t)
	_, raw := parseSmallForm(t)
	if _, err := st.CreateAudit(ctx, smallAudit("small", raw), smallCases("F", 8)); err != nil {
		t.Fatal(err)
	}
	answers := slices.Clone(smallStored)
	answers[5][0] = "na"                    // "na" is stored as "Not applicable"
	answers[6] = [3]string{"g", "ri", "no"} // short forms are stored in full
	for i, a := range answers {
		mustRecord(t, st, "small", audit.Finding{Case: fmt.Sprintf("F-%d", i+1), Auditor: "A. Auditor", Grade: audit.Good,
			Date: "2026-03-02", Answers: smallAnswers(a)})
	}
	r, err := Build(ctx, st, "small", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func same(a, b float64) bool { return math.Abs(a-b) < 1e-12 }

// smallStored are the answers of F-1 to F-7 (assessment, voice, visits;
// "" unanswered) as stored, in full.
var smallStored = [][3]string{
	{"Outstanding", "Good", "Yes"},
	{"Good", "Inadequate", "No"},
	{"Not applicable", "Good", "N/A"},
	{"Requires improvement", "Good", "Yes"},
	{"Inadequate", "Requires improvement", "Yes"},
	{"Not applicable", "Inadequate", ""},
	{"Good", "Requires improvement", "No"},
}

// smallAnswers are a small-form finding's answers to assessment, voice
// and visits ("" leaves visits unanswered).
func smallAnswers(a [3]string) map[string]string {
	ans := map[string]string{"assessment": a[0], "voice": a[1]}
	if a[2] != "" {
		ans["visits"] = a[2]
	}
	return ans
}

// smallFindings are buildSmallForm's findings as the store hands them
// over: answers in their full spelling ("na" stored as "Not applicable",
// "g" as "Good", "ri" as "Requires improvement", "no" as "No").
func smallFindings() []audit.Finding {
	var out []audit.Finding
	for i, a := range smallStored {
		out = append(out, audit.Finding{Case: fmt.Sprintf("F-%d", i+1), Auditor: "A. Auditor", Grade: audit.Good,
			Date: "2026-03-02", Answers: smallAnswers(a), Kind: audit.KindFinding, Seq: i + 2})
	}
	return out
}

// The focus areas' counts, from the findings without a store (the heat
// map's test below builds the same audit through the store).
func TestReportFocusAreasCounts(t *testing.T) {
	form, _ := parseSmallForm(t)
	r := &Report{FocusAreas: focusAreas(form, tally(form, smallFindings()))}
	if len(r.FocusAreas) != 3 {
		t.Fatalf("%d focus areas, want 3 (one per question)", len(r.FocusAreas))
	}
	type want struct {
		key      string
		answers  map[string]int
		answered int
		graded   int
		gob      *float64
	}
	for i, w := range []want{
		{"assessment", map[string]int{"Outstanding": 1, "Good": 2, "Requires improvement": 1, "Inadequate": 1, "Not applicable": 2}, 7, 5, ptr(3.0 / 5)},
		{"voice", map[string]int{"Outstanding": 0, "Good": 3, "Requires improvement": 2, "Inadequate": 2}, 7, 7, ptr(3.0 / 7)},
		{"visits", map[string]int{"Yes": 3, "No": 2, "N/A": 1}, 6, 0, nil},
	} {
		fa := r.FocusAreas[i]
		if fa.Key != w.key {
			t.Errorf("focus area %d is %q, want %q (form order)", i, fa.Key, w.key)
			continue
		}
		if len(fa.Answers) != len(w.answers) {
			t.Errorf("%s: answers %v, want %v", w.key, fa.Answers, w.answers)
		}
		for a, n := range w.answers {
			if got, ok := fa.Answers[a]; !ok || got != n {
				t.Errorf("%s: %q counted %d (present %v), want %d", w.key, a, got, ok, n)
			}
		}
		if fa.Answered != w.answered || fa.Graded != w.graded {
			t.Errorf("%s: answered %d, graded %d; want %d, %d", w.key, fa.Answered, fa.Graded, w.answered, w.graded)
		}
		switch {
		case w.gob == nil && fa.GoodOrBetter != nil:
			t.Errorf("%s: good_or_better %v, want null", w.key, *fa.GoodOrBetter)
		case w.gob != nil && (fa.GoodOrBetter == nil || !same(*fa.GoodOrBetter, *w.gob)):
			t.Errorf("%s: good_or_better %v, want %v", w.key, fa.GoodOrBetter, *w.gob)
		}
	}
	// N/A is left out of the share: 3 of 5 graded, not 3 of 7 answered.
	if g := r.FocusAreas[0].GoodOrBetter; g == nil || same(*g, 3.0/7) {
		t.Errorf("assessment good_or_better %v counts Not applicable", g)
	}
}

// The team × focus-area cells, from the findings without a store: team A
// (F-1 to F-4) and team B (F-5 to F-8, F-8 not audited), as worked out in
// the table above smallForm.
func TestFocusTeamsCells(t *testing.T) {
	form, raw := parseSmallForm(t)
	a := smallAudit("small", raw)
	ft := focusTeams(&a, form, smallCases("F", 8), smallFindings(), false)
	if ft == nil || ft.Column != "Team" || strings.Join(ft.Areas, ",") != "assessment,voice" || len(ft.Teams) != 2 {
		t.Fatalf("focus by team %+v", ft)
	}
	want := map[string][]struct {
		graded int
		share  float64
		band   string
	}{
		"A": {{3, 2.0 / 3, "amber"}, {4, 0.75, "green"}},
		"B": {{2, 0.5, "amber"}, {3, 0, "red"}},
	}
	audited := map[string]int{"A": 4, "B": 3}
	for _, tm := range ft.Teams {
		w := want[tm.Team]
		if tm.Audited != audited[tm.Team] || len(tm.Cells) != len(w) {
			t.Errorf("team %s: %d audited, %d cells", tm.Team, tm.Audited, len(tm.Cells))
			continue
		}
		for i, c := range tm.Cells {
			if c.Graded != w[i].graded || c.GoodOrBetter == nil || !same(*c.GoodOrBetter, w[i].share) || heatBand(c.GoodOrBetter) != w[i].band {
				t.Errorf("team %s, %s: graded %d, share %v, band %q; want %+v", tm.Team, c.Key, c.Graded, c.GoodOrBetter, heatBand(c.GoodOrBetter), w[i])
			}
		}
	}
}

func TestReportFocusByTeamHeatMap(t *testing.T) {
	r := buildSmallForm(t)
	ft := r.FocusTeams
	if ft == nil {
		t.Fatal("no team × focus-area table for an audit with a Team column")
	}
	if ft.Column != "Team" || strings.Join(ft.Areas, ",") != "assessment,voice" {
		t.Errorf("column %q, areas %v; want Team, [assessment voice] (grade questions only)", ft.Column, ft.Areas)
	}
	type cell struct {
		graded int
		share  float64
		band   string
	}
	want := map[string]struct {
		audited int
		cells   []cell
	}{
		"A": {4, []cell{{3, 2.0 / 3, "amber"}, {4, 0.75, "green"}}},
		"B": {3, []cell{{2, 0.5, "amber"}, {3, 0, "red"}}},
	}
	if len(ft.Teams) != 2 {
		t.Fatalf("teams %+v, want A and B", ft.Teams)
	}
	for _, tm := range ft.Teams {
		w, ok := want[tm.Team]
		if !ok {
			t.Errorf("unexpected team %q", tm.Team)
			continue
		}
		if tm.Audited != w.audited || len(tm.Cells) != len(w.cells) {
			t.Errorf("team %s: %d audited, %d cells; want %d, %d", tm.Team, tm.Audited, len(tm.Cells), w.audited, len(w.cells))
			continue
		}
		for i, c := range tm.Cells {
			if c.Graded != w.cells[i].graded || c.GoodOrBetter == nil || !same(*c.GoodOrBetter, w.cells[i].share) {
				t.Errorf("team %s, %s: graded %d, share %v; want %d, %v", tm.Team, c.Key, c.Graded, c.GoodOrBetter, w.cells[i].graded, w.cells[i].share)
			}
			if b := heatBand(c.GoodOrBetter); b != w.cells[i].band {
				t.Errorf("team %s, %s: band %q, want %q", tm.Team, c.Key, b, w.cells[i].band)
			}
		}
	}

	// The HTML colours the cells and explains the colours.
	var h bytes.Buffer
	if err := WriteHTML(&h, r); err != nil {
		t.Fatal(err)
	}
	for _, s := range []string{`<td class="n heat-red">0% of 3</td>`, `<td class="n heat-green">75% of 4</td>`,
		`<td class="n heat-amber">50% of 2</td>`, `<td class="n heat-amber">66.7% of 3</td>`, "red below 50%"} {
		if !strings.Contains(h.String(), s) {
			t.Errorf("the HTML report lacks %s", s)
		}
	}

	// The workbook fills the same cells: Focus areas sheet, team B's voice cell red.
	var x bytes.Buffer
	if err := WriteXLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(&x)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	rows, err := f.GetRows("Focus areas")
	if err != nil {
		t.Fatal(err)
	}
	fills := map[string]string{}
	for i, row := range rows {
		if len(row) < 4 || (row[0] != "A" && row[0] != "B") {
			continue
		}
		for j, name := range []string{"assessment", "voice"} {
			cell, _ := excelize.CoordinatesToCellName(j+3, i+1)
			id, err := f.GetCellStyle("Focus areas", cell)
			if err != nil {
				t.Fatal(err)
			}
			st, err := f.GetStyle(id)
			if err != nil {
				t.Fatal(err)
			}
			if len(st.Fill.Color) == 1 {
				fills[row[0]+"/"+name] = strings.ToUpper(st.Fill.Color[0])
			}
		}
	}
	for k, w := range map[string]string{"A/assessment": heatFills["amber"], "A/voice": heatFills["green"],
		"B/assessment": heatFills["amber"], "B/voice": heatFills["red"]} {
		if fills[k] != w {
			t.Errorf("workbook cell %s filled %q, want %q (fills %v)", k, fills[k], w, fills)
		}
	}
}

func TestReportFocusJSONAndCSV(t *testing.T) {
	r := buildSmallForm(t)
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc struct {
		FocusAreas []struct {
			Key          string         `json:"key"`
			Label        string         `json:"label"`
			Answers      map[string]int `json:"answers"`
			GoodOrBetter *float64       `json:"good_or_better"`
		} `json:"focus_areas"`
	}
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if len(doc.FocusAreas) != 3 || doc.FocusAreas[0].Key != "assessment" || doc.FocusAreas[0].Label != "Assessment" ||
		doc.FocusAreas[0].Answers["Not applicable"] != 2 || doc.FocusAreas[0].GoodOrBetter == nil ||
		!same(*doc.FocusAreas[0].GoodOrBetter, 0.6) || doc.FocusAreas[2].GoodOrBetter != nil {
		t.Errorf("JSON focus_areas %+v", doc.FocusAreas)
	}
	var c bytes.Buffer
	if err := WriteCSV(&c, r); err != nil {
		t.Fatal(err)
	}
	for _, line := range []string{"focus_area,assessment,answer: Not applicable,2", "focus_area,assessment,good_or_better,0.6",
		"focus_area,visits,answer: N/A,1", "focus_by_team,B,voice: good_or_better,0", "focus_by_team,A,voice: good_or_better,0.75"} {
		if !strings.Contains(c.String(), line+"\n") {
			t.Errorf("the CSV lacks the row %s", line)
		}
	}
}

// An audit without a form: focus_areas is an empty array, focus_by_team
// null, and no Focus areas section. Its flagged findings open actions,
// counted as of the report's clock:
//
//	case  date audited       due (5 working days)  response on     then
//	G-1   Mon 2026-03-02     Mon 2026-03-09        Thu 2026-03-05  —        (3 days)
//	G-2   Mon 2026-03-02     Mon 2026-03-09        Tue 2026-03-10  closed   (8 days)
//	G-3   Mon 2026-03-02     Mon 2026-03-09        —
//	G-4   Fri 2026-03-06     Fri 2026-03-13        —
//	G-5, G-6 not flagged.
//
// opened 4, open 2 (G-3, G-4), responded 2, closed 1, median days to
// response (3+8)/2 = 5.5; overdue 0 on 03-09 (due that day is not late),
// 1 on 03-11 (G-3), 2 on 03-16.
func TestReportActionsWithInjectedClock(t *testing.T) {
	ctx := context.Background()
	st, clock := smallStore(t)
	if _, err := st.CreateAudit(ctx, smallAudit("noform", nil), smallCases("G", 6)); err != nil {
		t.Fatal(err)
	}
	for i, date := range []string{"2026-03-02", "2026-03-02", "2026-03-02", "2026-03-06", "2026-03-06", "2026-03-06"} {
		clock.t, _ = time.Parse(time.DateOnly, date) // recorded on the day the case was read
		clock.t = clock.t.Add(17 * time.Hour)
		mustRecord(t, st, "noform", audit.Finding{Case: fmt.Sprintf("G-%d", i+1), Auditor: "A. Auditor",
			Grade: audit.RequiresImprovement, Immediate: i < 4, Date: date, Note: "Chase the visit"})
	}
	clock.t = time.Date(2026, 3, 5, 11, 0, 0, 0, time.UTC)
	if _, err := st.RespondAction(ctx, "noform", "G-1", "T. Manager", "Visit booked"); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 3, 10, 16, 0, 0, 0, time.UTC)
	if _, err := st.RespondAction(ctx, "noform", "G-2", "T. Manager", "Plan reviewed"); err != nil {
		t.Fatal(err)
	}
	if _, err := st.CloseAction(ctx, "noform", "G-2", "QA Officer", "Checked"); err != nil {
		t.Fatal(err)
	}
	build := func(day string) *Report {
		t.Helper()
		now, _ := time.Parse(time.DateOnly, day)
		now = now.Add(14 * time.Hour)
		r, err := Build(ctx, st, "noform", Options{ToolVersion: "test", Now: func() time.Time { return now }})
		if err != nil {
			t.Fatal(err)
		}
		return r
	}
	for _, c := range []struct {
		day     string
		overdue int
	}{{"2026-03-09", 0}, {"2026-03-11", 1}, {"2026-03-16", 2}} {
		r := build(c.day)
		a := r.Actions
		if a.AsOf != c.day || a.Opened != 4 || a.Open != 2 || a.Responded != 2 || a.RespondedNotClosed != 1 || a.Closed != 1 || a.Overdue != c.overdue ||
			a.Timed != 2 || a.MedianDaysToResponse == nil || *a.MedianDaysToResponse != 5.5 {
			med := "nil"
			if a.MedianDaysToResponse != nil {
				med = fmt.Sprint(*a.MedianDaysToResponse)
			}
			t.Errorf("on %s: %+v (median %s); want as_of %s, opened 4, open 2, responded 2 (1 not closed), closed 1, overdue %d, median 5.5 over 2",
				c.day, a, med, c.day, c.overdue)
		}
	}

	r := build("2026-03-11")
	var b bytes.Buffer
	if err := WriteJSON(&b, r); err != nil {
		t.Fatal(err)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(b.Bytes(), &doc); err != nil {
		t.Fatal(err)
	}
	if got := string(doc["focus_areas"]); got != "[]" {
		t.Errorf("focus_areas of an audit without a form is %s, want []", got)
	}
	if got := string(doc["focus_by_team"]); got != "null" {
		t.Errorf("focus_by_team of an audit without a form is %s, want null", got)
	}
	var acts map[string]any
	if err := json.Unmarshal(doc["actions"], &acts); err != nil {
		t.Fatal(err)
	}
	// "responded" keeps its meaning (closed or not); "responded_not_closed"
	// is the part that, with open and closed, adds up to opened.
	for k, v := range map[string]float64{"opened": 4, "open": 2, "responded": 2, "responded_not_closed": 1, "closed": 1, "overdue": 1, "median_days_to_response": 5.5} {
		if acts[k] != v {
			t.Errorf("JSON actions.%s = %v, want %v", k, acts[k], v)
		}
	}
	var tb bytes.Buffer
	if err := WriteTable(&tb, r, false); err != nil {
		t.Fatal(err)
	}
	out := tb.String()
	if strings.Contains(out, "Focus areas") {
		t.Error("the table has a Focus areas section for an audit without a form")
	}
	// The counts a board adds up are the parts of Opened, one after the
	// other, and the overdue line says it is a part of those waiting:
	// 2 waiting + 1 responded, not yet closed + 1 closed = 4 opened.
	table := []string{
		"  Opened                           4\n",
		"  Waiting for a response           2\n",
		"  Of those, overdue on 2026-03-11  1\n",
		"  Responded, not yet closed        1\n",
		"  Closed                           1\n",
		"  Median days to response          5.5 days (2 responses)\n",
	}
	if !strings.Contains(out, strings.Join(table, "")) {
		t.Errorf("the table lacks the follow-up actions\n%s\nin:\n%s", strings.Join(table, ""), out)
	}
	if strings.Contains(out, "Responded    ") {
		t.Errorf("the table still counts responded actions with the closed ones:\n%s", out)
	}
	var md, html, x bytes.Buffer
	if err := WriteMarkdown(&md, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteHTML(&html, r); err != nil {
		t.Fatal(err)
	}
	if err := WriteXLSX(&x, r); err != nil {
		t.Fatal(err)
	}
	sheet := dumpXLSX(t, x.Bytes())
	for _, l := range []struct{ label, n string }{
		{"Opened", "4"}, {"Waiting for a response", "2"}, {"Of those, overdue on 2026-03-11", "1"},
		{"Responded, not yet closed", "1"}, {"Closed", "1"},
	} {
		if want := "- **" + l.label + ":** " + l.n + "\n"; !strings.Contains(md.String(), want) {
			t.Errorf("the Markdown lacks %q", want)
		}
		if !strings.Contains(html.String(), ">"+l.label+"<") {
			t.Errorf("the HTML lacks the line %q", l.label)
		}
		if want := "\n" + l.label + "\t" + l.n + "\n"; !strings.Contains(sheet, want) {
			t.Errorf("the workbook lacks %q", want)
		}
	}
}
