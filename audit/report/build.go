package report

// Building a report, a trend, a calibration and a pooled view from the
// store: Build, BuildTrend, BuildCalibration and BuildPooled read the
// audits' trails and hand what they read to what the other files compute
// from it (focus, factors, trend groups, calibration, pooling, sign-off,
// withdrawn cases, retired audits), so those can be tested on hand-written
// inputs without a store;
// SignOffFigures and SignOffState state a report's core figures for a
// sign-off. What renders a report stands above this file and what
// computes the figures below it.

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
)

// Build reads one audit (name "" means the latest) and everything the
// report needs from the store.
//
// Everything is read from one snapshot of the store, so a finding recorded
// while the report is built is either in all of it or in none.
func Build(ctx context.Context, st *audit.Store, name string, opts Options) (r *Report, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		r, err = build(ctx, st, name, opts)
		return err
	})
	return r, err
}

func build(ctx context.Context, st *audit.Store, name string, opts Options) (*Report, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	a, err := auditNamed(ctx, st, name)
	if err != nil {
		return nil, err
	}
	given := opts.Marking != ""
	r, cases, orig, now, err := core(ctx, st, a, opts)
	if err != nil {
		return nil, err
	}
	opts = r.opts
	now0, err := signOffNow(ctx, st, a, r)
	if err != nil {
		return nil, err
	}
	if err := r.signOff(ctx, st, a, now0); err != nil {
		return nil, err
	}
	if err := r.focus(ctx, st, a, cases, orig); err != nil {
		return nil, err
	}
	if err := r.factors(ctx, st, a, orig); err != nil {
		return nil, err
	}
	if err := r.actions(ctx, st, a.Name, now); err != nil {
		return nil, err
	}
	topts := opts
	topts.By = "" // the report's breakdown, not a trend by a column
	trend, err := BuildTrend(ctx, st, topts)
	if err != nil {
		return nil, err
	}
	r.Trend = trend.Audits
	if !given {
		r.markFrom(a.Name, trend.Audits)
	}
	if err := r.calibrate(ctx, st, a); err != nil {
		return nil, err
	}
	if !opts.NoCompare {
		if err := r.compare(ctx, st, trend); err != nil {
			return nil, err
		}
	}
	return r, nil
}

// markFrom sets the report's protective marking when none was given: the
// marking its audit was handed out under, then those of the other audits
// its trend shows (their figures are in it, and in its comparison), joined
// when they differ. The trend's fold holds every audit's marking, this
// one's too, so no handout is read for it.
func (r *Report) markFrom(audit string, trend []TrendPoint) {
	var ms []string
	for _, p := range trend {
		if p.Audit == audit {
			ms = append(ms, p.marking)
		}
	}
	for _, p := range trend {
		ms = append(ms, p.marking)
	}
	r.Marking = joinMarkings(ms)
	r.opts.Marking = r.Marking
}

// auditNamed reads the named audit, or the latest when name is blank.
func auditNamed(ctx context.Context, st *audit.Store, name string) (*audit.Audit, error) {
	if strings.TrimSpace(name) == "" {
		return st.Latest(ctx)
	}
	return st.Audit(ctx, name)
}

// core computes an audit's figures, as every view states them: the
// headline, interval and breakdown (what a sign-off records).
func core(ctx context.Context, st *audit.Store, a *audit.Audit, opts Options) (*Report, []audit.SampledCase, []audit.Finding, time.Time, error) {
	cases, withdrawn, err := st.ActiveCases(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	orig, err := st.Findings(ctx, a.Name, false)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	mod, err := st.Findings(ctx, a.Name, true)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	msample, err := st.Moderation(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	pairs, err := st.ModerationPairs(ctx, a.Name)
	if err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	if r0, err := st.Allocation(ctx, a.Name); err != nil {
		return nil, nil, nil, time.Time{}, err
	} else if r0 != nil {
		opts.allocated = map[string]string{}
		for _, x := range r0.Assigned {
			opts.allocated[x.Case] = x.Auditor
		}
	}
	now := st.Now()
	if opts.Now != nil {
		now = opts.Now()
		opts.Now = func() time.Time { return now } // one reading for the whole report
	}
	r := &Report{opts: opts}
	if err := r.compute(a, cases, orig, mod, msample, pairs); err != nil {
		return nil, nil, nil, time.Time{}, err
	}
	r.withdrawn(withdrawn)
	return r, cases, orig, now, nil
}

// BuildTrend reads every audit in the store, in the order of their periods.
//
// Everything is read from one snapshot of the store.
func BuildTrend(ctx context.Context, st *audit.Store, opts Options) (t *Trend, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		t, err = buildTrend(ctx, st.WithoutProse(), opts)
		return err
	})
	return t, err
}

