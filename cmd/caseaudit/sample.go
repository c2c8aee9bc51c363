package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// sampleOptions are the flags of `caseaudit sample`.
type sampleOptions struct {
	Export        string
	Open          export.OpenOptions
	Size          int
	Percent       string
	Seed          string
	Where         []string
	Strata        string
	Allocation    string
	MinPerStratum int
	Columns       []string
	Format        string
	Out           string
	Force         bool
	Strict        bool

	// Recording in the store.
	Audit         string
	Period        string
	Grow          int
	growGiven     bool // --grow 0 is a mistake, not "no growth"
	ExcludeWithin string
	ExcludeFile   string
	Alloc         allocateFlags

	// The audit's form and follow-up actions.
	FormFile     string
	OwnerColumn  string
	TeamManagers []string // "Team=Manager"
	DueDays      int

	// What the workbook carries (--marking, --contact, --return-by).
	Issue issueFlags
	// The factors behind the findings, recorded with the sample.
	Factors factorFlags
}

func newSampleCmd(g *globalOptions) *cobra.Command {
	o := &sampleOptions{}
	cmd := &cobra.Command{
		Use:   "sample EXPORT [flags]",
		Short: "Draw a verifiable random sample of cases from an export",
		Long: `Draw a random sample of cases from a case-management export (.xlsx, .xlsm, .csv, .tsv, .txt).

The sheet, header row and ID column are found automatically (title rows, blank rows,
summary sheets and totals rows are skipped); say --sheet, --header-row or --id-column
when the guess is wrong. The population is the set of distinct case IDs that match
every --where condition; duplicate IDs keep their first row.

Every case gets a ticket computed from the seed and its ID alone, and the sample is the
cases with the smallest tickets: anyone with the export and the seed re-derives the same
sample, whatever the row order. Without --seed a random seed is made and printed; it is
recorded in every output, with everything else needed to re-derive the sample (the
provenance: --format json prints it in full).

The sample is printed in selection order (--format table, csv, json or ids); --out writes
the auditors' workbook (.xlsx) with drop-downs for the findings and a Method sheet.

--factors records, in the same read, the factors behind the findings for each sampled case
and for the population, in the provenance: its worker's caseload (their open cases over the
whole export, whatever --where keeps: see --open-when and --worker-aliases), its changes of
worker, and the timeliness of each --timeliness pair, with the columns and options of
'caseaudit profile' (--worker-column, --changes-column, --team-column, --caseload-target,
--changes-at-least, --timeliness, --as-of, --open-when, --worker-aliases; any of them implies
--factors).
The report of the audit then shows the audited cases by these factors; verify re-measures them.`,
		Example: `  # 120 cases from this month's export, with a fresh random seed
  caseaudit sample cases.xlsx --size 120

  # 5% of child-protection cases, stratified by team, as a workbook for auditors
  caseaudit sample cases.xlsx --percent 5% --where 'Legal Status=CP' --strata Team --out audit.xlsx

  # re-derive a sample someone else drew, as JSON for a script
  caseaudit sample cases.csv --size 90 --seed 48213270991532670122 --format json

  # record the audit in the store, allocated to three auditors, without cases audited in the last year
  caseaudit sample cases.xlsx --size 120 --audit "2026-07 monthly" --auditors "A. Khan,B. Evans,C. Nowak" \
      --exclude-audited-within 12m --out 2026-07.xlsx

  # record the factors behind the findings: caseload against a target of 18, assessment timeliness
  caseaudit sample cases.xlsx --size 120 --audit "2026-07 monthly" --caseload-target 18 \
      --timeliness "Referral Date..Assessment Completed<=45d" --out 2026-07.xlsx

  # add the next 10 cases to a recorded audit, share them out and write its workbook again
  caseaudit sample --audit "2026-07 monthly" --grow 10 --auditors "A. Khan,B. Evans" --out 2026-07.xlsx --force

  # re-derive a sample whose provenance lists excluded IDs (sample --format json: .exclusion.ids)
  caseaudit sample cases.xlsx --size 116 --seed 48213270991532670122 --strata Team --exclude excluded.txt --format ids

  # a messy csv: name the ID column and the sheet's header row yourself
  caseaudit sample export.csv --id-column "Child ID" --header-row 4 --size 60`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) == 0 && o.Grow > 0 {
				return nil // grows from the recorded export
			}
			return exactArgs(1, "one export file")(cmd, args)
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Export = args[0]
			}
			o.Factors.read(cmd)
			o.growGiven = cmd.Flags().Changed("grow")
			return runSample(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.IntVarP(&o.Size, "size", "n", 0, "number of cases to draw")
	f.StringVar(&o.Percent, "percent", "", "draw this percentage of the population instead, rounded up (e.g. 5%)")
	f.StringVar(&o.Seed, "seed", "", "seed text (default: 20 random digits, printed and recorded)")
	f.StringArrayVarP(&o.Where, "where", "w", nil, "keep rows where `COLUMN=VALUE` (also != < <= > >=); repeat to combine with AND")
	f.StringVar(&o.Strata, "strata", "", "stratify by this `COLUMN` (e.g. Team)")
	f.StringVar(&o.Allocation, "allocation", sample.Proportional, "share of the sample per stratum: proportional or equal")
	f.IntVar(&o.MinPerStratum, "min-per-stratum", 0, "each stratum takes at least `K` cases (or all it has)")
	f.StringSliceVarP(&o.Columns, "columns", "c", nil, "columns to show and keep, comma-separated (default: team, worker and legal status columns when present)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table, csv, json, or ids (one case ID per line)")
	f.StringVarP(&o.Out, "out", "o", "", "write the auditors' workbook to this .xlsx `FILE`")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.BoolVar(&o.Strict, "strict", false, "treat duplicate case IDs as an error")
	f.StringVar(&o.Audit, "audit", "", "record the sample in the store as the audit `NAME` (e.g. \"2026-07 monthly\")")
	f.StringVar(&o.Period, "period", "", "with --audit: the month the audit covers, `YYYY-MM` (default: this month); reports compare months in this order")
	f.IntVar(&o.Grow, "grow", 0, "with --audit: add the next `N` cases to the recorded sample (samples nest)")
	f.StringVar(&o.ExcludeWithin, "exclude-audited-within", "", "leave out cases sampled in any audit in the store whose month falls within this `SPAN` (e.g. 12m, 90d, 6w, 1y) before the period drawn (--period, else this month), not before today")
	f.StringVar(&o.ExcludeFile, "exclude", "", "leave out the case IDs listed in this `FILE`, one per line (e.g. a provenance's excluded IDs, to re-derive its sample)")
	f.StringVar(&o.FormFile, "form", "", "with --audit: the audit form `FILE` (YAML; see caseaudit form init), \"default\" for the built-in form (the default with --audit), or \"none\"")
	f.StringVar(&o.OwnerColumn, "owner-column", "", "with --audit: the `COLUMN` naming who follows up a case flagged for immediate attention (its team manager, or its team with --team-manager)")
	f.StringArrayVar(&o.TeamManagers, "team-manager", nil, "with --audit: a team's manager, as `\"TEAM=MANAGER\"`, owning the team's flagged cases; repeat for each team")
	f.IntVar(&o.DueDays, "due", 0, "with --audit: working `DAYS` after the finding within which a follow-up action is due (default 5)")
	addReadFlags(cmd, &o.Open)
	addAllocateFlags(cmd, &o.Alloc)
	addIssueFlags(cmd, &o.Issue, false)
	addFactorFlags(cmd, &o.Factors)
	return cmd
}

