package audit

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"
)

// The sample stage draws the month's sample once: a drawn audit is left as
// it is (and a missing workbook said), a workbook at the path without its
// audit in the store is refused, and otherwise the draw is due.
func TestMonthlyDrawState(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	workbook := filepath.Join(dir, "2026-07.xlsx")

	// No store yet, no workbook: due.
	s, err := MonthlyDraw{Audit: "2026-07 monthly", Workbook: workbook}.State(ctx, nil)
	if err != nil || s.Drawn != nil {
		t.Fatalf("no store: %+v, %v", s, err)
	}

	st, _ := withAudit(t, "2026-07 monthly", 5)
	s, err = MonthlyDraw{Audit: "2026-07 monthly", Workbook: workbook}.State(ctx, st)
	if err != nil || s.Drawn == nil || s.Drawn.Name != "2026-07 monthly" || !s.WorkbookMissing {
		t.Fatalf("drawn, workbook gone: %+v, %v", s, err)
	}
	if err := os.WriteFile(workbook, []byte("PK"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err = MonthlyDraw{Audit: "2026-07 monthly", Workbook: workbook}.State(ctx, st)
	if err != nil || s.Drawn == nil || s.WorkbookMissing {
		t.Fatalf("drawn, workbook there: %+v, %v", s, err)
	}

	// August's audit is not in the store, and its workbook path holds a file.
	_, err = MonthlyDraw{Audit: "2026-08 monthly", Workbook: workbook}.State(ctx, st)
	var e *WorkbookInTheWayError
	if !errors.As(err, &e) || e.Workbook != workbook || e.Audit != "2026-08 monthly" {
		t.Fatalf("workbook in the way: %v", err)
	}
	s, err = MonthlyDraw{Audit: "2026-08 monthly", Workbook: filepath.Join(dir, "2026-08.xlsx")}.State(ctx, st)
	if err != nil || s.Drawn != nil || s.WorkbookMissing {
		t.Fatalf("due: %+v, %v", s, err)
	}
	s, err = MonthlyDraw{Audit: "2026-08 monthly"}.State(ctx, st)
	if err != nil || s.Drawn != nil {
		t.Fatalf("due, no workbook: %+v, %v", s, err)
	}
}
