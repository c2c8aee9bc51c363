package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

func caseActions(ctx context.Context, tx *store.Tx, a *Audit, caseID string) ([]*Action, error) {
	es, err := caseEntries(ctx, tx, a, caseID, actionKinds...)
	if err != nil {
		return nil, err
	}
	return foldActions(a.Name, es)
}

func loadCase(ctx context.Context, tx *store.Tx, a *Audit, id string) (SampledCase, error) {
	r, err := tx.Case(ctx, a.id, id)
	if err != nil {
		return SampledCase{}, err
	}
	if r == nil {
		return SampledCase{}, &NotInSampleError{Audit: a.Name, Case: id}
	}
	return caseFromRow(a, *r)
}

// followUp opens or automatically closes the case's action after finding f
// was appended (prev is the case's finding of the same kind before it, when
// hadPrev). A moderator's finding that needs immediate attention opens an
// action like an auditor's when none is being followed up (marked as raised
// at moderation); a moderator's "no" never closes an action an auditor's
// finding opened — only a moderation correction closes one a moderator's
// finding opened.
func (s *Store) followUp(ctx context.Context, tx *store.WriteTx, a *Audit, f Finding, prev Finding, hadPrev bool) (*Action, error) {
	acts, err := caseActions(ctx, tx.Tx, a, f.Case)
	if err != nil {
		return nil, err
	}
	var cur *Action
	if len(acts) > 0 {
		cur = acts[len(acts)-1]
	}
	wasFlagged := hadPrev && prev.Immediate
	if f.Immediate {
		if cur != nil && (cur.Status != ActionClosed || (wasFlagged && cur.Moderation == f.Moderation)) {
			return nil, nil // already being followed up, or closed after this same flag
		}
		c, err := loadCase(ctx, tx.Tx, a, f.Case)
		if err != nil {
			return nil, err
		}
		rule := a.FollowUp
		opened := f.Date
		if opened == "" {
			opened = s.nowIn(tx.Tx).Format(time.DateOnly)
		}
		day, err := time.Parse(time.DateOnly, opened)
		if err != nil {
			return nil, fmt.Errorf("the finding on %s: date %q is not a date", f.Case, opened)
		}
		days := f.Due
		if days <= 0 {
			days = rule.DueDays
		}
		if days <= 0 {
			days = DefaultDueDays
		}
		m, err := auditTeamManagers(ctx, tx.Tx, a)
		if err != nil {
			return nil, err
		}
		p := actionOpenPayload{Owner: ownerAtOpening(a, c, m), Opened: opened, Due: AddWorkingDays(day, days).Format(time.DateOnly),
			Finding: f.Seq, Grade: f.Grade.String(), Note: f.Note, Moderation: f.Moderation}
		e, err := s.appendEntry(ctx, tx, a, KindActionOpen, f.Case, f.Auditor, p)
		if err != nil {
			return nil, err
		}
		return &Action{Audit: a.Name, Case: f.Case, Owner: p.Owner, Opened: p.Opened, OpenedAt: e.At, Auditor: f.Auditor,
			Grade: f.Grade, Note: f.Note, Due: p.Due, Status: ActionOpen, FindingSeq: f.Seq, Seq: e.Seq, Moderation: f.Moderation,
			OwnerIsTeam: actionFacts(p.Owner, a.Team(c)).OwnerIsTeam}, nil
	}
	if cur == nil || cur.Status == ActionClosed || !wasFlagged || cur.Moderation != f.Moderation {
		return nil, nil
	}
	note := fmt.Sprintf("the finding was corrected to no immediate attention (trail entry %d)", f.Seq)
	if f.Reason != "" {
		note = fmt.Sprintf("the finding was corrected to no immediate attention (trail entry %d; reason: %s)", f.Seq, f.Reason)
	}
	e, err := s.appendEntry(ctx, tx, a, KindActionClose, f.Case, f.Auditor, actionNotePayload{Note: note, Auto: true, Finding: f.Seq})
	if err != nil {
		return nil, err
	}
	cur.Closure = &ActionNote{Seq: e.Seq, By: f.Auditor, At: e.At, Note: note, Auto: true}
	cur.Status = ActionClosed
	return cur, nil
}

// Actions returns the follow-up actions of the named audit, or of every
// audit when auditName is "", oldest first; Status says which are done.
func (s *Store) Actions(ctx context.Context, auditName string) ([]Action, error) {
	var out []Action
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		var audits []*Audit
		if strings.TrimSpace(auditName) != "" {
			a, err := loadAudit(ctx, tx, auditName)
			if err != nil {
				return err
			}
			audits = append(audits, a)
		} else {
			var err error
			if audits, err = loadAudits(ctx, tx, store.ByCreation); err != nil {
				return err
			}
		}
		for _, a := range audits {
			es, err := entries(ctx, tx, a, actionKinds...)
			if err != nil {
				return err
			}
			acts, err := foldActions(a.Name, es)
			if err != nil {
				return fmt.Errorf("audit %q: %w", a.Name, err)
			}
			if err := assignByTeam(ctx, tx, a, acts); err != nil {
				return err
			}
			for _, x := range acts {
				out = append(out, *x)
			}
		}
		return nil
	})
	return out, err
}

