// Package report builds caseaudit's audit report from the store — the share
// of audited cases needing immediate attention with exact intervals, the
// grade mix, a breakdown by any recorded field, the answers to the audit
// form's focus areas (with a team × focus-area heat map), the follow-up
// actions on flagged cases, moderation agreement, the
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
// gives the difference of shares (this − previous) with Newcombe's hybrid
// score interval and the two-sided Fisher exact p-value; it is called a
// significant change only when p < 1 − confidence. Printed percentages round
// interval bounds outwards (lower down, upper up), so a printed bound never
// claims more than the exact one; JSON, CSV and xlsx carry full precision.
//
// Undefined figures (a share of 0 audited cases, a kappa when both raters
// used a single grade) are nil pointers, shown as "not defined" or "—" and as
// JSON null — never NaN.
//
// # Privacy
//
// Reports carry case IDs and non-personal fields (team, worker, legal
// status, stratum, auditor). Shown columns that hold personal details
// (names, dates of birth, addresses …; see Personal) are left out unless
// Options.IncludeNames is set.
//
// # JSON (schema "caseaudit-report/1")
//
// One object; numbers are JSON numbers, shares are fractions (0.025, not
// 2.5), times are RFC 3339 UTC, and a figure that is undefined is null.
//
//	schema, tool, version, generated    identification
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
//	                                    weighted_kappa_linear, weighted_kappa_quadratic,
//	                                    immediate_agreement, table (auditor × moderator,
//	                                    Outstanding first), disagreements [{case, original,
//	                                    moderated, original_immediate, moderated_immediate}]}
//	comparison                          null without a previous audit, else {previous,
//	                                    previous_audited, previous_flagged, previous_share,
//	                                    share, difference, difference_ci [lower, upper],
//	                                    difference_ci_method, fisher_p, significant, sentence}
//	trend [{audit, created, sampled, audited, flagged, share, lower, upper, grades}]
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
//	columns                             the shown columns kept in case rows
//	cases [case]                        only with Options.Cases
//
// A case is {order, id, stratum, fields {column: value}, audited, auditor,
// grade, immediate, note, date, moderated_grade, moderated_immediate,
// moderator}. New fields may be added; a field is removed or changes
// meaning only with a new schema name.
package report
