package sample

import (
	"context"
	"os"
	"syscall"
	"testing"
	"time"
)

func cpuTime() time.Duration {
	var ru syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &ru)
	return time.Duration(ru.Utime.Nano() + ru.Stime.Nano())
}

func TestXLSXCPU(t *testing.T) {
	path := os.Getenv("XLSXCPU")
	if path == "" {
		t.Skip()
	}
	for _, want := range [][]bool{nil, {true}} {
		c0, w0 := cpuTime(), time.Now()
		wb, err := openXLSX(path, OpenOptions{})
		if err != nil {
			t.Fatal(err)
		}
		g, err := wb.grid(len(wb.sheets()) - 1)
		if err != nil {
			t.Fatal(err)
		}
		rows := 0
		if err := g.scan(context.Background(), want, func(int, []string) error { rows++; return nil }); err != nil {
			t.Fatal(err)
		}
		wb.close()
		t.Logf("want=%v rows=%d cpu=%v wall=%v", want, rows, cpuTime()-c0, time.Since(w0))
	}
}
