package store

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
)

// A connection string in libpq's keyword form is a PostgreSQL store, never
// an SQLite file named after it (and after its password).
func TestKeywordFormIsPostgres(t *testing.T) {
	s := "host=db.example.org dbname=casefiles user=b.evans password=Tr0ub4dor"
	if !IsPostgres(s) {
		t.Fatal("IsPostgres(keyword form) = false")
	}
	if !HasPassword(s) {
		t.Fatal("HasPassword(keyword form with a password) = false")
	}
	if got := Redact(s); strings.Contains(got, "Tr0ub4dor") || got != "host=db.example.org dbname=casefiles user=b.evans" {
		t.Fatalf("Redact = %q", got)
	}
	if IsPostgres("caseaudit.db") || IsPostgres("audit=2026.db") {
		t.Fatal("a file name taken for a connection string")
	}
	// A mistyped one is still a connection string, and its password still
	// never shown.
	bad := "host=db password='Tr0ub4dor"
	if !IsPostgres(bad) || strings.Contains(Redact(bad), "Tr0ub4dor") {
		t.Fatalf("unparseable keyword form: IsPostgres=%v Redact=%q", IsPostgres(bad), Redact(bad))
	}
	dir := t.TempDir()
	wd, _ := os.Getwd()
	if err := os.Chdir(dir); err != nil {
		t.Fatal(err)
	}
	defer os.Chdir(wd)
	_, err := Open(context.Background(), "host=127.0.0.1 port=1 dbname=x user=y password=Tr0ub4dor connect_timeout=1", Options{})
	if err == nil {
		t.Fatal("opened a store on a closed port")
	}
	if strings.Contains(err.Error(), "Tr0ub4dor") {
		t.Fatalf("the password is in the message: %v", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 0 {
		t.Fatalf("a keyword connection string left a file behind: %v", entries[0].Name())
	}
	if _, err := parsePostgres("host=db schema=Bad-Name", 0); err == nil || !strings.Contains(err.Error(), "schema") {
		t.Fatalf("a bad schema keyword: %v", err)
	}
}

// keywordForm writes a test server's URL in libpq's keyword form.
func keywordForm(t testing.TB, raw string) string {
	t.Helper()
	u, err := url.Parse(raw)
	if err != nil {
		t.Fatal(err)
	}
	parts := []string{}
	add := func(k, v string) {
		if v != "" {
			parts = append(parts, fmt.Sprintf("%s='%s'", k, strings.NewReplacer(`\`, `\\`, `'`, `\'`).Replace(v)))
		}
	}
	add("host", u.Hostname())
	add("port", u.Port())
	add("dbname", strings.TrimPrefix(u.Path, "/"))
	add("user", u.User.Username())
	if pw, ok := u.User.Password(); ok {
		add("password", pw)
	}
	for k, vs := range u.Query() {
		add(k, vs[0])
	}
	return strings.Join(parts, " ")
}

// The keyword form opens the same store as the URL.
func TestKeywordFormOpensPostgres(t *testing.T) {
	where := pgStore(t)
	kw := keywordForm(t, where)
	s, err := Open(context.Background(), kw, Options{EnteredBy: "A. Khan"})
	if err != nil {
		t.Fatalf("open %s: %v", Redact(kw), err)
	}
	defer s.Close()
	if s.Kind() != "postgres" {
		t.Fatalf("kind = %s", s.Kind())
	}
	if err := s.Read(context.Background(), "listing the audits", func(tx *Tx) error {
		_, err := tx.Audits(context.Background(), ByCreation)
		return err
	}); err != nil {
		t.Fatal(err)
	}
}
