package store

// The store's contract: rows and chains behave the same on both backends.
// Every test here runs once per backend (eachBackend); the PostgreSQL runs
// skip without a server unless CI=true. The audit package's own contract
// tests run its use cases over both backends too.

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

func pgServer(t testing.TB) string {
	t.Helper()
	return testEnv(t, "CASEAUDIT_TEST_POSTGRES", "CI must run the PostgreSQL tests (.ci/run starts a server)",
		"no PostgreSQL server: set CASEAUDIT_TEST_POSTGRES (eval \"$(.ci/postgres start)\") to run the PostgreSQL tests")
}

// testEnv is the environment variable name a test needs: without it the
// test skips (saying skip), or, when CI=true, fails (saying why CI must
// have it).
func testEnv(t testing.TB, name, why, skip string) string {
	t.Helper()
	v := os.Getenv(name)
	if v == "" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is not set: %s", name, why)
		}
		t.Skip(skip)
	}
	return v
}

// pgAdminDB opens the test server as its administrator.
func pgAdminDB(t testing.TB) *sql.DB {
	t.Helper()
	cfg, err := pgx.ParseConfig(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	db := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { db.Close() })
	return db
}

// pgStore makes a new PostgreSQL store in a schema of its own, dropped
// after the test.
func pgStore(t testing.TB) string {
	t.Helper()
	u, err := url.Parse(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	b := make([]byte, 6)
	rand.Read(b)
	schema := "s_" + hex.EncodeToString(b)
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	where := u.String()
	res, err := InitPostgres(context.Background(), where)
	if err != nil {
		t.Fatalf("store init: %v", err)
	}
	dropStoreAfter(t, schema, res.Roles)
	return where
}

// dropStoreAfter drops a test store's schema and its group roles after
// the test.
func dropStoreAfter(t testing.TB, schema string, roles []string) {
	t.Cleanup(func() {
		admin := pgAdminDB(t)
		if _, err := admin.Exec("DROP SCHEMA IF EXISTS " + quoteIdent(schema) + " CASCADE"); err != nil {
			t.Logf("dropping schema %s: %v", schema, err)
		}
		for _, r := range roles {
			if _, err := admin.Exec("DROP ROLE IF EXISTS " + quoteIdent(r)); err != nil {
				t.Logf("dropping role %s: %v", r, err)
			}
		}
	})
}

// storeRole is the name of the store's group role for group (GroupQA,
// GroupAuditor, GroupGovernance), from its meta.
func storeRole(t testing.TB, where, group string) string {
	t.Helper()
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	schema := u.Query().Get("schema")
	if schema == "" {
		schema = DefaultPostgresSchema
	}
	var prefix string
	if err := pgAdminDB(t).QueryRow("SELECT value FROM " + quoteIdent(schema) + ".meta WHERE key = 'role_prefix'").Scan(&prefix); err != nil {
		t.Fatalf("the role prefix of %s: %v", schema, err)
	}
	return prefix + "_" + group
}

var backends = []struct {
	name string
	new  func(t *testing.T) string
}{
	{"sqlite", func(t *testing.T) string { return filepath.Join(t.TempDir(), "store.db") }},
	{"postgres", func(t *testing.T) string { return pgStore(t) }},
}

// eachBackend runs fn with a new, empty, opened store of each backend.
func eachBackend(t *testing.T, fn func(t *testing.T, s *Store)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) {
			s, err := Open(context.Background(), b.new(t), Options{EnteredBy: "qa.officer"})
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { s.Close() })
			fn(t, s)
		})
	}
}

var t0 = time.Date(2026, 7, 3, 9, 0, 0, 0, time.UTC)

