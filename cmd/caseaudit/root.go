package main

import (
	"context"
	"errors"
	"fmt"
	"github.com/caseaudit/caseaudit/internal/localetext"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"regexp"
	"runtime/debug"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"time"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// globalOptions are the flags every command shares, and the injected clock.
type globalOptions struct {
	IO    *IOStreams
	Quiet bool
	DB    string
	// Now is the clock the command judges by (what is today, due,
	// overdue): clock, unless a test gives its own.
	Now func() time.Time
	// injectedNow is the clock CASEAUDIT_NOW fixes, nil when it is unset:
	// it also dates what the store records (audit.Options.Clock).
	injectedNow func() time.Time
	// machineClock is this machine's clock (audit.Options.MachineClock),
	// nil for time.Now: Go tests set one that is wrong.
	machineClock func() time.Time
	// storeNow is the clock of the store the command opened (the
	// server's on PostgreSQL), nil before one is open.
	storeNow func() time.Time
	// LogFormat is "text" (default) or "json": one JSON object per message
	// on stderr ({"time","level","msg"}), for scheduled jobs.
	LogFormat string
	// User names the person acting (--user), recorded in the trail.
	User string
	// AllowNetworkStore lets an SQLite store lie on a network drive.
	AllowNetworkStore bool
	// DBTimeout bounds each read and write of the store (--db-timeout).
	DBTimeout time.Duration
	// DBTimeoutGiven: --db-timeout was given, and wins over a
	// configuration's db_timeout.
	DBTimeoutGiven bool
	// LockTimeout is how long a write waits for another writer's lock
	// before it gives up (--lock-timeout): PostgreSQL's lock_timeout, and
	// SQLite's busy timeout.
	LockTimeout time.Duration
	// LockTimeoutGiven: --lock-timeout was given, and wins over a
	// configuration's lock_timeout.
	LockTimeoutGiven bool
	// createdStore is the absolute path of an SQLite store this command
	// made ("" when none), removed again if the command fails.
	createdStore string
	// excludeWarned: the warning that --exclude-audited-within has no
	// audit to work with was given; the read summary says nothing more
	// of what it left out.
	excludeWarned bool
	// Spelling is how messages name options: as flags (--id-column), or
	// under `caseaudit run` as the configuration's keys (id_column).
	Spelling opt.Style
}

// spell is err's message with the options it names spelled as this face
// spells them.
func (g *globalOptions) spell(err error) string { return opt.Spell(err, g.Spelling) }

// sprintf formats a message for this face: option names, texts and errors
// among the arguments have their options spelled as it spells them.
func (g *globalOptions) sprintf(format string, a ...any) string {
	args := make([]any, len(a))
	for i, v := range a {
		switch v := v.(type) {
		case opt.Name:
			args[i] = v.Spell(g.Spelling)
		case opt.Speller:
			args[i] = v.Spell(g.Spelling)
		case error:
			args[i] = g.spell(v)
		default:
			args[i] = v
		}
	}
	return fmt.Sprintf(format, args...)
}

// infof prints a message for the person at the terminal (stderr), unless
// --quiet. Messages quote case IDs and cells from exports, so each line is
// made inert (textsafe.Terminal): no escape sequence reaches the terminal.
func (g *globalOptions) infof(format string, a ...any) {
	if g.Quiet {
		return
	}
	g.log("info", g.sprintf(format, a...))
}

// warnf prints a warning on stderr, even with --quiet, made inert as infof.
func (g *globalOptions) warnf(format string, a ...any) {
	g.log("warning", g.sprintf(format, a...))
}

// errorf reports a problem on stderr, one line, as the final error is
// (prefixed "caseaudit: "), when a command goes on after it or lists several.
func (g *globalOptions) errorf(format string, a ...any) {
	msg := strings.TrimSpace(g.sprintf(format, a...))
	if g.LogFormat == "json" {
		g.log("error", msg)
		return
	}
	g.log("error", "caseaudit: "+msg+"\n")
}

// log writes one message to stderr: as text (warnings prefixed), or with
// --log-format json as one JSON object per line.
func (g *globalOptions) log(level, msg string) { g.logWith(level, msg) }

// logWith is log, with attributes that a JSON line carries after its
// $schema (where a problem is: file, sheet, row, column, case; see
// schema/log.json) and the text log leaves to the message.
func (g *globalOptions) logWith(level, msg string, attrs ...slog.Attr) {
	if g.LogFormat == "json" {
		lv := map[string]slog.Level{"info": slog.LevelInfo, "warning": slog.LevelWarn, "error": slog.LevelError}[level]
		h := jsonLog(g.IO.Err)
		for _, line := range strings.Split(strings.TrimRight(msg, "\n"), "\n") {
			// Each line names its schema (schema/log.json), after slog's
			// time, level and msg.
			// A message that carries the text log's "caseaudit: " (a list
			// of problems, headed as an error) is stripped of it, as every
			// other message is: the level says it is an error.
			rec := slog.NewRecord(g.Now(), lv, strings.TrimPrefix(strings.TrimSpace(line), "caseaudit: "), 0)
			rec.AddAttrs(slog.String("$schema", schema.Log))
			rec.AddAttrs(attrs...)
			h.Handle(context.Background(), rec)
		}
		return
	}
	if level == "warning" {
		msg = "warning: " + msg
	}
	if !strings.HasSuffix(msg, "\n") {
		msg += "\n"
	}
	io.WriteString(localetext.Writer(g.IO.Err, nil), terminalLines(msg))
}

// jsonLog is the --log-format json handler: one object per line,
// {"time","level","msg"}, the time in UTC to the second (from the injected
// clock) and the level as the text log names it (info, warning, error).
func jsonLog(w io.Writer) slog.Handler {
	return slog.NewJSONHandler(w, &slog.HandlerOptions{ReplaceAttr: func(groups []string, a slog.Attr) slog.Attr {
		switch a.Key {
		case slog.TimeKey:
			return slog.String(slog.TimeKey, a.Value.Time().UTC().Format(time.RFC3339))
		case slog.LevelKey:
			switch a.Value.Any().(slog.Level) {
			case slog.LevelWarn:
				return slog.String(slog.LevelKey, "warning")
			case slog.LevelError:
				return slog.String(slog.LevelKey, "error")
			}
			return slog.String(slog.LevelKey, "info")
		}
		return a
	}})
}

// terminalLines applies textsafe.Terminal to each line of s, keeping the
// line breaks.
func terminalLines(s string) string {
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		lines[i] = textsafe.Terminal(l)
	}
	return strings.Join(lines, "\n")
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
	// The store package preopen opened ahead, if the command did not take
	// it: closed before the process ends, as the command's own would be.
	defer store.ClosePreopened()
	if io.OutTerminal {
		// Terminal safety in one place: whatever a command writes to a
		// terminal is made inert here; to a pipe or a file it goes as it is.
		// Made inert first, then in the locale's character set (a
		// Latin-1 byte is not UTF-8: textsafe would take it for garbage).
		tw := textsafe.NewWriter(localetext.Writer(io.Out, nil), io.Color())
		defer tw.Flush()
		s := *io
		s.Out = localetext.Encoded{Writer: tw}
		io = &s
	}
	g := &globalOptions{IO: io, injectedNow: clockFromEnv(), machineClock: testMachineClock}
	g.Now = g.clock
	root := newRootCmdFor(g, args)
	root.SetArgs(args)
	root.SetIn(io.In)
	root.SetOut(io.Out)
	root.SetErr(io.Err)
	cmd, err := root.ExecuteContextC(ctx)
	if err != nil && strings.HasPrefix(err.Error(), "unknown command ") {
		err = &usageError{err} // cobra's own argument errors
	}
	if err != nil {
		g.removeCreatedStore()
		if ctx.Err() != nil && !errors.Is(err, context.Canceled) {
			err = fmt.Errorf("%w: %v", context.Canceled, err)
		}
		if g.LogFormat == "json" {
			if msg := strings.TrimSpace(g.spell(err)); msg != "" {
				var ie *export.InputError
				if errors.As(err, &ie) {
					g.logWith("error", msg, problemAttrs(ie.Path, ie.Sheet, ie.Row, ie.Column, "")...)
				} else {
					g.log("error", msg)
				}
			}
		} else {
			printError(io.Err, g.spell(err), err, cmd.CommandPath())
		}
	}
	return exitCode(err)
}

