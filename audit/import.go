package audit

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/csv"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/xuri/excelize/v2"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// The auditors' workbook (written by sample --out or caseaudit workbook,
// perhaps re-saved by Excel or LibreOffice, or saved as csv): sheet
// "Sample", a header row holding "#", "Case ID", the shown columns, then
// "Auditor" ("Moderator" in a moderators' workbook), one column per form
// question, "Grade", "Immediate attention", "Notes" and "Date audited".
// Columns are found by header name, so their order does not matter. The
// Method sheet, when the file has one, says which audit the workbook is
// for and whether it is an auditors' or a moderators' workbook.
// The column names are those of workbook.go (ColCaseID, ColAuditor, …).

// Date orders for dates written with slashes (ImportOptions.DateOrder).
const (
	DateDMY = "dmy" // 07/10/2026 is 7 October 2026 (as in UK exports)
	DateMDY = "mdy" // 07/10/2026 is July 10, 2026
)

// ImportOptions say how to import workbooks.
type ImportOptions struct {
	// Reason is recorded with every correction the files make: a row whose
	// finding differs from the case's latest finding. Without a reason such
	// a row is a problem (nothing is imported unless SkipInvalid).
	Reason string
	// SkipInvalid imports the valid rows and leaves out the invalid ones,
	// which are listed in ImportResult.Problems.
	SkipInvalid bool
	// Moderation records the rows as moderation findings; every case must
	// then be in the audit's moderation sample. A moderators' workbook (its
	// Method sheet says so) is imported as moderation findings without it;
	// an auditors' workbook is refused with it.
	Moderation bool
	// DateOrder reads dates written with slashes (07/10/2026) day first
	// (DateDMY) or month first (DateMDY) when a file's own dates do not
	// tell: a day above 12 in either place decides for the whole file. ""
	// means day first, as caseaudit reads exports.
	DateOrder string
	// Due is the number of working days within which the follow-up actions
	// the import opens are due; 0 means the audit's default.
	Due int
	// Progress, when set, is called after each finding is written (inside
	// the transaction, before it commits) with the number written so far.
	Progress func(written int)
	// NewAuditor accepts auditors who are not among the audit's allocated
	// auditors; without it such a row is a problem (see ErrUnknownAuditor).
	NewAuditor bool
}

// Problem is one invalid row (or header) of an imported workbook.
type Problem struct {
	File   string // the workbook's path, as given
	Sheet  string // "" for csv
	Row    int    // 1-based row number as the spreadsheet shows it
	Column string // header name; "" when the whole row is at fault
	Case   string // case ID on the row, when known
	Msg    string
}

func (p Problem) String() string {
	var b strings.Builder
	if p.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", p.Sheet)
	}
	fmt.Fprintf(&b, "row %s", words.Thousands(p.Row))
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %s", p.Column)
	}
	b.WriteString(": ")
	b.WriteString(p.Msg)
	return b.String()
}

// ImportError lists every problem found in the workbooks; nothing was
// imported.
type ImportError struct {
	Path     string // the (first) workbook's path
	Problems []Problem
}

func (e *ImportError) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("%s: %s; nothing was imported", e.Problems[0].File, e.Problems[0])
	}
	return fmt.Sprintf("%s: %d problems, nothing was imported; the first: %s", e.Problems[0].File, len(e.Problems), e.Problems[0])
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows        int       // data rows read (blank rows not counted)
	Recorded    int       // new findings
	Corrections int       // corrections (rows differing from an earlier finding, with the Reason)
	Unchanged   int       // rows identical to the case's latest finding (or to another file's row): nothing recorded
	Empty       int       // rows without a finding (no grade and no immediate attention): left unrecorded
	Skipped     int       // invalid rows left out (SkipInvalid)
	Problems    []Problem // the invalid rows left out (SkipInvalid)
	Actions     []Action  // follow-up actions opened (or closed automatically) by the import
	Files       []ImportedFile
}

