package audit

import (
	"errors"
	"fmt"
	"math"
	"strings"

	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
)

// PlanRequest asks how many cases to audit to show, at a confidence, that
// fewer than a tolerable share of all cases need immediate attention, if
// the audit finds no more than Expected such cases. Rates are as a person
// writes them ("2.5%" or "0.025"), from flags or a configuration alike.
type PlanRequest struct {
	Tolerable  string // the share to show is not exceeded; required
	Confidence string // "" is 95%
	Expected   int    // flagged cases the plan allows the audit to find
	// Population is the number of cases sampled from; 0 when it is not
	// known (a scheduled run plans before the month's export is read).
	Population int
	// Method is the model; "" lets PlanSize choose (see Plan.Method).
	Method stats.SampleSizeMethod
}

// Plan is a sample size and what it was worked out from.
type Plan struct {
	// Method is the model the size comes from. Unless asked for another,
	// it is hypergeometric when the population is known (exact for drawing
	// without replacement from it) and binomial when it is not (a large
	// population; never smaller than the hypergeometric size).
	Method     stats.SampleSizeMethod
	Tolerable  float64
	Confidence float64
	Expected   int
	Population int // 0 when not known
	Size       int
}

// DefaultPlanConfidence is the confidence of a plan that names none.
const DefaultPlanConfidence = 0.95

// Check reports mistakes in the request's values.
func (r PlanRequest) Check() error {
	_, err := r.parse()
	return err
}

func (r PlanRequest) parse() (Plan, error) {
	p := Plan{Confidence: DefaultPlanConfidence, Expected: r.Expected, Population: r.Population, Method: r.Method}
	if strings.TrimSpace(r.Tolerable) == "" {
		return p, opt.Errorf("give %s, the share you want to show is not exceeded (e.g. 2.5%%)", opt.Tolerable)
	}
	var err error
	if p.Tolerable, err = rate.Share.Parse(r.Tolerable); err != nil {
		return p, opt.Errorf("%s %w", opt.Tolerable, err)
	}
	if strings.TrimSpace(r.Confidence) != "" {
		if p.Confidence, err = rate.Confidence.Parse(r.Confidence); err != nil {
			return p, opt.Errorf("%s %w", opt.PlanConfidence, err)
		}
	}
	if r.Expected < 0 {
		return p, opt.Errorf("%s must not be negative", opt.Expected)
	}
	if r.Population < 0 {
		return p, opt.Errorf("%s must not be negative", opt.Population)
	}
	if p.Method == "" {
		p.Method = stats.Binomial
		if r.Population > 0 {
			p.Method = stats.Hypergeometric
		}
	}
	switch p.Method {
	case stats.Binomial, stats.Poisson:
	case stats.Hypergeometric:
		if r.Population == 0 {
			return p, opt.Errorf("%s hypergeometric needs %s N", opt.PlanMethod, opt.Population)
		}
	default:
		return p, opt.Errorf("%s %q: use binomial, poisson or hypergeometric", opt.PlanMethod, string(p.Method))
	}
	return p, nil
}

// PlanSize works out the smallest sample size that meets the plan, with the
// model the request names or, when it names none, the one that fits what is
// known of the population (Plan.Method says which). A plan no sample can
// meet is an error wrapping stats.ErrInfeasible that says what to change.
func PlanSize(r PlanRequest) (*Plan, error) {
	p, err := r.parse()
	if err != nil {
		return nil, err
	}
	p.Size, err = stats.SampleSize(stats.SampleSizeParams{Method: p.Method, Tolerable: p.Tolerable,
		Confidence: p.Confidence, ExpectedErrors: p.Expected, Population: p.Population})
	if errors.Is(err, stats.ErrInfeasible) {
		if p.Population > 0 {
			most := int(math.Ceil(p.Tolerable * float64(p.Population)))
			return nil, opt.Errorf("no sample can meet this plan: %s of the %s is %s, no more than the %d the plan allows the audit to find; allow fewer (%s) or give a higher %s%w",
				rate.Exact(p.Tolerable), words.Count(p.Population, "case"), words.Count(most, "case"), p.Expected, opt.Expected, opt.Tolerable, silent{err})
		}
		return nil, opt.Errorf("no sample can meet this plan: it would need more than %s; give a higher %s, a lower %s or fewer %s%w",
			words.Count(stats.MaxSampleSize, "case"), opt.Tolerable, opt.PlanConfidence, opt.Expected, silent{err})
	}
	if err != nil {
		return nil, err
	}
	return &p, nil
}

// Sentence is what the plan lets its auditors say, e.g. "Audit 120 cases
// chosen at random. If none of them needs immediate attention, you can say
// with 95% confidence that fewer than 2.5% of all cases do."
func (p *Plan) Sentence() string {
	var found string
	switch p.Expected {
	case 0:
		found = "none of them needs"
	case 1:
		found = "at most 1 of them needs"
	default:
		found = fmt.Sprintf("at most %d of them need", p.Expected)
	}
	of := "all cases"
	if p.Population > 0 {
		of = "the " + words.Count(p.Population, "case")
	}
	return fmt.Sprintf("Audit %s chosen at random. If %s immediate attention, you can say with %s confidence that fewer than %s of %s do.",
		words.Count(p.Size, "case"), found, rate.ConfidencePercent(p.Confidence), rate.Exact(p.Tolerable), of)
}

// AuditEveryCase reports whether the plan asks for more cases than its
// population holds (a binomial or Poisson plan for a small population):
// auditing every case is then cheaper, and the hypergeometric plan exact.
func (p *Plan) AuditEveryCase() bool { return p.Population > 0 && p.Size > p.Population }

// silent wraps an error for errors.Is without adding to the message.
type silent struct{ err error }

func (s silent) Error() string { return "" }
func (s silent) Unwrap() error { return s.err }
