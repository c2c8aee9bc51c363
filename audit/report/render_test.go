package report

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/printcheck"
	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/xuri/excelize/v2"
)

// hostileStore holds one audit whose team field and notes carry markup,
// formulas and terminal escapes; the first case is flagged.
func hostileStore(t *testing.T) *audit.Store {
	t.Helper()
	ctx := context.Background()
	clock := &fixedClock{t: time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)}
	st, err := audit.Open(ctx, filepath.Join(t.TempDir(), "h.db"), audit.Options{Clock: clock.now, Actor: "QA"})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	a := fxAudit("<b>audit</b>", 100)
	a.Provenance.Strata = nil
	cases := fxCases(3, "H")
	cases[0].Fields[0] = `<script>alert("team")</script>`
	cases[1].Fields[0] = "@SUM(1+1)"
	cases[2].Fields[0] = "\x1b[31mred\x1b[0m"
	for i := range cases {
		cases[i].Stratum = ""
	}
	if _, err := st.CreateAudit(ctx, a, cases); err != nil {
		t.Fatal(err)
	}
	notes := []string{`<script>alert("note")</script> | *bold* [x](http://example.invalid)`, "+44 called", "\x1b[2Jcleared"}
	for i, c := range cases {
		mustRecord(t, st, a.Name, audit.Finding{Case: c.ID, Auditor: "A. Khan", Grade: audit.Good, Immediate: true, Note: notes[i]})
	}
	return st
}

func TestHTMLEscapesAndIsSelfContained(t *testing.T) {
	o := fixedOptions()
	o.By = "Team"
	r, err := Build(context.Background(), hostileStore(t), "", o)
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	if strings.Contains(strings.ToLower(h), "<script") || strings.Contains(h, "<b>audit") {
		t.Errorf("markup from the store reached the HTML unescaped")
	}
	for _, want := range []string{"&lt;script&gt;alert(&#34;team&#34;)&lt;/script&gt;", "&lt;script&gt;alert(&#34;note&#34;)&lt;/script&gt;", "&lt;b&gt;audit&lt;/b&gt;"} {
		if !strings.Contains(h, want) {
			t.Errorf("HTML lacks the escaped text %s", want)
		}
	}
	for _, bad := range []string{"<link", "src=", "@import", "url(", "href=\"http"} {
		if strings.Contains(h, bad) {
			t.Errorf("HTML refers to an external asset (%s)", bad)
		}
	}
	if !strings.Contains(h, "<svg") {
		t.Error("no inline SVG chart")
	}
	// The fixture's HTML has both charts.
	var f bytes.Buffer
	if err := WriteHTML(&f, buildFixture(t, "", fixedOptions())); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(f.String(), "<svg"); n != 3 {
		t.Errorf("%d SVG charts, want 3 (trend, grade mix, Good or better)", n)
	}
}

func TestMarkdownEscapes(t *testing.T) {
	r, err := Build(context.Background(), hostileStore(t), "", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteMarkdown(&b, r); err != nil {
		t.Fatal(err)
	}
	md := b.String()
	for _, bad := range []string{"<script", "[x](", "\x1b"} {
		if strings.Contains(md, bad) {
			t.Errorf("Markdown carries %q unescaped", bad)
		}
	}
	// A pipe in a note must not add a table cell: every row of the flagged
	// table has as many unescaped pipes as the header.
	lines := strings.Split(md, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, "| # |") {
			want := strings.Count(l, "|")
			for _, row := range lines[i+2 : i+5] {
				if got := strings.Count(row, "|") - strings.Count(row, `\|`); got != want {
					t.Errorf("row %q has %d cell separators, want %d", row, got, want)
				}
			}
		}
	}
}

