package audit

import (
	"context"
	"errors"
)

// State decides whether the month's draw is due. st is nil when there is
// no store yet (nothing is drawn).
func (m MonthlyDraw) State(ctx context.Context, st *Store) (MonthlyDrawState, error) {
	var s MonthlyDrawState
	if st != nil {
		a, err := st.Audit(ctx, m.Audit)
		switch {
		case err == nil:
			s.Drawn, s.WorkbookMissing = a, m.Workbook != "" && !isFile(m.Workbook)
			return s, nil
		case !errors.Is(err, ErrNotFound):
			return s, err
		}
	}
	if m.Workbook != "" && isFile(m.Workbook) {
		return s, &WorkbookInTheWayError{Workbook: m.Workbook, Audit: m.Audit}
	}
	return s, nil
}
