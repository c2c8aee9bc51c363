package store

import (
	"context"
	"database/sql"
	"fmt"
	"strings"
)

// Retention on PostgreSQL (see retire.go for the store log). Every DELETE
// on an audit's tables still goes through a trigger (retired_only) that
// refuses it unless two things hold: the statement runs with the store
// owner's rights, and a retirement entry in the store log names the row's
// audit. No application role holds DELETE on any table, and a retirement
// entry can be written only with the owner's rights (store_log_check), so
// the one way to delete is the function retire_audit: SECURITY DEFINER,
// owned by the store's owner, with a fixed search_path, executable by the
// QA role only. It checks who calls it (with a people list, a person with
// the qa or governance role), that the audit is signed off and past the
// store's retention period by the server's clock, and that the summary
// names the trail's head; then writes the retirement entry (the database
// checks its place in the chain and its hash) and deletes the audit's
// rows, and nothing else.

// pgQAToken and pgAuditorToken stand for the group roles' names in the
// statements below.
const (
	pgQAToken      = "{{QA}}"
	pgAuditorToken = "{{AUDITOR}}"
)

// withRoles puts the role names into a statement.
func withRoles(stmt string) string {
	return strings.NewReplacer(pgQAToken, RoleQA, pgAuditorToken, RoleAuditor).Replace(stmt)
}

// pgRetireMigration is schema version 7: the store log, and the triggers
// of version 6 that refused DELETE along with UPDATE narrowed to UPDATE
// (their DELETE triggers are guards: pgRetireTriggers).
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
DROP TRIGGER trail_text_erase_only ON {{S}}.trail_text;
CREATE TRIGGER trail_text_erase_only BEFORE UPDATE ON {{S}}.trail_text
	FOR EACH ROW EXECUTE FUNCTION {{S}}.text_erase_only();
DROP TRIGGER trail_redaction_no_change ON {{S}}.trail_redaction;
CREATE TRIGGER trail_redaction_no_change BEFORE UPDATE ON {{S}}.trail_redaction
	FOR EACH ROW EXECUTE FUNCTION {{S}}.refuse_change();
`

// pgRetireFunctions are guards (pg_guards.go): re-created by store init,
// compared by verify, none with its owner's rights.
var pgRetireFunctions = []pgFunction{
	// log_hash is LogHash (retire.go), byte for byte.
	{name: "log_hash", args: "prev_hash text, seq bigint, kind text, audit_name text, actor text, entered_by text, at text, payload text",
		returns: "text", lang: "sql", extra: "IMMUTABLE", body: `
SELECT pg_catalog.encode(pg_catalog.sha256(pg_catalog.decode(prev_hash, 'hex') || pg_catalog.convert_to(
	'{"actor":' || {{S}}.json_string(actor) || ',"at":' || {{S}}.json_string(at)
	|| ',"audit":' || {{S}}.json_string(audit_name) || ',"entered_by":' || {{S}}.json_string(entered_by)
	|| ',"kind":' || {{S}}.json_string(kind) || ',"payload":' || payload || ',"seq":' || seq::text || '}', 'UTF8')), 'hex')
`},
	{name: "store_log_check", returns: "trigger", lang: "plpgsql", body: withRoles(`
DECLARE
	n      bigint;
	prev   text;
	rights boolean := pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER');
	owner  boolean := pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER');
