package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Follow-up actions. A finding that needs immediate attention opens an
// action on its case: the case is referred to its owner (the team manager,
// from the audit's owner rule; see OwnerRule), who responds; the QA officer
// closes it. Actions live in the audit's trail like findings — entries of
// kinds KindActionOpen, KindActionRespond and KindActionClose, with who and
// when — so they are append-only and covered by Verify; the current state of
// each action is derived from the trail.
//
// A correction that turns immediate attention to no does not delete the
// action (nothing is ever deleted): it closes it automatically, with a note
// naming the correction. A later correction back to yes opens a new action.

// Kinds of trail entries for follow-up actions.
const (
	KindActionOpen    = "action-open"    // an action opened by a finding needing immediate attention
	KindActionRespond = "action-respond" // the owner's response
	KindActionClose   = "action-close"   // the action closed (by hand, or automatically by a correction)
)

// Action statuses.
const (
	ActionOpen      = "open"      // waiting for the owner's response
	ActionResponded = "responded" // the owner responded; waiting to be closed
	ActionClosed    = "closed"
)

// DefaultDueDays is how many working days (Monday to Friday) after the
// finding's date an action is due, unless the audit or the finding says
// otherwise.
const DefaultDueDays = 5

// Unassigned is the owner of an action when the audit has no owner rule or
// the case's owner column is empty.
const Unassigned = "unassigned"

// OwnerRule says who owns a case's follow-up action: an audit's follow-up
// rule (Audit.FollowUp), set when the audit is recorded.
type OwnerRule struct {
	// Column names the shown column holding the owner, or the team when
	// TeamManagers is given.
	Column string `json:"owner_column,omitempty"`
	// TeamManagers maps a team (the value of Column) to its manager; a team
	// not listed owns its cases itself.
	TeamManagers map[string]string `json:"team_managers,omitempty"`
	// DueDays overrides DefaultDueDays for the audit when positive.
	DueDays int `json:"due_days,omitempty"`
}

// Owner returns the owner of a case under the rule.
func (r OwnerRule) Owner(c SampledCase) string {
	if r.Column == "" {
		return Unassigned
	}
	v := strings.Join(strings.Fields(c.Field(r.Column)), " ")
	if v == "" {
		return Unassigned
	}
	for team, mgr := range r.TeamManagers {
		if strings.EqualFold(strings.Join(strings.Fields(team), " "), v) && strings.TrimSpace(mgr) != "" {
			return strings.TrimSpace(mgr)
		}
	}
	return v
}

// ActionNote is one response to or closure of an action.
type ActionNote struct {
	Seq  int       // trail entry
	By   string    // who
	At   time.Time // when (UTC)
	Note string
	Auto bool // closed automatically by a correction
}

// Action is a follow-up action on a case flagged for immediate attention.
type Action struct {
	Audit string
	Case  string
	Owner string // team manager, team, or Unassigned
	// RecordedOwner is the owner the action's opening named, when Owner
	// is instead its team's manager set since (OwnerByTeam); "" otherwise.
	RecordedOwner string
	OwnerByTeam   bool
	Opened        string    // yyyy-mm-dd: the finding's date audited (or the day it was recorded)
	OpenedAt      time.Time // when the action was recorded (UTC)
	Auditor       string    // who recorded the finding
	Grade         Grade     // the finding's grade
	Note          string    // the auditor's note on the finding
	Due           string    // yyyy-mm-dd
	Status        string    // ActionOpen, ActionResponded or ActionClosed
	FindingSeq    int       // trail entry of the finding that opened it
	Seq           int       // trail entry of its opening
	// Moderation: a moderator's finding opened it (the auditor had not
	// flagged the case).
	Moderation bool
	Responses  []ActionNote
	Closure    *ActionNote // nil unless closed
}

// Overdue reports whether the action is still waiting for its owner's
// response after its due date, on the day of now (UTC).
func (a *Action) Overdue(now time.Time) bool {
	return a.Status == ActionOpen && now.UTC().Format(time.DateOnly) > a.Due
}

// DaysToResponse is the number of calendar days from the day the action was
// opened to its first response; ok is false without a response.
func (a *Action) DaysToResponse() (days int, ok bool) {
	if len(a.Responses) == 0 {
		return 0, false
	}
	o, err := time.Parse(time.DateOnly, a.Opened)
	if err != nil {
		o = a.OpenedAt
	}
	r := a.Responses[0].At.UTC()
	r = time.Date(r.Year(), r.Month(), r.Day(), 0, 0, 0, 0, time.UTC)
	return int(r.Sub(o).Hours() / 24), true
}

// AddWorkingDays returns the date n working days (Monday to Friday; bank
// holidays are not known) after day.
func AddWorkingDays(day time.Time, n int) time.Time {
	d := day
	for n > 0 {
		d = d.AddDate(0, 0, 1)
		if wd := d.Weekday(); wd != time.Saturday && wd != time.Sunday {
			n--
		}
	}
	return d
}

