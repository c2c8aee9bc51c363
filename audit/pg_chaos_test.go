package audit

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/caseaudit/caseaudit/audit/store"
)

// A team at work: six processes record 120 findings
// each into one audit at once — three with Record, one finding per
// transaction, three with Import — while one importer is killed with
// SIGKILL in the middle of its import and the server is restarted once.
// Each process does what a person would: a command that failed is run
// again. Afterwards every finding a process reported saved is there exactly
// once, the killed import left all or nothing, the chain is intact and
// Verify passes.

const (
	envChaosMode    = "CASEAUDIT_CHAOS_MODE" // "record" or "import"
	envChaosDB      = "CASEAUDIT_CHAOS_DB"
	envChaosAuditor = "CASEAUDIT_CHAOS_AUDITOR"
	envChaosFrom    = "CASEAUDIT_CHAOS_FROM"  // record: the first case number
	envChaosFiles   = "CASEAUDIT_CHAOS_FILES" // import: files, comma-separated
	envChaosSlow    = "CASEAUDIT_CHAOS_SLOW"  // import: pause after each row written
	chaosAudit      = "team"
	chaosPer        = 120
)

func chaosFinding(i int, auditor string) Finding {
	return Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: auditor, Grade: Grades[i%4], Immediate: i%9 == 0,
		Note: fmt.Sprintf("finding %d", i), Date: "2026-07-10"}
}

