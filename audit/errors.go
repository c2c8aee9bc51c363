package audit

import "github.com/caseaudit/caseaudit/internal/opt"

// kindError is an error whose message says everything a person needs, and
// which is one of the package's sentinel errors for errors.Is: the sentinel's
// own text is not appended to the message (no "…: not found" tail).
type kindError struct {
	msg  opt.Text // options it names kept as data
	kind error
}

func (e *kindError) Error() string             { return e.msg.String() }
func (e *kindError) Spell(st opt.Style) string { return e.msg.Spell(st) }
func (e *kindError) Is(target error) bool      { return target == e.kind }

// errorf formats a message and marks it as kind.
func errorf(kind error, format string, a ...any) error {
	return &kindError{msg: opt.Sprintf(format, a...), kind: kind}
}
