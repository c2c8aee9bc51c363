package main

import (
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// The reasons many notes share.
const (
	noteDamaged = "the store's own JSON, written by caseaudit and covered by the trail's hashes, does not parse: only a store altered outside caseaudit shows it (verify names the entry)"
	noteKind    = "a kind for errors.Is that is never printed alone: the message that wraps it is what the user sees"
	noteCases   = "a guard on the cases the sampler hands the store (in order, trimmed, each once, with the audit's columns): a wrong one is a mistake in caseaudit"
	noteEncode  = "encoding a Go value caseaudit built itself to JSON cannot fail"
	noteRate    = "a guard: caseaudit hands rate only shares it computed (from 0 to 1) and populations it counted"
)

// messageNotes says what shows each message no story can print, by its
// format as the code writes it: a Go test that brings it about and asserts
// its words (goTest), a PostgreSQL story that does (pgStory) — both
// checked by checkTestNotes —, a message only a person at a terminal meets
// (terminalOnly), or why no user can meet it (internal), each reason
// checked by reading the code that prints it. The table of messages (docs/messages.md) shows the note
// where no story prints the message; a note on a message a story prints
// fails the test, so the list keeps to what the stories cannot show.
var messageNotes = map[string]string{
	"%s holds no caseaudit store (no schema %s); its administrator creates one with: caseaudit store init URL":                      pgStory("messages_postgres"),
	"cannot log in to the store %s: %s; give the password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL": pgStory("messages_postgres"),
	"cannot open the store %s: %s; name an existing database (its administrator creates it)":                                        pgStory("messages_postgres"),
	"the sample's provenance is damaged: %w":                                                      internal(noteDamaged),
	"%s needs a note saying what was done":                                                        internal("the command refuses an empty --note first (give --note saying what was done)"),
	"%s needs the name of the person acting: pass it as by, or open the store with Options.Actor": internal("the command opens the store with the person acting (--user, else $CASEAUDIT_USER, else the login), which is never empty"),
	"%s the store %s: a snapshot only reads":                                                      internal("a snapshot is opened only by verify and store copy, which never write"),
	"a correction needs a reason":                                                                 internal(noteKind),
	"the text of %s is already redacted":                                                          internal("redact given again answers with the redaction that stands; this is left for an entry whose text was erased with no redaction entry saying so, which only a store altered outside caseaudit holds (verify names it)"),
	"a finding needs a case ID":                                                                   internal("record takes the case as an argument and refuses an empty one first (name the case: \u2026)"),
	"a moderation draw needs a seed (any text, e.g. a date and a dice roll); it is recorded so anyone can re-derive the subsample":    internal("moderate generates a seed when none is given"),
	"a redaction needs a reason: say why the text is erased":                                                                          internal("redact refuses a missing --reason first (give --reason: why the text is erased)"),
	"a withdrawal needs %s: why the case cannot be audited (closed before the audit, transferred, sealed, a duplicate record \u2026)": goTest("audit", "TestWithdrawReplacesAndVerifies"),
	"%s goes with %s NAME: the form is kept with the audit":                                                                           goTest("audit", "TestDrawRequestProblems"),
	"%s, %s and %s go with %s NAME: they are kept with the audit for every workbook written later":                                    goTest("audit", "TestDrawRequestProblems"),
	"already signed off": internal(noteKind),
	"an audit needs a name (e.g. \"2026-07 monthly\")":                             internal("sample records an audit only with --audit NAME, and an empty name is a draw not recorded"),
	"an auditor's name is empty":                                                   internal("allocate and sample drop the empty names of an --auditors list before allocating"),
	"audit %q has %d sampled cases: %w":                                            internal(noteCases),
	"audit %q: %s is damaged: %w":                                                  internal(noteDamaged),
	"audit %q, trail entry %d: its follow-up action cannot be read: %w":            internal(noteDamaged),
	"audit %q: encoding its follow-up rule: %w":                                    internal(noteEncode),
	"audit %q: encoding its provenance: %w":                                        internal(noteEncode),
	"audit %q: its recorded sample parameters are damaged: %w":                     internal(noteDamaged),
	"audit %q: its stored follow-up rule is damaged: %w":                           internal(noteDamaged),
	"audit %q: stored columns are damaged: %w":                                     internal(noteDamaged),
	"audit %q: stored filters are damaged: %w":                                     internal(noteDamaged),
	"audit %q: the first trail entry is damaged: %w":                               internal(noteDamaged),
	"audit %q: the form is not valid JSON: %w":                                     internal(noteEncode),
	"audit %q: the sample is empty":                                                internal("a draw of size 0 is refused before anything is recorded (the sample size must be at least 1)"),
	"audit %q: the stored fields of case %q are damaged: %w":                       internal(noteDamaged),
	"auditor not among the audit's auditors":                                       internal(noteKind),
	"case %q appears twice (orders %d and %d)":                                     internal(noteCases),
	"case %q has %d shown fields but the audit shows %d columns":                   internal(noteCases),
	"case %q has order %d; expected %d (orders run 1..n, growth continues at n+1)": internal(noteCases),
	"case at order %d has an empty or untrimmed ID %q":                             internal(noteCases),
	"case not in the audit's sample":                                               internal(noteKind),
	"duty %q is not in the duties table":                                           internal("a guard: every duty caseaudit checks is one of its duties table"),
	"the database of %s %s, so a store's guards would take some names caseaudit takes for one person for two; a caseaudit store needs a database with a libc UTF-8 locale: %s":                                                                                                         goTest("audit/store", "TestStoreRefusesADatabaseCasingOtherwise"),
	"the disk holding the store %s refused a read or write (SQLite I/O error %d) while caseaudit was only reading it, so the command could not finish; the store is unchanged: check the disk (a drive or share removed, a limit on file sizes, free space) and run the command again": goTest("audit/store", "TestIOErrorSaysReadOrWrite"),
	// The story runs caseaudit under a file-size limit, which also stops it
	// appending to the record of what stories print; the story asserts the
	// line itself.
	"the disk holding the store %s refused a read or write (SQLite I/O error %d), so nothing was written; check the disk (free space, a limit on file sizes, a drive or share removed) and run the command again": "messages_ioerr (run under a file-size limit)",
	"export not found":              internal(noteKind),
	"text caseaudit does not store": internal(noteKind),
	"give the person's roles with --role (qa, auditor, moderator, manager, governance)":                                                                                                   goTest("audit", "TestParseRole"),
	"no protective marking is kept for the retired %s %s (retired before sealed summaries kept it), so the marking shown is the other audits' alone: give --marking to mark it as %s too": goTest("cmd/caseaudit", "TestRetiredMarkingUnknown"),
	"name the audit": internal("actions and status take the audit's name as an argument and refuse an empty one first"),
	"no sample can meet this plan: it would need more than %s; give a higher %s, a lower %s or fewer %s%w": goTest("audit", "TestPlanSizeInfeasible"),
	"recording an audit or excluding audited cases needs a store":                                          internal("the command line always opens the store (--db, default caseaudit.db) when an audit is recorded or audited cases excluded"),
	"the withdrawn case %s is not in the sample drawn again; its replacement cannot be found":              goTest("audit", "TestWithdrawReplacesAndVerifies"),
	"trail entry %d (%s) is damaged: %w":                                                                   internal(noteDamaged),
	"trail entry %d (allocation) is damaged: %w":                                                           internal(noteDamaged),
	"trail entry %d (moderation draw) is damaged: %w":                                                      internal(noteDamaged),
	"trail entry %d (sign-off) is damaged: %w":                                                             internal(noteDamaged),
	"trail entry %d (withdrawal) is damaged: %w":                                                           internal(noteDamaged),
	"trail entry %d is damaged: %w":                                                                        internal(noteDamaged),
	"the audit's stored form is damaged: %w":                                                               internal(noteDamaged),
	"internal error: cell of type %T":                                                                      internal("a guard: the report writes only text, numbers, dates and booleans into cells"),
	"interval method %q: use clopper-pearson (exact) or wilson":                                            goTest("cmd/caseaudit", "TestConfigListsEveryProblem"),
	"the latest finding on %s changed while you were asked (now by %s, trail entry %d); nothing was corrected: run the import again to see it": goTest("cmd/caseaudit", "TestImportAsksRefusesWhatChangedMeanwhile"),
	"%s changed while you were asked; nothing was imported: run the import again to be asked about the rows as they are now":                   goTest("cmd/caseaudit", "TestImportAsksRefusesWhatChangedMeanwhile"),
	"no case has been audited yet":                                                  goTest("cmd/caseaudit", "TestReportNothingAudited"),
	"pooling needs at least two audits (got %d): name them, or give a period":       internal("the command line reports one audit on its own; with --period, a period of one audit says so (the period \u2026 holds one audit)"),
	"%s is an SQLite database but not a caseaudit store; name another file with %s": goTest("audit/store", "TestOpenRefusesOtherFiles"),
	"cannot connect to the store %s: PgBouncer could not log in to the database server a moment ago (the server was restarting, or refused PgBouncer's own login), so it turns connections away for a few seconds (%s); wait a few seconds and run the command again; if it goes on, PgBouncer's administrator checks its auth settings (auth_user, auth_query, auth_file) and that the server is up":                                                                       goTest("audit/store", "TestPgBouncerServerLoginRetry"),
	"this machine's clock is %s the database server's; caseaudit dates every entry, and judges what is due or overdue, by the server's clock, so the store is right whichever clock is wrong, but this machine's clock still decides when a scheduled run starts and which month it takes, and the times of the files written here: set this machine's clock (or let it set itself from the network), or, if the server's is the wrong one, tell the store's administrator": goTest("cmd/caseaudit", "TestStoreInfoSaysTheClockOffset"),
	"cannot connect to the store %s: the database server behind PgBouncer has too many connections (%s); try again shortly, and if it lasts, ask the store's administrator: a connection limit on the login or the database, or the server's max_connections, is below what PgBouncer's pools open (default_pool_size, max_db_connections, max_user_connections), so the server's administrator raises the one or PgBouncer's lowers the other":                             goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot connect to the store %s: PgBouncer let this login in, but the database server refused the password PgBouncer itself logs in with as %q (%s); the password given here is not the one at fault and changing it does not help: PgBouncer's administrator makes the password PgBouncer holds for %q (in its auth_file, or what its auth_query reads) the server's":                                                                                                  goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot log in to the store %s: PgBouncer refused the password of the login %s (%s); give the right password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL%s":                                                                                                                                                                                                                                                                                goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot log in to the store %s: PgBouncer knows no login %s (%s); check the user name in the URL, or ask PgBouncer's administrator to add the login (to its auth_file, or as a role on the server that its auth_query finds)":                                                                                                                                                                                                                                           goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot open the store %s: PgBouncer serves no database %q (%s); name a database it serves in the URL, or ask PgBouncer's administrator to add it to its [databases] section":                                                                                                                                                                                                                                                                                           goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot open the store %s: PgBouncer's entry for this database names one the server does not have (%s); PgBouncer's administrator corrects the dbname in its [databases] section, or the server's administrator creates the database":                                                                                                                                                                                                                                   goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"cannot connect to the store %s: the database server refused PgBouncer's login (%s); the server's administrator lets that login in (its LOGIN attribute, a pg_hba.conf entry for PgBouncer's host), or PgBouncer's administrator corrects the login it uses":                                                                                                                                                                                                            goTest("audit/store", "TestPgBouncerRelaysTheServersRefusal"),
	"the store %s has schema version %d and this caseaudit needs %d; its owner (role %s) upgrades it with: caseaudit store init URL":                                                                                                                                                                                                                                                                                                                                        goTest("audit", "TestPostgresMigrates"),
	"the store %s is busy: %s has held the audit's write lock longer than the lock timeout (%s); try again when they have finished (or wait longer with %s), or ask the store's administrator to end that session":                                                                                                                                                                                                                                                          goTest("cmd/caseaudit", "TestPostgresLockTimeoutNamesTheHolder"),
	"the login %s (no role in this store) may not use it: only a member of the store's auditor, QA or information governance role reads or writes a store; its administrator makes the login a member of one (store init names them); the store's database refused it: %s":                                                                                                                                                                                                  goTest("audit", "TestPostgresRolesArePerStore"),
	"counting changes: only an SQLite store can": internal("a guard: only a store on a network drive counts its changes, and only SQLite stores lie on one"),
	"the store %s is busy: another session has held a lock this needs for longer than the lock timeout (%s): another caseaudit writing, a long-running query, or an administrator's work; try again, or wait longer with %s, and if it lasts, ask the store's administrator which session holds it": goTest("audit/store", "TestPostgresBusyNamesAnySession"),
	"the store %s was written by a newer caseaudit (%v); upgrade caseaudit":                                         goTest("audit/store", "TestOpenRefusesOtherFiles"),
	"the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit": goTest("audit/store", "TestOpenRefusesOtherFiles"),
	"not this person's duty":      internal(noteKind),
	"the store's deadline passed": internal("the cause of a transaction's deadline, read back to print the busy or timed-out message instead"),
	"payload is not JSON":         internal("a guard: caseaudit hashes only payloads it encoded itself"),
	"malformed previous hash %q":  internal(noteDamaged),
	"created the caseaudit store in %s (schema %s, version %d), owned by %s":                    pgStory("store_postgres"),
	"the caseaudit store in %s is up to date (schema version %d); guards and grants re-applied": pgStory("store_postgres"),
	"PostgreSQL keeps what was erased in the database's files until the store's owner runs VACUUM FULL %s (a plain VACUUM does not overwrite it), and in the server's write-ahead log and backups until they are replaced: ask the server's administrator": pgStory("erasure_postgres"),
	"%s (%s) is already on the people list of %s as %s; nothing changed":          pgStory("people_again"),
	"%s (%s) may now act in %s as %s (was %s, as %s)":                             pgStory("people_again"),
	"%s to record for %s in %q; choose Skip to leave one for later, Quit to stop": goTest("cmd/caseaudit", "TestRecordInteractiveMessages"),
	"this question needs an answer":                                               goTest("cmd/caseaudit", "TestRecordInteractiveRequiredAnswer"),
	"enter your name":                                                             goTest("cmd/caseaudit", "TestRecordInteractiveMessages"),
	"nothing left to record for %s in %q":                                         goTest("cmd/caseaudit", "TestRecordInteractiveMessages"),
	"choose one of the answers":                                                   terminalOnly("shown only by the full-screen form at a terminal, which no story can drive; --accessible prompts say \"Invalid: must be a number\" instead"),
	"%s: %s is not a template":                                                    internal("a guard: only keys the configuration check parsed as templates are expanded"),
	"jsonout: %T is not a JSON object":                                            internal("a guard: every JSON output caseaudit writes is an object"),
	"not a valid keyword/value connection string":                                 internal(noteKind),
	"dry run: nothing written":                                                    internal("a signal: a dry run's transaction is rolled back with it, and import reports what it would have done instead; never printed"),
	"%s would change %s already recorded; choose for each whether to correct it":  goTest("cmd/caseaudit", "TestImportAsksEachCorrection"),
	"top rows read":                       internal("a signal that stops reading once the header row is found; never printed"),
	"text too long":                       internal("a signal read back as the cell-length message (a cell longer than Excel's limit)"),
	"row text too long":                   internal("a signal read back as the row-length message (a row whose cells hold more text between them than the row's limit)"),
	"an XML tag is too long":              internal("a signal read back as a damaged-workbook message"),
	"nothing to record":                   goTest("sample/profile", "TestRecorderErrors"),
	"the factor recorder was not started": internal("a guard on the order caseaudit calls the recorder in"),
	"left to Open":                        internal("never shown: a store opened ahead while the program starts (store.Preopen) is declined when it needs a migration or the switch to WAL, and the command's own open does both"),
	"the larger draw does not hold the cases already drawn": internal("read back by withdraw, which then says what to do (draw the replacement from a new audit)"),

	// What only a terminal is told, or a full disk behind a redirect.
	"an xlsx profile is a file: give --out FILE.xlsx (or redirect stdout)":              goTest("cmd/caseaudit", "TestTerminalRefusals"),
	"an xlsx report is a file: give --out FILE.xlsx (or redirect stdout)":               goTest("cmd/caseaudit", "TestTerminalRefusals"),
	"--format %s writes a workbook: give --out FILE.xlsx":                               goTest("cmd/caseaudit", "TestTerminalRefusals"),
	"audit %q has no moderation sample; draw one with: caseaudit moderate %s --size 20": goTest("cmd/caseaudit", "TestTerminalRefusals"),
	"writing the sample to standard output: %w":                                         goTest("cmd/caseaudit", "TestSampleStdoutFails"),

	// The server states of messages_pgserver, made as the superuser of
	// the throwaway cluster.
	"the database of %s is encoded in %s; a caseaudit store needs a UTF8 database (CREATE DATABASE … ENCODING 'UTF8')":                                                                                                                       pgStory("messages_pgserver"),
	"the database of %s puts only A to Z in lower case (its LC_CTYPE is %s), so a store's guards would take ÉLODIE and Élodie for two people where caseaudit takes them for one; a caseaudit store needs a database with a UTF-8 locale: %s": pgStory("messages_pgserver"),
	"the server of the store %s has too many connections (%s); try again shortly, and if it lasts, ask the store's administrator (the server's max_connections, or a connection limit on the database or the login)":                         pgStory("messages_pgserver"),
	"%s the store %s: the server takes no writes (%s): it is a standby, or the database is set read-only; give --db the primary server, or ask the store's administrator":                                                                    pgStory("messages_pgserver"),
	"created the roles %s": pgStory("messages_pgserver"),
	"the store's roles: %s (QA), %s (auditors), %s (information governance)":            pgStory("messages_pgserver"),
	"add a person with: CREATE ROLE \"name\" LOGIN PASSWORD '…'; GRANT %s TO \"name\";": pgStory("messages_pgserver"),
	"a moderator and a team manager get %s too (the people list then limits what they write); it reads every audit's findings and notes, also through psql; %s is for QA, %s for information governance": pgStory("store_postgres"),
	"the store's roles do not exist and the login %s may not create roles; a database administrator creates them with: %s then run store init again":                                                     pgStory("messages_pgserver"),
	"copying into %s needs its owner's login (role %s): the copy keeps who entered every entry, which only the owner may write":                                                                          pgStory("messages_pgserver"),

	"%s is not a caseaudit store (its schema %s holds other tables); name another database or schema":                            pgStory("messages_pgserver"),
	"%s is not a caseaudit store (its schema %s holds other tables); name another database, or another schema with ?schema=NAME": pgStory("messages_pgserver"),

	"cannot read the executable to hash it: %w":    goTest("internal/version", "TestHashFile"),
	"cannot read the executable %s to hash it: %w": goTest("internal/version", "TestHashFile"),

	"the schema %s of %s belongs to the role %s; run store init as that role":                                                                                                                                                         pgStory("messages_pgserver"),
	"the store %s is not protected as it should be (%s); its owner restores every guard and grant with caseaudit store init URL, and a trail changed meanwhile shows in verify":                                                       pgStory("messages_pgserver"),
	"the store %s is not protected as it should be (%s); its owner moves it to a new database with a UTF-8 locale (%s; caseaudit store init NEW-URL; caseaudit store copy %s NEW-URL), and a trail changed meanwhile shows in verify": goTest("audit/store", "TestStoreRefusesADatabaseFoldingOnlyASCII"),

	// A store file that root may always write: only another login meets these.
	"the store %s is read-only; check its permissions: caseaudit needs to write the file and, while in use, files beside it in its folder": goTest("cmd/caseaudit", "TestHostilePermissions"),
	"cannot read the configuration %s: %w": goTest("cmd/caseaudit", "TestHostilePermissions"),

	// Guards on what the command line (or the configuration) has checked
	// already, in its own words.
	"a retention period is at least one month":                                                                   internal("store retention reads the period first (a retention period of … is out of range; give between 1 month and 100 years)"),
	"a team rule on column %q needs every auditor's team":                                                        internal("allocate, sample and the configuration check first that every auditor has a team (auditor … has no team; …)"),
	"auditors' teams were given but no team column; name the column holding each case's team":                    internal("the command line and the configuration refuse auditors' teams without a team column first (--team-column and --auditor-team go together)"),
	"give a case ID to look up":                                                                                  internal("case refuses an empty ID first (give the case ID to look up, e.g. caseaudit case CR-0001234)"),
	"give the person's name with --name (e.g. --name \"B. Evans\"): it is how findings and allocations name her": internal("people add refuses a missing --name first, in the same words"),
	"name at least one auditor to allocate cases to":                                                             internal("allocate refuses an empty --auditors first (give --auditors …); sample leaves an empty list unallocated"),
	"the finding on %s needs an auditor's name":                                                                  internal("record refuses a finding without --auditor first (a finding needs --auditor); import reads the auditor from each row and says which row lacks one"),
	"the finding on %s needs a grade: Outstanding, Good, Requires improvement or Inadequate":                     internal("record refuses a finding without --grade first (a finding needs --grade); import names the row and the cell"),
	"the finding on %s: date audited %q is not a date (yyyy-mm-dd)":                                              internal("record reads --date first (--date …: write yyyy-mm-dd or dd/mm/yyyy); import names the row and the cell"),
	"the moderation sample size must be at least 1 (got %d)":                                                     internal("moderate refuses --size under 1 first (give --size N, the number of cases to moderate)"),
	"%s %v is not a share above 0%% and at most 100%%":                                                           internal("sample reads --percent first (--percent …: give a percentage above 0% / of at most 100%)"),
	"the sample size must be at least 1 (got %d)":                                                                internal("sample refuses --size under 1 first (--size must be a positive number)"),
	"unknown allocation %q; use proportional or equal":                                                           internal("sample reads --allocation first (--allocation …: use proportional or equal)"),
	"a sample needs a seed (%s; NewSeed makes one)":                                                              internal("sample and moderate make a seed when none is given, and say it"),
	"%w %q: the limit must be a positive number of d, wd, w or m":                                                internal("every pair is read by ParseTimeliness first, which refuses a limit under 1 or without a unit (the limit … must be from 1 up to ten years)"),
	"the caseload target %d must be a positive number of cases":                                                  internal("the command line and the configuration check --caseload-target first (give the most cases a worker should hold, a whole number from 1)"),
	"the changes threshold %d must be a positive number":                                                         internal("the command line and the configuration check --changes-at-least first (give a whole number from 1 to 100)"),
	"csv file has one sheet, not %d":                                                                             internal("a guard: --sheet on a csv file other than 1 is refused first (a csv file has no sheets, so no sheet …)"),
	"malformed compound file: %v":                                                                                internal("the cause kept inside the damaged-file message, which is what is printed (the file is damaged or incomplete (not a readable Office file); re-export it: messages_files)"),

	"question %q has an unknown kind %q": internal("a form is checked when it is read, and an unknown kind refused there (unknown kind …; use grade, yesno, choice or text)"),
	"the form's question %q has the same label as the column %q of the sample; rename the question": internal("sample refuses such a form before the audit is recorded (the form's question … is labelled … like the column … of the sample), so no recorded audit has one"),
	"a moderators' workbook holds the whole moderation sample; leave out the auditor (%s)":          internal("workbook refuses --moderation with --auditor first (the moderators' workbook holds the whole moderation sample; leave out --auditor)"),
	"the confidence level %v must be between 0%% and 100%%":                                         internal("the command line and the configuration read the confidence first (give a confidence below 100% / of 50% or more)"),

	"%s is not a postgres:// URL; an SQLite store needs no init (it is made when first used)": internal("store init on an SQLite file says so first (made the SQLite store …; an SQLite store needs no init …)"),
	"schema version %d is not one this caseaudit knows (1 to %d)":                             internal("only the tests stop store init at an older schema version; the command always asks for the newest"),

	"format %q: the %s is written as table, markdown, csv, json, xlsx or html": internal("calibration and report read --format first (--format: format …: use table, markdown, csv, json, xlsx or html)"),
	"no audit in the store yet": internal(noteKind),

	// Guards on caseaudit's own bookkeeping.
	"free text needs an object payload: %w":                                            internal("a guard: every trail entry caseaudit writes with free text is a JSON object it built itself"),
	"the payload already has a %q key":                                                 internal("a guard: no payload caseaudit builds has a key of that name; the store adds it"),
	"encoding a %s entry: %w":                                                          internal(noteEncode + "; it wraps the two guards above"),
	"factors: row %d repeats a case ID the recorder never met":                         internal("a guard: the population filter reports a duplicate only of an ID it met, and the recorder meets every ID it does"),
	"case %s: %d cells for the factors' %d columns":                                    internal("a guard: the sampler hands the recorder the cells of the columns the recorder itself asked for"),
	"cannot share %d cases among the strata (internal error: %d shared)":               internal("a guard on the allocation arithmetic, which shares out every case"),
	"the sample recorded factors (%s): re-deriving it needs a factor recorder":         internal("a guard: verify and withdraw pass a factor recorder whenever the provenance recorded factors"),
	"cannot make a random seed: %w":                                                    internal("crypto/rand does not fail on the systems caseaudit runs on (Go ends the program instead)"),
	"case %q is already in audit %q":                                                   internal(noteCases),
	"rate: %w: CasesBelow: a bound of %v leaves no count below it":                     internal(noteRate),
	"rate: %w: %s: population %d is negative":                                          internal(noteRate),
	"rate: %w: %s: bound %v is not a share from 0 to 1":                                internal(noteRate),
	"retiring audit %q deleted %d rows of %s, not the %d counted; nothing was retired": internal("a guard inside retire's one transaction: the rows it deletes are the rows it counted in the same transaction, so nothing else can change them"),

	// What caseaudit wrote itself, read back: only a store altered outside
	// caseaudit shows these.
	"store log entry %d (retention) is damaged: %w":                                     internal(noteDamaged),
	"store log entry %d (retirement of %q) is damaged: %w":                              internal(noteDamaged),
	"trail entry %d (%s %s) follows no open action":                                     internal(noteDamaged),
	"the finding on %s: date %q is not a date":                                          internal(noteDamaged),
	"audit %q: the period %q is not a month; write it as yyyy-mm, e.g. 2026-07":         internal("the period is checked when the audit is recorded (--period …); a stored one that is not a month is " + noteDamaged[len("the store's own JSON, written by caseaudit and covered by the trail's hashes, does not parse: "):]),
	"caseloads counted over %q: this caseaudit knows only %q":                           internal("the recorded factor rule names the export, the only count caseaudit writes; " + noteDamaged[len("the store's own JSON, written by caseaudit and covered by the trail's hashes, does not parse: "):]),
	"the sample's provenance has schema %q; this caseaudit reads %q: upgrade caseaudit": internal("every provenance caseaudit has written has the one schema this build reads; the message is for a store a later caseaudit writes, which none does yet"),

	// Another person's write between a command's read and its write: the
	// Go tests put it in that gap through the use cases (no story can time
	// it), with no hook in the code.
	"audit %q changed while its figures were computed (its trail has %d entries, not %d); run signoff again": goTest("audit", "TestSignOffRefusesFiguresOfAnOlderTrail"),
	"audit %q changed while its figures were computed (its trail has %d entries, not %d); run retire again":  goTest("audit", "TestRetireRefusesFiguresOfAnOlderTrail"),
	"no figures were computed for audit %q; run retire again":                                                goTest("audit", "TestRetireRefusesFiguresOfAnOlderTrail"),
	"the sample of audit %q changed while the replacement was drawn; withdraw the case again":                goTest("audit", "TestWithdrawRefusesASampleChangedMeanwhile"),
	// An export whose case IDs alone pass 4 GB: the Go test fills the
	// arena's references, as no test can read such an export.
	"%s: the export changed while it was read (%d sampled rows are gone); run the command again once whatever writes it has finished": goTest("sample", "TestSelectRefusesAnExportReplacedMeanwhile"),
	"too many case IDs to hold (over 4 GB)": goTest("sample", "TestArenaRefusesPastFourGB"),

	// A PostgreSQL server failing a command midway, or left by its
	// administrator in a state store init cannot work in.
	"the connection to the store %s was lost while %s it (%s); the server rolled back what was not committed: run the same command again, it records nothing twice":                                                           pgStory("messages_pgfailures"),
	"%s the store %s: no answer within %s, so caseaudit gave up (what was not committed is rolled back; the same command run again records nothing twice); check that the server and the network are up, or give a longer %s": pgStory("messages_pgfailures"),
	"the roles %s already exist and are not this store's (their comments name another); a database administrator drops or renames them, then run store init again":                                                            pgStory("messages_pgfailures"),
	"the login %s may not do this (%s); ask the store's administrator for the role %s (to record findings), %s (to sample, allocate, moderate) or %s (to redact)":                                                             pgStory("messages_pgfailures"),
	"%s the store %s: %sthe text holds a character PostgreSQL cannot store (a NUL byte or invalid UTF-8); remove it and try again":                                                                                            pgStory("messages_pgfailures"),
	"the store %s is busy: another caseaudit is writing to it; try again":                                                                                                                                                     pgStory("messages_pgfailures"),
	"copying the people list: %w":                                     pgStory("messages_pgfailures"),
	"copying store log entry %d: %w":                                  pgStory("messages_pgfailures"),
	"granting the roles their privileges: %w":                         pgStory("messages_pgfailures"),
	"restoring the store's guards: %w":                                pgStory("messages_pgfailures"),
	"migrating the store schema to version %d: %w":                    pgStory("messages_pgfailures"),
	"making %s a member of %s: %w":                                    pgStory("messages_pgfailures"),
	"upgraded the caseaudit store in %s from schema version %d to %d": pgStory("messages_pgfailures"),
	"%s, a member of the server-wide %s, is now a member of %s":       pgStory("messages_pgfailures"),
	"the server-wide roles %s and %s hold nothing in this store any more; once every store on the server has had store init, an administrator may drop them": pgStory("messages_pgfailures"),

	// Guards on what caseaudit computed or checked a step before.
	"%s no longer has every column the audit shows (%s); the replacement cannot be read": internal("withdraw reads only the export whose SHA-256 is the audit's (checked first: … is not the export audit … was drawn from), so its columns are the audit's"),
	"%w (and the people list, to say who may, could not be read: %v)":                    internal("the people list was read by the duties check a moment before, in the same session; a server lost in between says so itself"),
	"audit %q: its allocation cannot be read: %w":                                        internal(noteDamaged + "; it wraps the damaged-entry message"),
	"audit %q: its findings cannot be read: %w":                                          internal(noteDamaged + "; it wraps the damaged-entry message"),
	"store log entry %d (network-store) is damaged: %w":                                  internal(noteDamaged),
	"the recorded factors: %w":                                                           internal("the factor rule recorded in the provenance was checked when the sample was drawn; " + noteDamaged[len("the store's own JSON, written by caseaudit and covered by the trail's hashes, does not parse: "):]),
	"measuring the factors of the added cases: %w":                                       internal("it wraps the factor recorder's guards (factors: row … shown after the last row, and the like), each a mistake in caseaudit"),
	"factors: row %d shown after the last row":                                           internal("a guard on the order caseaudit calls the recorder in"),
	"the recorded growth by %d does not re-derive: %w":                                   internal("a growth is drawn again by the rule that drew it, from the same export (its SHA-256 checked first), so it re-derives; a trail altered outside caseaudit is named by verify's hash walk first"),
	"audit %q: the one-sided bound: %w":                                                  internal(noteRate),
	"audit %q: the finite-population bound: %w":                                          internal(noteRate),
	"audit %q: moderation agreement: %w":                                                 internal("a guard: the agreement table is built from the grades caseaudit paired itself, each one of the four grades"),
	"building the workbook: %w":                                                          internal("a guard: excelize fails only on a sheet, cell or style caseaudit names itself (a report's rows are a sample's, far below Excel's row limit, and long text is cut to Excel's cell limit first)"),
	"no sample size meets the plan":                                                      internal(noteKind),
	"stats: %w: %d expected errors need more than %d cases":                              internal("read back by plan, which says what to change in the command's own flags (no sample can meet this plan: …)"),
	"stats: %w: a population of %d at a tolerable rate of %v holds %d cases with the attribute, no more than the %d expected errors; allow fewer expected errors or use a higher tolerable rate": internal("read back by plan, which says what to change in the command's own flags (no sample can meet this plan: …)"),
	"stats: %w: the plan would need more than %d cases; use a higher tolerable rate or a lower confidence":                                                                                       internal("read back by plan, which says what to change in the command's own flags (no sample can meet this plan: …)"),
	"audit %q is missing from the copy in %s; the copy is not sound":                                                                                                                             internal("a guard: the copy is written in one transaction and read back in the next; only a mistake in caseaudit leaves an audit out"),
	"audit %q does not verify on the copy in %s (%s); the copy is not sound":                                                                                                                     internal("a guard: the copy writes every entry as it was, hashes and all, and verify of the source passed first; only a mistake in caseaudit changes one"),
	"opening the store %s: %w":                                     internal("sql.Open of the SQLite driver caseaudit registers does not fail (it only records the file's name); opening the file is checked first (cannot open the store …)"),
	"cannot find the running executable: %w":                       internal("os.Executable fails only on a system without /proc mounted, where caseaudit cannot run its own tests either; the hash then says it is unknown"),
	"%s: the export is closed; cannot read the fields of %d cases": internal("a guard: caseaudit closes an export only after the sample's fields are read"),
	"%s: the observer asks for column %d of %d":                    internal("a guard: the factor recorder asks only for columns of the header it was given"),

	// The walk-through's date audited is today: a clock set back before the draw.
	"today (%s, by this computer's clock) is before audit %q could be read: %s; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date":                             goTest("cmd/caseaudit", "TestRecordInteractiveRefusesADayBeforeTheDraw"),
	"today (%s, by this computer's clock) is before the %s left to record could be %s: %s; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date":                  goTest("cmd/caseaudit", "TestRecordInteractiveRefusesADayBeforeTheModerationDraw"),
	"today (%s, by this computer's clock) is before %d of the %s left to record could be %s: %s; the walk-through records each finding as audited today, so it leaves %s out: check the computer's date, or record %s with --date": goTest("cmd/caseaudit", "TestRecordInteractiveLeavesOutCasesDrawnLater"),
}

// goTest is the note of a message a Go test in the package dir prints.
func goTest(dir, name string) string { return "Go test " + name + " (" + dir + ")" }

// pgStory is the note of a message a story of testdata/pgscript prints:
// those run against a PostgreSQL server (TestPostgresScripts), which the
// table, made the same with or without one, does not wait for.
func pgStory(name string) string { return "PostgreSQL story " + name }

// terminalOnly is the note of a message only a person at a terminal meets
// (the full-screen form), which neither a story nor a Go test can drive.
func terminalOnly(why string) string { return "terminal only: " + why }

// internal is the note of a message no user can bring about, and why.
func internal(why string) string { return "internal: " + why }

var goTestNote = regexp.MustCompile(`^Go test (Test\w+) \(([\w/]+)\)$`)

// checkTestNotes checks that each Go test a note names exists and asserts
// the words of its message (a run of them from the format's text), so a
// note cannot name a test that has nothing to do with the message.
func checkTestNotes(msgs []message, notes map[string]string) []error {
	var errs []error
	for _, m := range msgs {
		note, ok := notes[m.Format]
		if name, pg := strings.CutPrefix(note, "PostgreSQL story "); ok && pg {
			b, err := os.ReadFile(filepath.Join("testdata/pgscript", name+".txtar"))
			if err != nil {
				errs = append(errs, fmt.Errorf("note on %q names the PostgreSQL story %s: %v", m.Format, name, err))
			} else if !assertsWords(string(b), m.Format) {
				errs = append(errs, fmt.Errorf("note on %q names the PostgreSQL story %s, which does not assert the message's words", m.Format, name))
			}
			continue
		}
		if !ok || !strings.HasPrefix(note, "Go test") {
			continue
		}
		g := goTestNote.FindStringSubmatch(note)
		if g == nil {
			errs = append(errs, fmt.Errorf("note %q on %q: write goTest(DIR, TestName)", note, m.Format))
			continue
		}
		src, ok := testFuncs(g[2])[g[1]]
		if !ok {
			errs = append(errs, fmt.Errorf("note on %q names %s in %s, which is no test there", m.Format, g[1], g[2]))
			continue
		}
		if !assertsWords(src, m.Format) {
			errs = append(errs, fmt.Errorf("note on %q names %s in %s, which does not assert the message's words", m.Format, g[1], g[2]))
		}
	}
	sort.Slice(errs, func(i, j int) bool { return errs[i].Error() < errs[j].Error() })
	return errs
}

var testFuncCache = map[string]map[string]string{}

// testFuncs is the source of each TestXxx function of the package in dir
// (relative to the module's root).
func testFuncs(dir string) map[string]string {
	if f, ok := testFuncCache[dir]; ok {
		return f
	}
	out := map[string]string{}
	files, _ := filepath.Glob(filepath.Join("../..", dir, "*_test.go"))
	fset := token.NewFileSet()
	for _, file := range files {
		b, err := os.ReadFile(file)
		if err != nil {
			continue
		}
		f, err := parser.ParseFile(fset, file, b, 0)
		if err != nil {
			continue
		}
		for _, d := range f.Decls {
			if fn, ok := d.(*ast.FuncDecl); ok && fn.Recv == nil && strings.HasPrefix(fn.Name.Name, "Test") {
				out[fn.Name.Name] = string(b[fset.Position(fn.Pos()).Offset:fset.Position(fn.End()).Offset])
			}
		}
	}
	testFuncCache[dir] = out
	return out
}

// assertsWords: src holds a run of the format's own text 30 characters
// long (or a whole literal part of 15 or more), as a test asserting the
// message does; shorter runs ("moderators' workbook") are common to
// many messages.
//
// A format of short parts only ("making %s a member of %s: %w") is
// asserted when src holds every one of them.
func assertsWords(src, format string) bool {
	var short []string
	long := false
	for _, part := range verb.Split(format, -1) {
		part = strings.TrimSpace(part)
		r := []rune(part)
		if len(r) < 15 {
			if part != "" && part != ":" {
				short = append(short, part)
			}
			continue
		}
		long = true
		n := min(len(r), 30)
		for i := 0; i+n <= len(r); i++ {
			if strings.Contains(src, string(r[i:i+n])) {
				return true
			}
		}
	}
	if long {
		return false
	}
	for _, part := range short {
		if !strings.Contains(src, part) {
			return false
		}
	}
	return len(short) > 0
}

// TestMessageNotes: every note names a message the code has, and every Go
// test or PostgreSQL story a note names asserts that message's words; run
// on its own, without the stories (TestScripts checks the rest).
func TestMessageNotes(t *testing.T) {
	msgs := codeMessages(t)
	have := map[string]bool{}
	for _, m := range msgs {
		have[m.Format] = true
	}
	for f, note := range messageNotes {
		if !have[f] {
			t.Errorf("a note (%s) names %q, which is no message in the code", note, f)
		}
	}
	for _, err := range checkTestNotes(msgs, messageNotes) {
		t.Error(err)
	}
}
