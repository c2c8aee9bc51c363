package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
)

// Issue #14, item 1: a refused import lists its problems one per line,
// the count first (it printed them all on one line).
func TestImportProblemsOnePerLine(t *testing.T) {
	dir := t.TempDir()
	db := filepath.Join(dir, "c.db")
	export := writeExport(t, "cases.csv", synth.Options{Rows: 200, Seed: 3})
	code, so, se := runCmd(t, "--db", db, "sample", export, "--size", "5", "--seed", "s", "--audit", "A", "--form", "none", "--format", "ids")
	if code != 0 {
		t.Fatalf("sample: %d %s", code, se)
	}
	ids := strings.Fields(so)
	body := "#,Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n" +
		"1," + ids[0] + ",A. Khan,Goood,No,,\n" +
		"2," + ids[1] + ",A. Khan,Good,Maybe,,\n" +
		"3," + ids[2] + ",,Good,No,,\n" +
		"4,CR-9999999,A. Khan,Good,No,,\n"
	p := filepath.Join(dir, "filled.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	code, _, se = runCmd(t, "--db", db, "import", "A", p)
	if code != exitError {
		t.Fatalf("exit %d; want 1", code)
	}
	lines := strings.Split(strings.TrimRight(se, "\n"), "\n")
	if len(lines) != 5 {
		t.Fatalf("stderr has %d lines; want the count and 4 problems:\n%s", len(lines), se)
	}
	if !strings.HasPrefix(lines[0], "caseaudit: 4 problems in "+p+"; nothing was imported") {
		t.Errorf("first line %q", lines[0])
	}
	for i, want := range []string{"row 2, column Grade:", "row 3, column Immediate attention:", "row 4, column Auditor:", "row 5, column Case ID:"} {
		if !strings.HasPrefix(lines[i+1], "  "+want) {
			t.Errorf("line %d %q; want it to start %q", i+2, lines[i+1], "  "+want)
		}
	}
}

// At a terminal, without --correct, import asks about each case whose row
// would change its finding: the case answered "correct" is corrected with
// the reason typed, the one answered "keep" keeps its finding.
func TestImportAsksEachCorrection(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z") // drawn on 1 July,
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-20T09:00:00Z") // imported after its cases were read
	dir := t.TempDir()
	csv := func(name string, grades ...string) string {
		return findingsCSV(t, dir, ids, name, "Auditor", "A. Khan", grades...)
	}
	first := csv("first.csv", "Good", "Good", "Good")
	if code, _, errs := runCmd(t, "--db", db, "import", "July", first); code != 0 {
		t.Fatalf("first import: %s", errs)
	}
	second := csv("second.csv", "Good", "Inadequate", "Outstanding")
	// Case 2: correct (2); case 3: keep (1); then the reason.
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("2\n1\nmoderation meeting\n"), Out: &out, Err: &errb, InTerminal: true, ErrTerminal: true}
	if code := run(context.Background(), g, []string{"--db", db, "import", "July", second, "--accessible"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{
		second + " would change 2 findings already recorded; choose for each whether to correct it",
		"Correct " + ids[1] + "? (1 of 2)",
		"Correct " + ids[2] + "? (2 of 2)",
		"corrected the finding on " + ids[1] + " by A. Khan (row 3 of " + second,
	} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
	if !strings.Contains(out.String(), "0 findings recorded, 1 correction, 1 unchanged, 1 kept as recorded") {
		t.Errorf("stdout %q", out.String())
	}
	fs := storedFindings(t, db)
	byCase := map[string]audit.Finding{}
	for _, f := range fs {
		byCase[f.Case] = f
	}
	if f := byCase[ids[1]]; f.Grade != audit.Inadequate || f.Reason != "moderation meeting" {
		t.Errorf("case 2: %+v", f)
	}
	if f := byCase[ids[2]]; f.Grade != audit.Good {
		t.Errorf("case 3 was kept, now %+v", f)
	}
	// Input ending before an answer: nothing imported, exit 130.
	g = &IOStreams{In: strings.NewReader("2\n"), Out: &out, Err: &errb, InTerminal: true, ErrTerminal: true}
	third := csv("third.csv", "Inadequate", "Inadequate", "Inadequate")
	if code := run(context.Background(), g, []string{"--db", db, "import", "July", third, "--accessible"}); code != 130 {
		t.Fatalf("exit %d, want 130\n%s", code, errb.String())
	}
	if fs2 := storedFindings(t, db); fmt.Sprint(fs2) != fmt.Sprint(fs) {
		t.Errorf("an aborted import changed findings")
	}
}

// Asked at a terminal about a row that repeats a finding corrected since,
// the person is told so, with both trail entries: the row is most likely
// an old copy (a csv copy as much as a workbook), best kept as recorded.
func TestImportAsksSaysOldCopy(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z")
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-20T09:00:00Z")
	dir := t.TempDir()
	first := findingsCSV(t, dir, ids, "first.csv", "Auditor", "A. Khan", "Good", "Good")
	if code, _, errs := runCmd(t, "--db", db, "import", "July", first); code != 0 {
		t.Fatalf("first import: %s", errs)
	}
	t.Setenv("CASEAUDIT_NOW", "2026-07-21T09:00:00Z")
	if code, _, errs := runCmd(t, "--db", db, "record", "July", ids[1], "--grade", "inadequate", "--immediate", "no", "--auditor", "A. Khan",
		"--note", "Read in full", "--date", "2026-07-14", "--reason", "second look"); code != 0 {
		t.Fatalf("correction: %s", errs)
	}
	_, out, _ := runCmd(t, "--db", db, "history", "July", ids[1], "--format", "csv")
	var recorded, corrected string
	for _, l := range strings.Split(out, "\n") {
		if f := strings.Split(l, ","); len(f) > 2 && f[2] == "finding" {
			recorded = f[0]
		} else if len(f) > 2 && f[2] == "correction" {
			corrected = f[0]
		}
	}
	if recorded == "" || corrected == "" {
		t.Fatalf("history lacks the finding or its correction:\n%s", out)
	}
	var o, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("1\n"), Out: &o, Err: &errb, InTerminal: true, ErrTerminal: true}
	if code := run(context.Background(), g, []string{"--db", db, "import", "July", first, "--accessible"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	want := fmt.Sprintf("This row is the finding recorded on 2026-07-20 (trail entry %s), corrected on 2026-07-21 (trail entry %s): most likely an old copy, best kept as recorded", recorded, corrected)
	if !strings.Contains(errb.String()+o.String(), want) {
		t.Errorf("the prompt does not say %q:\n%s\n%s", want, errb.String(), o.String())
	}
	if !strings.Contains(o.String(), "1 kept as recorded") {
		t.Errorf("stdout %q", o.String())
	}
}

// meanwhile is a person's answers at the prompt, with something done by
// someone else (before) while the prompt is open: before runs when the
// first answer is read.
type meanwhile struct {
	before  func()
	answers io.Reader
}

func (m *meanwhile) Read(p []byte) (int, error) {
	if m.before != nil {
		m.before()
		m.before = nil
	}
	return m.answers.Read(p)
}

// A correction is made only from what the person was shown: a file
// changed while the prompt was open, or a finding someone else corrected
// meanwhile, refuses the import and changes nothing.
func TestImportAsksRefusesWhatChangedMeanwhile(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z") // drawn on 1 July,
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-20T09:00:00Z") // imported after its cases were read
	dir := t.TempDir()
	csv := func(name string, grades ...string) string {
		return findingsCSV(t, dir, ids, name, "Auditor", "A. Khan", grades...)
	}
	if code, _, errs := runCmd(t, "--db", db, "import", "July", csv("first.csv", "Good", "Good", "Good")); code != 0 {
		t.Fatalf("first import: %s", errs)
	}
	grades := func() map[string]audit.Grade {
		out := map[string]audit.Grade{}
		for _, f := range storedFindings(t, db) {
			out[f.Case] = f.Grade
		}
		return out
	}

	// The workbook is saved again, case 3 now Inadequate, while the person
	// answers about case 2 alone.
	second := csv("second.csv", "Good", "Inadequate", "Good")
	var out, errb bytes.Buffer
	in := &meanwhile{before: func() { csv("second.csv", "Good", "Inadequate", "Inadequate") }, answers: strings.NewReader("2\nmoderation meeting\n")}
	code := run(context.Background(), &IOStreams{In: in, Out: &out, Err: &errb, InTerminal: true, ErrTerminal: true},
		[]string{"--db", db, "import", "July", second, "--accessible"})
	if code != 1 || !strings.Contains(errb.String(), second+" changed while you were asked; nothing was imported") {
		t.Fatalf("a file changed at the prompt: exit %d, want 1\n%s", code, errb.String())
	}
	if g := grades(); g[ids[1]] != audit.Good || g[ids[2]] != audit.Good {
		t.Errorf("a refused import changed findings: %v", g)
	}

	// Someone else corrects case 2 while the person is asked about it: the
	// person chose to correct the finding they saw, which is no longer the
	// case's latest.
	third := csv("third.csv", "Good", "Inadequate", "Good")
	out.Reset()
	errb.Reset()
	in = &meanwhile{before: func() {
		other := csv("other.csv", "Good", "Requires improvement", "Good")
		if code, _, errs := runCmd(t, "--db", db, "import", "July", other, "--correct", ids[1], "--reason", "second read"); code != 0 {
			t.Errorf("the other correction: %s", errs)
		}
	}, answers: strings.NewReader("2\nmoderation meeting\n")}
	code = run(context.Background(), &IOStreams{In: in, Out: &out, Err: &errb, InTerminal: true, ErrTerminal: true},
		[]string{"--db", db, "import", "July", third, "--accessible"})
	if code != 1 || !strings.Contains(errb.String(), "the latest finding on "+ids[1]+" changed while you were asked") {
		t.Fatalf("a finding corrected at the prompt: exit %d, want 1\n%s", code, errb.String())
	}
	if g := grades(); g[ids[1]] != audit.RequiresImprovement {
		t.Errorf("case 2 is %v, want the other person's correction kept", g[ids[1]])
	}
}

// A case whose row differs in both the auditors' file and the moderators'
// imported with it is asked about once: --correct and --keep name cases,
// so one answer covers both of its findings.
func TestImportAsksOncePerCase(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-01T09:00:00Z") // drawn on 1 July,
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-20T09:00:00Z") // imported after its cases were read
	dir := t.TempDir()
	csv := func(name, who, person string, grades ...string) string {
		return findingsCSV(t, dir, ids, name, who, person, grades...)
	}
	if code, _, errs := runCmd(t, "--db", db, "import", "July", csv("first.csv", "Auditor", "A. Khan", "Good", "Good", "Good")); code != 0 {
		t.Fatalf("first import: %s", errs)
	}
	if code, _, errs := runCmd(t, "--db", db, "moderate", "July", "--size", "3", "--seed", "m", "--format", "ids"); code != 0 {
		t.Fatalf("moderate: %s", errs)
	}
	if code, _, errs := runCmd(t, "--db", db, "import", "July", csv("mod.csv", "Moderator", "D. Patel", "Good", "Good", "Good")); code != 0 {
		t.Fatalf("moderation import: %s", errs)
	}
	second := csv("second.csv", "Auditor", "A. Khan", "Good", "Inadequate", "Good")
	mod2 := csv("mod2.csv", "Moderator", "D. Patel", "Good", "Requires improvement", "Good")
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("2\nmoderation meeting\n"), Out: &out, Err: &errb, InTerminal: true, ErrTerminal: true}
	if code := run(context.Background(), g, []string{"--db", db, "import", "July", second, mod2, "--accessible"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	for _, want := range []string{"Correct " + ids[1] + "? (1 of 1)", "The finding by A. Khan", "The moderation finding by D. Patel",
		"corrected the finding on " + ids[1], "corrected the moderation finding on " + ids[1]} {
		if !strings.Contains(errb.String(), want) {
			t.Errorf("stderr lacks %q:\n%s", want, errb.String())
		}
	}
}

// findingsCSV writes a returned file of ids' findings, one grade each in
// order, by person in the column who (Auditor, or Moderator for a
// moderators' file). Auditors read the cases from 13 July; moderators on
// 20 July, the day the tests draw the moderation sample.
func findingsCSV(t *testing.T, dir string, ids []string, name, who, person string, grades ...string) string {
	t.Helper()
	var b strings.Builder
	fmt.Fprintf(&b, "#,Case ID,%s,Grade,Immediate attention,Notes,Date audited\n", who)
	for i, g := range grades {
		day := 13 + i
		if who == "Moderator" {
			day = 20
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,No,Read in full,2026-07-%02d\n", i+1, ids[i], person, g, day)
	}
	p := filepath.Join(dir, name)
	if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// storedFindings reads the latest findings of the audit July in the store.
func storedFindings(t *testing.T, db string) []audit.Finding {
	t.Helper()
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.Findings(context.Background(), "July", false)
	if err != nil {
		t.Fatal(err)
	}
	return fs
}
