package main

import (
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/csv"
	"encoding/hex"
	"fmt"
	"io"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The duties table through the command line: every duty, done by each of
// QA, the case's auditor, another auditor, a moderator and a login not on
// the people list, on both backends, exits 0 or 5 as the README's "Who may
// do what" says; and a refused command changes nothing (every trail head,
// the people list and the list of audits are as before).
//
// The expectation is written out here by hand from the README's table, not
// read from audit.Allowed: the test must be able to disagree with the code.
//
// The people: Q. Lead (qa), B. Evans (auditor: "the case's auditor"), A. Khan
// (auditor: "another auditor"), M. Moderator (moderator), and a login with
// no place on the list. The audit: 12 cases allocated between A. Khan and
// B. Evans; each has recorded two of hers (B. Evans's first flagged, which
// opens a follow-up action with no owner), and a moderation sample of 3 of
// those 4 is drawn.
//
// "Own case" is the actor's own where she has one: the case allocated to
// her (to record), or audited by her (to moderate); QA, the moderator and
// the stranger have none, and act on B. Evans's case. "Another's case" is
// a case allocated to, or audited by, the other auditor (B. Evans's for
// everyone but B. Evans, whose "another's" is A. Khan's), recorded under
// that auditor's name.
var dutyMatrix = []struct {
	duty string
	want string // exit codes for qa, auditor, other, moderator, unmapped
}{
	//                              qa auditor other moderator unmapped
	{"draw" /*                  */, "0  5       5     5         5"},
	{"grow" /*                  */, "0  5       5     5         5"},
	{"withdraw" /*              */, "0  5       5     5         5"},
	{"allocate" /*              */, "0  5       5     5         5"},
	{"moderation draw" /*       */, "0  5       5     5         5"},
	{"record own case" /*       */, "0  0       0     5         5"},
	{"record another's case" /* */, "0  5       5     5         5"},
	{"import" /*                */, "0  0       5     5         5"},
	{"moderate own case" /*     */, "0  5       5     0         5"},
	{"moderate another's case", "0  0       0     0         5"},
	{"close action" /*          */, "0  5       5     5         5"},
	{"respond to action" /*     */, "0  5       5     5         5"},
	{"sign off" /*              */, "0  5       5     5         5"},
	{"people add" /*            */, "0  5       5     5         5"},
	{"owners set" /*            */, "0  5       5     5         5"},
	{"redact" /*                */, "0  5       5     5         5"},
}

var matrixRoles = []string{"qa", "auditor", "other", "moderator", "unmapped"}

// matrixNames are the people's names by role key.
var matrixNames = map[string]string{"qa": "Q. Lead", "auditor": "B. Evans", "other": "A. Khan", "moderator": "M. Moderator"}

// matrixFixture is the store every cell starts from, and what the cells
// need to know of it.
type matrixFixture struct {
	export string
	logins map[string]string // role key → login
	// casesOf lists each auditor's allocated cases, by name: the first two
	// recorded, the rest not.
	casesOf map[string][]string
	// moderated is a case of the moderation sample audited by each
	// auditor, by name.
	moderated map[string]string
	// finding is the trail entry of the first finding (its note is what
	// redact erases).
	finding int
}

// matrixBackend runs the command line against one backend.
type matrixBackend struct {
	name string
	// fresh returns a new store holding a copy of the fixture, and the --db
	// to give as login (with the flags that name the person acting).
	fresh func(t *testing.T) (admin string, as func(login string) []string)
}

func TestDutyMatrixCLI(t *testing.T) {
	if len(dutyMatrix) != 16 {
		t.Fatalf("the matrix has %d duties", len(dutyMatrix))
	}
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	t.Setenv("CASEAUDIT_DB", "")
	t.Setenv("CASEAUDIT_USER", "")
	t.Setenv("CASEAUDIT_AUDITOR", "")
	t.Setenv("CASEAUDIT_ROLE", "")
	t.Run("sqlite", func(t *testing.T) {
		logins := map[string]string{"qa": "qa.lead", "auditor": "bevans", "other": "akhan", "moderator": "mmod", "unmapped": "stranger"}
		fx, path := buildMatrixFixture(t, logins)
		runMatrix(t, fx, func(t *testing.T) (string, func(string) []string) {
			dir := t.TempDir()
			p := filepath.Join(dir, "caseaudit.db")
			copyFile(t, path, p)
			return p, func(login string) []string { return []string{"--db", p, "--user", login} }
		})
	})
	t.Run("postgres", func(t *testing.T) {
		base := os.Getenv("CASEAUDIT_TEST_POSTGRES")
		if base == "" {
			if os.Getenv("CI") == "true" {
				t.Fatal("CASEAUDIT_TEST_POSTGRES is not set: CI must run the PostgreSQL tests (.ci/run starts a server)")
			}
			t.Skip("no PostgreSQL server: set CASEAUDIT_TEST_POSTGRES (eval \"$(.ci/postgres start)\") to run the PostgreSQL tests")
		}
		pg := newMatrixPostgres(t, base)
		logins := map[string]string{}
		for _, r := range matrixRoles {
			group := store.GroupAuditor
			if r == "qa" {
				group = store.GroupQA
			}
			// The stranger may write to caseaudit stores at all (she holds
			// the auditor group role): it is the people list that refuses
			// her, as it would a colleague not yet added.
			logins[r] = pg.login(t, group)
		}
		// The fixture is made on SQLite under the PostgreSQL logins, then
		// copied into a store of its own for each cell (store copy keeps who
		// entered what, and the people list).
		fx, path := buildMatrixFixture(t, logins)
		runMatrix(t, fx, func(t *testing.T) (string, func(string) []string) {
			where := pg.store(t)
			if code, _, errs := runCmd(t, "store", "copy", path, where); code != 0 {
				t.Fatalf("store copy: %s", errs)
			}
			return where, func(login string) []string { return []string{"--db", pg.as(t, where, login)} }
		})
	})
}

// runMatrix runs every cell. Cells expected to be refused share one store
// (a refusal changes nothing, which each checks); each cell expected to
// succeed gets a fresh copy.
func runMatrix(t *testing.T, fx *matrixFixture, fresh func(t *testing.T) (string, func(string) []string)) {
	shared, sharedAs := fresh(t)
	for _, row := range dutyMatrix {
		want := strings.Fields(row.want)
		if len(want) != len(matrixRoles) {
			t.Fatalf("%s: %d expectations", row.duty, len(want))
		}
		for i, role := range matrixRoles {
			where, as := shared, sharedAs
			if want[i] == "0" {
				where, as = fresh(t)
			}
			args, setup := matrixCommand(t, fx, row.duty, role)
			if setup != nil {
				setup(t, as)
			}
			before := fingerprint(t, where)
			full := append(as(fx.logins[role]), args...)
			code, out, errs := runCmd(t, full...)
			got := fmt.Sprint(code)
			if got != want[i] {
				t.Errorf("%s by %s (%s): exit %s, want %s\n%s%s", row.duty, role, strings.Join(args, " "), got, want[i], out, errs)
				continue
			}
			if code == 5 {
				if after := fingerprint(t, where); after != before {
					t.Errorf("%s by %s was refused but changed the store:\nbefore %s\nafter  %s", row.duty, role, before, after)
				}
				if !strings.HasPrefix(errs, "caseaudit: refused: ") || strings.Count(strings.TrimSpace(errs), "\n") > 0 {
					t.Errorf("%s by %s: the refusal is not one line beginning \"refused:\": %q", row.duty, role, errs)
				}
			} else if after := fingerprint(t, where); after == before {
				t.Errorf("%s by %s succeeded but changed nothing", row.duty, role)
			}
		}
	}
}

// matrixCommand is the command line of a duty done by role (without the
// store and login flags), and what it needs done first, as QA, on its
// store.
func matrixCommand(t *testing.T, fx *matrixFixture, duty, role string) ([]string, func(*testing.T, func(string) []string)) {
	me := matrixNames[role]
	if me == "" {
		me = "S. Tranger"
	}
	// The case she audits and the one another audits.
	own, other := "B. Evans", "A. Khan"
	if role == "other" {
		own, other = "A. Khan", "B. Evans"
	}
	if role == "auditor" {
		other = "A. Khan"
	} else if role != "other" {
		other = "B. Evans"
	}
	unrecorded := func(auditor string) string { return fx.casesOf[auditor][2] }
	flagged := fx.casesOf["B. Evans"][0]
	switch duty {
	case "draw":
		return []string{"sample", fx.export, "--size", "5", "--seed", "october", "--audit", "October", "--form", "none", "--format", "ids", "-q"}, nil
	case "grow":
		return []string{"sample", fx.export, "--audit", "September", "--grow", "2", "--format", "ids", "-q"}, nil
	case "withdraw":
		return []string{"withdraw", "September", unrecorded(own), "--reason", "closed before the audit"}, nil
	case "allocate":
		return []string{"allocate", "September", "--auditors", "B. Evans,A. Khan"}, nil
	case "moderation draw":
		return []string{"moderate", "September", "--size", "4", "--seed", "m", "--format", "ids"}, nil
	case "record own case":
		c := unrecorded(own)
		name := me
		if role == "auditor" || role == "other" {
			name = own
		}
		return []string{"record", "September", c, "--grade", "good", "--immediate", "no", "--auditor", name, "--note", "read in full", "--new-auditor"}, nil
	case "record another's case":
		return []string{"record", "September", unrecorded(other), "--grade", "good", "--immediate", "no", "--auditor", other, "--note", "read in full"}, nil
	case "import":
		// B. Evans's rows: her unrecorded case, under her name.
		f := filepath.Join(t.TempDir(), "findings.csv")
		body := "#,Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n1," + unrecorded("B. Evans") + ",B. Evans,Good,No,Read in full,01/07/2026\n"
		if err := os.WriteFile(f, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return []string{"import", "September", f}, nil
	case "moderate own case":
		c := fx.moderated[own]
		return []string{"record", "September", c, "--moderation", "--grade", "good", "--immediate", "no", "--auditor", me, "--note", "agree", "--new-auditor"}, nil
	case "moderate another's case":
		c := fx.moderated[other]
		return []string{"record", "September", c, "--moderation", "--grade", "good", "--immediate", "no", "--auditor", me, "--note", "agree", "--new-auditor"}, nil
	case "close action":
		return []string{"action", "close", "September", flagged, "--note", "response checked"}, nil
	case "respond to action":
		return []string{"action", "respond", "September", flagged, "--note", "visited; safety plan in place"}, nil
	case "sign off":
		return []string{"signoff", "September", "--force", "--format", "json"}, nil
	case "people add":
		return []string{"people", "add", "cnowak", "--name", "C. Nowak", "--role", "auditor"}, nil
	case "owners set":
		return []string{"owners", "set", "Salisbury CIN", "J. Smith"}, nil
	case "redact":
		return []string{"redact", "September", fmt.Sprint(fx.finding), "--reason", "the note names a child", "--role", "qa"}, nil
	}
	t.Fatalf("no command for duty %q", duty)
	return nil, nil
}

// buildMatrixFixture makes the fixture in an SQLite file, acting as the
// logins given, and returns it with the file's path.
func buildMatrixFixture(t *testing.T, logins map[string]string) (*matrixFixture, string) {
	t.Helper()
	dir := t.TempDir()
	export := writeExport(t, "cases.csv", synth.Options{Rows: 400, Seed: 21})
	path := filepath.Join(dir, "fixture.db")
	fx := &matrixFixture{export: export, logins: logins, casesOf: map[string][]string{}, moderated: map[string]string{}}
	qa := logins["qa"]
	must := func(args ...string) string {
		t.Helper()
		code, out, errs := runCmd(t, append([]string{"--db", path}, args...)...)
		if code != 0 {
			t.Fatalf("fixture: caseaudit %s: exit %d: %s", strings.Join(args, " "), code, errs)
		}
		return out
	}
	must("sample", export, "--size", "12", "--seed", "matrix", "--audit", "September", "--form", "none", "--format", "ids", "-q", "--user", qa)
	must("people", "add", qa, "--name", "Q. Lead", "--role", "qa", "--user", qa)
	must("people", "add", logins["auditor"], "--name", "B. Evans", "--role", "auditor", "--user", qa)
	must("people", "add", logins["other"], "--name", "A. Khan", "--role", "auditor", "--user", qa)
	must("people", "add", logins["moderator"], "--name", "M. Moderator", "--role", "moderator", "--user", qa)
	alloc := must("allocate", "September", "--auditors", "A. Khan,B. Evans", "--format", "csv", "--user", qa)
	recs, err := csv.NewReader(strings.NewReader(alloc)).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	for _, r := range recs[1:] {
		fx.casesOf[r[1]] = append(fx.casesOf[r[1]], r[0])
	}
	for _, name := range []string{"A. Khan", "B. Evans"} {
		if len(fx.casesOf[name]) < 3 {
			t.Fatalf("fixture: %s has %d cases", name, len(fx.casesOf[name]))
		}
	}
	record := func(login, name, c, immediate string) {
		must("record", "September", c, "--grade", "ri", "--immediate", immediate, "--auditor", name, "--note", "plan out of date for the child", "--user", login)
	}
	record(logins["auditor"], "B. Evans", fx.casesOf["B. Evans"][0], "yes")
	record(logins["auditor"], "B. Evans", fx.casesOf["B. Evans"][1], "no")
	record(logins["other"], "A. Khan", fx.casesOf["A. Khan"][0], "no")
	record(logins["other"], "A. Khan", fx.casesOf["A. Khan"][1], "no")
	ids := strings.Fields(must("moderate", "September", "--size", "3", "--seed", "m", "--format", "ids", "--user", qa))
	for _, name := range []string{"A. Khan", "B. Evans"} {
		for _, c := range fx.casesOf[name][:2] {
			if slices.Contains(ids, c) && fx.moderated[name] == "" {
				fx.moderated[name] = c
			}
		}
		if fx.moderated[name] == "" {
			t.Fatalf("fixture: no case of %s in the moderation sample %v", name, ids)
		}
	}
	st, err := audit.Open(context.Background(), path, audit.Options{Actor: qa})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	es, err := st.Trail(context.Background(), "September")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range es {
		if e.Kind == audit.KindFinding && fx.finding == 0 {
			fx.finding = e.Seq
		}
	}
	return fx, path
}

// fingerprint is what a refused command must leave as it was: every
// audit's trail length and head, and the people list.
func fingerprint(t *testing.T, where string) string {
	t.Helper()
	st, err := audit.Open(context.Background(), where, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	as, err := st.Audits(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	var b strings.Builder
	for _, a := range as {
		fmt.Fprintf(&b, "%s:%d:%s ", a.Name, a.Entries, a.Head)
	}
	ps, err := st.People(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range ps {
		fmt.Fprintf(&b, "%s=%s%v ", p.Login, p.Name, p.Roles)
	}
	return b.String()
}

func copyFile(t *testing.T, from, to string) {
	t.Helper()
	in, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer in.Close()
	out, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(out, in); err != nil {
		t.Fatal(err)
	}
	if err := out.Close(); err != nil {
		t.Fatal(err)
	}
}

// matrixPostgres makes logins and stores on the test server. Each login
// gets a password, kept in a password file of the test's own beside the
// administrator's (PGPASSFILE), never in a URL.
type matrixPostgres struct {
	base  string
	admin *sql.DB
	pass  string // the password file
	// groups is each login's group (store.GroupQA, GroupAuditor): every
	// store made gives the login its own role of that group, as roles are
	// per store.
	groups map[string]string
}

func newMatrixPostgres(t *testing.T, base string) *matrixPostgres {
	cfg, err := pgx.ParseConfig(base)
	if err != nil {
		t.Fatal(err)
	}
	admin := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { admin.Close() })
	pass := filepath.Join(t.TempDir(), "pgpass")
	var prev []byte
	if f := os.Getenv("PGPASSFILE"); f != "" {
		prev, _ = os.ReadFile(f)
	}
	if err := os.WriteFile(pass, prev, 0o600); err != nil {
		t.Fatal(err)
	}
	if os.Getenv("PGPASSWORD") != "" {
		t.Skip("PGPASSWORD is set: it would stand for every login of the matrix; use PGPASSFILE")
	}
	t.Setenv("PGPASSFILE", pass)
	return &matrixPostgres{base: base, admin: admin, pass: pass, groups: map[string]string{}}
}

func matrixRandom(prefix string) string {
	b := make([]byte, 6)
	rand.Read(b)
	return prefix + hex.EncodeToString(b)
}

// login makes a login role that each store made from then on puts in
// its role of group, and returns its name.
func (pg *matrixPostgres) login(t *testing.T, group string) string {
	t.Helper()
	role, pw := matrixRandom("m_"), matrixRandom("pw")
	if _, err := pg.admin.Exec(`CREATE ROLE "` + role + `" LOGIN PASSWORD '` + pw + `'`); err != nil {
		t.Fatal(err)
	}
	pg.groups[role] = group
	t.Cleanup(func() {
		pg.admin.Exec(`DROP OWNED BY "` + role + `"`)
		pg.admin.Exec(`DROP ROLE "` + role + `"`)
	})
	f, err := os.OpenFile(pg.pass, os.O_APPEND|os.O_WRONLY, 0o600)
	if err != nil {
		t.Fatal(err)
	}
	fmt.Fprintf(f, "*:*:*:%s:%s\n", role, pw)
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return role
}

// store makes a new, empty store (a schema of its own, dropped after the
// test) and returns its URL as the administrator.
func (pg *matrixPostgres) store(t *testing.T) string {
	t.Helper()
	schema := matrixRandom("mx_")
	u, err := url.Parse(pg.base)
	if err != nil {
		t.Fatal(err)
	}
	q := u.Query()
	q.Set("schema", schema)
	u.RawQuery = q.Encode()
	where := u.String()
	if code, _, errs := runCmd(t, "store", "init", where); code != 0 {
		t.Fatalf("store init: %s", errs)
	}
	var prefix string
	if err := pg.admin.QueryRow(`SELECT value FROM "` + schema + `".meta WHERE key = 'role_prefix'`).Scan(&prefix); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		pg.admin.Exec(`DROP SCHEMA IF EXISTS "` + schema + `" CASCADE`)
		for _, g := range []string{store.GroupQA, store.GroupAuditor, store.GroupGovernance} {
			pg.admin.Exec(`DROP ROLE IF EXISTS "` + prefix + "_" + g + `"`)
		}
	})
	for login, g := range pg.groups {
		if _, err := pg.admin.Exec(`GRANT "` + prefix + "_" + g + `" TO "` + login + `"`); err != nil {
			t.Fatal(err)
		}
	}
	return where
}

// as returns the store's URL as login.
func (pg *matrixPostgres) as(t *testing.T, where, login string) string {
	t.Helper()
	u, err := url.Parse(where)
	if err != nil {
		t.Fatal(err)
	}
	u.User = url.User(login)
	return u.String()
}
