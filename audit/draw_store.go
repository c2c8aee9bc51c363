package audit

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/profile"
)

// AuditExistsError: a draw was to be recorded under the name of an audit
// already in the store. SameDraw says the recorded audit was drawn from an
// export with the same SHA-256 and with the same seed: most likely this very
// draw, recorded by a run that stopped before it wrote the workbook.
type AuditExistsError struct {
	Audit    string
	Store    string
	SameDraw bool
	Seed     string // the recorded audit's
	err      error
}

func (e *AuditExistsError) Error() string             { return e.err.Error() }
func (e *AuditExistsError) Spell(st opt.Style) string { return opt.Spell(e.err, st) }

func existingAudit(st *Store, a *Audit, spec sample.Spec) error {
	e := &AuditExistsError{Audit: a.Name, Store: st.Path(), Seed: a.Seed()}
	if rec := a.Provenance.Export.SHA256; rec != "" && spec.Seed == a.Seed() && spec.Export != "" {
		// Hashing costs a read of the file, as the draw would have.
		if sum, err := sample.FileSHA256(spec.Export); err == nil && sum == rec {
			e.SameDraw = true
		}
	}
	// A face says what SameDraw means in its own commands (the one that
	// writes the workbook from the store).
	e.err = opt.Errorf("an audit named %q is already in the store %s; choose another name, or add cases with %s", a.Name, st.Path(), opt.Grow)
	return e
}

// Draw draws the sample and, when req.Name is given, records it. st may be
// nil when nothing is recorded or excluded.
func Draw(ctx context.Context, st *Store, req DrawRequest) (*DrawResult, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	if (req.Name != "" || req.ExcludeWithin != "") && st == nil {
		return nil, errors.New("recording an audit or excluding audited cases needs a store")
	}
	spec := req.Spec
	if req.Name != "" {
		if a, err := st.Audit(ctx, req.Name); err == nil {
			return nil, existingAudit(st, a, req.Spec)
		} else if !errors.Is(err, ErrNotFound) {
			return nil, err
		}
	}
	var rules []string
	if req.ExcludeWithin != "" {
		w, _ := ParseWithin(req.ExcludeWithin)
		period := req.periodStart()
		since := w.Before(period)
		ids, err := st.AuditedFrom(ctx, since)
		if err != nil {
			return nil, err
		}
		spec.Exclude = ids
		spec.ExcludeWithin = w.String()
		from := since.Format("2006-01-02")
		if since.Day() == 1 {
			from = since.Format("2006-01")
		}
		rules = append(rules, fmt.Sprintf("sampled in an audit covering %s or later (within %s before %s, the period drawn)",
			from, w.Words(), period.Format("2006-01")))
	}
	if req.ExcludeSource != "" || len(req.ExcludeIDs) > 0 {
		if spec.Exclude == nil {
			spec.Exclude = map[string]bool{}
		}
		for _, id := range req.ExcludeIDs {
			if id = strings.TrimSpace(id); id != "" {
				spec.Exclude[id] = true
			}
		}
		src := req.ExcludeSource
		if src == "" {
			src = "a list given"
		}
		rules = append(rules, "listed in "+src)
	}
	spec.ExcludeRule = strings.Join(rules, "; or ")
	spec.Extra = append(spec.Extra, req.Rules.WorkerField, req.Rules.TeamField, req.FollowUp.Column)
	spec.Extra = append(spec.Extra, req.Form.PrefillColumns()...) // kept with each case: the workbook pre-fills from them
	if req.Factors != nil {
		fs := *req.Factors
		fs.Detect = true
		rec, err := profile.NewRecorder(fs)
		if err != nil {
			return nil, err
		}
		spec.Factors = rec
	}
	d, err := sample.Draw(ctx, spec)
	if err != nil {
		return nil, err
	}
	if spec.Open.Sheet == "" {
		// Named with --sheet, a workbook's Sample sheet is read on purpose
		// (re-deriving its order, say); found on its own, it is a mistake.
		if err := workbook.NotAnExport(d.Table); err != nil {
			d.Close()
			return nil, err
		}
	}
	res := &DrawResult{Drawn: d}
	if req.Name == "" {
		return res, nil
	}
	fail := func(err error) (*DrawResult, error) {
		d.Close()
		return nil, err
	}
	tms, err := st.currentTeamManagers(ctx)
	if err != nil {
		return fail(err)
	}
	teamCol := sample.FindColumn(d.Table, sample.DefaultColumns[0]...)
	if teamCol == "" {
		teamCol = d.Population.Strata
	}
	follow, err := resolveFollowUp(d, withStoreTeamManagers(req.FollowUp, tms, teamCol))
	if err != nil {
		return fail(err)
	}
	if req.Form != nil {
		if err := checkFormLabels(req.Form, d); err != nil {
			return fail(err)
		}
		for _, q := range req.Form.Questions {
			if q.PrefillFrom != "" && colname.Match(d.Population.Fields, q.PrefillFrom) < 0 {
				return fail(fmt.Errorf("the form pre-fills question %q from the column %q, which %s does not have", q.Key, q.PrefillFrom, d.Provenance.Export.Path))
			}
		}
	}
	for _, c := range []struct {
		name  opt.Name
		field string
	}{{opt.WorkerColumn, req.Rules.WorkerField}, {opt.TeamColumn, req.Rules.TeamField}} {
		if c.field != "" && colname.Match(d.Population.Fields, c.field) < 0 {
			if _, err := d.Table.ColumnIndex(c.field); err != nil {
				return fail(opt.Errorf("%s: %w", c.name, err))
			}
		}
	}
	a := Audit{Name: req.Name, Period: req.Period, Provenance: d.Provenance, Columns: d.Provenance.Columns, FollowUp: follow,
		Handout: req.Handout}
	if req.Form != nil {
		if a.Form, err = req.Form.JSON(); err != nil {
			return fail(err)
		}
	}
	rec, al, err := st.createAudit(ctx, a, CasesFromSelection(d.Sample.Cases), req.Auditors, req.Rules)
	if err != nil {
		return fail(err)
	}
	res.Audit, res.Allocation = rec, al
	d.Provenance.Drawn = rec.Provenance.Drawn // as recorded (createAuditTx)
	return res, nil
}

