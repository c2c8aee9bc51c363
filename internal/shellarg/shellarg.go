// Package shellarg quotes words for a POSIX shell (sh, bash, zsh), so a
// command caseaudit prints for the user to run can be pasted as it is.
package shellarg

import "strings"

// Quote returns s as one shell word: as it is when it holds only
// characters no shell treats specially (e.g. 2026-07.xlsx); else in double
// quotes when nothing inside them is special ("2026-07 monthly", as people
// write it); else in single quotes, inside which nothing is special, each
// single quote in s closing the quotes, escaped, and opening them again:
//
//	it's $5  →  'it'\''s $5'
func Quote(s string) string {
	if s == "" {
		return "''"
	}
	if strings.IndexFunc(s, func(r rune) bool { return !plain(r) }) < 0 {
		return s
	}
	if !strings.ContainsAny(s, "$`\\\"!\n") {
		return `"` + s + `"`
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

// Join quotes each word and joins them with spaces.
func Join(words ...string) string {
	q := make([]string, len(words))
	for i, w := range words {
		q[i] = Quote(w)
	}
	return strings.Join(q, " ")
}

// plain reports whether r means nothing to a shell anywhere in a word.
func plain(r rune) bool {
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return true
	}
	return strings.ContainsRune("-_./:@%+,=", r) || r > 127 && r != '\u00a0'
}
