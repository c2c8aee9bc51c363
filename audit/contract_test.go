package audit

// The store's contract: the same behaviour from both backends, SQLite and
// PostgreSQL, through the one method set of *Store. Every test here runs
// once per backend (eachBackend); the PostgreSQL runs skip without a server
// (see pg_test.go).

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestContractAuditsAndSamples(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, clock := openAt(t, where, "QA Officer")
		if _, err := s.Latest(ctx); !errors.Is(err, ErrNotFound) {
			t.Fatalf("Latest on an empty store: %v", err)
		}
		clock.t = time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC)
		if _, err := s.CreateAudit(ctx, testAudit("old"), testCases(3)); err != nil {
			t.Fatal(err)
		}
		clock.t = time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC)
		a, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(10))
		if err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(2)); err == nil || !strings.Contains(err.Error(), "already in the store") {
			t.Errorf("duplicate name: %v", err)
		}
		got, err := s.Audit(ctx, "2026-07 MONTHLY")
		if err != nil {
			t.Fatal(err)
		}
		if got.Name != a.Name || got.Seed() != "314159" || got.Period != "2026-07" || !got.Created.Equal(a.Created) || len(got.Columns) != 3 {
			t.Errorf("audit read back: %+v", got)
		}
		if _, err := s.Audit(ctx, "2026-07 montly"); !errors.Is(err, ErrNotFound) || !strings.Contains(err.Error(), `did you mean "2026-07 monthly"?`) {
			t.Errorf("misspelt audit: %v", err)
		}
		if err := s.Grow(ctx, a.Name, testCases(14)[10:]); err != nil {
			t.Fatal(err)
		}
		cases, err := s.Cases(ctx, a.Name)
		if err != nil || len(cases) != 14 || cases[13].Field("allocated worker") != testWorkers[13%6] {
			t.Fatalf("cases after growth: %d %v", len(cases), err)
		}
		l, err := s.Latest(ctx)
		if err != nil || l.Name != a.Name {
			t.Errorf("Latest = %v, %v", l, err)
		}
		since, err := s.AuditedFrom(ctx, time.Date(2025, 7, 1, 0, 0, 0, 0, time.UTC))
		if err != nil || len(since) != 14 {
			t.Errorf("AuditedFrom: %d, %v; want the 14 cases of the new audit", len(since), err)
		}
		list, err := s.Audits(ctx)
		if err != nil || len(list) != 2 || list[0].Name != "old" || list[1].Size != 14 {
			t.Errorf("Audits = %+v, %v", list, err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
		mustVerify(t, s, a.Name)
		mustVerify(t, s, "old")
	})
}

func TestContractFindingsCorrectionsHistory(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(5)); err != nil {
			t.Fatal(err)
		}
		r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Note: "fine", Date: "2026-07-02"})
		if !r.Changed || r.Entry.Seq != 2 || r.Entry.EnteredBy != s.EnteredBy() || s.EnteredBy() == "" {
			t.Fatalf("first finding: %+v (entered by %q)", r, s.EnteredBy())
		}
		if r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Note: "fine", Date: "2026-07-02"}); r.Changed {
			t.Error("an identical finding was recorded again")
		}
		_, err := s.Record(ctx, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true})
		if !errors.Is(err, ErrReasonRequired) {
			t.Fatalf("correction without reason: %v", err)
		}
		_, err = s.Record(ctx, "a", Finding{Case: "CR-9999999", Auditor: "A. Khan", Grade: Good})
		if !errors.Is(err, ErrNotInSample) {
			t.Fatalf("case not in sample: %v", err)
		}
		r = mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Reason: "second read", Date: "2026-07-03"})
		if r.Finding.Kind != KindCorrection || r.Action == nil {
			t.Fatalf("correction: %+v", r)
		}
		h, err := s.History(ctx, "a", "CR-0000001")
		if err != nil {
			t.Fatal(err)
		}
		fe := findingEntries(h)
		if len(fe) != 2 || fe[0].Kind != KindFinding || fe[1].Kind != KindCorrection || fe[1].EnteredBy != s.EnteredBy() {
			t.Fatalf("history: %+v", h)
		}
		fs, err := s.Findings(ctx, "a", false)
		if err != nil || len(fs) != 1 || fs[0].Grade != Inadequate || !fs[0].Immediate || fs[0].EnteredBy != s.EnteredBy() {
			t.Fatalf("findings: %+v %v", fs, err)
		}
		st, err := s.Status(ctx, "a")
		if err != nil || st.Recorded != 1 || st.Flagged != 1 || len(st.ToDo) != 4 {
			t.Fatalf("status: %+v %v", st, err)
		}
		mustVerify(t, s, "a")
	})
}

