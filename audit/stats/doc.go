// Package stats holds the exact statistics caseaudit reports: interval
// estimates for a share (Clopper–Pearson, Wilson, the exact finite-population
// hypergeometric upper bound), comparisons of two shares (Fisher's exact test,
// Newcombe's hybrid score interval, and [ScoreDiff]: the Miettinen–Nurminen
// score interval for a difference with the test it inverts), tests across groups
// such as caseload bands (Fisher's test for two groups, the chi-squared test
// for trend for ordered groups, and the expected counts that say when groups
// are too small to tell: [GroupTest], [TrendTest], [Expected]), sample-size
// planning for a tolerable rate, and agreement between two raters on ordinal
// grades (Cohen's kappa, linear and quadratic weighted kappa).
//
// Numbers in, numbers out: the package knows nothing of audits, stores or
// terminals. Every function validates its input and returns an error wrapping
// [ErrInvalid] (or [ErrInfeasible] for a plan no sample can meet) instead of
// returning NaN or ±Inf or panicking.
//
// Accuracy. Figures agree with R 4.2 (binom.test, prop.test, fisher.test,
// prop.trend.test) to better than 1e-9 relative, and with 256-bit or exact
// rational recomputation to about 1e-14. Binomial and hypergeometric
// probabilities use Loader's saddle-point expansion of the binomial density
// (C. Loader, "Fast and accurate computation of binomial probabilities",
// 2000), the method of R's dbinom, dhyper and phyper, with tails summed by
// exact ratios of successive terms; this stays accurate for counts in the
// millions, where differences of log-gamma values of size 1e7 would keep only
// about 1e-8.
// Sample-size plans use the same exact binomial, Poisson (poisson.go) and
// hypergeometric tails. gonum supplies only the normal quantile and starting
// points for the Clopper–Pearson solver: its inverse incomplete beta function
// is not accurate enough at the extremes (see binomial.go), and its binomial
// cdf, off by up to a few 1e-10 relative, would break the 1e-12 tie rule of
// [SampleSize].
package stats
