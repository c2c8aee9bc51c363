package audit

// The store under hostile conditions: files that are not stores are refused untouched;
// a locked store gives ErrBusy and no half-written entry; a damaged store
// says so; a process killed while recording leaves a store that passes
// PRAGMA integrity_check and Verify, holding every finding it acknowledged.

import (
	"bufio"
	"bytes"
	"context"
	"crypto/sha256"
	"database/sql"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/xuri/excelize/v2"
)

func sum(t *testing.T, path string) [32]byte {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return sha256.Sum256(b)
}

func oneLine(t *testing.T, err error, wants ...string) {
	t.Helper()
	if err == nil {
		t.Fatal("want an error")
	}
	msg := err.Error()
	if strings.ContainsAny(msg, "\n\r") {
		t.Errorf("error is not one line: %q", msg)
	}
	for _, w := range wants {
		if !strings.Contains(msg, w) {
			t.Errorf("error %q lacks %q", msg, w)
		}
	}
}

func noSidecars(t *testing.T, path string) {
	t.Helper()
	for _, s := range []string{"-wal", "-shm", "-journal"} {
		if _, err := os.Stat(path + s); err == nil {
			t.Errorf("%s%s was created", path, s)
		}
	}
}

func TestHostileStoreNotAStore(t *testing.T) {
	dir := t.TempDir()
	text := filepath.Join(dir, "notes.db")
	os.WriteFile(text, []byte("SQLite format 2 — a text file that looks a little like a database\n"), 0o600)
	short := filepath.Join(dir, "short.db")
	os.WriteFile(short, []byte("SQLite format 3\x00"), 0o600) // the header cut short
	other := filepath.Join(dir, "other.db")
	db, err := sql.Open("sqlite", other)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Exec("CREATE TABLE contacts(name TEXT)"); err != nil {
		t.Fatal(err)
	}
	db.Close()
	for _, p := range []string{text, short, other} {
		before := sum(t, p)
		_, err := Open(context.Background(), p, Options{})
		if !errors.Is(err, ErrNotStore) {
			t.Errorf("%s: want ErrNotStore, got %v", p, err)
		}
		oneLine(t, err, p, "not a caseaudit store")
		if sum(t, p) != before {
			t.Errorf("%s was changed", p)
		}
		noSidecars(t, p)
	}
	_, err = Open(context.Background(), dir, Options{})
	if !errors.Is(err, ErrNotStore) {
		t.Errorf("a directory: %v", err)
	}
}

// TestHostileStoreCorrupt overwrites the pages after the header of a real
// store: every use fails with one line naming the store, nothing panics.
func TestHostileStoreCorrupt(t *testing.T) {
	s, _ := withAudit(t, "A", 20)
	mustRecord(t, s, "A", Finding{Case: "CR-0000001", Auditor: "X", Grade: Good})
	path := s.Path()
	s.Close()
	// Fold the WAL into the main file, then damage every page but the first.
	db, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	db.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
	db.Exec("PRAGMA journal_mode=DELETE")
	db.Close()
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(raw) < 8192 {
		t.Fatalf("store only %d bytes", len(raw))
	}
	for i := 4096; i < len(raw); i++ {
		raw[i] = byte(i*7 + 3)
	}
	os.WriteFile(path, raw, 0o600)

	st, err := Open(context.Background(), path, Options{BusyTimeout: 100 * time.Millisecond})
	if err != nil {
		oneLine(t, err, path)
		return
	}
	defer st.Close()
	_, err = st.Record(context.Background(), "A", Finding{Case: "CR-0000002", Auditor: "X", Grade: Good})
	oneLine(t, err, path)
	_, err = st.Verify(context.Background(), "A")
	oneLine(t, err, path)
}