// addReadFlags adds the flags that say how to read an export.
func addReadFlags(cmd *cobra.Command, o *export.OpenOptions) {
	f := cmd.Flags()
	f.StringVar(&o.Sheet, "sheet", "", "sheet `NAME` or number (default: the first visible sheet with the ID column)")
	f.IntVar(&o.HeaderRow, "header-row", 0, "1-based `ROW` of the header (default: found among the first 50 rows holding values)")
	f.StringVar(&o.IDColumn, "id-column", "", "header of the case ID `COLUMN` (default: detected, e.g. Case Reference)")
	f.StringVar(&o.Delimiter, "delimiter", "", "csv field delimiter: , ; tab | (default: detected)")
	f.StringVar(&o.Encoding, "encoding", "", "csv encoding: utf-8, utf-16le, utf-16be, utf-32le, utf-32be, windows-1252 (default: detected)")
	f.StringVar(&o.Password, "password", "", "password of an encrypted workbook")
	cmd.RegisterFlagCompletionFunc("sheet", completeSheets)
}

// loadForm reads a form option: a YAML file, "default", or "none".
// withAudit says the sample is recorded (an audit gets the built-in form
// unless told otherwise).
func loadForm(file string, withAudit bool) (*audit.Form, error) {
	switch strings.ToLower(strings.TrimSpace(file)) {
	case "":
		if !withAudit {
			return nil, nil
		}
		return audit.DefaultForm(), nil
	case "default":
		return audit.DefaultForm(), nil
	case "none":
		return nil, nil
	}
	data, err := os.ReadFile(file)
	if err != nil {
		return nil, fmt.Errorf("--form: %w", export.FileError(file, err))
	}
	f, err := audit.ParseForm(file, data)
	if err != nil {
		return nil, fmt.Errorf("%w (check it with: caseaudit form check %s)", err, file)
	}
	return f, nil
}

