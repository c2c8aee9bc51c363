package store

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"fmt"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"io"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/pgdsn"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/stdlib"
)

// A PostgreSQL store: a team of auditors on several machines sharing one
// store on a database server. It is named by a URL, postgres://USER@HOST:
// PORT/DATABASE?sslmode=…, read with libpq's conventions (pgx): the password
// comes from PGPASSWORD, ~/.pgpass (PGPASSFILE) or a service file
// (PGSERVICE), never from caseaudit's own options, and is never printed:
// messages name the store by its URL without the password (Redact). The
// store lives in the schema "caseaudit" of that database, or another named
// by caseaudit's own URL parameter schema=NAME (removed before connecting).
//
// An administrator makes the store once with InitPostgres (caseaudit store
// init URL), as the role that will own it; people log in as their own roles,
// members of RoleQA or RoleAuditor (see pg_schema.go), and each entry records
// that login (session_user) as who entered it. Queries are written with
// $N placeholders, which pgx binds as they are.

// DefaultPostgresSchema is the schema of a PostgreSQL store unless its URL
// says schema=NAME.
const DefaultPostgresSchema = "caseaudit"

// IsPostgres reports whether a store location names a PostgreSQL store (a
// postgres:// or postgresql:// URL, or a connection string in libpq's
// keyword form, "host=… dbname=…") rather than an SQLite file.
func IsPostgres(where string) bool {
	w := strings.ToLower(strings.TrimSpace(where))
	return strings.HasPrefix(w, "postgres://") || strings.HasPrefix(w, "postgresql://") || pgdsn.IsKeywordForm(where)
}

// HasPassword reports whether a PostgreSQL URL carries a password (in its
// user part or as a password parameter). Commands refuse such URLs on the
// command line, where other users of the machine may see them.
func HasPassword(where string) bool {
	if !IsPostgres(where) {
		return false
	}
	if pgdsn.IsKeywordForm(where) {
		return pgdsn.HasPassword(where)
	}
	u, err := url.Parse(strings.TrimSpace(where))
	if err != nil {
		// Read the user part by hand: "USER:PASSWORD@" holds one, a bare
		// "USER@" does not, and the mistake is then the URL's own.
		rest := where[strings.Index(where, "://")+3:]
		if at := strings.LastIndex(rest, "@"); at >= 0 && strings.Contains(rest[:at], ":") {
			return true
		}
		return strings.Contains(strings.ToLower(where), "password")
	}
	if _, ok := u.User.Password(); ok {
		return true
	}
	for k := range u.Query() {
		if strings.EqualFold(k, "password") {
			return true
		}
	}
	return false
}

// Redact returns a store location safe to print: a PostgreSQL URL without
// its password (and without a password parameter); a path as it is.
func Redact(where string) string {
	if !IsPostgres(where) {
		return where
	}
	if pgdsn.IsKeywordForm(where) {
		return pgdsn.Redact(where)
	}
	u, err := url.Parse(strings.TrimSpace(where))
	if err != nil {
		if HasPassword(where) {
			return "postgres://(a URL that does not parse)"
		}
		return strings.TrimSpace(where) // no password to hide
	}
	if u.User != nil {
		u.User = url.User(u.User.Username())
	}
	q := u.Query()
	for k := range q {
		if strings.EqualFold(k, "password") || strings.EqualFold(k, "sslpassword") {
			q.Del(k)
		}
	}
	u.RawQuery = q.Encode()
	return u.String()
}

