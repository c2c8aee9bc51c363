package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
)

// newAudit draws and records a 6-case audit in a fresh store and returns the
// store path, the export and the case IDs in order.
func newAudit(t *testing.T, extra ...string) (db, export string, ids []string) {
	t.Helper()
	export = writeExport(t, "cases.csv", synth.Options{Rows: 400, Seed: 11})
	db = filepath.Join(t.TempDir(), "store.db")
	args := append([]string{"--db", db, "sample", export, "--size", "6", "--seed", "s1", "--audit", "July", "--format", "ids", "--form", "none"}, extra...)
	code, out, errs := runCmd(t, args...)
	if code != 0 {
		t.Fatalf("sample: exit %d: %s", code, errs)
	}
	return db, export, strings.Fields(out)
}

func TestRecordAndCorrect(t *testing.T) {
	db, _, ids := newAudit(t)
	code, _, errs := runCmd(t, "--db", db, "record", "July", ids[0], "--grade", "ri", "--immediate", "yes", "--auditor", "A. Khan", "--note", "no visit for 9 weeks")
	if code != 0 || !strings.Contains(errs, "recorded finding on "+ids[0]+": Requires improvement, immediate attention YES") {
		t.Fatalf("exit %d, stderr %q", code, errs)
	}
	// Again without a reason: refused, exit 1, nothing changed.
	code, _, errs = runCmd(t, "--db", db, "record", "July", ids[0], "--grade", "good", "--immediate", "no", "--auditor", "A. Khan")
	if code != 1 || !strings.Contains(errs, "--reason") {
		t.Fatalf("correction without reason: exit %d, stderr %q", code, errs)
	}
	code, _, errs = runCmd(t, "--db", db, "record", "July", ids[0], "--grade", "good", "--immediate", "no", "--auditor", "A. Khan", "--reason", "misread the dates")
	if code != 0 || !strings.Contains(errs, "corrected finding") {
		t.Fatalf("correction: exit %d, stderr %q", code, errs)
	}
	// The flagged finding opened a follow-up action; the correction to "no" closed it.
	code, out, _ := runCmd(t, "--db", db, "history", "July", ids[0], "--format", "csv")
	lines := strings.Split(strings.TrimSpace(out), "\n")
	if code != 0 || len(lines) != 5 || !strings.Contains(lines[1], ",finding,") || !strings.Contains(lines[2], ",action-open,") ||
		!strings.Contains(lines[3], ",correction,") || !strings.Contains(lines[3], "reason: misread the dates") ||
		!strings.Contains(lines[4], ",action-close,") {
		t.Fatalf("history: exit %d\n%s", code, out)
	}
	// Usage mistakes are exit 2.
	for _, args := range [][]string{
		{"record", "July", ids[1], "--grade", "good", "--auditor", "A"},
		{"record", "July", ids[1], "--grade", "excellent", "--immediate", "no", "--auditor", "A"},
		{"record", "July", ids[1], "--grade", "good", "--immediate", "maybe", "--auditor", "A"},
		{"record", "July"}, // no terminal, no case
	} {
		if code, _, errs := runCmd(t, append([]string{"--db", db}, args...)...); code != 2 {
			t.Errorf("%v: exit %d, want 2 (%s)", args, code, errs)
		}
	}
}

// The interactive walk-through, in its plain-prompt (accessible) mode, fed
// from a reader as a person would type.
func TestRecordInteractive(t *testing.T) {
	db, _, ids := newAudit(t, "--auditors", "A. Khan,B. Evans")
	// A. Khan has cases 1, 3, 5 (balanced in ticket order). Answer the first:
	// grade 2 (Good), immediate 2 (Yes), a note; skip the second; quit at the third.
	input := "2\n2\nChild not seen for 10 weeks\n5\n6\n"
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code := run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	fs := storedFindings(t, db)
	if len(fs) != 1 {
		t.Fatalf("%d findings, want 1: %+v\n%s", len(fs), fs, errb.String())
	}
	f := fs[0]
	if f.Case != ids[0] || f.Grade != audit.Good || !f.Immediate || f.Auditor != "A. Khan" || !strings.Contains(f.Note, "10 weeks") {
		t.Fatalf("finding %+v (first case %s)", f, ids[0])
	}
}

