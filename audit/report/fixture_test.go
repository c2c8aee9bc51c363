package report

import (
	"context"
	"encoding/json"
	"fmt"
	"math"
	"path/filepath"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/sample"
)

// Invented names only: no real people.

// fixedClock moves on one second per reading from a fixed start.
type fixedClock struct{ t time.Time }

func (c *fixedClock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

var (
	fxTeams   = []string{"North", "South", "East", "West"}
	fxWorkers = []string{"A. Khan", "B. Lee", "C. Diaz", "D. Novak", "E. Okafor", "F. Silva"}
	fxColumns = []string{"Team", "Forename", "Allocated Worker", "Legal Status"}
	fxFirst   = []string{"Ada", "Ben", "Cai", "Dee", "Eli"}
)

func fxCases(n int, prefix string) []audit.SampledCase {
	out := make([]audit.SampledCase, n)
	for i := range out {
		team := fxTeams[i%len(fxTeams)]
		out[i] = audit.SampledCase{
			Order: i + 1, ID: fmt.Sprintf("%s-%05d", prefix, i+1), Ticket: fmt.Sprintf("0.%018d", (i+1)*7919),
			Stratum: team, Row: i + 5,
			Fields: []string{team, fxFirst[i%len(fxFirst)], fxWorkers[i%len(fxWorkers)], []string{"CIN", "CP", "CLA"}[i%3]},
		}
	}
	return out
}

func fxAudit(name string, pop int) audit.Audit {
	period := "" // the month of the store's clock
	if _, err := time.Parse("2006-01", name); err == nil {
		period = name
	}
	return audit.Audit{
		Name: name, Columns: fxColumns, Period: period,
		Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, ToolVersion: "test", Seed: "seed-" + name,
			Export: sample.Source{Path: "cases-" + name + ".xlsx", SHA256: "ab12", Format: "xlsx", Sheet: "Cases",
				HeaderRow: 4, IDColumn: "Case Reference"},
			Counts:  sample.Counts{Rows: pop + 3, Distinct: pop, Population: pop},
			Strata:  &sample.StrataRule{Column: "Team", Allocation: "proportional"},
			Columns: fxColumns, Size: 1},
	}
}

// grade26 is the grade of case i (0-based) of the 2026 audit: of every ten
// cases one Outstanding, six Good, two Requires improvement, one
// Inadequate; so of 120: 12, 72, 24, 12.
func grade26(i int) audit.Grade {
	switch i % 10 {
	case 0:
		return audit.Outstanding
	case 7, 8:
		return audit.RequiresImprovement
	case 9:
		return audit.Inadequate
	}
	return audit.Good
}

// grade25 is the grade of case i of the 2025 audit: Good, Requires
// improvement, Good, Inadequate in turn (45, 22 or 23 …: counted in tests).
func grade25(i int) audit.Grade {
	return []audit.Grade{audit.Good, audit.RequiresImprovement, audit.Good, audit.Inadequate}[i%4]
}

// flagged25 are the 0-based indexes of the 2025 cases needing immediate
// attention: 3 of 90.
var flagged25 = map[int]bool{9: true, 39: true, 69: true}

// fixture is a store with two audits:
//
//   - "2025-07": 90 cases from a population of 2,500, all audited, 3 flagged;
//   - "2026-07": 120 cases from a population of 3,000, stratified by Team
//     (30 a team), with the form fxForm, all audited (answers fxAnswers),
//     none flagged; 12 drawn for moderation and
//     moderated, with the first two moderated cases graded differently and
//     the third differing on immediate attention.
//
// So the reference values of shared/reference/statistics.md appear: 3 of 90
// and 0 of 120 (Clopper–Pearson, one-sided, Wilson).
func fixture(t testing.TB) (*audit.Store, *fixedClock) {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "caseaudit.db"), audit.Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	clock.t = time.Date(2025, 7, 1, 9, 0, 0, 0, time.UTC)
	if _, err := st.CreateAudit(ctx, fxAudit("2025-07", 2500), fxCases(90, "CR25")); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2025, 7, 20, 17, 0, 0, 0, time.UTC) // the findings come in on the day they are dated
	for i, c := range fxCases(90, "CR25") {
		f := audit.Finding{Case: c.ID, Auditor: fxWorkers[(i+1)%len(fxWorkers)], Grade: grade25(i), Immediate: flagged25[i],
			Date: "2025-07-20"}
		if flagged25[i] {
			f.Note = fmt.Sprintf("No visit for %d weeks", 8+i%5)
		}
		mustRecord(t, st, "2025-07", f)
	}
	clock.t = time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	a26 := fxAudit("2026-07", 3000)
	a26.Form = fxFormJSON(t)
	if _, err := st.CreateAudit(ctx, a26, fxCases(120, "CR26")); err != nil {
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 7, 21, 17, 0, 0, 0, time.UTC)
	for i, c := range fxCases(120, "CR26") {
		f := audit.Finding{Case: c.ID, Auditor: fxWorkers[(i+2)%len(fxWorkers)], Grade: grade26(i), Date: "2026-07-21",
			Answers: fxAnswers(i)}
		switch i {
		case 4:
			f.Note = "=HYPERLINK(\"http://example.invalid\") plan overdue"
		case 5:
			f.Note = "-3 visits missed; <b>chase</b> | manager"
		}
		mustRecord(t, st, "2026-07", f)
	}
	ms, err := st.DrawModeration(ctx, "2026-07", 12, "moderation-2026")
	if err != nil {
		t.Fatal(err)
	}
	for j, id := range ms.Cases {
		i := caseIndex(id)
		g := grade26(i)
		switch j {
		case 0:
			g = worse(g)
		case 1:
			g = better(g)
		}
		// (A moderator who flags a case the auditor did not changes the
		// headline: see TestRaisedAtModeration. Here every moderator agrees
		// on immediate attention, so the figures stay R's 0 of 120.)
		mustRecord(t, st, "2026-07", audit.Finding{Case: id, Auditor: "M. Moderator", Grade: g, Moderation: true})
	}
	return st, clock
}

