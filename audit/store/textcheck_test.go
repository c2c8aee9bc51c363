package store

import (
	"context"
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

// The login recorded as entering an entry is checked as the entry's other
// strings are, on both backends, and the refusal names it: a trail entry,
// a people-list change and a store-log entry are each refused, and nothing
// is written. (On PostgreSQL the login is the database's session user,
// which the server keeps valid; it is set here by hand to show that the
// check does not depend on the backend.)
func TestEnteredByIsTextChecked(t *testing.T) {
	eachBackend(t, func(t *testing.T, s *Store) {
		ctx := context.Background()
		id := newAudit(t, s, "a", 2)
		for _, bad := range []struct{ login, what string }{
			{"qa.officer\x00", "a NUL character"},
			{"Ren\xe9", "bytes that are not UTF-8"},
		} {
			s.enteredBy = bad.login
			for _, write := range []struct {
				name string
				fn   func(w *WriteTx) error
			}{
				{"trail entry", func(w *WriteTx) error {
					c, err := w.Chain(ctx, id, "a")
					if err != nil {
						return err
					}
					_, err = c.Append(ctx, Draft{Kind: "finding", Case: "CR-1", Actor: "A. Khan", At: t0, Payload: map[string]string{"grade": "Good"}})
					return err
				}},
				{"people-list change", func(w *WriteTx) error {
					_, err := w.AppendPersonChange(ctx, PersonAdd, "akhan", "A. Khan", []string{"qa"}, t0)
					return err
				}},
				{"store-log entry", func(w *WriteTx) error {
					_, err := w.AppendRetention(ctx, "Q. Lead", t0, map[string]int{"months": 72})
					return err
				}},
			} {
				err := s.Write(ctx, "recording", write.fn)
				want := "the " + enteredByField + " holds " + bad.what
				if !errors.Is(err, ErrText) || !strings.Contains(err.Error(), want) {
					t.Errorf("%s entered by %q: %v; want ErrText with %q", write.name, bad.login, err, want)
				}
			}
		}
		s.enteredBy = "qa.officer"
		err := s.Read(ctx, "reading", func(tx *Tx) error {
			es, err := tx.Entries(ctx, id, Filter{})
			if err != nil || len(es) != 1 {
				t.Errorf("the trail after the refusals: %d entries, %v; want the first alone", len(es), err)
			}
			cs, err := tx.PersonChanges(ctx)
			if err != nil || len(cs) != 0 {
				t.Errorf("the people list after the refusals: %v %v", cs, err)
			}
			log, err := tx.Log(ctx)
			if err != nil || len(log) != 0 {
				t.Errorf("the store log after the refusals: %v %v", log, err)
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	})
}
