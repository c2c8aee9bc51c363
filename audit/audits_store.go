package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// CreateAudit records a new audit and its sample (cases in order 1..n) in
// one transaction, and starts its trail with a "sample" entry holding both.
// a.Created is set from the store's clock; a.InitialSize from len(cases).
func (s *Store) CreateAudit(ctx context.Context, a Audit, cases []SampledCase) (*Audit, error) {
	return s.createAuditTx(ctx, a, cases, nil)
}

// createAuditTx records the audit, then runs extra (when not nil) in the
// same transaction, with the audit's chain.
func (s *Store) createAuditTx(ctx context.Context, a Audit, cases []SampledCase, extra func(context.Context, *store.WriteTx, *Audit) error) (*Audit, error) {
	a.Name = strings.TrimSpace(a.Name)
	if a.Name == "" {
		return nil, errors.New("an audit needs a name (e.g. \"2026-07 monthly\")")
	}
	if len(cases) == 0 {
		return nil, fmt.Errorf("audit %q: the sample is empty", a.Name)
	}
	if a.Provenance.Schema == "" {
		a.Provenance.Schema = sample.ProvenanceSchema
	}
	if a.Columns == nil {
		a.Columns = a.Provenance.Columns
	}
	a.Columns = nonNil(a.Columns)
	if err := checkCases(cases, 0, len(a.Columns)); err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	if len(a.Form) > 0 {
		f, err := store.CanonicalJSON(json.RawMessage(a.Form))
		if err != nil {
			return nil, fmt.Errorf("audit %q: the form is not valid JSON: %w", a.Name, err)
		}
		a.Form = f
	} else {
		a.Form = nil
	}
	if a.Period != "" {
		if _, err := time.Parse("2006-01", a.Period); err != nil {
			return nil, fmt.Errorf("audit %q: the period %q is not a month; write it as yyyy-mm, e.g. 2026-07", a.Name, a.Period)
		}
	}
	a.InitialSize = len(cases)
	a.legacy = nil
	prov, err := store.CanonicalJSON(a.Provenance)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its provenance: %w", a.Name, err)
	}
	// The audit returned is the audit read back later.
	p, err := sample.ParseProvenance(prov)
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	follow, err := store.CanonicalJSON(a.FollowUp)
	if err != nil {
		return nil, fmt.Errorf("audit %q: encoding its follow-up rule: %w", a.Name, err)
	}
	a.provJSON, a.followJSON = prov, follow
	err = s.write(ctx, "recording an audit in", func(tx *store.WriteTx) error {
		// Dated by the transaction's clock (the server's, on PostgreSQL),
		// as is the sample's entry, the first of its chain.
		a.Created = s.nowIn(tx.Tx)
		if s.clock == nil && !a.Provenance.Drawn.IsZero() {
			// The draw is dated as the audit is, by the clock the team
			// shares, not by the drawing machine's: a finding dated
			// before the day of the draw is refused to everyone.
			a.Provenance.Drawn = a.Created
			prov, err := store.CanonicalJSON(a.Provenance)
			if err != nil {
				return fmt.Errorf("audit %q: encoding its provenance: %w", a.Name, err)
			}
			a.provJSON = prov
		}
		period := a.Period
		if period == "" {
			period = a.Created.Format("2006-01")
		}
		if err := s.may(ctx, tx.Tx, DutyDraw, CaseFacts{}); err != nil {
			return err
		}
		if prev, err := tx.Audit(ctx, a.Name); err != nil {
			return err
		} else if prev != nil {
			return fmt.Errorf("an audit named %q is already in the store %s; choose another name", a.Name, s.Path())
		}
		cols, _ := json.Marshal(a.Columns)
		var form *string
		if a.Form != nil {
			f := string(a.Form)
			form = &f
		}
		a.Period = period
		provs, follows := string(a.provJSON), string(follow)
		// The columns of schema 1 stay empty: the provenance holds it all.
		a.id, err = tx.InsertAudit(ctx, store.AuditRow{Name: a.Name, CreatedAt: store.FormatTime(a.Created),
			Filters: "[]", InitialSize: a.InitialSize, Columns: string(cols), Params: "{}",
			Form: form, Period: &period, Provenance: &provs, FollowUp: &follows})
		if err != nil {
			return err
		}
		if err := tx.InsertCases(ctx, a.id, caseRows(cases)); err != nil {
			return err
		}
		ch, err := tx.Chain(ctx, a.id, a.Name)
		if err != nil {
			return err
		}
		payload := map[string]any{"audit": auditJSON(&a), "cases": casesJSON(cases)}
		if !a.Handout.IsZero() {
			payload["handout"] = a.Handout
		}
		who, err := s.actorIn(ctx, tx.Tx)
		if err != nil {
			return err
		}
		if _, err = ch.Append(ctx, store.Draft{Kind: KindSample, Actor: who, At: a.Created, Payload: payload}); err != nil {
			return err
		}
		if err := s.noteNetwork(ctx, ch, &a); err != nil {
			return err
		}
		if extra != nil {
			return extra(ctx, tx, &a)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return &a, nil
}

// caseRows are cases as stored.
func caseRows(cases []SampledCase) []store.CaseRow {
	out := make([]store.CaseRow, len(cases))
	for i, c := range cases {
		f, _ := json.Marshal(nonNil(c.Fields))
		out[i] = store.CaseRow{Order: c.Order, ID: c.ID, Ticket: c.Ticket, Stratum: c.Stratum, Row: c.Row, Fields: string(f)}
	}
	return out
}

// Grow appends cases to an audit's sample (the caller computes them: the
// next cases in selection order, with orders n+1, n+2 …) in one transaction,
// logged as a "grow" entry. Cases already sampled never change.
func (s *Store) Grow(ctx context.Context, auditName string, cases []SampledCase) error {
	if len(cases) == 0 {
		return nil
	}
	return s.write(ctx, "growing the sample in", func(tx *store.WriteTx) error {
		_, err := s.growTx(ctx, tx, auditName, cases)
		return err
	})
}

// growTx appends cases within a write transaction and returns the audit.
func (s *Store) growTx(ctx context.Context, tx *store.WriteTx, auditName string, cases []SampledCase) (*Audit, error) {
	if err := s.may(ctx, tx.Tx, DutyGrow, CaseFacts{}); err != nil {
		return nil, err
	}
	a, err := loadAudit(ctx, tx.Tx, auditName)
	if err != nil {
		return nil, err
	}
	n, err := tx.CaseCount(ctx, a.id)
	if err != nil {
		return nil, err
	}
	if err := checkCases(cases, n, len(a.Columns)); err != nil {
		return nil, fmt.Errorf("audit %q has %d sampled cases: %w", a.Name, n, err)
	}
	for _, c := range cases {
		if k, err := tx.Case(ctx, a.id, c.ID); err != nil {
			return nil, err
		} else if k != nil {
			return nil, fmt.Errorf("case %q is already in audit %q", c.ID, a.Name)
		}
	}
	if err := tx.InsertCases(ctx, a.id, caseRows(cases)); err != nil {
		return nil, err
	}
	payload := map[string]any{"cases": casesJSON(cases)}
	factors := map[string]sample.CaseFactors{}
	for _, c := range cases {
		if c.Factors != nil {
			factors[c.ID] = *c.Factors
		}
	}
	if len(factors) > 0 {
		payload["factors"] = factors
	}
	who, err := s.actorIn(ctx, tx.Tx)
	if err != nil {
		return nil, err
	}
	if _, err = s.appendEntry(ctx, tx, a, KindGrow, "", who, payload); err != nil {
		return nil, err
	}
	return a, nil
}

// CaseFactors returns the factor values recorded for an audit's sampled
// cases, by case ID: those of the first draw (in its provenance) and those
// of cases added by Grow (in the trail's grow entries, which the chain
// vouches for). nil when the audit recorded no factors; a case added by a
// caseaudit that did not record them has no entry.
func (s *Store) CaseFactors(ctx context.Context, auditName string) (map[string]sample.CaseFactors, error) {
	return readAudit(ctx, s, auditName, func(ctx context.Context, tx *store.Tx, a *Audit) (map[string]sample.CaseFactors, error) {
		es, err := entries(ctx, tx, a, KindGrow, KindWithdrawal)
		if err != nil {
			return nil, err
		}
		return caseFactors(a, es)
	})
}

// auditFromRow reads an audit from its row.
func auditFromRow(r *store.AuditRow) (*Audit, error) {
	a := Audit{id: r.ID, Name: r.Name, Created: store.ParseTime(r.CreatedAt), InitialSize: r.InitialSize}
	if err := json.Unmarshal([]byte(r.Columns), &a.Columns); err != nil {
		return nil, fmt.Errorf("audit %q: stored columns are damaged: %w", a.Name, err)
	}
	a.Columns = nonNil(a.Columns)
	if r.Form != nil {
		a.Form = json.RawMessage(*r.Form)
	}
	if r.Period != nil {
		a.Period = *r.Period
	}
	if r.Provenance == nil {
		// Recorded before schema 2: the provenance is rebuilt from the
		// columns and the command line's parameters of the time.
		l := legacyAudit{Seed: r.Seed, InputPath: r.InputPath, InputSHA256: r.InputSHA256, Sheet: r.Sheet,
			HeaderRow: r.HeaderRow, DataRows: r.DataRows, StrataColumn: r.StrataColumn, Allocation: r.Allocation,
			MinPerStratum: r.MinPerStratum, Population: r.Population, ToolVersion: r.ToolVersion,
			Params: json.RawMessage(r.Params), Columns: a.Columns}
		if err := json.Unmarshal([]byte(r.Filters), &l.Filters); err != nil {
			return nil, fmt.Errorf("audit %q: stored filters are damaged: %w", a.Name, err)
		}
		a.legacy = &l
		if err := a.fromLegacy(); err != nil {
			return nil, err
		}
		return &a, nil
	}
	p, err := sample.ParseProvenance([]byte(*r.Provenance))
	if err != nil {
		return nil, fmt.Errorf("audit %q: %w", a.Name, err)
	}
	a.Provenance = *p
	a.provJSON = json.RawMessage(*r.Provenance)
	if r.FollowUp != nil {
		a.followJSON = json.RawMessage(*r.FollowUp)
		if err := json.Unmarshal([]byte(*r.FollowUp), &a.FollowUp); err != nil {
			return nil, fmt.Errorf("audit %q: its stored follow-up rule is damaged: %w", a.Name, err)
		}
	}
	return &a, nil
}

// loadAudit finds an audit by name (trimmed; exact, or else the only one
// matching case-insensitively).
//
// Within a read transaction an audit is read once per name (store.Tx.Memo),
// and each caller gets a copy of it.
func loadAudit(ctx context.Context, tx *store.Tx, name string) (*Audit, error) {
	v, err := tx.Memo(auditKey{strings.TrimSpace(name)}, func() (any, error) { return readAuditNamed(ctx, tx, name) })
	if err != nil {
		return nil, err
	}
	a := *v.(*Audit)
	return &a, nil
}

// auditKey is the key loadAudit holds an audit under.
type auditKey struct{ name string }

// readAuditNamed is loadAudit, read from the store.
func readAuditNamed(ctx context.Context, tx *store.Tx, name string) (*Audit, error) {
	name = strings.TrimSpace(name)
	r, err := tx.Audit(ctx, name)
	if err != nil {
		return nil, err
	}
	if r != nil {
		return auditFromRow(r)
	}
	names, err := tx.AuditNames(ctx)
	if err != nil {
		return nil, err
	}
	var fold []string
	for _, n := range names {
		if strings.EqualFold(n, name) {
			fold = append(fold, n)
		}
	}
	if len(fold) == 1 {
		return loadAudit(ctx, tx, fold[0])
	}
	if r, err := retiredNamed(ctx, tx, name); err != nil {
		return nil, err
	} else if r != nil {
		return nil, &notFoundError{fmt.Sprintf("audit %q was retired on %s under the store's retention period: its cases, findings and trail were deleted; caseaudit verify %q checks its sealed summary, and audits and trend show its figures",
			r.Summary.Audit, r.At.UTC().Format("2006-01-02"), r.Summary.Audit)}
	}
	if len(names) == 0 {
		return nil, &notFoundError{fmt.Sprintf("there is no audit %q: the store holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", name)}
	}
	msg := fmt.Sprintf("there is no audit %q", name)
	if sug := textdist.Closest(name, names, 3); len(sug) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
	} else {
		msg += "; list them with caseaudit audits"
	}
	return nil, &notFoundError{msg}
}

// Audit returns the named audit.
func (s *Store) Audit(ctx context.Context, name string) (*Audit, error) {
	var a *Audit
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		var err error
		a, err = loadAudit(ctx, tx, name)
		return err
	})
	return a, err
}

