package store

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/url"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"

	"github.com/jackc/pgx/v5/pgconn"
)

// Why a connection to a PostgreSQL store, or its login, failed, in words
// a person can act on: the server's own refusals and, behind PgBouncer,
// PgBouncer's and the server's as PgBouncer passes them on.

// connectCause is why a connection attempt failed, in words a person can
// act on, once: pgx joins the attempts at each address of a host, so its
// own text repeats ("no such host … no such host").
func connectCause(ce *pgconn.ConnectError) string {
	u := ce.Unwrap()
	if u == nil {
		return ce.Error()
	}
	var pe *pgconn.PgError
	if errors.As(u, &pe) {
		return pe.Message
	}
	var de *net.DNSError
	if errors.As(u, &de) && de.IsNotFound {
		return fmt.Sprintf("the host %s is not known (no such host); check the host name in the URL", de.Name)
	}
	if errors.Is(u, context.DeadlineExceeded) || isTimeout(u) {
		t := ""
		if ce.Config != nil && ce.Config.ConnectTimeout > 0 {
			t = " (" + ce.Config.ConnectTimeout.String() + ")"
		}
		return "no answer from the server within the connect timeout" + t +
			"; check the host and port, and that the server is running and lets this machine connect (connect_timeout=SECONDS in the URL waits longer)"
	}
	if errors.Is(u, syscall.ECONNREFUSED) {
		return "the server refused the connection; check the port, and that PostgreSQL is running and listening there"
	}
	var lines []string
	for _, l := range strings.Split(u.Error(), "\n") {
		if l = flatten(l); l != "" && !slices.Contains(lines, l) {
			lines = append(lines, l)
		}
	}
	return strings.Join(lines, "; ")
}

// loginName is the database login of the store's connection: the session
// user once known, else the URL's user name, else the operating system's
// (as libpq and pgx default to).
func loginName(s *Store) string {
	if s.enteredBy != "" {
		return strconv.Quote(s.enteredBy)
	}
	if u, err := url.Parse(s.path); err == nil && u.User != nil && u.User.Username() != "" {
		return strconv.Quote(u.User.Username())
	}
	return "you connect as"
}

func isTimeout(err error) bool {
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// connectError is a failed first connection to the store, named.
func connectError(s *Store, err error) error {
	var ce *pgconn.ConnectError
	if !errors.As(err, &ce) {
		return nil
	}
	// The server answered, and refused the login or the database: say
	// what to do about that, not only that the connection failed.
	var pe *pgconn.PgError
	if errors.As(err, &pe) && loginRefused(s, pe) != nil {
		return loginRefused(s, pe)
	}
	return fmt.Errorf("cannot connect to the store %s: %s", s.path, connectCause(ce))
}

// loginRefused is the server's refusal of the login (its password or its
// access), of the database named, or of one more connection, said with
// what to do; nil for any other error.
func loginRefused(s *Store, pe *pgconn.PgError) error {
	if e := pgbouncerRefusal(s, pe); e != nil {
		return e
	}
	switch pe.Code {
	case "28P01", "28000":
		return fmt.Errorf("cannot log in to the store %s: %s; give the password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL", s.path, pe.Message)
	case "3D000":
		return fmt.Errorf("cannot open the store %s: %s; name an existing database (its administrator creates it)", s.path, pe.Message)
	case "53300":
		return fmt.Errorf("the server of the store %s has too many connections (%s); try again shortly, and if it lasts, ask the store's administrator (the server's max_connections, or a connection limit on the database or the login)", s.path, flatten(pe.Message))
	}
	return nil
}

func shortCause(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Message
	}
	return err.Error()
}

// flatten joins the lines of a message.
func flatten(s string) string { return strings.Join(strings.Fields(s), " ") }

// PgBouncer sends every refusal with SQLSTATE 08P01, its own and the
// server's alike: when its login to the server fails it passes the
// server's message on to the client but not the server's code. So behind
// PgBouncer the server's 53300 and 28P01 arrive as 08P01, and only the
// words tell them apart. The words below are those PgBouncer 1.18 sent in
// front of PostgreSQL 15 (captured from both; see
// pg_pgbouncer_words_test.go), which name whose login failed:
//
//   - "password authentication failed" (auth_type md5 or plain) and "SASL
//     authentication failed" (scram-sha-256): PgBouncer refused the
//     person's password;
//   - `password authentication failed for user "X"`: the server's words,
//     refusing the password PgBouncer logged in with as X, after PgBouncer
//     had let the person in;
//   - "no such user", "no such database: X": PgBouncer's own, for a login
//     or a database it does not know.
//
// Compiled when first needed: every command initialises this package, and
// only one refused at login reads them.
var (
	// The server's words for a connection limit reached (53300): the
	// login's, the database's, the server's, or its last slots kept for
	// superusers.
	serverTooMany = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(too many connections for (role|database) "|sorry, too many clients already|remaining connection slots are reserved)`)
	})
	// The server's words refusing a password (28P01), naming the login.
	serverPassword = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^password authentication failed for user "([^"]*)"$`)
	})
	// The server's words refusing a login for who it is or where it comes
	// from (28000), not its password.
	serverLogin = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`^(role "[^"]*" is not permitted to log in|role "[^"]*" does not exist|no pg_hba\.conf entry for |pg_hba\.conf rejects connection)`)
	})
	// The server's words for a database it does not have (3D000).
	serverNoDatabase = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^database "[^"]*" does not exist$`) })
)

