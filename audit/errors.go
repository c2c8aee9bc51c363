package audit

import (
	"errors"

	"github.com/caseaudit/caseaudit/internal/errkind"
)

// errorf formats a message and marks it as kind, one of the package's
// sentinel errors.
var errorf = errkind.Errorf

// Errors a caller may test for with errors.Is.
var (
	// ErrNotFound: no audit of that name (or no audit at all).
	ErrNotFound = errors.New("not found")
	// ErrReasonRequired: a case already has a finding and a correction needs a reason.
	ErrReasonRequired = errors.New("a correction needs a reason")
	// ErrNotInSample: the case is not in the audit's sample.
	ErrNotInSample = errors.New("case not in the audit's sample")
)

// ErrThreshold: a figure is past a limit the person running the command
// set — a report's share needing immediate attention above its limit,
// follow-up actions overdue when asked to fail on them — which a scripted
// run tells apart from any other failure.
var ErrThreshold = errors.New("threshold exceeded")

// ErrNotVerified: an audit, or the store log keeping retired audits'
// summaries, does not verify.
var ErrNotVerified = errors.New("verification failed")
