# Reference values for stats.ScoreDiff (Miettinen–Nurminen score interval for
# p1 − p2 and its score test at 0), computed in R 4.x without the closed form
# the Go code uses: the restricted maximum-likelihood pair under a difference
# is found by solving the likelihood equation numerically (uniroot), and each
# bound by uniroot on the score statistic. The test at 0 is checked against
# prop.test's Pearson chi-squared times (N − 1)/N.
# Run: Rscript audit/stats/testdata/score_reference.R
mle <- function(x1, n1, x2, n2, d) {
  lo <- max(0, -d); hi <- min(1, 1 - d)          # range of q2 with q1 = q2 + d in [0, 1]
  if (hi - lo < 1e-15) return(c(lo + d, lo))
  # derivative of the log-likelihood in q2 (terms with a zero count dropped);
  # it falls from +Inf to -Inf unless the maximum is on an edge
  g <- function(q2) { q1 <- q2 + d
    (if (x1 > 0) x1 / q1 else 0) - (if (x1 < n1) (n1 - x1) / (1 - q1) else 0) +
    (if (x2 > 0) x2 / q2 else 0) - (if (x2 < n2) (n2 - x2) / (1 - q2) else 0) }
  a <- lo + 1e-15; b <- hi - 1e-15
  q2 <- if (g(a) <= 0) lo else if (g(b) >= 0) hi else uniroot(g, c(a, b), tol = 1e-16)$root
  c(q2 + d, q2)
}
stat <- function(x1, n1, x2, n2, d) {
  q <- mle(x1, n1, x2, n2, d); N <- n1 + n2
  v <- (q[1] * (1 - q[1]) / n1 + q[2] * (1 - q[2]) / n2) * N / (N - 1)
  num <- (x1 / n1 - x2 / n2 - d)^2
  if (num == 0) 0 else if (v <= 0) Inf else num / v
}
mn <- function(x1, n1, x2, n2, conf = 0.95) {
  crit <- qchisq(conf, 1); est <- x1 / n1 - x2 / n2
  f <- function(d) stat(x1, n1, x2, n2, d) - crit
  lo <- if (f(-1 + 1e-12) <= 0) -1 else uniroot(f, c(-1 + 1e-12, est), tol = 1e-13)$root
  hi <- if (f(1 - 1e-12) <= 0) 1 else uniroot(f, c(est, 1 - 1e-12), tol = 1e-13)$root
  t0 <- stat(x1, n1, x2, n2, 0)
  N <- n1 + n2
  pear <- if (x1 + x2 == 0 || x1 + x2 == N) 0 else
    suppressWarnings(prop.test(c(x1, x2), c(n1, n2), correct = FALSE)$statistic) * (N - 1) / N
  stopifnot(abs(t0 - pear) < 1e-9 * max(1, pear))
  c(lo, hi, t0, pchisq(t0, 1, lower.tail = FALSE))
}
tabs <- list(c(3, 90, 12, 100), c(12, 100, 3, 90), c(0, 120, 3, 90), c(1, 60, 7, 60),
             c(7, 121, 10, 65), c(56, 70, 48, 80), c(9, 10, 3, 10), c(5, 56, 0, 29),
             c(0, 10, 0, 20), c(10, 10, 0, 20), c(14, 120, 9, 118))
for (t in tabs) {
  r <- mn(t[1], t[2], t[3], t[4])
  cat(sprintf("{%d, %d, %d, %d, %.9f, %.9f, %.9f, %.9f},\n", t[1], t[2], t[3], t[4], r[1], r[2], r[3], r[4]))
}
r <- mn(3, 90, 12, 100, 0.9)
cat(sprintf("90%%: {3, 90, 12, 100, %.9f, %.9f}\n", r[1], r[2]))
cat(sprintf("Fisher 3/90 vs 12/100: %.9f\n", fisher.test(matrix(c(3, 87, 12, 88), 2))$p.value))
# Stories: run_quarter (11 of 119 against 1 of 119, then 0 of 119 against 11 of 119)
for (t in list(c(11, 119, 1, 119), c(0, 119, 11, 119))) {
  r <- mn(t[1], t[2], t[3], t[4])
  cat(sprintf("%d/%d - %d/%d: [%.9f, %.9f] stat %.9f p %.9g\n", t[1], t[2], t[3], t[4], r[1], r[2], r[3], r[4]))
}
