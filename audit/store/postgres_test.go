package store

import (
	"strings"
	"testing"
)

func TestRedact(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"caseaudit.db", "caseaudit.db"},
		{"postgres://qa:s3cret@db.example.org:5432/cases?sslmode=require", "postgres://qa@db.example.org:5432/cases?sslmode=require"},
		{"postgresql://qa@db/cases?password=s3cret&sslmode=verify-full", "postgresql://qa@db/cases?sslmode=verify-full"},
	} {
		got := Redact(c.in)
		if got != c.want || strings.Contains(got, "s3cret") {
			t.Errorf("Redact(%q) = %q; want %q", c.in, got, c.want)
		}
		if HasPassword(c.in) != strings.Contains(c.in, "s3cret") {
			t.Errorf("HasPassword(%q) = %v", c.in, HasPassword(c.in))
		}
	}
	if !IsPostgres("POSTGRES://x/y") || IsPostgres("postgres.db") {
		t.Error("IsPostgres")
	}
}
