package audit

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// SignOffOf returns the audit's sign-off state.
func (s *Store) SignOffOf(ctx context.Context, auditName string) (*SignOffState, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) (*SignOffState, error) {
		// The whole trail: a read transaction holds it whatever kinds are
		// asked for, and shares it rather than copying the kinds out.
		es, err := entries(ctx, tx, a)
		if err != nil {
			return nil, err
		}
		return signOffOf(es)
	})
}

// SignOffAudit records in the audit's trail that QA signed it off with the
// figures figs, as its report states them (the caller computes them with
// the report's own code, from the trail as it was after entry asOf).
// Should anything have been appended since, the sign-off is refused, so
// that no finding is signed off unseen. Signing off again records nothing
// unless the figures, or the audit's completeness, changed since (an
// amended audit may be signed off anew): it returns the sign-off that
// stands with an error wrapping ErrSignedOff. An audit with cases still
// unrecorded, or moderation outstanding, is refused unless force is set;
// then the sign-off records what it lacked, and every view says so.
func (s *Store) SignOffAudit(ctx context.Context, auditName string, figs Figures, asOf int, force bool) (SignOff, error) {
	var out SignOff
	err := s.write(ctx, "signing off in", func(tx *store.WriteTx) error {
		if err := s.may(ctx, tx.Tx, DutySignOff, CaseFacts{}); err != nil {
			return err
		}
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		if n, _, err := tx.Head(ctx, a.id); err != nil {
			return err
		} else if n != asOf {
			// A sign-off moves no figure: one made since (another QA
			// officer's, given at the same moment) leaves these figures
			// the audit's, and is compared with them below.
			since, err := entriesAfter(ctx, tx.Tx, a, asOf)
			if err != nil {
				return err
			}
			if asOf > n || slices.ContainsFunc(since, func(e Entry) bool { return e.Kind != KindSignOff }) {
				return fmt.Errorf("audit %q changed while its figures were computed (its trail has %d entries, not %d); run signoff again", a.Name, n, asOf)
			}
		}
		es, err := entries(ctx, tx.Tx, a, append([]string{KindSignOff}, figureKinds...)...)
		if err != nil {
			return err
		}
		st, err := signOffOf(es)
		if err != nil {
			return err
		}
		progress, err := loadStatus(ctx, tx.Tx, a)
		if err != nil {
			return err
		}
		inc := incompleteOf(progress)
		if st.SignOff != nil && st.SignOff.Figures.SameHeadline(figs) && (st.SignOff.Incomplete == nil) == (inc == nil) &&
			(inc == nil || *inc == *st.SignOff.Incomplete) {
			out = *st.SignOff // what stands, for a caller that treats this as done
			return errorf(ErrSignedOff, "audit %q was signed off on %s by %s with %d of %d flagged, and its figures have not changed since; nothing changed",
				a.Name, st.SignOff.At.Format(time.DateOnly), st.SignOff.By, st.SignOff.Figures.Flagged, st.SignOff.Figures.Size)
		}
		if inc != nil && !force {
			return errorf(ErrIncomplete, "audit %q is not complete (%s), so its figures may still move; record the rest first (caseaudit status lists them), or give --force to sign it off anyway, which every report, trend and status then says",
				a.Name, strings.TrimPrefix(inc.Phrase(), "incomplete: "))
		}
		who, err := s.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		e, err := s.appendEntry(ctx, tx, a, KindSignOff, "", who, signOffPayload{Figures: figs, Incomplete: inc})
		if err != nil {
			return err
		}
		out = SignOff{Seq: e.Seq, At: e.At, By: e.Actor, Figures: figs, Incomplete: inc}
		return nil
	})
	return out, err
}
