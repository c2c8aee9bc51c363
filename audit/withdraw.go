package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// A sampled case that cannot be audited — closed before the audit,
// transferred, sealed, a duplicate record — is withdrawn with a reason and
// replaced by the next case in ticket order of its stratum (of the whole
// population when the sample is not stratified): the consistent sampler's
// next ticket, which anyone holding the export and the seed finds again.
// The withdrawn case stays in the sample's record; the trail's
// "withdrawal" entry holds the reason and the replacement, which is
// appended to the sample (and given the withdrawn case's auditor when the
// audit is allocated). Reports count audited cases only and say how many
// were withdrawn and why; verify re-derives the sample with its
// replacements.

// Withdrawal is one withdrawn case.
type Withdrawal struct {
	Case   string
	Reason string
	// Stratum is the withdrawn case's stratum ("" when not stratified).
	Stratum string
	// Replacement is the case drawn in its place; "" when the stratum had
	// no other case.
	Replacement string
	Actor       string
	At          time.Time
	Seq         int
}

type withdrawalPayload struct {
	Reason  string `json:"reason"`
	Stratum string `json:"stratum"`
	// Cases holds the replacement (none when the stratum had no other
	// case): appended to the sample, as a grow entry's cases.
	Cases []sampledCaseJSON `json:"cases"`
	// Factors are the replacement's factor values, when the audit records
	// factors (as a grow entry's).
	Factors map[string]sample.CaseFactors `json:"factors,omitempty"`
}

// withdrawalsOf are the withdrawn cases in a trail's entries es, oldest first.
func withdrawalsOf(es []Entry) ([]Withdrawal, error) {
	out := []Withdrawal{}
	for _, e := range es {
		if e.Kind != KindWithdrawal {
			continue
		}
		var p withdrawalPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, opt.Errorf("trail entry %d (withdrawal) is damaged: %w", e.Seq, err)
		}
		w := Withdrawal{Case: e.Case, Reason: p.Reason, Stratum: p.Stratum, Actor: e.Actor, At: e.At, Seq: e.Seq}
		if len(p.Cases) > 0 {
			w.Replacement = p.Cases[0].ID
		}
		out = append(out, w)
	}
	return out, nil
}

// activeCases leaves the withdrawn cases out of cases.
func activeCases(cases []SampledCase, ws []Withdrawal) []SampledCase {
	if len(ws) == 0 {
		return cases
	}
	gone := make(map[string]bool, len(ws))
	for _, w := range ws {
		gone[w.Case] = true
	}
	out := make([]SampledCase, 0, len(cases))
	for _, c := range cases {
		if !gone[c.ID] {
			out = append(out, c)
		}
	}
	return out
}

// WithdrawnError says a case was withdrawn from the sample: it takes no
// finding.
type WithdrawnError struct {
	Audit       string
	Withdrawal  Withdrawal
	Replacement string
}

func (e *WithdrawnError) Error() string {
	msg := fmt.Sprintf("case %s was withdrawn from audit %q on %s (%s)", e.Withdrawal.Case, e.Audit,
		e.Withdrawal.At.Format("2006-01-02"), e.Withdrawal.Reason)
	if e.Withdrawal.Replacement != "" {
		msg += fmt.Sprintf("; %s was drawn in its place", e.Withdrawal.Replacement)
	}
	return msg
}

// WithdrawRequest is the use case "withdraw a case".
type WithdrawRequest struct {
	Name   string
	Case   string
	Reason string // why the case cannot be audited (required)
	// Export is the audit's export; "" finds the recorded one (see
	// LocateExport). It must be the very file the sample was drawn from.
	Export   string
	Progress func(rows int)
}

// WithdrawResult is a withdrawn case and its replacement.
type WithdrawResult struct {
	Audit      *Audit
	Withdrawal Withdrawal
	// Replacement is the case drawn in its place; nil when its stratum had
	// no other case.
	Replacement *SampledCase
	// Auditor is the replacement's auditor, "" when the audit is not
	// allocated or no auditor may take it (Unallocated says why).
	Auditor     string
	Unallocated string
	// Changed is false when the case was withdrawn already with this very
	// reason (a script run again, or the same withdrawal given by another
	// process at the same moment): nothing was appended, and the result is
	// the withdrawal that stands.
	Changed bool
}

// replacements counts the withdrawals that drew a replacement.
func replacements(ws []Withdrawal) int {
	n := 0
	for _, w := range ws {
		if w.Replacement != "" {
			n++
		}
	}
	return n
}

// errNotNested: a larger draw does not hold every case already drawn.
var errNotNested = errors.New("the larger draw does not hold the cases already drawn")

// growSelection draws the next k cases of a sample whose draws (the first
// and each growth) hold base cases, have being every case recorded (the
// withdrawn and their replacements too): the smallest draw from base+k on
// that holds every case drawn so far and k cases not yet recorded — a
// replacement the larger draw holds counts as drawn already. Without
// withdrawals that is the draw of base+k.
func growSelection(p *sample.Provenance, pop *sample.Population, base int, have map[string]bool, k int) ([]sample.Selected, error) {
	opts := sample.SelectOptions{}
	if p.Stratified() {
		opts.Allocation, opts.MinPerStratum = p.Strata.Allocation, p.Strata.MinPerStratum
	}
	prev := map[string]bool{}
	if base > 0 {
		opts.Size = base
		sel, err := pop.Select(opts)
		if err != nil {
			return nil, err
		}
		for _, c := range sel.Cases {
			prev[c.ID] = true
		}
	}
	for size := base + k; size <= pop.Len(); size++ {
		opts.Size = size
		sel, err := pop.Select(opts)
		if err != nil {
			return nil, err
		}
		in := map[string]bool{}
		var added []sample.Selected
		for _, c := range sel.Cases {
			in[c.ID] = true
			if !have[c.ID] {
				added = append(added, c)
			}
		}
		for id := range prev {
			if !in[id] {
				return nil, errNotNested
			}
		}
		switch {
		case len(added) == k:
			return added, nil
		case len(added) > k:
			return nil, errNotNested
		}
	}
	// have holds every case recorded: each withdrawn case stays drawn, and
	// its replacement was drawn too.
	if left := pop.Len() - len(have); left > 0 {
		return nil, fmt.Errorf("the population of %d has only %s not drawn yet (a withdrawn case and its replacement both count as drawn); grow by at most %d",
			pop.Len(), words.Count(left, "case"), left)
	}
	return nil, fmt.Errorf("every case of the population of %d is drawn already (a withdrawn case and its replacement both count as drawn)", pop.Len())
}
