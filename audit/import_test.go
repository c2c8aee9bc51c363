package audit

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/xuri/excelize/v2"
)

// workbookFor writes the auditors' workbook of an audit with the project's
// writer (as sample --out does) and returns its path.
func workbookFor(t *testing.T, s *Store, audit string) string {
	t.Helper()
	ctx := context.Background()
	a, err := s.Audit(ctx, audit)
	if err != nil {
		t.Fatal(err)
	}
	cases, err := s.Cases(ctx, audit)
	if err != nil {
		t.Fatal(err)
	}
	spec := WorkbookSpec{Audit: a.Name, Provenance: a.Provenance, Columns: a.Columns}
	spec.Cases = selection(cases)
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, spec); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "audit.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// fill writes values into the workbook's Sample sheet as an auditor would
// in Excel: values[row] maps a header name to a cell value.
func fill(t *testing.T, path string, values map[int]map[string]any) {
	t.Helper()
	f, err := excelize.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	header, err := f.GetRows(SheetSample)
	if err != nil {
		t.Fatal(err)
	}
	col := map[string]int{}
	for i, h := range header[0] {
		col[h] = i + 1
	}
	for row, m := range values {
		for h, v := range m {
			c, ok := col[h]
			if !ok {
				t.Fatalf("no column %q in %v", h, header[0])
			}
			cell, _ := excelize.CoordinatesToCellName(c, row)
			if err := f.SetCellValue(SheetSample, cell, v); err != nil {
				t.Fatal(err)
			}
		}
	}
	if err := f.Save(); err != nil {
		t.Fatal(err)
	}
}

