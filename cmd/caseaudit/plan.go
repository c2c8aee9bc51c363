package main

import (
	"context"
	"fmt"
	"path/filepath"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/rate"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type planOptions struct {
	Tolerable  string
	Confidence string
	Expected   int
	Population string
	Method     string
	Format     string
	// From reads the population from an export (after Where) instead.
	From  string
	Where []string
	Open  export.OpenOptions
}

func newPlanCmd(g *globalOptions) *cobra.Command {
	o := &planOptions{}
	cmd := &cobra.Command{
		Use:   "plan",
		Short: "How many cases to audit to show the share needing immediate attention is low",
		Long: `Work out the smallest sample size that lets you say, at the given confidence, that fewer
than the tolerable share of all cases need immediate attention — if the audit finds no more
than --expected such cases.

Methods: binomial (the default; a large population), poisson (the approximation many audit
manuals print), hypergeometric (exact for a known --population; the default when it is given).
Percentages may be written 2.5% or 0.025.

--from EXPORT reads the population from the export itself: its distinct case IDs that meet
every --where condition, counted as 'caseaudit sample' counts them.`,
		Example: `  # the classic plan: 95% confidence that fewer than 2.5% need immediate attention
  caseaudit plan --tolerable 2.5% --confidence 95%

  # allowing for one flagged case, in a population of 3,000 open cases
  caseaudit plan --tolerable 5% --expected 1 --population 3000

  # the population read from this month's export: child-protection cases only
  caseaudit plan --tolerable 5% --from cases.xlsx --where 'Legal Status=CP'

  # as JSON, for a script
  caseaudit plan --tolerable 2.5% --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runPlan(cmd.Context(), o, g) },
	}
	f := cmd.Flags()
	f.StringVar(&o.Tolerable, "tolerable", "", "the share you want to show is not exceeded, e.g. 2.5% (required)")
	f.StringVar(&o.Confidence, "confidence", "95%", "confidence level")
	f.IntVar(&o.Expected, "expected", 0, "cases needing immediate attention the plan allows the audit to find")
	f.StringVar(&o.Population, "population", "", "number of cases in the population, e.g. 2,750 (enables the exact hypergeometric plan)")
	f.StringVar(&o.Method, "method", "", "binomial, poisson or hypergeometric (default: hypergeometric with --population, else binomial)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	f.StringVar(&o.From, "from", "", "read the population from this export `FILE` (its distinct case IDs after --where)")
	f.StringArrayVarP(&o.Where, "where", "w", nil, "with --from: count only rows where `COLUMN=VALUE` (also != < <= > >=); repeat to combine with AND")
	addReadFlags(cmd, &o.Open)
	return cmd
}

// populationFrom counts an export's population as sample does (see
// sample.CountPopulation). It says on stderr what it read.
func populationFrom(ctx context.Context, g *globalOptions, o *planOptions) (int, error) {
	req := sample.CountRequest{Export: o.From, Open: o.Open, Where: o.Where}
	if err := req.Check(); err != nil {
		return 0, &usageError{err}
	}
	prog := newProgress(g, "reading "+filepath.Base(o.From))
	req.Progress = prog.rows
	c, err := sample.CountPopulation(ctx, req)
	prog.done()
	if err != nil {
		return 0, err
	}
	var b strings.Builder
	fmt.Fprintf(&b, "read %s: ", o.From)
	if c.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", c.Sheet)
	}
	fmt.Fprintf(&b, "ID column %q, %s, %s", c.IDColumn, words.Count(c.Rows, "data row"), words.Count(c.Distinct, "distinct ID"))
	if c.Filtered {
		fmt.Fprintf(&b, "; filters leave %s", words.Thousands(c.Cases))
	}
	g.infof("%s: the population is %s cases\n", b.String(), words.Thousands(c.Cases))
	if c.Cases == 0 {
		return 0, fmt.Errorf("%s: no case meets the filters; there is nothing to plan for", o.From)
	}
	return c.Cases, nil
}

// rateFlag reads a rate given to a flag, with the one parser for every rate
// (internal/rate): "5%", "5 %" and "0.05" all mean five percent.
func rateFlag(flag string, k rate.Kind, s string) (float64, error) {
	v, err := k.Parse(s)
	if err != nil {
		return 0, usagef("--%s %w", flag, err)
	}
	return v, nil
}

type planJSON struct {
	Method     string  `json:"method"`
	Tolerable  float64 `json:"tolerable"`
	Confidence float64 `json:"confidence"`
	Expected   int     `json:"expected"`
	Population *int    `json:"population"`
	Size       int     `json:"size"`
	Sentence   string  `json:"sentence"`
}

func runPlan(ctx context.Context, o *planOptions, g *globalOptions) error {
	population, err := parseCount("population", o.Population)
	if err != nil {
		return err
	}
	req := audit.PlanRequest{Tolerable: o.Tolerable, Confidence: o.Confidence, Expected: o.Expected,
		Population: population, Method: stats.SampleSizeMethod(o.Method)}
	if o.From != "" {
		req.Population = 1 // known, read below; checked now so a mistake is told before the export is read
	}
	if err := req.Check(); err != nil {
		return &usageError{err}
	}
	if o.From != "" && population > 0 {
		return usagef("give --population or --from, not both")
	}
	if o.From == "" && len(o.Where) > 0 {
		return usagef("--where goes with --from EXPORT")
	}
	if err := o.Open.Check(); err != nil {
		return usagef("%w", err)
	}
	switch o.Format {
	case "table", "json":
	default:
		return usagef("--format %q: use table or json", o.Format)
	}
	if o.From != "" {
		if req.Population, err = populationFrom(ctx, g, o); err != nil {
			return err
		}
	}
	p, err := audit.PlanSize(req)
	if err != nil {
		return err
	}
	n, method, population, sentence := p.Size, string(p.Method), p.Population, p.Sentence()
	if p.AuditEveryCase() {
		g.warnf("the %s plan asks for %s but the population holds only %s: audit every case, or plan with --method hypergeometric (exact for a known population)\n",
			method, words.Count(n, "case"), words.Thousands(population))
	}
	if o.Format == "json" {
		out := planJSON{Method: method, Tolerable: p.Tolerable, Confidence: p.Confidence, Expected: p.Expected, Size: n, Sentence: sentence}
		if population > 0 {
			out.Population = &population
		}
		return writeJSON(g.IO.Out, schema.Plan, out)
	}
	fmt.Fprintf(g.IO.Out, "sample size  %s  (%s)\n%s\n", words.Thousands(n), method, sentence)
	return nil
}

// parseCount reads a whole number of cases given to a flag: "2750", "2,750"
// and "2 750" alike ("" is 0).
func parseCount(flag, s string) (int, error) {
	t := strings.NewReplacer(",", "", " ", "", "_", "", "\u00a0", "").Replace(strings.TrimSpace(s))
	if t == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(t)
	if err != nil || n < 0 {
		return 0, usagef("--%s %q is not a number of cases; write e.g. 2,750", flag, s)
	}
	return n, nil
}
