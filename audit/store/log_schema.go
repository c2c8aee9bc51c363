package store

// The store log's tables on both backends (see retire.go): SQLite's
// schema versions 7 and 8 and PostgreSQL's table, its functions and
// triggers being in pg_retire.go.

// sqliteStoreLog makes the store log taking entries of the given kinds (a
// list of SQL strings), with its index and the triggers that keep every
// entry as written; sqliteStoreLogFollows keeps each new entry in turn.
func sqliteStoreLog(kinds string) string {
	return `
CREATE TABLE store_log (
	seq        INTEGER PRIMARY KEY,
	kind       TEXT    NOT NULL CHECK (kind IN (` + kinds + `)),
	audit_id   INTEGER NOT NULL DEFAULT 0,
	audit      TEXT    NOT NULL DEFAULT '',
	actor      TEXT    NOT NULL,
	entered_by TEXT    NOT NULL,
	at         TEXT    NOT NULL,
	payload    TEXT    NOT NULL,
	prev_hash  TEXT    NOT NULL,
	hash       TEXT    NOT NULL
);
CREATE UNIQUE INDEX store_log_retired ON store_log(audit_id) WHERE kind = 'retirement';
CREATE TRIGGER store_log_no_update BEFORE UPDATE ON store_log
BEGIN SELECT RAISE(ABORT, 'caseaudit: the store log is append-only'); END;
CREATE TRIGGER store_log_no_delete BEFORE DELETE ON store_log
BEGIN SELECT RAISE(ABORT, 'caseaudit: the store log is append-only'); END;
`
}

const sqliteStoreLogFollows = `
CREATE TRIGGER store_log_follows BEFORE INSERT ON store_log
WHEN NEW.seq IS NOT coalesce((SELECT max(seq) FROM store_log), 0) + 1
	OR NEW.prev_hash IS NOT coalesce((SELECT hash FROM store_log ORDER BY seq DESC LIMIT 1), '` + "0000000000000000000000000000000000000000000000000000000000000000" + `')
BEGIN SELECT RAISE(ABORT, 'caseaudit: a store log entry must follow the log''s last entry'); END;
`

var sqliteRetireMigration = sqliteStoreLog("'retention', 'retirement'") + sqliteStoreLogFollows + `
CREATE TRIGGER audit_not_retired AFTER INSERT ON audit
WHEN EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND (r.audit_id = NEW.id OR r.audit = NEW.name))
BEGIN SELECT RAISE(ABORT, 'caseaudit: an audit of that name was retired; choose another name'); END;
DROP TRIGGER audit_no_delete;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
WHEN NOT EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND r.audit_id = OLD.id)
BEGIN SELECT RAISE(ABORT, 'caseaudit: audits are never deleted, except by retirement'); END;
DROP TRIGGER sampled_case_no_delete;
CREATE TRIGGER sampled_case_no_delete BEFORE DELETE ON sampled_case
WHEN NOT EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND r.audit_id = OLD.audit_id)
BEGIN SELECT RAISE(ABORT, 'caseaudit: a recorded sample never changes'); END;
DROP TRIGGER trail_no_delete;
CREATE TRIGGER trail_no_delete BEFORE DELETE ON trail
WHEN NOT EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND r.audit_id = OLD.audit_id)
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
DROP TRIGGER trail_text_no_delete;
CREATE TRIGGER trail_text_no_delete BEFORE DELETE ON trail_text
WHEN NOT EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND r.audit_id = OLD.audit_id)
BEGIN SELECT RAISE(ABORT, 'caseaudit: free text can only be erased, by redaction'); END;
DROP TRIGGER trail_redaction_no_delete;
CREATE TRIGGER trail_redaction_no_delete BEFORE DELETE ON trail_redaction
WHEN NOT EXISTS (SELECT 1 FROM store_log r WHERE r.kind = 'retirement' AND r.audit_id = OLD.audit_id)
BEGIN SELECT RAISE(ABORT, 'caseaudit: the audit trail is append-only'); END;
`

// sqliteNetworkMigration is schema version 8: the store log takes
// network-store entries. SQLite cannot change a table's CHECK, so the log
// is made again with the new one, its entries copied in order (the
// follows trigger checks each), and its own index and triggers made
// again; the triggers of other tables name it and find it again.
var sqliteNetworkMigration = `
CREATE TEMP TABLE store_log_v7 AS SELECT * FROM store_log;
DROP TABLE store_log;
` + sqliteStoreLog("'retention', 'retirement', 'network-store'") + `
INSERT INTO store_log SELECT * FROM store_log_v7 ORDER BY seq;
` + sqliteStoreLogFollows + `
DROP TABLE temp.store_log_v7;
`

// pgRetireMigration is schema version 7: the store log. Its triggers, and
// the DELETE triggers of the audit's tables, are guards (pgRetireTriggers),
// made by store init.
const pgRetireMigration = `
CREATE TABLE {{S}}.store_log (
	seq        bigint PRIMARY KEY,
	kind       text   COLLATE "C" NOT NULL CHECK (kind IN ('retention', 'retirement')),
	audit_id   bigint NOT NULL DEFAULT 0,
	audit      text   COLLATE "C" NOT NULL DEFAULT '',
	actor      text   COLLATE "C" NOT NULL,
	entered_by text   COLLATE "C" NOT NULL,
	at         text   COLLATE "C" NOT NULL,
	payload    text   COLLATE "C" NOT NULL,
	prev_hash  text   COLLATE "C" NOT NULL,
	hash       text   COLLATE "C" NOT NULL
);
CREATE UNIQUE INDEX store_log_retired ON {{S}}.store_log (audit_id) WHERE kind = 'retirement';
`
