package audit

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestOpenCreatesPrivateWALStore(t *testing.T) {
	defer permissiveUmask(t)() // a permissive umask must not make the store readable by others
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(3)); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		fi, err := os.Stat(p)
		if err != nil {
			t.Fatalf("%s: %v", p, err)
		}
		if fi.Mode().Perm()&0o077 != 0 {
			t.Errorf("%s has mode %v; want no group/other access", p, fi.Mode().Perm())
		}
	}
	// The header marks the file as ours (application_id at offset 68).
	b, _ := os.ReadFile(path)
	if !bytes.Equal(b[68:72], []byte("CAUD")) {
		t.Errorf("application_id bytes = %q; want CAUD", b[68:72])
	}
	var mode string
	var fk, uv int
	s.db.QueryRow("PRAGMA journal_mode").Scan(&mode)
	s.db.QueryRow("PRAGMA foreign_keys").Scan(&fk)
	s.db.QueryRow("PRAGMA user_version").Scan(&uv)
	if mode != "wal" || fk != 1 || uv != SchemaVersion {
		t.Errorf("journal_mode=%s foreign_keys=%d user_version=%d; want wal 1 %d", mode, fk, uv, SchemaVersion)
	}
	// Reopening an existing store works and keeps its audits.
	s.Close()
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s2.Close()
	if a, err := s2.Latest(ctx); err != nil || a.Name != "2026-07 monthly" {
		t.Fatalf("Latest after reopen = %v, %v", a, err)
	}
}

func TestOpenRefusesOtherFiles(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()

	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte("Case notes, not a database\n"), 0o600)

	foreign := filepath.Join(dir, "other.sqlite")
	db, err := sql.Open("sqlite", foreign)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE people (name TEXT); INSERT INTO people VALUES ('x')"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	newer := filepath.Join(dir, "newer.db")
	db, _ = sql.Open("sqlite", newer)
	if _, err := db.Exec("PRAGMA application_id = 1128355140; PRAGMA user_version = 99; CREATE TABLE audit (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	noTables := filepath.Join(dir, "notables.db")
	db, _ = sql.Open("sqlite", noTables)
	if _, err := db.Exec("PRAGMA application_id = 1128355140; PRAGMA user_version = 1; CREATE TABLE other (x)"); err != nil {
		t.Fatal(err)
	}
	db.Close()

	for _, c := range []struct{ path, want string }{
		{text, "is not a caseaudit store (not an SQLite database)"},
		{foreign, "is an SQLite database but not a caseaudit store"},
		{newer, "was written by a newer caseaudit (schema version 99"},
		{noTables, "table audit is missing"},
		{dir, "is a directory"},
	} {
		var before []byte
		if fi, _ := os.Stat(c.path); !fi.IsDir() {
			before, _ = os.ReadFile(c.path)
		}
		s, err := Open(ctx, c.path, Options{})
		if err == nil {
			s.Close()
			t.Errorf("%s: opened; want refusal", c.path)
			continue
		}
		if !errors.Is(err, ErrNotStore) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%s: error %q; want ErrNotStore containing %q", filepath.Base(c.path), err, c.want)
		}
		if before != nil {
			after, _ := os.ReadFile(c.path)
			if !bytes.Equal(before, after) {
				t.Errorf("%s was changed by the refused open", c.path)
			}
		}
	}
}

func TestOpenEmptyFileBecomesStore(t *testing.T) {
	path := filepath.Join(t.TempDir(), "touched.db")
	os.WriteFile(path, nil, 0o600)
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
}

func TestBusyStoreGivesClearError(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "2026-07 monthly", 5)
	// Another writer (a separate connection, as another process would be)
	// holds the write lock.
	other, err := sql.Open("sqlite", s.path)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	conn, err := other.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(ctx, "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	defer conn.ExecContext(ctx, "ROLLBACK")

	impatient, err := Open(ctx, s.path, Options{BusyTimeout: 30 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	_, err = impatient.Record(ctx, "2026-07 monthly", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("error %v; want ErrBusy", err)
	}
	want := "the store " + s.path + " is busy: another caseaudit is writing to it; try again"
	if !strings.HasPrefix(err.Error(), want) {
		t.Errorf("error %q; want it to start %q", err, want)
	}
	// Reading is not blocked by a writer (WAL).
	if _, err := impatient.Status(ctx, "2026-07 monthly"); err != nil {
		t.Errorf("Status while another process writes: %v", err)
	}
}

func TestTrailIsAppendOnlyInSQL(t *testing.T) {
	s, _ := withAudit(t, "a", 3)
	mustRecord(t, s, "a", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	for _, q := range []string{
		"UPDATE trail SET actor = 'someone else'",
		"DELETE FROM trail",
		"UPDATE sampled_case SET case_id = 'X'",
		"DELETE FROM sampled_case",
		"UPDATE audit SET seed = '1'",
		"DELETE FROM audit",
	} {
		_, err := s.db.Exec(q)
		if err == nil || !strings.Contains(err.Error(), "caseaudit:") {
			t.Errorf("%s: error %v; want the trigger to abort", q, err)
		}
	}
	mustVerify(t, s, "a")
}

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

func TestAuditedSince(t *testing.T) {
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
	got, err := s.AuditedSince(ctx, time.Date(2025, 7, 3, 0, 0, 0, 0, time.UTC)) // "12 months" before 2026-07-03
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || !got["CR-0000004"] || !got["CR-0000005"] {
		t.Errorf("AuditedSince = %v; want CR-0000004 and CR-0000005", got)
	}
	got, _ = s.AuditedSince(ctx, time.Date(2025, 6, 1, 0, 0, 1, 0, time.UTC)) // at or after: the old one was at 00:00:01
	if len(got) != 5 {
		t.Errorf("AuditedSince(creation time) = %d cases; want 5 (at or after includes equal)", len(got))
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

// IntegrityCheck passes on a sound store and names the damage when a page
// in the middle of the file is overwritten.
func TestIntegrityCheck(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 2000)
	if err := s.IntegrityCheck(ctx); err != nil {
		t.Fatalf("sound store: %v", err)
	}
	path := s.Path()
	s.Close()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(b) < 12*4096 {
		t.Fatalf("store of %d bytes is too small to damage a middle page", len(b))
	}
	// Scramble the cell pointers of a b-tree page past the schema.
	for i := 8*4096 + 8; i < 8*4096+200; i++ {
		b[i] = 0xff
	}
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	s2, err := Open(ctx, path, Options{})
	if err != nil {
		t.Logf("refused at open: %v", err)
		return // refusing the damaged file at once is also right
	}
	defer s2.Close()
	if err := s2.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "is damaged") {
		t.Fatalf("damaged store: %v", err)
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
