package store

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"
)

// The PostgreSQL store is a schema (default "caseaudit") in the database the
// URL names, with the tables, columns and schema versions of the SQLite
// store (schema.go): audit, sampled_case and trail, text stored as SQLite
// stores it (COLLATE "C", so text sorts and compares by bytes as in
// SQLite), times as the same fixed-width text, so that a store copied from
// one backend to the other hashes identically. The table meta marks the
// schema as a caseaudit store ('application' = 'caseaudit') and holds its
// version ('schema_version'); pgMigrations[i] brings it from version i to
// i+1, like migrations for SQLite.
//
// In the database, beyond the application's own care:
//
//   - audit, sampled_case and trail refuse UPDATE, DELETE and TRUNCATE
//     (triggers), and the application roles hold no UPDATE, DELETE or
//     TRUNCATE privilege on them (see pgGrants): not even a mistaken
//     administrator's UPDATE goes through without first dropping a trigger.
//   - a trail entry must follow its audit's head: entry 1 follows 64 zeros,
//     entry n follows entry n-1's hash (trigger trail_check), and (audit_id,
//     seq) is the primary key, so the chain can neither fork nor gap.
//   - entered_by must be the login's role (session_user), so no one enters an
//     entry under someone else's login; only the store's owner (who runs
//     caseaudit store init and store copy) may write another name, as a copy
//     keeps who entered the entries copied.
//   - the auditor role may append findings, corrections, moderation
//     findings and the follow-up entries a finding makes (an action opened,
//     or closed automatically by a correction); every other kind (samples,
//     growth, allocations, moderation draws, responses, closures) needs the
//     QA role.
//
// Appends to one audit's trail are serialised by a transaction advisory
// lock on (lockSpace(schema), audit id), taken when a write transaction first
// looks the audit up (Tx.Audit) or opens its chain.

// pgSchemaToken stands for the quoted schema name in the statements below.
const pgSchemaToken = "{{S}}"

// The roles of a PostgreSQL store are group roles (NOLOGIN) of its own,
// that people's login roles are made members of: being an auditor of one
// store gives nothing in another store of the same server. Their names are
// the store's role prefix (kept in meta under 'role_prefix', see
// rolePrefix) followed by "_" and the group: for the schema "caseaudit"
// of the database "casefiles", caseaudit_casefiles_qa and so on. A store
// made before roles were per store has no prefix in meta and uses the
// cluster-wide roles caseaudit_qa and caseaudit_auditor (legacyPrefix)
// until its owner runs store init, which gives it roles of its own.
const (
	GroupQA         = "qa"         // sample, allocate, moderate, report; everything an auditor may
	GroupAuditor    = "auditor"    // record and import findings; read the audits
	GroupGovernance = "governance" // information governance: redact free text; read the audits
)

// storeGroups lists a store's group roles in the order messages name them.
var storeGroups = []string{GroupQA, GroupAuditor, GroupGovernance}

// legacyPrefix is the role prefix of a store made before roles were per
// store: caseaudit_qa and caseaudit_auditor, shared by every such store
// on the server.
const legacyPrefix = "caseaudit"

// maxPrefix keeps every role name within PostgreSQL's 63-byte identifier
// limit (longer names are silently truncated, which could make two
// stores' roles one), with room for a group name of up to 10 bytes.
const maxPrefix = 63 - len("_") - 10

// pgNames is what the statements of a store are written over: its schema
// and the names of its roles.
type pgNames struct {
	schema string
	prefix string // the role prefix; legacyPrefix for a store without one
}

// role is the name of the store's group role for group.
func (n pgNames) role(group string) string { return n.prefix + "_" + group }

// legacy reports whether the store still uses the cluster-wide roles.
func (n pgNames) legacy() bool { return n.prefix == legacyPrefix }

// expand puts the quoted schema name and the store's role names into a
// statement: {{S}} is the schema; {{role:G}} is group G's role as an
// identifier (in GRANT), {{lit:G}} as a string literal (in a function
// body); {{groups}} lists every group role, as identifiers.
func (n pgNames) expand(stmt string) string {
	r := []string{pgSchemaToken, quoteIdent(n.schema)}
	var all []string
	for _, g := range storeGroups {
		r = append(r, "{{role:"+g+"}}", quoteIdent(n.role(g)), "{{lit:"+g+"}}", quoteLiteral(n.role(g)))
		all = append(all, quoteIdent(n.role(g)))
	}
	r = append(r, "{{groups}}", strings.Join(all, ", "))
	return strings.NewReplacer(r...).Replace(stmt)
}

