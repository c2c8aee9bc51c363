package store

import (
	"context"
	"database/sql"
	"fmt"
)

// The audit store is one SQLite file (modernc.org/sqlite, no cgo) marked with
// PRAGMA application_id = applicationID and versioned with PRAGMA
// user_version = len(migrations). It runs in WAL mode with foreign keys on;
// every write is one BEGIN IMMEDIATE transaction.
//
// Schema (version 1):
//
//	audit            one row per audit; never updated or deleted (triggers)
//	  id             INTEGER PRIMARY KEY
//	  name           TEXT UNIQUE        the audit's name, e.g. "2026-07 monthly"
//	  created_at     TEXT               UTC, fixed-width RFC 3339 with nanoseconds (sorts as text)
//	  seed           TEXT               the sampling seed
//	  input_path     TEXT               the export as the user named it
//	  input_sha256   TEXT               hex SHA-256 of the export file
//	  sheet          TEXT               "" for csv
//	  header_row     INTEGER            1-based
//	  data_rows      INTEGER            data rows holding a case ID
//	  filters        TEXT               JSON array of the filters as text
//	  strata_column  TEXT               "" when not stratified
//	  allocation     TEXT               "proportional", "equal" or ""
//	  min_per_stratum INTEGER
//	  initial_size   INTEGER            sample size at creation (growth appends cases)
//	  population     INTEGER            distinct IDs after filters
//	  tool_version   TEXT
//	  columns        TEXT               JSON array: the shown column names
//	  params         TEXT               JSON object: everything needed to re-derive the sample
//	  form           TEXT NULL          JSON: the audit's form, NULL when none
//
//	sampled_case     the sample; rows are only ever appended (growth), never changed
//	  audit_id       → audit.id
//	  ord            INTEGER            1..n, selection order
//	  case_id        TEXT               UNIQUE per audit
//	  ticket         TEXT               full-precision ticket
//	  stratum        TEXT               "" when not stratified
//	  source_row     INTEGER            1-based row in the export
//	  fields         TEXT               JSON array of the shown fields, in audit.columns order
//
//	trail            the audit trail: append-only (triggers abort UPDATE and DELETE), hash-chained
//	  audit_id       → audit.id
//	  seq            INTEGER            1, 2, 3 … within the audit
//	  kind           TEXT               what the entry records (the audit package's Kind* constants)
//	  case_id        TEXT               "" when the entry is not about one case
//	  actor          TEXT               the auditor, moderator or person acting
//	  at             TEXT               UTC, same format as audit.created_at
//	  payload        TEXT               canonical JSON (sorted keys, no spaces, no HTML escaping)
//	  prev_hash      TEXT               hex hash of entry seq-1; 64 zeros for seq 1
//	  hash           TEXT               hex SHA-256(prev_hash bytes || canonical entry), see Hash
//	  entered_by     TEXT               (version 3) who entered the entry; "" in older entries
//
// Version 2 adds audit.period, audit.provenance and audit.follow_up;
// version 3 adds trail.entered_by. The PostgreSQL store has the same tables,
// columns and versions (pg_schema.go), in a schema of its own.
//
// Everything that happens to an audit after its sample is drawn lives in
// the trail only; the audit package derives the current state from it, so
// a verified trail vouches for everything a report shows. The trail's
// first entry holds the audit's row and its sampled cases, and later
// entries the cases appended, so the audit package's verification also
// checks the audit and sampled_case rows against the chain.

// applicationID marks a SQLite file as a caseaudit store ("CAUD").
const applicationID = 0x43415544

