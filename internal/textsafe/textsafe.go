// Package textsafe keeps text from exports and notes inert in outputs:
// spreadsheet formulas in CSV cells, and control characters or ANSI escape
// sequences on terminals.
package textsafe

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// CSVCell returns s made safe for a CSV cell that a spreadsheet may open:
// text starting with = + - @ tab or CR gets a leading single quote, so it
// is shown as text and never evaluated as a formula (CSV injection).
// Plain numbers such as -12.5 are left alone.
func CSVCell(s string) string {
	if s == "" {
		return s
	}
	switch s[0] {
	case '=', '+', '-', '@', '\t', '\r':
		if _, err := strconv.ParseFloat(s, 64); err == nil && s[0] != '=' && s[0] != '@' {
			return s
		}
		return "'" + s
	}
	return s
}

// Terminal returns s with control characters (C0, DEL, C1), including the
// ESC that starts ANSI sequences, replaced by U+FFFD, and invalid UTF-8
// repaired, so a cell cannot move the cursor, recolour or clear the screen.
// Newlines and tabs become spaces so a cell stays on its line.
func Terminal(s string) string { return scrub(s, false) }

// TerminalText is Terminal for text of several lines: line breaks and tabs
// stay; every other control character (and invalid UTF-8) becomes U+FFFD.
// For csv or markdown written to a terminal.
func TerminalText(s string) string { return scrub(s, true) }

func isControl(r rune) bool { return r < 0x20 || r == 0x7f || (r >= 0x80 && r < 0xa0) }

// scrub replaces control characters and invalid UTF-8 with U+FFFD; line
// breaks and tabs are kept when lines is set, else CR, LF and tab become
// spaces.
func scrub(s string, lines bool) string {
	keep := func(r rune) bool { return lines && (r == '\n' || r == '\t') }
	clean := true
	for _, r := range s {
		if (isControl(r) && !keep(r)) || r == utf8.RuneError {
			clean = false
			break
		}
	}
	if clean {
		return s
	}
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "\uFFFD") {
		switch {
		case keep(r):
		case !lines && (r == '\n' || r == '\t' || r == '\r'):
			r = ' '
		case isControl(r):
			r = '\uFFFD'
		}
		b.WriteRune(r)
	}
	return b.String()
}
