package sample

import (
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"fmt"
	"math/big"
	"math/rand/v2"
	"slices"
	"sort"
	"strings"
	"testing"
)

// naiveTicket follows selection.md word for word with math/big, as an
// independent check of the Ticketer's limb arithmetic.
func naiveTicket(seed, id string) string {
	s := sha256.Sum256([]byte(seed))
	h := sha256.Sum256([]byte(hex.EncodeToString(s[:]) + id))
	d := new(big.Int).SetBytes(h[:]).String()
	for len(d) < 64 {
		d = "0" + d
	}
	r := []byte(d)
	slices.Reverse(r)
	return "0." + string(r)
}

func order(seed string, ids []string) []string {
	t := NewTicketer(seed)
	type e struct{ ticket, id string }
	es := make([]e, len(ids))
	for i, id := range ids {
		es[i] = e{t.Ticket(id), id}
	}
	sort.Slice(es, func(i, j int) bool { return Less(es[i].ticket, es[i].id, es[j].ticket, es[j].id) })
	out := make([]string, len(es))
	for i, x := range es {
		out[i] = x.id
	}
	return out
}

func TestPublicVectors(t *testing.T) {
	got := order("314159", strings.Fields("A-1 A-2 A-3 B-1 B-2 B-3"))
	want := strings.Fields("B-2 B-3 A-3 A-2 B-1 A-1")
	if !slices.Equal(got, want) {
		t.Fatalf("order = %v, want %v", got, want)
	}
	if tk := Ticket("314159", "B-2"); !strings.HasPrefix(tk, "0.410310858090729035") {
		t.Fatalf("ticket of B-2 = %s, want 0.410310858090729035…", tk)
	}
	if got := order("314159", strings.Fields("B-1 B-2 B-3")); !slices.Equal(got, strings.Fields("B-2 B-3 B-1")) {
		t.Fatalf("order of B's = %v", got)
	}
}

func TestTicketMatchesNaive(t *testing.T) {
	tk := NewTicketer("2026-07 monthly")
	for i := 0; i < 2000; i++ {
		id := fmt.Sprintf("CR-%07d", i)
		if got, want := tk.Ticket(id), naiveTicket("2026-07 monthly", id); got != want {
			t.Fatalf("%s: ticket %s, naive %s", id, got, want)
		}
	}
	// IDs with non-ASCII text and spaces inside are hashed as UTF-8 bytes.
	for _, id := range []string{"Zoë 1", "", "Ω-42", strings.Repeat("x", 200)} {
		if got, want := tk.Ticket(id), naiveTicket("2026-07 monthly", id); got != want {
			t.Fatalf("%q: ticket %s, naive %s", id, got, want)
		}
	}
}

// The key must order exactly as the full ticket strings do.
func TestKeyOrdersLikeTickets(t *testing.T) {
	tk := NewTicketer("seed")
	type e struct {
		key    uint64
		ticket string
	}
	var es []e
	for i := 0; i < 5000; i++ {
		id := fmt.Sprint(500000 + 3*i)
		es = append(es, e{tk.Key(id), naiveTicket("seed", id)})
	}
	for i := 1; i < len(es); i++ {
		a, b := es[i-1], es[i]
		if (a.key < b.key) != (a.ticket < b.ticket) && a.key != b.key {
			t.Fatalf("key order disagrees with ticket order: %d %s vs %d %s", a.key, a.ticket, b.key, b.ticket)
		}
		if want := a.ticket[2:21]; fmt.Sprintf("%019d", a.key) != want {
			t.Fatalf("key %019d, want the first 19 digits %s", a.key, want)
		}
	}
}

func BenchmarkTicketKey(b *testing.B) {
	tk := NewTicketer("2026-07 monthly")
	ids := make([]string, 1024)
	for i := range ids {
		ids[i] = fmt.Sprintf("CR-%07d", i)
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tk.Key(ids[i&1023])
	}
}

func BenchmarkTicketFull(b *testing.B) {
	tk := NewTicketer("2026-07 monthly")
	for i := 0; i < b.N; i++ {
		tk.Ticket("CR-0000123")
	}
}

// TestMod19 checks the one-division reduction against math/big on random
// and extreme 256-bit values.
func TestMod19(t *testing.T) {
	m := new(big.Int).Exp(big.NewInt(10), big.NewInt(19), nil)
	rng := rand.New(rand.NewPCG(1, 2))
	edge := []uint64{0, 1, pow19 - 1, pow19, pow19 + 1, 1<<63 - 1, 1 << 63, ^uint64(0), ^uint64(0) - 1}
	for i := 0; i < 200000; i++ {
		var l [4]uint64
		for j := range l {
			if i < 9*9*9*9 {
				l[j] = edge[(i/[]int{1, 9, 81, 729}[j])%9]
			} else {
				l[j] = rng.Uint64()
			}
		}
		var buf [32]byte
		for j, limb := range l {
			binary.BigEndian.PutUint64(buf[8*j:], limb)
		}
		want := new(big.Int).Mod(new(big.Int).SetBytes(buf[:]), m).Uint64()
		if got := mod19(l); got != want {
			t.Fatalf("mod19(%x) = %d, want %d", l, got, want)
		}
	}
}

// TestTicketerIDLengths crosses the one-block limit (55 bytes after S) with
// IDs of every length from 0 to 130 bytes, ASCII and not.
func TestTicketerIDLengths(t *testing.T) {
	tk := NewTicketer("2026-07 monthly")
	if !tk.fast {
		t.Log("the one-block path is off on this Go version; checking the general path only")
	}
	for n := 0; n <= 130; n++ {
		for _, unit := range []string{"7", "é"} {
			id := strings.Repeat(unit, n)[:n]
			if got, want := tk.Ticket(id), naiveTicket("2026-07 monthly", id); got != want {
				t.Fatalf("%d-byte ID: ticket %s, want %s", n, got, want)
			}
		}
	}
}

// reverse4 holds each number's four digits reversed, as the digits written
// out and read backwards give them.
func TestReverse4(t *testing.T) {
	rev := reverse4()
	for n := range rev {
		d := []byte(fmt.Sprintf("%04d", n))
		slices.Reverse(d)
		var want int
		fmt.Sscanf(string(d), "%d", &want)
		if int(rev[n]) != want {
			t.Fatalf("reverse4()[%d] = %d, want %d", n, rev[n], want)
		}
	}
}