// migrations[i] brings the schema from user_version i to i+1.
var migrations = []string{
	`
CREATE TABLE audit (
	id              INTEGER PRIMARY KEY,
	name            TEXT    NOT NULL UNIQUE,
	created_at      TEXT    NOT NULL,
	seed            TEXT    NOT NULL,
	input_path      TEXT    NOT NULL,
	input_sha256    TEXT    NOT NULL,
	sheet           TEXT    NOT NULL,
	header_row      INTEGER NOT NULL,
	data_rows       INTEGER NOT NULL,
	filters         TEXT    NOT NULL,
	strata_column   TEXT    NOT NULL,
	allocation      TEXT    NOT NULL,
	min_per_stratum INTEGER NOT NULL,
	initial_size    INTEGER NOT NULL,
	population      INTEGER NOT NULL,
	tool_version    TEXT    NOT NULL,
	columns         TEXT    NOT NULL,
	params          TEXT    NOT NULL,
	form            TEXT
);
CREATE INDEX audit_created ON audit(created_at);

CREATE TABLE sampled_case (
	audit_id   INTEGER NOT NULL REFERENCES audit(id),
	ord        INTEGER NOT NULL,
	case_id    TEXT    NOT NULL,
	ticket     TEXT    NOT NULL,
	stratum    TEXT    NOT NULL,
	source_row INTEGER NOT NULL,
	fields     TEXT    NOT NULL,
	PRIMARY KEY (audit_id, ord),
	UNIQUE (audit_id, case_id)
);
CREATE INDEX sampled_case_id ON sampled_case(case_id);

CREATE TABLE trail (
	audit_id  INTEGER NOT NULL REFERENCES audit(id),
	seq       INTEGER NOT NULL,
	kind      TEXT    NOT NULL,
	case_id   TEXT    NOT NULL,
	actor     TEXT    NOT NULL,
	at        TEXT    NOT NULL,
	payload   TEXT    NOT NULL,
	prev_hash TEXT    NOT NULL,
	hash      TEXT    NOT NULL,
	PRIMARY KEY (audit_id, seq)
);
CREATE INDEX trail_case ON trail(audit_id, case_id, seq);
CREATE INDEX trail_kind ON trail(audit_id, kind, seq);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'caseaudit: audits never change'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'caseaudit: audits are never deleted'); END;
CREATE TRIGGER sampled_case_no_update BEFORE UPDATE ON sampled_case
BEGIN SELECT RAISE(ABORT, 'caseaudit: a recorded sample never changes'); END;
CREATE TRIGGER sampled_case_no_delete BEFORE DELETE ON sampled_case
BEGIN SELECT RAISE(ABORT, 'caseaudit: a recorded sample never changes'); END;
CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
`,
	// Version 2: the sample's provenance as one typed value, the follow-up
	// rule as its own value, and the period an audit covers. Audits of
	// version 1 keep their columns (their trail vouches for them) and leave
	// these NULL.
	`
ALTER TABLE audit ADD COLUMN period TEXT;
ALTER TABLE audit ADD COLUMN provenance TEXT;
ALTER TABLE audit ADD COLUMN follow_up TEXT;
CREATE INDEX audit_period ON audit(period);
`,
	// Version 3: who entered each trail entry (the person at the keyboard;
	// on PostgreSQL the database role of the login), beside the auditor or
	// actor named. Entries of earlier versions leave it empty and hash as
	// they always did (see Hash).
	`
ALTER TABLE trail ADD COLUMN entered_by TEXT NOT NULL DEFAULT '';
`,
	// Version 4: on PostgreSQL, the database checks every entry's hash and
	// every row's shape (pg_guards.go); an SQLite store has nothing to
	// change, its version moves with PostgreSQL's so both name one schema.
	`SELECT 1;`,
	// Version 5: the people list (people.go), append-only and chained.
	sqlitePeopleMigration,
	// Version 6: redactable free text (see text.go). trail_text holds each
	// entry's free text and its salt beside the commitment the entry
	// hashes; erasing sets both to NULL and nothing else may change.
	// trail_redaction lists entries of earlier versions whose payload was
	// redacted in place: only their payload may change, and the redaction entry
	// records the hash of the payload left.
	`
CREATE TABLE trail_text (
	audit_id    INTEGER NOT NULL,
	seq         INTEGER NOT NULL,
	field       TEXT    NOT NULL,
	salt        TEXT,
	text        TEXT,
	redacted_at TEXT,
	PRIMARY KEY (audit_id, seq, field)
);
CREATE TABLE trail_redaction (
	audit_id INTEGER NOT NULL,
	seq      INTEGER NOT NULL,
	at       TEXT    NOT NULL,
	PRIMARY KEY (audit_id, seq)
);
CREATE TRIGGER trail_text_erase_only BEFORE UPDATE ON trail_text
WHEN NEW.audit_id IS NOT OLD.audit_id OR NEW.seq IS NOT OLD.seq OR NEW.field IS NOT OLD.field
	OR NEW.salt IS NOT NULL OR NEW.text IS NOT NULL OR NEW.redacted_at IS NULL OR OLD.redacted_at IS NOT NULL
BEGIN SELECT RAISE(ABORT, 'caseaudit: free text can only be erased, by redaction'); END;
CREATE TRIGGER trail_text_no_delete BEFORE DELETE ON trail_text
BEGIN SELECT RAISE(ABORT, 'caseaudit: free text can only be erased, by redaction'); END;
CREATE TRIGGER trail_redaction_no_change BEFORE UPDATE ON trail_redaction
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
CREATE TRIGGER trail_redaction_no_delete BEFORE DELETE ON trail_redaction
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
DROP TRIGGER trail_no_update;
CREATE TRIGGER trail_no_update BEFORE UPDATE ON trail
WHEN NOT (NEW.audit_id IS OLD.audit_id AND NEW.seq IS OLD.seq AND NEW.kind IS OLD.kind
	AND NEW.case_id IS OLD.case_id AND NEW.actor IS OLD.actor AND NEW.at IS OLD.at
	AND NEW.prev_hash IS OLD.prev_hash AND NEW.hash IS OLD.hash AND NEW.entered_by IS OLD.entered_by
	AND instr(OLD.payload, '"text_commit":') = 0
	AND EXISTS (SELECT 1 FROM trail_redaction r WHERE r.audit_id = OLD.audit_id AND r.seq = OLD.seq))
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
`,
	// Version 7: retention (retire.go): the store log, and deletion of a
	// retired audit's rows, and of nothing else.
	sqliteRetireMigration,
	// Version 8: network-store entries in the store log.
	sqliteNetworkMigration,
	// Version 9: on PostgreSQL, the guards enforce the duties' case rules
	// (pg_guards.go); an SQLite store has nothing to change, its version
	// moves with PostgreSQL's.
	`SELECT 1;`,
	// Version 10: on PostgreSQL, only a follow-up action's owner or QA
	// responds to it (pg_guards.go); nothing changes here.
	`SELECT 1;`,
	// Version 11: on PostgreSQL, the guards refuse a response to a closed
	// action, a moderation by the case's allocated auditor or worker, and
	// find an action's owner through the audit's team column, as caseaudit
	// does (pg_guards.go); nothing changes here.
	`SELECT 1;`,
	// Version 12: on PostgreSQL, the guards compare names as caseaudit
	// does whatever the collation, and refuse a moderation in caseaudit's
	// words (pg_guards.go); nothing changes here.
	`SELECT 1;`,
	// Version 13: on PostgreSQL, the guards refuse a moderation under the
	// name of anyone who recorded a finding on the case, one since
	// corrected included, and key names as caseaudit does (namekey)
	// (pg_guards.go); nothing changes here.
	`SELECT 1;`,
	// Version 14: on PostgreSQL, retire_audit words an audit not due as
	// caseaudit does (pg_retire.go); nothing changes here.
	`SELECT 1;`,
	// Version 15: on PostgreSQL, what is recorded is dated by the
	// server's clock (Tx.Now); an SQLite store keeps its machine's, and
	// nothing changes here.
	`SELECT 1;`,
}

