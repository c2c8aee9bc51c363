package store

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net"
	"net/url"
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
	go func() {
		var held []net.Conn
		for {
			c, err := silent.Accept()
			if err != nil {
				for _, c := range held {
					c.Close()
				}
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
	s, err := Open(ctx, where, Options{EnteredBy: "qa.officer"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	id := newAudit(t, s, "2026-07 monthly", 5)
	tx, err := s.DB().BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	if _, err := tx.Exec("LOCK TABLE " + quoteIdent(s.b.(*pgBackend).schema) + ".trail IN ACCESS EXCLUSIVE MODE"); err != nil {
		t.Fatal(err)
	}
	impatient, err := Open(ctx, where, Options{BusyTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer impatient.Close()
	err = impatient.Write(ctx, "recording a finding in", func(w *WriteTx) error {
		c, err := w.Chain(ctx, id, "2026-07 monthly")
		if err != nil {
			return err
		}
		_, err = c.Append(ctx, Draft{Kind: "finding", Case: "CR-1", At: t0, Payload: 1})
		return err
	})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("error %v; want ErrBusy", err)
	}
	if strings.Contains(err.Error(), "another caseaudit is writing") || !strings.Contains(err.Error(), "another session has held a lock this needs for longer than the lock timeout (200ms)") {
		t.Errorf("busy: %v", err)
	}
}

// TestPostgresRefusalNamesTheLogin: a login refused before caseaudit knows
// its session user is named from the URL, never as "the login  may".
func TestPostgresRefusalNamesTheLogin(t *testing.T) {
	if os.Getenv("CASEAUDIT_TEST_POSTGRES") != "" || os.Getenv("CI") == "true" {
		// A login in neither caseaudit role: refused while the store is
		// opened, before its session user is read.
		where := pgStore(t)
		admin, err := Open(context.Background(), where, Options{})
		if err != nil {
			t.Fatal(err)
		}
		defer admin.Close()
		b := make([]byte, 6)
		rand.Read(b)
		role, pw := "n_"+hex.EncodeToString(b), "pw"+hex.EncodeToString(b)
		if _, err := admin.DB().Exec("CREATE ROLE " + quoteIdent(role) + " LOGIN PASSWORD '" + pw + "'"); err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { admin.DB().Exec("DROP ROLE " + quoteIdent(role)) })
		u, err := url.Parse(where)
		if err != nil {
			t.Fatal(err)
		}
		u.User = url.UserPassword(role, pw)
		_, err = Open(context.Background(), u.String(), Options{})
		if err == nil {
			t.Fatal("a login in no caseaudit role opened the store")
		}
		if strings.Contains(err.Error(), "login  ") || !strings.Contains(err.Error(), `the login "`+role+`" (no role in this store) may not use it: only a member of the store's auditor, QA or information governance role reads or writes a store`) {
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