// testMachineClock is this machine's clock as a Go test sets it, wrong,
// to see what a person whose clock is off is told; nil (time.Now) in the
// program.
var testMachineClock func() time.Time

// clockFromEnv returns the fixed time of CASEAUDIT_NOW (RFC 3339), which
// makes outputs reproducible in tests and demonstrations, as a clock; nil
// when it is unset.
func clockFromEnv() func() time.Time {
	if s := os.Getenv("CASEAUDIT_NOW"); s != "" {
		if t, err := time.Parse(time.RFC3339, s); err == nil {
			return func() time.Time { return t.UTC() }
		}
	}
	return nil
}

// clock is the time a command judges by: CASEAUDIT_NOW's, else, once a
// store is open, the store's (on PostgreSQL the server's, so that what is
// due or overdue is the same on every machine of a team), else this
// machine's.
func (g *globalOptions) clock() time.Time {
	switch {
	case g.injectedNow != nil:
		return g.injectedNow()
	case g.storeNow != nil:
		return g.storeNow()
	}
	return time.Now().UTC()
}

// newRootCmd is caseaudit with every command.
func newRootCmd(g *globalOptions) *cobra.Command { return newRootCmdFor(g, nil) }

// newRootCmdFor is caseaudit for one command line: with every command,
// unless the line names one of the scripted commands, which is then the
// only one made. A finding recorded from a script pays at every start for
// whatever is made: the other commands and their flags cost about 0.45 M
// instructions and 60 page faults, 2% of a `record`.
func newRootCmdFor(g *globalOptions, args []string) *cobra.Command {
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
		Version:       version.String(),
		SilenceUsage:  true,
		SilenceErrors: true,
	}
	// --version names the build and the SHA-256 of this executable, which
	// a release's checksums.txt lists; the first line stays
	// "caseaudit VERSION" for scripts.
	cobra.AddTemplateFunc("caseauditVersion", func() string { return version.Get().Text() })
	root.SetVersionTemplate(`{{caseauditVersion}}`)
	root.PersistentFlags().BoolVarP(&g.Quiet, "quiet", "q", false, "print only data and errors, no progress or summaries")
	root.PersistentFlags().StringVar(&g.LogFormat, "log-format", "text", "messages on stderr as text or json (one object per line)")
	root.PersistentFlags().StringVar(&g.User, "user", "", "the person acting, recorded in the trail with what they do (default: $CASEAUDIT_USER, else your login)")
	root.PersistentFlags().StringVar(&g.DB, "db", "", "audit store: an SQLite `FILE`, a postgres://USER@HOST/DATABASE URL, or a libpq connection string 'host=HOST dbname=DATABASE' (default: $CASEAUDIT_DB, else ./caseaudit.db)")
	root.PersistentFlags().DurationVar(&g.DBTimeout, "db-timeout", store.DefaultDeadline, "give up on a store that does not answer within `DURATION` (a server or network that stopped responding)")
	root.PersistentFlags().DurationVar(&g.LockTimeout, "lock-timeout", store.DefaultBusyTimeout, "give up on a write kept waiting by another writer's lock after `DURATION` (the message names who holds it)")
	root.PersistentFlags().BoolVar(&g.AllowNetworkStore, "allow-network-store", false, "use an SQLite store on a network drive (SMB, NFS, a Windows share) although its locking is not safe there")
	root.SetFlagErrorFunc(func(c *cobra.Command, err error) error {
		err = flagError(c, err)
		var ue *usageError
		if errors.As(err, &ue) {
			return err
		}
		return &usageError{err}
	})
	root.PersistentPreRunE = func(cmd *cobra.Command, args []string) error {
		// The settings go by the top-level command: "action close" is
		// action's, not an export reader's.
		top := cmd
		for top.HasParent() && top.Parent() != cmd.Root() {
			top = top.Parent()
		}
		if os.Getenv("GOGC") == "" {
			debug.SetGCPercent(gcPercent(top.Name()))
		}
		if readsExports(top.Name()) {
			capMemory(memoryCap)
		}
		if f := g.LogFormat; f != "text" && f != "json" {
			g.LogFormat = "text"
			return usagef("--log-format %q: use text or json", f)
		}
		if g.LockTimeout <= 0 {
			return usagef("--lock-timeout %s: give how long a write may wait for another writer's lock, more than zero (e.g. 30s or 2m)", g.LockTimeout)
		}
		g.LockTimeoutGiven = cmd.Flags().Changed("lock-timeout")
		g.DBTimeoutGiven = cmd.Flags().Changed("db-timeout")
		return nil
	}
	if add, ok := scripted[scriptedName(root, args)]; ok {
		root.AddCommand(add(g))
		// Nor cobra's completion command (four commands and their help,
		// built at every start): a line naming a scripted command is
		// not a completion request, which comes as __complete.
		root.CompletionOptions.DisableDefaultCmd = true
	} else {
		for _, add := range commands {
			root.AddCommand(add(g))
		}
	}
	usageArgs(root)
	// cobra's own completion command, with examples like every other command.
	root.InitDefaultCompletionCmd()
	for _, c := range root.Commands() {
		if c.Name() == "completion" {
			c.Example = `  # bash, for this session
  source <(caseaudit completion bash)

  # zsh, for every session
  caseaudit completion zsh > "${fpath[1]}/_caseaudit"

  # fish
  caseaudit completion fish > ~/.config/fish/completions/caseaudit.fish`
		}
	}
	return root
}