// pgbouncerRefusal is PgBouncer's refusal of a connection, its own or the
// server's passed on, said with who fixes it; nil when pe is not one.
func pgbouncerRefusal(s *Store, pe *pgconn.PgError) error {
	if pe.Code != "08P01" {
		return nil
	}
	msg := flatten(pe.Message)
	relayed := msg + ", in the server's words, passed on by PgBouncer"
	switch {
	case pgbouncerLoginRetry(pe):
		// Not the person's login: PgBouncer's own to the server failed a
		// moment ago (the server was restarting, or refused PgBouncer's
		// credentials), and for server_login_retry seconds (15 by default)
		// PgBouncer answers every client so rather than try again.
		return fmt.Errorf("cannot connect to the store %s: PgBouncer could not log in to the database server a moment ago (the server was restarting, or refused PgBouncer's own login), so it turns connections away for a few seconds (%s); wait a few seconds and run the command again; if it goes on, PgBouncer's administrator checks its auth settings (auth_user, auth_query, auth_file) and that the server is up",
			s.path, msg)
	case serverTooMany().MatchString(msg):
		return fmt.Errorf("cannot connect to the store %s: the database server behind PgBouncer has too many connections (%s); try again shortly, and if it lasts, ask the store's administrator: a connection limit on the login or the database, or the server's max_connections, is below what PgBouncer's pools open (default_pool_size, max_db_connections, max_user_connections), so the server's administrator raises the one or PgBouncer's lowers the other",
			s.path, relayed)
	case serverPassword().MatchString(msg):
		// PgBouncer checks the person's password itself and says so in
		// other words; these are the server's, so the password refused
		// is the one PgBouncer logged in with. PgBouncer keeps it (in its
		// auth_file, or read from the server through auth_query), so a
		// new password given here changes nothing.
		who := serverPassword().FindStringSubmatch(msg)[1]
		return fmt.Errorf("cannot connect to the store %s: PgBouncer let this login in, but the database server refused the password PgBouncer itself logs in with as %q (%s); the password given here is not the one at fault and changing it does not help: PgBouncer's administrator makes the password PgBouncer holds for %q (in its auth_file, or what its auth_query reads) the server's",
			s.path, who, relayed, who)
	case msg == "password authentication failed" || msg == "SASL authentication failed":
		also := ""
		if msg == "SASL authentication failed" {
			// PgBouncer answers so too for a database it does not
			// serve, and for a login whose secret it holds as MD5
			// (its source, client.c: scram_client_first).
			also = "; if the password is right, check the database name in the URL (PgBouncer says the same for a database it does not serve), and then ask PgBouncer's administrator (it says so too when it holds only an MD5 secret for the login)"
		}
		return fmt.Errorf("cannot log in to the store %s: PgBouncer refused the password of the login %s (%s); give the right password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL%s",
			s.path, loginName(s), msg, also)
	case msg == "no such user":
		return fmt.Errorf("cannot log in to the store %s: PgBouncer knows no login %s (%s); check the user name in the URL, or ask PgBouncer's administrator to add the login (to its auth_file, or as a role on the server that its auth_query finds)",
			s.path, loginName(s), msg)
	case strings.HasPrefix(msg, "no such database: "):
		return fmt.Errorf("cannot open the store %s: PgBouncer serves no database %q (%s); name a database it serves in the URL, or ask PgBouncer's administrator to add it to its [databases] section",
			s.path, strings.TrimPrefix(msg, "no such database: "), msg)
	case serverNoDatabase().MatchString(msg):
		return fmt.Errorf("cannot open the store %s: PgBouncer's entry for this database names one the server does not have (%s); PgBouncer's administrator corrects the dbname in its [databases] section, or the server's administrator creates the database",
			s.path, relayed)
	case serverLogin().MatchString(msg):
		return fmt.Errorf("cannot connect to the store %s: the database server refused PgBouncer's login (%s); the server's administrator lets that login in (its LOGIN attribute, a pg_hba.conf entry for PgBouncer's host), or PgBouncer's administrator corrects the login it uses",
			s.path, relayed)
	}
	return nil
}

// pgbouncerLoginRetry reports whether pe is PgBouncer turning a client
// away after its own login to the server failed: a protocol error
// (08P01) naming server_login_retry, in the words of PgBouncer up to 1.18
// ("server login has been failing, try again later (server_login_retry)")
// and of later ones ("server login has been failing, cached error: …
// (server_login_retry)"). The cached error in the latter can be a
// password failure, which is PgBouncer's, not the person's.
func pgbouncerLoginRetry(pe *pgconn.PgError) bool {
	return pe.Code == "08P01" && strings.Contains(pe.Message, "server_login_retry")
}
