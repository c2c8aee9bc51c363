package sample

import (
	"errors"
	"fmt"
	"strings"
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
}

func (e *InputError) Error() string {
	var b strings.Builder
	b.WriteString(e.Path)
	if e.Sheet != "" {
		fmt.Fprintf(&b, ": sheet %q", e.Sheet)
	}
	if e.Row > 0 {
		fmt.Fprintf(&b, ", row %s", Thousands(e.Row))
	}
	if e.Column != "" {
		fmt.Fprintf(&b, ", column %s", e.Column)
	}
	b.WriteString(": ")
	b.WriteString(e.Msg)
	if e.Hint != "" {
		b.WriteString("; ")
		b.WriteString(e.Hint)
	}
	return b.String()
}

func (e *InputError) Unwrap() error { return e.Err }

// IsInputError reports whether err is (or wraps) an InputError.
func IsInputError(err error) bool {
	var ie *InputError
	return errors.As(err, &ie)
}

// Thousands formats n with comma thousands separators, as people read row
// numbers and counts: 1048575 -> "1,048,575".
func Thousands(n int) string {
	s := fmt.Sprint(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-" + b.String()
	}
	return b.String()
}
