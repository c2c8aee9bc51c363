package sample

import (
	"crypto/sha256"
	"encoding/hex"
	"math/big"
	"math/bits"
	"strings"
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
type Ticketer struct {
	seed string
	buf  []byte // S followed by the current id
}

// NewTicketer returns a Ticketer for seed. It is not safe for concurrent use.
func NewTicketer(seed string) *Ticketer {
	s := sha256.Sum256([]byte(seed))
	buf := make([]byte, 64, 128)
	hex.Encode(buf, s[:])
	return &Ticketer{seed: seed, buf: buf}
}

// Seed returns the seed text.
func (t *Ticketer) Seed() string { return t.seed }

// hash returns H for id as four 64-bit limbs, most significant first.
func (t *Ticketer) hash(id string) [4]uint64 {
	t.buf = append(t.buf[:64], id...)
	sum := sha256.Sum256(t.buf)
	var l [4]uint64
	for i := 0; i < 4; i++ {
		b := sum[i*8 : i*8+8]
		l[i] = uint64(b[0])<<56 | uint64(b[1])<<48 | uint64(b[2])<<40 | uint64(b[3])<<32 |
			uint64(b[4])<<24 | uint64(b[5])<<16 | uint64(b[6])<<8 | uint64(b[7])
	}
	return l
}

const pow19 = 10_000_000_000_000_000_000 // 10^19, the largest power of ten in a uint64

// Key returns the first 19 digits of id's ticket as an integer: ordering by
// Key agrees with ordering by ticket except where two keys are equal.
func (t *Ticketer) Key(id string) uint64 {
	return keyOf(t.hash(id))
}

func keyOf(l [4]uint64) uint64 {
	// r = H mod 10^19: its decimal digits, least significant first, are the
	// first 19 digits of the ticket.
	var r uint64
	for _, limb := range l {
		_, r = bits.Div64(r, limb, pow19)
	}
	var k uint64
	for i := 0; i < 19; i++ {
		k = k*10 + r%10
		r /= 10
	}
	return k
}

// Ticket returns id's ticket in full precision, e.g. "0.4103108580907290…".
func (t *Ticketer) Ticket(id string) string {
	return ticketOf(t.hash(id))
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
