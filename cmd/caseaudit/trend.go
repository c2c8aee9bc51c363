package main

import (
	"context"
	"io"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/spf13/cobra"
)

// trendOptions are the flags of `caseaudit trend`.
type trendOptions struct {
	Format       string
	Out          string
	Force        bool
	Confidence   string
	Method       string
	Limit        string
	Marking      string
	By           string
	IncludeNames bool
}

func newTrendCmd(g *globalOptions) *cobra.Command {
	o := &trendOptions{}
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "Show the share needing immediate attention, the grade mix and the focus areas of every audit, oldest first",
		Long: `Show, for every audit in the store (oldest first), the cases audited, the share needing
immediate attention with its confidence interval, the grade mix, and the share Good or better,
overall and for each focus area of the audit's form; beside the share, for audits whose sample
recorded a caseload target (sample --caseload-target), the share of the population's workers
holding more cases than the target.

Formats as for 'caseaudit report': table, markdown, csv, json, xlsx (with a chart of the share
and its interval, one of the grade mix and one of the share Good or better) and html (with the
same charts, inline). --limit draws the tolerable rate (or the fail_above of a scheduled run) as
a line on the chart of the share.

--by COLUMN adds the share needing immediate attention in each group of a shown column (Team,
or "stratum" for the strata) audit by audit: a row per group, a column per audit, each cell the
share, the cases flagged of those audited and the exact interval, marked when the group holds
too few cases to tell it apart from the rest (were it like its audit, it would expect fewer
than 5 cases needing immediate attention, or fewer than 5 not). CSV is then one row per audit
and group; JSON adds "groups" to each audit. An audit not every case of which is recorded yet
is marked incomplete in every format.

Every format carries the protective marking: --marking, else the markings of the audits it
shows (sample --marking; a retired audit's as its sealed summary keeps it), joined when they
differ. CSV carries it as its first column, "marking", on every row, so that the file stays
one table and a copy filtered to some rows keeps it.`,
		Example: `  caseaudit trend
  caseaudit trend --format csv > trend.csv
  caseaudit trend --out trend.xlsx --limit 5% --marking OFFICIAL-SENSITIVE
  caseaudit trend --by Team --out trend-by-team.html`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTrend(cmd.Context(), o, g) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", "output format: table, markdown, csv, json, xlsx or html (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write the trend to this `FILE` instead of stdout")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVar(&o.Confidence, "confidence", "95%", "confidence level of the intervals")
	f.StringVar(&o.Method, "method", report.MethodClopperPearson, "interval for the share: clopper-pearson (exact) or wilson")
	f.StringVar(&o.Limit, "limit", "", "draw this `SHARE` (the tolerable rate, e.g. 5%) as a line on the chart of the share needing immediate attention")
	f.StringVar(&o.Marking, "marking", "", "protective marking shown in the title block and on every printed page, e.g. \"OFFICIAL-SENSITIVE\" (default: the markings the audits were handed out under)")
	f.StringVar(&o.By, "by", "", "add the share in each group of this shown `COLUMN` (e.g. Team), or \"stratum\", audit by audit")
	f.BoolVar(&o.IncludeNames, "include-names", false, "allow --by a column holding personal details")
	return cmd
}

func runTrend(ctx context.Context, o *trendOptions, g *globalOptions) error {
	c, err := commonReportFlags(g, o.Format, o.Out, report.FigureRequest{Confidence: o.Confidence, Method: o.Method})
	if err != nil {
		return err
	}
	if o.Limit != "" {
		limit, err := rateFlag("limit", rate.Limit, o.Limit)
		if err != nil {
			return err
		}
		c.opts.Limit = &limit
	}
	c.opts.Marking = strings.Join(strings.Fields(o.Marking), " ")
	c.opts.By, c.opts.IncludeNames = strings.TrimSpace(o.By), o.IncludeNames
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := report.BuildTrend(ctx, st, c.opts)
	if err != nil {
		return err
	}
	warnMarkingUnknown(g, c.opts.Marking, t.Audits)
	ro := report.RenderOptions{Color: o.Out == "" && g.IO.Color()}
	if err := writeOutput(ctx, g, o.Out, o.Force, forPeople(c.format), func(w io.Writer) error { return report.RenderTrend(w, t, c.format, ro) }); err != nil {
		return err
	}
	if o.Out != "" {
		g.infof("wrote the trend of %d audits to %s\n", len(t.Audits), o.Out)
	}
	return nil
}

// warnMarkingUnknown says, when no marking was given, which retired audits
// a view shows whose markings it cannot carry: their sealed summaries were
// made before summaries kept an audit's marking.
func warnMarkingUnknown(g *globalOptions, given string, ps []report.TrendPoint) {
	names := report.RetiredMarkingUnknown(ps)
	if given != "" || len(names) == 0 {
		return
	}
	q := make([]string, len(names))
	for i, n := range names {
		q[i] = strconv.Quote(n)
	}
	g.warnf("no protective marking is kept for the retired %s %s (retired before sealed summaries kept it), so the marking shown is the other audits' alone: give --marking to mark it as %s too\n",
		words.Noun(len(names), "audit", "audits"), strings.Join(q, ", "), words.Noun(len(names), "that audit was", "those audits were"))
}
