package profile

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// handMade is a small export whose figures are worked out by hand below.
// The workers are invented ("Worker Alpha" …). 2026-01-05 is a Monday.
//
//	row  case  team   worker          referral    assessment  workers  status
//	2    C01   North  Worker Alpha    2026-01-05  2026-01-20  1        CP    15 days, 11 working days
//	3    C02   North  Worker Alpha    05/01/2026  2026-03-01  2        CIN   55 days, 39 working days
//	4    C03   North  worker  alpha   2026-01-05  (blank)     3        CP    not done: 177 days, 127 working days to 2026-07-01
//	5    C04   South  Worker Bravo    2026-02-02  2026-02-02  0        CP    0 days
//	6    C05   South  Worker Bravo    2026-02-02  2026-01-30  4        CLA   ends before it starts
//	7    C06   South  Unallocated     2026-03-02  2026-04-16  7        CP    45 days (the limit), 33 working days
//	8    C07   South  (blank)         (blank)     2026-03-10  two      CIN   no start date; "two" is not a number
//	9    C08   North  Worker Charlie  2026-03-02  soon        (blank)  CP    unreadable date
//	10   (blank row)
//	11   C02   North  Worker Delta    …                                CP    duplicate of row 3: ignored
//	12   C09   North  Worker Charlie  2026-06-01  (blank)     3        CIN   not done: 30 days, 22 working days to 2026-07-01
//	13   C10   South  Worker Delta    2026-05-29  2026-06-01  5        CP    Friday to Monday: 3 days, 1 working day
//	14   Total,10                                                            footer
const handMade = `Case Reference,Team,Allocated Worker,Referral Date,Assessment Completed,Workers in 12m,Legal Status
C01,North,Worker Alpha,2026-01-05,2026-01-20,1,CP
C02,North,Worker Alpha,05/01/2026,2026-03-01,2,CIN
C03,North,worker  alpha,2026-01-05,,3,CP
C04,South,Worker Bravo,2026-02-02,2026-02-02,0,CP
C05,South,Worker Bravo,2026-02-02,2026-01-30,4,CLA
C06,South,Unallocated,2026-03-02,2026-04-16,7,CP
C07,South,,,2026-03-10,two,CIN
C08,North,Worker Charlie,2026-03-02,soon,,CP
,,,,,,
C02,North,Worker Delta,2026-01-01,2026-01-02,1,CP
C09,North,Worker Charlie,2026-06-01,,3,CIN
C10,South,Worker Delta,2026-05-29,2026-06-01,5,CP
Total,10
`

var asOf = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)

func openText(t *testing.T, text string) *export.Table {
	t.Helper()
	path := filepath.Join(t.TempDir(), "cases.csv")
	if err := os.WriteFile(path, []byte(text), 0o600); err != nil {
		t.Fatal(err)
	}
	tb, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { tb.Close() })
	return tb
}

func mustTimeliness(t *testing.T, s string) Timeliness {
	t.Helper()
	tl, err := ParseTimeliness(s)
	if err != nil {
		t.Fatal(err)
	}
	return tl
}

