// Package canonjson encodes JSON canonically, so that equal values encode
// to equal bytes: what caseaudit stores, hashes and compares.
package canonjson

import (
	"bytes"
	"encoding/json"
)

// Marshal encodes v as canonical JSON: object keys sorted, no
// insignificant spaces, no HTML escaping, numbers as written.
func Marshal(v any) ([]byte, error) {
	raw, err := json.Marshal(v)
	if err != nil {
		return nil, err
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var x any
	if err := dec.Decode(&x); err != nil {
		return nil, err
	}
	var b bytes.Buffer
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(x); err != nil {
		return nil, err
	}
	return bytes.TrimSuffix(b.Bytes(), []byte("\n")), nil
}