func TestContractAllocationAndNewAuditor(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(12)); err != nil {
			t.Fatal(err)
		}
		// Before any allocation, any name is accepted.
		mustRecord(t, s, "a", Finding{Case: "CR-0000012", Auditor: "F. Early", Grade: Good})
		al, err := s.Allocate(ctx, "a", []string{"A. Khan", "B. Evans", "C. Nowak"}, AllocationRules{WorkerField: "Allocated Worker"})
		if err != nil {
			t.Fatal(err)
		}
		if len(al.Assigned) != 11 {
			t.Fatalf("allocation: %+v", al)
		}
		for _, x := range al.Assigned {
			c := testCases(12)
			for _, k := range c {
				if k.ID == x.Case && strings.EqualFold(k.Fields[1], x.Auditor) {
					t.Errorf("%s allocated to its own worker %s", x.Case, x.Auditor)
				}
			}
		}
		// The spelling of the allocation wins over the one typed.
		r := mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "b.  EVANS", Grade: Good})
		if r.Finding.Auditor != "B. Evans" {
			t.Errorf("auditor recorded as %q; want the allocated spelling B. Evans", r.Finding.Auditor)
		}
		// Someone the audit does not know is refused, with the closest names.
		_, err = s.Record(ctx, "a", Finding{Case: "CR-0000002", Auditor: "B. Evens", Grade: Good})
		var ue *UnknownAuditorError
		if !errors.As(err, &ue) || !errors.Is(err, ErrUnknownAuditor) || !strings.Contains(err.Error(), `did you mean "B. Evans"?`) ||
			!strings.Contains(err.Error(), "new_auditor") {
			t.Fatalf("unknown auditor: %v", err)
		}
		// An auditor who recorded before the allocation is known.
		mustRecord(t, s, "a", Finding{Case: "CR-0000003", Auditor: "f. early", Grade: Good})
		// A new auditor, said so, is accepted and then known.
		mustRecord(t, s, "a", Finding{Case: "CR-0000004", Auditor: "Z. Newcomer", Grade: Good, NewAuditor: true})
		mustRecord(t, s, "a", Finding{Case: "CR-0000005", Auditor: "Z. Newcomer", Grade: Good})
		st, err := s.Status(ctx, "a")
		if err != nil || len(st.Auditors) != 3 || st.Recorded != 5 {
			t.Fatalf("status: %+v %v", st, err)
		}
		cur, err := s.Allocation(ctx, "a")
		if err != nil || cur == nil || len(cur.Auditors) != 3 {
			t.Fatalf("allocation read back: %+v %v", cur, err)
		}
		// Import follows the same rule, row by row.
		p := writeCSV(t, csvHeader+
			"6,CR-0000006,South,F. Silva,CIN,c. nowak,Good,No,ok,2026-07-01\n"+
			"7,CR-0000007,East,A. Khan,CIN,Q. Unknown,Good,No,ok,2026-07-01\n")
		_, err = Import(ctx, s, "a", p, ImportOptions{})
		var ie *ImportError
		if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Column != ColAuditor || ie.Problems[0].Row != 3 {
			t.Fatalf("import with an unknown auditor: %v", err)
		}
		res, err := Import(ctx, s, "a", p, ImportOptions{NewAuditor: true})
		if err != nil || res.Recorded != 2 {
			t.Fatalf("import with new auditors: %+v %v", res, err)
		}
		fs, _ := s.Findings(ctx, "a", false)
		for _, f := range fs {
			if f.Case == "CR-0000006" && f.Auditor != "C. Nowak" {
				t.Errorf("imported auditor %q; want C. Nowak", f.Auditor)
			}
		}
		mustVerify(t, s, "a")
	})
}