func readProfile(t *testing.T, tb *export.Table, spec Spec, where ...string) (*Profiler, Counts) {
	t.Helper()
	p, err := New(spec, tb)
	if err != nil {
		t.Fatal(err)
	}
	var fs []sample.Filter
	for _, w := range where {
		f, err := sample.ParseFilter(w)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	c, err := Read(context.Background(), tb, p, ReadOptions{Where: fs})
	if err != nil {
		t.Fatal(err)
	}
	return p, c
}

func f(v float64) *float64 { return &v }

func eqf(a *float64, b float64) bool { return a != nil && (*a-b < 1e-12 && b-*a < 1e-12) }

func TestHandMadeCounts(t *testing.T) {
	tb := openText(t, handMade)
	_, c := readProfile(t, tb, Spec{})
	want := Counts{Rows: 11, Blank: 1, Footers: 1, Duplicates: 1, Distinct: 10,
		FirstDuplicates: []sample.Duplicate{{ID: "C02", Row: 11, FirstRow: 3}}}
	if !reflect.DeepEqual(c, want) {
		t.Errorf("counts %+v, want %+v", c, want)
	}
}

func TestHandMadeCaseload(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{CaseloadTarget: 2, IncludeNames: true})
	r := p.Result()
	if r.Cases != 10 {
		t.Fatalf("cases %d, want 10", r.Cases)
	}
	c := r.Caseload
	if c == nil || c.Column != "Allocated Worker" {
		t.Fatalf("caseload %+v", c)
	}
	// Alpha 3 (C01, C02, C03 "worker  alpha"), Bravo 2, Charlie 2, Delta 1
	// (the duplicate row of C02 naming Delta does not count); C06
	// "Unallocated" and C07 blank are unallocated.
	if c.Allocated != 8 || c.Unallocated != 2 || c.Workers != 4 || c.Min != 1 || c.Max != 3 {
		t.Errorf("allocated %d unallocated %d workers %d min %d max %d, want 8 2 4 1 3", c.Allocated, c.Unallocated, c.Workers, c.Min, c.Max)
	}
	if !eqf(c.UnallocatedShare, 0.2) || !eqf(c.Mean, 2) || !eqf(c.Median, 2) {
		t.Errorf("unallocated share %v mean %v median %v, want 0.2 2 2", *c.UnallocatedShare, *c.Mean, *c.Median)
	}
	if !reflect.DeepEqual(c.UnallocatedAs, map[string]int{"Unallocated": 1, "": 1}) {
		t.Errorf("unallocated as %v", c.UnallocatedAs)
	}
	// Target 2: Alpha (3) is above it; 1 of 4 workers, 3 of 8 allocated cases.
	a := c.AboveTarget
	if a == nil || a.Workers != 1 || !eqf(a.WorkersShare, 0.25) || a.Cases != 3 || !eqf(a.CasesShare, 0.375) {
		t.Errorf("above target %+v", a)
	}
	// Bands topped by the target: 1–2 and 3–7.
	two, seven := 2, 7
	wantBands := []Band{{Label: "1–2", From: 1, To: &two, Workers: 3, Cases: 5}, {Label: "3–7", From: 3, To: &seven, Workers: 1, Cases: 3, AboveTarget: true}}
	if !reflect.DeepEqual(c.Bands, wantBands) {
		t.Errorf("bands %+v, want %+v", c.Bands, wantBands)
	}
	wantBy := []CaseloadCount{{1, 1}, {2, 2}, {3, 1}}
	if !reflect.DeepEqual(c.ByCaseload, wantBy) {
		t.Errorf("by caseload %+v, want %+v", c.ByCaseload, wantBy)
	}
	wantList := []WorkerLoad{{"Worker Alpha", 3, true}, {"Worker Bravo", 2, false}, {"Worker Charlie", 2, false}, {"Worker Delta", 1, false}}
	if !reflect.DeepEqual(c.WorkerList, wantList) {
		t.Errorf("workers %+v, want %+v", c.WorkerList, wantList)
	}
}

func TestHandMadeNoNamesWithoutIncludeNames(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{CaseloadTarget: 2, Timeliness: []Timeliness{mustTimeliness(t, "Referral Date..Assessment Completed<=45d")}})
	r := p.Result()
	if r.Caseload.WorkerList != nil {
		t.Errorf("worker list without IncludeNames: %v", r.Caseload.WorkerList)
	}
	for _, pr := range append(r.Changes.Problems, r.Timeliness[0].Problems...) {
		if pr.Value != "" {
			t.Errorf("problem shows the cell's text without IncludeNames: %+v", pr)
		}
	}
}

