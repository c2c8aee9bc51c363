// Command caseaudit draws verifiable random samples of case files from a
// case-management export, records auditors' findings and reports the share
// of cases needing immediate attention with exact statistics.
package main

import (
	"os"

	// Opens a record command's store while the rest starts up; Main
	// closes it if unused.
	_ "github.com/caseaudit/caseaudit/cmd/caseaudit/internal/preopen"
)

func main() { os.Exit(Main()) }
