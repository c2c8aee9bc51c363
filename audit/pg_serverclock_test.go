package audit

import (
	"context"
	"fmt"
	"hash/fnv"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// A PostgreSQL store dates what it records by the server's clock, not by
// the clocks of the machines a team writes from (store.Tx.Now): these
// tests give writers machines whose clocks are wrong (Options.MachineClock)
// and read the server's own clock around what they do.

// serverNow is the test server's clock.
func serverNow(t *testing.T) time.Time {
	t.Helper()
	var at time.Time
	if err := pgAdmin(t).QueryRow("SELECT pg_catalog.clock_timestamp()").Scan(&at); err != nil {
		t.Fatal(err)
	}
	return at.UTC()
}

// machineOff is a machine whose clock is off by d (behind when negative).
func machineOff(d time.Duration) func() time.Time {
	return func() time.Time { return time.Now().Add(d) }
}

// openMachine opens the store at where as a person on a machine whose
// clock is off by d, with no injected clock, and closes it after the test.
func openMachine(t *testing.T, where, actor string, d time.Duration) *Store {
	t.Helper()
	s, err := Open(context.Background(), where, Options{Actor: actor, MachineClock: machineOff(d)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// trailAndPeople reads an audit's whole trail and the people list's changes.
func trailAndPeople(t *testing.T, s *Store, name string) ([]Entry, []store.PersonChange) {
	t.Helper()
	ctx := context.Background()
	es, err := s.Trail(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	return es, storeRead(t, s, (*store.Tx).PersonChanges)
}

// storeRead reads what read reads of the store s.
func storeRead[T any](t *testing.T, s *Store, read func(*store.Tx, context.Context) (T, error)) T {
	t.Helper()
	var out T
	if err := s.st.Read(context.Background(), "reading", func(tx *store.Tx) (err error) {
		out, err = read(tx, context.Background())
		return err
	}); err != nil {
		t.Fatal(err)
	}
	return out
}

// casesOf is the cases allocated to who.
func casesOf(t *testing.T, s *Store, audit, who string) []string {
	t.Helper()
	al, err := s.Allocation(context.Background(), audit)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, x := range al.Assigned {
		if x.Auditor == who {
			out = append(out, x.Case)
		}
	}
	if len(out) == 0 {
		t.Fatalf("no case allocated to %s: %+v", who, al.Assigned)
	}
	return out
}

// TestPostgresDatesByServerClock: an auditor whose machine's clock runs an
// hour behind and one whose clock runs an hour ahead both get entries (and
// QA her people-list changes and the audit its creation) dated by the
// server, between two readings of the server's clock taken before and
// after; and each machine's Store.Now agrees with the server too.
func TestPostgresDatesByServerClock(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	cURL, cRole := pgLogin(t, where, store.GroupAuditor)
	before := serverNow(t)
	qa := openMachine(t, qaURL, "Q. Lead", 0)
	b := openMachine(t, bURL, "B. Evans", -time.Hour)
	c := openMachine(t, cURL, "C. Diaz", time.Hour)
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}}, Person{Login: cRole, Name: "C. Diaz", Roles: []Role{Auditor}})
	drawn := testAudit("a")
	drawn.Provenance.Drawn = machineOff(-time.Hour)() // as the drawing machine read its clock
	a, err := qa.CreateAudit(ctx, drawn, testCases(4))
	if err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans", "C. Diaz"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	today := before.Format(time.DateOnly)
	for _, w := range []struct {
		s    *Store
		name string
	}{{b, "B. Evans"}, {c, "C. Diaz"}} {
		for _, id := range casesOf(t, qa, "a", w.name) {
			mustRecord(t, w.s, "a", Finding{Case: id, Auditor: w.name, Grade: Good, Date: today})
		}
	}
	after := serverNow(t)
	within := func(what string, at time.Time) {
		t.Helper()
		if at.Before(before) || at.After(after) {
			t.Errorf("%s is dated %s, not by the server's clock (between %s and %s)", what, at.Format(time.RFC3339Nano),
				before.Format(time.RFC3339Nano), after.Format(time.RFC3339Nano))
		}
	}
	within("the audit's creation", a.Created)
	read, err := qa.Audit(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	within("the draw, as recorded", read.Provenance.Drawn)
	es, cs := trailAndPeople(t, qa, "a")
	byWriter := map[string]int{}
	for _, e := range es {
		within(store.Describe(e)+" entered by "+e.EnteredBy, e.At)
		byWriter[e.EnteredBy]++
	}
	if byWriter[bRole] != 2 || byWriter[cRole] != 2 {
		t.Errorf("entries by writer: %v; want 2 by each auditor", byWriter)
	}
	for _, ch := range cs {
		within(fmt.Sprintf("people-list change %d (%s %s)", ch.Seq, ch.Op, ch.Login), ch.At)
	}
	// What each machine judges by outside a transaction (what is overdue,
	// a listing's time) is the server's clock as well, whatever its own.
	for name, s := range map[string]*Store{"an hour behind": b, "an hour ahead": c} {
		got, server := s.Now(), serverNow(t)
		if d := got.Sub(server); d < -time.Minute || d > time.Minute {
			t.Errorf("the store's clock on a machine %s is %s from the server's", name, d)
		}
	}
	mustVerify(t, qa, "a")
}

// TestSQLiteDatesByMachineClock: an SQLite store (one file, on one machine
// as a rule) keeps dating by the machine's clock: an hour behind, its
// entries are dated by what it reads, to the second.
func TestSQLiteDatesByMachineClock(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	behind := time.Now().Add(-time.Hour).Truncate(time.Second).UTC()
	s, err := Open(ctx, path, Options{Actor: "Q. Lead", MachineClock: func() time.Time { return behind }})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateAudit(ctx, testAudit("a"), testCases(2)); err != nil {
		t.Fatal(err)
	}
	es, err := s.Trail(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !es[0].At.Equal(behind) {
		t.Errorf("the sample is dated %s; want %s, the machine's clock, an hour behind", es[0].At.Format(time.RFC3339Nano), behind.Format(time.RFC3339))
	}
}

// TestPostgresMonthClockBehindVerifiesClean: a month's audit in which one
// auditor's machine runs 40 minutes behind, well past the 15 minutes
// verify allows for clocks that disagree: she is added to the people list
// and records her findings at once. Dated by her clock, every finding
// would fall before her addition (a duty breach, exit 4 from verify);
// dated by the server, the month verifies clean.
func TestPostgresMonthClockBehindVerifiesClean(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	aURL, aRole := pgLogin(t, where, store.GroupAuditor)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	mURL, mRole := pgLogin(t, where, store.GroupAuditor)
	const behind = -40 * time.Minute
	qa := openMachine(t, qaURL, "Q. Lead", 0)
	ak := openMachine(t, aURL, "A. Khan", behind)
	be := openMachine(t, bURL, "B. Evans", 0)
	mo := openMachine(t, mURL, "M. Moderator", 3*time.Minute)
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}},
		Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}}, Person{Login: mRole, Name: "M. Moderator", Roles: []Role{Moderator}})
	if _, err := qa.CreateAudit(ctx, testAudit("2026-11 monthly"), testCases(8)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "2026-11 monthly", []string{"A. Khan", "B. Evans"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	addPeople(t, qa, Person{Login: aRole, Name: "A. Khan", Roles: []Role{Auditor}})
	added := serverNow(t)
	if gap := added.Sub(machineOff(behind)()); gap < dutyClockGrace {
		t.Fatalf("A. Khan's clock is only %s behind her addition: the test needs more than verify's grace (%s)", gap, dutyClockGrace)
	}
	today := added.Format(time.DateOnly)
	for i, id := range casesOf(t, qa, "2026-11 monthly", "A. Khan") {
		mustRecord(t, ak, "2026-11 monthly", Finding{Case: id, Auditor: "A. Khan", Grade: Grades[i%len(Grades)], Immediate: i == 0, Note: "Seen.", Date: today})
	}
	for _, id := range casesOf(t, qa, "2026-11 monthly", "B. Evans") {
		mustRecord(t, be, "2026-11 monthly", Finding{Case: id, Auditor: "B. Evans", Grade: Good, Date: today})
	}
	ms, err := qa.DrawModeration(ctx, "2026-11 monthly", 2, "271828")
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range ms.Cases {
		mustRecord(t, mo, "2026-11 monthly", Finding{Case: id, Auditor: "M. Moderator", Grade: Good, Date: today, Moderation: true})
	}
	es, _ := trailAndPeople(t, qa, "2026-11 monthly")
	for _, e := range es {
		if e.Actor == "A. Khan" && e.At.Before(added.Add(-time.Second)) {
			t.Errorf("%s is dated %s, before A. Khan was added (%s)", store.Describe(e), e.At, added)
		}
	}
	mustVerify(t, qa, "2026-11 monthly")
}

// TestPostgresRacingWritersTimesNeverGoBack: writers on machines whose
// clocks disagree by up to two hours record on one audit at once, and QA
// changes the people list meanwhile: along the trail, and along the
// people list, no entry is dated before the one it follows, and the trail
// verifies.
func TestPostgresRacingWritersTimesNeverGoBack(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	qa := openMachine(t, qaURL, "Q. Lead", 0)
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}})
	offsets := []time.Duration{-time.Hour, time.Hour, -40 * time.Minute, 20 * time.Minute, -3 * time.Second, 0}
	type writer struct {
		s    *Store
		name string
	}
	var ws []writer
	var names []string
	for i, d := range offsets {
		u, role := pgLogin(t, where, store.GroupAuditor)
		name := fmt.Sprintf("Auditor %c", 'A'+i)
		addPeople(t, qa, Person{Login: role, Name: name, Roles: []Role{Auditor}})
		ws = append(ws, writer{openMachine(t, u, name, d), name})
		names = append(names, name)
	}
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(5*len(ws))); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", names, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	today := serverNow(t).Format(time.DateOnly)
	var wg sync.WaitGroup
	errs := make(chan error, len(ws)+1)
	for _, w := range ws {
		cases := casesOf(t, qa, "a", w.name)
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, id := range cases {
				if _, err := w.s.Record(ctx, "a", Finding{Case: id, Auditor: w.name, Grade: Good, Note: "Seen.", Date: today}); err != nil {
					errs <- fmt.Errorf("%s recording %s: %w", w.name, id, err)
					return
				}
			}
		}()
	}
	wg.Add(1)
	go func() { // QA changes the people list meanwhile, from her own machine
		defer wg.Done()
		for i := range 5 {
			if _, err := qa.AddPerson(ctx, Person{Login: fmt.Sprintf("later_%d", i), Name: fmt.Sprintf("Later %d", i), Roles: []Role{Auditor}}); err != nil {
				errs <- err
				return
			}
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Fatal(err)
	}
	es, cs := trailAndPeople(t, qa, "a")
	if len(es) < 1+len(ws)*5 {
		t.Fatalf("%d entries; want the sample, the allocation and %d findings", len(es), len(ws)*5)
	}
	for i := 1; i < len(es); i++ {
		if es[i].At.Before(es[i-1].At) {
			t.Errorf("%s (%s) is dated before %s (%s), which it follows", store.Describe(es[i]), es[i].At.Format(time.RFC3339Nano),
				store.Describe(es[i-1]), es[i-1].At.Format(time.RFC3339Nano))
		}
	}
	for i := 1; i < len(cs); i++ {
		if cs[i].At.Before(cs[i-1].At) {
			t.Errorf("people-list change %d is dated %s, before change %d (%s)", cs[i].Seq, cs[i].At, cs[i-1].Seq, cs[i-1].At)
		}
	}
	mustVerify(t, qa, "a")
}

