package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
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
func normTeam(s string) string { return strings.ToLower(strings.Join(strings.Fields(s), " ")) }

// TeamChange is what SetTeamManager did.
type TeamChange struct {
	// Team is the team as the audits' cases spell it (as given when no
	// sampled case is in it).
	Team string
	// Known reports whether any sampled case is in the team; when not,
	// Teams lists the teams that are, for a hint.
	Known bool
	Teams []string
	// Audits is how many audits' trails keep the change.
	Audits int
}

// SetTeamManager makes manager the owner of the follow-up actions of
// team's cases (manager "" clears it), by appending the change to every
// audit's trail in one transaction. Only QA sets team managers.
func (s *Store) SetTeamManager(ctx context.Context, team, manager string) (TeamChange, error) {
	team = strings.Join(strings.Fields(team), " ")
	manager = strings.Join(strings.Fields(manager), " ")
	if team == "" {
		return TeamChange{}, errors.New("name the team (as the export spells it, e.g. \"Salisbury CIN\")")
	}
	if strings.EqualFold(manager, Unassigned) {
		return TeamChange{}, fmt.Errorf("%q is what an action without an owner is called; name a person, or clear the team's manager with owners unset", Unassigned)
	}
	ch := TeamChange{Team: team}
	err := s.write(ctx, "setting a team manager in", func(tx *store.WriteTx) error {
		if err := s.may(ctx, tx.Tx, DutyOwners, CaseFacts{}); err != nil {
			return err
		}
		audits, err := loadAudits(ctx, tx.Tx, store.ByCreation)
		if err != nil {
			return err
		}
		if len(audits) == 0 {
			return errorf(ErrNoAuditForOwners, "the store has no audit yet to keep team managers in: draw the first sample (its --team-manager, or the config's follow_up.team_managers, set them for it), then use owners set")
		}
		seen := map[string]string{}
		for _, a := range audits {
			if a.TeamColumn() == "" {
				continue
			}
			rows, err := tx.Cases(ctx, a.id)
			if err != nil {
				return err
			}
			for _, r := range rows {
				c, err := caseFromRow(a, r)
				if err != nil {
					return err
				}
				if t := a.Team(c); t != "" {
					seen[normTeam(t)] = t
				}
			}
		}
		if t, ok := seen[normTeam(team)]; ok {
			ch.Team, ch.Known = t, true
		} else {
			ch.Teams = slices.Sorted(maps.Values(seen))
		}
		who, err := s.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		for _, a := range audits {
			if _, err := s.appendEntry(ctx, tx, a, KindTeamManager, "", who, teamManagerPayload{Team: ch.Team, Manager: manager}); err != nil {
				return err
			}
			ch.Audits++
		}
		return nil
	})
	return ch, err
}

// TeamManagers returns the store's team managers as the trail has them
// now, by team name.
func (s *Store) TeamManagers(ctx context.Context) ([]TeamManager, error) {
	var out []TeamManager
	err := s.read(ctx, "reading the team managers of", func(tx *store.Tx) error {
		m, err := storeTeamManagers(ctx, tx)
		if err != nil {
			return err
		}
		for _, k := range slices.Sorted(maps.Keys(m)) {
			out = append(out, m[k])
		}
		return nil
	})
	return out, err
}

// storeTeamManagers folds the team-manager entries of every audit, oldest
// first, into the current mapping (by normTeam). One change is appended to
// every audit, so the same change read from several trails folds to the
// same result.
func storeTeamManagers(ctx context.Context, tx *store.Tx) (map[string]TeamManager, error) {
	audits, err := loadAudits(ctx, tx, store.ByCreation)
	if err != nil {
		return nil, err
	}
	var all []Entry
	for _, a := range audits {
		es, err := entries(ctx, tx, a, KindTeamManager)
		if err != nil {
			return nil, err
		}
		all = append(all, es...)
	}
	sort.SliceStable(all, func(i, j int) bool { return all[i].At.Before(all[j].At) })
	return foldTeamManagers(all)
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

// auditTeamManagers is the mapping an audit's own trail holds now.
func auditTeamManagers(ctx context.Context, tx *store.Tx, a *Audit) (map[string]TeamManager, error) {
	es, err := entries(ctx, tx, a, KindTeamManager)
	if err != nil {
		return nil, err
	}
	return foldTeamManagers(es)
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

// assignByTeam shows the actions of audit a that its team managers now
// own (see ownerByTeam), reading the cases' teams only when needed.
func assignByTeam(ctx context.Context, tx *store.Tx, a *Audit, acts []*Action) error {
	m, err := auditTeamManagers(ctx, tx, a)
	if err != nil || len(m) == 0 || a.TeamColumn() == "" {
		return err
	}
	need := false
	for _, x := range acts {
		need = need || x.Owner == Unassigned || teamNamed(x.Owner, m)
	}
	if !need {
		return nil
	}
	rows, err := tx.Cases(ctx, a.id)
	if err != nil {
		return err
	}
	teams := map[string]string{}
	for _, r := range rows {
		c, err := caseFromRow(a, r)
		if err != nil {
			return err
		}
		teams[c.ID] = a.Team(c)
	}
	for _, x := range acts {
		if owner, ok := ownerByTeam(x.Owner, teams[x.Case], m); ok {
			x.RecordedOwner, x.Owner, x.OwnerByTeam = x.Owner, owner, true
		}
	}
	return nil
}

// teamNamed reports whether owner is the name of a team m lists.
func teamNamed(owner string, m map[string]TeamManager) bool {
	_, ok := m[normTeam(owner)]
	return ok
}

// currentTeamManagers reads the store's team managers now.
func (s *Store) currentTeamManagers(ctx context.Context) (map[string]TeamManager, error) {
	var m map[string]TeamManager
	err := s.read(ctx, "reading the team managers of", func(tx *store.Tx) (err error) {
		m, err = storeTeamManagers(ctx, tx)
		return err
	})
	return m, err
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