func TestHandMadeChanges(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{IncludeNames: true})
	c := p.Result().Changes
	if c == nil || c.Column != "Workers in 12m" {
		t.Fatalf("changes %+v", c)
	}
	// Counts 1 2 3 0 4 7 3 5; C08 blank; C07 "two".
	if c.Counted != 8 || c.Blank != 1 || c.NotNumbers != 1 {
		t.Errorf("counted %d blank %d not numbers %d, want 8 1 1", c.Counted, c.Blank, c.NotNumbers)
	}
	wantCases := []int{1, 1, 1, 2, 1, 1, 1} // 0 1 2 3 4 5 6+
	for i, vc := range c.Distribution {
		if vc.Cases != wantCases[i] || !eqf(vc.Share, float64(wantCases[i])/8) {
			t.Errorf("distribution %s: %d cases, want %d", vc.Label, vc.Cases, wantCases[i])
		}
	}
	if c.Distribution[6].Label != "6 or more" || !c.Distribution[6].OrMore {
		t.Errorf("last value %+v", c.Distribution[6])
	}
	if c.AtLeast != 3 || c.AtLeastCases != 5 || !eqf(c.AtLeastShare, 0.625) || !eqf(c.Mean, 3.125) {
		t.Errorf("at least %d: %d (%v), mean %v; want 3: 5 (0.625), 3.125", c.AtLeast, c.AtLeastCases, *c.AtLeastShare, *c.Mean)
	}
	want := []CellProblem{{Row: 8, Column: "Workers in 12m", Value: "two", Problem: "not a whole number of 0 or more"}}
	if !reflect.DeepEqual(c.Problems, want) {
		t.Errorf("problems %+v, want %+v", c.Problems, want)
	}
}

func TestHandMadeTimelinessDays(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{AsOf: asOf, Timeliness: []Timeliness{mustTimeliness(t, "Referral Date..Assessment Completed<=45d")}})
	r := p.Result()
	if r.TeamColumn != "Team" {
		t.Errorf("team column %q", r.TeamColumn)
	}
	tl := r.Timeliness[0]
	if tl.Spec != "Referral Date..Assessment Completed<=45d" || tl.LimitText != "45 days" || tl.AsOf != "2026-07-01" {
		t.Errorf("pair %q %q %q", tl.Spec, tl.LimitText, tl.AsOf)
	}
	// Within: C01 (15), C04 (0), C06 (45, the limit), C10 (3); late: C02
	// (55); not done: C03 (overdue, 177 days), C09 (30 days, not yet due);
	// C07 no start, C08 unreadable, C05 negative.
	want := TimelinessCounts{Cases: 10, Measured: 7, Within: 4, Late: 1, NotDone: 2, Overdue: 1, NoStart: 1, Unreadable: 1, Negative: 1,
		WithinShare: f(4.0 / 7), LateShare: f(1.0 / 7), NotDoneShare: f(2.0 / 7), OverdueShare: f(1.0 / 7)}
	if !reflect.DeepEqual(tl.TimelinessCounts, want) {
		t.Errorf("counts %+v, want %+v", tl.TimelinessCounts, want)
	}
	// Completed: 0 3 15 45 55.
	if !eqf(tl.MedianElapsed, 15) || tl.ElapsedUnit != "days" {
		t.Errorf("median %v %s, want 15 days", *tl.MedianElapsed, tl.ElapsedUnit)
	}
	north := TimelinessCounts{Cases: 5, Measured: 4, Within: 1, Late: 1, NotDone: 2, Overdue: 1, Unreadable: 1,
		WithinShare: f(0.25), LateShare: f(0.25), NotDoneShare: f(0.5), OverdueShare: f(0.25)}
	south := TimelinessCounts{Cases: 5, Measured: 3, Within: 3, NoStart: 1, Negative: 1,
		WithinShare: f(1), LateShare: f(0), NotDoneShare: f(0), OverdueShare: f(0)}
	wantTeams := []TeamTimeliness{{"North", north}, {"South", south}}
	if !reflect.DeepEqual(tl.ByTeam, wantTeams) {
		t.Errorf("by team %+v, want %+v", tl.ByTeam, wantTeams)
	}
	if len(tl.Problems) != 2 || tl.Problems[0].Row != 6 || tl.Problems[0].Problem != "Assessment Completed is before Referral Date" ||
		tl.Problems[1].Row != 9 || tl.Problems[1].Column != "Assessment Completed" || tl.Problems[1].Problem != "not a date" {
		t.Errorf("problems %+v", tl.Problems)
	}
}