type actionOpenPayload struct {
	Owner      string `json:"owner"`
	Opened     string `json:"opened"`
	Due        string `json:"due"`
	Finding    int    `json:"finding"`
	Grade      string `json:"grade"`
	Note       string `json:"note"`
	Moderation bool   `json:"moderation,omitempty"`
}

type actionNotePayload struct {
	Note    string `json:"note"`
	Auto    bool   `json:"auto,omitempty"`
	Finding int    `json:"finding,omitempty"`
}

var actionKinds = []string{KindActionOpen, KindActionRespond, KindActionClose}

// foldActions derives the actions from trail entries (in seq order).
func foldActions(auditName string, es []Entry) ([]*Action, error) {
	var out []*Action
	latest := map[string]*Action{}
	for _, e := range es {
		switch e.Kind {
		case KindActionOpen:
			var p actionOpenPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("trail entry %d is damaged: %w", e.Seq, err)
			}
			g, _ := ParseGrade(p.Grade)
			a := &Action{Audit: auditName, Case: e.Case, Owner: p.Owner, Opened: p.Opened, OpenedAt: e.At,
				Auditor: e.Actor, Grade: g, Note: p.Note, Due: p.Due, Status: ActionOpen, FindingSeq: p.Finding, Seq: e.Seq,
				Moderation: p.Moderation}
			out = append(out, a)
			latest[e.Case] = a
		case KindActionRespond, KindActionClose:
			var p actionNotePayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("trail entry %d is damaged: %w", e.Seq, err)
			}
			a := latest[e.Case]
			if a == nil {
				return nil, fmt.Errorf("trail entry %d (%s %s) follows no open action", e.Seq, e.Kind, e.Case)
			}
			n := ActionNote{Seq: e.Seq, By: e.Actor, At: e.At, Note: p.Note, Auto: p.Auto}
			if e.Kind == KindActionRespond {
				a.Responses = append(a.Responses, n)
				if a.Status == ActionOpen {
					a.Status = ActionResponded
				}
			} else {
				a.Closure = &n
				a.Status = ActionClosed
			}
		}
	}
	return out, nil
}

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
			opened = s.now().Format(time.DateOnly)
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
			Grade: f.Grade, Note: f.Note, Due: p.Due, Status: ActionOpen, FindingSeq: f.Seq, Seq: e.Seq, Moderation: f.Moderation}, nil
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

// ErrNoAction: the case has no follow-up action (or none still open).
var ErrNoAction = errors.New("no follow-up action")

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
		if cur.Status == ActionClosed {
			return errorf(ErrNoAction, "the action on case %s of audit %q was closed on %s by %s; a closed action takes no response or closing",
				caseID, a.Name, cur.Closure.At.Format(time.DateOnly), cur.Closure.By)
		}
		d := DutyClose
		if kind == KindActionRespond {
			d = DutyRespond
		}
		owner := cur.Owner
		if owner == Unassigned {
			owner = "" // no one owns it: only QA responds
		}
		if err := s.may(ctx, tx.Tx, d, CaseFacts{Owner: owner}); err != nil {
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

// ActionSummary counts an audit's actions, for reports.
type ActionSummary struct {
	Opened    int // actions ever opened
	Open      int // still waiting for a response
	Responded int // with at least one response (closed or not)
	Closed    int
	Overdue   int // open past their due date
	// MedianDaysToResponse is the median of calendar days from opening to
	// the first response, over the ResponseTimes actions with a response;
	// 0 when there is none.
	MedianDaysToResponse float64
	ResponseTimes        int
}

// SummariseActions counts actions as of now.
func SummariseActions(actions []Action, now time.Time) ActionSummary {
	var s ActionSummary
	var days []int
	for i := range actions {
		a := &actions[i]
		s.Opened++
		switch a.Status {
		case ActionOpen:
			s.Open++
		case ActionClosed:
			s.Closed++
		}
		if len(a.Responses) > 0 {
			s.Responded++
		}
		if a.Overdue(now) {
			s.Overdue++
		}
		if d, ok := a.DaysToResponse(); ok {
			days = append(days, d)
		}
	}
	s.ResponseTimes = len(days)
	if n := len(days); n > 0 {
		slices.Sort(days)
		if n%2 == 1 {
			s.MedianDaysToResponse = float64(days[n/2])
		} else {
			s.MedianDaysToResponse = float64(days[n/2-1]+days[n/2]) / 2
		}
	}
	return s
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

// sortActions orders actions by due date, then audit and case.
func sortActions(a []Action) {
	sort.SliceStable(a, func(i, j int) bool {
		if a[i].Due != a[j].Due {
			return a[i].Due < a[j].Due
		}
		if a[i].Audit != a[j].Audit {
			return a[i].Audit < a[j].Audit
		}
		return a[i].Case < a[j].Case
	})
}
