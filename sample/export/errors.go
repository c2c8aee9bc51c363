package export

import (
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

// InputError is a problem with an export that a person can fix. Its message
// names the file and, where known, the sheet, row and column, says what is
// wrong and what to do, on one line.
type InputError struct {
	Path   string // the export as the user named it
	Sheet  string // "" for csv or when not known
	Row    int    // 1-based row in the sheet or csv file; 0 when not known
	Column string // column letter or header name; "" when not known
	Msg    string // what is wrong, lower case, no trailing full stop
	Hint   string // what to do; "" when there is nothing useful to say
	Err    error  // underlying cause, if any (for errors.Is/As); not printed

	hint opt.Text // Hint with the options it names as data (WithHint)
}

// NoSheetError is the cause of the InputError for a sheet asked for that
// the workbook does not have (renamed in this month's export, say): the
// sheet wanted and the sheets there are, for a face to say where the name
// was pinned and what to change it to.
type NoSheetError struct {
	Want   string
	Sheets []string // the workbook's sheets, in order
}

func (e *NoSheetError) Error() string { return fmt.Sprintf("no sheet %q", e.Want) }

// WithHint sets the hint to a text that names options, keeping them as data
// so that a face spells them its way (Spell).
func (e *InputError) WithHint(t opt.Text) *InputError {
	e.Hint, e.hint = t.String(), t
	return e
}

func (e *InputError) Error() string { return e.message(e.Hint) }

// Spell is the message with the options its hint names spelled as st
// spells them.
func (e *InputError) Spell(st opt.Style) string {
	if !e.hint.IsZero() && e.hint.String() == e.Hint {
		return e.message(e.hint.Spell(st))
	}
	return e.message(e.Hint)
}

func (e *InputError) message(hint string) string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ": sheet %q", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %s", words.Thousands(e.Row))
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if hint != "" {
		b.WriteString("; ")
		b.WriteString(hint)
	}
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}
