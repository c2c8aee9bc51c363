package audit

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
)

// testClock is an injected clock that moves on one second per reading.
type testClock struct{ t time.Time }

func newClock() *testClock {
	return &testClock{t: time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC)}
}

func (c *testClock) now() time.Time {
	c.t = c.t.Add(time.Second)
	return c.t
}

// on moves the clock to 09:00 UTC of day d (yyyy-mm-dd): findings are
// recorded on or after the day they were audited.
func (c *testClock) on(d string) {
	t, err := time.Parse(time.DateOnly, d)
	if err != nil {
		panic(err)
	}
	c.t = t.Add(9 * time.Hour)
}

// Invented names only: no real people.
var (
	testTeams   = []string{"North", "South", "East", "West"}
	testWorkers = []string{"A. Khan", "B. Lee", "C. Diaz", "D. Novak", "E. Okafor", "F. Silva"}
)

var testColumns = []string{"Team", "Allocated Worker", "Legal Status"}

// testCases returns n sampled cases CR-0000001 … with invented fields; the
// team and worker cycle so that tests can compute expectations by hand.
func testCases(n int) []SampledCase {
	out := make([]SampledCase, n)
	for i := range out {
		out[i] = SampledCase{
			Order:   i + 1,
			ID:      fmt.Sprintf("CR-%07d", i+1),
			Ticket:  fmt.Sprintf("0.%018d", (i+1)*1000),
			Stratum: "",
			Row:     i + 5,
			Fields:  []string{testTeams[i%len(testTeams)], testWorkers[i%len(testWorkers)], "CIN"},
		}
	}
	return out
}

func testAudit(name string) Audit {
	return Audit{
		Name: name, Columns: testColumns,
		Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, ToolVersion: "test", Seed: "314159",
			Export: sample.Source{Path: "cases.xlsx", AbsPath: "/data/cases.xlsx", SHA256: "ab12", Format: "xlsx",
				Sheet: "Cases", HeaderRow: 4, IDColumn: "Case Reference"},
			Filters: []string{"Legal Status=CIN"}, Size: 40,
			Counts:  sample.Counts{Rows: 3000, Distinct: 3000, FilteredOut: 1000, Population: 2000},
			Columns: testColumns},
	}
}

// openTest opens a new store in a temporary directory with a test clock.
func openTest(t *testing.T) (*Store, *testClock) {
	t.Helper()
	clock := newClock()
	s, err := Open(context.Background(), filepath.Join(t.TempDir(), "caseaudit.db"), Options{Clock: clock.now, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s, clock
}

// withAudit opens a store holding one audit of n cases.
func withAudit(t *testing.T, name string, n int) (*Store, *testClock) {
	t.Helper()
	s, clock := openTest(t)
	if _, err := s.CreateAudit(context.Background(), testAudit(name), testCases(n)); err != nil {
		t.Fatal(err)
	}
	return s, clock
}

func mustRecord(t *testing.T, s *Store, audit string, f Finding) RecordResult {
	t.Helper()
	r, err := s.Record(context.Background(), audit, f)
	if err != nil {
		t.Fatal(err)
	}
	return r
}

func mustVerify(t *testing.T, s *Store, audit string) {
	t.Helper()
	v, err := s.Verify(context.Background(), audit)
	if err != nil {
		t.Fatal(err)
	}
	if !v.OK {
		t.Fatalf("verify %q: %v", audit, v.Problems)
	}
	for _, d := range v.Duties {
		t.Errorf("verify %q: entry %d breaks a duty: %s", audit, d.Entry, d.Refusal)
	}
}

// findingEntries keeps the finding and correction entries of a history
// (leaving out the follow-up action entries a flagged finding opens).
func findingEntries(h []Entry) []Entry {
	var out []Entry
	for _, e := range h {
		switch e.Kind {
		case KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection:
			out = append(out, e)
		}
	}
	return out
}

// entryHash is store.Hash of an entry given field by field, at as stored.
func entryHash(prev, auditName string, seq int, kind, caseID, actor, enteredBy, at string, payload []byte) (string, error) {
	return store.Hash(auditName, seq, store.Entry{Kind: kind, Case: caseID, Actor: actor, EnteredBy: enteredBy,
		At: store.ParseTime(at), Payload: payload, PrevHash: prev})
}

// goodForm is a valid form with one question of every kind.
var goodForm = func() string {
	b, err := os.ReadFile(filepath.Join("testdata", "form-adults.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

// optProblem is a mistake a request's Problems should report: the option it
// names, and how its message begins as flags and as configuration keys.
type optProblem struct {
	option      opt.Name
	flags, keys string
}

// wantOptProblems checks ps against want, in order.
func wantOptProblems(t *testing.T, ps []error, want []optProblem) {
	t.Helper()
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if e, ok := opt.As(ps[i]); !ok || e.Option != w.option {
			t.Errorf("problem %d (%v) does not name %s", i, ps[i], w.option)
		}
		if got := opt.Spell(ps[i], opt.Flags); !strings.HasPrefix(got, w.flags) {
			t.Errorf("problem %d as flags: %q, want %q…", i, got, w.flags)
		}
		if got := opt.Spell(ps[i], opt.Keys); !strings.HasPrefix(got, w.keys) {
			t.Errorf("problem %d as keys: %q, want %q…", i, got, w.keys)
		}
	}
}