// keyValues reads repeated "KEY=VALUE" flags into a map (nil when none).
func keyValues(list []string) map[string]string {
	if len(list) == 0 {
		return nil
	}
	m := map[string]string{}
	for _, x := range list {
		k, v, _ := strings.Cut(x, "=")
		m[strings.TrimSpace(k)] = strings.TrimSpace(v)
	}
	return m
}

func checkSampleFlags(o *sampleOptions) error {
	if o.growing() {
		if err := o.growRequest().Check(); err != nil {
			return &usageError{err}
		}
	}
	if err := checkFormat(o.Format, "table", "csv", "json", "ids"); err != nil {
		return err
	}
	if err := audit.CheckWorkbookName(o.Out); err != nil {
		return &usageError{err}
	}
	if err := o.Open.Check(); err != nil {
		return usagef("%w", err)
	}
	for _, x := range o.TeamManagers {
		if k, v, ok := strings.Cut(x, "="); !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return usagef("--team-manager %q: write \"TEAM=MANAGER\", e.g. \"Salisbury CIN=J. Smith\"", x)
		}
	}
	o.Alloc.factors = o.Factors.On
	return o.Alloc.check()
}

// growing says the flags ask to grow a recorded sample: --grow given, even
// as 0 (a mistake the request names, not "no growth").
func (o *sampleOptions) growing() bool { return o.Grow != 0 || o.growGiven }

// growRequest turns the flags into the use case's request to grow, naming
// the draw's options given besides, which a grown audit refuses.
func (o *sampleOptions) growRequest() audit.GrowRequest {
	r := audit.GrowRequest{Name: o.Audit, By: o.Grow, Export: o.Export, Auditors: o.Alloc.Auditors, Rules: o.Alloc.rules()}
	for _, f := range []struct {
		given bool
		name  opt.Name
	}{
		{o.Size != 0, opt.Size}, {o.Percent != "", opt.Percent}, {o.FormFile != "", opt.Form},
		{o.OwnerColumn != "", opt.OwnerColumn}, {len(o.TeamManagers) > 0, opt.TeamManagers},
		{o.DueDays != 0, opt.DueDays}, {o.Period != "", opt.Period}, {o.ExcludeFile != "", opt.ExcludeIDs},
		{o.ExcludeWithin != "", opt.Exclude},
	} {
		if f.given {
			r.Also = append(r.Also, f.name)
		}
	}
	r.Also = append(r.Also, o.Factors.given...)
	return r
}

