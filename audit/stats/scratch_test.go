package stats

import (
	"fmt"
	"math"
	"testing"
)

func TestScratch(t *testing.T) {
	for _, c := range [][2]int{{1, 1000}, {3, 5000}, {3, 100000}, {1, 1100000}, {3, 1100000}, {30, 1100000}, {99990, 100000}} {
		for _, conf := range []float64{0.95, 1 - 1e-10} {
			k, n := c[0], c[1]
			iv, _ := ClopperPearson(k, n, conf)
			a := 1 - conf
			lo := cpNaive(k, n, a/2, false)
			hi := cpNaive(k, n, a/2, true)
			fmt.Printf("k=%d n=%d conf=%v lo rel %.2e hi rel %.2e\n", k, n, conf, math.Abs(iv.Lower-lo)/lo, math.Abs(iv.Upper-hi)/hi)
		}
	}
}
