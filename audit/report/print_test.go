package report

import (
	"bytes"
	"context"
	"os"
	"testing"

	"github.com/caseaudit/caseaudit/internal/printcheck"
)

// TestXLSXPrints prints the report of a 120-case audit (with a previous
// audit to compare with, moderation and a form) through LibreOffice: the
// manager's Summary sheet on one page (2 to 3 before it was set up to
// print), the whole workbook on few pages, the marking on every page.
func TestXLSXPrints(t *testing.T) {
	tools := printcheck.Require(t)
	o := fixedOptions()
	o.Marking = "OFFICIAL-SENSITIVE"
	var b bytes.Buffer
	if err := WriteXLSX(&b, buildFixture(t, "", o)); err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("PRINTCHECK_KEEP"); dir != "" {
		os.WriteFile(dir+"/report.xlsx", b.Bytes(), 0o600)
	}
	rep, err := tools.Workbook(context.Background(), t.TempDir(), b.Bytes())
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("pages: %d in all; per sheet %v", rep.Total, rep.Sheet)
	if n := rep.Sheet["Summary"]; n != 1 {
		t.Errorf("the Summary sheet prints on %d pages; want 1", n)
	}
	if rep.Total > 12 {
		t.Errorf("the report prints on %d pages; want at most 12", rep.Total)
	}
	words, err := tools.Words(rep.PDF)
	if err != nil {
		t.Fatal(err)
	}
	marks := map[int]int{}
	for _, w := range words {
		if w.Text == "OFFICIAL-SENSITIVE" {
			marks[w.Page]++
		}
	}
	for p := 1; p <= rep.Total; p++ {
		if marks[p] < 2 {
			t.Errorf("page %d shows the marking %d times; want it in the header and the footer at least", p, marks[p])
		}
	}
}
