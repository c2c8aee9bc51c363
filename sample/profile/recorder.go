package profile

import (
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Recorder records factors with a sample, in the sample's own read of the
// export: it is the sample.FactorRecorder caseaudit uses. sample.Load shows
// it every data row; it tells a case's first row from its duplicates with a
// Seen (the rows wait in a small batch, as in Read, so that the set's
// memory loads overlap) and Adds the first rows that meet the filters to a
// Profiler: the population is exactly Read's. Record then gives each
// sampled case its worker's caseload over that whole population, its
// changes of worker and its timeliness.
type Recorder struct {
	spec sample.FactorSpec
	ps   Spec
	p    *Profiler
	seen *Seen
	b    *rowBuffer
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
		CaseloadTarget: spec.CaseloadTarget, ChangesAtLeast: spec.ChangesAtLeast}
	if !spec.Detect {
		ps.NoWorker, ps.NoChanges, ps.NoTeam = spec.WorkerColumn == "", spec.ChangesColumn == "", spec.TeamColumn == ""
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
				"team": opt.FactorsTeamColumn, "timeliness": opt.FactorsTimeliness}[ce.Role]
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
	r.seen = NewSeen()
	r.b = newRowBuffer(len(p.cols))
	return nil
}

// Profiler is the recorder's profiler (nil before Start): its Result is
// the population's profile in full.
func (r *Recorder) Profiler() *Profiler { return r.p }

// Columns returns the header indexes Row is given the cells of.
func (r *Recorder) Columns() []int { return r.p.Columns() }

// Row takes one data row (see sample.RowObserver).
func (r *Recorder) Row(num int, id string, match bool, cells []string) {
	if r.b.addMatch(num, id, match, cells) {
		r.flush()
	}
}

// flush decides the buffered rows: a first row that meets the filters is
// a case of the population.
func (r *Recorder) flush() {
	b := r.b
	for i := range b.n {
		b.hash[i] = r.seen.hash(b.id[i])
	}
	r.seen.touch(b.hash[:b.n])
	for i := range b.n {
		if _, first := r.seen.firstHashed(b.id[i], b.hash[i], b.num[i]); first && b.match[i] {
			r.p.Add(b.num[i], b.row(i))
		}
	}
	b.reset()
}

// Record returns the factors of the population and of the cases, whose
// Observed cells are those of Columns.
func (r *Recorder) Record(cases []sample.Selected) (*sample.Factors, error) {
	if r.p == nil {
		return nil, errors.New("the factor recorder was not started")
	}
	r.flush()
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
	f := &sample.Factors{Spec: spec, Cases: make(map[string]sample.CaseFactors, len(cases))}
	res := p.Result()
	f.Population.Cases = res.Cases
	if c := res.Caseload; c != nil {
		cs := &sample.CaseloadSummary{Allocated: c.Allocated, Unallocated: c.Unallocated, Workers: c.Workers, Median: c.Median, Max: c.Max}
		if a := c.AboveTarget; a != nil {
			cs.AboveTargetWorkers, cs.AboveTargetCases = a.Workers, a.Cases
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
			cf.Changes = &n
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