// Input that ends half-way (Ctrl-D) stops the walk-through: what was
// entered is saved, nothing is recorded by default, and nothing panics.
func TestRecordInteractiveEndOfInput(t *testing.T) {
	db, _, _ := newAudit(t, "--auditors", "A. Khan")
	for _, input := range []string{"", "2\n", "2\n9\n", "\n\n\n"} {
		var out, errb bytes.Buffer
		g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
		code := run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
		if code != 0 && code != exitInterrupted {
			t.Fatalf("input %q: exit %d\n%s", input, code, errb.String())
		}
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, _ := st.Findings(context.Background(), "July", false)
	if len(fs) != 0 {
		t.Fatalf("findings recorded from incomplete input: %+v", fs)
	}
}

// The walk-through chooses nothing for the auditor: Enter alone
// on the grade or on immediate attention asks again instead of skipping
// the case or answering No; quitting and Ctrl-D say how many findings were
// saved.
func TestRecordInteractiveEnterAsksAgain(t *testing.T) {
	db, _, ids := newAudit(t, "--auditors", "A. Khan,B. Evans")
	input := "\n2\n\n2\nChild not seen\n6\n"
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code := run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if n := strings.Count(errb.String(), "Invalid: must be a number"); n != 2 {
		t.Errorf("Enter alone was taken as an answer (%d re-asks):\n%s", n, errb.String())
	}
	if !strings.Contains(errb.String(), "saved 1 finding\n") {
		t.Errorf("no count on quitting:\n%s", errb.String())
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	fs, _ := st.Findings(context.Background(), "July", false)
	st.Close()
	if len(fs) != 1 || fs[0].Case != ids[0] || fs[0].Grade != audit.Good || !fs[0].Immediate {
		t.Fatalf("findings %+v", fs)
	}
	// The input ends in the middle of the next case: stopped, with the count.
	errb.Reset()
	g = &IOStreams{In: strings.NewReader("2\n1\n\n2\n"), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code = run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	if code != exitInterrupted || !strings.Contains(errb.String(), "stopped; 1 finding saved") {
		t.Errorf("end of input: exit %d\n%s", code, errb.String())
	}
}

// With a form, the case's header stays above each question and the
// question's help is shown in the plain-prompt mode too.
func TestRecordInteractiveFormHelp(t *testing.T) {
	export := writeExport(t, "cases.csv", synth.Options{Rows: 400, Seed: 11})
	db := filepath.Join(t.TempDir(), "store.db")
	if code, _, errs := runCmd(t, "--db", db, "sample", export, "--size", "3", "--seed", "s1", "--audit", "July", "-q", "--format", "ids"); code != 0 {
		t.Fatal(errs)
	}
	// Good; assessment Good, then skip the other six questions; not
	// immediate; no note; quit.
	input := "2\n2\n6\n5\n6\n5\n4\n4\n1\n\n6\n"
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code := run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	e := errb.String()
	if !strings.Contains(e, "Is there an up-to-date assessment that analyses the child's needs") {
		t.Errorf("the question's help is not shown:\n%s", e)
	}
	if n := strings.Count(e, "(1 of 3)"); n < 9 {
		t.Errorf("the case header is shown %d times; want it above every question", n)
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, _ := st.Findings(context.Background(), "July", false)
	if len(fs) != 1 || fs[0].Answers["assessment"] != "Good" || fs[0].Immediate {
		t.Fatalf("findings %+v\n%s", fs, e)
	}
}

// The walk-through's own words: how many cases are to record, a name asked
// again when none is typed, and nothing left once every case is recorded.
func TestRecordInteractiveMessages(t *testing.T) {
	db, _, ids := newAudit(t, "--auditors", "A. Khan")
	walk := func(input string, args ...string) string {
		t.Helper()
		var out, errb bytes.Buffer
		g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
		if code := run(context.Background(), g, append([]string{"--db", db, "record", "July", "--accessible"}, args...)); code != 0 {
			t.Fatalf("exit %d\n%s", code, errb.String())
		}
		return errb.String()
	}
	// No --auditor: Enter alone on the name asks again; then quit at once.
	errs := walk("\nA. Khan\n6\n")
	if !strings.Contains(errs, "enter your name") {
		t.Errorf("an empty name was not asked again:\n%s", errs)
	}
	if want := `6 cases to record for A. Khan in "July"; choose Skip to leave one for later, Quit to stop`; !strings.Contains(errs, want) {
		t.Errorf("no count of the cases to record (%q):\n%s", want, errs)
	}
	for _, id := range ids {
		if code, _, e := runCmd(t, "--db", db, "record", "July", id, "--grade", "good", "--immediate", "no", "--auditor", "A. Khan"); code != 0 {
			t.Fatalf("record %s: exit %d: %s", id, code, e)
		}
	}
	if errs := walk("", "--auditor", "A. Khan"); !strings.Contains(errs, `nothing left to record for A. Khan in "July"`) {
		t.Errorf("every case recorded, yet not said:\n%s", errs)
	}
}

// An auditor the store's people list names is not asked her name by the
// walk-through: it records under her name on the list and says so, as
// record with a case does; a moderator who forgot --moderation is told to
// give it (refused, exit 5) instead of being asked for an auditor's name.
func TestRecordInteractiveListedAuditor(t *testing.T) {
	db, _, ids := newAudit(t, "--auditors", "A. Khan")
	for _, p := range [][]string{
		{"people", "add", "qlead", "--name", "Q. Lead", "--role", "qa", "--user", "qlead"},
		{"people", "add", "akhan", "--name", "A. Khan", "--role", "auditor", "--user", "qlead"},
		{"people", "add", "mpatel", "--name", "M. Patel", "--role", "moderator", "--user", "qlead"},
	} {
		if code, _, errs := runCmd(t, append([]string{"--db", db}, p...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", p, code, errs)
		}
	}
	walk := func(user, input string) (int, string) {
		var out, errb bytes.Buffer
		g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
		code := run(context.Background(), g, []string{"--db", db, "--user", user, "record", "July", "--accessible"})
		return code, errb.String()
	}
	// Grade 2 (Good), immediate 1 (No), no note; then quit.
	code, errs := walk("akhan", "2\n1\n\n6\n")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if strings.Contains(errs, "Your name") {
		t.Errorf("the walk-through asked a listed auditor her name:\n%s", errs)
	}
	if want := "recording as A. Khan, the name your login has in the store's people list"; !strings.Contains(errs, want) {
		t.Errorf("not said whose name it records under (%q):\n%s", want, errs)
	}
	fs := storedFindings(t, db)
	if len(fs) != 1 || fs[0].Case != ids[0] || fs[0].Auditor != "A. Khan" || fs[0].Grade != audit.Good {
		t.Fatalf("findings %+v\n%s", fs, errs)
	}
	code, errs = walk("mpatel", "")
	if code != exitDuty || !strings.Contains(errs, "give --moderation") || strings.Contains(errs, "Your name") {
		t.Errorf("a moderator's walk-through without --moderation: exit %d, want %d\n%s", code, exitDuty, errs)
	}
}

// The walk-through records each finding as audited today: when the
// computer's date is before the audit could be read (before its draw and
// its month), it says so before asking anything, and records nothing.
func TestRecordInteractiveRefusesADayBeforeTheDraw(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-10T09:00:00Z")
	db, _, _ := newAudit(t, "--auditors", "A. Khan")
	t.Setenv("CASEAUDIT_NOW", "2026-06-20T09:00:00Z") // a clock set back
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("2\n1\nseen\n"), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code := run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	want := "caseaudit: today (2026-06-20, by this computer's clock) is before audit \"July\" could be read: its sample was drawn on 10 July 2026 for July 2026; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date\n"
	if code != exitError || errb.String() != want {
		t.Errorf("exit %d, stderr\n%s\nwant exit 1 and\n%s", code, errb.String(), want)
	}
	if strings.Contains(out.String(), "Grade") {
		t.Errorf("asked for a grade before refusing:\n%s", out.String())
	}
	if fs := storedFindings(t, db); len(fs) != 0 {
		t.Errorf("recorded %+v", fs)
	}
}

// The moderation walk-through leaves out, before asking anything, the
// cases the moderator may not moderate, each said with its refusal: here
// one she audited, whose finding another auditor since corrected. When
// every case left is such a one, it is refused (exit 5), nothing asked.
func TestRecordInteractiveModerationLeavesOutHerOwn(t *testing.T) {
	db, _, ids := newAudit(t)
	must := func(args ...string) {
		t.Helper()
		if code, _, errs := runCmd(t, append([]string{"--db", db}, args...)...); code != 0 {
			t.Fatalf("%v: exit %d: %s", args, code, errs)
		}
	}
	must("people", "add", "qlead", "--name", "Q. Lead", "--role", "qa", "--user", "qlead")
	must("people", "add", "bevans", "--name", "B. Evans", "--role", "auditor,moderator", "--user", "qlead")
	must("people", "add", "mmod", "--name", "M. Moderator", "--role", "moderator", "--user", "qlead")
	must("--user", "qlead", "record", "July", ids[0], "--grade", "g", "--immediate", "no", "--auditor", "B. Evans", "--new-auditor")
	must("--user", "qlead", "record", "July", ids[0], "--grade", "i", "--immediate", "no", "--auditor", "C. Diaz", "--new-auditor", "--reason", "second reading")
	must("--user", "qlead", "record", "July", ids[1], "--grade", "g", "--immediate", "no", "--auditor", "C. Diaz", "--new-auditor")
	must("--user", "qlead", "moderate", "July", "--size", "2", "--seed", "m")
	walk := func(input string) (int, string) {
		var out, errb bytes.Buffer
		g := &IOStreams{In: strings.NewReader(input), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
		code := run(context.Background(), g, []string{"--db", db, "--user", "bevans", "record", "July", "--moderation", "--accessible"})
		return code, errb.String()
	}
	refusal := "refused: B. Evans (auditor, moderator) may not moderate a case: B. Evans audited the case; a moderator is never the case's own auditor; only M. Moderator or Q. Lead may moderate it"
	// Grade 2 (Good), immediate 1 (No), no note: the one case asked.
	code, errs := walk("2\n1\n\n")
	if code != 0 {
		t.Fatalf("exit %d\n%s", code, errs)
	}
	if want := "left out " + ids[0] + ": " + refusal + "\n"; !strings.Contains(errs, want) {
		t.Errorf("the case she audited not said left out (%q):\n%s", want, errs)
	}
	if !strings.Contains(errs, "1 case to record for B. Evans") || strings.Contains(errs, "Case "+ids[0]) {
		t.Errorf("the walk-through asked about the case she audited:\n%s", errs)
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	mods, err := st.Findings(context.Background(), "July", true)
	st.Close()
	if err != nil || len(mods) != 1 || mods[0].Case != ids[1] || mods[0].Auditor != "B. Evans" {
		t.Fatalf("moderation findings %+v %v\n%s", mods, err, errs)
	}
	// Only the case she audited is left: refused, as record would.
	code, errs = walk("")
	if code != exitDuty || !strings.Contains(errs, "caseaudit: "+refusal+"\n") || strings.Contains(errs, "Case "+ids[0]) {
		t.Errorf("a walk-through with only her own case left: exit %d, want %d\n%s", code, exitDuty, errs)
	}
}

// A case chosen after the first draw (the sample grown, a replacement for
// a withdrawn case) is read only after it was chosen: with the clock set
// back between the draws, the walk-through says so up front, draw by draw,
// leaves those cases out and walks through the rest.
func TestRecordInteractiveLeavesOutCasesDrawnLater(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-10T09:00:00Z")
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-20T09:00:00Z")
	code, out, errs := runCmd(t, "--db", db, "sample", "--audit", "July", "--grow", "2", "--format", "ids")
	grown := strings.Fields(out)
	if code != 0 || len(grown) != 2 {
		t.Fatalf("grow: exit %d, ids %q\n%s", code, grown, errs)
	}
	t.Setenv("CASEAUDIT_NOW", "2026-07-21T09:00:00Z")
	if code, _, errs := runCmd(t, "--db", db, "withdraw", "July", ids[0], "--reason", "closed before the audit"); code != 0 {
		t.Fatalf("withdraw: exit %d\n%s", code, errs)
	}
	_, out, _ = runCmd(t, "--db", db, "status", "July", "--format", "json")
	var st struct {
		ToDo []string `json:"to_do"`
	}
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatal(err)
	}
	replacement := ""
	for _, id := range st.ToDo {
		if !slices.Contains(grown, id) {
			replacement = id
		}
	}
	if replacement == "" {
		t.Fatalf("no replacement among the cases to do %q (sample %q)", st.ToDo, grown)
	}

	t.Setenv("CASEAUDIT_NOW", "2026-07-15T09:00:00Z") // a clock set back between the draws
	var o, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("6\n"), Out: &o, Err: &errb, InTerminal: true, OutTerminal: true}
	code = run(context.Background(), g, []string{"--db", db, "record", "July", "--auditor", "A. Khan", "--accessible"})
	want := fmt.Sprintf("warning: today (2026-07-15, by this computer's clock) is before 3 of the 8 cases left to record could be read: %s and %s were added to the sample on 20 July 2026, when it was grown; %s was drawn on 21 July 2026 to replace %s; the walk-through records each finding as audited today, so it leaves them out: check the computer's date, or record them with --date\n",
		grown[0], grown[1], replacement, ids[0])
	if code != 0 || !strings.Contains(errb.String(), want) {
		t.Fatalf("exit %d, stderr\n%s\nwant exit 0 and\n%s", code, errb.String(), want)
	}
	if !strings.Contains(errb.String(), "5 cases to record for A. Khan") || !strings.Contains(o.String()+errb.String(), "(1 of 5)") {
		t.Errorf("the walk-through did not go through the 5 cases of the first draw:\n%s\n%s", o.String(), errb.String())
	}
}

// Every case of a moderation sample drawn after today: refused up front,
// with the day it was drawn, as a day before the first draw is.
func TestRecordInteractiveRefusesADayBeforeTheModerationDraw(t *testing.T) {
	t.Setenv("CASEAUDIT_NOW", "2026-07-10T09:00:00Z")
	db, _, ids := newAudit(t)
	t.Setenv("CASEAUDIT_NOW", "2026-07-22T09:00:00Z")
	for _, id := range ids[:4] {
		if code, _, errs := runCmd(t, "--db", db, "record", "July", id, "--grade", "good", "--immediate", "no", "--auditor", "A. Khan", "--date", "2026-07-12"); code != 0 {
			t.Fatalf("record %s: exit %d\n%s", id, code, errs)
		}
	}
	code, out, errs := runCmd(t, "--db", db, "moderate", "July", "--size", "2", "--seed", "m", "--format", "ids")
	mod := strings.Fields(out)
	if code != 0 || len(mod) != 2 {
		t.Fatalf("moderate: exit %d %q\n%s", code, mod, errs)
	}
	t.Setenv("CASEAUDIT_NOW", "2026-07-15T09:00:00Z")
	var o, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("2\n1\nagree\n"), Out: &o, Err: &errb, InTerminal: true, OutTerminal: true}
	code = run(context.Background(), g, []string{"--db", db, "record", "July", "--moderation", "--auditor", "M. Moderator", "--accessible"})
	want := fmt.Sprintf("caseaudit: today (2026-07-15, by this computer's clock) is before the cases left to record could be moderated: %s and %s were chosen for moderation on 22 July 2026; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date\n",
		mod[0], mod[1])
	if code != exitError || errb.String() != want {
		t.Errorf("exit %d, stderr\n%s\nwant exit 1 and\n%s", code, errb.String(), want)
	}
	if strings.Contains(o.String(), "Grade") {
		t.Errorf("asked for a grade before refusing:\n%s", o.String())
	}
	for _, f := range storedFindings(t, db) {
		if f.Moderation {
			t.Errorf("recorded %+v", f)
		}
	}
}
