package audit

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
