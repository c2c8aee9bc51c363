// Package stats holds the exact statistics caseaudit reports: interval
// estimates for a share (Clopper–Pearson, Wilson, the exact finite-population
// hypergeometric upper bound), comparisons of two shares (Fisher's exact test,
// Newcombe's hybrid score interval for a difference), sample-size planning for
// a tolerable rate, and agreement between two raters on ordinal grades
// (Cohen's kappa, linear and quadratic weighted kappa).
//
// Numbers in, numbers out: the package knows nothing of audits, stores or
// terminals. Every function validates its input and returns an error wrapping
// [ErrInvalid] (or [ErrInfeasible] for a plan no sample can meet) instead of
// returning NaN or ±Inf or panicking.
//
// Accuracy. Figures agree with R 4.2 (binom.test, prop.test, fisher.test) to
// better than 1e-9 relative. Tail probabilities of the binomial and Poisson
// come from gonum's regularised incomplete beta and gamma functions. Their
// inverses do not: gonum's InvRegIncBeta (cephes incbi) loses all accuracy
// at the extremes (for example n = 1000 with a 1e-15 tail, or n = 100,000
// with a 1e-8 tail), so bounds are found by a bracketed Newton iteration on
// the forward function (see invRegIncBeta). Hypergeometric probabilities use
// Loader's saddle-point expansion of the binomial density (C. Loader, "Fast
// and accurate computation of binomial probabilities", 2000), the method R's
// dhyper and phyper use, and are accurate to about 1e-14 relative for
// populations of millions, where plain log-gamma differences would lose
// about 1e-8.
package stats