// loadAudits reads every audit, in the order asked.
func loadAudits(ctx context.Context, tx *store.Tx, order store.Order) ([]*Audit, error) {
	rows, err := tx.Audits(ctx, order)
	if err != nil {
		return nil, err
	}
	out := make([]*Audit, 0, len(rows))
	for _, r := range rows {
		a, err := auditFromRow(r)
		if err != nil {
			return nil, err
		}
		// Held for loadAudit by name too (a copy: the caller may change
		// its own).
		held := *a
		if _, err := tx.Memo(auditKey{a.Name}, func() (any, error) { return &held, nil }); err != nil {
			return nil, err
		}
		out = append(out, a)
	}
	return out, nil
}

// Latest returns the audit of the latest period (the last recorded, among
// several of that month); the error wraps ErrNotFound when the store holds
// none.
func (s *Store) Latest(ctx context.Context) (*Audit, error) {
	var a *Audit
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		rows, err := tx.Audits(ctx, store.ByPeriod)
		if err != nil {
			return err
		}
		if len(rows) == 0 {
			return errorf(ErrNotFound, "the store %s holds no audits yet; record one with caseaudit sample EXPORT --size N --audit NAME", s.Path())
		}
		a, err = auditFromRow(rows[len(rows)-1])
		return err
	})
	return a, err
}

