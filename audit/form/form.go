package form

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/canonjson"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"go.yaml.in/yaml/v3"
)

// An audit form is a named list of questions that auditors answer for every
// case, besides the three always asked: the overall grade, immediate
// attention and a note. Forms are written in YAML (see DefaultFormYAML),
// checked with ParseForm, and stored with an audit as canonical JSON that
// never changes for that audit. The package knows no store: the audit
// package keeps a form with its audit and checks findings against it.

// Question kinds.
const (
	QuestionGrade  = "grade"  // Outstanding / Good / Requires improvement / Inadequate (optionally Not applicable)
	QuestionYesNo  = "yesno"  // Yes / No (optionally N/A)
	QuestionChoice = "choice" // one of the listed choices
	QuestionText   = "text"   // free text
)

// Answers that say a question does not apply.
const (
	GradeNotApplicable = "Not applicable" // for grade questions allowing it
	YesNoNotApplicable = "N/A"            // for yes/no questions allowing it
)

var questionKinds = []string{QuestionGrade, QuestionYesNo, QuestionChoice, QuestionText}

// Question is one question of an audit form.
type Question struct {
	Key           string   `json:"key"`                      // short name: lower-case letters, digits, underscores
	Label         string   `json:"label"`                    // the workbook column header and the prompt
	Help          string   `json:"help,omitempty"`           // guidance for the auditor
	Kind          string   `json:"kind"`                     // one of the Question* kinds
	Choices       []string `json:"choices,omitempty"`        // for choice questions
	NotApplicable bool     `json:"not_applicable,omitempty"` // grade and yesno: "not applicable" is an answer
	Required      bool     `json:"required,omitempty"`       // a finding needs an answer
	// PrefillFrom names an export column whose value pre-fills the answer
	// in the auditors' workbook (the auditor may change it); Prefill maps
	// the column's values to answers: a value as written (ignoring case),
	// or "N+" for a whole number N or more. A text question without Prefill
	// takes the value as it is.
	PrefillFrom string            `json:"prefill_from,omitempty"`
	Prefill     map[string]string `json:"prefill,omitempty"`
}

// Form is an audit form: a name, its questions, in order, and the
// instructions the auditors' workbook gives (nil: the built-in ones).
type Form struct {
	Name         string        `json:"name"`
	Questions    []Question    `json:"questions"`
	Instructions *Instructions `json:"instructions,omitempty"`
}

// Instructions are the texts of the workbook's Instructions sheet that a
// form may give; any left out are the built-in form's (see Guide).
type Instructions struct {
	// Introduction says what the audit is for and how to go about it.
	Introduction string `json:"introduction,omitempty"`
	// Grades say what each grade means, keyed by the grade's full name.
	Grades map[string]string `json:"grades,omitempty"`
	// Immediate says what counts as needing immediate attention;
	// ActAtOnce what to do at once (the workbook adds who to contact).
	Immediate string `json:"immediate_attention,omitempty"`
	ActAtOnce string `json:"act_at_once,omitempty"`
	// Names asks auditors to keep names out of notes.
	Names string `json:"names,omitempty"`
	// Moderation tells moderators how to re-grade.
	Moderation string `json:"moderation,omitempty"`
}

//go:embed default.yaml
var defaultFormYAML []byte

// DefaultFormYAML returns the built-in default form for children's social
// care as commented YAML, ready to edit (what `caseaudit form init` writes).
func DefaultFormYAML() []byte { return slices.Clone(defaultFormYAML) }

// DefaultForm returns the built-in default form.
func DefaultForm() *Form {
	f, err := ParseForm("default.yaml", defaultFormYAML)
	if err != nil {
		panic("caseaudit: the built-in form is invalid: " + err.Error()) // caught by the tests
	}
	return f
}

// FormProblem is one problem in a form file.
type FormProblem struct {
	Line int // 1-based; 0 when the problem is not on one line
	Msg  string
}

// FormError lists every problem found in a form file.
type FormError struct {
	File     string
	Problems []FormProblem
}

