package audit

import (
	"context"

	"github.com/caseaudit/caseaudit/audit/store"
)

// CopyResult says what Copy copied.
type CopyResult = store.CopyResult

// Copy copies every audit of one store into another that holds none yet,
// each verified before it is copied and again on the copy (see
// store.Copy).
func Copy(ctx context.Context, from, to *Store, progress func(audit string)) (*CopyResult, error) {
	verify := func(ctx context.Context, tx *store.Tx, row *store.AuditRow) (string, string, error) {
		a, err := auditFromRow(row)
		if err != nil {
			return "", "", err
		}
		vr, err := verifyAudit(ctx, tx, a)
		if err != nil || vr.OK {
			return vr.Head, "", err
		}
		return vr.Head, vr.Problems[0], nil
	}
	// A copy into an SQLite store on a network drive is noted in its store
	// log, in the copy's transaction: the trails are copied as they are.
	within := func(ctx context.Context, w *store.WriteTx) error { return to.noteNetworkLog(ctx, w) }
	return store.CopyWith(ctx, from.st, to.st, verify, progress, within)
}
