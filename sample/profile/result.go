package profile

// Profile is the figures of a profiled population; its JSON form is part of
// the schema "caseaudit-profile/1" (see doc.go). Shares are fractions (0.25,
// not 25) of the count named beside them, and nil (JSON null) when that
// count is 0.
type Profile struct {
	// Cases is the number of cases profiled: rows passed to Add.
	Cases int `json:"cases"`
	// Caseload is nil when the export has no worker column.
	Caseload *Caseload `json:"caseload"`
	// Changes is nil when the export has no changes column.
	Changes *Changes `json:"changes"`
	// Timeliness has one entry per pair, in the order given; [] for none.
	Timeliness []TimelinessResult `json:"timeliness"`
	// TeamColumn is the header timeliness is broken down by; "" for none.
	TeamColumn string `json:"team_column"`
}

// Caseload is cases per allocated worker.
type Caseload struct {
	Column string `json:"column"`
	// Over says which cases a caseload counts: "export", every case of the
	// export whatever the filters (a worker's caseload is their whole
	// caseload, whatever part of it is sampled), or "population", the
	// cases matching the filters (how a sample recorded before caseaudit
	// said so counted them, re-derived).
	Over string `json:"over"`
	// Counted is the cases a caseload counts: the open ones of OfCases
	// (every distinct case Over covers) when OpenWhen is known; Closed the
	// others. Allocated + Unallocated = Counted.
	Counted int `json:"counted"`
	OfCases int `json:"of_cases"`
	Closed  int `json:"closed"`
	// OpenWhen is the rule saying which cases are open ("Case
	// Status=Open"; a rule read from a status column found by name spells
	// the closed values seen: "Case Status!=Closed"); "" when every case
	// counts. StatusColumn is its column ("" for none: a status column
	// found whose values never read as closed leaves OpenWhen ""), and
	// StatusValues its values with their cases, open or not, for the user
	// to confirm.
	OpenWhen     string        `json:"open_when"`
	StatusColumn string        `json:"status_column"`
	StatusValues []StatusValue `json:"status_values"`
	// Aliased counts the worker names (as the export spells them, compared
	// as NameKey does) a worker-aliases file mapped to a person;
	// AliasesSHA256 is the file's SHA-256 ("" without one).
	Aliased       int    `json:"aliased_names"`
	AliasesSHA256 string `json:"aliases_sha256"`
	// SuspectDuplicates and SuspectPlaceholders count the worker names
	// worth confirming (see Suspect); SuspectList names them, only with
	// Spec.IncludeNames.
	SuspectDuplicates   int       `json:"suspected_duplicates"`
	SuspectPlaceholders int       `json:"suspected_placeholders"`
	SuspectList         []Suspect `json:"suspect_list,omitempty"`
	// Allocated cases name a worker; Unallocated ones are blank or say so
	// ("Unallocated", "None", "N/A", "TBC", "Awaiting allocation" …) and are
	// not in any worker's caseload.
	Allocated        int      `json:"allocated"`
	Unallocated      int      `json:"unallocated"`
	UnallocatedShare *float64 `json:"unallocated_share"` // of Counted
	// UnallocatedAs counts the texts read as unallocated, "" for blank.
	UnallocatedAs map[string]int `json:"unallocated_as"`
	// Workers is the number of distinct workers (names compared ignoring
	// case and repeated spaces).
	Workers int `json:"workers"`
	// Mean is Allocated / Workers; Median is the median of the workers'
	// caseloads (the mean of the middle two for an even number of workers);
	// Min and Max are the smallest and largest. nil / 0 without workers.
	Mean   *float64 `json:"mean"`
	Median *float64 `json:"median"`
	Min    int      `json:"min"`
	Max    int      `json:"max"`
	// Target is Spec.CaseloadTarget; nil without one, and then AboveTarget
	// is nil too.
	Target      *int         `json:"target"`
	AboveTarget *AboveTarget `json:"above_target"`
	// FarAbove is the workers holding From cases or more: three times the
	// median caseload and at least 20. So large a caseload is usually a
	// duty desk, a team or a manager rather than a person, and worth a look.
	// nil when there is none.
	FarAbove *FarAbove `json:"far_above_median"`
	// Bands are caseloads in bands of five cases aligned so that the target
	// tops a band, from the band holding Min to the band holding Max; past
	// twelve bands the last is open ("64 or more").
	Bands []Band `json:"bands"`
	// ByCaseload lists, for each caseload held by at least one worker, how
	// many workers hold it; ascending.
	ByCaseload []CaseloadCount `json:"by_caseload"`
	// WorkerList is every worker with their caseload, largest first; only
	// with Spec.IncludeNames (absent otherwise).
	WorkerList []WorkerLoad `json:"worker_list,omitempty"`
}

