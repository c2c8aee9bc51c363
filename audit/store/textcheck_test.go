package store

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
)

func TestCheckTextNamesTheField(t *testing.T) {
	type answers struct {
		Grade string            `json:"grade"`
		Note  string            `json:"note,omitempty"`
		More  map[string]string `json:"answers"`
		Skip  string            `json:"-"`
	}
	for _, c := range []struct {
		name  string
		field string
		v     any
		want  string // "" for no error
	}{
		{"clean struct", "", answers{Grade: "Good", Note: "Seen at home; plan reviewed ✓", More: map[string]string{"q1": "yes"}}, ""},
		{"NUL in a note", "", answers{Note: "Read in \x00 full"}, "the note holds a NUL character"},
		{"Latin-1 in an answer", "", answers{More: map[string]string{"q3": "Ren\xe9"}}, "the answers/q3 holds bytes that are not UTF-8"},
		{"a field json leaves out is not stored", "", answers{Skip: "\x00"}, ""},
		{"Latin-1 in a map key", "", map[string]any{"Ren\xe9": 1}, "holds bytes that are not UTF-8"},
		{"raw JSON with an escaped NUL", "", map[string]any{"form": json.RawMessage(`{"q":"a\u0000b"}`)}, "the form/q holds a NUL character"},
		{"a plain string named by its field", "name", "Ren\xe9 Dupont", "the name holds bytes that are not UTF-8"},
		{"nested slice", "", map[string]any{"cases": []any{"CR-1", "CR-\x002"}}, "the cases holds a NUL"},
		{"nil pointer", "", (*answers)(nil), ""},
	} {
		err := checkText(c.field, c.v)
		switch {
		case c.want == "" && err != nil:
			t.Errorf("%s: %v, want no error", c.name, err)
		case c.want != "" && (err == nil || !strings.Contains(err.Error(), c.want) || !errors.Is(err, ErrText)):
			t.Errorf("%s: %v, want ErrText with %q", c.name, err, c.want)
		}
	}
}
