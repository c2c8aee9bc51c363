package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"slices"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// rederiveOptions rebuilds the sample options of a recorded audit from its
// stored parameters, reading export (the recorded path when "").
func rederiveOptions(a *audit.Audit, exportPath string) (*sampleOptions, map[string]bool, error) {
	var p sampleParams
	if err := json.Unmarshal(a.Params, &p); err != nil {
		return nil, nil, fmt.Errorf("audit %q: its recorded sample parameters cannot be read: %w", a.Name, err)
	}
	if exportPath == "" {
		exportPath = a.InputPath
	}
	o := &sampleOptions{
		Export: exportPath, Seed: a.Seed,
		Open: export.OpenOptions{Sheet: p.Sheet, HeaderRow: p.HeaderRow, IDColumn: p.IDColumn,
			Delimiter: p.Delimiter, Encoding: p.Encoding},
		Where: p.Where, Strata: p.Strata, Allocation: p.Allocation, MinPerStratum: p.MinPerStratum,
		Columns: append([]string{}, p.Columns...), Strict: p.Strict, Format: "table", Audit: a.Name,
		ExcludeWithin: p.ExcludeWithin,
	}
	if o.Allocation == "" {
		o.Allocation = sample.Proportional
	}
	var exclude map[string]bool
	if len(p.Excluded) > 0 || p.ExcludeWithin != "" {
		exclude = map[string]bool{}
		for _, id := range p.Excluded {
			exclude[id] = true
		}
	}
	return o, exclude, nil
}

// checkExport opens the question of whether export is the recorded one: it
// returns an error when the file is missing, and says whether its SHA-256
// matches.
func checkExport(a *audit.Audit, exportPath string) (same bool, sum string, err error) {
	if exportPath == "" {
		exportPath = a.InputPath
	}
	sum, err = fileSHA256(exportPath)
	if errors.Is(err, fs.ErrNotExist) {
		return false, "", fmt.Errorf("the export %s of audit %q is not there; name it: --input FILE", exportPath, a.Name)
	}
	if err != nil {
		return false, "", err
	}
	return sum == a.InputSHA256, sum, nil
}

// runGrow adds the next o.Grow cases to a recorded audit's sample.
func runGrow(ctx context.Context, o *sampleOptions, g *globalOptions) error {
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	cases, err := st.Cases(ctx, o.Audit)
	if err != nil {
		return err
	}
	ro, exclude, err := rederiveOptions(a, o.Export)
	if err != nil {
		return err
	}
	same, sum, err := checkExport(a, ro.Export)
	if err != nil {
		return err
	}
	ro.exportSHA256 = sum
	if !same {
		return fmt.Errorf("%s is not the export audit %q was drawn from (its SHA-256 differs); a sample grows only from the same export", ro.Export, a.Name)
	}
	ro.Size = len(cases) + o.Grow
	d, err := draw(ctx, ro, g, exclude)
	if err != nil {
		return err
	}
	have := map[string]bool{}
	for _, c := range cases {
		have[c.ID] = true
	}
	var added []sample.Selected
	for _, c := range d.Sample.Cases {
		if !have[c.ID] {
			c.Order = len(cases) + len(added) + 1
			added = append(added, c)
		}
	}
	if len(added) != o.Grow {
		return fmt.Errorf("audit %q cannot grow by %d: with %s allocation across strata the larger sample does not contain every case already drawn; draw a new audit instead",
			a.Name, o.Grow, a.Allocation)
	}
	if err := st.Grow(ctx, a.Name, audit.CasesFromSelection(added)); err != nil {
		return err
	}
	g.infof("added %d cases to audit %q (now %d)\n", len(added), a.Name, len(cases)+len(added))
	d.Sample.Cases = added
	return writeSample(g.IO.Out, o.Format, d, g.IO.OutTerminal)
}

// rederiveCheck re-derives a recorded audit's sample from the export and
// compares it with the stored cases; it returns the discrepancies.
// sum is the export's SHA-256, already computed.
func rederiveCheck(ctx context.Context, g *globalOptions, a *audit.Audit, cases []audit.SampledCase, export, sum string) ([]string, error) {
	ro, exclude, err := rederiveOptions(a, export)
	if err != nil {
		return nil, err
	}
	ro.exportSHA256 = sum
	var problems []string
	// One read of the export serves both checks: the population is drawn
	// at the current size, and the initial sample selected from it again.
	ro.Size = max(a.InitialSize, len(cases))
	d, err := draw(ctx, ro, g, exclude)
	if err != nil {
		return nil, err
	}
	initial := d.Sample
	if ro.Size != a.InitialSize {
		initial, err = d.Pop.Select(sample.SelectOptions{Size: a.InitialSize, Allocation: ro.Allocation, MinPerStratum: ro.MinPerStratum})
		if err != nil {
			return nil, fmt.Errorf("%s: %w", ro.Export, err)
		}
	}
	// The initial sample, in order.
	n := min(a.InitialSize, len(cases))
	for i := 0; i < max(n, len(initial.Cases)); i++ {
		var want, got string
		if i < len(initial.Cases) {
			want = initial.Cases[i].ID
		}
		if i < n {
			got = cases[i].ID
		}
		if want != got {
			problems = append(problems, fmt.Sprintf("case %d of the sample is %q in the store but %q when re-derived", i+1, got, want))
		}
	}
	if d.Pop.Len() != a.Population {
		problems = append(problems, fmt.Sprintf("the population is %d when re-derived but %d was recorded", d.Pop.Len(), a.Population))
	}
	// Growth: the whole sample is the re-derived sample of the current size.
	if len(cases) > a.InitialSize {
		var want, got []string
		for _, c := range d.Sample.Cases {
			want = append(want, c.ID)
		}
		for _, c := range cases {
			got = append(got, c.ID)
		}
		slices.Sort(want)
		slices.Sort(got)
		if !slices.Equal(want, got) {
			problems = append(problems, fmt.Sprintf("the grown sample of %d cases differs from the re-derived one", len(cases)))
		}
	}
	return problems, nil
}
