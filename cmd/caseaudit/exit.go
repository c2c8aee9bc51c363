package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/textsafe"
)

// Exit codes, documented in `caseaudit --help` and the README.
const (
	exitOK          = 0
	exitError       = 1
	exitUsage       = 2
	exitThreshold   = 3 // --fail-above exceeded, or an action overdue with --fail-on-overdue
	exitVerify      = 4 // verification found a discrepancy
	exitDuty        = 5 // refused: not the person's duty (see "Who may do what")
	exitInterrupted = 130
)

const exitCodesHelp = `Exit codes:
  0    success
  1    error (bad input, unreadable file, store problem)
  2    usage error (unknown flag, missing argument)
  3    threshold exceeded (--fail-above, --fail-on-overdue)
  4    verification failed (verify found a discrepancy)
  5    refused: not your duty in this store (the message names the rule and who may do it)
  130  interrupted (Ctrl-C); partial outputs are removed`

// usageError is a mistake in how the command was called: exit 2, with a
// pointer to the help.
type usageError struct{ err error }

func (e *usageError) Error() string { return e.err.Error() }
func (e *usageError) Unwrap() error { return e.err }

func usagef(format string, a ...any) error { return &usageError{fmt.Errorf(format, a...)} }

// interrupted is a stop the person asked for (Ctrl-C, end of input at a
// prompt), with what it left behind: exit 130.
type interrupted struct{ msg string }

func (e *interrupted) Error() string        { return e.msg }
func (e *interrupted) Is(target error) bool { return target == context.Canceled }

// exitCode decides the process exit code for err, in one place.
func exitCode(err error) int {
	var ue *usageError
	switch {
	case err == nil:
		return exitOK
	case errors.Is(err, context.Canceled):
		return exitInterrupted
	case errors.Is(err, audit.ErrDuty):
		return exitDuty
	case errors.Is(err, audit.ErrThreshold):
		return exitThreshold
	case errors.Is(err, audit.ErrNotVerified):
		return exitVerify
	case errors.As(err, &ue):
		return exitUsage
	}
	return exitError
}

// printError writes err's message msg (its options spelled) as one line
// (or, for usage errors, with a hint to the help) to w.
func printError(w io.Writer, msg string, err error, cmdPath string) {
	if errors.Is(err, context.Canceled) {
		var ie *interrupted
		if errors.As(err, &ie) {
			fmt.Fprintf(w, "caseaudit: interrupted: %s\n", textsafe.Terminal(ie.msg))
			return
		}
		fmt.Fprintln(w, "caseaudit: interrupted")
		return
	}
	if msg == "" {
		return
	}
	// One line, and inert: messages may quote text from exports (case IDs,
	// cells) which must not move the cursor or recolour the terminal.
	msg = textsafe.Terminal(strings.TrimSpace(msg))
	fmt.Fprintf(w, "caseaudit: %s\n", msg)
	var ue *usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(w, "Run '%s --help' for usage.\n", cmdPath)
	}
}
