// Command storebench measures the audit store on both backends, by hand
// (not part of go test; see bench/store):
//
//   - findings recorded per second by 1 and by 6 recorders at once, each a
//     process of its own recording one finding per transaction (Record, as
//     `caseaudit record` does) into one audit;
//   - the time to build the report of the latest audit and the trend over
//     100 audits of 120 findings each (report.Build, report.BuildTrend, as
//     `caseaudit report` and `caseaudit trend` do), median of 5.
//
// SQLite stores are files in a temporary folder; the PostgreSQL store is a
// schema of its own on the server named by CASEAUDIT_BENCH_POSTGRES (or
// CASEAUDIT_TEST_POSTGRES), dropped afterwards. Without a server only
// SQLite is measured.
package main

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"flag"
	"fmt"
	"net/url"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/pprof"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"
)

var (
	child    = flag.String("child", "", "internal: record into this store")
	from     = flag.Int("from", 1, "internal: first case")
	count    = flag.Int("n", 0, "internal: findings to record")
	perRec   = flag.Int("findings", 300, "findings per recorder")
	audits   = flag.Int("audits", 100, "audits for the report timing")
	findings = flag.Int("per-audit", 120, "findings per audit for the report timing")
	noRecord = flag.Bool("no-record", false, "skip the recording rounds: report and trend only")
	cpuProf  = flag.String("cpuprofile", "", "write a CPU profile of the report and trend rounds to this file")
	keep     = flag.String("keep", "", "make the SQLite stores in this folder and keep them (for EXPLAIN QUERY PLAN)")
	recOnly  = flag.String("record-only", "", "run only the recording rounds of this backend (sqlite or postgres) with these numbers of recorders, as BACKEND:1,6")
	keepPG   = flag.Bool("keep-pg", false, "keep the PostgreSQL schemas and roles made (to read pg_stat_user_functions, say); they are named on stderr")
)

