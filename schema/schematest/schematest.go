// Package schematest validates caseaudit's JSON documents against the
// published schemas (package schema), for tests: a document must be an
// object naming its schema in "$schema", and be valid against it.
//
// The validator is github.com/santhosh-tekuri/jsonschema/v6: maintained,
// pure Go, complete for draft 2020-12 (it passes the JSON-Schema-Test-Suite),
// and it resolves the schemas' URN identifiers from memory, so nothing is
// fetched.
package schematest

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"sort"
	"strings"
	"sync"

	"github.com/caseaudit/caseaudit/schema"
	"github.com/santhosh-tekuri/jsonschema/v6"
)

// Validator holds the compiled schemas.
type Validator struct {
	byID map[string]*jsonschema.Schema
}

var (
	once    sync.Once
	loaded  *Validator
	errLoad error
)

// Load compiles every schema in package schema (once per process).
func Load() (*Validator, error) {
	once.Do(func() { loaded, errLoad = load() })
	return loaded, errLoad
}

func load() (*Validator, error) {
	c := jsonschema.NewCompiler()
	c.DefaultDraft(jsonschema.Draft2020)
	c.AssertFormat()
	files, err := fs.Glob(schema.Files, "*.json")
	if err != nil {
		return nil, err
	}
	var ids []string
	for _, f := range files {
		b, err := fs.ReadFile(schema.Files, f)
		if err != nil {
			return nil, err
		}
		doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(b))
		if err != nil {
			return nil, fmt.Errorf("schema/%s: %w", f, err)
		}
		m, _ := doc.(map[string]any)
		id, _ := m["$id"].(string)
		if schema.FileName(id) != f {
			return nil, fmt.Errorf("schema/%s: its $id %q does not name the file", f, id)
		}
		if err := c.AddResource(id, doc); err != nil {
			return nil, fmt.Errorf("schema/%s: %w", f, err)
		}
		ids = append(ids, id)
	}
	v := &Validator{byID: map[string]*jsonschema.Schema{}}
	for _, id := range ids {
		s, err := c.Compile(id)
		if err != nil {
			return nil, fmt.Errorf("%s: %w", schema.FileName(id), err)
		}
		v.byID[id] = s
	}
	return v, nil
}

// IDs are the identifiers of the schemas loaded, sorted.
func (v *Validator) IDs() []string {
	var out []string
	for id := range v.byID {
		out = append(out, id)
	}
	sort.Strings(out)
	return out
}

// Document validates one JSON document and returns its schema's id.
func (v *Validator) Document(data []byte) (string, error) {
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		return "", fmt.Errorf("not one JSON document: %w", err)
	}
	m, ok := doc.(map[string]any)
	if !ok {
		return "", fmt.Errorf("not a JSON object: every document is an object carrying \"$schema\"")
	}
	id, _ := m["$schema"].(string)
	s := v.byID[id]
	if s == nil || id == schema.Provenance {
		return id, fmt.Errorf("\"$schema\" %q names no schema of caseaudit's", id)
	}
	if err := s.Validate(doc); err != nil {
		return id, fmt.Errorf("not valid against %s: %v", schema.FileName(id), err)
	}
	return id, nil
}

// Lines validates JSON Lines (--log-format json): every non-empty line a
// document. It returns the ids seen.
func (v *Validator) Lines(data []byte) ([]string, error) {
	var ids []string
	for i, line := range strings.Split(string(data), "\n") {
		if strings.TrimSpace(line) == "" {
			continue
		}
		if !json.Valid([]byte(line)) {
			return ids, fmt.Errorf("line %d is not JSON: %q", i+1, line)
		}
		id, err := v.Document([]byte(line))
		if err != nil {
			return ids, fmt.Errorf("line %d: %w", i+1, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}
