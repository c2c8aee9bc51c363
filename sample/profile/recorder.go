package profile

import (
	"errors"
	"fmt"
	"hash/maphash"
	"runtime"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Recorder records factors with a sample, in the sample's own read of the
// export: it is the sample.FactorRecorder caseaudit uses. sample.Load shows
// it every data row, and it adds each to a Profiler as it comes; Load, which
// tells a case's first row from its duplicates once it has sorted the IDs,
// then names the duplicates (Duplicate) and the recorder takes them back.
// To take a row back it needs its cells: it keeps those of the rows whose
// ID it may have met before (a bloom filter of the IDs says so, at about 16
// bits an ID), a few in a thousand rows besides the real duplicates, rather
// than a second set of the IDs. The cases counted are exactly Read's.
// Record then gives each sampled case its worker's caseload, its changes of
// worker and its timeliness.
type Recorder struct {
	spec sample.FactorSpec
	ps   Spec
	p    *Profiler
	seed maphash.Seed
	ids  bloom
	// maybe holds the rows whose ID may have been met before, by row
	// number: whether they met the filters and their cells, joined.
	maybe map[int]keptRow
	b     *rowBuffer // the rows gathered on the reading goroutine
	// With a core free the rows are counted on a goroutine of their
	// own (count), a batch at a time, while the reader reads on: the
	// counting then costs the read no time where a core is free, as it
	// would if it ran between rows. work carries full batches to it, free
	// brings them back; done is closed when it has counted the last one.
	// The rows are counted in the order read either way.
	work chan *rowBuffer
	free chan *rowBuffer
	done chan struct{}
	// serial says the rows are counted on the reading goroutine: one core,
	// or all of them busy, where a goroutine of their own would only take
	// turns with the reader and add the cost of waking it.
	serial bool
	ended  bool // Done was called: no row comes any more
	err    error
}

// countSerially says whether a Recorder counts the rows on the reading
// goroutine (a variable, so that tests can choose).
var countSerially = func() bool { return runtime.GOMAXPROCS(0) == 1 || export.CoresBusy() }

// recorderBatchRows is the rows handed to the counting goroutine at a
// time: enough that handing them over costs nothing beside counting them.
const recorderBatchRows = 2048

type keptRow struct {
	match bool
	cells string // the cells joined by \x00
}

// ErrNothingToRecord: the export has no worker or changes column and no
// timeliness pair was given.
var ErrNothingToRecord = errors.New("nothing to record")

// NewRecorder checks a factor spec (its timeliness pairs, its as-of day)
// and returns a recorder for one draw. With spec.Detect, columns left ""
// are detected as `caseaudit profile` detects them; otherwise "" means
// none (a recorded spec, re-derived).
func NewRecorder(spec sample.FactorSpec) (*Recorder, error) {
	ps := Spec{WorkerColumn: spec.WorkerColumn, ChangesColumn: spec.ChangesColumn, TeamColumn: spec.TeamColumn,
		CaseloadTarget: spec.CaseloadTarget, ChangesAtLeast: spec.ChangesAtLeast,
		// The factors recorded are totals: the team is named, not read.
		TeamUnread: true}
	if !spec.Detect {
		ps.NoWorker, ps.NoChanges, ps.NoTeam = spec.WorkerColumn == "", spec.ChangesColumn == "", spec.TeamColumn == ""
		ps.NoStatus = true // a recorded rule spells its column
		ps.Legacy = spec.Caseloads == nil
	}
	if r := spec.Caseloads; r != nil {
		if r.Over != "" && r.Over != sample.CaseloadsOverExport {
			return nil, fmt.Errorf("caseloads counted over %q: this caseaudit knows only %q", r.Over, sample.CaseloadsOverExport)
		}
		if r.OpenWhen != "" {
			if _, err := ParseOpenRule(r.OpenWhen); err != nil {
				return nil, opt.Errorf("%s: %w", opt.FactorsOpenWhen, err)
			}
			ps.OpenWhen = r.OpenWhen
		}
		if a := r.WorkerAliases; a != nil {
			ps.Aliases = &Aliases{Names: a.Names, SHA256: a.SHA256}
		}
	}
	if ps.CaseloadTarget < 0 {
		return nil, opt.Errorf("%s %d: give the most cases a worker should hold, a whole number from 1", opt.FactorsCaseloadTarget, ps.CaseloadTarget)
	}
	if ps.ChangesAtLeast < 0 || ps.ChangesAtLeast > 100 {
		return nil, opt.Errorf("%s %d: give a whole number from 1 to 100", opt.FactorsChangesAtLeast, ps.ChangesAtLeast)
	}
	if ps.ChangesAtLeast == 0 {
		ps.ChangesAtLeast = 3
	}
	for _, s := range spec.Timeliness {
		t, err := ParseTimeliness(s)
		if err != nil {
			return nil, opt.Errorf("%s: %w", opt.FactorsTimeliness, err)
		}
		ps.Timeliness = append(ps.Timeliness, t)
	}
	if spec.AsOf != "" {
		t, err := time.Parse("2006-01-02", spec.AsOf)
		if err != nil {
			return nil, opt.Errorf("%s %q: give a date as yyyy-mm-dd", opt.FactorsAsOf, spec.AsOf)
		}
		ps.AsOf = t
	}
	return &Recorder{spec: spec, ps: ps}, nil
}

// Start resolves the columns in the export's header. A named column that
// is not there is a *ColumnError naming its option.
func (r *Recorder) Start(t *export.Table) error {
	p, err := New(r.ps, t)
	if err != nil {
		var ce *ColumnError
		if errors.As(err, &ce) {
			name := map[string]opt.Name{"worker": opt.FactorsWorkerColumn, "changes": opt.FactorsChangesColumn,
				"team": opt.FactorsTeamColumn, "timeliness": opt.FactorsTimeliness, "status": opt.FactorsOpenWhen}[ce.Role]
			if ce.Role == "timeliness" && !errors.Is(err, ErrTimeliness) {
				return opt.Errorf("%s %q: %w", name, ce.Pair, err)
			}
			return opt.Errorf("%s: %w", name, err)
		}
		return err
	}
	if p.Empty() {
		return (&export.InputError{Path: t.Path, Sheet: t.Sheet,
			Msg: fmt.Sprintf("%v: no worker or changes column found (headers: %s) and no timeliness pair", ErrNothingToRecord, export.ListHeaders(t.Header)),
			Err: ErrNothingToRecord}).
			WithHint(opt.Sprintf("name the columns with %s or %s, or give %s \"FROM..TO<=45d\"", opt.FactorsWorkerColumn, opt.FactorsChangesColumn, opt.FactorsTimeliness))
	}
	r.p = p
	r.seed = maphash.MakeSeed()
	r.maybe = map[int]keptRow{}
	r.b = newRowBuffer(len(p.cols), recorderBatchRows)
	return nil
}

// Profiler is the recorder's profiler (nil before Start): its Result is
// the population's profile in full.
func (r *Recorder) Profiler() *Profiler { return r.p }

// Columns returns the header indexes Row is given the cells of.
func (r *Recorder) Columns() []int { return r.p.Columns() }

// Row takes one data row (see sample.RowObserver).
func (r *Recorder) Row(num int, id string, match bool, cells []string) {
	if r.ended {
		if r.err == nil {
			r.err = fmt.Errorf("factors: row %d shown after the last row", num)
		}
		return
	}
	if !r.b.addMatch(num, id, match, cells) {
		return
	}
	if r.work == nil && !r.serial {
		r.serial = countSerially()
	}
	if r.work == nil && !r.serial {
		r.work, r.free, r.done = make(chan *rowBuffer, 1), make(chan *rowBuffer, 2), make(chan struct{})
		go func() {
			defer close(r.done)
			for b := range r.work {
				r.count(b)
				select {
				case r.free <- b:
				default:
				}
			}
		}()
	}
	if r.work == nil {
		r.count(r.b)
		return
	}
	r.work <- r.b
	select {
	case r.b = <-r.free:
	default:
		r.b = newRowBuffer(r.b.ncols, recorderBatchRows)
	}
}

// Done is told that no row follows (see sample.RowObserver): it waits
// for the rows handed over to be counted, counts those gathered since, and
// lets go of the filter of IDs, which only the rows needed.
func (r *Recorder) Done() {
	if r.ended || r.p == nil {
		return
	}
	r.ended = true
	if r.work != nil {
		close(r.work)
		<-r.done
		r.work, r.free = nil, nil
	}
	r.count(r.b)
	r.ids = bloom{}
}

// count adds a batch of rows to the profiler and empties it. The rows are
// looked up in the filter rowBufferRows at a time, the blocks of each group
// loaded before any is looked up, so that the memory loads overlap instead
// of each waiting for the last.
func (r *Recorder) count(b *rowBuffer) {
	for i := range b.n {
		b.hash[i] = maphash.String(r.seed, b.id[i])
	}
	for lo := 0; lo < b.n; lo += rowBufferRows {
		hi := min(lo+rowBufferRows, b.n)
		r.ids.touch(b.hash[lo:hi])
		for i := lo; i < hi; i++ {
			cells := b.row(i)
			if r.ids.add(b.hash[i]) {
				r.maybe[b.num[i]] = keptRow{match: b.match[i], cells: strings.Join(cells, "\x00")}
			}
			r.p.AddCase(b.num[i], b.match[i], cells)
		}
	}
	b.reset()
}

// Duplicate takes back a row that repeats an earlier row's case ID (see
// sample.RowObserver).
func (r *Recorder) Duplicate(num int) {
	r.Done()
	k, ok := r.maybe[num]
	if !ok {
		// The filter never forgets an ID: a duplicate's ID was met.
		if r.err == nil {
			r.err = fmt.Errorf("factors: row %d repeats a case ID the recorder never met", num)
		}
		return
	}
	cells := strings.Split(k.cells, "\x00")
	if len(r.p.cols) == 0 {
		cells = nil
	}
	r.p.Remove(num, k.match, cells)
}

// Record returns the factors of the population and of the cases, whose
// Observed cells are those of Columns.
func (r *Recorder) Record(cases []sample.Selected) (*sample.Factors, error) {
	if r.p == nil {
		return nil, errors.New("the factor recorder was not started")
	}
	r.Done()
	if r.err != nil {
		return nil, r.err
	}
	r.maybe = nil
	p := r.p
	spec := r.spec
	spec.Detect = false
	spec.WorkerColumn, spec.ChangesColumn, spec.TeamColumn = p.WorkerColumn(), p.ChangesColumn(), p.TeamColumn()
	spec.ChangesAtLeast = p.atLeast
	spec.Timeliness = []string{}
	for _, ps := range p.pairs {
		t := ps.t
		// The pair as the export spells its columns, unless a header holds
		// ".." or "<=" and would not read back: then as it was given.
		if from, to := p.header[ps.fromCol], p.header[ps.toCol]; !strings.Contains(from+to, "..") && !strings.Contains(from+to, "<=") {
			t.From, t.To = from, to
		}
		spec.Timeliness = append(spec.Timeliness, t.String())
	}
	spec.AsOf = ""
	if p.hasAs && len(p.pairs) > 0 { // the day matters only to a pair not done
		spec.AsOf = isoOf(p.asOf)
	}
	if !r.ps.Legacy {
		rule := sample.CaseloadRule{Over: sample.CaseloadsOverExport, OpenWhen: p.OpenWhen()}
		if spec.Caseloads != nil {
			rule.WorkerAliases = spec.Caseloads.WorkerAliases
		}
		spec.Caseloads = &rule
	}
	f := &sample.Factors{Spec: spec, Cases: make(map[string]sample.CaseFactors, len(cases))}
	res := p.Result()
	f.Population.Cases = res.Cases
	if c := res.Caseload; c != nil {
		cs := &sample.CaseloadSummary{Allocated: c.Allocated, Unallocated: c.Unallocated, Workers: c.Workers, Median: c.Median, Max: c.Max}
		if a := c.AboveTarget; a != nil {
			cs.AboveTargetWorkers, cs.AboveTargetCases = a.Workers, a.Cases
		}
		if !r.ps.Legacy {
			cs.Counted, cs.OfCases, cs.Closed = c.Counted, c.OfCases, c.Closed
			cs.SuspectDuplicates, cs.SuspectPlaceholders = c.SuspectDuplicates, c.SuspectPlaceholders
			if c.StatusColumn != "" {
				cs.StatusColumn, cs.StatusValues = c.StatusColumn, c.StatusValues
			}
		}
		f.Population.Caseload = cs
	}
	if c := res.Changes; c != nil {
		f.Population.Changes = &sample.ChangesSummary{Counted: c.Counted, AtLeastCases: c.AtLeastCases}
	}
	f.Population.Timeliness = []sample.TimelinessSummary{}
	for i, t := range res.Timeliness {
		f.Population.Timeliness = append(f.Population.Timeliness, sample.TimelinessSummary{Pair: spec.Timeliness[i],
			Measured: t.Measured, Within: t.Within, Late: t.Late, NotDone: t.NotDone, Overdue: t.Overdue})
	}
	for _, c := range cases {
		if len(c.Observed) != len(p.cols) {
			return nil, fmt.Errorf("case %s: %d cells for the factors' %d columns", c.ID, len(c.Observed), len(p.cols))
		}
		x := p.Factors(c.Observed)
		var cf sample.CaseFactors
		if p.workerAt >= 0 && !x.Unallocated && x.Worker != "" {
			n := x.Caseload
			cf.Caseload = &n
		}
		if x.HasChanges {
			n := x.Changes
			cf.Changes, cf.ChangesOrMore = &n, x.ChangesOrMore
		}
		cf.Timeliness = make([]string, len(x.Timeliness))
		for i, st := range x.Timeliness {
			cf.Timeliness[i] = StatusCode(st)
		}
		f.Cases[c.ID] = cf
	}
	return f, nil
}

// StatusCode is a status as recorded with a sample (sample.Timeliness*).
func StatusCode(s Status) string {
	switch s {
	case Within:
		return sample.TimelinessWithin
	case Late:
		return sample.TimelinessLate
	case NotDueYet:
		return sample.TimelinessNotDone
	case Overdue:
		return sample.TimelinessOverdue
	case NoStart:
		return sample.TimelinessNoStart
	case Unreadable:
		return sample.TimelinessUnreadable
	case Negative:
		return sample.TimelinessNegative
	}
	return "unknown"
}
