package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

// History returns every trail entry about one case of an audit, oldest
// first: findings, corrections, moderation findings (allocations and draws
// name many cases and are in Trail).
func (s *Store) History(ctx context.Context, auditName, caseID string) ([]Entry, error) {
	var out []Entry
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		id := strings.TrimSpace(caseID)
		if err := checkInSample(ctx, tx, a, id); err != nil {
			return err
		}
		out, err = caseEntries(ctx, tx, a, id)
		return err
	})
	return out, err
}

// Trail returns an audit's whole trail, oldest first.
func (s *Store) Trail(ctx context.Context, auditName string) ([]Entry, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) ([]Entry, error) {
		return entries(ctx, tx, a)
	})
}

// TeamOwned returns which of es, entries of the trail of audit auditName,
// open a follow-up action owned by the case's team itself: the team had no
// manager set when the action opened, so its opening names a team, not a
// person, and whoever reads the entry must not take the team's name for
// someone's.
func (s *Store) TeamOwned(ctx context.Context, auditName string, es []Entry) (map[int]bool, error) {
	out := map[int]bool{}
	owners := map[int]string{}
	for _, e := range es {
		if e.Kind != KindActionOpen {
			continue
		}
		var p actionOpenPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("audit %q, trail entry %d: its follow-up action cannot be read: %w", auditName, e.Seq, err)
		}
		if p.Owner != "" && p.Owner != Unassigned {
			owners[e.Seq] = p.Owner
		}
	}
	if len(owners) == 0 {
		return out, nil
	}
	teams, err := readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) (map[string]string, error) {
		rows, err := tx.Cases(ctx, a.id)
		if err != nil {
			return nil, err
		}
		teams := map[string]string{}
		for _, r := range rows {
			c, err := caseFromRow(a, r)
			if err != nil {
				return nil, err
			}
			teams[c.ID] = a.Team(c)
		}
		return teams, nil
	})
	if err != nil {
		return nil, err
	}
	for _, e := range es {
		if o, ok := owners[e.Seq]; ok && actionFacts(o, teams[e.Case]).OwnerIsTeam {
			out[e.Seq] = true
		}
	}
	return out, nil
}
