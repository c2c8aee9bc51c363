package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"unicode"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
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
}

// RetiredRef names a retired audit in a case's record.
type RetiredRef struct {
	Audit   string `json:"audit"`
	Period  string `json:"period"`
	Retired string `json:"retired"` // the date, yyyy-mm-dd
}

// retiredRefs names the store's retired audits.
func retiredRefs(ctx context.Context, tx *store.Tx) ([]RetiredRef, error) {
	log, err := tx.Log(ctx)
	if err != nil {
		return nil, err
	}
	ret, err := retiredOf(log)
	if err != nil {
		return nil, err
	}
	out := []RetiredRef{}
	for _, r := range ret {
		out = append(out, RetiredRef{Audit: r.Summary.Audit, Period: r.Summary.Period, Retired: r.At.UTC().Format("2006-01-02")})
	}
	return out, nil
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
	Due   string `json:"due,omitempty"`
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

// LookUp returns everything the store holds about one case, across all
// audits, oldest period first. A case no audit sampled is an error
// wrapping ErrNotFound that names the store; a person whose duties do not
// include it is refused (ErrDuty).
func (s *Store) LookUp(ctx context.Context, req LookUpRequest) (*CaseRecord, error) {
	id := export.CaseID(req.Case)
	if id == "" {
		return nil, fmt.Errorf("give a case ID to look up")
	}
	var out *CaseRecord
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		people := peopleOf(cs)
		p, roster := req.Person, Roster(nil)
		if len(people) > 0 {
			lp, ok := people[s.Login()]
			if !ok {
				lp = Person{Login: s.Login()}
			}
			p, roster = lp, Roster(sortedPeople(people))
		}
		// Someone whose roles never allow a look-up learns nothing, not
		// even whether the store holds the case.
		if !slices.ContainsFunc(p.Roles, func(r Role) bool { return MayDo(r, DutyLookUp) }) {
			return Allowed(p, DutyLookUp, CaseFacts{}, roster)
		}
		audits, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		caseID, err := matchCase(ctx, tx, audits, id)
		if err != nil {
			return err
		}
		retired, err := retiredRefs(ctx, tx)
		if err != nil {
			return err
		}
		if caseID == "" {
			if r := RetiredNote(retired); r != "" {
				return errorf(ErrNotFound, "no entry in this store (%s) for case %q: no audit in it sampled the case; %s", s.Path(), id, r)
			}
			return errorf(ErrNotFound, "no entry in this store (%s) for case %q: no audit in it sampled the case", s.Path(), id)
		}
		rec := &CaseRecord{Case: caseID, Store: s.Path(), Names: req.Names, Audits: []CaseAudit{}, Retired: retired}
		if caseID != id {
			rec.Asked = id
		}
		nm := namer{names: req.Names, people: people}
		var refusal error
		for _, a := range audits {
			row, err := tx.Case(ctx, a.id, caseID)
			if err != nil {
				return err
			}
			if row == nil {
				continue
			}
			es, err := lookUpEntries(ctx, tx, a, caseID)
			if err != nil {
				return err
			}
			facts, err := lookUpFacts(a, es, caseID)
			if err != nil {
				return err
			}
			if err := Allowed(p, DutyLookUp, facts, roster); err != nil {
				rec.Withheld++
				refusal = err
				continue
			}
			ca, err := caseInAudit(a, *row, es, nm)
			if err != nil {
				return err
			}
			rec.Audits = append(rec.Audits, ca)
		}
		if len(rec.Audits) == 0 && refusal != nil {
			return refusal
		}
		out = rec
		return nil
	})
	return out, err
}

// matchCase finds the case ID as the store holds it: exactly, in any
// audit; else the one ID that matches ignoring letter case. "" when none
// does; an error when several IDs differ only in letter case, since
// answering for the wrong one would disclose another child's record.
func matchCase(ctx context.Context, tx *store.Tx, audits []*Audit, id string) (string, error) {
	for _, a := range audits {
		if c, err := tx.Case(ctx, a.id, id); err != nil || c != nil {
			return id, err
		}
	}
	var folded []string
	for _, a := range audits {
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return "", err
		}
		for _, x := range ids {
			if strings.EqualFold(x, id) && !slices.Contains(folded, x) {
				folded = append(folded, x)
			}
		}
	}
	switch len(folded) {
	case 0:
		return "", nil
	case 1:
		return folded[0], nil
	}
	slices.Sort(folded)
	quoted := make([]string, len(folded))
	for i, x := range folded {
		quoted[i] = fmt.Sprintf("%q", x)
	}
	return "", fmt.Errorf("case %q matches %d cases that differ only in letter case (%s); give the ID exactly as sampled",
		id, len(folded), strings.Join(quoted, ", "))
}

// lookUpEntries reads the entries of a's trail that may be about the case,
// in order: those recorded under it, and those that name cases in their
// payload (the sample, growths, allocations, moderation draws,
// withdrawals, whose replacement may be this case) or count them
// (sign-offs). The kinds are read first: a read transaction then holds the
// whole trail, and the case's own entries come from it, not from a second
// query.
func lookUpEntries(ctx context.Context, tx *store.Tx, a *Audit, caseID string) ([]Entry, error) {
	named, err := entries(ctx, tx, a, KindSample, KindGrow, KindAllocation, KindModerationDraw, KindWithdrawal, KindSignOff)
	if err != nil {
		return nil, err
	}
	own, err := caseEntries(ctx, tx, a, caseID)
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(own)+len(named))
	for len(own) > 0 || len(named) > 0 {
		switch {
		case len(named) == 0 || len(own) > 0 && own[0].Seq < named[0].Seq:
			out, own = append(out, own[0]), own[1:]
		case len(own) > 0 && own[0].Seq == named[0].Seq:
			out, own, named = append(out, own[0]), own[1:], named[1:]
		default:
			out, named = append(out, named[0]), named[1:]
		}
	}
	return out, nil
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
			if e.Kind == KindFinding || e.Kind == KindCorrection {
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
			if p.Owner == "" || p.Owner == Unassigned {
				ce.Summary = fmt.Sprintf("follow-up action opened by entry %d, with no owner yet, due %s", p.Finding, p.Due)
			} else {
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
