// Package jsonout writes caseaudit's JSON documents: each one object whose
// first key, "$schema", names the published schema it follows (see the
// schema folder), so a script can tell which layout it reads, and keys in
// the order of the Go fields, so two runs print the same bytes.
package jsonout

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
)

// encode returns v as compact JSON with "$schema": id as its first key.
// HTML characters are written as they are: the documents are data for
// scripts, not for embedding in a page ("<=45d" stays readable).
func encode(id string, v any) ([]byte, error) {
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		return nil, err
	}
	body := bytes.TrimSpace(b.Bytes())
	if len(body) < 2 || body[0] != '{' {
		return nil, fmt.Errorf("jsonout: %T is not a JSON object", v)
	}
	head, _ := json.Marshal(id)
	out := append([]byte(`{"$schema":`), head...)
	if rest := bytes.TrimSpace(body[1:]); !bytes.Equal(rest, []byte("}")) {
		out = append(out, ',')
	}
	return append(out, body[1:]...), nil
}

// Write writes v, which must encode as a JSON object, as one indented
// document carrying "$schema": id, followed by a newline.
func Write(w io.Writer, id string, v any) error {
	compact, err := encode(id, v)
	if err != nil {
		return err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, compact, "", "  "); err != nil {
		return err
	}
	b.WriteByte('\n')
	_, err = w.Write(b.Bytes())
	return err
}