BEGIN
	SELECT l.seq, l.hash INTO n, prev FROM {{S}}.store_log l ORDER BY l.seq DESC LIMIT 1;
	IF NEW.seq IS DISTINCT FROM coalesce(n, 0) + 1 OR NEW.prev_hash IS DISTINCT FROM coalesce(prev, pg_catalog.repeat('0', 64)) THEN
		RAISE EXCEPTION 'caseaudit: store log entry % does not follow the log''s last entry', NEW.seq USING ERRCODE = 'P0001';
	END IF;
	IF NEW.at !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' OR NOT {{S}}.is_json(NEW.payload)
		OR (NEW.kind = 'retention') IS DISTINCT FROM (NEW.audit_id = 0 AND NEW.audit = '') THEN
		RAISE EXCEPTION 'caseaudit: store log entry % is malformed', NEW.seq USING ERRCODE = 'P0001';
	END IF;
	IF NEW.hash IS DISTINCT FROM {{S}}.log_hash(NEW.prev_hash, NEW.seq, NEW.kind, NEW.audit, NEW.actor, NEW.entered_by, NEW.at, NEW.payload) THEN
		RAISE EXCEPTION 'caseaudit: store log entry % does not hash to its content', NEW.seq USING ERRCODE = 'P0001';
	END IF;
	IF NEW.kind = 'retirement' AND rights IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: a retirement is recorded only by retiring the audit (caseaudit retire)' USING ERRCODE = '42501';
	END IF;
	IF owner IS TRUE THEN
		RETURN NEW;
	END IF;
	IF NEW.entered_by IS DISTINCT FROM session_user::text THEN
		RAISE EXCEPTION 'caseaudit: a store log entry entered by % cannot be made by the login %', NEW.entered_by, session_user USING ERRCODE = 'P0001';
	END IF;
	IF NEW.kind = 'retention' AND pg_catalog.pg_has_role(session_user, '{{QA}}', 'MEMBER') IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not set the retention period; that needs the role {{QA}}', session_user USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
