package audit

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"math/rand/v2"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// The reliability tests re-run this test binary as a child process; the
// child does its part in TestChildProcess, steered by these variables.
const (
	envChild = "CASEAUDIT_TEST_CHILD" // "record" or "import"
	envDB    = "CASEAUDIT_TEST_DB"
	envPart  = "CASEAUDIT_TEST_PART" // record: which half of the cases
	envFile  = "CASEAUDIT_TEST_FILE" // import: the workbook
)

const concurrentAudit = "concurrency"

// recordPart records a finding on every case i (1-based) with i%2 == part.
func recordPart(ctx context.Context, s *Store, part, n int, auditor string) error {
	for i := 1; i <= n; i++ {
		if i%2 != part {
			continue
		}
		f := Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: auditor, Grade: Grades[i%4], Immediate: i%7 == 0,
			Note: fmt.Sprintf("finding %d by %s", i, auditor)}
		if _, err := s.Record(ctx, concurrentAudit, f); err != nil {
			return fmt.Errorf("case %d: %w", i, err)
		}
	}
	return nil
}

// checkAllRecorded checks every case has its finding and the chain is intact.
func checkAllRecorded(t *testing.T, s *Store, n int) {
	t.Helper()
	ctx := context.Background()
	fs, err := s.Findings(ctx, concurrentAudit, false)
	if err != nil {
		t.Fatal(err)
	}
	if len(fs) != n {
		t.Fatalf("%d findings; want %d", len(fs), n)
	}
	for i, f := range fs {
		if want := Grades[(i+1)%4]; f.Grade != want || f.Kind != KindFinding {
			t.Fatalf("finding on %s: %v %s; want %v finding", f.Case, f.Grade, f.Kind, want)
		}
	}
	flagged := 0
	for _, f := range fs {
		if f.Immediate {
			flagged++
		}
	}
	// The sample entry, one entry per finding, and one action opened per
	// finding needing immediate attention.
	tr, _ := s.Trail(ctx, concurrentAudit)
	if len(tr) != n+1+flagged {
		t.Fatalf("%d trail entries; want %d (%d flagged)", len(tr), n+1+flagged, flagged)
	}
	mustVerify(t, s, concurrentAudit)
}

// patient is how long the concurrency tests' writers wait for each other.
// They check that no finding is lost or doubled, not how long a writer
// waits; on a loaded two-core machine one writer can be kept waiting past
// the default busy timeout, which would fail the test for the wrong reason.
var patient = Options{BusyTimeout: 2 * time.Minute}

func TestConcurrentGoroutines(t *testing.T) {
	const n = 600
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s0, err := Open(ctx, path, patient)
	if err != nil {
		t.Fatal(err)
	}
	defer s0.Close()
	if _, err := s0.CreateAudit(ctx, testAudit(concurrentAudit), testCases(n)); err != nil {
		t.Fatal(err)
	}
	// Two auditors, each with their own handle on the store, recording at once.
	s1, err := Open(ctx, path, patient)
	if err != nil {
		t.Fatal(err)
	}
	defer s1.Close()
	var wg sync.WaitGroup
	errs := make([]error, 2)
	start := make(chan struct{})
	for part, s := range []*Store{s0, s1} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			errs[part] = recordPart(ctx, s, part, n, fmt.Sprintf("Auditor %d", part))
		}()
	}
	close(start)
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			t.Fatal(err)
		}
	}
	checkAllRecorded(t, s0, n)
}

func child(t *testing.T, env ...string) *exec.Cmd {
	cmd := exec.Command(os.Args[0], "-test.run=^TestChildProcess$", "-test.count=1")
	cmd.Env = append(os.Environ(), env...)
	return cmd
}

func TestConcurrentProcesses(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const n = 600
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "caseaudit.db")
	s, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if _, err := s.CreateAudit(ctx, testAudit(concurrentAudit), testCases(n)); err != nil {
		t.Fatal(err)
	}
	var cmds []*exec.Cmd
	var gos []io.WriteCloser
	var outs []*strings.Builder
	for part := 0; part < 2; part++ {
		cmd := child(t, envChild+"=record", envDB+"="+path, envPart+"="+strconv.Itoa(part))
		out := &strings.Builder{}
		cmd.Stdout, cmd.Stderr = out, out
		in, err := cmd.StdinPipe()
		if err != nil {
			t.Fatal(err)
		}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		cmds, gos, outs = append(cmds, cmd), append(gos, in), append(outs, out)
	}
	// Both children are running; let them go at once.
	for _, in := range gos {
		in.Write([]byte("go\n"))
		in.Close()
	}
	for i, cmd := range cmds {
		if err := cmd.Wait(); err != nil {
			t.Fatalf("child %d: %v\n%s", i, err, outs[i])
		}
	}
	checkAllRecorded(t, s, n)
	tr, _ := s.Trail(ctx, concurrentAudit)
	switches := 0
	for i := 2; i < len(tr); i++ {
		if tr[i].Actor != tr[i-1].Actor {
			switches++
		}
	}
	t.Logf("the two processes took turns %d times", switches)
}