// SchemaVersion is the store schema version this build writes and reads.
var SchemaVersion = len(migrations)

// requiredTables must exist in every store of any known version.
var requiredTables = []string{"audit", "sampled_case", "trail"}

// migrate brings the schema up to date in one immediate transaction. It
// re-reads user_version inside the transaction, so two processes creating
// the same new store at once do not both apply a migration.
func migrate(ctx context.Context, db *sql.DB) (created bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, err
	}
	defer tx.Rollback()
	var v int
	if err := tx.QueryRowContext(ctx, "PRAGMA user_version").Scan(&v); err != nil {
		return false, err
	}
	if v > len(migrations) {
		return false, errNewerVersion(v)
	}
	if v == len(migrations) {
		return false, nil
	}
	for i := v; i < len(migrations); i++ {
		if _, err := tx.ExecContext(ctx, migrations[i]); err != nil {
			return false, fmt.Errorf("migrating the store schema to version %d: %w", i+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, fmt.Sprintf("PRAGMA user_version = %d", len(migrations))); err != nil {
		return false, err
	}
	if err := tx.Commit(); err != nil {
		return false, err
	}
	return v == 0, nil
}

type errNewerVersion int

func (v errNewerVersion) Error() string {
	return fmt.Sprintf("schema version %d is newer than this caseaudit knows (%d)", int(v), len(migrations))
}
