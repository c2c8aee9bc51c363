package main

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// manDate is the date printed in the man pages: fixed, so the pages are
// the same bytes on every run; SOURCE_DATE_EPOCH (the reproducible-builds
// convention) overrides it.
var manDate = time.Date(2026, 7, 1, 0, 0, 0, 0, time.UTC)

type manOptions struct{ Dir string }

func newManCmd(g *globalOptions) *cobra.Command {
	o := &manOptions{}
	return &cobra.Command{
		Use:   "man DIR",
		Short: "Write the man pages of caseaudit and every command to a folder",
		Long: `Write a man page (section 1) for caseaudit and for each of its commands to DIR, which
is created if needed. The pages carry a fixed date, so writing them again gives the
same bytes (SOURCE_DATE_EPOCH, in seconds, sets another date).`,
		Example: `  caseaudit man ./man1 && man ./man1/caseaudit-run.1
  sudo caseaudit man /usr/local/share/man/man1`,
		Args: exactArgs(1, "the folder to write the pages to"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Dir = args[0]
			return runMan(cmd.Context(), o, g, cmd.Root())
		},
		ValidArgsFunction: func(*cobra.Command, []string, string) ([]string, cobra.ShellCompDirective) {
			return nil, cobra.ShellCompDirectiveFilterDirs
		},
	}
}

