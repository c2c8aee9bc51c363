package report

import (
	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/errkind"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
)

// Verdict is a report's figure judged against the limit of fail_above: the
// share needing immediate attention or, on OnUpper, the upper bound of its
// interval.
type Verdict struct {
	Audit   string
	Limit   float64
	On      On
	Value   float64 // the figure judged
	Exceeds bool
	// Err says why the figure could not be judged (it wraps
	// ErrNothingAudited when no case is audited yet).
	Err error
}

// Judge judges the report against limit, on the share ("" or OnShare) or
// the upper bound of its interval (OnUpper).
func (r *Report) Judge(limit float64, on On) Verdict {
	if on == "" {
		on = OnShare
	}
	v := Verdict{Audit: r.Audit, Limit: limit, On: on}
	v.Exceeds, v.Value, v.Err = r.Exceeds(limit, on)
	return v
}

// Text says how the figure stands against the limit: "2026-07 monthly: the
// share needing immediate attention, 3.33%, is within fail_above 5%".
func (v Verdict) Text() opt.Text {
	what := "the share needing immediate attention"
	if v.On == OnUpper {
		what = "the upper bound of the interval for the share needing immediate attention"
	}
	stands := "within"
	if v.Exceeds {
		stands = "above"
	}
	return opt.Sprintf("%s: %s, %s, is %s %s %s", v.Audit, what, rate.Percent(v.Value, 2, rate.Nearest), stands, opt.FailAbove, rate.Exact(v.Limit))
}

// Failure is the verdict as the error a command ends with: nil within the
// limit; above it, an error marked audit.ErrThreshold; the reason when the
// figure could not be judged.
func (v Verdict) Failure() error {
	switch {
	case v.Err != nil:
		return opt.Errorf("cannot check %s: %w", opt.FailAbove, v.Err)
	case v.Exceeds:
		return errkind.Errorf(audit.ErrThreshold, "%s", v.Text())
	}
	return nil
}
