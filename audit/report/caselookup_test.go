package report

import (
	"bytes"
	"context"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/xuri/excelize/v2"
)

// hostileCase looks up the first case of hostileStore, whose team field and
// note carry markup.
func hostileCase(t *testing.T, names bool) *CaseDocument {
	t.Helper()
	r, err := hostileStore(t).LookUp(context.Background(), audit.LookUpRequest{Case: "H-00001", Names: names,
		Person: audit.Person{Name: "QA", Roles: []audit.Role{audit.QA}}})
	if err != nil {
		t.Fatal(err)
	}
	return NewCaseDocument(r, "OFFICIAL-SENSITIVE & PERSONAL", time.Date(2026, 7, 5, 9, 0, 0, 0, time.UTC))
}

// The HTML document escapes everything the store holds, loads nothing,
// and keeps the print contract: A4, the marking in the margins and at the
// top and foot of the page, page numbers.
func TestCaseHTML(t *testing.T) {
	d := hostileCase(t, false)
	var b bytes.Buffer
	if err := d.WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	page := b.String()
	if strings.Contains(page, `<script>alert`) || !strings.Contains(page, `&lt;script&gt;alert(&#34;team&#34;)&lt;/script&gt;`) {
		t.Error("the team field's markup is not escaped")
	}
	if strings.Contains(page, "src=") || strings.Contains(page, "<link") {
		t.Error("the page loads something")
	}
	for _, p := range printcheck.CheckHTML(b.Bytes(), d.Marking) {
		t.Error(p)
	}
	// The child's forename is a personal column: withheld without names.
	if strings.Contains(page, ">Ada<") || !strings.Contains(page, "withheld: personal details") {
		t.Error("the forename is shown without --include-names")
	}
	if strings.Contains(page, "A. Khan") || !strings.Contains(page, "A.K.") {
		t.Error("the auditor is named without --include-names")
	}
	b.Reset()
	if err := hostileCase(t, true).WriteHTML(&b); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(b.String(), ">Ada<") || !strings.Contains(b.String(), "A. Khan") {
		t.Error("--include-names does not show the names the store holds")
	}
}

// The workbook keeps every cell text (a note starting "+" or "@" is never
// a formula), and the print contract on both sheets.
func TestCaseXLSX(t *testing.T) {
	d := hostileCase(t, false)
	var b bytes.Buffer
	if err := d.WriteXLSX(&b); err != nil {
		t.Fatal(err)
	}
	problems, err := printcheck.CheckWorkbook(b.Bytes(), d.Marking, "Summary")
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range problems {
		t.Error(p)
	}
	f, err := excelize.OpenReader(&b)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Summary,Entries" {
		t.Fatalf("sheets %v", got)
	}
	rows, err := f.GetRows("Entries")
	if err != nil {
		t.Fatal(err)
	}
	if strings.Join(rows[0], "|") != "Audit|Entry|When (UTC)|What|By|Entered by|Note|Reason|Details" {
		t.Errorf("header %v", rows[0])
	}
	// sample, finding, action-open
	if len(rows) != 4 {
		t.Fatalf("%d entries, want 3: %v", len(rows)-1, rows[1:])
	}
	note := `<script>alert("note")</script> | *bold* [x](http://example.invalid)`
	if rows[2][6] != note || rows[3][6] != note {
		t.Errorf("notes %q %q", rows[2][6], rows[3][6])
	}
	for r := range rows {
		for c := range rows[r] {
			cell, _ := excelize.CoordinatesToCellName(c+1, r+1)
			if fm, _ := f.GetCellFormula("Entries", cell); fm != "" {
				t.Errorf("%s holds a formula %q", cell, fm)
			}
			if ty, _ := f.GetCellType("Entries", cell); ty != excelize.CellTypeSharedString && ty != excelize.CellTypeInlineString && ty != excelize.CellTypeUnset {
				t.Errorf("%s is not text (%v)", cell, ty)
			}
		}
	}
	sum, err := f.GetRows("Summary")
	if err != nil {
		t.Fatal(err)
	}
	if sum[0][0] != d.Marking || sum[len(sum)-1][0] != d.Marking {
		t.Errorf("the Summary does not begin and end with the marking: %q … %q", sum[0], sum[len(sum)-1])
	}
}

// The text says where each item is in the trail, and the names rule.
func TestCaseText(t *testing.T) {
	var b bytes.Buffer
	if err := hostileCase(t, false).WriteText(&b); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{
		"Everything the audit store ",
		" holds about case H-00001: 1 audit, 3 trail entries.\n",
		"\n  Forename:            (withheld: personal details; --include-names shows them)\n",
		"\n  entry 2    2026-01-01 00:00:02  finding: Good, needs immediate attention; by A.K. (entered by Q.)\n",
		"Members of staff are shown by their initials",
	} {
		if !strings.Contains(b.String(), want) {
			t.Errorf("the text lacks %q:\n%s", want, b.String())
		}
	}
}