// drawRequest turns the flags into the use case's request.
func (o *sampleOptions) drawRequest(g *globalOptions) (audit.DrawRequest, error) {
	r := audit.DrawRequest{
		Spec: sample.Spec{
			Export: o.Export, Open: o.Open, Seed: o.Seed, Size: o.Size, Where: o.Where, Strata: o.Strata,
			Allocation: o.Allocation, MinPerStratum: o.MinPerStratum, Columns: o.Columns, Strict: o.Strict,
			ToolVersion: version.String(), ToolSHA256: version.SHA256(), Now: g.Now(),
		},
		Name: strings.TrimSpace(o.Audit), Period: strings.TrimSpace(o.Period), ExcludeWithin: o.ExcludeWithin,
		ExcludeSource: o.ExcludeFile,
		FollowUp:      audit.OwnerRule{Column: o.OwnerColumn, TeamManagers: keyValues(o.TeamManagers), DueDays: o.DueDays},
		Auditors:      o.Alloc.Auditors, Rules: o.Alloc.rules(),
	}
	if fr := o.Factors.request(g.Now(), o.Alloc.WorkerColumn, o.Alloc.TeamColumn); fr != nil {
		if err := fr.Check(); err != nil {
			return r, &usageError{err}
		}
		fs, err := fr.Spec()
		if err != nil {
			return r, err
		}
		r.Factors = fs
	}
	if o.Percent != "" {
		p, err := rateFlag("percent", rate.PercentOf, o.Percent)
		if err != nil && o.Size == 0 {
			return r, err
		}
		if err != nil {
			p = 1 // stands in: with --size as well, the request's check refuses both
		}
		r.Spec.Share = p
	}
	if o.ExcludeFile != "" {
		b, err := os.ReadFile(o.ExcludeFile)
		if err != nil {
			return r, fmt.Errorf("--exclude: %w", export.FileError(o.ExcludeFile, err))
		}
		r.ExcludeIDs = strings.Split(strings.ReplaceAll(strings.TrimPrefix(string(b), "\ufeff"), "\r", ""), "\n")
	}
	form, err := loadForm(o.FormFile, o.Audit != "")
	if err != nil {
		return r, err
	}
	r.Form = form
	if err := r.Check(); err != nil {
		return r, usagef("%w", err)
	}
	return r, nil
}

// withWorkbookRecovery adds to an audit-already-recorded error the command
// that writes the recorded audit's workbook: a run stopped between recording
// the audit and writing its workbook is finished by it, not by a new draw.
func withWorkbookRecovery(g *globalOptions, err error, out string) error {
	var e *audit.AuditExistsError
	if !errors.As(err, &e) {
		return err
	}
	if out == "" {
		out = fileName(e.Audit) + ".xlsx"
	}
	cmd := fmt.Sprintf("caseaudit workbook %s --out %s%s", shellarg.Quote(e.Audit), shellarg.Quote(out), dbArg(g))
	if e.SameDraw {
		return fmt.Errorf("an audit named %q is already in the store %s, drawn from this export with the same seed %s: it is this same draw, recorded already; write its workbook with %s (or choose another name for a new draw)",
			e.Audit, e.Store, e.Seed, cmd)
	}
	return fmt.Errorf("%w; if it is this audit and its workbook was never written, write it with %s", err, cmd)
}

