// Command caseaudit draws verifiable random samples of case files from a
// case-management export, records auditors' findings and reports the share
// of cases needing immediate attention with exact statistics.
package main

import "os"

func main() { os.Exit(Main()) }
