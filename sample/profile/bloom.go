package profile

// bloom is a set of hashes that may answer "seen" for a hash it was never
// given (rarely: about 1 in 1,000 per layer) but never "not seen" for one
// it was: a Recorder keeps aside only the rows whose case ID it may have
// met before, and learns from sample.Load which of them really repeat one.
// It holds about 16 bits an ID (2 MB for a million) where a set of the IDs
// themselves took 33 MB.
//
// Each layer is blocked (the 8 bits of an ID lie in one 64-byte block, one
// cache line). The first layer holds a million IDs (2 MB: the largest
// workbook has 1,048,575 rows), so that an export up to that size costs one
// cache line a row; past it a layer twice as large is added, so that
// nothing need be known of the export's size beforehand.
type bloom struct {
	layers []bloomLayer
	sink   uint64 // what touch read, so that its loads are not left out
}

type bloomLayer struct {
	blocks [][8]uint64
	n, cap int
}

const (
	bloomFirstBlocks = 1 << 15 // 2 MB, for 1,048,576 IDs at 16 bits an ID
	bloomBitsPerID   = 16
	bloomK           = 8
)

func (b *bloom) newLayer() {
	nb := bloomFirstBlocks
	if n := len(b.layers); n > 0 {
		nb = 2 * len(b.layers[n-1].blocks)
	}
	b.layers = append(b.layers, bloomLayer{blocks: make([][8]uint64, nb), cap: nb * 512 / bloomBitsPerID})
}

// block and bits place a hash: its top 32 bits choose the block, and
// bloomK bit positions come from its low 32 bits by double hashing.
func (l *bloomLayer) block(h uint64) *[8]uint64 {
	return &l.blocks[(h>>32)*uint64(len(l.blocks))>>32]
}

func bloomBit(h uint64, i int) uint32 {
	h1, h2 := uint32(h), uint32(h>>16)|1
	return (h1 + uint32(i)*h2) & 511
}

func (l *bloomLayer) has(h uint64) bool {
	blk := l.block(h)
	for i := range bloomK {
		bit := bloomBit(h, i)
		if blk[bit>>6]&(1<<(bit&63)) == 0 {
			return false
		}
	}
	return true
}

// touch loads the blocks of the hashes in the newest layer, so that the
// loads wait for memory together rather than one after another in add.
func (b *bloom) touch(hs []uint64) {
	if len(b.layers) == 0 {
		return
	}
	l := &b.layers[len(b.layers)-1]
	var x uint64
	for _, h := range hs {
		x += l.block(h)[0]
	}
	b.sink += x
}

// add puts h in the set and reports whether it may have been there.
func (b *bloom) add(h uint64) bool {
	for i := len(b.layers) - 1; i >= 0; i-- {
		if b.layers[i].has(h) {
			return true
		}
	}
	if len(b.layers) == 0 || b.layers[len(b.layers)-1].n >= b.layers[len(b.layers)-1].cap {
		b.newLayer()
	}
	l := &b.layers[len(b.layers)-1]
	blk := l.block(h)
	for i := range bloomK {
		bit := bloomBit(h, i)
		blk[bit>>6] |= 1 << (bit & 63)
	}
	l.n++
	return false
}