func TestPostgresSixAuditorsChaos(t *testing.T) {
	if testing.Short() {
		t.Skip("starts processes")
	}
	ctx := context.Background()
	// The server this test restarts is one of its own when .ci/postgres
	// started one: restarting the shared server would cut the sessions of
	// other packages' tests running at the same time.
	server, restartCmd := os.Getenv("CASEAUDIT_TEST_POSTGRES_CHAOS"), os.Getenv("CASEAUDIT_TEST_POSTGRES_RESTART")
	if server == "" || restartCmd == "" {
		if os.Getenv("CI") == "true" {
			t.Fatal("CASEAUDIT_TEST_POSTGRES_CHAOS and CASEAUDIT_TEST_POSTGRES_RESTART are not set: CI must restart a server in this test (.ci/postgres starts one)")
		}
		server, restartCmd = pgServer(t), ""
	}
	where := withParam(t, pgStoreOn(t, server, store.SchemaVersion), "application_name", "caseaudit-chaos")
	s, _ := openAt(t, where, "qa.officer")
	if _, err := s.CreateAudit(ctx, testAudit(chaosAudit), testCases(6*chaosPer)); err != nil {
		t.Fatal(err)
	}
	auditors := []string{"Auditor 1", "Auditor 2", "Auditor 3", "Auditor 4", "Auditor 5", "Auditor 6"}
	if _, err := s.Allocate(ctx, chaosAudit, auditors, AllocationRules{}); err != nil {
		t.Fatal(err)
	}
	// The importers' files: auditors 4 and 5 import theirs in three files
	// of 40 rows, auditor 6 in one of 120 (the one killed).
	dir := t.TempDir()
	all := testCases(6 * chaosPer)
	file := func(name string, from, to int, auditor string) string {
		var b strings.Builder
		b.WriteString(csvHeader)
		for i := from; i <= to; i++ {
			c, f := all[i-1], chaosFinding(i, auditor)
			fmt.Fprintf(&b, "%d,%s,%s,%s,%s,%s,%s,%s,%s,%s\n", i, c.ID, c.Fields[0], c.Fields[1], c.Fields[2], auditor, f.Grade,
				map[bool]string{true: "Yes", false: "No"}[f.Immediate], f.Note, f.Date)
		}
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(b.String()), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	type proc struct {
		name string
		env  []string
		cmd  *exec.Cmd
		done chan struct{}
		out  strings.Builder
	}
	var procs []*proc
	for k := 0; k < 6; k++ {
		auditor := auditors[k]
		from := k*chaosPer + 1
		p := &proc{name: auditor, done: make(chan struct{})}
		p.env = []string{envChaosDB + "=" + where, envChaosAuditor + "=" + auditor}
		switch k {
		case 0, 1, 2:
			p.env = append(p.env, envChaosMode+"=record", envChaosFrom+"="+strconv.Itoa(from))
		case 3, 4:
			var files []string
			for j := 0; j < 3; j++ {
				files = append(files, file(fmt.Sprintf("a%d-%d.csv", k+1, j), from+40*j, from+40*j+39, auditor))
			}
			p.env = append(p.env, envChaosMode+"=import", envChaosFiles+"="+strings.Join(files, ","))
		case 5:
			p.env = append(p.env, envChaosMode+"=import", envChaosSlow+"=1", envChaosFiles+"="+file("a6.csv", from, from+chaosPer-1, auditor))
		}
		procs = append(procs, p)
	}

	var mu sync.Mutex
	saved := map[string]bool{} // what the processes reported saved: case IDs and files
	okCount := 0
	restart := make(chan struct{})
	var restartOnce sync.Once
	start := func(p *proc, progress *os.File) (*bufio.Scanner, error) {
		p.cmd = exec.Command(os.Args[0], "-test.run=^TestPostgresChaosChild$", "-test.count=1")
		p.cmd.Env = append(os.Environ(), p.env...)
		p.cmd.Stderr = &p.out
		if progress != nil {
			p.cmd.ExtraFiles = []*os.File{progress}
		}
		stdout, err := p.cmd.StdoutPipe()
		if err != nil {
			return nil, err
		}
		if err := p.cmd.Start(); err != nil {
			return nil, err
		}
		return bufio.NewScanner(stdout), nil
	}
	watch := func(p *proc, sc *bufio.Scanner) {
		defer close(p.done)
		for sc.Scan() {
			line := sc.Text()
			mu.Lock()
			switch {
			case strings.HasPrefix(line, "ok "):
				saved[strings.TrimPrefix(line, "ok ")] = true
				okCount++
				if okCount == 150 {
					restartOnce.Do(func() { close(restart) })
				}
			case strings.HasPrefix(line, "fail "):
				if strings.ContainsAny(strings.TrimPrefix(line, "fail "), "\r") {
					t.Errorf("%s: a failure of more than one line: %q", p.name, line)
				}
				fmt.Fprintln(&p.out, line)
			}
			mu.Unlock()
		}
		p.cmd.Wait()
	}
	// The killed importer reports each row it writes on a pipe.
	pr, pw, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	for i, p := range procs {
		var sc *bufio.Scanner
		if i == 5 {
			sc, err = start(p, pw)
			pw.Close()
		} else {
			sc, err = start(p, nil)
		}
		if err != nil {
			t.Fatal(err)
		}
		go watch(p, sc)
	}
	// Kill auditor 6's import halfway through its transaction.
	killed := procs[5]
	rows := bufio.NewScanner(pr)
	for n := 0; n < chaosPer/2 && rows.Scan(); n++ {
	}
	killed.cmd.Process.Signal(syscall.SIGKILL)
	<-killed.done
	pr.Close()
	if ws, ok := killed.cmd.ProcessState.Sys().(syscall.WaitStatus); !ok || !ws.Signaled() {
		t.Logf("the importer was not killed by the signal: it finished first (%v)", killed.cmd.ProcessState)
	}
	mu.Lock()
	reported := saved[strings.Split(killed.env[len(killed.env)-1], "=")[1]]
	mu.Unlock()
	// All of that import or none of it, whatever the others are doing.
	check, _ := openAt(t, where, "check")
	n6 := 0
	if fs, err := check.Findings(ctx, chaosAudit, false); err == nil {
		for _, f := range fs {
			if f.Auditor == "Auditor 6" {
				n6++
			}
		}
	} else {
		t.Logf("reading after the kill: %v", err)
	}
	if n6 != 0 && n6 != chaosPer {
		t.Fatalf("the killed import left %d of its %d findings: a partial import", n6, chaosPer)
	}
	if reported && n6 != chaosPer {
		t.Fatalf("the killed import reported success but %d findings are there", n6)
	}
	t.Logf("after the kill the import had left %d findings", n6)

	// The server restarts once, while the others are at work.
	select {
	case <-restart:
	case <-time.After(60 * time.Second):
		t.Fatal("the recorders did not get going")
	}
	if restartCmd != "" {
		t0 := time.Now()
		if out, err := exec.Command(restartCmd).CombinedOutput(); err != nil {
			t.Fatalf("restarting the server: %v\n%s", err, out)
		}
		t.Logf("restarted the server in %v", time.Since(t0).Round(time.Millisecond))
	} else {
		// No server of its own to restart: cut every session of the test
		// instead, as a restart would.
		admin := pgAdminOn(t, server)
		if _, err := admin.Exec("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name LIKE 'caseaudit-chaos%'"); err != nil {
			t.Fatal(err)
		}
		t.Log("CASEAUDIT_TEST_POSTGRES_CHAOS is not set: terminated the sessions instead of restarting the shared server")
	}
	// The person whose import was killed runs it again.
	rerun := &proc{name: "Auditor 6 again", env: killed.env, done: make(chan struct{})}
	sc, err := start(rerun, nil)
	if err != nil {
		t.Fatal(err)
	}
	go watch(rerun, sc)
	for _, p := range append(procs[:5:5], rerun) {
		select {
		case <-p.done:
		case <-time.After(3 * time.Minute):
			p.cmd.Process.Kill()
			t.Fatalf("%s did not finish:\n%s", p.name, p.out.String())
		}
		if !p.cmd.ProcessState.Success() {
			t.Fatalf("%s failed: %v\n%s", p.name, p.cmd.ProcessState, p.out.String())
		}
		if fails := strings.Count(p.out.String(), "fail "); fails > 0 {
			t.Logf("%s: %d commands failed and were run again; the first: %s", p.name, fails,
				strings.SplitN(p.out.String()[strings.Index(p.out.String(), "fail "):], "\n", 2)[0])
		}
	}

	// Every finding once, each as its auditor made it; nothing else.
	final, _ := openAt(t, where, "check")
	tr, err := final.Trail(ctx, chaosAudit)
	if err != nil {
		t.Fatal(err)
	}
	per := map[string]int{}
	flagged := 0
	for _, e := range tr {
		switch e.Kind {
		case KindFinding:
			per[e.Case]++
		case KindCorrection:
			t.Errorf("entry %d: a correction on %s; every finding was recorded once, unchanged", e.Seq, e.Case)
		case KindActionOpen:
			flagged++
		}
	}
	for i := 1; i <= 6*chaosPer; i++ {
		id := fmt.Sprintf("CR-%07d", i)
		if per[id] != 1 {
			t.Errorf("%s has %d findings; want exactly 1", id, per[id])
		}
	}
	mu.Lock()
	for what := range saved {
		if strings.HasPrefix(what, "CR-") && per[what] != 1 {
			t.Errorf("%s was reported saved but has %d findings", what, per[what])
		}
	}
	mu.Unlock()
	fs, err := final.Findings(ctx, chaosAudit, false)
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range fs {
		var i int
		fmt.Sscanf(f.Case, "CR-%d", &i)
		want := chaosFinding(i, auditors[(i-1)/chaosPer])
		if f.Grade != want.Grade || f.Immediate != want.Immediate || f.Note != want.Note || f.Auditor != want.Auditor {
			t.Errorf("%s: %+v; want %+v", f.Case, f, want)
		}
	}
	if want := 2 + 6*chaosPer + flagged; len(tr) != want {
		t.Errorf("%d trail entries; want %d", len(tr), want)
	}
	mustVerify(t, final, chaosAudit)
	if err := final.IntegrityCheck(ctx); err != nil {
		t.Error(err)
	}
}

// TestPostgresChaosChild is one process of TestPostgresSixAuditorsChaos;
// run directly it does nothing. It prints "ok WHAT" for each finding or
// file saved and "fail WHAT: ERROR" for each command that failed (and is
// run again).
func TestPostgresChaosChild(t *testing.T) {
	mode := os.Getenv(envChaosMode)
	if mode == "" {
		t.Skip("only runs as a process of TestPostgresSixAuditorsChaos")
	}
	ctx := context.Background()
	where, auditor := os.Getenv(envChaosDB), os.Getenv(envChaosAuditor)
	deadline := time.Now().Add(2 * time.Minute)
	again := func(what string, err error) {
		if time.Now().After(deadline) {
			fmt.Printf("fail %s: %v (giving up)\n", what, err)
			os.Exit(1)
		}
		fmt.Printf("fail %s: %v\n", what, err)
		time.Sleep(100 * time.Millisecond)
	}
	var s *Store
	for {
		var err error
		if s, err = Open(ctx, where, Options{Actor: auditor, BusyTimeout: 30 * time.Second}); err == nil {
			break
		}
		again("open", err)
	}
	defer s.Close()
	switch mode {
	case "record":
		from, _ := strconv.Atoi(os.Getenv(envChaosFrom))
		for i := from; i < from+chaosPer; i++ {
			f := chaosFinding(i, auditor)
			for {
				if _, err := s.Record(ctx, chaosAudit, f); err != nil {
					again(f.Case, err)
					continue
				}
				break
			}
			fmt.Printf("ok %s\n", f.Case)
		}
	case "import":
		var progress *os.File
		if os.Getenv(envChaosSlow) != "" {
			progress = os.NewFile(3, "progress")
		}
		for _, file := range strings.Split(os.Getenv(envChaosFiles), ",") {
			for {
				_, err := Import(ctx, s, chaosAudit, file, ImportOptions{Progress: func(int) {
					if progress != nil {
						progress.Write([]byte(".\n"))
						time.Sleep(5 * time.Millisecond)
					}
				}})
				if err != nil {
					again(file, err)
					continue
				}
				break
			}
			fmt.Printf("ok %s\n", file)
		}
	}
}