// TestPostgresInjectedClockWins: an injected clock (a test's, or
// CASEAUDIT_NOW's) still dates what a PostgreSQL store records, whatever
// the server's clock says, so that stories and demonstrations keep their
// dates.
func TestPostgresInjectedClockWins(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	fixed := time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC)
	qa, err := Open(ctx, qaURL, Options{Actor: "Q. Lead", Clock: func() time.Time { return fixed }, MachineClock: machineOff(time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	defer qa.Close()
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}})
	drawn := testAudit("a")
	drawn.Provenance.Drawn = fixed.Add(-time.Minute)
	a, err := qa.CreateAudit(ctx, drawn, testCases(2))
	if err != nil {
		t.Fatal(err)
	}
	if !a.Provenance.Drawn.Equal(fixed.Add(-time.Minute)) {
		t.Errorf("the draw is recorded as drawn at %s; want the time the draw gave, %s", a.Provenance.Drawn, fixed.Add(-time.Minute))
	}
	if _, err := qa.SetRetention(ctx, 72, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}}); err != nil {
		t.Fatal(err)
	}
	es, cs := trailAndPeople(t, qa, "a")
	log := storeRead(t, qa, (*store.Tx).Log)
	got := []time.Time{a.Created, es[0].At, cs[0].At, log[len(log)-1].At, qa.Now()}
	for i, at := range got {
		if !at.Equal(fixed) {
			t.Errorf("time %d (creation, sample, people change, retention, Now) is %s; want the injected %s", i, at, fixed)
		}
	}
}

