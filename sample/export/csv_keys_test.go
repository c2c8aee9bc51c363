package export

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math/rand/v2"
	"os"
	"path/filepath"
	"runtime"
	"slices"
	"strings"
	"testing"
	"time"
)

// The chunk workers of a parallel scan make each row's key from its case
// ID (RowsOptions.IDKey), and a parallel scan passes its rows to the
// caller without a goroutine in between (rowsDirect). These tests read
// awkward files both ways: the rows must be the serial pipeline's, and
// every key a worker made must be the key of the ID the caller sees,
// CaseID(Cells[0]).

// fnvKey is a key that changes with every byte of the ID. Each call of
// the factory makes a hasher of its own, as a Ticketer is made per worker.
func fnvKey() func(id []byte) uint64 {
	h := fnv.New64a()
	return func(id []byte) uint64 {
		h.Reset()
		h.Write(id)
		return h.Sum64()
	}
}

// keyedIDField is an ID cell of one of the shapes an export may hold.
func keyedIDField(rng *rand.Rand, eol string) string {
	switch rng.IntN(22) {
	case 0:
		return fmt.Sprintf("  CR-%d  ", rng.IntN(1000)) // spaces around it
	case 1:
		return fmt.Sprintf("\"  CR-%d\t\"", rng.IntN(1000)) // quoted, spaces inside the quotes
	case 2:
		return fmt.Sprintf("\"CR-%d, \"\"b\"\"\"", rng.IntN(1000)) // quoted: a delimiter and quotes inside
	case 3:
		return "\"CR-7" + eol + "second line\"" // a newline inside
	case 4:
		return "\vCR-3\f" // ASCII spaces TrimSpace knows
	case 5:
		return "CR-" + strings.Repeat("0123456789", 5+rng.IntN(4)) // longer than one SHA-256 block holds
	case 6:
		return []string{"Total", "Grand total:", "Count", "  total 12 "}[rng.IntN(4)]
	case 7:
		return ""
	case 8:
		return "Zo\u00eb-" + fmt.Sprint(rng.IntN(100)) // UTF-8
	case 9:
		return "CR-\xe9" + fmt.Sprint(rng.IntN(100)) // a Windows-1252 byte
	case 10:
		return fmt.Sprintf("%02d/%02d/2024", 1+rng.IntN(28), 1+rng.IntN(12)) // read as a date
	case 11:
		return fmt.Sprint(40000 + rng.IntN(5000)) // a serial date, in a date column
	case 12:
		return "\u00a0CR-1\u00a0" // no-break spaces: TrimSpace takes them off
	case 13:
		return "#REF!"
	case 14:
		return "Source: the case system" // a note under the table
	}
	return fmt.Sprintf("CR-%07d", rng.IntN(10000000))
}

// keyedCSV is a file whose first column holds IDs of every shape above,
// with blank rows and blocks of other-shaped rows after them; the header
// names the ID column "Case Reference" or a date ("Referral Date", so that
// serial numbers in it read as dates below the header).
func keyedCSV(rng *rand.Rand) (data []byte, idHeader string) {
	var b strings.Builder
	eol := "\n"
	if rng.IntN(2) == 0 {
		eol = "\r\n"
	}
	if rng.IntN(4) == 0 {
		b.WriteString("\xEF\xBB\xBF")
	}
	idHeader = "Case Reference"
	if rng.IntN(3) == 0 {
		idHeader = "Referral Date"
	}
	b.WriteString(idHeader + ",Team,Note" + eol)
	for r := 0; r < 20+rng.IntN(60); r++ {
		switch rng.IntN(15) {
		case 0:
			b.WriteString(eol)
			continue
		case 1:
			b.WriteString(",," + eol)
			continue
		}
		b.WriteString(keyedIDField(rng, eol))
		if rng.IntN(10) > 0 {
			b.WriteString(",Team " + string(rune('A'+rng.IntN(4))) + "," + randomField(rng, eol, false))
		}
		b.WriteString(eol)
	}
	return []byte(b.String()), idHeader
}

// openKeyedCSV writes a keyedCSV and opens it (nil: refused).
func openKeyedCSV(t *testing.T, rng *rand.Rand) ([]byte, *Table) {
	t.Helper()
	data, idHeader := keyedCSV(rng)
	path := filepath.Join(t.TempDir(), "k.csv")
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(context.Background(), path, OpenOptions{IDColumn: idHeader})
	if err != nil {
		return data, nil
	}
	return data, tb
}

