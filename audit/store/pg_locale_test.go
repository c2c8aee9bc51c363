package store

import (
	"bytes"
	"context"
	"crypto/rand"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

// The guards compare names as caseaudit does (sameName, normTeam,
// colname.Index): every letter's case aside, not only ASCII's, and the
// white space Go's unicode.IsSpace knows, no more and no less, whatever
// collation the text comes in: the store's columns are COLLATE "C", a
// case's fields and a payload's values the database's default, and a
// database may default to an ICU collation.

// guardCollations are the collations the guards' name functions are
// called with here: the store's columns', the database's default, and
// ICU's root collation where the server has ICU.
func guardCollations(t *testing.T, db *sql.DB) []string {
	t.Helper()
	out := []string{"C", "default"}
	var icu bool
	if err := db.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_collation WHERE collname = 'und-x-icu')`).Scan(&icu); err != nil {
		t.Fatal(err)
	}
	if icu {
		out = append(out, "und-x-icu")
	}
	return out
}

func TestGuardsCompareNamesAsCaseaudit(t *testing.T) {
	where := pgStore(t)
	schema := mustSchema(t, where)
	db := pgAdminDB(t)
	names := []string{
		"ÉLODIE DUPONT", "Élodie\u00a0 Dupont", "ŁUKASZ WÓJCIK", "ДАРЬЯ СМИРНОВА", "ÇA\tVA\v",
		"\u2003B.\u3000Evans\u0085", "\u205fA. Khan\u202f", "B.\u1680\u2028Lee\u2029",
		// Not white space to Go, though some collations' \s count them:
		// the information separators U+001C to U+001F, and zero-width space.
		"A.\u001fKhan", "A.\u001cKhan", "A.\u200bKhan",
		// The letters a database's casing may take otherwise than
		// caseaudit: final sigma, long s, dotted capital and dotless I,
		// sharp s, the Kelvin and micro signs.
		"ΟΔΥΣΣΕΥΣ", "Οδυσσευς", "Gſell", "İLKAY YILDIZ", "İlkay Yıldız", "ẞ. STRAUß", "\u212a. Khan", "\u00b5. Patel",
	}
	for _, coll := range guardCollations(t, db) {
		for _, n := range names {
			var got string
			q := fmt.Sprintf(`SELECT %s.name_key($1::text COLLATE %s)`, quoteIdent(schema), quoteIdent(coll))
			if err := db.QueryRow(q, n).Scan(&got); err != nil {
				t.Fatalf("name_key(%q COLLATE %s): %v", n, coll, err)
			}
			if want := namekey.Key(n); got != want {
				t.Errorf("name_key(%q COLLATE %s) = %q; caseaudit compares it as %q", n, coll, got, want)
			}
		}
		// Every code point but NUL, which text cannot hold, in one name:
		// the guards key each as caseaudit does, letters and white space.
		var every strings.Builder
		for r := rune(1); r <= unicode.MaxRune; r++ {
			if !utf8.ValidRune(r) {
				continue
			}
			every.WriteRune(r)
			if r%64 == 0 {
				every.WriteString(" \u00a0")
			}
		}
		var got string
		q := fmt.Sprintf(`SELECT %s.name_key($1::text COLLATE %s)`, quoteIdent(schema), quoteIdent(coll))
		if err := db.QueryRow(q, every.String()).Scan(&got); err != nil {
			t.Fatalf("name_key(every code point COLLATE %s): %v", coll, err)
		}
		if want := namekey.Key(every.String()); got != want {
			gr, wr := []rune(got), []rune(want)
			for i := range min(len(gr), len(wr)) {
				if gr[i] != wr[i] {
					t.Errorf("name_key(every code point COLLATE %s) differs from caseaudit's key first at %U (%q): %U, caseaudit %U", coll, wr[i], string(wr[i]), gr[i], wr[i])
					break
				}
			}
			if len(gr) != len(wr) {
				t.Errorf("name_key(every code point COLLATE %s) has %d code points, caseaudit's key %d", coll, len(gr), len(wr))
			}
		}
		columns := []string{"Team", " ÉQUIPE\u00a0", "Worker", "Allocated\u001fWorker"}
		cols, _ := json.Marshal(columns)
		for _, name := range []string{"équipe", "ÉQUIPE\u2003", "worker", "Worker\u001f", "\u001fworker", "allocated\u001fworker", "Allocated Worker"} {
			var got sql.NullInt64
			q := fmt.Sprintf(`SELECT %s.column_index($1, $2::text COLLATE %s)`, quoteIdent(schema), quoteIdent(coll))
			if err := db.QueryRow(q, string(cols), name).Scan(&got); err != nil {
				t.Fatalf("column_index(%q COLLATE %s): %v", name, coll, err)
			}
			want := colname.Index(columns, name)
			if !got.Valid && want != -1 || got.Valid && int(got.Int64) != want {
				t.Errorf("column_index(%q COLLATE %s) = %v; colname.Index gives %d", name, coll, got, want)
			}
		}
	}
}

// pgSuperuser opens the database db of the throwaway cluster .ci/postgres
// starts as its superuser, over its private socket, to make a database in
// another locale; it skips without that cluster, unless CI=true.
func pgSuperuser(t *testing.T, db string) *sql.DB {
	t.Helper()
	dir := testEnv(t, "CASEAUDIT_TEST_POSTGRES_DIR", "CI must run this test with the cluster of .ci/postgres start",
		"needs the cluster of .ci/postgres start (CASEAUDIT_TEST_POSTGRES_DIR)")
	u, err := url.Parse(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	cfg, err := pgx.ParseConfig(fmt.Sprintf("host=%s port=%s user=postgres dbname=%s", filepath.Join(dir, "sock"), u.Port(), db))
	if err != nil {
		t.Fatal(err)
	}
	sdb := stdlib.OpenDB(*cfg)
	t.Cleanup(func() { sdb.Close() })
	return sdb
}

// pgBin is the path of one of the server's programs (pg_dump, psql).
func pgBin(t *testing.T, name string) string {
	t.Helper()
	if m, _ := filepath.Glob("/usr/lib/postgresql/*/bin/" + name); len(m) > 0 {
		return m[len(m)-1]
	}
	p, err := exec.LookPath(name)
	if err != nil {
		t.Fatalf("%s is not installed: %v", name, err)
	}
	return p
}

// A database in the C or POSIX locale puts only A to Z in lower case, so
// the guards could not compare names as caseaudit does: store init makes
// no store in one, and says what database to make instead. A store that
// is in one already (restored from a dump, here) still opens, with a
// warning, so that it can be read and copied out; the integrity check
// names the problem and the way out; store init re-applies its guards and
// says the same.
func TestStoreRefusesADatabaseFoldingOnlyASCII(t *testing.T) {
	ctx := context.Background()
	// The store to restore, made first: its roles are dropped after the
	// database that holds its copy.
	where := pgStore(t)
	super := pgSuperuser(t, "postgres")
	base, err := url.Parse(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	dbName, cu := throwawayDatabase(t, super, base, "ca_c_", `LOCALE 'C'`)
	cURL := cu.String()

	_, err = InitPostgres(ctx, cURL)
	want := "the database of " + Redact(cURL) + " puts only A to Z in lower case (its LC_CTYPE is C), so a store's guards would take ÉLODIE and Élodie for two people where caseaudit takes them for one; a caseaudit store needs a database with a UTF-8 locale: CREATE DATABASE … ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0 (or another UTF-8 locale)"
	if err == nil || err.Error() != want {
		t.Fatalf("store init in a C-locale database: %v\nwant %s", err, want)
	}
	var schemas int
	if err := pgSuperuser(t, dbName).QueryRow(`SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'caseaudit'`).Scan(&schemas); err != nil || schemas != 0 {
		t.Fatalf("store init refused, yet made the schema: %d %v", schemas, err)
	}

	// A store restored into such a database.
	schema := mustSchema(t, where)
	s, err := Open(ctx, where, Options{})
	if err != nil {
		t.Fatal(err)
	}
	s.Close()
	dir := os.Getenv("CASEAUDIT_TEST_POSTGRES_DIR")
	conn := []string{"-h", filepath.Join(dir, "sock"), "-p", base.Port(), "-U", "postgres"}
	dump, err := exec.Command(pgBin(t, "pg_dump"), append(conn, "-d", strings.TrimPrefix(base.Path, "/"), "-n", schema)...).Output()
	if err != nil {
		t.Fatalf("pg_dump: %v", err)
	}
	restore := exec.Command(pgBin(t, "psql"), append(conn, "-X", "-q", "-v", "ON_ERROR_STOP=1", "-d", dbName)...)
	restore.Stdin = bytes.NewReader(dump)
	if out, err := restore.CombinedOutput(); err != nil {
		t.Fatalf("restoring the store into %s: %v\n%s", dbName, err, out)
	}
	q := cu.Query()
	q.Set("schema", schema)
	cu.RawQuery = q.Encode()
	restored := cu.String()
	// Why: the same function, in this database, keeps É as it is.
	var key string
	if err := pgSuperuser(t, dbName).QueryRow(`SELECT ` + quoteIdent(schema) + `.name_key('ÉLODIE')`).Scan(&key); err != nil || key != "Élodie" {
		t.Fatalf("name_key('ÉLODIE') in a C-locale database: %q %v; want Élodie", key, err)
	}

	problem := "its database's locale (LC_CTYPE C) puts only A to Z in lower case, so the guards would take ÉLODIE and Élodie for two people where caseaudit takes them for one"
	moveIt := "a new database with a UTF-8 locale (CREATE DATABASE … ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0 (or another UTF-8 locale); caseaudit store init NEW-URL; caseaudit store copy " + Redact(restored) + " NEW-URL)"
	var warned []string
	s, err = Open(ctx, restored, Options{Warn: func(m string) { warned = append(warned, m) }})
	if err != nil {
		t.Fatalf("opening a store in a C-locale database: %v", err)
	}
	defer s.Close()
	if w := "the store " + Redact(restored) + " is not protected as it should be: " + problem + "; its owner moves it to " + moveIt; len(warned) != 1 || warned[0] != w {
		t.Errorf("opening a store in a C-locale database warned %q\nwant %q", warned, w)
	}
	if err := s.Read(ctx, "reading", func(tx *Tx) error { _, err := tx.Audits(ctx, 0); return err }); err != nil {
		t.Errorf("reading a store in a C-locale database: %v", err)
	}
	err = s.IntegrityCheck(ctx)
	if w := "the store " + Redact(restored) + " is not protected as it should be (" + problem + "); its owner moves it to " + moveIt + ", and a trail changed meanwhile shows in verify"; err == nil || err.Error() != w {
		t.Errorf("integrity check of a store in a C-locale database: %v\nwant %s", err, w)
	}
	res, err := InitPostgres(ctx, restored)
	if err != nil {
		t.Fatalf("store init of a store in a C-locale database: %v", err)
	}
	if w := "the store " + Redact(restored) + " is not protected as it should be: " + problem + "; move it to " + moveIt; res.ASCIIOnly != w {
		t.Errorf("store init of a store in a C-locale database said %q\nwant %q", res.ASCIIOnly, w)
	}
	// A store in a UTF-8 database is told nothing.
	warned = nil
	u, err := Open(ctx, where, Options{Warn: func(m string) { warned = append(warned, m) }})
	if err != nil {
		t.Fatal(err)
	}
	defer u.Close()
	if len(warned) > 0 {
		t.Errorf("opening a store in a UTF-8 database warned %q", warned)
	}
	if err := u.IntegrityCheck(ctx); err != nil {
		t.Errorf("integrity check of a store in a UTF-8 database: %v", err)
	}
}

// TestStoreRefusesADatabaseCasingOtherwise: a database whose default
// collation is ICU's folds every letter, but cases some otherwise than
// caseaudit compares names (ß to SS, İ to i and a combining dot): store
// init refuses to make a store in it, saying what it makes of the probe
// letters and what to create instead, and makes nothing.
func TestStoreRefusesADatabaseCasingOtherwise(t *testing.T) {
	ctx := context.Background()
	super := pgSuperuser(t, "postgres")
	var icu bool
	if err := super.QueryRow(`SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_collation WHERE collname = 'und-x-icu')`).Scan(&icu); err != nil {
		t.Fatal(err)
	}
	if !icu {
		t.Skip("the server has no ICU")
	}
	base, err := url.Parse(pgServer(t))
	if err != nil {
		t.Fatal(err)
	}
	dbName, u := throwawayDatabase(t, super, base, "ca_icu_", `LOCALE_PROVIDER icu ICU_LOCALE 'und' LOCALE 'C.UTF-8'`)
	_, err = InitPostgres(ctx, u.String())
	want := "the database of " + Redact(u.String()) + " (LC_CTYPE C.UTF-8) cases some letters otherwise than caseaudit compares names: it makes éδжσsii\u0307ssßkμ of ÉΔЖςſıİßẞKµ, caseaudit éδжσsiißßkμ, so a store's guards would take some names caseaudit takes for one person for two; a caseaudit store needs a database with a libc UTF-8 locale: CREATE DATABASE … ENCODING 'UTF8' LOCALE_PROVIDER libc LOCALE 'C.UTF-8' TEMPLATE template0"
	if err == nil || err.Error() != want {
		t.Fatalf("store init in an ICU database: %v\nwant %s", err, want)
	}
	var schemas int
	if err := pgSuperuser(t, dbName).QueryRow(`SELECT count(*) FROM pg_catalog.pg_namespace WHERE nspname = 'caseaudit'`).Scan(&schemas); err != nil || schemas != 0 {
		t.Fatalf("store init refused, yet made the schema: %d %v", schemas, err)
	}
}

// throwawayDatabase creates, as the superuser super, a UTF8 database named
// prefix and random hex, in locale (CREATE DATABASE's clauses), owned by
// the test server's administrator (base's user), and drops it after the
// test; it returns its name and base's URL naming it.
func throwawayDatabase(t *testing.T, super *sql.DB, base *url.URL, prefix, locale string) (string, url.URL) {
	t.Helper()
	b := make([]byte, 4)
	rand.Read(b)
	name := prefix + hex.EncodeToString(b)
	if _, err := super.Exec(`CREATE DATABASE ` + name + ` ENCODING 'UTF8' ` + locale + ` TEMPLATE template0 OWNER ` + quoteIdent(base.User.Username())); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { super.Exec(`DROP DATABASE IF EXISTS ` + name + ` WITH (FORCE)`) })
	u := *base
	u.Path = "/" + name
	return name, u
}
