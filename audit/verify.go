package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"

	"github.com/caseaudit/caseaudit/audit/store"
)

// VerifyResult is the outcome of re-walking an audit's trail.
type VerifyResult struct {
	OK       bool
	Entries  int      // entries walked
	Head     string   // hash of the last entry: keep it elsewhere to detect a rewritten tail later
	Problems []string // each names the entry and what is wrong; empty when OK
	// Redactions are the entries whose free text was erased, each saying
	// what verify can still vouch for.
	Redactions []Redaction
	// Duties are the entries the duties table refuses (checkDuties), and
	// DutyBasis says what they were checked against. OK does not count
	// them (the chain may be intact); VerifyReport.OK does.
	Duties    []DutyBreach
	DutyBasis string
}

// maxProblems caps the problems listed by Verify.
const maxProblems = 100

// verifyEntries checks an audit's trail es (its chain, and that it begins
// with the sample) and its recorded sample against it.
func verifyEntries(a *Audit, es []Entry, cases []SampledCase, people []store.PersonChange) VerifyResult {
	res := VerifyResult{Entries: len(es)}
	res.Duties, res.DutyBasis = checkDuties(a, es, cases, people)
	add := func(format string, args ...any) {
		res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
	}
	if len(es) == 0 {
		add("the trail of audit %q is empty: its first entry (the sample) was deleted", a.Name)
	}
	res.Problems = append(res.Problems, store.CheckChain(a.Name, es)...)
	if len(es) > 0 {
		res.Head = es[len(es)-1].Hash
		if es[0].Kind != KindSample {
			add("the first entry of audit %q is a %s entry, not the sample", a.Name, es[0].Kind)
		}
	}
	checkSample(a, es, cases, add)
	res.Redactions = checkTexts(es, add)
	for i := range res.Redactions {
		res.Redactions[i].Audit = a.Name
	}
	if len(res.Problems) > maxProblems {
		n := len(res.Problems) - maxProblems
		res.Problems = append(res.Problems[:maxProblems], fmt.Sprintf("… and %d more problems", n))
	}
	res.OK = len(res.Problems) == 0
	return res
}

// checkSample compares the audit row and sampled cases with the trail.
func checkSample(a *Audit, es []Entry, cases []SampledCase, add func(string, ...any)) {
	var want []sampledCaseJSON
	for _, e := range es {
		switch e.Kind {
		case KindSample:
			var p struct {
				Audit json.RawMessage   `json:"audit"`
				Cases []sampledCaseJSON `json:"cases"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				add("%s is damaged: %v", store.Describe(e), err)
				continue
			}
			got, err := store.CanonicalJSON(auditJSON(a))
			stored, err2 := store.CanonicalJSON(p.Audit)
			if err != nil || err2 != nil || !bytes.Equal(got, stored) {
				add("the parameters of audit %q differ from those recorded in %s: the audit was edited", a.Name, store.Describe(e))
			}
			want = append(want, p.Cases...)
		case KindGrow, KindWithdrawal:
			var p struct {
				Cases []sampledCaseJSON `json:"cases"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				add("%s is damaged: %v", store.Describe(e), err)
				continue
			}
			want = append(want, p.Cases...)
		}
	}
	got := casesJSON(cases)
	for i := 0; i < max(len(got), len(want)); i++ {
		switch {
		case i >= len(want):
			add("sampled case %d (%s) is not in the trail: it was inserted", got[i].Order, got[i].ID)
		case i >= len(got):
			add("sampled case %d (%s) is missing from the sample: it was deleted", want[i].Order, want[i].ID)
		case got[i].Order != want[i].Order || got[i].ID != want[i].ID || got[i].Ticket != want[i].Ticket ||
			got[i].Stratum != want[i].Stratum || got[i].Row != want[i].Row || !slices.Equal(got[i].Fields, want[i].Fields):
			add("sampled case %d (%s) differs from the trail (%s): it was edited", got[i].Order, got[i].ID, want[i].ID)
		}
	}
}
