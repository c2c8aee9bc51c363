package form

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestDefaultForm(t *testing.T) {
	f := DefaultForm()
	if f.Name == "" {
		t.Error("the default form has no name")
	}
	// The built-in form has at least six focus areas of children's social care.
	grades := 0
	for _, q := range f.Questions {
		if q.Kind == QuestionGrade {
			grades++
		}
		if q.Label == "" || q.Help == "" {
			t.Errorf("question %q lacks a label or help", q.Key)
		}
	}
	if len(f.Questions) < 6 || grades < 5 {
		t.Errorf("default form: %d questions, %d graded; want at least 6 focus areas", len(f.Questions), grades)
	}
	for _, want := range []string{"Assessment of need and risk", "Management oversight and supervision", "Stability of the allocated worker"} {
		if _, ok := f.Question(want); !ok {
			t.Errorf("default form has no question %q", want)
		}
	}
	// The YAML written by form init is commented and parses to the same form.
	y := string(DefaultFormYAML())
	if !strings.Contains(y, "# ") || !strings.Contains(y, "kind") {
		t.Error("form init YAML carries no comments")
	}
	again, err := ParseForm("x.yaml", []byte(y))
	if err != nil {
		t.Fatal(err)
	}
	a, _ := f.JSON()
	b, _ := again.JSON()
	if string(a) != string(b) {
		t.Errorf("round trip differs:\n%s\n%s", a, b)
	}
}

// goodForm is a valid form with one question of every kind, shared with
// the audit package's tests.
var goodForm = func() string {
	b, err := os.ReadFile(filepath.Join("..", "testdata", "form-adults.yaml"))
	if err != nil {
		panic(err)
	}
	return string(b)
}()

func TestParseForm(t *testing.T) {
	f, err := ParseForm("f.yaml", []byte(goodForm))
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(f.Keys())
	if got != "[risk consent outcome comment]" {
		t.Errorf("keys %s", got)
	}
	if q := f.Questions[0]; !q.Required || !q.NotApplicable || q.Kind != QuestionGrade {
		t.Errorf("risk: %+v", q)
	}
	if opts := f.Questions[2].Options(); fmt.Sprint(opts) != "[Achieved Partly achieved Not achieved]" {
		t.Errorf("choices %v", opts)
	}
	if opts := f.Questions[0].Options(); fmt.Sprint(opts) != "[Outstanding Good Requires improvement Inadequate Not applicable]" {
		t.Errorf("grade options %v", opts)
	}
	if opts := f.Questions[1].Options(); fmt.Sprint(opts) != "[Yes No]" {
		t.Errorf("yesno options %v", opts)
	}
}

func TestParseFormProblems(t *testing.T) {
	for _, tc := range []struct {
		name, yaml string
		want       []string // "line: message part", in order
	}{
		{"duplicate key", `name: x
questions:
  - key: a
    label: A
    kind: text
  - key: a
    label: B
    kind: text
`, []string{`6: duplicate key "a" (first on line 3)`}},
		{"unknown kind and field", `name: x
questions:
  - key: a
    label: A
    kind: rating
    choises: [x]
`, []string{`5: unknown kind "rating"`, `6: unknown field "choises"`}},
		{"empty choices", `name: x
questions:
  - key: a
    label: A
    kind: choice
    choices: []
`, []string{`6: question "a": a choice question needs a non-empty choices: list`}},
		{"missing label and kind", `name: x
questions:
  - key: a
`, []string{`3: question "a" needs a label`, `3: question "a" needs a kind`}},
		{"reserved key, fixed label, duplicate label", `name: x
questions:
  - key: grade
    label: Grade
    kind: text
  - key: b
    label: Same
    kind: text
  - key: c
    label: " same "
    kind: text
`, []string{`3: key "grade" is reserved`, `3: question "grade": the label "Grade" is a column caseaudit always writes`, `9: duplicate label "same" (first on line 6)`}},
		{"not_applicable on a choice, repeated choice", `name: x
questions:
  - key: a
    label: A
    kind: choice
    choices: [One, one]
    not_applicable: true
`, []string{`6: question "a": choice "one" is listed twice`, `7: question "a": not_applicable: goes only with kind grade or yesno`}},
		{"duplicate top-level key, no name", `questions:
  - key: a
    label: A
    kind: text
questions: []
`, []string{`1: the form needs a name`, `5: questions: is given twice (first on line 1)`}},
		{"not yaml", "name: [unclosed\n", []string{"0: not valid YAML"}},
		{"empty", "", []string{"0: the file is empty"}},
		{"a list", "- a\n- b\n", []string{"1: a form is a mapping"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := ParseForm("f.yaml", []byte(tc.yaml))
			var fe *FormError
			if !errors.As(err, &fe) {
				t.Fatalf("err %v; want a *FormError", err)
			}
			if len(fe.Problems) != len(tc.want) {
				t.Fatalf("problems %+v; want %d", fe.Problems, len(tc.want))
			}
			for i, w := range tc.want {
				line, msg, _ := strings.Cut(w, ": ")
				got := fe.Problems[i]
				if fmt.Sprint(got.Line) != line || !strings.Contains(got.Msg, msg) {
					t.Errorf("problem %d: %d: %s; want %s", i, got.Line, got.Msg, w)
				}
			}
			if !strings.HasPrefix(err.Error(), "f.yaml") {
				t.Errorf("error %q does not name the file", err)
			}
		})
	}
}

