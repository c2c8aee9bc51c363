package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
)

// VerifyResult is the outcome of re-walking an audit's trail.
type VerifyResult struct {
	OK       bool
	Entries  int      // entries walked
	Head     string   // hash of the last entry: keep it elsewhere to detect a rewritten tail later
	Problems []string // each names the entry and what is wrong; empty when OK
}

// maxProblems caps the problems listed by Verify.
const maxProblems = 100

// Verify re-walks an audit's hash chain and names any edited, inserted or
// deleted entry, and checks the audit's recorded parameters and sample
// against the trail's "sample" and "grow" entries.
//
// A hash chain without a secret shows every change made by editing the
// file, unless the editor also recomputed every later hash; comparing Head
// with a copy kept elsewhere (e.g. printed in a report) catches that too, and
// is the only way to notice the newest entries being removed.
func (s *Store) Verify(ctx context.Context, auditName string) (VerifyResult, error) {
	var res VerifyResult
	err := s.read(ctx, "verifying", func(tx *sql.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		es, err := queryEntries(ctx, tx, a.id, "")
		if err != nil {
			return err
		}
		cases, err := loadCases(ctx, tx, a)
		if err != nil {
			return err
		}
		res = verifyEntries(a, es, cases)
		return nil
	})
	return res, err
}

func describe(e Entry) string {
	d := fmt.Sprintf("entry %d (%s", e.Seq, e.Kind)
	if e.Case != "" {
		d += " " + e.Case
	}
	if e.Actor != "" {
		d += " by " + e.Actor
	}
	return d + ", " + e.At.Format("2006-01-02 15:04:05") + " UTC)"
}

func verifyEntries(a *Audit, es []Entry, cases []SampledCase) VerifyResult {
	res := VerifyResult{Entries: len(es)}
	add := func(format string, args ...any) {
		res.Problems = append(res.Problems, fmt.Sprintf(format, args...))
	}
	if len(es) == 0 {
		add("the trail of audit %q is empty: its first entry (the sample) was deleted", a.Name)
	}
	hashes := map[string]int{} // stored hash → seq
	for _, e := range es {
		hashes[e.Hash] = e.Seq
	}
	prevSeq := 0
	for i, e := range es {
		at := formatTime(e.At)
		h, err := entryHash(e.PrevHash, a.Name, e.Seq, e.Kind, e.Case, e.Actor, e.EnteredBy, at, e.Payload)
		switch {
		case err != nil:
			add("%s is damaged: %v", describe(e), err)
		case h != e.Hash:
			if was := renumberedFrom(a.Name, e, at); was > 0 {
				add("%s was renumbered: it was entry %d (entries were inserted or deleted before it)", describe(e), was)
			} else {
				add("%s was edited: its content does not match its hash", describe(e))
			}
		}
		if e.Seq != prevSeq+1 {
			if e.Seq-prevSeq == 2 {
				add("entry %d is missing (deleted)", prevSeq+1)
			} else {
				add("entries %d to %d are missing (deleted)", prevSeq+1, e.Seq-1)
			}
		}
		want := zeroHash
		if i > 0 {
			want = es[i-1].Hash
		}
		if e.PrevHash != want {
			switch j, ok := hashes[e.PrevHash]; {
			case i >= 2 && e.PrevHash == es[i-2].Hash:
				add("%s was inserted: entry %d follows entry %d directly", describe(es[i-1]), e.Seq, es[i-2].Seq)
			case i == 1 && e.PrevHash == zeroHash:
				add("%s was inserted before the first entry", describe(es[0]))
			case ok:
				add("entry %d should follow entry %d but follows entry %d: entries were moved", e.Seq, es[i-1].Seq, j)
			case e.Seq == prevSeq+1:
				add("an entry before entry %d was deleted or edited: entry %d's previous hash matches no entry", e.Seq, e.Seq)
			}
		}
		prevSeq = e.Seq
	}
	if len(es) > 0 {
		res.Head = es[len(es)-1].Hash
		if es[0].Kind != KindSample {
			add("the first entry of audit %q is a %s entry, not the sample", a.Name, es[0].Kind)
		}
	}
	checkSample(a, es, cases, add)
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
				add("%s is damaged: %v", describe(e), err)
				continue
			}
			got, err := canonicalJSON(auditJSON(a))
			stored, err2 := canonicalJSON(p.Audit)
			if err != nil || err2 != nil || !bytes.Equal(got, stored) {
				add("the parameters of audit %q differ from those recorded in %s: the audit was edited", a.Name, describe(e))
			}
			want = append(want, p.Cases...)
		case KindGrow, KindWithdrawal:
			var p struct {
				Cases []sampledCaseJSON `json:"cases"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				add("%s is damaged: %v", describe(e), err)
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

// renumberedFrom returns the entry number under which e's content matches
// its hash, when that is a nearby number other than e.Seq; 0 otherwise.
func renumberedFrom(name string, e Entry, at string) int {
	for d := 1; d <= 10; d++ {
		for _, seq := range []int{e.Seq - d, e.Seq + d} {
			if seq < 1 {
				continue
			}
			if h, err := entryHash(e.PrevHash, name, seq, e.Kind, e.Case, e.Actor, e.EnteredBy, at, e.Payload); err == nil && h == e.Hash {
				return seq
			}
		}
	}
	return 0
}
