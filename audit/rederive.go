package audit

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// The use cases that check an audit — re-derive its sample from an export,
// verify it — as library functions.

// ErrExportMissing: the export of an audit could not be found.
var ErrExportMissing = errors.New("export not found")

// LocateExport finds an audit's export: the file given (when given), else
// the recorded absolute path, else the recorded path as given (relative to
// the current folder). It returns the path found and every path tried; the
// error wraps ErrExportMissing when none is there.
func LocateExport(a *Audit, given string) (path string, tried []string, err error) {
	var candidates []string
	if given != "" {
		candidates = []string{given}
	} else {
		if p := a.Provenance.Export.AbsPath; p != "" {
			candidates = append(candidates, p)
		}
		if p := a.Provenance.Export.Path; p != "" && p != a.Provenance.Export.AbsPath {
			candidates = append(candidates, p)
		}
	}
	for _, c := range candidates {
		tried = append(tried, c)
		fi, err := os.Stat(c)
		if err == nil && fi.Mode().IsRegular() {
			return c, tried, nil
		}
		if err != nil && !errors.Is(err, fs.ErrNotExist) {
			var pe *fs.PathError
			if errors.As(err, &pe) {
				err = pe.Err // the path is named already
			}
			return "", tried, fmt.Errorf("the export %s of audit %q cannot be read (%w); check the path and its folders", c, a.Name, err)
		}
	}
	if given != "" {
		return "", tried, errorf(ErrExportMissing, "%s is not there", given)
	}
	return "", tried, errorf(ErrExportMissing, "the export of audit %q is not at %s; name it with %s",
		a.Name, words.QuotePaths(tried), opt.Input)
}

// Rederivation is an audit's sample drawn again from an export and compared
// with the recorded one.
type Rederivation struct {
	Export     string             // the file read
	Tried      []string           // the paths looked at to find it
	Comparison *sample.Comparison // what differs
}

// sampleStep is one change to a recorded sample after its first draw, in
// trail order: a growth by Grow cases, or the withdrawal of Withdrawn
// (replaced by the next case of its stratum, when it has one).
type sampleStep struct {
	Grow      int
	Withdrawn string
	Replaced  bool
}

// rederive draws the sample again, replaying its growths and withdrawals
// (steps); factors are the values recorded for every sampled case
// (Store.CaseFactors), compared with those measured again.
func rederive(ctx context.Context, a *Audit, cases []SampledCase, steps []sampleStep, factors map[string]sample.CaseFactors, export string, progress func(rows int)) (*Rederivation, error) {
	path, tried, err := LocateExport(a, export)
	r := &Rederivation{Export: path, Tried: tried}
	if err != nil {
		return r, err
	}
	size := max(a.InitialSize, len(cases))
	ro := sample.RederiveOptions{Size: size, Progress: progress}
	if ro.Factors, err = factorRecorder(&a.Provenance); err != nil {
		return r, err
	}
	d, err := sample.Rederive(ctx, &a.Provenance, path, ro)
	if err != nil {
		return r, err
	}
	defer d.Close()
	if withdrawals(steps) {
		// Replay the draw, growth by growth and withdrawal by withdrawal,
		// as they were made: a replacement is the next ticket of its
		// stratum, which the draw at the final size need not hold.
		if err := replay(ctx, a, d, steps); err != nil {
			return r, err
		}
		if ro.Factors != nil {
			// The replayed sample holds replacements the draw at the final
			// size need not: measure the factors of the cases it holds.
			if d.Provenance.Factors, err = ro.Factors.Record(d.Sample.Cases); err != nil {
				return r, err
			}
		}
	}
	recorded := make([]sample.Selected, len(cases))
	for i, c := range cases {
		recorded[i] = sample.Selected{Order: c.Order, Ticket: c.Ticket,
			Case: sample.Case{ID: c.ID, Row: c.Row, Stratum: c.Stratum, Fields: c.Fields}}
	}
	p := a.Provenance
	if p.Factors != nil {
		// The values of grown cases, recorded in the trail, are compared too.
		f := *p.Factors
		f.Cases = factors
		p.Factors = &f
	}
	r.Comparison = sample.Compare(ctx, &p, recorded, a.Columns, a.InitialSize, d)
	return r, nil
}

