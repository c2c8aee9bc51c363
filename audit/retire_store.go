package audit

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// Retention returns the store's retention period; nil when none is set.
func (s *Store) Retention(ctx context.Context) (*Retention, error) {
	var out *Retention
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		out, err = retentionOf(log)
		return err
	})
	return out, err
}

// SetRetention sets the store's retention period, in months, recording
// in the store log who set it, when, and the period before. Only QA (the
// QA lead) or information governance sets it; on PostgreSQL the store's
// owner may too.
func (s *Store) SetRetention(ctx context.Context, months int, p Person) (Retention, error) {
	if months < 1 {
		return Retention{}, fmt.Errorf("a retention period is at least one month")
	}
	var out Retention
	err := s.write(ctx, "setting the retention period of", func(tx *store.WriteTx) error {
		// The people list first, whose refusal names who may; then the
		// role declared where the store has no list.
		if err := s.may(ctx, tx.Tx, DutyRetention, CaseFacts{}); err != nil {
			return err
		}
		if err := Allowed(p, DutyRetention, CaseFacts{}, nil); err != nil {
			return err
		}
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		cur, err := retentionOf(log)
		if err != nil {
			return err
		}
		prev := 0
		if cur != nil {
			prev = cur.Months
		}
		if prev == months {
			return errorf(ErrUnchanged, "the retention period of %s is already %s (set on %s by %s); nothing to do",
				s.Path(), FormatRetention(months), cur.At.Format(time.DateOnly), cur.By)
		}
		e, err := tx.AppendRetention(ctx, p.Name, s.stamp(), retentionPayload{Months: months, Previous: prev})
		if err != nil {
			return err
		}
		out = Retention{Months: months, Previous: prev, At: e.At, By: e.Actor, Seq: e.Seq}
		return nil
	})
	return out, err
}

// RetirePlan lists every audit of the store with what retirement would do
// to it at the store's clock, oldest first, and the retention period (nil
// when none is set: then nothing is due).
func (s *Store) RetirePlan(ctx context.Context) ([]RetireCandidate, *Retention, error) {
	var out []RetireCandidate
	var ret *Retention
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		var err error
		out, ret, err = retirePlan(ctx, tx, s.nowIn(tx))
		return err
	})
	return out, ret, err
}

func retirePlan(ctx context.Context, tx *store.Tx, now time.Time) ([]RetireCandidate, *Retention, error) {
	log, err := tx.Log(ctx)
	if err != nil {
		return nil, nil, err
	}
	ret, err := retentionOf(log)
	if err != nil {
		return nil, nil, err
	}
	all, err := loadAudits(ctx, tx, store.ByPeriod)
	if err != nil {
		return nil, nil, err
	}
	var out []RetireCandidate
	for _, a := range all {
		c, err := candidate(ctx, tx, a, ret, now)
		if err != nil {
			return nil, nil, err
		}
		out = append(out, c)
	}
	return out, ret, nil
}

// candidate is what retirement would do to audit a at now.
func candidate(ctx context.Context, tx *store.Tx, a *Audit, ret *Retention, now time.Time) (RetireCandidate, error) {
	c := RetireCandidate{Audit: a.Name, Period: a.Period, Created: a.Created}
	es, err := entries(ctx, tx, a, append([]string{KindSignOff}, figureKinds...)...)
	if err != nil {
		return c, err
	}
	st, err := signOffOf(es)
	if err != nil {
		return c, err
	}
	c.SignOff = st.SignOff
	n, head, err := tx.Head(ctx, a.id)
	if err != nil {
		return c, err
	}
	c.Entries, c.Head = n, head
	if n > 0 {
		last, err := tx.Entries(ctx, a.id, store.Filter{})
		if err != nil {
			return c, err
		}
		// On PostgreSQL each statement of a planning read sees the store as
		// it is then: a retirement running beside this one may erase the
		// entries between the count and this read. The audit is then
		// re-read under its lock before anything is done, and left.
		if len(last) > 0 {
			c.LastEntry = last[len(last)-1].At
		}
	}
	c.From = c.LastEntry
	if c.SignOff != nil {
		c.From = c.SignOff.At
	}
	if c.Rows, err = tx.RowCounts(ctx, a.id); err != nil {
		return c, err
	}
	switch {
	case ret == nil:
		c.Kept = "the store has no retention period (set one with caseaudit store retention)"
	case c.SignOff == nil:
		c.Until = c.From.AddDate(0, ret.Months, 0)
		c.Kept = "not signed off: only a signed-off audit is retired"
	default:
		c.Until = c.From.AddDate(0, ret.Months, 0)
		if c.Until.After(now) {
			c.Kept = fmt.Sprintf("inside the retention period of %s (signed off %s; due %s)",
				FormatRetention(ret.Months), c.From.Format(time.DateOnly), c.Until.Format(time.DateOnly))
		} else {
			c.Due = true
		}
	}
	return c, nil
}

// Retired returns the store's retired audits, in the order retired.
func (s *Store) Retired(ctx context.Context) ([]RetiredAudit, error) {
	var out []RetiredAudit
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		out, err = retiredOf(log)
		return err
	})
	return out, err
}

