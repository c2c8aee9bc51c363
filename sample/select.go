package sample

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Allocation methods for stratified samples.
const (
	Proportional = "proportional"
	Equal        = "equal"
)

// SelectOptions say how many cases to draw and how to share them among strata.
type SelectOptions struct {
	Size          int
	Allocation    string // Proportional (default) or Equal; used only when the population is stratified
	MinPerStratum int    // each stratum takes at least this many (or all it has)
}

// Stratum is one stratum's population and its share of the sample.
type Stratum struct {
	Name       string `json:"name"`
	Population int    `json:"population"`
	Size       int    `json:"size"`
}

// Selected is one sampled case.
type Selected struct {
	Order  int    // 1-based position in selection order
	Ticket string // full precision
	Case
}

// Sample is the outcome of a selection, in selection order.
type Sample struct {
	Seed       string
	Population int
	Size       int
	Allocation string    // "" when not stratified
	Strata     []Stratum // name order; nil when not stratified
	Cases      []Selected
}

// SizeForShare returns the share of a population, rounded up: the smallest
// sample size that is at least share × population. The share is taken as
// its shortest decimal (0.07 is exactly seven percent, though the float64
// is a little above it), so 7% of 100 cases is 7, not 8.
func SizeForShare(share float64, population int) (int, error) {
	if math.IsNaN(share) || share <= 0 || share > 1 {
		return 0, opt.Errorf("%s %v is not a share above 0%% and at most 100%%", opt.Percent, share)
	}
	r, ok := new(big.Rat).SetString(strconv.FormatFloat(share, 'g', -1, 64))
	if !ok {
		return 0, opt.Errorf("%s %v is not a number", opt.Percent, share)
	}
	r.Mul(r, big.NewRat(int64(population), 1))
	q := new(big.Int).Quo(r.Num(), r.Denom())
	if new(big.Rat).SetInt(q).Cmp(r) < 0 {
		q.Add(q, big.NewInt(1))
	}
	return int(q.Int64()), nil
}

// Select draws the sample: the first cases in ticket order, within each
// stratum when the population is stratified.
func (p *Population) Select(opts SelectOptions) (*Sample, error) {
	n := opts.Size
	if n <= 0 {
		return nil, fmt.Errorf("the sample size must be at least 1 (got %d)", n)
	}
	if n > p.units.n {
		return nil, fmt.Errorf("the sample size %s is larger than the population of %s%s; ask for at most %s",
			words.Thousands(n), words.Count(p.units.n, "distinct case"), p.populationNote(), words.Thousands(p.units.n))
	}
	s := &Sample{Seed: p.Seed, Population: p.units.n, Size: n}
	quota := []int{n}
	if p.Strata != "" {
		alloc := opts.Allocation
		if alloc == "" {
			alloc = Proportional
		}
		strata := p.StratumSizes()
		sizes := make([]int, len(strata))
		for i, st := range strata {
			sizes[i] = st.Population
		}
		shares, err := Allocate(n, sizes, alloc, opts.MinPerStratum)
		if err != nil {
			return nil, err
		}
		quota = make([]int, len(p.stratumName))
		for i := range strata {
			strata[i].Size = shares[i]
			quota[slices.Index(p.stratumName, strata[i].Name)] = shares[i]
		}
		s.Allocation, s.Strata = alloc, strata
	}
	for i := 0; i < p.units.n; i++ {
		u := p.units.at(i)
		if len(s.Cases) == n {
			break
		}
		q := 0
		if p.Strata != "" {
			q = int(p.stratumOf(u))
		}
		if quota[q] == 0 {
			continue
		}
		quota[q]--
		s.Cases = append(s.Cases, Selected{Order: len(s.Cases) + 1, Ticket: p.Ticket(i), Case: p.Case(i)})
	}
	if err := p.fillFields(context.Background(), s.Cases); err != nil {
		return nil, err
	}
	return s, nil
}