func main() {
	flag.Parse()
	ctx := context.Background()
	if *child != "" {
		os.Exit(record(ctx, *child, *from, *count))
	}
	dir := *keep
	if dir == "" {
		var err error
		dir, err = os.MkdirTemp("", "storebench")
		check(err)
		defer os.RemoveAll(dir)
	} else {
		check(os.MkdirAll(dir, 0o700))
	}
	type backend struct{ name, where string }
	bs := []backend{{"sqlite", filepath.Join(dir, "%s.db")}}
	pgBase := os.Getenv("CASEAUDIT_BENCH_POSTGRES")
	if pgBase == "" {
		pgBase = os.Getenv("CASEAUDIT_TEST_POSTGRES")
	}
	var schemas []string
	if pgBase != "" {
		bs = append(bs, backend{"postgres", pgBase})
		defer func() {
			if *keepPG {
				fmt.Fprintln(os.Stderr, "storebench: kept the schemas", strings.Join(schemas, ", "))
				return
			}
			cfg, err := pgx.ParseConfig(pgBase)
			check(err)
			db := stdlib.OpenDB(*cfg)
			for _, s := range schemas {
				var prefix string
				db.QueryRow(`SELECT value FROM "` + s + `".meta WHERE key = 'role_prefix'`).Scan(&prefix)
				db.Exec(`DROP SCHEMA "` + s + `" CASCADE`)
				for _, g := range []string{store.GroupQA, store.GroupAuditor, store.GroupGovernance} {
					if prefix != "" {
						db.Exec(`DROP ROLE IF EXISTS "` + prefix + "_" + g + `"`)
					}
				}
			}
			db.Close()
		}()
	} else {
		fmt.Println("no PostgreSQL server (CASEAUDIT_BENCH_POSTGRES): SQLite only")
	}
	newStore := func(b backend, name string) string {
		if b.name == "sqlite" {
			return fmt.Sprintf(b.where, name)
		}
		buf := make([]byte, 5)
		rand.Read(buf)
		s := "bench_" + name + "_" + hex.EncodeToString(buf)
		schemas = append(schemas, s)
		u, err := url.Parse(b.where)
		check(err)
		q := u.Query()
		q.Set("schema", s)
		u.RawQuery = q.Encode()
		_, err = store.InitPostgres(ctx, u.String())
		check(err)
		return u.String()
	}
	fmt.Printf("%-9s %-28s %s\n", "backend", "what", "result")
	for _, b := range bs {
		counts := []int{1, 6}
		if *recOnly != "" {
			name, list, _ := strings.Cut(*recOnly, ":")
			if name != b.name {
				continue
			}
			counts = nil
			for _, f := range strings.Split(list, ",") {
				k, err := strconv.Atoi(f)
				check(err)
				counts = append(counts, k)
			}
		}
		for _, k := range counts {
			if *noRecord {
				break
			}
			where := newStore(b, fmt.Sprintf("rec%d", k))
			st, err := audit.Open(ctx, where, audit.Options{Actor: "bench"})
			check(err)
			_, err = st.CreateAudit(ctx, benchAudit("a"), benchCases(k**perRec))
			check(err)
			st.Close()
			t0 := time.Now()
			var cmds []*exec.Cmd
			for r := 0; r < k; r++ {
				cmd := exec.Command(os.Args[0], "-child", where, "-from", strconv.Itoa(1+r**perRec), "-n", strconv.Itoa(*perRec))
				cmd.Stderr = os.Stderr
				check(cmd.Start())
				cmds = append(cmds, cmd)
			}
			for _, cmd := range cmds {
				check(cmd.Wait())
			}
			el := time.Since(t0)
			fmt.Printf("%-9s %-28s %.0f findings/s (%d in %v)\n", b.name, fmt.Sprintf("record, %d recorder(s)", k),
				float64(k**perRec)/el.Seconds(), k**perRec, el.Round(time.Millisecond))
		}
	}
	if *recOnly != "" {
		return
	}
	// 100 audits × 120 findings, made once in SQLite (one import each) and
	// copied to PostgreSQL.
	src := fmt.Sprintf(bs[0].where, "report")
	clock := &stepClock{}
	st, err := audit.Open(ctx, src, audit.Options{Actor: "bench", Clock: clock.now})
	check(err)
	for i := 1; i <= *audits; i++ {
		name := fmt.Sprintf("audit %03d", i)
		a := benchAudit(name)
		month := time.Date(2018+(i-1)/12, time.Month(1+(i-1)%12), 1, 9, 0, 0, 0, time.UTC)
		a.Period = month.Format("2006-01")
		clock.t = month // drawn, and its cases read, on the first of its month
		_, err := st.CreateAudit(ctx, a, benchCases(*findings))
		check(err)
		csv := filepath.Join(dir, "f.csv")
		var b strings.Builder
		b.WriteString("Case ID,Auditor,Grade,Immediate attention,Notes,Date audited\n")
		for j := 1; j <= *findings; j++ {
			fmt.Fprintf(&b, "CR-%07d,Auditor %d,%s,%s,note %d,%s\n", j, j%6, audit.Grades[(i+j)%4], map[bool]string{true: "Yes", false: "No"}[(i*j)%23 == 0], j,
				month.Local().Format("2006-01-02"))
		}
		check(os.WriteFile(csv, []byte(b.String()), 0o600))
		_, err = audit.Import(ctx, st, name, csv, audit.ImportOptions{NewAuditor: true})
		check(err)
	}
	stores := []*audit.Store{st}
	if len(bs) > 1 {
		where := newStore(bs[1], "report")
		pg, err := audit.Open(ctx, where, audit.Options{Actor: "bench"})
		check(err)
		t0 := time.Now()
		res, err := audit.Copy(ctx, st, pg, nil)
		check(err)
		fmt.Printf("%-9s %-28s %v (%d audits, %d trail entries, verified)\n", "both", "store copy sqlite→postgres", time.Since(t0).Round(time.Millisecond), res.Audits, res.Entries)
		stores = append(stores, pg)
	}
	if *cpuProf != "" {
		f, err := os.Create(*cpuProf)
		check(err)
		check(pprof.StartCPUProfile(f))
		defer pprof.StopCPUProfile()
	}
	for _, s := range stores {
		// med returns the median wall time of 5 runs and the median CPU
		// time (user and system) they took, which a loaded machine
		// inflates less than the wall time.
		med := func(f func()) (time.Duration, time.Duration) {
			var ds, cs []time.Duration
			for r := 0; r < 5; r++ {
				c0, t0 := cpuTime(), time.Now()
				f()
				ds = append(ds, time.Since(t0))
				cs = append(cs, cpuTime()-c0)
			}
			slices.Sort(ds)
			slices.Sort(cs)
			return ds[2], cs[2]
		}
		d1, c1 := med(func() {
			_, err := report.Build(ctx, s, "", report.Options{})
			check(err)
		})
		d2, c2 := med(func() {
			_, err := report.BuildTrend(ctx, s, report.Options{})
			check(err)
		})
		fmt.Printf("%-9s %-28s %v (CPU %v)\n", s.Kind(), "report (latest of 100)", d1.Round(100*time.Microsecond), c1.Round(100*time.Microsecond))
		fmt.Printf("%-9s %-28s %v (CPU %v)\n", s.Kind(), fmt.Sprintf("trend (%d×%d)", *audits, *findings), d2.Round(100*time.Microsecond), c2.Round(100*time.Microsecond))
		s.Close()
	}
}