// VerifyLog re-walks the store log (retention periods set, retired
// summaries): the retired audits and the problems found, none when every
// entry is as caseaudit wrote it.
func (s *Store) VerifyLog(ctx context.Context) ([]RetiredAudit, []string, error) {
	var out []RetiredAudit
	var problems []string
	err := s.read(ctx, "verifying", func(tx *store.Tx) error {
		log, err := tx.Log(ctx)
		if err != nil {
			return err
		}
		problems = store.CheckLog(log)
		out, err = retiredOf(log)
		if err != nil {
			problems = append(problems, err.Error())
			out = nil
		}
		for _, r := range out {
			if a, err := tx.Audit(ctx, r.Summary.Audit); err != nil {
				return err
			} else if a != nil {
				problems = append(problems, fmt.Sprintf("audit %q was retired (store log entry %d) but its rows are still in the store", r.Summary.Audit, r.Seq))
			}
		}
		return nil
	})
	return out, problems, err
}

// retireHook, when set (by tests), is called inside the retirement's
// transaction after each audit's rows are deleted.
var retireHook func(audit string)

// Retire retires, in one transaction, the audits asked for (or every audit
// due): each must be signed off and past the store's retention period.
// An audit named that is not due is refused, naming the rule, and nothing
// is retired.
func (s *Store) Retire(ctx context.Context, req RetireRequest) (Retirement, error) {
	out := Retirement{Rows: map[string]int64{}}
	err := s.write(ctx, "retiring audits in", func(tx *store.WriteTx) error {
		if err := s.may(ctx, tx.Tx, DutyRetention, CaseFacts{}); err != nil {
			return err
		}
		if err := Allowed(req.Person, DutyRetention, CaseFacts{}, nil); err != nil {
			return err
		}
		now := s.nowIn(tx.Tx)
		plan, ret, err := retirePlan(ctx, tx.Tx, now)
		if err != nil {
			return err
		}
		if ret == nil {
			return errorf(ErrNotDue, "the store %s has no retention period, so no audit is due to retire; QA or information governance sets one with caseaudit store retention 6y --role qa", s.Path())
		}
		var chosen []RetireCandidate
		if len(req.Audits) == 0 {
			for _, c := range plan {
				if c.Due {
					chosen = append(chosen, c)
				}
			}
		}
		named := map[string]bool{}
		for _, name := range req.Audits {
			a, err := loadAudit(ctx, tx.Tx, name)
			if err != nil {
				return err
			}
			named[a.Name] = true
			for _, c := range plan {
				if c.Audit != a.Name {
					continue
				}
				if !c.Due {
					return errorf(ErrNotDue, "audit %q is not due to retire: it is %s; an audit is retired once signed off and past the store's retention period of %s", c.Audit, c.Kept, FormatRetention(ret.Months))
				}
				chosen = append(chosen, c)
			}
		}
		for _, c := range chosen {
			// Looking the audit up locks it; what the plan read of it is
			// read again under the lock. On PostgreSQL another retirement
			// given at the same moment may have retired it while this one
			// waited for the lock: one not named is then left, as it would
			// be by a retirement run a moment later; one named is said to
			// be retired, as it would be then too.
			a, err := loadAudit(ctx, tx.Tx, c.Audit)
			if errors.Is(err, ErrNotFound) && !named[c.Audit] {
				continue
			}
			if err != nil {
				return err
			}
			if c, err = candidate(ctx, tx.Tx, a, ret, now); err != nil {
				return err
			}
			if c.Rows["audit"] == 0 {
				if named[c.Audit] {
					_, err := readAuditNamed(ctx, tx.Tx, c.Audit)
					return err
				}
				continue
			}
			f, ok := req.Figures[c.Audit]
			if !ok {
				return fmt.Errorf("no figures were computed for audit %q; run retire again", c.Audit)
			}
			if f.AsOf != c.Entries {
				return fmt.Errorf("audit %q changed while its figures were computed (its trail has %d entries, not %d); run retire again", c.Audit, c.Entries, f.AsOf)
			}
			sum := RetiredSummary{Audit: a.Name, Period: a.Period, Created: a.Created.UTC().Format(time.RFC3339),
				Population: a.Population(), Seed: a.Seed(), ExportSHA256: a.Provenance.Export.SHA256,
				Figures: f.Figures, SignOff: *c.SignOff, Amended: !c.SignOff.Figures.SameHeadline(f.Figures),
				TrailEntries: c.Entries, TrailHead: c.Head, Retention: ret.Months, Rows: c.Rows}
			st, err := loadStatus(ctx, tx.Tx, a)
			if err != nil {
				return err
			}
			sum.Size, sum.Marking = st.Size, st.Marking
			e, deleted, err := tx.Retire(ctx, a.id, a.Name, req.Person.Name, now, sum)
			if err != nil {
				return err
			}
			for t, n := range deleted {
				if n != c.Rows[t] {
					return fmt.Errorf("retiring audit %q deleted %d rows of %s, not the %d counted; nothing was retired", a.Name, n, t, c.Rows[t])
				}
				out.Rows[t] += n
			}
			out.Retired = append(out.Retired, RetiredAudit{Summary: sum, At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Seq: e.Seq, Hash: e.Hash, MarkingKept: true})
			if retireHook != nil {
				retireHook(a.Name)
			}
		}
		return nil
	})
	if err != nil {
		return Retirement{}, err
	}
	if len(out.Retired) > 0 {
		// Best effort: the rows are deleted and overwritten; the log's copy
		// of the old pages goes at the next checkpoint if not now.
		s.st.Checkpoint(ctx)
	}
	sort.SliceStable(out.Retired, func(i, j int) bool { return out.Retired[i].Seq < out.Retired[j].Seq })
	return out, nil
}
