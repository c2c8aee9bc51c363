package store

import (
	"bytes"
	"encoding/json"
	"maps"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/internal/canonjson"
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
	ms = make([]member, 0, 8) // a finding's payload has about six
	if !eachMember(b, func(m member) { ms = append(ms, m) }) {
		return nil, false
	}
	if len(ms) == 0 {
		return nil, true
	}
	return ms, true
}

// eachMember calls fn with each member of a compact JSON object, in order,
// as topMembers splits it, without gathering them; it reports whether b is
// such an object (fn may have been called before it finds it is not).
func eachMember(b []byte, fn func(member)) bool {
	return canonjson.EachMember(b, func(key []byte, start, end int) { fn(member{key: key, start: start, end: end}) })
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
	cs := commitsIn(stored, ms)
	if cs == nil {
		return nil
	}
	m := make(map[string]string, len(cs))
	for _, c := range cs {
		m[c.field] = c.hex
	}
	return m
}

// commitKeyQuoted is TextCommitKey as a payload writes it.
var commitKeyQuoted = []byte(`"` + TextCommitKey + `"`)

// commit is one text's commitment: its field path and the hex commitment.
type commit struct{ field, hex string }

// commitsIn is the text commitments of a stored payload given its members,
// each field once, as a list: an entry has one or two, which a map would
// cost more to build than to search. nil when there is no text_commit
// member; empty when it is empty.
func commitsIn(stored []byte, ms []member) []commit {
	for _, m := range ms {
		if string(m.key) == TextCommitKey {
			return commitList(stored[m.start:m.end])
		}
	}
	return nil
}

// lookup is the commitment of a field, "" when it has none.
func lookup(cs []commit, field string) string {
	for _, c := range cs {
		if c.field == field {
			return c.hex
		}
	}
	return ""
}

// spliceTexts is mergeTexts by splicing, for a stored payload whose
// members are ms (topMembers) and whose commitments c (commitsIn) are all
// of top-level fields; ok is false when the payload is not one it can
// splice.
func spliceTexts(stored []byte, ms []member, c []commit, texts []Text) (out []byte, ok bool) {
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
		for _, x := range c {
			if x.field == string(m.key) {
				return nil, false // a clash
			}
		}
		kept = append(kept, kv{m.key, stored[m.start:m.end]})
	}
	for _, x := range c {
		field := x.field
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
	slices.SortFunc(kept, func(a, b kv) int { return bytes.Compare(a.key, b.key) })
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

// cutCommits is a stored payload without its text_commit member, when
// every text that member commits to is one of leaveOut: what the payload
// reads as with those texts left out (Tx.WithoutTexts), cut in one copy
// where a view reads thousands. ok is false for any other payload, or one
// not written as the store writes them.
func cutCommits(stored []byte, leaveOut []string) (out []byte, ok bool) {
	from, to, all := -1, -1, true
	if !eachMember(stored, func(m member) {
		if string(m.key) != TextCommitKey {
			return
		}
		n := 0
		plain := eachMember(stored[m.start:m.end], func(c member) {
			if n++; !slices.Contains(leaveOut, string(c.key)) {
				all = false
			}
		})
		all = all && plain && n > 0 && from < 0
		from, to = m.start-len(m.key)-3, m.end // the member from its key's opening quote
	}) || from < 0 || !all {
		return nil, false
	}
	// With the comma that joins it to a neighbour.
	if stored[from-1] == ',' {
		from--
	} else if stored[to] == ',' {
		to++
	}
	out = make([]byte, 0, len(stored)-(to-from))
	return append(append(out, stored[:from]...), stored[to:]...), true
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
		b := make([]byte, 0, len(s)+2)
		return append(append(append(b, '"'), s...), '"'), nil
	}
	return CanonicalJSON(s)
}

// commitList decodes a text_commit object: field paths to hex
// commitments, read directly when they are written plainly, as the store
// writes them, and as encoding/json reads them otherwise (the last of a
// field written twice wins).
func commitList(b []byte) []commit {
	cs := make([]commit, 0, 2)
	plain := eachMember(b, func(m member) {
		v, ok := canonjson.PlainString(b[m.start:m.end])
		if !ok || !canonjson.PlainKey(m.key) || slices.ContainsFunc(cs, func(c commit) bool { return c.field == string(m.key) }) {
			cs = append(cs, commit{}) // not plain: marks the list as unusable
			return
		}
		cs = append(cs, commit{string(m.key), v})
	})
	if plain && !slices.Contains(cs, commit{}) {
		return cs
	}
	var c map[string]string
	_ = json.Unmarshal(b, &c)
	cs = cs[:0]
	for _, f := range slices.Sorted(maps.Keys(c)) {
		cs = append(cs, commit{f, c[f]})
	}
	return cs
}
