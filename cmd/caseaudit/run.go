package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/spf13/cobra"
)

// runOptions are the flags of `caseaudit run`.
type runOptions struct {
	Config string
	Stage  string
	Month  string // YYYY-MM; "" = the month of the clock
}

// Stages of `caseaudit run`.
const (
	stageSample = "sample"
	stageReport = "report"
)

func newRunCmd(g *globalOptions) *cobra.Command {
	o := &runOptions{}
	cmd := &cobra.Command{
		Use:   "run CONFIG --stage sample|report",
		Short: "Run one stage of a scheduled monthly audit from a configuration file",
		Long: `Run one stage of a scheduled audit described by a configuration file (YAML; write one
with 'caseaudit init'), for the month of today's date (or --month). Made for cron: it never
prompts, -q leaves only warnings and errors, --log-format json writes one JSON object per
message on stderr.

--stage sample takes the export (input: a path, or a pattern whose newest file by
modification time is used), draws the month's sample with the configured filters, strata,
size or planning parameters, exclusion period and seed, records it in the store as the
month's audit (audit_name), allocates the cases to the auditors, and writes the auditors'
workbook (outputs.workbook). If the month's audit is already in the store it changes
nothing and says so.

--stage report imports every filled workbook found at outputs.filled (default: the
workbook path), each file all-or-nothing, then writes every report in outputs.reports
(replacing the previous ones), comparing the month with the previous month's audit, and
checks fail_above. A workbook with problems is listed and the stage exits 1 after writing
the reports from the findings recorded so far.

` + exitCodesHelp,
		Example: `  # write a commented configuration for this export, then edit it
  caseaudit init exports/cases-2026-07.xlsx

  # crontab: draw on the 1st, report on the 28th at 18:00, as the QA lead on the
  # store's people list (only QA draws a sample)
  CASEAUDIT_USER=jsmith
  0 7 1 * *    cd /srv/qa && caseaudit run audit.yaml --stage sample -q
  0 18 28 * *  cd /srv/qa && caseaudit run audit.yaml --stage report -q --log-format json

  # report on June after the month has turned
  caseaudit run audit.yaml --stage report --month 2026-06`,
		Args: exactArgs(1, "the configuration file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Config = args[0]
			return runRun(cmd.Context(), o, g)
		},
		ValidArgsFunction: func(cmd *cobra.Command, args []string, toComplete string) ([]string, cobra.ShellCompDirective) {
			if len(args) > 0 {
				return nil, cobra.ShellCompDirectiveNoFileComp
			}
			return []string{"yaml", "yml"}, cobra.ShellCompDirectiveFilterFileExt
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Stage, "stage", "", "the stage to run: sample or report (required)")
	f.StringVar(&o.Month, "month", "", "run for this month, `YYYY-MM` (default: the month of today's date)")
	cmd.RegisterFlagCompletionFunc("stage", func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
		return []string{stageSample + "\tdraw the month's sample and write the workbook", stageReport + "\timport the filled workbooks and write the reports"}, cobra.ShellCompDirectiveNoFileComp
	})
	return cmd
}

// runMonth is the moment the templates see: the clock, or the first day
// of --month.
func runMonth(o *runOptions, now time.Time) (time.Time, error) {
	if o.Month == "" {
		return now.UTC(), nil
	}
	t, err := time.Parse("2006-01", strings.TrimSpace(o.Month))
	if err != nil {
		return time.Time{}, usagef("--month %q: write the year and month, e.g. 2026-07", o.Month)
	}
	return t, nil
}

