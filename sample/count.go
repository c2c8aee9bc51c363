package sample

import (
	"context"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample/export"
)

// CountRequest asks for the size of an export's population, counted as a
// draw counts it: the distinct case IDs whose first row meets every filter.
type CountRequest struct {
	Export   string
	Open     export.OpenOptions
	Where    []string // conditions as written ("Legal Status=CP"), combined with AND
	Progress func(rows int)
}

// Problems lists the request's mistakes that need no file, each naming its
// option.
func (r CountRequest) Problems() []error {
	var ps []error
	if err := r.Open.Check(); err != nil {
		ps = append(ps, err)
	}
	for _, w := range r.Where {
		if _, err := ParseFilter(w); err != nil {
			ps = append(ps, opt.Errorf("%s: %w", opt.Where, err))
		}
	}
	return ps
}

// Check reports the request's first mistake that needs no file.
func (r CountRequest) Check() error {
	if ps := r.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

// Count is an export's population and how it was read.
type Count struct {
	Sheet    string // "" for a csv
	IDColumn string
	Rows     int // data rows holding a case ID
	Distinct int // distinct case IDs before the filters
	Filtered bool
	Cases    int // distinct case IDs that meet the filters: the population
}

// CountPopulation reads the export and counts its population.
func CountPopulation(ctx context.Context, r CountRequest) (*Count, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	var filters []Filter
	for _, w := range r.Where {
		f, _ := ParseFilter(w) // checked
		filters = append(filters, f)
	}
	t, err := export.Open(ctx, r.Export, r.Open)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	pop, err := Load(ctx, t, LoadOptions{Seed: "count", Where: filters, Progress: r.Progress})
	if err != nil {
		return nil, err
	}
	return &Count{Sheet: t.Sheet, IDColumn: t.Header[t.IDIndex], Rows: pop.Rows, Distinct: pop.Distinct,
		Filtered: len(filters) > 0, Cases: pop.Len()}, nil
}