func TestHandMadeTimelinessWorkingDaysAndMonths(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{AsOf: asOf, Timeliness: []Timeliness{
		mustTimeliness(t, "Referral Date..Assessment Completed<=10wd"),
		mustTimeliness(t, "referral date .. assessment completed <= 1m"),
		mustTimeliness(t, "Referral Date..Assessment Completed<=6w"),
	}})
	r := p.Result()
	// Working days: C01 11, C02 39, C06 33 late; C04 0, C10 1 within; C03
	// and C09 (22 working days to 2026-07-01) both overdue.
	wd := r.Timeliness[0]
	if wd.Within != 2 || wd.Late != 3 || wd.NotDone != 2 || wd.Overdue != 2 || wd.LimitText != "10 working days" {
		t.Errorf("working days: %+v", wd.TimelinessCounts)
	}
	if !eqf(wd.MedianElapsed, 11) || wd.ElapsedUnit != "working days" {
		t.Errorf("working days median %v %s, want 11 working days", *wd.MedianElapsed, wd.ElapsedUnit)
	}
	// One month: C01 (by 5 Feb), C04, C10 (by 29 Jun) within; C02 (by 5
	// Feb), C06 (by 2 Apr) late; C03 overdue; C09 (by 1 Jul) not yet.
	m := r.Timeliness[1]
	if m.From != "Referral Date" || m.To != "Assessment Completed" || m.Within != 3 || m.Late != 2 || m.NotDone != 2 || m.Overdue != 1 {
		t.Errorf("one month: %+v", m)
	}
	// Six weeks (42 days): C06 (45) is late now.
	w := r.Timeliness[2]
	if w.Within != 3 || w.Late != 2 || w.LimitText != "6 weeks" {
		t.Errorf("six weeks: %+v", w.TimelinessCounts)
	}
}

func TestHandMadeWithoutAsOf(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{Timeliness: []Timeliness{mustTimeliness(t, "Referral Date..Assessment Completed<=45d")}})
	tl := p.Result().Timeliness[0]
	if tl.NotDone != 2 || tl.Overdue != 0 || tl.AsOf != "" {
		t.Errorf("not done %d overdue %d as of %q, want 2 0 \"\"", tl.NotDone, tl.Overdue, tl.AsOf)
	}
}

// The first row of an ID decides whether it matches the filters: C02's
// first row is CIN, so its later CP row does not bring it in.
func TestHandMadeFiltered(t *testing.T) {
	tb := openText(t, handMade)
	p, c := readProfile(t, tb, Spec{}, "Legal Status=CP")
	if c.Distinct != 10 || c.FilteredOut != 4 || p.Cases() != 6 {
		t.Errorf("distinct %d filtered out %d cases %d, want 10 4 6", c.Distinct, c.FilteredOut, p.Cases())
	}
	cl := p.Result().Caseload
	// A caseload is the worker's whole caseload, whatever the filter: the
	// same as unfiltered (TestHandMadeCaseload), over the export's 10 cases.
	if cl.Over != "export" || cl.OfCases != 10 || cl.Counted != 10 || cl.Workers != 4 || cl.Allocated != 8 || cl.Unallocated != 2 ||
		!eqf(cl.Mean, 2) || !eqf(cl.Median, 2) || cl.Max != 3 {
		t.Errorf("filtered caseload %+v", cl)
	}
}

func TestFactors(t *testing.T) {
	tb := openText(t, handMade)
	p, _ := readProfile(t, tb, Spec{AsOf: asOf, CaseloadTarget: 2, Timeliness: []Timeliness{
		mustTimeliness(t, "Referral Date..Assessment Completed<=45d"), mustTimeliness(t, "Referral Date..Assessment Completed<=10wd")}})
	cells := func(rec ...string) []string {
		// rec in header order; pick the profiler's columns.
		var out []string
		for _, c := range p.Columns() {
			out = append(out, rec[c])
		}
		return out
	}
	f := p.Factors(cells("C03", "North", "worker  alpha", "2026-01-05", "", "3", "CP"))
	want := Factors{Worker: "Worker Alpha", Caseload: 3, AboveTarget: true, Changes: 3, HasChanges: true,
		Timeliness: []Status{Overdue, Overdue}, Elapsed: []int{177, 127}, Team: "North"}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("factors %+v, want %+v", f, want)
	}
	f = p.Factors(cells("C06", "South", "Unallocated", "2026-03-02", "2026-04-16", "7", "CP"))
	want = Factors{Unallocated: true, Changes: 7, HasChanges: true, Timeliness: []Status{Within, Late}, Elapsed: []int{45, 33}, Team: "South"}
	if !reflect.DeepEqual(f, want) {
		t.Errorf("factors %+v, want %+v", f, want)
	}
	if n, ok := p.Caseload("WORKER   BRAVO"); n != 2 || !ok {
		t.Errorf("Caseload(Bravo) = %d %v, want 2 true", n, ok)
	}
	if _, ok := p.Caseload("Unallocated"); ok {
		t.Errorf("Caseload(Unallocated) is ok")
	}
	if _, ok := p.Caseload("Worker Zulu"); ok {
		t.Errorf("Caseload of an unknown worker is ok")
	}
	if Overdue.String() != "not done, overdue" || Negative.String() != "ends before it starts" {
		t.Errorf("status names %q %q", Overdue, Negative)
	}
}

