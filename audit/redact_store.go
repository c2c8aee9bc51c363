package audit

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Redact erases the free text of one trail entry and appends a redaction
// entry. An entry written with committed text keeps its hash: its text and
// salt are erased and its commitment stays. An entry written before
// keeps its hash as recorded, which can no longer be re-checked; verify
// says so.
func (s *Store) Redact(ctx context.Context, req RedactRequest) (Redaction, error) {
	if strings.TrimSpace(req.Reason) == "" {
		return Redaction{}, fmt.Errorf("a redaction needs a reason: say why the text is erased")
	}
	var out Redaction
	err := s.write(ctx, "redacting", func(tx *store.WriteTx) error {
		// With a people list, the login's own roles decide, whatever role
		// was declared (and the refusal names the people who may); without
		// one, the role declared.
		s.attempt(DutyRedact, CaseFacts{})
		cs, err := tx.PersonChanges(ctx)
		if err != nil {
			return err
		}
		if len(cs) == 0 {
			err = Allowed(req.Person, DutyRedact, CaseFacts{}, nil)
		} else {
			err = mayIn(peopleOf(cs), s.Login(), DutyRedact, CaseFacts{})
		}
		if err != nil {
			return err
		}
		a, err := loadAudit(ctx, tx.Tx, req.Audit)
		if err != nil {
			return err
		}
		es, err := entries(ctx, tx.Tx, a)
		if err != nil {
			return err
		}
		if req.Entry < 1 || req.Entry > len(es) {
			return fmt.Errorf("audit %q has no entry %d (it has %d entries; caseaudit history shows their numbers)", a.Name, req.Entry, len(es))
		}
		e := es[req.Entry-1]
		if e.Kind == KindSample || e.Kind == KindGrow {
			return fmt.Errorf("%s holds the sample, not free text; there is nothing to redact in it", store.Describe(e))
		}
		at := s.nowIn(tx.Tx)
		// A finding needing immediate attention copies its note into the
		// follow-up action it opens: the copy goes with the original, each
		// with a redaction entry of its own.
		targets := []store.Entry{e}
		for _, x := range es {
			if x.Kind != KindActionOpen || x.Seq <= e.Seq {
				continue
			}
			var op struct {
				Finding int `json:"finding"`
			}
			if json.Unmarshal(x.Payload, &op) == nil && op.Finding == e.Seq {
				targets = append(targets, x)
			}
		}
		var first redactionPayload
		var firstEntry Entry
		var also []int
		for i, t := range targets {
			p, err := redactEntry(ctx, tx, a.id, t, req.Reason, at, i > 0)
			if err != nil {
				return err
			}
			if p == nil {
				continue // a copy already without text
			}
			r, err := s.appendEntry(ctx, tx, a, KindRedaction, t.Case, req.Person.Name, *p)
			if err != nil {
				return err
			}
			if i == 0 {
				first, firstEntry = *p, r
			} else {
				also = append(also, t.Seq)
			}
		}
		p, r := first, firstEntry
		out = Redaction{Audit: a.Name, Entry: e.Seq, Kind: e.Kind, Case: e.Case, Fields: p.Fields, InPlace: p.InPlace,
			By: req.Person.Name, At: r.At, Reason: req.Reason, Seq: r.Seq, Also: also}
		return nil
	})
	return out, err
}

// redactEntry erases the free text of one entry within tx and returns the
// payload of its redaction entry; nil when copy is set and the entry holds
// no text left to erase.
func redactEntry(ctx context.Context, tx *store.WriteTx, auditID int64, e store.Entry, reason string, at time.Time, copy bool) (*redactionPayload, error) {
	p := redactionPayload{Entry: e.Seq, Reason: reason}
	if len(e.Commitments()) > 0 {
		for _, t := range e.Texts {
			if !t.Redacted() {
				p.Fields = append(p.Fields, t.Field)
			}
		}
		if len(p.Fields) == 0 {
			if copy {
				return nil, nil
			}
			return nil, fmt.Errorf("the text of %s is already redacted", store.Describe(e))
		}
		if _, err := tx.EraseTexts(ctx, auditID, e.Seq, p.Fields, at); err != nil {
			return nil, err
		}
		return &p, nil
	}
	if !e.RedactedInPlace.IsZero() {
		if copy {
			return nil, nil
		}
		return nil, fmt.Errorf("the text of %s is already redacted", store.Describe(e))
	}
	payload, fields, err := redactInPlace(e.Payload, at)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", store.Describe(e), err)
	}
	if len(fields) == 0 {
		if copy {
			return nil, nil
		}
		return nil, fmt.Errorf("%s holds no free text to redact", store.Describe(e))
	}
	if err := tx.RedactLegacy(ctx, auditID, e.Seq, payload, at); err != nil {
		return nil, err
	}
	sum := sha256.Sum256(payload)
	p.Fields, p.InPlace, p.PayloadSHA256 = fields, true, hex.EncodeToString(sum[:])
	return &p, nil
}
