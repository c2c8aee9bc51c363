package textsafe

import (
	"io"
	"strings"
	"unicode/utf8"
)

// Emphasis marks for text meant for a terminal: a renderer writes Bold and
// Plain around what it wants emphasised, and a Writer turns them into the
// terminal's escape sequences when colour is allowed, or drops them. They
// are private-use characters, so no escape sequence ever needs to pass
// through a Writer: every control character that reaches one is data.
const (
	Bold  = "\uE010"
	Plain = "\uE011"
)

// OneLine returns s with line breaks and tabs turned into spaces, for a
// cell of a table that must stay on its line. It does not make s safe for
// a terminal: a Writer does that.
func OneLine(s string) string {
	if !strings.ContainsAny(s, "\n\r\t") {
		return s
	}
	return strings.Map(func(r rune) rune {
		if r == '\n' || r == '\r' || r == '\t' {
			return ' '
		}
		return r
	}, s)
}

// Writer makes everything written through it inert on a terminal: control
// characters other than line feeds and tabs (the ESC of every ANSI
// sequence, carriage returns, C1 controls) and invalid UTF-8 become U+FFFD,
// so text from an export or a note cannot move the cursor, recolour or
// clear the screen. The emphasis marks become escape sequences when colour
// is on. Standard output is wrapped in one when it is a terminal; data
// written to a pipe or a file never goes through one and stays byte-exact.
type Writer struct {
	w     io.Writer
	color bool
	tail  []byte // an incomplete UTF-8 sequence from the previous Write
}

// NewWriter returns a Writer writing to w.
func NewWriter(w io.Writer, color bool) *Writer { return &Writer{w: w, color: color} }

// Write writes p made inert. A UTF-8 sequence cut between two writes is
// held until the next; it reports len(p) when all of p was taken.
func (t *Writer) Write(p []byte) (int, error) {
	buf := append(t.tail, p...)
	t.tail = nil
	cut := CompleteUTF8(buf) // hold back an incomplete sequence at the end
	t.tail = append([]byte(nil), buf[cut:]...)
	if _, err := io.WriteString(t.w, t.inert(buf[:cut])); err != nil {
		return 0, err
	}
	return len(p), nil
}

// CompleteUTF8 is the length of b less a UTF-8 sequence cut short at its
// end: a writer holds that part back until the next write completes it.
func CompleteUTF8(b []byte) int {
	for i := len(b) - 1; i >= 0 && i >= len(b)-utf8.UTFMax; i-- {
		if utf8.RuneStart(b[i]) {
			if !utf8.FullRune(b[i:]) {
				return i
			}
			break
		}
	}
	return len(b)
}

// Flush writes a held incomplete sequence, as U+FFFD.
func (t *Writer) Flush() error {
	if len(t.tail) == 0 {
		return nil
	}
	t.tail = nil
	_, err := io.WriteString(t.w, "\uFFFD")
	return err
}

func (t *Writer) inert(b []byte) string {
	var out strings.Builder
	out.Grow(len(b))
	for len(b) > 0 {
		r, n := utf8.DecodeRune(b)
		b = b[n:]
		switch {
		case r == utf8.RuneError && n <= 1:
			out.WriteRune('\uFFFD')
		case r == '\n' || r == '\t':
			out.WriteRune(r)
		case isControl(r):
			out.WriteRune('\uFFFD')
		case string(r) == Bold:
			if t.color {
				out.WriteString("\033[1m")
			}
		case string(r) == Plain:
			if t.color {
				out.WriteString("\033[0m")
			}
		default:
			out.WriteRune(r)
		}
	}
	return out.String()
}

// StripMarks removes the emphasis marks from s (for text not written
// through a Writer).
func StripMarks(s string) string {
	if !strings.ContainsAny(s, Bold+Plain) {
		return s
	}
	return strings.NewReplacer(Bold, "", Plain, "").Replace(s)
}