// VerifyRequest is the use case "verify": re-walk an audit's trail and
// re-derive its sample.
type VerifyRequest struct {
	Name string
	// Export is the export to re-derive from; "" finds the recorded one.
	Export string
	// TrailOnly checks the store and the trail and leaves the sample
	// unchecked, on purpose.
	TrailOnly bool
	Progress  func(rows int)
}

// VerifyReport is what verify found.
type VerifyReport struct {
	Audit *Audit
	Trail VerifyResult
	// StoreProblem is the store's own integrity check's complaint, if any.
	StoreProblem string
	// Rederivation is the sample drawn again; nil when not re-derived
	// (TrailOnly, or the export could not be found or read: see NotChecked).
	Rederivation *Rederivation
	// NotChecked says why the sample was not re-derived ("" when it was, or
	// when TrailOnly asked not to); NotCheckedErr is the same as an error,
	// which names its options as data (opt.Spell).
	NotChecked    string
	NotCheckedErr error
	TrailOnly     bool
}

// SpellProblems is Problems with the options they name spelled as st spells
// them.
func (v *VerifyReport) SpellProblems(max int, st opt.Style) []string {
	ps := v.Problems(max)
	if v.NotCheckedErr != nil {
		for i, p := range ps {
			if p == notRederived+v.NotChecked {
				ps[i] = notRederived + opt.Spell(v.NotCheckedErr, st)
			}
		}
	}
	return ps
}

const notRederived = "the sample was not re-derived: "

// OK reports whether the audit verifies: the store and its trail are
// intact and — unless only the trail was asked for — the sample was
// re-derived identically from the export, whose sampled cases still read
// as recorded. The export may be a copy in the other format (another
// SHA-256): what is verified is the sample, not the file's bytes.
func (v *VerifyReport) OK() bool {
	if v.StoreProblem != "" || !v.Trail.OK || len(v.Trail.Duties) > 0 {
		return false
	}
	if v.TrailOnly {
		return true
	}
	return v.Rederivation != nil && v.Rederivation.Comparison != nil && v.Rederivation.Comparison.Holds()
}

// Failure is the verification as the error a command ends with: nil when
// the audit verifies and the store log re-walks intact (logProblems, from
// Store.VerifyLog, empty); otherwise an error marked ErrNotVerified saying
// how many problems there are (at most 100 sample differences counted, as
// listed), or that the sample alone could not be re-derived.
func (v *VerifyReport) Failure(logProblems []string) error {
	if v.OK() && len(logProblems) == 0 {
		return nil
	}
	if v.NotChecked != "" && v.Trail.OK && v.StoreProblem == "" && len(v.Trail.Duties) == 0 {
		return errorf(ErrNotVerified, "audit %q failed verification: its sample could not be re-derived; give %s EXPORT, or %s to check the trail alone",
			v.Audit.Name, opt.Input, opt.TrailOnly)
	}
	return errorf(ErrNotVerified, "audit %q failed verification: %s", v.Audit.Name, words.Count(len(v.Problems(100))+len(v.Trail.Duties)+len(logProblems), "problem"))
}

// Problems lists everything that does not verify, at most max sample
// differences (0: all).
func (v *VerifyReport) Problems(max int) []string {
	var out []string
	if v.StoreProblem != "" {
		out = append(out, v.StoreProblem)
	}
	out = append(out, v.Trail.Problems...)
	if v.NotChecked != "" {
		out = append(out, notRederived+v.NotChecked)
	}
	if r := v.Rederivation; r != nil && r.Comparison != nil {
		c := r.Comparison
		out = append(out, c.Problems(max)...)
	}
	return out
}

