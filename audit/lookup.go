package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/words"
)

// A case look-up answers "what does the QA record hold about case
// CR-0001234?" — a subject access request, a complaint — from every audit
// of the store at once: when the case was sampled and from which row of
// which export, to whom it was allocated, every finding and correction,
// moderation, follow-up actions, withdrawal, redactions, and the
// sign-offs whose figures counted it. Each item names its audit and its
// trail entry, so whoever checks the answer finds it again with history
// and verify. It reads and never writes.

// LookUpRequest asks for everything a store holds about one case.
type LookUpRequest struct {
	// Case is the case ID as typed: matched as the export readers take an
	// ID (export.CaseID), exactly; when no audit holds it exactly, the one
	// ID that matches ignoring letter case.
	Case string
	// Person is who asks, with the role she declares. With a people list
	// the login's own entry decides, whatever role was declared.
	Person Person
	// Names shows members of staff by their names as the store holds them
	// (the trail's names, the people list's, the shown staff columns) and
	// the columns of personal details the sample kept; without it staff
	// appear by their initials and personal details are withheld.
	Names bool
}

// CaseRecord is everything a store holds about one case.
type CaseRecord struct {
	Case string `json:"case"` // the ID as stored
	// Asked is the ID as given, when it differs from Case (letter case).
	Asked string `json:"asked,omitempty"`
	Store string `json:"store"`
	// Names: staff are shown by name (LookUpRequest.Names).
	Names  bool        `json:"names"`
	Audits []CaseAudit `json:"audits"`
	// Withheld is the number of audits holding the case that the person
	// asking may not see (an auditor sees only the audits where the case
	// is hers).
	Withheld int `json:"withheld_audits"`
	// Retired lists the audits retired under the store's retention
	// period: they keep no case IDs, so whether they held this case can no
	// longer be said.
	Retired []RetiredRef `json:"retired_audits"`
	// Marking is the protective marking the look-up is handed out under,
	// when its reader gives one (case --marking); each audit's own is in
	// its Marking.
	Marking string `json:"marking,omitempty"`
}

// RetiredRef names a retired audit in a case's record.
type RetiredRef struct {
	Audit   string `json:"audit"`
	Period  string `json:"period"`
	Retired string `json:"retired"` // the date, yyyy-mm-dd
}

// RetiredNote says what retired audits mean for a look-up, as a clause
// ("" when there are none): they keep no case IDs, so whether they held
// the case cannot be said. The error for an unknown case and the record's
// documents both say it.
func RetiredNote(rs []RetiredRef) string {
	if len(rs) == 0 {
		return ""
	}
	names := make([]string, len(rs))
	for i, r := range rs {
		names[i] = fmt.Sprintf("%q (%s, retired %s)", r.Audit, r.Period, r.Retired)
	}
	verb, obj := "it keeps", "it"
	if len(rs) > 1 {
		verb, obj = "they keep", "them"
	}
	return fmt.Sprintf("the store also held %s, retired under its retention period; %s no case IDs, so whether the case was in %s cannot be said",
		strings.Join(names, ", "), verb, obj)
}

// Entries is the number of trail entries the record lists.
func (r *CaseRecord) Entries() int {
	n := 0
	for _, a := range r.Audits {
		n += len(a.Entries)
	}
	return n
}

// CaseAudit is one audit that sampled the case, and every entry of its
// trail about the case.
type CaseAudit struct {
	Audit  string `json:"audit"`
	Period string `json:"period"`
	Seed   string `json:"seed"`
	// Export is the export the sample was drawn from, as recorded: its file
	// name, SHA-256 and sheet.
	Export       string `json:"export"`
	ExportSHA256 string `json:"export_sha256"`
	Sheet        string `json:"sheet"`
	// Marking is the protective marking recorded with the audit ("" when
	// none).
	Marking string     `json:"marking"`
	Sampled CaseSample `json:"sampled"`
	// Entries are the trail entries about the case, oldest first; the
	// first is the one that sampled it.
	Entries []CaseEntry `json:"entries"`
}

// CaseSample is the case as the audit's sample holds it.
type CaseSample struct {
	Order   int    `json:"order"`
	Ticket  string `json:"ticket"`
	Stratum string `json:"stratum"`
	// Row is the case's row in the export (1-based, as the sheet numbers
	// it).
	Row    int         `json:"row"`
	Fields []CaseField `json:"fields"`
}

