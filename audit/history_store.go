package audit

import (
	"context"
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
