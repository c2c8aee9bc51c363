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
// The functions are the guards' (pg_guards.go: {{fn:NAME}} stands for one);
// they run with a fixed search_path and schema-qualified names, so nothing a
// user creates in a schema of her own can stand in for what they call, and
// are SECURITY DEFINER, so that they read the people list even where the
// login may not.
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

{{fn:people_refuse_change}}
CREATE TRIGGER person_change_no_change BEFORE UPDATE OR DELETE ON {{S}}.person_change
	FOR EACH ROW EXECUTE FUNCTION {{S}}.people_refuse_change();
CREATE TRIGGER person_change_no_truncate BEFORE TRUNCATE ON {{S}}.person_change
	FOR EACH STATEMENT EXECUTE FUNCTION {{S}}.people_refuse_change();

{{fn:person_of}}
{{fn:person_check}}
CREATE TRIGGER person_check BEFORE INSERT ON {{S}}.person_change
	FOR EACH ROW EXECUTE FUNCTION {{S}}.person_check();

{{fn:trail_duty}}
CREATE TRIGGER trail_duty BEFORE INSERT ON {{S}}.trail
	FOR EACH ROW EXECUTE FUNCTION {{S}}.trail_duty();
`