var schemaName = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^[a-z_][a-z0-9_]{0,62}$`) })

// pgTarget is a parsed PostgreSQL store location.
type pgTarget struct {
	shown       string // Redact(url)
	schema      string
	config      *pgx.ConnConfig
	lockTimeout time.Duration // how long a writer waits for another's lock
}

// parsePostgres reads a store URL: caseaudit's schema parameter, then
// everything else by libpq's rules (environment, password file, service).
func parsePostgres(where string, timeout time.Duration) (*pgTarget, error) {
	shown := Redact(where)
	if pgdsn.IsKeywordForm(where) {
		return parseKeywordForm(where, shown, timeout)
	}
	u, err := url.Parse(strings.TrimSpace(where))
	if err != nil {
		return nil, fmt.Errorf("the store URL %s does not parse; write it as postgres://USER@HOST:PORT/DATABASE", shown)
	}
	q := u.Query()
	schema := DefaultPostgresSchema
	if s := q.Get("schema"); s != "" {
		if !schemaName().MatchString(s) {
			return nil, fmt.Errorf("the store URL %s: schema %q is not a plain lower-case name (letters, digits, _)", shown, s)
		}
		schema = s
	}
	q.Del("schema")
	u.RawQuery = q.Encode()
	return pgConfig(u.String(), shown, schema, timeout)
}

// parseKeywordForm reads a store named in libpq's keyword form, with
// caseaudit's own schema=NAME among the keywords.
func parseKeywordForm(where, shown string, timeout time.Duration) (*pgTarget, error) {
	pairs, err := pgdsn.Parse(where)
	if err != nil {
		// The shown store already says the string does not parse.
		why := strings.TrimPrefix(err.Error(), pgdsn.ErrSyntax.Error()+": ")
		return nil, fmt.Errorf("the store %s: %s; write it as host=HOST dbname=DATABASE user=USER, quoting a value that holds spaces with '…'", shown, why)
	}
	schema := DefaultPostgresSchema
	if s, ok := pgdsn.Get(pairs, "schema"); ok && s != "" {
		if !schemaName().MatchString(s) {
			return nil, fmt.Errorf("the store %s: schema %q is not a plain lower-case name (letters, digits, _)", shown, s)
		}
		schema = s
	}
	return pgConfig(pgdsn.Format(pgdsn.Without(pairs, "schema")), shown, schema, timeout)
}

// pgConfig reads a connection string (either form) by libpq's rules.
func pgConfig(conn, shown, schema string, timeout time.Duration) (*pgTarget, error) {
	cfg, err := pgx.ParseConfig(conn)
	if err != nil {
		msg := "it does not parse; write it as postgres://USER@HOST:PORT/DATABASE (a port from 1 to 65535) or host=HOST port=PORT dbname=DATABASE user=USER"
		var pe *pgconn.ParseConfigError
		if errors.As(err, &pe) && pe.Unwrap() != nil {
			msg = pe.Unwrap().Error()
		}
		return nil, fmt.Errorf("the store %s: %s", shown, flatten(msg))
	}
	if timeout <= 0 {
		timeout = DefaultBusyTimeout
	}
	if cfg.ConnectTimeout == 0 {
		cfg.ConnectTimeout = 10 * time.Second
	}
	// Only the startup parameters a pooler such as PgBouncer passes on
	// (application_name, TimeZone): the schema, the lock timeout and the
	// statement timeout are set for each transaction instead (setLocal),
	// which survives transaction pooling. For the same reason no named
	// prepared statement is made unless the store's URL asks for them
	// (pgx's default_query_exec_mode=cache_statement, for a direct
	// connection): each query goes as an unnamed statement in one round
	// trip, parsed and planned every time, so a write sends few (see
	// Tx.Prefetch and lockingAudit).
	rp := cfg.RuntimeParams
	for _, k := range []string{"search_path", "lock_timeout", "statement_timeout", "options"} {
		delete(rp, k)
	}
	if rp["application_name"] == "" {
		rp["application_name"] = "caseaudit"
	}
	rp["TimeZone"] = "UTC"
	if !strings.Contains(conn, "default_query_exec_mode") {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
	return &pgTarget{shown: shown, schema: schema, config: cfg, lockTimeout: timeout}, nil
}

func (t *pgTarget) open(maxConns int) *sql.DB {
	db := sql.OpenDB(connector(*t.config))
	db.SetMaxOpenConns(maxConns)
	db.SetMaxIdleConns(maxConns)
	db.SetConnMaxIdleTime(time.Minute)
	return db
}

// connector makes the connections of a store's pool. pgx's stdlib pings
// a connection the pool hands out again after a second's rest before
// using it, and counts one never handed out before as resting since
// forever: a command would pay a round trip for its second statement on a
// connection made milliseconds before. Its rest is counted from its
// making instead, until it has been handed out once.
func connector(cfg pgx.ConnConfig) driver.Connector {
	var made sync.Map // *pgx.Conn → when it was made
	return stdlib.GetConnector(cfg,
		stdlib.OptionAfterConnect(func(_ context.Context, c *pgx.Conn) error {
			made.Store(c, time.Now())
			return nil
		}),
		stdlib.OptionShouldPing(func(_ context.Context, p stdlib.ShouldPingParams) bool {
			idle := p.IdleDuration
			if at, ok := made.LoadAndDelete(p.Conn); ok {
				idle = min(idle, time.Since(at.(time.Time)))
			}
			return idle > time.Second
		}))
}

// pgStoreInfo is what a database says about the caseaudit schema in it.
type pgStoreInfo struct {
	schemaExists bool
	empty        bool // the schema holds no relation at all
	marked       bool // meta says application = caseaudit
	version      int
	owner        string // the schema's owner
	isOwner      bool   // session_user is (a member of) the owner
	sessionUser  string
	encoding     string
	database     string
	// ctype is the database's LC_CTYPE, and foldsAll whether its default
	// collation puts every letter in lower case, not only ASCII's
	// (foldsUnicode); both are read only from a UTF8 database.
	ctype       string
	foldsAll    bool
	probeKey    string // the guards' key of namekey.Probe (nameKeySQL)
	hasPrefetch bool   // the schema has the prefetch function
	// prefix is the store's role prefix from meta; "" for a store made
	// before roles were per store.
	prefix string
	// clock is the server's clock as the store was inspected; zero when
	// inspected step by step (inspectPostgres), which does not read it.
	clock time.Time
}

// names is the store's schema and role names as this login finds them.
func (in *pgStoreInfo) names(schema string) pgNames {
	p := in.prefix
	if p == "" {
		p = legacyPrefix
	}
	return pgNames{schema: schema, prefix: p}
}

// querier is what inspectPostgres reads through: the store's *sql.DB or
// init's transaction.
type querier interface {
	QueryContext(context.Context, string, ...any) (*sql.Rows, error)
	QueryRowContext(context.Context, string, ...any) *sql.Row
}

// inspectStore reads what inspectPostgres reads, in one statement and so
// one round trip, from a schema that holds a meta table, as every store
// does: the statement names it. Where there is none (no schema, an empty
// one, another application's), it fails as nothing else would, and
// inspectPostgres, which asks step by step, tells which it is. Not in a
// transaction, which the failed statement would end.
//
// It asks what foldsUnicode asks too, with the letters as parameters, which
// a database not in UTF8 cannot take (untranslatable_character): that one,
// too, is inspected step by step, where foldsUnicode is asked of a UTF8
// database only.
func inspectStore(ctx context.Context, db *sql.DB, schema string) (*pgStoreInfo, error) {
	rows, err := db.QueryContext(ctx, `SELECT session_user, current_setting('server_encoding'), current_database(),
		pg_catalog.pg_get_userbyid(n.nspowner), pg_catalog.pg_has_role(session_user, n.nspowner, 'MEMBER'),
		pg_catalog.to_regprocedure(pg_catalog.quote_ident($2) || '.prefetch(bigint, text, text[], text[], boolean)') IS NOT NULL,
		pg_catalog.current_setting('lc_ctype'), `+lowerSQL(`$3::text`)+` = $4::text, `+nameKeySQL(`$5::text`)+`,
		m.key, m.value, pg_catalog.clock_timestamp()
		FROM pg_catalog.pg_namespace n
		LEFT JOIN `+quoteIdent(schema)+`.meta m ON m.key IN ('application', 'schema_version', 'role_prefix')
		WHERE n.nspname = $1`, schema, schema, "\u00c9\u0394\u0416", "\u00e9\u03b4\u0436", namekey.Probe)
	var pe *pgconn.PgError
	if errors.As(err, &pe) && slices.Contains([]string{"42P01", "3F000", "22P05", "22021"}, pe.Code) {
		// undefined_table, invalid_schema_name, untranslatable_character, character_not_in_repertoire
		return inspectPostgres(ctx, db, schema)
	}
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	in := &pgStoreInfo{}
	var ctype, probeKey string
	var foldsAll bool
	for rows.Next() {
		var k, v sql.NullString
		if err := rows.Scan(&in.sessionUser, &in.encoding, &in.database, &in.owner, &in.isOwner, &in.hasPrefetch,
			&ctype, &foldsAll, &probeKey, &k, &v, &in.clock); err != nil {
			return nil, err
		}
		in.schemaExists = true // and not empty: meta is in it
		in.meta(k.String, v.String)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if !in.schemaExists { // the schema went between planning and reading
		return inspectPostgres(ctx, db, schema)
	}
	if strings.EqualFold(in.encoding, "UTF8") {
		in.ctype, in.foldsAll, in.probeKey = ctype, foldsAll, probeKey
	}
	return in, nil
}

// meta takes in a row of the store's meta table that inspectPostgres reads.
func (in *pgStoreInfo) meta(k, v string) {
	switch k {
	case "application":
		in.marked = v == "caseaudit"
	case "schema_version":
		in.version, _ = strconv.Atoi(v)
	case "role_prefix":
		in.prefix = v
	}
}

func inspectPostgres(ctx context.Context, q querier, schema string) (*pgStoreInfo, error) {
	in := &pgStoreInfo{}
	var owner sql.NullString
	var isOwner sql.NullBool
	err := q.QueryRowContext(ctx, `SELECT session_user, current_setting('server_encoding'), current_database(),
		(SELECT pg_get_userbyid(nspowner) FROM pg_catalog.pg_namespace WHERE nspname = $1),
		(SELECT pg_has_role(session_user, nspowner, 'MEMBER') FROM pg_catalog.pg_namespace WHERE nspname = $2),
		pg_catalog.to_regprocedure(pg_catalog.quote_ident($2) || '.prefetch(bigint, text, text[], text[], boolean)') IS NOT NULL`,
		schema, schema).Scan(&in.sessionUser, &in.encoding, &in.database, &owner, &isOwner, &in.hasPrefetch)
	if err != nil {
		return nil, err
	}
	if strings.EqualFold(in.encoding, "UTF8") {
		if in.ctype, in.foldsAll, in.probeKey, err = foldsUnicode(ctx, q); err != nil {
			return nil, err
		}
	}
	if !owner.Valid {
		return in, nil
	}
	in.schemaExists, in.owner, in.isOwner = true, owner.String, isOwner.Bool
	var rels int
	if err := q.QueryRowContext(ctx, `SELECT count(*) FROM pg_catalog.pg_class c JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace
		WHERE n.nspname = $1`, schema).Scan(&rels); err != nil {
		return nil, err
	}
	in.empty = rels == 0
	var meta sql.NullString
	if err := q.QueryRowContext(ctx, "SELECT to_regclass($1)::text", quoteIdent(schema)+".meta").Scan(&meta); err != nil {
		return nil, err
	}
	if !meta.Valid {
		return in, nil
	}
	rows, err := q.QueryContext(ctx, "SELECT key, value FROM "+quoteIdent(schema)+".meta WHERE key IN ('application', 'schema_version', 'role_prefix')")
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	for rows.Next() {
		var k, v string
		if err := rows.Scan(&k, &v); err != nil {
			return nil, err
		}
		in.meta(k, v)
	}
	return in, rows.Err()
}

// foldsUnicode reports the database's LC_CTYPE, whether its default
// collation, which the guards compare names in (lowerSQL), puts every
// letter in lower case as Go does, not only A to Z as the C and POSIX
// locales do, and the key the guards make of namekey.Probe (nameKeySQL).
// It asks lower() and upper() themselves, so that whatever the locale
// provider (libc, or ICU, whose LC_CTYPE may say C) the answer is the one
// the guards will get. Only a UTF8 database can hold the letters it tries.
func foldsUnicode(ctx context.Context, q querier) (string, bool, string, error) {
	var ctype, probeKey string
	var folds bool
	err := q.QueryRowContext(ctx, `SELECT pg_catalog.current_setting('lc_ctype'),
		`+lowerSQL(`U&'\00C9\0394\0416'`)+` = U&'\00E9\03B4\0436', `+nameKeySQL(`$1::text`)+``, namekey.Probe).Scan(&ctype, &folds, &probeKey)
	return ctype, folds, probeKey, err
}

// asciiOnly says that a database folds only ASCII letters (foldsUnicode),
// or cases some other letters otherwise than caseaudit compares names
// (namekey), and why that matters, for a store's integrity check, its
// opening and store init; "" when its guards compare names as caseaudit
// does.
func (in *pgStoreInfo) asciiOnly() string {
	if !strings.EqualFold(in.encoding, "UTF8") {
		return ""
	}
	if !in.foldsAll {
		return fmt.Sprintf("its database's locale (LC_CTYPE %s) puts only A to Z in lower case, so the guards would take ÉLODIE and Élodie for two people where caseaudit takes them for one", in.ctype)
	}
	if in.probeKey != namekey.Key(namekey.Probe) {
		return "its database's default collation " + in.casesOtherwise() + ", so the guards would take some names caseaudit takes for one person for two"
	}
	return ""
}

// casesOtherwise says how a database's default collation cases letters
// otherwise than caseaudit compares names (an ICU collation, or a libc
// locale with Turkish casing).
func (in *pgStoreInfo) casesOtherwise() string {
	return fmt.Sprintf("(LC_CTYPE %s) cases some letters otherwise than caseaudit compares names: it makes %s of %s, caseaudit %s",
		in.ctype, in.probeKey, namekey.Probe, namekey.Key(namekey.Probe))
}

// libcLocale is what to do about a database whose default collation cases
// letters otherwise than caseaudit (an ICU one): libc's UTF-8 casing is
// namekey's.
const libcLocale = "CREATE DATABASE … ENCODING 'UTF8' LOCALE_PROVIDER libc LOCALE 'C.UTF-8' TEMPLATE template0"

// utf8Locale is what to do about a database that folds only ASCII.
const utf8Locale = "CREATE DATABASE … ENCODING 'UTF8' LOCALE 'C.UTF-8' TEMPLATE template0 (or another UTF-8 locale)"

// openPostgres opens a PostgreSQL store. A database without the store's
// schema, a schema that is not a caseaudit store, or a store of a newer
// caseaudit is refused (wrapping ErrNotStore) without writing anything; an
// older store is migrated when the login owns it, else refused with what
// its owner must run.
func openPostgres(ctx context.Context, where string, opts Options) (*Store, error) {
	t, err := parsePostgres(where, opts.BusyTimeout)
	if err != nil {
		return nil, err
	}
	s := &Store{path: t.shown, db: t.open(8), b: newPGBackend(t, opts.deadline()), deadline: opts.deadline(), lockWait: t.lockTimeout,
		machine: opts.MachineClock}
	s.raw = sync.OnceValue(func() *sql.DB {
		cfg := t.config.Copy()
		cfg.RuntimeParams["search_path"] = quoteIdent(t.schema)
		db := sql.OpenDB(connector(*cfg))
		s.closing = append(s.closing, db)
		return db
	})
	sent := s.machineNow()
	in, err := inspectStore(ctx, s.db, t.schema)
	if err == nil && !in.clock.IsZero() {
		// The server read its clock about halfway between the question
		// and the answer.
		got := s.machineNow()
		s.skew = in.clock.Sub(sent.Add(got.Sub(sent) / 2))
		s.skewRead = true
	}
	if err != nil {
		s.db.Close()
		if e := connectError(s, err); e != nil && ctx.Err() == nil {
			// Before Explain, which leaves a deadline to the caller: this
			// one is the connect timeout's, not the command's.
			return nil, e
		}
		return nil, s.Explain("opening", err)
	}
	s.enteredBy = in.sessionUser
	pb := s.b.(*pgBackend)
	pb.names = in.names(t.schema)
	pb.waiting, pb.db, pb.hasPrefetch = opts.Waiting, s.db, in.hasPrefetch
	switch {
	case !in.schemaExists || in.empty:
		err = errorf(ErrNotStore, "%s holds no caseaudit store (no schema %s); its administrator creates one with: caseaudit store init URL", s.path, t.schema)
	case !in.marked:
		err = errorf(ErrNotStore, "%s is not a caseaudit store (its schema %s holds other tables); name another database or schema", s.path, t.schema)
	case in.version > len(pgMigrations):
		err = errorf(ErrNotStore, "the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit",
			s.path, in.version, len(pgMigrations))
	case in.version < len(pgMigrations) && !in.isOwner:
		err = fmt.Errorf("the store %s has schema version %d and this caseaudit needs %d; its owner (role %s) upgrades it with: caseaudit store init URL",
			s.path, in.version, len(pgMigrations), in.owner)
	case in.version < len(pgMigrations):
		var res *InitResult
		if res, err = initPostgres(ctx, s, t, len(pgMigrations)); err != nil {
			err = s.Explain("upgrading", err)
		} else {
			pb.names.prefix = strings.TrimSuffix(res.Roles[0], "_"+GroupQA)
			pb.hasPrefetch = true // init made every guard function
		}
	}
	if err != nil {
		s.db.Close()
		return nil, err
	}
	if w := in.asciiOnly(); w != "" && opts.Warn != nil {
		// Not refused: caseaudit's own checks compare names rightly
		// whatever the database, and the store must stay readable and
		// copyable to be moved; the database's guards, though, do not.
		opts.Warn(fmt.Sprintf("the store %s is not protected as it should be: %s; its owner moves it to a new database with a UTF-8 locale (%s; caseaudit store init NEW-URL; caseaudit store copy %s NEW-URL)",
			s.path, w, utf8Locale, s.path))
	}
	return s, nil
}

// InitResult says what InitPostgres did.
type InitResult struct {
	Store   string // the store's URL without password
	Schema  string
	Owner   string // the role that owns the store (the one that ran init)
	Created bool   // the schema was made now
	From    int    // the schema version found (0 when created)
	Version int    // the schema version now
	// Roles are the store's group roles, in the order of the groups
	// (GroupQA, GroupAuditor, GroupGovernance).
	Roles []string
	// RolesCreated lists the group roles made now (they existed otherwise).
	RolesCreated []string
	// Migrated lists the members of the cluster-wide roles made members of
	// the store's own, when the store was given roles of its own now.
	Migrated []RoleMember
	// RevokedLegacy: the store used the cluster-wide roles caseaudit_qa
	// and caseaudit_auditor until now; they hold nothing in it any more.
	RevokedLegacy bool
	// ASCIIOnly, for a store made before store init refused such a
	// database, says that its database folds only ASCII letters, so its
	// guards do not compare names as caseaudit does, and what to do; ""
	// otherwise.
	ASCIIOnly string
}

// RoleMember is a login given a store's own group role in place of a
// cluster-wide one.
type RoleMember struct {
	Login, From, To string
}

// Role returns the name of a group role (GroupQA, GroupAuditor,
// GroupGovernance) from InitResult.Roles.
func (r *InitResult) Role(group string) string {
	for i, g := range storeGroups {
		if g == group && i < len(r.Roles) {
			return r.Roles[i]
		}
	}
	return ""
}

// InitPostgres makes a PostgreSQL store, or brings an existing one up to
// date, in one transaction: the schema and its tables (pg_schema.go), the
// group roles RoleQA and RoleAuditor when missing (which needs CREATEROLE),
// and their grants. The login running it owns the store. A schema that is
// not a caseaudit store, or a newer store, is refused untouched; a database
// not encoded in UTF-8 is refused.
func InitPostgres(ctx context.Context, where string) (*InitResult, error) {
	return InitPostgresVersion(ctx, where, len(pgMigrations))
}

// InitPostgresVersion is InitPostgres stopping at an older schema version;
// tests use it to check that stores are migrated.
func InitPostgresVersion(ctx context.Context, where string, version int) (*InitResult, error) {
	if !IsPostgres(where) {
		return nil, fmt.Errorf("%s is not a postgres:// URL; an SQLite store needs no init (it is made when first used)", where)
	}
	if version < 1 || version > len(pgMigrations) {
		return nil, fmt.Errorf("schema version %d is not one this caseaudit knows (1 to %d)", version, len(pgMigrations))
	}
	t, err := parsePostgres(where, 0)
	if err != nil {
		return nil, err
	}
	s := &Store{path: t.shown, db: t.open(1), b: newPGBackend(t, DefaultDeadline)}
	defer s.db.Close()
	res, err := initPostgres(ctx, s, t, version)
	if err != nil {
		return nil, s.Explain("setting up", err)
	}
	return res, nil
}

func initPostgres(ctx context.Context, s *Store, t *pgTarget, version int) (*InitResult, error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer tx.Rollback()
	// One init at a time in this database (two test packages, two
	// administrators, or an upgrade on open racing an init).
	if _, err := tx.ExecContext(ctx, "SELECT pg_catalog.pg_advisory_xact_lock($1, -1)", pgInitLock); err != nil {
		return nil, err
	}
	in, err := inspectPostgres(ctx, tx, t.schema)
	if err != nil {
		return nil, err
	}
	if !strings.EqualFold(in.encoding, "UTF8") {
		return nil, fmt.Errorf("the database of %s is encoded in %s; a caseaudit store needs a UTF8 database (CREATE DATABASE … ENCODING 'UTF8')", s.path, in.encoding)
	}
	res := &InitResult{Store: s.path, Schema: t.schema, Owner: in.sessionUser, From: in.version}
	// A new store is refused a database whose guards would not compare
	// names as caseaudit does. A store already in one is upgraded all the
	// same, so that it stays readable and can be copied out.
	if w := in.asciiOnly(); w != "" {
		if (!in.schemaExists || in.empty) && !in.foldsAll {
			return nil, fmt.Errorf("the database of %s puts only A to Z in lower case (its LC_CTYPE is %s), so a store's guards would take ÉLODIE and Élodie for two people where caseaudit takes them for one; a caseaudit store needs a database with a UTF-8 locale: %s",
				s.path, in.ctype, utf8Locale)
		}
		if !in.schemaExists || in.empty {
			return nil, fmt.Errorf("the database of %s %s, so a store's guards would take some names caseaudit takes for one person for two; a caseaudit store needs a database with a libc UTF-8 locale: %s",
				s.path, in.casesOtherwise(), libcLocale)
		}
		res.ASCIIOnly = fmt.Sprintf("the store %s is not protected as it should be: %s; move it to a new database with a UTF-8 locale (%s; caseaudit store init NEW-URL; caseaudit store copy %s NEW-URL)",
			s.path, w, utf8Locale, s.path)
	}
	switch {
	case in.schemaExists && !in.empty && !in.marked:
		return nil, errorf(ErrNotStore, "%s is not a caseaudit store (its schema %s holds other tables); name another database, or another schema with ?schema=NAME", s.path, t.schema)
	case in.version > len(pgMigrations):
		return nil, errorf(ErrNotStore, "the store %s was written by a newer caseaudit (schema version %d; this one knows up to %d); upgrade caseaudit",
			s.path, in.version, len(pgMigrations))
	case in.schemaExists && !in.isOwner:
		return nil, fmt.Errorf("the schema %s of %s belongs to the role %s; run store init as that role", t.schema, s.path, in.owner)
	}
	if in.version > version {
		version = in.version
	}
	n, err := storeRoles(ctx, tx, in, t.schema, res)
	if err != nil {
		return nil, err
	}
	if !in.schemaExists {
		if _, err := tx.ExecContext(ctx, "CREATE SCHEMA "+quoteIdent(t.schema)); err != nil {
			return nil, err
		}
		res.Created = true
	}
	for v := in.version; v < version; v++ {
		if _, err := tx.ExecContext(ctx, inSchema(withFunctions(pgMigrations[v]), t.schema)); err != nil {
			return nil, fmt.Errorf("migrating the store schema to version %d: %w", v+1, err)
		}
	}
	if _, err := tx.ExecContext(ctx, "UPDATE "+quoteIdent(t.schema)+".meta SET value = $1 WHERE key = 'schema_version'", strconv.Itoa(version)); err != nil {
		return nil, err
	}
	if _, err := tx.ExecContext(ctx, "INSERT INTO "+quoteIdent(t.schema)+".meta (key, value) VALUES ('role_prefix', $1) ON CONFLICT (key) DO UPDATE SET value = EXCLUDED.value", n.prefix); err != nil {
		return nil, err
	}
	if version == len(pgMigrations) {
		// Every guard as this version expects it, whatever was dropped,
		// disabled or replaced since.
		if _, err := tx.ExecContext(ctx, guardsSQL(n)); err != nil {
			return nil, fmt.Errorf("restoring the store's guards: %w", err)
		}
	}
	if in.prefix == "" && in.schemaExists && !in.empty {
		// A store that used the cluster-wide roles: they keep nothing in it.
		res.RevokedLegacy = true
	}
	var legacy []string
	if res.RevokedLegacy {
		legacy, err = existingRoles(ctx, tx, legacyPrefix+"_"+GroupQA, legacyPrefix+"_"+GroupAuditor, legacyPrefix+"_"+GroupGovernance)
		if err != nil {
			return nil, err
		}
	}
	if _, err := tx.ExecContext(ctx, grantsSQL(n, version, legacy)); err != nil {
		return nil, fmt.Errorf("granting the roles their privileges: %w", err)
	}
	if version == len(pgMigrations) {
		if _, err := tx.ExecContext(ctx, retireGrantsSQL(n)); err != nil {
			return nil, fmt.Errorf("granting the roles their privileges: %w", err)
		}
	}
	if err := tx.Commit(); err != nil {
		return nil, err
	}
	res.Version = version
	if res.Created {
		res.From = 0
	}
	return res, nil
}

// existingRoles returns those of names that exist.
func existingRoles(ctx context.Context, tx *sql.Tx, names ...string) ([]string, error) {
	var out []string
	for _, r := range names {
		var ok bool
		if err := tx.QueryRowContext(ctx, "SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)", r).Scan(&ok); err != nil {
			return nil, err
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

// storeRoles makes the store's group roles when missing: for a new store,
// or one still on the cluster-wide roles, it chooses the role prefix
// (rolePrefix; with a hash when the plain names are another store's, as
// their comments say; a role without a comment is adopted), and for the latter makes every member of
// caseaudit_qa or caseaudit_auditor a member of the store's own role of
// the same group, so that everyone who worked in the store still does.
func storeRoles(ctx context.Context, tx *sql.Tx, in *pgStoreInfo, schema string, res *InitResult) (pgNames, error) {
	n := pgNames{schema: schema, prefix: in.prefix}
	if n.prefix == "" {
		for _, taken := range []bool{false, true} {
			n.prefix = rolePrefix(in.database, schema, taken)
			free := true
			for _, g := range storeGroups {
				var other bool
				// A role without a comment is taken for this store's: an
				// administrator made it for init, as init's message says.
				err := tx.QueryRowContext(ctx, `SELECT coalesce(pg_catalog.shobj_description(r.oid, 'pg_authid'), '') NOT IN ('', $2)
					FROM pg_catalog.pg_roles r WHERE r.rolname = $1`, n.role(g), roleComment(in.database, schema, g)).Scan(&other)
				if err != nil && err != sql.ErrNoRows {
					return n, err
				}
				if other {
					free = false
				}
			}
			if free {
				break
			}
			if taken {
				return n, fmt.Errorf("the roles %s already exist and are not this store's (their comments name another); a database administrator drops or renames them, then run store init again", strings.Join(groupRoles(n), ", "))
			}
		}
	}
	var missing []string
	for _, g := range storeGroups {
		res.Roles = append(res.Roles, n.role(g))
		exists, err := existingRoles(ctx, tx, n.role(g))
		if err != nil {
			return n, err
		}
		if len(exists) > 0 {
			continue
		}
		// In a savepoint: a login without CREATEROLE is told what its
		// administrator runs, which needs the transaction still usable.
		if _, err := tx.ExecContext(ctx, "SAVEPOINT create_role"); err != nil {
			return n, err
		}
		_, err = tx.ExecContext(ctx, "CREATE ROLE "+quoteIdent(n.role(g))+" NOLOGIN")
		var pe *pgconn.PgError
		if errors.As(err, &pe) && pe.Code == "42501" {
			if _, err := tx.ExecContext(ctx, "ROLLBACK TO SAVEPOINT create_role"); err != nil {
				return n, err
			}
			missing = append(missing, n.role(g))
			continue
		}
		if err != nil {
			return n, err
		}
		if _, err := tx.ExecContext(ctx, "COMMENT ON ROLE "+quoteIdent(n.role(g))+" IS "+quoteLiteral(roleComment(in.database, schema, g))); err != nil {
			return n, err
		}
		res.RolesCreated = append(res.RolesCreated, n.role(g))
	}
	if len(missing) > 0 {
		var stmts []string
		for _, r := range missing {
			stmts = append(stmts, "CREATE ROLE "+quoteIdent(r)+" NOLOGIN; GRANT "+quoteIdent(r)+" TO "+quoteIdent(in.sessionUser)+" WITH ADMIN OPTION;")
		}
		return n, fmt.Errorf("the store's roles do not exist and the login %s may not create roles; a database administrator creates them with: %s then run store init again",
			in.sessionUser, strings.Join(stmts, " "))
	}
	if in.prefix != "" || !in.schemaExists || in.empty {
		return n, nil
	}
	// Members of the cluster-wide roles, each given this store's role of
	// the same group.
	for _, g := range []string{GroupQA, GroupAuditor} {
		rows, err := tx.QueryContext(ctx, `SELECT m.rolname FROM pg_catalog.pg_auth_members am
			JOIN pg_catalog.pg_roles g ON g.oid = am.roleid JOIN pg_catalog.pg_roles m ON m.oid = am.member
			WHERE g.rolname = $1 ORDER BY m.rolname`, legacyPrefix+"_"+g)
		if err != nil {
			return n, err
		}
		var members []string
		for rows.Next() {
			var m string
			if err := rows.Scan(&m); err != nil {
				rows.Close()
				return n, err
			}
			members = append(members, m)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return n, err
		}
		for _, m := range members {
			if _, err := tx.ExecContext(ctx, "GRANT "+quoteIdent(n.role(g))+" TO "+quoteIdent(m)); err != nil {
				return n, fmt.Errorf("making %s a member of %s: %w", m, n.role(g), err)
			}
			res.Migrated = append(res.Migrated, RoleMember{Login: m, From: legacyPrefix + "_" + g, To: n.role(g)})
		}
	}
	return n, nil
}

// groupRoles lists the store's group roles.
func groupRoles(n pgNames) []string {
	var out []string
	for _, g := range storeGroups {
		out = append(out, n.role(g))
	}
	return out
}

// pgBackend is a PostgreSQL store.
type pgBackend struct {
	schema      string
	names       pgNames // the schema and its roles, as found on open
	lockTimeout time.Duration
	deadline    time.Duration // statement_timeout for each transaction; 0: none
	// waiting, when set, is told when a write must wait for another
	// session's lock, and whose.
	waiting func(string)
	db      *sql.DB // the store's connections, to look up who holds a lock
	// hasPrefetch: the store has the prefetch function (pg_guards.go).
	hasPrefetch bool
}

// newPGBackend is the backend of the store target names.
func newPGBackend(t *pgTarget, deadline time.Duration) *pgBackend {
	return &pgBackend{schema: t.schema, names: pgNames{schema: t.schema}, lockTimeout: t.lockTimeout, deadline: deadline}
}

// setLocal gives a transaction the store's schema, how long to wait for
// another writer's lock (then ErrBusy, as SQLite's busy timeout), and the
// statement deadline: settings that end with the transaction, so that
// they hold behind a pooler in transaction mode. It returns the server's
// clock, read in the same statement (see Tx.Now).
func (b *pgBackend) setLocal(ctx context.Context, tx *sql.Tx) (time.Time, error) {
	lock := b.lockTimeout
	if lock <= 0 {
		lock = DefaultBusyTimeout
	}
	var at time.Time
	err := tx.QueryRowContext(ctx, `SELECT pg_catalog.clock_timestamp() FROM (SELECT pg_catalog.set_config('search_path', $1, true),
		pg_catalog.set_config('lock_timeout', $2, true), pg_catalog.set_config('statement_timeout', $3, true)) s`,
		quoteIdent(b.schema), strconv.FormatInt(lock.Milliseconds(), 10), strconv.FormatInt(b.deadline.Milliseconds(), 10)).Scan(&at)
	return at, err
}

func (*pgBackend) kind() string { return "postgres" }

// beginWrite starts a READ COMMITTED transaction: every statement sees what
// was committed before it began, and as every writer of an audit takes the
// audit's lock before reading anything of it (Tx.lock), a writer sees
// all that earlier writers committed. A connection found broken before
// anything was sent is replaced once.
func (b *pgBackend) beginWrite(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error) {
	return b.begin(ctx, db, nil)
}

// begin starts a transaction with the store's settings (setLocal), and
// returns the server's clock as it began. A connection found broken
// before anything was sent is replaced once.
func (b *pgBackend) begin(ctx context.Context, db *sql.DB, opts *sql.TxOptions) (*sql.Tx, time.Time, error) {
	for try := 0; ; try++ {
		var at time.Time
		tx, err := db.BeginTx(ctx, opts)
		if err == nil {
			if at, err = b.setLocal(ctx, tx); err != nil {
				tx.Rollback()
			}
		}
		if err != nil && connLost(err) && ctx.Err() == nil && try == 0 {
			continue
		}
		if err != nil {
			return nil, time.Time{}, err
		}
		return tx, at, nil
	}
}

// beginRead starts a REPEATABLE READ transaction: one snapshot of the
// store. A connection lost before it started is tried once more.
func (b *pgBackend) beginRead(ctx context.Context, db *sql.DB) (*sql.Tx, time.Time, error) {
	return b.begin(ctx, db, &sql.TxOptions{Isolation: sql.LevelRepeatableRead, ReadOnly: true})
}

// lockAudit takes the audit's transaction advisory lock: writers of one
// audit, on any machine, take turns; it is released when the transaction
// ends (committed or rolled back, or the connection lost). When another
// session holds it, the wait is announced first, naming who holds it
// (lockHolder), and a wait that outlasts the lock timeout ends with a
// message naming them too. The server's clock is read in the statement
// that takes the lock, once it holds it (the lock is taken in a subquery,
// which PostgreSQL evaluates first, as it never merges one calling a
// volatile function into the query around it).
func (b *pgBackend) lockAudit(ctx context.Context, tx *sql.Tx, auditID int64) (time.Time, error) {
	space, key := lockSpace(b.schema), int32(auditID)
	var got bool
	var mark sql.NullString
	var gotAt sql.NullTime
	if err := tx.QueryRowContext(ctx, "SELECT l.got, CASE WHEN l.got THEN "+markWriting+
		" END, CASE WHEN l.got THEN pg_catalog.clock_timestamp() END FROM (SELECT pg_catalog.pg_try_advisory_xact_lock($1, $2) AS got) l",
		space, key, writingMark).Scan(&got, &mark, &gotAt); err != nil {
		return time.Time{}, err
	}
	if got {
		return gotAt.Time, nil
	}
	// Waits are common and short while several people record at once:
	// who holds the lock is looked up, on another connection, only when
	// the wait lasts, so that a short one costs no more than the wait.
	var h *lockHolder
	looked := make(chan struct{})
	notice := time.AfterFunc(min(waitNotice, b.lockWait()/2), func() {
		defer close(looked)
		h = b.lockHolder(ctx, space, key)
		if b.waiting != nil && h != nil {
			b.waiting(fmt.Sprintf("waiting for %s to finish writing to the store (up to %s)", h, b.lockWait()))
		}
	})
	var at time.Time
	err := tx.QueryRowContext(ctx, "SELECT pg_catalog.clock_timestamp() FROM (SELECT "+markWriting+
		" FROM (SELECT pg_catalog.pg_advisory_xact_lock($1, $2)) l) m", space, key, writingMark).Scan(&at)
	if !notice.Stop() {
		<-looked // never let the notice come after the write has gone on
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) && pe.Code == "55P03" {
		if h == nil {
			h = b.lockHolder(ctx, space, key)
		}
		if h != nil {
			return time.Time{}, &lockTimeout{holder: h, wait: b.lockWait(), err: err}
		}
	}
	return at, err
}

// lockingAudit tries the audit's lock (as lockAudit does first) in the
// statement that reads its row: an audit's row never changes, so reading
// it before the lock is held is as good as after. The server's clock is
// read once the lock is held, as lockAudit reads it.
func (b *pgBackend) lockingAudit(cols string) (string, []any) {
	return "SELECT a.*, CASE WHEN a.got THEN " + markWriting + " END, CASE WHEN a.got THEN pg_catalog.clock_timestamp() END FROM (SELECT " + cols +
		", pg_catalog.pg_try_advisory_xact_lock($2, id::integer) AS got FROM audit WHERE name = $1 OFFSET 0) a", []any{lockSpace(b.schema), writingMark}
}

// prefetchQuery calls the store's prefetch function when store init made
// it (a store made by an earlier version reads with Prefetch's own
// statement until its owner runs store init).
func (b *pgBackend) prefetchQuery(auditID int64, p Prefetch) (string, []any) {
	if !b.hasPrefetch {
		return "", nil
	}
	return "SELECT * FROM " + quoteIdent(b.schema) + ".prefetch($1, $2, $3, $4, $5) ORDER BY 1, 2",
		[]any{auditID, p.Case, p.Kinds, p.ActorKinds, p.People}
}

// waitNotice is how long a write waits for another's lock before it says
// whose it is.
const waitNotice = 500 * time.Millisecond

// lockWait is how long a writer waits for another's lock.
func (b *pgBackend) lockWait() time.Duration {
	if b.lockTimeout <= 0 {
		return DefaultBusyTimeout
	}
	return b.lockTimeout
}

// lockHolder is the session that holds a store's advisory lock.
type lockHolder struct {
	pid    int
	login  string
	person string    // the login's name in the people list, when known
	since  time.Time // when its transaction began; zero when this login may not see it
	app    string    // its application_name
}

func (h *lockHolder) String() string {
	who := h.login
	if h.person != "" {
		who = h.person + " (login " + h.login + ")"
	} else {
		who = "the login " + h.login
	}
	since := "since a time this login may not see (an administrator sees it in pg_stat_activity)"
	if !h.since.IsZero() {
		since = "since " + h.since.UTC().Format("2006-01-02 15:04:05") + " UTC"
	}
	app := h.app
	if app == "" {
		app = "an unnamed application"
	}
	return fmt.Sprintf("%s, %s, in %s (server process %d)", who, since, strconv.Quote(app), h.pid)
}

// lockTimeout is a wait for another session's lock that outlasted the
// lock timeout.
type lockTimeout struct {
	holder *lockHolder
	wait   time.Duration
	err    error
}

func (e *lockTimeout) Error() string { return e.err.Error() }
func (e *lockTimeout) Unwrap() error { return e.err }

// lockHolder finds who holds the advisory lock (space, key) in this
// database: the session's login, its person, when its transaction began
// and its application. PostgreSQL shows another login's transaction start
// only to a superuser or a member of pg_read_all_stats; a caseaudit writer
// says when it took the lock in its application name (markWriting), which
// every login sees. It returns nil when the holder cannot be found (it
// ended meanwhile).
func (b *pgBackend) lockHolder(ctx context.Context, space, key int32) *lockHolder {
	if b.db == nil {
		return nil
	}
	h := &lockHolder{}
	var since sql.NullTime
	err := b.db.QueryRowContext(ctx, `SELECT a.pid, coalesce(a.usename::text, ''), coalesce(a.application_name, ''), a.xact_start
		FROM pg_catalog.pg_locks l JOIN pg_catalog.pg_stat_activity a ON a.pid = l.pid
		WHERE l.locktype = 'advisory' AND l.granted AND l.database = (SELECT d.oid FROM pg_catalog.pg_database d WHERE d.datname = pg_catalog.current_database())
		AND l.classid::text::bigint = $1 AND l.objid::text::bigint = $2 AND l.objsubid = 2
		LIMIT 1`, int64(uint32(space)), int64(uint32(key))).Scan(&h.pid, &h.login, &h.app, &since)
	if err != nil {
		return nil
	}
	if since.Valid {
		h.since = since.Time
	}
	if app, at, ok := strings.Cut(h.app, writingMark); ok {
		if t, err := time.Parse(time.RFC3339, strings.TrimSuffix(at, ")")); err == nil {
			h.app = app
			if h.since.IsZero() {
				h.since = t
			}
		}
	}
	// The people list's name for the login, where the store has one.
	var name sql.NullString
	if err := b.db.QueryRowContext(ctx, "SELECT r.name FROM "+quoteIdent(b.schema)+".person_of($1) r", h.login).Scan(&name); err == nil && name.Valid {
		h.person = name.String
	}
	return h
}

// writingMark is what a caseaudit writer adds to its application name
// while it holds an audit's lock, with the time its transaction began
// (now()); markWriting sets it ($3) for the transaction only, within the
// 63 bytes PostgreSQL keeps of an application name.
const (
	writingMark = " (writing since "
	markWriting = `pg_catalog.set_config('application_name', pg_catalog.left(pg_catalog.current_setting('application_name'), 63 - 37) || $3::text
		|| pg_catalog.to_char(pg_catalog.now() AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"') || ')', true)`
)

func (*pgBackend) insertID(ctx context.Context, tx *sql.Tx, query string, args ...any) (int64, error) {
	var id int64
	err := tx.QueryRowContext(ctx, query+" RETURNING id", args...).Scan(&id)
	return id, err
}

// connLost reports whether err says the connection to the server failed
// or was cut (the server restarted, the network went, the session was
// terminated).
func connLost(err error) bool {
	if err == nil {
		return false
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return strings.HasPrefix(pe.Code, "08") || pe.Code == "57P01" || pe.Code == "57P02" || pe.Code == "57P03"
	}
	var ce *pgconn.ConnectError
	var ne net.Error
	switch {
	case errors.As(err, &ce), errors.As(err, &ne), errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF),
		errors.Is(err, syscall.ECONNRESET), errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.EPIPE),
		errors.Is(err, sql.ErrConnDone), pgconn.SafeToRetry(err):
		return true
	}
	msg := err.Error()
	return strings.Contains(msg, "conn closed") || strings.Contains(msg, "connection reset") || strings.Contains(msg, "broken pipe")
}