func caseIndex(id string) int {
	var n int
	fmt.Sscanf(id[len(id)-5:], "%d", &n)
	return n - 1
}

func worse(g audit.Grade) audit.Grade {
	if g == audit.Inadequate {
		return audit.RequiresImprovement
	}
	return g + 1
}

func better(g audit.Grade) audit.Grade {
	if g == audit.Outstanding {
		return audit.Good
	}
	return g - 1
}

func mustRecord(t testing.TB, st *audit.Store, name string, f audit.Finding) {
	t.Helper()
	if _, err := st.Record(context.Background(), name, f); err != nil {
		t.Fatal(err)
	}
}

// fixedOptions are the report options of the goldens.
func fixedOptions() Options {
	return Options{ToolVersion: "test", ToolSHA256: testToolSHA256, Now: func() time.Time { return time.Date(2026, 8, 1, 12, 0, 0, 0, time.UTC) }}
}

// Reference values: shared/reference/statistics.md (R 4.2).
const (
	cp3of90Lo     = 0.006927603
	cp3of90Hi     = 0.094336093
	cp0of120Hi    = 0.030272973
	one0of120     = 0.024655401
	wilson3of90Lo = 0.011400390
	wilson3of90Hi = 0.093472860
	wilson0of120  = 0.031019166
)

// near checks got against want to within half a unit of the reference's
// ninth decimal (or 1e-12 for values computed here exactly).
func near(t *testing.T, what string, got *float64, want float64) {
	t.Helper()
	nearTol(t, what, got, want, 5e-10)
}

func nearTol(t *testing.T, what string, got *float64, want, tol float64) {
	t.Helper()
	if got == nil {
		t.Errorf("%s = nil, want %.9g", what, want)
		return
	}
	if math.Abs(*got-want) > tol {
		t.Errorf("%s = %.12g, want %.12g", what, *got, want)
	}
}

func buildFixture(t testing.TB, name string, o Options) *Report {
	t.Helper()
	st, _ := fixture(t)
	r, err := Build(context.Background(), st, name, o)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

// fxForm is the 2026-07 audit's form: two focus areas on the grade scale
// (one allowing Not applicable), a yes/no, a choice and a text question.
const fxForm = `name: Fixture form
questions:
  - key: assessment
    label: Assessment of need and risk
    kind: grade
    not_applicable: true
  - key: plan
    label: Quality of the plan
    kind: grade
  - key: visits
    label: Visits within timescale
    kind: yesno
  - key: worker
    label: Allocated worker stable
    kind: choice
    choices: [Same worker, Changed once, Changed more than once]
  - key: summary
    label: Summary for the manager
    kind: text
`

func fxFormJSON(t testing.TB) json.RawMessage {
	t.Helper()
	f, err := audit.ParseForm("fixture.yaml", []byte(fxForm))
	if err != nil {
		t.Fatal(err)
	}
	raw, err := f.JSON()
	if err != nil {
		t.Fatal(err)
	}
	return raw
}

// fxAnswers are the answers on case i (0-based) of the 2026-07 audit, by
// i mod 8 (every team — i mod 4 — gets two of the eight patterns):
//
//	i%8  assessment            plan                  visits  worker
//	0    Outstanding           Good                  Yes     Same worker
//	1    Good                  Good                  Yes     Same worker
//	2    Good                  Requires improvement  No      Changed once
//	3    Not applicable        Inadequate            Yes     Changed more than once
//	4    Requires improvement  Good                  No      Same worker
//	5    Inadequate            Requires improvement  Yes     Changed once
//	6    Good                  Good                  (none)  Same worker
//	7    (none)                Outstanding           Yes     Same worker
//
// and a summary on every tenth case.
func fxAnswers(i int) map[string]string {
	row := [][4]string{
		{"Outstanding", "Good", "Yes", "Same worker"},
		{"Good", "Good", "Yes", "Same worker"},
		{"Good", "Requires improvement", "No", "Changed once"},
		{"Not applicable", "Inadequate", "Yes", "Changed more than once"},
		{"Requires improvement", "Good", "No", "Same worker"},
		{"Inadequate", "Requires improvement", "Yes", "Changed once"},
		{"Good", "Good", "", "Same worker"},
		{"", "Outstanding", "Yes", "Same worker"},
	}[i%8]
	out := map[string]string{}
	for j, k := range []string{"assessment", "plan", "visits", "worker"} {
		if row[j] != "" {
			out[k] = row[j]
		}
	}
	if i%10 == 0 {
		out["summary"] = "Chase the plan review"
	}
	return out
}

// testToolSHA256 stands for the SHA-256 of the caseaudit executable in the
// golden reports (a real one changes with every build).
const testToolSHA256 = "5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e5ca1ab1e"
