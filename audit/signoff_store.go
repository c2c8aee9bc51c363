package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// figureKinds are the entries that can change an audit's reported
// figures.
var figureKinds = []string{KindFinding, KindCorrection, KindModerationFinding, KindModerationCorrection, KindWithdrawal, KindGrow}

// SignOffState is an audit's sign-off as its trail holds it: the last
// sign-off (nil when it was never signed off) and when the first entry
// after it that could change its figures was made (zero when none).
type SignOffState struct {
	SignOff   *SignOff
	ChangedAt time.Time
}

// Amendment returns how the figures now differ from those signed off, or
// nil when the audit is not signed off or says the same as when it was.
func (st *SignOffState) Amendment(now Figures) *Amendment {
	if st == nil || st.SignOff == nil || st.SignOff.Figures.SameHeadline(now) {
		return nil
	}
	at := st.ChangedAt
	if at.IsZero() {
		at = st.SignOff.At
	}
	return &Amendment{SignOff: *st.SignOff, At: at, Now: now}
}

// signOffOf reads the sign-off state from a trail's entries es (at least
// all of figureKinds and KindSignOff, in order; other kinds are passed over).
func signOffOf(es []Entry) (*SignOffState, error) {
	st := &SignOffState{}
	for _, e := range es {
		if e.Kind != KindSignOff && !slices.Contains(figureKinds, e.Kind) {
			continue
		}
		if e.Kind == KindSignOff {
			var p signOffPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return nil, fmt.Errorf("trail entry %d (sign-off) is damaged: %w", e.Seq, err)
			}
			st.SignOff = &SignOff{Seq: e.Seq, At: e.At, By: e.Actor, Figures: p.Figures, Incomplete: p.Incomplete}
			st.ChangedAt = time.Time{}
			continue
		}
		if st.SignOff != nil && st.ChangedAt.IsZero() {
			st.ChangedAt = e.At
		}
	}
	return st, nil
}

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

// ErrSignedOff: the audit is already signed off with the same figures.
var ErrSignedOff = fmt.Errorf("already signed off")

// ErrIncomplete: the audit still has cases without a finding, or
// moderation outstanding, and the sign-off was not forced.
var ErrIncomplete = fmt.Errorf("audit incomplete")

// incompleteOf says what an audit whose progress is st lacks; nil when it
// lacks nothing.
func incompleteOf(st *Status) *Incomplete {
	in := Incomplete{Unrecorded: st.Size - st.Recorded, ModerationOutstanding: max(st.ModerationSize-st.Moderated, 0)}
	if in.Unrecorded <= 0 && in.ModerationOutstanding == 0 {
		return nil
	}
	in.Unrecorded = max(in.Unrecorded, 0)
	return &in
}

// SignOffAudit records in the audit's trail that QA signed it off with the
// figures figs, as its report states them (the caller computes them with
// the report's own code, from the trail as it was after entry asOf).
// Should anything have been appended since, the sign-off is refused, so
// that no finding is signed off unseen. Signing off again is refused
// unless the figures, or the audit's completeness, changed since (an
// amended audit may be signed off anew). An audit with cases still
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
			return fmt.Errorf("audit %q changed while its figures were computed (its trail has %d entries, not %d); run signoff again", a.Name, n, asOf)
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
			return errorf(ErrSignedOff, "audit %q was signed off on %s by %s with %d of %d flagged, and its figures have not changed since; nothing to do",
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
