package store

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
)

// Reading a trail puts every entry's free text back into its payload
// (mergeTexts), and a report or trend reads thousands of entries. Decoding
// each payload into a map and encoding it again costs more than the rest
// of the read together, so the common case — a canonical payload whose
// free text sits at its top level, as every finding, correction and
// action has it — is spliced instead: the text_commit member is cut out
// and each text is put in at its key's place in the sorted order, giving
// the bytes the decode-and-encode would give. Anything else (text inside
// a nested object, a key written with an escape, a payload not as the
// store writes it) takes the general path.

// member is one member of a JSON object: its key as written between the
// quotes, and where its value begins and ends in the object's bytes.
type member struct {
	key        []byte // within the object's bytes
	start, end int
}

// topMembers splits a compact JSON object into its members. ok is false
// when b is not such an object, or a key holds an escape (its written form
// would then not be its sorting form).
func topMembers(b []byte) (ms []member, ok bool) {
	if len(b) < 2 || b[0] != '{' || b[len(b)-1] != '}' {
		return nil, false
	}
	i := 1
	if b[i] == '}' {
		return nil, i == len(b)-1
	}
	for {
		if i >= len(b) || b[i] != '"' {
			return nil, false
		}
		j := bytes.IndexByte(b[i+1:], '"')
		if j < 0 {
			return nil, false
		}
		key := b[i+1 : i+1+j]
		if bytes.IndexByte(key, '\\') >= 0 {
			return nil, false
		}
		i += j + 2
		if i >= len(b) || b[i] != ':' {
			return nil, false
		}
		i++
		end, ok := skipValue(b, i)
		if !ok || end == i {
			return nil, false
		}
		ms = append(ms, member{key: key, start: i, end: end})
		i = end
		switch {
		case i < len(b)-1 && b[i] == ',':
			i++
		case i == len(b)-1 && b[i] == '}':
			return ms, true
		default:
			return nil, false
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
			return 0, false // not compact: not as the store writes it
		default:
			i++
		}
		if depth == 0 && i < len(b) && (b[i] == ',' || b[i] == '}' || b[i] == ']') {
			return i, true
		}
	}
	return 0, false
}

// commitsOf returns the text commitments of a stored payload, read from
// its text_commit member alone.
func commitsOf(stored []byte) map[string]string {
	if !bytes.Contains(stored, commitKeyQuoted) {
		return nil
	}
	ms, ok := topMembers(stored)
	if !ok {
		var p struct {
			C map[string]string `json:"text_commit"`
		}
		_ = json.Unmarshal(stored, &p)
		return p.C
	}
	return commitsIn(stored, ms)
}

// commitKeyQuoted is TextCommitKey as a payload writes it.
var commitKeyQuoted = []byte(`"` + TextCommitKey + `"`)

// commitsIn is commitsOf given the payload's members.
func commitsIn(stored []byte, ms []member) map[string]string {
	for _, m := range ms {
		if string(m.key) == TextCommitKey {
			return commitMap(stored[m.start:m.end])
		}
	}
	return nil
}

// spliceTexts is mergeTexts by splicing, for a stored payload whose
// members are ms (topMembers) and whose commitments c (commitsIn) are all
// of top-level fields; ok is false when the payload is not one it can
// splice.
func spliceTexts(stored []byte, ms []member, c map[string]string, texts []Text) (out []byte, ok bool) {
	if len(c) == 0 {
		return nil, false
	}
	type kv struct {
		key   []byte
		value []byte
	}
	kept := make([]kv, 0, len(ms)+len(c))
	for _, m := range ms {
		if string(m.key) == TextCommitKey {
			continue
		}
		if _, clash := c[string(m.key)]; clash {
			return nil, false
		}
		kept = append(kept, kv{m.key, stored[m.start:m.end]})
	}
	for field := range c {
		if strings.ContainsAny(field, `/"\`) || !isPlainKey(field) {
			return nil, false
		}
		v := "[text missing]"
		for _, t := range texts {
			if t.Field == field {
				v = t.Text
				if t.Redacted() {
					v = RedactedMark(t.RedactedAt)
				}
				break
			}
		}
		enc, err := encodeString(v)
		if err != nil {
			return nil, false
		}
		kept = append(kept, kv{[]byte(field), enc})
	}
	sort.Slice(kept, func(i, j int) bool { return bytes.Compare(kept[i].key, kept[j].key) < 0 })
	n := 2
	for _, m := range kept {
		n += len(m.key) + 4 + len(m.value)
	}
	out = make([]byte, 0, n)
	out = append(out, '{')
	for i, m := range kept {
		if i > 0 {
			out = append(out, ',')
		}
		out = append(out, '"')
		out = append(out, m.key...)
		out = append(out, '"', ':')
		out = append(out, m.value...)
	}
	return append(out, '}'), true
}

// isPlainKey reports whether a key is written as itself in canonical JSON
// (printable ASCII that needs no escape), so that its written form sorts
// as the key does.
func isPlainKey(k string) bool {
	for i := 0; i < len(k); i++ {
		if c := k[i]; c < 0x20 || c >= 0x7f || c == '"' || c == '\\' {
			return false
		}
	}
	return true
}

// encodeString encodes a string as canonical JSON does (no HTML escaping).
func encodeString(s string) ([]byte, error) {
	if isPlainKey(s) { // printable ASCII with no quote or backslash: written as itself
		return []byte(`"` + s + `"`), nil
	}
	return CanonicalJSON(s)
}

// commitMap decodes a text_commit object: field paths to hex commitments,
// read directly when they are written plainly, as the store writes them.
func commitMap(b []byte) map[string]string {
	ms, ok := topMembers(b)
	if ok {
		c := make(map[string]string, len(ms))
		for _, m := range ms {
			v := b[m.start:m.end]
			if len(v) < 2 || v[0] != '"' || v[len(v)-1] != '"' || bytes.IndexByte(v, '\\') >= 0 {
				ok = false
				break
			}
			c[string(m.key)] = string(v[1 : len(v)-1])
		}
		if ok {
			return c
		}
	}
	var c map[string]string
	_ = json.Unmarshal(b, &c)
	return c
}
