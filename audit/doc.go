// Package audit is caseaudit's audit store and what is built on it: audits
// with their immutable samples, allocation of cases to auditors, findings
// (grade, immediate attention, note, form answers), corrections, moderation,
// import of the auditors' workbook, and verification of the trail.
//
// The store is one SQLite file (see schema.go for the schema). Everything
// that happens to an audit after its sample is drawn is an entry in its
// trail: append-only (also in SQL, by triggers) and hash-chained, so Verify
// can name any entry edited, inserted or deleted by editing the file. Every
// method that changes the store does so in one BEGIN IMMEDIATE transaction
// or not at all, so several auditors (goroutines or processes) can record at
// once without the chain forking.
//
// The package prints nothing and knows nothing of cobra or terminals: plain
// values in, plain values and errors a person can act on out. Time comes
// from an injected clock (Options.Clock).
package audit
