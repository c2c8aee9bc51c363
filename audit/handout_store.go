package audit

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Handout returns how an audit was handed out, as recorded with its
// sample; the zero Handout when nothing was.
func (s *Store) Handout(ctx context.Context, auditName string) (Handout, error) {
	return readAudit(ctx, s, auditName, loadHandout)
}

func loadHandout(ctx context.Context, tx *store.Tx, a *Audit) (Handout, error) {
	es, err := entries(ctx, tx, a, KindSample)
	if err != nil || len(es) == 0 {
		return Handout{}, err
	}
	var p struct {
		Handout Handout `json:"handout"`
	}
	if err := json.Unmarshal(es[0].Payload, &p); err != nil {
		return Handout{}, fmt.Errorf("audit %q: the first trail entry is damaged: %w", a.Name, err)
	}
	return p.Handout, nil
}