`)},
	{name: "store_log_refuse", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	RAISE EXCEPTION 'caseaudit: the store log is append-only' USING ERRCODE = 'P0001';
END
`},
	// retired_only lets a row be deleted only with the owner's rights and
	// only when a retirement entry names its audit: inside retire_audit.
	{name: "retired_only", returns: "trigger", lang: "plpgsql", body: `
DECLARE
	aid bigint := (pg_catalog.to_jsonb(OLD) ->> CASE WHEN TG_TABLE_NAME = 'audit' THEN 'id' ELSE 'audit_id' END)::bigint;
BEGIN
	IF pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') IS TRUE
		AND EXISTS (SELECT 1 FROM {{S}}.store_log r WHERE r.kind = 'retirement' AND r.audit_id = aid) THEN
		RETURN OLD;
	END IF;
	IF TG_TABLE_NAME IN ('trail', 'trail_redaction') THEN
		RAISE EXCEPTION 'caseaudit: the audit trail is append-only' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'sampled_case' THEN
		RAISE EXCEPTION 'caseaudit: a recorded sample never changes' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'trail_text' THEN
		RAISE EXCEPTION 'caseaudit: free text can only be erased, by redaction' USING ERRCODE = 'P0001';
	END IF;
	RAISE EXCEPTION 'caseaudit: audits are never deleted, except by retirement' USING ERRCODE = 'P0001';
END
`},
	{name: "audit_not_retired", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF EXISTS (SELECT 1 FROM {{S}}.store_log r WHERE r.kind = 'retirement' AND (r.audit = NEW.name OR r.audit_id = NEW.id)) THEN
		RAISE EXCEPTION 'caseaudit: an audit named % was retired; choose another name', NEW.name USING ERRCODE = 'P0001';
	END IF;
	RETURN NEW;
END
`},
}

var pgRetireTriggers = []pgTrigger{
	{"audit", "audit_no_delete", "BEFORE DELETE", "retired_only", true},
	{"sampled_case", "sampled_case_no_delete", "BEFORE DELETE", "retired_only", true},
	{"trail", "trail_no_delete", "BEFORE DELETE", "retired_only", true},
	{"trail_text", "trail_text_no_delete", "BEFORE DELETE", "retired_only", true},
	{"trail_redaction", "trail_redaction_no_delete", "BEFORE DELETE", "retired_only", true},
	{"trail_text", "trail_text_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"trail_redaction", "trail_redaction_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"audit", "audit_not_retired", "BEFORE INSERT", "audit_not_retired", true},
	{"store_log", "store_log_no_change", "BEFORE UPDATE OR DELETE", "store_log_refuse", true},
	{"store_log", "store_log_no_truncate", "BEFORE TRUNCATE", "store_log_refuse", false},
	{"store_log", "store_log_check", "BEFORE INSERT", "store_log_check", true},
}

// The guards of retention are the store's guards from the version that
// brought them.
func init() {
	pgFunctions = append(pgFunctions, pgRetireFunctions...)
	pgGuardTriggers = append(pgGuardTriggers, pgRetireTriggers...)
}

// retireFunctionArgs is retire_audit's argument list.
const retireFunctionArgs = "p_audit text, p_seq bigint, p_actor text, p_at text, p_payload text, p_prev_hash text, p_hash text"

// retireFunctionBody is retire_audit's body. The age is counted by the
// server's clock from the audit's last sign-off.
var retireFunctionBody = withRoles(`
DECLARE
	aid    bigint;
	months bigint;
	signed text;
	head   text;
	mine   text;
	listed bigint;
	n      bigint;
BEGIN
	IF pg_catalog.pg_has_role(session_user, '{{QA}}', 'MEMBER') IS NOT TRUE
		AND pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = '{{S}}.store_log'::pg_catalog.regclass), 'MEMBER') IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not retire audits; that needs the role {{QA}} (or the store''s owner)', session_user USING ERRCODE = '42501';
	END IF;
	SELECT count(*) INTO listed FROM {{S}}.person_change;
	IF listed > 0 THEN
		SELECT r.roles INTO mine FROM {{S}}.person_of(session_user::text) r;
		IF NOT coalesce(pg_catalog.string_to_array(mine, ',') && ARRAY['qa', 'governance'], false) THEN
			RAISE EXCEPTION 'caseaudit: refused: the login % (roles: %) may not retire audits: only QA or information governance retires', session_user, coalesce(nullif(mine, ''), 'none') USING ERRCODE = '42501';
		END IF;
	END IF;
	SELECT a.id INTO aid FROM {{S}}.audit a WHERE a.name = p_audit;
	IF aid IS NULL THEN
		RAISE EXCEPTION 'caseaudit: the store holds no audit named %', p_audit USING ERRCODE = 'P0001';
	END IF;
	SELECT (l.payload::jsonb ->> 'months')::bigint INTO months FROM {{S}}.store_log l WHERE l.kind = 'retention' ORDER BY l.seq DESC LIMIT 1;
	IF months IS NULL OR months < 1 THEN
		RAISE EXCEPTION 'caseaudit: refused: the store has no retention period; set one with caseaudit store retention' USING ERRCODE = 'P0001';
	END IF;
	SELECT t.at INTO signed FROM {{S}}.trail t WHERE t.audit_id = aid AND t.kind = 'sign-off' ORDER BY t.seq DESC LIMIT 1;
	IF signed IS NULL THEN
		RAISE EXCEPTION 'caseaudit: refused: audit % is not signed off; only a signed-off audit is retired', p_audit USING ERRCODE = 'P0001';
	END IF;
	IF signed::timestamptz + pg_catalog.make_interval(months => months::int) > pg_catalog.now() THEN
		RAISE EXCEPTION 'caseaudit: refused: audit % was signed off on % and is inside the retention period (% months)', p_audit, pg_catalog.left(signed, 10), months USING ERRCODE = 'P0001';
	END IF;
	SELECT t.hash INTO head FROM {{S}}.trail t WHERE t.audit_id = aid ORDER BY t.seq DESC LIMIT 1;
	IF NOT {{S}}.is_json(p_payload) OR (p_payload::jsonb ->> 'trail_head') IS DISTINCT FROM head OR (p_payload::jsonb ->> 'audit') IS DISTINCT FROM p_audit THEN
		RAISE EXCEPTION 'caseaudit: the summary of audit % does not name the audit and the head of its trail', p_audit USING ERRCODE = 'P0001';
	END IF;
	INSERT INTO {{S}}.store_log (seq, kind, audit_id, audit, actor, entered_by, at, payload, prev_hash, hash)
		VALUES (p_seq, 'retirement', aid, p_audit, p_actor, session_user, p_at, p_payload, p_prev_hash, p_hash);
	DELETE FROM {{S}}.trail_text x WHERE x.audit_id = aid;
	GET DIAGNOSTICS n = ROW_COUNT;
	tbl := 'trail_text'; deleted := n; RETURN NEXT;
	DELETE FROM {{S}}.trail_redaction x WHERE x.audit_id = aid;
	GET DIAGNOSTICS n = ROW_COUNT;
	tbl := 'trail_redaction'; deleted := n; RETURN NEXT;
	DELETE FROM {{S}}.trail x WHERE x.audit_id = aid;
	GET DIAGNOSTICS n = ROW_COUNT;
	tbl := 'trail'; deleted := n; RETURN NEXT;
	DELETE FROM {{S}}.sampled_case x WHERE x.audit_id = aid;
	GET DIAGNOSTICS n = ROW_COUNT;
	tbl := 'sampled_case'; deleted := n; RETURN NEXT;
	DELETE FROM {{S}}.audit x WHERE x.id = aid;
	GET DIAGNOSTICS n = ROW_COUNT;
	tbl := 'audit'; deleted := n; RETURN NEXT;
	RETURN;