func TestAnswers(t *testing.T) {
	f, err := ParseForm("f.yaml", []byte(goodForm))
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct{ q, in, want, err string }{
		{"risk", " ri ", "Requires improvement", ""},
		{"risk", "N/A", "Not applicable", ""},
		{"risk", "not applicable", "Not applicable", ""},
		{"risk", "fine", "", `"fine" is not an answer to "Risk assessment"`},
		{"consent", "y", "Yes", ""},
		{"consent", "n/a", "", "does not allow N/A"},
		{"outcome", "partly ACHIEVED", "Partly achieved", ""},
		{"outcome", "part", "Partly achieved", ""}, // an unambiguous start
		{"outcome", "no", "Not achieved", ""},
		{"outcome", "maybe", "", "use Achieved, Partly achieved or Not achieved"},
		{"comment", "  anything at all ", "anything at all", ""},
		{"comment", "", "", ""},
	} {
		q, ok := f.Question(tc.q)
		if !ok {
			t.Fatalf("no question %s", tc.q)
		}
		got, err := q.Answer(tc.in)
		if tc.err != "" {
			if err == nil || !strings.Contains(err.Error(), tc.err) {
				t.Errorf("%s=%q: err %v; want %q", tc.q, tc.in, err, tc.err)
			}
			continue
		}
		if err != nil || got != tc.want {
			t.Errorf("%s=%q: %q, %v; want %q", tc.q, tc.in, got, err, tc.want)
		}
	}
	// By key or label; required questions; unknown questions with a suggestion.
	ans, probs := f.CheckAnswers(map[string]string{"Risk Assessment": "g", "consent": "no", "outcme": "x"}, true)
	if fmt.Sprint(ans) != "map[consent:No risk:Good]" {
		t.Errorf("answers %v", ans)
	}
	if len(probs) != 1 || !strings.Contains(probs[0].Msg, `did you mean "outcome"?`) {
		t.Errorf("problems %v", probs)
	}
	_, probs = f.CheckAnswers(map[string]string{"consent": "yes"}, true)
	if len(probs) != 1 || probs[0].Key != "risk" || !strings.Contains(probs[0].Msg, "needs an answer") {
		t.Errorf("required: %v", probs)
	}
	if _, probs = f.CheckAnswers(nil, false); len(probs) != 0 {
		t.Errorf("not required: %v", probs)
	}
}

func TestFormPrefillAndInstructions(t *testing.T) {
	f, err := ParseForm("f.yaml", []byte(`name: x
questions:
  - key: stability
    label: Stability
    kind: choice
    choices: [One worker, Two workers, Three or more workers]
    prefill_from: Workers in 12m
    prefill:
      "1": one
      "2": Two workers
      "3+": three
instructions:
  grades:
    ri: Not yet good.
  names: No names, ever.
`))
	if err != nil {
		t.Fatal(err)
	}
	q := &f.Questions[0]
	for in, want := range map[string]string{"1": "One worker", " 2 ": "Two workers", "3": "Three or more workers", "7": "Three or more workers", "0": "", "": "", "x": ""} {
		if got := q.PrefillAnswer(in); got != want {
			t.Errorf("PrefillAnswer(%q) = %q, want %q", in, got, want)
		}
	}
	if got := f.Prefills([]string{"Team", "Workers in 12m"}, []string{"North", "4"}); got["stability"] != "Three or more workers" {
		t.Errorf("Prefills %v", got)
	}
	g := f.Guide()
	if g.Grades["Requires improvement"] != "Not yet good." || g.Names != "No names, ever." ||
		g.Grades["Good"] != DefaultForm().Instructions.Grades["Good"] || g.Immediate == "" || g.ActAtOnce == "" {
		t.Errorf("guide %+v", g)
	}
	if (*Form)(nil).Guide().Introduction == "" {
		t.Error("no built-in instructions for an audit without a form")
	}
	for _, tc := range []struct{ yaml, want string }{
		{"    prefill:\n      \"1\": One worker\n", `prefill: needs prefill_from:`},
		{"    prefill_from: Workers\n", `prefill_from: needs a prefill: mapping`},
		{"    prefill_from: Workers\n    prefill:\n      \"1\": Maybe\n", `prefill: "Maybe" is not one of its answers (One worker or Two workers)`},
	} {
		_, err := ParseForm("g.yaml", []byte("name: x\nquestions:\n  - key: s\n    label: S\n    kind: choice\n    choices: [One worker, Two workers]\n"+tc.yaml))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v; want %q", tc.yaml, err, tc.want)
		}
	}
	if _, err := ParseForm("h.yaml", []byte("name: x\nquestions:\n  - key: s\n    label: S\n    kind: text\ninstructions:\n  grades:\n    Superb: yes\n")); err == nil ||
		!strings.Contains(err.Error(), `"Superb" is not a grade`) {
		t.Errorf("an unknown grade in the instructions: %v", err)
	}
}
