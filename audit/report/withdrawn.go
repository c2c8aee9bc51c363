package report

import (
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
)

// withdrawn records the withdrawn cases and says in a note how many there
// were and why (reasons grouped, most frequent first).
func (r *Report) withdrawn(ws []audit.Withdrawal) {
	r.Withdrawn = []WithdrawnCase{}
	if len(ws) == 0 {
		return
	}
	count := map[string]int{}
	var order []string
	replaced := 0
	for _, w := range ws {
		r.Withdrawn = append(r.Withdrawn, WithdrawnCase{Case: w.Case, Reason: w.Reason, Replacement: w.Replacement,
			Date: w.At.UTC().Format("2006-01-02"), By: w.Actor})
		if r.opts.NoStaffNames {
			r.Withdrawn[len(r.Withdrawn)-1].By = ""
		}
		k := strings.ToLower(w.Reason)
		if count[k] == 0 {
			order = append(order, w.Reason)
		}
		count[k]++
		if w.Replacement != "" {
			replaced++
		}
	}
	var why []string
	for _, reason := range order {
		why = append(why, fmt.Sprintf("%s (%d)", reason, count[strings.ToLower(reason)]))
	}
	n := len(ws)
	note := fmt.Sprintf("%s could not be audited and %s withdrawn from the sample (%s)", words.Count(n, "sampled case"),
		words.Noun(n, "was", "were"), strings.Join(why, "; "))
	switch replaced {
	case n:
		note += fmt.Sprintf("; each was replaced by the next case of its stratum, so the sample still has %s. ", thousands(r.Sampled))
	case 0:
		note += fmt.Sprintf("; no case was left to replace %s. ", words.Noun(n, "it", "them"))
	default:
		note += fmt.Sprintf("; %d were replaced by the next case of their stratum. ", replaced)
	}
	note += "The figures are over the cases audited; withdrawn cases are not among them."
	r.Notes = append(r.Notes, note)
}
