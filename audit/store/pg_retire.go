package store

import (
	"context"
	"database/sql"
	"fmt"
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

// whoRetires are the store's group roles that may set the retention
// period and retire audits.
var whoRetires = []string{GroupQA, GroupGovernance}

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
	{name: "store_log_check", returns: "trigger", lang: "plpgsql", body: `
DECLARE
	n      bigint;
	prev   text;
	mine   text;
	rights boolean := pg_catalog.pg_has_role(current_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER');
	owner  boolean := pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER');
BEGIN
	SELECT l.seq, l.hash INTO n, prev FROM {{S}}.store_log l ORDER BY l.seq DESC LIMIT 1;
	IF NEW.seq IS DISTINCT FROM coalesce(n, 0) + 1 OR NEW.prev_hash IS DISTINCT FROM coalesce(prev, pg_catalog.repeat('0', 64)) THEN
		RAISE EXCEPTION 'caseaudit: store log entry % does not follow the log''s last entry', NEW.seq USING ERRCODE = 'P0001';
	END IF;
	IF NEW.at !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$' OR NOT {{S}}.is_json(NEW.payload)
		OR (NEW.kind IN ('retention', 'network-store')) IS DISTINCT FROM (NEW.audit_id = 0 AND NEW.audit = '') THEN
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
	IF NEW.kind = 'retention' AND (pg_catalog.pg_has_role(session_user, {{lit:qa}}, 'MEMBER')
		OR pg_catalog.pg_has_role(session_user, {{lit:governance}}, 'MEMBER')) IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not set the retention period in this store; that needs the role % or %', session_user, {{lit:qa}}, {{lit:governance}} USING ERRCODE = '42501';
	END IF;
	-- With a people list, the login's roles in it decide, as for retiring.
	IF NEW.kind = 'retention' AND EXISTS (SELECT 1 FROM {{S}}.person_change) THEN
		SELECT r.roles INTO mine FROM {{S}}.person_of(session_user::text) r;
		IF NOT coalesce(pg_catalog.string_to_array(mine, ',') && ARRAY['qa', 'governance'], false) THEN
			RAISE EXCEPTION 'caseaudit: refused: the login % (roles: %) may not set the retention period: only QA or information governance sets retention and retires audits',
				session_user, coalesce(nullif(mine, ''), 'none') USING ERRCODE = '42501';
		END IF;
	END IF;
	RETURN NEW;
END
`},
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
	{"audit", "audit_not_retired", "BEFORE INSERT", "audit_not_retired", true},
	{"store_log", "store_log_no_change", "BEFORE UPDATE OR DELETE", "store_log_refuse", true},
	{"store_log", "store_log_no_truncate", "BEFORE TRUNCATE", "store_log_refuse", false},
	{"store_log", "store_log_check", "BEFORE INSERT", "store_log_check", true},
}

// The guards of retention are the store's guards from the version that
// brought them.
func init() {
	pgFunctions = append(pgFunctions, pgRetireFunctions...)
	pgFunctions = append(pgFunctions, retireFunction)
	pgGuardTriggers = append(pgGuardTriggers, pgRetireTriggers...)
	pgGrants = append(pgGrants,
		pgGrant{table: "store_log", privs: readOnly, groups: allGroups, since: 7},
		pgGrant{table: "store_log", privs: insertOnly, groups: whoRetires, since: 7})
}

