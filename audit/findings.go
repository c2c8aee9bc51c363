package audit

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/canonjson"
	"github.com/caseaudit/caseaudit/internal/opt"
)

// Grade is an auditor's judgement of a case (see form.Grade).
type Grade = form.Grade

// Grades, best first.
const (
	NoGrade             = form.NoGrade
	Outstanding         = form.Outstanding
	Good                = form.Good
	RequiresImprovement = form.RequiresImprovement
	Inadequate          = form.Inadequate
)

// Grades lists the grades best first.
var Grades = form.Grades

// ParseGrade reads a grade (see form.ParseGrade).
func ParseGrade(s string) (Grade, error) { return form.ParseGrade(s) }

// ParseYesNo reads an immediate-attention answer (see form.ParseYesNo).
func ParseYesNo(s string) (bool, error) { return form.ParseYesNo(s) }

// Finding is an auditor's (or moderator's) finding on one case.
type Finding struct {
	Case       string
	Auditor    string
	Grade      Grade
	Immediate  bool              // needs immediate attention
	Note       string            // free text
	Answers    map[string]string // answers to the audit's form questions; nil when none
	Date       string            // date audited, yyyy-mm-dd; "" when not given
	Reason     string            // why a correction was made; required for a correction
	Moderation bool              // a moderator's finding, kept apart from original findings
	// NewAuditor accepts an auditor who is not among the audit's allocated
	// auditors (see ErrUnknownAuditor). It is not part of the finding.
	NewAuditor bool
	// Prefilled holds the answers the workbook pre-filled from the export
	// (question key → answer), recorded with the finding so the trail shows
	// what was pre-filled and whether the auditor changed it; nil when none.
	// It is not part of the finding itself (not compared).
	Prefilled map[string]string
	// Due is the number of working days (Monday to Friday) after the
	// finding's date within which the follow-up action it opens is due,
	// when it needs immediate attention; 0 means the audit's default
	// (DefaultDueDays unless set when sampling). It is not part of the
	// finding itself.
	Due int

	// Set when read from the store or recorded:
	Kind string    // KindFinding, KindCorrection, KindModerationFinding or KindModerationCorrection
	Seq  int       // trail entry number
	At   time.Time // when it was recorded (UTC)
	// EnteredBy is who entered it (see Entry.EnteredBy); "" before schema 3.
	EnteredBy string
}

// findingPayload is a finding's trail payload.
type findingPayload struct {
	Grade     string            `json:"grade"`
	Immediate bool              `json:"immediate"`
	Note      string            `json:"note"`
	Answers   map[string]string `json:"answers,omitempty"`
	Date      string            `json:"date,omitempty"`
	Reason    string            `json:"reason,omitempty"`
	Source    string            `json:"source,omitempty"`
	Prefilled map[string]string `json:"prefilled,omitempty"`
}

func findingFromEntry(e Entry) (Finding, error) {
	var p findingPayload
	if !p.decodePlain(e.Payload) {
		p = findingPayload{}
		if err := json.Unmarshal(e.Payload, &p); err != nil {
			return Finding{}, fmt.Errorf("trail entry %d is damaged: %w", e.Seq, err)
		}
	}
	g, err := storedGrade(p.Grade)
	if err != nil {
		return Finding{}, fmt.Errorf("trail entry %d is damaged: %w", e.Seq, err)
	}
	return Finding{
		Case: e.Case, Auditor: e.Actor, Grade: g, Immediate: p.Immediate, Note: p.Note,
		Answers: p.Answers, Date: p.Date, Reason: p.Reason, Prefilled: p.Prefilled,
		Moderation: e.Kind == KindModerationFinding || e.Kind == KindModerationCorrection,
		Kind:       e.Kind, Seq: e.Seq, At: e.At, EnteredBy: e.EnteredBy,
	}, nil
}

