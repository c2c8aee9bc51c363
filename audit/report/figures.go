package report

import (
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
)

// FigureRequest is how a person asks for a report's intervals and the
// limit it is judged against, as the report command's flags or a
// scheduled run's configuration write them: checked here once, each
// mistake naming its option (--fail-above on the command line, fail_above
// in the configuration).
type FigureRequest struct {
	Confidence string // "" is 95%
	Method     string // clopper-pearson (or exact) or wilson; "" the default
	FailAbove  string // the limit, e.g. "5%"; "" for none
	On         string // what the limit applies to: share or upper; "" is share
}

// Figures are a checked FigureRequest.
type Figures struct {
	Confidence float64
	Method     string
	Limit      *float64 // nil: no limit
	On         On
}

// Problems lists the request's mistakes.
func (r FigureRequest) Problems() []error {
	_, ps := r.parse()
	return ps
}

// Parse checks the request (its first mistake) and reads it.
func (r FigureRequest) Parse() (Figures, error) {
	f, ps := r.parse()
	if len(ps) > 0 {
		return f, ps[0]
	}
	return f, nil
}

func (r FigureRequest) parse() (Figures, []error) {
	f := Figures{Confidence: 0.95, Method: r.Method, On: On(strings.ToLower(strings.TrimSpace(r.On)))}
	var ps []error
	if strings.TrimSpace(r.Confidence) != "" {
		c, err := rate.Confidence.Parse(r.Confidence)
		if err != nil {
			ps = append(ps, opt.Errorf("%s %w", opt.Confidence, err))
		}
		f.Confidence = c
	}
	switch strings.ToLower(r.Method) {
	case "", MethodClopperPearson, "exact", MethodWilson:
	default:
		ps = append(ps, opt.Errorf("%s %q: use clopper-pearson (exact) or wilson", opt.Method, r.Method))
	}
	switch f.On {
	case "":
		f.On = OnShare
	case OnShare, OnUpper:
	default:
		ps = append(ps, opt.Errorf("%s %q: use share or upper", opt.FailOn, r.On))
	}
	if r.FailAbove != "" {
		limit, err := rate.Limit.Parse(r.FailAbove)
		if err != nil {
			ps = append(ps, opt.Errorf("%s %w", opt.FailAbove, err))
		}
		f.Limit = &limit
	} else if strings.TrimSpace(r.On) != "" {
		ps = append(ps, opt.Errorf("%s needs %s", opt.FailOn, opt.FailAbove))
	}
	return f, ps
}
