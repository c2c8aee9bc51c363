package export

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"testing"
)

// sharedStringsOf builds a table of the given entries.
func sharedStringsOf(entries ...string) *sharedStrings {
	t := &sharedStrings{}
	for _, e := range entries {
		t.add([]byte(e))
	}
	t.done()
	return t
}

// sstEntries makes shared strings as workbooks hold them: runs of case
// references, names and teams repeated, empty entries, entries sharing
// more than 15 bytes or differing in more than 16, long notes, and bytes
// the coding itself uses (0xff, 0xf0).
func sstEntries(rng *rand.Rand, n int) []string {
	teams := []string{"Salisbury CIN", "Care Leavers North", "Salisbury CLA", "Trowbridge CLA", "Chloé Williams", "Seán Taylor"}
	out := make([]string, 0, n)
	ref := 0
	for len(out) < n {
		switch k := rng.IntN(12); {
		case k < 5:
			ref += 1 + rng.IntN(3)
			out = append(out, fmt.Sprintf("CR-%07d", ref))
		case k < 7:
			out = append(out, teams[rng.IntN(len(teams))])
		case k == 7:
			out = append(out, "")
		case k == 8:
			out = append(out, "Long shared prefix, longer than fifteen bytes: "+fmt.Sprint(rng.IntN(1000)))
		case k == 9:
			out = append(out, strings.Repeat("note ", 1+rng.IntN(200))+fmt.Sprint(len(out)))
		case k == 10:
			out = append(out, string([]byte{0xff, 0xf0, byte(rng.IntN(256))}))
		default:
			b := make([]byte, rng.IntN(40))
			for i := range b {
				b[i] = byte(rng.IntN(256))
			}
			out = append(out, string(b))
		}
	}
	return out
}

// Every entry reads back as added, whatever its place in its block, and
// through a sheet parser's reader in any order of use, repeated or not.
func TestSharedStringsRoundTrip(t *testing.T) {
	rng := rand.New(rand.NewPCG(3, 5))
	for _, n := range []int{0, 1, sstBlock - 1, sstBlock, sstBlock + 1, 5000} {
		entries := sstEntries(rng, n)
		tab := sharedStringsOf(entries...)
		if tab.count() != n {
			t.Fatalf("%d entries: count %d", n, tab.count())
		}
		for i, want := range entries {
			if got := tab.entry(i); got != want {
				t.Fatalf("%d entries: entry %d = %q, want %q", n, i, got, want)
			}
			if got := string(tab.appendEntry([]byte("row text|"), i)); got != "row text|"+want {
				t.Fatalf("%d entries: entry %d appended = %q, want %q", n, i, got, "row text|"+want)
			}
			if tab.isEmpty(i) != (want == "") {
				t.Fatalf("%d entries: entry %d (%q): isEmpty %v", n, i, want, tab.isEmpty(i))
			}
		}
		if n == 0 {
			continue
		}
		// In order, as a column of case references asks for them (each
		// entry one step on from the one before), and skipping some.
		for _, stride := range []int{1, 3} {
			r := &sstReader{t: tab}
			for i := 0; i < n; i += stride {
				if got := string(r.decode(i)); got != entries[i] {
					t.Fatalf("%d entries, in order by %d: entry %d = %q, want %q", n, stride, i, got, entries[i])
				}
			}
		}
		r := &sstReader{t: tab}
		var buf []byte
		for range 4 * n {
			i := rng.IntN(n)
			if rng.IntN(3) == 0 {
				i = rng.IntN(min(n, 8)) // some used again and again
			}
			start := len(buf)
			s, ok, out := r.get(buf, i)
			if !ok {
				s, out = string(out[start:]), out[:start]
			}
			if s != entries[i] {
				t.Fatalf("%d entries: reader's entry %d = %q, want %q", n, i, s, entries[i])
			}
			if ok && len(s) <= sstLong && r.hot[i%sstHot].i != uint32(i)+1 {
				t.Fatalf("%d entries: entry %d given as a string but not kept", n, i)
			}
			buf = out
		}
	}
}

// A table of a million neighbouring case references, as a LibreOffice-saved
// export holds them, takes about three bytes an entry.
func TestSharedStringsCompact(t *testing.T) {
	tab := &sharedStrings{}
	for i := range 1 << 20 {
		tab.add(fmt.Appendf(nil, "CR-%07d", i))
	}
	tab.done()
	size := len(tab.data) + 4*len(tab.block) + 8*len(tab.empty)
	if size > 3<<20 {
		t.Errorf("a million case references take %d bytes, want at most 3 MB", size)
	}
	if got := tab.entry(1<<20 - 1); got != "CR-1048575" {
		t.Errorf("last entry %q", got)
	}
}
