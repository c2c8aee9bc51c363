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
// itself does the same: AddCase each distinct ID's first row, saying
// whether it matches the filters (the population's figures count the
// matching ones; caseloads count all). Exclusions
// (cases audited recently) do not apply: they are a sampling matter, and a
// worker's caseload includes the cases audited last month.
//
// # Definitions
//
// Caseload: counted over every distinct case of the export, whatever the
// filters (a worker's caseload is their whole caseload, whatever part of it
// is sampled), and only over the open cases when a rule says which are
// open (Spec.OpenWhen, "Case Status=Open") or a status column found by name
// (StatusNames) holds values that read as closed (ReadsClosed). A case is
// allocated when its worker cell names someone; blank cells and texts such
// as Unallocated, None, N/A, TBC or Awaiting allocation (see Unallocated)
// are counted apart, not as a worker. Workers are the distinct names,
// compared as NameKey compares them (ignoring case and repeated spaces,
// "Surname, Forename" as "Forename Surname") and mapped to a person by
// Spec.Aliases; an initial ("M. Patel"), a near spelling or a placeholder
// ("Social worker leaving") is counted as written and listed to confirm
// (Caseload.SuspectList). The
// mean caseload is allocated cases / workers; the median is that of the
// workers' caseloads, the mean of the middle two for an even number of
// workers. Workers above the target hold more than CaseloadTarget cases;
// the share of cases they hold is of the allocated cases. Bands are five
// cases wide and aligned so that the target tops a band.
//
// Changes of worker: each cell must be a whole number of 0 or more, or an
// open top group as people write one ("3+", "3 or more", "more than 3"),
// read as its least count and listed (Changes.OrMore); blank cells and
// anything else are counted (not dropped silently) and left out of the
// shares, which are of the cases with a number. The share with
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
