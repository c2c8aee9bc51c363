package store

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// What an outside tester did to a team store through psql with their own
// login must now be refused by the database itself; and the store works
// behind PgBouncer, bounds how long it waits for a server, and keeps its
// locks to itself.

// forge inserts a trail entry by hand as s's login, with the hash the
// database expects unless hash is given.
func forge(s *Store, audit string, id int64, e Entry, hash string) error {
	if hash == "" {
		h, err := Hash(audit, e.Seq, e)
		if err != nil {
			return err
		}
		hash = h
	}
	_, err := s.DB().Exec(`INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, e.Seq, e.Kind, e.Case, e.Actor, FormatTime(e.At), string(e.Payload), e.PrevHash, hash, e.EnteredBy)
	return err
}

func headOf(t *testing.T, s *Store, id int64) Entry {
	t.Helper()
	var last Entry
	err := s.Read(context.Background(), "reading", func(tx *Tx) error {
		es, err := tx.Entries(context.Background(), id, Filter{})
		if len(es) > 0 {
			last = es[len(es)-1]
		}
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return last
}

// The database computes every entry's hash as Hash does, byte for byte,
// whatever the text holds.
func TestDatabaseHashIsHash(t *testing.T) {
	where := pgStore(t)
	s, err := Open(context.Background(), where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	texts := []string{"", "B. Evans", `quote " and back\slash`, "tab\tnew\nline\rcr", "\b\f\x01\x1f\x7f",
		"line sep \u2028 para sep \u2029", "<script>&amp;</script>", "Zoë Ólafsdóttir", "emoji 👩‍👧 and 𝔘", "'; DROP TABLE trail; --"}
	for i, txt := range texts {
		e := Entry{Kind: "finding " + txt, Case: "CR-" + txt, Actor: txt, EnteredBy: txt, At: t0.Add(time.Duration(i) * time.Nanosecond),
			Payload: json.RawMessage(`{"note":` + mustJSON(t, txt) + `,"n":1.5e-07}`), PrevHash: ZeroHash}
		want, err := Hash("audit "+txt, i+1, e)
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = s.DB().QueryRow("SELECT entry_hash($1, $2, $3, $4, $5, $6, $7, $8, $9)",
			e.PrevHash, "audit "+txt, i+1, e.Kind, e.Case, e.Actor, e.EnteredBy, FormatTime(e.At), string(e.Payload)).Scan(&got)
		if err != nil {
			t.Fatal(err)
		}
		if got != want {
			t.Errorf("text %q: the database hashes to %s, Hash to %s", txt, got, want)
		}
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := CanonicalJSON(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestDatabaseRefusesForgedEntries(t *testing.T) {
	where := pgStore(t)
	owner, err := Open(context.Background(), where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	id := newAudit(t, owner, "june", 3)
	auditorURL, auditor := pgLoginAs(t, where, GroupAuditor)
	aud, err := Open(context.Background(), auditorURL, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer aud.Close()
	head := headOf(t, owner, id)
	next := func(kind string, payload string) Entry {
		return Entry{Seq: head.Seq + 1, Kind: kind, Case: "CR-1", Actor: "B. Evans", EnteredBy: auditor,
			At: t0.Add(time.Hour), Payload: json.RawMessage(payload), PrevHash: head.Hash}
	}
	for _, c := range []struct {
		name  string
		e     Entry
		hash  string
		wants string
	}{
		{"a hash that does not match its content", next("finding", `{"grade":"Good"}`), strings.Repeat("ab", 32), "does not hash to its content"},
		{"an action closed by an auditor", next("action-close", `{"note":"done"}`), "", "may not record entries of kind action-close"},
		{"an action closed with auto false", next("action-close", `{"auto":false}`), "", "may not record entries of kind action-close"},
		{"a sample entry by an auditor", next("grow", `{}`), "", "may not record entries of kind grow"},
		{"a payload that is not JSON", next("finding", `{"grade":`), strings.Repeat("cd", 32), "holds no JSON payload"},
		{"a time in another form", func() Entry { e := next("finding", `{}`); e.At = time.Time{}; return e }(), "0000", "malformed"},
		{"entered by someone else", func() Entry { e := next("finding", `{}`); e.EnteredBy = "a.khan"; return e }(), "", "cannot be made by the login"},
	} {
		err := forge(aud, "june", id, c.e, c.hash)
		if err == nil || !strings.Contains(err.Error(), c.wants) {
			t.Errorf("%s: %v (want %q)", c.name, err, c.wants)
		}
	}
	// What an auditor may do, done by hand correctly, goes in and verifies.
	if err := forge(aud, "june", id, next("finding", `{"grade":"Good"}`), ""); err != nil {
		t.Fatalf("a well-formed finding by hand: %v", err)
	}
	if err := owner.Read(context.Background(), "verifying", func(tx *Tx) error {
		es, err := tx.Entries(context.Background(), id, Filter{})
		if err != nil {
			return err
		}
		if p := CheckChain("june", es); len(p) > 0 {
			return errors.New(strings.Join(p, "; "))
		}
		return nil
	}); err != nil {
		t.Fatalf("the chain after a well-formed entry by hand: %v", err)
	}

	// Free text goes only on one's own entries: the auditor's own finding
	// above takes a text row, the owner's first entry does not.
	if _, err := aud.DB().Exec("INSERT INTO trail_text (audit_id, seq, field, salt, text) VALUES ($1, $2, 'note', 's', 'seen')", id, head.Seq+1); err != nil {
		t.Errorf("an auditor's text on her own entry: %v", err)
	}
	if _, err := aud.DB().Exec("INSERT INTO trail_text (audit_id, seq, field, salt, text) VALUES ($1, 1, 'note', 's', 'planted')", id); err == nil || !strings.Contains(err.Error(), "only to a trail entry it entered itself") {
		t.Errorf("an auditor's text on another's entry: %v", err)
	}

	// Malformed rows are refused even from the owner.
	for _, q := range []string{
		`INSERT INTO audit (name, created_at, seed, input_path, input_sha256, sheet, header_row, data_rows, filters, strata_column,
			allocation, min_per_stratum, initial_size, population, tool_version, columns, params) VALUES
			('bad', '2026-07-03T09:00:00.000000000Z', 's', 'x', '', 'S', 1, 1, '[', '', '', 0, 1, 1, 'v', '[]', '{}')`,
		`INSERT INTO audit (name, created_at, seed, input_path, input_sha256, sheet, header_row, data_rows, filters, strata_column,
			allocation, min_per_stratum, initial_size, population, tool_version, columns, params) VALUES
			('bad', 'yesterday', 's', 'x', '', 'S', 1, 1, '[]', '', '', 0, 1, 1, 'v', '[]', '{}')`,
		fmt.Sprintf(`INSERT INTO sampled_case (audit_id, ord, case_id, ticket, stratum, source_row, fields) VALUES (%d, 99, 'CR-9', 't', '', 2, 'not json')`, id),
	} {
		if _, err := owner.DB().Exec(q); err == nil || !strings.Contains(err.Error(), "malformed") {
			t.Errorf("a malformed row went in: %v\n%s", err, q)
		}
	}
}

// A login that can create objects in a schema of its search path cannot
// stand in for a catalog function the guards call.
func TestShadowedCatalogFunction(t *testing.T) {
	where := pgStore(t)
	owner, err := Open(context.Background(), where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer owner.Close()
	id := newAudit(t, owner, "june", 3)
	auditorURL, auditor := pgLoginAs(t, where, GroupAuditor)
	admin := pgAdminDB(t)
	var dbname string
	if err := admin.QueryRow("SELECT current_database()").Scan(&dbname); err != nil {
		t.Fatal(err)
	}
	// CREATE on the database, as PostgreSQL 12-14 gave every login on
	// the public schema.
	if _, err := admin.Exec("GRANT CREATE ON DATABASE " + quoteIdent(dbname) + " TO " + quoteIdent(auditor)); err != nil {
		t.Fatal(err)
	}
	defer admin.Exec("REVOKE CREATE ON DATABASE " + quoteIdent(dbname) + " FROM " + quoteIdent(auditor))
	cfg, err := pgx.ParseConfig(auditorURL)
	if err != nil {
		t.Fatal(err)
	}
	delete(cfg.RuntimeParams, "schema")
	cfg.RuntimeParams["search_path"] = quoteIdent("evil_"+auditor) + ", " + quoteIdent(owner.b.(*pgBackend).schema) + ", pg_catalog"
	db := stdlib.OpenDB(*cfg)
	defer db.Close()
	for _, f := range []string{
		"CREATE SCHEMA " + quoteIdent("evil_"+auditor),
		"CREATE FUNCTION pg_has_role(name, text, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
		"CREATE FUNCTION pg_has_role(name, oid, text) RETURNS boolean LANGUAGE sql AS 'SELECT true'",
		"CREATE FUNCTION repeat(text, integer) RETURNS text LANGUAGE sql AS 'SELECT ''x'''",
	} {
		if _, err := db.Exec(f); err != nil {
			t.Fatal(err)
		}
	}
	head := headOf(t, owner, id)
	e := Entry{Seq: head.Seq + 1, Kind: "grow", Actor: "B. Evans", EnteredBy: "a.khan", At: t0.Add(time.Hour),
		Payload: json.RawMessage(`{}`), PrevHash: head.Hash}
	h, _ := Hash("june", e.Seq, e)
	_, err = db.Exec(`INSERT INTO trail (audit_id, seq, kind, case_id, actor, at, payload, prev_hash, hash, entered_by)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`, id, e.Seq, e.Kind, e.Case, e.Actor, FormatTime(e.At), string(e.Payload), e.PrevHash, h, e.EnteredBy)
	if err == nil || !strings.Contains(err.Error(), "cannot be made by the login") {
		t.Fatalf("an entry entered as someone else through a shadowed pg_has_role: %v", err)
	}
}

// Store init puts back every guard that was dropped, disabled or replaced,
// and the integrity check (verify) names each until it does.
func TestInitRestoresGuards(t *testing.T) {
	where := pgStore(t)
	s, err := Open(context.Background(), where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("a new store: %v", err)
	}
	for _, q := range []string{
		"DROP TRIGGER trail_check ON trail",
		"ALTER TABLE audit DISABLE TRIGGER audit_no_change",
		"CREATE OR REPLACE FUNCTION sampled_case_check() RETURNS trigger LANGUAGE plpgsql SET search_path = pg_catalog, pg_temp AS $$ BEGIN RETURN NEW; END $$",
		"ALTER FUNCTION json_string(text) RESET search_path",
	} {
		if _, err := s.DB().Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	err = s.IntegrityCheck(context.Background())
	for _, want := range []string{"the trigger trail_check on trail is missing", "the trigger audit_no_change on audit is disabled",
		"the function sampled_case_check has been changed", "the function json_string runs with another search_path", "store init"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("the integrity check does not say %q: %v", want, err)
		}
	}
	if _, err := InitPostgres(context.Background(), where); err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatalf("after store init: %v", err)
	}
}

// Two stores in one database, and a lock taken by hand on the key every
// store once shared, never hold up each other's writers.
func TestLocksArePerStore(t *testing.T) {
	a, err := Open(context.Background(), pgStore(t), Options{BusyTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := Open(context.Background(), pgStore(t), Options{BusyTimeout: 500 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	ida, idb := newAudit(t, a, "june", 1), newAudit(t, b, "june", 1)
	if ida != idb {
		t.Fatalf("the two audits have ids %d and %d; the test needs the same", ida, idb)
	}
	admin := pgAdminDB(t)
	conn, err := admin.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	if _, err := conn.ExecContext(context.Background(), "SELECT pg_advisory_lock($1, $2)", 0x43415544, int32(ida)); err != nil {
		t.Fatal(err)
	}
	held, release := make(chan struct{}), make(chan struct{})
	done := make(chan error, 1)
	go func() {
		done <- a.Write(context.Background(), "holding", func(w *WriteTx) error {
			if _, err := w.Chain(context.Background(), ida, "june"); err != nil {
				return err
			}
			close(held)
			<-release
			return nil
		})
	}()
	<-held
	err = b.Write(context.Background(), "appending", func(w *WriteTx) error {
		c, err := w.Chain(context.Background(), idb, "june")
		if err != nil {
			return err
		}
		_, err = c.Append(context.Background(), Draft{Kind: "finding", Case: "CR-1", Actor: "B. Evans", At: t0, Payload: map[string]any{}})
		return err
	})
	close(release)
	if err != nil {
		t.Fatalf("a write to another store waited for this one's lock: %v", err)
	}
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// pgBouncer is the URL of .ci/postgres's PgBouncer in front of the test
// server; the test skips without one, and fails under CI.
func pgBouncer(t *testing.T) string {
	t.Helper()
	bouncer := os.Getenv("CASEAUDIT_TEST_PGBOUNCER")
	if bouncer == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CASEAUDIT_TEST_PGBOUNCER is not set: CI must test the store behind PgBouncer (.ci/postgres starts one when pgbouncer is installed)")
		}
		t.Skip("no PgBouncer: install pgbouncer and start the test server with .ci/postgres to run this test")
	}
	return bouncer
}

// The store works behind PgBouncer in transaction pooling mode: no startup
// parameter it refuses, no named prepared statement that collides, nothing
// kept in a session that the next transaction may not have.
func TestBehindPgBouncer(t *testing.T) {
	bouncer := pgBouncer(t)
	direct := pgStore(t)
	du, _ := url.Parse(direct)
	bu, err := url.Parse(bouncer)
	if err != nil {
		t.Fatal(err)
	}
	bu.RawQuery = du.RawQuery // the schema
	where := bu.String()
	s, err := Open(context.Background(), where, Options{EnteredBy: "qa"})
	if err != nil {
		t.Fatalf("opening through PgBouncer: %v", err)
	}
	defer s.Close()
	id := newAudit(t, s, "june", 5)
	const writers, each = 6, 8
	var wg sync.WaitGroup
	var failed atomic.Value
	for g := 0; g < writers; g++ {
		wg.Add(1)
		go func(g int) {
			defer wg.Done()
			st, err := Open(context.Background(), where, Options{EnteredBy: "qa", BusyTimeout: 30 * time.Second})
			if err != nil {
				failed.Store(err)
				return
			}
			defer st.Close()
			for i := 0; i < each; i++ {
				err := st.Write(context.Background(), "recording", func(w *WriteTx) error {
					c, err := w.Chain(context.Background(), id, "june")
					if err != nil {
						return err
					}
					_, err = c.Append(context.Background(), Draft{Kind: "finding", Case: fmt.Sprintf("CR-%d", i%5+1), Actor: fmt.Sprintf("auditor %d", g), At: t0, Payload: map[string]any{"i": i}})
					return err
				})
				if err != nil {
					failed.Store(err)
					return
				}
			}
		}(g)
	}
	wg.Wait()
	if err, _ := failed.Load().(error); err != nil {
		t.Fatalf("a writer behind PgBouncer: %v", err)
	}
	err = s.Read(context.Background(), "verifying", func(tx *Tx) error {
		es, err := tx.Entries(context.Background(), id, Filter{})
		if err != nil {
			return err
		}
		if len(es) != 1+writers*each {
			return fmt.Errorf("%d entries, want %d", len(es), 1+writers*each)
		}
		if p := CheckChain("june", es); len(p) > 0 {
			return errors.New(strings.Join(p, "; "))
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// freezer is a TCP proxy to the test server that can stop passing bytes
// while keeping the connections open: a server that stopped answering.
type freezer struct {
	ln     net.Listener
	target string
	frozen atomic.Bool
}

func newFreezer(t *testing.T, target string) *freezer {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	f := &freezer{ln: ln, target: target}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			s, err := net.Dial("tcp", target)
			if err != nil {
				c.Close()
				continue
			}
			go f.pipe(c, s)
			go f.pipe(s, c)
		}
	}()
	return f
}

func (f *freezer) pipe(dst, src net.Conn) {
	defer dst.Close()
	buf := make([]byte, 32<<10)
	for {
		n, err := src.Read(buf)
		for f.frozen.Load() {
			time.Sleep(10 * time.Millisecond)
			if errors.Is(err, io.EOF) {
				return
			}
		}
		if n > 0 {
			if _, werr := dst.Write(buf[:n]); werr != nil {
				return
			}
		}
		if err != nil {
			return
		}
	}
}

// A server that stops answering ends a command with a message within the
// store's deadline, instead of hanging.
func TestDeadline(t *testing.T) {
	qa, _ := pgLoginAs(t, pgStore(t), GroupQA)
	u, _ := url.Parse(qa)
	f := newFreezer(t, u.Host)
	u.Host = f.ln.Addr().String()
	s, err := Open(context.Background(), u.String(), Options{Deadline: time.Second})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := newAudit(t, s, "june", 2)
	f.frozen.Store(true)
	err = s.Read(context.Background(), "reading the trail of", func(tx *Tx) error {
		_, err := tx.Entries(context.Background(), id, Filter{})
		return err
	})
	if err == nil || !strings.Contains(err.Error(), "no answer within 1s") || !strings.Contains(err.Error(), "db_timeout") {
		t.Fatalf("a frozen server: %v", err)
	}
}

// TestStatementModeByURL: no named prepared statement by default (a
// transaction pooler would mix them up between clients); a direct
// connection may ask for cached ones with pgx's default_query_exec_mode.
func TestStatementModeByURL(t *testing.T) {
	ctx := context.Background()
	base := pgStore(t)
	for _, c := range []struct {
		param string
		named bool
	}{{"", false}, {"cache_statement", true}} {
		where := base
		if c.param != "" {
			where += "&default_query_exec_mode=" + c.param
		}
		s, err := Open(ctx, where, Options{EnteredBy: "qa"})
		if err != nil {
			t.Fatalf("%q: %v", c.param, err)
		}
		id := newAudit(t, s, "mode"+c.param, 2)
		for i := 0; i < 2; i++ {
			err := s.Write(ctx, "recording", func(w *WriteTx) error {
				ch, err := w.Chain(ctx, id, "mode"+c.param)
				if err != nil {
					return err
				}
				_, err = ch.Append(ctx, Draft{Kind: "finding", Case: "CR-1", Actor: "a", At: t0, Payload: map[string]any{"i": i}})
				return err
			})
			if err != nil {
				t.Fatalf("%q: recording: %v", c.param, err)
			}
		}
		conn, err := s.DB().Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		var one, n int
		for i := 0; i < 2; i++ {
			if err := conn.QueryRowContext(ctx, "SELECT 1").Scan(&one); err != nil {
				t.Fatal(err)
			}
		}
		if err := conn.QueryRowContext(ctx, "SELECT count(*) FROM pg_catalog.pg_prepared_statements").Scan(&n); err != nil {
			t.Fatal(err)
		}
		conn.Close()
		s.Close()
		if (n > 0) != c.named {
			t.Errorf("default_query_exec_mode %q: %d named prepared statements in the session, want named=%v", c.param, n, c.named)
		}
	}
}
