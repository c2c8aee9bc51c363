package main

import (
	"flag"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

var updateMessages = flag.Bool("update-messages", false, "rewrite docs/messages.md from the code and the stories")

// The table of messages (docs/messages.md) is made from the code — every
// message format given to usagef, errorf, fmt.Errorf, opt.Errorf,
// opt.Sprintf (hints), errors.New and the infof/warnf/errorf of a
// command — and from the stories: checkedMain appends each line a story's
// caseaudit prints to $CASEAUDIT_MESSAGES_SEEN, and the table names a story
// that printed each message. TestScripts, when every story ran, fails when
// the table is stale (go test ./cmd/caseaudit -run TestScripts
// -update-messages rewrites it).

const messagesDoc = "../../docs/messages.md"

// message is one message format found in the code.
type message struct {
	Format string // as written, %-verbs and all
	Kind   string // usage (exit 2), error, warning, info
	Where  string // package directory
	re     *regexp.Regexp
}

var msgFuncs = map[string]string{
	"usagef": "usage", "Errorf": "error", "errorf": "error", "New": "error",
	"infof": "info", "warnf": "warning", "refusalf": "refusal",
}

// codeMessages reads the message formats of caseaudit's packages.
func codeMessages(t *testing.T) []message {
	var out []message
	seen := map[string]bool{}
	fset := token.NewFileSet()
	err := filepath.WalkDir("../..", func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			switch d.Name() {
			case "testdata", "bench", ".git", "synth", "xlsxfixture", "printcheck", "schematest":
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		f, err := parser.ParseFile(fset, path, nil, 0)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel("../..", filepath.Dir(path))
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			var name, recv string
			switch fn := call.Fun.(type) {
			case *ast.Ident:
				name = fn.Name
			case *ast.SelectorExpr:
				name = fn.Sel.Name
				if id, ok := fn.X.(*ast.Ident); ok {
					recv = id.Name
				}
			}
			kind, ok := msgFuncs[name]
			if name == "Sprintf" && recv == "opt" {
				kind, ok = "hint", true // opt.Sprintf: a hint naming options
			}
			if !ok || (name == "New" && recv != "errors") || (name == "Errorf" && recv != "fmt" && recv != "opt") {
				return true
			}
			if name == "errorf" && recv == "g" {
				kind = "error"
			}
			for _, a := range call.Args {
				lit, ok := a.(*ast.BasicLit)
				if !ok || lit.Kind != token.STRING {
					continue
				}
				s, err := strconv.Unquote(lit.Value)
				if err != nil {
					break
				}
				s = strings.TrimSpace(s)
				if !isMessage(s) || seen[kind+s] {
					break
				}
				seen[kind+s] = true
				out = append(out, message{Format: s, Kind: kind, Where: filepath.ToSlash(dir)})
				break
			}
			return true
		})
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	// A duty refused by role alone says its rule, from the duties table;
	// a case's rule and who may act instead are worded by refusalf.
	for _, d := range audit.DutyTable() {
		out = append(out, message{Format: "refused: %s (%s) may not " + d.What + ": " + d.Rule + "; %s", Kind: "refusal", Where: "audit"})
	}
	sort.Slice(out, func(i, j int) bool {
		if out[i].Where != out[j].Where {
			return out[i].Where < out[j].Where
		}
		return out[i].Format < out[j].Format
	})
	return out
}

var verb = regexp.MustCompile(`%[-+# 0-9.]*[a-zA-Z%]`)

// isMessage: a format that says something in words (not "%s: %w").
func isMessage(s string) bool {
	words := 0
	for _, w := range strings.Fields(verb.ReplaceAllString(s, " ")) {
		if strings.IndexFunc(w, func(r rune) bool { return r >= 'a' && r <= 'z' }) >= 0 {
			words++
		}
	}
	return words >= 3
}

// pattern matches what a format prints: the longest literal run between
// verbs, so wrapping and quoting do not hide it. A format of several lines
// is matched by its longest line, as the stories' output is read a line at
// a time.
func (m *message) pattern() *regexp.Regexp {
	if m.re == nil {
		line := ""
		for _, l := range strings.Split(m.Format, "\n") {
			if len(verb.ReplaceAllString(l, "")) > len(verb.ReplaceAllString(line, "")) {
				line = l
			}
		}
		parts := verb.Split(strings.TrimSpace(line), -1)
		var q []string
		for _, p := range parts {
			q = append(q, regexp.QuoteMeta(p))
		}
		m.re = regexp.MustCompile(strings.Join(q, ".*?"))
	}
	return m.re
}

// messagesSeen reads the lines the stories printed, by story.
func messagesSeen(file string) map[string][]string {
	b, _ := os.ReadFile(file)
	out := map[string][]string{}
	for _, l := range strings.Split(string(b), "\n") {
		story, line, ok := strings.Cut(l, "\t")
		if ok {
			out[story] = append(out[story], line)
		}
	}
	return out
}

// shownBy says, for each message, what shows it: the first story that
// printed it, else its note (messageNotes: a Go test, or why no story can),
// else "—". Notes that no longer apply are errors: a note on a message a
// story prints, or on a format the code no longer has.
func shownBy(msgs []message, seen map[string][]string, notes map[string]string) ([]string, []error) {
	var stories []string
	for s := range seen {
		stories = append(stories, s)
	}
	sort.Strings(stories)
	var errs []error
	used := map[string]bool{}
	out := make([]string, len(msgs))
	for i := range msgs {
		m := &msgs[i]
		story := ""
		for _, s := range stories {
			for _, l := range seen[s] {
				if m.pattern().MatchString(l) {
					story = s
					break
				}
			}
			if story != "" {
				break
			}
		}
		note, noted := notes[m.Format]
		used[m.Format] = used[m.Format] || noted
		switch {
		case story != "" && noted && len(seen) > 0:
			errs = append(errs, fmt.Errorf("story %s prints %q: drop its note (%s)", story, m.Format, note))
			out[i] = story
		case story != "":
			out[i] = story
		case noted:
			out[i] = note
		default:
			out[i] = "—"
		}
	}
	for f := range notes {
		if !used[f] {
			errs = append(errs, fmt.Errorf("a note names %q, which is no message in the code", f))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return out, errs
}

// messageCounts are the table's totals: by a story, by a Go test, not
// reachable from the command line, by nothing yet.
type messageCounts struct{ Story, PGStory, Test, Terminal, Internal, None int }

// messagesTable is docs/messages.md.
func messagesTable(msgs []message, by []string) (string, messageCounts) {
	var b strings.Builder
	b.WriteString(`# Messages

Every message caseaudit can print, made from the code (the format given to each error, warning and
notice; ` + "`…`" + ` stands for what is filled in) with, for each, what shows it coming about: a story in
` + "`cmd/caseaudit/testdata/script`" + ` that prints it (the story shows how a user meets it); else a story
of ` + "`cmd/caseaudit/testdata/pgscript`" + `, run against a PostgreSQL server, or a Go test that prints it;
else *terminal only* (the full-screen form, which no test drives) or *internal*, with the reason no user
meets it (a guard against a mistake in caseaudit itself, a kind read back and said otherwise). A support
person looks a message up here by its words. Errors exit 1 unless the kind is *usage* (exit 2); a
*refusal* (not the person's duty in this store) exits 5, each part of it worded by the duty's rule or the
case; a *hint* follows the message it belongs to; see ` + "`caseaudit --help`" + ` for every exit code.
Messages on a line of their own are prefixed ` + "`caseaudit: `" + ` (errors) or ` + "`warning: `" + `; with
` + "`--log-format json`" + ` each is one JSON object.

Generated by ` + "`go test ./cmd/caseaudit -run TestScripts -update-messages`" + ` from the code, the stories'
output and the notes in ` + "`cmd/caseaudit/messages_notes_test.go`" + `; the tests fail when it is stale.

`)
	var n messageCounts
	where := ""
	for i := range msgs {
		m := &msgs[i]
		if m.Where != where {
			where = m.Where
			fmt.Fprintf(&b, "\n## %s\n\n| message | kind | shown by |\n|---|---|---|\n", where)
		}
		switch shown := by[i]; {
		case shown == "—":
			n.None++
		case strings.HasPrefix(shown, "internal"):
			n.Internal++
		case strings.HasPrefix(shown, "Go test"):
			n.Test++
		case strings.HasPrefix(shown, "PostgreSQL story"):
			n.PGStory++
		case strings.HasPrefix(shown, "terminal only"):
			n.Terminal++
		default:
			n.Story++
		}
		text := verb.ReplaceAllStringFunc(m.Format, func(v string) string {
			if v == "%%" {
				return "%"
			}
			return "…"
		})
		esc := strings.NewReplacer("|", `\|`, "\n", " ", "`", "'")
		fmt.Fprintf(&b, "| %s | %s | %s |\n", esc.Replace(text), m.Kind, esc.Replace(by[i]))
	}
	fmt.Fprintf(&b, "\n%d messages: %d printed by a story, %d by a PostgreSQL story, %d by a Go test, %d only at a terminal, %d internal (no user can bring them about), %d by nothing yet.\n",
		len(msgs), n.Story, n.PGStory, n.Test, n.Terminal, n.Internal, n.None)
	return b.String(), n
}

// checkMessagesTable regenerates docs/messages.md and fails when it is
// stale.
func checkMessagesTable(t *testing.T, seenFile string) {
	msgs := codeMessages(t)
	by, errs := shownBy(msgs, messagesSeen(seenFile), messageNotes)
	for _, err := range errs {
		t.Error(err)
	}
	for _, err := range checkTestNotes(msgs, messageNotes) {
		t.Error(err)
	}
	got, n := messagesTable(msgs, by)
	if *updateMessages {
		if err := os.MkdirAll(filepath.Dir(messagesDoc), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(messagesDoc, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s (%+v)", messagesDoc, n)
		return
	}
	want, err := os.ReadFile(messagesDoc)
	if err != nil || string(want) != got {
		t.Errorf("%s is stale: go test ./cmd/caseaudit -run TestScripts -update-messages rewrites it", messagesDoc)
	}
}
