// Package errkind makes errors whose message says everything a person
// needs and which are one of a package's sentinel errors for errors.Is:
// the sentinel's own text is not appended to the message (no "…: not
// found" tail). The options a message names are kept as data (opt.Text),
// for a face to spell as flags or configuration keys.
package errkind

import "github.com/caseaudit/caseaudit/internal/opt"

type kindError struct {
	msg  opt.Text
	kind error
}

func (e *kindError) Error() string             { return e.msg.String() }
func (e *kindError) Spell(st opt.Style) string { return e.msg.Spell(st) }
func (e *kindError) Is(target error) bool      { return target == e.kind }

// Errorf formats a message and marks it as kind: errors.Is(err, kind).
func Errorf(kind error, format string, a ...any) error {
	return &kindError{msg: opt.Sprintf(format, a...), kind: kind}
}
