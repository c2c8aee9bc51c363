package main

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// TestTerminalRefusals: what a person at a terminal is told, which no
// story (its output never a terminal) can be: a workbook is not written
// to the screen, and the interactive walk through the moderation sample
// needs one drawn first.
func TestTerminalRefusals(t *testing.T) {
	db, export, _ := newAudit(t, "--auditors", "A. Khan")
	for _, c := range []struct {
		args []string
		want string
	}{
		{[]string{"profile", export, "--format", "xlsx"}, "caseaudit: an xlsx profile is a file: give --out FILE.xlsx (or redirect stdout)\n"},
		{[]string{"--db", db, "report", "July", "--format", "xlsx"}, "caseaudit: an xlsx report is a file: give --out FILE.xlsx (or redirect stdout)\n"},
		{[]string{"--db", db, "calibration", "--format", "xlsx"}, "caseaudit: --format xlsx writes a workbook: give --out FILE.xlsx\n"},
	} {
		code, out, errs := runTerm(t, c.args...)
		if code != exitUsage || out != "" || !strings.HasPrefix(errs, c.want) {
			t.Errorf("caseaudit %s: exit %d, stdout %q, stderr %q; want exit %d, nothing on stdout, %q", strings.Join(c.args, " "), code, out, errs, exitUsage, c.want)
		}
	}

	var out, errb bytes.Buffer
	g := &IOStreams{In: strings.NewReader("A. Khan\n"), Out: &out, Err: &errb, InTerminal: true, OutTerminal: true}
	code := run(context.Background(), g, []string{"--db", db, "record", "July", "--accessible", "--moderation", "--auditor", "A. Khan"})
	if want := `caseaudit: audit "July" has no moderation sample; draw one with: caseaudit moderate July --size 20`; code != 1 || !strings.Contains(errb.String(), want) {
		t.Errorf("record --moderation with none drawn: exit %d, stderr %q; want exit 1 and %q", code, errb.String(), want)
	}
}

// failingWriter is standard output on a full disk or a closed pipe.
type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("no space left on device") }

// TestSampleStdoutFails: a sample that cannot be written to standard
// output (a full disk behind a redirect) fails, and says where.
func TestSampleStdoutFails(t *testing.T) {
	export := writeExport(t, "cases.csv", synth.Options{Rows: 200, Seed: 3})
	var errb bytes.Buffer
	code := run(context.Background(), &IOStreams{In: bytes.NewReader(nil), Out: failingWriter{}, Err: &errb}, []string{"sample", export, "--size", "5", "--seed", "s"})
	if want := "caseaudit: writing the sample to standard output: no space left on device"; code != 1 || !strings.Contains(errb.String(), want) {
		t.Errorf("exit %d, stderr %q; want exit 1 and %q", code, errb.String(), want)
	}
}