// rolePrefix derives a new store's role prefix from its schema and
// database: the two joined, in the lower-case letters, digits and
// underscores an unquoted identifier may hold; when that changed a
// character, when it is too long (and shortened), or when taken is set
// (the plain name's roles belong to another store, as "a_b" in "c" and
// "a" in "b_c" would), it ends with six hex digits of a hash of both
// names, so that two stores never share a prefix.
func rolePrefix(database, schema string, taken bool) string {
	var b strings.Builder
	for _, r := range strings.ToLower(schema + "_" + database) {
		if r >= 'a' && r <= 'z' || r >= '0' && r <= '9' || r == '_' {
			b.WriteRune(r)
		} else {
			b.WriteByte('_')
		}
	}
	p := b.String()
	if len(p) <= maxPrefix && !taken && p == schema+"_"+database {
		return p
	}
	sum := sha256.Sum256([]byte(database + "\x00" + schema))
	suffix := "_" + hex.EncodeToString(sum[:3])
	if len(p) > maxPrefix-len(suffix) {
		p = p[:maxPrefix-len(suffix)]
	}
	return p + suffix
}

// roleComment marks a group role as the given store's, so that init can
// tell a role of its own from another store's of the same name.
func roleComment(database, schema, group string) string {
	return fmt.Sprintf("caseaudit: the %s role of the store %s in the database %s", group, quoteIdent(schema), quoteIdent(database))
}

// pgInitLock is the first key of the advisory lock that makes store inits
// in one database take turns ("CAUD"); each store's own writers use keys
// of their own (lockSpace).
const pgInitLock = 0x43415544

