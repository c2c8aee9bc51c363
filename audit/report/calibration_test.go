package report

import (
	"bytes"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

// calibrationPairs writes an auditor's graded cases of an audit and their
// moderation as the store hands them over: a finding by who and a
// moderator's finding per pair, grades given as ranks (0 Outstanding … 3
// Inadequate), case IDs numbered from first.
func calibrationPairs(in *calibrationAudit, who string, first int, auditor, moderator []int) {
	for i := range auditor {
		id := fmt.Sprintf("CR-%d-%02d", first, i+1)
		in.Findings = append(in.Findings, audit.Finding{Case: id, Auditor: who, Grade: audit.Grades[auditor[i]], Kind: audit.KindFinding})
		in.Moderated = append(in.Moderated, audit.Finding{Case: id, Auditor: "M. Moderator", Grade: audit.Grades[moderator[i]], Moderation: true})
	}
}

// Auditors' grades against a moderator's, on hand-written findings. In
// 2026-07 every case is moderated: A. Khan 12 cases (7 the same, 4 graded
// better than the moderator, 1 worse, one of them two grades apart),
// B. Evans 9 (8 better by one grade). In 2026-08: C. Diaz 10 (7 the same,
// 3 better by one), D. Novak 6 (every one a grade worse), E. Okafor 10
// (all Good on both sides: kappa 0/0), and two moderated cases that pair
// with nothing (no auditor's finding; an auditor's finding without a
// grade). 2026-06 has findings and no moderation; 2026-09 has moderation
// that pairs with nothing. Kappa and the sign test are checked against R:
//
//	kap <- function(a, m) { tab <- table(factor(a, levels=0:3), factor(m, levels=0:3)); n <- sum(tab)
//	  po <- sum(diag(tab))/n; pe <- sum(rowSums(tab)*colSums(tab))/n^2; (po-pe)/(1-pe) }
//	kap(c(0,1,1,1,2,2,3, 0,1,1,0, 2), c(0,1,1,1,2,2,3, 1,2,2,2, 1))   # 0.4
//	kap(c(1,1,2,2,2,3,3,1,2,3), c(1,2,2,3,3,3,3,1,2,3))                # 0.552238805970149
//	binom.test(4, 5)$p.value               # 0.375
//	binom.test(8, 8)$p.value               # 0.0078125
//	binom.test(3, 3)$p.value               # 0.25
//	binom.test(0, 6)$p.value               # 0.03125
//
// E. Okafor's sign test has no disagreement to test: p is 1.
// One person's findings recorded under spellings the name rule holds
// equal (as QA typed the allocation one month, and she typed her name at
// import another) are one auditor's: A. Khan's 12 pairs of TestCalibration,
// 7 in 2026-07 as "A. Khan", 3 in 2026-08 as "a.  KHAN" and 2 there as
// "A. Khan", give the one row TestCalibration gives (kappa 0.4 and p 0.375
// from R, above), shown as "A. Khan", the spelling used in 9 of them.
func TestCalibrationOnePersonTwoSpellings(t *testing.T) {
	auditor, moderator := []int{0, 1, 1, 1, 2, 2, 3, 0, 1, 1, 0, 2}, []int{0, 1, 1, 1, 2, 2, 3, 1, 2, 2, 2, 1}
	jul, aug := calibrationAudit{Name: "2026-07"}, calibrationAudit{Name: "2026-08"}
	calibrationPairs(&jul, "A. Khan", 0, auditor[:7], moderator[:7])
	calibrationPairs(&aug, "a.  KHAN", 1, auditor[7:10], moderator[7:10])
	calibrationPairs(&aug, "A. Khan", 2, auditor[10:], moderator[10:])
	calibrationPairs(&aug, "B. Evans", 3, []int{0}, []int{1})
	c, err := calibrationOf("", []calibrationAudit{jul, aug})
	if err != nil {
		t.Fatal(err)
	}
	if len(c.Auditors) != 2 || c.Pairs != 13 {
		t.Fatalf("%d pairs, auditors %+v; want 13 pairs, A. Khan and B. Evans", c.Pairs, c.Auditors)
	}
	a := c.Auditors[0]
	if a.Auditor != "A. Khan" || a.Pairs != 12 || a.Exact != 7 || a.WithinOne != 11 || a.Higher != 4 || a.Lower != 1 ||
		a.Kappa == nil || math.Abs(*a.Kappa-0.4) > 1e-12 || math.Abs(a.SignP-0.375) > 1e-12 {
		t.Errorf("A. Khan under two spellings: %+v", a)
	}
	if !strings.HasPrefix(a.Sentence, "A. Khan: 7 of 12 moderated cases graded the same") {
		t.Errorf("sentence %q", a.Sentence)
	}
	// Used as often, the latest spelling shows.
	sep := calibrationAudit{Name: "2026-09"}
	calibrationPairs(&sep, "a. khan", 4, []int{0, 1}, []int{0, 1})
	calibrationPairs(&sep, "A. KHAN", 5, []int{0, 1}, []int{0, 1})
	if c, err = calibrationOf("", []calibrationAudit{sep}); err != nil {
		t.Fatal(err)
	}
	if len(c.Auditors) != 1 || c.Auditors[0].Auditor != "A. KHAN" || c.Auditors[0].Pairs != 4 {
		t.Errorf("two spellings used twice each: %+v", c.Auditors)
	}
}

func TestCalibration(t *testing.T) {
	jul := calibrationAudit{Name: "2026-07"}
	calibrationPairs(&jul, "A. Khan", 0, []int{0, 1, 1, 1, 2, 2, 3, 0, 1, 1, 0, 2}, []int{0, 1, 1, 1, 2, 2, 3, 1, 2, 2, 2, 1})
	calibrationPairs(&jul, "B. Evans", 1, []int{0, 0, 0, 0, 0, 0, 0, 0, 1}, []int{1, 1, 1, 1, 1, 1, 1, 1, 1})
	aug := calibrationAudit{Name: "2026-08"}
	calibrationPairs(&aug, "C. Diaz", 2, []int{1, 1, 2, 2, 2, 3, 3, 1, 2, 3}, []int{1, 2, 2, 3, 3, 3, 3, 1, 2, 3})
	calibrationPairs(&aug, "D. Novak", 3, []int{2, 2, 2, 3, 3, 1}, []int{1, 1, 1, 2, 2, 0})
	calibrationPairs(&aug, "E. Okafor", 4, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, []int{1, 1, 1, 1, 1, 1, 1, 1, 1, 1})
	aug.Moderated = append(aug.Moderated, audit.Finding{Case: "CR-unaudited", Auditor: "M. Moderator", Grade: audit.Good, Moderation: true})
	aug.Findings = append(aug.Findings, audit.Finding{Case: "CR-ungraded", Auditor: "C. Diaz", Kind: audit.KindFinding})
	aug.Moderated = append(aug.Moderated, audit.Finding{Case: "CR-ungraded", Auditor: "M. Moderator", Grade: audit.Good, Moderation: true})
	jun := calibrationAudit{Name: "2026-06", Findings: []audit.Finding{{Case: "CR-june", Auditor: "A. Khan", Grade: audit.Good}}}
	sep := calibrationAudit{Name: "2026-09", Moderated: []audit.Finding{{Case: "CR-sept", Auditor: "M. Moderator", Grade: audit.Good, Moderation: true}}}

	c, err := calibrationOf("OFFICIAL-SENSITIVE", []calibrationAudit{jun, jul, aug, sep})
	if err != nil {
		t.Fatal(err)
	}
	if c.Marking != "OFFICIAL-SENSITIVE" || c.Pairs != 47 || strings.Join(c.Audits, ",") != "2026-07,2026-08" || strings.Join(c.NotModerated, ",") != "2026-06,2026-09" {
		t.Fatalf("%d pairs, audits %v, not moderated %v", c.Pairs, c.Audits, c.NotModerated)
	}
	type want struct {
		who                                   string
		pairs, exact, within, higher, lower   int
		exactShare, withinShare, kappa, signP float64 // kappa -1: not given
		leans                                 string
	}
	wants := []want{ // sorted by name
		{"A. Khan", 12, 7, 11, 4, 1, 7.0 / 12, 11.0 / 12, 0.4, 0.375, ""},
		{"B. Evans", 9, 1, 9, 8, 0, 1.0 / 9, 1, -1, 0.0078125, "higher"},
		{"C. Diaz", 10, 7, 10, 3, 0, 0.7, 1, 0.552238805970149, 0.25, ""},
		{"D. Novak", 6, 0, 6, 0, 6, 0, 1, -1, 0.03125, "lower"},
		{"E. Okafor", 10, 10, 10, 0, 0, 1, 1, -1, 1, ""},
	}
	if len(c.Auditors) != len(wants) {
		t.Fatalf("%d auditors: %+v", len(c.Auditors), c.Auditors)
	}
	for i, w := range wants {
		a := c.Auditors[i]
		kappaOK := (w.kappa < 0 && a.Kappa == nil) || (w.kappa >= 0 && a.Kappa != nil && math.Abs(*a.Kappa-w.kappa) < 1e-12)
		if a.Auditor != w.who || a.Pairs != w.pairs || a.Exact != w.exact || a.WithinOne != w.within || a.Higher != w.higher || a.Lower != w.lower ||
			math.Abs(a.ExactShare-w.exactShare) > 1e-12 || math.Abs(a.WithinShare-w.withinShare) > 1e-12 || !kappaOK ||
			math.Abs(a.SignP-w.signP) > 1e-12 || a.Leans != w.leans {
			t.Errorf("%s: %+v; want %+v", w.who, a, w)
		}
	}
	for who, want := range map[int]string{
		1: "B. Evans: 1 of 9 moderated cases graded the same (11.1%), 9 within one grade. Of 8 disagreements, 8 graded higher than the moderator: a lean unlikely to be chance (sign test, p = 0.008).",
		3: "Of 6 disagreements, 6 graded lower than the moderator: a lean unlikely to be chance (sign test, p = 0.031).",
		0: "Of 5 disagreements, 4 higher and 1 lower than the moderator: no clear lean (sign test, p = 0.375); it could be chance.",
		4: "E. Okafor: 10 of 10 moderated cases graded the same (100%), 10 within one grade.",
	} {
		if s := c.Auditors[who].Sentence; !strings.Contains(s, want) {
			t.Errorf("sentence: %s\nlacks %s", s, want)
		}
	}
	for f, wants := range map[Format][]string{
		Table:    {"0.40", "0.55", "not defined", "— (under 10)", "2026-06, 2026-09 had no moderated case with both grades, so they are not in these figures."},
		Markdown: {"| B. Evans |", "| D. Novak |"},
		CSV:      {"A. Khan,12,7,11,0.5833333333333334,0.9166666666666666,0.4", "C. Diaz,10,7,10,0.7,1,0.552238805970149"},
		JSON:     {`"sign_test_p": 0.0078125`, `"sign_test_p": 0.03125`, `"marking": "OFFICIAL-SENSITIVE"`},
	} {
		var b bytes.Buffer
		if err := RenderCalibration(&b, c, f); err != nil {
			t.Fatal(err)
		}
		for _, want := range wants {
			if !strings.Contains(b.String(), want) {
				t.Errorf("%s lacks %q:\n%s", f, want, b.String())
			}
		}
	}

	none, err := calibrationOf("", []calibrationAudit{jun})
	if err != nil {
		t.Fatal(err)
	}
	if none.Pairs != 0 || len(none.Auditors) != 0 || calibrationIntro(none) != "No moderated case with both grades in 2026-06: there is nothing to compare yet." {
		t.Errorf("nothing moderated: %+v: %s", none, calibrationIntro(none))
	}
	if empty, err := calibrationOf("", nil); err != nil || calibrationIntro(empty) != "The store holds no audits yet: there is nothing to compare." {
		t.Errorf("no audit: %v %v", empty, err)
	}
}

// The calibration's table and its sentences show the same figures the same
// way: kappa to three decimals, as the workbook's sheet and the report do
// (C. Diaz's 0.552238805970149 from R, above, is 0.552, not 0.55), and a
// sign test's p as the sentence beside it gives it (1.000, not "p = 1"
// beside "1.000"). The HTML page is headed once.
func TestCalibrationPageAgrees(t *testing.T) {
	jul := calibrationAudit{Name: "2026-07"}
	calibrationPairs(&jul, "A. Khan", 0, []int{0, 1, 1, 1, 2, 2, 3, 0, 1, 1, 0, 2}, []int{0, 1, 1, 1, 2, 2, 3, 1, 2, 2, 2, 1})
	calibrationPairs(&jul, "C. Diaz", 2, []int{1, 1, 2, 2, 2, 3, 3, 1, 2, 3}, []int{1, 2, 2, 3, 3, 3, 3, 1, 2, 3})
	calibrationPairs(&jul, "F. Silva", 5, []int{1, 1}, []int{1, 2})
	c, err := calibrationOf("", []calibrationAudit{jul})
	if err != nil {
		t.Fatal(err)
	}
	tb := calibrationTable(c)
	col := func(name string) int { return slices.Index(tb.Header, name) }
	for _, w := range []struct{ row, kappa, p, sentence string }{
		{"A. Khan", "0.400", "0.375", "p = 0.375"},
		{"C. Diaz", "0.552", "0.250", "p = 0.250"},
		{"F. Silva", "— (under 10)", "1.000", "p = 1.000"},
	} {
		i := slices.IndexFunc(tb.Rows, func(r []string) bool { return r[0] == w.row })
		if i < 0 {
			t.Fatalf("no row for %s: %v", w.row, tb.Rows)
		}
		r := tb.Rows[i]
		if r[col("Kappa")] != w.kappa || r[col("Sign test p")] != w.p {
			t.Errorf("%s: kappa %q, p %q; want %q, %q", w.row, r[col("Kappa")], r[col("Sign test p")], w.kappa, w.p)
		}
		if s := c.Auditors[i].Sentence; strings.Contains(s, "sign test") && !strings.Contains(s, w.sentence) {
			t.Errorf("%s's sentence %q does not give %s as the table does", w.row, s, w.sentence)
		}
	}
	var b strings.Builder
	if err := RenderCalibration(&b, c, HTML); err != nil {
		t.Fatal(err)
	}
	if n := len(regexp.MustCompile(`<h[1-6][^>]*>Auditor calibration`).FindAllString(b.String(), -1)); n != 1 {
		t.Errorf("the HTML page names itself in %d headings, want 1:\n%s", n, b.String())
	}
}
