package audit

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
)

// DrawModeration draws the moderation subsample of size cases from the
// audit's recorded cases (those with an original finding) with the
// consistent sampler under seed — ticket order, as the sample itself — and
// logs the draw with its seed in the trail, in one transaction.
//
// Drawing again with the same seed and size changes nothing. A larger size
// with the same seed grows the subsample: the cases already drawn stay and
// the next recorded cases in ticket order are added. A different seed or a
// smaller size is an error (the subsample, once drawn, is part of the record).
func (s *Store) DrawModeration(ctx context.Context, auditName string, size int, seed string) (*ModerationSample, error) {
	seed = strings.TrimSpace(seed)
	if seed == "" {
		return nil, errors.New("a moderation draw needs a seed (any text, e.g. a date and a dice roll); it is recorded so anyone can re-derive the subsample")
	}
	if size < 1 {
		return nil, fmt.Errorf("the moderation sample size must be at least 1 (got %d)", size)
	}
	var out *ModerationSample
	err := s.write(ctx, "drawing the moderation sample in", func(tx *store.WriteTx) error {
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		if err := s.may(ctx, tx.Tx, DutyModerationDraw, CaseFacts{}); err != nil {
			return err
		}
		prev, err := loadModeration(ctx, tx.Tx, a)
		if err != nil {
			return err
		}
		if prev != nil {
			if prev.Seed != seed {
				return fmt.Errorf("audit %q already has a moderation sample of %d drawn with seed %q on %s; use that seed to grow it",
					a.Name, prev.Size, prev.Seed, prev.Drawn.Format("2006-01-02"))
			}
			if size < prev.Size {
				return fmt.Errorf("audit %q already has a moderation sample of %d; it cannot shrink to %d", a.Name, prev.Size, size)
			}
			if size == prev.Size {
				out = prev
				return nil
			}
		}
		latest, err := loadFindings(ctx, tx.Tx, a, false)
		if err != nil {
			return err
		}
		recorded := make([]string, 0, len(latest))
		for id := range latest {
			recorded = append(recorded, id)
		}
		if size > len(recorded) {
			return fmt.Errorf("audit %q has %s; a moderation sample of %d needs at least that many", a.Name, words.Count(len(recorded), "recorded case"), size)
		}
		order := ticketOrder(seed, recorded)
		var cases []string
		have := map[string]bool{}
		if prev != nil {
			cases = slices.Clone(prev.Cases)
			for _, id := range cases {
				have[id] = true
			}
		}
		var added []string
		for _, id := range order {
			if len(cases) == size {
				break
			}
			if !have[id] {
				cases = append(cases, id)
				added = append(added, id)
			}
		}
		who, err := s.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		e, err := s.appendEntry(ctx, tx, a, KindModerationDraw, "", who,
			drawPayload{Seed: seed, Size: size, Recorded: len(recorded), Cases: cases, Added: added})
		if err != nil {
			return err
		}
		out = &ModerationSample{Seed: seed, Size: size, Cases: cases, Recorded: len(recorded), Drawn: e.At, Actor: who, Changed: true}
		return nil
	})
	return out, err
}

// Moderation returns the audit's moderation sample, or nil when none has
// been drawn.
func (s *Store) Moderation(ctx context.Context, auditName string) (*ModerationSample, error) {
	return readAudit(ctx, s, auditName, loadModeration)
}

func loadModeration(ctx context.Context, tx *store.Tx, a *Audit) (*ModerationSample, error) {
	es, err := entries(ctx, tx, a, KindModerationDraw)
	if err != nil {
		return nil, err
	}
	return moderationOf(es)
}

// checkModerated returns an error unless caseID is in the audit's
// moderation sample.
func checkModerated(ctx context.Context, tx *store.Tx, a *Audit, caseID string) error {
	m, err := loadModeration(ctx, tx, a)
	if err != nil {
		return err
	}
	if m == nil {
		return fmt.Errorf("audit %q has no moderation sample yet; draw one before recording moderation findings", a.Name)
	}
	if !slices.Contains(m.Cases, caseID) {
		msg := fmt.Sprintf("case %q is not in the moderation sample of audit %q", caseID, a.Name)
		if sug := textdist.Closest(caseID, m.Cases, 3); len(sug) > 0 {
			msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
		}
		return errors.New(msg)
	}
	return nil
}