func TestDetectAndResolve(t *testing.T) {
	tb := openText(t, "Child ID,Social Worker,No. of SWs in last 12 months,Team Name,Referral\nA1,Worker X,2,T1,2026-01-01\n")
	p, err := New(Spec{}, tb)
	if err != nil {
		t.Fatal(err)
	}
	if p.WorkerColumn() != "Social Worker" || p.ChangesColumn() != "No. of SWs in last 12 months" || p.TeamColumn() != "Team Name" {
		t.Errorf("detected %q %q %q", p.WorkerColumn(), p.ChangesColumn(), p.TeamColumn())
	}
	if got := strings.Join(p.ColumnNames(), "|"); got != "Social Worker|No. of SWs in last 12 months|Team Name" {
		t.Errorf("column names %q", got)
	}
	p, err = New(Spec{NoWorker: true, NoChanges: true, NoTeam: true}, tb)
	if err != nil || !p.Empty() || len(p.Columns()) != 0 {
		t.Errorf("all left out: %v %v %v", err, p.Empty(), p.Columns())
	}
	// Named columns must exist; the error suggests the closest header.
	for _, c := range []struct {
		spec      Spec
		role, msg string
	}{
		{Spec{WorkerColumn: "Socail Worker"}, "worker", `no column "Socail Worker"`},
		{Spec{ChangesColumn: "Workers in 12m"}, "changes", `no column "Workers in 12m"`},
		{Spec{TeamColumn: "Team Nmae"}, "team", `did you mean "Team Name"?`},
		{Spec{Timeliness: []Timeliness{{From: "Referral", To: "Assessment Completed", Limit: 45, Unit: UnitDays}}}, "timeliness", `no column "Assessment Completed"`},
	} {
		_, err := New(c.spec, tb)
		var ce *ColumnError
		if !errors.As(err, &ce) || ce.Role != c.role || !strings.Contains(err.Error(), c.msg) || !export.IsInputError(err) {
			t.Errorf("%+v: error %v, want a %s ColumnError saying %s", c.spec, err, c.role, c.msg)
		}
	}
	for h, want := range map[string]bool{"Workers in last 12 months": true, "No. of SWs in 12m": true, "Number of social workers": true,
		"SW changes": true, "Worker Number": false, "Worker No": false, "Worker ID": false, "Changes": false, "Team": false} {
		if looksLikeChanges(h) != want {
			t.Errorf("looksLikeChanges(%q) = %v", h, !want)
		}
	}
	// Without any known column, nothing is profiled.
	tb = openText(t, "Case Reference,Colour\nC1,Blue\n")
	p, err = New(Spec{}, tb)
	if err != nil || !p.Empty() {
		t.Errorf("nothing to profile: %v %v", err, p.Empty())
	}
	if _, err := New(Spec{CaseloadTarget: -1}, tb); err == nil {
		t.Errorf("negative target accepted")
	}
}