// CaseField is one shown column of a sampled case.
type CaseField struct {
	Column string `json:"column"`
	Value  string `json:"value"`
	// Withheld: the column holds personal details, left out without
	// LookUpRequest.Names (Value is then "").
	Withheld bool `json:"withheld"`
}

// CaseEntry is one trail entry about the case, with what it says.
type CaseEntry struct {
	Seq  int    `json:"entry"`
	Kind string `json:"kind"`
	At   string `json:"at"` // UTC, to the second
	// By is the person the entry is recorded under; EnteredBy who entered
	// it ("" before the store recorded it). Initials without Names.
	By        string `json:"by"`
	EnteredBy string `json:"entered_by"`
	// Summary says in one line what the entry records about the case.
	Summary string `json:"summary"`

	// A finding or correction (original or moderation).
	Grade     string            `json:"grade,omitempty"`
	Immediate *bool             `json:"immediate,omitempty"`
	Date      string            `json:"date,omitempty"`
	Answers   map[string]string `json:"answers,omitempty"`
	Source    string            `json:"source,omitempty"`
	// Note and Reason are free text as stored, or "[redacted on DATE]".
	Note   string `json:"note,omitempty"`
	Reason string `json:"reason,omitempty"`
	// An allocation: the auditor the case went to, and from.
	AllocatedTo   string `json:"allocated_to,omitempty"`
	AllocatedFrom string `json:"allocated_from,omitempty"`
	// A follow-up action opened: its owner and due date.
	Owner string `json:"owner,omitempty"`
	// OwnerIsTeam: Owner is the case's team itself, which had no manager
	// set when the action opened, not a person.
	OwnerIsTeam bool   `json:"owner_is_team,omitempty"`
	Due         string `json:"due,omitempty"`
	// A redaction: the entry whose text was erased, and which fields.
	Redacted       int      `json:"redacted_entry,omitempty"`
	RedactedFields []string `json:"redacted_fields,omitempty"`
	// A withdrawal: the case drawn in the withdrawn case's place.
	Replacement string `json:"replacement,omitempty"`
	// The case was drawn to replace this withdrawn case.
	Replaces string `json:"replaces,omitempty"`
	// A sign-off that counted the case: whether the case was flagged in
	// the figures signed off.
	Flagged *bool `json:"flagged,omitempty"`
}

// lookUpFacts is what the duties table needs to decide whether the case is
// the person's own in audit a: to whom it is allocated now, and who
// recorded its latest finding. A trail that cannot be read is an error,
// not a case with no auditor: the duty would be decided on nothing.
func lookUpFacts(a *Audit, es []Entry, caseID string) (CaseFacts, error) {
	var c CaseFacts
	al, err := allocationOf(es)
	if err != nil {
		return c, fmt.Errorf("audit %q: its allocation cannot be read: %w", a.Name, err)
	}
	if al != nil {
		c.AllocatedTo = al.For(caseID)
	}
	latest, err := latestFindings(es, false)
	if err != nil {
		return c, fmt.Errorf("audit %q: its findings cannot be read: %w", a.Name, err)
	}
	c.Auditor = latest[caseID].Auditor
	return c, nil
}

