package store

import (
	"errors"

	"github.com/caseaudit/caseaudit/internal/errkind"
)

// errorf formats a message and marks it as kind, one of the package's
// sentinel errors.
var errorf = errkind.Errorf

// ErrDuty: the database refused what the login's roles do not allow (a
// duty refused by the store's own guards; audit.ErrDuty is the same).
var ErrDuty = errors.New("not this person's duty")

// Refusal is what the database's own guards refused: a login without the
// store role a write needs, or a trigger that found the write not the
// login's duty (SQLSTATE 42501). It is an ErrDuty, as the use-case
// layer's refusals are, and exits the same way; the audit package, which
// knows the duty the write exercised, words it as its own refusals are
// worded (rule and who may do it), keeping the database's reason.
type Refusal struct {
	// Doing and Store say what was being done to which store.
	Doing, Store string
	// Reason is the database's reason, without caseaudit's prefix.
	Reason string
}

func (r *Refusal) Error() string {
	return "refused: " + r.Reason + " (" + r.Doing + " the store " + r.Store + ")"
}

// Is makes errors.Is(err, ErrDuty) true.
func (r *Refusal) Is(target error) bool { return target == ErrDuty }
