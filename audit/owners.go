package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"strings"
	"time"
)

// Team managers own the follow-up actions of their teams' cases. The
// mapping is kept in the trail, not in anyone's config: the owner of an
// action decides who may respond to it, so who set a team's manager, and
// when, must be in the chain that verify re-walks, and everyone who
// records on a shared store must see the same owners. A store keeps no
// chain of its own beside its audits' (and the people list's), so a change
// is appended to the trail of every audit in the store — each audit's
// unassigned actions follow it — and an audit drawn later takes the
// mapping into its own follow-up rule, which its first entry vouches for.
//
// Nothing recorded is rewritten: an action opened before its team had a
// manager keeps the owner its opening entry names, and is shown as owned by
// the team's manager (Action.OwnerByTeam), which is also whom the duties
// table lets respond to it. An action opened later records the manager.

// KindTeamManager is the trail entry that sets (or, with no manager,
// clears) a team's manager.
const KindTeamManager = "team-manager"

type teamManagerPayload struct {
	Team    string `json:"team"`
	Manager string `json:"manager"` // "" clears the team's manager
}

// TeamManager is a team's current manager, and who set it when.
type TeamManager struct {
	Team    string
	Manager string
	By      string
	At      time.Time
}

// ErrNoAuditForOwners: the store has no audit whose trail could keep a
// team's manager.
var ErrNoAuditForOwners = errors.New("no audit in the store yet")

// normTeam is a team's name as compared: spacing and case aside.
func normTeam(s string) string { return namekey.Key(s) }

// TeamChange is what SetTeamManager did.
type TeamChange struct {
	// Team is the team as the audits' cases spell it (as given when no
	// sampled case is in it).
	Team string
	// Known reports whether any sampled case is in the team; when not,
	// Teams lists the teams that are, for a hint.
	Known bool
	Teams []string
	// Audits is how many audits' trails keep the change; Unchanged how
	// many had this manager for the team already, and were left as they
	// were.
	Audits, Unchanged int
}

func foldTeamManagers(es []Entry) (map[string]TeamManager, error) {
	out := map[string]TeamManager{}
	for _, e := range es {
		var p teamManagerPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("trail entry %d is damaged: %w", e.Seq, err)
		}
		if p.Manager == "" {
			delete(out, normTeam(p.Team))
			continue
		}
		out[normTeam(p.Team)] = TeamManager{Team: p.Team, Manager: p.Manager, By: e.Actor, At: e.At}
	}
	return out, nil
}

// TeamColumn is the shown column that names a case's team: the column the
// sample was stratified by, else the follow-up rule's column when it names
// teams (team managers were given), else a column named Team; "" when the
// audit keeps none of these.
func (a *Audit) TeamColumn() string {
	if c := a.StrataColumn(); c != "" {
		return c
	}
	if a.FollowUp.Column != "" && len(a.FollowUp.TeamManagers) > 0 {
		return a.FollowUp.Column
	}
	for _, c := range a.Columns {
		if strings.EqualFold(strings.TrimSpace(c), "Team") {
			return c
		}
	}
	return ""
}

// Team is the case's team under the audit's TeamColumn ("" when unknown).
func (a *Audit) Team(c SampledCase) string {
	col := a.TeamColumn()
	if col == "" {
		return ""
	}
	v := strings.Join(strings.Fields(c.Field(col)), " ")
	if v == "" && col == a.StrataColumn() {
		v = c.Stratum
	}
	return v
}

// ownerByTeam is who owns an action whose opening named recorded, for a
// case of team, under the team managers m: the team's manager when the
// action was left unassigned or to the team itself, else recorded.
func ownerByTeam(recorded, team string, m map[string]TeamManager) (string, bool) {
	if team == "" {
		return recorded, false
	}
	if recorded != Unassigned && normTeam(recorded) != normTeam(team) {
		return recorded, false
	}
	tm, ok := m[normTeam(team)]
	if !ok {
		return recorded, false
	}
	return tm.Manager, true
}

// withStoreTeamManagers returns r with the store's current team managers
// added for the teams r does not name itself, for an audit drawn now; r
// is returned as is when the export has no team column to apply them by.
func withStoreTeamManagers(r OwnerRule, m map[string]TeamManager, teamColumn string) OwnerRule {
	if len(m) == 0 || (r.Column == "" && teamColumn == "") {
		return r
	}
	if r.Column != "" && len(r.TeamManagers) == 0 && !strings.EqualFold(r.Column, teamColumn) {
		return r // the rule's column names each case's owner, not its team
	}
	out := r
	out.TeamManagers = map[string]string{}
	for _, tm := range m {
		out.TeamManagers[tm.Team] = tm.Manager
	}
	for team, mgr := range r.TeamManagers { // the audit's own wins
		for k := range out.TeamManagers {
			if normTeam(k) == normTeam(team) {
				delete(out.TeamManagers, k)
			}
		}
		out.TeamManagers[team] = mgr
	}
	if out.Column == "" {
		out.Column = teamColumn
	}
	return out
}

// ownerAtOpening is who owns an action opened now on case c of audit a:
// the team's manager from the audit's trail when the audit's rule gives
// owners by team (or gives none), else what the rule gives.
func ownerAtOpening(a *Audit, c SampledCase, m map[string]TeamManager) string {
	rule := a.FollowUp
	owner := rule.Owner(c)
	team := a.Team(c)
	if team == "" {
		return owner
	}
	byTeam := rule.Column == "" || len(rule.TeamManagers) > 0 || strings.EqualFold(rule.Column, a.TeamColumn()) || owner == Unassigned
	if tm, ok := m[normTeam(team)]; ok && byTeam {
		return tm.Manager
	}
	return owner
}