func (p *Population) populationNote() string {
	var parts []string
	if len(p.Where) > 0 {
		parts = append(parts, "after filters")
	}
	if p.Excluded > 0 {
		parts = append(parts, fmt.Sprintf("after excluding %s recently audited", words.Thousands(p.Excluded)))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (" + strings.Join(parts, ", ") + ")"
}

// Allocate shares size among strata of the given populations.
// Proportional: each stratum's share of size is proportional to its
// population; Equal: the same for every stratum. Either way every stratum
// first takes min(minPer, its population), no stratum takes more than it
// has, and the shares are whole numbers by the largest-remainder method
// (ties go to the larger stratum, then the earlier one), so they always sum
// to size.
func Allocate(size int, populations []int, method string, minPer int) ([]int, error) {
	total := 0
	for _, n := range populations {
		total += n
	}
	if size > total {
		return nil, fmt.Errorf("the sample size %s is larger than the population of %s", words.Thousands(size), words.Thousands(total))
	}
	if minPer < 0 {
		return nil, opt.Errorf("%s must not be negative", opt.MinPerStratum)
	}
	var weight func(i int) int64
	switch method {
	case Proportional, "":
		weight = func(i int) int64 { return int64(populations[i]) }
	case Equal:
		weight = func(i int) int64 { return 1 }
	default:
		return nil, fmt.Errorf("unknown allocation %q; use proportional or equal", method)
	}
	k := len(populations)
	lo := make([]int, k) // each stratum's floor: min(minPer, population)
	sumLo := 0
	for i, n := range populations {
		lo[i] = min(minPer, n)
		sumLo += lo[i]
	}
	if sumLo > size {
		return nil, opt.Errorf("%s %d needs %d cases across %d strata, more than the sample size %d", opt.MinPerStratum, minPer, sumLo, k, size)
	}
	// Water-filling: stratum i gets a_i(λ) = clamp(λ·w_i, lo_i, n_i), with
	// λ chosen so that the shares sum to size. Σ a_i(λ) is increasing and
	// piecewise linear, with breakpoints at lo_i/w_i and n_i/w_i; find the
	// piece holding size, then solve it exactly in rationals.
	w := make([]*big.Rat, k)
	for i := range populations {
		w[i] = new(big.Rat).SetInt64(weight(i))
	}
	share := func(lambda *big.Rat, i int) *big.Rat {
		a := new(big.Rat).Mul(lambda, w[i])
		if a.Cmp(big.NewRat(int64(lo[i]), 1)) < 0 {
			return big.NewRat(int64(lo[i]), 1)
		}
		if a.Cmp(big.NewRat(int64(populations[i]), 1)) > 0 {
			return big.NewRat(int64(populations[i]), 1)
		}
		return a
	}
	sumAt := func(lambda *big.Rat) *big.Rat {
		t := new(big.Rat)
		for i := range populations {
			t.Add(t, share(lambda, i))
		}
		return t
	}
	var points []*big.Rat
	for i, n := range populations {
		if weight(i) > 0 {
			points = append(points, big.NewRat(int64(lo[i]), weight(i)), big.NewRat(int64(n), weight(i)))
		}
	}
	slices.SortFunc(points, func(a, b *big.Rat) int { return a.Cmp(b) })
	target := big.NewRat(int64(size), 1)
	// The last breakpoint at or below the target, and the next one.
	prev := new(big.Rat)
	next := (*big.Rat)(nil)
	for _, pt := range points {
		if sumAt(pt).Cmp(target) <= 0 {
			prev = pt
		} else {
			next = pt
			break
		}
	}
	lambda := prev
	if next != nil && sumAt(prev).Cmp(target) < 0 {
		// Linear between prev and next: λ = prev + (size − T(prev)) / slope.
		t0, t1 := sumAt(prev), sumAt(next)
		slope := new(big.Rat).Sub(t1, t0)
		slope.Quo(slope, new(big.Rat).Sub(next, prev))
		d := new(big.Rat).Sub(target, t0)
		lambda = new(big.Rat).Add(prev, d.Quo(d, slope))
	}
	alloc := make([]int, k)
	type rem struct {
		i    int
		frac *big.Rat
	}
	var rems []rem
	given := 0
	for i := range populations {
		a := share(lambda, i)
		q := new(big.Int).Quo(a.Num(), a.Denom())
		alloc[i] = int(q.Int64())
		given += alloc[i]
		frac := new(big.Rat).Sub(a, new(big.Rat).SetInt(q))
		if frac.Sign() > 0 {
			rems = append(rems, rem{i, frac})
		}
	}
	slices.SortStableFunc(rems, func(a, b rem) int {
		if c := b.frac.Cmp(a.frac); c != 0 {
			return c
		}
		return cmp.Compare(populations[b.i], populations[a.i])
	})
	for j := 0; given < size && j < len(rems); j++ {
		alloc[rems[j].i]++
		given++
	}
	if given != size {
		return nil, fmt.Errorf("cannot share %d cases among the strata (internal error: %d shared)", size, given)
	}
	return alloc, nil
}
