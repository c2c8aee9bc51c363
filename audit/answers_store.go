package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/form"
)

// Form returns the named audit's form; nil (and no error) when it has none.
func (s *Store) Form(ctx context.Context, auditName string) (*form.Form, error) {
	a, err := s.Audit(ctx, auditName)
	if err != nil {
		return nil, err
	}
	return form.FormFromJSON(a.Form)
}
