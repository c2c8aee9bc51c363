// Package export reads case-list exports from case-management systems:
// xlsx/xlsm workbooks (streamed, without building the sheet in memory) and
// csv/tsv/txt files (encoding, line endings and delimiter detected). It
// finds the sheet, the header row and the ID column, and hands rows over
// (Table.Rows) from a second goroutine in batches, or, for a large csv
// parsed in chunks on every core, as the chunks are taken in order, holding
// only the columns a caller asks for.
//
// Layers, each in its own files:
//
//	open.go                format detection (lock files too), sheet choice, the Table
//	header.go              header row and ID column detection, suggestions
//	csv_sniff.go           csv: encoding, line endings, delimiter
//	csv_record.go          csv: record parsing
//	csv_scan.go, csv.go    csv: rows of display values, date columns
//	xlsx*.go               xlsx: package parts, XML scanning, cell values
//	xlsx_crypt.go          xlsx: encrypted workbooks (MS-OFFCRYPTO)
//	values.go              dates, times and numbers as people read them; error values
//	table.go               the Rows pipeline
//	footer.go              notes under a table; error values as case IDs
//
// Problems with a file are *InputError values naming the file, sheet, row
// and column, what is wrong and what to do. The package knows nothing of
// sampling, the audit store, cobra or terminals.
package export
