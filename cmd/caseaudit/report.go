package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/spf13/cobra"
)

// reportOptions are the flags of `caseaudit report`. The zero value (with
// Audit "" for the latest audit) prints the table: runReport fills defaults.
type reportOptions struct {
	Audit        string
	Format       string
	Out          string
	Force        bool
	Confidence   string
	Method       string
	By           string
	Compare      string
	NoCompare    bool
	Cases        bool
	IncludeNames bool
	NoStaffNames bool
	FailAbove    string
	On           string
	Marking      string
	Factors      bool
	// Pooled view: several audits, or the audits of a period.
	Audits []string
	Period string
}

func newReportCmd(g *globalOptions) *cobra.Command {
	o := &reportOptions{}
	cmd := &cobra.Command{
		Use:   "report [AUDIT...]",
		Short: "Report the share of cases needing immediate attention, grades, moderation and change",
		Long: `Report on an audit (default: the latest): how many sampled cases were audited, how many
needed immediate attention with an exact confidence interval and upper bounds, the grade mix,
a breakdown by any recorded field, the answers to the audit form's focus areas (counts per
answer and the share Good or better, Not applicable left out, with a team × focus-area table),
the follow-up actions on flagged cases (opened, and its parts: waiting for a response, responded
but not yet closed, closed; overdue as of today; median days to response), the agreement between auditors and moderators, and the comparison with the
previous audit (or --compare), in one plain-English sentence and in figures.

Formats: table (the terminal), markdown, csv (the figures, or one row per case with --cases),
json (one object, numbers as numbers, null where a figure is undefined), xlsx (a workbook with
Summary, Cases, Breakdown, Focus areas, Moderation and Trend sheets and charts) and html (one
printable file with charts). In xlsx and html the team × focus-area table is a heat map of the
share Good or better: red below 50%, amber below 75%, green from 75%. --out infers the format from the file's extension and writes the file with mode
0600. Children are never named: reports show case IDs and non-personal fields only, unless
--include-names. Staff are named where shown — the shown columns naming them (e.g. Allocated
Worker) and the auditors and moderators; --no-staff-names (config: no_staff_names: true)
leaves them out.

When the sample recorded the factors behind the findings (sample --factors, or factors: in a
scheduled run's configuration), a Factors section groups the audited cases by caseload against
the target, changes of worker and timeliness, with the share flagged and the share Good or
better in each group, exact intervals, and Fisher's exact test (two groups) or the chi-squared
test for trend (ordered groups). A difference is an association in the sample, not a cause;
groups expecting fewer than 5 cases are called too small to tell; the headline is unchanged.
Every format shows it (json: "factors"); --factors makes an audit without factors an error.

--fail-above exits with code 3 when the share flagged is above the limit (with --on upper, when
the upper bound of its interval is), for scripted monthly runs.

Several audits (report A B C), or --period 2026-Q3 (a quarter, a month, or 2026-07..2026-09),
give the pooled view: the cases and the flagged of every audit, and the share over them. When
every audit is a simple random sample of the same population definition (same filters and
exclusion rule, not stratified) at about the same sampling fraction, they are pooled as one
sample with an exact interval; otherwise each audit's share is weighted by its population, the
method is named and no naive sum is made. The pooled view is written as table, markdown, csv or
json (schema urn:caseaudit:schema:pooled:2, schema/pooled.json), under --marking, else the
markings its audits were handed out under, joined (in CSV the first column of every row).`,
		Example: `  # the latest audit, on the terminal
  caseaudit report

  # for the management meeting: a printable page and a workbook
  caseaudit report "2026-07 monthly" --out 2026-07-report.html
  caseaudit report "2026-07 monthly" --out 2026-07-report.xlsx

  # by team, with 90% intervals, as JSON for a script
  caseaudit report --by Team --confidence 90% --format json

  # a monthly cron job: exit 3 when more than 5% need immediate attention
  caseaudit report --quiet --fail-above 5% --out report.html

  # the quarter over its three monthly samples
  caseaudit report --period 2026-Q3`,
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 || o.Period != "" {
				o.Audits = args
				return runPooled(cmd.Context(), o, g)
			}
			if len(args) == 1 {
				o.Audit = args[0]
			}
			return runReport(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", "output format: table, markdown, csv, json, xlsx or html (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write the report to this `FILE` instead of stdout")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVar(&o.Confidence, "confidence", "95%", "confidence level of the intervals")
	f.StringVar(&o.Method, "method", report.MethodClopperPearson, "interval for the share: clopper-pearson (exact) or wilson")
	f.StringVar(&o.By, "by", "", "break the figures down by this `FIELD`: a recorded column (e.g. Team), stratum or auditor (default: the stratum when stratified)")
	f.StringVar(&o.Compare, "compare", "", "compare with this `AUDIT` (default: the previous one)")
	f.BoolVar(&o.NoCompare, "no-compare", false, "leave out the comparison with another audit")
	f.BoolVar(&o.Cases, "cases", false, "csv: one row per case; json: include every case")
	f.BoolVar(&o.IncludeNames, "include-names", false, "include personal columns (names, dates of birth …) the audit recorded")
	f.BoolVar(&o.NoStaffNames, "no-staff-names", false, "name no member of staff: leave out the columns naming staff (e.g. Allocated Worker) and the auditors and moderators")
	f.StringVar(&o.FailAbove, "fail-above", "", "exit with code 3 when the share flagged is above this `SHARE` (e.g. 5%)")
	f.StringVar(&o.On, "on", string(report.OnShare), "what --fail-above compares: share (the observed share) or upper (the interval's upper bound)")
	f.StringVar(&o.Marking, "marking", "", "protective marking shown in the title block and on every printed page, e.g. \"OFFICIAL-SENSITIVE\" (default: the audit's own marking, then those of the other audits its trend shows)")
	f.StringVar(&o.Period, "period", "", "pool the audits of this `PERIOD`: a quarter (2026-Q3), a month (2026-07) or months (2026-07..2026-09)")
	f.BoolVar(&o.Factors, "factors", false, "require the factors section: fail when the audit's sample recorded no factors (every format shows them when it did)")
	return cmd
}

// pickFormat decides the output format from --format and --out.
func pickFormat(format, out string) (report.Format, error) {
	if format != "" {
		f, err := report.ParseFormat(format)
		if err != nil {
			return "", usagef("--format: %w", err)
		}
		if out != "" {
			if g, ok := report.FormatForPath(out); ok && g != f {
				return "", usagef("--out %s looks like %s but --format is %s; make them agree", out, g, f)
			}
		}
		return f, nil
	}
	if out != "" {
		f, ok := report.FormatForPath(out)
		if !ok {
			return "", usagef("--out %s: say the format with --format, or end the file name with .html, .xlsx, .md, .csv, .json or .txt", out)
		}
		return f, nil
	}
	return report.Table, nil
}

type reportCommon struct {
	format  report.Format
	opts    report.Options
	figures report.Figures
}

// commonReportFlags checks the flags report and trend share.
func commonReportFlags(g *globalOptions, format, out string, fr report.FigureRequest) (reportCommon, error) {
	var c reportCommon
	f, err := pickFormat(format, out)
	if err != nil {
		return c, err
	}
	if f.Binary() && out == "" && g.IO.OutTerminal {
		return c, usagef("an xlsx report is a file: give --out FILE.xlsx (or redirect stdout)")
	}
	if c.figures, err = fr.Parse(); err != nil {
		return c, &usageError{err}
	}
	c.format = f
	c.opts = report.Options{Confidence: c.figures.Confidence, Method: c.figures.Method, Now: g.Now, ToolVersion: version.String(), ToolSHA256: version.SHA256()}
	return c, nil
}

// writeOutput renders to --out atomically (mode 0600) or to stdout; on
// stdout, a format for people (forPeople) in the locale's character set.
func writeOutput(ctx context.Context, g *globalOptions, out string, force, people bool, render func(w io.Writer) error) error {
	if out == "" {
		if people {
			return render(g.textOut())
		}
		return render(g.IO.Out)
	}
	err := atomicfile.Write(ctx, out, force, func(f *os.File) error { return render(f) })
	var we *atomicfile.WriteError
	if err != nil && !errors.Is(err, atomicfile.ErrExists) && !errors.Is(err, context.Canceled) && !errors.As(err, &we) {
		// What the rendering refused; a file that could not be written
		// names itself already.
		return fmt.Errorf("writing %s: %w", out, err)
	}
	return err
}

func runReport(ctx context.Context, o *reportOptions, g *globalOptions) error {
	on := o.On
	if strings.EqualFold(strings.TrimSpace(on), string(report.OnShare)) {
		on = "" // the flag's default, which needs no --fail-above
	}
	c, err := commonReportFlags(g, o.Format, o.Out, report.FigureRequest{Confidence: o.Confidence, Method: o.Method, FailAbove: o.FailAbove, On: on})
	if err != nil {
		return err
	}
	if o.Cases && c.format != report.CSV && c.format != report.JSON {
		return usagef("--cases goes with --format csv or json (the xlsx report always has a Cases sheet)")
	}
	if o.Compare != "" && o.NoCompare {
		return usagef("give --compare or --no-compare, not both")
	}
	opts := c.opts
	opts.By, opts.Compare, opts.NoCompare, opts.IncludeNames, opts.Cases = o.By, o.Compare, o.NoCompare, o.IncludeNames, o.Cases
	opts.NoStaffNames = o.NoStaffNames
	opts.Marking = strings.Join(strings.Fields(o.Marking), " ")
	opts.Limit = c.figures.Limit // drawn on the trend charts
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	r, err := report.Build(ctx, st, o.Audit, opts)
	if err != nil {
		return err
	}
	warnMarkingUnknown(g, opts.Marking, r.Trend)
	if o.Factors && r.Factors == nil {
		return fmt.Errorf("audit %q recorded no factors, so the report has no factors section; record them when drawing the sample (caseaudit sample … --audit NAME --factors, or factors: in the configuration of caseaudit run)", r.Audit)
	}
	if err := writeReport(ctx, g, r, c.format, o.Out, o.Force, o.Cases); err != nil {
		return err
	}
	if o.Out != "" {
		g.infof("wrote the report on %s to %s\n%s\n", r.Audit, o.Out, r.Sentence)
	}
	if c.figures.Limit == nil {
		return nil
	}
	return sayVerdict(g, r.Judge(*c.figures.Limit, c.figures.On))
}

// writeReport renders a report to out (atomically, mode 0600) or to
// standard output.
func writeReport(ctx context.Context, g *globalOptions, r *report.Report, f report.Format, out string, force, cases bool) error {
	ro := report.RenderOptions{Color: out == "" && g.IO.Color(), Cases: cases}
	return writeOutput(ctx, g, out, force, forPeople(f), func(w io.Writer) error { return report.Render(w, r, f, ro) })
}

// sayVerdict says on stderr that the report is within its limit, or ends
// the command with the verdict's failure (exit 3 above the limit).
func sayVerdict(g *globalOptions, v report.Verdict) error {
	if err := v.Failure(); err != nil {
		return err
	}
	g.infof("%s\n", v.Text().Spell(g.Spelling))
	return nil
}

// runPooled writes the pooled view of several audits (or a period's).
func runPooled(ctx context.Context, o *reportOptions, g *globalOptions) error {
	c, err := commonReportFlags(g, o.Format, o.Out, report.FigureRequest{Confidence: o.Confidence, Method: o.Method})
	if err != nil {
		return err
	}
	if o.Period != "" && len(o.Audits) > 0 {
		return usagef("give --period or the audits' names, not both")
	}
	if o.FailAbove != "" || o.By != "" || o.Compare != "" || o.Cases || o.Factors {
		return usagef("--fail-above, --by, --compare, --cases and --factors go with the report of one audit, not the pooled view")
	}
	if o.Period != "" {
		if _, _, err := report.PeriodMonths(o.Period); err != nil {
			return usagef("--period: %v", err)
		}
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	opts := c.opts
	opts.Marking = strings.Join(strings.Fields(o.Marking), " ")
	p, err := report.BuildPooled(ctx, st, o.Audits, o.Period, opts)
	if err != nil {
		return err
	}
	return writeOutput(ctx, g, o.Out, o.Force, forPeople(c.format), func(w io.Writer) error { return report.RenderPooled(w, p, c.format) })
}