// drawAudit is the face of the use case "draw and record", shared by
// sample and run: it draws (with a new seed when none is given), records,
// allocates, says what it did on stderr and writes the workbook to out
// (when given). The caller closes the result.
func drawAudit(ctx context.Context, g *globalOptions, st *audit.Store, req audit.DrawRequest, out string, force bool, iss issueFlags) (*audit.DrawResult, error) {
	generated := req.Spec.Seed == ""
	if generated {
		s, err := sample.NewSeed()
		if err != nil {
			return nil, err
		}
		req.Spec.Seed = s
	}
	if req.Name != "" {
		req.Handout = iss.handout()
	}
	prog := newProgress(g, "reading "+filepath.Base(req.Spec.Export))
	req.Spec.Progress = prog.rows
	res, err := audit.Draw(ctx, st, req)
	prog.done()
	if err != nil {
		return nil, withWorkbookRecovery(g, err, out)
	}
	ok := false
	defer func() {
		if !ok {
			res.Close()
		}
	}()
	printReadSummary(g, res.Drawn)
	if f := res.Provenance.Factors; f != nil {
		g.infof("%s\n", factorsLine(f))
		if c := f.Population.Caseload; c != nil {
			for _, w := range caseloadWarnings(req.Factors != nil && (req.Factors.Caseloads == nil || req.Factors.Caseloads.OpenWhen == ""), c.StatusColumn, c.StatusValues, c.SuspectDuplicates, c.SuspectPlaceholders, func(n opt.Name) string { return n.Spell(g.Spelling) }) {
				g.infof("%s\n", w)
			}
		}
	}
	if generated {
		g.infof("seed %s (generated; it is recorded in the outputs and re-derives this sample)\n", req.Spec.Seed)
	}
	spec := audit.WorkbookSpec{Provenance: res.Provenance, Columns: res.Provenance.Columns,
		Cases: res.Sample.Cases, Form: req.Form}
	if res.Audit != nil {
		g.infof("recorded audit %q (%s, period %s) in %s\n", res.Audit.Name, words.Count(len(res.Sample.Cases), "case"), res.Audit.Period, g.storeName())
		if req.Form != nil {
			g.infof("audit form %q: %s besides the grade, immediate attention and notes\n", req.Form.Name, words.Count(len(req.Form.Questions), "question"))
		}
		if res.Allocation != nil {
			printAllocation(g, *res.Allocation)
		}
		if spec, err = st.Workbook(ctx, res.Audit.Name, audit.WorkbookOptions{}); err != nil {
			return nil, err
		}
	}
	if out != "" {
		iss.apply(&spec)
		if err := writeWorkbookFile(ctx, out, force, spec); err != nil {
			return nil, err
		}
		g.infof("wrote the auditors' workbook %s (%s)\n", out, words.Count(len(spec.Cases), "case"))
	}
	ok = true
	return res, nil
}

func runSample(ctx context.Context, o *sampleOptions, g *globalOptions) error {
	if err := checkSampleFlags(o); err != nil {
		return err
	}
	if err := o.Issue.check(g.Now()); err != nil {
		return err
	}
	if o.Out == "" && o.Audit == "" && (o.Issue != issueFlags{}) {
		return usagef("--marking, --contact and --return-by go into the auditors' workbook: give --out FILE.xlsx, or --audit NAME to keep them with the audit for every workbook written later")
	}
	var req audit.DrawRequest
	if !o.growing() {
		// The request's own checks (the size, the filters) are mistakes in
		// the command, told before any complaint about files.
		r, err := o.drawRequest(g)
		if err != nil {
			return err
		}
		req = r
	}
	if o.Out != "" {
		if err := atomicfile.Check(o.Out, o.Force); err != nil {
			return err // before the export is read
		}
	}
	if o.growing() {
		return runGrow(ctx, o, g)
	}
	var st *audit.Store
	if o.Audit != "" || o.ExcludeWithin != "" {
		var err error
		if st, err = g.openStore(ctx); err != nil {
			return err
		}
		defer st.Close()
		if o.ExcludeWithin != "" {
			if err := warnNothingToExclude(ctx, g, st); err != nil {
				return err
			}
		}
	}
	res, err := drawAudit(ctx, g, st, req, o.Out, o.Force, o.Issue)
	if err != nil {
		return err
	}
	defer res.Close()
	if err := writeSample(g.IO.Out, o.Format, &res.Provenance, res.Sample.Cases); err != nil {
		return fmt.Errorf("writing the sample to standard output: %w", err)
	}
	return nil
}

