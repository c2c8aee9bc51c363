package audit

import (
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/opt"
)

// Importing the auditors' and moderators' workbooks (read by
// audit/workbook) into an audit's trail.

// Date orders for dates written with slashes (ImportOptions.DateOrder).
const (
	DateDMY = workbook.DateDMY // 07/10/2026 is 7 October 2026 (as in UK exports)
	DateMDY = workbook.DateMDY // 07/10/2026 is July 10, 2026
)

// Problem is one invalid row (or header) of an imported workbook.
type Problem = workbook.Problem

// ImportError lists every problem found in the workbooks; nothing was
// imported.
type ImportError = workbook.ImportError

// ImportedFile says how one file was read.
type ImportedFile = workbook.ImportedFile

// ParseDate reads a date audited (see workbook.ParseDate).
func ParseDate(s string) (string, bool) { return workbook.ParseDate(s) }

// ImportOptions say how to import workbooks.
type ImportOptions struct {
	// Reason is recorded with every correction the files make: a row whose
	// finding differs from the case's latest finding. Without a reason such
	// a row is a problem (nothing is imported unless SkipInvalid).
	Reason string
	// Correct names the cases whose differing rows correct their findings
	// (with Reason); CorrectAll lets every differing row do so. A finding
	// is never changed without a person naming it: a differing row of a
	// case not named is a problem naming it, and a case named that no row
	// holds (a slip of the ID, the wrong file) refuses the import.
	Correct    []string
	CorrectAll bool
	// Keep names the cases whose differing rows are left out on purpose:
	// their recorded findings stay (counted in ImportResult.Kept).
	Keep []string
	// Unattended is a scheduled import that no person watches: it never
	// corrects a finding (Reason, Correct and CorrectAll are ignored), and
	// a differing row's problem says so.
	Unattended bool
	// DryRun checks every row and counts what the import would record and
	// correct (ImportResult.Corrected lists each correction), and writes
	// nothing.
	DryRun bool
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
	// Expect holds, for cases named in Correct, the trail entry (Seq) of the
	// finding the person saw when choosing to correct it (from a dry run's
	// Corrected[].Was). A case whose latest finding is another one by the
	// time of the import is refused, not corrected: someone changed it
	// meanwhile, and the person decided on a finding no longer recorded.
	Expect map[Expected]int
}

// Expected is a case's latest finding, or moderation finding, named in
// ImportOptions.Expect; Case is matched ignoring letter case.
type Expected struct {
	Case       string
	Moderation bool
}

// ImportResult counts what an import did.
type ImportResult struct {
	Rows        int       // data rows read (blank rows not counted)
	Recorded    int       // new findings
	Corrections int       // corrections (rows differing from an earlier finding, with the Reason)
	Kept        int       // differing rows left out on purpose (Keep): the recorded findings stay
	Unchanged   int       // rows identical to the case's latest finding (or to another file's row): nothing recorded
	Empty       int       // rows without a finding (no grade and no immediate attention): left unrecorded
	Skipped     int       // invalid rows left out (SkipInvalid)
	Problems    []Problem // the invalid rows left out (SkipInvalid)
	Actions     []Action  // follow-up actions opened (or closed automatically) by the import
	Corrected   []Correction
	// Contradictory are the rows recorded (or corrected) with a finding
	// graded Outstanding yet flagged for immediate attention
	// (Finding.Contradicts): said, not refused.
	Contradictory []RowRef
	// Elsewhere are the rows recorded as new findings under an auditor the
	// case is no longer (or never was) allocated to: QA importing the old
	// workbook of an auditor who left after her cases were dealt again. QA
	// may record for anyone, so they are recorded, and said: the auditor
	// now allocated still has them in her workbook.
	Elsewhere []RowElsewhere
	Files     []ImportedFile
}

// RowElsewhere is a row recorded under Auditor on a case allocated to
// AllocatedTo.
type RowElsewhere struct {
	RowRef
	Auditor     string
	AllocatedTo string
}

// Correction is one finding an import corrects (or, in a dry run, would
// correct).
type Correction struct {
	Case       string
	Moderation bool
	// Was is the finding corrected; Differs says what the row changes, as
	// "Grade recorded "Good", this row "Inadequate"".
	Was     Finding
	Differs opt.Text
	File    string
	Row     int
	Seq     int // the correction's trail entry; 0 in a dry run
	// OldCopy is the finding recorded before Was (a correction) that the
	// row repeats field for field: the row is most likely an old copy of
	// the workbook. nil when it repeats none.
	OldCopy *Finding
}

// RowRef is a case's row in an imported file.
type RowRef struct {
	Case string
	File string
	Row  int
}

// errDryRun ends a dry run's transaction without writing.
var errDryRun = errors.New("dry run: nothing written")

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
func checkWorkbookAudit(a *Audit, files []*workbook.File, byID map[string]SampledCase) error {
	for _, f := range files {
		if f.Audit == "" || strings.EqualFold(strings.TrimSpace(f.Audit), a.Name) {
			continue
		}
		ids, in := 0, 0
		for _, r := range f.Rows {
			if r.ID == "" {
				continue
			}
			ids++
			if _, ok := byID[r.ID]; ok {
				in++
			}
		}
		if ids > 0 && in == 0 {
			return &WrongAuditError{Path: f.Path, Audit: a.Name, Workbook: f.Audit}
		}
	}
	return nil
}

// rowFinding is the finding on a workbook's row.
func rowFinding(r *workbook.Row) Finding {
	f := r.Finding
	return Finding{Case: r.ID, Auditor: f.Auditor, Grade: f.Grade, Immediate: f.Immediate, Note: f.Note, Answers: f.Answers, Date: f.Date}
}

// normaliseRows checks and normalises the finding on every row of a file
// read that has one and no problem yet, as Record does.
func normaliseRows(file *workbook.File) {
	for i := range file.Rows {
		r := &file.Rows[i]
		if r.Empty || len(r.Problems) > 0 {
			continue
		}
		f := rowFinding(r)
		if err := f.normalise(); err != nil {
			r.Problems = append(r.Problems, Problem{File: file.Path, Sheet: file.Sheet, Row: r.Num, Case: r.ID, Msg: err.Error()})
			continue
		}
		r.ID = f.Case
		r.Finding = rowOf(f)
	}
}

// rowOf is a recorded finding as a workbook's row would hold it.
func rowOf(f Finding) workbook.Finding {
	return workbook.Finding{Auditor: f.Auditor, Grade: f.Grade, Immediate: f.Immediate, Note: f.Note, Answers: f.Answers, Date: f.Date}
}
