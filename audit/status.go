package audit

import (
	"slices"
	"time"

	"github.com/caseaudit/caseaudit/sample"
)

// AuditSummary is one audit's progress.
type AuditSummary struct {
	Name           string
	Created        time.Time
	Period         string // the month audited, yyyy-mm
	Seed           string
	Size           int // sampled cases that stand (after any growth; withdrawn cases not counted, their replacements counted)
	Withdrawn      int // sampled cases withdrawn (and replaced)
	Recorded       int // cases with a finding
	Flagged        int // cases needing immediate attention by their latest judgement (LatestImmediate), as reports count them
	ModerationSize int // cases in the moderation sample (0 when none drawn)
	Moderated      int // cases with a moderation finding
	Entries        int // trail entries
	Head           string
	// Marking is the protective marking the audit was handed out under
	// ("" when none), for a view over several audits to carry.
	Marking string
	// Factors are the factors recorded with the sample (its provenance's),
	// nil when none.
	Factors *sample.Factors
}

// AuditorProgress is one auditor's share of an audit.
type AuditorProgress struct {
	Auditor   string
	Allocated int
	Recorded  int      // allocated cases that have a finding (by anyone)
	ToDo      []string // allocated cases without a finding, in sample order
}

// Status is an audit's progress in detail.
type Status struct {
	AuditSummary
	Auditors    []AuditorProgress // in allocation order; nil when never allocated
	Unallocated []string          // cases without a finding and without an auditor, in sample order
	ToDo        []string          // all cases without a finding, in sample order
	// Contradictory are the cases whose latest finding (or moderation
	// finding) is graded Outstanding yet flagged for immediate attention
	// (Finding.Contradicts), in sample order.
	Contradictory []string
}

// summarise is an audit's progress: its sampled case IDs in order and its
// whole trail es, as loadStatus computes it from a store (the pure form,
// which the projection tests pin without a database).
func summarise(a *Audit, ids []string, es []Entry) (*Status, error) {
	orig, mod, err := latestBoth(es)
	if err != nil {
		return nil, err
	}
	return summariseFolded(a, ids, es, orig, mod)
}

// LatestImmediate is whether an audited case needs immediate attention by
// its latest judgement: the auditor's latest finding f, or the case's latest
// moderation finding m (when moderated) if it was recorded after f — a
// correction after moderation is later still. Reports, sign-off, status
// and audits all count by it, so that no two of them give a different
// number flagged.
func LatestImmediate(f, m Finding, moderated bool) bool {
	if moderated && m.Seq > f.Seq {
		return m.Immediate
	}
	return f.Immediate
}

// latestBoth returns the latest finding and the latest moderation finding
// per case of the trail entries es.
func latestBoth(es []Entry) (orig, mod map[string]Finding, err error) {
	if orig, err = latestFindings(es, false); err != nil {
		return nil, nil, err
	}
	if mod, err = latestFindings(es, true); err != nil {
		return nil, nil, err
	}
	return orig, mod, nil
}

// summariseFolded is summarise given the latest findings and moderation
// findings per case (latestFindings of es), when the caller needs them too.
func summariseFolded(a *Audit, ids []string, es []Entry, orig, mod map[string]Finding) (*Status, error) {
	st := &Status{AuditSummary: AuditSummary{Name: a.Name, Created: a.Created, Seed: a.Seed(), Period: a.Period, Factors: a.Provenance.Factors}}
	ws, err := withdrawalsOf(es)
	if err != nil {
		return nil, err
	}
	if len(ws) > 0 {
		st.Withdrawn = len(ws)
		gone := map[string]bool{}
		for _, w := range ws {
			gone[w.Case] = true
		}
		ids = slices.DeleteFunc(ids, func(id string) bool { return gone[id] })
	}
	m, err := moderationOf(es)
	if err != nil {
		return nil, err
	}
	alloc, err := allocationOf(es)
	if err != nil {
		return nil, err
	}
	h, err := handoutIn(a.Name, es)
	if err != nil {
		return nil, err
	}
	st.Marking = h.Marking
	st.Entries = len(es)
	if len(es) > 0 {
		st.Head = es[len(es)-1].Hash
	}
	st.Size = len(ids)
	for _, id := range ids {
		if f, ok := orig[id]; ok {
			st.Recorded++
			if m, moderated := mod[id]; LatestImmediate(f, m, moderated) {
				st.Flagged++
			}
		} else {
			st.ToDo = append(st.ToDo, id)
		}
		if f, ok := mod[id]; ok {
			st.Moderated++
			if f.Contradicts() && !orig[id].Contradicts() {
				st.Contradictory = append(st.Contradictory, id)
			}
		}
		if orig[id].Contradicts() {
			st.Contradictory = append(st.Contradictory, id)
		}
	}
	if m != nil {
		st.ModerationSize = m.Size
	}
	owner := map[string]string{}
	if alloc != nil {
		// One row per person by the name rule, spelled as the allocation
		// names her: a case kept from an earlier allocation that spelled
		// her otherwise is hers all the same.
		idx := map[string]int{}
		for _, name := range alloc.Auditors {
			idx[norm(name)] = len(st.Auditors)
			st.Auditors = append(st.Auditors, AuditorProgress{Auditor: name})
		}
		for _, x := range alloc.Assigned {
			owner[x.Case] = x.Auditor
			i, ok := idx[norm(x.Auditor)]
			if !ok { // kept from an earlier allocation to an auditor not named now
				i = len(st.Auditors)
				idx[norm(x.Auditor)] = i
				st.Auditors = append(st.Auditors, AuditorProgress{Auditor: x.Auditor})
			}
			st.Auditors[i].Allocated++
		}
		for _, id := range ids {
			name, ok := owner[id]
			if !ok {
				continue
			}
			p := &st.Auditors[idx[norm(name)]]
			if _, done := orig[id]; done {
				p.Recorded++
			} else {
				p.ToDo = append(p.ToDo, id)
			}
		}
	}
	for _, id := range st.ToDo {
		if _, ok := owner[id]; !ok {
			st.Unallocated = append(st.Unallocated, id)
		}
	}
	return st, nil
}

// AuditFindings is an audit's progress with the latest findings on its
// cases.
type AuditFindings struct {
	AuditSummary
	Findings   []Finding // as Findings returns them
	Moderation []Finding // as Findings returns them with moderation true
}

// inSampleOrder returns the findings of latest on the cases ids, in their
// order (cases without one are left out).
func inSampleOrder(ids []string, latest map[string]Finding) []Finding {
	if len(latest) == 0 {
		return nil
	}
	out := make([]Finding, 0, min(len(ids), len(latest)))
	for _, id := range ids {
		if x, ok := latest[id]; ok {
			out = append(out, x)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
