package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// runCmd runs one command line in-process and returns its exit code and streams.
func runCmd(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &IOStreams{In: bytes.NewReader(nil), Out: &out, Err: &errb}, args)
	if _, err := checkJSONOutputs(args, out.Bytes(), errb.Bytes(), ""); err != nil {
		t.Errorf("caseaudit %s: %v", strings.Join(args, " "), err)
	}
	return code, out.String(), errb.String()
}

// runTerm runs one command line in-process as if stdout and stderr were
// terminals.
func runTerm(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errb bytes.Buffer
	code := run(context.Background(), &IOStreams{In: bytes.NewReader(nil), Out: &out, Err: &errb, OutTerminal: true, ErrTerminal: true}, args)
	return code, out.String(), errb.String()
}

func writeExport(t *testing.T, name string, o synth.Options) string {
	t.Helper()
	path := filepath.Join(t.TempDir(), name)
	if err := synth.WriteFile(path, o); err != nil {
		t.Fatal(err)
	}
	return path
}