func TestTableColourAndEscapes(t *testing.T) {
	r, err := Build(context.Background(), hostileStore(t), "", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	// On a terminal (through the writer the command line puts on a
	// terminal's standard output): colour only when asked, and only ours.
	var plain, col bytes.Buffer
	WriteTable(textsafe.NewWriter(&plain, false), r, false)
	WriteTable(textsafe.NewWriter(&col, true), r, true)
	if strings.Contains(plain.String(), "\x1b") {
		t.Errorf("escape codes without colour (from the data or ours):\n%q", plain.String())
	}
	if !strings.Contains(col.String(), "\x1b[1m") {
		t.Error("no colour with color=true")
	}
	rest := strings.NewReplacer("\x1b[1m", "", "\x1b[0m", "").Replace(col.String())
	if strings.Contains(rest, "\x1b") {
		t.Errorf("escape codes from the data reached the terminal")
	}
	// Without colour no mark of ours is left in the text either.
	var raw bytes.Buffer
	WriteTable(&raw, r, false)
	if strings.ContainsAny(raw.String(), textsafe.Bold+textsafe.Plain) {
		t.Error("emphasis marks without colour")
	}
}

func TestCSVInjection(t *testing.T) {
	r, err := Build(context.Background(), hostileStore(t), "", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := WriteCasesCSV(&b, r); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	col := func(name string) int {
		for i, h := range rows[0] {
			if h == name {
				return i
			}
		}
		t.Fatalf("no column %q in %q", name, rows[0])
		return -1
	}
	team, note := col("Team"), col("Note")
	if got := rows[2][team]; got != "'@SUM(1+1)" {
		t.Errorf("team cell %q", got)
	}
	if got := rows[2][note]; got != "'+44 called" {
		t.Errorf("note cell %q", got)
	}
	for _, r := range rows {
		for _, c := range r {
			if c != "" && strings.ContainsRune("=+-@\t\r", rune(c[0])) {
				t.Errorf("cell %q starts with a formula character", c)
			}
		}
	}
	// The figures CSV: numbers are plain numbers.
	var fig bytes.Buffer
	WriteCSV(&fig, buildFixture(t, "", fixedOptions()))
	recs, err := csv.NewReader(&fig).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	found := false
	for _, rec := range recs {
		if rec[0] == "comparison" && rec[2] == "p" {
			found = true
			if !strings.HasPrefix(rec[3], "0.04446945") { // R: score test, 0/120 − 3/90
				t.Errorf("p %q", rec[3])
			}
		}
		if rec[0] == "comparison" && rec[2] == "difference" && rec[3] != "-0.03333333333333333" {
			t.Errorf("a negative number is written as a number: %q", rec[3])
		}
	}
	if !found {
		t.Error("no p row")
	}
}

// TestJSONContract checks the documented fields and their JSON types.
func TestJSONContract(t *testing.T) {
	var b bytes.Buffer
	if err := WriteJSON(&b, buildFixture(t, "", fixedOptions())); err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(b.Bytes(), &m); err != nil {
		t.Fatal(err)
	}
	num := func(v any, path string) {
		if _, ok := v.(float64); !ok {
			t.Errorf("%s = %#v, want a number", path, v)
		}
	}
	for _, k := range []string{"population", "sampled", "audited", "flagged", "share", "upper_one_sided", "finite_population_upper"} {
		num(m[k], k)
	}
	if m["audit"] != "2026-07" {
		t.Errorf("audit = %v", m["audit"])
	}
	ci := m["ci"].(map[string]any)
	if ci["method"] != "clopper-pearson" {
		t.Errorf("ci.method = %v", ci["method"])
	}
	for _, k := range []string{"confidence", "lower", "upper"} {
		num(ci[k], "ci."+k)
	}
	g := m["grades"].(map[string]any)
	for _, k := range []string{"Outstanding", "Good", "Requires improvement", "Inadequate"} {
		num(g[k], "grades."+k)
	}
	if _, ok := m["breakdown"].([]any); !ok {
		t.Error("breakdown is not an array")
	}
	mod := m["moderation"].(map[string]any)
	for _, k := range []string{"pairs", "agreement", "kappa", "weighted_kappa_linear", "weighted_kappa_quadratic"} {
		num(mod[k], "moderation."+k)
	}
	c := m["comparison"].(map[string]any)
	if c["previous"] != "2025-07" {
		t.Errorf("comparison.previous = %v", c["previous"])
	}
	num(c["difference"], "comparison.difference")
	num(c["p"], "comparison.p")
	if d, ok := c["difference_ci"].([]any); !ok || len(d) != 2 {
		t.Errorf("comparison.difference_ci = %v", c["difference_ci"])
	}
	if _, ok := m["cases"]; ok {
		t.Error("cases are included only with Options.Cases")
	}
	for _, c := range m["flagged_cases"].([]any) {
		if _, ok := c.(map[string]any)["fields"].(map[string]any)["Forename"]; ok {
			t.Error("a forename in the JSON")
		}
	}
	// The provenance lists every kept column's name (it is how the sample
	// was drawn); no value of a personal column appears anywhere.
	if strings.Contains(b.String(), `"Forename":`) || strings.Contains(b.String(), `"Ada"`) {
		t.Error("personal column in the JSON report")
	}
}

func TestXLSXWorkbook(t *testing.T) {
	var b bytes.Buffer
	if err := WriteXLSX(&b, buildFixture(t, "", fixedOptions())); err != nil {
		t.Fatal(err)
	}
	f, err := excelize.OpenReader(bytes.NewReader(b.Bytes()))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if got, want := strings.Join(f.GetSheetList(), ","), "Summary,Cases,Breakdown,Focus areas,Moderation,Calibration,Trend"; got != want {
		t.Errorf("sheets %s, want %s", got, want)
	}
	// Numbers are numbers: the upper bound cell holds the bound as every
	// format states it, rounded outward (0.0943… is 9.5%, never 9.4%).
	rows, _ := f.GetRows("Trend", excelize.Options{RawCellValue: true})
	lo, hi := slices.Index(rows[0], "95% lower"), slices.Index(rows[0], "95% upper")
	if len(rows) < 3 || lo < 0 || hi < 0 || len(rows[1]) <= hi || rows[1][hi] != "0.095" || rows[1][lo] != "0.006" {
		t.Errorf("trend rows %q", rows)
	}
	// The Summary sheet holds each bound exactly too, beside it.
	sum, _ := f.GetRows("Summary", excelize.Options{RawCellValue: true})
	found := false
	for _, row := range sum {
		if len(row) == 3 && strings.HasPrefix(row[0], "95% interval, upper") {
			found = true
			if row[1] != "0.031" || !strings.HasPrefix(row[2], "0.0302") {
				t.Errorf("summary: %q; want the upper bound 0.031 and exactly 0.0302…", row)
			}
		}
	}
	if !found {
		t.Errorf("no upper bound with its exact value on the Summary sheet: %q", sum)
	}
	upper, _ := excelize.CoordinatesToCellName(hi+1, 2)
	typ, _ := f.GetCellType("Trend", upper)
	if typ != excelize.CellTypeUnset && typ != excelize.CellTypeNumber {
		t.Errorf("%s has type %v, want a number", upper, typ)
	}
	// A note that looks like a formula is text, not a formula.
	head, _ := f.GetRows("Cases")
	note := slices.Index(head[0], "Note")
	noteCell, _ := excelize.CoordinatesToCellName(note+1, 6)
	if v, _ := f.GetCellValue("Cases", noteCell); !strings.HasPrefix(v, "=HYPERLINK") {
		t.Errorf("Cases %s holds %q; want the note that looks like a formula", noteCell, v)
	}
	if fm, _ := f.GetCellFormula("Cases", noteCell); fm != "" {
		t.Errorf("a note became a formula: %q", fm)
	}
	// The stratum is the Team column, shown once.
	if n := strings.Count(strings.Join(head[0], "|"), "Team") + strings.Count(strings.Join(head[0], "|"), "Stratum"); n != 1 {
		t.Errorf("Cases header %q shows the team %d times", head[0], n)
	}
	charts := chartXML(t, b.Bytes())
	if len(charts) != 3 || !strings.Contains(describeChart(charts[0].xml), "kind lineChart") ||
		!strings.Contains(describeChart(charts[1].xml), "grouping percentStacked") ||
		!strings.Contains(describeChart(charts[2].xml), "kind lineChart") {
		t.Errorf("charts: %d", len(charts))
	}

	// LibreOffice opens it and reads the same figures (when installed).
	if testing.Short() {
		t.Skip("-short: LibreOffice round trip skipped")
	}
	soffice := printcheck.RequireSoffice(t)
	dir := t.TempDir()
	in := filepath.Join(dir, "report.xlsx")
	if err := os.WriteFile(in, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(soffice, "--headless", "-env:UserInstallation=file://"+filepath.ToSlash(filepath.Join(dir, "profile")),
		"--convert-to", "csv:Text - txt - csv (StarCalc):44,34,76,1,,0,false,true,false,false,false,-1", "--outdir", dir, in)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("soffice: %v\n%s", err, out)
	}
	read := func(sheet string) string {
		data, err := os.ReadFile(filepath.Join(dir, "report-"+sheet+".csv"))
		if err != nil {
			t.Fatalf("LibreOffice wrote no %s sheet: %v\n%s", sheet, err, out)
		}
		return string(data)
	}
	if s := read("Summary"); !strings.Contains(s, "at most 72 of the 3,000 cases (2.4%) would") || !strings.Contains(s, `"95% upper bound for the population, cases",72`) {
		t.Errorf("LibreOffice Summary:\n%s", s)
	}
	if s := read("Trend"); !strings.Contains(s, "2025-07,2025-07,not signed off,2025-07-01,90,90,3,") {
		t.Errorf("LibreOffice Trend:\n%s", s)
	}
	if s := read("Cases"); strings.Count(s, "\n") != 121 || !strings.Contains(s, `"=HYPERLINK(""http://example.invalid"") plan overdue"`) {
		t.Errorf("LibreOffice Cases:\n%s", s)
	}
	read("Breakdown")
	read("Moderation")
}

func TestFormats(t *testing.T) {
	for in, want := range map[string]Format{"table": Table, "md": Markdown, "CSV": CSV, "json": JSON, "xlsx": XLSX, "html": HTML} {
		if got, err := ParseFormat(in); err != nil || got != want {
			t.Errorf("ParseFormat(%q) = %v, %v", in, got, err)
		}
	}
	if _, err := ParseFormat("pdf"); err == nil {
		t.Error("pdf accepted")
	}
	for in, want := range map[string]Format{"r.html": HTML, "R.XLSX": XLSX, "a/b.md": Markdown, "x.json": JSON, "x.csv": CSV, "x.txt": Table} {
		if got, ok := FormatForPath(in); !ok || got != want {
			t.Errorf("FormatForPath(%q) = %v", in, got)
		}
	}
	if _, ok := FormatForPath("report.pdf"); ok {
		t.Error(".pdf inferred")
	}
}

// A note naming case IDs keeps each on one line in the HTML: a browser
// breaks a line after a hyphen, and printed, "CR-" ended one line and
// "0000892" began the next.
func TestHTMLNotesKeepCaseIDsWhole(t *testing.T) {
	r := buildFixture(t, "", fixedOptions())
	r.Notes = append(r.Notes, "5 cases flagged by their auditor were judged at moderation not to need it (CR-0001154, CR-0000892); <b>they</b> stay open")
	var b bytes.Buffer
	if err := WriteHTML(&b, r); err != nil {
		t.Fatal(err)
	}
	h := b.String()
	for _, want := range []string{`<span class="nb">(CR-0001154,</span> <span class="nb">CR-0000892);</span>`, "&lt;b&gt;they&lt;/b&gt;", "span.nb { white-space: nowrap; }"} {
		if !strings.Contains(h, want) {
			t.Errorf("the HTML notes lack %s", want)
		}
	}
	if strings.Contains(h, `<span class="nb">follow-up</span>`) {
		t.Error("a word without a digit was kept whole too")
	}
}