func TestContractModerationAndActions(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		a := testAudit("a")
		a.FollowUp = OwnerRule{Column: "Team", TeamManagers: map[string]string{"North": "N. Manager"}}
		if _, err := s.CreateAudit(ctx, a, testCases(8)); err != nil {
			t.Fatal(err)
		}
		for i := 1; i <= 8; i++ {
			mustRecord(t, s, "a", Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: "A. Khan", Grade: Grades[i%4], Immediate: i%4 == 1, Date: "2026-07-01"})
		}
		m, err := s.DrawModeration(ctx, "a", 3, "99")
		if err != nil || len(m.Cases) != 3 {
			t.Fatalf("moderation draw: %+v %v", m, err)
		}
		again, err := s.DrawModeration(ctx, "a", 3, "99")
		if err != nil || strings.Join(again.Cases, ",") != strings.Join(m.Cases, ",") {
			t.Fatalf("the same draw again: %+v %v", again, err)
		}
		if _, err := s.DrawModeration(ctx, "a", 3, "other"); err == nil {
			t.Error("a second seed was accepted")
		}
		for _, id := range m.Cases {
			mustRecord(t, s, "a", Finding{Case: id, Auditor: "M. Patel", Grade: Good, Moderation: true})
		}
		pairs, err := s.ModerationPairs(ctx, "a")
		if err != nil || len(pairs) != 3 {
			t.Fatalf("pairs: %+v %v", pairs, err)
		}
		acts, err := s.Actions(ctx, "a")
		if err != nil || len(acts) != 2 || acts[0].Owner != "N. Manager" || acts[0].Status != ActionOpen {
			t.Fatalf("actions: %+v %v", acts, err)
		}
		if _, err := s.RespondAction(ctx, "a", acts[0].Case, "N. Manager", "visited"); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CloseAction(ctx, "a", acts[0].Case, "qa.officer", "done"); err != nil {
			t.Fatal(err)
		}
		// A correction to no immediate attention closes the other action itself.
		mustRecord(t, s, "a", Finding{Case: acts[1].Case, Auditor: "A. Khan", Grade: Good, Reason: "misread", Date: "2026-07-01"})
		sum, err := s.ActionSummary(ctx, "a")
		if err != nil || sum.Opened != 2 || sum.Closed != 2 || sum.Responded != 1 || sum.RespondedNotClosed != 0 || sum.Open != 0 {
			t.Fatalf("summary: %+v %v", sum, err)
		}
		mustVerify(t, s, "a")
	})
}

