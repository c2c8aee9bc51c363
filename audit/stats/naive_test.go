package stats

// Second, naive implementations used only by the tests: exact rational or
// 256-bit arithmetic, straight from the definitions, sharing no code with the
// package.

import (
	"math"
	"math/big"
)

const bigPrec = 256

func bf(x float64) *big.Float { return new(big.Float).SetPrec(bigPrec).SetFloat64(x) }

// binomCDFBig returns P(X ≤ k) for X ~ Binomial(n, p) as Σ C(n,j) p^j (1−p)^(n−j),
// in 256-bit floating point.
func binomCDFBig(k, n int, p float64) *big.Float {
	if k < 0 {
		return bf(0)
	}
	if k >= n {
		return bf(1)
	}
	P := bf(p)
	Q := new(big.Float).SetPrec(bigPrec).Sub(bf(1), P) // exact: 1 − p fits in 256 bits
	term := func(j int) *big.Float {
		c := new(big.Float).SetPrec(bigPrec).SetInt(new(big.Int).Binomial(int64(n), int64(j)))
		c.Mul(c, bigPow(P, j))
		return c.Mul(c, bigPow(Q, n-j))
	}
	sum := bf(0)
	if k <= n/2 {
		for j := 0; j <= k; j++ {
			sum.Add(sum, term(j))
		}
		return sum
	}
	// Sum the shorter side: P(X ≤ k) = 1 − P(X > k).
	for j := k + 1; j <= n; j++ {
		sum.Add(sum, term(j))
	}
	return sum.Sub(bf(1), sum)
}

func bigPow(x *big.Float, e int) *big.Float {
	r := bf(1)
	b := new(big.Float).SetPrec(bigPrec).Set(x)
	for e > 0 {
		if e&1 == 1 {
			r.Mul(r, b)
		}
		b.Mul(b, b)
		e >>= 1
	}
	return r
}

// cpNaive solves the Clopper–Pearson equations by plain bisection on p over
// float64 values, evaluating the binomial tail exactly: the upper bound solves
// P(X ≤ k | p) = tail, the lower P(X ≥ k | p) = tail.
func cpNaive(k, n int, tail float64, upper bool) float64 {
	t := bf(tail)
	lo, hi := 0.0, 1.0
	for {
		mid := lo + (hi-lo)/2
		if mid <= lo || mid >= hi {
			return mid
		}
		var tooSmall bool // p = mid is below the root
		if upper {
			// P(X ≤ k | p) decreases in p; below the root it exceeds tail.
			tooSmall = binomCDFBig(k, n, mid).Cmp(t) > 0
		} else {
			// P(X ≥ k | p) = 1 − P(X ≤ k−1) increases in p.
			ge := new(big.Float).SetPrec(bigPrec).Sub(bf(1), binomCDFBig(k-1, n, mid))
			tooSmall = ge.Cmp(t) < 0
		}
		if tooSmall {
			lo = mid
		} else {
			hi = mid
		}
	}
}

// hyperCDFRat returns P(X ≤ k) exactly for X the number of marked items in a
// sample of n from a population of N holding M marked items.
func hyperCDFRat(k, N, M, n int) *big.Rat {
	num := new(big.Int)
	for j := 0; j <= k && j <= n; j++ {
		if j > M || n-j > N-M {
			continue
		}
		t := new(big.Int).Binomial(int64(M), int64(j))
		t.Mul(t, new(big.Int).Binomial(int64(N-M), int64(n-j)))
		num.Add(num, t)
	}
	return new(big.Rat).SetFrac(num, new(big.Int).Binomial(int64(N), int64(n)))
}

// binomCDFRat returns P(X ≤ k) exactly for X ~ Binomial(n, t), t rational.
func binomCDFRat(k, n int, t *big.Rat) *big.Rat {
	q := new(big.Rat).Sub(big.NewRat(1, 1), t)
	sum := new(big.Rat)
	for j := 0; j <= k && j <= n; j++ {
		term := new(big.Rat).SetInt(new(big.Int).Binomial(int64(n), int64(j)))
		term.Mul(term, ratPow(t, j))
		term.Mul(term, ratPow(q, n-j))
		sum.Add(sum, term)
	}
	return sum
}

func ratPow(x *big.Rat, e int) *big.Rat {
	num := new(big.Int).Exp(x.Num(), big.NewInt(int64(e)), nil)
	den := new(big.Int).Exp(x.Denom(), big.NewInt(int64(e)), nil)
	return new(big.Rat).SetFrac(num, den)
}

// fisherRat returns R's two-sided Fisher p-value computed exactly over the
// tables with the observed margins: Σ P(table) over tables with
// P(table) ≤ P(observed)·(1 + 1e-7).
func fisherRat(k1, n1, k2, n2 int) *big.Rat {
	N, M := n1+n2, k1+k2
	probs := []*big.Rat{}
	var obs *big.Rat
	for x := 0; x <= n1; x++ {
		if x > M || n1-x > N-M {
			continue
		}
		num := new(big.Int).Binomial(int64(M), int64(x))
		num.Mul(num, new(big.Int).Binomial(int64(N-M), int64(n1-x)))
		p := new(big.Rat).SetFrac(num, new(big.Int).Binomial(int64(N), int64(n1)))
		probs = append(probs, p)
		if x == k1 {
			obs = p
		}
	}
	limit := new(big.Rat).Mul(obs, new(big.Rat).SetFrac64(10000001, 10000000))
	sum := new(big.Rat)
	for _, p := range probs {
		if p.Cmp(limit) <= 0 {
			sum.Add(sum, p)
		}
	}
	return sum
}

func ratFloat(r *big.Rat) float64 { f, _ := r.Float64(); return f }

// poisCDFBig returns P(X ≤ k) for X ~ Poisson(λ) as e^{−λ} Σ_{j≤k} λ^j/j!,
// in 256-bit floating point, with e^{−λ} from [bigExp].
func poisCDFBig(k int, lambda float64) *big.Float {
	L := bf(lambda)
	sum, term := bf(1), bf(1)
	for j := 1; j <= k; j++ {
		term.Mul(term, L)
		term.Quo(term, bf(float64(j)))
		sum.Add(sum, term)
	}
	return sum.Mul(sum, bigExp(-lambda))
}

// bigExp returns e^x in 256-bit floating point: x halved until it is below
// 2^−20 in size, the Taylor series there, then squared back.
func bigExp(x float64) *big.Float {
	r := bf(x)
	halvings := 0
	for math.Abs(x) >= 1.0/(1<<20) {
		x /= 2
		halvings++
	}
	r.SetMantExp(r, -halvings)
	sum, term := bf(1), bf(1)
	eps := new(big.Float).SetPrec(bigPrec).SetMantExp(bf(1), -300)
	for j := 1; j < 200; j++ {
		term.Mul(term, r)
		term.Quo(term, bf(float64(j)))
		sum.Add(sum, term)
		if new(big.Float).Abs(term).Cmp(eps) < 0 {
			break
		}
	}
	for range halvings {
		sum.Mul(sum, sum)
	}
	return sum
}

func bigFloat64(x *big.Float) float64 { f, _ := x.Float64(); return f }
