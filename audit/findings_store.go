package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
)

// latestFinding returns the latest finding (or moderation finding) on a case.
func latestFinding(ctx context.Context, tx *store.Tx, a *Audit, caseID string, moderation bool) (Finding, bool, error) {
	k1, k2 := findingKinds(moderation)
	es, err := caseEntries(ctx, tx, a, caseID, k1, k2)
	if err != nil {
		return Finding{}, false, err
	}
	latest, err := latestFindings(es, moderation)
	f, ok := latest[caseID]
	return f, ok, err
}

// loadFindings reads the latest finding per case, keyed by case ID.
// Within a read transaction each audit's are folded once (store.Tx.Memo);
// the map is shared, so callers must not change it.
func loadFindings(ctx context.Context, tx *store.Tx, a *Audit, moderation bool) (map[string]Finding, error) {
	return loadFindingsIn(ctx, tx, a, moderation, nil)
}

// loadFindingsIn is loadFindings folding the trail es when the caller has
// read it already (nil: read the finding kinds), so that a write
// transaction, which keeps no fold, does not read them again.
func loadFindingsIn(ctx context.Context, tx *store.Tx, a *Audit, moderation bool, es []Entry) (map[string]Finding, error) {
	type key struct {
		audit      int64
		moderation bool
	}
	v, err := tx.Memo(key{a.id, moderation}, func() (any, error) {
		if es == nil {
			k1, k2 := findingKinds(moderation)
			var err error
			if es, err = entries(ctx, tx, a, k1, k2); err != nil {
				return nil, err
			}
		}
		return latestFindings(es, moderation)
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]Finding), nil
}

// loadBoth is loadFindings of the original and of the moderation findings.
func loadBoth(ctx context.Context, tx *store.Tx, a *Audit) (orig, mod map[string]Finding, err error) {
	return loadBothIn(ctx, tx, a, nil)
}

// loadBothIn is loadBoth folding the trail es when it is already read.
func loadBothIn(ctx context.Context, tx *store.Tx, a *Audit, es []Entry) (orig, mod map[string]Finding, err error) {
	if orig, err = loadFindingsIn(ctx, tx, a, false, es); err != nil {
		return nil, nil, err
	}
	if mod, err = loadFindingsIn(ctx, tx, a, true, es); err != nil {
		return nil, nil, err
	}
	return orig, mod, nil
}

// Findings returns the latest finding per case (moderation findings when
// moderation is true), in sample order, for reports.
func (s *Store) Findings(ctx context.Context, auditName string, moderation bool) ([]Finding, error) {
	var out []Finding
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		latest, err := loadFindings(ctx, tx, a, moderation)
		if err != nil {
			return err
		}
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return err
		}
		out = inSampleOrder(ids, latest)
		return nil
	})
	return out, err
}

// ModerationPairs returns, for every case with both an original and a
// moderation finding, the two latest grades, in sample order (for agreement
// statistics).
func (s *Store) ModerationPairs(ctx context.Context, auditName string) ([]GradePair, error) {
	var out []GradePair
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		orig, mod, err := loadBoth(ctx, tx, a)
		if err != nil {
			return err
		}
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return err
		}
		for _, id := range ids {
			o, ok1 := orig[id]
			m, ok2 := mod[id]
			if ok1 && ok2 {
				out = append(out, GradePair{Case: id, Original: o.Grade, Moderated: m.Grade,
					OriginalImmediate: o.Immediate, ModeratedImmediate: m.Immediate})
			}
		}
		return nil
	})
	return out, err
}
