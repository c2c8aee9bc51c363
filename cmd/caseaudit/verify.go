package main

import (
	"context"
	"fmt"

	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/spf13/cobra"
)

type verifyOptions struct {
	Audit  string
	Input  string
	Format string
}

func init() { extraCommands = append(extraCommands, newVerifyCmd) }

func newVerifyCmd(g *globalOptions) *cobra.Command {
	o := &verifyOptions{}
	cmd := &cobra.Command{
		Use:   "verify AUDIT [--input EXPORT]",
		Short: "Check that nothing in an audit was changed, and that its sample re-derives",
		Long: `Check the store file with SQLite's integrity check, re-walk the audit's hash-chained trail
and name any finding or entry that was edited, inserted or deleted. With --input (or when the recorded export is still at its path), also
re-derive the sample from the export with the recorded seed and parameters and confirm it is
identical; an export whose SHA-256 differs from the recorded one is reported separately.

Exit status 4 when anything does not match. Keep the printed trail head: comparing it with a
later run also shows whether the newest entries were removed.`,
		Example: `  caseaudit verify "2026-07 monthly"
  caseaudit verify "2026-07 monthly" --input /archive/2026-07/cases.xlsx --format json`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runVerify(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	cmd.Flags().StringVar(&o.Input, "input", "", "the export the sample was drawn from (default: the recorded path, when it is there)")
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

type verifyJSON struct {
	Audit         string   `json:"audit"`
	OK            bool     `json:"ok"`
	StoreOK       bool     `json:"store_ok"`
	TrailOK       bool     `json:"trail_ok"`
	Entries       int      `json:"trail_entries"`
	Head          string   `json:"trail_head"`
	Problems      []string `json:"problems"`
	Input         string   `json:"input,omitempty"`
	InputChecked  bool     `json:"input_checked"`
	InputSHA256OK *bool    `json:"input_sha256_matches,omitempty"`
	SampleOK      *bool    `json:"sample_rederived,omitempty"`
}

func runVerify(ctx context.Context, o *verifyOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := st.Verify(ctx, a.Name)
	if err != nil {
		return err
	}
	out := verifyJSON{Audit: a.Name, StoreOK: true, TrailOK: res.OK, Entries: res.Entries, Head: res.Head, Problems: append([]string{}, res.Problems...)}
	// The file itself: SQLite's own check of every page and index.
	if err := st.IntegrityCheck(ctx); err != nil {
		out.StoreOK = false
		out.Problems = append(out.Problems, err.Error())
	}
	input := o.Input
	if input == "" && fileExists(a.InputPath) {
		input = a.InputPath
	}
	if input != "" {
		out.Input, out.InputChecked = input, true
		same, sum, err := checkExport(a, input)
		if err != nil {
			return err
		}
		out.InputSHA256OK = &same
		if !same {
			out.Problems = append(out.Problems, fmt.Sprintf("%s is not the recorded export: its SHA-256 differs from %s", input, a.InputSHA256))
		}
		cases, err := st.Cases(ctx, a.Name)
		if err != nil {
			return err
		}
		quiet := *g
		quiet.Quiet = true
		probs, err := rederiveCheck(ctx, &quiet, a, cases, input, sum)
		if err != nil {
			return fmt.Errorf("re-deriving the sample of %q from %s: %w", a.Name, input, err)
		}
		ok := len(probs) == 0
		out.SampleOK = &ok
		out.Problems = append(out.Problems, probs...)
	}
	out.OK = len(out.Problems) == 0
	if o.Format == "json" {
		if err := writeJSON(g.IO.Out, out); err != nil {
			return err
		}
	} else {
		w := g.IO.Out
		if out.StoreOK {
			fmt.Fprintf(w, "store: %s passes SQLite's integrity check\n", g.storePath())
		}
		if res.OK {
			fmt.Fprintf(w, "trail: %d entries, chain intact, head %s\n", res.Entries, res.Head)
		} else {
			fmt.Fprintf(w, "trail: %d entries, CHAIN BROKEN\n", res.Entries)
		}
		switch {
		case !out.InputChecked:
			fmt.Fprintf(w, "sample: not re-derived (the export %s is not there; give --input FILE)\n", a.InputPath)
		case out.SampleOK != nil && *out.SampleOK && *out.InputSHA256OK:
			fmt.Fprintf(w, "sample: re-derived from %s (same SHA-256) with seed %s: identical\n", input, a.Seed)
		case out.SampleOK != nil && *out.SampleOK:
			fmt.Fprintf(w, "sample: re-derived from %s with seed %s: identical, but the file differs from the recorded export\n", input, a.Seed)
		}
		for _, p := range out.Problems {
			fmt.Fprintf(w, "problem: %s\n", textsafe.Terminal(p))
		}
	}
	if !out.OK {
		return &exitCodeError{code: exitVerify, err: fmt.Errorf("audit %q failed verification: %d %s", a.Name, len(out.Problems), pluralWord(len(out.Problems), "problem"))}
	}
	return nil
}
