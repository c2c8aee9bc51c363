package audit

import "github.com/caseaudit/caseaudit/audit/form"

// An audit keeps its form (audit/form) as canonical JSON (Audit.Form), and
// every finding's answers are checked against it (see answers.go).

// Form is an audit form (see form.Form).
type Form = form.Form

// FormError lists every problem found in a form file.
type FormError = form.FormError

// Question kinds and the answers that say a question does not apply.
const (
	QuestionGrade      = form.QuestionGrade
	QuestionYesNo      = form.QuestionYesNo
	QuestionChoice     = form.QuestionChoice
	QuestionText       = form.QuestionText
	GradeNotApplicable = form.GradeNotApplicable
	YesNoNotApplicable = form.YesNoNotApplicable
)

// ParseForm reads a form from YAML and checks it (see form.ParseForm).
func ParseForm(name string, data []byte) (*Form, error) { return form.ParseForm(name, data) }

// DefaultForm returns the built-in default form.
func DefaultForm() *Form { return form.DefaultForm() }

// DefaultFormYAML returns the built-in default form as commented YAML.
func DefaultFormYAML() []byte { return form.DefaultFormYAML() }

// FormFromJSON reads a form stored with an audit; nil for an audit without one.
func FormFromJSON(raw []byte) (*Form, error) { return form.FormFromJSON(raw) }
