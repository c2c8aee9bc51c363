package profile

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Spec says what to profile. The zero value detects the worker, changes and
// team columns and measures no timeliness.
type Spec struct {
	// WorkerColumn names the allocated worker column; "" detects it among
	// known names (Allocated Worker, Social Worker, Key Worker, Case
	// Worker, …; see WorkerNames). A named column must exist; a detected one
	// may be absent, and then there is no caseload.
	WorkerColumn string
	// ChangesColumn names a column counting a child's workers or changes of
	// worker (e.g. "Workers in 12m"); "" detects one (see ChangesNames and
	// looksLikeChanges).
	ChangesColumn string
	// TeamColumn names the team column that timeliness is broken down by;
	// "" detects it (Team, Team Name, Allocated Team, …).
	TeamColumn string
	// NoWorker, NoChanges and NoTeam leave a detected column out.
	NoWorker, NoChanges, NoTeam bool
	// TeamUnread resolves the team column (Profile.TeamColumn names it)
	// without reading its cells: timeliness is then not broken down by
	// team. For a caller that needs only the totals, as a sample's factor
	// recorder does, that is a column fewer to read on every row.
	TeamUnread bool

	// CaseloadTarget is the most cases a worker should hold; 0 for none.
	// Workers holding more are above the target.
	CaseloadTarget int
	// ChangesAtLeast is the count from which a child is counted as having
	// many workers; 0 means 3.
	ChangesAtLeast int
	// Timeliness are the date pairs to measure (ParseTimeliness).
	Timeliness []Timeliness
	// AsOf is the day on which a pair not done yet (its second date blank)
	// is judged overdue: when the limit counted from its first date has
	// passed. The zero time judges none overdue.
	AsOf time.Time
	// OpenWhen says which cases are open, as ParseOpenRule reads it
	// ("Case Status=Open"): a caseload counts only those. "" looks for a
	// status column by name (StatusNames, unless NoStatus), and a case whose
	// status reads as closed (ReadsClosed) is then left out of caseloads.
	OpenWhen string
	NoStatus bool
	// Aliases maps worker names to the person each is (ReadAliases); nil
	// for none.
	Aliases *Aliases
	// Legacy counts as caseaudit did before it recorded how caseloads are
	// counted: over the cases added as matching the filters only, every
	// case open, names compared ignoring case and spaces only (no
	// "Surname, Forename", no aliases). A sample recorded then re-derives
	// with it; nothing else should set it.
	Legacy bool
	// IncludeNames lists workers by name in the Profile (Caseload.Workers)
	// and shows the text of unreadable cells; otherwise workers are only
	// counted and unreadable cells are given by row.
	IncludeNames bool
}

// Limit units of a timeliness pair.
const (
	UnitDays        = "d"
	UnitWorkingDays = "wd"
	UnitWeeks       = "w"
	UnitMonths      = "m"
)

// Timeliness is one date pair with its limit: the second date should come
// no later than Limit after the first.
type Timeliness struct {
	From, To string // column names as written
	Limit    int    // in Unit, at least 1
	// Unit is UnitDays (calendar days), UnitWorkingDays (Monday to Friday;
	// bank holidays are not excluded), UnitWeeks (7 calendar days) or
	// UnitMonths (calendar months: the same day of the month, or the last
	// day of a shorter month).
	Unit string
}

// String is the pair as ParseTimeliness reads it: "Referral Date..Assessment Completed<=45d".
func (t Timeliness) String() string {
	return t.From + ".." + t.To + "<=" + strconv.Itoa(t.Limit) + t.Unit
}

// LimitText is the limit in words: "45 days", "45 working days", "6 weeks", "3 months".
func (t Timeliness) LimitText() string {
	n := strconv.Itoa(t.Limit)
	one := t.Limit == 1
	switch t.Unit {
	case UnitWorkingDays:
		if one {
			return n + " working day"
		}
		return n + " working days"
	case UnitWeeks:
		if one {
			return n + " week"
		}
		return n + " weeks"
	case UnitMonths:
		if one {
			return n + " month"
		}
		return n + " months"
	}
	if one {
		return n + " day"
	}
	return n + " days"
}

// ErrTimeliness is wrapped by every error of ParseTimeliness.
var ErrTimeliness = errors.New("timeliness")

