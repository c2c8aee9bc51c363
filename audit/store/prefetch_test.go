package store

import (
	"context"
	"path/filepath"
	"reflect"
	"testing"
	"time"

	"modernc.org/sqlite"
)

// Prefetched reads answer exactly as the database does, before and after
// the transaction appends to the trail: entries with texts held and
// erased, entries of other cases and kinds, the actors, the sampled case
// (and one not in the sample), the people list and the chain's head.
func TestContractPrefetchAnswersAsReads(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 4)
		at := t0
		next := func() time.Time { at = at.Add(time.Minute); return at }
		err := s.Write(ctx, "recording", func(w *WriteTx) error {
			if _, err := w.AppendPersonChange(ctx, PersonAdd, "qa.login", "Q. Officer", []string{"qa"}, next()); err != nil {
				return err
			}
			c, err := w.Chain(ctx, id, "a")
			if err != nil {
				return err
			}
			for _, d := range []Draft{
				{Kind: "allocation", Actor: "QA", Payload: map[string]any{"cases": []string{"CR-1", "CR-2"}}},
				{Kind: "finding", Case: "CR-1", Actor: "A. Khan", Payload: map[string]any{"grade": "Good", "note": "held"}, Text: []string{"note"}},
				{Kind: "finding", Case: "CR-2", Actor: "B. Osei", Payload: map[string]any{"grade": "Good", "note": "to erase"}, Text: []string{"note"}},
				{Kind: "withdrawal", Case: "CR-3", Actor: "QA", Payload: map[string]any{"reason": "closed"}},
				{Kind: "correction", Case: "CR-1", Actor: "A. Khan", Payload: map[string]any{"grade": "Inadequate", "note": "second"}, Text: []string{"note"}},
			} {
				d.At = next()
				if _, err := c.Append(ctx, d); err != nil {
					return err
				}
			}
			_, err = w.EraseTexts(ctx, id, 4, nil, next())
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		type answers struct {
			ByCase, ByCaseKind, ByKind, ByKinds, Other []Entry
			Actors                                     []string
			Case, NoCase                               *CaseRow
			People                                     []PersonChange
		}
		read := func(tx *Tx) (a answers) {
			t.Helper()
			var err error
			must := func(e error) {
				if e != nil && err == nil {
					err = e
				}
			}
			a.ByCase, err = tx.Entries(ctx, id, Filter{Case: "CR-1"})
			var e error
			a.ByCaseKind, e = tx.Entries(ctx, id, Filter{Case: "CR-1", Kinds: []string{"finding", "correction"}})
			must(e)
			a.ByKind, e = tx.Entries(ctx, id, Filter{Kinds: []string{"withdrawal"}})
			must(e)
			a.ByKinds, e = tx.Entries(ctx, id, Filter{Kinds: []string{"allocation", "withdrawal"}})
			must(e)
			a.Other, e = tx.Entries(ctx, id, Filter{Case: "CR-2"}) // not prefetched: read from the database
			must(e)
			a.Actors, e = tx.Actors(ctx, id, "correction", "finding")
			must(e)
			a.Case, e = tx.Case(ctx, id, "CR-1")
			must(e)
			a.NoCase, e = tx.Case(ctx, id, "CR-9")
			must(e)
			a.People, e = tx.PersonChanges(ctx)
			must(e)
			if err != nil {
				t.Fatal(err)
			}
			return a
		}
		checkIn := func(s *Store) error {
			return s.Write(ctx, "recording", func(w *WriteTx) error {
				if _, err := w.Audit(ctx, "a"); err != nil {
					return err
				}
				want := read(w.Tx)
				if len(want.ByCase) < 2 || len(want.Other) < 1 || !want.Other[0].Texts[0].Redacted() || len(want.Actors) < 2 ||
					want.Case == nil || want.NoCase != nil || len(want.People) != 1 {
					t.Fatalf("the database's answers are not what was recorded: %+v", want)
				}
				p := Prefetch{Case: "CR-1", Kinds: []string{"allocation", "withdrawal"}, ActorKinds: []string{"finding", "correction"}, People: true}
				if err := w.Prefetch(ctx, id, p); err != nil {
					return err
				}
				if got := read(w.Tx); !reflect.DeepEqual(got, want) {
					t.Errorf("prefetched answers differ:\n got %+v\nwant %+v", got, want)
				}
				c, err := w.Chain(ctx, id, "a")
				if err != nil {
					return err
				}
				n, head, err := w.Head(ctx, id)
				if err != nil || c.seq != n || c.head != head {
					t.Errorf("the chain's head from the prefetch: %d %s, the trail's: %d %s %v", c.seq, c.head, n, head, err)
				}
				for _, d := range []Draft{
					{Kind: "correction", Case: "CR-1", Actor: "C. New", Payload: map[string]any{"grade": "Good", "note": "third", "answers": map[string]string{"b": "x", "a": "y"}}, Text: []string{"note", "answers/*"}},
					{Kind: "withdrawal", Case: "CR-4", Actor: "QA", Payload: map[string]any{"reason": "moved"}},
					{Kind: "finding", Case: "CR-2", Actor: "D. Other", Payload: map[string]any{"grade": "Good"}},
				} {
					d.At = next()
					if _, err := c.Append(ctx, d); err != nil {
						return err
					}
				}
				kept := read(w.Tx)
				w.dropPrefetched()
				if fresh := read(w.Tx); !reflect.DeepEqual(kept, fresh) {
					t.Errorf("prefetched answers after appending differ from the database's:\n got %+v\nwant %+v", kept, fresh)
				}
				return nil
			})
		}
		err = checkIn(s)
		if err == nil && s.Kind() == "postgres" {
			// A store made before the prefetch function: the same
			// answers through the statement Prefetch writes.
			if _, err := s.DB().Exec("DROP FUNCTION prefetch(bigint, text, text[], text[], boolean)"); err != nil {
				t.Fatal(err)
			}
			old, err := Open(ctx, s.path, Options{})
			if err != nil {
				t.Fatal(err)
			}
			defer old.Close()
			if old.b.(*pgBackend).hasPrefetch {
				t.Error("the store is taken to have a prefetch function it lacks")
			}
			err = checkIn(old)
		}
		if err != nil {
			t.Fatal(err)
		}
	})
}

