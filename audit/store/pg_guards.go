package store

import (
	"context"
	"database/sql"
	"fmt"
	"hash/fnv"
	"slices"
	"strings"
)

// The guards of a PostgreSQL store: the functions and triggers by which the
// database keeps the record sound whatever client writes to it (psql with a
// person's own login included). They are not migrations: store init
// (re)creates every one of them, idempotently, so that a dropped trigger, a
// disabled one or a replaced function body is put back as this version
// expects, and IntegrityCheck (verify) compares what the database holds with
// what is written here and names any difference.
//
// Every function runs with a fixed search_path (pg_catalog, then pg_temp)
// and names the store's tables by schema, so nothing a user creates in a
// schema of their search path can stand in for a catalog function or a
// table (a shadowed pg_has_role, say); the owner checks use session_user,
// which no SET ROLE changes. Conditions are written so that an unknown
// (NULL) never lets an entry through.

// spaceClass is the white space Go's unicode.IsSpace knows (which
// strings.Fields splits on and strings.TrimSpace trims), as a bracket of a
// PostgreSQL regular expression: tab, line feed, vertical tab, form feed,
// carriage return and space, U+0085, U+00A0, and Unicode's other
// White_Space. Every character is written out, none left to \s, whose
// set is the collation's: ASCII's alone in a C-locale database, and with
// an ICU collation also U+001C to U+001F, which Go does not count.
const spaceClass = `[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]`

// lowerSQL is the SQL expression putting the text expression x in lower
// case as caseaudit compares column names (colname.Norm, strings.ToLower):
// every letter, not only ASCII's. pg_catalog.lower follows the collation
// of its argument, and the store's columns are COLLATE "C", in which it
// folds ASCII alone (ÉLODIE would become Élodie); so it is asked for the
// database's default collation, whose LC_CTYPE store init requires to
// fold every letter (foldsUnicode).
func lowerSQL(x string) string {
	return `pg_catalog.lower((` + x + `) COLLATE pg_catalog."default")`
}

// nameKeySQL is the SQL expression for namekey.Key's letters of the text
// expression x (white space aside): each letter put in upper case, then in
// lower case, in the database's default collation (see lowerSQL), whose
// lower(upper()) store init requires to give namekey's key (asciiOnly):
// in a libc UTF-8 locale it does, for every code point.
func nameKeySQL(x string) string {
	return `pg_catalog.lower(pg_catalog.upper((` + x + `) COLLATE pg_catalog."default"))`
}

// pgFunction is one function of the guards. Its body is compared
// verbatim with the database's (pg_proc.prosrc), after the schema is put in.
type pgFunction struct {
	name    string // without schema
	args    string // the argument list, as in CREATE FUNCTION
	returns string
	lang    string
	extra   string // volatility, strictness
	// definer: the function runs with its owner's rights (SECURITY
	// DEFINER), to read what the login may not (the people list).
	definer bool
	body    string
}