func TestParseTimeliness(t *testing.T) {
	good := map[string]Timeliness{
		"Referral Date..Assessment Completed<=45d":         {"Referral Date", "Assessment Completed", 45, UnitDays},
		" Referral Date .. Assessment Completed <= 45 wd ": {"Referral Date", "Assessment Completed", 45, UnitWorkingDays},
		"A..B<=6w":              {"A", "B", 6, UnitWeeks},
		"A..B<=3M":              {"A", "B", 3, UnitMonths},
		"A..B<=10 working days": {"A", "B", 10, UnitWorkingDays},
		"Date of referral (<= 2024)..Date assessed<=1day":    {"Date of referral (<= 2024)", "Date assessed", 1, UnitDays},
		"Strategy Discussion Date..Section 47 Start<=2 days": {"Strategy Discussion Date", "Section 47 Start", 2, UnitDays},
	}
	for s, want := range good {
		got, err := ParseTimeliness(s)
		if err != nil || got != want {
			t.Errorf("ParseTimeliness(%q) = %+v, %v; want %+v", s, got, err, want)
		}
	}
	if s := good["A..B<=6w"].String(); s != "A..B<=6w" {
		t.Errorf("String %q", s)
	}
	bad := map[string]string{
		"Referral Date..Assessment Completed":        "no limit",
		"Referral Date..Assessment Completed<45d":    "the limit must follow <=",
		"Referral Date-Assessment Completed<=45d":    "name two columns",
		"..Assessment Completed<=45d":                "name two columns",
		"A..B..C<=45d":                               "not more",
		"A..B<=45":                                   "has no unit",
		"A..B<=45y":                                  `unknown unit "y"`,
		"A..B<=d":                                    "not a whole number",
		"A..B<=0d":                                   "from 1 up to ten years",
		"A..B<=4000d":                                "from 1 up to ten years",
		"A..B<=-3d":                                  "not a whole number",
		"Referral Date..referral date<=45d":          "the same",
		"A..B<=99999999999999999999999999999999999d": "from 1 up to ten years",
	}
	for s, msg := range bad {
		_, err := ParseTimeliness(s)
		if err == nil || !errors.Is(err, ErrTimeliness) || !strings.Contains(err.Error(), msg) || strings.Contains(err.Error(), "\n") {
			t.Errorf("ParseTimeliness(%q): %v, want an error saying %q", s, err, msg)
		}
	}
}

func TestBands(t *testing.T) {
	labels := func(bs []Band) []string {
		var out []string
		for _, b := range bs {
			out = append(out, b.Label)
		}
		return out
	}
	cases := []struct {
		target, lo, hi int
		want           []string
	}{
		{0, 1, 12, []string{"1–5", "6–10", "11–15"}},
		{20, 2, 5, []string{"1–5"}},
		{18, 1, 24, []string{"1–3", "4–8", "9–13", "14–18", "19–23", "24–28"}},
		{18, 8, 31, []string{"4–8", "9–13", "14–18", "19–23", "24–28", "29–33"}},
		{18, 9, 18, []string{"9–13", "14–18"}},
		{18, 19, 19, []string{"19–23"}},
		{1, 1, 3, []string{"1", "2–6"}},
		{0, 1, 500, []string{"1–5", "6–10", "11–15", "16–20", "21–25", "26–30", "31–35", "36–40", "41–45", "46–50", "51–55", "56 or more"}},
		{0, 1, 60, []string{"1–5", "6–10", "11–15", "16–20", "21–25", "26–30", "31–35", "36–40", "41–45", "46–50", "51–55", "56–60"}},
		{0, 0, 0, nil},
	}
	for _, c := range cases {
		got := labels(bands(c.target, c.lo, c.hi))
		if !reflect.DeepEqual(got, c.want) {
			t.Errorf("bands(%d, %d, %d) = %q, want %q", c.target, c.lo, c.hi, got, c.want)
		}
	}
	bs := bands(18, 1, 24)
	if bs[3].AboveTarget || !bs[4].AboveTarget {
		t.Errorf("above target: %+v", bs)
	}
}

