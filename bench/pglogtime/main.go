// Command pglogtime reads a PostgreSQL server log written with
// log_min_duration_statement = 0 (and the default log_line_prefix, or any
// holding "[%p]") on its standard input and prints the server-side time
// spent per committed transaction by the first backend that committed at
// least -n transactions: in the lines one bench/store round appends, that
// is the single recorder of the first PostgreSQL recording round. Server
// time moves less than findings per second with the load others put on a
// shared machine; with log_statement_stats = on as well, it also sums the
// CPU time the server process reports for each message (parse, bind,
// execute), which moves least. By hand, from bench/store-ab; not part of
// go test.
//
//	tail -n +LINE server.log | go run ./bench/pglogtime -n 300
package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

var (
	line  = regexp.MustCompile(`\[(\d+)\].*?duration: ([0-9.]+) ms  (parse|bind|execute|statement)[^:]*: (.*)`)
	stats = regexp.MustCompile(`\[(\d+)\].*LOG:  (?:QUERY|PARSE MESSAGE|BIND MESSAGE|EXECUTE MESSAGE) STATISTICS`)
	usage = regexp.MustCompile(`^\s*!\s*([0-9.]+) s user, ([0-9.]+) s system`)
)

type backend struct {
	first   int // line number of its first statement
	commits int
	total   float64 // ms
	commit  float64 // ms in COMMIT (the WAL flush, the same whatever was checked)
	stmts   int     // statements executed
	cpu     float64 // ms of CPU time (user and system) from log_statement_stats
	byQuery map[string]float64
}

func main() {
	n := flag.Int("n", 300, "transactions the backend to report committed (findings per recorder)")
	top := flag.Int("top", 8, "statements to list")
	flag.Parse()
	bs := map[string]*backend{}
	sc := bufio.NewScanner(os.Stdin)
	sc.Buffer(make([]byte, 1<<20), 1<<24)
	get := func(pid string, i int) *backend {
		b := bs[pid]
		if b == nil {
			b = &backend{first: i, byQuery: map[string]float64{}}
			bs[pid] = b
		}
		return b
	}
	statsOf := "" // the backend whose usage lines follow
	for i := 0; sc.Scan(); i++ {
		if m := stats.FindStringSubmatch(sc.Text()); m != nil {
			statsOf = m[1]
			continue
		}
		if u := usage.FindStringSubmatch(sc.Text()); u != nil && statsOf != "" {
			us, _ := strconv.ParseFloat(u[1], 64)
			sy, _ := strconv.ParseFloat(u[2], 64)
			get(statsOf, i).cpu += (us + sy) * 1000
			statsOf = ""
			continue
		}
		m := line.FindStringSubmatch(sc.Text())
		if m == nil {
			continue
		}
		b := get(m[1], i)
		d, _ := strconv.ParseFloat(m[2], 64)
		q := strings.Join(strings.Fields(m[4]), " ")
		if len(q) > 60 {
			q = q[:60]
		}
		b.total += d
		b.byQuery[q] += d
		if m[3] == "execute" || m[3] == "statement" {
			b.stmts++
		}
		if m[3] == "statement" && q == "commit" {
			b.commits++
			b.commit += d
		}
	}
	var pick *backend
	for _, b := range bs {
		if b.commits >= *n && (pick == nil || b.first < pick.first) {
			pick = b
		}
	}
	if pick == nil {
		fmt.Fprintf(os.Stderr, "pglogtime: no backend committed %d transactions (is log_min_duration_statement 0?)\n", *n)
		os.Exit(1)
	}
	c := float64(pick.commits)
	fmt.Printf("server time per finding %.3f ms (%.3f ms without COMMIT), %.1f statements per finding\n",
		pick.total/c, (pick.total-pick.commit)/c, float64(pick.stmts)/c)
	if pick.cpu > 0 {
		fmt.Printf("server CPU time per finding %.3f ms\n", pick.cpu/c)
	}
	type qd struct {
		q string
		d float64
	}
	var qs []qd
	for q, d := range pick.byQuery {
		qs = append(qs, qd{q, d})
	}
	sort.Slice(qs, func(i, j int) bool { return qs[i].d > qs[j].d })
	for i := 0; i < len(qs) && i < *top; i++ {
		fmt.Printf("  %7.3f ms  %s\n", qs[i].d/c, qs[i].q)
	}
}