var pgMigrations = []string{
	// Version 1.
	`
CREATE TABLE {{S}}.meta (
	key   text COLLATE "C" PRIMARY KEY,
	value text COLLATE "C" NOT NULL
);
INSERT INTO {{S}}.meta (key, value) VALUES ('application', 'caseaudit'), ('schema_version', '0');

CREATE TABLE {{S}}.audit (
	id              bigint  GENERATED BY DEFAULT AS IDENTITY PRIMARY KEY,
	name            text    COLLATE "C" NOT NULL UNIQUE,
	created_at      text    COLLATE "C" NOT NULL,
	seed            text    COLLATE "C" NOT NULL,
	input_path      text    COLLATE "C" NOT NULL,
	input_sha256    text    COLLATE "C" NOT NULL,
	sheet           text    COLLATE "C" NOT NULL,
	header_row      bigint  NOT NULL,
	data_rows       bigint  NOT NULL,
	filters         text    COLLATE "C" NOT NULL,
	strata_column   text    COLLATE "C" NOT NULL,
	allocation      text    COLLATE "C" NOT NULL,
	min_per_stratum bigint  NOT NULL,
	initial_size    bigint  NOT NULL,
	population      bigint  NOT NULL,
	tool_version    text    COLLATE "C" NOT NULL,
	columns         text    COLLATE "C" NOT NULL,
	params          text    COLLATE "C" NOT NULL,
	form            text    COLLATE "C"
);
CREATE INDEX audit_created ON {{S}}.audit (created_at);

CREATE TABLE {{S}}.sampled_case (
	audit_id   bigint NOT NULL REFERENCES {{S}}.audit (id),
	ord        bigint NOT NULL,
	case_id    text   COLLATE "C" NOT NULL,
	ticket     text   COLLATE "C" NOT NULL,
	stratum    text   COLLATE "C" NOT NULL,
	source_row bigint NOT NULL,
	fields     text   COLLATE "C" NOT NULL,
	PRIMARY KEY (audit_id, ord),
	UNIQUE (audit_id, case_id)
);
CREATE INDEX sampled_case_id ON {{S}}.sampled_case (case_id);

CREATE TABLE {{S}}.trail (
	audit_id  bigint NOT NULL REFERENCES {{S}}.audit (id),
	seq       bigint NOT NULL,
	kind      text   COLLATE "C" NOT NULL,
	case_id   text   COLLATE "C" NOT NULL,
	actor     text   COLLATE "C" NOT NULL,
	at        text   COLLATE "C" NOT NULL,
	payload   text   COLLATE "C" NOT NULL,
	prev_hash text   COLLATE "C" NOT NULL,
	hash      text   COLLATE "C" NOT NULL,
	PRIMARY KEY (audit_id, seq)
);
CREATE INDEX trail_case ON {{S}}.trail (audit_id, case_id, seq);
CREATE INDEX trail_kind ON {{S}}.trail (audit_id, kind, seq);

CREATE FUNCTION {{S}}.refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_TABLE_NAME = 'trail' THEN
		RAISE EXCEPTION 'caseaudit: the audit trail is append-only' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'sampled_case' THEN
		RAISE EXCEPTION 'caseaudit: a recorded sample never changes' USING ERRCODE = 'P0001';
	END IF;
	RAISE EXCEPTION 'caseaudit: audits never change' USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON {{S}}.audit
	FOR EACH ROW EXECUTE FUNCTION {{S}}.refuse_change();
CREATE TRIGGER sampled_case_no_change BEFORE UPDATE OR DELETE ON {{S}}.sampled_case
	FOR EACH ROW EXECUTE FUNCTION {{S}}.refuse_change();
CREATE TRIGGER trail_no_change BEFORE UPDATE OR DELETE ON {{S}}.trail
	FOR EACH ROW EXECUTE FUNCTION {{S}}.refuse_change();
CREATE TRIGGER audit_no_truncate BEFORE TRUNCATE ON {{S}}.audit
	FOR EACH STATEMENT EXECUTE FUNCTION {{S}}.refuse_change();
CREATE TRIGGER sampled_case_no_truncate BEFORE TRUNCATE ON {{S}}.sampled_case
	FOR EACH STATEMENT EXECUTE FUNCTION {{S}}.refuse_change();
CREATE TRIGGER trail_no_truncate BEFORE TRUNCATE ON {{S}}.trail
	FOR EACH STATEMENT EXECUTE FUNCTION {{S}}.refuse_change();
`,
	// Version 2: as for SQLite.
	`
ALTER TABLE {{S}}.audit ADD COLUMN period text COLLATE "C";
ALTER TABLE {{S}}.audit ADD COLUMN provenance text COLLATE "C";
ALTER TABLE {{S}}.audit ADD COLUMN follow_up text COLLATE "C";
CREATE INDEX audit_period ON {{S}}.audit (period);
`,
	// Version 3: who entered each entry, checked against the login; the
	// chain's order and the kinds each role may append, checked on insert.
	`
ALTER TABLE {{S}}.trail ADD COLUMN entered_by text COLLATE "C" NOT NULL DEFAULT '';

CREATE FUNCTION {{S}}.trail_check() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	prev  text;
	owner boolean := pg_has_role(session_user, (SELECT relowner FROM pg_catalog.pg_class WHERE oid = TG_RELID), 'MEMBER');
BEGIN
	IF NEW.seq = 1 THEN
		IF NEW.prev_hash <> repeat('0', 64) THEN
			RAISE EXCEPTION 'caseaudit: entry 1 of a trail must follow no entry' USING ERRCODE = 'P0001';
		END IF;
	ELSE
		SELECT t.hash INTO prev FROM {{S}}.trail t WHERE t.audit_id = NEW.audit_id AND t.seq = NEW.seq - 1;
		IF prev IS NULL OR prev <> NEW.prev_hash THEN
			RAISE EXCEPTION 'caseaudit: trail entry % does not follow entry % of its audit', NEW.seq, NEW.seq - 1 USING ERRCODE = 'P0001';
		END IF;
	END IF;
	IF owner THEN
		RETURN NEW;
	END IF;
	IF NEW.entered_by IS DISTINCT FROM session_user::text THEN
		RAISE EXCEPTION 'caseaudit: an entry entered by % cannot be made by the login %', NEW.entered_by, session_user USING ERRCODE = 'P0001';
	END IF;
	IF NOT pg_has_role(session_user, 'caseaudit_qa', 'MEMBER') AND NOT (
		NEW.kind IN ('finding', 'correction', 'moderation-finding', 'moderation-correction', 'action-open')
		OR NEW.kind = 'action-close' AND (NEW.payload::jsonb ->> 'auto') = 'true') THEN
		RAISE EXCEPTION 'caseaudit: the role % may not record entries of kind %; that needs the role caseaudit_qa', session_user, NEW.kind
			USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER trail_check BEFORE INSERT ON {{S}}.trail
	FOR EACH ROW EXECUTE FUNCTION {{S}}.trail_check();
`,
	// Version 4: the guards of pg_guards.go (every entry's hash checked in
	// the database, rows validated, fixed search_path), which store init
	// (re)creates after the migrations.
	`SELECT 1;`,
	// Version 5: the people list and the duties it gives (pg_people.go).
	pgPeopleMigration,
	// Version 6: redactable free text, as for SQLite (schema.go): text
	// may only be erased; only an entry listed in trail_redaction (an entry
	// of an earlier version redacted in place) may have its payload, and
	// nothing else, changed (the guard trail_redact_in_place, pg_guards.go).
	`
CREATE TABLE {{S}}.trail_text (
	audit_id    bigint NOT NULL,
	seq         bigint NOT NULL,
	field       text   COLLATE "C" NOT NULL,
	salt        text   COLLATE "C",
	text        text   COLLATE "C",
	redacted_at text   COLLATE "C",
	PRIMARY KEY (audit_id, seq, field)
);
CREATE TABLE {{S}}.trail_redaction (
	audit_id bigint NOT NULL,
	seq      bigint NOT NULL,
	at       text   COLLATE "C" NOT NULL,
	PRIMARY KEY (audit_id, seq)
);
{{fn:text_erase_only}}
CREATE TRIGGER trail_text_erase_only BEFORE UPDATE OR DELETE ON {{S}}.trail_text
	FOR EACH ROW EXECUTE FUNCTION {{S}}.text_erase_only();
CREATE TRIGGER trail_redaction_no_change BEFORE UPDATE OR DELETE ON {{S}}.trail_redaction
	FOR EACH ROW EXECUTE FUNCTION {{S}}.refuse_change();
`,
	// Version 7: retention, as for SQLite (pg_retire.go).
	pgRetireMigration,
	// Version 8: the store log takes network-store entries, as for
	// SQLite: a store copied from an SQLite file on a network drive
	// keeps them.
	`
ALTER TABLE {{S}}.store_log DROP CONSTRAINT store_log_kind_check;
ALTER TABLE {{S}}.store_log ADD CONSTRAINT store_log_kind_check CHECK (kind IN ('retention', 'retirement', 'network-store'));
`,
	// Version 9: the guards enforce the duties' case rules (pg_guards.go):
	// an auditor records only the cases allocated to her, a moderation is
	// corrected only by its moderator or QA, a follow-up entry follows the
	// login's own finding, no moderation is recorded under the name of the
	// case's own auditor, and with a people list only QA or governance sets
	// the retention period (pg_retire.go). Nothing here: store init makes the guards after
	// the migrations, and the version moves so that the owner's next open
	// brings a store of the previous release its new guards (which verify
	// would otherwise find changed).
	`SELECT 1;`,
	// Version 10: only a follow-up action's owner (or QA) responds to it
	// in the database too (trail_duty and action_owner, pg_guards.go).
	// Nothing here, as for version 9: the version moves so that the
	// owner's next open brings the new guards.
	`SELECT 1;`,
	// Version 11: the guards agree with caseaudit in three more places
	// (pg_guards.go): no response to, or closing of, a follow-up action
	// that is closed or was never opened (trail_check); no moderation
	// under the name of the auditor the latest allocation gives the case,
	// nor of its allocated worker (trail_check); and the owner of an action
	// is found through the case's team as caseaudit reads it, from the
	// audit's team column (action_owner, team_column, case_team). Nothing
	// here, as for version 9: the version moves so that the owner's next
	// open brings the new guards.
	`SELECT 1;`,
	// Version 12: the guards compare names as caseaudit does in every
	// database (name_key and column_index fold every letter, not only
	// ASCII's as the store's COLLATE "C" columns made them; the white space
	// they skip is Go's, whatever the collation), and a moderation they
	// refuse is refused in caseaudit's words, naming the person and who may
	// moderate the case instead (moderation_refusal). Nothing here, as for
	// version 9: the version moves so that the owner's next open brings
	// the new guards.
	`SELECT 1;`,
	// Version 13: no moderation under the name of anyone who recorded a
	// finding on the case, one since corrected included, by anyone, QA
	// too, in caseaudit's words (moderation_refusal); and names are keyed
	// as caseaudit keys them (namekey), each letter upper- then
	// lower-cased, so that final sigma, long s and dotted and dotless I
	// are one letter with their other case forms (name_key). Nothing
	// here, as for version 9.
	`SELECT 1;`,
	// Version 14: retire_audit (pg_retire.go) refuses an audit not due in
	// caseaudit's words, not as a refusal of a duty, and counts the
	// retention period as caseaudit does at a month's end. Nothing here,
	// as for version 9.
	`SELECT 1;`,
	// Version 15: caseaudit dates what it records by the server's clock
	// (Tx.Now), no longer by the writer's machine's. Nothing here: the
	// version moves so that an earlier caseaudit, which dates entries by
	// its machine's clock, no longer writes to the store once its owner
	// has opened it with this one.
	`SELECT 1;`,
}