func buildTrend(ctx context.Context, st *audit.Store, opts Options) (*Trend, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	sums, err := st.AuditsWithFindings(ctx)
	if err != nil {
		return nil, err
	}
	t := &Trend{Method: opts.Method, Confidence: opts.Confidence, Audits: []TrendPoint{},
		Marking: opts.Marking, Limit: opts.Limit}
	for _, s := range sums {
		fs, mod := s.Findings, s.Moderation
		judged := latestJudgement(fs, mod)
		p := TrendPoint{Audit: s.Name, Period: s.Period, Created: s.Created.UTC(), Sampled: s.Size, Grades: map[string]int{}, marking: s.Marking}
		p.setFactors(s.Factors)
		for _, g := range gradeNames() {
			p.Grades[g] = 0
		}
		for _, f := range fs {
			p.Audited++
			if judged[f.Case] {
				p.Flagged++
			}
			p.Grades[f.Grade.String()]++
		}
		p.NotRecorded = max(p.Sampled-p.Audited, 0)
		p.Incomplete = p.NotRecorded > 0
		if p.Audited > 0 {
			p.Share = ptr(float64(p.Flagged) / float64(p.Audited))
			iv, err := interval(opts.Method, p.Flagged, p.Audited, opts.Confidence)
			if err != nil {
				return nil, err
			}
			p.Lower, p.Upper = ptr(iv.Lower), ptr(iv.Upper)
		}
		if err := p.focus(ctx, st, fs); err != nil {
			return nil, err
		}
		if err := p.signOff(ctx, st, opts); err != nil {
			return nil, err
		}
		if by := strings.TrimSpace(opts.By); by != "" && p.Audited > 0 {
			name, err := p.trendGroups(ctx, st, by, judged, fs, opts)
			if err != nil {
				return nil, err
			}
			if t.By == "" {
				t.By = name
			}
		}
		t.Audits = append(t.Audits, p)
	}
	if err := t.addRetired(ctx, st, opts); err != nil {
		return nil, err
	}
	if t.Marking == "" {
		// Whatever audits the trend shows, retired ones too, it carries
		// their markings, in the order it shows them.
		ms := make([]string, len(t.Audits))
		for i, p := range t.Audits {
			ms[i] = p.marking
		}
		t.Marking = joinMarkings(ms)
	}
	if by := strings.TrimSpace(opts.By); by != "" && t.By == "" && len(t.Audits) > 0 {
		return nil, opt.Errorf("%s %q: no audit with findings shows that column; break the trend down by a column the samples show (sample -c COLUMN) or by stratum", opt.By, by)
	}
	return t, nil
}

// BuildPooled pools the named audits, or those whose period falls in
// period, from one snapshot of the store.
func BuildPooled(ctx context.Context, st *audit.Store, names []string, period string, opts Options) (p *Pooled, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		p, err = buildPooled(ctx, st, names, period, opts)
		return err
	})
	return p, err
}

// buildPooled reads each audit's own figures (core: its headline, as its
// report states it, without the whole-store trend, focus or calibration a
// full report adds) and what calibration compares of them, and pools them.
func buildPooled(ctx context.Context, st *audit.Store, names []string, period string, opts Options) (*Pooled, error) {
	if err := opts.normalise(); err != nil {
		return nil, err
	}
	if period != "" {
		from, to, err := PeriodMonths(period)
		if err != nil {
			return nil, err
		}
		sums, err := st.Audits(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			if s.Period >= from && s.Period <= to {
				names = append(names, s.Name)
			}
		}
		if len(names) == 0 {
			return nil, fmt.Errorf("no audit in the store covers %s (%s to %s)", period, from, to)
		}
	}
	if len(names) == 1 && period != "" {
		return nil, fmt.Errorf("the period %s holds one audit, %q; pooling needs at least two: report that audit on its own, or give a longer period", period, names[0])
	}
	if len(names) < 2 {
		return nil, fmt.Errorf("pooling needs at least two audits (got %d): name them, or give a period", len(names))
	}
	var audits []pooledAudit
	var read []string
	for _, name := range names {
		a, err := auditNamed(ctx, st, name)
		if err != nil {
			return nil, err
		}
		r, _, _, _, err := core(ctx, st, a, opts)
		if err != nil {
			return nil, err
		}
		audits = append(audits, pooledAuditOf(r))
		if !slices.Contains(read, r.Audit) {
			read = append(read, r.Audit)
		}
	}
	if opts.Marking == "" {
		m, err := auditsMarking(ctx, st, read)
		if err != nil {
			return nil, err
		}
		opts.Marking = m
	}
	cal, err := readCalibration(ctx, st, read)
	if err != nil {
		return nil, err
	}
	return pool(period, opts, audits, cal)
}

