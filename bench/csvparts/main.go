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
package main

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
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

	t := time.Now()
	sum := sha256.Sum256(data)
	fmt.Printf("sha256 of the file (%d MB)      %7.1f ms  (%x…)\n", len(data)>>20, ms(t), sum[:4])

	t = time.Now()
	tk := sample.NewTicketer("s")
	var x uint64
	for _, id := range ids {
		x ^= tk.Key(id)
	}
	fmt.Printf("ticket keys (%d rows)       %7.1f ms  (%x)\n", len(ids), ms(t), x&0xffff)

	t = time.Now()
	n := 0
	for rest := data; ; n++ {
		i := bytes.IndexByte(rest, '\n')
		if i < 0 {
			break
		}
		rest = rest[i+1:]
	}
	fmt.Printf("line ends (%d)              %7.1f ms\n", n, ms(t))
}

func ms(t time.Time) float64 { return float64(time.Since(t).Microseconds()) / 1000 }
