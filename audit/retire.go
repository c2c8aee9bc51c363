package audit

import (
	"context"
	"encoding/json"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Retention. A store may hold a retention period (caseaudit store
// retention 6y): an audit signed off longer ago than that is retired
// (caseaudit retire --apply): every row of it — sample, findings, notes,
// free text, trail — is deleted in one transaction, and a sealed summary
// stays in the store log (store/retire.go) with its name, period, size,
// headline figures, sign-off, seed, the export's SHA-256 and the head of
// its trail at retirement. The summary is chained after the log's
// previous entry (the retention period set, or the previous summary), so
// verify re-walks the log and names any summary changed or removed.
//
// An audit's age is counted from its last sign-off; an audit never signed
// off is listed with the age of its last entry and is not retired: its
// figures were never put before anyone, and retiring it would lose work
// in progress.

// Retention is the store's retention period as last set.
type Retention struct {
	Months   int       `json:"months"`
	Previous int       `json:"previous_months"` // 0 when none was set before
	At       time.Time `json:"at"`
	By       string    `json:"by"`
	Seq      int       `json:"log_entry"`
}

// retentionPayload is a retention entry's payload in the store log.
type retentionPayload struct {
	Months   int `json:"months"`
	Previous int `json:"previous_months"`
}

var retentionRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\d{1,3})\s*(y|yr|yrs|year|years|m|mo|month|months)$`)
})

// ParseRetention reads a retention period as people write it: "6y",
// "6 years", "72m", "18 months". It returns months.
func ParseRetention(s string) (int, error) {
	m := retentionRE().FindStringSubmatch(strings.ToLower(strings.TrimSpace(s)))
	if m == nil {
		return 0, fmt.Errorf("%q is not a retention period; write years or months, e.g. 6y or 72m", s)
	}
	n, _ := strconv.Atoi(m[1])
	if strings.HasPrefix(m[2], "y") {
		n *= 12
	}
	if n < 1 || n > 1200 {
		return 0, fmt.Errorf("a retention period of %s is out of range; give between 1 month and 100 years", s)
	}
	return n, nil
}

// FormatRetention says a period in months as people say it: "6 years",
// "18 months".
func FormatRetention(months int) string {
	switch {
	case months <= 0:
		return "none"
	case months%12 == 0 && months/12 == 1:
		return "1 year"
	case months%12 == 0:
		return fmt.Sprintf("%d years", months/12)
	case months == 1:
		return "1 month"
	}
	return fmt.Sprintf("%d months", months)
}

// retentionOf is the last retention entry of a store log; nil when none.
func retentionOf(log []store.LogEntry) (*Retention, error) {
	var out *Retention
	for _, e := range log {
		if e.Kind != store.LogRetention {
			continue
		}
		var p retentionPayload
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("store log entry %d (retention) is damaged: %w", e.Seq, err)
		}
		out = &Retention{Months: p.Months, Previous: p.Previous, At: e.At, By: e.Actor, Seq: e.Seq}
	}
	return out, nil
}

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
		e, err := tx.AppendRetention(ctx, p.Name, s.now(), retentionPayload{Months: months, Previous: prev})
		if err != nil {
			return err
		}
		out = Retention{Months: months, Previous: prev, At: e.At, By: e.Actor, Seq: e.Seq}
		return nil
	})
	return out, err
}

// ErrUnchanged: what was asked is already so.
var ErrUnchanged = fmt.Errorf("unchanged")

// RetireCandidate is one audit as retention sees it.
type RetireCandidate struct {
	Audit   string
	Period  string
	Created time.Time
	// SignOff is the audit's last sign-off; nil when never signed off.
	SignOff *SignOff
	// LastEntry is when its trail's last entry was made.
	LastEntry time.Time
	// From is what its age is counted from: the sign-off, else the last
	// entry.
	From time.Time
	// Until is when the retention period ends for it (zero without a
	// period).
	Until time.Time
	// Due: signed off and past the retention period.
	Due bool
	// Kept says why an audit not due is kept.
	Kept string
	// Rows are the rows retiring it deletes, by table (store.RetiredTables).
	Rows    map[string]int64
	Entries int
	Head    string
}

// Age says how old the audit is at now, in whole years and months.
func (c RetireCandidate) Age(now time.Time) string {
	m := MonthsBetween(c.From, now)
	switch {
	case m < 0:
		return "0m"
	case m < 12:
		return fmt.Sprintf("%dm", m)
	case m%12 == 0:
		return fmt.Sprintf("%dy", m/12)
	}
	return fmt.Sprintf("%dy %dm", m/12, m%12)
}

// MonthsBetween counts the whole months from a to b.
func MonthsBetween(a, b time.Time) int {
	m := (b.Year()-a.Year())*12 + int(b.Month()-a.Month())
	if a.AddDate(0, m, 0).After(b) {
		m--
	}
	return m
}

// RetirePlan lists every audit of the store with what retirement would do
// to it at the store's clock, oldest first, and the retention period (nil
// when none is set: then nothing is due).
func (s *Store) RetirePlan(ctx context.Context) ([]RetireCandidate, *Retention, error) {
	var out []RetireCandidate
	var ret *Retention
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		var err error
		out, ret, err = retirePlan(ctx, tx, s.now())
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
		c.LastEntry = last[len(last)-1].At
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

// RetiredSummary is an audit's sealed summary, kept in the store log when
// the audit is retired.
type RetiredSummary struct {
	Audit        string `json:"audit"`
	Period       string `json:"period"`
	Created      string `json:"created"`
	Size         int    `json:"size"`
	Population   int    `json:"population"`
	Seed         string `json:"seed"`
	ExportSHA256 string `json:"export_sha256"`
	// Figures are the audit's headline figures as its report stated them
	// at retirement (amendments after sign-off included).
	Figures Figures `json:"figures"`
	// SignOff is the last sign-off, with the figures then.
	SignOff      SignOff `json:"sign_off"`
	Amended      bool    `json:"amended_after_sign_off"`
	TrailEntries int     `json:"trail_entries"`
	TrailHead    string  `json:"trail_head"`
	Retention    int     `json:"retention_months"`
	// Rows are the rows deleted, by table.
	Rows map[string]int64 `json:"rows_deleted"`
}

// RetiredAudit is a retired audit's summary as the store log holds it.
type RetiredAudit struct {
	Summary   RetiredSummary
	At        time.Time // retired when
	By        string    // retired by (the person named)
	EnteredBy string    // the login
	Seq       int       // the store log entry
	Hash      string    // the summary's own hash
}

// Failure is the verification of a retired audit's sealed summary as the
// error a command ends with: nil when the store log holding it re-walks
// intact (logProblems, from Store.VerifyLog, empty); otherwise an error
// marked ErrNotVerified.
func (r RetiredAudit) Failure(logProblems []string) error {
	if len(logProblems) == 0 {
		return nil
	}
	return errorf(ErrNotVerified, "retired audit %q: the store log holding its summary does not verify (%s, listed above)", r.Summary.Audit, words.Count(len(logProblems), "problem"))
}

// retiredOf reads the retired summaries of a store log, in order.
func retiredOf(log []store.LogEntry) ([]RetiredAudit, error) {
	var out []RetiredAudit
	for _, e := range log {
		if e.Kind != store.LogRetirement {
			continue
		}
		var p RetiredSummary
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return nil, fmt.Errorf("store log entry %d (retirement of %q) is damaged: %w", e.Seq, e.Audit, err)
		}
		out = append(out, RetiredAudit{Summary: p, At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Seq: e.Seq, Hash: e.Hash})
	}
	return out, nil
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

// RetireFigures are an audit's headline figures as its report states them,
// computed by the caller (the report's own code) from the trail as it was
// after entry AsOf.
type RetireFigures struct {
	Figures Figures
	AsOf    int
}

// RetireRequest asks for the audits due to be retired.
type RetireRequest struct {
	// Audits names the audits to retire; empty: every audit due.
	Audits []string
	// Figures holds each audit's figures (see RetireFigures), by name.
	Figures map[string]RetireFigures
	Person  Person
}

// Retirement is what a retirement did.
type Retirement struct {
	Retired []RetiredAudit
	// Rows are the rows deleted in all, by table.
	Rows map[string]int64
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
		now := s.now()
		plan, ret, err := retirePlan(ctx, tx.Tx, now)
		if err != nil {
			return err
		}
		if ret == nil {
			return errorf(ErrRefused, "refused: the store %s has no retention period, so no audit is due; set one with caseaudit store retention 6y", s.Path())
		}
		var chosen []RetireCandidate
		if len(req.Audits) == 0 {
			for _, c := range plan {
				if c.Due {
					chosen = append(chosen, c)
				}
			}
		}
		for _, name := range req.Audits {
			a, err := loadAudit(ctx, tx.Tx, name)
			if err != nil {
				return err
			}
			for _, c := range plan {
				if c.Audit != a.Name {
					continue
				}
				if !c.Due {
					return errorf(ErrRefused, "refused: audit %q is %s; an audit is retired once signed off and past the store's retention period of %s", c.Audit, c.Kept, FormatRetention(ret.Months))
				}
				chosen = append(chosen, c)
			}
		}
		for _, c := range chosen {
			a, err := loadAudit(ctx, tx.Tx, c.Audit)
			if err != nil {
				return err
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
			sum.Size = st.Size
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
			out.Retired = append(out.Retired, RetiredAudit{Summary: sum, At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Seq: e.Seq, Hash: e.Hash})
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

// ErrRefused: the rules refuse what was asked (not a duty: the audit is
// not yet due).
var ErrRefused = fmt.Errorf("refused")

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