// record is one recorder process: n findings, one transaction each.
func record(ctx context.Context, where string, from, n int) int {
	st, err := audit.Open(ctx, where, audit.Options{Actor: "bench", BusyTimeout: time.Minute})
	check(err)
	defer st.Close()
	w := bufio.NewWriter(os.Stdout)
	defer w.Flush()
	today := time.Now().Format("2006-01-02") // audit a was drawn today, undated
	for i := from; i < from+n; i++ {
		_, err := st.Record(ctx, "a", audit.Finding{Case: fmt.Sprintf("CR-%07d", i), Auditor: fmt.Sprintf("Auditor %d", from),
			Grade: audit.Grades[i%4], Immediate: i%9 == 0, Note: "bench", Date: today})
		check(err)
	}
	return 0
}

func benchAudit(name string) audit.Audit {
	cols := []string{"Team", "Allocated Worker"}
	return audit.Audit{Name: name, Columns: cols, Provenance: sample.Provenance{Schema: sample.ProvenanceSchema, ToolVersion: "bench",
		Seed: "1", Export: sample.Source{Path: "cases.csv", SHA256: "00", Format: "csv"}, Size: 1,
		Counts: sample.Counts{Rows: 10000, Distinct: 10000, Population: 10000}, Columns: cols}}
}

func benchCases(n int) []audit.SampledCase {
	out := make([]audit.SampledCase, n)
	for i := range out {
		out[i] = audit.SampledCase{Order: i + 1, ID: fmt.Sprintf("CR-%07d", i+1), Ticket: fmt.Sprintf("0.%018d", i+1), Row: i + 2,
			Fields: []string{[]string{"North", "South", "East"}[i%3], fmt.Sprintf("Worker %d", i%7)}}
	}
	return out
}

// stepClock is the report store's clock: a minute on per reading, from
// the time it is set to, the first of each audit's month, so that each
// audit is drawn and its findings dated within the month it covers (a
// finding dated after today, or before its audit could be read, is
// refused).
type stepClock struct{ t time.Time }

func (c *stepClock) now() time.Time {
	c.t = c.t.Add(time.Minute)
	return c.t
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "storebench:", err)
		os.Exit(1)
	}
}
