package store

import (
	"context"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgproto3"
)

// TestPgBouncerRelaysTheServersRefusal: behind PgBouncer, whose every
// refusal is SQLSTATE 08P01, the server's refusals are still said for
// what they are — too many connections, a password, a database — with
// whose login failed (the person's to PgBouncer, or PgBouncer's to the
// server) and who fixes it, whether PgBouncer refuses at the login or at
// the first query; never the raw message alone, and PgBouncer's own
// password failing is never put to the person as hers.
func TestPgBouncerRelaysTheServersRefusal(t *testing.T) {
	// What PgBouncer 1.18 sent, as pgx returned it, in front of PostgreSQL 15
	// (.ci/postgres's cluster, with a second PgBouncer whose auth_file held
	// passwords the server did not): every one with SQLSTATE 08P01, the
	// server's own code (53300, 28P01, 28000, 3D000) lost on the way.
	pgbouncerSaid := []struct {
		what, msg string
		// want is the message caseaudit gives after "cannot … the store URL: ".
		want string
	}{
		{"a login's connection limit reached (CONNECTION LIMIT 0 on the server)",
			`too many connections for role "b.evans"`,
			`the database server behind PgBouncer has too many connections (too many connections for role "b.evans", in the server's words, passed on by PgBouncer); try again shortly, and if it lasts, ask the store's administrator: a connection limit on the login or the database, or the server's max_connections, is below what PgBouncer's pools open (default_pool_size, max_db_connections, max_user_connections), so the server's administrator raises the one or PgBouncer's lowers the other`},
		{"a database's connection limit reached",
			`too many connections for database "limited"`,
			`the database server behind PgBouncer has too many connections (too many connections for database "limited", in the server's words`},
		{"the server refused the password PgBouncer's auth_file holds for the login",
			`password authentication failed for user "d.ahmed"`,
			`PgBouncer let this login in, but the database server refused the password PgBouncer itself logs in with as "d.ahmed" (password authentication failed for user "d.ahmed", in the server's words, passed on by PgBouncer); the password given here is not the one at fault and changing it does not help: PgBouncer's administrator makes the password PgBouncer holds for "d.ahmed" (in its auth_file, or what its auth_query reads) the server's`},
		{"PgBouncer (auth_type md5) refused the person's password",
			`password authentication failed`,
			`PgBouncer refused the password of the login "b.evans" (password authentication failed); give the right password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL`},
		{"PgBouncer (auth_type scram-sha-256) refused the person's password",
			`SASL authentication failed`,
			`PgBouncer refused the password of the login "b.evans" (SASL authentication failed); give the right password in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE), never in the URL; if the password is right, check the database name in the URL (PgBouncer says the same for a database it does not serve), and then ask PgBouncer's administrator (it says so too when it holds only an MD5 secret for the login)`},
		{"a login PgBouncer does not know",
			`no such user`,
			`PgBouncer knows no login "b.evans" (no such user); check the user name in the URL, or ask PgBouncer's administrator to add the login (to its auth_file, or as a role on the server that its auth_query finds)`},
		{"a database PgBouncer does not serve",
			`no such database: casefiles`,
			`PgBouncer serves no database "casefiles" (no such database: casefiles); name a database it serves in the URL, or ask PgBouncer's administrator to add it to its [databases] section`},
		{"PgBouncer's entry names a database the server lacks",
			`database "gone" does not exist`,
			`PgBouncer's entry for this database names one the server does not have (database "gone" does not exist, in the server's words, passed on by PgBouncer); PgBouncer's administrator corrects the dbname in its [databases] section, or the server's administrator creates the database`},
		{"the server's role may not log in (NOLOGIN)",
			`role "e.nolog" is not permitted to log in`,
			`the database server refused PgBouncer's login (role "e.nolog" is not permitted to log in, in the server's words, passed on by PgBouncer); the server's administrator lets that login in (its LOGIN attribute, a pg_hba.conf entry for PgBouncer's host), or PgBouncer's administrator corrects the login it uses`},
	}
	for _, c := range pgbouncerSaid {
		for _, atLogin := range []bool{true, false} {
			where := fakeBouncer(t, atLogin, pgproto3.ErrorResponse{Severity: "FATAL", Code: "08P01", Message: c.msg})
			s, err := Open(context.Background(), where, Options{})
			if err == nil {
				s.Close()
				t.Fatalf("%s (atLogin=%v): the store opened", c.what, atLogin)
			}
			got := err.Error()
			_, rest, ok := strings.Cut(got, "the store "+where+": ")
			if !ok || !strings.HasPrefix(rest, c.want) {
				t.Errorf("%s (atLogin=%v):\n got %s\nwant …the store %s: %s", c.what, atLogin, got, where, c.want)
			}
			if strings.Contains(c.msg, `for user "d.ahmed"`) && strings.Contains(got, "PGPASSWORD") {
				t.Errorf("%s: PgBouncer's password put to the person as hers: %s", c.what, got)
			}
			for _, wrong := range []string{"was lost", "rolled back", "SQLSTATE"} {
				if strings.Contains(got, wrong) {
					t.Errorf("%s (atLogin=%v): says %q: %s", c.what, atLogin, wrong, got)
				}
			}
		}
	}
}

// TestBehindPgBouncerRefusals: the real PgBouncer of .ci/postgres (auth_query,
// scram-sha-256) in front of the real server: a login whose connection
// limit the server has reached, and a wrong password, each said as what it
// is. This keeps the words TestPgBouncerRelaysTheServersRefusal replays
// PgBouncer's.
func TestBehindPgBouncerRefusals(t *testing.T) {
	bouncer := pgBouncer(t)
	admin := pgAdminDB(t)
	role := randomRole(t)
	if _, err := admin.Exec("CREATE ROLE " + quoteIdent(role) + " LOGIN CONNECTION LIMIT 0 PASSWORD 'pw" + role + "'"); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { admin.Exec("DROP ROLE " + quoteIdent(role)) })
	bu, err := url.Parse(bouncer)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ password, want string }{
		{"pw" + role, `: the database server behind PgBouncer has too many connections (too many connections for role "` + role + `", in the server's words, passed on by PgBouncer); try again shortly`},
		{"not-" + role, `: PgBouncer refused the password of the login "` + role + `" (SASL authentication failed); give the right password`},
	} {
		bu.User = url.UserPassword(role, c.password)
		_, err := Open(context.Background(), bu.String(), Options{})
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("through PgBouncer as %s: %v\nwant it to hold %q", role, err, c.want)
		}
	}
}
