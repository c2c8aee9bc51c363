// Package rate reads every rate a person gives caseaudit (a tolerable rate, a
// fail-above limit, a confidence level, a percentage of the population) and
// writes every share caseaudit shows people, the same way everywhere.
//
// # Reading
//
// [Kind.Parse] reads a rate and returns it as a share: a fraction, 0.05 for
// five percent, whatever the kind. A rate is written either as a percentage,
// with a % sign ("5%", "5 %", "2.5%", ".5%"), or as a bare decimal number
// ("0.05", ".05"); digits and at most one decimal point, no sign, no
// exponent, no thousands separators, spaces allowed around it and before
// the %. What a bare number means depends on the kind, and a bare number
// whose meaning a reader could take two ways is refused with the two
// readings spelt out:
//
//   - [Share] (a tolerable rate: plan --tolerable, the plan: block of the
//     config): strictly between 0% and 100%. A bare number is a fraction:
//     "0.05" and "5%" are five percent and "0.5" is fifty. A bare number of
//     1 or more is refused ("5": write 5% for 5 percent, or 0.05) rather
//     than read as a percentage, because "1" would then be 1% while "0.5"
//     is 50%.
//   - [Limit] (a threshold such as report --fail-above or the fail_above
//     config key): as Share, but 0 is allowed ("0", "0%": any case at all
//     is too many). 100% is refused: no share can be above it.
//   - [Confidence] (--confidence, plan: confidence): from 50% up to, not
//     including, 100%. A bare number is a fraction ("0.95"); "95" and "1"
//     are refused. Below 50% a "confidence" interval is more likely to miss
//     than to cover, and 100% no sample can give.
//   - [PercentOf] (sample --percent: a percentage of the population):
//     above 0% and up to 100%. A bare number is a fraction, as for every
//     kind ("0.05" and "5%" are five percent); a bare number of 1 or more
//     is refused with the suggestion ("5": write 5% for 5 percent, or 0.05).
//     One rule for every rate, flag and config key alike.
//
// [Parse] is Share.Parse. Every error is an [*Error] carrying the input, the
// kind and the [Problem], wrapping [ErrInvalid]. Its message starts with the
// input in quotes and never names a flag or config key: the caller prefixes
// its own ("--tolerable", "line 12: fail_above"), for example
// fmt.Errorf("--tolerable %w", err) gives `--tolerable "5": write 5% for 5
// percent, or 0.05`.
//
// The share returned is the float64 nearest the decimal written ("2.5%" gives
// exactly the float64 0.025), and range checks are made on the decimal
// itself, exactly, and again on the float64, so "99.99999999999999999%",
// whose nearest float64 is 1, is refused as a confidence.
//
// # Writing
//
// A float64 is taken to mean its shortest decimal representation (the one
// strconv prints, which reads back as the same float64): 0.025 is exactly
// two and a half percent, although the float64 is a little above it. All
// rounding is then exact decimal arithmetic, so 0.025 at one decimal is
// "2.5%" rounded up, down or to nearest, never "2.6%".
//
//   - [Percent] formats a share as a percentage at a number of decimals,
//     trailing zeros dropped ("2.5%", "3%", "0%", "100%"), rounded as asked
//     ([Rounding]).
//   - Point estimates are rounded to nearest, halves away from zero. A share
//     above 0 that would print as "0%" prints as "<0.1%" (at one decimal;
//     "<1%" at none, "<0.01%" at two), and a share below 1 that would print
//     as "100%" prints as ">99.9%": no estimate claims none or all when
//     that is not so.
//   - Interval bounds are rounded outward: the lower bound [Down] (toward
//     −∞), the upper bound [Up] (toward +∞), so the printed interval always
//     contains the exact one. A lower bound above 0 that would print as
//     "0%" prints as "<0.1%" ("<1%" at none): "0%" reads as "possibly
//     none", which an exact bound above 0 rules out. An upper bound may
//     print as "100%": that claims less, not more.
//   - [Points] formats a difference of shares in percentage points, signed
//     ("+2.4", "−0.3", "0"), with the same rules applied to the signed
//     value: a lower bound goes toward −∞ and an upper bound toward +∞, so
//     a lower bound of −0.244 points prints at one decimal as "−0.3" and an
//     upper bound of −0.244 as "−0.2". A non-zero difference rounding to
//     nearest 0 prints as "+<0.1" or "−<0.1".
//   - [Fraction] formats k of n as a percentage from the integers, exactly.
//   - [ConfidencePercent] formats a confidence level exactly ("95%",
//     "99.9%", "99.99999999%") up to ten decimals, and beyond that truncated,
//     so it never rounds up (never "100%" for a level below 1).
//   - [Exact] formats a share as the shortest percentage that [Parse] reads
//     back as the same float64 ("2.5%", "0.1%"), for echoing inputs.
//
// NaN and ±Inf, which the statistics never produce, print as "—".
//
// # Counts
//
// A report that bounds a number of cases says "at most K of the N cases
// (P%)". The count must come from the bound's own meaning:
//
//   - stats.HypergeometricUpper returns the count itself, and its bound is
//     inclusive: the population may hold that many and no more. Use it as
//     K; "fewer than count/N" overclaims by one case.
//   - A bound on the share from which a count is wanted is either strict
//     (the share is below u, as stats.UpperOneSided's bound is: the largest
//     count is [CasesBelow], ⌈u·N⌉ − 1) or inclusive (at most u: [CasesAtMost],
//     ⌊u·N⌋).
//   - P is then [Fraction](K, N, decimals, Up): rounded up, so that it never
//     understates K.
package rate
