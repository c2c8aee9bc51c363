package audit

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// TestSQLiteUpgradeFrom14: an SQLite store of schema version 14 opened by
// this build moves to the current version (15 and on), nothing in it changes (its
// trail verifies exactly as before, with the same head), and what is
// recorded afterwards is dated by this machine's clock, as on version 14:
// only a PostgreSQL store dates by its server's.
func TestSQLiteUpgradeFrom14(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	clock := newClock()
	old, err := Open(ctx, path, Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := old.CreateAudit(ctx, testAudit("a"), testCases(6)); err != nil {
		t.Fatal(err)
	}
	if _, err := old.Allocate(ctx, "a", []string{"B. Evans", "C. Diaz"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, old, "a", Finding{Case: "CR-0000001", Auditor: "B. Evans", Grade: Good, Date: "2026-07-03"})
	mustRecord(t, old, "a", Finding{Case: "CR-0000002", Auditor: "C. Diaz", Grade: Inadequate, Immediate: true, Note: "no plan on file", Date: "2026-07-03"})
	before, err := old.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !before.OK {
		t.Fatalf("the trail before: %+v", before)
	}
	// As version 14 left it.
	if _, err := old.st.DB().Exec("PRAGMA user_version = 14"); err != nil {
		t.Fatal(err)
	}
	old.Close()

	machine := time.Date(2026, 7, 10, 14, 30, 0, 0, time.UTC)
	s, err := Open(ctx, path, Options{Actor: "QA Officer", MachineClock: func() time.Time { return machine }})
	if err != nil {
		t.Fatalf("opening a version 14 store: %v", err)
	}
	defer s.Close()
	var v int
	if err := s.st.DB().QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != store.SchemaVersion {
		t.Fatalf("schema version after opening: %d (%v); want %d", v, err, store.SchemaVersion)
	}
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check after the upgrade: %v", err)
	}
	after, err := s.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if after.OK != before.OK || after.Head != before.Head || !reflect.DeepEqual(after.Duties, before.Duties) || !reflect.DeepEqual(after.Problems, before.Problems) {
		t.Errorf("the trail verifies otherwise after the upgrade:\nbefore %+v\nafter  %+v", before, after)
	}

	mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "B. Evans", Grade: Good, Date: "2026-07-09"})
	h, err := s.History(ctx, "a", "CR-0000003")
	if err != nil {
		t.Fatal(err)
	}
	if len(h) != 1 || !h[0].At.Equal(machine) {
		t.Errorf("the finding recorded after the upgrade: %+v; want one entry dated by the machine's clock, %s", h, machine.Format(time.RFC3339))
	}
	if v, err := s.Verify(ctx, "a"); err != nil || !v.OK || len(v.Duties) != 0 {
		t.Errorf("verify after a finding recorded on version 15: %v %+v", err, v)
	}
}
