package audit

import (
	"os"
)

// MonthlyDraw is the sample stage of a scheduled monthly audit, which
// draws the month's sample once however often it runs: Audit is the
// month's audit, Workbook where the stage writes its auditors' workbook
// ("" for none).
type MonthlyDraw struct {
	Audit    string
	Workbook string
}

// MonthlyDrawState is what the store and the workbook's path say of the
// month's draw. Drawn is the month's audit when it is in the store already:
// nothing is to change, and WorkbookMissing says its workbook is not where
// the stage writes it (the cases are in the store; the person running the
// stage is told). With Drawn nil the draw is due.
type MonthlyDrawState struct {
	Drawn           *Audit
	WorkbookMissing bool
}

// WorkbookInTheWayError refuses a month's draw whose workbook path holds a
// file while the store has no audit of that name: drawing would replace a
// workbook that may carry findings, or the store or the audit's name is not
// the one that wrote it.
type WorkbookInTheWayError struct {
	Workbook, Audit string
}

func (e *WorkbookInTheWayError) Error() string {
	return e.Workbook + " already exists but the audit \"" + e.Audit + "\" is not in the store"
}

func isFile(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}
