package audit

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/words"
)

// Sign-off. Once QA signs an audit off, the figures it reported are part of
// the trail: the headline count, the sample size, the interval, and each
// team's count. A later correction is still possible (with a reason, as
// every correction), but from then on every view states that the audit was
// amended after sign-off, with the figures then and now, so that a figure
// once put before a board never changes silently.

// KindSignOff is the trail entry that signs an audit off.
const KindSignOff = "sign-off"

// TeamFigures is one team's (stratum's) reported count.
type TeamFigures struct {
	Team    string `json:"team"`
	Flagged int    `json:"flagged"`
	Size    int    `json:"size"`
}

// Figures are an audit's reported figures.
type Figures struct {
	Flagged    int     `json:"flagged"`
	Size       int     `json:"size"` // cases with a finding counted in the headline
	Population int     `json:"population"`
	Lower      float64 `json:"lower"` // interval bounds, as proportions
	Upper      float64 `json:"upper"`
	Confidence float64 `json:"confidence"`
	Method     string  `json:"method"`
	// Teams are the per-team counts, in the report's order; empty for an
	// audit without strata.
	Teams []TeamFigures `json:"teams,omitempty"`
}

// SameHeadline reports whether two sets of figures say the same thing to
// a reader: the same counts overall and per team.
func (f Figures) SameHeadline(g Figures) bool {
	if f.Flagged != g.Flagged || f.Size != g.Size || len(f.Teams) != len(g.Teams) {
		return false
	}
	for i := range f.Teams {
		if f.Teams[i] != g.Teams[i] {
			return false
		}
	}
	return true
}

// Incomplete says what an audit signed off with --force still lacked.
type Incomplete struct {
	// Unrecorded counts the sampled cases (withdrawn ones aside) without a
	// finding.
	Unrecorded int `json:"unrecorded"`
	// ModerationOutstanding counts the cases of the moderation sample
	// without a moderation finding.
	ModerationOutstanding int `json:"moderation_outstanding"`
}

// Phrase says it as every view does: "incomplete: 3 cases unrecorded, 1
// moderation outstanding".
func (in Incomplete) Phrase() string {
	var parts []string
	if in.Unrecorded > 0 {
		parts = append(parts, words.Count(in.Unrecorded, "case")+" unrecorded")
	}
	if in.ModerationOutstanding > 0 {
		parts = append(parts, words.Count(in.ModerationOutstanding, "moderation finding")+" outstanding")
	}
	return "incomplete: " + strings.Join(parts, ", ")
}

// SignOff is an audit's sign-off as the trail holds it.
type SignOff struct {
	Seq     int       `json:"seq"` // the trail entry
	At      time.Time `json:"at"`
	By      string    `json:"by"`
	Figures Figures   `json:"figures"`
	// Incomplete is what the audit lacked when QA signed it off anyway
	// (--force); nil when it was complete.
	Incomplete *Incomplete `json:"incomplete,omitempty"`
}

// signOffPayload is a sign-off entry's payload: the figures, and what the
// audit lacked when signed off incomplete.
type signOffPayload struct {
	Figures
	Incomplete *Incomplete `json:"incomplete,omitempty"`
}

// Amendment says how an audit's figures changed after its sign-off.
type Amendment struct {
	SignOff SignOff
	// At is when the first entry after the sign-off that changed a
	// finding was made.
	At  time.Time
	Now Figures
}

// Sentence is the amendment as every view states it: "signed off
// 2026-10-03 with 8 of 120 flagged; amended 2026-11-28: now 9 of 120".
func (a Amendment) Sentence() string {
	inc := ""
	if a.SignOff.Incomplete != nil {
		inc = " (" + a.SignOff.Incomplete.Phrase() + ")"
	}
	return fmt.Sprintf("signed off %s with %s of %s flagged%s; amended %s: now %s of %s",
		a.SignOff.At.UTC().Format("2006-01-02"), words.Thousands(a.SignOff.Figures.Flagged), words.Thousands(a.SignOff.Figures.Size), inc,
		a.At.UTC().Format("2006-01-02"), words.Thousands(a.Now.Flagged), words.Thousands(a.Now.Size))
}

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
