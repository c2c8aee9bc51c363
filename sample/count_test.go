package sample

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// An export's population is counted as a draw counts it: distinct IDs
// (a duplicate keeps its first row), then the filters on that row.
func TestCountPopulation(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cases.csv")
	body := "Case Reference,Team,Legal Status\n" +
		"CR-1,North,CP\nCR-2,North,CIN\nCR-3,South,CP\nCR-1,South,CIN\nCR-4,South,CP\n"
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	c, err := CountPopulation(context.Background(), CountRequest{Export: path})
	if err != nil {
		t.Fatal(err)
	}
	if *c != (Count{IDColumn: "Case Reference", Rows: 5, Distinct: 4, Cases: 4}) {
		t.Errorf("count %+v", *c)
	}
	c, err = CountPopulation(context.Background(), CountRequest{Export: path, Where: []string{"Legal Status=CP"}})
	if err != nil {
		t.Fatal(err)
	}
	if *c != (Count{IDColumn: "Case Reference", Rows: 5, Distinct: 4, Filtered: true, Cases: 3}) {
		t.Errorf("filtered count %+v", *c)
	}
	_, err = CountPopulation(context.Background(), CountRequest{Export: path, Where: []string{"=CP"}})
	if e, ok := opt.As(err); !ok || e.Option != opt.Where {
		t.Errorf("a bad filter: %v", err)
	}
}