// AboveTarget is the workers holding more cases than the target.
type AboveTarget struct {
	Workers      int      `json:"workers"`
	WorkersShare *float64 `json:"workers_share"` // of Caseload.Workers
	// Cases they hold, and their share of the allocated cases.
	Cases      int      `json:"cases"`
	CasesShare *float64 `json:"cases_share"`
}

// FarAbove is the workers with caseloads far above the median.
type FarAbove struct {
	From    int      `json:"from"`
	Workers int      `json:"workers"`
	Cases   int      `json:"cases"`           // the cases they hold
	Names   []string `json:"names,omitempty"` // only with Spec.IncludeNames, largest first
}

// Band is the workers whose caseload is From to To (To nil: From or more).
type Band struct {
	Label   string `json:"label"` // "1–5", "41 or more"
	From    int    `json:"from"`
	To      *int   `json:"to"`
	Workers int    `json:"workers"`
	Cases   int    `json:"cases"` // the cases they hold
	// AboveTarget says every caseload in the band is above the target.
	AboveTarget bool `json:"above_target"`
}

// CaseloadCount is how many workers hold exactly Caseload cases.
type CaseloadCount struct {
	Caseload int `json:"caseload"`
	Workers  int `json:"workers"`
}

// WorkerLoad is one worker's caseload.
type WorkerLoad struct {
	Worker      string `json:"worker"`
	Cases       int    `json:"cases"`
	AboveTarget bool   `json:"above_target"`
}

// Changes is the distribution of a count of workers (or changes of worker)
// per case.
type Changes struct {
	Column string `json:"column"`
	// Counted cases hold a whole number of 0 or more; Blank ones nothing;
	// NotNumbers anything else (text, fractions, negative numbers): they
	// are counted here and in Problems, and left out of the figures.
	Counted    int `json:"counted"`
	Blank      int `json:"blank"`
	NotNumbers int `json:"not_numbers"`
	// Distribution gives the cases for each count 0 to 5 and 6 or more
	// (OrMore true), shares of Counted.
	Distribution []ValueCount `json:"distribution"`
	// AtLeast is the count from which a case has many workers (3 unless
	// Spec.ChangesAtLeast says otherwise); AtLeastCases the cases with that
	// many or more, AtLeastShare their share of Counted.
	AtLeast      int      `json:"at_least"`
	AtLeastCases int      `json:"at_least_cases"`
	AtLeastShare *float64 `json:"at_least_share"`
	// Mean is of the counts; an open top group counts as its least count.
	Mean *float64 `json:"mean"`
	// OrMore lists the cells written as an open top group ("3+", "3 or
	// more", "more than 3"): counted as their least count (3, 3, 4), so
	// they are in the share with AtLeast or more when that count is.
	OrMore []OrMoreCount `json:"or_more_cells"`
	// Problems lists the first unreadable cells (see CellProblem).
	Problems []CellProblem `json:"problems"`
}

// OrMoreCount is the cases whose cell reads Text, counted as Value or more.
type OrMoreCount struct {
	Text  string `json:"text"`
	Value int    `json:"value"`
	Cases int    `json:"cases"`
}

// ValueCount is the cases whose count is Value (or more, when OrMore).
type ValueCount struct {
	Label  string   `json:"label"` // "3", "6 or more"
	Value  int      `json:"value"`
	OrMore bool     `json:"or_more"`
	Cases  int      `json:"cases"`
	Share  *float64 `json:"share"`
}

// CellProblem is a cell that could not be read. Value is the cell's text
// only with Spec.IncludeNames ("" otherwise), as a wrongly chosen column
// could hold names.
type CellProblem struct {
	Row     int    `json:"row"`
	Column  string `json:"column"`
	Value   string `json:"value,omitempty"`
	Problem string `json:"problem"`
}