// Cases returns an audit's sampled cases in order.
func (s *Store) Cases(ctx context.Context, auditName string) ([]SampledCase, error) {
	return readAudit(ctx, s, auditName, loadCases)
}

func loadCases(ctx context.Context, tx *store.Tx, a *Audit) ([]SampledCase, error) {
	rows, err := tx.Cases(ctx, a.id)
	if err != nil {
		return nil, err
	}
	out := make([]SampledCase, 0, len(rows))
	for _, r := range rows {
		c, err := caseFromRow(a, r)
		if err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, nil
}

// AuditedFrom returns the set of case IDs sampled in any audit whose period
// ends on or after since (for --exclude-audited-within, counted back from
// the period being drawn): the month an audit covers, not the day it was
// recorded, says when its cases were audited, so a run for last month a few
// days late excludes what a run on time would have.
func (s *Store) AuditedFrom(ctx context.Context, since time.Time) (map[string]bool, error) {
	out := map[string]bool{}
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		all, err := loadAudits(ctx, tx, store.ByPeriod)
		if err != nil {
			return err
		}
		for _, a := range all {
			start, err := time.Parse("2006-01", a.Period)
			if err != nil {
				// An audit recorded before audits had a period covers the month
				// it was recorded in, from its first day: the period a new
				// audit is given when it names none (see CreateAudit).
				start, _ = time.Parse("2006-01", a.Created.Format("2006-01"))
			}
			if !start.AddDate(0, 1, 0).After(since) {
				continue
			}
			ids, err := tx.CaseIDs(ctx, a.id)
			if err != nil {
				return err
			}
			for _, id := range ids {
				out[id] = true
			}
		}
		return nil
	})
	return out, err
}