// calibrate compares each auditor's grades with the moderators' over the
// moderated cases of the audits of the trend up to this one's period: the
// months a manager reads the report against.
func (r *Report) calibrate(ctx context.Context, st *audit.Store, a *audit.Audit) error {
	var names []string
	for _, p := range r.Trend {
		// A retired audit's grades are gone with its findings.
		if p.Period <= a.Period && !p.Retired {
			names = append(names, p.Audit)
		}
	}
	if !slices.Contains(names, a.Name) {
		names = append(names, a.Name)
	}
	// Grades are compared, never notes: the trails the trend read serve it.
	// The report carries its own marking, so the comparison inside it
	// needs none (and the audits' handouts are not read for one).
	ins, err := readCalibration(ctx, st.WithoutProse(), names)
	if err != nil {
		return err
	}
	c, err := calibrationOf("", ins)
	if err != nil {
		return err
	}
	if c.Pairs > 0 {
		r.Calibration = c
	}
	return nil
}

// BuildCalibration compares each auditor's grades with the moderators'
// over the named audits (every audit when none), from one snapshot.
func BuildCalibration(ctx context.Context, st *audit.Store, names []string, marking string) (c *Calibration, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		// Grades are compared, never notes.
		c, err = buildCalibration(ctx, st.WithoutProse(), names, marking)
		return err
	})
	return c, err
}

// buildCalibration reads the named audits' findings and moderation (every
// audit when none is named) and compares them.
func buildCalibration(ctx context.Context, st *audit.Store, names []string, marking string) (*Calibration, error) {
	ins, err := readCalibration(ctx, st, names)
	if err != nil {
		return nil, err
	}
	if marking == "" {
		names := make([]string, len(ins))
		for i, in := range ins {
			names[i] = in.Name
		}
		if marking, err = auditsMarking(ctx, st, names); err != nil {
			return nil, err
		}
	}
	return calibrationOf(marking, ins)
}

// auditsMarking is the protective marking a view over several audits
// carries when none is given: the distinct markings the audits were handed
// out under, in their order, joined by " / " ("" when none has one). Such a
// view holds their figures, team by team and auditor by auditor, so it is
// marked as each audit's own report is.
func auditsMarking(ctx context.Context, st *audit.Store, names []string) (string, error) {
	ms := make([]string, len(names))
	for i, name := range names {
		h, err := st.Handout(ctx, name)
		if err != nil {
			return "", err
		}
		ms[i] = h.Marking
	}
	return joinMarkings(ms), nil
}

// AuditsMarking is the protective marking a list over the named audits
// carries when none is given (see auditsMarking), each audit named once
// however often it is given.
func AuditsMarking(ctx context.Context, st *audit.Store, names []string) (string, error) {
	var distinct []string
	for _, n := range names {
		if !slices.Contains(distinct, n) {
			distinct = append(distinct, n)
		}
	}
	return auditsMarking(ctx, st, distinct)
}

// joinMarkings joins the distinct markings of ms, in their order, leaving
// out empty ones.
func joinMarkings(ms []string) string {
	var out []string
	for _, m := range ms {
		if m != "" && !slices.Contains(out, m) {
			out = append(out, m)
		}
	}
	return strings.Join(out, " / ")
}

// readCalibration reads what a calibration compares of each named audit
// (every audit when none is named).
func readCalibration(ctx context.Context, st *audit.Store, names []string) ([]calibrationAudit, error) {
	if len(names) == 0 {
		sums, err := st.Audits(ctx)
		if err != nil {
			return nil, err
		}
		for _, s := range sums {
			names = append(names, s.Name)
		}
	}
	var ins []calibrationAudit
	for _, name := range names {
		a, err := st.Audit(ctx, name)
		if err != nil {
			return nil, err
		}
		in := calibrationAudit{Name: a.Name}
		if in.Moderated, err = st.Findings(ctx, a.Name, true); err != nil {
			return nil, err
		}
		if len(in.Moderated) > 0 {
			if in.Findings, err = st.Findings(ctx, a.Name, false); err != nil {
				return nil, err
			}
		}
		ins = append(ins, in)
	}
	return ins, nil
}

