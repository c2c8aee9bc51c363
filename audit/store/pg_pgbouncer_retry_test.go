package store

import (
	"context"
	"net"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgproto3"
)

// serverLoginRetry is PgBouncer's answer, for server_login_retry seconds
// (15 by default), to every client of a pool whose own login to the
// server just failed: as PgBouncer 1.18 sent it, and pgx returned it,
// through a server restart (captured once from a real PgBouncer in front
// of a PostgreSQL 15 restarted with pg_ctl -m fast restart).
var serverLoginRetry = pgproto3.ErrorResponse{Severity: "FATAL", Code: "08P01",
	Message: "server login has been failing, try again later (server_login_retry)"}

// fakeBouncer listens on a local port and answers with a refusal as
// PgBouncer sends one: at the login when it has no server's parameters to
// greet a client with (atLogin), else at the client's first query once it
// has logged the client in. Nothing else of PgBouncer is
// imitated: the words on the wire are its.
func fakeBouncer(t *testing.T, atLogin bool, refusal pgproto3.ErrorResponse) string {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.Close() })
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			go func(c net.Conn) {
				defer c.Close()
				be := pgproto3.NewBackend(c, c)
				if _, err := be.ReceiveStartupMessage(); err != nil {
					return
				}
				if !atLogin {
					be.Send(&pgproto3.AuthenticationOk{})
					for k, v := range map[string]string{"server_version": "15.0", "server_encoding": "UTF8", "client_encoding": "UTF8",
						"standard_conforming_strings": "on", "DateStyle": "ISO, MDY", "TimeZone": "UTC", "integer_datetimes": "on"} {
						be.Send(&pgproto3.ParameterStatus{Name: k, Value: v})
					}
					be.Send(&pgproto3.BackendKeyData{ProcessID: 1, SecretKey: []byte{0, 0, 0, 2}})
					be.Send(&pgproto3.ReadyForQuery{TxStatus: 'I'})
					if err := be.Flush(); err != nil {
						return
					}
					if _, err := be.Receive(); err != nil {
						return
					}
				}
				e := refusal
				be.Send(&e)
				be.Flush()
			}(c)
		}
	}()
	return "postgres://b.evans@" + l.Addr().String() + "/casefiles?connect_timeout=5&sslmode=disable"
}

// TestPgBouncerServerLoginRetry: PgBouncer turning clients away after a
// server restart is said as what it is — PgBouncer's own login to the
// server failed; wait and run the command again, and if it goes on its
// administrator checks PgBouncer's auth settings — not as the person's
// password or a lost connection, whether PgBouncer answers at the login
// or at the first query.
func TestPgBouncerServerLoginRetry(t *testing.T) {
	for _, atLogin := range []bool{true, false} {
		where := fakeBouncer(t, atLogin, serverLoginRetry)
		s, err := Open(context.Background(), where, Options{})
		if err == nil {
			s.Close()
			t.Fatalf("atLogin=%v: the store opened", atLogin)
		}
		want := "cannot connect to the store " + where + ": PgBouncer could not log in to the database server a moment ago (the server was restarting, or refused PgBouncer's own login), so it turns connections away for a few seconds (server login has been failing, try again later (server_login_retry)); wait a few seconds and run the command again; if it goes on, PgBouncer's administrator checks its auth settings (auth_user, auth_query, auth_file) and that the server is up"
		if err.Error() != want {
			t.Errorf("atLogin=%v:\n got %v\nwant %s", atLogin, err, want)
		}
		for _, wrong := range []string{"PGPASSWORD", "password", "was lost", "rolled back"} {
			if strings.Contains(err.Error(), wrong) {
				t.Errorf("atLogin=%v: says %q: %v", atLogin, wrong, err)
			}
		}
	}
	// Later PgBouncers carry the cached cause, which may be a password:
	// PgBouncer's, not the person's. PostgreSQL's own refusal of the
	// person's password (28P01) is still said as hers.
	for _, c := range []struct {
		pe   pgconn.PgError
		want bool
	}{
		{pgconn.PgError{Code: "08P01", Message: `server login has been failing, cached error: password authentication failed for user "pgbouncer" (server_login_retry)`}, true},
		{pgconn.PgError{Code: "08P01", Message: serverLoginRetry.Message}, true},
		{pgconn.PgError{Code: "28P01", Message: `password authentication failed for user "b.evans"`}, false},
		{pgconn.PgError{Code: "08P01", Message: "invalid startup packet layout"}, false},
	} {
		if got := pgbouncerLoginRetry(&c.pe); got != c.want {
			t.Errorf("pgbouncerLoginRetry(%s %q) = %v, want %v", c.pe.Code, c.pe.Message, got, c.want)
		}
	}
}
