package audit

import (
	"fmt"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/sample/profile"
)

// FactorRequest is what a person asks of the factors behind the findings,
// recorded with a sample, or of a profile of an export: the same options
// whether they come from flags (sample, profile) or a configuration file
// (run), checked here once. Columns left "" are detected.
type FactorRequest struct {
	WorkerColumn, ChangesColumn, TeamColumn string
	// CaseloadTarget is the most cases a worker should hold; nil for none.
	CaseloadTarget *int
	// ChangesAtLeast is the count in the changes column from which a case
	// has many changes of worker, 1 to 100.
	ChangesAtLeast int
	// Timeliness are date pairs and their limits, "FROM..TO<=LIMIT".
	Timeliness []string
	// AsOf is the day on which a pair not done yet is judged, yyyy-mm-dd
	// or dd/mm/yyyy; "" is the day of Now.
	AsOf string
	Now  time.Time
	// OpenWhen says which cases a caseload counts ("Case Status=Open");
	// WorkerAliases is a csv file of names that are one worker.
	OpenWhen      string
	WorkerAliases string
	// Dir is the folder a relative WorkerAliases is read from (a
	// configuration file's); the file is recorded as named.
	Dir string
}

// Problems lists the request's mistakes that need no file, each naming its
// option (opt.Error).
func (r FactorRequest) Problems() []error {
	var ps []error
	if t := r.CaseloadTarget; t != nil && *t < 1 {
		ps = append(ps, opt.Errorf("%s %d: give the most cases a worker should hold, a whole number from 1 (e.g. 18)", opt.FactorsCaseloadTarget, *t))
	}
	if r.ChangesAtLeast < 1 || r.ChangesAtLeast > 100 {
		ps = append(ps, opt.Errorf("%s %d: give a whole number from 1 to 100 (e.g. 3)", opt.FactorsChangesAtLeast, r.ChangesAtLeast))
	}
	for _, t := range r.Timeliness {
		if _, err := profile.ParseTimeliness(t); err != nil {
			// The parser's message names the pair ("timeliness \"A..B\": no limit").
			ps = append(ps, opt.Errorf("%s%s", opt.FactorsTimeliness, strings.TrimPrefix(err.Error(), profile.ErrTimeliness.Error())))
		}
	}
	if _, err := r.asOf(); err != nil {
		ps = append(ps, opt.Errorf("%s %q: give a date as yyyy-mm-dd (or dd/mm/yyyy)", opt.FactorsAsOf, r.AsOf))
	}
	if w := strings.TrimSpace(r.OpenWhen); w != "" {
		if _, err := profile.ParseOpenRule(w); err != nil {
			ps = append(ps, opt.Errorf("%s: %w", opt.FactorsOpenWhen, err))
		}
	}
	return ps
}

// Check reports the request's first mistake that needs no file.
func (r FactorRequest) Check() error {
	if ps := r.Problems(); len(ps) > 0 {
		return ps[0]
	}
	return nil
}

func (r FactorRequest) asOf() (time.Time, error) {
	s := strings.TrimSpace(r.AsOf)
	if s == "" {
		y, m, d := r.Now.UTC().Date()
		return time.Date(y, m, d, 0, 0, 0, 0, time.UTC), nil
	}
	if iso, ok := export.UKDateToISO(s); ok {
		s = iso
	}
	return time.Parse("2006-01-02", s)
}

// caseloads is the rule of what a caseload counts, reading the aliases
// file (an error naming its option when it cannot be read).
func (r FactorRequest) caseloads() (*sample.CaseloadRule, error) {
	c := &sample.CaseloadRule{Over: sample.CaseloadsOverExport}
	if w := strings.TrimSpace(r.OpenWhen); w != "" {
		rule, _ := profile.ParseOpenRule(w) // checked
		c.OpenWhen = rule.String()
	}
	if r.WorkerAliases != "" {
		path := r.WorkerAliases
		if r.Dir != "" && !filepath.IsAbs(path) {
			path = filepath.Join(r.Dir, path)
		}
		a, err := profile.ReadAliases(path)
		if err != nil {
			return nil, opt.Errorf("%s: %w", opt.FactorsWorkerAliases, err)
		}
		c.WorkerAliases = &sample.WorkerAliases{File: r.WorkerAliases, SHA256: a.SHA256, Names: a.Names}
	}
	return c, nil
}

// Spec checks the request and makes the factors' spec for a draw. A
// mistake is Check's; an aliases file that cannot be read is an error of
// its own.
func (r FactorRequest) Spec() (*sample.FactorSpec, error) {
	if err := r.Check(); err != nil {
		return nil, err
	}
	s := &sample.FactorSpec{WorkerColumn: strings.TrimSpace(r.WorkerColumn), ChangesColumn: strings.TrimSpace(r.ChangesColumn),
		TeamColumn: strings.TrimSpace(r.TeamColumn), ChangesAtLeast: r.ChangesAtLeast, Detect: true}
	if r.CaseloadTarget != nil {
		s.CaseloadTarget = *r.CaseloadTarget
	}
	for _, t := range r.Timeliness {
		tl, _ := profile.ParseTimeliness(t) // checked
		s.Timeliness = append(s.Timeliness, tl.String())
	}
	day, _ := r.asOf() // checked
	s.AsOf = day.Format("2006-01-02")
	var err error
	if s.Caseloads, err = r.caseloads(); err != nil {
		return nil, err
	}
	return s, nil
}

// Profile checks the request and makes the spec of a profile of an export
// (see Spec).
func (r FactorRequest) Profile() (profile.Spec, error) {
	var s profile.Spec
	if err := r.Check(); err != nil {
		return s, err
	}
	s.WorkerColumn, s.ChangesColumn, s.TeamColumn, s.ChangesAtLeast = r.WorkerColumn, r.ChangesColumn, r.TeamColumn, r.ChangesAtLeast
	if r.CaseloadTarget != nil {
		s.CaseloadTarget = *r.CaseloadTarget
	}
	for _, t := range r.Timeliness {
		tl, _ := profile.ParseTimeliness(t) // checked
		s.Timeliness = append(s.Timeliness, tl)
	}
	s.AsOf, _ = r.asOf() // checked
	if strings.TrimSpace(r.AsOf) == "" {
		s.AsOf = r.Now
	}
	c, err := r.caseloads()
	if err != nil {
		return s, err
	}
	s.OpenWhen = c.OpenWhen
	if a := c.WorkerAliases; a != nil {
		s.Aliases = &profile.Aliases{Names: a.Names, SHA256: a.SHA256}
	}
	return s, nil
}

// factorRecorder returns the recorder that measures a provenance's
// factors again, nil when it recorded none.
func factorRecorder(p *sample.Provenance) (sample.FactorRecorder, error) {
	if p.Factors == nil {
		return nil, nil
	}
	rec, err := profile.NewRecorder(p.Factors.Spec)
	if err != nil {
		return nil, fmt.Errorf("the recorded factors: %w", err)
	}
	return rec, nil
}

// measureFactors sets the factor values of cases, drawn (as sel) in the
// read rec observed; nothing when the audit records no factors.
func measureFactors(rec sample.FactorRecorder, sel []sample.Selected, cases []SampledCase) error {
	if rec == nil || len(sel) == 0 {
		return nil
	}
	f, err := rec.Record(sel)
	if err != nil {
		return fmt.Errorf("measuring the factors of the added cases: %w", err)
	}
	for i := range cases {
		if cf, ok := f.Cases[cases[i].ID]; ok {
			cases[i].Factors = &cf
		}
	}
	return nil
}