// RespondAction records the owner's response to a case's action (by names
// who responded; empty, the person acting). An open action becomes responded; further responses are
// added; a closed action takes none.
func (s *Store) RespondAction(ctx context.Context, auditName, caseID, by, note string) (*Action, error) {
	return s.moveAction(ctx, auditName, caseID, by, note, KindActionRespond)
}

// CloseAction closes a case's open or responded action, with a note.
func (s *Store) CloseAction(ctx context.Context, auditName, caseID, by, note string) (*Action, error) {
	return s.moveAction(ctx, auditName, caseID, by, note, KindActionClose)
}

func (s *Store) moveAction(ctx context.Context, auditName, caseID, by, note, kind string) (*Action, error) {
	caseID = strings.TrimSpace(caseID)
	by = strings.Join(strings.Fields(by), " ")
	note = strings.TrimSpace(note)
	verb := map[string]string{KindActionRespond: "a response", KindActionClose: "closing an action"}[kind]
	if note == "" {
		return nil, fmt.Errorf("%s needs a note saying what was done", verb)
	}
	var out *Action
	err := s.write(ctx, "recording an action in", func(tx *store.WriteTx) error {
		if by == "" {
			who, err := s.actorIn(ctx, tx.Tx)
			if err != nil {
				return err
			}
			if by = who; by == "" {
				return fmt.Errorf("%s needs the name of the person acting: pass it as by, or open the store with Options.Actor", verb)
			}
		}
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		// Only QA closes, whatever the case: one who may not is told so
		// first, not that this case has no action to close.
		if kind == KindActionClose {
			if err := s.may(ctx, tx.Tx, DutyClose, CaseFacts{}); err != nil {
				return err
			}
		}
		if err := checkInSample(ctx, tx.Tx, a, caseID); err != nil {
			return err
		}
		acts, err := caseActions(ctx, tx.Tx, a, caseID)
		if err != nil {
			return err
		}
		if len(acts) == 0 {
			return errorf(ErrNoAction, "case %s of audit %q has no follow-up action: only a finding needing immediate attention opens one", caseID, a.Name)
		}
		if err := assignByTeam(ctx, tx.Tx, a, acts); err != nil {
			return err
		}
		cur := acts[len(acts)-1]
		// A script run again gives the same response or closing again:
		// the one already in the trail stands, and nothing is appended
		// (as for a finding given again). A different note is new.
		if n, ok := sameActionNote(cur, kind, by, note); ok {
			cur.Unchanged = &n
			out = cur
			return nil
		}
		if cur.Status == ActionClosed {
			return errorf(ErrNoAction, "the action on case %s of audit %q was closed on %s by %s; a closed action takes no response or closing",
				caseID, a.Name, cur.Closure.At.Format(time.DateOnly), cur.Closure.By)
		}
		d := DutyClose
		if kind == KindActionRespond {
			d = DutyRespond
		}
		team := ""
		if d == DutyRespond && a.TeamColumn() != "" {
			sc, err := loadCase(ctx, tx.Tx, a, caseID)
			if err != nil {
				return err
			}
			team = a.Team(sc)
		}
		if err := s.may(ctx, tx.Tx, d, actionFacts(cur.Owner, team)); err != nil {
			return err
		}
		e, err := s.appendEntry(ctx, tx, a, kind, caseID, by, actionNotePayload{Note: note})
		if err != nil {
			return err
		}
		n := ActionNote{Seq: e.Seq, By: by, At: e.At, Note: note}
		if kind == KindActionRespond {
			cur.Responses = append(cur.Responses, n)
			if cur.Status == ActionOpen {
				cur.Status = ActionResponded
			}
		} else {
			cur.Closure, cur.Status = &n, ActionClosed
		}
		out = cur
		return nil
	})
	return out, err
}

// sameActionNote finds the response (kind KindActionRespond) or closing
// that by already gave to cur with note: for a response, by's latest one;
// for a closing, the action's closing by hand. Names are matched ignoring
// case and spacing, as people are elsewhere.
func sameActionNote(cur *Action, kind, by, note string) (ActionNote, bool) {
	if kind == KindActionClose {
		if c := cur.Closure; c != nil && !c.Auto && sameName(c.By, by) && c.Note == note {
			return *c, true
		}
		return ActionNote{}, false
	}
	for i := len(cur.Responses) - 1; i >= 0; i-- {
		if r := cur.Responses[i]; sameName(r.By, by) {
			return r, r.Note == note
		}
	}
	return ActionNote{}, false
}

// ActionSummary returns the counts of an audit's actions as of the store's clock.
func (s *Store) ActionSummary(ctx context.Context, auditName string) (ActionSummary, error) {
	if strings.TrimSpace(auditName) == "" {
		return ActionSummary{}, errors.New("name the audit")
	}
	acts, err := s.Actions(ctx, auditName)
	if err != nil {
		return ActionSummary{}, err
	}
	return SummariseActions(acts, s.now()), nil
}

// Now returns the store's clock time (UTC), for overdue checks that agree
// with the times the store records.
func (s *Store) Now() time.Time { return s.now() }
