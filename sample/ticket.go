package sample

import (
	"crypto/sha256"
	"encoding"
	"encoding/binary"
	"encoding/hex"
	"hash"
	"math/big"
	"math/bits"
	"strings"
	"sync"
)

// The consistent sampler (Rivest, 2018), as in shared/reference/selection.md:
//
//	S      = hex(SHA-256(seed))                       (64 lowercase hex characters)
//	H      = SHA-256(S + id) read as a 256-bit unsigned integer
//	D      = decimal digits of H, left-padded with zeros to at least 64 digits
//	ticket = "0." + reverse(D)
//
// IDs are ordered by (ticket as a string, id). The sample of size n is the
// first n; growing keeps the first n, and adding or removing other IDs never
// changes the relative order of the rest.
//
// Sorting a million IDs must not be dominated by big-integer formatting, so
// a Ticketer also gives each ID a Key: the first 19 ticket digits as an
// integer. Keys order IDs exactly as tickets do wherever they differ; only
// equal keys (about one pair in 10^19) need the full tickets to be compared.

// Ticketer computes tickets for one seed.
//
// S is exactly one SHA-256 block (64 bytes), so the hash state after S is the
// same for every ID: it is computed once (the midstate) and each ID costs
// one block instead of two.
type Ticketer struct {
	seed  string
	h     hash.Hash
	reset encoding.BinaryUnmarshaler // h, to restore the state
	state []byte                     // the marshalled hash state after writing S
	sum   [sha256.Size]byte
	buf   []byte // the current id (Write takes bytes; this avoids an allocation per ID)

	// An ID of up to 55 bytes fits with its padding in the one block after
	// S: the block is written whole and the resulting state read back,
	// which spares Sum's copying and padding. fast is set only when this
	// gives Sum's result on a probe (it relies on crypto/sha256's marshalled
	// form: 4 bytes of magic, then the eight state words, big-endian).
	fast  bool
	save  encoding.BinaryAppender
	block [sha256.BlockSize]byte
	saved []byte

	rev *[10000]uint16 // reverse4's table
}

// NewTicketer returns a Ticketer for seed. It is not safe for concurrent use;
// give each goroutine its own.
func NewTicketer(seed string) *Ticketer {
	s := sha256.Sum256([]byte(seed))
	var hexS [64]byte
	hex.Encode(hexS[:], s[:])
	h := sha256.New()
	h.Write(hexS[:])
	state, err := h.(encoding.BinaryMarshaler).MarshalBinary()
	if err != nil {
		panic("sha256 cannot save its state: " + err.Error()) // never: crypto/sha256 supports it
	}
	t := &Ticketer{seed: seed, h: h, reset: h.(encoding.BinaryUnmarshaler), state: state, rev: reverse4()}
	if save, ok := h.(encoding.BinaryAppender); ok {
		t.save, t.fast = save, true
		const probe = "CR-0000001 probe"
		fast := hashID(t, probe)
		t.fast = false
		t.fast = fast == hashID(t, probe)
	}
	return t
}

// Seed returns the seed text.
func (t *Ticketer) Seed() string { return t.seed }

// hashID returns H for id as four 64-bit limbs, most significant first.
// It takes the ID as a string or as bytes (a reader's cell, not copied).
func hashID[ID string | []byte](t *Ticketer, id ID) [4]uint64 {
	if err := t.reset.UnmarshalBinary(t.state); err != nil {
		panic("sha256 cannot restore its state: " + err.Error()) // never: the state came from the same hash
	}
	var sum []byte
	if n := len(id); t.fast && n <= sha256.BlockSize-9 {
		copy(t.block[:], id)
		t.block[n] = 0x80
		clear(t.block[n+1 : sha256.BlockSize-8])
		binary.BigEndian.PutUint64(t.block[sha256.BlockSize-8:], uint64(sha256.BlockSize+n)*8)
		t.h.Write(t.block[:])
		t.saved, _ = t.save.AppendBinary(t.saved[:0])
		sum = t.saved[4 : 4+sha256.Size]
	} else {
		t.buf = append(t.buf[:0], id...)
		t.h.Write(t.buf)
		sum = t.h.Sum(t.sum[:0])
	}
	var l [4]uint64
	for i := range l {
		l[i] = binary.BigEndian.Uint64(sum[i*8:])
	}
	return l
}