// newAudit records an audit row with n cases and its first entry.
func newAudit(t *testing.T, s *Store, name string, n int) int64 {
	t.Helper()
	var id int64
	err := s.Write(context.Background(), "recording", func(w *WriteTx) error {
		period, prov := "2026-07", `{"seed":"1"}`
		var err error
		if id, err = w.InsertAudit(context.Background(), AuditRow{Name: name, CreatedAt: FormatTime(t0), Filters: "[]",
			InitialSize: n, Columns: `["Team"]`, Params: "{}", Period: &period, Provenance: &prov}); err != nil {
			return err
		}
		var cases []CaseRow
		for i := 1; i <= n; i++ {
			cases = append(cases, CaseRow{Order: i, ID: fmt.Sprintf("CR-%d", i), Ticket: fmt.Sprintf("0.%d", i), Row: i + 1, Fields: `["North"]`})
		}
		if err := w.InsertCases(context.Background(), id, cases); err != nil {
			return err
		}
		c, err := w.Chain(context.Background(), id, name)
		if err != nil {
			return err
		}
		_, err = c.Append(context.Background(), Draft{Kind: "sample", Actor: "QA", At: t0, Payload: map[string]any{"x": 1}})
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return id
}

func TestContractRowsAndChain(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 3)
		err := s.Write(ctx, "recording", func(w *WriteTx) error {
			c, err := w.Chain(ctx, id, "a")
			if err != nil {
				return err
			}
			e, err := c.Append(ctx, Draft{Kind: "finding", Case: "CR-1", Actor: "A. Khan", At: t0.Add(time.Second),
				Payload: map[string]string{"note": "<ok> & fine", "grade": "Good"}})
			if err != nil {
				return err
			}
			// Hashes computed independently (Python's hashlib over the
			// canonical JSON written out by hand). On PostgreSQL the login is
			// recorded as who entered the entry, so the hash differs.
			if e.Seq != 2 || e.EnteredBy != s.EnteredBy() || s.Kind() == "sqlite" && e.Hash != "80c5f5de0d0ff5b7c9916f246bbb9b76d972086043b8250c778c21b2e16a10f4" {
				t.Errorf("appended %+v", e)
			}
			again, err := w.Chain(ctx, id, "a")
			if err != nil || again != c {
				t.Errorf("a second Chain for the audit in one transaction: %p %p %v", again, c, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = s.Read(ctx, "reading", func(tx *Tx) error {
			a, err := tx.Audit(ctx, "a")
			if err != nil || a == nil || a.ID != id || *a.Period != "2026-07" || a.Form != nil || a.InitialSize != 3 {
				t.Errorf("audit row %+v %v", a, err)
			}
			if none, err := tx.Audit(ctx, "A"); none != nil || err != nil {
				t.Errorf("Audit matches names exactly: %+v %v", none, err)
			}
			es, err := tx.Entries(ctx, id, Filter{})
			if err != nil || len(es) != 2 || s.Kind() == "sqlite" && es[0].Hash != "2238a671c08360b09734613fb85b676c6e1beb67385dca95fe313e610bc5545c" ||
				string(es[1].Payload) != `{"grade":"Good","note":"<ok> & fine"}` {
				t.Errorf("entries %+v %v", es, err)
			}
			if p := CheckChain("a", es); len(p) != 0 {
				t.Errorf("a sound chain: %v", p)
			}
			if p := CheckChain("b", es); len(p) != 2 {
				t.Errorf("the audit's name is hashed: %v", p)
			}
			byCase, _ := tx.Entries(ctx, id, Filter{Case: "CR-1"})
			byKind, _ := tx.Entries(ctx, id, Filter{Kinds: []string{"sample", "withdrawal"}})
			if len(byCase) != 1 || byCase[0].Seq != 2 || len(byKind) != 1 || byKind[0].Seq != 1 {
				t.Errorf("filtered entries: %+v %+v", byCase, byKind)
			}
			n, head, err := tx.Head(ctx, id)
			if n != 2 || head != es[1].Hash || err != nil {
				t.Errorf("head %d %s %v", n, head, err)
			}
			ids, _ := tx.CaseIDs(ctx, id)
			c, _ := tx.Case(ctx, id, "CR-2")
			missing, _ := tx.Case(ctx, id, "CR-9")
			if strings.Join(ids, ",") != "CR-1,CR-2,CR-3" || c == nil || c.Row != 3 || missing != nil {
				t.Errorf("cases %v %+v %+v", ids, c, missing)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		// The trail is append-only in the database itself.
		for _, q := range []string{"UPDATE trail SET actor = 'X' WHERE seq = 2", "DELETE FROM trail WHERE seq = 2", "UPDATE audit SET name = 'b'", "DELETE FROM sampled_case"} {
			if _, err := s.DB().Exec(q); err == nil || !strings.Contains(err.Error(), "caseaudit: ") {
				t.Errorf("%s: %v", q, err)
			}
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Error(err)
		}
	})
}

func TestContractWriteIsAllOrNothing(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 2)
		boom := errors.New("boom")
		err := s.Write(ctx, "recording", func(w *WriteTx) error {
			c, err := w.Chain(ctx, id, "a")
			if err != nil {
				return err
			}
			if _, err := c.Append(ctx, Draft{Kind: "grow", Actor: "QA", At: t0, Payload: map[string]any{}}); err != nil {
				return err
			}
			if err := w.InsertCases(ctx, id, []CaseRow{{Order: 3, ID: "CR-3", Fields: "[]"}}); err != nil {
				return err
			}
			return boom
		})
		if !errors.Is(err, boom) {
			t.Fatalf("Write returned %v", err)
		}
		s.Read(ctx, "reading", func(tx *Tx) error {
			n, _, _ := tx.Head(ctx, id)
			k, _ := tx.CaseCount(ctx, id)
			if n != 1 || k != 2 {
				t.Errorf("after a failed write: %d entries, %d cases", n, k)
			}
			return nil
		})
	})
}

// Writers of one audit take turns: many appending at once leave one chain
// with every entry, none forked or lost.
func TestContractWritersTakeTurns(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 1)
		const writers = 8
		var wg sync.WaitGroup
		errs := make(chan error, writers)
		for i := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				for {
					err := s.Write(ctx, "recording", func(w *WriteTx) error {
						a, err := w.Audit(ctx, "a")
						if err != nil {
							return err
						}
						c, err := w.Chain(ctx, a.ID, a.Name)
						if err != nil {
							return err
						}
						_, err = c.Append(ctx, Draft{Kind: "note", Actor: fmt.Sprint(i), At: t0, Payload: i})
						return err
					})
					if errors.Is(err, ErrBusy) {
						continue // the busy timeout ran out: try again, as a person would
					}
					errs <- err
					return
				}
			}()
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			if err != nil {
				t.Fatal(err)
			}
		}
		s.Read(ctx, "reading", func(tx *Tx) error {
			es, _ := tx.Entries(ctx, id, Filter{})
			if len(es) != writers+1 || len(CheckChain("a", es)) != 0 {
				t.Errorf("%d entries, problems %v", len(es), CheckChain("a", es))
			}
			return nil
		})
	})
}

