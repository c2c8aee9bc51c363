package rate

import (
	"fmt"
	"math"
	"math/big"
)

// CasesBelow returns the largest number of cases K out of a population of
// N whose share K/N is below a strict upper bound u (the share is less than
// u, as for stats.UpperOneSided's bound, which solves P(X ≤ k | u) = α
// exactly): K = ⌈u·N⌉ − 1, at most N. u is taken as its shortest decimal
// representation (see the package documentation) and the product is exact,
// so CasesBelow(0.025, 3000) is 74, not 75. Use it to say "at most K of the
// N cases"; "fewer than u" of them says the same. A bound of exactly 1 is
// no bound (UpperOneSided gives 1 when every case has the attribute, and
// then the share may be 1): it gives N.
//
// Errors wrap [ErrInvalid]: N < 0, u not in (0, 1] or not a number.
func CasesBelow(u float64, N int) (int, error) {
	x, err := boundTimes(u, N, "CasesBelow")
	if err != nil {
		return 0, err
	}
	if u <= 0 {
		return 0, fmt.Errorf("rate: %w: CasesBelow: a bound of %v leaves no count below it", ErrInvalid, u)
	}
	if u == 1 {
		return N, nil
	}
	// ⌈x⌉ − 1: the largest integer strictly below x.
	k := roundRat(x, Up)
	k.Sub(k, big.NewInt(1))
	if k.Cmp(big.NewInt(int64(N))) > 0 {
		return N, nil
	}
	return max(0, int(k.Int64())), nil
}

// CasesAtMost returns the largest number of cases K out of a population of
// N whose share K/N is at most an inclusive upper bound u: K = ⌊u·N⌋, with
// a product within 1e-9 (relative) below a whole number taken as that
// number. The allowance only ever raises K, so it never claims more than the
// bound does, and it lets a share computed as count/N in floating point
// (71/3000 is a little below 71/3000 as a float64) give count back.
// stats.HypergeometricUpper returns its count directly: use that rather
// than recovering it from the share.
//
// Errors wrap [ErrInvalid]: N < 0, u not in [0, 1] or not a number.
func CasesAtMost(u float64, N int) (int, error) {
	x, err := boundTimes(u, N, "CasesAtMost")
	if err != nil {
		return 0, err
	}
	k := roundRat(x, Down)
	// Within 1e-9 (relative, at least 1e-9 absolute) below k + 1: take k + 1.
	next := new(big.Rat).SetInt(new(big.Int).Add(k, big.NewInt(1)))
	gap := new(big.Rat).Sub(next, x)
	tol := new(big.Rat).Mul(next, big.NewRat(1, 1e9))
	if tol.Cmp(big.NewRat(1, 1e9)) < 0 {
		tol = big.NewRat(1, 1e9)
	}
	if gap.Cmp(tol) <= 0 {
		k.Add(k, big.NewInt(1))
	}
	if k.Cmp(big.NewInt(int64(N))) > 0 {
		return N, nil
	}
	return int(k.Int64()), nil
}

// boundTimes checks u and N and returns u·N exactly, u taken as its shortest
// decimal representation.
func boundTimes(u float64, N int, what string) (*big.Rat, error) {
	if N < 0 {
		return nil, fmt.Errorf("rate: %w: %s: population %d is negative", ErrInvalid, what, N)
	}
	if math.IsNaN(u) || u < 0 || u > 1 {
		return nil, fmt.Errorf("rate: %w: %s: bound %v is not a share from 0 to 1", ErrInvalid, what, u)
	}
	x, _ := exactFloat(u)
	return x.Mul(x, new(big.Rat).SetInt64(int64(N))), nil
}
