package audit

import (
	"bytes"
	"encoding/json"
	"fmt"
)

// Handout is how an audit's workbooks are handed out: the protective
// marking printed on every page, whom auditors tell at once about a case
// needing immediate attention, and the day the workbooks are due back.
// Given when the sample is drawn, it is kept in the payload of the audit's
// first trail entry (inside the hash chain, so it cannot be changed
// unseen), and every workbook, moderators' workbook and referral sheet
// written later carries it unless told otherwise. An audit recorded
// without it has none.
type Handout struct {
	Marking  string `json:"marking,omitempty"`
	Contact  string `json:"contact,omitempty"`
	ReturnBy string `json:"return_by,omitempty"` // yyyy-mm-dd
}

// IsZero reports whether nothing was given.
func (h Handout) IsZero() bool { return h == Handout{} }

// Or is h with each field left empty taken from d.
func (h Handout) Or(d Handout) Handout {
	if h.Marking == "" {
		h.Marking = d.Marking
	}
	if h.Contact == "" {
		h.Contact = d.Contact
	}
	if h.ReturnBy == "" {
		h.ReturnBy = d.ReturnBy
	}
	return h
}

// handoutIn is the handout recorded with the audit's draw, from its trail
// entries es (all of them, or those of the draw's kind): the first entry
// of the draw's kind carries it.
func handoutIn(audit string, es []Entry) (Handout, error) {
	for _, e := range es {
		if e.Kind == KindSample {
			return handoutOf(audit, e.Payload)
		}
	}
	return Handout{}, nil
}

// handoutOf reads the handout from the draw's payload. The payload holds
// every sampled case's row (tens of kilobytes) and is written with its
// keys in order ("audit", "cases", "handout"), so the handout, when there
// is one, is its last key: a view over a hundred audits reads it from
// there rather than decoding each payload whole. A key "handout" cannot
// hide in a JSON string (its quotes would be escaped), and a case column
// of that name comes before the last one; what is found is taken only if
// it closes the payload, and anything else is decoded whole.
func handoutOf(audit string, payload []byte) (Handout, error) {
	key := []byte(`"handout"`)
	// The handout's few fields fit in the payload's last kilobytes; a
	// backward search of the whole payload would cost more than decoding
	// the handout (bytes.LastIndex has no vector form, bytes.Index has).
	from := max(0, len(payload)-4096)
	i := bytes.LastIndex(payload[from:], key)
	if i < 0 {
		if !bytes.Contains(payload, key) {
			return Handout{}, nil // no key of that name anywhere
		}
	} else if rest := bytes.TrimLeft(payload[from+i+len(key):], " \t\r\n"); len(rest) > 0 && rest[0] == ':' {
		var h Handout
		dec := json.NewDecoder(bytes.NewReader(rest[1:]))
		if dec.Decode(&h) == nil && string(bytes.TrimSpace(rest[1+int(dec.InputOffset()):])) == "}" {
			return h, nil
		}
	}
	var p struct {
		Handout Handout `json:"handout"`
	}
	if err := json.Unmarshal(payload, &p); err != nil {
		return Handout{}, fmt.Errorf("audit %q: the first trail entry is damaged: %w", audit, err)
	}
	return p.Handout, nil
}
