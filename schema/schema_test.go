package schema_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"regexp"
	"sort"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/schema"
	"github.com/caseaudit/caseaudit/schema/schematest"
)

// TestSchemasCompile: every schema compiles (draft 2020-12, references
// resolved), and its $id names its file.
func TestSchemasCompile(t *testing.T) {
	v, err := schematest.Load()
	if err != nil {
		t.Fatal(err)
	}
	want := []string{schema.Actions, schema.Allocate, schema.Audits, schema.Form, schema.History, schema.Import, schema.Log, schema.People, schema.SignOff,
		schema.Moderate, schema.Plan, schema.Profile, schema.Provenance, schema.Report, schema.Sample, schema.Status,
		schema.StoreInfo, schema.Trend, schema.Verify, schema.Withdraw, schema.Calibration, schema.Pooled, schema.Redact, schema.Case, schema.Owners,
		schema.Retention, schema.Retire}
	sort.Strings(want)
	if got := v.IDs(); strings.Join(got, " ") != strings.Join(want, " ") {
		t.Errorf("schemas loaded:\n%v\nidentifiers declared:\n%v", got, want)
	}
}

var snake = regexp.MustCompile(`^[a-z][a-z0-9]*(_[a-z0-9]+)*$`)

// TestSchemasAreClosed: every object a schema describes lists its keys and
// admits no other (additionalProperties false), so a key added to an output
// without its schema fails the tests that validate the outputs; and every
// key follows the one naming rule, snake_case ("$schema" aside).
// Objects keyed by data — an export's column names, case IDs, grade
// labels — say so with a schema for their values instead.
func TestSchemasAreClosed(t *testing.T) {
	files, _ := fs.Glob(schema.Files, "*.json")
	for _, f := range files {
		b, _ := fs.ReadFile(schema.Files, f)
		var doc any
		if err := json.Unmarshal(b, &doc); err != nil {
			t.Fatalf("%s: %v", f, err)
		}
		walk(t, f, "", doc)
	}
}

func walk(t *testing.T, file, at string, n any) {
	switch x := n.(type) {
	case []any:
		for _, c := range x {
			walk(t, file, at+"[]", c)
		}
	case map[string]any:
		if props, ok := x["properties"].(map[string]any); ok {
			if ap, ok := x["additionalProperties"]; !ok || ap != false {
				t.Errorf("%s: %s lists properties but admits others (additionalProperties: %v)", file, at, ap)
			}
			for k := range props {
				if k != "$schema" && !snake.MatchString(k) {
					t.Errorf("%s: %s.%s is not snake_case", file, at, k)
				}
			}
		}
		if x["type"] == "object" && x["properties"] == nil {
			if _, ok := x["additionalProperties"].(map[string]any); !ok {
				t.Errorf("%s: %s is an object with neither its keys nor a schema for its values", file, at)
			}
		}
		for k, c := range x {
			walk(t, file, at+"/"+k, c)
		}
	}
}

// TestSchemasHaveNoDuplicateKeys: no object of a schema file names a key
// twice. encoding/json keeps the last of two, silently, so a second
// "tool_sha256" without the first's pattern would loosen the schema unseen.
func TestSchemasHaveNoDuplicateKeys(t *testing.T) {
	files, _ := fs.Glob(schema.Files, "*.json")
	for _, f := range files {
		b, _ := fs.ReadFile(schema.Files, f)
		for _, d := range duplicateKeys(b) {
			t.Errorf("%s: %s", f, d)
		}
	}
}

// duplicateKeys walks a JSON document's tokens and names each key an
// object holds twice, with its path.
func duplicateKeys(b []byte) []string {
	dec := json.NewDecoder(bytes.NewReader(b))
	var out []string
	var value func(path string)
	value = func(path string) {
		tok, err := dec.Token()
		if err != nil {
			out = append(out, fmt.Sprintf("at %s: %v", path, err))
			return
		}
		switch tok {
		case json.Delim('{'):
			seen := map[string]bool{}
			for dec.More() {
				k, err := dec.Token()
				if err != nil {
					out = append(out, fmt.Sprintf("at %s: %v", path, err))
					return
				}
				key := k.(string)
				if seen[key] {
					out = append(out, fmt.Sprintf("%s/%s: the key is named twice", path, key))
				}
				seen[key] = true
				value(path + "/" + key)
			}
			dec.Token() // }
		case json.Delim('['):
			for i := 0; dec.More(); i++ {
				value(fmt.Sprintf("%s/%d", path, i))
			}
			dec.Token() // ]
		}
	}
	value("")
	return out
}

// The walk finds a key named twice, deep or at the top, and nothing in a
// document without one.
func TestDuplicateKeysFound(t *testing.T) {
	got := duplicateKeys([]byte(`{"a": {"b": 1, "c": [{"d": 1, "d": 2}], "b": 2}, "e": 1}`))
	want := []string{"/a/c/0/d: the key is named twice", "/a/b: the key is named twice"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("got %q, want %q", got, want)
	}
	if got := duplicateKeys([]byte(`{"a": {"b": 1}, "b": [1, {"a": 2}]}`)); len(got) != 0 {
		t.Errorf("a document without a duplicate: %q", got)
	}
}
