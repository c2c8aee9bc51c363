package audit

import (
	"context"
	"slices"

	"github.com/caseaudit/caseaudit/audit/store"
)

func loadStatus(ctx context.Context, tx *store.Tx, a *Audit) (*Status, error) {
	ids, err := tx.CaseIDs(ctx, a.id)
	if err != nil {
		return nil, err
	}
	es, err := entries(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	orig, mod, err := loadBothIn(ctx, tx, a, es)
	if err != nil {
		return nil, err
	}
	return summariseFolded(a, ids, es, orig, mod)
}

// Status returns an audit's progress: counts, each auditor's progress and
// the cases still to do.
func (s *Store) Status(ctx context.Context, auditName string) (*Status, error) {
	return readAudit(ctx, s, auditName, loadStatus)
}

// Audits lists every audit with its progress, in the order of the months
// they cover (their period; audits of one month in the order recorded): the
// last one is the latest. An audit backfilled for June after July's comes
// before July's.
func (s *Store) Audits(ctx context.Context) ([]AuditSummary, error) {
	var out []AuditSummary
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		all, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		if err := holdAudits(ctx, tx, all); err != nil {
			return err
		}
		for _, a := range all {
			st, err := loadStatus(ctx, tx, a)
			if err != nil {
				return err
			}
			out = append(out, st.AuditSummary)
		}
		return nil
	})
	return out, err
}

// AuditsWithFindings is Audits with each audit's latest findings and
// moderation findings, as Findings returns them: what a trend over every
// audit needs, each audit's trail read and folded once rather than once for
// its progress and again for each kind of finding.
func (s *Store) AuditsWithFindings(ctx context.Context) ([]AuditFindings, error) {
	var out []AuditFindings
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		all, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		if err := holdAudits(ctx, tx, all); err != nil {
			return err
		}
		for _, a := range all {
			ids, err := tx.CaseIDs(ctx, a.id)
			if err != nil {
				return err
			}
			es, err := entries(ctx, tx, a)
			if err != nil {
				return err
			}
			orig, mod, err := loadBoth(ctx, tx, a)
			if err != nil {
				return err
			}
			st, err := summariseFolded(a, slices.Clone(ids), es, orig, mod) // it drops withdrawn cases from its ids
			if err != nil {
				return err
			}
			out = append(out, AuditFindings{AuditSummary: st.AuditSummary,
				Findings: inSampleOrder(ids, orig), Moderation: inSampleOrder(ids, mod)})
		}
		return nil
	})
	return out, err
}

// WithoutProse is this snapshot (Snapshot) reading its trails without
// their prose (notes, reasons, responses; see store.Tx.WithoutTexts): for
// a view whose figures never show any, such as the trend, which reads
// every audit's every entry. Findings read through it have no note and no
// reason. Outside a snapshot it is s.
func (s *Store) WithoutProse() *Store {
	if s.snap == nil {
		return s
	}
	v := *s
	v.snap = s.snap.WithoutTexts(prose...)
	return &v
}

// holdAudits reads the trails and sampled cases of the audits all at once,
// for a view that goes through them all (see store.Tx.HoldAudits).
func holdAudits(ctx context.Context, tx *store.Tx, all []*Audit) error {
	ids := make([]int64, len(all))
	for i, a := range all {
		ids[i] = a.id
	}
	return tx.HoldAudits(ctx, ids)
}
