package workbook

import (
	"bytes"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/xuri/excelize/v2"
)

func testSpec() Spec {
	cases := []sample.Selected{
		{Order: 1, Ticket: "0.01", Case: sample.Case{ID: "CR-0000007", Row: 11, Stratum: "North", Fields: []string{"North", "A. Worker", "CP"}}},
		{Order: 2, Ticket: "0.02", Case: sample.Case{ID: "=HYPERLINK(\"http://evil\")", Row: 12, Stratum: "South", Fields: []string{"South", "@SUM(1)", "CIN"}}},
		{Order: 3, Ticket: "0.03", Case: sample.Case{ID: "000123", Row: 13, Stratum: "North", Fields: []string{"North", "Zoë Müller", "CLA"}}},
	}
	return Spec{
		Audit: "2026-07 monthly",
		Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, Seed: "48213270991532670122",
			Export: sample.Source{Path: "cases.xlsx", AbsPath: "/data/cases.xlsx", SHA256: strings.Repeat("ab", 32), Format: "xlsx",
				Sheet: "Cases", HeaderRow: 4, IDColumn: "Case Reference"},
			Counts:  sample.Counts{Rows: 3000, Distinct: 2998, Population: 2998},
			Filters: []string{"Legal Status!=Care Leaver"},
			Strata:  &sample.StrataRule{Column: "Team", Allocation: "proportional"}, Size: 3, ToolVersion: "test",
			Drawn: time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)},
		Columns:  []string{"Team", "Allocated Worker", "Legal Status"},
		Cases:    cases,
		Auditors: map[string]string{"CR-0000007": "A. Khan"},
	}
}

func TestWorkbookLayout(t *testing.T) {
	var buf bytes.Buffer
	if err := Write(&buf, testSpec()); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(buf.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got := f.GetSheetList(); strings.Join(got, ",") != "Instructions,Sample,Lists,Paper,Method" {
		t.Fatalf("sheets %v", got)
	}
	if v, _ := f.GetSheetVisible(SheetLists); v {
		t.Error("the Lists sheet should be hidden")
	}
	rows, err := f.GetRows(SheetSample)
	if err != nil {
		t.Fatal(err)
	}
	wantHeader := "#|Case ID|Team|Allocated Worker|Legal Status|Auditor|Grade|Immediate attention|Notes|Date audited"
	if got := strings.Join(rows[0], "|"); got != wantHeader {
		t.Fatalf("header %q, want %q", got, wantHeader)
	}
	if len(rows) != 4 {
		t.Fatalf("%d rows, want header + 3", len(rows))
	}
	if rows[1][1] != "CR-0000007" || rows[1][5] != "A. Khan" || rows[3][1] != "000123" {
		t.Fatalf("rows %q", rows[1:])
	}
	// Text from the export stays text: no formula, the ID's leading zeros kept.
	if fo, _ := f.GetCellFormula(SheetSample, "B3"); fo != "" {
		t.Fatalf("B3 became a formula %q", fo)
	}
	if typ, _ := f.GetCellType(SheetSample, "B3"); typ != excelize.CellTypeSharedString && typ != excelize.CellTypeInlineString {
		t.Fatalf("B3 type %v, want a string", typ)
	}
	dvs, err := f.GetDataValidations(SheetSample)
	if err != nil {
		t.Fatal(err)
	}
	var lists []string
	for _, dv := range dvs {
		lists = append(lists, dv.Sqref+"="+dv.Formula1)
	}
	joined := strings.Join(lists, " ; ")
	for _, want := range []string{"G2:G4=Lists!$A$1:$A$4", "H2:H4=Lists!$B$1:$B$2", "J2:J4="} {
		if !strings.Contains(joined, want) {
			t.Errorf("data validations %q lack %q", joined, want)
		}
	}
	grades, _ := f.GetRows(SheetLists)
	var gl []string
	for _, r := range grades {
		gl = append(gl, r[0])
	}
	if strings.Join(gl, ",") != "Outstanding,Good,Requires improvement,Inadequate" {
		t.Errorf("grade list %v", gl)
	}
	panes, err := f.GetPanes(SheetSample)
	if err != nil || !panes.Freeze || panes.YSplit != 1 {
		t.Errorf("header not frozen: %+v %v", panes, err)
	}
	method, _ := f.GetRows(SheetMethod)
	text := ""
	for _, r := range method {
		text += strings.Join(r, "=") + "\n"
	}
	for _, want := range []string{"Workbook=Auditors' workbook", "Audit=2026-07 monthly", "Seed=48213270991532670122",
		"Export SHA-256=" + strings.Repeat("ab", 32), "Export file (full path)=/data/cases.xlsx", "ID column=Case Reference",
		"Sheet=Cases", "Header row=4", "Population (cases drawn from)=2,998", "Filters=Legal Status!=Care Leaver",
		"Strata=Team, proportional allocation", "Sample size=3", "Drawn (UTC)=2026-07-01 09:00:00", "How to re-derive this sample=The sample depends only on the seed"} {
		if !strings.Contains(text, want) {
			t.Errorf("Method sheet lacks %q:\n%s", want, text)
		}
	}
}

// The workbook reads back through the project's own reader, as import will.
func TestWorkbookReadsBack(t *testing.T) {
	p := filepath.Join(t.TempDir(), "audit.xlsx")
	var buf bytes.Buffer
	if err := Write(&buf, testSpec()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, buf.Bytes(), 0o600)
	tb, err := export.Open(context.Background(), p, export.OpenOptions{Sheet: SheetSample, IDColumn: ColCaseID})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	var ids []string
	err = tb.Rows(context.Background(), []int{tb.IDIndex}, func(r export.Row) error {
		ids = append(ids, r.Cells[0])
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(ids, ","); got != `CR-0000007,=HYPERLINK("http://evil"),000123` {
		t.Fatalf("ids %q", got)
	}
}

// LibreOffice opens the workbook and converts it (when soffice is installed).
func TestWorkbookLibreOffice(t *testing.T) {
	soffice := printcheck.RequireSoffice(t)
	dir := t.TempDir()
	p := filepath.Join(dir, "audit.xlsx")
	var buf bytes.Buffer
	if err := Write(&buf, testSpec()); err != nil {
		t.Fatal(err)
	}
	os.WriteFile(p, buf.Bytes(), 0o600)
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.Join(dir, "lo-profile"),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,2", "--outdir", dir, p)
	if out, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	// With a sheet number, LibreOffice names the file after the sheet.
	csv, err := os.ReadFile(filepath.Join(dir, "audit-Sample.csv"))
	if err != nil {
		t.Fatal(err)
	}
	lines := strings.Split(strings.TrimSpace(string(csv)), "\n")
	if len(lines) != 4 || !strings.HasPrefix(lines[0], "#,Case ID,Team") || !strings.Contains(lines[1], "CR-0000007") ||
		!strings.Contains(lines[3], "000123") || !strings.Contains(lines[3], "Zoë Müller") {
		t.Fatalf("LibreOffice read:\n%s", csv)
	}
}
