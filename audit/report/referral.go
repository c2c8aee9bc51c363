package report

import (
	"context"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// Referrals is the referral sheet for team managers: one card per
// follow-up action with its case ID, team, owner, the case's finding as it
// stands (its grade, immediate attention by the latest judgement, who and
// when, and the auditor's whole note), who raised the action, when and
// why, its dates, and room for the manager's response by hand. The finding
// shown is the standing one, not the one that opened the action: that may
// since have been corrected, or be a moderator's, whose grade never
// replaces the auditor's. Names are in it only when asked for, read from
// the audit's recorded export (the store keeps none).
type Referrals struct {
	// NameColumns are the export's name columns (--include-names), whose
	// values each card's Names holds; nil without names.
	NameColumns []string
	Cards       []Referral
	// Marking is the protective marking printed on every page: the audits'
	// own (given when they were drawn) unless the caller sets another.
	Marking string
	// Title heads every printed page.
	Title string
}

// Referral is one follow-up action on the referral sheet, every field as
// printed.
type Referral struct {
	Audit, Case string
	Names       []string // in the order of Referrals.NameColumns
	Team, Owner string
	// The case's standing finding: its grade (saying when it was
	// corrected), immediate attention by the latest judgement (naming the
	// moderator whose judgement it is, when hers came later), its auditor,
	// the date audited and the auditor's note.
	Grade, Immediate, Auditor, Audited, Note string
	// Raised says where, by whom and when the action was raised; Reason is
	// the note of the finding that raised it.
	Raised, Reason string
	Due, Status    string
	Overdue        bool
	// Responses are the owner's responses recorded so far, one a line.
	Responses string
	// Closed says when, by whom and with what note the action was closed;
	// "" while it is open. A closed action's card has no box to write in:
	// there is nothing left to do on it.
	Closed string
}

// ReferralRequest asks for the referral sheet of a list of follow-up
// actions.
type ReferralRequest struct {
	Actions []audit.Action // in the order the sheet lists them
	Now     time.Time      // the day overdue is judged on
	// Names adds the children's names, read from each audit's export.
	Names bool
	// Audit and Owner, when the list is one audit's or one owner's, are
	// named in the title.
	Audit, Owner string
	// Marking replaces the audits' own protective markings when given.
	Marking string
}

// BuildReferrals lays out the referral sheet req asks for.
func BuildReferrals(ctx context.Context, st *audit.Store, req ReferralRequest) (*Referrals, error) {
	list, names, now := req.Actions, req.Names, req.Now
	var nameCols []string
	byCase := map[string]map[string][]string{} // audit → case → names
	teams := map[string]map[string]string{}    // audit → case → team
	want := wantedCases(list)
	audits := slices.Sorted(maps.Keys(want))
	standing, err := StandingFindings(ctx, st, list)
	if err != nil {
		return nil, err
	}
	for _, name := range audits {
		a, err := st.Audit(ctx, name)
		if err != nil {
			return nil, err
		}
		if teams[name], err = caseTeams(ctx, st, a); err != nil {
			return nil, err
		}
		if !names {
			continue
		}
		cols, n, err := audit.PersonNames(ctx, a, want[name])
		if err != nil {
			return nil, err
		}
		if nameCols == nil {
			nameCols = cols
		}
		byCase[name] = n
	}
	r := &Referrals{NameColumns: nameCols, Marking: req.Marking, Title: "Referrals: follow-up actions"}
	if r.Marking == "" {
		m, err := auditsMarking(ctx, st, audits)
		if err != nil {
			return nil, err
		}
		r.Marking = m
	}
	if req.Audit != "" {
		r.Title += " of " + req.Audit
	}
	if req.Owner != "" {
		owner := req.Owner
		if len(list) > 0 && !slices.ContainsFunc(list, func(a audit.Action) bool { return !a.OwnerIsTeam }) {
			owner = "the team " + owner + " (no manager set)"
		}
		r.Title += " for " + owner
	}
	for _, a := range list {
		c := Referral{Audit: a.Audit, Case: a.Case, Team: teams[a.Audit][a.Case], Owner: a.Owner,
			Due: a.Due, Status: a.Status, Overdue: a.Overdue(now)}
		if nameCols != nil {
			n := byCase[a.Audit][a.Case]
			c.Names = make([]string, len(nameCols))
			copy(c.Names, n)
		}
		if a.OwnerIsTeam {
			c.Owner += " " + audit.TeamOwnerNote
		}
		var resp []string
		for _, n := range a.Responses {
			resp = append(resp, fmt.Sprintf("%s, %s: %s", n.At.UTC().Format(time.DateOnly), n.By, n.Note))
		}
		c.Responses = strings.Join(resp, "\n")
		if n := a.Closure; n != nil {
			c.Closed = closedLine(*n)
		}
		setFinding(&c, a, standing[a.Audit])
		r.Cards = append(r.Cards, c)
	}
	return r, nil
}

// closedLine is how a card says an action was closed: the day, who, and
// the closing note (which, when a correction of the finding closed it,
// says so and names the correction's trail entry).
func closedLine(n audit.ActionNote) string {
	s := fmt.Sprintf("%s, %s", n.At.UTC().Format(time.DateOnly), n.By)
	if n.Auto {
		s += " (automatically)"
	}
	if n.Note != "" {
		s += ": " + n.Note
	}
	return s
}

// wantedCases are the cases of a list of actions, audit by audit.
func wantedCases(list []audit.Action) map[string]map[string]bool {
	want := map[string]map[string]bool{}
	for _, a := range list {
		if want[a.Audit] == nil {
			want[a.Audit] = map[string]bool{}
		}
		want[a.Audit][a.Case] = true
	}
	return want
}

// StandingFindings are the standing findings (see audit.Standing) of the
// cases of a list of actions, audit by audit: what a list of actions shows
// as each case's finding. A case without an auditor's finding (which no
// action should be) is left out.
func StandingFindings(ctx context.Context, st *audit.Store, list []audit.Action) (map[string]map[string]audit.StandingFinding, error) {
	out := map[string]map[string]audit.StandingFinding{}
	for name, want := range wantedCases(list) {
		s, err := standingFindings(ctx, st, name, want)
		if err != nil {
			return nil, err
		}
		out[name] = s
	}
	return out, nil
}

// standingFindings are the standing findings of an audit's cases in want
// (see audit.Standing).
func standingFindings(ctx context.Context, st *audit.Store, name string, want map[string]bool) (map[string]audit.StandingFinding, error) {
	orig, err := st.Findings(ctx, name, false)
	if err != nil {
		return nil, err
	}
	mods, err := st.Findings(ctx, name, true)
	if err != nil {
		return nil, err
	}
	mod := map[string]audit.Finding{}
	for _, m := range mods {
		mod[m.Case] = m
	}
	out := map[string]audit.StandingFinding{}
	for _, f := range orig {
		if want[f.Case] {
			m, moderated := mod[f.Case]
			out[f.Case] = audit.Standing(f, m, moderated)
		}
	}
	return out, nil
}

// ActionFinding is the finding a list of actions shows for an action's
// case: the case's standing finding (see audit.Standing), not the finding
// that opened the action, which may since have been corrected, or be a
// moderator's, whose grade never replaces the auditor's.
type ActionFinding struct {
	Grade audit.Grade // the auditor's latest grade
	// CorrectedOn is the day the auditor's finding was last corrected
	// (yyyy-mm-dd); "" when it never was.
	CorrectedOn string
	// Immediate is immediate attention by the latest judgement; Moderator
	// and ModeratedOn name the moderator whose judgement it is and her
	// date, when hers came after the auditor's latest finding ("" else).
	Immediate              bool
	Moderator, ModeratedOn string
	Auditor, Date, Note    string // the auditor's latest finding's
}

// StandingOf is the finding a list shows for action a, given the standing
// findings of its audit's cases. A case without an auditor's finding to
// stand (none is recorded, which no action should be without) shows the
// finding that opened it, as recorded, rather than a blank.
func StandingOf(a audit.Action, standing map[string]audit.StandingFinding) ActionFinding {
	s, ok := standing[a.Case]
	if !ok {
		return ActionFinding{Grade: a.Grade, Immediate: true, Auditor: a.Auditor, Date: a.Opened, Note: a.Note}
	}
	f := s.Finding
	out := ActionFinding{Grade: f.Grade, Immediate: s.Immediate, Auditor: f.Auditor, Date: f.Date, Note: f.Note}
	if s.Corrected() {
		out.CorrectedOn = f.At.UTC().Format(time.DateOnly)
	}
	if m := s.ModeratedAfter; m != nil {
		out.Moderator, out.ModeratedOn = m.Auditor, moderationDate(*m)
	}
	return out
}

// setFinding fills a card's finding, from Grade to Reason: the case's
// standing finding (StandingOf) — its grade (saying when it was
// corrected), immediate attention by the latest judgement (naming the
// moderator whose judgement it is, when hers came later), its auditor,
// date audited and note — then where, by whom and when the action was
// raised, and the note of the finding that raised it (the moderator's,
// for an action raised at moderation), unless it is the auditor's note
// shown already.
func setFinding(c *Referral, a audit.Action, standing map[string]audit.StandingFinding) {
	s := StandingOf(a, standing)
	c.Grade = s.Grade.String()
	if s.CorrectedOn != "" {
		c.Grade += " (corrected on " + s.CorrectedOn + ")"
	}
	c.Immediate = yesNo(s.Immediate)
	if s.Moderator != "" {
		c.Immediate += fmt.Sprintf(", by the moderator %s on %s", s.Moderator, s.ModeratedOn)
	}
	c.Auditor, c.Audited, c.Note = s.Auditor, s.Date, s.Note
	c.Raised = fmt.Sprintf("at %s by %s on %s", a.RaisedAt(), a.Auditor, a.Opened)
	c.Reason = a.Note
	if _, ok := standing[a.Case]; !ok {
		return
	}
	if !a.Moderation && c.Reason != "" && c.Reason == s.Note {
		c.Reason = "as the auditor's note"
	}
	if !a.Moderation && a.Auditor == s.Auditor && a.Opened == s.Date {
		// Who raised it and when are the Auditor and Date audited on the
		// same card: said again they would only be read twice.
		c.Raised = "at " + a.RaisedAt()
	}
}

// moderationDate is the day a moderation finding was made: its date, else
// the day it was recorded.
func moderationDate(m audit.Finding) string {
	if m.Date != "" {
		return m.Date
	}
	return m.At.UTC().Format(time.DateOnly)
}

// caseTeams maps each sampled case of an audit to its team (see
// audit.Audit.Team); nil when the audit keeps no team column.
func caseTeams(ctx context.Context, st *audit.Store, a *audit.Audit) (map[string]string, error) {
	if a.TeamColumn() == "" {
		return nil, nil
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	out := map[string]string{}
	for _, c := range cases {
		out[c.ID] = a.Team(c)
	}
	return out, nil
}
