package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/schema"
	"github.com/caseaudit/caseaudit/schema/schematest"
)

// The stories run caseaudit through checkedMain: every JSON document a
// command prints (--format json on stdout, or a .json file it writes with
// --out) and every --log-format json line is validated against the schema
// it names, and a document that is not valid fails the story (exit status
// 97, with the reason on stderr). The schemas' identifiers seen are
// appended to $CASEAUDIT_SCHEMAS_SEEN, for TestEverySchemaExercised.

const exitSchema = 97

// checkedMain is Main, with the JSON it writes validated.
func checkedMain() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	args := os.Args[1:]
	var out, errb bytes.Buffer
	s := systemStreams()
	s.Out = io.MultiWriter(os.Stdout, &out)
	s.Err = io.MultiWriter(os.Stderr, &errb)
	start := time.Now()
	code := run(ctx, s, args)
	ids, err := checkJSONOutputs(args, out.Bytes(), errb.Bytes(), "")
	if err == nil {
		var more []string
		more, err = checkJSONFilesWritten(os.Getenv("WORK"), start)
		ids = append(ids, more...)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "schema check (tests only): %v\n", err)
		return exitSchema
	}
	if f := os.Getenv("CASEAUDIT_MESSAGES_SEEN"); f != "" {
		// Each line said, by story (testscript's $WORK is script-NAME):
		// stderr's, and stdout's when it is a short text (verify's
		// problems, withdraw's account), not data.
		story := strings.TrimPrefix(filepath.Base(os.Getenv("WORK")), "script-")
		said := errb.String()
		if o := out.String(); len(ids) == 0 && strings.Count(o, "\n") <= 100 {
			said += o
		}
		var b strings.Builder
		for _, l := range strings.Split(said, "\n") {
			if l = strings.TrimSpace(l); l != "" {
				b.WriteString(story + "\t" + l + "\n")
			}
		}
		if fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			fh.WriteString(b.String())
			fh.Close()
		}
	}
	if f := os.Getenv("CASEAUDIT_SCHEMAS_SEEN"); f != "" && len(ids) > 0 {
		if fh, err := os.OpenFile(f, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600); err == nil {
			fh.WriteString(strings.Join(ids, "\n") + "\n")
			fh.Close()
		}
	}
	return code
}

// flagValue returns the values given to a flag (--name V, --name=V, or the
// shorthand -s V).
func flagValues(args []string, name, short string) []string {
	var vals []string
	for i, a := range args {
		if a == "--" {
			break
		}
		switch {
		case (a == "--"+name || (short != "" && a == "-"+short)) && i+1 < len(args):
			vals = append(vals, args[i+1])
		case strings.HasPrefix(a, "--"+name+"="):
			vals = append(vals, strings.TrimPrefix(a, "--"+name+"="))
		}
	}
	return vals
}

// checkJSONOutputs validates what one command line wrote: stdout when it is
// JSON (asked for with --format json, or a document carrying "$schema"),
// the .json files named by --out, and stderr's lines under --log-format
// json. dir resolves relative --out paths ("" for the working directory).
func checkJSONOutputs(args []string, stdout, stderr []byte, dir string) ([]string, error) {
	v, err := schematest.Load()
	if err != nil {
		return nil, err
	}
	var ids []string
	asked := false
	for _, f := range flagValues(args, "format", "f") {
		asked = asked || f == "json"
	}
	outs := flagValues(args, "out", "o")
	trimmed := bytes.TrimSpace(stdout)
	if len(trimmed) > 0 && (asked && len(outs) == 0 || bytes.HasPrefix(trimmed, []byte("{")) && bytes.Contains(trimmed[:min(len(trimmed), 40)], []byte(`"$schema"`))) {
		id, err := v.Document(stdout)
		if err != nil {
			return nil, fmt.Errorf("standard output: %w", err)
		}
		ids = append(ids, id)
	}
	for _, o := range outs {
		if !strings.EqualFold(filepath.Ext(o), ".json") {
			continue
		}
		if dir != "" && !filepath.IsAbs(o) {
			o = filepath.Join(dir, o)
		}
		b, err := os.ReadFile(o)
		if err != nil {
			continue // not written: the command failed, and says so
		}
		id, err := v.Document(b)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", o, err)
		}
		ids = append(ids, id)
	}
	for _, f := range flagValues(args, "log-format", "") {
		if f == "json" {
			got, err := v.Lines(stderr)
			if err != nil {
				return nil, fmt.Errorf("standard error (--log-format json): %w", err)
			}
			ids = append(ids, got...)
		}
	}
	return ids, nil
}

// schemasSeen reads the identifiers the stories' documents carried.
func schemasSeen(t *testing.T, file string) map[string]bool {
	b, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	for _, l := range strings.Split(string(b), "\n") {
		if l != "" {
			seen[l] = true
		}
	}
	return seen
}

// checkEverySchemaSeen fails unless each published schema but the
// provenance's (which others include) is the schema of a document some
// story printed.
func checkEverySchemaSeen(t *testing.T, seen map[string]bool) {
	v, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}
	for _, id := range v.IDs() {
		if id != schema.Provenance && !seen[id] {
			t.Errorf("no story prints a document of %s (schema/%s): add one that does", id, schema.FileName(id))
		}
	}
}

// checkJSONFilesWritten validates every .json file under dir written since
// start (by the command just run: reports a scheduled run writes, --out
// files), each a document naming its schema.
func checkJSONFilesWritten(dir string, start time.Time) ([]string, error) {
	if dir == "" {
		return nil, nil
	}
	v, err := schematest.Load()
	if err != nil {
		return nil, err
	}
	var ids []string
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.EqualFold(filepath.Ext(path), ".json") {
			return err
		}
		info, err := d.Info()
		if err != nil || info.ModTime().Before(start) {
			return err
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		id, err := v.Document(b)
		if err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		ids = append(ids, id)
		return nil
	})
	return ids, err
}
