package main

import (
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/internal/synth"
)

// A store copy refused because the source's trail does not verify leaves
// no empty store behind at the destination.
func TestStoreCopyFromTamperedStoreLeavesNothing(t *testing.T) {
	export := writeExport(t, "cases.csv", synth.Options{Rows: 300, Seed: 7})
	dir := t.TempDir()
	src := filepath.Join(dir, "team.db")
	if code, _, stderr := runCmd(t, "--db", src, "sample", export, "--size", "10", "--seed", "s", "--audit", "June"); code != 0 {
		t.Fatal(stderr)
	}
	db, err := sql.Open("sqlite", src)
	if err != nil {
		t.Fatal(err)
	}
	for _, q := range []string{
		"DROP TRIGGER trail_no_update",
		"UPDATE trail SET payload = replace(payload, '\"seed\"', '\"Seed\"') WHERE seq = 1",
	} {
		if _, err := db.Exec(q); err != nil {
			t.Fatalf("%s: %v", q, err)
		}
	}
	db.Close()
	dst := filepath.Join(dir, "archive.db")
	code, _, stderr := runCmd(t, "store", "copy", src, dst)
	if code == 0 {
		t.Fatalf("copied a tampered store: %s", stderr)
	}
	if _, err := os.Stat(dst); !os.IsNotExist(err) {
		t.Fatalf("the refused copy left %s behind (stat: %v); stderr: %s", dst, err, stderr)
	}
	if strings.Contains(stderr, "made a new audit store") {
		t.Fatalf("a refused copy announced a store: %s", stderr)
	}
}
