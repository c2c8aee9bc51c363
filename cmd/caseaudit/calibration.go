package main

import (
	"context"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/spf13/cobra"
)

// calibrationOptions are the flags of `caseaudit calibration`.
type calibrationOptions struct {
	Audits  []string
	Format  string
	Out     string
	Force   bool
	Marking string
}

func newCalibrationCmd(g *globalOptions) *cobra.Command {
	o := &calibrationOptions{}
	cmd := &cobra.Command{
		Use:   "calibration [AUDIT...]",
		Short: "Compare each auditor's grades with the moderators' across audits",
		Long: `Compare, for each auditor, the grades of the moderated cases of the audits named (every
audit in the store when none) with the moderators' grades of the same cases: how many the
moderator graded the same, how many within one grade, Cohen's kappa on the four grades (from
10 moderated cases), and how the disagreements lean — graded higher (better) or lower than the
moderator — with the two-sided sign test. A lean is called only below the 5% level; a case
counts once, by its latest findings.

Formats: table, markdown, csv, json (schema urn:caseaudit:schema:calibration:2,
schema/calibration.json), and for print xlsx and html (--out FILE.xlsx or FILE.html: A4, the
marking and page numbers on every page). The marking is --marking, else the markings the audits
were handed out under (sample --marking), joined when they differ; CSV carries it as its first
column, "marking", on every row. The report of an audit carries the same section over
the audits up to it; report --period carries it over the period's audits.`,
		Example: `  caseaudit calibration
  caseaudit calibration "2026-07 monthly" "2026-08 monthly" "2026-09 monthly" --format csv
  caseaudit calibration --out calibration.xlsx --marking OFFICIAL-SENSITIVE`,
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audits = args
			return runCalibration(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "", "output format: table, markdown, csv, json, xlsx or html (default: from --out's extension, else table)")
	f.StringVarP(&o.Out, "out", "o", "", "write the calibration to this `FILE` instead of stdout")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVar(&o.Marking, "marking", "", "protective marking shown above and below it, and on every printed page, e.g. \"OFFICIAL-SENSITIVE\" (default: the markings the audits were handed out under)")
	return cmd
}

func runCalibration(ctx context.Context, o *calibrationOptions, g *globalOptions) error {
	format, err := pickFormat(o.Format, o.Out)
	if err != nil {
		return err
	}
	if format.Binary() && o.Out == "" && g.IO.OutTerminal {
		return usagef("--format %s writes a workbook: give --out FILE.xlsx", format)
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	c, err := report.BuildCalibration(ctx, st, o.Audits, strings.Join(strings.Fields(o.Marking), " "))
	if err != nil {
		return err
	}
	if c.Pairs == 0 {
		g.infof("no moderated case with both grades in %s: moderate some first (caseaudit moderate)\n", strings.Join(c.NotModerated, ", "))
	}
	return writeOutput(ctx, g, o.Out, o.Force, forPeople(format), func(w io.Writer) error { return report.RenderCalibration(w, c, format) })
}