// runGrow adds the next o.Grow cases to a recorded audit's sample.
func runGrow(ctx context.Context, o *sampleOptions, g *globalOptions) error {
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newProgress(g, "reading the export")
	req := o.growRequest()
	req.Progress = prog.rows
	res, err := audit.Grow(ctx, st, req)
	prog.done()
	if errors.Is(err, audit.ErrExportMissing) && o.Export == "" {
		// sample names its export as its argument, not with --input.
		return &reworded{strings.Replace(g.spell(err), "name it with "+opt.Input.Flag(),
			"give it as sample's export: caseaudit sample EXPORT --grow "+strconv.Itoa(o.Grow)+" --audit "+shellarg.Quote(o.Audit), 1), err}
	}
	if err != nil {
		return err
	}
	defer res.Close()
	g.infof("added %s to audit %q (now %d)\n", words.Count(len(res.Added), "case"), res.Audit.Name, len(res.Cases))
	if res.Allocation != nil {
		printAllocation(g, *res.Allocation)
	}
	if o.Out != "" {
		spec, err := st.Workbook(ctx, res.Audit.Name, audit.WorkbookOptions{})
		if err != nil {
			return err
		}
		o.Issue.apply(&spec)
		if err := writeWorkbookFile(ctx, o.Out, o.Force, spec); err != nil {
			return err
		}
		g.infof("wrote the auditors' workbook %s (%s)\n", o.Out, words.Count(len(spec.Cases), "case"))
	}
	var added []sample.Selected
	byID := map[string]sample.Selected{}
	for _, c := range res.Sample.Cases {
		byID[c.ID] = c
	}
	for _, c := range res.Added {
		s := byID[c.ID]
		s.Order = c.Order
		added = append(added, s)
	}
	return writeSample(g.IO.Out, o.Format, &res.Audit.Provenance, added)
}

func writeWorkbookFile(ctx context.Context, path string, force bool, spec audit.WorkbookSpec) error {
	return atomicfile.Write(ctx, path, force, func(f *os.File) error {
		return audit.WriteWorkbook(f, spec)
	})
}

// printReadSummary says on stderr what was read and what the population is.
func printReadSummary(g *globalOptions, d *sample.Drawn) {
	p := d.Provenance
	readSummary(g, p.Export, p.Counts, d.Population.FirstDuplicates, p.Filters, p.Exclusion)
}

// readSummary says on stderr what was read from an export: the sheet,
// header row and ID column, the rows and what was skipped, and what the
// filters and an exclusion left.
func readSummary(g *globalOptions, src sample.Source, c sample.Counts, dups []sample.Duplicate, filters []string, x *sample.Exclusion) {
	var b strings.Builder
	fmt.Fprintf(&b, "read %s: ", src.Path)
	if src.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", src.Sheet)
	}
	fmt.Fprintf(&b, "header row %d, ID column %q, %s, %s",
		src.HeaderRow, src.IDColumn, words.Count(c.Rows, "data row"), words.Count(c.Distinct, "distinct ID"))
	var skipped []string
	if c.Blank > 0 {
		skipped = append(skipped, words.Count(c.Blank, "blank row"))
	}
	if c.Footers > 0 {
		skipped = append(skipped, words.Count(c.Footers, "footer row"))
	}
	if c.Duplicates > 0 {
		skipped = append(skipped, words.Count(c.Duplicates, "duplicate ID"))
	}
	if len(skipped) > 0 {
		fmt.Fprintf(&b, "; skipped %s", strings.Join(skipped, ", "))
	}
	b.WriteString("\n")
	if c.Duplicates > 0 {
		var ds []string
		for _, x := range dups {
			ds = append(ds, fmt.Sprintf("%s on row %s (first on row %s)", x.ID, words.Thousands(x.Row), words.Thousands(x.FirstRow)))
		}
		more := ""
		if c.Duplicates > len(ds) {
			more = ", …"
		}
		fmt.Fprintf(&b, "duplicate IDs keep their first row: %s%s\n", strings.Join(ds, ", "), more)
	}
	if len(filters) > 0 {
		fmt.Fprintf(&b, "filters leave %s of %s distinct IDs\n", words.Thousands(c.Distinct-c.FilteredOut), words.Thousands(c.Distinct))
	}
	switch {
	case x != nil && c.Excluded == 0 && g.excludeWarned:
		// The warning that the store holds no audits said it already.
	case x != nil && c.Excluded == 0:
		fmt.Fprintf(&b, "left out no case: none was %s\n", x.Rule)
	case x != nil:
		fmt.Fprintf(&b, "left out %s %s\n", words.Count(c.Excluded, "case"), x.Rule)
	}
	g.infof("%s", b.String())
}