func runMan(ctx context.Context, o *manOptions, g *globalOptions, root *cobra.Command) error {
	date := manDate
	if s := os.Getenv("SOURCE_DATE_EPOCH"); s != "" {
		sec, err := strconv.ParseInt(s, 10, 64)
		if err != nil {
			return fmt.Errorf("SOURCE_DATE_EPOCH %q is not a number of seconds", s)
		}
		date = time.Unix(sec, 0).UTC()
	}
	if err := os.MkdirAll(o.Dir, 0o755); err != nil {
		if st, serr := os.Stat(o.Dir); serr == nil && !st.IsDir() {
			return fmt.Errorf("%s is a file, not a folder; name a folder for the man pages (it is made when missing)", o.Dir)
		}
		var pe *fs.PathError
		if errors.As(err, &pe) {
			err = pe.Err // the path is named already
		}
		return fmt.Errorf("cannot make the folder %s for the man pages: %w", o.Dir, err)
	}
	if err := writeManTree(root, date, o.Dir); err != nil {
		return fmt.Errorf("writing the man pages to %s: %w", o.Dir, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, _ := os.ReadDir(o.Dir)
	g.infof("wrote %d man pages to %s\n", len(entries), o.Dir)
	return nil
}

// The pages are written here rather than by cobra's doc package: that
// renders the help text as Markdown through a Markdown library whose
// package initialisation (its patterns and tables) every command paid for
// at start-up, about 1.1 million instructions of a recorded finding's 20
// million. The help text is plain text, so the pages are roff written
// directly, in the layout cobra's pages had: NAME, SYNOPSIS, DESCRIPTION,
// OPTIONS, OPTIONS INHERITED FROM PARENT COMMANDS, EXAMPLE, SEE ALSO.

// writeManTree writes the page of cmd and of each command under it to dir,
// named by the command path with dashes (caseaudit-store-info.1): the
// commands under it first, as cobra did.
func writeManTree(cmd *cobra.Command, date time.Time, dir string) error {
	for _, c := range cmd.Commands() {
		if !c.IsAvailableCommand() || c.IsAdditionalHelpTopicCommand() {
			continue
		}
		if err := writeManTree(c, date, dir); err != nil {
			return err
		}
	}
	f, err := os.Create(filepath.Join(dir, manName(cmd)+".1"))
	if err != nil {
		return err
	}
	w := bufio.NewWriter(f)
	writeManPage(w, cmd, date)
	if err := w.Flush(); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// manName is a command's page name: its path with dashes.
func manName(cmd *cobra.Command) string { return strings.ReplaceAll(cmd.CommandPath(), " ", "-") }

// writeManPage writes cmd's page to w.
func writeManPage(w io.Writer, cmd *cobra.Command, date time.Time) {
	cmd.InitDefaultHelpFlag()
	// No hyphenation (after .TH, which sets its own): a flag or a word
	// broken at the line's end would be typed broken.
	fmt.Fprintf(w, ".TH \"CASEAUDIT\" \"1\" \"%s\" \"caseaudit\" \"caseaudit manual\"\n.nh\n", date.Format("Jan 2006"))
	fmt.Fprintf(w, "\n.SH NAME\n%s \\- %s\n", roffText(manName(cmd)), roffText(cmd.Short))
	fmt.Fprintf(w, "\n.SH SYNOPSIS\n\\fB%s\\fR\n", roffText(cmd.UseLine()))
	desc := cmd.Long
	if desc == "" {
		desc = cmd.Short
	}
	fmt.Fprint(w, "\n.SH DESCRIPTION\n")
	for i, para := range strings.Split(strings.TrimSpace(desc), "\n\n") {
		if i > 0 {
			fmt.Fprint(w, ".PP\n")
		}
		fmt.Fprintf(w, "%s\n", roffText(strings.Trim(para, "\n")))
	}
	writeManFlags(w, "OPTIONS", cmd.NonInheritedFlags())
	writeManFlags(w, "OPTIONS INHERITED FROM PARENT COMMANDS", cmd.InheritedFlags())
	if cmd.Example != "" {
		// An example is shown as it is written: no filling, no
		// hyphenation.
		fmt.Fprintf(w, "\n.SH EXAMPLE\n.EX\n%s\n.EE\n", roffText(cmd.Example))
	}
	var also []string
	if cmd.HasParent() {
		also = append(also, manName(cmd.Parent()))
	}
	children := slices.Clone(cmd.Commands())
	slices.SortFunc(children, func(a, b *cobra.Command) int { return strings.Compare(a.Name(), b.Name()) })
	for _, c := range children {
		if c.IsAvailableCommand() && !c.IsAdditionalHelpTopicCommand() {
			also = append(also, manName(c))
		}
	}
	if len(also) > 0 {
		for i, name := range also {
			also[i] = "\\fB\\%" + roffText(name) + "\\fR(1)" // roff's \% keeps a name from being hyphenated
		}
		fmt.Fprintf(w, "\n.SH SEE ALSO\n%s\n", strings.Join(also, ",\n"))
	}
}

// writeManFlags writes a section listing flags, as cobra's pages did:
// each flag with its default value, then its help.
func writeManFlags(w io.Writer, title string, flags *pflag.FlagSet) {
	if !flags.HasAvailableFlags() {
		return
	}
	fmt.Fprintf(w, "\n.SH %s\n", title)
	flags.VisitAll(func(f *pflag.Flag) {
		if f.Deprecated != "" || f.Hidden {
			return
		}
		name := "\\fB\\-\\-" + roffText(f.Name) + "\\fR"
		if f.Shorthand != "" && f.ShorthandDeprecated == "" {
			name = "\\fB\\-" + roffText(f.Shorthand) + "\\fR, " + name
		}
		def := f.DefValue
		if f.Value.Type() == "string" {
			def = strconv.Quote(def)
		}
		def = "=" + roffText(def)
		if f.NoOptDefVal != "" {
			def = "[" + def + "]"
		}
		// A `NAME` in the help names the flag's value, as in --help.
		usage := roffText(f.Usage)
		for {
			a := strings.Index(usage, "`")
			b := strings.Index(usage[a+1:], "`")
			if a < 0 || b < 0 {
				break
			}
			usage = usage[:a] + "\\fB" + usage[a+1:a+1+b] + "\\fR" + usage[a+2+b:]
		}
		fmt.Fprintf(w, ".TP\n%s%s\n%s\n", name, def, usage)
	})
}

// roffText is s as roff text: backslashes and hyphens escaped (a hyphen in
// a flag or a command must print as the ASCII one people type), and a line
// that would begin with a control character (. or ') kept as text.
func roffText(s string) string {
	s = strings.NewReplacer(`\`, `\e`, "-", `\-`).Replace(s)
	lines := strings.Split(s, "\n")
	for i, l := range lines {
		if strings.HasPrefix(l, ".") || strings.HasPrefix(l, "'") {
			lines[i] = `\&` + l
		}
	}
	return strings.Join(lines, "\n")
}