// explain turns PostgreSQL's errors into one line a person can act on,
// naming the store without its password.
func (b *pgBackend) explain(s *Store, doing string, err error) error {
	var lt *lockTimeout
	if errors.As(err, &lt) {
		return errorf(ErrBusy, "the store %s is busy: %s has held the audit's write lock longer than the lock timeout (%s); try again when they have finished (or wait longer with %s), or ask the store's administrator to end that session",
			s.path, lt.holder, lt.wait, opt.LockTimeout)
	}
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		switch {
		case pe.Code == "55P03":
			// The lock timeout: whoever holds the lock — another caseaudit
			// writing, but as well a long query, a psql session left in a
			// transaction, or an administrator's maintenance.
			return errorf(ErrBusy, "the store %s is busy: another session has held a lock this needs for longer than the lock timeout (%s): another caseaudit writing, a long-running query, or an administrator's work; try again, or wait longer with %s, and if it lasts, ask the store's administrator which session holds it", s.path, s.lockWait, opt.LockTimeout)
		case pe.Code == "40001" || pe.Code == "40P01" || pe.Code == "23505":
			// serialisation failure, deadlock, or a name taken by another
			// writer a moment ago: another writer, by construction
			return errorf(ErrBusy, "the store %s is busy: another caseaudit is writing to it; try again", s.path)
		case pe.Code == "42501":
			msg := pe.Message
			switch {
			case !strings.HasPrefix(msg, "caseaudit: ") && b.names.prefix == "":
				// Not even the store's roles could be read: the login
				// holds none of them.
				return refusalf(s, doing, "the login %s (no role in this store) may not use it: only a member of the store's auditor, QA or information governance role reads or writes a store; its administrator makes the login a member of one (store init names them); the store's database refused it: %s",
					loginName(s), flatten(msg))
			case !strings.HasPrefix(msg, "caseaudit: "):
				return refusalf(s, doing, "the login %s may not do this (%s); ask the store's administrator for the role %s (to record findings), %s (to sample, allocate, moderate) or %s (to redact)",
					loginName(s), flatten(msg), b.names.role(GroupAuditor), b.names.role(GroupQA), b.names.role(GroupGovernance))
			}
			return &Refusal{Doing: doing, Store: s.path, Reason: strings.TrimPrefix(strings.TrimPrefix(msg, "caseaudit: "), "refused: ")}
		case pe.Code == "P0001" && strings.HasPrefix(pe.Message, "caseaudit: "):
			return fmt.Errorf("%s the store %s: %s", doing, s.path, strings.TrimPrefix(pe.Message, "caseaudit: "))
		case loginRefused(s, pe) != nil:
			return loginRefused(s, pe)
		case pe.Code == "22021" || pe.Code == "22P05":
			return fmt.Errorf("%s the store %s: %sthe text holds a character PostgreSQL cannot store (a NUL byte or invalid UTF-8); remove it and try again", doing, s.path, failedStep(err, pe))
		case pe.Code == "57014" && strings.Contains(pe.Message, "statement timeout"):
			return s.deadlineError(doing)
		case pe.Code == "25006":
			// A hot standby, or a database or login set to
			// default_transaction_read_only: reading works, writing not.
			return fmt.Errorf("%s the store %s: the server takes no writes (%s): it is a standby, or the database is set read-only; give --db the primary server, or ask the store's administrator", doing, s.path, flatten(pe.Message))
		}
	}
	if connLost(err) {
		if e := connectError(s, err); e != nil {
			return e
		}
		return fmt.Errorf("the connection to the store %s was lost while %s it (%s); the server rolled back what was not committed: run the same command again, it records nothing twice",
			s.path, doing, flatten(shortCause(err)))
	}
	if pe != nil {
		return fmt.Errorf("%s the store %s: %s%s (SQLSTATE %s)", doing, s.path, failedStep(err, pe), flatten(pe.Message), pe.Code)
	}
	return nil
}

