package store

import (
	"context"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// A store of schema version 7 with a store log (a retention period set, an
// audit retired) is brought to the current version on opening: every entry
// is kept as it was (the chain re-walks with the same hashes), the log takes
// network-store entries from then on, and its guards hold as before (no
// entry changed or removed, none out of turn; a retirement still opens its
// audit's rows to deletion, and nothing else).
func TestStoreLogMigratesToNetworkEntries(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "v7.db")
	all := migrations
	migrations = all[:7]
	s, err := Open(ctx, path, Options{EnteredBy: "qa.lead"})
	if err != nil {
		migrations = all
		t.Fatal(err)
	}
	kept := newAudit(t, s, "kept", 2)
	gone := newAudit(t, s, "gone", 2)
	err = s.Write(ctx, "setting", func(w *WriteTx) error {
		if _, err := w.AppendRetention(ctx, "Q. Lead", t0, map[string]int{"months": 72, "previous": 0}); err != nil {
			return err
		}
		_, _, err := w.Retire(ctx, gone, "gone", "Q. Lead", t0, map[string]string{"audit": "gone"})
		return err
	})
	s.Close()
	migrations = all
	if err != nil {
		t.Fatal(err)
	}

	s, err = Open(ctx, path, Options{EnteredBy: "qa.lead"})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	var v int
	if err := s.DB().QueryRow("PRAGMA user_version").Scan(&v); err != nil || v != SchemaVersion {
		t.Fatalf("user_version %d (%v), want %d", v, err, SchemaVersion)
	}
	var before []LogEntry
	if err := s.Read(ctx, "reading", func(tx *Tx) error { before, err = tx.Log(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(before) != 2 || before[0].Kind != LogRetention || before[1].Kind != LogRetirement || len(CheckLog(before)) > 0 {
		t.Fatalf("the log after migrating: %+v, problems %v", before, CheckLog(before))
	}
	if err := s.Write(ctx, "noting", func(w *WriteTx) error {
		_, err := w.AppendNetworkStore(ctx, "Q. Lead", t0, map[string]string{"where": "a Windows network share", "flag": "--allow-network-store"})
		return err
	}); err != nil {
		t.Fatalf("a network-store entry: %v", err)
	}
	var after []LogEntry
	if err := s.Read(ctx, "reading", func(tx *Tx) error { after, err = tx.Log(ctx); return err }); err != nil {
		t.Fatal(err)
	}
	if len(after) != 3 || after[2].Kind != LogNetworkStore || len(CheckLog(after)) > 0 || after[1].Hash != before[1].Hash {
		t.Fatalf("the log after a network-store entry: %+v, problems %v", after, CheckLog(after))
	}
	for _, q := range []struct{ name, sql, want string }{
		{"an entry changed", "UPDATE store_log SET actor = 'X' WHERE seq = 1", "append-only"},
		{"an entry removed", "DELETE FROM store_log WHERE seq = 3", "append-only"},
		{"an entry out of turn", "INSERT INTO store_log (seq, kind, actor, entered_by, at, payload, prev_hash, hash) VALUES (9, 'network-store', 'x', 'x', 'x', '{}', 'x', 'x')", "must follow"},
		{"an unknown kind", "INSERT INTO store_log (seq, kind, actor, entered_by, at, payload, prev_hash, hash) VALUES (4, 'other', 'x', 'x', 'x', '{}', '" + after[2].Hash + "', 'x')", "CHECK"},
		{"a second retirement of one audit", "INSERT INTO store_log (seq, kind, audit_id, audit, actor, entered_by, at, payload, prev_hash, hash) VALUES (4, 'retirement', " + itoa(gone) + ", 'gone', 'x', 'x', 'x', '{}', '" + after[2].Hash + "', 'x')", "UNIQUE"},
		{"an audit deleted without retirement", "DELETE FROM audit WHERE id = " + itoa(kept), "never deleted"},
		{"a retired name taken again", "CREATE TEMP TABLE a2 AS SELECT * FROM audit WHERE id = " + itoa(kept) + "; UPDATE a2 SET id = 1000, name = 'gone'; INSERT INTO audit SELECT * FROM a2", "retired"},
	} {
		if _, err := s.DB().Exec(q.sql); err == nil || !strings.Contains(err.Error(), q.want) {
			t.Errorf("%s: %v, want an error saying %q", q.name, err, q.want)
		}
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }
