package audit

import (
	"context"
	"errors"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestCreateAuditAndGrow(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "2026-07 monthly", 10)
	if _, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(2)); err == nil || !strings.Contains(err.Error(), "already in the store") {
		t.Errorf("duplicate name: %v", err)
	}
	a, err := s.Audit(ctx, "2026-07 MONTHLY") // names match case-insensitively when unambiguous
	if err != nil {
		t.Fatal(err)
	}
	if a.InitialSize != 10 || a.Seed() != "314159" || a.Form != nil || len(a.Columns) != 3 || a.Provenance.Filters[0] != "Legal Status=CIN" {
		t.Errorf("audit read back: %+v", a)
	}
	// The provenance reads back as it was given, and the period defaults to
	// the month the audit was recorded (the test clock's July 2026).
	want := testAudit("x").Provenance
	if got := a.Provenance; !reflect.DeepEqual(got, want) {
		t.Errorf("provenance read back:\n%+v\nwant\n%+v", got, want)
	}
	if a.Period != "2026-07" {
		t.Errorf("period %q, want 2026-07", a.Period)
	}
	_, err = s.Audit(ctx, "2026-07 montly")
	if !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `did you mean "2026-07 monthly"?`) {
		t.Errorf("misspelt audit: %v", err)
	}

	// Growth must continue the order at 11.
	more := testCases(14)[10:]
	bad := append([]SampledCase(nil), more...)
	bad[0].Order = 12
	if err := s.Grow(ctx, a.Name, bad); err == nil {
		t.Error("growth with a gap in the order was accepted")
	}
	dup := testCases(11)[10:]
	dup[0].ID = "CR-0000003"
	if err := s.Grow(ctx, a.Name, dup); err == nil {
		t.Error("growth with an already sampled case was accepted")
	}
	if err := s.Grow(ctx, a.Name, more); err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases(ctx, a.Name)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) != 14 || cases[13].ID != "CR-0000014" || cases[13].Order != 14 || cases[13].Field("allocated worker") != testWorkers[13%6] {
		t.Fatalf("cases after growth: %d, last %+v", len(cases), cases[len(cases)-1])
	}
	mustVerify(t, s, a.Name)
}

func TestAuditedFrom(t *testing.T) {
	ctx := context.Background()
	s, clock := openTest(t)
	clock.t = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
	if _, err := s.CreateAudit(ctx, testAudit("old"), testCases(3)); err != nil { // CR-1..3, 2025-06-01
		t.Fatal(err)
	}
	clock.t = time.Date(2026, 3, 1, 0, 0, 0, 0, time.UTC)
	cs := testCases(5)[3:] // CR-4, CR-5 in a new audit, renumbered
	for i := range cs {
		cs[i].Order = i + 1
	}
	if _, err := s.CreateAudit(ctx, testAudit("new"), cs); err != nil {
		t.Fatal(err)
	}
	got, err := s.AuditedFrom(ctx, time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC)) // "12 months" before 2026-07-03: June 2025 ended before it
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["CR-0000004"] || !got["CR-0000005"] {
		t.Errorf("AuditedFrom = %v; want CR-0000004 and CR-0000005", got)
	}
	got, _ = s.AuditedFrom(ctx, time.Date(2025, 6, 30, 23, 59, 59, 0, time.UTC)) // the old audit's month, June 2025, is not over
	if len(got) != 5 {
		t.Errorf("AuditedFrom(the last second of June 2025) = %d cases; want 5", len(got))
	}
	got, _ = s.AuditedFrom(ctx, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC)) // June 2025 ends as July begins
	if len(got) != 2 {
		t.Errorf("AuditedFrom(1 July 2025) = %d cases; want 2", len(got))
	}
	l, err := s.Latest(ctx)
	if err != nil || l.Name != "new" {
		t.Errorf("Latest = %v, %v", l, err)
	}
	list, err := s.Audits(ctx)
	if err != nil || len(list) != 2 || list[0].Name != "old" || list[1].Size != 2 {
		t.Errorf("Audits = %+v, %v", list, err)
	}
}

// TestSnapshotReadsOneState records findings, from the same process and
// from a second store on the same file, while a snapshot is open: the
// snapshot goes on seeing the state it started with, and cannot write.
func TestSnapshotReadsOneState(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "2026-07", 10)
	mustRecord(t, s, "2026-07", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	other, err := Open(ctx, s.Path(), Options{Actor: "Second officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()

	count := func(st *Store) int {
		fs, err := st.Findings(ctx, "2026-07", false)
		if err != nil {
			t.Fatal(err)
		}
		return len(fs)
	}
	err = s.Snapshot(ctx, func(v *Store) error {
		if n := count(v); n != 1 {
			t.Fatalf("snapshot sees %d findings at first, want 1", n)
		}
		mustRecord(t, s, "2026-07", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Good})
		mustRecord(t, other, "2026-07", Finding{Case: "CR-0000003", Auditor: "B. Lee", Grade: Inadequate, Immediate: true})
		if n := count(v); n != 1 {
			t.Fatalf("snapshot sees %d findings after two were recorded, want still 1", n)
		}
		if n := count(s); n != 3 {
			t.Fatalf("the store itself sees %d findings, want 3", n)
		}
		if err := v.Snapshot(ctx, func(w *Store) error {
			if n := count(w); n != 1 {
				t.Fatalf("nested snapshot sees %d findings, want 1", n)
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if _, err := v.Record(ctx, "2026-07", Finding{Case: "CR-0000004", Auditor: "A. Khan", Grade: Good}); err == nil {
			t.Fatal("a snapshot recorded a finding")
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n := count(s); n != 3 {
		t.Fatalf("after the snapshot: %d findings, want 3", n)
	}
}
