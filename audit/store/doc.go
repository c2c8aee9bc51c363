// Package store keeps caseaudit's audits as rows and chains: the audit
// table, the sampled cases, and each audit's trail of hash-chained entries,
// in one SQLite file (modernc.org/sqlite, no cgo) or, for a team on
// several machines, a PostgreSQL schema (pgx). It knows nothing of what an
// entry means: the audit package gives entries their kinds and payloads and
// derives everything else from them.
//
// Work is done in explicit transactions: Read gives a *Tx that sees one
// state of the store; Write gives a *WriteTx that may also insert rows and
// append to chains, all of it or nothing. A WriteTx locks each audit it
// looks up for its own writers (SQLite's BEGIN IMMEDIATE, a PostgreSQL
// advisory lock), so a chain never forks, and it records who is entering
// (Options.EnteredBy, or on PostgreSQL the login) with every entry. Hash is
// the one function that hashes an entry's content; CheckChain re-walks a
// chain. Copy moves a store between backends with every hash intact.
package store