func (e *FormError) Error() string {
	p := e.Problems[0]
	loc := e.File
	if p.Line > 0 {
		loc = fmt.Sprintf("%s:%d", e.File, p.Line)
	}
	if len(e.Problems) == 1 {
		return fmt.Sprintf("%s: %s", loc, p.Msg)
	}
	return fmt.Sprintf("%s: %s (and %d more problems)", loc, p.Msg, len(e.Problems)-1)
}

// reservedKeys may not be question keys: they name the questions always asked.
var reservedKeys = []string{"grade", "immediate", "immediate_attention", "note", "notes", "auditor", "date", "date_audited", "case", "case_id", "reason"}

// fixedColumns are the workbook's own column headers; no label may take one.
var fixedColumns = []string{ColOrder, ColCaseID, ColAuditor, ColGrade, ColImmediate, ColNotes, ColDate}

// The headers of the workbook's columns that every audit has, whatever its
// form: a question's label may not take one.
const (
	ColOrder     = "#"
	ColCaseID    = "Case ID"
	ColAuditor   = "Auditor"
	ColModerator = "Moderator" // the moderators' workbook's Auditor column
	ColGrade     = "Grade"
	ColImmediate = "Immediate attention"
	ColNotes     = "Notes"
	ColDate      = "Date audited"
)

