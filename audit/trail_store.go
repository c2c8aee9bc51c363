package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"

	"github.com/caseaudit/caseaudit/audit/store"
)

// entries reads the audit's trail entries of the given kinds (all when
// none), in order.
func entries(ctx context.Context, tx *store.Tx, a *Audit, kinds ...string) ([]Entry, error) {
	return tx.Entries(ctx, a.id, store.Filter{Kinds: kinds})
}

// entriesAfter reads the audit's trail entries after entry seq, in order.
func entriesAfter(ctx context.Context, tx *store.Tx, a *Audit, seq int) ([]Entry, error) {
	es, err := entries(ctx, tx, a)
	if err != nil {
		return nil, err
	}
	if i := slices.IndexFunc(es, func(e Entry) bool { return e.Seq > seq }); i >= 0 {
		return es[i:], nil
	}
	return nil, nil
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
	if err := s.noteNetwork(ctx, ch, a); err != nil {
		return Entry{}, err
	}
	e, err := ch.Append(ctx, store.Draft{Kind: kind, Case: caseID, Actor: actor, At: s.stamp(), Payload: payload, Text: freeText})
	if err != nil && caseID != "" && errors.Is(err, store.ErrText) {
		// Said of the case, so a workbook's returner finds the row.
		return e, fmt.Errorf("case %s: %w", caseID, err)
	}
	return e, err
}

// NetworkWrites returns the store log's network-store entries, oldest
// first.
func (s *Store) NetworkWrites(ctx context.Context) ([]NetworkWrite, error) {
	var out []NetworkWrite
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		for _, e := range log {
			if e.Kind != store.LogNetworkStore {
				continue
			}
			var p networkPayload
			if err := json.Unmarshal(e.Payload, &p); err != nil {
				return fmt.Errorf("store log entry %d (network-store) is damaged: %w", e.Seq, err)
			}
			out = append(out, NetworkWrite{At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Where: p.Where, Seq: e.Seq})
		}
		return nil
	})
	return out, err
}