// keyedRowsText reads every column of the table and writes what fn saw as
// text, and counts the keys the reader made; it checks each key against
// the ID. idle sets RowsOptions.Idle, which keeps a goroutine between the
// scan and fn.
func keyedRowsText(t *testing.T, tb *Table, keys func() func([]byte) uint64, idle bool) (text string, keyed int) {
	t.Helper()
	cols := make([]int, len(tb.Header))
	for i := range cols {
		cols[i] = i
	}
	// The ID column first, as Load asks for it.
	cols[0], cols[tb.IDIndex] = cols[tb.IDIndex], cols[0]
	var b strings.Builder
	check := fnvKey()
	opts := RowsOptions{IDKey: keys}
	if idle {
		opts.Idle = func() bool { return false }
	}
	err := tb.RowsWith(context.Background(), cols, opts, func(r Row) error {
		fmt.Fprintf(&b, "%d %q blank=%v footer=%v\n", r.Num, r.Cells, r.Blank, r.Footer)
		if r.HasIDKey {
			keyed++
			if want := check([]byte(CaseID(r.Cells[0]))); r.IDKey != want {
				t.Errorf("row %d: the reader's key of %q is %x, want %x", r.Num, r.Cells[0], r.IDKey, want)
			}
		}
		return nil
	})
	if err != nil {
		fmt.Fprintf(&b, "error: %v\n", err)
	}
	return b.String(), keyed
}

func TestCSVWorkerKeys(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 5))
	n := 150
	if testing.Short() {
		n = 50
	}
	keyed, unkeyed := 0, 0
	for range n {
		data, tb := openKeyedCSV(t, rng)
		if tb == nil {
			continue // refused before any row is read: nothing to compare
		}
		g := tb.g.(*csvGrid)
		g.par, g.noMap = parSerial, true
		serial, k := keyedRowsText(t, tb, fnvKey, false)
		if k != 0 {
			t.Fatalf("the serial read made %d keys; it makes none", k)
		}
		for _, chunk := range []int64{1, 7, 1 + rng.Int64N(int64(len(data))), 1 << 20} {
			for _, noMap := range []bool{false, true} {
				g.par, g.chunkBytes, g.noMap = parForce, chunk, noMap
				for _, idle := range []bool{false, true} {
					got, k := keyedRowsText(t, tb, fnvKey, idle)
					if got != serial {
						t.Fatalf("chunks of %d bytes (not mapped: %v, idle work: %v): input %q\nserial:\n%s\nparallel:\n%s", chunk, noMap, idle, data, serial, got)
					}
					keyed += k
					unkeyed += strings.Count(got, "\n") - k
					// Without IDKey, the same rows and no keys.
					if got, k := keyedRowsText(t, tb, nil, idle); got != serial || k != 0 {
						t.Fatalf("chunks of %d bytes, idle work %v, no keys asked: %d keys, rows\n%s\nwant\n%s", chunk, idle, k, got, serial)
					}
				}
			}
		}
		tb.Close()
	}
	// Both kinds of row were seen: the test checked keys, and rows left to
	// the caller.
	if keyed < 1000 || unkeyed < 1000 {
		t.Errorf("keyed %d rows, left %d to the caller; the files should give many of each", keyed, unkeyed)
	}
}

// TestCSVDirectRowsStop checks that a caller's ErrStop and error end a
// parallel read as they end a pipelined one.
func TestCSVDirectRowsStop(t *testing.T) {
	var b strings.Builder
	b.WriteString("Case Reference,Team\n")
	for i := range 5000 {
		fmt.Fprintf(&b, "CR-%05d,North\n", i)
	}
	path := filepath.Join(t.TempDir(), "s.csv")
	if err := os.WriteFile(path, []byte(b.String()), 0o644); err != nil {
		t.Fatal(err)
	}
	tb, err := Open(context.Background(), path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	defer tb.Close()
	g := tb.g.(*csvGrid)
	boom := errors.New("boom")
	for _, par := range []int{parSerial, parForce} {
		g.par, g.chunkBytes = par, 1000
		if par == parForce && !g.parallelScan() {
			t.Fatal("a forced parallel scan says it is not parallel")
		}
		seen := 0
		err := tb.Rows(context.Background(), []int{0}, func(r Row) error {
			if seen++; seen == 3000 {
				return ErrStop
			}
			return nil
		})
		if err != nil || seen != 3000 {
			t.Errorf("par %d: ErrStop after 3000 rows: err %v, %d rows seen", par, err, seen)
		}
		seen = 0
		d := &Digest{Hash: fnv.New64a()}
		err = tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: d}, func(r Row) error {
			if seen++; seen == 10 {
				return boom
			}
			return nil
		})
		if !errors.Is(err, boom) || seen != 10 || d.Done {
			t.Errorf("par %d: an error after 10 rows: err %v, %d rows seen, digest done %v", par, err, seen, d.Done)
		}
		// The callback panics: the panic reaches the caller as it was, once
		// the workers (and the digest) are done with the file, and the
		// table reads again.
		before := runtime.NumGoroutine()
		func() {
			defer func() {
				if r := recover(); r != "callback bug" {
					t.Errorf("par %d: recovered %v", par, r)
				}
			}()
			tb.RowsWith(context.Background(), []int{0}, RowsOptions{Digest: &Digest{Hash: fnv.New64a()}}, func(r Row) error {
				if r.Num == 2500 {
					panic("callback bug")
				}
				return nil
			})
			t.Errorf("par %d: no panic", par)
		}()
		for i := 0; runtime.NumGoroutine() > before; i++ {
			if i == 1000 {
				t.Fatalf("par %d: %d goroutines left after the panic (%d before)", par, runtime.NumGoroutine(), before)
			}
			time.Sleep(time.Millisecond)
		}
		seen = 0
		if err := tb.Rows(context.Background(), []int{0}, func(Row) error { seen++; return nil }); err != nil || seen != 5000 {
			t.Errorf("par %d: after the panic: err %v, %d rows", par, err, seen)
		}
	}
}