// TestPostgresDatedOnceTheLockIsHeld: a write that waits for another
// session holding its audit's lock is dated after that session let go,
// not when the write began: the server's clock is read once the lock is
// held, so the entry cannot fall before what the other writer committed.
func TestPostgresDatedOnceTheLockIsHeld(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	qa := openMachine(t, qaURL, "Q. Lead", 0)
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}})
	a, err := qa.CreateAudit(ctx, testAudit("a"), testCases(4))
	if err != nil {
		t.Fatal(err)
	}
	// The audit's lock, as caseaudit takes it (store.lockSpace), held by
	// another session.
	h := fnv.New32a()
	h.Write([]byte("caseaudit store " + schemaOf(t, where)))
	other, err := pgAdmin(t).BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer other.Rollback()
	if _, err := other.Exec("SELECT pg_catalog.pg_advisory_xact_lock($1, $2)", int32(h.Sum32()), int32(a.id)); err != nil {
		t.Fatal(err)
	}
	began := serverNow(t)
	done := make(chan error, 1)
	go func() {
		_, err := qa.Allocate(ctx, "a", []string{"A. Khan", "B. Evans"}, AllocationRules{})
		done <- err
	}()
	// Let go only once the allocation waits for the lock: a write that
	// had not yet asked for it would be dated after the release whatever
	// the clock was read by, and prove nothing.
	key, watch := int32(h.Sum32()), pgAdmin(t)
	for waiting := false; !waiting; {
		select {
		case err := <-done:
			t.Fatalf("the allocation ended (%v) while another session held its audit's lock", err)
		case <-time.After(20 * time.Millisecond):
		}
		if err := watch.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_locks WHERE locktype = 'advisory'
			AND NOT granted AND classid::bigint = ($1::bigint & 4294967295) AND objid::bigint = $2 AND objsubid = 2)`,
			int64(key), a.id).Scan(&waiting); err != nil {
			t.Fatal(err)
		}
	}
	var released time.Time
	if err := other.QueryRow("SELECT pg_catalog.clock_timestamp()").Scan(&released); err != nil {
		t.Fatal(err)
	}
	if err := other.Commit(); err != nil {
		t.Fatal(err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
	es, _ := trailAndPeople(t, qa, "a")
	last := es[len(es)-1]
	if last.Kind != KindAllocation {
		t.Fatalf("the last entry is %s; want the allocation", store.Describe(last))
	}
	if last.At.Before(released) {
		t.Errorf("the allocation, which waited for the lock from %s until %s, is dated %s: before the lock was held",
			began.Format(time.RFC3339Nano), released.UTC().Format(time.RFC3339Nano), last.At.Format(time.RFC3339Nano))
	}
}

// TestPostgresUpgradeFrom14: a store of schema version 14, whose entries
// were dated by each writer's machine (here by injected clocks: one
// auditor's clock ran 10 minutes behind QA's, within what verify allows,
// another's an hour behind, a breach with the slow-clock hint), verifies
// after its owner's open brings it to version 15 exactly as before; a
// login that does not own it may not write to it until then (an earlier
// caseaudit, which dates by its machine's clock, is shut out the same
// way); and what is recorded afterwards is dated by the server.
func TestPostgresUpgradeFrom14(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	qaURL, qaRole := pgLogin(t, where, store.GroupQA)
	bURL, bRole := pgLogin(t, where, store.GroupAuditor)
	cURL, cRole := pgLogin(t, where, store.GroupAuditor)
	qa, qaClock := openAt(t, qaURL, "Q. Lead")
	addPeople(t, qa, Person{Login: qaRole, Name: "Q. Lead", Roles: []Role{QA}})
	qaClock.t = qaClock.t.Add(2 * time.Hour)
	if _, err := qa.CreateAudit(ctx, testAudit("a"), testCases(6)); err != nil {
		t.Fatal(err)
	}
	if _, err := qa.Allocate(ctx, "a", []string{"B. Evans", "C. Diaz"}, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	addPeople(t, qa, Person{Login: bRole, Name: "B. Evans", Roles: []Role{Auditor}}, Person{Login: cRole, Name: "C. Diaz", Roles: []Role{Auditor}})
	added := qaClock.now()
	old := func(u, name string, behind time.Duration) *Store {
		c := &testClock{t: added.Add(-behind)}
		s, err := Open(ctx, u, Options{Actor: name, Clock: c.now})
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	bOld := old(bURL, "B. Evans", 10*time.Minute)
	cOld := old(cURL, "C. Diaz", time.Hour)
	bCases, cCases := casesOf(t, qa, "a", "B. Evans"), casesOf(t, qa, "a", "C. Diaz")
	mustRecord(t, bOld, "a", Finding{Case: bCases[0], Auditor: "B. Evans", Grade: Good, Date: "2026-07-03"})
	mustRecord(t, cOld, "a", Finding{Case: cCases[0], Auditor: "C. Diaz", Grade: Good, Date: "2026-07-03"})
	bOld.Close()
	cOld.Close()
	before, err := qa.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !before.OK || len(before.Duties) != 1 || !strings.Contains(before.Duties[0].Refusal, "a clock running that far behind would explain it") {
		t.Fatalf("the trail as version 14 left it: ok %v, breaches %+v; want C. Diaz's one, with the slow-clock hint", before.OK, before.Duties)
	}

	// As version 14 left it; the owner's open upgrades it.
	owner, _ := openAt(t, where, "qa.officer")
	if err := rawExec(owner, "UPDATE meta SET value = '14' WHERE key = 'schema_version'"); err != nil {
		t.Fatal(err)
	}
	owner.Close()
	if _, err := Open(ctx, bURL, Options{}); err == nil || !strings.Contains(err.Error(), fmt.Sprintf("has schema version 14 and this caseaudit needs %d; its owner", store.SchemaVersion)) {
		t.Fatalf("a login that does not own the store opening it before its upgrade: %v", err)
	}
	owner, _ = openAt(t, where, "qa.officer")
	if err := owner.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check after the upgrade: %v", err)
	}
	after, err := owner.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if after.OK != before.OK || after.Head != before.Head || !reflect.DeepEqual(after.Duties, before.Duties) || !reflect.DeepEqual(after.Problems, before.Problems) {
		t.Errorf("the trail verifies otherwise after the upgrade:\nbefore %+v\nafter  %+v", before, after)
	}

	// Now dated by the server, whatever B. Evans's machine says.
	from := serverNow(t)
	b := openMachine(t, bURL, "B. Evans", -time.Hour)
	mustRecord(t, b, "a", Finding{Case: bCases[1], Auditor: "B. Evans", Grade: Good, Date: from.Format(time.DateOnly)})
	es, _ := trailAndPeople(t, owner, "a")
	if last := es[len(es)-1]; last.At.Before(from) || last.At.After(serverNow(t)) {
		t.Errorf("%s is dated %s, not by the server's clock (from %s)", store.Describe(last), last.At, from)
	}
	v, err := owner.Verify(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK || !reflect.DeepEqual(v.Duties, before.Duties) {
		t.Errorf("after a finding dated by the server: ok %v, breaches %+v; want only C. Diaz's old one", v.OK, v.Duties)
	}
}

// TestClockOffsetIsTheMachines: the offset a PostgreSQL store measures
// at open is how far the server's clock is from this machine's — twelve
// minutes ahead of a machine twelve minutes behind, behind one ahead —
// and SQLite, with no clock but the machine's, measures none.
func TestClockOffsetIsTheMachines(t *testing.T) {
	where := pgStore(t)
	for _, off := range []time.Duration{-12 * time.Minute, 0, 3 * time.Hour} {
		s := openMachine(t, where, "Q. Lead", off)
		got, ok := s.ClockOffset()
		// The test server runs on this machine, by its real clock.
		if want := -off; !ok || got < want-5*time.Second || got > want+5*time.Second {
			t.Errorf("a machine %s off: the server's clock is %s ahead (measured %v); want %s", off, got, ok, want)
		}
	}
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "caseaudit.db"), Options{Actor: "Q. Lead", MachineClock: machineOff(-time.Hour)})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if d, ok := s.ClockOffset(); ok || d != 0 {
		t.Errorf("SQLite measured a server's clock %s ahead (%v)", d, ok)
	}
}
