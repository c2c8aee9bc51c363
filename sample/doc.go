// Package sample reads case-list exports (xlsx and csv), finds the sheet,
// header row and ID column, builds the population of distinct case IDs with
// filters and strata applied, and draws a verifiable random sample with
// Rivest's consistent sampler.
//
// The package knows nothing of the audit store, of cobra or of terminals:
// it takes paths and options and returns plain values and errors.
//
// Data flow:
//
//	Open (format, sheet, header row, ID column) -> Table
//	Table.Rows (only the columns a command needs)
//	Load (filters, duplicates, footers) -> Population
//	Select (tickets, strata allocation) -> Sample, in ticket order
package sample
