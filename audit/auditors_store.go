package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Who recorded a finding. Every trail entry records the
// auditor (or actor) named and, beside it, who entered it (Entry.EnteredBy:
// the person at the keyboard, or on PostgreSQL the login's database role,
// checked by the database). And the auditor named must be one the audit
// knows: once an audit's cases are allocated, a finding by an auditor not
// among them is refused unless the finding says it is by a new auditor
// (Finding.NewAuditor, ImportOptions.NewAuditor: --new-auditor), so a typo
// ("B. Evns") or an invented name does not slip into the trail. A name that
// differs from a known one only in case or spacing ("b.  evans") is recorded
// in the known spelling ("B. Evans"). Moderators are not allocated: their
// names are matched to a known spelling but never refused; nor is any name
// on an audit never allocated.

// auditorsOf reads the audit's known auditors within a transaction.
// Only the allocations are read whole; of the findings, only the names
// they were recorded under (store.Tx.Actors): every finding recorded
// reads this, and reading every finding's payload and texts made
// recording slow down as the trail grew.
func auditorsOf(ctx context.Context, tx *store.Tx, a *Audit) (*auditorRule, error) {
	es, err := entries(ctx, tx, a, KindAllocation)
	if err != nil {
		return nil, err
	}
	actors, err := tx.Actors(ctx, a.id, auditorKinds...)
	if err != nil {
		return nil, err
	}
	for _, n := range actors {
		es = append(es, Entry{Kind: KindFinding, Actor: n})
	}
	return auditorsIn(a.Name, es)
}

// checkAuditor resolves a finding's auditor within a write transaction.
func checkAuditor(ctx context.Context, tx *store.Tx, a *Audit, f *Finding) error {
	r, err := auditorsOf(ctx, tx, a)
	if err != nil {
		return err
	}
	name, err := r.resolve(f.Auditor, f.Moderation, f.NewAuditor)
	if err != nil {
		return err
	}
	f.Auditor = name
	return nil
}
