package pgdsn

import (
	"errors"
	"reflect"
	"testing"
)

func TestIsKeywordForm(t *testing.T) {
	for s, want := range map[string]bool{
		"host=db.example.org dbname=casefiles user=b.evans password=s3cret": true,
		"  dbname = casefiles":                    true,
		"HOST=db":                                 true,
		"service=caseaudit":                       true,
		"sslmode=verify-full host=x":              true,
		"caseaudit.db":                            false,
		"audit=2026.db":                           false, // "audit" is no libpq key
		"./host=x.db":                             false,
		"/srv/qa/host=x.db":                       false,
		`C:\Users\qa\host=x.db`:                   false,
		"postgres://b.evans@db.example.org/cases": false,
		"":                                     false,
		"=host":                                false,
		"host":                                 false,
		"my store.db":                          false,
		"dbname='case files' password='it''s'": true, // does not parse, still the keyword form
		"user=b.evans password='a b\\' c' host=db": true,
	} {
		if got := IsKeywordForm(s); got != want {
			t.Errorf("IsKeywordForm(%q) = %v, want %v", s, got, want)
		}
	}
}

func TestParse(t *testing.T) {
	got, err := Parse(`host = db.example.org  dbname='case files' user=b\ evans password='it\'s \\ here' port=5432`)
	if err != nil {
		t.Fatal(err)
	}
	want := []Pair{
		{"host", "db.example.org"}, {"dbname", "case files"}, {"user", "b evans"},
		{"password", `it's \ here`}, {"port", "5432"},
	}
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("Parse = %#v, want %#v", got, want)
	}
	for _, bad := range []string{"host", "host=db dbname", "password='open", "=x"} {
		if _, err := Parse(bad); !errors.Is(err, ErrSyntax) {
			t.Errorf("Parse(%q) err = %v, want ErrSyntax", bad, err)
		}
	}
}

func TestRedactAndPassword(t *testing.T) {
	s := `host=db dbname=casefiles user=b.evans password='correct horse' sslpassword=k`
	if !HasPassword(s) {
		t.Fatal("HasPassword = false")
	}
	if got, want := Redact(s), "host=db dbname=casefiles user=b.evans"; got != want {
		t.Fatalf("Redact = %q, want %q", got, want)
	}
	if HasPassword("host=db dbname=casefiles") {
		t.Fatal("HasPassword true without one")
	}
	// Unparseable: never shown whole, and a password word counts.
	if got := Redact("host=db password='x"); got != "(a keyword connection string that does not parse)" {
		t.Fatalf("Redact(unparseable) = %q", got)
	}
	if !HasPassword("host=db password='x") {
		t.Fatal("HasPassword(unparseable with password) = false")
	}
}

func TestFormatRoundTrip(t *testing.T) {
	pairs := []Pair{{"host", "db"}, {"dbname", "case files"}, {"application_name", `it's\`}, {"options", ""}}
	s := Format(pairs)
	if want := `host=db dbname='case files' application_name='it\'s\\' options=''`; s != want {
		t.Fatalf("Format = %q, want %q", s, want)
	}
	back, err := Parse(s)
	if err != nil || !reflect.DeepEqual(back, pairs) {
		t.Fatalf("Parse(Format) = %#v, %v", back, err)
	}
	if v, ok := Get(pairs, "DBNAME"); !ok || v != "case files" {
		t.Fatalf("Get = %q %v", v, ok)
	}
	if got := Without(pairs, "dbname"); len(got) != 3 {
		t.Fatalf("Without = %v", got)
	}
}
