# Reference values for the factor tests (audit/stats and audit/report),
# computed with R; the tests hold them as literals.
#   Rscript audit/stats/testdata/factors_reference.R
options(digits = 15)
cat("R", R.version.string, "\n")
# Holm's correction (p.adjust), as the Factors section applies it over its tests.
p <- c(0.0123, 0.04, 0.5, 0.0007, 0.2, 0.049)
print(p.adjust(p, method = "holm"))
print(p.adjust(c(0.01, 0.01, 0.03), method = "holm"))
print(p.adjust(c(1e-10, 0.9), method = "holm"))
# Timeliness, within vs late, flagged: 3 of 40 within, 9 of 25 late (Fisher, two-sided).
print(fisher.test(matrix(c(3, 37, 9, 16), nrow = 2))$p.value)
# Within, late, overdue (ordered), flagged: 3/40, 9/25, 7/12 (chi-squared test for trend).
print(prop.trend.test(c(3, 9, 7), c(40, 25, 12)))
# Within vs late after a small overdue group is left out: 4/60, 10/30.
print(fisher.test(matrix(c(4, 56, 10, 20), nrow = 2))$p.value)
# An exact interval whose lower bound is below 0.1%: 1 of 90 (binom.test, 95%).
print(binom.test(1, 90)$conf.int)
print(binom.test(1, 1000)$conf.int)
# Through the report (audit/report TestFactorsEqualR): ordered groups large
# enough to test, within/late/overdue flagged 8/80, 14/70, 20/60.
print(prop.trend.test(c(8, 14, 20), c(80, 70, 60)))
# Caseload, flagged: 12/70 at or below against 25/75 above.
print(fisher.test(matrix(c(12, 58, 25, 50), nrow = 2))$p.value)
