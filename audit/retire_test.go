package audit

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

var qaLead = Person{Login: "qa", Name: "QA Officer", Roles: []Role{QA}}

// signOff signs an audit off with invented figures as of its trail's head
// (forced: the fixtures leave cases unrecorded).
func signOff(t *testing.T, s *Store, name string, flagged int) Figures {
	t.Helper()
	ctx := context.Background()
	es, err := s.Trail(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	f := Figures{Flagged: flagged, Size: 5, Population: 2000, Lower: 0, Upper: 0.52, Confidence: 0.95, Method: "clopper-pearson"}
	if _, err := s.SignOffAudit(ctx, name, f, len(es), true); err != nil {
		t.Fatal(err)
	}
	return f
}

// figuresFor gives Retire each due audit's signed-off figures as of its
// head, as the command computes them with the report's code.
func figuresFor(t *testing.T, s *Store, figs map[string]Figures) map[string]RetireFigures {
	t.Helper()
	out := map[string]RetireFigures{}
	for name, f := range figs {
		es, err := s.Trail(context.Background(), name)
		if err != nil {
			continue // retired already
		}
		out[name] = RetireFigures{Figures: f, AsOf: len(es)}
	}
	return out
}

// rowCounts counts the rows of every table a retirement touches, per
// audit id, straight from the database.
func rowCounts(t *testing.T, s *Store) map[string]map[int64]int64 {
	t.Helper()
	out := map[string]map[int64]int64{}
	for _, table := range store.RetiredTables {
		col := "audit_id"
		if table == "audit" {
			col = "id"
		}
		rows, err := s.st.DB().Query("SELECT " + col + ", count(*) FROM " + table + " GROUP BY " + col)
		if err != nil {
			t.Fatal(err)
		}
		out[table] = map[int64]int64{}
		for rows.Next() {
			var id, n int64
			if err := rows.Scan(&id, &n); err != nil {
				t.Fatal(err)
			}
			out[table][id] = n
		}
		rows.Close()
	}
	return out
}

func auditID(t *testing.T, s *Store, name string) int64 {
	t.Helper()
	var id int64
	if err := s.st.DB().QueryRow("SELECT id FROM audit WHERE name = $1", name).Scan(&id); err != nil {
		t.Fatalf("audit %q: %v", name, err)
	}
	return id
}

// retireFixture records three audits: "old" (signed off in 2019, with
// notes, a redaction and a flagged case), "unsigned" (2019, never signed
// off) and "recent" (signed off a year before now), and sets a retention
// period of six years. The clock is then now.
func retireFixture(t *testing.T, s *Store, clock *testClock) map[string]Figures {
	t.Helper()
	ctx := context.Background()
	clock.t = time.Date(2019, 3, 1, 9, 0, 0, 0, time.UTC)
	figs := map[string]Figures{}
	for _, name := range []string{"old", "unsigned"} {
		a := testAudit(name)
		a.Period = "2019-02"
		if name == "unsigned" {
			a.Period = "2019-03"
		}
		if _, err := s.CreateAudit(ctx, a, testCases(5)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, name, Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good, Date: "2019-03-01", Note: "Invented note: seen at home"})
		mustRecord(t, s, name, Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2019-03-01", Note: "Invented note: not seen"})
	}
	h, err := s.History(ctx, "old", "CR-0000001")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.Redact(ctx, RedactRequest{Audit: "old", Entry: h[0].Seq, Reason: "invented reason", Person: governance}); err != nil {
		t.Fatal(err)
	}
	figs["old"] = signOff(t, s, "old", 1)
	clock.t = time.Now().UTC().AddDate(-1, 0, 0)
	a := testAudit("recent")
	a.Period = clock.t.Format("2006-01")
	if _, err := s.CreateAudit(ctx, a, testCases(5)); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, s, "recent", Finding{Case: "CR-0000003", Auditor: "B. Lee", Grade: Good, Date: clock.t.Format(time.DateOnly), Note: "Invented note"})
	figs["recent"] = signOff(t, s, "recent", 0)
	clock.t = time.Now().UTC()
	if _, err := s.SetRetention(ctx, 72, qaLead); err != nil {
		t.Fatal(err)
	}
	return figs
}

