package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Rederive draws an audit's sample again from its export (found with
// LocateExport) and compares it with the recorded cases: the use case
// "re-derive and compare".
func Rederive(ctx context.Context, st *Store, name, export string, progress func(rows int)) (*Rederivation, error) {
	a, err := st.Audit(ctx, name)
	if err != nil {
		return nil, err
	}
	return rederiveAudit(ctx, st, a, export, progress)
}

// rederiveAudit reads what re-deriving a recorded audit needs from the
// store — its cases, the growths and withdrawals since the first draw, the
// factor values recorded — and re-derives it.
func rederiveAudit(ctx context.Context, st *Store, a *Audit, export string, progress func(rows int)) (*Rederivation, error) {
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	steps, err := st.sampleSteps(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	factors, err := st.CaseFactors(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	return rederive(ctx, a, cases, steps, factors, export, progress)
}

// sampleSteps reads the audit's growths and withdrawals from its trail.
func (s *Store) sampleSteps(ctx context.Context, name string) ([]sampleStep, error) {
	var steps []sampleStep
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, name)
		if err != nil {
			return err
		}
		es, err := entries(ctx, tx, a, KindGrow, KindWithdrawal)
		if err != nil {
			return err
		}
		for _, e := range es {
			var p struct {
				Cases []sampledCaseJSON `json:"cases"`
			}
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("trail entry %d (%s) is damaged: %w", e.Seq, e.Kind, err)
			}
			if e.Kind == KindGrow {
				steps = append(steps, sampleStep{Grow: len(p.Cases)})
			} else {
				steps = append(steps, sampleStep{Withdrawn: e.Case, Replaced: len(p.Cases) > 0})
			}
		}
		return nil
	})
	return steps, err
}

// Verify re-walks an audit's trail, checks the store file, and re-derives
// the sample from its export. An export that cannot be found or read is
// reported in the result (NotChecked), not as an error: the trail's
// verdict still stands, and the caller decides what an unchecked sample
// means (it is not OK).
func Verify(ctx context.Context, st *Store, req VerifyRequest) (*VerifyReport, error) {
	a, err := st.Audit(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	v := &VerifyReport{Audit: a, TrailOnly: req.TrailOnly}
	if v.Trail, err = st.Verify(ctx, a.Name); err != nil {
		return nil, err
	}
	if err := st.IntegrityCheck(ctx); err != nil {
		v.StoreProblem = err.Error()
	}
	// The people list decides who may do what in every audit, so its
	// chain is part of every audit's verification.
	if ps, err := st.VerifyPeople(ctx); err != nil {
		return nil, err
	} else if len(ps) > 0 {
		v.StoreProblem = strings.TrimPrefix(v.StoreProblem+"; "+strings.Join(ps, "; "), "; ")
	}
	if req.TrailOnly {
		return v, nil
	}
	r, err := rederiveAudit(ctx, st, a, req.Export, req.Progress)
	if ctx.Err() != nil {
		return nil, ctx.Err()
	}
	if err != nil && r == nil {
		return nil, err // the store, not the export
	}
	if err != nil {
		v.NotCheckedErr = err
		if r != nil && r.Export != "" {
			v.NotCheckedErr = fmt.Errorf("reading %s: %w", r.Export, err)
		}
		v.NotChecked = v.NotCheckedErr.Error()
		return v, nil
	}
	v.Rederivation = r
	return v, nil
}
