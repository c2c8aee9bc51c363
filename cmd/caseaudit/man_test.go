package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Writing the man pages twice gives the same files, byte for byte, with
// the fixed date, one page per command.
func TestManReproducible(t *testing.T) {
	t.Setenv("SOURCE_DATE_EPOCH", "")
	a, b := filepath.Join(t.TempDir(), "a"), filepath.Join(t.TempDir(), "b", "man1")
	for _, dir := range []string{a, b} {
		if code, _, errs := runCmd(t, "man", dir); code != 0 {
			t.Fatalf("man %s: exit %d: %s", dir, code, errs)
		}
	}
	ea, err := os.ReadDir(a)
	if err != nil {
		t.Fatal(err)
	}
	eb, _ := os.ReadDir(b)
	if len(ea) != len(eb) || len(ea) < 10 {
		t.Fatalf("%d and %d pages", len(ea), len(eb))
	}
	names := map[string]bool{}
	for _, e := range ea {
		names[e.Name()] = true
		x, _ := os.ReadFile(filepath.Join(a, e.Name()))
		y, err := os.ReadFile(filepath.Join(b, e.Name()))
		if err != nil || string(x) != string(y) {
			t.Errorf("%s differs between the two runs (%v)", e.Name(), err)
		}
	}
	for _, want := range []string{"caseaudit.1", "caseaudit-run.1", "caseaudit-init.1", "caseaudit-sample.1", "caseaudit-report.1"} {
		if !names[want] {
			t.Errorf("no page %s among %v", want, names)
		}
	}
	run, _ := os.ReadFile(filepath.Join(a, "caseaudit-run.1"))
	for _, w := range []string{`.TH "CASEAUDIT" "1" "Jul 2026" "caseaudit" "caseaudit manual"`, "the stage to run: sample or report", "Exit codes", "threshold exceeded"} {
		if !strings.Contains(string(run), w) {
			t.Errorf("caseaudit-run.1 lacks %q", w)
		}
	}
	if strings.Contains(string(run), "Auto generated") {
		t.Errorf("the page carries cobra's generation stamp")
	}

	// SOURCE_DATE_EPOCH moves the date (1 Jan 2030 00:00 UTC = 1893456000).
	t.Setenv("SOURCE_DATE_EPOCH", "1893456000")
	c := filepath.Join(t.TempDir(), "c")
	if code, _, errs := runCmd(t, "man", c); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	if p, _ := os.ReadFile(filepath.Join(c, "caseaudit.1")); !strings.Contains(string(p), `"Jan 2030"`) {
		t.Errorf("SOURCE_DATE_EPOCH ignored")
	}
}

// Help text is written as roff text: a line that would start with a
// control character stays text, backslashes print as themselves, and
// hyphens print as the ASCII ones people type in a flag.
func TestRoffText(t *testing.T) {
	for in, want := range map[string]string{
		"plain words":               "plain words",
		".not a request\n'nor this": `\&.not a request` + "\n" + `\&'nor this`,
		`a \ backslash`:             `a \e backslash`,
		"--db-timeout":              `\-\-db\-timeout`,
		"ends.\n  0    success":     "ends.\n  0    success",
	} {
		if got := roffText(in); got != want {
			t.Errorf("roffText(%q) = %q, want %q", in, got, want)
		}
	}
}

// A page has cobra's sections in order, each flag as a tagged paragraph
// with its value named in bold, and no line of the help text becomes a
// roff request.
func TestManPageLayout(t *testing.T) {
	dir := t.TempDir()
	if code, _, errs := runCmd(t, "man", dir); code != 0 {
		t.Fatalf("exit %d: %s", code, errs)
	}
	b, err := os.ReadFile(filepath.Join(dir, "caseaudit-record.1"))
	if err != nil {
		t.Fatal(err)
	}
	page := string(b)
	last := -1
	for _, sec := range []string{".SH NAME\ncaseaudit\\-record \\- Record an auditor's finding on a case\n", ".SH SYNOPSIS\n", ".SH DESCRIPTION\n",
		".SH OPTIONS\n", ".SH OPTIONS INHERITED FROM PARENT COMMANDS\n", ".SH EXAMPLE\n.EX\n", ".SH SEE ALSO\n\\fB\\%caseaudit\\fR(1)\n"} {
		i := strings.Index(page, sec)
		if i < 0 || i < last {
			t.Fatalf("caseaudit-record.1: %q missing or out of order:\n%s", sec, page)
		}
		last = i
	}
	for _, want := range []string{".TP\n\\fB\\-\\-answer\\fR=[]\nanswer a question of the audit's form, as \\fBKEY=VALUE\\fR (key or label)",
		".TP\n\\fB\\-q\\fR, \\fB\\-\\-quiet\\fR[=false]\n"} {
		if !strings.Contains(page, want) {
			t.Errorf("caseaudit-record.1 lacks %q", want)
		}
	}
	requests := map[string]bool{".TH": true, ".nh": true, ".SH": true, ".PP": true, ".TP": true, ".EX": true, ".EE": true}
	for _, l := range strings.Split(page, "\n") {
		if (strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'")) && !requests[strings.Fields(l)[0]] {
			t.Errorf("caseaudit-record.1: %q would be read as a roff request", l)
		}
	}
}
