package profile

import (
	"cmp"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Profiler accumulates a profile a case at a time: New resolves the
// columns, Add takes each case's row (the cells of Columns, in that order),
// and Result computes the figures. It holds a count per worker, team and
// value, never the rows, so memory does not grow with the export. A
// Profiler is not safe for concurrent use.
type Profiler struct {
	spec   Spec
	header []string
	cols   []int // header indexes Add reads, in order

	workerCol, changesCol, teamCol, statusCol int // header index; -1 for none
	workerAt, changesAt, teamAt, statusAt     int // index into Add's cells; -1 for none

	cases int

	// Caseloads: over every case added (matching the filters or not,
	// unless Spec.Legacy), the open ones only when a status column is
	// known (rule set, or detected: closed when ReadsClosed).
	rule        *OpenRule
	exportCases int // cases whose worker was looked at
	closedCases int // of them, closed
	status      names
	statusCount []int  // cases per status value (status index)
	statusOpen  []bool // whether the value says open

	workers     names
	workerCases []int
	unallocated []int // per unallocated text (names.unalloc)

	teams names

	atLeast      int
	changeCounts []int // cases per count 0..maxChange; larger counts in changeOver
	changeOver   int
	changeSum    float64
	changeBlank  int
	changeBad    int
	changeProbs  []CellProblem
	changeOpen   map[string]int // "3+", "more than 3": the text (as first written) -> cases
	changeOpenN  map[string]int // the text -> its count

	pairs []*pairState
	days  *dayCache
	asOf  int
	hasAs bool
}

// maxChange bounds the per-value counts of the changes column; larger
// counts are counted together (they are "6 or more" anyway).
const maxChange = 1000

type pairState struct {
	t              Timeliness
	fromCol, toCol int
	fromAt, toAt   int
	counts         [][nStatus]int // by team index (0 when there is no team column)
	elapsed        []int          // completed pairs per elapsed day (or working day), up to maxElapsed
	elapsedOver    int            // completed pairs taking longer
	problems       []CellProblem
}

// maxElapsed bounds the histogram of elapsed days (about 100 years).
const maxElapsed = 36600

// New resolves the Spec's columns in the table's header: named columns
// must exist (a ColumnError naming the closest header otherwise); the
// others are detected and may be absent. The ID column is never taken for
// a worker, changes or team column.
func New(spec Spec, t *export.Table) (*Profiler, error) {
	for _, tl := range spec.Timeliness {
		if tl.Limit < 1 || (tl.Unit != UnitDays && tl.Unit != UnitWorkingDays && tl.Unit != UnitWeeks && tl.Unit != UnitMonths) {
			return nil, fmt.Errorf("%w %q: the limit must be a positive number of d, wd, w or m", ErrTimeliness, tl.String())
		}
	}
	if spec.CaseloadTarget < 0 {
		return nil, fmt.Errorf("the caseload target %d must be a positive number of cases", spec.CaseloadTarget)
	}
	if spec.ChangesAtLeast < 0 {
		return nil, fmt.Errorf("the changes threshold %d must be a positive number", spec.ChangesAtLeast)
	}
	p := &Profiler{spec: spec, header: t.Header, workerAt: -1, changesAt: -1, teamAt: -1, statusAt: -1,
		workerCol: -1, changesCol: -1, teamCol: -1, statusCol: -1, atLeast: spec.ChangesAtLeast}
	if p.atLeast == 0 {
		p.atLeast = 3
	}
	p.atLeast = min(p.atLeast, maxChange)
	id := t.IDIndex
	var err error
	switch {
	case spec.WorkerColumn != "":
		if p.workerCol, err = resolve(t, "worker", spec.WorkerColumn); err != nil {
			return nil, err
		}
	case !spec.NoWorker:
		p.workerCol = detect(t.Header, WorkerNames, id)
	}
	switch {
	case spec.ChangesColumn != "":
		if p.changesCol, err = resolve(t, "changes", spec.ChangesColumn); err != nil {
			return nil, err
		}
	case !spec.NoChanges:
		p.changesCol = detect(t.Header, ChangesNames, id, p.workerCol)
		if p.changesCol < 0 {
			for i, h := range t.Header {
				if i != id && i != p.workerCol && looksLikeChanges(h) {
					p.changesCol = i
					break
				}
			}
		}
	}
	switch {
	case spec.TeamColumn != "":
		if p.teamCol, err = resolve(t, "team", spec.TeamColumn); err != nil {
			return nil, err
		}
	case !spec.NoTeam:
		p.teamCol = detect(t.Header, TeamNames, id, p.workerCol, p.changesCol)
	}
	if p.workerCol >= 0 && !spec.Legacy {
		switch {
		case spec.OpenWhen != "":
			r, err := ParseOpenRule(spec.OpenWhen)
			if err != nil {
				return nil, &ColumnError{Role: "status", Err: err}
			}
			if p.statusCol, err = resolve(t, "status", r.Column); err != nil {
				return nil, err
			}
			r.Column = t.Header[p.statusCol]
			p.rule = &r
		case !spec.NoStatus:
			p.statusCol = detect(t.Header, StatusNames, id, p.workerCol, p.changesCol, p.teamCol)
		}
	}
	at := func(c int) int {
		if c < 0 {
			return -1
		}
		if i := slices.Index(p.cols, c); i >= 0 {
			return i
		}
		p.cols = append(p.cols, c)
		return len(p.cols) - 1
	}
	p.workerAt, p.changesAt = at(p.workerCol), at(p.changesCol)
	if !spec.TeamUnread {
		p.teamAt = at(p.teamCol)
	}
	p.statusAt = at(p.statusCol)
	for _, tl := range spec.Timeliness {
		ps := &pairState{t: tl}
		if ps.fromCol, err = resolve(t, "timeliness", tl.From); err == nil {
			ps.toCol, err = resolve(t, "timeliness", tl.To)
		}
		if err != nil {
			err.(*ColumnError).Pair = tl.String()
			return nil, err
		}
		if ps.fromCol == ps.toCol {
			return nil, &ColumnError{Role: "timeliness", Pair: tl.String(),
				Err: fmt.Errorf("%w %q: %q and %q are the same column of the export; name two different date columns", ErrTimeliness, tl.String(), tl.From, tl.To)}
		}
		ps.fromAt, ps.toAt = at(ps.fromCol), at(ps.toCol)
		p.pairs = append(p.pairs, ps)
	}
	if !spec.AsOf.IsZero() {
		p.asOf, p.hasAs = dayOf(spec.AsOf), true
	}
	p.workers = newNames(true)
	if spec.Legacy {
		p.workers.key = plainKey
	} else if spec.Aliases != nil {
		p.workers.aliases = spec.Aliases.Names
		p.workers.aliasHit = map[string]bool{}
	}
	p.teams = newNames(false)
	p.status = newNames(false)
	if len(p.pairs) > 0 {
		p.days = new(dayCache)
	}
	p.changeCounts = make([]int, 8)
	return p, nil
}

// Columns returns the header indexes (into Table.Header) whose cells Add
// and Factors take, in the order they take them. It may be empty when
// nothing is to be profiled (see Empty).
func (p *Profiler) Columns() []int { return slices.Clone(p.cols) }

// ColumnNames returns the header names of Columns(), in the same order: a
// caller that keeps these columns' values for a case (as sample.Load keeps
// its Fields for sampled cases) can pass them to Factors later.
func (p *Profiler) ColumnNames() []string {
	out := make([]string, len(p.cols))
	for i, c := range p.cols {
		out[i] = p.header[c]
	}
	return out
}

// Empty reports whether there is nothing to profile: no worker, changes or
// team column and no timeliness pair.
func (p *Profiler) Empty() bool {
	return p.workerCol < 0 && p.changesCol < 0 && len(p.pairs) == 0
}

// WorkerColumn, ChangesColumn and TeamColumn return the header names of
// the columns used, "" for none.
func (p *Profiler) WorkerColumn() string  { return p.name(p.workerCol) }
func (p *Profiler) ChangesColumn() string { return p.name(p.changesCol) }
func (p *Profiler) TeamColumn() string    { return p.name(p.teamCol) }

func (p *Profiler) name(c int) string {
	if c < 0 {
		return ""
	}
	return p.header[c]
}

// Cases returns the number of cases added so far.
func (p *Profiler) Cases() int { return p.cases }

// Add counts one case of the population: AddCase(row, true, cells).
func (p *Profiler) Add(row int, cells []string) { p.add(row, true, cells, 1) }

// AddCase counts one case of the export: row is its row number (for
// problems), match whether it meets the filters, cells the values of
// Columns() in order (as export.Row.Cells hands them over when Rows is
// asked for Columns()). Call it once per distinct case ID, with its first
// row; Read does so. Caseloads count every case added (a worker's
// caseload is their whole caseload, whatever part of it is sampled); the
// population's figures (Cases, changes of worker, timeliness) count the
// cases that match.
func (p *Profiler) AddCase(row int, match bool, cells []string) { p.add(row, match, cells, 1) }

// Remove takes back a case added with the same row, match and cells: a
// reader that adds every row as it comes and learns later which rows
// repeat an earlier row's ID (sample.RowObserver.Duplicate) removes those.
func (p *Profiler) Remove(row int, match bool, cells []string) { p.add(row, match, cells, -1) }

func (p *Profiler) add(row int, match bool, cells []string, w int) {
	if p.workerAt >= 0 && (match || !p.spec.Legacy) {
		p.exportCases += w
		if p.isOpen(cells, w) {
			i := p.workers.index(cells[p.workerAt])
			if i >= 0 {
				for int(i) >= len(p.workerCases) {
					p.workerCases = append(p.workerCases, 0)
				}
				p.workerCases[i] += w
			} else {
				k := int(-i - 2)
				for k >= len(p.unallocated) {
					p.unallocated = append(p.unallocated, 0)
				}
				p.unallocated[k] += w
			}
		} else {
			p.closedCases += w
		}
	}
	if !match {
		return
	}
	p.cases += w
	team := 0
	if p.teamAt >= 0 {
		team = int(p.teams.index(cells[p.teamAt]))
	}
	if p.changesAt >= 0 {
		v := cells[p.changesAt]
		n, kind := parseCount(v)
		switch kind {
		case countOK, countOrMore:
			if n > maxChange {
				p.changeOver += w
			} else {
				for n >= len(p.changeCounts) {
					p.changeCounts = append(p.changeCounts, 0)
				}
				p.changeCounts[n] += w
			}
			p.changeSum += float64(w * n)
			if kind == countOrMore {
				if p.changeOpen == nil {
					p.changeOpen, p.changeOpenN = map[string]int{}, map[string]int{}
				}
				k := strings.Join(strings.Fields(v), " ")
				p.changeOpen[k] += w
				p.changeOpenN[k] = n
			}
		case countBlank:
			p.changeBlank += w
		default:
			p.changeBad += w
			p.problem(&p.changeProbs, row, p.changesCol, v, "not a whole number of 0 or more", w)
		}
	}
	for _, ps := range p.pairs {
		st, el, bad := p.measure(ps, cells[ps.fromAt], cells[ps.toAt])
		for team >= len(ps.counts) {
			ps.counts = append(ps.counts, [nStatus]int{})
		}
		ps.counts[team][st] += w
		switch st {
		case Within, Late:
			if el <= maxElapsed {
				for el >= len(ps.elapsed) {
					ps.elapsed = append(ps.elapsed, make([]int, max(64, len(ps.elapsed)))...)
				}
				ps.elapsed[el] += w
			} else {
				ps.elapsedOver += w
			}
		case Unreadable:
			c, v := ps.fromCol, cells[ps.fromAt]
			if bad == 2 {
				c, v = ps.toCol, cells[ps.toAt]
			}
			p.problem(&ps.problems, row, c, v, "not a date", w)
		case Negative:
			p.problem(&ps.problems, row, ps.toCol, cells[ps.fromAt]+" .. "+cells[ps.toAt],
				fmt.Sprintf("%s is before %s", p.header[ps.toCol], p.header[ps.fromCol]), w)
		}
	}
}

// isOpen reports whether a case counts in caseloads, and counts its
// status value (w: 1 to add, −1 to take back).
func (p *Profiler) isOpen(cells []string, w int) bool {
	if p.statusAt < 0 {
		return true
	}
	i := int(p.status.index(cells[p.statusAt]))
	for i >= len(p.statusCount) {
		v := p.status.shown[len(p.statusCount)]
		open := !ReadsClosed(v)
		if p.rule != nil {
			open = p.rule.open(v)
		}
		p.statusCount = append(p.statusCount, 0)
		p.statusOpen = append(p.statusOpen, open)
	}
	p.statusCount[i] += w
	return p.statusOpen[i]
}

// OpenWhen is the rule that said which cases a caseload counted, as
// ParseOpenRule reads it: the rule given, or the one read from a status
// column found by name, spelling the closed values seen (so that it
// re-derives exactly); "" when every case counted.
func (p *Profiler) OpenWhen() string {
	if p.statusCol < 0 {
		return ""
	}
	if p.rule != nil {
		return p.rule.String()
	}
	r := OpenRule{Column: p.header[p.statusCol], Op: "!="}
	for i, n := range p.statusCount {
		if n > 0 && !p.statusOpen[i] {
			r.Values = append(r.Values, p.status.shown[i])
		}
	}
	if len(r.Values) == 0 {
		return ""
	}
	return r.String()
}

// StatusColumn is the header of the column saying which cases are open, ""
// for none.
func (p *Profiler) StatusColumn() string { return p.name(p.statusCol) }

func (p *Profiler) problem(list *[]CellProblem, row, col int, value, what string, w int) {
	if w < 0 {
		*list = slices.DeleteFunc(*list, func(c CellProblem) bool { return c.Row == row && c.Column == p.header[col] })
		return
	}
	if len(*list) >= MaxProblems {
		return
	}
	cp := CellProblem{Row: row, Column: p.header[col], Problem: what}
	if p.spec.IncludeNames {
		cp.Value = strings.Clone(strings.TrimSpace(value))
	}
	*list = append(*list, cp)
}

// measure gives a case's status on a pair, the time elapsed (days, or
// working days for a working-day limit; to AsOf when not done; -1 when not
// measurable) and, for Unreadable, which date is bad (1 the first, 2 the
// second).
func (p *Profiler) measure(ps *pairState, fromCell, toCell string) (Status, int, int) {
	from, fk := p.days.day(fromCell)
	to, tk := p.days.day(toCell)
	switch {
	case fk == dateBad:
		return Unreadable, -1, 1
	case tk == dateBad:
		return Unreadable, -1, 2
	case fk == dateBlank:
		return NoStart, -1, 0
	case tk == dateBlank:
		if !p.hasAs {
			return NotDueYet, -1, 0
		}
		if p.asOf > from && beyond(ps.t, from, p.asOf) {
			return Overdue, elapsed(ps.t, from, p.asOf), 0
		}
		return NotDueYet, max(-1, elapsed(ps.t, from, p.asOf)), 0
	case to < from:
		return Negative, -1, 0
	case beyond(ps.t, from, to):
		return Late, elapsed(ps.t, from, to), 0
	}
	return Within, elapsed(ps.t, from, to), 0
}

// beyond reports whether day to is past the pair's limit counted from day
// from (to >= from).
func beyond(t Timeliness, from, to int) bool {
	switch t.Unit {
	case UnitWorkingDays:
		return workingDays(from, to) > t.Limit
	case UnitWeeks:
		return to-from > 7*t.Limit
	case UnitMonths:
		return to > addMonths(from, t.Limit)
	}
	return to-from > t.Limit
}

// elapsed is the time from day from to day to: working days for a
// working-day limit, else calendar days.
func elapsed(t Timeliness, from, to int) int {
	if t.Unit == UnitWorkingDays {
		return workingDays(from, to)
	}
	return to - from
}

// Count cells.
const (
	countOK = iota
	countBlank
	countBad
	countOrMore // "3+", "3 or more", "more than 3": at least the count given
)

// parseCount reads a count: a whole number of 0 or more, as digits
// ("3", "03") or a number with a zero fraction ("3.0"), surrounded by
// spaces or not; or an open top group as people write one — "3+",
// "3 or more", "3 plus", "at least 3", ">=3" (3 or more) and "more than 3",
// "over 3", ">3" (4 or more) — read as its least count with countOrMore.
func parseCount(s string) (int, int) {
	if len(s) == 1 && s[0] >= '0' && s[0] <= '9' {
		return int(s[0] - '0'), countOK
	}
	t := strings.TrimSpace(s)
	if t == "" {
		return 0, countBlank
	}
	if n, err := strconv.Atoi(t); err == nil {
		if n < 0 {
			return 0, countBad
		}
		return n, countOK
	}
	if n, ok := orMore(t); ok {
		return n, countOrMore
	}
	f, err := strconv.ParseFloat(t, 64)
	if err != nil || f < 0 || f != math.Trunc(f) || f > 1e9 || strings.ContainsAny(t, "xXpP_") {
		return 0, countBad
	}
	return int(f), countOK
}

// orMore reads an open top group ("3+", "more than 3"), giving its least
// whole count.
func orMore(t string) (int, bool) {
	l := strings.ToLower(strings.Join(strings.Fields(t), " "))
	num := func(x string) (int, bool) {
		n, err := strconv.Atoi(strings.TrimSpace(x))
		return n, err == nil && n >= 0 && n <= 1e9
	}
	for _, suf := range []string{"+", " or more", " plus", " and over", " and above", " or over"} {
		if x, ok := strings.CutSuffix(l, suf); ok {
			return num(x)
		}
	}
	for _, pre := range []string{"at least ", ">=", "≥"} {
		if x, ok := strings.CutPrefix(l, pre); ok {
			return num(x)
		}
	}
	for _, pre := range []string{"more than ", "over ", ">"} {
		if x, ok := strings.CutPrefix(l, pre); ok {
			n, ok := num(x)
			return n + 1, ok
		}
	}
	return 0, false
}

// names interns the values of a worker or team column: the cell's text
// (as read) to an index, through its normalised form (trimmed, inner spaces
// collapsed, lower-cased), so that "J. Smith" and "j.  smith" are one
// worker. Worker texts that mean "no worker" get negative indexes, -2 - k
// for the k-th such text.
type names struct {
	cache    [nameCacheSize]nameCache // in front of raw: a column holds few values, over and over
	raw      map[string]int32         // the cell as read
	norm     map[string]int32
	shown    []string // first spelling, trimmed and collapsed
	unalloc  map[string]int32
	unalShow []string // unallocated texts as first written ("" for blank)
	workers  bool     // recognise "no worker" texts
	// key is the form names are compared in: NameKey for workers,
	// plainKey for teams (and for workers of a legacy spec).
	key func(string) string
	// aliases maps a worker's key to the person it is (Spec.Aliases);
	// aliasHit notes the keys met.
	aliases  map[string]string
	aliasHit map[string]bool
}

func newNames(workers bool) names {
	n := names{raw: map[string]int32{}, norm: map[string]int32{}, unalloc: map[string]int32{}, workers: workers, key: plainKey}
	if workers {
		n.key = NameKey
	}
	return n
}

// maxRaw bounds the cache of cell texts.
const maxRaw = 1 << 16

type nameCache struct {
	text string
	i    int32
	ok   bool
}

const (
	nameCacheBits = 10
	nameCacheSize = 1 << nameCacheBits
)

// cacheSlot chooses a cache slot from a text's length and four of its
// bytes, mixed: cheap, and different for most of the few hundred values of
// a worker or team column.
func cacheSlot(s string) uint32 {
	n := len(s)
	h := uint32(n) * 0x9e3779b1
	if n > 0 {
		h ^= uint32(s[0])<<24 | uint32(s[n/3])<<16 | uint32(s[n/2])<<8 | uint32(s[n-1])
	}
	h *= 0x85ebca6b
	return h >> (32 - nameCacheBits)
}

func (n *names) index(cell string) int32 {
	e := &n.cache[cacheSlot(cell)]
	if e.ok && e.text == cell {
		return e.i
	}
	// Cells share memory with the rows read with them: keep copies only,
	// or a cached text would keep its whole batch of rows alive.
	cell = strings.Clone(cell)
	i, ok := n.raw[cell]
	if !ok {
		i = n.lookup(cell, true)
		if len(n.raw) < maxRaw {
			n.raw[cell] = i
		}
	}
	*e = nameCache{text: cell, i: i, ok: true}
	return i
}

// lookup finds (and with add, adds) a cell's index; without add an unknown
// name gives -1.
func (n *names) lookup(cell string, add bool) int32 {
	t := strings.Join(strings.Fields(cell), " ")
	if n.aliases != nil {
		if p, ok := n.aliases[n.key(t)]; ok {
			if add {
				n.aliasHit[n.key(t)] = true
			}
			t = p
		}
	}
	if n.workers && Unallocated(t) {
		key := strings.ToLower(t)
		if i, ok := n.unalloc[key]; ok {
			return -2 - i
		}
		if !add {
			return -2
		}
		i := int32(len(n.unalShow))
		n.unalloc[key] = i
		n.unalShow = append(n.unalShow, t)
		return -2 - i
	}
	if !n.workers && t == "" {
		t = "(blank)"
	}
	key := n.key(t)
	if i, ok := n.norm[key]; ok {
		if add && n.workers && strings.Contains(n.shown[i], ",") && !strings.Contains(t, ",") {
			n.shown[i] = t // shown as "Forename Surname" once written so
		}
		return i
	}
	if !add {
		return -1
	}
	i := int32(len(n.shown))
	n.norm[key] = i
	n.shown = append(n.shown, t)
	return i
}

// unallocatedKeys are the looseKeys of the texts that say a case has no
// worker; a text with no letter or digit at all ("", "-", "?") says so too.
var unallocatedKeys = map[string]bool{
	"unallocated": true, "notallocated": true, "none": true, "na": true, "nil": true, "null": true,
	"tbc": true, "tba": true, "awaitingallocation": true, "pendingallocation": true, "tobeallocated": true,
	"noworker": true, "noallocatedworker": true, "nosocialworker": true, "vacant": true, "blank": true,
	"unassigned": true, "notassigned": true, "notknown": true, "unknown": true, "noone": true,
}

// Unallocated reports whether a worker cell says the case has no worker:
// blank, or a text such as Unallocated, Not allocated, None, N/A, TBC,
// Awaiting allocation, Unassigned or Vacant (ignoring case and punctuation).
func Unallocated(worker string) bool {
	k := colname.Key(worker)
	return k == "" || unallocatedKeys[k]
}

// Result computes the figures from the cases added so far. It may be called
// more than once (and Add called between).
func (p *Profiler) Result() Profile {
	out := Profile{Cases: p.cases, Timeliness: []TimelinessResult{}, TeamColumn: p.TeamColumn()}
	if p.workerCol >= 0 {
		out.Caseload = p.caseload()
	}
	if p.changesCol >= 0 {
		out.Changes = p.changes()
	}
	for _, ps := range p.pairs {
		out.Timeliness = append(out.Timeliness, p.timeliness(ps))
	}
	return out
}

func share(k, n int) *float64 {
	if n == 0 {
		return nil
	}
	v := float64(k) / float64(n)
	return &v
}

func (p *Profiler) caseload() *Caseload {
	c := &Caseload{Column: p.header[p.workerCol], UnallocatedAs: map[string]int{}, Bands: []Band{}, ByCaseload: []CaseloadCount{},
		Over: "export", OfCases: p.exportCases, Closed: p.closedCases, Counted: p.exportCases - p.closedCases,
		OpenWhen: p.OpenWhen(), StatusValues: []StatusValue{}}
	if p.spec.Legacy {
		c.Over = "population"
	}
	if c.OpenWhen != "" {
		c.StatusColumn = p.StatusColumn()
	}
	if p.statusCol >= 0 {
		other := StatusValue{Value: "(other values)"}
		for i, n := range p.statusCount {
			if n == 0 {
				continue
			}
			v := StatusValue{Value: p.status.shown[i], Cases: n, Open: p.statusOpen[i]}
			if len(c.StatusValues) >= maxStatusValues {
				other.Cases += n
				other.Open = other.Open || v.Open
				continue
			}
			c.StatusValues = append(c.StatusValues, v)
		}
		slices.SortStableFunc(c.StatusValues, func(a, b StatusValue) int { return cmp.Compare(b.Cases, a.Cases) })
		if other.Cases > 0 {
			c.StatusValues = append(c.StatusValues, other)
		}
	}
	if a := p.spec.Aliases; a != nil && !p.spec.Legacy {
		c.Aliased, c.AliasesSHA256 = len(p.workers.aliasHit), a.SHA256
	}
	for k, n := range p.unallocated {
		if n == 0 {
			continue
		}
		c.Unallocated += n
		c.UnallocatedAs[p.workers.unalShow[k]] += n
	}
	c.UnallocatedShare = share(c.Unallocated, c.Counted)
	// A name met only on rows taken back (Remove) holds no case: it is no
	// worker.
	loads := slices.DeleteFunc(slices.Clone(p.workerCases), func(n int) bool { return n <= 0 })
	for _, n := range loads {
		c.Allocated += n
	}
	c.Workers = len(loads)
	target := p.spec.CaseloadTarget
	if target > 0 {
		c.Target = &target
	}
	if c.Workers > 0 {
		slices.Sort(loads)
		c.Min, c.Max = loads[0], loads[len(loads)-1]
		c.Mean = share(c.Allocated, c.Workers)
		med := float64(loads[(len(loads)-1)/2]+loads[len(loads)/2]) / 2
		c.Median = &med
		for i := 0; i < len(loads); {
			j := i
			for j < len(loads) && loads[j] == loads[i] {
				j++
			}
			c.ByCaseload = append(c.ByCaseload, CaseloadCount{Caseload: loads[i], Workers: j - i})
			i = j
		}
		c.Bands = bands(target, c.Min, c.Max)
		for _, n := range loads {
			for i := range c.Bands {
				b := &c.Bands[i]
				if n >= b.From && (b.To == nil || n <= *b.To) {
					b.Workers++
					b.Cases += n
					break
				}
			}
		}
	}
	if target > 0 {
		a := &AboveTarget{}
		for _, n := range loads {
			if n > target {
				a.Workers++
				a.Cases += n
			}
		}
		a.WorkersShare = share(a.Workers, c.Workers)
		a.CasesShare = share(a.Cases, c.Allocated)
		c.AboveTarget = a
	}
	if c.Workers > 0 {
		from := max(farAboveMin, int(math.Ceil(3**c.Median)))
		var far []WorkerLoad
		for i, n := range p.workerCases {
			if n >= from && n > 0 {
				far = append(far, WorkerLoad{Worker: p.workers.shown[i], Cases: n})
			}
		}
		if len(far) > 0 {
			sortLoads(far)
			fa := &FarAbove{From: from, Workers: len(far)}
			for _, w := range far {
				fa.Cases += w.Cases
				if p.spec.IncludeNames {
					fa.Names = append(fa.Names, w.Worker)
				}
			}
			c.FarAbove = fa
		}
	}
	if !p.spec.Legacy {
		sus := suspects(p.workers.shown, p.workerCases)
		for _, x := range sus {
			if x.Kind == SuspectPlaceholder {
				c.SuspectPlaceholders++
			} else {
				c.SuspectDuplicates++
			}
		}
		if p.spec.IncludeNames {
			c.SuspectList = sus[:min(len(sus), MaxSuspects)]
		}
	}
	if p.spec.IncludeNames {
		c.WorkerList = []WorkerLoad{}
		for i, n := range p.workerCases {
			if n <= 0 {
				continue
			}
			c.WorkerList = append(c.WorkerList, WorkerLoad{Worker: p.workers.shown[i], Cases: n, AboveTarget: target > 0 && n > target})
		}
		sortLoads(c.WorkerList)
	}
	return c
}

// farAboveMin is the least caseload counted as far above the median.
const farAboveMin = 20

// sortLoads orders workers by caseload, largest first, then by name.
func sortLoads(ws []WorkerLoad) {
	slices.SortStableFunc(ws, func(a, b WorkerLoad) int {
		if a.Cases != b.Cases {
			return cmp.Compare(b.Cases, a.Cases)
		}
		return cmp.Compare(strings.ToLower(a.Worker), strings.ToLower(b.Worker))
	})
}

// bandWidth is the width of the caseload bands; maxBands bounds how many
// there are (the last one open).
const (
	bandWidth = 5
	maxBands  = 12
)

// bands are the caseload bands from the one holding lo to the one holding
// hi (1 <= lo <= hi): five cases wide, aligned so that the target is the top
// of a band (…, 9–13, 14–18, 19–23 … for a target of 18; 1–5, 6–10 … for a
// target of 20 or none). A band starting at 1 may be narrower (1–3); past
// maxBands bands the last one is open ("64 or more").
func bands(target, lo, hi int) []Band {
	if hi < 1 {
		return []Band{}
	}
	lo = max(lo, 1)
	// Band tops are target + 5k: the first band ends at the first top >= lo.
	top := target + (floorDiv(lo-target-1, bandWidth)+1)*bandWidth
	from := max(1, top-bandWidth+1)
	var out []Band
	for {
		to := top
		if len(out) == maxBands-1 && hi > to {
			b := Band{Label: fmt.Sprintf("%d or more", from), From: from, AboveTarget: target > 0 && from > target}
			return append(out, b)
		}
		t := to
		label := fmt.Sprintf("%d–%d", from, to)
		if from == to {
			label = strconv.Itoa(from)
		}
		out = append(out, Band{Label: label, From: from, To: &t, AboveTarget: target > 0 && from > target})
		if to >= hi {
			return out
		}
		from, top = to+1, to+bandWidth
	}
}

func (p *Profiler) changes() *Changes {
	c := &Changes{Column: p.header[p.changesCol], Blank: p.changeBlank, NotNumbers: p.changeBad, AtLeast: p.atLeast,
		Problems: slices.Clone(p.changeProbs)}
	if c.Problems == nil {
		c.Problems = []CellProblem{}
	}
	for _, n := range p.changeCounts {
		c.Counted += n
	}
	c.Counted += p.changeOver
	const top = 6
	for v := 0; v <= top; v++ {
		vc := ValueCount{Label: strconv.Itoa(v), Value: v}
		if v < len(p.changeCounts) {
			vc.Cases = p.changeCounts[v]
		}
		if v == top {
			vc.Label, vc.OrMore = fmt.Sprintf("%d or more", top), true
			for w := top + 1; w < len(p.changeCounts); w++ {
				vc.Cases += p.changeCounts[w]
			}
			vc.Cases += p.changeOver
		}
		vc.Share = share(vc.Cases, c.Counted)
		c.Distribution = append(c.Distribution, vc)
	}
	for v := p.atLeast; v < len(p.changeCounts); v++ {
		c.AtLeastCases += p.changeCounts[v]
	}
	c.AtLeastCases += p.changeOver
	c.AtLeastShare = share(c.AtLeastCases, c.Counted)
	c.OrMore = []OrMoreCount{}
	for t, n := range p.changeOpen {
		if n > 0 {
			c.OrMore = append(c.OrMore, OrMoreCount{Text: t, Value: p.changeOpenN[t], Cases: n})
		}
	}
	slices.SortFunc(c.OrMore, func(a, b OrMoreCount) int {
		if a.Value != b.Value {
			return cmp.Compare(a.Value, b.Value)
		}
		return strings.Compare(a.Text, b.Text)
	})
	if c.Counted > 0 {
		m := p.changeSum / float64(c.Counted)
		c.Mean = &m
	}
	return c
}

func (p *Profiler) timeliness(ps *pairState) TimelinessResult {
	r := TimelinessResult{Spec: ps.t.String(), From: p.header[ps.fromCol], To: p.header[ps.toCol], Limit: ps.t.Limit,
		Unit: ps.t.Unit, LimitText: ps.t.LimitText(), ElapsedUnit: "days", ByTeam: []TeamTimeliness{},
		Problems: slices.Clone(ps.problems)}
	if r.Problems == nil {
		r.Problems = []CellProblem{}
	}
	if ps.t.Unit == UnitWorkingDays {
		r.ElapsedUnit = "working days"
	}
	if p.hasAs {
		r.AsOf = isoOf(p.asOf)
	}
	var all [nStatus]int
	for _, c := range ps.counts {
		for s, n := range c {
			all[s] += n
		}
	}
	r.TimelinessCounts = countsOf(all)
	if p.teamAt >= 0 {
		for ti, c := range ps.counts {
			if c == ([nStatus]int{}) {
				continue // a team met only on rows taken back
			}
			r.ByTeam = append(r.ByTeam, TeamTimeliness{Team: p.teams.shown[ti], TimelinessCounts: countsOf(c)})
		}
		slices.SortFunc(r.ByTeam, func(a, b TeamTimeliness) int {
			if c := cmp.Compare(strings.ToLower(a.Team), strings.ToLower(b.Team)); c != 0 {
				return c
			}
			return cmp.Compare(a.Team, b.Team)
		})
	}
	done := r.Within + r.Late
	if done > 0 {
		// The median of the elapsed times: the mean of the middle two.
		lo, hi := -1, -1
		seen := 0
		for e, n := range ps.elapsed {
			if n == 0 {
				continue
			}
			if lo < 0 && seen+n > (done-1)/2 {
				lo = e
			}
			if hi < 0 && seen+n > done/2 {
				hi = e
			}
			seen += n
		}
		if lo < 0 {
			lo = maxElapsed + 1
		}
		if hi < 0 {
			hi = maxElapsed + 1
		}
		m := float64(lo+hi) / 2
		r.MedianElapsed = &m
	}
	return r
}

func countsOf(c [nStatus]int) TimelinessCounts {
	t := TimelinessCounts{Within: c[Within], Late: c[Late], NotDone: c[NotDueYet] + c[Overdue], Overdue: c[Overdue],
		NoStart: c[NoStart], Unreadable: c[Unreadable], Negative: c[Negative]}
	for _, n := range c {
		t.Cases += n
	}
	t.Measured = t.Within + t.Late + t.NotDone
	t.WithinShare = share(t.Within, t.Measured)
	t.LateShare = share(t.Late, t.Measured)
	t.NotDoneShare = share(t.NotDone, t.Measured)
	t.OverdueShare = share(t.Overdue, t.Measured)
	return t
}

// Factors says what the profile knows of one case, from its cells (the
// values of Columns(), as for Add). Call it after every case is added: a
// worker's caseload is counted over the whole profiled population. The
// case need not have been added (it then has its worker's caseload, and a
// worker seen only here has none).
func (p *Profiler) Factors(cells []string) Factors {
	f := Factors{}
	if p.workerAt >= 0 {
		w := p.workers.lookup(cells[p.workerAt], false)
		switch {
		case w >= 0:
			f.Worker = p.workers.shown[w]
			f.Caseload = p.workerCases[w]
		case w <= -2:
			f.Unallocated = true
		default:
			f.Worker = strings.Join(strings.Fields(cells[p.workerAt]), " ")
		}
		f.AboveTarget = p.spec.CaseloadTarget > 0 && f.Caseload > p.spec.CaseloadTarget
	}
	if p.changesAt >= 0 {
		if n, kind := parseCount(cells[p.changesAt]); kind == countOK || kind == countOrMore {
			f.Changes, f.HasChanges, f.ChangesOrMore = n, true, kind == countOrMore
		}
	}
	if p.teamAt >= 0 {
		f.Team = strings.Join(strings.Fields(cells[p.teamAt]), " ")
	}
	for _, ps := range p.pairs {
		st, el, _ := p.measure(ps, cells[ps.fromAt], cells[ps.toAt])
		f.Timeliness = append(f.Timeliness, st)
		f.Elapsed = append(f.Elapsed, el)
	}
	return f
}

// Caseload returns the number of cases a worker (named as in the export;
// case and repeated spaces do not matter) holds in the cases added so far;
// ok is false for a name not seen, or one meaning "no worker".
func (p *Profiler) Caseload(worker string) (int, bool) {
	w := p.workers.lookup(worker, false)
	if w < 0 || int(w) >= len(p.workerCases) {
		return 0, false
	}
	return p.workerCases[w], true
}
