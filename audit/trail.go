package audit

import (
	"context"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Kinds of trail entries.
const (
	KindSample               = "sample"                // the audit's creation: parameters and sampled cases
	KindGrow                 = "grow"                  // cases appended to the sample
	KindFinding              = "finding"               // an auditor's first finding on a case
	KindCorrection           = "correction"            // a later finding on the same case, with a reason
	KindModerationFinding    = "moderation-finding"    // a moderator's finding on a moderated case
	KindModerationCorrection = "moderation-correction" // a later moderation finding on the same case
	KindAllocation           = "allocation"            // cases allocated to auditors
	KindModerationDraw       = "moderation-draw"       // the moderation subsample drawn
)

// Entry is one entry of an audit's trail (see store.Entry); its Kind is
// one of the Kind* constants.
type Entry = store.Entry

// entries reads the audit's trail entries of the given kinds (all when
// none), in order.
func entries(ctx context.Context, tx *store.Tx, a *Audit, kinds ...string) ([]Entry, error) {
	return tx.Entries(ctx, a.id, store.Filter{Kinds: kinds})
}

// caseEntries reads the audit's trail entries about one case of the given
// kinds (all when none), in order.
func caseEntries(ctx context.Context, tx *store.Tx, a *Audit, caseID string, kinds ...string) ([]Entry, error) {
	return tx.Entries(ctx, a.id, store.Filter{Case: caseID, Kinds: kinds})
}

// appendEntry appends an entry to the audit's trail within a write
// transaction.
func (s *Store) appendEntry(ctx context.Context, tx *store.WriteTx, a *Audit, kind, caseID, actor string, payload any) (Entry, error) {
	ch, err := tx.Chain(ctx, a.id, a.Name)
	if err != nil {
		return Entry{}, err
	}
	return ch.Append(ctx, store.Draft{Kind: kind, Case: caseID, Actor: actor, At: s.now(), Payload: payload, Text: freeText})
}

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
