package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Verify re-walks an audit's hash chain and names any edited, inserted or
// deleted entry, and checks the audit's recorded parameters and sample
// against the trail's "sample" and "grow" entries, and replays the trail
// against the duties table (checkDuties).
//
// A hash chain without a secret shows every change made by editing the
// file, unless the editor also recomputed every later hash; comparing Head
// with a copy kept elsewhere (e.g. printed in a report) catches that too, and
// is the only way to notice the newest entries being removed.
func (s *Store) Verify(ctx context.Context, auditName string) (VerifyResult, error) {
	var res VerifyResult
	err := s.read(ctx, "verifying", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		res, err = verifyAudit(ctx, tx, a)
		return err
	})
	return res, err
}

// verifyAudit verifies an audit as a transaction sees it.
func verifyAudit(ctx context.Context, tx *store.Tx, a *Audit) (VerifyResult, error) {
	es, err := entries(ctx, tx, a)
	if err != nil {
		return VerifyResult{}, err
	}
	cases, err := loadCases(ctx, tx, a)
	if err != nil {
		return VerifyResult{}, err
	}
	people, err := tx.PersonChanges(ctx)
	if err != nil {
		return VerifyResult{}, err
	}
	return verifyEntries(a, es, cases, people), nil
}
