package sample

import (
	"cmp"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strings"
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
	Name       string
	Population int
	Size       int
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

// SizeForPercent returns pct percent of population, rounded up.
func SizeForPercent(pct float64, population int) (int, error) {
	if math.IsNaN(pct) || pct <= 0 || pct > 100 {
		return 0, fmt.Errorf("--percent %v is not between 0 and 100", pct)
	}
	// Exact rounding up of pct*population/100 for pct given to a few decimals.
	r := new(big.Rat).SetFloat64(pct)
	r.Mul(r, big.NewRat(int64(population), 100))
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
	if n > len(p.units) {
		return nil, fmt.Errorf("the sample size %s is larger than the population of %s distinct cases%s; ask for at most %s",
			Thousands(n), Thousands(len(p.units)), p.populationNote(), Thousands(len(p.units)))
	}
	s := &Sample{Seed: p.Seed, Population: len(p.units), Size: n}
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
	for i, u := range p.units {
		if len(s.Cases) == n {
			break
		}
		q := 0
		if p.Strata != "" {
			q = int(u.stratum)
		}
		if quota[q] == 0 {
			continue
		}
		quota[q]--
		s.Cases = append(s.Cases, Selected{Order: len(s.Cases) + 1, Ticket: p.Ticket(i), Case: p.Case(i)})
	}
	return s, nil
}

func (p *Population) populationNote() string {
	var parts []string
	if len(p.Where) > 0 {
		parts = append(parts, "after filters")
	}
	if p.Excluded > 0 {
		parts = append(parts, fmt.Sprintf("after excluding %s recently audited", Thousands(p.Excluded)))
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
		return nil, fmt.Errorf("the sample size %s is larger than the population of %s", Thousands(size), Thousands(total))
	}
	if minPer < 0 {
		return nil, fmt.Errorf("--min-per-stratum must not be negative")
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
	alloc := make([]int, k)
	floor := make([]int, k)
	sumFloor := 0
	for i, n := range populations {
		floor[i] = min(minPer, n)
		sumFloor += floor[i]
	}
	if sumFloor > size {
		return nil, fmt.Errorf("--min-per-stratum %d needs %d cases across %d strata, more than the sample size %d", minPer, sumFloor, k, size)
	}
	// fixed strata keep their allocation: they are at their cap, or their
	// minimum exceeds their proportional share.
	fixed := make([]bool, k)
	for {
		rest := size
		var w int64
		for i := range populations {
			if fixed[i] {
				rest -= alloc[i]
			} else {
				w += weight(i)
			}
		}
		if w == 0 {
			break
		}
		changed := false
		for i, n := range populations {
			if fixed[i] {
				continue
			}
			// quota = rest * weight / w, compared exactly.
			num := int64(rest) * weight(i)
			if num > int64(n)*w { // more than it has
				alloc[i], fixed[i], changed = n, true, true
			} else if num < int64(floor[i])*w { // less than its minimum
				alloc[i], fixed[i], changed = floor[i], true, true
			}
		}
		if changed {
			continue
		}
		type rem struct {
			i   int
			num int64
		}
		var rems []rem
		given := 0
		for i := range populations {
			if fixed[i] {
				continue
			}
			num := int64(rest) * weight(i)
			alloc[i] = int(num / w)
			given += alloc[i]
			rems = append(rems, rem{i, num % w})
		}
		slices.SortStableFunc(rems, func(a, b rem) int {
			if c := cmp.Compare(b.num, a.num); c != 0 {
				return c
			}
			return cmp.Compare(populations[b.i], populations[a.i])
		})
		for j := 0; given < rest && j < len(rems); j++ {
			if alloc[rems[j].i] < populations[rems[j].i] {
				alloc[rems[j].i]++
				given++
			}
		}
		break
	}
	return alloc, nil
}
