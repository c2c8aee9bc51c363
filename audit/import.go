package audit

import (
	"context"
	"database/sql"
	"fmt"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
)

// The auditors' workbook (written by sample --out, perhaps re-saved by Excel
// or LibreOffice, or saved as csv): sheet "Sample", a header row holding
// "#", "Case ID", the shown columns, then "Auditor", "Grade", "Immediate
// attention", "Notes", "Date audited" and, when the audit has a form, one
// column per form question after Notes. Columns are found by header name,
// so their order does not matter.
// The column names are those of workbook.go (ColCaseID, ColAuditor, …).

// ImportOptions say how to import a workbook.
type ImportOptions struct {
	// Reason is recorded with every correction the file makes: a row whose
	// finding differs from the case's latest finding. Without a reason such
	// a row is a problem (nothing is imported unless SkipInvalid).
	Reason string
	// SkipInvalid imports the valid rows and leaves out the invalid ones,
	// which are listed in ImportResult.Problems.
	SkipInvalid bool
	// Moderation records the rows as moderation findings; every case must
	// then be in the audit's moderation sample.
	Moderation bool
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

// ImportError lists every problem found in a workbook; nothing was imported.
type ImportError struct {
	Path     string
	Problems []Problem
}

func (e *ImportError) Error() string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("%s: %s; nothing was imported", e.Path, e.Problems[0])
	}
	return fmt.Sprintf("%s: %d problems, nothing was imported; the first: %s", e.Path, len(e.Problems), e.Problems[0])
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows        int       // data rows read (blank rows not counted)
	Recorded    int       // new findings
	Corrections int       // corrections (rows differing from an earlier finding, with the Reason)
	Unchanged   int       // rows identical to the case's latest finding: nothing recorded
	Empty       int       // rows without a finding (no grade and no immediate attention): left unrecorded
	Skipped     int       // invalid rows left out (SkipInvalid)
	Problems    []Problem // the invalid rows left out (SkipInvalid)
	Actions     []Action  // follow-up actions opened (or closed automatically) by the import
}

// importRow is one data row of the workbook, parsed.
type importRow struct {
	num     int
	id      string
	finding Finding
	empty   bool
	probs   []Problem
}