func TestImportWorkbook(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, clock := withAudit(t, name, 10)
	clock.on("2026-07-15") // the workbook is imported after its dates
	p := workbookFor(t, s, name)
	day := time.Date(2026, 7, 14, 0, 0, 0, 0, time.UTC)
	fill(t, p, map[int]map[string]any{ // row 2 is case 1
		2: {"Auditor": "A. Khan", "Grade": "Good", "Immediate attention": "No", "Notes": "Visits on time", "Date audited": day},
		3: {"Auditor": "A. Khan", "Grade": "ri", "Immediate attention": "Yes", "Date audited": "15/07/2026"},
		4: {"Auditor": "B. Lee", "Grade": "outstanding", "Immediate attention": "n"},
		6: {"Auditor": "B. Lee", "Grade": "Inadequate", "Immediate attention": "YES", "Notes": "No plan on file"},
		7: {"Auditor": "C. Diaz"}, // an auditor's name alone is not a finding
	})
	res, err := Import(ctx, s, name, p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 10 || res.Recorded != 4 || res.Empty != 6 || res.Unchanged != 0 || res.Corrections != 0 {
		t.Fatalf("first import: %+v", res)
	}
	fs, _ := s.Findings(ctx, name, false)
	got := ""
	for _, f := range fs {
		got += fmt.Sprintf("%s %s %s %v %s %q|", f.Case, f.Auditor, f.Grade, f.Immediate, f.Date, f.Note)
	}
	want := `CR-0000001 A. Khan Good false 2026-07-14 "Visits on time"|` +
		`CR-0000002 A. Khan Requires improvement true 2026-07-15 ""|` +
		`CR-0000003 B. Lee Outstanding false  ""|` +
		`CR-0000005 B. Lee Inadequate true  "No plan on file"|`
	if got != want {
		t.Errorf("findings\n got %s\nwant %s", got, want)
	}
	// The same file again records nothing.
	res, err = Import(ctx, s, name, p, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recorded != 0 || res.Unchanged != 4 {
		t.Errorf("second import: %+v", res)
	}
	h, _ := s.History(ctx, name, "CR-0000005")
	h = findingEntries(h)
	if len(h) != 1 || !strings.Contains(string(h[0].Payload), `"source":"import audit.xlsx row 6"`) {
		t.Errorf("history %v", h)
	}
	st, _ := s.Status(ctx, name)
	if st.Recorded != 4 || st.Flagged != 2 {
		t.Errorf("status %+v", st.AuditSummary)
	}
	mustVerify(t, s, name)
}

const csvHeader = "#,Case ID,Team,Allocated Worker,Legal Status,Auditor,Grade,Immediate attention,Notes,Date audited\n"

func writeCSV(t *testing.T, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), "audit.csv")
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

func TestImportListsEveryProblem(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, clock := openTest(t)
	clock.on("2026-07-20")
	if _, err := s.CreateAudit(ctx, testAudit(name), testCases(200)); err != nil {
		t.Fatal(err)
	}
	p := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,\n"+ // row 2: fine
		"2,CR-0000002,South,B. Lee,CIN,B. Lee,Goood,No,,\n"+ // row 3: bad grade
		"3,CR-0000003,East,C. Diaz,CIN,B. Lee,Good,Maybe,,\n"+ // row 4: bad immediate
		"4,CR-0000004,West,D. Novak,CIN,,Inadequate,Yes,,\n"+ // row 5: no auditor
		"5,CR-000123,North,E. Okafor,CIN,B. Lee,Good,No,,\n"+ // row 6: not in the audit
		"6,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,\n"+ // row 7: CR-0000001 twice
		"7,CR-0000007,East,A. Khan,CIN,B. Lee,,Yes,,\n"+ // row 8: immediate without grade
		"8,CR-0000008,West,B. Lee,CIN,B. Lee,g,y,,31/02/2026\n"+ // row 9: no such date
		"\n"+ // row 10: blank
		"9,CR-0000009,North,C. Diaz,CIN,,,,,\n"+ // row 11: no finding
		"10,CR-0000010,South,D. Novak,CIN,C. Diaz,i,yes,Urgent,2026-07-20\n") // row 12: fine
	_, err := Import(ctx, s, name, p, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) {
		t.Fatalf("error %v; want *ImportError", err)
	}
	var got []string
	for _, pr := range ie.Problems {
		got = append(got, pr.String())
	}
	want := []string{
		`row 3, column Grade: "Goood" is not a grade; did you mean "Good"? use Outstanding, Good, Requires improvement or Inadequate (or o, g, ri, i)`,
		`row 4, column Immediate attention: "Maybe" is not yes or no; use Yes or No`,
		`row 5, column Auditor: a finding needs the auditor's name`,
		`row 6, column Case ID: case "CR-000123" is not in audit "2026-07 monthly"; row 6's # is 5, which is CR-0000005: a typing slip? Or did you mean "CR-0000123"?`,
		`row 7, column Case ID: case "CR-0000001" is also on row 2; keep one row per case`,
		`row 8, column Grade: immediate attention is given but no grade; give Outstanding, Good, Requires improvement or Inadequate`,
		`row 9, column Date audited: "31/02/2026" is not a date; write it as yyyy-mm-dd or dd/mm/yyyy`,
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("problems\n got:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if !strings.HasPrefix(err.Error(), p+": 7 problems, nothing was imported; the first: row 3, column Grade") {
		t.Errorf("message %q", err)
	}
	if tr, _ := s.Trail(ctx, name); len(tr) != 1 {
		t.Fatalf("%d trail entries after a refused import; want 1", len(tr))
	}
	// SkipInvalid imports the two valid rows on purpose.
	res, err := Import(ctx, s, name, p, ImportOptions{SkipInvalid: true})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recorded != 2 || res.Skipped != 7 || len(res.Problems) != 7 || res.Empty != 1 || res.Rows != 10 {
		t.Errorf("skip invalid: %+v", res)
	}
	fs, _ := s.Findings(ctx, name, false)
	if len(fs) != 2 || fs[0].Case != "CR-0000001" || fs[1].Case != "CR-0000010" || fs[1].Grade != Inadequate || fs[1].Date != "2026-07-20" {
		t.Errorf("findings %+v", fs)
	}
}

func TestImportCorrections(t *testing.T) {
	ctx := context.Background()
	const name = "a"
	s, clock := withAudit(t, name, 5)
	clock.on("2026-07-21")
	first := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,2026-07-10\n"+
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,Good,No,,2026-07-10\n")
	if _, err := Import(ctx, s, name, first, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	second := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,2026-07-10\n"+ // unchanged
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,Inadequate,Yes,Missed a visit,2026-07-10\n") // changed
	_, err := Import(ctx, s, name, second, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].Spell(opt.Flags) !=
		`row 3: CR-0000002 already has a finding by C. Diaz on 2026-07-10 and this row differs: Grade recorded "Good", this row "Inadequate"; Immediate attention recorded "No", this row "Yes"; Notes recorded blank, this row "Missed a visit"; to correct it import with --correct CR-0000002 and a --reason saying why, or fix the row` {
		t.Fatalf("correction without reason: %v", err)
	}
	if fmt.Sprint(ie.Differing) != "[CR-0000002]" {
		t.Errorf("differing %v", ie.Differing)
	}
	// A reason alone corrects nothing: the case must be named.
	_, err = Import(ctx, s, name, second, ImportOptions{Reason: "moderation meeting 2026-07-21"})
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.HasSuffix(ie.Problems[0].Spell(opt.Flags),
		`; it is not named in --correct, so it is not corrected: name it there to correct it, or fix the row`) {
		t.Fatalf("correction with a reason and no case named: %v", err)
	}
	// Naming a case without a reason, or a case the files do not change,
	// or one not in the audit, refuses the import.
	for _, c := range []struct {
		o    ImportOptions
		want string
	}{
		{ImportOptions{Correct: []string{"CR-0000002"}}, "--correct needs a --reason: it is recorded with each correction"},
		{ImportOptions{Correct: []string{"CR-0000002", "CR-0000003"}, Reason: "r"}, "--correct names CR-0000003, but no row of " + second + " holds it; nothing was imported (check the case ID and the files)"},
		{ImportOptions{Correct: []string{"CR-000002"}, Reason: "r"}, `--correct names case "CR-000002", which is not in audit "a"; did you mean "CR-0000002"?; nothing was imported`},
		{ImportOptions{Correct: []string{"CR-0000002"}, Keep: []string{"cr-0000002"}, Reason: "r"}, "cr-0000002 is named both in --correct and in --keep: correct it or keep its finding, not both"},
	} {
		if _, err := Import(ctx, s, name, second, c.o); err == nil || opt.Spell(err, opt.Flags) != c.want {
			t.Errorf("%+v: %v, want %s", c.o, err, c.want)
		}
	}
	// Kept: the row is left out and the finding stays.
	res, err := Import(ctx, s, name, second, ImportOptions{Keep: []string{"CR-0000002"}})
	if err != nil || res.Kept != 1 || res.Corrections != 0 || res.Unchanged != 1 {
		t.Fatalf("keep: %+v %v", res, err)
	}
	// A dry run lists the correction and writes nothing.
	res, err = Import(ctx, s, name, second, ImportOptions{CorrectAll: true, Reason: "r", DryRun: true})
	if err != nil || res.Corrections != 1 || len(res.Corrected) != 1 || res.Corrected[0].Case != "CR-0000002" || res.Corrected[0].Seq != 0 {
		t.Fatalf("dry run: %+v %v", res, err)
	}
	if h, _ := s.History(ctx, name, "CR-0000002"); len(findingEntries(h)) != 1 {
		t.Fatalf("the dry run wrote: %+v", h)
	}
	res, err = Import(ctx, s, name, second, ImportOptions{Reason: "moderation meeting 2026-07-21", Correct: []string{"cr-0000002"}})
	if err != nil {
		t.Fatal(err)
	}
	if res.Corrections != 1 || res.Unchanged != 1 || res.Recorded != 0 || len(res.Corrected) != 1 ||
		res.Corrected[0].Was.Grade != Good || res.Corrected[0].Row != 3 || res.Corrected[0].Seq == 0 ||
		res.Corrected[0].Differs.Spell(opt.Flags) != `Grade recorded "Good", this row "Inadequate"; Immediate attention recorded "No", this row "Yes"; Notes recorded blank, this row "Missed a visit"` {
		t.Errorf("result %+v", res)
	}
	h, _ := s.History(ctx, name, "CR-0000002")
	h = findingEntries(h)
	var p findingPayload
	if len(h) != 2 || h[1].Kind != KindCorrection || json.Unmarshal(h[1].Payload, &p) != nil || p.Reason != "moderation meeting 2026-07-21" {
		t.Errorf("history %+v", h)
	}
	mustVerify(t, s, name)
}

func TestImportFormAnswersAndModeration(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	a := testAudit("f")
	a.Form = json.RawMessage(`{"name": "t", "questions": [{"key": "plan", "label": "Plan up to date?", "kind": "yesno"},
		{"key": "voice", "label": "Child's voice recorded?", "kind": "choice", "choices": ["Yes", "Partly", "No"]}]}`)
	if _, err := s.CreateAudit(ctx, a, testCases(4)); err != nil {
		t.Fatal(err)
	}
	hdr := strings.TrimSuffix(csvHeader, "\n") + ",Plan up to date?,Child's voice recorded?\n"
	p := writeCSV(t, hdr+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,,Yes,Partly\n"+
		"2,CR-0000002,South,B. Lee,CIN,C. Diaz,Good,No,,,No,\n")
	if _, err := Import(ctx, s, "f", p, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	fs, _ := s.Findings(ctx, "f", false)
	if len(fs) != 2 || fmt.Sprint(fs[0].Answers) != "map[plan:Yes voice:Partly]" || fmt.Sprint(fs[1].Answers) != "map[plan:No]" {
		t.Errorf("answers %v / %v", fs[0].Answers, fs[1].Answers)
	}
	// Moderation findings from a workbook: only cases in the moderation
	// sample, by a moderator who is not the case's auditor.
	p = writeCSV(t, hdr+
		"1,CR-0000001,North,A. Khan,CIN,D. Moss,Good,No,,,Yes,Partly\n"+
		"2,CR-0000002,South,B. Lee,CIN,D. Moss,Good,No,,,No,\n")
	if _, err := Import(ctx, s, "f", p, ImportOptions{Moderation: true}); err == nil || !strings.Contains(err.Error(), "no moderation sample") {
		t.Errorf("moderation import before a draw: %v", err)
	}
	m, err := s.DrawModeration(ctx, "f", 1, "dice 4")
	if err != nil {
		t.Fatal(err)
	}
	_, err = Import(ctx, s, "f", p, ImportOptions{Moderation: true})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.Contains(ie.Problems[0].Msg, "not in the moderation sample") {
		t.Fatalf("moderation import of an undrawn case: %v", err)
	}
	res, err := Import(ctx, s, "f", p, ImportOptions{Moderation: true, SkipInvalid: true})
	if err != nil || res.Recorded != 1 {
		t.Fatalf("moderation import: %+v %v", res, err)
	}
	pairs, _ := s.ModerationPairs(ctx, "f")
	if len(pairs) != 1 || pairs[0].Case != m.Cases[0] {
		t.Errorf("pairs %v; drawn %v", pairs, m.Cases)
	}
	mustVerify(t, s, "f")
}

func TestImportNotAWorkbook(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "a", 3)
	p := writeCSV(t, "Case ID,Team\nCR-0000001,North\n")
	_, err := Import(ctx, s, "a", p, ImportOptions{})
	if err == nil || !strings.Contains(err.Error(), `no column "Auditor"`) {
		t.Errorf("export instead of workbook: %v", err)
	}
	if _, err := Import(ctx, s, "a", filepath.Join(t.TempDir(), "missing.xlsx"), ImportOptions{}); err == nil {
		t.Error("a missing file was imported")
	}
}

// storeWorkbook writes a workbook from the store (caseaudit workbook) and
// returns its path.
func storeWorkbook(t *testing.T, s *Store, audit string, o WorkbookOptions) string {
	t.Helper()
	spec, err := s.Workbook(context.Background(), audit, o)
	if err != nil {
		t.Fatal(err)
	}
	var buf bytes.Buffer
	if err := WriteWorkbook(&buf, spec); err != nil {
		t.Fatal(err)
	}
	p := filepath.Join(t.TempDir(), "workbook.xlsx")
	if err := os.WriteFile(p, buf.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// A moderators' workbook imported without the
// moderation option is recorded as moderation findings, not refused as
// corrections of the auditors' findings.
func TestImportModeratorsWorkbook(t *testing.T) {
	ctx := context.Background()
	s, clock := withAudit(t, "m", 4)
	clock.on("2026-07-10")
	for _, c := range testCases(4) {
		mustRecord(t, s, "m", Finding{Case: c.ID, Auditor: "A. Khan", Grade: Good, Date: "2026-07-10"})
	}
	if _, err := s.DrawModeration(ctx, "m", 2, "dice"); err != nil {
		t.Fatal(err)
	}
	p := storeWorkbook(t, s, "m", WorkbookOptions{Moderation: true})
	f, _ := excelize.OpenFile(p)
	head, _ := f.GetRows(SheetSample)
	f.Close()
	if !slices.Contains(head[0], ColModerator) || slices.Contains(head[0], ColAuditor) {
		t.Fatalf("the moderators' workbook's header %q: want a Moderator column, no Auditor", head[0])
	}
	fill(t, p, map[int]map[string]any{
		2: {ColModerator: "D. Patel", "Grade": "Requires improvement", "Immediate attention": "No"},
		3: {ColModerator: "D. Patel", "Grade": "Good", "Immediate attention": "No"},
	})
	res, err := Import(ctx, s, "m", p, ImportOptions{})
	if err != nil {
		t.Fatalf("a moderators' workbook without the moderation option: %v", err)
	}
	if res.Recorded != 2 || len(res.Files) != 1 || !res.Files[0].Moderation || !res.Files[0].ByMethod {
		t.Errorf("result %+v", res)
	}
	pairs, _ := s.ModerationPairs(ctx, "m")
	orig, _ := s.Findings(ctx, "m", false)
	if len(pairs) != 2 || len(orig) != 4 || orig[0].Grade != Good || orig[1].Grade != Good {
		t.Errorf("pairs %+v; the auditors' findings %+v must stay", pairs, orig)
	}
	// An auditors' workbook is refused with the moderation option.
	aw := storeWorkbook(t, s, "m", WorkbookOptions{})
	if _, err := Import(ctx, s, "m", aw, ImportOptions{Moderation: true}); err == nil || !strings.Contains(err.Error(), "is an auditors' workbook") {
		t.Errorf("an auditors' workbook with the moderation option: %v", err)
	}
}

// The wrong month's workbook is refused in one line,
// and an ID that differs only in its digits gets no "did you mean".
func TestImportWrongAuditAndDigitNearIDs(t *testing.T) {
	ctx := context.Background()
	s, _ := openTest(t)
	if _, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(20)); err != nil {
		t.Fatal(err)
	}
	other := testCases(20)
	for i := range other {
		other[i].ID = fmt.Sprintf("CR-%07d", 100+i)
	}
	if _, err := s.CreateAudit(ctx, testAudit("2026-08 monthly"), other); err != nil {
		t.Fatal(err)
	}
	p := storeWorkbook(t, s, "2026-08 monthly", WorkbookOptions{})
	fill(t, p, map[int]map[string]any{2: {"Auditor": "A. Khan", "Grade": "Good", "Immediate attention": "No"},
		3: {"Auditor": "A. Khan", "Grade": "Good", "Immediate attention": "No"}})
	_, err := Import(ctx, s, "2026-07 monthly", p, ImportOptions{})
	var wa *WrongAuditError
	if !errors.As(err, &wa) || strings.Contains(err.Error(), "\n") ||
		!strings.Contains(err.Error(), `is the workbook of audit "2026-08 monthly", not of "2026-07 monthly"`) {
		t.Errorf("the wrong month's workbook: %v", err)
	}
	// CR-0000021 is one digit from CR-0000020 but another case: no suggestion.
	// CR0000020 lacks the dash: a slip worth pointing out. (The file has no
	// "#" column, so no row's place in the sample is guessed at.)
	csvp := writeCSV(t, strings.TrimPrefix(csvHeader, "#,")+
		"CR-0000021,North,A. Khan,CIN,B. Lee,Good,No,,\n"+
		"CR0000020,North,A. Khan,CIN,B. Lee,Good,No,,\n")
	_, err = Import(ctx, s, "2026-07 monthly", csvp, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 2 {
		t.Fatalf("import: %v", err)
	}
	if m := ie.Problems[0].Msg; m != `case "CR-0000021" is not in audit "2026-07 monthly"` {
		t.Errorf("a digit-near ID: %q", m)
	}
	if m := ie.Problems[1].Msg; !strings.HasSuffix(m, `did you mean "CR-0000020"?`) {
		t.Errorf("an ID without its dash: %q", m)
	}
}

// Dates with slashes are read in the order the file's
// own dates show, and a row that differs names the field and both values.
func TestImportDateOrder(t *testing.T) {
	ctx := context.Background()
	s, clock := withAudit(t, "d", 4)
	clock.on("2026-07-14")
	first := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,2026-07-10\n"+
		"2,CR-0000002,South,B. Lee,CIN,B. Lee,Good,No,,2026-07-13\n")
	if _, err := Import(ctx, s, "d", first, ImportOptions{}); err != nil {
		t.Fatal(err)
	}
	// Re-saved by a US-English Excel: 07/13/2026 can only be month first,
	// so 07/10/2026 is July 10 and nothing changes.
	us := writeCSV(t, csvHeader+
		"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,07/10/2026\n"+
		"2,CR-0000002,South,B. Lee,CIN,B. Lee,Good,No,,07/13/2026\n"+
		"3,CR-0000003,East,C. Diaz,CIN,B. Lee,Good,No,,07/14/2026\n")
	res, err := Import(ctx, s, "d", us, ImportOptions{})
	if err != nil {
		t.Fatalf("US dates: %v", err)
	}
	if res.Unchanged != 2 || res.Recorded != 1 || res.Files[0].DateOrder != DateMDY || res.Files[0].DateBy != "the file" {
		t.Errorf("US dates: %+v", res)
	}
	fs, _ := s.Findings(ctx, "d", false)
	if fs[2].Date != "2026-07-14" {
		t.Errorf("07/14/2026 read as %s", fs[2].Date)
	}
	// Only ambiguous dates: read day first, and the differing row says so,
	// with both values and the way out; read day first, the date is also
	// after today (7 October), which is said in its words.
	amb := writeCSV(t, csvHeader+"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,07/10/2026\n")
	_, err = Import(ctx, s, "d", amb, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 2 {
		t.Fatalf("ambiguous date: %v", err)
	}
	if got, want := ie.Problems[1].String(), `row 2, column Date audited: "07/10/2026" (7 October 2026) is after today (14 July 2026); write the day the case was read (a mistyped year, or day and month swapped?)`; got != want {
		t.Errorf("ambiguous date after today:\n got %s\nwant %s", got, want)
	}
	want := `Date audited recorded "2026-07-10", this row "2026-10-07" (read day first from "07/10/2026"; read month first it is the date recorded: give date_order mdy)`
	if !strings.Contains(ie.Problems[0].Msg, want) {
		t.Errorf("ambiguous date:\n got %s\nwant …%s…", ie.Problems[0].Msg, want)
	}
	if res, err := Import(ctx, s, "d", amb, ImportOptions{DateOrder: DateMDY}); err != nil || res.Unchanged != 1 {
		t.Errorf("with month first: %+v %v", res, err)
	}
	// A file mixing the two orders is refused, row by row.
	mixed := writeCSV(t, csvHeader+
		"4,CR-0000004,West,D. Novak,CIN,B. Lee,Good,No,,13/07/2026\n"+
		"3,CR-0000003,East,C. Diaz,CIN,B. Lee,Good,No,,07/14/2026\n")
	_, err = Import(ctx, s, "d", mixed, ImportOptions{})
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || !strings.Contains(ie.Problems[0].Msg, `"07/14/2026" is written month first (mm/dd/yyyy), but "13/07/2026" on row 2 is written day first`) {
		t.Errorf("mixed orders: %v", err)
	}
	// A row without a finding written the other way round does not decide
	// for the rows with findings, nor make them problems.
	blankFirst := writeCSV(t, csvHeader+
		"4,CR-0000004,West,D. Novak,CIN,B. Lee,,,,13/07/2026\n"+
		"3,CR-0000003,East,C. Diaz,CIN,B. Lee,Good,No,,07/14/2026\n")
	res, err = Import(ctx, s, "d", blankFirst, ImportOptions{})
	if err != nil || res.Unchanged != 1 || res.Empty != 1 || res.Files[0].DateOrder != DateMDY || res.Files[0].DateEvidence != "row 3: 07/14/2026" {
		t.Errorf("a blank row written day first before a finding written month first: %+v %v", res, err)
	}
}

// Several files at once: all or nothing, and a case filled in two
// different ways is a problem naming both files.
func TestImportFilesTogether(t *testing.T) {
	ctx := context.Background()
	s, _ := withAudit(t, "f", 4)
	a := writeCSV(t, csvHeader+"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,\n2,CR-0000002,South,B. Lee,CIN,B. Lee,Good,No,,\n")
	b := writeCSV(t, csvHeader+"1,CR-0000001,North,A. Khan,CIN,B. Lee,Good,No,,\n3,CR-0000003,East,C. Diaz,CIN,B. Lee,,,,\n")
	c := writeCSV(t, csvHeader+"2,CR-0000002,South,B. Lee,CIN,B. Lee,Inadequate,Yes,,\n")
	_, err := ImportFiles(ctx, s, "f", []string{a, c}, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 1 || ie.Problems[0].File != c ||
		!strings.Contains(ie.Problems[0].Msg, `is also on row 3 of `+a+` with another finding (Grade there "Good", this row "Inadequate"; Immediate attention there "No", this row "Yes")`) {
		t.Fatalf("conflicting copies: %v", err)
	}
	if fs, _ := s.Findings(ctx, "f", false); len(fs) != 0 {
		t.Fatalf("%d findings recorded by a refused import", len(fs))
	}
	res, err := ImportFiles(ctx, s, "f", []string{a, b}, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Rows != 4 || res.Recorded != 2 || res.Unchanged != 1 || res.Empty != 1 {
		t.Errorf("agreeing copies: %+v", res)
	}
}

// A csv workbook saved as UTF-16 or UTF-32 (with or without a byte order
// mark) imports as UTF-8 does, dates with slashes included: the cells are
// read by the export reader as written, and their order decided here.
func TestImportCSVEncodings(t *testing.T) {
	ctx := context.Background()
	body := csvHeader +
		"1,CR-0000001,North,A. Khan,CIN,Zoë Brown,Good,No,Café visit,07/10/2026\n" +
		"2,CR-0000002,South,B. Lee,CIN,Zoë Brown,Inadequate,Yes,,07/13/2026\n"
	for _, tc := range []struct {
		name string
		data []byte
	}{
		{"utf-16le", encodeWide(body, 2, false, true)},
		{"utf-16be", encodeWide(body, 2, true, true)},
		{"utf-32le", encodeWide(body, 4, false, true)},
		{"utf-32be", encodeWide(body, 4, true, false)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, clock := withAudit(t, "e", 2)
			clock.on("2026-07-13")
			p := filepath.Join(t.TempDir(), "audit.csv")
			if err := os.WriteFile(p, tc.data, 0o600); err != nil {
				t.Fatal(err)
			}
			res, err := Import(ctx, s, "e", p, ImportOptions{})
			if err != nil {
				t.Fatal(err)
			}
			if res.Recorded != 2 || res.Files[0].DateOrder != DateMDY {
				t.Errorf("%+v", res)
			}
			fs, _ := s.Findings(ctx, "e", false)
			if len(fs) != 2 || fs[0].Date != "2026-07-10" || fs[1].Date != "2026-07-13" || fs[0].Auditor != "Zoë Brown" ||
				fs[0].Note != "Café visit" || !fs[1].Immediate {
				t.Errorf("findings %+v", fs)
			}
		})
	}
}

// encodeWide encodes s as UTF-16 (size 2) or UTF-32 (size 4), with a byte
// order mark when bom is set.
func encodeWide(s string, size int, bigEndian, bom bool) []byte {
	var out []byte
	put := func(v uint32) {
		b := make([]byte, size)
		for i := range size {
			shift := 8 * i
			if bigEndian {
				shift = 8 * (size - 1 - i)
			}
			b[i] = byte(v >> shift)
		}
		out = append(out, b...)
	}
	if bom {
		put(0xFEFF)
	}
	for _, r := range s {
		if size == 2 && r > 0xFFFF {
			r -= 0x10000
			put(uint32(0xD800 + r>>10))
			put(uint32(0xDC00 + r&0x3FF))
			continue
		}
		put(uint32(r))
	}
	return out
}

// A case ID typed over on a workbook's row is named from the row's "#", the
// case's place in the sample, when that case is on no other row; a "#"
// whose case is elsewhere in the file, or no "#" at all, guesses nothing.
func TestImportOrderColumnNamesTypingSlip(t *testing.T) {
	ctx := context.Background()
	const name = "2026-07 monthly"
	s, _ := openTest(t)
	if _, err := s.CreateAudit(ctx, testAudit(name), testCases(30)); err != nil {
		t.Fatal(err)
	}
	p := writeCSV(t, csvHeader+
		"25,CR-0001823,North,A. Khan,CIN,B. Lee,Good,No,,\n"+ // row 2: # 25 is CR-0000025, on no other row
		"3,CR-0009999,North,A. Khan,CIN,B. Lee,Good,No,,\n"+ // row 3: # 3 is CR-0000003, on row 4
		"3,CR-0000003,North,A. Khan,CIN,B. Lee,Good,No,,\n"+
		"x,CR-0007777,North,A. Khan,CIN,B. Lee,Good,No,,\n") // row 5: no number
	_, err := Import(ctx, s, name, p, ImportOptions{})
	var ie *ImportError
	if !errors.As(err, &ie) || len(ie.Problems) != 3 {
		t.Fatalf("import: %v", err)
	}
	for i, want := range []string{
		`case "CR-0001823" is not in audit "2026-07 monthly"; row 2's # is 25, which is CR-0000025: a typing slip?`,
		`case "CR-0009999" is not in audit "2026-07 monthly"`,
		`case "CR-0007777" is not in audit "2026-07 monthly"`,
	} {
		if got := ie.Problems[i].Msg; got != want {
			t.Errorf("problem %d: %q\nwant %q", i, got, want)
		}
	}
}
