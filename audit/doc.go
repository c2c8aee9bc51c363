// Package audit is caseaudit's audit store and what is built on it: audits
// with their immutable samples, allocation of cases to auditors, findings
// (grade, immediate attention, note, form answers), corrections, moderation,
// import of the auditors' workbook, and verification of the trail.
//
// The store is one SQLite file (see schema.go for the schema) or, for a
// team on several machines, a PostgreSQL database (store_postgres.go,
// pg_schema.go): one method set, *Store, over both. Everything that happens
// to an audit after its sample is drawn is an entry in its trail:
// append-only (also in SQL, by triggers) and hash-chained, so Verify can
// name any entry edited, inserted or deleted behind the tool's back. Every
// method that changes the store does so in one transaction or not at all,
// with the writers of an audit taking turns (SQLite's BEGIN IMMEDIATE, a
// PostgreSQL advisory lock), so several auditors (goroutines, processes,
// machines) can record at once without the chain forking.
//
// The package prints nothing and knows nothing of cobra or terminals: plain
// values in, plain values and errors a person can act on out. Time comes
// from an injected clock (Options.Clock).
package audit
