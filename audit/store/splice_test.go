package store

import (
	"encoding/json"
	"maps"
	"slices"
	"testing"
	"time"
)

// The splice must give, byte for byte, what decoding the payload, putting
// the texts in and encoding it canonically gives, and fall back to that
// wherever it cannot.
func TestSpliceTextsMatchesDecodeMerge(t *testing.T) {
	erased := time.Date(2026, 3, 4, 10, 0, 0, 0, time.UTC)
	type payload = map[string]any
	for _, c := range []struct {
		name    string
		payload payload
		fields  []string
		erase   []string // fields whose text is erased
		drop    []string // fields whose text row is missing
		spliced bool     // whether the splice applies
	}{
		{"finding", payload{"grade": "Good", "immediate": false, "note": "seen at home", "date": "2026-07-01", "auditor": "A"}, []string{"note", "reason"}, nil, nil, true},
		{"note first in order", payload{"zeta": 1, "note": "x", "alpha": []any{1, "b", payload{"c": nil}}}, []string{"note"}, nil, nil, true},
		{"two texts, one erased", payload{"grade": "Good", "note": "n", "reason": "r"}, []string{"note", "reason"}, []string{"reason"}, nil, true},
		{"text missing", payload{"grade": "Good", "note": "n"}, []string{"note"}, nil, []string{"note"}, true},
		{"only the text", payload{"note": "n"}, []string{"note"}, nil, nil, true},
		{"escapes in text and values", payload{"note": "<b>&\"quoted\"\\ \u2028 é \x01 line\nbreak", "v": "a\"}b{", "w": "\\"}, []string{"note"}, nil, nil, true},
		{"numbers", payload{"note": "n", "n": 12, "f": 0.25, "neg": -3}, []string{"note"}, nil, nil, true},
		{"nested answers", payload{"answers": payload{"q1": "yes", "q2": "no"}, "note": "n"}, []string{"note", "answers/*"}, nil, nil, false},
		{"key with an escape", payload{"a\u2028": 1, "note": "n"}, []string{"note"}, nil, nil, false},
	} {
		t.Run(c.name, func(t *testing.T) {
			p, err := CanonicalJSON(c.payload)
			if err != nil {
				t.Fatal(err)
			}
			stored, texts, err := splitTexts(p, c.fields)
			if err != nil {
				t.Fatal(err)
			}
			var kept []Text
			for _, x := range texts {
				switch {
				case slices.Contains(c.drop, x.Field):
					continue
				case slices.Contains(c.erase, x.Field):
					x.Text, x.Salt, x.RedactedAt = "", "", erased
				}
				kept = append(kept, x)
			}
			want, err := decodeMergeTexts(stored, kept, nil)
			if err != nil {
				t.Fatal(err)
			}
			// Every text left out (Tx.WithoutTexts): the cut, where it
			// applies, is the decode without them.
			lessAll, err := decodeMergeTexts(stored, nil, c.fields)
			if err != nil {
				t.Fatal(err)
			}
			if cut, ok := cutCommits(stored, c.fields); ok != c.spliced || ok && string(cut) != string(lessAll) {
				t.Errorf("cut %v %s\nwant %v %s", ok, cut, c.spliced, lessAll)
			}
			if _, ok := cutCommits(stored, c.fields[1:]); ok && len(c.fields) > 1 {
				t.Errorf("cut with %s kept", c.fields[0])
			}
			ms, ok := topMembers(stored)
			var got []byte
			if ok {
				got, ok = spliceTexts(stored, ms, commitsIn(stored, ms), kept)
			}
			if ok != c.spliced {
				t.Fatalf("spliced = %v, want %v (stored %s)", ok, c.spliced, stored)
			}
			if ok && string(got) != string(want) {
				t.Errorf("splice:\n got %s\nwant %s", got, want)
			}
			merged, err := mergeTexts(stored, kept)
			if err != nil || string(merged) != string(want) {
				t.Errorf("mergeTexts = %s, %v; want %s", merged, err, want)
			}
		})
	}
	// One written out by hand, not by either path.
	stored := []byte(`{"b":1,"text_commit":{"note":"00"},"z":"x"}`)
	got, err := mergeTexts(stored, []Text{{Field: "note", Text: "a <note>"}})
	if want := `{"b":1,"note":"a <note>","z":"x"}`; err != nil || string(got) != want {
		t.Errorf("mergeTexts = %s, %v; want %s", got, err, want)
	}
}

func TestTopMembersRefusesWhatIsNotCompactObject(t *testing.T) {
	for _, b := range []string{``, `{`, `[]`, `{"a":1,}`, `{"a" :1}`, `{"a": 1}`, `{"a":}`, `{"a":"x}`, `{"a\"b":1}`, `{"a":1} `} {
		if _, ok := topMembers([]byte(b)); ok {
			t.Errorf("topMembers(%q) ok", b)
		}
	}
	ms, ok := topMembers([]byte(`{"a":{"x":[1,{"y":"}"}]},"b":"\"","c":null}`))
	if !ok || len(ms) != 3 || string(ms[0].key) != "a" || string(ms[1].key) != "b" || string(ms[2].key) != "c" {
		t.Errorf("topMembers = %+v, %v", ms, ok)
	}
}

func TestCommitsOf(t *testing.T) {
	for _, c := range []struct {
		stored string
		want   map[string]string
	}{
		{`{"grade":"Good"}`, nil},
		{`{"grade":"Good","text_commit":{"answers/q 3":"ab","note":"cd"}}`, map[string]string{"answers/q 3": "ab", "note": "cd"}},
		{`{"a":{"text_commit":{"x":"1"}},"text_commit":{"note":"cd"}}`, map[string]string{"note": "cd"}},
		{`{"text_commit":{"a\"b":"ef"}}`, map[string]string{`a"b`: "ef"}},
		{`{ "text_commit": {"note": "cd"} }`, map[string]string{"note": "cd"}},
	} {
		got := commitsOf([]byte(c.stored))
		if len(got) != len(c.want) {
			t.Errorf("commitsOf(%s) = %v, want %v", c.stored, got, c.want)
			continue
		}
		for k, v := range c.want {
			if got[k] != v {
				t.Errorf("commitsOf(%s) = %v, want %v", c.stored, got, c.want)
			}
		}
	}
}

// commitList reads a text_commit object as encoding/json does, whether it
// takes the plain path or not: a value with an escape, a raw control
// character or bytes that are not UTF-8, a key with any of them, and a
// field written twice (the last wins) all read as json.Unmarshal reads them.
func TestCommitListReadsAsJSON(t *testing.T) {
	for _, b := range []string{
		`{"note":"4f2a","reason":"9b1c"}`,
		`{}`,
		`{"note":"4f\u0032a"}`,
		`{"note":"4f` + "\x01" + `2a"}`,
		`{"note":"4f` + "\xff" + `2a"}`,
		`{"no` + "\xff" + `te":"4f2a"}`,
		`{"no` + "\x01" + `te":"4f2a"}`,
		`{"note":"4f2a","note":"77"}`,
		`{"note":1}`,
	} {
		var m map[string]string
		_ = json.Unmarshal([]byte(b), &m)
		var want []commit
		for _, f := range slices.Sorted(maps.Keys(m)) {
			want = append(want, commit{f, m[f]})
		}
		got := commitList([]byte(b))
		// The plain path keeps the written order, which the store writes
		// sorted; here every object is.
		if len(got) != len(want) || len(want) > 0 && !slices.Equal(got, want) {
			t.Errorf("commitList(%q) = %q, want %q as encoding/json reads it", b, got, want)
		}
	}
}
