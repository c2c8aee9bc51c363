// Package words formats numbers, counts and text the way people read them in
// messages and reports: thousands separators, singular and plural, text cut
// to a length.
package words

import (
	"fmt"
	"path/filepath"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

// Thousands formats n with comma thousands separators, as people read row
// numbers and counts: 1048575 -> "1,048,575".
func Thousands(n int) string {
	s := strconv.Itoa(n)
	neg := strings.HasPrefix(s, "-")
	if neg {
		s = s[1:]
	}
	var b strings.Builder
	if neg {
		b.WriteByte('-')
	}
	for i, c := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	return b.String()
}

// Count is n and the noun, singular for exactly one: "1 case", "1,200 cases".
// The plural adds "s" unless given: Count(2, "entry", "entries").
func Count(n int, noun string, plural ...string) string {
	return Thousands(n) + " " + Noun(n, noun, plural...)
}

// Noun is noun for exactly one, else its plural ("s" added unless given).
func Noun(n int, noun string, plural ...string) string {
	if n == 1 {
		return noun
	}
	if len(plural) > 0 {
		return plural[0]
	}
	return noun + "s"
}

// Clip shortens s to at most n runes, ending it with "…" when cut (for
// limits such as Excel's on prompts, error texts and page headers).
func Clip(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	if n <= 0 {
		return ""
	}
	return string([]rune(s)[:n-1]) + "…"
}

// QuoteList quotes each string and joins them as alternatives: "a", "b" or
// "c".
func QuoteList(s []string) string {
	q := make([]string, len(s))
	for i, x := range s {
		q[i] = fmt.Sprintf("%q", x)
	}
	return orList(q)
}

// QuotePaths lists paths in double quotes as they are written, without
// Go's escapes, so that a Windows path reads "C:\Users\…", not
// "C:\\Users\\…": "a", "b" or "c".
func QuotePaths(paths []string) string {
	q := make([]string, len(paths))
	for i, p := range paths {
		q[i] = `"` + p + `"`
	}
	return orList(q)
}

// orList joins items: a, b or c; "nowhere" when there are none.
func orList(q []string) string {
	if len(q) == 0 {
		return "nowhere"
	}
	return Or(q)
}

// Or joins alternatives as a sentence says them: "a", "a or b", "a, b or
// c"; empty when there are none.
func Or(items []string) string { return join(items, " or ") }

// And joins items as a sentence lists them: "a", "a and b", "a, b and c";
// empty when there are none.
func And(items []string) string { return join(items, " and ") }

// join joins items with commas, the last two with conj.
func join(items []string, conj string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + conj + items[len(items)-1]
}

// WithExt is path with its extension replaced by ext (".xlsx"), so that a
// message refusing a file name can say the name it should have been:
// "audit.txt" -> "audit.xlsx", "audit" -> "audit.xlsx". A path naming a
// folder ("out/") has no name to keep: it gets NAME in it, for the user to
// fill in, rather than a file called ".xlsx".
func WithExt(path, ext string) string {
	if path == "" || strings.HasSuffix(path, "/") || strings.HasSuffix(path, string(filepath.Separator)) {
		return path + "NAME" + ext
	}
	return strings.TrimSuffix(path, filepath.Ext(path)) + ext
}

// Date writes a date given as yyyy-mm-dd in layout (time's, e.g.
// "2 January 2006"), or returns it as given when it is not one.
func Date(iso, layout string) string {
	t, err := time.Parse("2006-01-02", iso)
	if err != nil {
		return iso
	}
	return t.Format(layout)
}