// TestHostileStoreLocked: another connection holds the write lock; Record
// waits the busy timeout and fails with ErrBusy, and nothing is written;
// reading still works (WAL); after the lock is released Record succeeds.
func TestHostileStoreLocked(t *testing.T) {
	s, _ := withAudit(t, "A", 10)
	path := s.Path()
	s.Close()
	st, err := Open(context.Background(), path, Options{BusyTimeout: 50 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()

	holder, err := sql.Open("sqlite", path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	conn, err := holder.Conn(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	if _, err := conn.ExecContext(context.Background(), "BEGIN IMMEDIATE"); err != nil {
		t.Fatal(err)
	}
	_, err = st.Record(context.Background(), "A", Finding{Case: "CR-0000001", Auditor: "X", Grade: Good})
	if !errors.Is(err, ErrBusy) {
		t.Fatalf("want ErrBusy, got %v", err)
	}
	oneLine(t, err, path, "busy", "try again")
	if _, err := st.Status(context.Background(), "A"); err != nil {
		t.Errorf("reading while another writes: %v", err)
	}
	conn.ExecContext(context.Background(), "ROLLBACK")
	conn.Close()

	mustRecord(t, st, "A", Finding{Case: "CR-0000001", Auditor: "X", Grade: Good})
	fs, err := st.Findings(context.Background(), "A", false)
	if err != nil || len(fs) != 1 {
		t.Fatalf("findings %v %v; want exactly the one recorded after the lock", fs, err)
	}
	mustVerify(t, st, "A")
}

// TestHostileStoreConcurrentWriters: four stores on one file record 15
// findings each at once; every finding is kept and the chain is intact.
func TestHostileStoreConcurrentWriters(t *testing.T) {
	s, _ := withAudit(t, "A", 60)
	path := s.Path()
	s.Close()
	var wg sync.WaitGroup
	errs := make(chan error, 60)
	for w := 0; w < 4; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			st, err := Open(context.Background(), path, Options{Actor: fmt.Sprint("w", w)})
			if err != nil {
				errs <- err
				return
			}
			defer st.Close()
			for i := w; i < 60; i += 4 {
				_, err := st.Record(context.Background(), "A", Finding{Case: fmt.Sprintf("CR-%07d", i+1), Auditor: fmt.Sprint("Auditor ", w), Grade: Good})
				if err != nil {
					errs <- err
				}
			}
		}()
	}
	wg.Wait()
	close(errs)
	for err := range errs {
		t.Error(err)
	}
	st, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	fs, err := st.Findings(context.Background(), "A", false)
	if err != nil || len(fs) != 60 {
		t.Fatalf("%d findings (%v), want 60", len(fs), err)
	}
	mustVerify(t, st, "A")
}

// integrityCheck opens a store file and runs Store.IntegrityCheck on it.
func integrityCheck(t *testing.T, path string) {
	t.Helper()
	s, err := Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.IntegrityCheck(context.Background()); err != nil {
		t.Fatal(err)
	}
}

// TestHostileKillHelper is the child process of TestHostileStoreSIGKILL:
// it records findings one after another, printing each case ID once its
// transaction has committed, until it is killed.
func TestHostileKillHelper(t *testing.T) {
	path := os.Getenv("CASEAUDIT_KILL_STORE")
	if path == "" {
		t.Skip("child process of TestHostileStoreSIGKILL")
	}
	st, err := Open(context.Background(), path, Options{Actor: "child"})
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	for i := 0; ; i++ {
		id := fmt.Sprintf("CR-%07d", i%200+1)
		f := Finding{Case: id, Auditor: "Child", Grade: Grade(i%4 + 1), Immediate: i%3 == 0, Note: strings.Repeat("n", i%500)}
		if i >= 200 {
			f.Reason = "again"
		}
		if _, err := st.Record(context.Background(), "A", f); err != nil {
			fmt.Println("error:", err)
			os.Exit(1)
		}
		fmt.Println(i)
	}
}

// TestHostileStoreSIGKILL kills a recording process at several points:
// after each kill the store passes integrity_check and Verify, and holds at
// least every finding the process reported committed (at most one more).
func TestHostileStoreSIGKILL(t *testing.T) {
	s, _ := withAudit(t, "A", 200)
	path := s.Path()
	s.Close()
	acked := 0
	for round, after := range []int{1, 7, 40, 3, 120} {
		cmd := exec.Command(os.Args[0], "-test.run=^TestHostileKillHelper$")
		cmd.Env = append(os.Environ(), "CASEAUDIT_KILL_STORE="+path)
		out, err := cmd.StdoutPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(out)
		n := 0
		for n < after && sc.Scan() {
			if strings.HasPrefix(sc.Text(), "error:") {
				t.Fatalf("child: %s", sc.Text())
			}
			if _, err := fmt.Sscan(sc.Text(), new(int)); err == nil {
				n++
			}
		}
		cmd.Process.Kill() // SIGKILL: no deferred code, no clean close
		io.Copy(io.Discard, out)
		cmd.Wait()
		acked += n

		integrityCheck(t, path)
		st, err := Open(context.Background(), path, Options{})
		if err != nil {
			t.Fatalf("round %d: reopening after SIGKILL: %v", round, err)
		}
		v, err := st.Verify(context.Background(), "A")
		if err != nil || !v.OK {
			t.Fatalf("round %d: verify after SIGKILL: %v %v", round, err, v.Problems)
		}
		es, err := st.Trail(context.Background(), "A")
		st.Close()
		if err != nil {
			t.Fatal(err)
		}
		findings := 0
		for _, e := range es {
			if e.Kind == KindFinding || e.Kind == KindCorrection {
				findings++
			}
		}
		// Each child starts over at case 1, so after the first round its
		// findings are corrections or unchanged re-recordings; check only
		// that nothing acknowledged was lost in the first round. (The child
		// may have committed more than the parent read before the kill.)
		if round == 0 && findings < n {
			t.Errorf("round %d: %d findings in the trail, the child acknowledged %d", round, findings, n)
		}
	}
	t.Logf("%d findings acknowledged over 5 kills", acked)
}

// ---- FuzzImport ----

// importSeeds are small filled-in workbooks, csv and xlsx.
func importSeeds(t testing.TB) [][]byte {
	seeds := [][]byte{
		[]byte("Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\nCR-0000001,A. Khan,Good,No,read in full,2026-07-10\nCR-0000002,B. Lee,Inadequate,Yes,=1+1,10/07/2026\nCR-0000003,,,,\n"),
		[]byte("\xef\xbb\xbf#;Case ID;Auditor;Grade;Immediate attention;Notes\r\n1;CR-0000004;A;ri;y;\"multi\nline\"\r\n2;CR-0000004;B;good;no;dup\r\n"),
		[]byte("Case ID,Grade\nCR-9999999,Good\n"),
	}
	f := excelize.NewFile()
	f.SetSheetName("Sheet1", "Sample")
	f.SetSheetRow("Sample", "A1", &[]any{"#", "Case ID", "Team", "Auditor", "Grade", "Immediate attention", "Notes", "Date audited"})
	f.SetSheetRow("Sample", "A2", &[]any{1, "CR-0000001", "North", "A. Khan", "Requires improvement", "Yes", "note", 46213})
	f.SetSheetRow("Sample", "A3", &[]any{2, "CR-0000002", "South", "B. Lee", "Outstanding", "No", "", ""})
	if buf, err := f.WriteToBuffer(); err == nil {
		seeds = append(seeds, buf.Bytes())
	}
	f.Close()
	return seeds
}

// FuzzImport imports arbitrary bytes as a filled-in workbook into a store
// holding an audit of five cases. It must never panic; every failure is an
// *ImportError, a *export.InputError or a one-line error; and a failed
// import changes nothing (the trail keeps its length).
func FuzzImport(f *testing.F) {
	for _, s := range importSeeds(f) {
		f.Add(s, false)
	}
	dir := f.TempDir()
	st, err := Open(context.Background(), filepath.Join(dir, "caseaudit.db"), Options{Clock: newClock().now, Actor: "fuzz"})
	if err != nil {
		f.Fatal(err)
	}
	defer st.Close()
	if _, err := st.CreateAudit(context.Background(), testAudit("A"), testCases(5)); err != nil {
		f.Fatal(err)
	}
	path := filepath.Join(dir, "filled.xlsx")
	f.Fuzz(func(t *testing.T, data []byte, skip bool) {
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		before, err := st.Trail(context.Background(), "A")
		if err != nil {
			t.Fatal(err)
		}
		_, err = Import(context.Background(), st, "A", path, ImportOptions{SkipInvalid: skip, Reason: map[bool]string{true: "fuzz"}[skip]})
		if err == nil {
			return
		}
		var ie *ImportError
		if !errors.As(err, &ie) && !export.IsInputError(err) && strings.ContainsAny(err.Error(), "\n\r") {
			t.Fatalf("error is neither an ImportError nor an InputError nor one line: %q", err)
		}
		after, err2 := st.Trail(context.Background(), "A")
		if err2 != nil {
			t.Fatal(err2)
		}
		if len(after) != len(before) {
			t.Fatalf("a failed import (%v) changed the trail from %d to %d entries", err, len(before), len(after))
		}
	})
}

// TestWriteImportSeeds writes the FuzzImport seed corpus (run with
// CASEAUDIT_WRITE_SEEDS=1 after changing importSeeds).
func TestWriteImportSeeds(t *testing.T) {
	if os.Getenv("CASEAUDIT_WRITE_SEEDS") == "" {
		t.Skip("set CASEAUDIT_WRITE_SEEDS=1 to rewrite the seed corpus")
	}
	d := filepath.Join("testdata", "fuzz", "FuzzImport")
	if err := os.MkdirAll(d, 0o755); err != nil {
		t.Fatal(err)
	}
	for i, s := range importSeeds(t) {
		var b bytes.Buffer
		fmt.Fprintf(&b, "go test fuzz v1\n[]byte(%q)\nbool(%v)\n", s, i%2 == 1)
		if err := os.WriteFile(filepath.Join(d, fmt.Sprintf("seed-%d", i)), b.Bytes(), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}