func TestRetirement(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, clock := openAt(t, where, "QA Officer")
		figs := retireFixture(t, s, clock)
		oldID, unsignedID, recentID := auditID(t, s, "old"), auditID(t, s, "unsigned"), auditID(t, s, "recent")

		plan, ret, err := s.RetirePlan(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if ret == nil || ret.Months != 72 || ret.Previous != 0 || ret.By != "QA Officer" {
			t.Fatalf("retention: %+v", ret)
		}
		due := map[string]bool{}
		for _, c := range plan {
			due[c.Audit] = c.Due
		}
		if !due["old"] || due["unsigned"] || due["recent"] || len(plan) != 3 {
			t.Fatalf("plan: %+v", plan)
		}

		// Refusals, each leaving everything in place.
		auditor := Person{Login: "ak", Name: "A. Khan", Roles: []Role{Auditor}}
		if _, err := s.Retire(ctx, RetireRequest{Person: auditor, Figures: figuresFor(t, s, figs)}); !errors.Is(err, ErrDuty) {
			t.Errorf("an auditor retiring: %v, want a duty refusal", err)
		}
		if _, err := s.Retire(ctx, RetireRequest{Audits: []string{"recent"}, Person: qaLead, Figures: figuresFor(t, s, figs)}); !errors.Is(err, ErrNotDue) || !strings.Contains(err.Error(), "inside the retention period") {
			t.Errorf("retiring an audit inside the period: %v", err)
		}
		if _, err := s.Retire(ctx, RetireRequest{Audits: []string{"unsigned"}, Person: qaLead, Figures: figuresFor(t, s, figs)}); !errors.Is(err, ErrNotDue) || !strings.Contains(err.Error(), "not signed off") {
			t.Errorf("retiring an audit not signed off: %v", err)
		}
		if _, err := s.SetRetention(ctx, 12, auditor); !errors.Is(err, ErrDuty) {
			t.Errorf("an auditor setting retention: %v", err)
		}

		before := rowCounts(t, s)
		if before["trail_text"][oldID] == 0 || before["trail"][oldID] == 0 || before["sampled_case"][oldID] != 5 {
			t.Fatalf("the fixture holds no text or trail for the old audit: %v", before)
		}
		res, err := s.Retire(ctx, RetireRequest{Person: governance, Figures: figuresFor(t, s, figs)})
		if err != nil {
			t.Fatal(err)
		}
		if len(res.Retired) != 1 || res.Retired[0].Summary.Audit != "old" {
			t.Fatalf("retired: %+v", res.Retired)
		}
		after := rowCounts(t, s)
		for _, table := range store.RetiredTables {
			for id, n := range before[table] {
				want := n
				if id == oldID {
					want = 0
				}
				if after[table][id] != want {
					t.Errorf("%s rows of audit %d: %d after retirement, want %d", table, id, after[table][id], want)
				}
			}
			if res.Rows[table] != before[table][oldID] {
				t.Errorf("retirement says it deleted %d rows of %s, the database lost %d", res.Rows[table], table, before[table][oldID])
			}
		}
		if after["trail"][unsignedID] == 0 || after["trail"][recentID] == 0 {
			t.Fatal("the audits kept lost their trails")
		}

		sum := res.Retired[0].Summary
		if sum.Period != "2019-02" || sum.Seed != "314159" || sum.ExportSHA256 != "ab12" || sum.Size != 5 ||
			sum.Figures.Flagged != 1 || sum.SignOff.Figures.Flagged != 1 || sum.Amended || sum.TrailHead == "" || sum.Retention != 72 ||
			res.Retired[0].By != "I. Officer" || len(res.Retired[0].Hash) != 64 {
			t.Errorf("summary: %+v", res.Retired[0])
		}

		retired, problems, err := s.VerifyLog(ctx)
		if err != nil || len(problems) > 0 || len(retired) != 1 || retired[0].Hash != res.Retired[0].Hash {
			t.Fatalf("verify the store log: %v %v %+v", err, problems, retired)
		}
		mustVerify(t, s, "unsigned")
		mustVerify(t, s, "recent")
		if _, err := s.Audit(ctx, "old"); !errors.Is(err, ErrNotFound) {
			t.Errorf("the retired audit still opens: %v", err)
		}
		if _, err := s.CreateAudit(ctx, testAudit("old"), testCases(3)); err == nil {
			t.Error("a new audit took a retired audit's name")
		}
		if _, _, err := s.RetirePlan(ctx); err != nil {
			t.Fatal(err)
		}
		// A new audit is numbered past the retired one.
		if _, err := s.CreateAudit(ctx, testAudit("newer"), testCases(3)); err != nil {
			t.Fatal(err)
		}
		if id := auditID(t, s, "newer"); id == oldID {
			t.Errorf("the new audit took the retired audit's id %d", id)
		}

		// Every other DELETE is still refused.
		for _, q := range []string{
			fmt.Sprintf("DELETE FROM trail WHERE audit_id = %d", recentID),
			fmt.Sprintf("DELETE FROM sampled_case WHERE audit_id = %d", recentID),
			fmt.Sprintf("DELETE FROM trail_text WHERE audit_id = %d", recentID),
			"DELETE FROM store_log",
			"UPDATE store_log SET actor = 'someone'",
		} {
			if err := rawExec(s, q); err == nil {
				t.Errorf("%s: accepted", q)
			}
		}

		// A tampered summary fails verify.
		tamper := []string{"DROP TRIGGER store_log_no_update", `UPDATE store_log SET payload = replace(payload, '"flagged":1', '"flagged":0') WHERE kind = 'retirement'`}
		if s.st.Kind() == "postgres" {
			tamper = []string{"ALTER TABLE store_log DISABLE TRIGGER store_log_no_change", tamper[1], "ALTER TABLE store_log ENABLE TRIGGER store_log_no_change"}
		}
		if err := rawExec(s, tamper...); err != nil {
			t.Fatal(err)
		}
		if _, problems, err := s.VerifyLog(ctx); err != nil || len(problems) != 1 || !strings.Contains(problems[0], "was edited") {
			t.Errorf("verify after tampering with the summary: %v %v", problems, err)
		}
	})
}

// On PostgreSQL the deletion is possible only through retire_audit: raw
// SQL as an auditor or as QA deletes nothing, QA cannot write a
// retirement entry by hand, and an auditor may not call the function.
func TestRetirementPostgresRawSQL(t *testing.T) {
	where := pgStore(t)
	ctx := context.Background()
	owner, clock := openAt(t, where, "QA Officer")
	figs := retireFixture(t, owner, clock)
	recentID := auditID(t, owner, "recent")
	oldID := auditID(t, owner, "old")
	before := rowCounts(t, owner)

	qaURL, _ := pgLogin(t, where, store.GroupQA)
	auditorURL, _ := pgLogin(t, where, store.GroupAuditor)
	qa, _ := openAt(t, qaURL, "QA Officer")
	au, _ := openAt(t, auditorURL, "A. Khan")
	for _, who := range []*Store{qa, au} {
		for _, q := range []string{
			fmt.Sprintf("DELETE FROM trail WHERE audit_id = %d", oldID),
			fmt.Sprintf("DELETE FROM sampled_case WHERE audit_id = %d", oldID),
			fmt.Sprintf("DELETE FROM trail_text WHERE audit_id = %d", oldID),
			fmt.Sprintf("DELETE FROM audit WHERE id = %d", recentID),
			"TRUNCATE trail_text",
			"DELETE FROM store_log",
			"UPDATE store_log SET actor = 'x'",
			`INSERT INTO store_log (seq, kind, audit_id, audit, actor, entered_by, at, payload, prev_hash, hash)
				SELECT 2, 'retirement', ` + fmt.Sprint(recentID) + `, 'recent', 'x', session_user, '2026-01-01T00:00:00.000000000Z', '{}', hash, 'x' FROM store_log`,
		} {
			if err := rawExec(who, q); err == nil {
				t.Errorf("%s as %s: accepted", strings.Fields(q)[0], who.Login())
			}
		}
	}
	// The function itself refuses an audit inside the period, and an
	// auditor may not call it at all.
	if err := rawExec(qa, `SELECT * FROM retire_audit('recent', 2, 'x', '2026-01-01T00:00:00.000000000Z', '{"audit":"recent"}', '', '')`); err == nil ||
		!strings.Contains(err.Error(), "inside the retention period") {
		t.Errorf("retire_audit on an audit inside the period: %v", err)
	}
	if err := rawExec(au, `SELECT * FROM retire_audit('old', 2, 'x', '2026-01-01T00:00:00.000000000Z', '{"audit":"old"}', '', '')`); err == nil ||
		!strings.Contains(err.Error(), "permission denied") {
		t.Errorf("retire_audit called by an auditor: %v", err)
	}
	if err := rawExec(qa, `SELECT * FROM retire_audit('old', 2, 'x', '2026-01-01T00:00:00.000000000Z', '{"audit":"old","trail_head":"forged"}', '', '')`); err == nil {
		t.Error("retire_audit took a summary naming another head")
	}
	if after := rowCounts(t, owner); fmt.Sprint(after) != fmt.Sprint(before) {
		t.Fatalf("raw SQL changed the rows:\nbefore %v\nafter  %v", before, after)
	}
	// Through the use case, the QA login retires the old audit.
	res, err := qa.Retire(ctx, RetireRequest{Person: qaLead, Figures: figuresFor(t, qa, figs)})
	if err != nil || len(res.Retired) != 1 {
		t.Fatalf("QA retiring: %v %+v", err, res)
	}
	if _, problems, err := qa.VerifyLog(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	if err := owner.st.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check after retirement: %v", err)
	}
	// A changed retirement function shows in the integrity check.
	if err := rawExec(owner, "ALTER FUNCTION retire_audit(text, bigint, text, text, text, text, text) SECURITY INVOKER"); err != nil {
		t.Fatal(err)
	}
	if err := owner.st.IntegrityCheck(ctx); err == nil || !strings.Contains(err.Error(), "retire_audit") {
		t.Errorf("integrity check with retire_audit made SECURITY INVOKER: %v", err)
	}
}

