package main

import (
	"context"
	"io"

	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/spf13/cobra"
)

// trendOptions are the flags of `caseaudit trend`.
type trendOptions struct {
	Format     string
	Out        string
	Force      bool
	Confidence string
	Method     string
}

func newTrendCmd(g *globalOptions) *cobra.Command {
	o := &trendOptions{}
	cmd := &cobra.Command{
		Use:   "trend",
		Short: "Show the share needing immediate attention and the grade mix of every audit, oldest first",
		Long: `Show, for every audit in the store (oldest first), the cases audited, the share needing
immediate attention with its confidence interval, and the grade mix; beside the share, for
audits whose sample recorded a caseload target (sample --caseload-target), the share of the
population's workers holding more cases than the target.

Formats as for 'caseaudit report': table, markdown, csv, json, xlsx (with a chart of the share
and its interval, and one of the grade mix) and html (with the same charts, inline).`,
		Example: `  caseaudit trend
  caseaudit trend --format csv > trend.csv
  caseaudit trend --out trend.xlsx`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runTrend(cmd.Context(), o, g) },
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", "output format: table, markdown, csv, json, xlsx or html (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write the trend to this `FILE` instead of stdout")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVar(&o.Confidence, "confidence", "95%", "confidence level of the intervals")
	f.StringVar(&o.Method, "method", report.MethodClopperPearson, "interval for the share: clopper-pearson (exact) or wilson")
	return cmd
}

func runTrend(ctx context.Context, o *trendOptions, g *globalOptions) error {
	c, err := commonReportFlags(g, o.Format, o.Out, o.Confidence, o.Method)
	if err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	t, err := report.BuildTrend(ctx, st, c.opts)
	if err != nil {
		return err
	}
	ro := report.RenderOptions{Color: o.Out == "" && g.IO.Color()}
	if err := writeOutput(ctx, g, o.Out, o.Force, func(w io.Writer) error { return report.RenderTrend(w, t, c.format, ro) }); err != nil {
		return err
	}
	if o.Out != "" {
		g.infof("wrote the trend of %d audits to %s\n", len(t.Audits), o.Out)
	}
	return nil
}
