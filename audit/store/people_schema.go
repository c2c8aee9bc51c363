package store

// The people list's tables (schema version 4). On both backends the list
// is append-only: triggers refuse UPDATE and DELETE, and verify re-walks
// its chain (CheckPeopleChain).
const sqlitePeopleMigration = `
CREATE TABLE person_change (
	seq        INTEGER PRIMARY KEY,
	op         TEXT NOT NULL CHECK (op IN ('add', 'remove')),
	login      TEXT NOT NULL,
	name       TEXT NOT NULL,
	roles      TEXT NOT NULL,
	at         TEXT NOT NULL,
	entered_by TEXT NOT NULL,
	prev_hash  TEXT NOT NULL,
	hash       TEXT NOT NULL
);
CREATE INDEX person_change_login ON person_change(login, seq);
CREATE TRIGGER person_change_no_update BEFORE UPDATE ON person_change
BEGIN SELECT RAISE(ABORT, 'caseaudit: the people list is append-only'); END;
CREATE TRIGGER person_change_no_delete BEFORE DELETE ON person_change
BEGIN SELECT RAISE(ABORT, 'caseaudit: the people list is append-only'); END;
`

// pgPeopleMigration adds the people list and two guards of its own, beside
// trail_check (which keeps the chain's order):
//
//   - person_check: a change follows the list's head, is entered by the
//     login making it, and is made by a person with the qa role in this
//     store's list (the first change must add a QA person); the store's
//     owner may write anything (store copy keeps who made each change).
//   - trail_duty: once the list has anyone in it, each trail entry's kind
//     is checked against the roles the inserting login holds in this
//     store's list, and the names it is recorded under, so that a login
//     connecting with psql can do no more than caseaudit would let it. An
//     empty list leaves the store as before (the group roles decide).
//
// Every function runs with a fixed search_path and schema-qualified names,
// so nothing a user creates in a schema of her own can stand in for what it
// calls; they are SECURITY DEFINER, so that they read the people list even
// where the login may not.
const pgPeopleMigration = `
CREATE TABLE {{S}}.person_change (
	seq        bigint PRIMARY KEY,
	op         text COLLATE "C" NOT NULL CHECK (op IN ('add', 'remove')),
	login      text COLLATE "C" NOT NULL,
	name       text COLLATE "C" NOT NULL,
	roles      text COLLATE "C" NOT NULL,
	at         text COLLATE "C" NOT NULL,
	entered_by text COLLATE "C" NOT NULL,
	prev_hash  text COLLATE "C" NOT NULL,
	hash       text COLLATE "C" NOT NULL
);
CREATE INDEX person_change_login ON {{S}}.person_change (login, seq);

CREATE FUNCTION {{S}}.people_refuse_change() RETURNS trigger LANGUAGE plpgsql
SET search_path = pg_catalog, pg_temp AS $$
BEGIN
	RAISE EXCEPTION 'caseaudit: the people list is append-only' USING ERRCODE = 'P0001';
END
$$;
CREATE TRIGGER person_change_no_change BEFORE UPDATE OR DELETE ON {{S}}.person_change
	FOR EACH ROW EXECUTE FUNCTION {{S}}.people_refuse_change();
CREATE TRIGGER person_change_no_truncate BEFORE TRUNCATE ON {{S}}.person_change
	FOR EACH STATEMENT EXECUTE FUNCTION {{S}}.people_refuse_change();

-- The roles the login holds in this store's people list ('' when none or
-- removed), and the name it goes by.
CREATE FUNCTION {{S}}.person_of(who text, OUT roles text, OUT name text) LANGUAGE sql STABLE
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
	SELECT CASE WHEN p.op = 'add' THEN p.roles ELSE '' END, p.name
	FROM {{S}}.person_change p WHERE p.login = who ORDER BY p.seq DESC LIMIT 1
$$;

CREATE FUNCTION {{S}}.person_check() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
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
$$;
CREATE TRIGGER person_check BEFORE INSERT ON {{S}}.person_change
	FOR EACH ROW EXECUTE FUNCTION {{S}}.person_check();

CREATE FUNCTION {{S}}.trail_duty() RETURNS trigger LANGUAGE plpgsql
SECURITY DEFINER SET search_path = pg_catalog, pg_temp AS $$
DECLARE
	n     bigint;
	mine  text;
	rs    text[];
	nm    text;
	ok    boolean;
	own   boolean;
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
	own := pg_catalog.lower(pg_catalog.btrim(NEW.actor)) IN (pg_catalog.lower(pg_catalog.btrim(coalesce(nm, ''))), pg_catalog.lower(session_user::text));
	IF 'qa' = ANY (rs) THEN
		RETURN NEW;
	END IF;
	ok := CASE
		WHEN NEW.kind IN ('finding', 'correction', 'action-open') THEN
			'auditor' = ANY (rs) AND own
		WHEN NEW.kind = 'action-close' THEN
			'auditor' = ANY (rs) AND coalesce((NEW.payload::jsonb ->> 'auto') = 'true', false)
		WHEN NEW.kind IN ('moderation-finding', 'moderation-correction') THEN
			('auditor' = ANY (rs) OR 'moderator' = ANY (rs)) AND own AND NOT EXISTS (
				SELECT 1 FROM {{S}}.trail t WHERE t.audit_id = NEW.audit_id AND t.case_id = NEW.case_id
				AND t.kind IN ('finding', 'correction')
				AND pg_catalog.lower(pg_catalog.btrim(t.actor)) = pg_catalog.lower(pg_catalog.btrim(NEW.actor)))
		WHEN NEW.kind = 'action-respond' THEN
			'manager' = ANY (rs)
		ELSE false
	END;
	IF ok IS NOT TRUE THEN
		RAISE EXCEPTION 'caseaudit: refused: the login % (roles: %) may not record a % entry under the name % in this store; see "Who may do what" in the README',
			session_user, coalesce(nullif(mine, ''), 'none'), NEW.kind, NEW.actor USING ERRCODE = '42501';
	END IF;
	RETURN NEW;
END
$$;
CREATE TRIGGER trail_duty BEFORE INSERT ON {{S}}.trail
	FOR EACH ROW EXECUTE FUNCTION {{S}}.trail_duty();
`