// pgGrant is privileges that some of a store's group roles hold on one of
// its tables, or on some of its columns. store init grants exactly what
// pgGrants lists (after revoking everything else), and verify reports any
// privilege on the store's tables held beyond it by anyone but the owner,
// and any of it missing (grantDifferences).
type pgGrant struct {
	table   string
	privs   []string
	columns []string // nil: the whole table
	groups  []string
	since   int // the schema version that made the table
}

var (
	allGroups   = storeGroups
	qaOnly      = []string{GroupQA}
	whoRedacts  = []string{GroupQA, GroupGovernance}
	readInsert  = []string{"SELECT", "INSERT"}
	readOnly    = []string{"SELECT"}
	insertOnly  = []string{"INSERT"}
	updateOnly  = []string{"UPDATE"}
	textColumns = []string{"salt", "text", "redacted_at"}
)

// pgGrants: every role reads the audits (the governance officer must read
// a text to judge it); auditors append findings to the trail with their
// free text; only QA makes audits, samples and people-list changes; only
// QA and governance erase free text (trail_text's columns, and the payload
// of an entry redacted in place, which the triggers limit to erasing) and
// record that they did (trail_redaction). No role may DELETE or TRUNCATE
// anything, nor UPDATE anything else.
var pgGrants = []pgGrant{
	{table: "meta", privs: readOnly, groups: allGroups, since: 1},
	{table: "audit", privs: readOnly, groups: allGroups, since: 1},
	{table: "audit", privs: insertOnly, groups: qaOnly, since: 1},
	{table: "sampled_case", privs: readOnly, groups: allGroups, since: 1},
	{table: "sampled_case", privs: insertOnly, groups: qaOnly, since: 1},
	{table: "trail", privs: readInsert, groups: allGroups, since: 1},
	{table: "trail", privs: updateOnly, columns: []string{"payload"}, groups: whoRedacts, since: 6},
	{table: "person_change", privs: readOnly, groups: allGroups, since: 5},
	{table: "person_change", privs: insertOnly, groups: qaOnly, since: 5},
	{table: "trail_text", privs: readInsert, groups: allGroups, since: 6},
	{table: "trail_text", privs: updateOnly, columns: textColumns, groups: whoRedacts, since: 6},
	{table: "trail_redaction", privs: readOnly, groups: allGroups, since: 6},
	{table: "trail_redaction", privs: insertOnly, groups: whoRedacts, since: 6},
}

