package report

import (
	"bytes"
	"context"
	"math"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// Two auditors' grades against a moderator's, every case moderated: A. Khan
// 12 cases (7 the same, 4 graded better than the moderator, 1 worse, one
// of them two grades apart), B. Evans 9 (8 better by one grade). Kappa and
// the sign test are checked against R:
//
//	a <- c(0,1,1,1,2,2,3, 0,1,1,0, 2); m <- c(0,1,1,1,2,2,3, 1,2,2,2, 1)
//	tab <- table(factor(a, levels=0:3), factor(m, levels=0:3)); n <- sum(tab)
//	po <- sum(diag(tab))/n; pe <- sum(rowSums(tab)*colSums(tab))/n^2
//	(po-pe)/(1-pe)                         # 0.4
//	binom.test(4, 5)$p.value               # 0.375
//	binom.test(8, 8)$p.value               # 0.0078125
func TestCalibration(t *testing.T) {
	ctx := context.Background()
	st, _ := clockStore(t, time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC))
	if _, err := st.CreateAudit(ctx, fxAudit("2026-07", 3000), fxCases(21, "CR")); err != nil {
		t.Fatal(err)
	}
	khanA := []int{0, 1, 1, 1, 2, 2, 3, 0, 1, 1, 0, 2}
	khanM := []int{0, 1, 1, 1, 2, 2, 3, 1, 2, 2, 2, 1}
	evansA := []int{0, 0, 0, 0, 0, 0, 0, 0, 1}
	evansM := []int{1, 1, 1, 1, 1, 1, 1, 1, 1}
	grade := func(i int) audit.Grade { return audit.Grades[i] }
	cases := fxCases(21, "CR")
	modGrade := map[string]audit.Grade{}
	for i, c := range cases {
		who, a, m := "A. Khan", 0, 0
		if i < 12 {
			a, m = khanA[i], khanM[i]
		} else {
			who, a, m = "B. Evans", evansA[i-12], evansM[i-12]
		}
		mustRecord(t, st, "2026-07", audit.Finding{Case: c.ID, Auditor: who, Grade: grade(a), Date: "2026-07-10"})
		modGrade[c.ID] = grade(m)
	}
	ms, err := st.DrawModeration(ctx, "2026-07", 21, "all")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ms.Cases {
		mustRecord(t, st, "2026-07", audit.Finding{Case: id, Auditor: "M. Moderator", Grade: modGrade[id], Moderation: true})
	}
	c, err := BuildCalibration(ctx, st, nil, "")
	if err != nil {
		t.Fatal(err)
	}
	if c.Pairs != 21 || len(c.Auditors) != 2 {
		t.Fatalf("%d pairs, %d auditors", c.Pairs, len(c.Auditors))
	}
	k, e := c.Auditors[0], c.Auditors[1]
	if k.Auditor != "A. Khan" || k.Pairs != 12 || k.Exact != 7 || k.WithinOne != 11 || k.Higher != 4 || k.Lower != 1 ||
		k.Kappa == nil || math.Abs(*k.Kappa-0.4) > 1e-12 || math.Abs(k.SignP-0.375) > 1e-12 || k.Leans != "" {
		t.Errorf("A. Khan: %+v", k)
	}
	if e.Auditor != "B. Evans" || e.Pairs != 9 || e.Exact != 1 || e.WithinOne != 9 || e.Higher != 8 || e.Lower != 0 ||
		e.Kappa != nil || math.Abs(e.SignP-0.0078125) > 1e-12 || e.Leans != "higher" {
		t.Errorf("B. Evans: %+v", e)
	}
	if !strings.Contains(e.Sentence, "Of 8 disagreements, 8 graded higher than the moderator: a lean unlikely to be chance (sign test, p = 0.008)") {
		t.Errorf("sentence: %s", e.Sentence)
	}
	for f, want := range map[Format]string{
		Table:    "0.40",
		Markdown: "| B. Evans |",
		CSV:      "A. Khan,12,7,11,0.5833333333333334,0.9166666666666666,0.4",
		JSON:     `"sign_test_p": 0.0078125`,
	} {
		var b bytes.Buffer
		if err := RenderCalibration(&b, c, f); err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(b.String(), want) {
			t.Errorf("%s lacks %q:\n%s", f, want, b.String())
		}
	}
}
