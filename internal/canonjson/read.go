package canonjson

import (
	"bytes"
	"unicode/utf8"
)

// EachMember calls fn with each member of a compact JSON object, as
// Marshal writes one, in order: its key as written between the quotes and
// where its value begins and ends in b. It reports whether b is such an
// object: false for anything else, or a key holding an escape (its written
// form would then not be its sorting form); fn may have been called before
// it finds b is not. Readers of stored payloads use it to take the common
// case without decoding into maps and reflection, and fall back to
// encoding/json when it says false.
func EachMember(b []byte, fn func(key []byte, start, end int)) bool {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return false
	}
	i := 1
	if b[i] == '}' {
		return i == len(b)-1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return false
		}
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return false
		}
		key := b[i+1 : i+1+j]
		if bytes.IndexByte(key, '\\') >= 0 {
			return false
		}
		i += j + 2
		if i >= len(b) || b[i] != ':' {
			return false
		}
		i++
		end, ok := skipValue(b, i)
		if !ok || end == i {
			return false
		}
		fn(key, i, end)
		i = end
		switch {
		case i < len(b)-1 && b[i] == ',':
			i++
		case i == len(b)-1 && b[i] == '}':
			return true
		default:
			return false
		}
	}
}

// skipValue returns where the compact JSON value starting at b[i] ends.
func skipValue(b []byte, i int) (int, bool) {
	depth := 0
	for i < len(b) {
		switch c := b[i]; c {
		case '"':
			i++
			for i < len(b) && b[i] != '"' {
				if b[i] == '\\' {
					i++
				}
				i++
			}
			if i >= len(b) {
				return 0, false
			}
			i++
		case '{', '[':
			depth++
			i++
		case '}', ']':
			if depth == 0 {
				return i, true
			}
			depth--
			i++
		case ',':
			if depth == 0 {
				return i, true
			}
			i++
		case ' ', '\t', '\n', '\r':
			return 0, false // not compact: not as Marshal writes it
		default:
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}' || b[i] == ']') {
			return i, true
		}
	}
	return 0, false
}

// PlainString reads a JSON string value written without escapes (v holds
// its quotes), as encoding/json would read it; ok is false for any other
// value, or one encoding/json would read differently (a control
// character, which it refuses; invalid UTF-8, which it replaces).
func PlainString(v []byte) (s string, ok bool) {
	if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' {
		return "", false
	}
	in := v[1 : len(v)-1]
	if !PlainKey(in) {
		return "", false
	}
	return string(in), true
}

// PlainKey reports whether a key as EachMember gives it reads as itself:
// no quote, escape or control character, and valid UTF-8.
func PlainKey(k []byte) bool {
	for _, c := range k {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(k)
}