// refusalf is a Refusal whose reason is worded by format.
func refusalf(s *Store, doing, format string, a ...any) error {
	return &Refusal{Doing: doing, Store: s.path, Reason: fmt.Sprintf(format, a...)}
}

// failedStep is the step of a command the server's error pe ended, as err
// (which wraps pe) names it ("granting the roles their privileges: "), or
// "" when err names none: the server's own words follow it.
func failedStep(err error, pe *pgconn.PgError) string {
	step, ok := strings.CutSuffix(err.Error(), pe.Error())
	if !ok {
		return ""
	}
	if step = flatten(step); step != "" {
		step += " "
	}
	return step
}

// integrityCheck checks what keeps a PostgreSQL store's record sound:
// the guards are there, enabled and as this version wrote them
// (guardProblems), the store has roles of its own, and the privileges on
// its tables are exactly those store init grants (grantProblems).
func (b *pgBackend) integrityCheck(ctx context.Context, s *Store) error {
	// The roles as they are now: store init may have run since the store
	// was opened.
	in, err := inspectPostgres(ctx, s.db, b.schema)
	if err != nil {
		return s.Explain("checking", err)
	}
	n := in.names(b.schema)
	problems, err := guardProblems(ctx, s.db, n)
	if err != nil {
		return s.Explain("checking", err)
	}
	if n.legacy() {
		problems = append(problems, fmt.Sprintf("its roles are the cluster-wide %s and %s, whose members may write to every store on the server that has no roles of its own",
			n.role(GroupQA), n.role(GroupAuditor)))
	}
	gp, err := grantProblems(ctx, s.db, n)
	if err != nil {
		return s.Explain("checking", err)
	}
	problems = append(problems, gp...)
	rp, err := retireProblems(ctx, s.db, n)
	if err != nil {
		return s.Explain("checking", err)
	}
	problems = append(problems, rp...)
	if w := in.asciiOnly(); w != "" {
		// store init cannot mend this one: a database's LC_CTYPE never
		// changes.
		problems = append(problems, w)
		return fmt.Errorf("the store %s is not protected as it should be (%s); its owner moves it to a new database with a UTF-8 locale (%s; caseaudit store init NEW-URL; caseaudit store copy %s NEW-URL), and a trail changed meanwhile shows in verify",
			s.path, strings.Join(problems, "; "), utf8Locale, s.path)
	}
	if len(problems) > 0 {
		return fmt.Errorf("the store %s is not protected as it should be (%s); its owner restores every guard and grant with caseaudit store init URL, and a trail changed meanwhile shows in verify",
			s.path, strings.Join(problems, "; "))
	}
	return nil
}

// mayCopyInto: only the store's owner may write entries entered by other
// logins (see pg_schema.go), and a copy keeps who entered every entry.
func (b *pgBackend) mayCopyInto(ctx context.Context, s *Store) error {
	in, err := inspectPostgres(ctx, s.db, b.schema)
	if err != nil {
		return s.Explain("opening", err)
	}
	if !in.isOwner {
		return fmt.Errorf("copying into %s needs its owner's login (role %s): the copy keeps who entered every entry, which only the owner may write", s.path, in.owner)
	}
	return nil
}
