package sample

import (
	"math/rand"
	"os"
	"testing"
	"time"
)

func TestXLSXTmpMutate(t *testing.T) {
	if os.Getenv("TMPMUT") == "" {
		t.Skip()
	}
	seeds := fuzzSeedBooks(t)
	r := rand.New(rand.NewSource(1))
	for i := 0; i < 3000; i++ {
		s := append([]byte(nil), seeds[r.Intn(len(seeds))]...)
		for k := 0; k < 1+r.Intn(4); k++ {
			s[r.Intn(len(s))] = byte(r.Intn(256))
		}
		t0 := time.Now()
		done := make(chan struct{})
		go func() {
			select {
			case <-done:
			case <-time.After(5 * time.Second):
				os.WriteFile("/tmp/slow.zip", s, 0o644)
				panic("slow input")
			}
		}()
		fuzzScanBook(s)
		close(done)
		if d := time.Since(t0); d > 500*time.Millisecond {
			t.Logf("input %d took %v", i, d)
			os.WriteFile("/tmp/slow.zip", s, 0o644)
		}
	}
}
