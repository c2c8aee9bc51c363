package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sort"
	"time"
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
	// OwnerIsTeam: Owner is the case's team itself, which has no manager
	// set, not a person. Set on the action its opening returns (record,
	// import) and on those Actions lists; actions folded elsewhere from
	// the trail (respond, close) leave it false.
	OwnerIsTeam bool
	Responses   []ActionNote
	Closure     *ActionNote // nil unless closed
	// Unchanged is the response or closing already in the trail that
	// the one given repeats (the same person, the same note), when
	// RespondAction or CloseAction appended nothing; nil otherwise, and
	// on every action read back from the trail.
	Unchanged *ActionNote
}

// TeamOwnerNote follows the owner's name wherever a list of actions shows
// an action owned by its case's team itself (OwnerIsTeam), so that no one
// reads the team's name as a person's.
const TeamOwnerNote = "(team, no manager set)"

// OwnerShown is the action's owner as a list shows it: marked as a team
// when the case's team owns it (no manager set), or as its team's manager
// set since the opening ("(by team)").
func (a *Action) OwnerShown() string {
	switch {
	case a.OwnerIsTeam:
		return a.Owner + " " + TeamOwnerNote
	case a.OwnerByTeam:
		return a.Owner + " (by team)"
	}
	return a.Owner
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

// ErrNoAction: the case has no follow-up action (or none still open).
var ErrNoAction = errors.New("no follow-up action")

// ActionSummary counts an audit's actions, for reports.
type ActionSummary struct {
	Opened    int // actions ever opened: Open + RespondedNotClosed + Closed
	Open      int // still waiting for a response
	Responded int // with at least one response (closed or not)
	// RespondedNotClosed have a response and wait for QA to close them; with
	// Open and Closed they partition Opened, so a board can add them up
	// (Responded overlaps Closed and cannot be added).
	RespondedNotClosed int
	Closed             int
	Overdue            int // open past their due date
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
		case ActionResponded:
			s.RespondedNotClosed++
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
