// Package profile measures the pressures behind a case-file audit from the
// same export the sample is drawn from: caseloads (cases per allocated
// worker), changes of worker (a count column such as "Workers in 12m") and
// timeliness (date pairs with a limit, such as a referral and its
// assessment within 45 working days), by team.
//
// # Feeding it
//
// A Profiler is an accumulator fed a case at a time, so that any single
// read of an export can feed it:
//
//	p, err := profile.New(spec, table)      // resolves and detects columns
//	cols := p.Columns()                     // header indexes it needs
//	... for each case of the population, its first row's cells of cols:
//	p.Add(row.Num, cells)
//	prof := p.Result()                      // the figures
//	f := p.Factors(cells)                   // one case's worker caseload, changes, timeliness
//
// The population is the one a sample of the same export is drawn from
// (sample.Load): blank rows and footer rows are skipped; each distinct case
// ID (trimmed) counts once, by its first row; the case is in when that row
// matches every filter. Read applies these rules in one pass, telling first
// rows from duplicates as it goes with a Seen set; a caller reading rows
// itself (sample.Load's row callback, for instance) does the same: Add a
// row when its ID is new to a Seen and it matches the filters. Exclusions
// (cases audited recently) do not apply: they are a sampling matter, and a
// worker's caseload includes the cases audited last month.
//
// # Definitions
//
// Caseload: a case is allocated when its worker cell names someone; blank
// cells and texts such as Unallocated, None, N/A, TBC or Awaiting
// allocation (see Unallocated) are counted apart, not as a worker. Workers
// are the distinct names, compared ignoring case and repeated spaces. The
// mean caseload is allocated cases / workers; the median is that of the
// workers' caseloads, the mean of the middle two for an even number of
// workers. Workers above the target hold more than CaseloadTarget cases;
// the share of cases they hold is of the allocated cases. Bands are five
// cases wide and aligned so that the target tops a band.
//
// Changes of worker: each cell must be a whole number of 0 or more; blank
// cells and anything else are counted (not dropped silently) and left out
// of the shares, which are of the cases with a number. The share with
// "3 or more" (ChangesAtLeast) reads the column as it is: for "Workers in
// 12m" it is the share of children with three or more workers in the year.
//
// Timeliness: dates are read as the export reader delivers them (ISO
// yyyy-mm-dd from xlsx date cells and csv UK dates; UK dd/mm/yyyy text and
// Excel serial numbers are accepted too). A pair is within when the second
// date is no later than the limit after the first — TO − FROM ≤ N calendar
// days (d), ≤ 7N days (w), at most N working days (wd: Monday to Friday
// counted after FROM up to and including TO; bank holidays are not
// excluded), or TO no later than FROM plus N calendar months (m: the same
// day of the month, or the last day of a shorter month) — and late
// otherwise. A blank second date is not done yet, and overdue when the
// limit has passed on Spec.AsOf. A blank first date, an unreadable date and
// a second date before the first are counted apart and not measured. The
// shares are of the measured cases (within + late + not done).
//
// Names of workers appear in a Profile only with Spec.IncludeNames.
package profile
