package export

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"strconv"
	"sync/atomic"
	"testing"
	"time"
)

// fakeGrid yields rows 1..n (row 1 the header; every 7th row blank), and
// can fail or panic at a given row.
type fakeGrid struct {
	n       int
	failAt  int
	panicAt int
	ended   *atomic.Bool // set when scan returns
}

var errFake = errors.New("fake read error")

func (g fakeGrid) scan(ctx context.Context, want []bool, fn func(int, []string) error) error {
	if g.ended != nil {
		defer g.ended.Store(true)
	}
	cells := make([]string, 2)
	for num := 1; num <= g.n; num++ {
		if num%4096 == 0 {
			if err := ctx.Err(); err != nil {
				return err
			}
		}
		if num == g.failAt {
			return errFake
		}
		if num == g.panicAt {
			panic("fake reader bug")
		}
		c := cells
		if num%7 == 0 {
			c = cells[:0]
		} else {
			c[0], c[1] = "CR-"+strconv.Itoa(num), fmt.Sprint(num%3)
		}
		if err := fn(num, c); err != nil {
			return err
		}
	}
	return nil
}

func fakeTable(g grid) *Table {
	return &Table{Path: "fake.csv", Format: "csv", HeaderRow: 1, Header: []string{"Case Reference", "Team"}, g: g}
}

// TestRowsPipeline checks what the reading goroutine must not change: every
// row in order, once, with its cells; the reader's error after the rows
// before it; the callback's error or ErrStop ending the walk at once; a
// panic in the reader reaching the caller; no goroutine left behind.
func TestRowsPipeline(t *testing.T) {
	ctx := context.Background()
	before := runtime.NumGoroutine()
	const n = 10_000 // several batches

	next := 2
	err := fakeTable(fakeGrid{n: n}).Rows(ctx, []int{1, 0}, func(r Row) error {
		if r.Num != next {
			t.Fatalf("row %d, want %d", r.Num, next)
		}
		next++
		if r.Blank != (r.Num%7 == 0) {
			t.Fatalf("row %d: blank %v", r.Num, r.Blank)
		}
		if !r.Blank && (r.Cells[1] != "CR-"+strconv.Itoa(r.Num) || r.Cells[0] != fmt.Sprint(r.Num%3)) {
			t.Fatalf("row %d: cells %q", r.Num, r.Cells)
		}
		return nil
	})
	if err != nil || next != n+1 {
		t.Fatalf("all rows: err %v, ended before row %d", err, next)
	}

	// The reader fails at row 5,000: rows up to 4,999 are seen first.
	seen := 0
	err = fakeTable(fakeGrid{n: n, failAt: 5000}).Rows(ctx, []int{0}, func(r Row) error {
		seen = r.Num
		return nil
	})
	if !errors.Is(err, errFake) || seen != 4999 {
		t.Fatalf("reader error: err %v after row %d, want %v after 4999", err, seen, errFake)
	}

	// The callback fails at row 3,000, or stops: nothing after it.
	errMine := errors.New("mine")
	for _, stop := range []error{errMine, ErrStop} {
		seen = 0
		err = fakeTable(fakeGrid{n: n}).Rows(ctx, []int{0}, func(r Row) error {
			if seen == 3000 {
				t.Fatalf("called again after returning %v", stop)
			}
			seen = r.Num
			if r.Num == 3000 {
				return stop
			}
			return nil
		})
		want := stop
		if stop == ErrStop {
			want = nil
		}
		if err != want || seen != 3000 {
			t.Fatalf("callback returns %v: Rows returned %v after row %d", stop, err, seen)
		}
	}

	// Cancelled from outside.
	cctx, cancel := context.WithCancel(ctx)
	err = fakeTable(fakeGrid{n: 1 << 30}).Rows(cctx, []int{0}, func(r Row) error {
		if r.Num == 20_000 {
			cancel()
		}
		return nil
	})
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled: %v", err)
	}

	// A bug in the reader panics in the caller, as it would without the
	// second goroutine.
	func() {
		defer func() {
			if r := recover(); r != "fake reader bug" {
				t.Fatalf("recovered %v", r)
			}
		}()
		fakeTable(fakeGrid{n: n, panicAt: 6000}).Rows(ctx, []int{0}, func(Row) error { return nil })
		t.Fatal("no panic")
	}()

	// The callback panics: Rows waits for the reader to finish with the
	// file before the panic goes on (the caller's deferred Close may run).
	ended := new(atomic.Bool)
	func() {
		defer func() {
			if r := recover(); r != "callback bug" {
				t.Fatalf("recovered %v", r)
			}
			if !ended.Load() {
				t.Fatal("Rows let the panic go on while the reader was still reading")
			}
		}()
		fakeTable(fakeGrid{n: 1 << 30, ended: ended}).Rows(ctx, []int{0}, func(r Row) error {
			if r.Num == 3000 {
				panic("callback bug")
			}
			return nil
		})
	}()

	// The reader panics while the callback fails: the panic is not lost.
	func() {
		panicked := new(atomic.Bool)
		defer func() {
			if r := recover(); r != "fake reader bug" {
				t.Fatalf("recovered %v", r)
			}
		}()
		fakeTable(fakeGrid{n: n, panicAt: 1500, ended: panicked}).Rows(ctx, []int{0}, func(r Row) error {
			if r.Num == 2 { // wait until the reader, a batch ahead, has panicked
				for i := 0; !panicked.Load(); i++ {
					if i == 1000 {
						t.Fatal("the reader never reached its panic")
					}
					time.Sleep(time.Millisecond)
				}
				return errMine
			}
			return nil
		})
	}()

	// Idle work is done while no rows are ready, on the caller's goroutine,
	// and never after Rows returns.
	var idleCalls, rows int
	done := false
	err = fakeTable(fakeGrid{n: n}).RowsWith(ctx, []int{0}, RowsOptions{Idle: func() bool {
		if done {
			t.Fatal("idle work after Rows returned")
		}
		idleCalls++
		return idleCalls < 1_000_000
	}}, func(Row) error { rows++; return nil })
	done = true
	if err != nil || rows != n-1 {
		t.Fatalf("with idle work: err %v, %d rows", err, rows)
	}

	// Every reading goroutine has ended (they end before Rows returns; the
	// runtime may take a moment to count them out).
	for i := 0; runtime.NumGoroutine() > before; i++ {
		if i == 100 {
			t.Fatalf("%d goroutines, %d before", runtime.NumGoroutine(), before)
		}
		time.Sleep(10 * time.Millisecond)
	}
}
