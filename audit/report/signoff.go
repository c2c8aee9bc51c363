package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

// SignOffView is an audit's sign-off as a report states it: when and by
// whom, the figures signed off, and, when a correction since changed them,
// the figures now and the sentence every view repeats.
type SignOffView struct {
	At      time.Time     `json:"at"`
	By      string        `json:"by"`
	Figures audit.Figures `json:"figures"`
	// Incomplete is what the audit lacked when QA signed it off anyway
	// (signoff --force); absent when it was complete.
	Incomplete *audit.Incomplete `json:"incomplete,omitempty"`
	Amended    bool              `json:"amended"`
	// AmendedAt is when the first entry that changed the figures was made.
	AmendedAt *time.Time     `json:"amended_at,omitempty"`
	Now       *audit.Figures `json:"now,omitempty"`
	// Sentence says it in words: "signed off 2026-10-03 with 8 of 120
	// flagged", or with the amendment.
	Sentence string `json:"sentence"`
}

// Figures are the report's figures as a sign-off records them: the
// headline count and size, the interval, and each group's count.
func (r *Report) Figures() audit.Figures {
	f := audit.Figures{Flagged: r.Flagged, Size: r.Audited, Confidence: r.CI.Confidence, Method: r.CI.Method}
	if r.Population != nil {
		f.Population = *r.Population
	}
	if r.CI.Lower != nil && r.CI.Upper != nil {
		f.Lower, f.Upper = *r.CI.Lower, *r.CI.Upper
	}
	for _, g := range r.Breakdown {
		f.Teams = append(f.Teams, audit.TeamFigures{Team: g.Group, Flagged: g.Flagged, Size: g.Audited})
	}
	return f
}

// signOffView states the sign-off state against the figures now; nil when
// the audit was never signed off.
func signOffView(st *audit.SignOffState, now audit.Figures) *SignOffView {
	if st == nil || st.SignOff == nil {
		return nil
	}
	so := st.SignOff
	v := &SignOffView{At: so.At.UTC(), By: so.By, Figures: so.Figures, Incomplete: so.Incomplete,
		Sentence: fmt.Sprintf("signed off %s by %s with %s of %s flagged", so.At.UTC().Format(time.DateOnly), so.By,
			thousands(so.Figures.Flagged), thousands(so.Figures.Size))}
	if so.Incomplete != nil {
		v.Sentence += " (" + so.Incomplete.Phrase() + ")"
	}
	if am := st.Amendment(now); am != nil {
		at := am.At.UTC()
		v.Amended, v.AmendedAt, v.Now, v.Sentence = true, &at, &am.Now, am.Sentence()
	}
	return v
}

// signOff states the audit's sign-off, and puts it (or its amendment)
// first among the notes, which every format shows.
func (r *Report) signOff(ctx context.Context, st *audit.Store, a *audit.Audit) error {
	s, err := st.SignOffOf(ctx, a.Name)
	if err != nil {
		return err
	}
	r.SignOff = signOffView(s, r.Figures())
	switch {
	case r.SignOff != nil && r.SignOff.Amended:
		r.Notes = append([]string{"Amended after sign-off: " + r.SignOff.Sentence + "."}, r.Notes...)
	case r.SignOff != nil:
		// A board reading the report sees that these are the figures
		// signed off, and by whom, not a draft.
		r.Notes = append([]string{"S" + strings.TrimPrefix(r.SignOff.Sentence, "s") + "."}, r.Notes...)
	}
	return nil
}

// SignOffFigures computes an audit's figures with the report's own code,
// from one snapshot of the store, and the number of trail entries they
// were computed from (for audit.Store.SignOffAudit).
func SignOffFigures(ctx context.Context, st *audit.Store, name string, opts Options) (f audit.Figures, asOf int, err error) {
	if err := opts.normalise(); err != nil {
		return f, 0, err
	}
	opts.NoCompare = true
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		a, err := st.Audit(ctx, name)
		if err != nil {
			return err
		}
		r, _, _, _, err := core(ctx, st, a, opts)
		if err != nil {
			return err
		}
		if r.Audited == 0 {
			return fmt.Errorf("audit %q has no finding yet; there is nothing to sign off", a.Name)
		}
		es, err := st.Trail(ctx, a.Name)
		if err != nil {
			return err
		}
		f, asOf = r.Figures(), len(es)
		return nil
	})
	return f, asOf, err
}

// trendSignOff marks a trend point signed off, complete, or amended.
func (p *TrendPoint) signOff(ctx context.Context, st *audit.Store, opts Options) error {
	p.Complete = p.Sampled > 0 && p.Audited == p.Sampled
	s, err := st.SignOffOf(ctx, p.Audit)
	if err != nil || s.SignOff == nil {
		return err
	}
	p.SignedOff = true
	p.SignedOffIncomplete = s.SignOff.Incomplete != nil
	if s.ChangedAt.IsZero() {
		return nil // nothing since the sign-off could have changed it
	}
	a, err := st.Audit(ctx, p.Audit)
	if err != nil {
		return err
	}
	o := opts
	o.NoCompare = true
	r, _, _, _, err := core(ctx, st, a, o)
	if err != nil {
		return err
	}
	if v := signOffView(s, r.Figures()); v != nil && v.Amended {
		p.Amended = v.Sentence
	}
	return nil
}

// StatusMark says whether a trend row is final: "signed off", "amended
// after sign-off", or not yet ("signed off incomplete", "not signed off",
// "incomplete, not signed off"), so that a half-recorded month is never
// read as final.
func (p TrendPoint) StatusMark() string {
	switch {
	case p.Retired:
		return "retired (sealed summary)"
	case p.Amended != "":
		return "amended after sign-off"
	case p.SignedOffIncomplete:
		return "signed off incomplete"
	case p.SignedOff:
		return "signed off"
	case !p.Complete:
		return "incomplete, not signed off"
	}
	return "not signed off"
}

// trendAmendments lists the amendment sentences of a trend's audits.
func trendAmendments(ps []TrendPoint) []string {
	var out []string
	for _, p := range ps {
		if p.Amended != "" {
			out = append(out, p.Audit+": "+p.Amended+".")
		}
	}
	return out
}

// SignOffState states an audit's sign-off against its figures now, as a
// status line does; nil when it was never signed off.
func SignOffState(ctx context.Context, st *audit.Store, name string) (v *SignOffView, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		s, err := st.SignOffOf(ctx, name)
		if err != nil || s.SignOff == nil {
			return err
		}
		a, err := st.Audit(ctx, name)
		if err != nil {
			return err
		}
		o := Options{}
		if err := o.normalise(); err != nil {
			return err
		}
		r, _, _, _, err := core(ctx, st, a, o)
		if err != nil {
			return err
		}
		v = signOffView(s, r.Figures())
		return nil
	})
	return v, err
}
