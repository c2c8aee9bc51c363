package audit

import (
	"context"
	"testing"
)

// An allocation made again keeps the cases already recorded with the
// auditor who had them, spelled as that allocation spelled her: "a. khan"
// and the new "A. Khan" are one person's progress, in one row, as the
// allocation now names her, and her recorded case counts towards her share.
func TestStatusOneRowPerAuditorSpelledTwice(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "S", 6)
	if _, err := s.Allocate(ctx, "S", []string{"a. khan", "B. Lee"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	al, err := s.Allocation(ctx, "S")
	if err != nil {
		t.Fatal(err)
	}
	var hers string
	for _, x := range al.Assigned {
		if x.Auditor == "a. khan" {
			hers = x.Case
			break
		}
	}
	mustRecord(t, s, "S", Finding{Case: hers, Auditor: "a. khan", Grade: Good, Date: "2026-07-03"})
	if _, err := s.Allocate(ctx, "S", []string{"A. Khan", "B. Lee"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	st, err := s.Status(ctx, "S")
	if err != nil {
		t.Fatal(err)
	}
	if len(st.Auditors) != 2 {
		t.Fatalf("auditors %+v; want A. Khan and B. Lee", st.Auditors)
	}
	total := 0
	for _, p := range st.Auditors {
		total += p.Allocated
	}
	k := st.Auditors[0]
	// Her recorded case counts towards her share: 3 and 3, not 4 and 2.
	if k.Auditor != "A. Khan" || k.Recorded != 1 || k.Allocated != 3 || k.Allocated != k.Recorded+len(k.ToDo) || total != 6 {
		t.Errorf("progress %+v", st.Auditors)
	}
}
