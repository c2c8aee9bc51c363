package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"os/signal"
	"runtime/debug"
	"strings"
	"syscall"
	"time"

	"github.com/spf13/cobra"
)

// globalOptions are the flags every command shares, and the injected clock.
type globalOptions struct {
	IO    *IOStreams
	Quiet bool
	DB    string
	Now   func() time.Time
}

// infof prints a message for the person at the terminal (stderr), unless --quiet.
func (g *globalOptions) infof(format string, a ...any) {
	if g.Quiet {
		return
	}
	fmt.Fprintf(g.IO.Err, format, a...)
}

// warnf prints a warning on stderr, even with --quiet.
func (g *globalOptions) warnf(format string, a ...any) {
	fmt.Fprintf(g.IO.Err, "warning: "+format, a...)
}

// Main runs caseaudit with the process's arguments and streams and returns
// the exit code.
func Main() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		// After the first interrupt, restore the default so a second Ctrl-C
		// kills at once.
		<-ctx.Done()
		stop()
	}()
	return run(ctx, systemStreams(), os.Args[1:])
}

// run executes one command line; tests call it without a process.
func run(ctx context.Context, io *IOStreams, args []string) int {
	g := &globalOptions{IO: io, Now: clockFromEnv()}
	root := newRootCmd(g)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		err = &usageError{err} // cobra's own argument errors
	}
	if err != nil {
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %v", context.Canceled, err)
		}
		printError(io.Err, err, cmd.CommandPath())
	}
	return exitCode(err)
}

// clockFromEnv returns the clock: the real one, or a fixed time from
// CASEAUDIT_NOW (RFC 3339), which makes outputs reproducible in tests and
// demonstrations.
func clockFromEnv() func() time.Time {
	if s := os.Getenv("CASEAUDIT_NOW"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return func() time.Time { return t.UTC() }
		}
	}
	return func() time.Time { return time.Now().UTC() }
}

func version() string {
	v := "(devel)"
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" {
			v = bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 && v == "(devel)" {
				v = "(devel " + s.Value[:12] + ")"
			}
		}
	}
	return v
}

func newRootCmd(g *globalOptions) *cobra.Command {
	root := &cobra.Command{
		Use:   "caseaudit",
		Short: "Verifiable random case-file audits, from export to report",
		Long: `caseaudit draws a verifiable random sample of cases from a case-management export
(.xlsx or .csv), gives auditors a workbook to fill in, and reports the share of cases
needing immediate attention with honest statistics.

Anyone holding the export and the seed can re-derive the sample: it depends only on
the seed and the set of case IDs, not on row order or software (Rivest's consistent
sampler). Nothing leaves this machine; outputs are readable only by you.

` + exitCodesHelp,
		Example: `  # a sample of 120 cases from this month's export, as a workbook for auditors
  caseaudit sample cases.xlsx --size 120 --out audit.xlsx

  # how many cases to audit to show fewer than 2.5% need immediate attention
  caseaudit plan --tolerable 2.5% --confidence 95%

  # the whole job on invented data
  caseaudit demo`,
		Version:       version(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	root.SetVersionTemplate("caseaudit {{.Version}}\n")
	root.PersistentFlags().BoolVarP(&g.Quiet, "quiet", "q", false, "print only data and errors, no progress or summaries")
	root.PersistentFlags().StringVar(&g.DB, "db", "", "audit store `FILE` (default: $CASEAUDIT_DB, else ./caseaudit.db)")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error { return &usageError{err} })
	for _, add := range extraCommands {
		root.AddCommand(add(g))
	}
	return root
}

// extraCommands holds every command's constructor; each command file adds
// its own in an init function, so adding a command touches only its file.
var extraCommands []func(*globalOptions) *cobra.Command

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			if n == 1 {
				return usagef("%s needs %s (got %d arguments)", cmd.CommandPath(), what, len(args))
			}
			return usagef("%s needs %d arguments: %s (got %d)", cmd.CommandPath(), n, what, len(args))
		}
		return nil
	}
}
