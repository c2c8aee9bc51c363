// Package localetext writes text meant for people — tables, text and
// Markdown reports, messages — in the character set of the user's locale,
// when that is not UTF-8: a Latin-1 terminal shows "─" or "–" written as
// UTF-8 as two or three characters of garbage. Files caseaudit writes
// (xlsx, HTML, CSV, JSON) and machine-read output are never passed through
// it: they stay UTF-8 whatever the locale.
//
// The locale is the one POSIX says governs the character set: LC_ALL, else
// LC_CTYPE, else LANG, the first set and not empty. What its character set
// is:
//
//   - a codeset named (en_GB.UTF-8, en_GB.ISO-8859-1, de_DE.iso885915@euro):
//     that one;
//   - none of the three set: UTF-8, as Go programs write and as systemd
//     takes it: what cron without a locale, containers and Windows run in;
//   - C or POSIX, set on purpose: ASCII, as the C libraries make it (glibc,
//     Debian's included, musl, macOS: the C locale's codeset is
//     ANSI_X3.4-1968; C.UTF-8 is another locale) and as systemd writes for
//     it;
//   - a name without a codeset (en_GB): its codeset is in the system's
//     locale database, which Go does not read, and differs between systems
//     (Debian's en_GB is ISO-8859-1; a locale not generated falls back to
//     C); ASCII is the one set right on every terminal whatever the answer.
//     A bare UTF-8 (what macOS's ssh sends as LC_CTYPE) says its set.
package localetext

import (
	"io"
	"os"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/textsafe"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/ianaindex"
	"golang.org/x/text/unicode/norm"
)

// Locale is the locale that decides the character set, from getenv
// (os.Getenv when nil): LC_ALL, else LC_CTYPE, else LANG.
func Locale(getenv func(string) string) string {
	if getenv == nil {
		getenv = os.Getenv
	}
	for _, k := range []string{"LC_ALL", "LC_CTYPE", "LANG"} {
		if v := strings.TrimSpace(getenv(k)); v != "" {
			return v
		}
	}
	return ""
}

// Charset is the character set of locale (see the package comment): nil
// when it is UTF-8, or when no locale is set (""); ascii when it is
// US-ASCII (C, POSIX, a name without a codeset). A codeset Go cannot
// encode is treated as ASCII: what is written is then readable on any
// terminal.
func Charset(locale string) (enc encoding.Encoding, ascii bool) {
	if locale == "" {
		return nil, false
	}
	lang, cs, ok := strings.Cut(locale, ".")
	if !ok {
		lang, _, _ = strings.Cut(lang, "@")
		if codesetKey(lang) == "utf8" {
			return nil, false
		}
		return nil, true
	}
	cs, _, _ = strings.Cut(cs, "@")
	key := codesetKey(cs)
	switch key {
	case "", "utf8":
		return nil, false
	case "ascii", "usascii", "ansix341968", "646":
		return nil, true
	}
	name := cs
	if n, ok := strings.CutPrefix(key, "iso8859"); ok && n != "" {
		name = "ISO-8859-" + n // glibc's normalised iso88591, as IANA spells it
	}
	e, err := ianaindex.IANA.Encoding(name)
	if err != nil || e == nil {
		return nil, true
	}
	return e, false
}

// codesetKey is a codeset's name as compared: lower case, letters and
// digits only (UTF-8, utf8 and UTF8 are one).
func codesetKey(cs string) string {
	return strings.Map(func(r rune) rune {
		if r < utf8.RuneSelf && (unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return unicode.ToLower(r)
		}
		return -1
	}, cs)
}

// Writer is w, or, when the locale getenv gives (os.Getenv when nil) has a
// character set other than UTF-8, a writer that re-encodes the UTF-8
// written to it in that set: typographic characters the set lacks become
// their ASCII look-alikes (─ and – become -, … becomes ...), letters it
// lacks lose their accents (ř becomes r), and anything else becomes ?.
func Writer(w io.Writer, getenv func(string) string) io.Writer {
	switch w.(type) {
	case *writer, Encoded:
		return w // re-encoded already, or further down
	}
	enc, ascii := Charset(Locale(getenv))
	if enc == nil && !ascii {
		return w
	}
	t := &writer{w: w}
	if cm, ok := enc.(*charmap.Charmap); ok {
		t.encode = cm.EncodeRune
	} else if enc != nil {
		e := enc.NewEncoder()
		t.encode = func(r rune) (byte, bool) {
			b, err := e.Bytes([]byte(string(r)))
			if err != nil || len(b) != 1 {
				return 0, false // multi-byte sets: the ASCII fallback
			}
			return b[0], true
		}
	}
	return t
}

// Encoded is a writer whose text is re-encoded further down its chain (a
// terminal's, made inert by textsafe before it is re-encoded): Writer
// returns it as it is.
type Encoded struct{ io.Writer }

// fallback is the ASCII look-alike of a typographic character caseaudit
// writes, for those the character set lacks. (ISO-8859-1 is IANA's, not
// the WHATWG's Windows-1252 under that name, whose dashes and quotes sit
// where ISO-8859-1 has control characters.) A switch, not a map: a map
// literal is built at start-up by every command, most of which never
// meet a character outside ASCII.
func fallback(r rune) (string, bool) {
	switch r {
	case '─', '━', '–', '—', '‒', '−', '‐', '‑':
		return "-", true
	case '‘', '’', '‚', '′':
		return "'", true
	case '“', '”', '„', '″':
		return `"`, true
	case '…':
		return "...", true
	case '→':
		return "->", true
	case '←':
		return "<-", true
	case '↑':
		return "^", true
	case '↓', '✓':
		return "v", true
	case '≥':
		return ">=", true
	case '≤':
		return "<=", true
	case '≠':
		return "!=", true
	case '≈':
		return "~", true
	case '•':
		return "*", true
	case '·':
		return "-", true
	case '†':
		return "+", true
	case '²':
		return "^2", true
	case '✗', '×':
		return "x", true
	case '│', '┃':
		return "|", true
	case '┼', '├', '┤', '┬', '┴':
		return "+", true
	case '\u2009', '\u202f', '\u2007', '\u200a', '\u2002', '\u2003':
		return " ", true
	}
	return "", false
}

type writer struct {
	w       io.Writer
	encode  func(rune) (byte, bool) // nil: ASCII
	pending []byte                  // an incomplete UTF-8 sequence from the last Write
}

func (t *writer) Write(p []byte) (int, error) {
	n := len(p)
	if len(t.pending) > 0 {
		p = append(t.pending, p...)
		t.pending = nil
	}
	cut := textsafe.CompleteUTF8(p) // keep a sequence cut at the end for the next Write
	t.pending = append(t.pending, p[cut:]...)
	out := make([]byte, 0, cut)
	for _, r := range string(p[:cut]) {
		out = t.appendRune(out, r)
	}
	if _, err := t.w.Write(out); err != nil {
		return 0, err
	}
	return n, nil
}

func (t *writer) appendRune(out []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(out, byte(r))
	}
	if t.encode != nil {
		if b, ok := t.encode(r); ok && b != 0x1a {
			return append(out, b)
		}
	}
	if s, ok := fallback(r); ok {
		return append(out, s...)
	}
	var base []byte
	for _, d := range norm.NFD.String(string(r)) {
		if unicode.Is(unicode.Mn, d) {
			continue
		}
		if d >= utf8.RuneSelf {
			return append(out, '?')
		}
		base = append(base, byte(d))
	}
	if len(base) == 0 {
		return append(out, '?')
	}
	return append(out, base...)
}
