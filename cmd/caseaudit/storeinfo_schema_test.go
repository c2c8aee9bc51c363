package main

import (
	"encoding/json"
	"io/fs"
	"reflect"
	"slices"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/schema"
)

// TestStoreInfoSchemaRequiresWhatIsAlwaysPrinted: every key store info
// --format json always prints (a field without omitempty) is one its
// schema requires, so that a script may rely on it being there (person is
// null, not missing, for a login not on the list).
func TestStoreInfoSchemaRequiresWhatIsAlwaysPrinted(t *testing.T) {
	b, err := fs.ReadFile(schema.Files, schema.FileName(schema.StoreInfo))
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Required []string `json:"required"`
	}
	if err := json.Unmarshal(b, &doc); err != nil {
		t.Fatal(err)
	}
	ty := reflect.TypeOf(storeInfoJSON{})
	for i := 0; i < ty.NumField(); i++ {
		tag := ty.Field(i).Tag.Get("json")
		name, opts, _ := strings.Cut(tag, ",")
		if name == "-" || strings.Contains(opts, "omitempty") {
			continue
		}
		if !slices.Contains(doc.Required, name) {
			t.Errorf("store info always prints %q, but %s does not require it", name, schema.FileName(schema.StoreInfo))
		}
	}
}
