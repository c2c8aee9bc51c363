package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// messageNotes says what shows each message no story can print, by its
// format as the code writes it: a Go test that brings it about and asserts
// its words (goTest, checked by checkTestNotes), or why no user can meet it
// (internal). The table of messages (docs/messages.md) shows the note
// where no story prints the message; a note on a message a story prints
// fails the test, so the list keeps to what the stories cannot show.
var messageNotes = map[string]string{}

// goTest is the note of a message a Go test in the package dir prints.
func goTest(dir, name string) string { return "Go test " + name + " (" + dir + ")" }

// pgStory is the note of a message a story of testdata/pgscript prints:
// those run against a PostgreSQL server (TestPostgresScripts), which the
// table, made the same with or without one, does not wait for.
func pgStory(name string) string { return "PostgreSQL story " + name }

// internal is the note of a message no user can bring about, and why.
func internal(why string) string { return "internal: " + why }

var goTestNote = regexp.MustCompile(`^Go test (Test\w+) \(([\w/]+)\)$`)

// checkTestNotes checks that each Go test a note names exists and asserts
// the words of its message (a run of them from the format's text), so a
// note cannot name a test that has nothing to do with the message.
func checkTestNotes(msgs []message, notes map[string]string) []error {
	var errs []error
	for _, m := range msgs {
		note, ok := notes[m.Format]
		if name, pg := strings.CutPrefix(note, "PostgreSQL story "); ok && pg {
			b, err := os.ReadFile(filepath.Join("testdata/pgscript", name+".txtar"))
			if err != nil {
				errs = append(errs, fmt.Errorf("note on %q names the PostgreSQL story %s: %v", m.Format, name, err))
			} else if !assertsWords(string(b), m.Format) {
				errs = append(errs, fmt.Errorf("note on %q names the PostgreSQL story %s, which does not assert the message's words", m.Format, name))
			}
			continue
		}
		if !ok || !strings.HasPrefix(note, "Go test") {
			continue
		}
		g := goTestNote.FindStringSubmatch(note)
		if g == nil {
			errs = append(errs, fmt.Errorf("note %q on %q: write goTest(DIR, TestName)", note, m.Format))
			continue
		}
		src, ok := testFuncs(g[2])[g[1]]
		if !ok {
			errs = append(errs, fmt.Errorf("note on %q names %s in %s, which is no test there", m.Format, g[1], g[2]))
			continue
		}
		if !assertsWords(src, m.Format) {
			errs = append(errs, fmt.Errorf("note on %q names %s in %s, which does not assert the message's words", m.Format, g[1], g[2]))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

var testFuncCache = map[string]map[string]string{}

// testFuncs is the source of each TestXxx function of the package in dir
// (relative to the module's root).
func testFuncs(dir string) map[string]string {
	if f, ok := testFuncCache[dir]; ok {
		return f
	}
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join("../..", dir, "*_test.go"))
	fset := token.NewFileSet()
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, file, b, 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
				out[fn.Name.Name] = string(b[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset])
			}
		}
	}
	testFuncCache[dir] = out
	return out
}

// assertsWords: src holds a run of the format's own text, 20 characters
// long (or a whole literal part of 10 or more), as a test asserting the
// message does.
func assertsWords(src, format string) bool {
	for _, part := range verb.Split(format, -1) {
		part = strings.TrimSpace(part)
		r := []rune(part)
		if len(r) < 10 {
			continue
		}
		n := 20
		if len(r) < n {
			n = len(r)
		}
		for i := 0; i+n <= len(r); i++ {
			if strings.Contains(src, string(r[i:i+n])) {
				return true
			}
		}
	}
	return false
}