// sampleJSON is the documented, stable JSON form of a sample (see README):
// the provenance, rendered, and the cases.
type sampleJSON struct {
	Tool       string            `json:"tool"`
	Version    string            `json:"version"`
	Seed       string            `json:"seed"`
	Population int               `json:"population"`
	Size       int               `json:"size"`
	Input      inputJSON         `json:"input"`
	Filters    []string          `json:"filters"`
	Strata     *strataJSON       `json:"strata,omitempty"`
	Exclusion  *sample.Exclusion `json:"exclusion,omitempty"`
	Columns    []string          `json:"columns"`
	Skipped    skippedJSON       `json:"skipped"`
	Created    string            `json:"created"`
	Sample     []sampledCaseJSON `json:"sample"`
	// Factors are the factors recorded with the sample (--factors): absent
	// otherwise.
	Factors *sample.Factors `json:"factors,omitempty"`
	// ToolSHA256 is the SHA-256 of the caseaudit executable that drew the
	// sample (Version is its version).
	ToolSHA256 string `json:"tool_sha256,omitempty"`
}

type inputJSON struct {
	Path      string `json:"path"`
	AbsPath   string `json:"abs_path"`
	SHA256    string `json:"sha256"`
	Format    string `json:"format"`
	Sheet     string `json:"sheet"`
	HeaderRow int    `json:"header_row"`
	IDColumn  string `json:"id_column"`
	Rows      int    `json:"rows"`
}

type strataJSON struct {
	Column        string           `json:"column"`
	Allocation    string           `json:"allocation"`
	MinPerStratum int              `json:"min_per_stratum"`
	Strata        []stratumJSONRow `json:"strata"`
}

type stratumJSONRow struct {
	Name       string `json:"name"`
	Population int    `json:"population"`
	Size       int    `json:"size"`
}

type skippedJSON struct {
	Blank       int `json:"blank_rows"`
	Footers     int `json:"footer_rows"`
	Duplicates  int `json:"duplicate_rows"`
	FilteredOut int `json:"filtered_out"`
	Excluded    int `json:"excluded"`
}

type sampledCaseJSON struct {
	Order   int               `json:"order"`
	ID      string            `json:"id"`
	Ticket  string            `json:"ticket"`
	Row     int               `json:"row"`
	Stratum string            `json:"stratum,omitempty"`
	Fields  map[string]string `json:"fields"`
}