// decodePlain reads a finding's payload as the store writes it (compact,
// each key once and exactly as named, strings without escapes) into p, as
// json.Unmarshal would, and reports whether it could: a report and the
// trend decode every finding of every audit, and encoding/json's
// reflection was most of that. Anything else is left to json.Unmarshal.
func (p *findingPayload) decodePlain(b []byte) bool {
	strs := [...]struct {
		key string
		to  *string
	}{{"grade", &p.Grade}, {"note", &p.Note}, {"date", &p.Date}, {"reason", &p.Reason}, {"source", &p.Source}}
	objs := [...]struct {
		key string
		to  *map[string]string
	}{{"answers", &p.Answers}, {"prefilled", &p.Prefilled}}
	seen, ok := 0, true
	plain := canonjson.EachMember(b, func(key []byte, start, end int) {
		if !ok {
			return
		}
		v, bit := b[start:end], 0
		if string(key) == "immediate" {
			bit = 1
			p.Immediate, ok = string(v) == "true", string(v) == "true" || string(v) == "false"
		}
		for i, x := range strs {
			if string(key) == x.key {
				bit = 2 << i
				*x.to, ok = canonjson.PlainString(v)
			}
		}
		for i, x := range objs {
			if string(key) == x.key {
				bit = 2 << (len(strs) + i)
				*x.to, ok = plainStrings(v)
			}
		}
		if bit == 0 || seen&bit != 0 { // a key not of a finding's, or written twice
			ok = false
		}
		seen |= bit
	})
	return plain && ok
}

// plainStrings reads a compact JSON object of strings, each key once and
// nothing escaped, as json.Unmarshal would into a map (empty, not nil, for
// {}); ok is false for anything else.
func plainStrings(b []byte) (map[string]string, bool) {
	m := map[string]string{}
	ok := true
	plain := canonjson.EachMember(b, func(key []byte, start, end int) {
		if !ok {
			return
		}
		s, isPlain := canonjson.PlainString(b[start:end])
		if _, twice := m[string(key)]; !isPlain || twice || !canonjson.PlainKey(key) {
			ok = false
			return
		}
		m[string(key)] = s
	})
	return m, plain && ok
}

// storedGrade reads a grade as the trail stores it (its name), and
// anything else as ParseGrade does.
func storedGrade(s string) (Grade, error) {
	for _, g := range Grades {
		if s == g.String() {
			return g, nil
		}
	}
	return ParseGrade(s)
}

// sameFinding reports whether two findings say the same thing (the reason is
// not compared).
func sameFinding(a, b Finding) bool {
	return a.Auditor == b.Auditor && a.Grade == b.Grade && a.Immediate == b.Immediate &&
		a.Note == b.Note && a.Date == b.Date && maps.Equal(a.Answers, b.Answers)
}

// normalise trims a finding's text fields and checks it is complete.
func (f *Finding) normalise() error {
	f.Case = strings.TrimSpace(f.Case)
	f.Auditor = strings.Join(strings.Fields(f.Auditor), " ")
	f.Reason = strings.TrimSpace(f.Reason)
	f.Date = strings.TrimSpace(f.Date)
	f.Note = strings.TrimSpace(f.Note)
	if f.Case == "" {
		return errors.New("a finding needs a case ID")
	}
	if f.Auditor == "" {
		return fmt.Errorf("the finding on %s needs an auditor's name", f.Case)
	}
	if f.Grade < Outstanding || f.Grade > Inadequate {
		return fmt.Errorf("the finding on %s needs a grade: Outstanding, Good, Requires improvement or Inadequate", f.Case)
	}
	if f.Date != "" {
		if _, err := time.Parse("2006-01-02", f.Date); err != nil {
			return fmt.Errorf("the finding on %s: date audited %q is not a date (yyyy-mm-dd)", f.Case, f.Date)
		}
	}
	if len(f.Answers) == 0 {
		f.Answers = nil
	}
	return nil
}

// CorrectionError says a case already has a finding and another one needs a
// reason. It wraps ErrReasonRequired.
type CorrectionError struct {
	Case       string
	Auditor    string // of the latest finding
	Date       string // date audited of the latest finding, or the day it was recorded
	Moderation bool
}

func (e *CorrectionError) Error() string { return e.Spell(opt.Keys) }

// Spell is the message with the option it names spelled as st spells it.
func (e *CorrectionError) Spell(st opt.Style) string {
	what := "a finding"
	if e.Moderation {
		what = "a moderation finding"
	}
	return fmt.Sprintf("%s already has %s by %s on %s; to correct it give %s", e.Case, what, e.Auditor, e.Date, opt.Reason.Spell(st))
}

// Is makes errors.Is(err, ErrReasonRequired) true.
func (e *CorrectionError) Is(target error) bool { return target == ErrReasonRequired }

func correctionError(prev Finding) *CorrectionError {
	d := prev.Date
	if d == "" {
		d = prev.At.Format("2006-01-02")
	}
	return &CorrectionError{Case: prev.Case, Auditor: prev.Auditor, Date: d, Moderation: prev.Moderation}
}

