package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
)

// ErrUnknownAuditor: the auditor is not among the audit's auditors.
var ErrUnknownAuditor = errors.New("auditor not among the audit's auditors")

// UnknownAuditorError says an auditor is not among an audit's allocated
// auditors (nor has recorded a finding on it). It wraps ErrUnknownAuditor.
type UnknownAuditorError struct {
	Audit       string
	Auditor     string
	Known       []string // the audit's auditors, allocation order first
	Suggestions []string // the closest known names; may be empty
}

func (e *UnknownAuditorError) Error() string { return e.Spell(opt.Keys) }

// Spell is the message with the option it names spelled as st spells it.
func (e *UnknownAuditorError) Spell(st opt.Style) string {
	msg := fmt.Sprintf("auditor %q is not among the auditors of audit %q (%s)", e.Auditor, e.Audit, strings.Join(e.Known, ", "))
	if len(e.Suggestions) > 0 {
		// The question ends the sentence; what else to do follows in
		// brackets, as the people list's "did you mean" does.
		return msg + fmt.Sprintf("; did you mean %s? (to record a finding by an auditor new to the audit, give %s)",
			words.QuoteList(e.Suggestions), opt.NewAuditor.Spell(st))
	}
	return msg + "; to record a finding by an auditor new to the audit give " + opt.NewAuditor.Spell(st)
}

// Is makes errors.Is(err, ErrUnknownAuditor) true.
func (e *UnknownAuditorError) Is(target error) bool { return target == ErrUnknownAuditor }

// auditorRule is what an audit knows of its auditors.
type auditorRule struct {
	audit     string
	known     []string // allocated auditors, then others who recorded findings
	allocated bool     // the audit's cases were allocated at least once
}

// auditorKinds are the kinds of entry whose names are the audit's
// auditors, beside those the allocation names.
var auditorKinds = []string{KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection}

// auditorsIn is what a trail's entries es say of the audit's auditors: those
// of the current allocation, then everyone who recorded a finding or a
// moderation finding, in the order they first did.
func auditorsIn(auditName string, es []Entry) (*auditorRule, error) {
	r := &auditorRule{audit: auditName}
	seen := map[string]bool{}
	add := func(n string) {
		if n != "" && !seen[norm(n)] {
			seen[norm(n)] = true
			r.known = append(r.known, n)
		}
	}
	al, err := allocationOf(es)
	if err != nil {
		return nil, err
	}
	if al != nil {
		r.allocated = true
		for _, n := range al.Auditors {
			add(n)
		}
		for _, x := range al.Assigned {
			add(x.Auditor)
		}
	}
	for _, e := range es {
		switch e.Kind {
		case KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection:
			add(e.Actor)
		}
	}
	return r, nil
}

// resolve returns the spelling to record for an auditor's name, or an
// *UnknownAuditorError.
func (r *auditorRule) resolve(name string, moderation, isNew bool) (string, error) {
	for _, k := range r.known {
		if k == name {
			return name, nil
		}
	}
	for _, k := range r.known {
		if norm(k) == norm(name) {
			return k, nil
		}
	}
	if isNew || moderation || !r.allocated {
		return name, nil
	}
	return "", &UnknownAuditorError{Audit: r.audit, Auditor: name, Known: r.known, Suggestions: textdist.Closest(name, r.known, 3)}
}
