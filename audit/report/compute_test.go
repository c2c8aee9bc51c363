package report

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
)

// Tests of what a report adds up to, on inputs written out by hand: the
// audit, its sampled cases, and the findings as the store hands them over
// (the latest of each case, in sample order, numbered by trail entry). No
// store is opened: Report.compute and the folds under it take exactly what
// core reads. The end-to-end tests (report_test.go and the render tests)
// keep the path from the store.

// computed is the core report of an audit computed from its inputs, as
// core does after reading them.
func computed(t *testing.T, o Options, a audit.Audit, cases []audit.SampledCase, orig, mod []audit.Finding,
	ms *audit.ModerationSample, pairs []audit.GradePair) *Report {
	t.Helper()
	r, err := computedErr(o, a, cases, orig, mod, ms, pairs)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func computedErr(o Options, a audit.Audit, cases []audit.SampledCase, orig, mod []audit.Finding,
	ms *audit.ModerationSample, pairs []audit.GradePair) (*Report, error) {
	if err := o.normalise(); err != nil {
		return nil, err
	}
	r := &Report{opts: o}
	if err := r.compute(&a, cases, orig, mod, ms, pairs); err != nil {
		return nil, err
	}
	r.withdrawn(nil)
	return r, nil
}

// edgeInputs is edgeStore's audit as its inputs: n unstratified cases of
// which the first audited are recorded by A. Khan as Good, the first
// flagged of those needing immediate attention, from a population of pop
// (0: not recorded).
func edgeInputs(n, audited, flagged, pop int) (audit.Audit, []audit.SampledCase, []audit.Finding) {
	a := fxAudit("edge", pop)
	a.Provenance.Strata = nil
	cases := fxCases(n, "E")
	for i := range cases {
		cases[i].Stratum = ""
	}
	var orig []audit.Finding
	for i := 0; i < audited; i++ {
		orig = append(orig, audit.Finding{Case: cases[i].ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: i < flagged,
			Kind: audit.KindFinding, Seq: i + 1})
	}
	return a, cases, orig
}

// edgeReport is the report of edgeInputs.
func edgeReport(t *testing.T, n, audited, flagged, pop int) *Report {
	t.Helper()
	a, cases, orig := edgeInputs(n, audited, flagged, pop)
	return computed(t, fixedOptions(), a, cases, orig, nil, nil, nil)
}

// fx25Inputs is the fixture's 2025-07 audit as its inputs: 90 cases from a
// population of 2,500, stratified by Team, all audited, 3 flagged.
func fx25Inputs() (audit.Audit, []audit.SampledCase, []audit.Finding) {
	cases := fxCases(90, "CR25")
	var orig []audit.Finding
	for i, c := range cases {
		f := audit.Finding{Case: c.ID, Auditor: fxWorkers[(i+1)%len(fxWorkers)], Grade: grade25(i), Immediate: flagged25[i],
			Date: "2025-07-20", Kind: audit.KindFinding, Seq: i + 2}
		if flagged25[i] {
			f.Note = fmt.Sprintf("No visit for %d weeks", 8+i%5)
		}
		orig = append(orig, f)
	}
	return fxAudit("2025-07", 2500), cases, orig
}

// The headline of 3 of 90 against R (shared/reference/statistics.md),
// computed without a store.
func TestComputeReferenceValues3of90(t *testing.T) {
	a, cases, orig := fx25Inputs()
	r := computed(t, fixedOptions(), a, cases, orig, nil, nil, nil)
	if r.Sampled != 90 || r.Audited != 90 || r.Flagged != 3 || *r.Population != 2500 {
		t.Fatalf("counts: sampled %d audited %d flagged %d population %d", r.Sampled, r.Audited, r.Flagged, *r.Population)
	}
	near(t, "share", r.Share, 3.0/90)
	near(t, "cp lower", r.CI.Lower, cp3of90Lo)
	near(t, "cp upper", r.CI.Upper, cp3of90Hi)
	if got, want := r.Sentence, "3 of the 90 audited cases (3.3%) needed immediate attention; with 95% confidence between 0.6% and 9.5% of the 2,500 cases would."; got != want {
		t.Errorf("sentence\n got %q\nwant %q", got, want)
	}
	// grade25 cycles Good, RI, Good, Inadequate over 90 cases: Good 45
	// (i ≡ 0, 2 mod 4), RI 23 (i ≡ 1: 1, 5, …, 89), Inadequate 22.
	for g, n := range map[string]int{"Outstanding": 0, "Good": 45, "Requires improvement": 23, "Inadequate": 22} {
		if r.Grades[g] != n {
			t.Errorf("grade %s: %d, want %d", g, r.Grades[g], n)
		}
	}
	near(t, "good or better", r.GoodOrBetter, 0.5)
	if len(r.Flags) != 3 || r.Flags[0].ID != "CR25-00010" || r.Flags[1].ID != "CR25-00040" || r.Flags[2].ID != "CR25-00070" {
		t.Errorf("flagged cases = %+v", r.Flags)
	}
	o := fixedOptions()
	o.Method = "wilson"
	w := computed(t, o, a, cases, orig, nil, nil, nil)
	near(t, "wilson lower", w.CI.Lower, wilson3of90Lo)
	near(t, "wilson upper", w.CI.Upper, wilson3of90Hi)
}

func TestReportBreakdowns(t *testing.T) {
	a, cases, orig := fx25Inputs()
	o := fixedOptions()
	o.By = "legal status"
	r := computed(t, o, a, cases, orig, nil, nil, nil)
	// Cases cycle CIN, CP, CLA; the flagged 10th, 40th and 70th cases
	// (indexes 9, 39, 69) are all CIN: CIN 3 of 30.
	if r.By != "Legal Status" {
		t.Errorf("by %q", r.By)
	}
	want := map[string][3]int{"CIN": {30, 30, 3}, "CP": {30, 30, 0}, "CLA": {30, 30, 0}}
	if len(r.Breakdown) != 3 {
		t.Fatalf("breakdown %+v", r.Breakdown)
	}
	for _, g := range r.Breakdown {
		w := want[g.Group]
		if [3]int{g.Sampled, g.Audited, g.Flagged} != w {
			t.Errorf("%s: %+v, want %v", g.Group, g, w)
		}
	}
	o.By = "auditor"
	r = computed(t, o, a, cases, orig, nil, nil, nil)
	// Auditor of case i is worker (i+1) mod 6; 10, 40 and 70 are all 4: E. Okafor, 15 cases.
	if len(r.Breakdown) != 6 {
		t.Fatalf("breakdown by auditor %+v", r.Breakdown)
	}
	for _, g := range r.Breakdown {
		wantFlagged := 0
		if g.Group == "E. Okafor" {
			wantFlagged = 3
		}
		if g.Audited != 15 || g.Flagged != wantFlagged {
			t.Errorf("auditor %s: %+v", g.Group, g)
		}
	}
	// Personal columns are never a breakdown without --include-names, and
	// never appear in case rows.
	o.By = "Forename"
	if _, err := computedErr(o, a, cases, orig, nil, nil, nil); err == nil || !strings.Contains(opt.Spell(err, opt.Flags), "--include-names") {
		t.Errorf("--by Forename: %v", err)
	}
	o.By = "Nope"
	if _, err := computedErr(o, a, cases, orig, nil, nil, nil); err == nil || !strings.Contains(err.Error(), "Legal Status") {
		t.Errorf("--by Nope should list the choices: %v", err)
	}
	o.By = ""
	r = computed(t, o, a, cases, orig, nil, nil, nil)
	if slices.Contains(r.Columns, "Forename") {
		t.Errorf("columns %q include a name", r.Columns)
	}
	for _, c := range r.AllCases {
		if _, ok := c.Fields["Forename"]; ok {
			t.Fatalf("case %s carries a forename", c.ID)
		}
	}
	o.IncludeNames, o.By = true, "forename"
	r = computed(t, o, a, cases, orig, nil, nil, nil)
	// Forenames cycle Ada, Ben, Cai, Dee, Eli: five groups of 18.
	if !slices.Contains(r.Columns, "Forename") || r.AllCases[0].Fields["Forename"] != "Ada" || len(r.Breakdown) != 5 {
		t.Errorf("with names: columns %q, first %+v, groups %d", r.Columns, r.AllCases[0].Fields, len(r.Breakdown))
	}
	for _, g := range r.Breakdown {
		if g.Sampled != 18 {
			t.Errorf("forename %s: %d sampled, want 18", g.Group, g.Sampled)
		}
	}
}

// --by auditor counts every sampled case: by who audited it, else by whom
// it is allocated to, else as unallocated.
func TestBreakdownByAuditorCountsUnallocated(t *testing.T) {
	a, cases, orig := edgeInputs(10, 4, 1, 100) // 4 audited by A. Khan, no allocation
	o := fixedOptions()
	o.By = "auditor"
	r := computed(t, o, a, cases, orig, nil, nil, nil)
	got := map[string][2]int{}
	for _, g := range r.Breakdown {
		got[g.Group] = [2]int{g.Sampled, g.Audited}
	}
	if len(got) != 2 || got["A. Khan"] != [2]int{4, 4} || got["(unallocated)"] != [2]int{6, 0} {
		t.Errorf("breakdown %v", got)
	}
	// Allocated (as core reads the allocation): the cases still to audit
	// are counted under their auditors; a case audited by someone other
	// than its allocated auditor counts under who audited it.
	o.allocated = map[string]string{"E-00001": "B. Lee", "E-00005": "B. Lee", "E-00006": "C. Diaz", "E-00007": "B. Lee",
		"E-00008": "C. Diaz", "E-00009": "C. Diaz", "E-00010": "B. Lee"}
	r = computed(t, o, a, cases, orig, nil, nil, nil)
	got = map[string][2]int{}
	for _, g := range r.Breakdown {
		got[g.Group] = [2]int{g.Sampled, g.Audited}
	}
	if len(got) != 3 || got["A. Khan"] != [2]int{4, 4} || got["B. Lee"] != [2]int{3, 0} || got["C. Diaz"] != [2]int{3, 0} {
		t.Errorf("breakdown after allocation %v", got)
	}
}

// --by auditor groups people by the name rule: A. Khan's cases, 2 recorded
// as "A. Khan" and 4 as "a.  KHAN" (the rule holds them equal), are one
// row. Without an allocation it shows the spelling most used ("a. KHAN",
// spaces collapsed); with one, the allocation's, as status and the
// workbooks show her.
func TestBreakdownByAuditorOnePersonTwoSpellings(t *testing.T) {
	a, cases, orig := edgeInputs(10, 6, 2, 100)
	for i := 2; i < 6; i++ {
		orig[i].Auditor = "a.  KHAN"
	}
	o := fixedOptions()
	o.By = "auditor"
	for _, c := range []struct {
		allocated map[string]string
		want      map[string][3]int // sampled, audited, flagged
	}{
		{nil, map[string][3]int{"a. KHAN": {6, 6, 2}, "(unallocated)": {4, 0, 0}}},
		{map[string]string{"E-00007": "A. Khan", "E-00008": "A. Khan", "E-00009": "B. Lee", "E-00010": "A. Khan"},
			map[string][3]int{"A. Khan": {9, 6, 2}, "B. Lee": {1, 0, 0}}},
	} {
		o.allocated = c.allocated
		r := computed(t, o, a, cases, orig, nil, nil, nil)
		got := map[string][3]int{}
		for _, g := range r.Breakdown {
			got[g.Group] = [3]int{g.Sampled, g.Audited, g.Flagged}
		}
		if !maps.Equal(got, c.want) {
			t.Errorf("allocation %v: breakdown %v, want %v", c.allocated, got, c.want)
		}
	}
}

// pairsOfTable turns the reference's 4 × 4 table (auditor by
// moderator: Outstanding, Good, Requires improvement, Inadequate) into
// grade pairs, numbered K-01, K-02 … row by row.
func pairsOfTable(table [4][4]int) []audit.GradePair {
	var out []audit.GradePair
	n := 0
	for i := range table {
		for j := range table[i] {
			for k := 0; k < table[i][j]; k++ {
				n++
				out = append(out, audit.GradePair{Case: fmt.Sprintf("K-%02d", n), Original: audit.Grades[i], Moderated: audit.Grades[j]})
			}
		}
	}
	return out
}

// Moderation agreement against R (shared/reference/statistics.md: Cohen's
// kappa and linear-weighted kappa of two 4 × 4 tables).
func TestModerationAgainstR(t *testing.T) {
	for _, c := range []struct {
		table          [4][4]int
		kappa, linear  float64
		agree, pairs   int
		disagreeFirst  string
		disagreeNumber int
	}{
		// 40 pairs, 2+14+9+6 = 31 agree; the first pair that does not is
		// Outstanding → Good, the third pair written (K-03).
		{[4][4]int{{2, 1, 0, 0}, {1, 14, 3, 0}, {0, 2, 9, 1}, {0, 0, 1, 6}}, 0.666666666667, 0.757412398922, 31, 40, "K-03", 9},
		// 30 pairs, 0+10+6+5 = 21 agree; K-01 is Outstanding → Good.
		{[4][4]int{{0, 1, 0, 0}, {0, 10, 5, 0}, {0, 1, 6, 2}, {0, 0, 0, 5}}, 0.539249146758, 0.65206185567, 21, 30, "K-01", 9},
	} {
		pairs := pairsOfTable(c.table)
		ms := &audit.ModerationSample{Seed: "m", Size: c.pairs}
		a, cases, _ := edgeInputs(1, 0, 0, 0)
		r := computed(t, fixedOptions(), a, cases, nil, nil, ms, pairs)
		m := r.Moderation
		if m == nil || m.Pairs != c.pairs || m.Sample != c.pairs || m.Seed != "m" {
			t.Fatalf("moderation = %+v", m)
		}
		for i := range c.table {
			if !slices.Equal(c.table[i][:], m.Table[i]) {
				t.Errorf("row %d = %v, want %v", i, m.Table[i], c.table[i])
			}
		}
		near(t, "agreement", m.Agreement, float64(c.agree)/float64(c.pairs))
		near(t, "immediate agreement", m.ImmediateAgreement, 1)
		nearTol(t, "kappa", m.Kappa, c.kappa, 5e-12)
		nearTol(t, "linear kappa", m.Linear, c.linear, 5e-12)
		if len(m.Disagreements) != c.disagreeNumber || m.Disagreements[0].Case != c.disagreeFirst {
			t.Errorf("disagreements %+v, want %d from %s", m.Disagreements, c.disagreeNumber, c.disagreeFirst)
		}
	}
}

// A moderator who differs on immediate attention is a disagreement even
// with the same grade, and lowers the immediate-attention agreement.
func TestModerationImmediateDisagreement(t *testing.T) {
	pairs := []audit.GradePair{
		{Case: "E-00001", Original: audit.Good, Moderated: audit.Good},
		{Case: "E-00002", Original: audit.Good, Moderated: audit.Good, ModeratedImmediate: true},
		{Case: "E-00003", Original: audit.Inadequate, Moderated: audit.Inadequate, OriginalImmediate: true, ModeratedImmediate: true},
		{Case: "E-00004", Original: audit.RequiresImprovement, Moderated: audit.Good},
	}
	a, cases, _ := edgeInputs(4, 0, 0, 0)
	r := computed(t, fixedOptions(), a, cases, nil, nil, &audit.ModerationSample{Seed: "m", Size: 4}, pairs)
	m := r.Moderation
	near(t, "agreement", m.Agreement, 3.0/4)
	near(t, "immediate agreement", m.ImmediateAgreement, 3.0/4)
	if len(m.Disagreements) != 2 || m.Disagreements[0].Case != "E-00002" || !m.Disagreements[0].ModeratedImmediate ||
		m.Disagreements[1].Case != "E-00004" || m.Disagreements[1].Original != "Requires improvement" || m.Disagreements[1].Moderated != "Good" {
		t.Errorf("disagreements %+v", m.Disagreements)
	}
	// Four pairs are under KappaMinPairs: no kappa, and the page says why.
	if m.Kappa != nil || m.Linear != nil || m.Quadratic != nil || !m.KappaWithheld {
		t.Errorf("kappas of 4 pairs: %+v", m)
	}
	var b strings.Builder
	WriteTable(&b, r, false)
	if !strings.Contains(b.String(), "Cohen's kappa                     — (not given under 10 moderated cases)") {
		t.Errorf("table:\n%s", b.String())
	}

	// Six more Good→Good make ten. Kappa by hand: po = 9/10; auditor
	// margins (0, 8, 1, 1)/10, moderator (0, 9, 0, 1)/10, so pe = (8·9 +
	// 1·1)/100 = 73/100 and kappa = (9/10 − 73/100)/(1 − 73/100) = 17/27.
	for i := 5; i <= 10; i++ {
		pairs = append(pairs, audit.GradePair{Case: fmt.Sprintf("E-%05d", i), Original: audit.Good, Moderated: audit.Good})
	}
	a, cases, _ = edgeInputs(10, 0, 0, 0)
	r = computed(t, fixedOptions(), a, cases, nil, nil, &audit.ModerationSample{Seed: "m", Size: 10}, pairs)
	m = r.Moderation
	near(t, "agreement of 10", m.Agreement, 9.0/10)
	nearTol(t, "kappa", m.Kappa, 17.0/27, 1e-12)
	if m.KappaWithheld || m.Linear == nil || m.Quadratic == nil {
		t.Errorf("kappas of 10 pairs: %+v", m)
	}
}

// The latest judgement on immediate attention stands: a moderator's later
// finding over the auditor's, an auditor's correction after moderation
// over the moderator's.
func TestLatestJudgementCounts(t *testing.T) {
	a, cases, orig := edgeInputs(10, 10, 0, 200) // 10 audited, none flagged by the auditor
	mod := []audit.Finding{
		{Case: "E-00002", Auditor: "M. Moderator", Grade: audit.Inadequate, Immediate: true, Moderation: true, Kind: audit.KindModerationFinding, Seq: 11},
		{Case: "E-00005", Auditor: "M. Moderator", Grade: audit.Inadequate, Moderation: true, Kind: audit.KindModerationFinding, Seq: 12},
	}
	r := computed(t, fixedOptions(), a, cases, orig, mod, nil, nil)
	if r.Flagged != 1 || len(r.Flags) != 1 || r.Flags[0].ID != "E-00002" || !r.Flags[0].RaisedAtModeration || !r.Flags[0].NeedsAttention {
		t.Fatalf("flagged %d: %+v", r.Flagged, r.Flags)
	}
	if !strings.HasPrefix(r.Sentence, "1 of the 10 audited cases (10%) needed immediate attention") {
		t.Errorf("sentence %q", r.Sentence)
	}
	if !slices.ContainsFunc(r.Notes, func(n string) bool {
		return strings.Contains(n, "1 case was flagged at moderation where the auditor did not flag it")
	}) {
		t.Errorf("notes %q", r.Notes)
	}
	// The auditor corrects E-00002 after the moderation (a later entry).
	orig[1] = audit.Finding{Case: "E-00002", Auditor: "A. Khan", Grade: audit.RequiresImprovement, Reason: "checked again",
		Kind: audit.KindCorrection, Seq: 13}
	if r := computed(t, fixedOptions(), a, cases, orig, mod, nil, nil); r.Flagged != 0 {
		t.Errorf("after the auditor's later correction: %d flagged", r.Flagged)
	}
	// A flagged case the moderator later clears is not counted, and the
	// notes name it.
	a, cases, orig = edgeInputs(10, 10, 10, 200)
	mod = []audit.Finding{{Case: "E-00003", Auditor: "M. Moderator", Grade: audit.Good, Moderation: true, Kind: audit.KindModerationFinding, Seq: 11}}
	r = computed(t, fixedOptions(), a, cases, orig, mod, nil, nil)
	if r.Flagged != 9 || slices.ContainsFunc(r.Flags, func(c CaseRow) bool { return c.ID == "E-00003" }) {
		t.Fatalf("flagged %d, %d listed", r.Flagged, len(r.Flags))
	}
	want := "1 case flagged by its auditor was judged at moderation not to need it (E-00003)"
	if !slices.ContainsFunc(r.Notes, func(n string) bool { return strings.Contains(n, want) }) {
		t.Errorf("notes %q", r.Notes)
	}
}

// The Clopper–Pearson bounds at the edges have closed forms: for x of n
// flagged, lower (α/2)^(1/n) when x = n, upper 1 − (α/2)^(1/n) when x = 0.
func TestComputeClosedFormBounds(t *testing.T) {
	for _, c := range []struct{ n, flagged int }{{30, 0}, {7, 7}, {200, 0}} {
		r := edgeReport(t, c.n, c.n, c.flagged, 0)
		edge := math.Pow(0.025, 1/float64(c.n))
		if c.flagged == 0 {
			near(t, fmt.Sprintf("upper of 0 of %d", c.n), r.CI.Upper, 1-edge)
			near(t, fmt.Sprintf("one-sided upper of 0 of %d", c.n), r.UpperOne, 1-math.Pow(0.05, 1/float64(c.n)))
		} else {
			near(t, fmt.Sprintf("lower of %d of %d", c.n, c.n), r.CI.Lower, edge)
		}
	}
}