func TestContractFormsAndImport(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		f, err := ParseForm("form.yaml", []byte(goodForm))
		if err != nil {
			t.Fatal(err)
		}
		a := testAudit("f")
		if a.Form, err = f.JSON(); err != nil {
			t.Fatal(err)
		}
		if _, err := s.CreateAudit(ctx, a, testCases(5)); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Record(ctx, "f", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good}); err == nil {
			t.Fatal("a required answer was left out")
		}
		mustRecord(t, s, "f", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good,
			Answers: map[string]string{"Risk assessment": "na", "outcome": "partly achieved"}})
		fs, _ := s.Findings(ctx, "f", false)
		if len(fs) != 1 || fs[0].Answers["risk"] != "Not applicable" {
			t.Fatalf("answers: %+v", fs)
		}
		got, err := s.Audit(ctx, "f")
		if err != nil || string(got.Form) != string(a.Form) {
			t.Fatalf("form read back: %s %v", got.Form, err)
		}
		// Plain import on a second audit: all or nothing, then unchanged.
		if _, err := s.CreateAudit(ctx, testAudit("i"), testCases(3)); err != nil {
			t.Fatal(err)
		}
		bad := writeCSV(t, csvHeader+
			"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,ok,2026-07-01\n"+
			"2,CR-0000002,South,B. Lee,CIN,A. Khan,Great,No,ok,2026-07-01\n")
		if _, err := Import(ctx, s, "i", bad, ImportOptions{}); err == nil {
			t.Fatal("a bad row was accepted")
		}
		if fs, _ := s.Findings(ctx, "i", false); len(fs) != 0 {
			t.Fatalf("a refused import recorded %d findings", len(fs))
		}
		good := writeCSV(t, csvHeader+
			"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,ok,2026-07-01\n"+
			"2,CR-0000002,South,B. Lee,CIN,A. Khan,Inadequate,Yes,see plan,2026-07-01\n")
		res, err := Import(ctx, s, "i", good, ImportOptions{})
		if err != nil || res.Recorded != 2 || len(res.Actions) != 1 {
			t.Fatalf("import: %+v %v", res, err)
		}
		res, err = Import(ctx, s, "i", good, ImportOptions{})
		if err != nil || res.Unchanged != 2 || res.Recorded != 0 {
			t.Fatalf("import again: %+v %v", res, err)
		}
		mustVerify(t, s, "f")
		mustVerify(t, s, "i")
	})
}

