package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Handout returns how an audit was handed out, as recorded with its
// sample; the zero Handout when nothing was.
func (s *Store) Handout(ctx context.Context, auditName string) (Handout, error) {
	return readAudit(ctx, s, auditName, loadHandout)
}

func loadHandout(ctx context.Context, tx *store.Tx, a *Audit) (Handout, error) {
	es, err := entries(ctx, tx, a, KindSample)
	if err != nil {
		return Handout{}, err
	}
	return handoutIn(a.Name, es)
}
