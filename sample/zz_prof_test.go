package sample

import (
	"context"
	"os"
	"runtime/pprof"
	"testing"
	"time"
)

func TestZZReader(t *testing.T) {
	path := os.Getenv("PROF_CSV")
	if path == "" {
		t.Skip()
	}
	ctx := context.Background()
	tb, err := Open(ctx, path, OpenOptions{})
	if err != nil {
		t.Fatal(err)
	}
	cols := []int{0, 6, 7, 8}
	f, _ := os.Create("/tmp/reader.prof")
	pprof.StartCPUProfile(f)
	for i := 0; i < 5; i++ {
		t0 := time.Now()
		n := 0
		tb.Rows(ctx, cols, func(r Row) error { n++; return nil })
		t.Log(n, time.Since(t0))
	}
	pprof.StopCPUProfile()
	f.Close()
}
