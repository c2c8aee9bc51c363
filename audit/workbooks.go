package audit

import (
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// The auditors' and moderators' workbooks are written and read by
// audit/workbook; what goes into one for a recorded audit is gathered here.

// WorkbookSpec is what goes into a workbook (see workbook.Spec).
type WorkbookSpec = workbook.Spec

// WriteWorkbook writes a workbook as xlsx to w (see workbook.Write).
func WriteWorkbook(w io.Writer, spec WorkbookSpec) error { return workbook.Write(w, spec) }

// The workbook's sheets and the columns every workbook has.
const (
	SheetSample  = workbook.SheetSample
	SheetLists   = workbook.SheetLists
	ColOrder     = form.ColOrder
	ColCaseID    = form.ColCaseID
	ColAuditor   = form.ColAuditor
	ColModerator = form.ColModerator
	ColGrade     = form.ColGrade
	ColImmediate = form.ColImmediate
	ColNotes     = form.ColNotes
	ColDate      = form.ColDate
)

// selection is cases as the workbook takes them.
func selection(cases []SampledCase) []sample.Selected {
	out := make([]sample.Selected, len(cases))
	for i, c := range cases {
		out[i] = sample.Selected{Order: c.Order, Ticket: c.Ticket,
			Case: sample.Case{ID: c.ID, Row: c.Row, Stratum: c.Stratum, Fields: c.Fields}}
	}
	return out
}

// WorkbookOptions choose the cases of a workbook written from the store.
type WorkbookOptions struct {
	// Auditor keeps only the cases allocated to this auditor ("" = all).
	Auditor string
	// Outstanding keeps only the cases without a finding yet (a
	// moderation finding, for the moderators' workbook).
	Outstanding bool
	// Moderation writes the moderators' workbook of the moderation sample.
	Moderation bool
}

// ErrNoCases is wrapped when a workbook would hold no case.
var ErrNoCases = errors.New("no cases")

// checkWorkbookAuditor refuses an auditor the allocation does not name.
func checkWorkbookAuditor(audit, auditor string, al *Allocation) error {
	if al == nil {
		return fmt.Errorf("audit %q is not allocated, so no case is %s's; allocate it first (caseaudit allocate)", audit, auditor)
	}
	for _, a := range al.Auditors {
		if norm(a) == norm(auditor) {
			return nil
		}
	}
	msg := fmt.Sprintf("%s is not one of the auditors of audit %q (%s)", auditor, audit, strings.Join(al.Auditors, ", "))
	if sug := textdist.Closest(auditor, al.Auditors, 1); len(sug) > 0 {
		msg += fmt.Sprintf("; did you mean %s?", words.QuoteList(sug))
	}
	return errors.New(msg)
}