// MaxProblems is how many problems each section lists (all are counted).
const MaxProblems = 20

// TimelinessResult is one date pair measured over the cases.
type TimelinessResult struct {
	Spec      string `json:"spec"` // Timeliness.String()
	From      string `json:"from"` // header names
	To        string `json:"to"`
	Limit     int    `json:"limit"`
	Unit      string `json:"unit"`       // d, wd, w or m
	LimitText string `json:"limit_text"` // "45 days"
	// AsOf is the day not-done pairs are judged overdue on ("" when not
	// judged).
	AsOf string `json:"as_of"`
	TimelinessCounts
	// MedianElapsed is the median time from the first date to the second
	// over the completed pairs (Within + Late), in ElapsedUnit: working days
	// for a working-day limit, else calendar days; nil when none completed.
	MedianElapsed *float64 `json:"median_elapsed"`
	ElapsedUnit   string   `json:"elapsed_unit"`
	// ByTeam breaks the counts down by Profile.TeamColumn (teams in name
	// order, blank as "(blank)"); [] without a team column.
	ByTeam   []TeamTimeliness `json:"by_team"`
	Problems []CellProblem    `json:"problems"`
}

// TimelinessCounts are the cases of a pair by status. Measured = Within +
// Late + NotDone; the shares are of Measured. NoStart (first date blank),
// Unreadable (a date that cannot be read) and Negative (second date before
// the first) are not measured.
type TimelinessCounts struct {
	Cases    int `json:"cases"`
	Measured int `json:"measured"`
	Within   int `json:"within"`
	Late     int `json:"late"`
	// NotDone has a first date and no second; Overdue of them are already
	// past the limit on AsOf (0 when AsOf is not set).
	NotDone      int      `json:"not_done"`
	Overdue      int      `json:"not_done_overdue"`
	NoStart      int      `json:"no_start"`
	Unreadable   int      `json:"unreadable"`
	Negative     int      `json:"negative"`
	WithinShare  *float64 `json:"within_share"`
	LateShare    *float64 `json:"late_share"`
	NotDoneShare *float64 `json:"not_done_share"`
	OverdueShare *float64 `json:"not_done_overdue_share"`
}

// TeamTimeliness is a pair's counts for one team.
type TeamTimeliness struct {
	Team string `json:"team"`
	TimelinessCounts
}

// Status is a case's standing on one timeliness pair.
type Status uint8

// The statuses of a pair.
const (
	Within     Status = iota // second date no later than the limit after the first
	Late                     // second date past the limit
	NotDueYet                // no second date, and the limit not passed on AsOf (or AsOf not set)
	Overdue                  // no second date, and the limit passed on AsOf
	NoStart                  // no first date
	Unreadable               // a date that cannot be read
	Negative                 // second date before the first
	nStatus
)

var statusNames = [nStatus]string{"within", "late", "not done", "not done, overdue", "no start date", "unreadable date", "ends before it starts"}

// String names the status as reports do.
func (s Status) String() string {
	if s < nStatus {
		return statusNames[s]
	}
	return "unknown"
}

// Factors are what the profile says about one case, for recording with a
// sampled case.
type Factors struct {
	// Worker is the case's worker as written (trimmed), "" when
	// unallocated or when the export has no worker column.
	Worker      string
	Unallocated bool
	// Caseload is the cases its worker holds in the whole profiled
	// population (0 when unallocated or without a worker column);
	// AboveTarget says it is more than Spec.CaseloadTarget.
	Caseload    int
	AboveTarget bool
	// Changes is the case's count; HasChanges is false when the export has
	// no changes column or the cell is blank or not a whole number.
	Changes    int
	HasChanges bool
	// ChangesOrMore says the cell was an open top group ("3+"): Changes
	// or more.
	ChangesOrMore bool
	// Timeliness is the case's status on each pair of Spec.Timeliness, in
	// order; Elapsed the days (working days for a working-day limit) from
	// the first date to the second, or to AsOf when not done (-1 when not
	// measurable).
	Timeliness []Status
	Elapsed    []int
	Team       string
}
