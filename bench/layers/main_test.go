package main

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

// The audit packages are laid out so that a reader can take each one's files
// from the bottom up: no circle of files that all use each other. A
// declaration added to the wrong file brings a circle back without any
// compiler noticing, so the layout is checked here, test files included.
func TestAuditPackagesHaveNoCircleOfFiles(t *testing.T) {
	if testing.Short() {
		t.Skip("type-checks every audit package; skipped with -short")
	}
	chosen, err := load(true, "../../audit/...")
	if err != nil {
		t.Fatal(err)
	}
	if len(chosen) < 6 {
		t.Fatalf("loaded %d audit packages, want the six (audit, store, report, workbook, form, stats)", len(chosen))
	}
	for path, p := range chosen {
		g := build(p)
		for _, c := range g.sccs() {
			if len(c) < 2 {
				continue
			}
			var names []string
			for _, f := range c {
				names = append(names, filepath.Base(g.files[f]))
			}
			sort.Strings(names)
			t.Errorf("%s: a circle of %d files that use each other: %s (go run ./bench/layers -tests -v %s shows the uses)",
				path, len(c), strings.Join(names, " "), path)
		}
	}
}
