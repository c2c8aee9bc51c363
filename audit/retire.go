package audit

import (
	"encoding/json"
	"fmt"
	"regexp"
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
	// Marking is the protective marking the audit was handed out under
	// ("" when none): a view that still shows the audit's figures, such as
	// the trend, carries it. The key is written even when empty, so that a
	// summary sealed before summaries kept the marking (no key) is told
	// apart from one of an audit that had none (RetiredAudit.MarkingKept).
	Marking string `json:"marking"`
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
	// MarkingKept: the summary says what marking the audit had (perhaps
	// none); false for a summary sealed before summaries kept it, whose
	// audit's marking is unknown.
	MarkingKept bool
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
		var kept struct {
			Marking *string `json:"marking"`
		}
		_ = json.Unmarshal(e.Payload, &kept) // it decoded whole just above
		out = append(out, RetiredAudit{Summary: p, At: e.At, By: e.Actor, EnteredBy: e.EnteredBy, Seq: e.Seq, Hash: e.Hash,
			MarkingKept: kept.Marking != nil})
	}
	return out, nil
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

// ErrNotDue: what was asked to be retired is not due (the store has no
// retention period, or the audit is not signed off or is inside the
// period). It is not a refusal of a duty (ErrDuty): nobody may retire it
// yet, and the message says what would make it due.
var ErrNotDue = fmt.Errorf("not due to retire")
