package audit

import (
	"errors"
	"fmt"
)

// kindError is an error whose message says everything a person needs, and
// which is one of the package's sentinel errors for errors.Is: the sentinel's
// own text is not appended to the message (no "…: not found" tail).
type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// errorf formats a message and marks it as kind.
func errorf(kind error, format string, a ...any) error {
	return &kindError{msg: fmt.Sprintf(format, a...), kind: kind}
}

// Errors a caller may test for with errors.Is.
var (
	// ErrNotFound: no audit of that name (or no audit at all).
	ErrNotFound = errors.New("not found")
	// ErrReasonRequired: a case already has a finding and a correction needs a reason.
	ErrReasonRequired = errors.New("a correction needs a reason")
	// ErrNotInSample: the case is not in the audit's sample.
	ErrNotInSample = errors.New("case not in the audit's sample")
)
