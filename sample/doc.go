// Package sample draws verifiable random samples of cases: it builds the
// population of distinct case IDs from an export's rows (filters, strata,
// exclusions, duplicates and footers), gives every case a ticket with
// Rivest's consistent sampler, allocates the sample among strata, selects
// it, and describes the draw in one Provenance value that re-derives it.
//
// Reading exports (xlsx and csv; the sheet, header row and ID column) is
// the job of the sub-package sample/export. This package knows nothing of
// the audit store, of cobra or of terminals: it takes tables and options
// and returns plain values and errors.
//
// Data flow:
//
//	export.Open (format, sheet, header row, ID column) -> export.Table
//	Load (filters, duplicates, footers, exclusions) -> Population
//	Select (tickets, strata allocation) -> Sample, in ticket order
package sample
