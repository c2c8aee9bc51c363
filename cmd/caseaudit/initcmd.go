package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/spf13/cobra"
	"go.yaml.in/yaml/v3"
)

// initOptions are the flags of `caseaudit init`.
type initOptions struct {
	Export string // a path or a pattern; "" writes the template with placeholders
	Out    string
	Force  bool
	Open   export.OpenOptions
}

func newInitCmd(g *globalOptions) *cobra.Command {
	o := &initOptions{}
	cmd := &cobra.Command{
		Use:   "init [EXPORT]",
		Short: "Write a commented configuration file for scheduled runs (caseaudit run)",
		Long: `Write a commented configuration file for 'caseaudit run', to edit before the first run.

Given an export (a file, or a pattern such as 'exports/*.xlsx' whose newest match is read),
the sheet, header row, ID column and a team column are detected and filled in, and the
input is the export as you wrote it: give a pattern so each month's run takes the newest
export. The file is written with mode 0600 and never replaces an existing one without
--force; --out - prints it instead.`,
		Example: `  caseaudit init 'exports/cases-*.xlsx'
  caseaudit init --out monthly.yaml
  caseaudit run caseaudit.yaml --stage sample`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("%s takes at most one export (got %d arguments); quote a pattern so the shell leaves it alone", cmd.CommandPath(), len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Export = args[0]
			}
			return runInit(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "caseaudit.yaml", "write the configuration to this `FILE` (- for stdout)")
	f.BoolVar(&o.Force, "force", false, "replace an existing file")
	addReadFlags(cmd, &o.Open)
	return cmd
}

// detected is what init learns from an export.
type detected struct {
	Input     string
	Sheet     string
	HeaderRow int
	IDColumn  string
	Team      string
	Worker    string
	Rows      int
}

func runInit(ctx context.Context, o *initOptions, g *globalOptions) error {
	if err := o.Open.Check(); err != nil {
		return usagef("%w", err)
	}
	if o.Out != "-" && !o.Force && fileExists(o.Out) {
		return fmt.Errorf("%s already exists; give --force to replace it, or --out another file", o.Out)
	}
	var d *detected
	if o.Export != "" {
		var err error
		if d, err = detectExport(ctx, o, g); err != nil {
			return err
		}
	}
	where, err := initStore(g)
	if err != nil {
		return err
	}
	text := configTemplate(d, where)
	// The template must always be a valid configuration.
	if _, err := parseRunConfig("the template", []byte(text)); err != nil {
		return fmt.Errorf("internal error: %w", err)
	}
	if o.Out == "-" {
		_, err := fmt.Fprint(g.IO.Out, text)
		return err
	}
	err = atomicfile.Write(ctx, o.Out, o.Force, func(f *os.File) error {
		_, err := f.WriteString(text)
		return err
	})
	if err != nil {
		return err
	}
	g.infof("wrote %s; edit it, then run: caseaudit run %s --stage sample\n", o.Out, shellarg.Quote(o.Out))
	return nil
}

// detectExport opens the export (the newest match of a pattern) and finds
// its sheet, header row, ID column and team and worker columns.
func detectExport(ctx context.Context, o *initOptions, g *globalOptions) (*detected, error) {
	path := o.Export
	if strings.ContainsAny(o.Export, "*?[") {
		c := &runConfig{path: "init", dir: ".", Input: o.Export, lines: map[string]int{}}
		p, n, err := c.resolveInput()
		if err != nil {
			return nil, fmt.Errorf("%s: no file matches; give an export or a pattern that matches one", o.Export)
		}
		path = p
		g.infof("reading %s (the newest of %d files matching %s)\n", p, n, o.Export)
	}
	t, err := export.Open(ctx, path, o.Open)
	if err != nil {
		return nil, err
	}
	defer t.Close()
	input := o.Export
	if o.Out != "-" && !filepath.IsAbs(input) {
		// Relative paths in the configuration are relative to its folder.
		if abs, err := filepath.Abs(input); err == nil {
			if dir, err := filepath.Abs(filepath.Dir(o.Out)); err == nil {
				if rel, err := filepath.Rel(dir, abs); err == nil {
					input = rel
				}
			}
		}
	}
	d := &detected{Input: filepath.ToSlash(input), Sheet: t.Sheet, HeaderRow: t.HeaderRow, IDColumn: t.Header[t.IDIndex]}
	d.Team = sample.FindColumn(t, sample.DefaultColumns[0]...)
	d.Worker = sample.FindColumn(t, sample.DefaultColumns[1]...)
	msg := fmt.Sprintf("%s: ID column %q, header row %d", path, d.IDColumn, d.HeaderRow)
	if d.Sheet != "" {
		msg += fmt.Sprintf(", sheet %q", d.Sheet)
	}
	if d.Team != "" {
		msg += fmt.Sprintf(", team column %q", d.Team)
	}
	g.infof("%s\n", msg)
	return d, nil
}

// yamlScalar writes s as a YAML scalar, quoted when it needs to be.
func yamlScalar(s string) string {
	b, err := yaml.Marshal(s)
	if err != nil {
		return fmt.Sprintf("%q", s)
	}
	return strings.TrimSpace(string(b))
}

// initStore is the store the configuration names: the one init was given
// (--db or $CASEAUDIT_DB), as a path that holds from any folder, so that the
// scheduled run, which cron starts with neither, writes to it and not to a
// new caseaudit.db; else caseaudit.db beside the file.
func initStore(g *globalOptions) (string, error) {
	where := g.DB
	if where == "" {
		where = os.Getenv("CASEAUDIT_DB")
	}
	switch {
	case where == "":
		return store.DefaultPath, nil
	case store.IsPostgres(where):
		return store.Redact(where), nil // the password stays in PGPASSWORD or ~/.pgpass
	}
	return filepath.Abs(where)
}

// configTemplate is the commented configuration, with what was detected in
// the export (d may be nil) and the store it names.
func configTemplate(d *detected, where string) string {
	var b strings.Builder
	w := func(format string, a ...any) { fmt.Fprintf(&b, format, a...) }
	b.WriteString(`# caseaudit scheduled audit: one file, one command per stage.
#   caseaudit run THIS-FILE --stage sample    on the 1st: draw the month's sample, write the workbook
#   caseaudit run THIS-FILE --stage report    at month end: import filled workbooks, write the reports
# Relative paths are relative to this file's folder. The audit name, seed, workbook and report
# paths are templates: {{.Year}} (2026), {{.Month}} (07), {{.MonthName}} (July), {{.Date}} (2026-07-01).

# The audit store: a file (relative to this file's folder) or a postgres:// URL, without its
# password. A run given --db, or with $CASEAUDIT_DB set, uses that store instead.
store: `)
	b.WriteString(yamlScalar(where))
	b.WriteString(`
# How long a write waits for another writer's lock before giving up (default 5s; --lock-timeout wins).
# lock_timeout: 2m
# How long to wait for a PostgreSQL store that does not answer before giving up (default 60s;
# --db-timeout wins).
# db_timeout: 5m

# The export: a file, or a pattern whose newest file (by modification time) is used.
`)
	if d == nil {
		w("input: exports/*.xlsx\n")
		w("# sheet: Cases            # default: found again at each run (the first sheet with the ID column); give it to pin one sheet\n")
		w("# header_row: 1           # default: found among the first 50 rows holding values\n")
		w("# id_column: Case Reference   # default: detected\n")
	} else {
		w("input: %s\n", yamlScalar(d.Input))
		if d.Sheet != "" {
			// Only what must stay fixed is written: next month's export may
			// name its sheet otherwise, and the sheet holding the ID column
			// is found again at each run.
			w("# sheet: %s   # detected now; left out, the sheet with the ID column is found again at each run; give it to pin one sheet\n", yamlScalar(d.Sheet))
		}
		w("# header_row: %d           # detected now; left out, it is found again at each run\n", d.HeaderRow)
		w("id_column: %s\n", yamlScalar(d.IDColumn))
	}
	b.WriteString(`# csv only: delimiter (, ; tab |) and encoding (utf-8, utf-16le, utf-16be, utf-32le, utf-32be, windows-1252).

# Keep only rows matching every filter (COLUMN=VALUE, also != < <= > >=).
filters:
#  - Legal Status=CP
# Columns kept in the workbook (default: team, worker and legal status columns).
# columns: [Team, Allocated Worker, Legal Status]

`)
	if d != nil && d.Team != "" {
		w("# Stratify by team, so each team gets its share of the sample.\nstrata: %s\n", yamlScalar(d.Team))
	} else {
		w("# Stratify by a column, so each group gets its share of the sample.\n# strata: Team\n")
	}
	b.WriteString(`allocation: proportional    # or equal
# min_per_stratum: 2

# How many cases: a fixed size, or planning parameters (binomial sample size: the fewest cases
# that show, at the confidence, that fewer than the tolerable share need immediate attention,
# if the audit finds no more than the expected number). Give one of the two.
# size: 120
plan:
  tolerable: 2.5%
  confidence: 95%
  expected: 0

# Leave out cases sampled in any audit of the months within this span (12m, 90d, 6w, 1y)
# before the month being drawn (a late run for last month counts back from last month).
exclude_audited_within: 12m

# Share the cases among auditors, never giving a case to its own worker or, with
# team_column and auditor_teams, to an auditor from its team.
auditors:
#  - A. Khan
#  - B. Evans
conflicts:
`)
	if d != nil && d.Worker != "" {
		w("  # worker_column: %s\n", yamlScalar(d.Worker))
	} else {
		w("  # worker_column: Allocated Worker\n")
	}
	if d != nil && d.Team != "" {
		w("  # team_column: %s\n", yamlScalar(d.Team))
	} else {
		w("  # team_column: Team\n")
	}
	b.WriteString(`  # auditor_teams:
  #   A. Khan: Salisbury CIN

# The seed: "generate" makes a random one each month, or a fixed text (a template; keep
# {{.Year}}-{{.Month}} in it, or every month draws the same tickets). It is recorded in the
# store, the workbook and the reports, and re-derives the sample.
seed: generate

audit_name: "{{.Year}}-{{.Month}} monthly"
# The audit form: default, none, or a form file (see caseaudit form init).
# form: default

# Who follows up a case flagged for immediate attention.
# follow_up:
#   owner_column: Team
#   team_managers:
#     Salisbury CIN: J. Smith
#   due_days: 5

# The factors behind the findings, recorded with each month's sample and shown in its report
# by group (as caseaudit profile measures them; columns left out are detected):
# factors:
#   caseload_target: 18
#   # worker_column: Allocated Worker
#   # changes_column: Workers in 12m
#   # changes_at_least: 3
#   timeliness:
#     - "Referral Date..Assessment Completed<=45d"

outputs:
  # The auditors' workbook the sample stage writes.
  workbook: "workbooks/{{.Year}}-{{.Month}}.xlsx"
  # Filled workbooks the report stage imports (patterns; default: the workbook itself).
  # filled:
  #   - "returned/{{.Year}}-{{.Month}}-*.xlsx"
  # Reports the report stage writes (format from the extension: html, xlsx, md, csv, json, txt).
  reports:
    - "reports/{{.Year}}-{{.Month}}.html"
    - "reports/{{.Year}}-{{.Month}}.md"

# Report settings.
# confidence: 95%
# method: clopper-pearson    # or wilson
# by: Team
# Children are never named; staff are named where shown (the allocated worker, the auditors).
# no_staff_names: true      # leaves every member of staff out of the reports

# Exit with code 3 from the report stage when the share needing immediate attention is above
# this (fail_on: upper compares the upper bound of its interval instead).
# fail_above: 5%
# fail_on: share
`)
	return b.String()
}