// envRetireChild makes the test binary a child that retires and is
// killed in the middle (see TestRetireKilledMidway).
const envRetireChild = "CASEAUDIT_TEST_RETIRE_CHILD"

// TestRetireChild is the child: it retires every due audit of the store
// named by the environment, and after the first audit's rows are deleted
// (inside the transaction) says so in a file and waits to be killed.
func TestRetireChild(t *testing.T) {
	where := os.Getenv(envRetireChild)
	if where == "" {
		t.Skip("run by TestRetireKilledMidway")
	}
	marker := os.Getenv(envRetireChild + "_MARKER")
	s, err := Open(context.Background(), where, Options{Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	retireHook = func(string) {
		os.WriteFile(marker, []byte("deleted"), 0o600)
		time.Sleep(time.Minute)
	}
	figs := map[string]RetireFigures{}
	for _, name := range []string{"old", "old2"} {
		es, err := s.Trail(context.Background(), name)
		if err != nil {
			t.Fatal(err)
		}
		figs[name] = RetireFigures{Figures: Figures{Flagged: 1, Size: 5, Population: 2000, Lower: 0, Upper: 0.52, Confidence: 0.95, Method: "clopper-pearson"}, AsOf: len(es)}
	}
	_, err = s.Retire(context.Background(), RetireRequest{Person: qaLead, Figures: figs})
	os.WriteFile(marker, []byte(fmt.Sprintf("the retirement finished (%v): it was to be killed", err)), 0o600)
}

// SIGKILL in the middle of a retirement — after the first of two audits'
// rows are deleted, before the commit — leaves everything as it was; the
// retirement run again does all of it.
func TestRetireKilledMidway(t *testing.T) {
	eachBackend(t, func(t *testing.T, where string) {
		ctx := context.Background()
		s, clock := openAt(t, where, "QA Officer")
		figs := retireFixture(t, s, clock)
		clock.t = time.Date(2019, 3, 2, 9, 0, 0, 0, time.UTC)
		a := testAudit("old2")
		a.Period = "2019-01"
		if _, err := s.CreateAudit(ctx, a, testCases(5)); err != nil {
			t.Fatal(err)
		}
		mustRecord(t, s, "old2", Finding{Case: "CR-0000002", Auditor: "A. Khan", Grade: Inadequate, Immediate: true, Date: "2019-03-01", Note: "Invented note"})
		figs["old2"] = signOff(t, s, "old2", 1)
		clock.t = time.Now().UTC()
		recentID, unsignedID := auditID(t, s, "recent"), auditID(t, s, "unsigned")
		before := rowCounts(t, s)

		marker := filepath.Join(t.TempDir(), "marker")
		cmd := exec.Command(os.Args[0], "-test.run=^TestRetireChild$", "-test.count=1")
		cmd.Env = append(os.Environ(), envRetireChild+"="+where, envRetireChild+"_MARKER="+marker)
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		deadline := time.Now().Add(60 * time.Second)
		for {
			if b, err := os.ReadFile(marker); err == nil && len(b) > 0 {
				if string(b) != "deleted" {
					t.Fatalf("the child: %s", b)
				}
				break
			}
			if time.Now().After(deadline) {
				cmd.Process.Kill()
				t.Fatal("the child never reached the middle of its retirement")
			}
			time.Sleep(20 * time.Millisecond)
		}
		if err := cmd.Process.Signal(syscall.SIGKILL); err != nil {
			t.Fatal(err)
		}
		cmd.Wait()

		// Reopen as a new process would.
		s.Close()
		s, _ = openAt(t, where, "QA Officer")
		if after := rowCounts(t, s); fmt.Sprint(after) != fmt.Sprint(before) {
			t.Fatalf("a killed retirement left a trace:\nbefore %v\nafter  %v", before, after)
		}
		if retired, problems, err := s.VerifyLog(ctx); err != nil || len(problems) > 0 || len(retired) != 0 {
			t.Fatalf("store log after the kill: %v %v %v", retired, problems, err)
		}
		mustVerify(t, s, "old")
		mustVerify(t, s, "old2")
		res, err := s.Retire(ctx, RetireRequest{Person: qaLead, Figures: figuresFor(t, s, figs)})
		if err != nil || len(res.Retired) != 2 {
			t.Fatalf("retiring again: %v %+v", err, res)
		}
		after := rowCounts(t, s)
		for _, table := range store.RetiredTables {
			if fmt.Sprint(after[table]) != fmt.Sprint(map[int64]int64{recentID: before[table][recentID], unsignedID: before[table][unsignedID]}) &&
				!(before[table][recentID] == 0 && before[table][unsignedID] == 0 && len(after[table]) == 0) {
				t.Errorf("%s after retiring both: %v; the audits kept had %d and %d", table, after[table], before[table][recentID], before[table][unsignedID])
			}
		}
	})
}

// A store written by the previous release (schema version 6: a signed-off
// audit with findings, moderation and a redaction) migrates, verifies,
// and retires once past its period.
func TestRetirePreviousReleaseStore(t *testing.T) {
	ctx := context.Background()
	b, err := os.ReadFile(filepath.Join("testdata", "store-v6", "caseaudit.db"))
	if err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
	clock := newClock()
	clock.t = time.Date(2027, 1, 1, 0, 0, 0, 0, time.UTC)
	s, err := Open(ctx, path, Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	const name = "2026-07 monthly"
	v, err := s.Verify(ctx, name)
	if err != nil || !v.OK || len(v.Redactions) != 1 {
		t.Fatalf("verify the previous release's store: %v %+v", err, v)
	}
	if _, err := s.SetRetention(ctx, 72, qaLead); err != nil {
		t.Fatal(err)
	}
	plan, _, err := s.RetirePlan(ctx)
	if err != nil || len(plan) != 1 || plan[0].Due || plan[0].SignOff == nil {
		t.Fatalf("plan in 2027: %v %+v", err, plan)
	}
	clock.t = time.Date(2033, 1, 1, 0, 0, 0, 0, time.UTC)
	before := rowCounts(t, s)
	id := auditID(t, s, name)
	res, err := s.Retire(ctx, RetireRequest{Person: qaLead, Figures: map[string]RetireFigures{name: {Figures: plan[0].SignOff.Figures, AsOf: plan[0].Entries}}})
	if err != nil || len(res.Retired) != 1 {
		t.Fatalf("retire: %v %+v", err, res)
	}
	after := rowCounts(t, s)
	for _, table := range store.RetiredTables {
		if after[table][id] != 0 || res.Rows[table] != before[table][id] {
			t.Errorf("%s: %d rows left, %d deleted of %d", table, after[table][id], res.Rows[table], before[table][id])
		}
	}
	if res.Rows["trail_text"] == 0 || res.Rows["trail"] != 55 || res.Rows["sampled_case"] != 30 {
		t.Errorf("rows deleted: %v", res.Rows)
	}
	if _, problems, err := s.VerifyLog(ctx); err != nil || len(problems) > 0 {
		t.Fatalf("verify: %v %v", problems, err)
	}
	if got := res.Retired[0].Summary; got.Seed != "20260704" || got.Size != 30 || got.TrailHead != v.Head {
		t.Errorf("summary: %+v", got)
	}
}

func TestParseRetention(t *testing.T) {
	for in, want := range map[string]int{"6y": 72, "72m": 72, "6 years": 72, "18 months": 18, "1y": 12, " 7Y ": 84} {
		if got, err := ParseRetention(in); err != nil || got != want {
			t.Errorf("ParseRetention(%q) = %d, %v; want %d", in, got, err, want)
		}
	}
	for _, in := range []string{"", "6", "six years", "0y", "-1y", "6w", "2000y"} {
		if _, err := ParseRetention(in); err == nil {
			t.Errorf("ParseRetention(%q) accepted", in)
		}
	}
	for months, want := range map[int]string{72: "6 years", 12: "1 year", 18: "18 months", 1: "1 month"} {
		if got := FormatRetention(months); got != want {
			t.Errorf("FormatRetention(%d) = %q, want %q", months, got, want)
		}
	}
}

// A store with retired audits copies to either backend with its store log
// as it is: the summaries verify with the same hashes, and the copy's
// audits are numbered apart from every retired one.
func TestRetiredCopy(t *testing.T) {
	ctx := context.Background()
	src, clock := openAt(t, filepath.Join(t.TempDir(), "src.db"), "QA Officer")
	figs := retireFixture(t, src, clock)
	res, err := src.Retire(ctx, RetireRequest{Person: qaLead, Figures: figuresFor(t, src, figs)})
	if err != nil || len(res.Retired) != 1 {
		t.Fatalf("retire: %v %+v", err, res)
	}
	eachBackend(t, func(t *testing.T, where string) {
		dst, _ := openAt(t, where, "someone")
		if _, err := Copy(ctx, src, dst, nil); err != nil {
			t.Fatal(err)
		}
		retired, problems, err := dst.VerifyLog(ctx)
		if err != nil || len(problems) > 0 || len(retired) != 1 || retired[0].Hash != res.Retired[0].Hash {
			t.Fatalf("the copy's store log: %v %v %+v", err, problems, retired)
		}
		ret, err := dst.Retention(ctx)
		if err != nil || ret == nil || ret.Months != 72 {
			t.Fatalf("the copy's retention: %+v %v", ret, err)
		}
		mustVerify(t, dst, "recent")
		if err := rawExec(dst, "DELETE FROM trail"); err == nil {
			t.Error("the copy's trails can be deleted")
		}
	})
}

// On SQLite a retired audit's notes are gone from the file itself, not
// only from what queries see: deleted content is overwritten, and the
// write-ahead log is emptied after the retirement.
func TestRetiredNotesLeaveTheFile(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s, clock := openAt(t, path, "QA Officer")
	figs := retireFixture(t, s, clock)
	const marker = "Zebedee-Quixote-Invented"
	clock.t = time.Date(2019, 3, 1, 12, 0, 0, 0, time.UTC)
	mustRecord(t, s, "old", Finding{Case: "CR-0000004", Auditor: "A. Khan", Grade: Good, Date: "2019-03-01", Note: marker + " note"})
	figs["old"] = signOff(t, s, "old", 2)
	clock.t = time.Now().UTC()
	if _, err := s.Retire(ctx, RetireRequest{Person: qaLead, Figures: figuresFor(t, s, figs)}); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{path, path + "-wal"} {
		b, err := os.ReadFile(f)
		if err != nil {
			continue
		}
		if strings.Contains(string(b), marker) {
			t.Errorf("%s still holds a retired audit's note", filepath.Base(f))
		}
	}
}