// Import reads the auditors' workbook at path and records its findings into
// the named audit, all in one transaction: every row is validated first,
// every problem is listed with sheet, row and column in an *ImportError, and
// nothing is imported unless all rows are valid (or opts.SkipInvalid).
// Importing the same file twice records nothing new.
func Import(ctx context.Context, s *Store, auditName, path string, opts ImportOptions) (*ImportResult, error) {
	rows, sheet, err := readWorkbook(ctx, s, auditName, path, opts)
	if err != nil {
		return nil, err
	}
	res := &ImportResult{}
	source := "import " + filepath.Base(path)
	err = s.write(ctx, "importing findings into", func(tx *sql.Tx) error {
		*res = ImportResult{}
		a, err := loadAudit(ctx, tx, auditName)
		if err != nil {
			return err
		}
		ids, err := sampledIDs(ctx, tx, a)
		if err != nil {
			return err
		}
		inSample := make(map[string]bool, len(ids))
		for _, id := range ids {
			inSample[id] = true
		}
		latest, err := latestFindings(ctx, tx, a.id, opts.Moderation)
		if err != nil {
			return err
		}
		var moderated map[string]bool
		if opts.Moderation {
			m, err := loadModeration(ctx, tx, a)
			if err != nil {
				return err
			}
			if m == nil {
				return fmt.Errorf("audit %q has no moderation sample yet; draw one before importing moderation findings", a.Name)
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
		// Validate every row against the store.
		firstRow := map[string]int{}
		var problems []Problem
		for i := range rows {
			r := &rows[i]
			res.Rows++
			if r.id != "" && !r.empty {
				if !inSample[r.id] {
					msg := fmt.Sprintf("case %q is not in audit %q", r.id, a.Name)
					if sug := closest(r.id, ids, 3); len(sug) > 0 {
						msg += fmt.Sprintf("; did you mean %s?", quoteList(sug))
					}
					r.probs = append(r.probs, Problem{Sheet: sheet, Row: r.num, Column: ColCaseID, Case: r.id, Msg: msg})
				} else if prev, ok := firstRow[r.id]; ok {
					r.probs = append(r.probs, Problem{Sheet: sheet, Row: r.num, Column: ColCaseID, Case: r.id,
						Msg: fmt.Sprintf("case %q is also on row %s; keep one row per case", r.id, words.Thousands(prev))})
				} else {
					firstRow[r.id] = r.num
				}
			}
			if r.empty || len(r.probs) > 0 {
				problems = append(problems, r.probs...)
				continue
			}
			if opts.Moderation && !moderated[r.id] {
				r.probs = append(r.probs, Problem{Sheet: sheet, Row: r.num, Column: ColCaseID, Case: r.id,
					Msg: fmt.Sprintf("case %q is not in the moderation sample of audit %q", r.id, a.Name)})
			}
			if name, err := auditors.resolve(r.finding.Auditor, opts.Moderation, opts.NewAuditor); err != nil {
				r.probs = append(r.probs, Problem{Sheet: sheet, Row: r.num, Column: ColAuditor, Case: r.id, Msg: err.Error()})
			} else {
				r.finding.Auditor = name
			}
			if prev, ok := latest[r.id]; ok && !sameFinding(prev, r.finding) && strings.TrimSpace(opts.Reason) == "" {
				ce := correctionError(prev)
				r.probs = append(r.probs, Problem{Sheet: sheet, Row: r.num, Case: r.id,
					Msg: fmt.Sprintf("%s already has %s by %s on %s and this row differs; to correct it import with a reason (%s)",
						ce.Case, map[bool]string{false: "a finding", true: "a moderation finding"}[ce.Moderation], ce.Auditor, ce.Date, opt.Reason)})
			}
			problems = append(problems, r.probs...)
		}
		if len(problems) > 0 && !opts.SkipInvalid {
			return &ImportError{Path: path, Problems: problems}
		}
		res.Problems = problems
		ch, err := openChain(ctx, tx, a.id, a.Name)
		if err != nil {
			return err
		}
		written := 0
		for i := range rows {
			r := &rows[i]
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
			f.Moderation = opts.Moderation
			f.Due = opts.Due
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
		return nil
	})
	if err != nil {
		return nil, err
	}
	return res, nil
}

// readWorkbook reads and parses every row of the workbook (no store access
// beyond the audit's form, to know whether form columns are expected).
func readWorkbook(ctx context.Context, s *Store, auditName, path string, opts ImportOptions) ([]importRow, string, error) {
	a, err := s.Audit(ctx, auditName)
	if err != nil {
		return nil, "", err
	}
	oo := export.OpenOptions{IDColumn: ColCaseID}
	sheets, err := export.Sheets(path, export.OpenOptions{})
	if err != nil {
		return nil, "", err
	}
	if sheets != nil { // a workbook, not csv
		oo.Sheet = SheetSample
	}
	t, err := export.Open(ctx, path, oo)
	if err != nil {
		return nil, "", err
	}
	defer t.Close()
	sheet := t.Sheet
	need := func(name string) (int, error) {
		i, err := t.ColumnIndex(name)
		if err != nil {
			return -1, fmt.Errorf("%w; the workbook must be the one written by caseaudit sample --out", err)
		}
		return i, nil
	}
	colAuditor, err := need(ColAuditor)
	if err != nil {
		return nil, "", err
	}
	colGrade, err := need(ColGrade)
	if err != nil {
		return nil, "", err
	}
	colImm, err := need(ColImmediate)
	if err != nil {
		return nil, "", err
	}
	colNotes, _ := t.ColumnIndex(ColNotes)
	colDate, _ := t.ColumnIndex(ColDate)
	// Form answers: one column per question, found by its label (or key).
	form, err := FormFromJSON(a.Form)
	if err != nil {
		return nil, "", err
	}
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
				if q.Required && !opts.Moderation {
					formProbs = append(formProbs, Problem{Sheet: t.Sheet, Row: t.HeaderRow, Column: q.Label,
						Msg: fmt.Sprintf("the column %q (question %s of the audit's form) is missing and the question needs an answer; use the workbook written by caseaudit sample --out", q.Label, q.Key)})
				}
				continue
			}
			answerCols = append(answerCols, col)
			answerQs = append(answerQs, q)
		}
	}
	if len(formProbs) > 0 {
		return nil, "", &ImportError{Path: path, Problems: formProbs}
	}
	cols := []int{t.IDIndex, colAuditor, colGrade, colImm, colNotes, colDate}
	cols = append(cols, answerCols...)
	for i, c := range cols {
		if c < 0 {
			cols[i] = len(t.Header) + 1000 // absent: reads as ""
		}
	}
	var out []importRow
	err = t.Rows(ctx, cols, func(row export.Row) error {
		if row.Blank {
			return nil
		}
		cell := func(i int) string { return strings.TrimSpace(row.Cells[i]) }
		r := importRow{num: row.Num, id: cell(0)}
		prob := func(col, msg string) {
			r.probs = append(r.probs, Problem{Sheet: sheet, Row: row.Num, Column: col, Case: r.id, Msg: msg})
		}
		auditor, gradeText, immText, note, dateText := cell(1), cell(2), cell(3), cell(4), cell(5)
		var answers map[string]string
		var badAnswers []Problem
		for j, q := range answerQs {
			v := cell(6 + j)
			if v == "" {
				continue
			}
			a, err := q.Answer(v)
			if err != nil {
				badAnswers = append(badAnswers, Problem{Sheet: sheet, Row: row.Num, Column: t.Header[answerCols[j]], Case: r.id, Msg: err.Error()})
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
			out = append(out, r)
			return nil
		}
		r.probs = append(r.probs, badAnswers...)
		if form != nil && !opts.Moderation {
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
			prob(ColAuditor, "a finding needs the auditor's name")
		}
		date, ok := ParseDate(dateText)
		if !ok {
			prob(ColDate, fmt.Sprintf("%q is not a date; write it as yyyy-mm-dd or dd/mm/yyyy", dateText))
		}
		r.finding = Finding{Case: r.id, Auditor: auditor, Grade: g, Immediate: imm, Note: note, Answers: answers, Date: date}
		if len(r.probs) == 0 {
			if err := r.finding.normalise(); err != nil {
				prob("", err.Error())
			}
		}
		out = append(out, r)
		return nil
	})
	if err != nil {
		return nil, "", err
	}
	return out, sheet, nil
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
