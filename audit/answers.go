package audit

import (
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/form"
)

// checkFindingAnswers checks and normalises a finding's answers against the
// audit's form.
func checkFindingAnswers(a *Audit, f *Finding) error {
	form, err := form.FormFromJSON(a.Form)
	if err != nil {
		return err
	}
	if form == nil {
		// An audit without a form: answers (from a caller that knows its
		// own questions) are kept as given, trimmed; the command line
		// refuses them.
		if len(f.Answers) > 0 {
			ans := map[string]string{}
			for k, v := range f.Answers {
				if k, v = strings.TrimSpace(k), strings.TrimSpace(v); k != "" && v != "" {
					ans[k] = v
				}
			}
			if len(ans) == 0 {
				ans = nil
			}
			f.Answers = ans
		}
		return nil
	}
	ans, probs := form.CheckAnswers(f.Answers, !f.Moderation)
	if len(probs) > 0 {
		msgs := make([]string, len(probs))
		for i, p := range probs {
			msgs[i] = p.Msg
		}
		return &AnswersError{Case: f.Case, Problems: probs, msg: strings.Join(msgs, "; ")}
	}
	f.Answers = ans
	return nil
}

// AnswersError says a finding's answers do not fit the audit's form.
type AnswersError struct {
	Case     string
	Problems []form.AnswerProblem
	msg      string
}

func (e *AnswersError) Error() string { return fmt.Sprintf("the finding on %s: %s", e.Case, e.msg) }