func runRun(ctx context.Context, o *runOptions, g *globalOptions) error {
	g.Spelling = opt.Keys // messages name the configuration's keys, not flags
	switch o.Stage {
	case stageSample, stageReport:
	case "":
		return usagef("give --stage sample (draw the month's sample) or --stage report (import and report)")
	default:
		return usagef("--stage %q: use sample or report", o.Stage)
	}
	when, err := runMonth(o, g.Now())
	if err != nil {
		return err
	}
	c, err := loadRunConfig(o.Config)
	var ps configProblems
	if errors.As(err, &ps) {
		for _, p := range ps {
			g.errorf("%s", oneLine(g.spell(p))) // one problem per line
		}
		return fmt.Errorf("%s: %s; fix %s and run again", o.Config, words.Count(len(ps), "problem"), words.Noun(len(ps), "it", "them"))
	}
	if err != nil {
		return err
	}
	if g.DB == "" && c.Store != "" && os.Getenv("CASEAUDIT_DB") == "" {
		if store.HasPassword(c.Store) {
			// Said of the key, not of --db: a password in a file is read by
			// whoever reads the file and kept in its backups.
			return fmt.Errorf("%s: store: the URL carries a password, which anyone who can read this file (or its backups) sees; remove it and give it in PGPASSWORD, ~/.pgpass or a service file (PGSERVICE) instead", o.Config)
		}
		gg := *g
		gg.DB = c.Store
		if !store.IsPostgres(c.Store) {
			gg.DB = c.rel(c.Store)
		}
		g = &gg
	}
	if d, _ := c.lockTimeout(); d > 0 && !g.LockTimeoutGiven { // checked with the file
		gg := *g
		gg.LockTimeout = d
		g = &gg
	}
	if d, _ := c.dbTimeout(); d > 0 && !g.DBTimeoutGiven {
		gg := *g
		gg.DBTimeout = d
		g = &gg
	}
	d := newTemplateData(when)
	if o.Stage == stageSample {
		return runSampleStage(ctx, c, d, g)
	}
	return runReportStage(ctx, c, d, g)
}