// ImportedFile says how one file was read.
type ImportedFile struct {
	Path string
	// Moderation: the rows were recorded as moderation findings; ByMethod:
	// because the workbook's Method sheet says it is a moderators'
	// workbook (not because of ImportOptions.Moderation).
	Moderation, ByMethod bool
	// DateOrder is how dates written with slashes were read, and DateBy why:
	// "the file" (a day above 12 decided, e.g. DateEvidence), "the option",
	// or "the default" (day first; no date in the file tells).
	DateOrder, DateBy, DateEvidence string
	// Ambiguous counts the dates with slashes that either order reads.
	Ambiguous int
}

// importRow is one data row of a workbook, parsed.
type importRow struct {
	file     *importFile
	num      int
	id       string
	finding  Finding
	dateText string
	empty    bool
	probs    []Problem
}

// importFile is one workbook read.
type importFile struct {
	ImportedFile
	sheet string
	rows  []importRow
	audit string // the audit its Method sheet names, "" when none
}

// Import reads the auditors' workbook at path and records its findings
// into the named audit: ImportFiles with one file.
func Import(ctx context.Context, s *Store, auditName, path string, opts ImportOptions) (*ImportResult, error) {
	return ImportFiles(ctx, s, auditName, []string{path}, opts)
}

// ImportFiles reads workbooks of an audit — the whole sample's, one
// auditor's, the outstanding cases', part-filled copies of any of them —
// and records their findings into the named audit, all in one
// transaction: every row of every file is validated first, every problem
// is listed with file, sheet, row and column in an *ImportError, and
// nothing is imported unless all rows are valid (or opts.SkipInvalid). A
// case filled in identically in two files is recorded once; differently,
// it is a problem. Importing the same files twice records nothing new.
func ImportFiles(ctx context.Context, s *Store, auditName string, paths []string, opts ImportOptions) (*ImportResult, error) {
	switch opts.DateOrder {
	case "", DateDMY, DateMDY:
	default:
		return nil, fmt.Errorf("%s %q: use dmy (07/10/2026 is 7 October) or mdy (07/10/2026 is July 10)", opt.DateOrder, opts.DateOrder)
	}
	a, err := s.Audit(ctx, auditName)
	if err != nil {
		return nil, err
	}
	form, err := FormFromJSON(a.Form)
	if err != nil {
		return nil, err
	}
	var files []*importFile
	for _, p := range paths {
		f, err := readWorkbook(ctx, a, form, p, opts)
		if err != nil {
			return nil, err
		}
		files = append(files, f)
	}
	res := &ImportResult{}
	err = s.write(ctx, "importing findings into", func(tx *sql.Tx) error {
		*res = ImportResult{}
		for _, f := range files {
			res.Files = append(res.Files, f.ImportedFile)
		}
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		cases, err := loadCases(ctx, tx, a)
		if err != nil {
			return err
		}
		byID := make(map[string]SampledCase, len(cases))
		ids := make([]string, len(cases))
		for i, c := range cases {
			byID[c.ID] = c
			ids[i] = c.ID
		}
		ws, err := loadWithdrawals(ctx, tx, a)
		if err != nil {
			return err
		}
		withdrawn := map[string]Withdrawal{}
		for _, w := range ws {
			withdrawn[w.Case] = w
		}
		latest := map[bool]map[string]Finding{}
		for _, mod := range []bool{false, true} {
			if latest[mod], err = latestFindings(ctx, tx, a.id, mod); err != nil {
				return err
			}
		}
		var moderated map[string]bool
		for _, f := range files {
			if !f.Moderation || moderated != nil {
				continue
			}
			m, err := loadModeration(ctx, tx, a)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("audit %q has no moderation sample yet; draw one before importing moderation findings (%s)", a.Name, f.Path)
			}
			moderated = map[string]bool{}
			for _, id := range m.Cases {
				moderated[id] = true
			}
		}
		auditors, err := auditorsOf(ctx, tx, a)
		if err != nil {
			return err
		}
		if err := checkWorkbookAudit(a, files, byID); err != nil {
			return err
		}
		// Validate every row of every file against the store.
		type seenRow struct {
			r *importRow
		}
		first := map[bool]map[string]seenRow{false: {}, true: {}}
		var problems []Problem
		for _, f := range files {
			for i := range f.rows {
				r := &f.rows[i]
				res.Rows++
				prob := func(col, msg string) {
					r.probs = append(r.probs, Problem{File: f.Path, Sheet: f.sheet, Row: r.num, Column: col, Case: r.id, Msg: msg})
				}
				if r.id != "" && !r.empty {
					_, in := byID[r.id]
					w, gone := withdrawn[r.id]
					prev, dup := first[f.Moderation][r.id]
					switch {
					case !in:
						msg := fmt.Sprintf("case %q is not in audit %q", r.id, a.Name)
						if sug := suggestIDs(r.id, ids); len(sug) > 0 {
							msg += fmt.Sprintf("; did you mean %s?", quoteList(sug))
						}
						prob(ColCaseID, msg)
					case gone:
						prob(ColCaseID, (&WithdrawnError{Audit: a.Name, Withdrawal: w}).Error()+"; leave its row blank")
					case dup && prev.r.file == f:
						prob(ColCaseID, fmt.Sprintf("case %q is also on row %s; keep one row per case", r.id, words.Thousands(prev.r.num)))
					case dup && len(prev.r.probs) == 0 && !sameFinding(prev.r.finding, r.finding):
						prob(ColCaseID, fmt.Sprintf("case %q is also on row %s of %s with another finding (%s); keep one of them",
							r.id, words.Thousands(prev.r.num), prev.r.file.Path, describeDiff(prev.r.finding, *r, false)))
					case !dup:
						first[f.Moderation][r.id] = seenRow{r}
					}
				}
				if r.empty || len(r.probs) > 0 {
					problems = append(problems, r.probs...)
					continue
				}
				if f.Moderation && !moderated[r.id] {
					prob(ColCaseID, fmt.Sprintf("case %q is not in the moderation sample of audit %q", r.id, a.Name))
				}
				if name, err := auditors.resolve(r.finding.Auditor, f.Moderation, opts.NewAuditor); err != nil {
					prob(ColAuditor, err.Error())
				} else {
					r.finding.Auditor = name
				}
				if prev, ok := latest[f.Moderation][r.id]; ok && !sameFinding(prev, r.finding) && strings.TrimSpace(opts.Reason) == "" {
					ce := correctionError(prev)
					what := map[bool]string{false: "a finding", true: "a moderation finding"}[ce.Moderation]
					prob("", fmt.Sprintf("%s already has %s by %s on %s and this row differs: %s; to correct it import with a reason (%s)",
						ce.Case, what, ce.Auditor, ce.Date, describeDiff(prev, *r, true), opt.Reason))
				}
				problems = append(problems, r.probs...)
			}
		}
		if len(problems) > 0 && !opts.SkipInvalid {
			return &ImportError{Path: files[0].Path, Problems: problems}
		}
		res.Problems = problems
		ch, err := openChain(ctx, tx, a.id, a.Name)
		if err != nil {
			return err
		}
		written := 0
		for _, file := range files {
			source := "import " + filepath.Base(file.Path)
			for i := range file.rows {
				r := &file.rows[i]
				if len(r.probs) > 0 {
					res.Skipped++
					continue
				}
				if r.empty {
					res.Empty++
					continue
				}
				f := r.finding
				f.Reason = opts.Reason
				f.Moderation = file.Moderation
				f.Due = opts.Due
				if !f.Moderation {
					c := byID[r.id]
					f.Prefilled = form.Prefills(a.Columns, c.Fields)
				}
				rr, err := s.recordTx(ctx, tx, ch, f, fmt.Sprintf("%s row %d", source, r.num))
				if err != nil {
					return err
				}
				if rr.Action != nil {
					res.Actions = append(res.Actions, *rr.Action)
				}
				switch {
				case !rr.Changed:
					res.Unchanged++
				case rr.Finding.Kind == KindCorrection || rr.Finding.Kind == KindModerationCorrection:
					res.Corrections++
					written++
				default:
					res.Recorded++
					written++
				}
				if rr.Changed && opts.Progress != nil {
					opts.Progress(written)
				}
				if err := ctx.Err(); err != nil {
					return err
				}
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// WrongAuditError says a workbook is another audit's: its Method sheet
// names that audit and none of its cases is in this one.
type WrongAuditError struct {
	Path, Audit, Workbook string
}

func (e *WrongAuditError) Error() string {
	return fmt.Sprintf("%s is the workbook of audit %q, not of %q: none of its cases is in %q; import it into %q",
		e.Path, e.Workbook, e.Audit, e.Audit, e.Workbook)
}

// checkWorkbookAudit refuses, in one line, a workbook whose Method sheet
// names another audit and none of whose cases is in this one (rather than
// a problem for every row).
func checkWorkbookAudit(a *Audit, files []*importFile, byID map[string]SampledCase) error {
	for _, f := range files {
		if f.audit == "" || strings.EqualFold(strings.TrimSpace(f.audit), a.Name) {
			continue
		}
		ids, in := 0, 0
		for _, r := range f.rows {
			if r.id == "" {
				continue
			}
			ids++
			if _, ok := byID[r.id]; ok {
				in++
			}
		}
		if ids > 0 && in == 0 {
			return &WrongAuditError{Path: f.Path, Audit: a.Name, Workbook: f.audit}
		}
	}
	return nil
}

// suggestIDs returns the sampled IDs close to id worth suggesting: not
// those differing from it only in digits at the same places (CR-0001234
// for CR-0001235 is another case, not a typing slip).
func suggestIDs(id string, ids []string) []string {
	var out []string
	for _, s := range closest(id, ids, 3) {
		if !digitNear(id, s) {
			out = append(out, s)
		}
	}
	return out
}

// digitNear reports whether a and b have the same length and differ only
// where both hold digits.
func digitNear(a, b string) bool {
	ra, rb := []rune(strings.ToUpper(strings.TrimSpace(a))), []rune(strings.ToUpper(b))
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] && !(isDigit(ra[i]) && isDigit(rb[i])) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// describeDiff names each field in which a row's finding differs from an
// earlier one, with both values: "Grade: Good, this row Inadequate".
func describeDiff(prev Finding, r importRow, recorded bool) string {
	cur := r.finding
	was := "recorded"
	if !recorded {
		was = "there"
	}
	var parts []string
	q := func(s string) string {
		if s == "" {
			return "blank"
		}
		return strconv.Quote(s)
	}
	field := func(name, a, b string) {
		if a != b {
			parts = append(parts, fmt.Sprintf("%s %s %s, this row %s", name, was, q(a), q(b)))
		}
	}
	field(ColAuditor, prev.Auditor, cur.Auditor)
	field(ColGrade, prev.Grade.String(), cur.Grade.String())
	field(ColImmediate, yesNo(prev.Immediate), yesNo(cur.Immediate))
	field(ColNotes, prev.Note, cur.Note)
	if prev.Date != cur.Date {
		n := len(parts)
		field(ColDate, prev.Date, cur.Date)
		if f := r.file; f != nil && isSlashDate(r.dateText) {
			order := "day first"
			if f.DateOrder == DateMDY {
				order = "month first"
			}
			parts[n] += fmt.Sprintf(" (read %s from %q", order, r.dateText)
			if alt, ok := parseSlashDate(r.dateText, otherOrder(f.DateOrder)); ok && alt == prev.Date {
				parts[n] += fmt.Sprintf("; read %s it is the date recorded: give %s %s", map[string]string{DateDMY: "month first", DateMDY: "day first"}[f.DateOrder], opt.DateOrder, otherOrder(f.DateOrder))
			}
			parts[n] += ")"
		}
	}
	keys := map[string]bool{}
	for k := range prev.Answers {
		keys[k] = true
	}
	for k := range cur.Answers {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		field(k, prev.Answers[k], cur.Answers[k])
	}
	if len(parts) == 0 {
		return "the same finding"
	}
	return strings.Join(parts, "; ")
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// readMethod reads the Method sheet of an xlsx workbook: its rows as label
// → value; nil for csv or a workbook without one.
func readMethod(path string) map[string]string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
	default:
		return nil
	}
	f, err := excelize.OpenFile(path)
	if err != nil {
		return nil
	}
	defer f.Close()
	if i, err := f.GetSheetIndex(SheetMethod); err != nil || i < 0 {
		return nil
	}
	rows, err := f.GetRows(SheetMethod)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 && strings.TrimSpace(r[0]) != "" {
			if _, ok := out[strings.TrimSpace(r[0])]; !ok {
				out[strings.TrimSpace(r[0])] = strings.TrimSpace(r[1])
			}
		}
	}
	return out
}

// readWorkbook reads and parses every row of a workbook (no store access:
// the audit's form says which answer columns to expect).
func readWorkbook(ctx context.Context, a *Audit, form *Form, path string, opts ImportOptions) (*importFile, error) {
	file := &importFile{ImportedFile: ImportedFile{Path: path, Moderation: opts.Moderation}}
	method := readMethod(path)
	file.audit = method["Audit"]
	switch method["Workbook"] {
	case WorkbookModeration:
		if !opts.Moderation {
			file.Moderation, file.ByMethod = true, true
		}
	case WorkbookAuditors:
		if opts.Moderation {
			return nil, fmt.Errorf("%s is an auditors' workbook (its Method sheet says so), not a moderators' one: import it without %s", path, opt.Moderation)
		}
	}
	oo := export.OpenOptions{IDColumn: ColCaseID}
	sheets, err := export.Sheets(path, export.OpenOptions{})
	if err != nil {
		return nil, err
	}
	if sheets != nil { // a workbook, not csv
		oo.Sheet = SheetSample
	}
	t, err := export.Open(ctx, path, oo)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	file.sheet = t.Sheet
	need := func(name string) (int, error) {
		i, err := t.ColumnIndex(name)
		if err != nil {
			return -1, fmt.Errorf("%w; the workbook must be one written by caseaudit (sample --out, workbook, moderate --out)", err)
		}
		return i, nil
	}
	colAuditor, err := t.ColumnIndex(ColAuditor)
	if err != nil {
		// A moderators' workbook names the moderator.
		if i, merr := t.ColumnIndex(ColModerator); merr == nil {
			colAuditor = i
			if !file.Moderation && method == nil {
				file.Moderation, file.ByMethod = true, true
			}
		} else if _, err = need(ColAuditor); err != nil {
			return nil, err
		}
	}
	colGrade, err := need(ColGrade)
	if err != nil {
		return nil, err
	}
	colImm, err := need(ColImmediate)
	if err != nil {
		return nil, err
	}
	colNotes, _ := t.ColumnIndex(ColNotes)
	colDate, _ := t.ColumnIndex(ColDate)
	// Form answers: one column per question, found by its label (or key).
	var answerCols []int
	var answerQs []*Question
	var formProbs []Problem
	if form != nil {
		known := []int{t.IDIndex, colAuditor, colGrade, colImm, colNotes, colDate}
		for qi := range form.Questions {
			q := &form.Questions[qi]
			col := -1
			for i, h := range t.Header {
				if !slices.Contains(known, i) && (foldLabel(h) == foldLabel(q.Label) || foldLabel(h) == q.Key) {
					col = i
					break
				}
			}
			if col < 0 {
				if q.Required && !file.Moderation {
					formProbs = append(formProbs, Problem{File: path, Sheet: t.Sheet, Row: t.HeaderRow, Column: q.Label,
						Msg: fmt.Sprintf("the column %q (question %s of the audit's form) is missing and the question needs an answer; use a workbook written by caseaudit", q.Label, q.Key)})
				}
				continue
			}
			answerCols = append(answerCols, col)
			answerQs = append(answerQs, q)
		}
	}
	if len(formProbs) > 0 {
		return nil, &ImportError{Path: path, Problems: formProbs}
	}
	cols := []int{t.IDIndex, colAuditor, colGrade, colImm, colNotes, colDate}
	cols = append(cols, answerCols...)
	for i, c := range cols {
		if c < 0 {
			cols[i] = len(t.Header) + 1000 // absent: reads as ""
		}
	}
	sheet := t.Sheet
	raw := rawDates(path)
	err = t.Rows(ctx, cols, func(row export.Row) error {
		if row.Blank {
			return nil
		}
		cell := func(i int) string { return strings.TrimSpace(row.Cells[i]) }
		r := importRow{file: file, num: row.Num, id: cell(0)}
		prob := func(col, msg string) {
			r.probs = append(r.probs, Problem{File: path, Sheet: sheet, Row: row.Num, Column: col, Case: r.id, Msg: msg})
		}
		auditor, gradeText, immText, note, dateText := cell(1), cell(2), cell(3), cell(4), cell(5)
		if v, ok := raw[row.Num]; ok && isSlashDate(v) {
			dateText = v // as written, not as the reader shows it
		}
		var answers map[string]string
		var badAnswers []Problem
		for j, q := range answerQs {
			v := cell(6 + j)
			if v == "" {
				continue
			}
			a, err := q.Answer(v)
			if err != nil {
				badAnswers = append(badAnswers, Problem{File: path, Sheet: sheet, Row: row.Num, Column: t.Header[answerCols[j]], Case: r.id, Msg: err.Error()})
				continue
			}
			if answers == nil {
				answers = map[string]string{}
			}
			answers[q.Key] = a
		}
		if gradeText == "" && immText == "" {
			r.empty = true
			if r.id == "" && auditor == "" && note == "" && dateText == "" && answers == nil && badAnswers == nil {
				return nil // nothing on the row that matters (e.g. a totals or spacer row)
			}
			file.rows = append(file.rows, r)
			return nil
		}
		r.probs = append(r.probs, badAnswers...)
		if form != nil && !file.Moderation {
			for j, q := range answerQs {
				if _, ok := answers[q.Key]; q.Required && !ok && cell(6+j) == "" {
					prob(t.Header[answerCols[j]], fmt.Sprintf("%q needs an answer: %s", q.Label, q.Describe()))
				}
			}
		}
		if r.id == "" {
			prob(ColCaseID, "the row has a finding but no case ID")
		}
		g, err := ParseGrade(gradeText)
		switch {
		case gradeText == "":
			prob(ColGrade, "immediate attention is given but no grade; give Outstanding, Good, Requires improvement or Inadequate")
		case err != nil:
			prob(ColGrade, err.Error())
		}
		imm, err := ParseYesNo(immText)
		switch {
		case immText == "":
			prob(ColImmediate, "a grade is given but not whether the case needs immediate attention; give Yes or No")
		case err != nil:
			prob(ColImmediate, err.Error())
		}
		if auditor == "" {
			who := "the auditor's"
			if file.Moderation {
				who = "the moderator's"
			}
			prob(t.Header[cols[1]], fmt.Sprintf("a finding needs %s name", who))
		}
		r.dateText = dateText
		r.finding = Finding{Case: r.id, Auditor: auditor, Grade: g, Immediate: imm, Note: note, Answers: answers}
		file.rows = append(file.rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	file.decideDateOrder(opts.DateOrder)
	for i := range file.rows {
		r := &file.rows[i]
		if r.empty {
			continue
		}
		date, ok := parseDateIn(r.dateText, file.DateOrder)
		if !ok && !slices.ContainsFunc(r.probs, func(p Problem) bool { return p.Column == ColDate }) {
			r.probs = append(r.probs, Problem{File: path, Sheet: sheet, Row: r.num, Column: ColDate, Case: r.id,
				Msg: fmt.Sprintf("%q is not a date; write it as yyyy-mm-dd or dd/mm/yyyy", r.dateText)})
		}
		r.finding.Date = date
		if len(r.probs) == 0 {
			if err := r.finding.normalise(); err != nil {
				r.probs = append(r.probs, Problem{File: path, Sheet: sheet, Row: r.num, Case: r.id, Msg: err.Error()})
			}
		}
	}
	return file, nil
}

// slashDate matches a date written with slashes: two numbers of one or two
// digits and a year.
var slashDate = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(\s|$)`) })

func isSlashDate(s string) bool { return slashDate().MatchString(strings.TrimSpace(s)) }

func otherOrder(o string) string {
	if o == DateMDY {
		return DateDMY
	}
	return DateMDY
}

// decideDateOrder reads the file's dates written with slashes: a first
// number above 12 means day first, a second above 12 month first, for the
// whole file; both at once is a problem on the rows that disagree with the
// first one seen. When no date tells, the option (or day first) decides.
func (f *importFile) decideDateOrder(option string) {
	var dmy, mdy *importRow
	for i := range f.rows {
		r := &f.rows[i]
		a, b, ok := r.slashParts()
		if !ok {
			continue
		}
		switch {
		case a > 12 && b <= 12:
			if dmy == nil {
				dmy = r
			}
		case b > 12 && a <= 12:
			if mdy == nil {
				mdy = r
			}
		case a <= 12 && b <= 12:
			f.Ambiguous++
		}
	}
	switch {
	case dmy != nil && mdy != nil:
		// Both orders in one file: the first row seen decides, the others
		// are problems naming both.
		decide := dmy
		if mdy.num < dmy.num {
			decide = mdy
		}
		f.DateOrder, f.DateBy = DateDMY, "the file"
		if decide == mdy {
			f.DateOrder = DateMDY
		}
		f.DateEvidence = fmt.Sprintf("row %s: %s", words.Thousands(decide.num), decide.dateText)
		for i := range f.rows {
			r := &f.rows[i]
			a, b, ok := r.slashParts()
			if ok && (f.DateOrder == DateDMY && b > 12 && a <= 12) || (f.DateOrder == DateMDY && a > 12 && b <= 12) {
				r.probs = append(r.probs, Problem{File: f.Path, Sheet: f.sheet, Row: r.num, Column: ColDate, Case: r.id,
					Msg: fmt.Sprintf("%q is written %s, but %q on row %s is written %s: the file mixes the two orders; write the dates one way (yyyy-mm-dd is never ambiguous)",
						r.dateText, orderWords(otherOrder(f.DateOrder)), decide.dateText, words.Thousands(decide.num), orderWords(f.DateOrder))})
			}
		}
	case dmy != nil:
		f.DateOrder, f.DateBy, f.DateEvidence = DateDMY, "the file", fmt.Sprintf("row %s: %s", words.Thousands(dmy.num), dmy.dateText)
	case mdy != nil:
		f.DateOrder, f.DateBy, f.DateEvidence = DateMDY, "the file", fmt.Sprintf("row %s: %s", words.Thousands(mdy.num), mdy.dateText)
	case option != "":
		f.DateOrder, f.DateBy = option, "the option"
	default:
		f.DateOrder, f.DateBy = DateDMY, "the default"
	}
}

// slashParts returns the first two numbers of a non-empty row's date
// written with slashes (day and month in either order).
func (r *importRow) slashParts() (a, b int, ok bool) {
	m := slashDate().FindStringSubmatch(strings.TrimSpace(r.dateText))
	if m == nil || r.empty {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(m[1])
	b, _ = strconv.Atoi(m[2])
	return a, b, true
}

func orderWords(o string) string {
	if o == DateMDY {
		return "month first (mm/dd/yyyy)"
	}
	return "day first (dd/mm/yyyy)"
}

// parseDateIn reads a date audited as ParseDate does, dates with slashes
// in the given order.
func parseDateIn(s, order string) (string, bool) {
	if order == DateMDY && isSlashDate(s) {
		return parseSlashDate(s, DateMDY)
	}
	return ParseDate(s)
}

// parseSlashDate reads d/m/yyyy (DateDMY) or m/d/yyyy (DateMDY).
func parseSlashDate(s, order string) (string, bool) {
	m := slashDate().FindStringSubmatch(strings.TrimSpace(s))
	if m == nil {
		return "", false
	}
	d, _ := strconv.Atoi(m[1])
	mo, _ := strconv.Atoi(m[2])
	if order == DateMDY {
		d, mo = mo, d
	}
	y, _ := strconv.Atoi(m[3])
	t := time.Date(y, time.Month(mo), d, 0, 0, 0, 0, time.UTC)
	if mo < 1 || mo > 12 || t.Day() != d || int(t.Month()) != mo {
		return "", false
	}
	return t.Format("2006-01-02"), true
}

// ParseDate reads a date audited: "" (none), yyyy-mm-dd (optionally with a
// time), dd/mm/yyyy, or an Excel serial number, and returns yyyy-mm-dd.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if len(s) >= 10 {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil && (len(s) == 10 || s[10] == ' ' || s[10] == 'T') {
			return s[:10], true
		}
	}
	if iso, ok := export.UKDateToISO(s); ok {
		return iso[:10], true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 {
		if iso, ok := export.SerialToISO(f, false); ok {
			return iso[:10], true
		}
	}
	return "", false
}

// rawDates reads the Date audited column of a csv workbook as written, by
// line number: the export reader shows a date written dd/mm/yyyy as
// yyyy-mm-dd, which hides whether 07/10/2026 was day or month first. nil
// for a workbook (xlsx keeps text as it is) or when the file cannot be
// read so (the reader's values are used then).
func rawDates(path string) map[int]string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
		return nil
	}
	data, err := os.ReadFile(path)
	if err != nil || len(data) > 64<<20 {
		return nil
	}
	var text string
	switch {
	case bytes.HasPrefix(data, []byte{0xEF, 0xBB, 0xBF}):
		text = string(data[3:])
	case bytes.HasPrefix(data, []byte{0xFF, 0xFE}), bytes.HasPrefix(data, []byte{0xFE, 0xFF}):
		d, err := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewDecoder().Bytes(data)
		if err != nil {
			return nil
		}
		text = string(d)
	case utf8.Valid(data):
		text = string(data)
	default:
		d, err := charmap.Windows1252.NewDecoder().Bytes(data)
		if err != nil {
			return nil
		}
		text = string(d)
	}
	for _, delim := range []rune{',', ';', '\t', '|'} {
		if out := rawColumn(text, delim, ColDate); out != nil {
			return out
		}
	}
	return nil
}

// rawColumn reads one column of csv text, by line number, from the first
// record that holds the column's header and Case ID; nil when none does.
func rawColumn(text string, delim rune, header string) map[int]string {
	r := csv.NewReader(strings.NewReader(text))
	r.Comma, r.FieldsPerRecord, r.LazyQuotes = delim, -1, true
	col := -1
	out := map[int]string{}
	for {
		rec, err := r.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			return nil
		}
		line, _ := r.FieldPos(0)
		if col < 0 {
			if i := slices.IndexFunc(rec, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), header) }); i >= 0 &&
				slices.ContainsFunc(rec, func(h string) bool { return strings.EqualFold(strings.TrimSpace(h), ColCaseID) }) {
				col = i
			}
			continue
		}
		if col < len(rec) {
			out[line] = strings.TrimSpace(rec[col])
		}
	}
	if col < 0 {
		return nil
	}
	return out
}