// TestContractSnapshot: a snapshot keeps seeing the state it began with
// while another store handle records findings (reports are built so).
func TestContractSnapshot(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(5)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
		other, _ := openAt(t, where, "second")
		count := func(st *Store) int {
			fs, err := st.Findings(ctx, "a", false)
			if err != nil {
				t.Fatal(err)
			}
			return len(fs)
		}
		err := s.Snapshot(ctx, func(v *Store) error {
			if n := count(v); n != 1 {
				t.Fatalf("snapshot sees %d findings, want 1", n)
			}
			mustRecord(t, other, "a", Finding{Case: "CR-0000002", Auditor: "B. Lee", Grade: Inadequate, Immediate: true})
			if n := count(v); n != 1 {
				t.Fatalf("snapshot sees %d findings after another recorded, want 1", n)
			}
			st, err := v.Status(ctx, "a")
			if err != nil || st.Recorded != 1 {
				t.Fatalf("status in the snapshot: %+v %v", st, err)
			}
			if n := count(s); n != 2 {
				t.Fatalf("outside the snapshot: %d findings, want 2", n)
			}
			if _, err := v.Record(ctx, "a", Finding{Case: "CR-0000003", Auditor: "A. Khan", Grade: Good}); err == nil {
				t.Fatal("a snapshot wrote")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// TestContractTrailRefusesChange: the store's own login, even the owner,
// cannot update or delete what is recorded: the database refuses.
func TestContractTrailRefusesChange(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(context.Background(), testAudit("a"), testCases(3)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
		for _, q := range []string{
			"UPDATE trail SET actor = 'someone else'",
			"DELETE FROM trail",
			"UPDATE sampled_case SET case_id = 'X'",
			"DELETE FROM sampled_case",
			"UPDATE audit SET seed = '1'",
			"DELETE FROM audit",
		} {
			err := rawExec(s, q)
			if err == nil || !strings.Contains(err.Error(), "caseaudit:") {
				t.Errorf("%s: %v; want the trigger to refuse", q, err)
			}
		}
		mustVerify(t, s, "a")
	})
}

// TestContractConcurrentWriters: six handles on one store record 20
// findings each at once; every finding is kept once and the chain holds.
func TestContractConcurrentWriters(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, _ := openAt(t, where, "qa.officer")
		if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(120)); err != nil {
			t.Fatal(err)
		}
		var wg sync.WaitGroup
		errs := make(chan error, 120)
		for w := 0; w < 6; w++ {
			wg.Add(1)
			go func() {
				defer wg.Done()
				st, err := Open(ctx, where, Options{Actor: fmt.Sprint("w", w), BusyTimeout: 30 * time.Second})
				if err != nil {
					errs <- err
					return
				}
				defer st.Close()
				for i := w; i < 120; i += 6 {
					if _, err := st.Record(ctx, "a", Finding{Case: fmt.Sprintf("CR-%07d", i+1), Auditor: fmt.Sprint("Auditor ", w), Grade: Good, Immediate: i%10 == 0}); err != nil {
						errs <- err
					}
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			t.Error(err)
		}
		fs, err := s.Findings(ctx, "a", false)
		if err != nil || len(fs) != 120 {
			t.Fatalf("%d findings (%v); want 120", len(fs), err)
		}
		tr, _ := s.Trail(ctx, "a")
		if len(tr) != 1+120+12 {
			t.Fatalf("%d trail entries; want 133", len(tr))
		}
		mustVerify(t, s, "a")
	})
}

// TestContractCopy copies a store to each backend and back: the same
// audits, the same trail heads, verify passes, and who entered each entry
// is kept.
func TestContractCopy(t *testing.T) {
	ctx := context.Background()
	srcPath := filepath.Join(t.TempDir(), "src.db")
	src, _ := openAt(t, srcPath, "qa.officer")
	a := testAudit("a")
	if _, err := src.CreateAudit(ctx, a, testCases(6)); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, src, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Note: "ü ✓ \"quoted\" <b>"})
	mustRecord(t, src, "a", Finding{Case: "CR-0000002", Auditor: "B. Lee", Grade: Inadequate, Immediate: true})
	if _, err := src.CreateAudit(ctx, testAudit("b"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	// A legacy (schema 1) audit copies too: see the store-v1 fixture.
	legacy := filepath.Join(t.TempDir(), "v1.db")
	raw, err := os.ReadFile(filepath.Join("testdata", "store-v1", "caseaudit.db"))
	haveLegacy := err == nil
	if haveLegacy {
		os.WriteFile(legacy, raw, 0o600)
	}
	want, _ := src.Trail(ctx, "a")
	eachBackend(t, func(t *testing.T, where string) {
		dst, _ := openAt(t, where, "someone")
		res, err := Copy(ctx, src, dst, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Audits != 2 || res.Cases != 8 || res.Heads["a"] != want[len(want)-1].Hash {
			t.Fatalf("copy: %+v", res)
		}
		got, err := dst.Trail(ctx, "a")
		if err != nil || len(got) != len(want) {
			t.Fatalf("trail on the copy: %d entries, %v", len(got), err)
		}
		for i := range got {
			if got[i].Hash != want[i].Hash || got[i].EnteredBy != "qa.officer" || string(got[i].Payload) != string(want[i].Payload) {
				t.Fatalf("entry %d differs on the copy: %+v", i+1, got[i])
			}
		}
		mustVerify(t, dst, "a")
		mustVerify(t, dst, "b")
		if _, err := Copy(ctx, src, dst, nil); err == nil || !strings.Contains(err.Error(), "already holds") {
			t.Errorf("copy into a store with audits: %v", err)
		}
		// And back again into a new SQLite file.
		back, _ := openAt(t, filepath.Join(t.TempDir(), "back.db"), "x")
		if _, err := Copy(ctx, dst, back, nil); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, back, "a")
		if haveLegacy {
			old, _ := openAt(t, legacy, "x")
			list, _ := old.Audits(ctx)
			dst2, _ := openAt(t, (backends[map[string]int{"sqlite": 0, "postgres": 1}[dst.Kind()]]).new(t), "x")
			if _, err := Copy(ctx, old, dst2, nil); err != nil {
				t.Fatalf("copying a schema-1 store: %v", err)
			}
			for _, l := range list {
				mustVerify(t, dst2, l.Name)
			}
		}
	})
}
