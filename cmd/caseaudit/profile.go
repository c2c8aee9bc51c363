package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/caseaudit/caseaudit/audit"
	"io"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/spf13/cobra"
)

// profileOptions are the flags of `caseaudit profile`.
type profileOptions struct {
	Export         string
	Open           export.OpenOptions
	Where          []string
	WorkerColumn   string
	ChangesColumn  string
	TeamColumn     string
	CaseloadTarget int
	ChangesAtLeast int
	Timeliness     []string
	AsOf           string
	OpenWhen       string
	WorkerAliases  string
	IncludeNames   bool
	Format         string
	Out            string
	Force          bool
	Marking        string

	targetGiven bool // --caseload-target was on the command line
}

func newProfileCmd(g *globalOptions) *cobra.Command {
	o := &profileOptions{}
	cmd := &cobra.Command{
		Use:   "profile EXPORT [flags]",
		Short: "Profile caseloads, changes of worker and timeliness in an export",
		Long: `Profile the pressures behind an audit from the export a sample is drawn from: the same
cases (distinct case IDs matching every --where condition; duplicate IDs count once, by their
first row; blank and totals rows skipped), read with the same options as 'caseaudit sample'.

Caseload: cases per allocated worker (--worker-column, else detected: Allocated Worker, Social
Worker, Key Worker, Case Worker …): workers, mean, median, largest, the distribution in bands of
five, and with --caseload-target N the workers holding more than N and the share of the
allocated cases they hold. A caseload counts every case of the export whatever --where keeps,
and only the open ones when --open-when says which are open (or a column such as "Case
Status" holds Closed: its values are shown to confirm). Blank workers and texts such as
Unallocated, None, N/A or TBC are counted apart, not as a worker. "Patel, Mohammad" is
"Mohammad Patel"; initials ("M. Patel") and placeholders ("Social worker leaving") are listed
to confirm, never merged: --worker-aliases FILE maps names to one person.

Changes of worker: the distribution of a count column (--changes-column, else detected, e.g.
"Workers in 12m") and the share of cases with 3 or more (--changes-at-least). Cells that are not
whole numbers are counted and listed by row, not dropped silently.

Timeliness: for each --timeliness "FROM..TO<=LIMIT" (LIMIT a whole number of d days, wd working
days Monday to Friday, w weeks or m calendar months), the share of cases where TO is within the
limit after FROM, late, and not done yet (TO blank) — of those, how many are already past the
limit on --as-of (default today) — by team (--team-column, else detected: Team …).

Formats: table (the terminal), markdown, csv, json (schema/profile.json), xlsx (with charts)
and html (one printable page with charts). --out infers the format from the file's extension
and writes the file with mode 0600. Children are never named; teams are named; workers are
counted, and named only with --include-names (which also shows unreadable cells' text).

To see the findings beside these figures, record them with the sample, in the same read:
'caseaudit sample EXPORT --audit NAME --factors' takes the same options (--caseload-target,
--timeliness, …), and the audit's report then groups the audited cases by them.`,
		Example: `  # caseloads and changes of worker, detected from the column names
  caseaudit profile cases.xlsx

  # against a caseload target of 18, with assessment timeliness, as a page for the meeting
  caseaudit profile cases.xlsx --caseload-target 18 \
      --timeliness "Referral Date..Assessment Completed<=45wd" --out profile.html

  # child-protection cases only, two date pairs, as a workbook with charts
  caseaudit profile cases.xlsx -w 'Legal Status=CP' --timeliness "Referral Date..Assessment Completed<=45d" \
      --timeliness "Assessment Completed..Plan Start Date<=6w" --out profile.xlsx

  # for a script: the figures as JSON
  caseaudit profile cases.csv --caseload-target 18 --format json

  # a manager's list of caseloads by worker, named, with the names to confirm
  caseaudit profile cases.xlsx --caseload-target 18 --include-names --out caseloads.xlsx

  # open cases only, with two spellings of one worker mapped to one person
  caseaudit profile cases.xlsx --open-when 'Case Status=Open' --worker-aliases aliases.csv`,
		Args: exactArgs(1, "one export file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Export = args[0]
			o.targetGiven = cmd.Flags().Changed("caseload-target")
			return runProfile(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringArrayVarP(&o.Where, "where", "w", nil, "keep rows where `COLUMN=VALUE` (also != < <= > >=); repeat to combine with AND")
	f.StringVar(&o.WorkerColumn, "worker-column", "", "the allocated worker `COLUMN` (default: detected, e.g. \"Allocated Worker\")")
	f.StringVar(&o.ChangesColumn, "changes-column", "", "a `COLUMN` counting each child's workers or changes of worker (default: detected, e.g. \"Workers in 12m\")")
	f.StringVar(&o.TeamColumn, "team-column", "", "the team `COLUMN` timeliness is broken down by (default: detected, e.g. Team)")
	f.IntVar(&o.CaseloadTarget, "caseload-target", 0, "the most cases a worker should hold: workers above `N` are counted")
	f.IntVar(&o.ChangesAtLeast, "changes-at-least", 3, "count the cases whose changes column is `N` or more")
	f.StringArrayVar(&o.Timeliness, "timeliness", nil, "a date pair and its limit, `\"FROM..TO<=LIMIT\"` (LIMIT: 45d days, 45wd working days, 6w weeks, 3m months); repeat for more")
	f.StringVar(&o.AsOf, "as-of", "", "the `DATE` (yyyy-mm-dd) on which pairs not done yet are judged past the limit (default: today)")
	addCaseloadFlags(f, &o.OpenWhen, &o.WorkerAliases)
	f.BoolVar(&o.IncludeNames, "include-names", false, "name the workers (and show unreadable cells' text)")
	f.StringVarP(&o.Format, "format", "f", "", "output format: table, markdown, csv, json, xlsx or html (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write the profile to this `FILE` instead of stdout")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVar(&o.Marking, "marking", "", "protective marking shown above and below the profile, in the first column of its CSV and on every printed page, e.g. \"OFFICIAL-SENSITIVE\"")
	addReadFlags(cmd, &o.Open)
	return cmd
}

// profileFlags checks the flags and turns them into a Spec, filters and a format.
func profileFlags(o *profileOptions, g *globalOptions) (profile.Spec, []sample.Filter, report.Format, error) {
	var spec profile.Spec
	format, err := pickFormat(o.Format, o.Out)
	if err != nil {
		return spec, nil, "", err
	}
	if format.Binary() && o.Out == "" && g.IO.OutTerminal {
		return spec, nil, "", usagef("an xlsx profile is a file: give --out FILE.xlsx (or redirect stdout)")
	}
	if err := o.Open.Check(); err != nil {
		return spec, nil, "", usagef("%w", err)
	}
	req := audit.FactorRequest{WorkerColumn: o.WorkerColumn, ChangesColumn: o.ChangesColumn, TeamColumn: o.TeamColumn,
		ChangesAtLeast: o.ChangesAtLeast, Timeliness: o.Timeliness, AsOf: o.AsOf, Now: g.Now(),
		OpenWhen: o.OpenWhen, WorkerAliases: o.WorkerAliases}
	if o.targetGiven {
		req.CaseloadTarget = &o.CaseloadTarget
	}
	if err := req.Check(); err != nil {
		return spec, nil, "", &usageError{err}
	}
	var filters []sample.Filter
	for _, w := range o.Where {
		f, err := sample.ParseFilter(w)
		if err != nil {
			return spec, nil, "", usagef("--where: %w", err)
		}
		filters = append(filters, f)
	}
	if spec, err = req.Profile(); err != nil {
		return spec, nil, "", err
	}
	spec.IncludeNames = o.IncludeNames
	return spec, filters, format, nil
}

// columnFlag names the option of a profile column error.
func columnFlag(err error) error {
	var ce *profile.ColumnError
	if !errors.As(err, &ce) {
		return err
	}
	switch ce.Role {
	case "worker":
		return fmt.Errorf("--worker-column: %w", err)
	case "changes":
		return fmt.Errorf("--changes-column: %w", err)
	case "team":
		return fmt.Errorf("--team-column: %w", err)
	case "status":
		return fmt.Errorf("--open-when: %w", err)
	case "timeliness":
		if errors.Is(err, profile.ErrTimeliness) {
			return fmt.Errorf("--%w", err)
		}
		return fmt.Errorf("--timeliness %q: %w", ce.Pair, err)
	}
	return err
}

func runProfile(ctx context.Context, o *profileOptions, g *globalOptions) error {
	spec, filters, format, err := profileFlags(o, g)
	if err != nil {
		return err
	}
	fh := sample.NewFileHasher(o.Export)
	defer fh.Close()
	t, err := export.Open(ctx, o.Export, o.Open)
	if err != nil {
		return err
	}
	defer t.Close()
	p, err := profile.New(spec, t)
	if err != nil {
		return columnFlag(err)
	}
	for _, f := range filters {
		if _, err := t.ColumnIndex(f.Column); err != nil {
			return fmt.Errorf("--where %q: %w", f.String(), err)
		}
	}
	if p.Empty() {
		return fmt.Errorf("%s: nothing to profile: no worker or changes column found (headers: %s) and no --timeliness; name the columns with --worker-column or --changes-column, or give --timeliness \"FROM..TO<=45d\"",
			o.Export, export.ListHeaders(t.Header))
	}
	prog := newProgress(g, "reading "+filepath.Base(o.Export))
	counts, err := profile.Read(ctx, t, p, profile.ReadOptions{Where: filters, Progress: prog.rows, Idle: fh.Step})
	prog.done()
	if err != nil {
		return err
	}
	sum, err := fh.Sum()
	if err != nil {
		return err
	}
	var fs []string
	for _, f := range filters {
		fs = append(fs, f.String())
	}
	readSummary(g, sample.Source{Path: t.Path, Sheet: t.Sheet, HeaderRow: t.HeaderRow, IDColumn: t.Header[t.IDIndex]},
		sample.Counts{Rows: counts.Rows, Blank: counts.Blank, Footers: counts.Footers, Duplicates: counts.Duplicates,
			Distinct: counts.Distinct, FilteredOut: counts.FilteredOut}, counts.FirstDuplicates, fs, nil)
	g.infof("%s\n", profileColumnsLine(p, o))
	res := p.Result()
	if c := res.Caseload; c != nil {
		g.infof("caseloads count %s\n", sample.CountedText(c.OpenWhen, c.Counted, c.OfCases))
		for _, w := range caseloadWarnings(strings.TrimSpace(o.OpenWhen) == "", c.StatusColumn, c.StatusValues, c.SuspectDuplicates, c.SuspectPlaceholders, opt.Name.Flag) {
			g.infof("%s\n", w)
		}
	}

	r := report.NewProfileReport(res,
		report.ProfileInput{Path: o.Export, SHA256: sum, Format: t.Format, Sheet: t.Sheet, HeaderRow: t.HeaderRow,
			IDColumn: t.Header[t.IDIndex], Rows: counts.Rows},
		fs, report.ProfileSkipped{Blank: counts.Blank, Footers: counts.Footers, Duplicates: counts.Duplicates, FilteredOut: counts.FilteredOut},
		g.Now(), version.String(), o.IncludeNames)
	r.Marking = strings.Join(strings.Fields(o.Marking), " ")
	r.ToolSHA256 = version.SHA256()
	ro := report.RenderOptions{Color: o.Out == "" && g.IO.Color()}
	if err := writeOutput(ctx, g, o.Out, o.Force, forPeople(format), func(w io.Writer) error { return report.RenderProfile(w, r, format, ro) }); err != nil {
		return err
	}
	if o.Out != "" {
		g.infof("wrote the profile of %s cases to %s\n", words.Thousands(r.Cases), o.Out)
		for _, s := range r.Summary() {
			g.infof("%s\n", s)
		}
	}
	return nil
}

// profileColumnsLine says which columns the profile uses, and which
// sections are left out for want of a column.
func profileColumnsLine(p *profile.Profiler, o *profileOptions) string {
	var used, missing []string
	if c := p.WorkerColumn(); c != "" {
		used = append(used, fmt.Sprintf("worker column %q", c))
	} else {
		missing = append(missing, "no worker column found, so no caseload (name it with --worker-column)")
	}
	if c := p.ChangesColumn(); c != "" {
		used = append(used, fmt.Sprintf("changes column %q", c))
	} else {
		missing = append(missing, "no changes column found, so no changes of worker (name it with --changes-column)")
	}
	if c := p.TeamColumn(); c != "" {
		if len(o.Timeliness) > 0 {
			used = append(used, fmt.Sprintf("team column %q", c))
		}
	} else if len(o.Timeliness) > 0 {
		missing = append(missing, "no team column found, so timeliness is not broken down by team (name it with --team-column)")
	}
	line := "profile: " + strings.Join(used, ", ")
	if len(used) == 0 {
		line = "profile: timeliness only"
	}
	if len(missing) > 0 {
		line += "; " + strings.Join(missing, "; ")
	}
	return line
}