func TestDates(t *testing.T) {
	for _, c := range []struct {
		in   string
		want string
		kind dateKind
	}{
		{"2026-07-01", "2026-07-01", dateOK},
		{" 2026-07-01 09:14:00", "2026-07-01", dateOK},
		{"2026-07-01T09:14", "2026-07-01", dateOK},
		{"01/07/2026", "2026-07-01", dateOK},
		{"1/7/2026", "2026-07-01", dateOK},
		{"46204", "2026-07-01", dateOK},
		{"", "", dateBlank},
		{"  ", "", dateBlank},
		{"2026-02-30", "", dateBad},
		{"31/02/2026", "", dateBad},
		{"soon", "", dateBad},
		{"2026-07-01x", "", dateBad},
		{"123", "", dateBad},
		{"07/13/2026", "", dateBad}, // a US date: month 13
		{"0000-00-00", "", dateBad}, // its key is an empty slot's
	} {
		d, k := parseDay(c.in)
		if k != c.kind || (k == dateOK && isoOf(d) != c.want) {
			t.Errorf("parseDay(%q) = %s %d, want %s %d", c.in, isoOf(d), k, c.want, c.kind)
		}
		var dc dayCache
		for range 2 { // the second time from the cache
			if cd, ck := dc.day(c.in); ck != k || (k == dateOK && cd != d) {
				t.Errorf("dayCache.day(%q) = %d %d, parseDay's %d %d", c.in, cd, ck, d, k)
			}
		}
	}
	// The cache against the time package over forty years, twice (the
	// second time mostly from the cache, its slots shared by several
	// dates), and days that do not exist.
	var dc dayCache
	for range 2 {
		for day := 7300; day < 7300+40*366; day++ {
			iso := time.Unix(int64(day)*86400, 0).UTC().Format("2006-01-02")
			if got, k := dc.day(iso); k != dateOK || got != day {
				t.Fatalf("dayCache.day(%q) = %d %d, want %d", iso, got, k, day)
			}
		}
		for _, bad := range []string{"2026-02-29", "2025-04-31", "2026-13-01", "2026-00-10", "0999-01-01"} {
			if _, k := dc.day(bad); k != dateBad {
				t.Errorf("dayCache.day(%q): kind %d, want it unreadable", bad, k)
			}
		}
	}
	// Day numbers against the time package, over four centuries.
	for day := -200000; day < 200000; day += 37 {
		tm := time.Unix(int64(day)*86400, 0).UTC()
		if got := daysFromCivil(tm.Year(), int(tm.Month()), tm.Day()); got != day {
			t.Fatalf("daysFromCivil(%s) = %d, want %d", tm.Format("2006-01-02"), got, day)
		}
		if isoOf(day) != tm.Format("2006-01-02") {
			t.Fatalf("isoOf(%d) = %s, want %s", day, isoOf(day), tm.Format("2006-01-02"))
		}
	}
	// Working days against counting them one by one.
	d := func(s string) int { v, _ := isoDay(s); return v }
	for from := d("2025-12-20"); from < d("2026-01-20"); from++ {
		for to := from - 3; to < from+40; to++ {
			n := 0
			for x := from + 1; x <= to; x++ {
				if wd := time.Unix(int64(x)*86400, 0).UTC().Weekday(); wd != time.Saturday && wd != time.Sunday {
					n++
				}
			}
			if got := workingDays(from, to); got != n {
				t.Fatalf("workingDays(%s, %s) = %d, want %d", isoOf(from), isoOf(to), got, n)
			}
		}
	}
	if w := workingDays(d("2026-05-29"), d("2026-06-01")); w != 1 {
		t.Errorf("Friday to Monday: %d working days", w)
	}
	for _, c := range [][3]string{
		{"2026-01-31", "1", "2026-02-28"},
		{"2024-01-31", "1", "2024-02-29"},
		{"2026-01-05", "1", "2026-02-05"},
		{"2026-11-30", "3", "2027-02-28"},
		{"2026-03-31", "-1", "2026-02-28"},
		{"2026-08-31", "12", "2027-08-31"},
	} {
		n := map[string]int{"1": 1, "3": 3, "-1": -1, "12": 12}[c[1]]
		if got := isoOf(addMonths(d(c[0]), n)); got != c[2] {
			t.Errorf("addMonths(%s, %d) = %s, want %s", c[0], n, got, c[2])
		}
	}
}

