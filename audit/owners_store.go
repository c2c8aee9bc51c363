package audit

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

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
			if manager != "" {
				// The same manager set again (a script run twice) is
				// already in this trail: nothing to append.
				m, err := auditTeamManagers(ctx, tx.Tx, a)
				if err != nil {
					return err
				}
				if cur, ok := m[normTeam(ch.Team)]; ok && cur.Manager == manager {
					ch.Unchanged++
					continue
				}
			}
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

// auditTeamManagers is the mapping an audit's own trail holds now.
func auditTeamManagers(ctx context.Context, tx *store.Tx, a *Audit) (map[string]TeamManager, error) {
	es, err := entries(ctx, tx, a, KindTeamManager)
	if err != nil {
		return nil, err
	}
	return foldTeamManagers(es)
}

// assignByTeam shows the actions of audit a that its team managers now
// own (see ownerByTeam), and marks those still owned by their case's team
// itself (OwnerIsTeam, decided as TeamOwned decides it). The cases' teams
// are read once for the whole audit, and only when some action could be
// either: a named owner, or an unassigned one a manager may now own.
func assignByTeam(ctx context.Context, tx *store.Tx, a *Audit, acts []*Action) error {
	if a.TeamColumn() == "" {
		return nil
	}
	m, err := auditTeamManagers(ctx, tx, a)
	if err != nil {
		return err
	}
	need := false
	for _, x := range acts {
		need = need || (x.Owner != "" && x.Owner != Unassigned) || (x.Owner == Unassigned && len(m) > 0)
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
			continue
		}
		x.OwnerIsTeam = actionFacts(x.Owner, teams[x.Case]).OwnerIsTeam
	}
	return nil
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

// RuleManager is a team manager an audit's own follow-up rule names (set
// when it was drawn: sample --team-manager, or a configuration's
// follow_up.team_managers).
type RuleManager struct {
	Audit   string
	Team    string
	Manager string
}

// RuleManagers lists the team managers the audits' own follow-up rules
// name, audit by audit in period order, team by team. They decide the
// owners of an audit's actions where no manager is set for the team with
// SetTeamManager (which comes first), so a list of owners shows them too.
func (s *Store) RuleManagers(ctx context.Context) ([]RuleManager, error) {
	var out []RuleManager
	err := s.read(ctx, "reading the follow-up rules of", func(tx *store.Tx) error {
		audits, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		for _, a := range audits {
			for _, team := range slices.Sorted(maps.Keys(a.FollowUp.TeamManagers)) {
				if m := strings.TrimSpace(a.FollowUp.TeamManagers[team]); m != "" {
					out = append(out, RuleManager{Audit: a.Name, Team: team, Manager: m})
				}
			}
		}
		return nil
	})
	return out, err
}