// RecordResult tells what Record did.
type RecordResult struct {
	Finding Finding // as stored (or the identical latest finding when nothing changed)
	Entry   Entry   // the new trail entry; zero when nothing changed
	Changed bool    // false: the finding was identical to the latest one, nothing recorded
	// Action is the follow-up action the finding opened or closed
	// automatically (see Action.Status); nil when it did neither.
	Action *Action
}

// Record records a finding on a case of an audit's sample, in one
// transaction. A second finding on the same case is a correction and needs
// f.Reason (else a *CorrectionError); one identical to the latest finding
// records nothing. A moderation finding (f.Moderation) needs the case to be
// in the audit's moderation sample. Answers are checked against the audit's
// form (an *AnswersError names each bad or missing one) and stored keyed by
// question key in canonical spelling.
//
// Once the audit's cases are allocated, the auditor must be one of its
// auditors (matched ignoring case and spacing, and recorded in their
// spelling) unless f.NewAuditor; else an *UnknownAuditorError.
//
// A finding that needs immediate attention opens a follow-up action on the
// case in the same transaction (see Action); a correction that turns
// immediate attention to no closes the case's action automatically, with a
// note saying so.
func (s *Store) Record(ctx context.Context, auditName string, f Finding) (RecordResult, error) {
	if err := f.normalise(); err != nil {
		return RecordResult{}, err
	}
	var res RecordResult
	err := s.write(ctx, "recording a finding in", func(tx *store.WriteTx) error {
		a, err := loadAudit(ctx, tx.Tx, auditName)
		if err != nil {
			return err
		}
		// Everything the checks below and the follow-up read, in one
		// round trip.
		if err := tx.Prefetch(ctx, a.id, store.Prefetch{Case: f.Case, Kinds: recordReads, ActorKinds: auditorKinds, People: true}); err != nil {
			return err
		}
		if err := checkInSample(ctx, tx.Tx, a, f.Case); err != nil {
			return err
		}
		if err := checkNotWithdrawn(ctx, tx.Tx, a, f.Case); err != nil {
			return err
		}
		if f.Moderation {
			if err := checkModerated(ctx, tx.Tx, a, f.Case); err != nil {
				return err
			}
		}
		if err := checkFindingAnswers(a, &f); err != nil {
			return err
		}
		if err := checkAuditor(ctx, tx.Tx, a, &f); err != nil {
			return err
		}
		res, err = s.recordTx(ctx, tx, a, f, "")
		return err
	})
	return res, err
}

// recordReads are the kinds of entry about any case that recording a
// finding reads: withdrawals, the allocation and the moderation sample
// (its checks), and the team managers (for an action it opens).
var recordReads = []string{KindWithdrawal, KindAllocation, KindModerationDraw, KindTeamManager}

// recordTx appends one finding within a write transaction.
func (s *Store) recordTx(ctx context.Context, tx *store.WriteTx, a *Audit, f Finding, source string) (RecordResult, error) {
	prev, ok, err := latestFinding(ctx, tx.Tx, a, f.Case, f.Moderation)
	if err != nil {
		return RecordResult{}, err
	}
	kind := KindFinding
	if f.Moderation {
		kind = KindModerationFinding
	}
	if ok {
		if sameFinding(prev, f) {
			return RecordResult{Finding: prev}, nil
		}
		if f.Reason == "" {
			return RecordResult{}, correctionError(prev)
		}
		kind = KindCorrection
		if f.Moderation {
			kind = KindModerationCorrection
		}
	} else {
		f.Reason = "" // a first finding corrects nothing
	}
	if err := s.mayRecord(ctx, tx.Tx, a, f); err != nil {
		return RecordResult{}, err
	}
	p := findingPayload{Grade: f.Grade.String(), Immediate: f.Immediate, Note: f.Note, Answers: f.Answers,
		Date: f.Date, Reason: f.Reason, Source: source, Prefilled: f.Prefilled}
	e, err := s.appendEntry(ctx, tx, a, kind, f.Case, f.Auditor, p)
	if err != nil {
		return RecordResult{}, err
	}
	f.Kind, f.Seq, f.At = kind, e.Seq, e.At
	res := RecordResult{Finding: f, Entry: e, Changed: true}
	if res.Action, err = s.followUp(ctx, tx, a, f, prev, ok); err != nil {
		return RecordResult{}, err
	}
	return res, nil
}

func findingKinds(moderation bool) (string, string) {
	if moderation {
		return KindModerationFinding, KindModerationCorrection
	}
	return KindFinding, KindCorrection
}