// A read transaction sees one state of the store while others write.
func TestContractReadIsOneState(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 1)
		err := s.Read(ctx, "reading", func(tx *Tx) error {
			n1, _, err := tx.Head(ctx, id)
			if err != nil {
				return err
			}
			if err := s.Write(ctx, "recording", func(w *WriteTx) error {
				c, err := w.Chain(ctx, id, "a")
				if err != nil {
					return err
				}
				_, err = c.Append(ctx, Draft{Kind: "note", At: t0, Payload: 1})
				return err
			}); err != nil {
				return err
			}
			n2, _, err := tx.Head(ctx, id)
			if n1 != 1 || n2 != 1 {
				t.Errorf("the read saw %d then %d entries", n1, n2)
			}
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Copy keeps every row as stored, so every chain has the same head.
func TestContractCopy(t *testing.T) {
	eachBackend(t, func(t *testing.T, to *Store) {
		ctx := context.Background()
		from, err := Open(ctx, filepath.Join(t.TempDir(), "from.db"), Options{EnteredBy: "someone.else"})
		if err != nil {
			t.Fatal(err)
		}
		defer from.Close()
		newAudit(t, from, "a", 3)
		newAudit(t, from, "b", 2)
		verify := func(ctx context.Context, tx *Tx, a *AuditRow) (string, string, error) {
			es, err := tx.Entries(ctx, a.ID, Filter{})
			if err != nil {
				return "", "", err
			}
			if p := CheckChain(a.Name, es); len(p) > 0 {
				return "", p[0], nil
			}
			return es[len(es)-1].Hash, "", nil
		}
		res, err := Copy(ctx, from, to, verify, nil)
		if err != nil {
			t.Fatal(err)
		}
		if res.Audits != 2 || res.Cases != 5 || res.Entries != 2 || res.Heads["a"] != "800840ef1f4329cb52b8a79a5647057f1cafa512d341d310c071714b749837cb" {
			t.Errorf("copied %+v", res)
		}
		if _, err := Copy(ctx, from, to, verify, nil); err == nil || !strings.Contains(err.Error(), "already holds 2 audits") {
			t.Errorf("a second copy: %v", err)
		}
	})
}

// A read transaction answers from the trails it holds (Entries, HoldAudits)
// exactly as a write transaction, which reads afresh every time, answers:
// the same entries, in order, with their texts put back, for every filter.
func TestContractHeldTrailsReadAsStored(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ids := []int64{newAudit(t, s, "a", 3), newAudit(t, s, "b", 2), newAudit(t, s, "c", 0)}
		err := s.Write(ctx, "recording", func(w *WriteTx) error {
			for i, id := range ids[:2] {
				c, err := w.Chain(ctx, id, []string{"a", "b"}[i])
				if err != nil {
					return err
				}
				for j, d := range []Draft{
					{Kind: "finding", Case: "CR-1", Actor: "A", At: t0, Payload: map[string]any{"grade": "Good", "note": fmt.Sprintf("note %d <&>", i)}, Text: []string{"note"}},
					{Kind: "finding", Case: "CR-2", Actor: "B", At: t0, Payload: map[string]any{"grade": "Inadequate", "answers": map[string]any{"q1": "yes"}}, Text: []string{"note", "answers/*"}},
					{Kind: "correction", Case: "CR-1", Actor: "A", At: t0, Payload: map[string]any{"grade": "Good", "note": "again", "reason": "typo"}, Text: []string{"note", "reason"}},
				} {
					if i == 1 && j == 2 {
						break
					}
					if _, err := c.Append(ctx, d); err != nil {
						return err
					}
				}
			}
			_, err := w.EraseTexts(ctx, ids[0], 4, []string{"reason"}, t0.Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		filters := []Filter{{}, {Kinds: []string{"finding"}}, {Kinds: []string{"finding", "correction"}}, {Case: "CR-1"},
			{Case: "CR-2", Kinds: []string{"finding"}}, {Kinds: []string{"none"}}, {Case: "CR-9"}}
		fresh := map[string][]Entry{}
		if err := s.Write(ctx, "reading", func(w *WriteTx) error {
			for _, id := range ids {
				for i, f := range filters {
					es, err := w.Entries(ctx, id, f)
					if err != nil {
						return err
					}
					fresh[fmt.Sprint(id, i)] = es
				}
			}
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		if n := len(fresh[fmt.Sprint(ids[0], 0)]); n != 4 {
			t.Fatalf("audit a has %d entries, want 4", n)
		}
		check := func(how string, tx *Tx) {
			for _, id := range ids {
				for i, f := range filters {
					got, err := tx.Entries(ctx, id, f)
					if err != nil {
						t.Fatal(err)
					}
					if want := fresh[fmt.Sprint(id, i)]; !reflect.DeepEqual(got, want) {
						t.Errorf("%s, audit %d, filter %+v:\n got %+v\nwant %+v", how, id, f, got, want)
					}
				}
				cs, err := tx.CaseIDs(ctx, id)
				if err != nil {
					t.Fatal(err)
				}
				if want := []string{"CR-1", "CR-2", "CR-3"}[:map[int64]int{ids[0]: 3, ids[1]: 2, ids[2]: 0}[id]]; len(cs) != len(want) || !slices.Equal(cs, want) {
					t.Errorf("%s, audit %d: case IDs %v, want %v", how, id, cs, want)
				}
			}
		}
		for _, how := range []string{"one at a time", "all held at once"} {
			if err := s.Read(ctx, "reading", func(tx *Tx) error {
				if how == "all held at once" {
					if err := tx.HoldAudits(ctx, ids); err != nil {
						return err
					}
				}
				check(how, tx)
				check(how+", again", tx)
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
		// A view without notes and reasons reads the same entries with
		// those left out and every other text put back; the transaction
		// itself, before and after, reads the whole entries.
		if err := s.Read(ctx, "reading", func(tx *Tx) error {
			check("before a view", tx)
			v := tx.WithoutTexts("reason", "note")
			if v == tx || tx.WithoutTexts("note", "reason") != v || v.WithoutTexts("note") != v {
				t.Errorf("the views of one transaction: %p %p %p %p", tx, v, tx.WithoutTexts("note", "reason"), v.WithoutTexts("note"))
			}
			for _, held := range []bool{false, true} {
				if held {
					if err := v.HoldAudits(ctx, ids); err != nil {
						return err
					}
				}
				for _, id := range ids {
					for i, f := range filters {
						got, err := v.Entries(ctx, id, f)
						if err != nil {
							return err
						}
						want := fresh[fmt.Sprint(id, i)]
						if len(got) != len(want) {
							t.Fatalf("view, audit %d, filter %+v: %d entries, want %d", id, f, len(got), len(want))
						}
						for j := range got {
							g, w := got[j], want[j]
							var gp, wp map[string]any
							if err := json.Unmarshal(g.Payload, &gp); err != nil {
								t.Fatalf("view: payload %s: %v", g.Payload, err)
							}
							if err := json.Unmarshal(w.Payload, &wp); err != nil {
								t.Fatal(err)
							}
							delete(wp, "note")
							delete(wp, "reason")
							g.Payload, w.Payload, g.Texts, w.Texts = nil, nil, nil, nil
							if !reflect.DeepEqual(gp, wp) || !reflect.DeepEqual(g, w) {
								t.Errorf("view (held %v), audit %d, filter %+v, entry %d:\n got %s %+v\nwant %s %+v", held, id, f, j, got[j].Payload, g, wp, w)
							}
						}
					}
				}
			}
			es, err := v.Entries(ctx, ids[0], Filter{Case: "CR-2"})
			if err != nil || len(es) != 1 || string(es[0].Payload) != `{"answers":{"q1":"yes"},"grade":"Inadequate"}` || len(es[0].Texts) != 1 {
				t.Errorf("the view keeps the answers: %+v %v", es, err)
			}
			check("after a view", tx)
			return nil
		}); err != nil {
			t.Fatal(err)
		}
		// The texts put back as written, and the erased one marked.
		es := fresh[fmt.Sprint(ids[0], 0)]
		if got := string(es[1].Payload); got != `{"grade":"Good","note":"note 0 <&>"}` {
			t.Errorf("payload %s", got)
		}
		if got := string(es[3].Payload); got != `{"grade":"Good","note":"again","reason":"[redacted on 2026-07-03]"}` {
			t.Errorf("payload %s", got)
		}
	})
}

// Rows a database keeps out of their key's order (appends to two audits
// taking turns, an entry's payload redacted in place and a text erased,
// which PostgreSQL writes as new row versions after the others, sampled
// cases inserted last first) are read in the key's order all the same:
// entries by number, texts by field, cases by their place in the sample.
func TestContractReadsInKeyOrder(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		ids := []int64{newAudit(t, s, "a", 0), newAudit(t, s, "b", 0)}
		err := s.Write(ctx, "recording", func(w *WriteTx) error {
			for _, id := range ids {
				var cases []CaseRow
				for i := 4; i >= 1; i-- {
					cases = append(cases, CaseRow{Order: i, ID: fmt.Sprintf("CR-%d", i), Ticket: fmt.Sprintf("0.%d", i), Row: i + 1, Fields: `["North"]`})
				}
				if err := w.InsertCases(ctx, id, cases); err != nil {
					return err
				}
			}
			chains := make([]*Chain, len(ids))
			for i, id := range ids {
				c, err := w.Chain(ctx, id, []string{"a", "b"}[i])
				if err != nil {
					return err
				}
				chains[i] = c
			}
			for j := 1; j <= 4; j++ {
				for _, c := range chains {
					d := Draft{Kind: "finding", Case: fmt.Sprintf("CR-%d", j), Actor: "A", At: t0,
						Payload: map[string]any{"grade": "Good", "note": fmt.Sprintf("note %d", j), "reason": "seen"}, Text: []string{"note", "reason"}}
					if j == 1 { // entry 2: as written before free text was kept apart
						d.Text = nil
					}
					if _, err := c.Append(ctx, d); err != nil {
						return err
					}
				}
			}
			if err := w.RedactLegacy(ctx, ids[0], 2, []byte(`{"grade":"Good","note":"(erased)"}`), t0.Add(time.Hour)); err != nil {
				return err
			}
			_, err := w.EraseTexts(ctx, ids[1], 3, []string{"note"}, t0.Add(time.Hour))
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		for _, hold := range []bool{false, true} {
			if err := s.Read(ctx, "reading", func(tx *Tx) error {
				if hold {
					if err := tx.HoldAudits(ctx, ids); err != nil {
						return err
					}
				}
				for i, id := range ids {
					es, err := tx.Entries(ctx, id, Filter{})
					if err != nil {
						return err
					}
					var seqs []int
					for _, e := range es {
						seqs = append(seqs, e.Seq)
						var fields []string
						for _, x := range e.Texts {
							fields = append(fields, x.Field)
						}
						if e.Seq > 2 && !slices.Equal(fields, []string{"note", "reason"}) {
							t.Errorf("held %v, audit %d, entry %d: texts %v, want note and reason", hold, id, e.Seq, fields)
						}
					}
					if want := []int{1, 2, 3, 4, 5}; !slices.Equal(seqs, want) {
						t.Errorf("held %v, audit %d: entries %v, want %v", hold, id, seqs, want)
					}
					if es[1].RedactedInPlace.IsZero() != (i == 1) {
						t.Errorf("held %v, audit %d: entry 2 redacted in place at %v", hold, id, es[1].RedactedInPlace)
					}
					cs, err := tx.CaseIDs(ctx, id)
					if err != nil {
						return err
					}
					if want := []string{"CR-1", "CR-2", "CR-3", "CR-4"}; !slices.Equal(cs, want) {
						t.Errorf("held %v, audit %d: case IDs %v, want %v", hold, id, cs, want)
					}
				}
				return nil
			}); err != nil {
				t.Fatal(err)
			}
		}
	})
}
