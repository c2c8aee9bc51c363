package store

import "fmt"

// kindError is an error whose message says everything a person needs and
// which is one of the package's sentinel errors for errors.Is: the
// sentinel's own text is not appended to the message.
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
