package schema_test

import (
	"encoding/json"
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
		schema.StoreInfo, schema.Trend, schema.Verify, schema.Withdraw, schema.Calibration, schema.Pooled, schema.Redact, schema.Case, schema.Owners}
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
