// Package report builds caseaudit's audit report from the store — the share
// of audited cases needing immediate attention with exact intervals, the
// grade mix, a breakdown by any recorded field, the answers to the audit
// form's focus areas (with a team × focus-area heat map), the follow-up
// actions on flagged cases, the factors behind the findings (when recorded
// with the sample: caseload against a target, changes of worker,
// timeliness), moderation agreement, the
// comparison with the previous audit and the trend over every audit — and
// renders it as a terminal table, Markdown, CSV, JSON, an Excel workbook
// with native charts, or a self-contained printable HTML page.
//
// Build and BuildTrend read the store; Render and RenderTrend are pure
// functions of the result writing to an io.Writer. The package prints
// nothing and knows nothing of cobra or terminals (colour is a renderer
// option the caller decides).
//
// # Statistics
//
// The share flagged is k/n over the audited cases (the latest finding per
// case). Its two-sided interval is Clopper–Pearson (exact) by default, or
// Wilson; the one-sided upper bound is the exact binomial one; the
// finite-population upper bound is the exact hypergeometric one for the
// audit's recorded population (distinct IDs after filters). The comparison
// gives the difference of shares (this − previous) with the
// Miettinen–Nurminen score interval and the two-sided score test that
// interval inverts (at 0, the "N − 1" chi-squared test); it is called a
// significant change only when p < 1 − confidence, which is exactly when the
// interval leaves out 0. Fisher's exact test is not used here: no interval
// in points inverts it, and beside an unconditional interval it could call a
// change clear of zero "not significant". Printed percentages round
// interval bounds outwards (lower down, upper up), so a printed bound never
// claims more than the exact one; JSON, CSV and xlsx carry full precision.
//
// Undefined figures (a share of 0 audited cases, a kappa when both raters
// used a single grade) are nil pointers, shown as "not defined" or "—" and as
// JSON null — never NaN.
//
// # Factors
//
// When the sample recorded factors (sample.Factors, in its provenance), the
// audited cases are grouped by caseload (at or below the target, above;
// only with a target), by changes of worker (1, 2, then the "many"
// threshold or more, 3 by default; a 0 joins the first group, "0 or 1") and
// by each timeliness pair (within, late, not done: an order of increasing
// delay), with the share flagged (by the latest judgement, as in the
// headline) and the share Good or better (the auditor's grade, as in the
// grade mix), each with its interval (the report's method and confidence).
// Cases without a value for a factor are counted apart. Two groups get
// Fisher's exact test, three or more the chi-squared test for trend in
// proportions (R's prop.trend.test, scores 1, 2, 3 …), both from
// stats.GroupTest. A group expecting fewer than 5 cases with or without the
// attribute, were the groups alike (stats.Expected), is too small to tell:
// the trend test's p-value is then not relied on, and a Fisher p-value at
// or above the threshold reads "too few cases to tell", never "no
// difference". Differences are called so only below 1 − confidence, and
// always as associations in the sample, not causes. The headline share is
// never changed by this section.
//
// # Privacy
//
// Reports carry case IDs and non-personal fields (team, worker, legal
// status, stratum, auditor). Shown columns that hold personal details
// (names, dates of birth, addresses …; see Personal) are left out unless
// Options.IncludeNames is set.
//
// # JSON (schema urn:caseaudit:schema:report:3, schema/report.json)
//
// One object; numbers are JSON numbers, shares are fractions (0.025, not
// 2.5), times are RFC 3339 UTC, and a figure that is undefined is null.
//
//	$schema, tool, version, generated   identification
//	audit, created, seed, input         the audit
//	filters, strata_column, allocation  how its sample was drawn
//	population                          distinct cases after filters (null if not recorded)
//	sampled, audited, to_do, flagged    counts
//	share                               flagged / audited
//	ci {method, confidence, lower, upper}
//	                                    method "clopper-pearson" or "wilson"
//	upper_one_sided                     exact one-sided upper bound
//	finite_population_upper[_count]     exact hypergeometric upper bound (share, cases);
//	                                    absent when the population is unknown or nothing is audited
//	sentence                            the plain-English summary
//	notes                               caveats (cases still to audit, unweighted strata …)
//	grades {grade: count}, good_or_better
//	breakdown_by, breakdown [{group, sampled, audited, flagged, share, lower, upper}]
//	flagged_cases [case]                cases needing immediate attention
//	moderation                          null when no moderation sample was drawn, else
//	                                    {seed, sample, pairs, agreement, kappa,
//	                                    weighted_kappa_linear, weighted_kappa_quadratic
//	                                    (null below KappaMinPairs pairs), kappa_withheld,
//	                                    immediate_agreement, table (auditor × moderator,
//	                                    Outstanding first), disagreements [{case, original,
//	                                    moderated, original_immediate, moderated_immediate}]}
//	comparison                          null without a previous audit, else {previous,
//	                                    previous_audited, previous_flagged, previous_share,
//	                                    share, difference, difference_ci [lower, upper],
//	                                    difference_ci_method, test, p, significant, sentence}
//	trend [{audit, created, sampled, audited, flagged, share, lower, upper, grades,
//	        caseload_target, workers_above_target, cases_above_target}]
//	                                    the last three only for an audit whose sample recorded
//	                                    a caseload target: the target, the share of the
//	                                    population's workers holding more, and the share of the
//	                                    allocated cases they hold (the same in trend's JSON)
//	focus_areas [{key, label, kind, answered, answers {answer: count}, graded, good_or_better}]
//	                                    one per question of the audit's form, in form order;
//	                                    an empty array (never null or absent) when the audit
//	                                    has no form. answers lists every answer the question
//	                                    offers (0 when unused); text questions have answers {}
//	                                    (free text is not tallied). graded counts the answers on
//	                                    the four-point scale, Not applicable excluded, and
//	                                    good_or_better is the share of them Outstanding or Good:
//	                                    null for yesno, choice and text questions and when
//	                                    nothing is graded
//	focus_by_team                       null without a form, a grade question or a team column
//	                                    (the shown column "Team", else the first with "team" in
//	                                    its name), else {column, areas [grade question keys],
//	                                    teams [{team, audited, cells [{key, graded,
//	                                    good_or_better}]}]}; the HTML and xlsx reports colour it
//	                                    as a heat map: red below 50%, amber below 75%, green
//	                                    75% or more
//	actions {as_of, opened, open, responded, closed, overdue, median_days_to_response,
//	        responses_timed}            the follow-up actions opened on flagged cases; as_of is
//	                                    the day (UTC) overdue is judged on (Options.Now, else
//	                                    the store's clock); open waits for a response; responded
//	                                    has at least one (closed or not); overdue is open past
//	                                    its due date; the median is of calendar days from
//	                                    opening to the first response, null when none
//	factors                             absent unless the audit's sample recorded factors
//	                                    (sample --factors, or factors: in a scheduled run's
//	                                    configuration), then {spec (as in the provenance),
//	                                    population (the recorded figures: cases, caseload
//	                                    {allocated, unallocated, workers, median, max,
//	                                    above_target_workers, above_target_cases}, changes
//	                                    {counted, at_least_cases}, timeliness [{pair, measured,
//	                                    within, late, not_done, overdue}]), audited, recorded
//	                                    (audited cases with factor values), groupings [{key
//	                                    ("caseload", "changes", "timeliness_1" …), title, label,
//	                                    column, groups [{label, audited, flagged, flagged_share,
//	                                    flagged_lower, flagged_upper, good_or_better,
//	                                    good_or_better_share, good_or_better_lower,
//	                                    good_or_better_upper}], not_grouped, not_grouped_why,
//	                                    flagged, good_or_better (each a test: {method
//	                                    ("fisher-exact", "chi-squared-trend" or "" for none),
//	                                    statistic (trend only), p, expected [per group],
//	                                    small_groups [labels], verdict ("association",
//	                                    "no_clear_difference", "too_small", "not_tested"),
//	                                    sentence})}], sentences, notes}. It is in the JSON
//	                                    whenever recorded: no option asks for it (report
//	                                    --factors only makes its absence an error)
//	columns                             the shown columns kept in case rows
//	cases [case]                        only with Options.Cases
//
// A case is {order, id, stratum, fields {column: value}, audited, auditor,
// grade, immediate, note, date, moderated_grade, moderated_immediate,
// moderator}. New fields may be added; a field is removed or changes
// meaning only with a new schema name.
package report