// latestFinding returns the latest finding (or moderation finding) on a case.
func latestFinding(ctx context.Context, tx *store.Tx, a *Audit, caseID string, moderation bool) (Finding, bool, error) {
	k1, k2 := findingKinds(moderation)
	es, err := caseEntries(ctx, tx, a, caseID, k1, k2)
	if err != nil {
		return Finding{}, false, err
	}
	latest, err := latestFindings(es, moderation)
	f, ok := latest[caseID]
	return f, ok, err
}

// loadFindings reads the latest finding per case, keyed by case ID.
// Within a read transaction each audit's are folded once (store.Tx.Memo);
// the map is shared, so callers must not change it.
func loadFindings(ctx context.Context, tx *store.Tx, a *Audit, moderation bool) (map[string]Finding, error) {
	return loadFindingsIn(ctx, tx, a, moderation, nil)
}

// loadFindingsIn is loadFindings folding the trail es when the caller has
// read it already (nil: read the finding kinds), so that a write
// transaction, which keeps no fold, does not read them again.
func loadFindingsIn(ctx context.Context, tx *store.Tx, a *Audit, moderation bool, es []Entry) (map[string]Finding, error) {
	type key struct {
		audit      int64
		moderation bool
	}
	v, err := tx.Memo(key{a.id, moderation}, func() (any, error) {
		if es == nil {
			k1, k2 := findingKinds(moderation)
			var err error
			if es, err = entries(ctx, tx, a, k1, k2); err != nil {
				return nil, err
			}
		}
		return latestFindings(es, moderation)
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string]Finding), nil
}

// loadBoth is loadFindings of the original and of the moderation findings.
func loadBoth(ctx context.Context, tx *store.Tx, a *Audit) (orig, mod map[string]Finding, err error) {
	return loadBothIn(ctx, tx, a, nil)
}

// loadBothIn is loadBoth folding the trail es when it is already read.
func loadBothIn(ctx context.Context, tx *store.Tx, a *Audit, es []Entry) (orig, mod map[string]Finding, err error) {
	if orig, err = loadFindingsIn(ctx, tx, a, false, es); err != nil {
		return nil, nil, err
	}
	if mod, err = loadFindingsIn(ctx, tx, a, true, es); err != nil {
		return nil, nil, err
	}
	return orig, mod, nil
}

// latestFindings is the latest finding per case (moderation findings when
// moderation is true), keyed by case ID, in a trail's entries es.
func latestFindings(es []Entry, moderation bool) (map[string]Finding, error) {
	k1, k2 := findingKinds(moderation)
	n := 0
	for _, e := range es {
		if e.Kind == k1 || e.Kind == k2 {
			n++
		}
	}
	out := make(map[string]Finding, n) // sized once: a trend folds every audit's
	for _, e := range es {
		if e.Kind != k1 && e.Kind != k2 {
			continue
		}
		f, err := findingFromEntry(e)
		if err != nil {
			return nil, err
		}
		out[e.Case] = f // entries come in order: the last one wins
	}
	return out, nil
}

// Findings returns the latest finding per case (moderation findings when
// moderation is true), in sample order, for reports.
func (s *Store) Findings(ctx context.Context, auditName string, moderation bool) ([]Finding, error) {
	var out []Finding
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		latest, err := loadFindings(ctx, tx, a, moderation)
		if err != nil {
			return err
		}
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return err
		}
		out = inSampleOrder(ids, latest)
		return nil
	})
	return out, err
}

// GradePair is one moderated case: the latest original finding and the
// latest moderation finding.
type GradePair struct {
	Case                string
	Original, Moderated Grade
	// Immediate attention as the auditor and the moderator saw it.
	OriginalImmediate, ModeratedImmediate bool
}

// ModerationPairs returns, for every case with both an original and a
// moderation finding, the two latest grades, in sample order (for agreement
// statistics).
func (s *Store) ModerationPairs(ctx context.Context, auditName string) ([]GradePair, error) {
	var out []GradePair
	err := s.read(ctx, "reading", func(tx *store.Tx) error {
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		orig, mod, err := loadBoth(ctx, tx, a)
		if err != nil {
			return err
		}
		ids, err := tx.CaseIDs(ctx, a.id)
		if err != nil {
			return err
		}
		for _, id := range ids {
			o, ok1 := orig[id]
			m, ok2 := mod[id]
			if ok1 && ok2 {
				out = append(out, GradePair{Case: id, Original: o.Grade, Moderated: m.Grade,
					OriginalImmediate: o.Immediate, ModeratedImmediate: m.Immediate})
			}
		}
		return nil
	})
	return out, err
}