// focus fills the share Good or better, overall and per grade question of
// the audit's form, from its latest findings.
func (p *TrendPoint) focus(ctx context.Context, st *audit.Store, fs []audit.Finding) error {
	p.FocusAreas = []TrendFocus{}
	good := 0
	for _, f := range fs {
		if f.Grade == audit.Outstanding || f.Grade == audit.Good {
			good++
		}
	}
	if len(fs) > 0 {
		p.GoodOrBetter = ptr(float64(good) / float64(len(fs)))
	}
	form, err := st.Form(ctx, p.Audit)
	if err != nil || form == nil {
		return err
	}
	for _, fa := range tally(form, fs) {
		if fa.Kind != audit.QuestionGrade {
			continue
		}
		tf := TrendFocus{Key: fa.Key, Label: fa.Label, Graded: fa.Graded}
		if fa.Graded > 0 {
			tf.GoodOrBetter = ptr(fa.GoodOrBetter)
		}
		p.FocusAreas = append(p.FocusAreas, tf)
	}
	return nil
}

// trendGroups reads the audit's active cases and fills p.Groups from
// them: the cases grouped by the column by (or the strata, when by names
// its column or is "stratum").
func (p *TrendPoint) trendGroups(ctx context.Context, st *audit.Store, by string, judged map[string]bool, fs []audit.Finding, o Options) (string, error) {
	a, err := st.Audit(ctx, p.Audit)
	if err != nil {
		return "", err
	}
	cases, _, err := st.ActiveCases(ctx, a.Name)
	if err != nil {
		return "", err
	}
	return p.groupBy(a, cases, by, judged, fs, o)
}

// trendSignOff marks a trend point signed off, complete, or amended.
func (p *TrendPoint) signOff(ctx context.Context, st *audit.Store, opts Options) error {
	p.Complete = p.Sampled > 0 && p.Audited == p.Sampled
	s, err := st.SignOffOf(ctx, p.Audit)
	if err != nil || s.SignOff == nil {
		return err
	}
	p.SignedOff = true
	p.SignedOffIncomplete = s.SignOff.Incomplete != nil
	if s.ChangedAt.IsZero() {
		return nil // nothing since the sign-off could have changed it
	}
	a, err := st.Audit(ctx, p.Audit)
	if err != nil {
		return err
	}
	o := opts
	o.NoCompare = true
	r, _, _, _, err := core(ctx, st, a, o)
	if err != nil {
		return err
	}
	if v := signOffView(s, r.Figures()); v != nil && v.Amended {
		p.Amended = v.Sentence
	}
	return nil
}

// signOffNow is the figures of r as a sign-off records them: the headline
// and each team's count, the report's own breakdown. A report broken down
// by another column (--by auditor) is compared with the figures signed off
// through the teams', not its own groups, which a sign-off never held.
func signOffNow(ctx context.Context, st *audit.Store, a *audit.Audit, r *Report) (audit.Figures, error) {
	if r.opts.By == "" {
		return r.Figures(), nil
	}
	o := r.opts
	o.By, o.NoCompare = "", true
	r0, _, _, _, err := core(ctx, st, a, o)
	if err != nil {
		return audit.Figures{}, err
	}
	return r0.Figures(), nil
}

// SignOffFigures computes an audit's figures with the report's own code,
// from one snapshot of the store, and the number of trail entries they
// were computed from (for audit.Store.SignOffAudit).
func SignOffFigures(ctx context.Context, st *audit.Store, name string, opts Options) (f audit.Figures, asOf int, err error) {
	if err := opts.normalise(); err != nil {
		return f, 0, err
	}
	opts.NoCompare = true
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		a, err := st.Audit(ctx, name)
		if err != nil {
			return err
		}
		r, _, _, _, err := core(ctx, st, a, opts)
		if err != nil {
			return err
		}
		if r.Audited == 0 {
			return fmt.Errorf("audit %q has no finding yet; there is nothing to sign off", a.Name)
		}
		es, err := st.Trail(ctx, a.Name)
		if err != nil {
			return err
		}
		f, asOf = r.Figures(), len(es)
		return nil
	})
	return f, asOf, err
}

// SignOffState states an audit's sign-off against its figures now, as a
// status line does; nil when it was never signed off.
func SignOffState(ctx context.Context, st *audit.Store, name string) (v *SignOffView, err error) {
	err = st.Snapshot(ctx, func(st *audit.Store) error {
		s, err := st.SignOffOf(ctx, name)
		if err != nil || s.SignOff == nil {
			return err
		}
		a, err := st.Audit(ctx, name)
		if err != nil {
			return err
		}
		o := Options{}
		if err := o.normalise(); err != nil {
			return err
		}
		r, _, _, _, err := core(ctx, st, a, o)
		if err != nil {
			return err
		}
		v = signOffView(s, r.Figures())
		return nil
	})
	return v, err
}