END
`)

// retireFunctionSQL (re)creates retire_audit, owned by whoever runs store
// init (the store's owner).
func retireFunctionSQL(schema string) string {
	return inSchema(fmt.Sprintf(`CREATE OR REPLACE FUNCTION {{S}}.retire_audit(%s) RETURNS TABLE (tbl text, deleted bigint)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $fn$%s$fn$;
`, retireFunctionArgs, retireFunctionBody), schema)
}

// pgRetireGrants: everyone reads the store log, QA appends retention
// entries to it and may call retire_audit; no one else may.
var pgRetireGrants = withRoles(`
GRANT SELECT ON {{S}}.store_log TO {{QA}}, {{AUDITOR}};
GRANT INSERT ON {{S}}.store_log TO {{QA}};
REVOKE ALL ON FUNCTION {{S}}.retire_audit(text, bigint, text, text, text, text, text) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION {{S}}.retire_audit(text, bigint, text, text, text, text, text) TO {{QA}};
ALTER TABLE {{S}}.store_log ENABLE TRIGGER USER;
`)

// retireProblems names what is wrong with retire_audit in the database:
// missing, changed, not run with its owner's rights or a fixed
// search_path, or executable by the auditor role.
func retireProblems(ctx context.Context, db *sql.DB, schema string) ([]string, error) {
	var src, config sql.NullString
	var secdef, auditorMay, publicMay bool
	err := db.QueryRowContext(ctx, `SELECT p.prosrc, pg_catalog.array_to_string(p.proconfig, ';'), p.prosecdef,
		EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $3) AND pg_catalog.has_function_privilege($3, p.oid, 'EXECUTE'),
		EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
			WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')
		FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
		WHERE n.nspname = $1 AND p.proname = $2`, schema, "retire_audit", RoleAuditor).Scan(&src, &config, &secdef, &auditorMay, &publicMay)
	switch {
	case err == sql.ErrNoRows:
		return []string{"the function retire_audit is missing"}, nil
	case err != nil:
		return nil, err
	}
	var problems []string
	if src.String != inSchema(retireFunctionBody, schema) {
		problems = append(problems, "the function retire_audit has been changed")
	}
	if config.String != "search_path=pg_catalog, pg_temp" {
		problems = append(problems, "the function retire_audit runs with another search_path")
	}
	if !secdef {
		problems = append(problems, "the function retire_audit does not run with its owner's rights")
	}
	if auditorMay || publicMay {
		problems = append(problems, fmt.Sprintf("the function retire_audit may be called by %s or by anyone", RoleAuditor))
	}
	return problems, nil
}

// retire calls retire_audit for the entry e (its seq, prev hash and hash
// drafted after the log's head) and returns the rows it deleted.
func (b *pgBackend) retire(ctx context.Context, tx *sql.Tx, e LogEntry) (map[string]int64, error) {
	rows, err := tx.QueryContext(ctx, "SELECT tbl, deleted FROM "+quoteIdent(b.schema)+".retire_audit($1, $2, $3, $4, $5, $6, $7)",
		e.Audit, e.Seq, e.Actor, FormatTime(e.At), string(e.Payload), e.PrevHash, e.Hash)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int64{}
	for rows.Next() {
		var t string
		var n int64
		if err := rows.Scan(&t, &n); err != nil {
			return nil, err
		}
		out[t] = n
	}
	return out, rows.Err()
}