func TestParseCount(t *testing.T) {
	for in, want := range map[string]int{"0": 0, "3": 3, " 12 ": 12, "3.0": 3, "007": 7, "+2": 2} {
		if n, k := parseCount(in); k != countOK || n != want {
			t.Errorf("parseCount(%q) = %d %d, want %d", in, n, k, want)
		}
	}
	for _, in := range []string{"two", "2.5", "-1", "1/2", "NaN", "Inf", "0x10", "1_000", "3 workers"} {
		if _, k := parseCount(in); k != countBad {
			t.Errorf("parseCount(%q) reads it", in)
		}
	}
	if _, k := parseCount("  "); k != countBlank {
		t.Errorf("parseCount(blank) is not blank")
	}
}

func TestUnallocated(t *testing.T) {
	for _, s := range []string{"", " ", "-", "Unallocated", "UNALLOCATED", "Not allocated", "N/A", "n/a", "None", "TBC",
		"Awaiting allocation", "Unassigned", "(blank)", "?"} {
		if !Unallocated(s) {
			t.Errorf("Unallocated(%q) is false", s)
		}
	}
	for _, s := range []string{"Worker Alpha", "Duty Worker", "A. N. Other", "Team Manager"} {
		if Unallocated(s) {
			t.Errorf("Unallocated(%q) is true", s)
		}
	}
}

func TestSeen(t *testing.T) {
	s := NewSeen()
	const n = 200000
	for i := 0; i < n; i++ {
		id := "CR-" + strings.Repeat("x", i%7) + strconv.Itoa(i)
		if _, ok := s.First(id, i+2); !ok {
			t.Fatalf("%s is not new", id)
		}
	}
	for i := 0; i < n; i += 997 {
		id := "CR-" + strings.Repeat("x", i%7) + strconv.Itoa(i)
		if row, ok := s.First(id, 5); ok || row != i+2 {
			t.Fatalf("%s again: %d %v, want %d false", id, row, ok, i+2)
		}
	}
	if s.Len() != n {
		t.Errorf("Len %d, want %d", s.Len(), n)
	}
	if _, ok := s.First("", 3); !ok {
		t.Errorf("the empty ID is not new")
	}
	if row, ok := s.First("", 4); ok || row != 3 {
		t.Errorf("the empty ID again: %d %v", row, ok)
	}
}

// An export with no case below its header is an error, as for a sample.
func TestReadNoCases(t *testing.T) {
	tb := openText(t, "Case Reference,Allocated Worker\n,\nTotal,0\n")
	p, err := New(Spec{}, tb)
	if err != nil {
		t.Fatal(err)
	}
	_, err = Read(context.Background(), tb, p, ReadOptions{})
	if err == nil || !strings.Contains(err.Error(), "no case IDs below the header row") {
		t.Errorf("error %v", err)
	}
}

// A caseload three times the median and at least 20 is reported apart:
// usually a duty desk or a team rather than a person.
func TestFarAboveMedian(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference,Allocated Worker\n")
	n := 0
	add := func(worker string, cases int) {
		for range cases {
			n++
			fmt.Fprintf(&b, "C%d,%s\n", n, worker)
		}
	}
	for w := 1; w <= 9; w++ {
		add(fmt.Sprintf("Worker %d", w), 10)
	}
	add("Duty Desk", 40) // median 10: from max(20, 30) = 30
	add("Team Manager", 29)
	tb := openText(t, b.String())
	p, _ := readProfile(t, tb, Spec{IncludeNames: true})
	c := p.Result().Caseload
	want := &FarAbove{From: 30, Workers: 1, Cases: 40, Names: []string{"Duty Desk"}}
	if !reflect.DeepEqual(c.FarAbove, want) || *c.Median != 10 {
		t.Errorf("far above %+v (median %v), want %+v", c.FarAbove, *c.Median, want)
	}
	p, _ = readProfile(t, tb, Spec{})
	if fa := p.Result().Caseload.FarAbove; fa == nil || fa.Names != nil {
		t.Errorf("far above without names: %+v", fa)
	}
	// Small caseloads are never far above: 3 × median 2 = 6 < 20.
	p, _ = readProfile(t, openText(t, handMade), Spec{})
	if fa := p.Result().Caseload.FarAbove; fa != nil {
		t.Errorf("far above in the hand-made export: %+v", fa)
	}
}
