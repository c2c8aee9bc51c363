package sample

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/sample/export"
)

// An export replaced between the read that drew the sample and the read
// of the sampled cases' fields (a nightly export job writing the case list
// anew while caseaudit samples it): the sample is refused, saying so, not
// given fields of other cases or none.
func TestSelectRefusesAnExportReplacedMeanwhile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "cases.csv")
	if err := synth.WriteFile(path, synth.Options{Rows: 400, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	tab, err := export.Open(context.Background(), path, export.OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tab.Close()
	// MaxSample 1 keeps the fields of one case per stratum: a larger
	// sample reads the rest again.
	p, err := Load(context.Background(), tab, LoadOptions{Seed: "replaced", Fields: []string{"Team"}, MaxSample: 1})
	if err != nil {
		t.Fatal(err)
	}
	// The job writes the new list beside the old and renames it over.
	next := filepath.Join(dir, "cases.csv.new")
	if err := synth.WriteFile(next, synth.Options{Rows: 5, Seed: 3}); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(next, path); err != nil {
		t.Fatal(err)
	}
	_, err = p.Select(SelectOptions{Size: 40})
	if err == nil || !strings.Contains(err.Error(), ": the export changed while it was read (") ||
		!strings.HasSuffix(err.Error(), " sampled rows are gone); run the command again once whatever writes it has finished") {
		t.Fatalf("a sample of an export replaced meanwhile: %v", err)
	}
}
