package printcheck

import (
	"context"
	"os"
	"strings"
	"testing"
)

// TestPrintFiles is a bench tool: it prints the workbooks named in
// PRINTCHECK_FILES (comma-separated) through LibreOffice and logs their
// page counts, in all and per sheet.
//
//	PRINTCHECK_FILES=audit.xlsx,report.xlsx go test ./internal/printcheck -run TestPrintFiles -v
func TestPrintFiles(t *testing.T) {
	files := os.Getenv("PRINTCHECK_FILES")
	if files == "" {
		t.Skip("set PRINTCHECK_FILES to print workbooks")
	}
	tools := Require(t)
	for _, f := range strings.Split(files, ",") {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		r, err := tools.Workbook(context.Background(), t.TempDir(), b)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d pages in all; per sheet %v", f, r.Total, r.Sheet)
	}
}