const pow19 = 10_000_000_000_000_000_000 // 10^19, the largest power of ten in a uint64

// Key returns the first 19 digits of id's ticket as an integer: ordering by
// Key agrees with ordering by ticket except where two keys are equal.
func (t *Ticketer) Key(id string) uint64 {
	return keyOf(hashID(t, id), t.rev)
}

// KeyBytes is Key for an ID held as bytes.
func (t *Ticketer) KeyBytes(id []byte) uint64 {
	return keyOf(hashID(t, id), t.rev)
}

// keyOf is Key for the hash l; rev is reverse4's table.
func keyOf(l [4]uint64, rev *[10000]uint16) uint64 {
	// r = H mod 10^19: its decimal digits, least significant first, are the
	// first 19 digits of the ticket.
	r := mod19(l)
	// Reverse r's 19 digits (with leading zeros), four at a time.
	var k uint64
	for i := 0; i < 4; i++ {
		q := r / 10000
		k = k*10000 + uint64(rev[r-q*10000])
		r = q
	}
	return k*1000 + uint64(rev[r])/10 // the last three digits
}

// 2^64, 2^128 and 2^192 modulo 10^19.
const (
	pow64mod19  = 8_446_744_073_709_551_616
	pow128mod19 = 3_374_607_431_768_211_456
	pow192mod19 = 2_355_444_464_034_512_896
)

// mod19 returns H mod 10^19 for H given as four limbs, most significant
// first, with one division instead of four: H is congruent to
// l0·2^192 + l1·2^128 + l2·2^64 + l3, each limb is first brought below
// 10^19 (a limb is below 2·10^19), and the three products of numbers below
// 10^19 plus l3 stay below 2^128.
func mod19(l [4]uint64) uint64 {
	red := func(x uint64) uint64 {
		if x >= pow19 {
			x -= pow19
		}
		return x
	}
	var hi, lo, c uint64
	add := func(h, l uint64) {
		lo, c = bits.Add64(lo, l, 0)
		hi, _ = bits.Add64(hi, h, c)
	}
	add(bits.Mul64(red(l[0]), pow192mod19))
	add(bits.Mul64(red(l[1]), pow128mod19))
	add(bits.Mul64(red(l[2]), pow64mod19))
	add(0, l[3])
	_, r := bits.Div64(red(hi), lo, pow19)
	return r
}

// reverse4()[n] is n's four decimal digits (with leading zeros) reversed:
// reverse4()[123] = 3210. Built from the shorter numbers' entries (n's last
// digit leads, then n/10's digits reversed, one place further right), when
// the first Ticketer is made: not at start-up, which every command pays
// for (a recorded finding draws no sample), and not per ID either, which
// a million-row export would pay for.
var reverse4 = sync.OnceValue(func() *[10000]uint16 {
	var t [10000]uint16
	for i := 1; i < len(t); i++ {
		t[i] = uint16(i%10*1000) + t[i/10]/10
	}
	return &t
})

// Ticket returns id's ticket in full precision, e.g. "0.4103108580907290…".
func (t *Ticketer) Ticket(id string) string {
	return ticketOf(hashID(t, id))
}

func ticketOf(l [4]uint64) string {
	var buf [32]byte
	for i, limb := range l {
		for j := 0; j < 8; j++ {
			buf[i*8+j] = byte(limb >> (56 - 8*j))
		}
	}
	d := new(big.Int).SetBytes(buf[:]).Text(10)
	if len(d) < 64 {
		d = strings.Repeat("0", 64-len(d)) + d
	}
	b := make([]byte, 2+len(d))
	b[0], b[1] = '0', '.'
	for i := 0; i < len(d); i++ {
		b[2+i] = d[len(d)-1-i]
	}
	return string(b)
}

// Ticket returns the ticket of id under seed. For many IDs use a Ticketer.
func Ticket(seed, id string) string { return NewTicketer(seed).Ticket(id) }

// Less reports whether (ticketA, idA) comes before (ticketB, idB) in
// selection order: tickets compared as strings, then IDs.
func Less(ticketA, idA, ticketB, idB string) bool {
	if ticketA != ticketB {
		return ticketA < ticketB
	}
	return idA < idB
}

// ShortTicket shows a ticket to 18 decimal places, as the reference does.
func ShortTicket(ticket string) string {
	if len(ticket) > 20 {
		return ticket[:20]
	}
	return ticket
}