// gcPercent is how far a command's heap may grow past what it keeps alive
// before the garbage is collected. Reading a million-row export keeps about
// 30 MB of case IDs and tickets alive, and Go's default (100%) would let the
// heap reach 60 MB: export readers collect at 50% (as restic does), and
// profile, which keeps a second set of the IDs, at 25%; and they keep to a
// soft memory limit while they can (capMemory). It costs little CPU, as
// what is kept holds no pointers. Commands that read no export and run
// many times a day from scripts keep the default, which spares them a
// collection during start-up (a 2 MB goal is passed before they have done
// anything). report and trend read no export but keep every audit's trail
// alive while they fold it (a few MB of small objects full of pointers,
// traced again by every collection): at 50% the collector was a quarter of
// their work over 100 audits; at 200% it is a tenth, for some 9 MB more
// resident, and the soft memory limit still caps the heap while it can.
func gcPercent(command string) int {
	switch command {
	case "report", "trend":
		return 200
	}
	if !readsExports(command) {
		return 100
	}
	if command == "profile" {
		return 25
	}
	return 50
}

// readsExports reports whether a command may read an export (or another
// large file): all but those run many times a day from scripts.
func readsExports(command string) bool {
	_, ok := scripted[command]
	return !ok
}

// scripted are the commands run many times a day from scripts (a finding
// at a time, a check of progress): they read no export, and a command line
// that names one makes only it (newRootCmdFor).
var scripted = map[string]func(*globalOptions) *cobra.Command{
	"record": newRecordCmd, "status": newStatusCmd, "history": newHistoryCmd, "case": newCaseCmd,
	"audits": newAuditsCmd, "actions": newActionsCmd, "action": newActionCmd,
}