var pgFunctions = []pgFunction{
	{name: "refuse_change", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF TG_TABLE_NAME = 'trail' THEN
		RAISE EXCEPTION 'caseaudit: the audit trail is append-only' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'sampled_case' THEN
		RAISE EXCEPTION 'caseaudit: a recorded sample never changes' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'trail_text' THEN
		RAISE EXCEPTION 'caseaudit: free text can only be erased, by redaction' USING ERRCODE = 'P0001';
	ELSIF TG_TABLE_NAME = 'trail_redaction' THEN
		RAISE EXCEPTION 'caseaudit: a redaction is never undone' USING ERRCODE = 'P0001';
	END IF;
	RAISE EXCEPTION 'caseaudit: audits never change' USING ERRCODE = 'P0001';
END
`},
	// name_key is a name as caseaudit compares names and teams
	// (namekey.Key): each letter upper- then lower-cased (nameKeySQL), and
	// any run of white space, the non-breaking and other Unicode spaces
	// Go's strings.Fields splits on included (spaceClass), counted as one
	// space, none at either end. It and the helpers that compare names and columns are
	// PL/pgSQL, as entry_hash is (below), because a trigger calls them
	// for every entry: a SQL function with a fixed search_path is planned
	// again at each call site in each statement that calls it, which made a
	// moderation's checks cost twice what they do.
	{name: "name_key", args: "x text", returns: "text", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	RETURN ` + nameKeySQL(`pg_catalog.btrim(pg_catalog.regexp_replace(x, '`+spaceClass+`+', ' ', 'g'))`) + `;
END
`},
	// spaced is strings.Join(strings.Fields(x), " "): a value as caseaudit
	// reads a team from a case's row (Audit.Team), case kept.
	{name: "spaced", args: "x text", returns: "text", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	RETURN pg_catalog.btrim(pg_catalog.regexp_replace(x, '` + spaceClass + `+', ' ', 'g'));
END
`},
	// column_index is colname.Index over a JSON array of column names, as
	// an index into a case's JSON fields (from 0): the first column whose
	// name, white space trimmed at either end, is p_name's, case aside;
	// NULL when none is.
	{name: "column_index", args: "p_columns text, p_name text", returns: "integer", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	RETURN (SELECT (pg_catalog.min(c.i) - 1)::integer
		FROM pg_catalog.jsonb_array_elements_text(CASE WHEN pg_catalog.jsonb_typeof(p_columns::jsonb) = 'array' THEN p_columns::jsonb ELSE '[]'::jsonb END) WITH ORDINALITY c(v, i)
		WHERE ` + lowerSQL(`pg_catalog.regexp_replace(c.v, '^`+spaceClass+`+|`+spaceClass+`+$', '', 'g')`) + `
			= ` + lowerSQL(`pg_catalog.regexp_replace(p_name, '^`+spaceClass+`+|`+spaceClass+`+$', '', 'g')`) + `);
END
`},
	// same_name: whether two names are one person's (name_key); NULL when
	// either is NULL.
	{name: "same_name", args: "a text, b text", returns: "boolean", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	RETURN {{S}}.name_key(a) = {{S}}.name_key(b);
END
`},
	// json_string encodes text as a JSON string exactly as Go's encoder
	// does with HTML escaping off (jsonStringSQL).
	{name: "json_string", args: "s text", returns: "text", lang: "sql", extra: "IMMUTABLE STRICT", body: `
SELECT ` + jsonStringSQL("s") + `
`},
	// entry_hash is Hash (chain.go), byte for byte. It is PL/pgSQL, whose
	// compiled body a session keeps, with json_string written out in it: a
	// SQL function that is not inlined (as one with a fixed search_path
	// never is) is parsed and planned again, with every SQL function it
	// calls, in each transaction that calls it from a trigger, which made
	// this the costliest part of checking an entry.
	{name: "entry_hash", args: "prev_hash text, audit_name text, seq bigint, kind text, case_id text, actor text, entered_by text, at text, payload text",
		returns: "text", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	RETURN pg_catalog.encode(pg_catalog.sha256(pg_catalog.decode(prev_hash, 'hex') || pg_catalog.convert_to(
		'{"actor":' || ` + jsonStringSQL("actor") + ` || ',"at":' || ` + jsonStringSQL("at") + `
		|| ',"audit":' || ` + jsonStringSQL("audit_name") + ` || ',"case":' || ` + jsonStringSQL("case_id") + `
		|| CASE WHEN entered_by <> '' THEN ',"entered_by":' || ` + jsonStringSQL("entered_by") + ` ELSE '' END
		|| ',"kind":' || ` + jsonStringSQL("kind") + ` || ',"payload":' || payload || ',"seq":' || seq::text || '}', 'UTF8')), 'hex');
END
`},
	{name: "is_json", args: "s text", returns: "boolean", lang: "plpgsql", extra: "IMMUTABLE", body: `
BEGIN
	IF s IS NULL THEN
		RETURN true;
	END IF;
	PERFORM s::jsonb;
	RETURN true;
EXCEPTION WHEN others THEN
	RETURN false;
END
`},
	{name: "trail_check", returns: "trigger", lang: "plpgsql", body: `
DECLARE
	prev  text;
	aname text;
	owner boolean := pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER');
	nm    text;
BEGIN
	SELECT a.name INTO aname FROM {{S}}.audit a WHERE a.id = NEW.audit_id;
	IF aname IS NULL THEN
		RAISE EXCEPTION 'caseaudit: trail entry % names no audit', NEW.seq USING ERRCODE = 'P0001';
	END IF;
	IF NEW.seq IS NULL OR NEW.seq < 1 OR NEW.kind IS NULL OR NEW.kind = '' OR NEW.at !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'
		OR NEW.prev_hash !~ '^[0-9a-f]{64}$' OR NEW.hash !~ '^[0-9a-f]{64}$' THEN
		RAISE EXCEPTION 'caseaudit: trail entry % of audit % is malformed (its number, kind, time or hashes)', NEW.seq, aname USING ERRCODE = 'P0001';
	END IF;
	IF NOT {{S}}.is_json(NEW.payload) OR NEW.payload IS NULL THEN
		RAISE EXCEPTION 'caseaudit: trail entry % of audit % holds no JSON payload', NEW.seq, aname USING ERRCODE = 'P0001';
	END IF;
	IF NEW.seq = 1 THEN
		IF NEW.prev_hash <> pg_catalog.repeat('0', 64) THEN
			RAISE EXCEPTION 'caseaudit: entry 1 of a trail must follow no entry' USING ERRCODE = 'P0001';
		END IF;
	ELSE
		SELECT t.hash INTO prev FROM {{S}}.trail t WHERE t.audit_id = NEW.audit_id AND t.seq = NEW.seq - 1;
		IF prev IS NULL OR prev <> NEW.prev_hash THEN
			RAISE EXCEPTION 'caseaudit: trail entry % does not follow entry % of its audit', NEW.seq, NEW.seq - 1 USING ERRCODE = 'P0001';
		END IF;
	END IF;
	IF NEW.hash IS DISTINCT FROM {{S}}.entry_hash(NEW.prev_hash, aname, NEW.seq, NEW.kind, NEW.case_id, NEW.actor, NEW.entered_by, NEW.at, NEW.payload) THEN
		RAISE EXCEPTION 'caseaudit: trail entry % of audit % does not hash to its content', NEW.seq, aname USING ERRCODE = 'P0001';
	END IF;
	IF owner IS TRUE THEN
		RETURN NEW;
	END IF;
	IF NEW.entered_by IS DISTINCT FROM session_user::text THEN
		RAISE EXCEPTION 'caseaudit: an entry entered by % cannot be made by the login %', NEW.entered_by, session_user USING ERRCODE = 'P0001';
	END IF;
	-- No moderation is recorded under the name of the case's own auditor,
	-- of the auditor the latest allocation gives it, or of its allocated
	-- worker, by anyone, QA included, with a people list or without
	-- (moderation_refusal).
	IF NEW.kind IN ('moderation-finding', 'moderation-correction') THEN
		nm := {{S}}.moderation_refusal(NEW.audit_id, NEW.case_id, NEW.actor);
		IF nm IS NOT NULL THEN
			RAISE EXCEPTION 'caseaudit: %', nm USING ERRCODE = '42501';
		END IF;
	END IF;
	-- An auditor's follow-up entries are hers only at once after her own
	-- finding: refused in caseaudit's words (verify's), not as a role she
	-- lacks, since she holds it.
	IF pg_catalog.pg_has_role(session_user, {{lit:qa}}, 'MEMBER') IS NOT TRUE
		AND pg_catalog.pg_has_role(session_user, {{lit:auditor}}, 'MEMBER') IS TRUE THEN
		IF NEW.kind = 'action-open' AND NOT {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, true) THEN
			RAISE EXCEPTION 'caseaudit: refused: the login % may not open a follow-up action on its own: an action is opened only by the finding needing immediate attention recorded just before it, by the same person; QA may open one',
				session_user USING ERRCODE = '42501';
		END IF;
		IF NEW.kind = 'action-close' AND (NEW.payload::jsonb ->> 'auto') = 'true'
			AND NOT {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, false) THEN
			RAISE EXCEPTION 'caseaudit: refused: the login % may not close a follow-up action automatically on its own: an action is closed automatically only by the correction to no immediate attention recorded just before it, by the same person; QA may close one',
				session_user USING ERRCODE = '42501';
		END IF;
	END IF;
	-- A response to a follow-up action needs the case's latest action
	-- open, for anyone, as caseaudit checks it before whose duty the
	-- response is (moveAction, audit/actions_store.go); a closing, after
	-- (below): only QA closes, whatever the case.
	IF NEW.kind = 'action-respond' THEN
		PERFORM {{S}}.require_open_action(NEW.audit_id, NEW.case_id);
	END IF;
	-- The store's own group roles decide the kinds a login may append:
	-- QA any; an auditor findings and the follow-up entry a finding of
	-- hers makes at once (follows_own_finding), and, once a people
	-- list says who is a team manager (trail_duty checks it), a response
	-- to a follow-up action; governance only redactions. Membership of
	-- another store's roles gives nothing here.
	IF pg_catalog.pg_has_role(session_user, {{lit:qa}}, 'MEMBER') IS NOT TRUE AND (
		pg_catalog.pg_has_role(session_user, {{lit:auditor}}, 'MEMBER') AND (
			NEW.kind IN ('finding', 'correction', 'moderation-finding', 'moderation-correction')
			OR NEW.kind = 'action-open' AND {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, true)
			OR NEW.kind = 'action-close' AND (NEW.payload::jsonb ->> 'auto') = 'true'
				AND {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, false)
			OR NEW.kind = 'action-respond' AND EXISTS (SELECT 1 FROM {{S}}.person_change))
		OR pg_catalog.pg_has_role(session_user, {{lit:governance}}, 'MEMBER') AND NEW.kind = 'redaction') IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: the login % may not record entries of kind % in this store; that needs the role %', session_user, NEW.kind,
			CASE WHEN NEW.kind = 'redaction' THEN {{lit:qa}} || ' or ' || {{lit:governance}}
				WHEN NEW.kind IN ('finding', 'correction', 'moderation-finding', 'moderation-correction', 'action-open') THEN {{lit:auditor}} || ' or ' || {{lit:qa}}
				ELSE {{lit:qa}} END
			USING ERRCODE = '42501';
	END IF;
	IF NEW.kind = 'action-close' THEN
		PERFORM {{S}}.require_open_action(NEW.audit_id, NEW.case_id);
	END IF;
	RETURN NEW;
END
`},
	{name: "audit_check", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF NEW.name IS NULL OR pg_catalog.btrim(NEW.name) = ''
		OR NEW.created_at !~ '^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{9}Z$'
		OR NEW.header_row < 0 OR NEW.data_rows < 0 OR NEW.min_per_stratum < 0 OR NEW.initial_size < 0 OR NEW.population < 0
		OR NOT {{S}}.is_json(NEW.filters) OR NOT {{S}}.is_json(NEW.columns) OR NOT {{S}}.is_json(NEW.params)
		OR NOT {{S}}.is_json(NEW.form) OR NOT {{S}}.is_json(NEW.provenance) OR NOT {{S}}.is_json(NEW.follow_up)
		OR (NEW.period IS NOT NULL AND NEW.period !~ '^[0-9]{4}-[0-9]{2}$') THEN
		RAISE EXCEPTION 'caseaudit: the audit % is malformed (its name, time, counts, period or JSON columns)', NEW.name USING ERRCODE = 'P0001';
	END IF;
	RETURN NEW;
END
`},
	// The trail refuses UPDATE and DELETE, except that an entry written
	// before free text was committed (schema version 6) may have its
	// payload, and nothing else, replaced once it is listed in
	// trail_redaction: redaction in place (text.go).
	{name: "trail_redact_in_place", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF TG_OP = 'UPDATE' AND (NEW.audit_id, NEW.seq, NEW.kind, NEW.case_id, NEW.actor, NEW.at, NEW.prev_hash, NEW.hash, NEW.entered_by)
			IS NOT DISTINCT FROM (OLD.audit_id, OLD.seq, OLD.kind, OLD.case_id, OLD.actor, OLD.at, OLD.prev_hash, OLD.hash, OLD.entered_by)
		AND strpos(OLD.payload, '"text_commit":') = 0
		AND EXISTS (SELECT 1 FROM {{S}}.trail_redaction r WHERE r.audit_id = OLD.audit_id AND r.seq = OLD.seq) THEN
		RETURN NEW;
	END IF;
	RAISE EXCEPTION 'caseaudit: the audit trail is append-only' USING ERRCODE = 'P0001';
END
`},
	{name: "sampled_case_check", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF NEW.ord IS NULL OR NEW.ord < 1 OR NEW.case_id IS NULL OR NEW.case_id = '' OR NEW.source_row < 0
		OR NOT {{S}}.is_json(NEW.fields) THEN
		RAISE EXCEPTION 'caseaudit: sampled case % of audit % is malformed', NEW.ord, NEW.audit_id USING ERRCODE = 'P0001';
	END IF;
	RETURN NEW;
END
`},
	// Free text may only be erased: its text and salt set to NULL, once,
	// with the time (Redact).
	{name: "text_erase_only", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF TG_OP <> 'UPDATE' OR NEW.audit_id <> OLD.audit_id OR NEW.seq <> OLD.seq OR NEW.field <> OLD.field
		OR NEW.salt IS NOT NULL OR NEW.text IS NOT NULL OR NEW.redacted_at IS NULL OR OLD.redacted_at IS NOT NULL THEN
		RAISE EXCEPTION 'caseaudit: free text can only be erased, by redaction' USING ERRCODE = 'P0001';
	END IF;
	RETURN NEW;
END
`},
	// redact_duty: erasing a text, or recording that an entry was redacted
	// in place, is QA's or information governance's, by the store's group
	// roles and, once the store has a people list, by the login's roles in
	// it; never an auditor's, whatever privileges she has been given.
	// text_check: a login adds free text only to an entry it entered
	// itself, so that nobody can hang a text on a colleague's finding (which
	// would then fail its commitment in verify for everyone).
	{name: "text_check", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	IF pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') IS TRUE THEN
		RETURN NEW;
	END IF;
	IF NOT EXISTS (SELECT 1 FROM {{S}}.trail t WHERE t.audit_id = NEW.audit_id AND t.seq = NEW.seq AND t.entered_by = session_user::text) THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may add free text only to a trail entry it entered itself (entry % of audit %)', session_user, NEW.seq, NEW.audit_id
			USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
`},
	{name: "redact_duty", returns: "trigger", lang: "plpgsql", definer: true, body: `
DECLARE
	n    bigint;
	mine text;
BEGIN
	IF pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') IS TRUE THEN
		RETURN NEW;
	END IF;
	IF (pg_catalog.pg_has_role(session_user, {{lit:qa}}, 'MEMBER') OR pg_catalog.pg_has_role(session_user, {{lit:governance}}, 'MEMBER')) IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not redact free text in this store; that needs the role % or %', session_user, {{lit:governance}}, {{lit:qa}}
			USING ERRCODE = '42501';
	END IF;
	SELECT count(*) INTO n FROM {{S}}.person_change;
	IF n > 0 THEN
		SELECT r.roles INTO mine FROM {{S}}.person_of(session_user::text) r;
		IF pg_catalog.string_to_array(coalesce(mine, ''), ',') && ARRAY['qa', 'governance'] IS NOT TRUE THEN
			RAISE EXCEPTION 'caseaudit: refused: the login % (roles: %) may not redact free text: only QA or information governance redacts; see "Who may do what" in the README',
				session_user, coalesce(nullif(mine, ''), 'none') USING ERRCODE = '42501';
		END IF;
	END IF;
	RETURN NEW;
END
`},
	// prefetch is Tx.Prefetch's statement (prefetch.go) as a function:
	// PL/pgSQL keeps its plan for the session, where the same statement
	// sent from the client as an unnamed statement (as it must be, to work
	// behind a pooler) was planned again for every finding recorded. It
	// reads with the login's own rights.
	{name: "prefetch", args: "p_audit bigint, p_case text, p_kinds text[], p_actor_kinds text[], p_people boolean",
		returns: "TABLE (r_tag text, r_n bigint, r1 text, r2 text, r3 text, r4 text, r5 text, r6 text, r7 text, r8 text, r9 text)",
		lang:    "plpgsql", extra: "STABLE", body: `
BEGIN
	RETURN QUERY
	SELECT 'e'::text, t.seq, t.kind::text, t.case_id::text, t.actor::text, t.entered_by::text, t.at::text, t.payload::text, t.prev_hash::text, t.hash::text, r.at::text
	FROM {{S}}.trail t LEFT JOIN {{S}}.trail_redaction r ON r.audit_id = t.audit_id AND r.seq = t.seq
	WHERE t.audit_id = p_audit AND (p_case <> '' AND t.case_id = p_case OR t.kind = ANY (p_kinds))
	UNION ALL
	SELECT 't'::text, x.seq, x.field::text, x.salt::text, x.text::text, x.redacted_at::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text
	FROM {{S}}.trail_text x JOIN {{S}}.trail t ON t.audit_id = x.audit_id AND t.seq = x.seq
	WHERE t.audit_id = p_audit AND (p_case <> '' AND t.case_id = p_case OR t.kind = ANY (p_kinds))
	UNION ALL
	SELECT 'h'::text, h.seq, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, h.hash::text, NULL::text
	FROM (SELECT t.seq, t.hash FROM {{S}}.trail t WHERE t.audit_id = p_audit ORDER BY t.seq DESC LIMIT 1) h
	UNION ALL
	SELECT 'a'::text, pg_catalog.min(t.seq), NULL::text, NULL::text, t.actor::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text, NULL::text
	FROM {{S}}.trail t WHERE t.audit_id = p_audit AND t.kind = ANY (p_actor_kinds) GROUP BY t.actor
	UNION ALL
	SELECT 'c'::text, c.ord, c.case_id::text, c.ticket::text, c.stratum::text, c.source_row::text, c.fields::text, NULL::text, NULL::text, NULL::text, NULL::text
	FROM {{S}}.sampled_case c WHERE p_case <> '' AND c.audit_id = p_audit AND c.case_id = p_case
	UNION ALL
	SELECT 'p'::text, p.seq, p.op::text, p.login::text, p.name::text, p.roles::text, p.at::text, p.entered_by::text, p.prev_hash::text, p.hash::text, NULL::text
	FROM {{S}}.person_change p WHERE p_people;
END
`},
	// follows_own_finding: a follow-up entry (an action opened, or closed
	// automatically) names as its finding the entry just before it, which
	// the same login entered under the same name on the same case: a
	// finding or correction needing immediate attention for an opening, a
	// correction to no immediate attention for an automatic closing. It is
	// what lets a login that may record findings, and may not close
	// actions, append these entries, and nothing more.
	{name: "follows_own_finding", args: "p_audit bigint, p_seq bigint, p_case text, p_actor text, p_payload text, p_immediate boolean",
		returns: "boolean", lang: "sql", extra: "STABLE", body: `
	SELECT coalesce((p_payload::jsonb ->> 'finding') = (p_seq - 1)::text AND EXISTS (
		SELECT 1 FROM {{S}}.trail t
		WHERE t.audit_id = p_audit AND t.seq = p_seq - 1 AND t.case_id = p_case AND t.actor = p_actor
			AND t.entered_by = session_user::text
			AND (t.kind IN ('correction', 'moderation-correction') OR p_immediate AND t.kind IN ('finding', 'moderation-finding'))
			AND (t.payload::jsonb ->> 'immediate') = p_immediate::text), false)
`},
	// strata_column is the column an audit's sample was stratified by
	// (Audit.StrataColumn): its provenance's, or, for an audit recorded
	// before provenances (schema version 2), its own column's; "" when none.
	{name: "strata_column", args: "p_audit bigint", returns: "text", lang: "sql", extra: "STABLE", body: `
	SELECT coalesce(CASE WHEN a.provenance IS NULL THEN a.strata_column ELSE a.provenance::jsonb -> 'strata' ->> 'column' END, '')
	FROM {{S}}.audit a WHERE a.id = p_audit
`},
	// team_column is the shown column that names a case's team, as
	// Audit.TeamColumn chooses it from the audit's row: the column the
	// sample was stratified by, else the follow-up rule's column when the
	// rule gives team managers (an audit before provenances keeps its rule
	// in its params), else the first column named Team; "" when none.
	{name: "team_column", args: "p_audit bigint", returns: "text", lang: "sql", extra: "STABLE", body: `
	SELECT coalesce(nullif({{S}}.strata_column(p_audit), ''),
		CASE WHEN coalesce(f.r ->> 'owner_column', '') <> '' AND pg_catalog.jsonb_typeof(f.r -> 'team_managers') = 'object'
			AND f.r -> 'team_managers' <> '{}'::jsonb THEN f.r ->> 'owner_column' END,
		(SELECT c.v FROM pg_catalog.jsonb_array_elements_text(CASE WHEN pg_catalog.jsonb_typeof(a.columns::jsonb) = 'array' THEN a.columns::jsonb ELSE '[]'::jsonb END) WITH ORDINALITY c(v, i)
			WHERE ` + lowerSQL(`pg_catalog.regexp_replace(c.v, '^`+spaceClass+`+|`+spaceClass+`+$', '', 'g')`) + ` = 'team'
			ORDER BY c.i LIMIT 1),
		'')
	FROM {{S}}.audit a
	CROSS JOIN LATERAL (SELECT CASE WHEN a.provenance IS NOT NULL THEN a.follow_up::jsonb
		WHEN coalesce(a.params, '') <> '' THEN a.params::jsonb END AS r) f
	WHERE a.id = p_audit
`},
	// case_team is a case's team as Audit.Team reads it: its value under
	// the audit's team column, spaced as strings.Fields, or its stratum
	// when that is empty and the column is the stratification's; "" when
	// the audit has no team column.
	{name: "case_team", args: "p_audit bigint, p_case text", returns: "text", lang: "plpgsql", extra: "STABLE", body: `
DECLARE
	col  text := {{S}}.team_column(p_audit);
	v    text;
	str  text;
BEGIN
	IF coalesce(col, '') = '' THEN
		RETURN '';
	END IF;
	SELECT {{S}}.spaced(coalesce(CASE WHEN pg_catalog.jsonb_typeof(c.fields::jsonb) = 'array'
			THEN c.fields::jsonb ->> {{S}}.column_index(a.columns, col) END, '')), c.stratum
		INTO v, str
	FROM {{S}}.sampled_case c JOIN {{S}}.audit a ON a.id = c.audit_id
	WHERE c.audit_id = p_audit AND c.case_id = p_case;
	IF coalesce(v, '') = '' AND col = {{S}}.strata_column(p_audit) THEN
		RETURN coalesce(str, '');
	END IF;
	RETURN coalesce(v, '');
END
`},
	// case_allocation is what the audit's latest allocation says of a
	// case: the auditor it gives the case (its last assignment of the
	// case, as caseFactsOf reads it), and its allocated worker as
	// caseaudit's moderation rule reads it (caseFactsOf): the case's value under the
	// worker column the allocation names, looked up only when p_worker is
	// set (a finding's check needs only the auditor). Each is NULL when
	// there is none. The allocation's payload is read once.
	{name: "case_allocation", args: "p_audit bigint, p_case text, p_worker boolean, OUT auditor text, OUT worker text", returns: "record", lang: "plpgsql", extra: "STABLE", body: `
DECLARE
	al jsonb;
BEGIN
	SELECT t.payload::jsonb INTO al FROM {{S}}.trail t
	WHERE t.audit_id = p_audit AND t.kind = 'allocation' ORDER BY t.seq DESC LIMIT 1;
	IF pg_catalog.jsonb_typeof(al) IS DISTINCT FROM 'object' THEN
		RETURN;
	END IF;
	auditor := (SELECT e.v ->> 'auditor'
		FROM pg_catalog.jsonb_array_elements(CASE WHEN pg_catalog.jsonb_typeof(al -> 'assigned') = 'array' THEN al -> 'assigned' ELSE '[]'::jsonb END) WITH ORDINALITY e(v, i)
		WHERE e.v ->> 'case' = p_case ORDER BY e.i DESC LIMIT 1);
	IF p_worker AND coalesce(al ->> 'worker_field', '') <> '' THEN
		worker := (SELECT CASE WHEN pg_catalog.jsonb_typeof(c.fields::jsonb) = 'array' THEN c.fields::jsonb ->> {{S}}.column_index(a.columns, al ->> 'worker_field') END
			FROM {{S}}.sampled_case c JOIN {{S}}.audit a ON a.id = c.audit_id
			WHERE c.audit_id = p_audit AND c.case_id = p_case);
	END IF;
END
`},
	// require_open_action refuses, in caseaudit's words (moveAction,
	// audit/actions_store.go), a response to or a closing of a case's
	// follow-up action when the case has none, or its latest is closed. An
	// entry following no action would also leave the audit's actions
	// unreadable (foldActions).
	{name: "require_open_action", args: "p_audit bigint, p_case text", returns: "void", lang: "plpgsql", extra: "STABLE", body: `
DECLARE
	aname text;
	oseq  bigint;
	cat   text;
	cby   text;
BEGIN
	SELECT {{S}}.json_string(a.name) INTO aname FROM {{S}}.audit a WHERE a.id = p_audit;
	SELECT t.seq INTO oseq FROM {{S}}.trail t
	WHERE t.audit_id = p_audit AND t.case_id = p_case AND t.kind = 'action-open' ORDER BY t.seq DESC LIMIT 1;
	IF oseq IS NULL THEN
		RAISE EXCEPTION 'caseaudit: case % of audit % has no follow-up action: only a finding needing immediate attention opens one',
			p_case, aname USING ERRCODE = 'P0001';
	END IF;
	SELECT pg_catalog.left(t.at, 10), t.actor INTO cat, cby FROM {{S}}.trail t
	WHERE t.audit_id = p_audit AND t.case_id = p_case AND t.kind = 'action-close' AND t.seq > oseq ORDER BY t.seq DESC LIMIT 1;
	IF cat IS NOT NULL THEN
		RAISE EXCEPTION 'caseaudit: the action on case % of audit % was closed on % by %; a closed action takes no response or closing',
			p_case, aname, cat, cby USING ERRCODE = 'P0001';
	END IF;
END
`},
	// any_same_name: whether x is any of names' person (same_name); false
	// when x is NULL.
	{name: "any_same_name", args: "x text, names text[]", returns: "boolean", lang: "plpgsql", extra: "IMMUTABLE", body: `
DECLARE
	k text := {{S}}.name_key(x);
	n text;
BEGIN
	FOREACH n IN ARRAY coalesce(names, '{}'::text[]) LOOP
		IF k = {{S}}.name_key(n) THEN
			RETURN true;
		END IF;
	END LOOP;
	RETURN false;
END
`},
	// moderation_refusal is caseaudit's refusal of a moderation of a case
	// recorded under the name p_actor by the login acting (DutyModerate's
	// case rule, audit/duties.go), for the names the trail records, whatever
	// the login's roles: NULL when none of them refuses it. The moderator
	// is p_actor and, when that is the login's own (her name on the people
	// list, or her login), the person the list makes her (Person.is); she
	// may not be anyone who recorded a finding on the case (one since
	// corrected included: she audited it all the same), the auditor the
	// latest allocation gives the case (case_allocation), nor its allocated
	// worker, checked in caseaudit's order. The refusal is worded as
	// caseaudit's (DutyError): the person acting and her roles (without a
	// list, p_actor as a moderator, as recordAllowed checks it), the
	// reason, and who may moderate the case instead: with a list, the
	// people on it who may moderate and are none of the case's own (or,
	// once the case is moderated, its moderator or QA, who alone correct
	// it); without one, anyone other than them.
	{name: "moderation_refusal", args: "p_audit bigint, p_case text, p_actor text", returns: "text", lang: "plpgsql", extra: "STABLE", body: `
DECLARE
	listed boolean := EXISTS (SELECT 1 FROM {{S}}.person_change);
	nm     text;
	mine   text;
	who    text := p_actor || ' (moderator)';
	mname  text := p_actor;
	mods   text[] := ARRAY[p_actor];
	auds   text[] := '{}';
	aud    text;
	alloc  text;
	wk     text;
	modr   text;
	reason text;
	near   text[] := '{}';
	may    text[];
	n      text;
BEGIN
	IF listed THEN
		-- A person removed from the list (no roles) is her login alone.
		SELECT r.roles, CASE WHEN r.roles <> '' THEN r.name END INTO mine, nm FROM {{S}}.person_of(session_user::text) r;
		who := coalesce(nullif(nm, ''), session_user::text) || ' (' || coalesce(nullif(pg_catalog.replace(mine, ',', ', '), ''), 'no role in this store') || ')';
		IF ({{S}}.same_name(p_actor, nullif(nm, '')) OR {{S}}.same_name(p_actor, session_user::text)) IS TRUE THEN
			mods := ARRAY[p_actor, nullif(nm, ''), session_user::text];
			mname := coalesce(nullif(nm, ''), session_user::text);
		END IF;
	END IF;
	-- Everyone who recorded a finding on the case, in the order of their
	-- first, a finding since corrected included (CaseFacts.Audited).
	FOR n IN SELECT t.actor FROM {{S}}.trail t
		WHERE t.audit_id = p_audit AND t.case_id = p_case AND t.kind IN ('finding', 'correction')
		ORDER BY t.seq LOOP
		IF coalesce(n, '') <> '' AND NOT {{S}}.any_same_name(n, auds) THEN
			auds := auds || n;
		END IF;
	END LOOP;
	SELECT c.auditor, c.worker INTO alloc, wk FROM {{S}}.case_allocation(p_audit, p_case, true) c;
	FOREACH n IN ARRAY auds LOOP
		IF {{S}}.any_same_name(n, mods) THEN
			aud := n;
			EXIT;
		END IF;
	END LOOP;
	reason := CASE
		WHEN aud IS NOT NULL THEN
			mname || ' audited the case; a moderator is never the case''s own auditor'
		WHEN coalesce(alloc, '') <> '' AND {{S}}.any_same_name(alloc, mods) THEN
			'the case is allocated to ' || mname || '; a moderator is never the case''s own auditor'
		WHEN coalesce(wk, '') <> '' AND {{S}}.any_same_name(wk, mods) THEN
			mname || ' is the case''s allocated worker; a moderator never moderates her own case work'
		END;
	IF reason IS NULL THEN
		RETURN NULL;
	END IF;
	IF listed THEN
		modr := (SELECT t.actor FROM {{S}}.trail t
			WHERE t.audit_id = p_audit AND t.case_id = p_case AND t.kind IN ('moderation-finding', 'moderation-correction')
			ORDER BY t.seq DESC LIMIT 1);
		IF coalesce(modr, '') <> '' THEN
			RETURN 'refused: ' || who || ' may not moderate a case: ' || reason || '; only ' || {{S}}.or_qa(modr) || ' may correct its moderation';
		END IF;
	END IF;
	FOREACH n IN ARRAY auds || ARRAY[alloc, wk] LOOP
		IF coalesce(n, '') <> '' AND NOT {{S}}.any_same_name(n, near) THEN
			near := near || n;
		END IF;
	END LOOP;
	IF NOT listed THEN
		RETURN 'refused: ' || who || ' may not moderate a case: ' || reason || '; only someone other than '
			|| CASE WHEN pg_catalog.cardinality(near) < 2 THEN pg_catalog.array_to_string(near, '')
				ELSE pg_catalog.array_to_string(near[1:pg_catalog.cardinality(near) - 1], ', ') || ' and ' || near[pg_catalog.cardinality(near)] END
			|| ' may moderate it';
	END IF;
	SELECT pg_catalog.array_agg(x.name ORDER BY x.login) INTO may
	FROM (SELECT DISTINCT ON (p.login) p.login, p.name, p.op, p.roles FROM {{S}}.person_change p ORDER BY p.login, p.seq DESC) x
	WHERE x.op = 'add' AND pg_catalog.string_to_array(x.roles, ',') && ARRAY['qa', 'auditor', 'moderator']
		AND NOT EXISTS (SELECT 1 FROM pg_catalog.unnest(near) y(v)
			WHERE (x.name <> '' AND {{S}}.same_name(y.v, x.name) OR x.login <> '' AND {{S}}.same_name(y.v, x.login)) IS TRUE);
	IF coalesce(pg_catalog.cardinality(may), 0) = 0 THEN
		RETURN 'refused: ' || who || ' may not moderate a case: ' || reason
			|| '; no one on the people list may moderate it (everyone who moderates audited it or works on it); QA adds a moderator with caseaudit people add';
	END IF;
	RETURN 'refused: ' || who || ' may not moderate a case: ' || reason || '; only '
		|| CASE WHEN pg_catalog.cardinality(may) = 1 THEN may[1]
			ELSE pg_catalog.array_to_string(may[1:pg_catalog.cardinality(may) - 1], ', ') || ' or ' || may[pg_catalog.cardinality(may)] END
		|| ' may moderate it';
END
`},
	// action_owner is who owns the follow-up action on a case, as
	// caseaudit's respond decides it (audit/actions_store.go: assignByTeam,
	// ownerByTeam, actionFacts): the owner the case's latest action-open
	// names, unless the audit has a team column (team_column), the trail
	// sets the case's team (case_team) a manager, and the opening named
	// "unassigned" or that team: then the manager. "unassigned" is no
	// one's (""); NULL when the case has no action.
	{name: "action_owner", args: "p_audit bigint, p_case text", returns: "text", lang: "sql", extra: "STABLE", body: `
	SELECT CASE WHEN r.owner = 'unassigned' THEN '' ELSE r.owner END
	FROM (SELECT CASE
			WHEN t.team = '' OR o.owner <> 'unassigned' AND {{S}}.name_key(o.owner) <> {{S}}.name_key(t.team) THEN o.owner
			ELSE coalesce((SELECT m.manager FROM (
					SELECT DISTINCT ON ({{S}}.name_key(e.payload::jsonb ->> 'team'))
						{{S}}.name_key(e.payload::jsonb ->> 'team') AS team,
						coalesce(e.payload::jsonb ->> 'manager', '') AS manager
					FROM {{S}}.trail e WHERE e.audit_id = p_audit AND e.kind = 'team-manager'
					ORDER BY 1, e.seq DESC) m
				WHERE m.team = {{S}}.name_key(t.team) AND m.manager <> ''), o.owner) END AS owner
		FROM (SELECT coalesce(x.payload::jsonb ->> 'owner', '') AS owner FROM {{S}}.trail x
			WHERE x.audit_id = p_audit AND x.case_id = p_case AND x.kind = 'action-open' ORDER BY x.seq DESC LIMIT 1) o
		CROSS JOIN (SELECT {{S}}.case_team(p_audit, p_case) AS team) t) r
`},
	// qa_named names QA as caseaudit's refusals do (Roster.qa): "QA
	// (Q. Lead)", the people holding the qa role on the list in login
	// order, or "QA" when none does.
	{name: "qa_named", returns: "text", lang: "sql", extra: "STABLE", body: `
	SELECT CASE WHEN coalesce(pg_catalog.cardinality(q.n), 0) = 0 THEN 'QA'
		WHEN pg_catalog.cardinality(q.n) = 1 THEN 'QA (' || q.n[1] || ')'
		ELSE 'QA (' || pg_catalog.array_to_string(q.n[1:pg_catalog.cardinality(q.n) - 1], ', ') || ' or ' || q.n[pg_catalog.cardinality(q.n)] || ')' END
	FROM (SELECT pg_catalog.array_agg(x.name ORDER BY x.login) AS n
		FROM (SELECT DISTINCT ON (p.login) p.login, p.name, p.op, p.roles FROM {{S}}.person_change p ORDER BY p.login, p.seq DESC) x
		WHERE x.op = 'add' AND 'qa' = ANY (pg_catalog.string_to_array(x.roles, ','))) q
`},
	// or_qa names who may do it as caseaudit's refusals do (Roster.orQA):
	// "A. Khan or QA (Q. Lead)", each person once: QA's other members when
	// p_name is on QA herself, or "QA (J. Smith)" when she is its only one.
	{name: "or_qa", args: "p_name text", returns: "text", lang: "sql", extra: "STABLE", body: `
	SELECT CASE WHEN q.me AND coalesce(pg_catalog.cardinality(q.n), 0) = 0 THEN 'QA (' || p_name || ')'
		WHEN coalesce(pg_catalog.cardinality(q.n), 0) = 0 THEN p_name || ' or QA'
		WHEN pg_catalog.cardinality(q.n) = 1 THEN p_name || ' or QA (' || q.n[1] || ')'
		ELSE p_name || ' or QA (' || pg_catalog.array_to_string(q.n[1:pg_catalog.cardinality(q.n) - 1], ', ') || ' or ' || q.n[pg_catalog.cardinality(q.n)] || ')' END
	FROM (SELECT pg_catalog.array_agg(x.name ORDER BY x.login) FILTER (WHERE NOT x.me) AS n, coalesce(pg_catalog.bool_or(x.me), false) AS me
		FROM (SELECT y.login, y.name, {{S}}.same_name(y.name, p_name) AS me
			FROM (SELECT DISTINCT ON (p.login) p.login, p.name, p.op, p.roles FROM {{S}}.person_change p ORDER BY p.login, p.seq DESC) y
			WHERE y.op = 'add' AND 'qa' = ANY (pg_catalog.string_to_array(y.roles, ','))) x) q
`},
	// The people list (people_schema.go).
	{name: "people_refuse_change", returns: "trigger", lang: "plpgsql", body: `
BEGIN
	RAISE EXCEPTION 'caseaudit: the people list is append-only' USING ERRCODE = 'P0001';
END
`},
	// The roles the login holds in this store's people list ('' when none
	// or removed), and the name it goes by.
	{name: "person_of", args: "who text, OUT roles text, OUT name text", returns: "record", lang: "sql", extra: "STABLE", definer: true, body: `
	SELECT CASE WHEN p.op = 'add' THEN p.roles ELSE '' END, p.name
	FROM {{S}}.person_change p WHERE p.login = who ORDER BY p.seq DESC LIMIT 1
`},
	{name: "person_check", returns: "trigger", lang: "plpgsql", definer: true, body: `
DECLARE
	prev  text;
	n     bigint;
	mine  text;
BEGIN
	SELECT p.hash INTO prev FROM {{S}}.person_change p WHERE p.seq = NEW.seq - 1;
	IF NEW.seq = 1 THEN
		prev := pg_catalog.repeat('0', 64);
	END IF;
	IF prev IS NULL OR NEW.prev_hash IS DISTINCT FROM prev THEN
		RAISE EXCEPTION 'caseaudit: people list change % does not follow change %', NEW.seq, NEW.seq - 1 USING ERRCODE = 'P0001';
	END IF;
	IF pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') IS TRUE THEN
		RETURN NEW;
	END IF;
	IF NEW.entered_by IS DISTINCT FROM session_user::text THEN
		RAISE EXCEPTION 'caseaudit: a change entered by % cannot be made by the login %', NEW.entered_by, session_user USING ERRCODE = 'P0001';
	END IF;
	SELECT count(*) INTO n FROM {{S}}.person_change;
	IF n = 0 THEN
		IF coalesce(NEW.op = 'add' AND 'qa' = ANY (pg_catalog.string_to_array(NEW.roles, ',')), false) THEN
			RETURN NEW;
		END IF;
		RAISE EXCEPTION 'caseaudit: the first person in the people list must have the qa role' USING ERRCODE = '42501';
	END IF;
	SELECT r.roles INTO mine FROM {{S}}.person_of(session_user::text) r;
	IF NOT coalesce('qa' = ANY (pg_catalog.string_to_array(mine, ',')), false) THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % may not manage the people list: only QA manages people', session_user USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
`},
	// trail_duty: once the people list has anyone in it, each entry's kind
	// is checked against the roles the inserting login holds in this
	// store's list, and the name it is recorded under, so that a login
	// connecting with psql can do no more than caseaudit would let it. An
	// empty list leaves the store's group roles to decide (trail_check).
	{name: "trail_duty", returns: "trigger", lang: "plpgsql", definer: true, body: `
DECLARE
	n     bigint;
	mine  text;
	rs    text[];
	nm    text;
	ok    boolean;
	own   boolean;
	who   text;
	prior text;
BEGIN
	IF pg_catalog.pg_has_role(session_user, (SELECT c.relowner FROM pg_catalog.pg_class c WHERE c.oid = TG_RELID), 'MEMBER') IS TRUE THEN
		RETURN NEW;
	END IF;
	SELECT count(*) INTO n FROM {{S}}.person_change;
	IF n = 0 THEN
		RETURN NEW;
	END IF;
	SELECT r.roles, r.name INTO mine, nm FROM {{S}}.person_of(session_user::text) r;
	rs := pg_catalog.string_to_array(coalesce(mine, ''), ',');
	-- Recorded under the login's own name (or login), case and spacing aside.
	own := {{S}}.same_name(NEW.actor, coalesce(nm, '')) OR {{S}}.same_name(NEW.actor, session_user::text);
	IF 'qa' = ANY (rs) THEN
		RETURN NEW;
	END IF;
	-- The case rules of the duties table (audit/duties.go), refused in
	-- caseaudit's own words: the person and her roles, the rule, and who
	-- may do it instead.
	who := coalesce(nullif(nm, ''), session_user::text) || ' (' || coalesce(nullif(pg_catalog.replace(mine, ',', ', '), ''), 'no role in this store') || ')';
	IF NEW.kind IN ('finding', 'correction') AND 'auditor' = ANY (rs) AND own THEN
		-- An auditor records only the cases the audit's latest allocation
		-- gives her.
		prior := ({{S}}.case_allocation(NEW.audit_id, NEW.case_id, false)).auditor;
		IF coalesce(prior, '') = '' THEN
			RAISE EXCEPTION 'caseaudit: refused: % may not record a finding: the case is not allocated to anyone yet; an auditor records only the cases allocated to her; only % may record it until QA allocates it',
				who, {{S}}.qa_named() USING ERRCODE = '42501';
		END IF;
		IF NOT ({{S}}.same_name(prior, coalesce(nm, '')) OR {{S}}.same_name(prior, session_user::text)) THEN
			RAISE EXCEPTION 'caseaudit: refused: % may not record a finding: the case is allocated to %; an auditor records only the cases allocated to her; only % may record it',
				who, prior, {{S}}.or_qa(prior) USING ERRCODE = '42501';
		END IF;
	END IF;
	IF NEW.kind IN ('moderation-finding', 'moderation-correction') AND ('auditor' = ANY (rs) OR 'moderator' = ANY (rs)) AND own THEN
		-- A moderation is corrected only by its moderator (who made the
		-- case's latest moderation entry, whatever its kind says) or QA.
		SELECT t.actor INTO prior FROM {{S}}.trail t
		WHERE t.audit_id = NEW.audit_id AND t.case_id = NEW.case_id AND t.kind IN ('moderation-finding', 'moderation-correction')
		ORDER BY t.seq DESC LIMIT 1;
		IF NOT ({{S}}.same_name(prior, coalesce(nm, '')) OR {{S}}.same_name(prior, session_user::text)) THEN
			RAISE EXCEPTION 'caseaudit: refused: % may not moderate a case: % moderated the case; a moderation is corrected only by its moderator or QA; only % may correct its moderation',
				who, prior, {{S}}.or_qa(prior) USING ERRCODE = '42501';
		END IF;
	END IF;
	IF NEW.kind = 'action-respond' AND 'manager' = ANY (rs) THEN
		-- Only the action's owner (or QA) responds to it.
		prior := {{S}}.action_owner(NEW.audit_id, NEW.case_id);
		IF coalesce(prior, '') = '' THEN
			RAISE EXCEPTION 'caseaudit: refused: % may not respond to a follow-up action: the action has no owner yet; only its owner or QA responds; only % may respond to it until it has an owner',
				who, {{S}}.qa_named() USING ERRCODE = '42501';
		END IF;
		IF NOT ({{S}}.same_name(prior, coalesce(nm, '')) OR {{S}}.same_name(prior, session_user::text)) THEN
			-- An action still owned by its case's team (no manager set
			-- for it) names a team, not a person (actionFacts).
			IF {{S}}.same_name(prior, coalesce({{S}}.case_team(NEW.audit_id, NEW.case_id), '')) THEN
				RAISE EXCEPTION 'caseaudit: refused: % may not respond to a follow-up action: the action is owned by the team %, which has no manager set; only the team''s manager or QA responds; only %''s team manager (none is set: QA sets one with caseaudit owners set) or % may respond to it',
					who, prior, prior, {{S}}.qa_named() USING ERRCODE = '42501';
			END IF;
			RAISE EXCEPTION 'caseaudit: refused: % may not respond to a follow-up action: the action is owned by %; only its owner or QA responds; only % may respond to it',
				who, prior, {{S}}.or_qa(prior) USING ERRCODE = '42501';
		END IF;
	END IF;
	ok := CASE
		WHEN NEW.kind IN ('finding', 'correction') THEN
			'auditor' = ANY (rs) AND own
		-- What a finding of her own makes at once: the action it opens, or
		-- the automatic closing by a correction to no immediate attention
		-- (follows_own_finding); a moderator's moderation findings too.
		WHEN NEW.kind = 'action-open' THEN
			('auditor' = ANY (rs) OR 'moderator' = ANY (rs)) AND own
			AND {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, true)
		WHEN NEW.kind = 'action-close' THEN
			('auditor' = ANY (rs) OR 'moderator' = ANY (rs)) AND own AND coalesce((NEW.payload::jsonb ->> 'auto') = 'true', false)
			AND {{S}}.follows_own_finding(NEW.audit_id, NEW.seq, NEW.case_id, NEW.actor, NEW.payload, false)
		WHEN NEW.kind IN ('moderation-finding', 'moderation-correction') THEN
			('auditor' = ANY (rs) OR 'moderator' = ANY (rs)) AND own AND NOT EXISTS (
				SELECT 1 FROM {{S}}.trail t WHERE t.audit_id = NEW.audit_id AND t.case_id = NEW.case_id
				AND t.kind IN ('finding', 'correction')
				AND {{S}}.same_name(t.actor, NEW.actor))
		WHEN NEW.kind = 'action-respond' THEN
			'manager' = ANY (rs)
		WHEN NEW.kind = 'redaction' THEN
			'governance' = ANY (rs) AND own
		ELSE false
	END;
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % (roles: %) may not record a % entry under the name % in this store; see "Who may do what" in the README',
			session_user, coalesce(nullif(mine, ''), 'none'), NEW.kind, NEW.actor USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
`},
}

// jsonStringSQL is the SQL expression encoding the text expression x as a
// JSON string exactly as Go's encoder does with HTML escaping off:
// PostgreSQL's own encoding, except that Go also escapes U+2028 and U+2029.
func jsonStringSQL(x string) string {
	return `pg_catalog.replace(pg_catalog.replace(pg_catalog.to_json(` + x + `)::text, U&'\2028', '\u2028'), U&'\2029', '\u2029')`
}

// pgTrigger is one trigger of the guards.
type pgTrigger struct {
	table, name, when, function string
	rows                        bool // FOR EACH ROW, else FOR EACH STATEMENT
}

var pgGuardTriggers = []pgTrigger{
	// DELETE: only a retired audit's rows, by retire_audit (pg_retire.go).
	{"audit", "audit_no_change", "BEFORE UPDATE", "refuse_change", true},
	{"sampled_case", "sampled_case_no_change", "BEFORE UPDATE", "refuse_change", true},
	{"trail", "trail_no_change", "BEFORE UPDATE", "trail_redact_in_place", true},
	{"audit", "audit_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"sampled_case", "sampled_case_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"trail", "trail_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"trail", "trail_check", "BEFORE INSERT", "trail_check", true},
	{"audit", "audit_check", "BEFORE INSERT", "audit_check", true},
	{"sampled_case", "sampled_case_check", "BEFORE INSERT", "sampled_case_check", true},
	// The people list and the duties (people_schema.go).
	{"person_change", "person_change_no_change", "BEFORE UPDATE OR DELETE", "people_refuse_change", true},
	{"person_change", "person_change_no_truncate", "BEFORE TRUNCATE", "people_refuse_change", false},
	{"person_change", "person_check", "BEFORE INSERT", "person_check", true},
	{"trail", "trail_duty", "BEFORE INSERT", "trail_duty", true},
	// Free text and redactions (text.go).
	{"trail_text", "trail_text_erase_only", "BEFORE UPDATE", "text_erase_only", true},
	{"trail_text", "trail_text_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"trail_text", "trail_text_redact_duty", "BEFORE UPDATE", "redact_duty", true},
	{"trail_text", "trail_text_check", "BEFORE INSERT", "text_check", true},
	{"trail_redaction", "trail_redaction_no_change", "BEFORE UPDATE", "refuse_change", true},
	{"trail_redaction", "trail_redaction_no_truncate", "BEFORE TRUNCATE", "refuse_change", false},
	{"trail_redaction", "trail_redaction_redact_duty", "BEFORE INSERT", "redact_duty", true},
}

// functionSQL (re)creates one function of the guards.
func functionSQL(f pgFunction) string {
	sec := ""
	if f.definer {
		sec = " SECURITY DEFINER"
	}
	return fmt.Sprintf("CREATE OR REPLACE FUNCTION {{S}}.%s(%s) RETURNS %s LANGUAGE %s %s%s SET search_path = pg_catalog, pg_temp AS $fn$%s$fn$;\n",
		f.name, f.args, f.returns, f.lang, f.extra, sec, f.body)
}

// withFunctions puts into a migration the functions of the guards it
// names ({{fn:NAME}}), as this version writes them.
func withFunctions(stmt string) string {
	for _, f := range pgFunctions {
		stmt = strings.ReplaceAll(stmt, "{{fn:"+f.name+"}}", functionSQL(f))
	}
	return stmt
}

// guardsSQL (re)creates every function and trigger of the guards.
func guardsSQL(n pgNames) string {
	var b strings.Builder
	for _, f := range pgFunctions {
		b.WriteString(functionSQL(f))
	}
	for _, t := range pgGuardTriggers {
		each := "STATEMENT"
		if t.rows {
			each = "ROW"
		}
		fmt.Fprintf(&b, "DROP TRIGGER IF EXISTS %s ON {{S}}.%s;\nCREATE TRIGGER %s %s ON {{S}}.%s FOR EACH %s EXECUTE FUNCTION {{S}}.%s();\n",
			t.name, t.table, t.name, t.when, t.table, each, t.function)
	}
	return n.expand(b.String()) + noTextStatistics(n)
}

// noTextStatistics keeps the free text out of the server's statistics:
// ANALYZE (autovacuum's too) copies sample values of each column into
// pg_statistic, where a note redacted or retired from trail_text would
// live on, and no query of the store is planned by its notes' values. A
// store made before has its text's statistics dropped once: an ALTER …
// TYPE to the column's own type drops them without rewriting the table.
func noTextStatistics(n pgNames) string {
	return fmt.Sprintf(`DO $caseaudit$ BEGIN
IF EXISTS (SELECT 1 FROM pg_catalog.pg_attribute WHERE attrelid = %s::pg_catalog.regclass
	AND attname IN ('text', 'salt') AND attstattarget IS DISTINCT FROM 0) THEN
	ALTER TABLE %s.trail_text ALTER COLUMN text SET STATISTICS 0, ALTER COLUMN salt SET STATISTICS 0,
		ALTER COLUMN text TYPE text COLLATE "C", ALTER COLUMN salt TYPE text COLLATE "C";
END IF;
END $caseaudit$;
`, quoteLiteral(quoteIdent(n.schema)+".trail_text"), quoteIdent(n.schema))
}

// lockSpace is the first key of a store's advisory locks: the store's own
// (from its schema name), so that two stores in one database never take
// each other's locks, and a lock someone takes by hand on the old shared
// key (0x43415544) blocks nobody.
func lockSpace(schema string) int32 {
	h := fnv.New32a()
	h.Write([]byte("caseaudit store " + schema))
	return int32(h.Sum32())
}

// guardProblems compares the guards in the database with what this
// version expects and names every difference.
func guardProblems(ctx context.Context, db *sql.DB, n pgNames) ([]string, error) {
	schema := n.schema
	var problems []string
	for _, f := range pgFunctions {
		var src, config sql.NullString
		var secdef bool
		err := db.QueryRowContext(ctx, `SELECT p.prosrc, pg_catalog.array_to_string(p.proconfig, ';'), p.prosecdef
			FROM pg_catalog.pg_proc p JOIN pg_catalog.pg_namespace n ON n.oid = p.pronamespace
			WHERE n.nspname = $1 AND p.proname = $2`, schema, f.name).Scan(&src, &config, &secdef)
		switch {
		case err == sql.ErrNoRows:
			problems = append(problems, fmt.Sprintf("the function %s is missing", f.name))
			continue
		case err != nil:
			return nil, err
		}
		// A store still on the cluster-wide roles has bodies naming them;
		// that it must be given roles of its own is said once, elsewhere.
		if src.String != n.expand(f.body) && !n.legacy() {
			problems = append(problems, fmt.Sprintf("the function %s has been changed", f.name))
		}
		if config.String != "search_path=pg_catalog, pg_temp" {
			problems = append(problems, fmt.Sprintf("the function %s runs with another search_path", f.name))
		}
		switch {
		case secdef && !f.definer:
			problems = append(problems, fmt.Sprintf("the function %s runs with its owner's rights", f.name))
		case !secdef && f.definer:
			problems = append(problems, fmt.Sprintf("the function %s no longer runs with its owner's rights", f.name))
		}
	}
	for _, t := range pgGuardTriggers {
		var enabled, fn sql.NullString
		err := db.QueryRowContext(ctx, `SELECT t.tgenabled::text, p.proname FROM pg_catalog.pg_trigger t
			JOIN pg_catalog.pg_class c ON c.oid = t.tgrelid JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
			JOIN pg_catalog.pg_proc p ON p.oid = t.tgfoid
			WHERE n.nspname = $1 AND c.relname = $2 AND t.tgname = $3`, schema, t.table, t.name).Scan(&enabled, &fn)
		switch {
		case err == sql.ErrNoRows:
			problems = append(problems, fmt.Sprintf("the trigger %s on %s is missing", t.name, t.table))
		case err != nil:
			return nil, err
		case enabled.String != "O":
			problems = append(problems, fmt.Sprintf("the trigger %s on %s is disabled", t.name, t.table))
		case fn.String != t.function:
			problems = append(problems, fmt.Sprintf("the trigger %s on %s runs another function (%s)", t.name, t.table, fn.String))
		}
	}
	slices.Sort(problems)
	return problems, nil
}

// grantProblems compares the privileges held on the store's tables (and
// their columns) by anyone but the owner with what pgGrants gives the
// store's roles, and names every privilege held beyond it (by PUBLIC, the
// cluster-wide roles of before, another role, or one of the store's roles
// given more) and every one missing.
func grantProblems(ctx context.Context, db *sql.DB, n pgNames) ([]string, error) {
	type acl struct{ table, column, grantee, priv string }
	tables := map[string]bool{}
	held := map[acl]bool{}
	rows, err := db.QueryContext(ctx, `
		SELECT c.relname::text, '', coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
		CROSS JOIN LATERAL pg_catalog.aclexplode(coalesce(c.relacl, pg_catalog.acldefault('r', c.relowner))) a
		LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
		WHERE ns.nspname = $1 AND c.relkind IN ('r', 'p') AND a.grantee <> c.relowner
		UNION ALL
		SELECT c.relname::text, att.attname::text, coalesce(r.rolname::text, 'PUBLIC'), a.privilege_type
		FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
		JOIN pg_catalog.pg_attribute att ON att.attrelid = c.oid AND att.attnum > 0 AND NOT att.attisdropped
		CROSS JOIN LATERAL pg_catalog.aclexplode(att.attacl) a
		LEFT JOIN pg_catalog.pg_roles r ON r.oid = a.grantee
		WHERE ns.nspname = $1 AND c.relkind IN ('r', 'p') AND a.grantee <> c.relowner
		UNION ALL
		SELECT c.relname::text, NULL, '', '' FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace ns ON ns.oid = c.relnamespace
		WHERE ns.nspname = $1 AND c.relkind IN ('r', 'p')`, n.schema)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var a acl
		var col sql.NullString
		if err := rows.Scan(&a.table, &col, &a.grantee, &a.priv); err != nil {
			return nil, err
		}
		if !col.Valid {
			tables[a.table] = true
			continue
		}
		a.column = col.String
		held[a] = true
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	want := map[acl]bool{}
	for _, g := range pgGrants {
		if !tables[g.table] {
			continue
		}
		cols := g.columns
		if cols == nil {
			cols = []string{""}
		}
		for _, r := range g.groups {
			for _, p := range g.privs {
				for _, c := range cols {
					want[acl{g.table, c, n.role(r), p}] = true
				}
			}
		}
	}
	name := func(a acl) string {
		who := "the role " + a.grantee
		if a.grantee == "PUBLIC" {
			who = "every login (PUBLIC)"
		}
		on := a.table
		if a.column != "" {
			on = "the column " + a.table + "." + a.column
		}
		return who + ", " + a.priv + " on " + on
	}
	var problems []string
	for a := range held {
		if !want[a] {
			problems = append(problems, "a privilege granted beyond what the store expects: "+name(a))
		}
	}
	for a := range want {
		if !held[a] {
			problems = append(problems, "a privilege the store expects is missing: "+name(a))
		}
	}
	slices.Sort(problems)
	return problems, nil
}
