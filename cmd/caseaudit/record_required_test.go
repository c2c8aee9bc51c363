package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/synth"
)

// A form question marked required, in the walk-through's plain-prompt
// (accessible) mode: Enter alone is refused with the reason, and the
// question is asked again.
func TestRecordInteractiveRequiredAnswer(t *testing.T) {
	dir := t.TempDir()
	formPath := filepath.Join(dir, "form.yaml")
	os.WriteFile(formPath, []byte("name: Required form\nquestions:\n  - key: seen\n    label: Who saw the child\n    kind: text\n    required: true\n"), 0o600)
	export := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 8})
	db := filepath.Join(dir, "s.db")
	if code, _, errs := runCmd(t, "--db", db, "sample", export, "--size", "2", "--seed", "req", "--audit", "R", "--form", formPath, "--auditors", "A. Khan", "--format", "ids"); code != 0 {
		t.Fatalf("sample: exit %d %s", code, errs)
	}
	// Grade Good; Enter alone on the required question, then an answer;
	// immediate attention No; no note; quit at the second case.
	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("2\n\nSocial worker\n1\n\n6\n"), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	if code := run(context.Background(), g, []string{"--db", db, "record", "R", "--auditor", "A. Khan", "--accessible"}); code != 0 {
		t.Fatalf("exit %d\n%s", code, errb.String())
	}
	if !strings.Contains(errb.String(), "Who saw the child this question needs an answer") {
		t.Errorf("Enter alone on a required question was not refused with the reason:\n%s", errb.String())
	}
	st, err := audit.Open(context.Background(), db, audit.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.Findings(context.Background(), "R", false)
	if err != nil || len(fs) != 1 || fs[0].Answers["seen"] != "Social worker" || fs[0].Grade != audit.Good {
		t.Fatalf("findings %+v, %v; want one, Good, seen by the social worker", fs, err)
	}
}
