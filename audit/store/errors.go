package store

import "github.com/caseaudit/caseaudit/internal/errkind"

// errorf formats a message and marks it as kind, one of the package's
// sentinel errors.
var errorf = errkind.Errorf
