package report

import (
	"fmt"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

const tallyForm = `name: Adults' case audit
questions:
  - key: risk
    label: Risk assessment
    kind: grade
    not_applicable: true
  - key: consent
    label: Consent recorded
    kind: yesno
  - key: outcome
    label: Outcome
    kind: choice
    choices: [Achieved, Partly achieved, Not achieved]
`

func TestTally(t *testing.T) {
	form, err := audit.ParseForm("f.yaml", []byte(tallyForm))
	if err != nil {
		t.Fatal(err)
	}
	// Hand-made answers: risk Good, Outstanding, Inadequate, Not applicable,
	// Requires improvement → 4 graded, 2 good or better = 0.5.
	risks := []string{"Good", "Outstanding", "Inadequate", "Not applicable", "Requires improvement"}
	teams := []string{"North", "South", "East", "West", "North"}
	var fs []audit.Finding
	groupOf := map[string]string{}
	for i, r := range risks {
		id := fmt.Sprintf("CR-%d", i+1)
		fs = append(fs, audit.Finding{Case: id, Grade: audit.Good,
			Answers: map[string]string{"risk": r, "outcome": []string{"Achieved", "Not achieved"}[i%2]}})
		groupOf[id] = teams[i]
	}
	areas := tally(form, fs)
	if len(areas) != 3 {
		t.Fatalf("%d areas", len(areas))
	}
	r := areas[0]
	if r.Key != "risk" || r.Graded != 4 || r.GoodOrBetter != 0.5 ||
		fmt.Sprint(r.Answers) != "map[Good:1 Inadequate:1 Not applicable:1 Outstanding:1 Requires improvement:1]" {
		t.Errorf("risk %+v", r)
	}
	if o := areas[2]; fmt.Sprint(o.Answers) != "map[Achieved:3 Not achieved:2]" || o.Graded != 0 {
		t.Errorf("outcome %+v", o)
	}
	var names []string
	for _, g := range tallyBy(form, fs, groupOf) {
		names = append(names, fmt.Sprintf("%s:%d:%.2f", g.Group, g.Cases, g.Areas[0].GoodOrBetter))
	}
	// North: Good, RI → 1/2; East: Inadequate → 0; South: Outstanding → 1; West: N/A → 0 graded.
	if want := "[East:1:0.00 North:2:0.50 South:1:1.00 West:1:0.00]"; fmt.Sprint(names) != want {
		t.Errorf("groups %v; want %s", names, want)
	}
	if tally(nil, fs) != nil || tallyBy(nil, fs, groupOf) != nil {
		t.Error("no form, no tally")
	}
}