// TestKilledImport kills a child process with SIGKILL in the middle of a
// big import, at a point chosen at random from the findings the child says
// it has written (inside its transaction): the store must open, pass
// integrity_check and Verify, and hold all of that import or none of it.
func TestKilledImport(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	const n = 3000
	ctx := context.Background()
	dir := t.TempDir()
	path := filepath.Join(dir, "caseaudit.db")
	// July's audit, drawn on 2 July: the file's rows are dated in July.
	s, err := Open(ctx, path, Options{Clock: func() time.Time { return time.Date(2026, 7, 2, 9, 0, 0, 0, time.UTC) }})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := s.CreateAudit(ctx, testAudit(concurrentAudit), testCases(n)); err != nil {
		t.Fatal(err)
	}
	// Earlier work that must survive, identical to the file's first row.
	mustRecord(t, s, concurrentAudit, Finding{Case: "CR-0000001", Auditor: "Auditor 2", Grade: Good, Note: "Imported note 1", Date: "2026-07-02"})
	s.Close()
	var b strings.Builder
	b.WriteString(csvHeader)
	all := testCases(n)
	for i := 1; i <= n; i++ {
		c := all[i-1]
		g := Grades[i%4]
		if i == 1 {
			g = Good
		}
		fmt.Fprintf(&b, "%d,%s,%s,%s,%s,Auditor %d,%s,%s,Imported note %d,2026-07-%02d\n",
			i, c.ID, c.Fields[0], c.Fields[1], c.Fields[2], 1+i%3, g, map[bool]string{true: "Yes", false: "No"}[i%9 == 0], i, 1+i%28)
	}
	csv := filepath.Join(dir, "audit.csv")
	os.WriteFile(csv, []byte(b.String()), 0o600)

	seed := uint64(time.Now().UnixNano())
	rng := rand.New(rand.NewPCG(seed, 42))
	for round := 0; round < 3; round++ {
		killAt := 1 + rng.IntN(n-100)
		t.Logf("round %d: seed %d, kill after %d findings written", round, seed, killAt)
		pr, pw, err := os.Pipe()
		if err != nil {
			t.Fatal(err)
		}
		cmd := child(t, envChild+"=import", envDB+"="+path, envFile+"="+csv)
		var out strings.Builder
		cmd.Stdout, cmd.Stderr = &out, &out
		cmd.ExtraFiles = []*os.File{pw}
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		pw.Close()
		r := bufio.NewReader(pr)
		seen := 0
		for seen < killAt {
			if _, err := r.ReadString('\n'); err != nil {
				cmd.Wait()
				t.Fatalf("child ended after %d findings: %v\n%s", seen, err, out.String())
			}
			seen++
		}
		cmd.Process.Signal(syscall.SIGKILL)
		werr := cmd.Wait()
		pr.Close()
		if ws, ok := cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
			t.Logf("child was not killed by the signal (%v): it finished first", werr)
		}

		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatalf("the store does not open after the kill: %v", err)
		}
		if err := s.IntegrityCheck(ctx); err != nil {
			t.Fatal(err)
		}
		mustVerify(t, s, concurrentAudit)
		fs, err := s.Findings(ctx, concurrentAudit, false)
		if err != nil {
			t.Fatal(err)
		}
		switch len(fs) {
		case 1: // none of the import: the earlier finding alone
		case n: // all of it (the child committed before the kill)
			t.Logf("round %d: the import completed before the kill", round)
			s.Close()
			return
		default:
			t.Fatalf("round %d: %d findings after the kill; want 1 (none imported) or %d (all)", round, len(fs), n)
		}
		s.Close()
	}
	// Finally the same import, not killed, goes through in full.
	s, err = Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	res, err := Import(ctx, s, concurrentAudit, csv, ImportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if res.Recorded != n-1 || res.Unchanged != 1 {
		t.Errorf("import after the kills: %+v", res)
	}
	mustVerify(t, s, concurrentAudit)
}

// TestChildProcess is the child's side of the reliability tests; run
// directly it does nothing.
func TestChildProcess(t *testing.T) {
	mode := os.Getenv(envChild)
	if mode == "" {
		t.Skip("only runs as a child of the reliability tests")
	}
	ctx := context.Background()
	s, err := Open(ctx, os.Getenv(envDB), patient)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	switch mode {
	case "record":
		part, _ := strconv.Atoi(os.Getenv(envPart))
		bufio.NewReader(os.Stdin).ReadString('\n') // wait for the go
		if err := recordPart(ctx, s, part, 600, fmt.Sprintf("Auditor %d", part)); err != nil {
			t.Fatal(err)
		}
	case "import":
		progress := os.NewFile(3, "progress")
		_, err := Import(ctx, s, concurrentAudit, os.Getenv(envFile), ImportOptions{
			Progress: func(int) { progress.Write([]byte{'.', '\n'}) },
		})
		if err != nil {
			t.Fatal(err)
		}
	}
}
