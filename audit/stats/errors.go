package stats

import (
	"errors"
	"fmt"
	"math"
)

// ErrInvalid is wrapped by every error about input outside a function's
// domain: a negative count, more cases with the attribute than cases, a
// confidence outside (0, 1), and so on.
var ErrInvalid = errors.New("invalid input")

// ErrInfeasible is wrapped by the errors of [SampleSize] when the inputs are
// valid but no sample size can meet the plan (for example more expected
// errors than the population can hold below the tolerable rate).
var ErrInfeasible = errors.New("no sample size meets the plan")

func invalidf(format string, args ...any) error {
	return fmt.Errorf("stats: %w: "+format, append([]any{ErrInvalid}, args...)...)
}

// checkConfidence returns α = 1 − confidence after checking the confidence
// is a number strictly between 0 and 1.
func checkConfidence(confidence float64) (alpha float64, err error) {
	if math.IsNaN(confidence) || confidence <= 0 || confidence >= 1 {
		return 0, invalidf("confidence %v is outside (0, 1); give a fraction such as 0.95 for 95%%", confidence)
	}
	return 1 - confidence, nil
}

// MaxCount is the largest sample or population size the package accepts
// (about two billion): far beyond any case list, and small enough that every
// computation stays exact in float64 and finishes quickly.
const MaxCount = 1 << 31

// checkCount checks 0 ≤ k ≤ n, 1 ≤ n ≤ MaxCount; what names the count in
// messages.
func checkCount(what string, k, n int) error {
	switch {
	case n > MaxCount:
		return invalidf("%s: sample size n = %d exceeds %d", what, n, MaxCount)
	case n <= 0:
		return invalidf("%s: sample size n = %d; it must be at least 1", what, n)
	case k < 0:
		return invalidf("%s: count k = %d is negative", what, k)
	case k > n:
		return invalidf("%s: count k = %d is larger than the sample size n = %d", what, k, n)
	}
	return nil
}
