// Command csvmin is the least work a verifiable csv sample can do, written
// as one throwaway-simple program, to be timed beside the floor
// (shared/tools/baseline FILE.csv) in the same moment: it says how close to
// a fraction of the floor any reader of caseaudit's could come on this
// machine. By hand, not part of go test:
//
//	go build -o /tmp/csvmin ./bench/csvmin && /tmp/csvmin /tmp/caseaudit-bench/cases-1048575.csv
//
// It maps the file, hashes all of it on one goroutine (the provenance's
// SHA-256), and on two others splits the rows at a line end, finds each
// row's first field (the ID), checks the row has no quote and fifteen
// fields, and computes the row's ticket key (one SHA-256 block from the
// seed's midstate). It then sorts the keys, counts equal neighbours as
// duplicates and prints the first 120 IDs. It leaves out everything a
// real export needs beyond that: quoted fields, encodings, header
// finding, blank and footer rows, filters, strata, kept columns, UTF-8
// checks and error positions. Whatever it takes, caseaudit cannot take less.
//
//go:build linux

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

type row struct {
	key uint64
	off uint32 // the row's start in the file
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: csvmin FILE.csv")
		os.Exit(2)
	}
	t0 := time.Now()
	lap := func(what string) {
		fmt.Fprintf(os.Stderr, "%-28s %6.1f ms\n", what, float64(time.Since(t0).Microseconds())/1000)
	}
	f, err := os.Open(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	st, _ := f.Stat()
	data, err := syscall.Mmap(int(f.Fd()), 0, int(st.Size()), syscall.PROT_READ, syscall.MAP_SHARED|syscall.MAP_POPULATE)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	lap("mapped")
	sumc := make(chan [32]byte)
	go func() { s := sha256.Sum256(data); lap("file hashed"); sumc <- s }()

	body := data[bytes.IndexByte(data, '\n')+1:]
	mid := len(body) / 2
	mid += bytes.IndexByte(body[mid:], '\n') + 1
	halves := [2][]byte{body[:mid], body[mid:]}
	base := [2]int{len(data) - len(body), len(data) - len(body) + mid}
	out := make(chan *[256][]row)
	for h := range halves {
		go func() {
			tk := sample.NewTicketer("314159")
			var rows [256][]row
			for b := range rows {
				rows[b] = make([]row, 0, 2600)
			}
			rest := halves[h]
			off := base[h]
			for len(rest) > 0 {
				n := bytes.IndexByte(rest, '\n')
				if n < 0 {
					n = len(rest)
				}
				line := rest[:n]
				if bytes.IndexByte(line, '"') >= 0 || bytes.Count(line, []byte{','}) != 14 {
					fmt.Fprintf(os.Stderr, "csvmin: %s: the row at byte %d has a quote or not 15 fields; csvmin reads only genexport's plain csv\n", os.Args[1], off)
					os.Exit(1)
				}
				id := line[:bytes.IndexByte(line, ',')]
				k := tk.Key(string(id))
				rows[k>>56] = append(rows[k>>56], row{k, uint32(off)})
				off += n + 1
				if n < len(rest) {
					n++
				}
				rest = rest[n:]
			}
			lap(fmt.Sprintf("half %d parsed and keyed", h))
			out <- &rows
		}()
	}
	a, b := <-out, <-out
	sorted := make([][]row, 256)
	done := make(chan bool)
	for g := 0; g < 2; g++ {
		go func() {
			for k := g; k < 256; k += 2 {
				sorted[k] = bucketSort(append(a[k], b[k]...))
			}
			done <- true
		}()
	}
	<-done
	<-done
	rows := make([]row, 0, 1<<20)
	for _, s := range sorted {
		rows = append(rows, s...)
	}
	lap("sorted")
	dups := 0
	for i := 1; i < len(rows); i++ {
		if rows[i].key == rows[i-1].key {
			dups++
		}
	}
	sum := <-sumc
	lap("done")
	fmt.Printf("sha256 %x rows %d duplicates %d\n", sum, len(rows), dups)
	for _, r := range rows[:min(120, len(rows))] {
		line := data[r.off:]
		fmt.Println(string(line[:bytes.IndexByte(line, ',')]))
	}
}

// bucketSort orders one bucket's rows (the same top key byte) by key:
// ticket keys are uniform, so scattering by the next byte leaves groups of
// about sixteen, each finished by insertion.
func bucketSort(rows []row) []row {
	var count [257]int
	for _, r := range rows {
		count[(r.key>>48)&0xff+1]++
	}
	for i := 1; i < len(count); i++ {
		count[i] += count[i-1]
	}
	out := make([]row, len(rows))
	next := count
	for _, r := range rows {
		b := (r.key >> 48) & 0xff
		out[next[b]] = r
		next[b]++
	}
	for b := 0; b < 256; b++ {
		s := out[count[b]:count[b+1]]
		for i := 1; i < len(s); i++ {
			for j := i; j > 0 && s[j].key < s[j-1].key; j-- {
				s[j], s[j-1] = s[j-1], s[j]
			}
		}
	}
	return out
}
