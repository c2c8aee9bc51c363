package report

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
)

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
// now are the figures as a sign-off records them (signOffNow).
func (r *Report) signOff(ctx context.Context, st *audit.Store, a *audit.Audit, now audit.Figures) error {
	s, err := st.SignOffOf(ctx, a.Name)
	if err != nil {
		return err
	}
	r.SignOff = signOffView(s, now)
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
