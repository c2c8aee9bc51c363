package audit

import (
	"context"
	"errors"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"
	"time"
)

// TestPostgresConnectMessages: a store that cannot be reached is named,
// with why in words and once — no driver text, no repeated cause. No
// server is needed: a port that refuses, and one that accepts and never
// answers.
func TestPostgresConnectMessages(t *testing.T) {
	ctx := context.Background()
	// A listener that accepts and never answers: the connect timeout.
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	var held []net.Conn
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			held = append(held, c)
		}
	}()
	where := fmt.Sprintf("postgres://b.evans@%s/casefiles?connect_timeout=1&sslmode=disable", silent.Addr())
	_, err = Open(ctx, where, Options{})
	want := "cannot connect to the store " + where + ": no answer from the server within the connect timeout (1s); check the host and port"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("silent server: %v\nwant it to start %q", err, want)
	}
	if err != nil && strings.Contains(err.Error(), "context deadline exceeded") {
		t.Errorf("driver text reaches the user: %v", err)
	}

	// A port nothing listens on.
	closed, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := closed.Addr().String()
	closed.Close()
	where = "postgres://b.evans@" + addr + "/casefiles?sslmode=disable"
	_, err = Open(ctx, where, Options{})
	want = "cannot connect to the store " + where + ": the server refused the connection; check the port"
	if err == nil || !strings.HasPrefix(err.Error(), want) {
		t.Errorf("refused: %v\nwant it to start %q", err, want)
	}

	// A host no one knows (.invalid never resolves): said once.
	where = "postgres://b.evans@db.nosuchhost.invalid/casefiles?connect_timeout=2"
	_, err = Open(ctx, where, Options{})
	if err == nil {
		t.Fatal("a store on an unknown host opened")
	}
	if strings.Count(err.Error(), "no such host") > 1 {
		t.Errorf("unknown host: %v", err)
	}
	if !strings.Contains(err.Error(), "no such host") {
		t.Logf("this machine resolves no names (%v): the message for an unknown host is not checked", err)
	} else if want := "cannot connect to the store " + where + ": the host db.nosuchhost.invalid is not known (no such host); check the host name in the URL"; err.Error() != want {
		t.Errorf("unknown host: %v\nwant %q", err, want)
	}
}

// TestPostgresBusyNamesAnySession: a lock held by a session that is not a
// caseaudit writing — an administrator's, or a reader's left in a
// transaction — is not blamed on "another caseaudit".
func TestPostgresBusyNamesAnySession(t *testing.T) {
	ctx := context.Background()
	where := pgStore(t)
	s, _ := openAt(t, where, "QA Officer")
	if _, err := s.CreateAudit(ctx, testAudit("2026-07 monthly"), testCases(5)); err != nil {
		t.Fatal(err)
	}
	b := s.b.(*pgBackend)
	admin := pgAdmin(t)
	tx, err := admin.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("LOCK TABLE " + quoteIdent(b.schema) + ".trail IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	impatient, err := Open(ctx, where, Options{BusyTimeout: 200 * time.Millisecond, Actor: "QA Officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	_, err = impatient.Record(ctx, "2026-07 monthly", Finding{Case: "CR-0000001", Auditor: "A. Khan", Grade: Good})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("error %v; want ErrBusy", err)
	}
	if strings.Contains(err.Error(), "another caseaudit is writing") || !strings.Contains(err.Error(), "another session holds a lock this needs") {
		t.Errorf("busy: %v", err)
	}
}

// TestPostgresRefusalNamesTheLogin: a login refused before caseaudit knows
// its session user is named from the URL, never as "the login  may".
func TestPostgresRefusalNamesTheLogin(t *testing.T) {
	if os.Getenv(envPostgres) != "" || os.Getenv("CI") == "true" {
		// A login in neither caseaudit role: refused while the store is
		// opened, before its session user is read.
		where := pgStore(t)
		admin := pgAdmin(t)
		role, pw := randomName("n_"), randomName("pw")
		if _, err := admin.Exec("CREATE ROLE " + quoteIdent(role) + " LOGIN PASSWORD '" + pw + "'"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.Exec("DROP ROLE " + quoteIdent(role)) })
		_, err := Open(context.Background(), withUser(t, where, role, pw), Options{})
		if err == nil {
			t.Fatal("a login in no caseaudit role opened the store")
		}
		if strings.Contains(err.Error(), "login  ") || !strings.Contains(err.Error(), role) {
			t.Errorf("refused login: %v", err)
		}
	}
	s := &Store{path: "postgres://b.evans@db.example.org/casefiles"}
	if got := loginName(s); got != `"b.evans"` {
		t.Errorf("login from the URL: %s", got)
	}
	s.enteredBy = "c.nowak"
	if got := loginName(s); got != `"c.nowak"` {
		t.Errorf("session user: %s", got)
	}
	if got := loginName(&Store{path: "postgres://db.example.org/casefiles"}); got != "you connect as" {
		t.Errorf("no user in the URL: %s", got)
	}
}
