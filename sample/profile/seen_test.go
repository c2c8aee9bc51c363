package profile

import (
	"fmt"
	"math/rand/v2"
	"runtime"
	"strings"
	"testing"
)

// BenchmarkSeen adds a run of neighbouring case references, as an export
// lists them, in batches as Read does, then looks every seventh up again as
// a duplicate; MB-held is the heap the set holds at the end.
func BenchmarkSeen(b *testing.B) {
	for _, n := range []int{100_000, 700_000, 1_048_575} {
		ids := make([]string, n)
		for i := range ids {
			ids[i] = fmt.Sprintf("CR-%07d", i+1)
		}
		b.Run(fmt.Sprint(n), func(b *testing.B) {
			var s *Seen
			for range b.N {
				s = NewSeen()
				var hs [rowBufferRows]uint64
				for i := 0; i < n; i += rowBufferRows {
					batch := ids[i:min(i+rowBufferRows, n)]
					for j, id := range batch {
						hs[j] = s.hash(id)
					}
					s.touch(hs[:len(batch)])
					for j, id := range batch {
						s.firstHashed(id, hs[j], i+j+2)
					}
				}
				for i := 0; i < n; i += 7 {
					s.First(ids[i], 0)
				}
			}
			b.StopTimer()
			var before, after runtime.MemStats
			s = nil
			runtime.GC()
			runtime.ReadMemStats(&before)
			s = NewSeen()
			for i, id := range ids {
				s.First(id, i+2)
			}
			runtime.GC()
			runtime.ReadMemStats(&after)
			runtime.KeepAlive(s)
			b.ReportMetric(float64(after.HeapAlloc-before.HeapAlloc)/(1<<20), "MB-held")
		})
	}
}

// The slots refer to blocks of records, and a matching tag only says where
// to look: IDs whose hashes are equal (the same tag, the same home slot)
// must still be told apart, each keeping its own first row, across the
// tables' doublings.
func TestSeenCollisions(t *testing.T) {
	s := NewSeen()
	const groups, per = 5, 300
	id := func(g, i int) string { return fmt.Sprintf("C%d-%d", g, i) }
	hash := func(g int) uint64 { return uint64(g) << 58 } // one shard, one tag a group
	for i := range per {
		for g := range groups {
			row := 10 + i*groups + g
			if r, ok := s.firstHashed(id(g, i), hash(g), row); !ok || r != row {
				t.Fatalf("%s: %d %v, want %d true", id(g, i), r, ok, row)
			}
		}
	}
	for i := per - 1; i >= 0; i -= 7 {
		for g := range groups {
			if r, ok := s.firstHashed(id(g, i), hash(g), 99999); ok || r != 10+i*groups+g {
				t.Fatalf("%s again: %d %v, want %d false", id(g, i), r, ok, 10+i*groups+g)
			}
		}
	}
	// The same tag with an ID never added is new, though every slot it
	// passes refers to a block holding IDs of that tag.
	if _, ok := s.firstHashed("C0-300", hash(0), 5); !ok {
		t.Errorf("C0-300 is not new")
	}
	if s.Len() != groups*per+1 {
		t.Errorf("Len %d, want %d", s.Len(), groups*per+1)
	}
}

// IDs of any length are held whole: empty, one longer than the two bytes a
// length once took, one longer than a chunk of records, and IDs one
// another's prefix, among ordinary ones.
func TestSeenLongAndEmptyIDs(t *testing.T) {
	ids := []string{"CR-1", "", "CR-10", strings.Repeat("x", 65535), "CR-100", strings.Repeat("x", 65536),
		strings.Repeat("x", 65535) + "y", strings.Repeat("CR-", seenChunk), "CR-1000", strings.Repeat("x", 70000), "CR"}
	for _, n := range []int{1, 40, 4000} { // a few, or enough to fill blocks and chunks between them
		s := NewSeen()
		row := 1
		rows := map[string]int{}
		for k := range n {
			for _, id := range ids {
				if len(id) > 100 && k%1000 > 1 {
					continue
				}
				id := fmt.Sprint(k) + id
				row += 1 + k%3
				rows[id] = row
				if r, ok := s.First(id, row); !ok || r != row {
					t.Fatalf("n %d: %.20q (%d bytes): %d %v, want %d true", n, id, len(id), r, ok, row)
				}
			}
		}
		for k := range n {
			for _, id := range ids {
				if len(id) > 100 && k%1000 > 1 {
					continue
				}
				id := fmt.Sprint(k) + id
				if r, ok := s.First(id, row+1); ok || r != rows[id] {
					t.Fatalf("n %d: %.20q (%d bytes) again: %d %v, want %d false", n, id, len(id), r, ok, rows[id])
				}
			}
		}
		if s.Len() != len(rows) {
			t.Errorf("n %d: Len %d, want %d", n, s.Len(), len(rows))
		}
	}
	s := NewSeen()
	for _, id := range []string{"", "a", ""} {
		s.First(id, 7)
	}
	if r, ok := s.First("", 9); ok || r != 7 || s.Len() != 2 {
		t.Errorf("the empty ID again: %d %v, Len %d", r, ok, s.Len())
	}
}

