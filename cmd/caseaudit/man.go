package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"strconv"
	"time"

	"github.com/spf13/cobra"
	"github.com/spf13/cobra/doc"
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
	root.DisableAutoGenTag = true
	header := &doc.GenManHeader{Title: "CASEAUDIT", Section: "1", Date: &date, Source: "caseaudit", Manual: "caseaudit manual"}
	if err := doc.GenManTree(root, header, o.Dir); err != nil {
		return fmt.Errorf("writing the man pages to %s: %w", o.Dir, err)
	}
	if err := ctx.Err(); err != nil {
		return err
	}
	entries, _ := os.ReadDir(o.Dir)
	g.infof("wrote %d man pages to %s\n", len(entries), o.Dir)
	return nil
}