// grantsSQL revokes every privilege on the store's tables and functions
// from PUBLIC, the store's group roles and the roles in revokeAlso (the
// cluster-wide roles of before, which must give nothing in a store that
// has roles of its own), then grants what pgGrants lists for a store at
// schema version, and makes sure every trigger is enabled.
func grantsSQL(n pgNames, version int, revokeAlso []string) string {
	from := []string{"PUBLIC", "{{groups}}"}
	for _, r := range revokeAlso {
		from = append(from, quoteIdent(r))
	}
	f := strings.Join(from, ", ")
	var b strings.Builder
	fmt.Fprintf(&b, "REVOKE ALL ON ALL TABLES IN SCHEMA {{S}} FROM %s;\n", f)
	fmt.Fprintf(&b, "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA {{S}} FROM %s;\n", f)
	fmt.Fprintf(&b, "REVOKE ALL ON SCHEMA {{S}} FROM %s;\n", f)
	b.WriteString("GRANT USAGE ON SCHEMA {{S}} TO {{groups}};\n")
	tables := map[string]bool{}
	for _, g := range pgGrants {
		if g.since > version {
			continue
		}
		cols := ""
		if g.columns != nil {
			cols = " (" + strings.Join(g.columns, ", ") + ")"
		}
		var to []string
		for _, r := range g.groups {
			to = append(to, "{{role:"+r+"}}")
		}
		fmt.Fprintf(&b, "GRANT %s%s ON {{S}}.%s TO %s;\n", strings.Join(g.privs, ", "), cols, g.table, strings.Join(to, ", "))
		if !tables[g.table] && g.table != "meta" {
			tables[g.table] = true
			fmt.Fprintf(&b, "ALTER TABLE {{S}}.%s ENABLE TRIGGER USER;\n", g.table)
		}
	}
	// The guards' functions call one another as the inserting login.
	b.WriteString("GRANT EXECUTE ON ALL FUNCTIONS IN SCHEMA {{S}} TO {{groups}};\n")
	return n.expand(b.String())
}

// inSchema puts the quoted schema name into a statement.
func inSchema(stmt, schema string) string {
	return strings.ReplaceAll(stmt, pgSchemaToken, quoteIdent(schema))
}

func quoteIdent(s string) string { return `"` + strings.ReplaceAll(s, `"`, `""`) + `"` }

func quoteLiteral(s string) string { return "'" + strings.ReplaceAll(s, "'", "''") + "'" }