// scriptedName is the command args name when it is one of the scripted
// commands, read past the global flags before it as cobra reads them; ""
// for any other line (help, completion, a flag root does not know, another
// command), which gets every command.
func scriptedName(root *cobra.Command, args []string) string {
	fs := root.PersistentFlags()
	for i := 0; i < len(args); i++ {
		a := args[i]
		switch {
		case a == "--" || a == "-":
			return ""
		case strings.HasPrefix(a, "--"):
			name, _, inline := strings.Cut(a[2:], "=")
			f := fs.Lookup(name)
			if f == nil {
				return ""
			}
			if !inline && f.NoOptDefVal == "" {
				i++ // its value
			}
		case strings.HasPrefix(a, "-"):
			for _, c := range a[1:] {
				// Only boolean shorthands (-q) may come before the command.
				if c >= utf8.RuneSelf {
					return ""
				}
				if f := fs.ShorthandLookup(string(c)); f == nil || f.NoOptDefVal == "" {
					return ""
				}
			}
		default:
			if _, ok := scripted[a]; ok {
				return a
			}
			return ""
		}
	}
	return ""
}

// commands are caseaudit's commands, in the order of the month's work
// (help lists them so): one constructor per command file.
var commands = []func(*globalOptions) *cobra.Command{
	newPlanCmd,
	newSampleCmd,
	newAllocateCmd,
	newWorkbookCmd,
	newWithdrawCmd,
	newRedactCmd,
	newRecordCmd,
	newImportCmd,
	newStatusCmd,
	newModerateCmd,
	newVerifyCmd,
	newSignoffCmd,
	newRetireCmd,
	newReportCmd,
	newTrendCmd,
	newCalibrationCmd,
	newProfileCmd,
	newActionsCmd,
	newActionCmd,
	newAuditsCmd,
	newHistoryCmd,
	newCaseCmd,
	newFormCmd,
	newInitCmd,
	newRunCmd,
	newDemoCmd,
	newManCmd,
	newStoreCmd,
	newPeopleCmd,
	newOwnersCmd,
}