// PersonNames reads the names of the wanted cases from an audit's export
// (found with LocateExport; the columns colname.PersonName recognises): for
// a referral sheet that asks for names. Nothing else reads them: the store
// keeps no names.
func PersonNames(ctx context.Context, a *Audit, want map[string]bool) (cols []string, names map[string][]string, err error) {
	path, tried, err := LocateExport(a, "")
	if errors.Is(err, ErrExportMissing) {
		// LocateExport's hint names --input, which the commands that
		// take --include-names do not have.
		return nil, nil, opt.Errorf("%s reads the names from the audit's export, which is not at %s; put the export back there, or leave out %s",
			opt.IncludeNames, words.QuotePaths(tried), opt.IncludeNames)
	}
	if err != nil {
		return nil, nil, opt.Errorf("%s reads the names from the audit's export: %w", opt.IncludeNames, err)
	}
	p := a.Provenance.Export
	open := export.OpenOptions{IDColumn: p.IDColumn}
	if sum, err := sample.FileSHA256(path); err == nil && sum == p.SHA256 {
		open.Sheet, open.HeaderRow, open.Delimiter, open.Encoding = p.Sheet, p.HeaderRow, p.Delimiter, p.Encoding
	}
	t, err := export.Open(ctx, path, open)
	if err != nil {
		return nil, nil, opt.Errorf("%s reads the names from the audit's export: %w", opt.IncludeNames, err)
	}
	defer t.Close()
	idx := []int{t.IDIndex}
	for i, h := range t.Header {
		if i != t.IDIndex && colname.PersonName(h) {
			idx = append(idx, i)
			cols = append(cols, h)
		}
	}
	if len(cols) == 0 {
		return nil, nil, opt.Errorf("%s: the export %s of audit %q has no name column (e.g. Forename, Surname)", opt.IncludeNames, path, a.Name)
	}
	names = map[string][]string{}
	err = t.Rows(ctx, idx, func(r export.Row) error {
		id := strings.TrimSpace(r.Cells[0])
		if want[id] && names[id] == nil {
			for _, v := range r.Cells[1:] {
				names[id] = append(names[id], strings.Clone(v)) // a cell shares its memory with its neighbours'
			}
		}
		return nil
	})
	return cols, names, err
}

func withdrawals(steps []sampleStep) bool {
	for _, s := range steps {
		if s.Withdrawn != "" {
			return true
		}
	}
	return false
}

// replay draws the sample again as it was recorded: the first draw, then
// each growth (the next cases of a larger draw) and each withdrawal (the
// next case of the withdrawn case's stratum), in trail order. It leaves the
// result, in recorded order, as d's sample.
func replay(ctx context.Context, a *Audit, d *sample.Drawn, steps []sampleStep) error {
	opts := sample.SelectOptions{Size: a.InitialSize}
	if p := a.Provenance; p.Stratified() {
		opts.Allocation, opts.MinPerStratum = p.Strata.Allocation, p.Strata.MinPerStratum
	}
	first, err := d.Population.Select(opts)
	if err != nil {
		return err
	}
	got := slices.Clone(first.Cases)
	base := len(got) // cases the draws hold (replacements are not drawn)
	taken := map[string]sample.Selected{}
	for _, c := range got {
		taken[c.ID] = c
	}
	for _, st := range steps {
		switch {
		case st.Grow > 0:
			have := make(map[string]bool, len(taken))
			for id := range taken {
				have[id] = true
			}
			more, err := growSelection(&a.Provenance, d.Population, base, have, st.Grow)
			if err != nil {
				return fmt.Errorf("the recorded growth by %d does not re-derive: %w", st.Grow, err)
			}
			base += st.Grow
			for _, c := range more {
				c.Order = len(got) + 1
				got = append(got, c)
				taken[c.ID] = c
			}
		case st.Withdrawn != "" && st.Replaced:
			w, ok := taken[st.Withdrawn]
			if !ok {
				return fmt.Errorf("the withdrawn case %s is not in the sample drawn again; its replacement cannot be found", st.Withdrawn)
			}
			next, ok, err := d.Population.Next(ctx, w.Stratum, func(id string) bool { _, ok := taken[id]; return ok })
			if err != nil {
				return err
			}
			if ok {
				next.Order = len(got) + 1
				got = append(got, next)
				taken[next.ID] = next
			}
		}
	}
	d.Sample.Cases = got
	return nil
}
