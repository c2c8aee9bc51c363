// Package audit is what an audit is and what can be done with one: audits
// with their immutable samples, allocation of cases to auditors, findings
// (grade, immediate attention, note, form answers), corrections,
// moderation, follow-up actions, withdrawals, import of the auditors'
// workbooks, and verification of the trail.
//
// Everything that happens to an audit after its sample is drawn is an
// entry in its trail, kept by audit/store: append-only (also in SQL, by
// triggers) and hash-chained, so Verify can name any entry edited,
// inserted or deleted behind the tool's back. The current state of an
// audit (latest findings, allocation, moderation sample, actions,
// withdrawals, progress) is a projection: a pure function of a list of
// entries, testable without a database.
//
// The files say which side they are on: X.go holds what X is (its types, its
// trail payloads, the fold of a list of entries into it, its checks) and uses
// no transaction; X_store.go holds what is done with X on the store (the
// reads that load entries and fold them, and the use cases); open.go and
// copy.go are the store handle itself. No file of the first kind uses one of
// the second (layering_test.go), so the projections stand below the use
// cases. Every use case that changes the
// store does so in one write transaction or not at all, with the writers
// of an audit taking turns, so several auditors (goroutines, processes,
// machines) can record at once without the chain forking.
//
// Spreadsheets and forms live in audit/workbook and audit/form, which know
// no store. The package prints nothing and knows nothing of cobra or
// terminals: plain values in, plain values and errors a person can act on
// out. Time comes from the store (store.Tx.Now: the server's clock on
// PostgreSQL, the machine's on SQLite), or from an injected clock
// (Options.Clock), which wins.
package audit