func sampleToJSON(p *sample.Provenance, cases []sample.Selected) sampleJSON {
	c := p.Counts
	out := sampleJSON{
		Tool: "caseaudit", Version: p.ToolVersion, Seed: p.Seed, Population: c.Population, Size: len(cases),
		Input: inputJSON{Path: p.Export.Path, AbsPath: p.Export.AbsPath, SHA256: p.Export.SHA256, Format: p.Export.Format,
			Sheet: p.Export.Sheet, HeaderRow: p.Export.HeaderRow, IDColumn: p.Export.IDColumn, Rows: c.Rows},
		Filters:   append([]string{}, p.Filters...),
		Exclusion: p.Exclusion,
		Columns:   append([]string{}, p.Columns...),
		Skipped: skippedJSON{Blank: c.Blank, Footers: c.Footers, Duplicates: c.Duplicates,
			FilteredOut: c.FilteredOut, Excluded: c.Excluded},
		Created:    p.Drawn.UTC().Format("2006-01-02T15:04:05Z"),
		Sample:     []sampledCaseJSON{},
		Factors:    p.Factors,
		ToolSHA256: p.ToolSHA256,
	}
	if p.Stratified() {
		sj := &strataJSON{Column: p.Strata.Column, Allocation: p.Strata.Allocation, MinPerStratum: p.Strata.MinPerStratum}
		for _, st := range p.Strata.Strata {
			sj.Strata = append(sj.Strata, stratumJSONRow{st.Name, st.Population, st.Size})
		}
		out.Strata = sj
	}
	for _, s := range cases {
		fields := map[string]string{}
		for i, name := range p.Columns {
			if i < len(s.Fields) {
				fields[name] = s.Fields[i]
			}
		}
		out.Sample = append(out.Sample, sampledCaseJSON{Order: s.Order, ID: s.ID, Ticket: s.Ticket,
			Row: s.Row, Stratum: s.Stratum, Fields: fields})
	}
	return out
}

// writeSample writes the cases in the chosen format. It writes the data as
// it is: standard output neutralises control characters itself when it is
// a terminal (see run).
func writeSample(w io.Writer, format string, p *sample.Provenance, cases []sample.Selected) error {
	// The stratum gets a column of its own unless it is one of the shown columns.
	strata := p.StrataColumn()
	showStratum := strata != "" && !slices.Contains(p.Columns, strata)
	switch format {
	case "ids":
		var b strings.Builder
		for _, c := range cases {
			b.WriteString(c.ID)
			b.WriteByte('\n')
		}
		_, err := io.WriteString(w, b.String())
		return err
	case "json":
		return writeJSON(w, schema.Sample, sampleToJSON(p, cases))
	}
	header := []string{"#", "case id", "ticket", "row"}
	if format == "csv" {
		header = []string{"order", "id", "ticket", "row"}
	}
	if showStratum {
		header = append(header, strata)
	}
	header = append(header, p.Columns...)
	rows := [][]string{header}
	for _, c := range cases {
		ticket := c.Ticket
		if format != "csv" {
			ticket = sample.ShortTicket(ticket)
		}
		r := []string{fmt.Sprint(c.Order), c.ID, ticket, fmt.Sprint(c.Row)}
		if showStratum {
			r = append(r, c.Stratum)
		}
		rows = append(rows, append(r, c.Fields...))
	}
	if format == "csv" {
		return writeCSV(w, rows)
	}
	return writeTable(w, rows)
}

// fileExists reports whether a path names something that exists.
func fileExists(p string) bool {
	_, err := os.Stat(p)
	return err == nil
}

// warnNothingToExclude says, even with --quiet, when the recent-audit
// exclusion has nothing to work with because the store holds no audit at
// all: most often the command was run in another folder than the team's
// store, and last month's cases could be drawn again.
func warnNothingToExclude(ctx context.Context, g *globalOptions, st *audit.Store) error {
	list, err := st.Audits(ctx)
	if err != nil && !errors.Is(err, audit.ErrNotFound) {
		return err
	}
	if len(list) == 0 {
		abs := g.storeName()
		if !store.IsPostgres(abs) {
			if a, err := filepath.Abs(abs); err == nil {
				abs = a
			}
		}
		g.warnf("nothing could be left out by --exclude-audited-within: the store %s holds no audits; if your audits are in another store, give --db (or run in its folder)", abs)
		g.excludeWarned = true
	}
	return nil
}

// reworded is an error said otherwise for the command at hand, keeping
// what it wraps for the exit code.
type reworded struct {
	msg string
	err error
}

func (e *reworded) Error() string { return e.msg }
func (e *reworded) Unwrap() error { return e.err }