func init() { cobra.EnableCommandSorting = false }

// usageArgs makes every argument error of every command a usage error
// (exit 2, with a pointer to the help), whichever validator found it:
// cobra's own validators return plain errors.
func usageArgs(c *cobra.Command) {
	if c.Args == nil && !c.HasSubCommands() && c.Runnable() && !strings.Contains(c.Use, " ") {
		// cobra lets a command without subcommands ignore arguments it
		// was not made for; caseaudit refuses them (a command whose usage
		// names arguments checks them itself).
		c.Args = cobra.NoArgs
	}
	if c.Args != nil {
		args := c.Args
		c.Args = func(cmd *cobra.Command, a []string) error {
			if err := args(cmd, a); err != nil {
				var ue *usageError
				if errors.As(err, &ue) {
					return err
				}
				if len(a) > 0 && !cmd.HasSubCommands() && strings.HasPrefix(err.Error(), "unknown command ") {
					// cobra.NoArgs calls an argument an unknown command.
					return usagef("%s takes no arguments (got %q)", cmd.CommandPath(), a[0])
				}
				if m := cobraArgCount().FindStringSubmatch(err.Error()); m != nil {
					// cobra's "accepts at most 1 arg(s), received 2".
					n, _ := strconv.Atoi(m[2])
					return usagef("%s takes %s (got %d)", cmd.CommandPath(), strings.TrimSpace(m[1]+" "+words.Count(n, "argument")), len(a))
				}
				return &usageError{err}
			}
			return nil
		}
	}
	for _, sub := range c.Commands() {
		usageArgs(sub)
	}
}

// cobraArgCount matches cobra's own argument-count errors.
var cobraArgCount = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(?:accepts|requires) (at most|at least|between \d+ and|) ?(\d+) arg\(s\)`)
})

// exactArgs is cobra.ExactArgs returning a usage error.
func exactArgs(n int, what string) cobra.PositionalArgs {
	return func(cmd *cobra.Command, args []string) error {
		if len(args) != n {
			if n == 0 {
				return usagef("%s takes no arguments (got %q)", cmd.CommandPath(), args[0])
			}
			if n == 1 {
				return usagef("%s needs %s (got %s)", cmd.CommandPath(), what, words.Count(len(args), "argument"))
			}
			return usagef("%s needs %d arguments: %s (got %s)", cmd.CommandPath(), n, what, words.Count(len(args), "argument"))
		}
		return nil
	}
}