// checkInSample returns a *NotInSampleError when id is not in a's sample.
func checkInSample(ctx context.Context, tx *store.Tx, a *Audit, id string) error {
	if c, err := tx.Case(ctx, a.id, id); err != nil || c != nil {
		return err
	}
	ids, err := tx.CaseIDs(ctx, a.id)
	if err != nil {
		return err
	}
	return &NotInSampleError{Audit: a.Name, Case: id, Suggestions: textdist.Closest(id, ids, 3)}
}

// readAudit loads something of the named audit in one read transaction.
func readAudit[T any](ctx context.Context, s *Store, auditName string, load func(context.Context, *store.Tx, *Audit) (T, error)) (T, error) {
	var out T
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		out, err = load(ctx, tx, a)
		return err
	})
	return out, err
}

// retiredNamed is the retired audit of that name (case aside); nil when
// none.
func retiredNamed(ctx context.Context, tx *store.Tx, name string) (*RetiredAudit, error) {
	log, err := tx.Log(ctx)
	if err != nil {
		return nil, err
	}
	rs, err := retiredOf(log)
	if err != nil {
		return nil, err
	}
	for i := range rs {
		if strings.EqualFold(rs[i].Summary.Audit, strings.TrimSpace(name)) {
			return &rs[i], nil
		}
	}
	return nil, nil
}
