package sample

import (
	"strings"
	"testing"
)

// The arena refers to a record by 32 bits (chunk<<20 | offset): an export
// whose case IDs alone pass 4 GB is refused in one line, not wrapped round
// to IDs already held. The chunks before the last stand empty here, as no
// test can read such an export.
func TestArenaRefusesPastFourGB(t *testing.T) {
	a := &arena{chunks: make([][]byte, 1<<(32-chunkBits))}
	a.chunks[len(a.chunks)-1] = make([]byte, 1<<chunkBits) // the last chunk full
	_, err := a.add([]byte("CR-0000001"))
	if err == nil || err.Error() != "too many case IDs to hold (over 4 GB)" {
		t.Fatalf("a record past 4 GB of IDs: %v", err)
	}
	b := &arena{}
	if ref, err := b.add([]byte("CR-0000001")); err != nil || ref != 0 {
		t.Fatalf("the first record: %d, %v", ref, err)
	}
	if !strings.Contains(string(b.chunks[0]), "CR-0000001") {
		t.Errorf("the first chunk holds %q", b.chunks[0])
	}
}
