package audit

import (
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit/form"
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
	// Given, when set, says which of the note and the date audited the
	// caller gave (a command line, where leaving a flag out is not the
	// same as giving it empty). A finding recorded on a case that has one
	// then keeps from it what was not given: its note, its date audited
	// and each answer not named. A correction that names only what was
	// wrong (the grade, immediate attention) thus changes only that, and a
	// script that records the same finding again on another day changes
	// nothing. Nil (a workbook row, the walk-through): the finding is
	// taken whole as given. It is not part of the finding itself.
	Given *Given

	// Set when read from the store or recorded:
	Kind string    // KindFinding, KindCorrection, KindModerationFinding or KindModerationCorrection
	Seq  int       // trail entry number
	At   time.Time // when it was recorded (UTC)
	// EnteredBy is who entered it (see Entry.EnteredBy); "" before schema 3.
	EnteredBy string
}

// Given says which optional parts of a finding its caller gave (see
// Finding.Given); the answers given are those in Finding.Answers.
type Given struct {
	Note, Date bool
}

// Kept is what a finding took from the finding it follows on its case
// because the caller did not give it (see Finding.Given).
type Kept struct {
	From    int  // the trail entry of the finding it followed; 0: nothing kept
	Note    bool // the note (a non-empty one)
	Date    bool // the date audited
	Answers int  // the number of answers
}

// keepUnset fills in f, from prev (the latest finding on its case), what
// f.Given says the caller did not give, and says what it took.
func keepUnset(f *Finding, prev Finding) Kept {
	if f.Given == nil {
		return Kept{}
	}
	var k Kept
	if !f.Given.Note && prev.Note != "" && f.Note == "" {
		f.Note, k.Note = prev.Note, true
	}
	if !f.Given.Date && prev.Date != "" && f.Date != prev.Date {
		f.Date, k.Date = prev.Date, true
	}
	for key, v := range prev.Answers {
		if _, given := f.Answers[key]; !given {
			if f.Answers == nil {
				f.Answers = map[string]string{}
			}
			f.Answers[key] = v
			k.Answers++
		}
	}
	if k.Note || k.Date || k.Answers > 0 {
		k.From = prev.Seq
	}
	return k
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
// Contradicts says whether the finding is graded Outstanding yet flagged
// for immediate attention: it can be true (a case well handled that has
// just turned), but is more often a slip in one of the two, so it is said,
// never refused.
func (f Finding) Contradicts() bool { return f.Grade == Outstanding && f.Immediate }

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

func findingKinds(moderation bool) (string, string) {
	if moderation {
		return KindModerationFinding, KindModerationCorrection
	}
	return KindFinding, KindCorrection
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

// GradePair is one moderated case: the latest original finding and the
// latest moderation finding.
type GradePair struct {
	Case                string
	Original, Moderated Grade
	// Immediate attention as the auditor and the moderator saw it.
	OriginalImmediate, ModeratedImmediate bool
}
