package audit

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// KindRedaction is the trail entry recording that another entry's free
// text was erased: which entry, which fields, who, when and why.
const KindRedaction = "redaction"

// freeText names the payload fields of trail entries that are free text
// (notes, reasons, responses, form answers): they are committed by a
// salted hash and can be erased by redaction. A payload without them is
// stored as it always was.
var freeText = []string{"note", "reason", "response", "answers/*"}

// prose is the free text that no figure counts: what WithoutProse leaves
// out. Form answers are free text too, but the focus areas' figures count
// them.
var prose = []string{"note", "reason", "response"}

// redactionPayload is a redaction entry's payload.
type redactionPayload struct {
	Entry  int      `json:"entry"`
	Fields []string `json:"fields"`
	Reason string   `json:"reason"`
	// InPlace is set when the entry predates committed text: its payload
	// was replaced, and PayloadSHA256 is the hash of the payload left, so
	// that verify can at least check nothing changed after the redaction.
	InPlace       bool   `json:"in_place,omitempty"`
	PayloadSHA256 string `json:"payload_sha256,omitempty"`
}

// RedactRequest asks for one trail entry's free text to be erased.
type RedactRequest struct {
	Audit  string
	Entry  int    // the entry's number in the audit's trail
	Reason string // why (required); recorded in the redaction entry
	Person Person // who asks: QA or information governance
}

// Redaction is a redaction done or recorded.
type Redaction struct {
	Audit   string    `json:"audit"`
	Entry   int       `json:"entry"`
	Kind    string    `json:"kind"`
	Case    string    `json:"case,omitempty"`
	Fields  []string  `json:"fields"`
	InPlace bool      `json:"in_place"`
	By      string    `json:"by"`
	At      time.Time `json:"at"`
	Reason  string    `json:"reason"`
	Seq     int       `json:"redaction_entry"`
	// Also lists the entries holding a copy of the text (the follow-up
	// action a finding opened), redacted with it.
	Also []int `json:"also_redacted,omitempty"`
	// Changed is false when the entry's text was erased already: nothing
	// was written, and this is the redaction that stands.
	Changed bool `json:"changed"`
}

// redactInPlace replaces the free-text fields of a payload written before
// text was committed with the redaction mark, returning the new payload
// and the fields replaced.
func redactInPlace(payload []byte, at time.Time) ([]byte, []string, error) {
	var m map[string]any
	if err := json.Unmarshal(payload, &m); err != nil {
		return nil, nil, err
	}
	mark := store.RedactedMark(at)
	var fields []string
	for _, f := range freeText {
		parent, key, nested := strings.Cut(f, "/")
		if !nested {
			if v, ok := m[f].(string); ok && v != "" {
				m[f] = mark
				fields = append(fields, f)
			}
			continue
		}
		obj, _ := m[parent].(map[string]any)
		var keys []string
		for k := range obj {
			if key == "*" || k == key {
				keys = append(keys, k)
			}
		}
		sort.Strings(keys)
		for _, k := range keys {
			if v, ok := obj[k].(string); ok && v != "" {
				obj[k] = mark
				fields = append(fields, parent+"/"+k)
			}
		}
	}
	out, err := store.CanonicalJSON(m)
	return out, fields, err
}

// checkTexts checks each entry's free text against its commitment, and
// that every erased text and every entry redacted in place is vouched for
// by a redaction entry later in the trail. It returns the redactions
// found, in order.
func checkTexts(es []Entry, add func(string, ...any)) []Redaction {
	byEntry := map[int][]rec{}
	var reds []Redaction
	for _, e := range es {
		if e.Kind != KindRedaction {
			continue
		}
		var p redactionPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			add("%s is damaged: %v", store.Describe(e), err)
			continue
		}
		byEntry[p.Entry] = append(byEntry[p.Entry], rec{p, e})
	}
	for _, e := range es {
		commits := e.Commitments()
		held := map[string]bool{}
		for _, t := range e.Texts {
			held[t.Field] = true
			switch {
			case t.Commit == "":
				add("%s has a text %q it never committed to: it was inserted", store.Describe(e), t.Field)
			case t.Redacted():
				if !vouched(byEntry[e.Seq], t.Field) {
					add("the text %q of %s was erased without a redaction entry", t.Field, store.Describe(e))
				}
			case !t.Check():
				add("the text %q of %s was edited: it does not match its commitment", t.Field, store.Describe(e))
			}
		}
		for f := range commits {
			if !held[f] {
				add("the text %q of %s is missing (deleted)", f, store.Describe(e))
			}
		}
		if !e.RedactedInPlace.IsZero() {
			ok := false
			for _, r := range byEntry[e.Seq] {
				if r.p.InPlace {
					sum := sha256.Sum256(e.Payload)
					ok = r.p.PayloadSHA256 == hex.EncodeToString(sum[:])
				}
			}
			if !ok {
				add("%s was changed in place without a redaction entry that matches it", store.Describe(e))
			}
		}
		for _, r := range byEntry[e.Seq] {
			reds = append(reds, Redaction{Entry: e.Seq, Kind: e.Kind, Case: e.Case, Fields: r.p.Fields, InPlace: r.p.InPlace,
				By: r.e.Actor, At: r.e.At, Reason: r.p.Reason, Seq: r.e.Seq})
		}
	}
	return reds
}

// rec is a redaction entry and its payload.
type rec struct {
	p redactionPayload
	e Entry
}

// vouched reports whether a redaction entry names the field.
func vouched(rs []rec, field string) bool {
	for _, r := range rs {
		for _, f := range r.p.Fields {
			if f == field {
				return true
			}
		}
	}
	return false
}

// Sentence says what verify can and cannot vouch for after a redaction.
func (r Redaction) Sentence() string {
	what := fmt.Sprintf("entry %d (%s", r.Entry, r.Kind)
	if r.Case != "" {
		what += " " + r.Case
	}
	what += ")"
	s := fmt.Sprintf("%s: %s redacted on %s by %s (entry %d)", what, strings.Join(r.Fields, ", "), r.At.UTC().Format("2006-01-02"), r.By, r.Seq)
	for _, a := range r.Also {
		s += fmt.Sprintf("; the copy in entry %d (the follow-up action it opened) too", a)
	}
	if r.InPlace {
		return s + "; written before text was committed by a salted hash, so its content can no longer be re-checked: its hash stands as recorded"
	}
	return s + "; its hash and the rest of its content still verify"
}