// Prefetch's statement is compiled once however small the audit's id: SQLite
// compiles a statement again at its first step when its plan may depend on
// a parameter bound to 0 or 1, and every store's first audit has the id 1.
// The authorizer is asked about every table a statement reads each time it
// is compiled, so the audit with id 1 must ask it as often as the one with
// id 2.
func TestPrefetchCompiledOnceForTheFirstAudit(t *testing.T) {
	ctx := context.Background()
	s, err := Open(ctx, filepath.Join(t.TempDir(), "store.db"), Options{EnteredBy: "qa.officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	first, second := newAudit(t, s, "a", 3), newAudit(t, s, "b", 3)
	if first != 1 || second != 2 {
		t.Fatalf("audit ids %d and %d, want 1 and 2", first, second)
	}
	// One connection, with the authorizer, for the write transactions below.
	s.db.SetMaxOpenConns(1)
	reads := 0
	c, err := s.db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	err = c.Raw(func(dc any) error {
		return dc.(sqlite.AuthorizerRegisterer).RegisterAuthorizer(func(a sqlite.AuthorizerActionCode, _, _, _, _ string) sqlite.AuthorizerReturnCode {
			if a == sqlite.AuthRead {
				reads++
			}
			return sqlite.AuthorizerOK
		})
	})
	c.Close()
	if err != nil {
		t.Fatal(err)
	}
	compiles := func(id int64) int {
		t.Helper()
		reads = 0
		p := Prefetch{Case: "CR-1", Kinds: []string{"allocation", "withdrawal"}, ActorKinds: []string{"finding"}, People: true}
		if err := s.Write(ctx, "reading", func(w *WriteTx) error { return w.Prefetch(ctx, id, p) }); err != nil {
			t.Fatal(err)
		}
		return reads
	}
	two := compiles(second)
	if two == 0 {
		t.Fatal("the authorizer was never asked")
	}
	if one := compiles(first); one != two {
		t.Errorf("Prefetch for audit 1 asked the authorizer %d times, for audit 2 %d: its statement was compiled again", one, two)
	}
}