// caseInAudit gathers what audit a holds about the case of row: the
// sample's record of it and every entry of the trail es about it.
func caseInAudit(a *Audit, row store.CaseRow, es []Entry, nm namer) (CaseAudit, error) {
	sc, err := caseFromRow(a, row)
	if err != nil {
		return CaseAudit{}, err
	}
	ex := a.Provenance.Export
	out := CaseAudit{Audit: a.Name, Period: a.Period, Seed: a.Seed(), Export: ex.Path, ExportSHA256: ex.SHA256, Sheet: ex.Sheet,
		Entries: []CaseEntry{},
		Sampled: CaseSample{Order: sc.Order, Ticket: sc.Ticket, Stratum: sc.Stratum, Row: sc.Row, Fields: []CaseField{}}}
	for i, col := range a.Columns {
		v := ""
		if i < len(sc.Fields) {
			v = sc.Fields[i]
		}
		f := CaseField{Column: col, Value: v}
		switch {
		case colname.Personal(col) && !nm.names:
			f.Value, f.Withheld = "", true
		case colname.Staff(col):
			f.Value = nm.person(v)
		}
		out.Sampled.Fields = append(out.Sampled.Fields, f)
	}
	id := row.ID
	team := a.Team(sc)
	staffOwner := colname.Staff(a.FollowUp.Column)
	owner := func(o string) string {
		for _, m := range a.FollowUp.TeamManagers {
			if sameName(m, o) {
				return nm.person(o)
			}
		}
		if staffOwner {
			return nm.person(o)
		}
		return o
	}
	var allocated string // the case's auditor after the allocations so far
	var flagged, recorded, withdrawn bool
	for _, e := range es {
		ce := CaseEntry{Seq: e.Seq, Kind: e.Kind, At: e.At.UTC().Format("2006-01-02T15:04:05Z"),
			By: nm.person(e.Actor), EnteredBy: nm.person(e.EnteredBy)}
		keep := e.Case == id
		switch e.Kind {
		case KindSample, KindGrow:
			var p struct {
				Cases   []sampledCaseJSON `json:"cases"`
				Handout Handout           `json:"handout"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			if e.Kind == KindSample {
				out.Marking = p.Handout.Marking
			}
			for _, c := range p.Cases {
				if c.ID == id {
					keep = true
					ce.Summary = fmt.Sprintf("sampled: case %d of the sample, row %d of the export", c.Order, c.Row)
					if e.Kind == KindGrow {
						ce.Summary = fmt.Sprintf("added when the sample grew: case %d of the sample, row %d of the export", c.Order, c.Row)
					}
				}
			}
		case KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection:
			if !keep {
				continue
			}
			var p findingPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			imm := p.Immediate
			ce.Grade, ce.Immediate, ce.Date, ce.Note, ce.Reason, ce.Source = p.Grade, &imm, p.Date, p.Note, p.Reason, p.Source
			if len(p.Answers) > 0 {
				ce.Answers = p.Answers
			}
			what := map[string]string{KindFinding: "finding", KindCorrection: "correction",
				KindModerationFinding: "moderation finding", KindModerationCorrection: "moderation correction"}[e.Kind]
			ce.Summary = what + ": " + p.Grade
			if imm {
				ce.Summary += ", needs immediate attention"
			} else {
				ce.Summary += ", no immediate attention"
			}
			if p.Source != "" {
				ce.Summary += " (" + p.Source + ")"
			}
			// The trail is walked in order, so the latest of the auditor's
			// finding and a moderation finding after it decides, as
			// LatestImmediate does for the figures a sign-off records.
			if e.Kind == KindFinding || e.Kind == KindCorrection || recorded {
				recorded, flagged = true, imm
			}
		case KindAllocation:
			var p allocationPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			now, why := "", ""
			for _, x := range p.Assigned {
				if x.Case == id {
					now = x.Auditor
				}
			}
			for _, x := range p.Unallocated {
				if x.Case == id {
					why = x.Reason
				}
			}
			switch {
			case now != "" && allocated == "":
				keep, ce.AllocatedTo = true, nm.person(now)
				ce.Summary = "allocated to " + nm.person(now)
			case now != "" && !sameName(now, allocated):
				keep, ce.AllocatedTo, ce.AllocatedFrom = true, nm.person(now), nm.person(allocated)
				ce.Summary = "re-allocated from " + nm.person(allocated) + " to " + nm.person(now)
			case now == "" && why != "":
				keep, ce.AllocatedFrom = true, nm.person(allocated)
				ce.Summary = "not allocated: " + why
			case now == "" && allocated != "":
				keep, ce.AllocatedFrom = true, nm.person(allocated)
				ce.Summary = "no longer allocated (was " + nm.person(allocated) + ")"
			}
			allocated = now
		case KindModerationDraw:
			var p drawPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			added := p.Added
			if added == nil {
				added = p.Cases
			}
			if slices.Contains(added, id) {
				keep = true
				ce.Summary = fmt.Sprintf("drawn for moderation (a moderation sample of %d, seed %s)", p.Size, p.Seed)
			}
		case KindActionOpen:
			if !keep {
				continue
			}
			var p actionOpenPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			ce.Owner, ce.Due, ce.Note = owner(p.Owner), p.Due, p.Note
			switch {
			case p.Owner == "" || p.Owner == Unassigned:
				ce.Summary = fmt.Sprintf("follow-up action opened by entry %d, with no owner yet, due %s", p.Finding, p.Due)
			case actionFacts(p.Owner, team).OwnerIsTeam:
				// An opening names the team itself only when the team had
				// no manager then (ownerAtOpening): a team is no person.
				ce.OwnerIsTeam = true
				ce.Summary = fmt.Sprintf("follow-up action opened by entry %d, owned by the team %s (no manager set), due %s", p.Finding, p.Owner, p.Due)
			default:
				ce.Summary = fmt.Sprintf("follow-up action opened by entry %d, owned by %s, due %s", p.Finding, owner(p.Owner), p.Due)
			}
		case KindActionRespond, KindActionClose:
			if !keep {
				continue
			}
			var p actionNotePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			ce.Note = p.Note
			ce.Summary = "response to the follow-up action"
			if e.Kind == KindActionClose {
				ce.Summary = "follow-up action closed"
				if p.Auto {
					ce.Summary = fmt.Sprintf("follow-up action closed automatically by the correction in entry %d", p.Finding)
				}
			}
		case KindWithdrawal:
			var p withdrawalPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			if keep {
				withdrawn = true
				ce.Reason = p.Reason
				ce.Summary = "withdrawn from the sample"
				if len(p.Cases) > 0 {
					ce.Replacement = p.Cases[0].ID
					ce.Summary += "; replaced by " + p.Cases[0].ID
				} else {
					ce.Summary += "; no case was left to replace it"
				}
				break
			}
			for _, c := range p.Cases {
				if c.ID == id {
					keep = true
					ce.Replaces = e.Case
					ce.Summary = fmt.Sprintf("sampled in place of the withdrawn case %s: case %d of the sample, row %d of the export", e.Case, c.Order, c.Row)
				}
			}
		case KindRedaction:
			if !keep {
				continue
			}
			var p redactionPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return out, damaged(a, e, err)
			}
			ce.Redacted, ce.RedactedFields, ce.Reason = p.Entry, p.Fields, p.Reason
			ce.Summary = fmt.Sprintf("the %s of entry %d redacted", strings.Join(p.Fields, " and "), p.Entry)
		case KindSignOff:
			if !recorded || withdrawn {
				continue
			}
			var f Figures
			if err := json.Unmarshal(e.Payload, &f); err != nil {
				return out, damaged(a, e, err)
			}
			keep = true
			fl := flagged
			ce.Flagged = &fl
			state := "not flagged"
			if fl {
				state = "flagged for immediate attention"
			}
			ce.Summary = fmt.Sprintf("signed off with the case counted (%s): %s of %s flagged", state,
				words.Thousands(f.Flagged), words.Thousands(f.Size))
		default:
			if keep {
				ce.Summary = e.Kind
			}
		}
		if keep {
			out.Entries = append(out.Entries, ce)
		}
	}
	return out, nil
}

func damaged(a *Audit, e Entry, err error) error {
	return fmt.Errorf("audit %q: %s is damaged: %w", a.Name, store.Describe(e), err)
}

// namer shows members of staff as a look-up may: by name as stored, or by
// initials.
type namer struct {
	names  bool
	people map[string]Person // the people list, by login
}

// person is how a member of staff named (or logged in) as name is shown:
// as stored with names; else the initials of her name — the people list's
// name for a login on it — which the entry number resolves for whoever
// checks the record with history.
func (n namer) person(name string) string {
	name = strings.TrimSpace(name)
	if n.names || name == "" || name == Unassigned {
		return name
	}
	if p, ok := n.people[name]; ok && p.Name != "" {
		name = p.Name
	}
	return Initials(name)
}

// Initials are a person's initials as a record shows them without names:
// "A. Khan" is "A.K.", "qa.officer" is "Q.O.".
func Initials(name string) string {
	var b strings.Builder
	for _, w := range strings.FieldsFunc(name, func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) }) {
		r := []rune(w)[0]
		b.WriteRune(unicode.ToUpper(r))
		b.WriteByte('.')
	}
	return b.String()
}