// keyPattern is compiled on first use, not at every start of the program.
var keyPattern = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z][a-z0-9_]*$`) })

// maxLabel keeps labels usable as column headers.
const maxLabel = 120

// ParseForm reads a form from YAML and checks it: every problem (duplicate
// keys, unknown kinds or fields, empty choice lists, missing labels …) is
// listed with its line in a *FormError. name names the file in messages.
func ParseForm(name string, data []byte) (*Form, error) {
	fe := &FormError{File: name}
	add := func(line int, format string, a ...any) {
		fe.Problems = append(fe.Problems, FormProblem{Line: line, Msg: fmt.Sprintf(format, a...)})
	}
	if !utf8.Valid(data) {
		add(0, "the file is not UTF-8 text; save it as UTF-8")
		return nil, fe
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		add(0, "not valid YAML: %s", strings.TrimPrefix(err.Error(), "yaml: "))
		return nil, fe
	}
	if doc.Kind != yaml.DocumentNode || len(doc.Content) == 0 {
		add(0, "the file is empty; start from: caseaudit form init > form.yaml")
		return nil, fe
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		add(root.Line, "a form is a mapping with name: and questions:; start from: caseaudit form init > form.yaml")
		return nil, fe
	}
	f := &Form{}
	var questions *yaml.Node
	seenTop := map[string]int{}
	for i := 0; i+1 < len(root.Content); i += 2 {
		k, v := root.Content[i], root.Content[i+1]
		if l, ok := seenTop[k.Value]; ok {
			add(k.Line, "%s: is given twice (first on line %d)", k.Value, l)
			continue
		}
		seenTop[k.Value] = k.Line
		switch k.Value {
		case "name":
			if v.Kind != yaml.ScalarNode {
				add(v.Line, "name: must be text")
				continue
			}
			f.Name = strings.TrimSpace(v.Value)
		case "questions":
			questions = v
		case "instructions":
			f.Instructions = parseInstructions(v, add)
		default:
			add(k.Line, "unknown field %q; a form has name:, questions: and instructions:", k.Value)
		}
	}
	if f.Name == "" {
		add(root.Line, "the form needs a name: (e.g. name: Children's social care case-file audit)")
	}
	if questions == nil {
		add(root.Line, "the form has no questions: list")
		return nil, fe
	}
	if questions.Kind != yaml.SequenceNode {
		add(questions.Line, "questions: must be a list (each question starting with \"- key: …\")")
		return nil, fe
	}
	if len(questions.Content) == 0 {
		add(questions.Line, "questions: is empty; give at least one question")
	}
	keys := map[string]int{}
	labels := map[string]int{}
	for _, qn := range questions.Content {
		q, ok := parseQuestion(qn, add)
		if !ok {
			continue
		}
		if l, dup := keys[q.Key]; dup && q.Key != "" {
			add(qn.Line, "duplicate key %q (first on line %d); every question needs its own key", q.Key, l)
		} else if q.Key != "" {
			keys[q.Key] = qn.Line
		}
		fold := FoldLabel(q.Label)
		if l, dup := labels[fold]; dup && fold != "" {
			add(qn.Line, "duplicate label %q (first on line %d); labels are column headers and must differ", q.Label, l)
		} else if fold != "" {
			labels[fold] = qn.Line
		}
		f.Questions = append(f.Questions, q)
	}
	if len(fe.Problems) > 0 {
		sort.SliceStable(fe.Problems, func(i, j int) bool { return fe.Problems[i].Line < fe.Problems[j].Line })
		return nil, fe
	}
	return f, nil
}

func parseQuestion(n *yaml.Node, add func(int, string, ...any)) (Question, bool) {
	var q Question
	if n.Kind != yaml.MappingNode {
		add(n.Line, "a question is a mapping with key:, label: and kind:")
		return q, false
	}
	seen := map[string]int{}
	var choicesNode, prefillNode *yaml.Node
	naLine, prefillLine := 0, 0
	boolField := func(v *yaml.Node, name string) bool {
		if v.Kind != yaml.ScalarNode {
			add(v.Line, "%s: must be true or false", name)
			return false
		}
		switch strings.ToLower(v.Value) {
		case "true", "yes":
			return true
		case "false", "no", "":
			return false
		}
		add(v.Line, "%s: %q must be true or false", name, v.Value)
		return false
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if l, ok := seen[k.Value]; ok {
			add(k.Line, "%s: is given twice in one question (first on line %d)", k.Value, l)
			continue
		}
		seen[k.Value] = k.Line
		text := func() string {
			if v.Kind != yaml.ScalarNode {
				add(v.Line, "%s: must be text", k.Value)
				return ""
			}
			return strings.Join(strings.Fields(v.Value), " ")
		}
		switch k.Value {
		case "key":
			q.Key = strings.TrimSpace(text())
		case "label":
			q.Label = text()
		case "help":
			q.Help = text()
		case "kind":
			q.Kind = strings.ToLower(strings.TrimSpace(text()))
			if q.Kind == "yes/no" || q.Kind == "yes_no" {
				q.Kind = QuestionYesNo
			}
			if !slices.Contains(questionKinds, q.Kind) {
				add(v.Line, "unknown kind %q; use grade, yesno, choice or text", v.Value)
			}
		case "choices":
			choicesNode = v
		case "not_applicable":
			q.NotApplicable = boolField(v, "not_applicable")
			naLine = v.Line
		case "required":
			q.Required = boolField(v, "required")
		case "prefill_from":
			q.PrefillFrom = text()
			prefillLine = k.Line
		case "prefill":
			prefillNode = v
		default:
			msg := fmt.Sprintf("unknown field %q in a question; use key, label, help, kind, choices, not_applicable, required, prefill_from, prefill", k.Value)
			if k.Value == "choises" || k.Value == "options" || k.Value == "choice" {
				msg += " (did you mean choices?)"
			}
			add(k.Line, "%s", msg)
		}
	}
	switch {
	case q.Key == "":
		add(n.Line, "the question needs a key: (lower-case letters, digits and _; e.g. key: assessment)")
	case !keyPattern().MatchString(q.Key):
		add(n.Line, "key %q: use lower-case letters, digits and _, starting with a letter (e.g. child_voice)", q.Key)
	case slices.Contains(reservedKeys, q.Key):
		add(n.Line, "key %q is reserved: the grade, immediate attention and notes are always asked; choose another key", q.Key)
	}
	switch {
	case q.Label == "":
		add(n.Line, "question %q needs a label: (the column header and prompt)", q.Key)
	case utf8.RuneCountInString(q.Label) > maxLabel:
		add(n.Line, "question %q: the label is longer than %d characters; put the detail in help:", q.Key, maxLabel)
	case slices.ContainsFunc(fixedColumns, func(c string) bool { return FoldLabel(c) == FoldLabel(q.Label) }):
		add(n.Line, "question %q: the label %q is a column caseaudit always writes; choose another", q.Key, q.Label)
	}
	if _, ok := seen["kind"]; !ok {
		add(n.Line, "question %q needs a kind: grade, yesno, choice or text", q.Key)
	}
	if choicesNode != nil {
		if q.Kind != QuestionChoice && q.Kind != "" && slices.Contains(questionKinds, q.Kind) {
			add(choicesNode.Line, "question %q: choices: go only with kind: choice", q.Key)
		} else if choicesNode.Kind != yaml.SequenceNode {
			add(choicesNode.Line, "question %q: choices: must be a list", q.Key)
		} else {
			seenChoice := map[string]int{}
			for _, c := range choicesNode.Content {
				if c.Kind != yaml.ScalarNode {
					add(c.Line, "question %q: each choice must be text", q.Key)
					continue
				}
				v := strings.Join(strings.Fields(c.Value), " ")
				if v == "" {
					add(c.Line, "question %q: a choice is empty", q.Key)
					continue
				}
				if l, dup := seenChoice[strings.ToLower(v)]; dup {
					add(c.Line, "question %q: choice %q is listed twice (first on line %d)", q.Key, v, l)
					continue
				}
				seenChoice[strings.ToLower(v)] = c.Line
				q.Choices = append(q.Choices, v)
			}
		}
	}
	if q.Kind == QuestionChoice && len(q.Choices) == 0 && (choicesNode == nil || choicesNode.Kind == yaml.SequenceNode) {
		line := n.Line
		if choicesNode != nil {
			line = choicesNode.Line
		}
		add(line, "question %q: a choice question needs a non-empty choices: list", q.Key)
	}
	if q.NotApplicable && q.Kind != QuestionGrade && q.Kind != QuestionYesNo && q.Kind != "" {
		add(naLine, "question %q: not_applicable: goes only with kind grade or yesno (list it as a choice instead)", q.Key)
	}
	parsePrefill(&q, n, prefillNode, prefillLine, add)
	return q, true
}

// parsePrefill reads a question's prefill: mapping (export value →
// answer) and checks it goes with prefill_from: and gives valid answers.
func parsePrefill(q *Question, n, node *yaml.Node, fromLine int, add func(int, string, ...any)) {
	if node == nil {
		if q.PrefillFrom != "" && q.Kind != QuestionText && slices.Contains(questionKinds, q.Kind) {
			add(fromLine, "question %q: prefill_from: needs a prefill: mapping of the column's values to answers (e.g. \"1\": %s)", q.Key, firstOr(q.Options(), "an answer"))
		}
		return
	}
	if q.PrefillFrom == "" {
		add(node.Line, "question %q: prefill: needs prefill_from: naming the export column", q.Key)
		return
	}
	if node.Kind != yaml.MappingNode {
		add(node.Line, "question %q: prefill: must map the column's values to answers, one per line (\"1\": %s)", q.Key, firstOr(q.Options(), "an answer"))
		return
	}
	q.Prefill = map[string]string{}
	for i := 0; i+1 < len(node.Content); i += 2 {
		k, v := node.Content[i], node.Content[i+1]
		key := strings.Join(strings.Fields(k.Value), " ")
		if k.Kind != yaml.ScalarNode || v.Kind != yaml.ScalarNode || key == "" {
			add(k.Line, "question %q: each prefill: line maps a value of the column to an answer", q.Key)
			continue
		}
		if _, dup := q.Prefill[strings.ToLower(key)]; dup {
			add(k.Line, "question %q: prefill: value %q is given twice", q.Key, key)
			continue
		}
		a, err := q.Answer(v.Value)
		if err != nil || a == "" {
			add(v.Line, "question %q: prefill: %q is not one of its answers (%s)", q.Key, v.Value, q.ListDescribe())
			continue
		}
		q.Prefill[strings.ToLower(key)] = a
	}
}

func firstOr(list []string, or string) string {
	if len(list) > 0 {
		return list[0]
	}
	return or
}

// PrefillAnswer returns the answer an export value pre-fills, "" for none:
// the value's own mapping, else the largest "N+" mapping it reaches.
func (q *Question) PrefillAnswer(value string) string {
	v := strings.ToLower(strings.Join(strings.Fields(value), " "))
	if q.PrefillFrom == "" || v == "" {
		return ""
	}
	if q.Prefill == nil {
		if q.Kind == QuestionText {
			return strings.TrimSpace(value)
		}
		return ""
	}
	if a, ok := q.Prefill[v]; ok {
		return a
	}
	n, err := strconv.ParseFloat(v, 64)
	if err != nil {
		return ""
	}
	best, answer := math.Inf(-1), ""
	for k, a := range q.Prefill {
		t, ok := strings.CutSuffix(k, "+")
		if !ok {
			continue
		}
		m, err := strconv.ParseFloat(strings.TrimSpace(t), 64)
		if err == nil && n >= m && m > best {
			best, answer = m, a
		}
	}
	return answer
}

// Prefills returns the answers a case's shown fields pre-fill, keyed by
// question key (nil when none): columns names the fields.
func (f *Form) Prefills(columns, fields []string) map[string]string {
	if f == nil {
		return nil
	}
	var out map[string]string
	for i := range f.Questions {
		q := &f.Questions[i]
		if q.PrefillFrom == "" {
			continue
		}
		j := colname.Index(columns, q.PrefillFrom)
		if j < 0 || j >= len(fields) {
			continue
		}
		if a := q.PrefillAnswer(fields[j]); a != "" {
			if out == nil {
				out = map[string]string{}
			}
			out[q.Key] = a
		}
	}
	return out
}

// PrefillColumns lists the export columns the form pre-fills from.
func (f *Form) PrefillColumns() []string {
	if f == nil {
		return nil
	}
	var out []string
	for _, q := range f.Questions {
		if q.PrefillFrom != "" && colname.Index(out, q.PrefillFrom) < 0 {
			out = append(out, q.PrefillFrom)
		}
	}
	return out
}

// parseInstructions reads a form's instructions: mapping.
func parseInstructions(n *yaml.Node, add func(int, string, ...any)) *Instructions {
	if n.Kind != yaml.MappingNode {
		add(n.Line, "instructions: is a mapping with introduction:, grades:, immediate_attention:, act_at_once:, names: and moderation:")
		return nil
	}
	in := &Instructions{}
	seen := map[string]int{}
	for i := 0; i+1 < len(n.Content); i += 2 {
		k, v := n.Content[i], n.Content[i+1]
		if l, ok := seen[k.Value]; ok {
			add(k.Line, "instructions: %s: is given twice (first on line %d)", k.Value, l)
			continue
		}
		seen[k.Value] = k.Line
		text := func() string {
			if v.Kind != yaml.ScalarNode {
				add(v.Line, "instructions: %s: must be text", k.Value)
				return ""
			}
			return strings.Join(strings.Fields(v.Value), " ")
		}
		switch k.Value {
		case "introduction":
			in.Introduction = text()
		case "immediate_attention":
			in.Immediate = text()
		case "act_at_once":
			in.ActAtOnce = text()
		case "names":
			in.Names = text()
		case "moderation":
			in.Moderation = text()
		case "grades":
			if v.Kind != yaml.MappingNode {
				add(v.Line, "instructions: grades: maps each grade to what it means (Outstanding: …)")
				continue
			}
			in.Grades = map[string]string{}
			for j := 0; j+1 < len(v.Content); j += 2 {
				gk, gv := v.Content[j], v.Content[j+1]
				g, err := ParseGrade(gk.Value)
				if err != nil {
					add(gk.Line, "instructions: grades: %q is not a grade; %suse Outstanding, Good, Requires improvement or Inadequate", gk.Value, DidYouMeanGrade(gk.Value))
					continue
				}
				if gv.Kind != yaml.ScalarNode || strings.TrimSpace(gv.Value) == "" {
					add(gv.Line, "instructions: grades: %s: must be text", g)
					continue
				}
				if _, dup := in.Grades[g.String()]; dup {
					add(gk.Line, "instructions: grades: %s is given twice", g)
					continue
				}
				in.Grades[g.String()] = strings.Join(strings.Fields(gv.Value), " ")
			}
		default:
			add(k.Line, "unknown field %q in instructions:; use introduction, grades, immediate_attention, act_at_once, names, moderation", k.Value)
		}
	}
	return in
}

// Guide returns the instructions the workbook gives: the form's, with any
// text it leaves out taken from the built-in form (also for a nil form).
func (f *Form) Guide() Instructions {
	var def Instructions
	if d := builtinInstructions(); d != nil {
		def = *d
	}
	if f == nil || f.Instructions == nil {
		return def
	}
	in := *f.Instructions
	pick := func(s *string, d string) {
		if *s == "" {
			*s = d
		}
	}
	pick(&in.Introduction, def.Introduction)
	pick(&in.Immediate, def.Immediate)
	pick(&in.ActAtOnce, def.ActAtOnce)
	pick(&in.Names, def.Names)
	pick(&in.Moderation, def.Moderation)
	grades := map[string]string{}
	for g, t := range def.Grades {
		grades[g] = t
	}
	for g, t := range in.Grades {
		grades[g] = t
	}
	in.Grades = grades
	return in
}

// builtinInstructions are the built-in form's instructions.
var builtinInstructions = sync.OnceValue(func() *Instructions { return DefaultForm().Instructions })

// FoldLabel is a label as labels are compared: lower case, spaces
// collapsed.
func FoldLabel(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// FormFromJSON reads a form stored with an audit; nil for an audit without one.
func FormFromJSON(raw json.RawMessage) (*Form, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return nil, nil
	}
	var f Form
	if err := json.Unmarshal(raw, &f); err != nil {
		return nil, fmt.Errorf("the audit's stored form is damaged: %w", err)
	}
	return &f, nil
}

// JSON returns the form as canonical JSON, as an audit keeps it.
func (f *Form) JSON() (json.RawMessage, error) {
	if f == nil {
		return nil, nil
	}
	return canonjson.Marshal(f)
}

// Question returns the question whose key or label is name (ignoring case
// and extra spaces).
func (f *Form) Question(name string) (*Question, bool) {
	if f == nil {
		return nil, false
	}
	k := FoldLabel(name)
	for i := range f.Questions {
		q := &f.Questions[i]
		if q.Key == k || FoldLabel(q.Label) == k {
			return q, true
		}
	}
	return nil, false
}

// Keys lists the form's question keys in order.
func (f *Form) Keys() []string {
	if f == nil {
		return nil
	}
	out := make([]string, len(f.Questions))
	for i, q := range f.Questions {
		out[i] = q.Key
	}
	return out
}

// Options returns the answers a drop-down offers for the question, in
// order; nil for a text question.
func (q *Question) Options() []string {
	switch q.Kind {
	case QuestionGrade:
		out := GradeNames()
		if q.NotApplicable {
			out = append(out, GradeNotApplicable)
		}
		return out
	case QuestionYesNo:
		out := []string{"Yes", "No"}
		if q.NotApplicable {
			out = append(out, YesNoNotApplicable)
		}
		return out
	case QuestionChoice:
		return slices.Clone(q.Choices)
	}
	return nil
}

// Describe says in words what answers the question takes.
func (q *Question) Describe() string {
	switch q.Kind {
	case QuestionText:
		return "any text"
	case QuestionGrade:
		s := "Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)"
		if q.NotApplicable {
			s = "Outstanding, Good, Requires improvement, Inadequate or Not applicable (or o, g, ri, i, na)"
		}
		return s
	}
	return words.Or(q.Options())
}

// ListDescribe says which answers a drop-down offers: "any text", the one
// answer, or the answers as alternatives.
func (q *Question) ListDescribe() string {
	opts := q.Options()
	switch len(opts) {
	case 0:
		return "any text"
	case 1:
		return opts[0]
	}
	return strings.Join(opts[:len(opts)-1], ", ") + " or " + opts[len(opts)-1]
}

func isNotApplicable(s string) bool {
	switch strings.ToLower(strings.Join(strings.Fields(s), " ")) {
	case "n/a", "na", "not applicable", "n.a.", "not-applicable":
		return true
	}
	return false
}

// Answer checks one answer to the question and returns it in its canonical
// spelling ("ri" → "Requires improvement", "y" → "Yes", a choice as listed).
// An empty answer returns "" (not answered) without error.
func (q *Question) Answer(value string) (string, error) {
	v := strings.TrimSpace(value)
	if v == "" {
		return "", nil
	}
	bad := func() error {
		return fmt.Errorf("%q is not an answer to %q; use %s", v, q.Label, q.Describe())
	}
	switch q.Kind {
	case QuestionGrade:
		if isNotApplicable(v) {
			if q.NotApplicable {
				return GradeNotApplicable, nil
			}
			return "", fmt.Errorf("%q does not allow Not applicable; use %s", q.Label, q.Describe())
		}
		g, err := ParseGrade(v)
		if err != nil {
			return "", fmt.Errorf("%q is not an answer to %q; %suse %s", v, q.Label, DidYouMeanGrade(v), q.Describe())
		}
		return g.String(), nil
	case QuestionYesNo:
		if isNotApplicable(v) {
			if q.NotApplicable {
				return YesNoNotApplicable, nil
			}
			return "", fmt.Errorf("%q does not allow N/A; use Yes or No", q.Label)
		}
		b, err := ParseYesNo(v)
		if err != nil {
			return "", bad()
		}
		if b {
			return "Yes", nil
		}
		return "No", nil
	case QuestionChoice:
		k := FoldLabel(v)
		var prefixed []string
		for _, c := range q.Choices {
			if FoldLabel(c) == k {
				return c, nil
			}
			if strings.HasPrefix(FoldLabel(c), k) {
				prefixed = append(prefixed, c)
			}
		}
		if len(prefixed) == 1 { // an unambiguous start of a choice, e.g. "two" for "Two workers"
			return prefixed[0], nil
		}
		return "", bad()
	case QuestionText:
		return strings.TrimSpace(value), nil
	}
	return "", fmt.Errorf("question %q has an unknown kind %q", q.Key, q.Kind)
}

// AnswerProblem is one invalid or missing answer.
type AnswerProblem struct {
	Key   string // the question's key ("" for an unknown question)
	Label string // the question's label, or the name given for an unknown question
	Msg   string
}

func (p AnswerProblem) String() string { return p.Msg }

// CheckAnswers checks answers (keyed by question key or label) against the
// form and returns them keyed by question key, in canonical spelling, with
// empty answers left out. With required, a required question left
// unanswered is a problem. A nil form takes no answers.
func (f *Form) CheckAnswers(answers map[string]string, required bool) (map[string]string, []AnswerProblem) {
	var probs []AnswerProblem
	out := map[string]string{}
	names := make([]string, 0, len(answers))
	for k := range answers {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, name := range names {
		v := answers[name]
		q, ok := f.Question(name)
		if !ok {
			if strings.TrimSpace(v) == "" {
				continue
			}
			msg := fmt.Sprintf("%q is not a question of this audit's form", name)
			if f == nil {
				msg = fmt.Sprintf("%q: this audit has no form, so it takes no answers besides the grade, immediate attention and note", name)
			} else if sug := textdist.Closest(name, f.Keys(), 2); len(sug) > 0 {
				msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
			} else {
				msg += fmt.Sprintf("; its questions are %s", strings.Join(f.Keys(), ", "))
			}
			probs = append(probs, AnswerProblem{Label: name, Msg: msg})
			continue
		}
		a, err := q.Answer(v)
		if err != nil {
			probs = append(probs, AnswerProblem{Key: q.Key, Label: q.Label, Msg: err.Error()})
			continue
		}
		if a == "" {
			continue
		}
		if prev, dup := out[q.Key]; dup && prev != a {
			probs = append(probs, AnswerProblem{Key: q.Key, Label: q.Label, Msg: fmt.Sprintf("%q is answered twice (%q and %q)", q.Label, prev, a)})
			continue
		}
		out[q.Key] = a
	}
	if required && f != nil {
		for _, q := range f.Questions {
			if _, ok := out[q.Key]; q.Required && !ok && !slices.ContainsFunc(probs, func(p AnswerProblem) bool { return p.Key == q.Key }) {
				probs = append(probs, AnswerProblem{Key: q.Key, Label: q.Label,
					Msg: fmt.Sprintf("%q (%s) needs an answer: %s", q.Label, q.Key, q.Describe())})
			}
		}
	}
	if len(out) == 0 {
		out = nil
	}
	return out, probs
}
