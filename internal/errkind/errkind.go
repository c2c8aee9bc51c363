// Package errkind makes errors whose message says everything a person
// needs and which are one of a package's sentinel errors for errors.Is:
// the sentinel's own text is not appended to the message (no "…: not
// found" tail).
package errkind

import "fmt"

type kindError struct {
	msg  string
	kind error
}

func (e *kindError) Error() string        { return e.msg }
func (e *kindError) Is(target error) bool { return target == e.kind }

// Errorf formats a message and marks it as kind: errors.Is(err, kind).
func Errorf(kind error, format string, a ...any) error {
	return &kindError{msg: fmt.Sprintf(format, a...), kind: kind}
}
