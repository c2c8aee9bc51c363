package main

import (
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

// TestStoreInfoSaysTheClockOffset: on PostgreSQL, store info says how far
// this machine's clock is from the server's that dates the entries — in
// the table, and in the JSON as server_clock_ahead_seconds (validated by
// runCmd against the schema) — and warns, on stderr, when they are more
// than a minute apart, saying what the server's clock decides and what is
// still this machine's, and who sets which. A machine within a second is
// told so without a warning; an SQLite store has no server's clock and
// says nothing of one.
func TestStoreInfoSaysTheClockOffset(t *testing.T) {
	pg := newMatrixPostgres(t, pgBase(t))
	t.Setenv("CASEAUDIT_NOW", "")
	t.Setenv("CASEAUDIT_DB", "")
	where := pg.store(t)
	machine := func(off time.Duration) {
		testMachineClock = func() time.Time { return time.Now().Add(off) }
	}
	t.Cleanup(func() { testMachineClock = nil })

	machine(-12 * time.Minute)
	code, out, errs := runCmd(t, "--db", where, "store", "info")
	if code != 0 {
		t.Fatalf("store info: exit %d\n%s", code, errs)
	}
	if want := "clock       this machine's is 12 minutes behind the database server's, which dates the entries\n"; !strings.Contains(out, want) {
		t.Errorf("a machine 12 minutes behind: the table lacks %q:\n%s", want, out)
	}
	if want := "warning: this machine's clock is 12 minutes behind the database server's; caseaudit dates every entry, and judges what is due or overdue, by the server's clock, so the store is right whichever clock is wrong, but this machine's clock still decides when a scheduled run starts and which month it takes, and the times of the files written here: set this machine's clock (or let it set itself from the network), or, if the server's is the wrong one, tell the store's administrator\n"; errs != want {
		t.Errorf("a machine 12 minutes behind: stderr\n%s\nwant\n%s", errs, want)
	}
	code, out, errs = runCmd(t, "--db", where, "store", "info", "--format", "json")
	var doc map[string]any
	if code != 0 || json.Unmarshal([]byte(out), &doc) != nil {
		t.Fatalf("store info --format json: exit %d\n%s%s", code, out, errs)
	}
	if s, ok := doc["server_clock_ahead_seconds"].(float64); !ok || s < 715 || s > 725 {
		t.Errorf("a machine 12 minutes behind: server_clock_ahead_seconds is %v; want about 720", doc["server_clock_ahead_seconds"])
	}
	if !strings.Contains(errs, "this machine's clock is 12 minutes behind") {
		t.Errorf("--format json: no warning on stderr: %q", errs)
	}

	machine(2*time.Hour + 5*time.Minute)
	if _, _, errs = runCmd(t, "--db", where, "store", "info"); !strings.HasPrefix(errs, "warning: this machine's clock is 2 hours 5 minutes ahead of the database server's;") {
		t.Errorf("a machine 2h05 ahead: stderr %q", errs)
	}

	machine(0)
	code, out, errs = runCmd(t, "--db", where, "store", "info")
	if code != 0 || errs != "" || !strings.Contains(out, "clock       this machine's is within a second of the database server's, which dates the entries\n") {
		t.Errorf("a machine on time: exit %d, stderr %q\n%s", code, errs, out)
	}

	path := filepath.Join(t.TempDir(), "caseaudit.db")
	machine(-12 * time.Minute)
	if code, _, errs := runCmd(t, "--db", path, "--user", "q.lead", "store", "init"); code != 0 {
		t.Fatalf("store init: %s", errs)
	}
	code, out, errs = runCmd(t, "--db", path, "--user", "q.lead", "store", "info", "--format", "json")
	if code != 0 || strings.Contains(out, "clock") || errs != "" {
		t.Errorf("SQLite: exit %d, stderr %q, says a clock:\n%s", code, errs, out)
	}
}

// clockGap is said as people say a time apart, rounded to the unit.
func TestClockGap(t *testing.T) {
	for _, c := range []struct {
		ahead time.Duration
		want  string
	}{
		{400 * time.Millisecond, "within a second of"},
		{-999 * time.Millisecond, "within a second of"},
		{time.Second, "1 second behind"},
		{-42 * time.Second, "42 seconds ahead of"},
		{12*time.Minute + 20*time.Second, "12 minutes behind"},
		{-time.Hour, "1 hour ahead of"},
		{2*time.Hour + 5*time.Minute, "2 hours 5 minutes behind"},
		{-(3*24*time.Hour + 2*time.Hour), "3 days 2 hours ahead of"},
	} {
		if got := clockGap(c.ahead); got != c.want {
			t.Errorf("clockGap(%s) = %q, want %q", c.ahead, got, c.want)
		}
	}
}
