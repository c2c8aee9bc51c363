package main

import (
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// On a terminal in a Latin-1 locale, what stdout shows is made inert and
// then written in Latin-1: the ü of a worker's name arrives as the one
// byte 0xFC, not as U+FFFD (which it would be, were the Latin-1 bytes made
// inert after) nor as UTF-8's two bytes; the report's rules and dashes
// arrive as ASCII.
func TestTerminalInLatin1Locale(t *testing.T) {
	t.Setenv("LC_ALL", "en_GB.iso88591")
	t.Setenv("CASEAUDIT_USER", "qa.officer")
	exp := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 1})
	db := t.TempDir() + "/c.db"
	code, out, errs := runTerm(t, "--db", db, "sample", exp, "--size", "40", "--seed", "1", "--audit", "A", "--form", "none")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if !strings.Contains(out, "M\xfcller") || strings.Contains(out, "Müller") || strings.Contains(out, "\uFFFD") {
		t.Errorf("stdout is not Latin-1:\n%q", out)
	}
	t.Setenv("NO_COLOR", "1") // headings underlined, not bold
	code, out, errs = runTerm(t, "--db", db, "report", "A")
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if strings.ContainsAny(out, "─–\uFFFD") || !strings.Contains(out, "\n-----") {
		t.Errorf("the report is not in Latin-1 with ASCII rules:\n%s", out)
	}
}