// runSampleStage draws the month's sample, unless its audit exists.
func runSampleStage(ctx context.Context, c *runConfig, d templateData, g *globalOptions) error {
	name, err := c.auditName(d)
	if err != nil {
		return err
	}
	workbook := ""
	if c.Outputs.Workbook != "" {
		p, err := c.expand("outputs.workbook", d)
		if err != nil {
			return err
		}
		workbook = c.rel(p)
	}
	stage := audit.MonthlyDraw{Audit: name, Workbook: workbook}
	var state audit.MonthlyDrawState
	if g.storeExists() {
		st, err := g.openStore(ctx)
		if err != nil {
			return err
		}
		state, err = stage.State(ctx, st)
		st.Close()
		if err != nil {
			return stageStateError(err, g, c)
		}
	} else {
		state, err = stage.State(ctx, nil)
	}
	if err != nil {
		return stageStateError(err, g, c)
	}
	if a := state.Drawn; a != nil {
		g.infof("audit %q already drawn on %s (%d cases, seed %s); nothing changed\n",
			a.Name, a.Created.UTC().Format("2006-01-02"), a.InitialSize, a.Seed())
		if state.WorkbookMissing {
			g.warnf("the workbook %s is not there; the audit's cases are in the store: write it again with caseaudit workbook %s --out %s%s\n",
				workbook, shellarg.Quote(name), shellarg.Quote(workbook), dbArg(g))
		}
		return nil
	}
	input, matches, err := c.resolveInput()
	if err != nil {
		return err
	}
	if matches > 1 {
		g.infof("input %s (the newest of %d files matching %s)\n", input, matches, c.Input)
	} else {
		g.infof("input %s\n", input)
	}
	plan, err := c.plan()
	if err != nil {
		return err
	}
	if c.Plan != nil {
		g.infof("planned sample size %d (%s: tolerable %s, confidence %s, expected %d)\n",
			plan.Size, plan.Method, c.Plan.Tolerable, orDefault(c.Plan.Confidence, "95%"), c.Plan.Expected)
	}
	seed := ""
	if c.Seed != seedGenerate {
		if seed, err = c.expand("seed", d); err != nil {
			return err
		}
	}
	if workbook != "" {
		if err := os.MkdirAll(filepath.Dir(workbook), 0o700); err != nil {
			return fmt.Errorf("outputs.workbook: %w", err)
		}
	}
	form := c.Form
	if form != "" && !isFormKeyword(form) {
		form = c.rel(form)
	}
	f, err := loadForm(form, true)
	if err != nil {
		return err
	}
	req := c.drawRequest(input, seed, name, f)
	req.Spec.ToolVersion, req.Spec.ToolSHA256, req.Spec.Now = version.String(), version.SHA256(), g.Now()
	req.Period = d.Year + "-" + d.Month
	if fr := c.factorRequest(g.Now()); fr != nil {
		if req.Factors, err = fr.Spec(); err != nil {
			return c.errOpt(err)
		}
	}
	if err := req.Check(); err != nil {
		return err
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := drawAudit(ctx, g, st, req, workbook, false, issueFlags{Marking: c.Marking, Contact: c.Contact})
	if err != nil {
		return c.pinnedSheetError(err, input)
	}
	if len(c.Auditors) == 0 {
		// A later run of the stage changes nothing, so adding auditors to
		// the file afterwards would not allocate this month's cases.
		g.warnf("%s names no auditors, so the cases are not allocated; allocate them with: caseaudit allocate %s --auditors \"NAME,NAME\"\n",
			filepath.Base(c.path), shellarg.Quote(name))
	}
	return res.Close()
}

// pinnedSheetError words a sheet the configuration pins that this month's
// export does not have (renamed since): where it is pinned, and what to
// change there.
func (c *runConfig) pinnedSheetError(err error, input string) error {
	var ns *export.NoSheetError
	if !errors.As(err, &ns) || c.Sheet == "" {
		return err
	}
	where := c.path
	if l, ok := c.lines["sheet"]; ok {
		where = fmt.Sprintf("%s, line %d", c.path, l)
	}
	change := ""
	switch len(ns.Sheets) {
	case 0:
	case 1:
		change = fmt.Sprintf("; its only sheet is %q: change the line to sheet: %q", ns.Sheets[0], ns.Sheets[0])
	default:
		quoted := make([]string, len(ns.Sheets))
		for i, s := range ns.Sheets {
			quoted[i] = strconv.Quote(s)
		}
		change = fmt.Sprintf("; its sheets are %s: change the line to the one with the cases", strings.Join(quoted, ", "))
	}
	return fmt.Errorf("%s has no sheet %q, which %s pins (sheet: %q)%s, or remove the line so that each run finds the sheet with the ID column",
		input, ns.Want, where, ns.Want, change)
}

// stageStateError words what stops the sample stage before it draws: a
// workbook already where this month's would go, of an audit the store
// does not hold.
func stageStateError(err error, g *globalOptions, c *runConfig) error {
	var inTheWay *audit.WorkbookInTheWayError
	if errors.As(err, &inTheWay) {
		return fmt.Errorf("%s already exists but the audit %q is not in the store %s; move the file away (or fix store/audit_name in %s) and run again",
			inTheWay.Workbook, inTheWay.Audit, g.storeName(), c.path)
	}
	return err
}

func isFormKeyword(s string) bool {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "default", "none":
		return true
	}
	return false
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// dbArg is " --db STORE" for a command suggested to a person, when the run
// used a store other than the default: the person's shell may have neither
// the configuration's store nor $CASEAUDIT_DB, and a command run without it
// would look in ./caseaudit.db. A file is named by its absolute path, as the
// person may be in another folder; a PostgreSQL URL without its password.
func dbArg(g *globalOptions) string {
	where := g.storePath()
	if where == store.DefaultPath && g.DB == "" {
		return ""
	}
	if store.IsPostgres(where) {
		where = store.Redact(where)
	} else if abs, err := filepath.Abs(where); err == nil {
		where = abs
	}
	return " --db " + shellarg.Quote(where)
}

// runReportStage imports the month's filled workbooks and writes its reports.
func runReportStage(ctx context.Context, c *runConfig, d templateData, g *globalOptions) error {
	name, err := c.auditName(d)
	if err != nil {
		return err
	}
	files, patterns, err := c.filledFiles(d)
	if err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if c.Outputs.Reason != "" {
		g.warnf("outputs.correction_reason in %s is no longer used and corrects nothing: a scheduled run corrects no finding, a person names each one with caseaudit import --correct; remove the line\n", c.path)
	}
	figs, err := c.figures().Parse() // checked when the configuration was read
	if err != nil {
		return c.errOpt(err)
	}
	req := report.RunRequest{Audit: name, Files: files, Import: audit.ImportOptions{Unattended: true}, Limit: figs.Limit, On: figs.On,
		Options: report.Options{Confidence: figs.Confidence, Method: figs.Method, By: c.By, Now: g.Now, ToolVersion: version.String(), ToolSHA256: version.SHA256(), Marking: c.Marking, NoStaffNames: c.NoStaffNames}}
	if prev, err := c.auditName(newTemplateData(firstOfMonth(d).AddDate(0, -1, 0))); err == nil {
		req.Previous = prev
	}
	req.Imported = func(f string, res *audit.ImportResult, err error) {
		var ie *audit.ImportError
		if errors.As(err, &ie) && len(ie.Differing) > 0 {
			defer g.errorf("%s changes %s already recorded, and a scheduled run corrects no finding: a person who means to correct %s runs: caseaudit import %s %s%s --correct %s --reason \"WHY\" (or fix the %s to match)",
				f, words.Count(len(ie.Differing), "finding"), words.Noun(len(ie.Differing), "it", "them"), shellarg.Quote(name), shellarg.Quote(f), dbArg(g), shellarg.Quote(strings.Join(ie.Differing, ",")), words.Noun(len(ie.Differing), "row", "rows"))
		}
		res, err = showImport(g, []string{f}, res, err, false)
		if err != nil {
			if msg := oneLine(g.spell(err)); msg != "" { // a refused file's problems are listed already
				if !strings.Contains(msg, f) {
					msg = f + ": " + msg // several files: say which one this stopped
				}
				g.errorf("%s", msg)
			}
			return
		}
		g.infof("%s: %s recorded, %s, %d unchanged, %d without a finding%s\n",
			f, words.Count(res.Recorded, findingNoun(res)), words.Count(res.Corrections, "correction"), res.Unchanged, res.Empty, blankModerators(res))
	}
	res, err := report.Run(ctx, st, req)
	if errors.Is(err, audit.ErrNotFound) {
		return fmt.Errorf("there is no audit %q in %s yet: run the sample stage first (caseaudit run %s --stage sample)", name, g.storeName(), shellarg.Quote(c.path))
	}
	if err != nil {
		return err
	}
	if len(files) == 0 && len(patterns) > 0 {
		g.infof("no filled workbook found at %s; reporting the findings already recorded\n", strings.Join(patterns, ", "))
	}
	r := res.Report
	warnMarkingUnknown(g, c.Marking, r.Trend)
	if len(c.Outputs.Reports) == 0 {
		if err := writeReport(ctx, g, r, report.Table, "", false, false); err != nil {
			return err
		}
	}
	for i, out := range c.Outputs.Reports {
		p, err := c.expand(fmt.Sprintf("outputs.reports.%d", i+1), d)
		if err != nil {
			return err
		}
		p = c.rel(p)
		f, err := pickFormat(out.Format, p)
		if err != nil {
			return fmt.Errorf("outputs.reports.%d: %w", i+1, err)
		}
		if err := os.MkdirAll(filepath.Dir(p), 0o700); err != nil {
			return fmt.Errorf("outputs.reports: %w", err)
		}
		if err := writeReport(ctx, g, r, f, p, true, false); err != nil {
			return err
		}
		g.infof("wrote the report on %s to %s\n", r.Audit, p)
	}
	g.infof("%s\n", r.Sentence)
	if r.Comparison != nil {
		g.infof("%s\n", r.Comparison.Sentence)
	}
	failure, warning := res.Failure()
	if v := res.Verdict; v != nil && v.Failure() == nil {
		sayVerdict(g, *v) // within the limit
	}
	if warning != nil {
		g.warnf("%s\n", g.spell(warning))
	}
	return failure
}

func firstOfMonth(d templateData) time.Time {
	t, _ := time.Parse("2006-01", d.Year+"-"+d.Month)
	return t
}

// oneLine is a message on one line.
func oneLine(msg string) string {
	return strings.Join(strings.Fields(msg), " ")
}