// TestCSVLazyCells reads the awkward files with every column but the ID
// lazy (RowsOptions.Lazy) and a Keep that refuses a third of the keys: a
// row whose lazy cells were left holds "" there and the serial read's ID;
// every other row is the serial read's, cell for cell.
func TestCSVLazyCells(t *testing.T) {
	rng := rand.New(rand.NewPCG(27, 6))
	type row struct {
		r     Row
		cells []string
	}
	read := func(tb *Table, opts RowsOptions) ([]row, error) {
		cols := make([]int, len(tb.Header))
		for i := range cols {
			cols[i] = i
		}
		cols[0], cols[tb.IDIndex] = cols[tb.IDIndex], cols[0]
		var rows []row
		err := tb.RowsWith(context.Background(), cols, opts, func(r Row) error {
			rows = append(rows, row{r, slices.Clone(r.Cells)})
			return nil
		})
		return rows, err
	}
	left, kept := 0, 0
	for range 100 {
		_, tb := openKeyedCSV(t, rng)
		if tb == nil {
			continue
		}
		g := tb.g.(*csvGrid)
		g.par, g.noMap = parSerial, true
		serial, serr := read(tb, RowsOptions{})
		lazy := make([]int, 0, len(tb.Header))
		for i := range tb.Header {
			lazy = append(lazy, i) // the ID column among them: never left
		}
		for _, chunk := range []int64{1, 7, 1 << 20} {
			for _, idle := range []bool{false, true} {
				g.par, g.chunkBytes, g.noMap = parForce, chunk, false
				opts := RowsOptions{IDKey: fnvKey, Lazy: lazy, Keep: func(k uint64) bool { return k%3 != 0 }}
				if idle {
					opts.Idle = func() bool { return false }
				}
				got, err := read(tb, opts)
				if fmt.Sprint(err) != fmt.Sprint(serr) || len(got) != len(serial) {
					t.Fatalf("chunks of %d (idle %v): %d rows, error %v; serial %d rows, error %v", chunk, idle, len(got), err, len(serial), serr)
				}
				for i, s := range serial {
					g := got[i]
					if g.r.Num != s.r.Num || g.r.Blank != s.r.Blank || g.r.Footer != s.r.Footer || g.cells[0] != s.cells[0] {
						t.Fatalf("chunks of %d (idle %v): row %d is %+v %q, serial %+v %q", chunk, idle, i, g.r, g.cells, s.r, s.cells)
					}
					if g.r.LazyLeft != (g.r.HasIDKey && g.r.IDKey%3 == 0) {
						t.Fatalf("row %d: left %v, key %x (keyed %v)", g.r.Num, g.r.LazyLeft, g.r.IDKey, g.r.HasIDKey)
					}
					if g.r.LazyLeft {
						left++
						for j, c := range g.cells[1:] {
							if c != "" {
								t.Fatalf("row %d: lazy cell %d is %q, left", g.r.Num, j+1, c)
							}
						}
						continue
					}
					kept++
					if !slices.Equal(g.cells, s.cells) {
						t.Fatalf("chunks of %d (idle %v): row %d cells %q, serial %q", chunk, idle, g.r.Num, g.cells, s.cells)
					}
				}
			}
		}
		tb.Close()
	}
	if left < 500 || kept < 500 {
		t.Errorf("left %d rows' cells, kept %d: the files should give many of each", left, kept)
	}
}