// retireFunction is retire_audit: a guard run with its owner's rights
// (the store's owner, who runs store init). The age is counted by the
// server's clock from the audit's last sign-off, as caseaudit counts it
// (audit.candidate); an audit not due is refused in caseaudit's own words
// (audit.Store.Retire), which a machine whose clock is ahead of the
// server's meets from here. Who may not retire at all is refused
// ("refused:", a duty) as caseaudit refuses a duty.
var retireFunction = pgFunction{name: "retire_audit", args: retireFunctionArgs, returns: "TABLE (tbl text, deleted bigint)",
	lang: "plpgsql", extra: "VOLATILE", definer: true, body: `
DECLARE
	aid    bigint;
	months bigint;
	signed text;
	head   text;
	mine   text;
	listed bigint;
	n      bigint;
	period text;
	quoted text;
	signed_at timestamp;
	due    timestamp;
BEGIN
	IF (pg_catalog.pg_has_role(session_user, {{lit:qa}}, 'MEMBER') OR pg_catalog.pg_has_role(session_user, {{lit:governance}}, 'MEMBER')
		OR pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = '{{S}}.store_log'::pg_catalog.regclass), 'MEMBER')) IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not retire audits in this store; that needs the role % or % (or the store''s owner)', session_user, {{lit:qa}}, {{lit:governance}} USING ERRCODE = '42501';
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
		RAISE EXCEPTION 'caseaudit: the store has no retention period, so no audit is due to retire; QA or information governance sets one with caseaudit store retention 6y --role qa' USING ERRCODE = 'P0001';
	END IF;
	-- The period as caseaudit words it (FormatRetention), the audit's name
	-- as Go's %q quotes it.
	period := CASE WHEN months % 12 = 0 AND months = 12 THEN '1 year' WHEN months % 12 = 0 THEN (months / 12)::text || ' years'
		WHEN months = 1 THEN '1 month' ELSE months::text || ' months' END;
	quoted := '"' || pg_catalog.replace(pg_catalog.replace(p_audit, pg_catalog.chr(92), pg_catalog.repeat(pg_catalog.chr(92), 2)), '"', pg_catalog.chr(92) || '"') || '"';
	SELECT t.at INTO signed FROM {{S}}.trail t WHERE t.audit_id = aid AND t.kind = 'sign-off' ORDER BY t.seq DESC LIMIT 1;
	IF signed IS NULL THEN
		RAISE EXCEPTION 'caseaudit: audit % is not due to retire: it is not signed off: only a signed-off audit is retired; an audit is retired once signed off and past the store''s retention period of %',
			quoted, period USING ERRCODE = 'P0001';
	END IF;
	-- Due as Go's AddDate counts it, in UTC: the day of the month kept,
	-- one past the month's end running into the next month.
	signed_at := signed::timestamptz AT TIME ZONE 'UTC';
	due := pg_catalog.date_trunc('month', signed_at) + pg_catalog.make_interval(months => months::int) + (signed_at - pg_catalog.date_trunc('month', signed_at));
	IF (due AT TIME ZONE 'UTC') > pg_catalog.now() THEN
		RAISE EXCEPTION 'caseaudit: audit % is not due to retire: it is inside the retention period of % (signed off %; due %); an audit is retired once signed off and past the store''s retention period of %',
			quoted, period, pg_catalog.to_char(signed_at, 'YYYY-MM-DD'), pg_catalog.to_char(due, 'YYYY-MM-DD'), period USING ERRCODE = 'P0001';
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
`}

// retireFunctionArgs is retire_audit's argument list.
const retireFunctionArgs = "p_audit text, p_seq bigint, p_actor text, p_at text, p_payload text, p_prev_hash text, p_hash text"

// retireGrantsSQL: every group role may execute the store's functions
// (the guards call one another as the inserting login), but the auditor
// role may not call retire_audit at all, whatever the function itself
// checks.
func retireGrantsSQL(n pgNames) string {
	return n.expand("REVOKE EXECUTE ON FUNCTION {{S}}.retire_audit(text, bigint, text, text, text, text, text) FROM {{role:auditor}};\n")
}

// retireProblems names what verify must say of retire_audit beyond the
// guards' checks: the auditor role, or anyone, may call it.
func retireProblems(ctx context.Context, db *sql.DB, n pgNames) ([]string, error) {
	var auditorMay, publicMay bool
	err := db.QueryRowContext(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $3) AND pg_catalog.has_function_privilege($3, p.oid, 'EXECUTE'),
		EXISTS (SELECT 1 FROM pg_catalog.aclexplode(coalesce(p.proacl, pg_catalog.acldefault('f', p.proowner))) x
			WHERE x.grantee = 0 AND x.privilege_type = 'EXECUTE')
		FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace ns ON ns.oid = p.pronamespace
		WHERE ns.nspname = $1 AND p.proname = $2`, n.schema, "retire_audit", n.role(GroupAuditor)).Scan(&auditorMay, &publicMay)
	switch {
	case err == sql.ErrNoRows:
		return nil, nil // named by guardProblems
	case err != nil:
		return nil, err
	}
	if auditorMay || publicMay {
		return []string{fmt.Sprintf("the function retire_audit may be called by %s or by anyone", n.role(GroupAuditor))}, nil
	}
	return nil, nil
}
