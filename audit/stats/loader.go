package stats

import "math"

// Binomial and hypergeometric densities by Loader's saddle-point method
// (C. Loader, "Fast and accurate computation of binomial probabilities",
// 2000): log b(x; n, p) = −stirlerr terms − bd0 terms − ½ log(2πx(n−x)/n),
// which keeps about 1e-15 relative accuracy for n in the millions where a
// difference of log-gamma values of size 1e7 would keep only about 1e-8.
// Counts are passed as float64 holding whole numbers.

const (
	ln2Pi = 1.837877066409345483560659472811235279722794947275566825634 // log(2π)
	// lnSqrt2Pi is log √(2π).
	lnSqrt2Pi = 0.918938533204672741780329736405617639861397473637783412817
)

// stirlerr returns log(n!) − log(√(2π n) (n/e)^n), the error of Stirling's
// formula, for a whole number n ≥ 1.
func stirlerr(n float64) float64 {
	if n < 16 {
		lg, _ := math.Lgamma(n + 1)
		return lg - (n+0.5)*math.Log(n) + n - lnSqrt2Pi
	}
	// Stirling series 1/(12n) − 1/(360n³) + 1/(1260n⁵) − 1/(1680n⁷) + 1/(1188n⁹);
	// the next term is below 1.2e-16 for n ≥ 16.
	const (
		s0 = 1.0 / 12
		s1 = 1.0 / 360
		s2 = 1.0 / 1260
		s3 = 1.0 / 1680
		s4 = 1.0 / 1188
	)
	nn := n * n
	return (s0 - (s1-(s2-(s3-s4/nn)/nn)/nn)/nn) / n
}

// bd0 returns the deviance term x·log(x/np) + np − x, computed by a series
// when x is close to np to avoid cancellation.
func bd0(x, np float64) float64 {
	if math.Abs(x-np) < 0.1*(x+np) {
		v := (x - np) / (x + np)
		s := (x - np) * v
		ej := 2 * x * v
		v *= v
		for j := 1; j < 1000; j++ {
			ej *= v
			s1 := s + ej/float64(2*j+1)
			if s1 == s {
				return s1
			}
			s = s1
		}
		return s
	}
	return x*math.Log(x/np) + np - x
}

// logDbinom returns log P(X = x) for X ~ Binomial(n, p), with q = 1 − p given
// separately so that callers can pass it without rounding.
func logDbinom(x, n, p, q float64) float64 {
	switch {
	case x < 0 || x > n:
		return math.Inf(-1)
	case p == 0:
		if x == 0 {
			return 0
		}
		return math.Inf(-1)
	case q == 0:
		if x == n {
			return 0
		}
		return math.Inf(-1)
	case x == 0:
		if n == 0 {
			return 0
		}
		if p < 0.1 {
			return -bd0(n, n*q) - n*p
		}
		return n * math.Log(q)
	case x == n:
		if q < 0.1 {
			return -bd0(n, n*p) - n*q
		}
		return n * math.Log(p)
	}
	lc := stirlerr(n) - stirlerr(x) - stirlerr(n-x) - bd0(x, n*p) - bd0(n-x, n*q)
	lf := ln2Pi + math.Log(x) + math.Log1p(-x/n)
	return lc - 0.5*lf
}

// logDhyper returns log P(X = x) for the hypergeometric X counting the marked
// items in a sample of n drawn without replacement from a population of
// m marked and b unmarked items: C(m, x)·C(b, n−x)/C(m+b, n).
func logDhyper(x, m, b, n float64) float64 {
	if x < 0 || x > m || n-x < 0 || n-x > b {
		return math.Inf(-1)
	}
	if n == 0 {
		return 0
	}
	total := m + b
	if n == total { // census: X = m
		if x == m {
			return 0
		}
		return math.Inf(-1)
	}
	p := n / total
	q := (total - n) / total
	return logDbinom(x, m, p, q) + logDbinom(n-x, b, p, q) - logDbinom(n, total, p, q)
}

// logPhyper returns log P(X ≤ x) for the hypergeometric of [logDhyper]. It
// sums the smaller tail, from x down, with the exact ratio of successive
// probabilities p(j−1)/p(j) = j(b−n+j)/((m−j+1)(n−j+1)), stopping when
// terms no longer change the sum.
func logPhyper(x, m, b, n float64) float64 {
	lo := math.Max(0, n-b)
	hi := math.Min(n, m)
	if x < lo {
		return math.Inf(-1)
	}
	if x >= hi {
		return 0
	}
	if x*(m+b) > n*m {
		// Above the mean: P(X ≤ x) = 1 − P(Y ≤ n−x−1), Y the unmarked count.
		return log1mExp(lowerTail(n-x-1, b, m, n))
	}
	return lowerTail(x, m, b, n)
}

// lowerTail returns log P(X ≤ x) by summation down from x; x must lie in the
// support.
func lowerTail(x, m, b, n float64) float64 {
	lo := math.Max(0, n-b)
	if x < lo {
		return math.Inf(-1)
	}
	sum, term := 0.0, 1.0
	for j := x; j > lo; j-- {
		term *= j * (b - n + j) / ((m - j + 1) * (n - j + 1))
		sum += term
		if term < 1e-17*sum {
			break
		}
	}
	return logDhyper(x, m, b, n) + math.Log1p(sum)
}

// log1mExp returns log(1 − e^a) for a ≤ 0 without cancellation.
func log1mExp(a float64) float64 {
	if a > -math.Ln2 {
		return math.Log(-math.Expm1(a))
	}
	return math.Log1p(-math.Exp(a))
}