// A million-row export's references share a prefix: each is found again
// with its first row, and the set holds them in 20 MB (16 MB of slots for
// tables at most 3/4 full, and the front-coded records).
func TestSeenMillion(t *testing.T) {
	const n = 1_048_575
	s := NewSeen()
	row := func(i int) int { return 2 + i + i/1000 } // a blank row now and then
	for i := range n {
		if _, ok := s.First(fmt.Sprintf("CR-%07d", i+1), row(i)); !ok {
			t.Fatalf("CR-%07d is not new", i+1)
		}
	}
	for i := 0; i < n; i += 4099 {
		if r, ok := s.First(fmt.Sprintf("CR-%07d", i+1), n+5); ok || r != row(i) {
			t.Fatalf("CR-%07d again: %d %v, want %d false", i+1, r, ok, row(i))
		}
	}
	if _, ok := s.First("CR-0000000", 3); !ok {
		t.Errorf("CR-0000000 is not new")
	}
	if s.Len() != n+1 {
		t.Errorf("Len %d, want %d", s.Len(), n+1)
	}
	held := 0
	for _, sh := range s.shards {
		held += 8 * cap(sh.slots)
	}
	for _, c := range s.chunks {
		held += len(c)
	}
	if held > 20<<20 {
		t.Errorf("the set holds %.1f MB, want at most 20", float64(held)/(1<<20))
	}
}

// The set agrees with a map on IDs of every shape: runs of neighbours,
// random text of random lengths, repeats near and far, rows that leap.
func TestSeenAgainstMap(t *testing.T) {
	rng := rand.New(rand.NewPCG(1, 2))
	s := NewSeen()
	want := map[string]int{}
	var added []string
	row := 1
	for range 300_000 {
		row += 1 + rng.IntN(3)/2*rng.IntN(100_000)
		var id string
		switch k := rng.IntN(10); {
		case k < 5:
			id = fmt.Sprintf("CR-%07d", rng.IntN(400_000))
		case k < 7 && len(added) > 0:
			id = added[rng.IntN(len(added))]
		case k < 9:
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			id = string(b)
		default:
			id = fmt.Sprintf("%s/%d", strings.Repeat("L", rng.IntN(300)), rng.IntN(50))
		}
		first, seen := want[id]
		if !seen {
			want[id], first = row, row
			added = append(added, id)
		}
		if r, ok := s.First(id, row); ok == seen || r != first {
			t.Fatalf("%q at row %d: %d %v, want %d %v", id, row, r, ok, first, !seen)
		}
	}
	if s.Len() != len(want) {
		t.Errorf("Len %d, want %d", s.Len(), len(want))
	}
}

// A record's lengths take one byte when they fit in four bits each, 0xff
// saying they follow in full: the lengths around that edge, and rows one
// apart or not, read back as written.
func TestSeenRecordHeaders(t *testing.T) {
	s := NewSeen()
	rows := map[string]int{}
	row := 1
	for pre := 12; pre <= 17; pre++ {
		for rest := 13; rest <= 17; rest++ {
			for step := range 3 {
				p := fmt.Sprintf("%0*d", pre, pre*100+rest*10+step)
				for k := range 3 {
					id := p + strings.Repeat(string(rune('a'+k)), rest)
					row += step
					rows[id] = row
					if _, ok := s.First(id, row); !ok {
						t.Fatalf("%q is not new", id)
					}
				}
			}
		}
	}
	for id, want := range rows {
		if r, ok := s.First(id, row+1); ok || r != want {
			t.Errorf("%q again: %d %v, want %d false", id, r, ok, want)
		}
	}
}

// A block that ends before it is full ends its chunk, even when the next
// ID's whole record would fit where its record continuing the block did
// not (rows going backwards: the difference takes more bytes than the row
// itself). A block begun right after it in the same chunk would be read as
// its continuation, and an ID of the same tag found there with the rows of
// both blocks added up.
func TestSeenBlockEndsWithItsChunk(t *testing.T) {
	s := NewSeen()
	const tagged = uint64(3) << 58 // one tag for all: every lookup reads the first block first
	for i, row := range []int{1_000_000, 1_000_001} {
		if _, ok := s.firstHashed(fmt.Sprintf("CR-%07d", i+1), tagged, row); !ok {
			t.Fatal("not new")
		}
	}
	// Leave room for ZZ-1's whole record (1+4 bytes at row 1) but not for
	// its record continuing the block (0xff, a 3-byte difference, 1, 1, 4).
	c := s.chunks[0]
	s.chunks[0] = c[: len(c) : len(c)+7]
	if r, ok := s.firstHashed("ZZ-1", tagged, 1); !ok || r != 1 {
		t.Fatalf("ZZ-1: %d %v, want 1 true", r, ok)
	}
	if r, ok := s.firstHashed("ZZ-1", tagged, 2); ok || r != 1 {
		t.Errorf("ZZ-1 again: %d %v, want 1 false", r, ok)
	}
	if r, ok := s.find(0, "ZZ-1"); ok {
		t.Errorf("the first block holds ZZ-1 at row %d: it read on into the next", r)
	}
	for i, row := range []int{1_000_000, 1_000_001} {
		if r, ok := s.firstHashed(fmt.Sprintf("CR-%07d", i+1), tagged, 5); ok || r != row {
			t.Errorf("CR-%07d again: %d %v, want %d false", i+1, r, ok, row)
		}
	}
}