// ParseTimeliness reads a pair such as
//
//	Referral Date..Assessment Completed<=45d
//
// FROM and TO are column names (trimmed); the limit is a whole number of
// d (calendar days), wd (working days, Monday to Friday), w (weeks) or m
// (calendar months), from 1 to 3650 days' worth.
func ParseTimeliness(s string) (Timeliness, error) {
	bad := func(why string) (Timeliness, error) {
		return Timeliness{}, fmt.Errorf("%w %q: %s; write FROM..TO<=LIMIT, e.g. \"Referral Date..Assessment Completed<=45d\" (d days, wd working days, w weeks, m months)",
			ErrTimeliness, s, why)
	}
	at := strings.LastIndex(s, "<=")
	if at < 0 {
		if strings.ContainsAny(s, "<>=") {
			return bad("the limit must follow <=")
		}
		return bad("no limit")
	}
	pair, limit := s[:at], strings.ToLower(strings.TrimSpace(s[at+2:]))
	from, to, ok := strings.Cut(pair, "..")
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if !ok || from == "" || to == "" {
		return bad("name two columns separated by ..")
	}
	if strings.Contains(to, "..") {
		return bad("name two columns, not more")
	}
	i := 0
	for i < len(limit) && limit[i] >= '0' && limit[i] <= '9' {
		i++
	}
	if i == 0 {
		return bad(fmt.Sprintf("the limit %q is not a whole number followed by d, wd, w or m", limit))
	}
	n, err := strconv.Atoi(limit[:i])
	unit := strings.TrimSpace(limit[i:])
	switch unit {
	case "d", "day", "days":
		unit = UnitDays
	case "wd", "working day", "working days":
		unit = UnitWorkingDays
	case "w", "week", "weeks":
		unit = UnitWeeks
	case "m", "month", "months":
		unit = UnitMonths
	case "":
		return bad(fmt.Sprintf("the limit %q has no unit", limit))
	default:
		return bad(fmt.Sprintf("unknown unit %q", unit))
	}
	days := map[string]int{UnitDays: 1, UnitWorkingDays: 1, UnitWeeks: 7, UnitMonths: 31}[unit]
	if err != nil || n < 1 || n*days > 3650 {
		return bad(fmt.Sprintf("the limit %q must be from 1 up to ten years", limit))
	}
	if strings.EqualFold(from, to) {
		return bad("the two columns are the same")
	}
	return Timeliness{From: from, To: to, Limit: n, Unit: unit}, nil
}

// Known column names, tried in order (the first found wins), matched as
// header names are: letters and digits only, ignoring case.
var (
	WorkerNames = []string{"Allocated Worker", "Allocated Social Worker", "Social Worker", "Key Worker",
		"Case Worker", "Caseworker", "Lead Worker", "Lead Practitioner", "Allocated Practitioner", "Practitioner",
		"Lead Professional", "Responsible Worker", "Named Worker", "Case Holder", "Case Owner", "Allocated To",
		"Worker Name", "Worker", "Current Worker", "Current Social Worker"}
	ChangesNames = []string{"Workers in 12m", "Workers in 12 months", "Workers in last 12 months",
		"Social Workers in 12 months", "Social Workers in last 12 months", "Number of Social Workers",
		"Number of Workers", "No of Workers", "No of Social Workers", "Changes of Worker", "Changes of Social Worker",
		"Worker Changes", "Social Worker Changes", "Number of Worker Changes"}
	TeamNames = []string{"Team", "Team Name", "Allocated Team", "Team Allocated", "Current Team", "Responsible Team",
		"Service Team", "Unit", "Locality", "Service Area", "Service"}
)

func words(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// detect returns the index of the first header matching a known name (in
// the order of names), skipping the columns in not; -1 when none does.
func detect(header []string, names []string, not ...int) int {
	keys := make([]string, len(header))
	for i, h := range header {
		keys[i] = colname.Key(h)
	}
	for _, n := range names {
		k := colname.Key(n)
		for i := range header {
			if keys[i] == k && !slices.Contains(not, i) {
				return i
			}
		}
	}
	return -1
}

// looksLikeChanges recognises other names of a column counting workers or
// changes of worker: it speaks of workers (or social workers, SWs) and of
// changes, a count, 12 months, or "number of" ("No. of SWs in 12 months"),
// but not of a number alone ("Worker Number" is a staff number).
func looksLikeChanges(h string) bool {
	ws := words(h)
	worker, count := false, false
	for i, w := range ws {
		switch w {
		case "worker", "workers", "sw", "sws", "swer", "swers":
			worker = true
		case "change", "changes", "changed", "count", "12m", "12", "12months":
			count = true
		case "number", "no", "num":
			if i+1 < len(ws) && ws[i+1] == "of" {
				count = true
			}
		}
	}
	return worker && count
}

// ColumnError is a column of the Spec that is not in the export, or a
// detected column that cannot serve. Role says which ("worker", "changes",
// "team", "timeliness"), so that the caller can name its option.
type ColumnError struct {
	Role string
	Pair string // the timeliness pair (Timeliness.String) for Role "timeliness"
	Err  error
}

func (e *ColumnError) Error() string { return e.Err.Error() }
func (e *ColumnError) Unwrap() error { return e.Err }

// resolve finds a named column (ColumnIndex: exact, then loose matching,
// with a suggestion in the error).
func resolve(t *export.Table, role, name string) (int, error) {
	i, err := t.ColumnIndex(name)
	if err != nil {
		return -1, &ColumnError{Role: role, Err: err}
	}
	return i, nil
}
