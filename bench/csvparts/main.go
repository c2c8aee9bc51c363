// Command csvparts times, on one csv export, the parts of `caseaudit sample`
// that no way of parsing can leave out, each alone on one core: the
// SHA-256 of the whole file (the provenance's), one ticket key per row (a
// SHA-256 block each, from the seed's midstate), and finding every line
// end. Run beside the floor (shared/tools/baseline FILE.csv) in the same
// moment, they say how much of the floor's time a sample must spend in any
// case, and so how close to a fraction of the floor two cores can come. By
// hand, not part of go test:
//
//	go run ./bench/csvparts /tmp/caseaudit-bench/cases-1048575.csv
//
// Each part is shown with its wall time and the process's CPU time (user
// and system), which a loaded machine inflates less.
//
//go:build unix

package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"syscall"
	"time"

	"github.com/caseaudit/caseaudit/sample"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: csvparts FILE.csv")
		os.Exit(2)
	}
	data, err := os.ReadFile(os.Args[1]) // read first: the parts below are timed on memory
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var ids []string
	for rest := data; len(rest) > 0; {
		line := rest
		if i := bytes.IndexByte(rest, '\n'); i >= 0 {
			line, rest = rest[:i], rest[i+1:]
		} else {
			rest = nil
		}
		if i := bytes.IndexByte(line, ','); i >= 0 {
			line = line[:i]
		}
		ids = append(ids, string(line))
	}
	ids = ids[1:] // the header

	t := start()
	sum := sha256.Sum256(data)
	t.show(fmt.Sprintf("sha256 of the file (%d MB)", len(data)>>20), fmt.Sprintf("%x…", sum[:4]))

	t = start()
	tk := sample.NewTicketer("s")
	var x uint64
	for _, id := range ids {
		x ^= tk.Key(id)
	}
	t.show(fmt.Sprintf("ticket keys (%d rows)", len(ids)), fmt.Sprintf("%x", x&0xffff))

	t = start()
	n := 0
	for rest := data; ; n++ {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	t.show(fmt.Sprintf("line ends (%d)", n), "")
}

type mark struct {
	wall time.Time
	cpu  time.Duration
}

func start() mark { return mark{time.Now(), cpuTime()} }

func (m mark) show(what, check string) {
	fmt.Printf("%-34s %7.1f ms wall %7.1f ms cpu  %s\n", what,
		float64(time.Since(m.wall).Microseconds())/1000, float64((cpuTime()-m.cpu).Microseconds())/1000, check)
}

// cpuTime is the CPU time this process has used, user and system.
func cpuTime() time.Duration {
	var ru syscall.Rusage
	if err := syscall.Getrusage(syscall.RUSAGE_SELF, &ru); err != nil {
		return 0
	}
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}
