package profile

import (
	"hash/maphash"
	"strconv"
	"testing"
)

// The filter never forgets an ID, and says "maybe" for few IDs it never
// met: under 1 in 250 at 16 bits an ID, also past the first layer.
func TestBloom(t *testing.T) {
	var b bloom
	seed := maphash.MakeSeed()
	const n = 1<<20 + 300_000 // into a second layer
	for i := range n {
		b.add(maphash.String(seed, "CR-"+strconv.Itoa(i)))
	}
	if len(b.layers) != 2 {
		t.Errorf("%d layers for %d IDs", len(b.layers), n)
	}
	for i := 0; i < n; i += 997 {
		if !b.add(maphash.String(seed, "CR-"+strconv.Itoa(i))) {
			t.Fatalf("ID %d forgotten", i)
		}
	}
	fp := 0
	const m = 200_000
	for i := range m {
		if b.add(maphash.String(seed, "other-"+strconv.Itoa(i))) {
			fp++
		}
	}
	if fp > m/250 {
		t.Errorf("%d of %d new IDs said maybe", fp, m)
	}
}