// createAudit records an audit and its sample and, when auditors are
// given, its allocation, in one transaction.
func (s *Store) createAudit(ctx context.Context, a Audit, cases []SampledCase, auditors []string, rules AllocationRules) (*Audit, *Allocation, error) {
	var al *Allocation
	var extra func(ctx context.Context, tx *store.WriteTx, rec *Audit) error
	if len(auditors) > 0 {
		extra = func(ctx context.Context, tx *store.WriteTx, rec *Audit) error {
			out, err := s.allocateTx(ctx, tx, rec, auditors, rules)
			al = &out
			return err
		}
	}
	rec, err := s.createAuditTx(ctx, a, cases, extra)
	if err != nil {
		return nil, nil, err
	}
	return rec, al, nil
}

// Grow adds req.By cases to a recorded audit. The export must be the very
// file the audit was drawn from (the same SHA-256).
func Grow(ctx context.Context, st *Store, req GrowRequest) (*GrowResult, error) {
	if err := req.Check(); err != nil {
		return nil, err
	}
	a, err := st.Audit(ctx, req.Name)
	if err != nil {
		return nil, err
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	path, sum, err := theExport(a, req.Export, "a sample grows only from the same export")
	if err != nil {
		return nil, err
	}
	ws, err := st.Withdrawals(ctx, a.Name)
	if err != nil {
		return nil, err
	}
	base := len(cases) - replacements(ws)
	ro := sample.RederiveOptions{Size: base + req.By, SHA256: sum, Progress: req.Progress}
	if ro.Factors, err = factorRecorder(&a.Provenance); err != nil {
		return nil, err
	}
	d, err := sample.Rederive(ctx, &a.Provenance, path, ro)
	if err != nil {
		return nil, err
	}
	have := map[string]bool{}
	for _, c := range cases {
		have[c.ID] = true
	}
	added, err := growSelection(&a.Provenance, d.Population, base, have, req.By)
	if err != nil {
		d.Close()
		if errors.Is(err, errNotNested) {
			return nil, fmt.Errorf("audit %q cannot grow by %d: with %s allocation across strata the larger sample does not contain every case already drawn; draw a new audit instead",
				a.Name, req.By, a.Provenance.Strata.Allocation)
		}
		return nil, fmt.Errorf("audit %q cannot grow by %d: %w", a.Name, req.By, err)
	}
	for i := range added {
		added[i].Order = len(cases) + i + 1
	}
	res := &GrowResult{Drawn: d, Audit: a, Added: CasesFromSelection(added)}
	// The added cases' factors, measured in this read of the very export,
	// go into the grow entry of the trail.
	if err := measureFactors(ro.Factors, added, res.Added); err != nil {
		d.Close()
		return nil, err
	}
	var al Allocation
	err = st.write(ctx, "growing the sample in", func(tx *store.WriteTx) error {
		rec, err := st.growTx(ctx, tx, a.Name, res.Added)
		if err != nil {
			return err
		}
		if len(req.Auditors) > 0 {
			al, err = st.allocateTx(ctx, tx, rec, req.Auditors, req.Rules)
			return err
		}
		return nil
	})
	if err != nil {
		d.Close()
		return nil, err
	}
	if len(req.Auditors) > 0 {
		res.Allocation = &al
	}
	for i := range res.Added {
		res.Added[i].Columns = a.Columns
	}
	res.Cases = append(cases, res.Added...)
	return res, nil
}
