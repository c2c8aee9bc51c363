package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	Dir  string
	Rows int
	Size int
	Seed string
}

func init() { extraCommands = append(extraCommands, newDemoCmd) }

func newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a whole audit on invented data, as a tour",
		Long: `Generate a synthetic export of invented cases, draw a sample from it and write the
auditors' workbook, printing each step and the commands to try next.

Everything is written to a new temporary folder (or --dir); no real data is used.`,
		Example: `  caseaudit demo
  caseaudit demo --dir ./tour --rows 10000 --size 90`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder to work in (default: a new temporary folder)")
	cmd.Flags().IntVar(&o.Rows, "rows", 3000, "cases in the invented export")
	cmd.Flags().IntVar(&o.Size, "size", 120, "cases to sample")
	cmd.Flags().StringVar(&o.Seed, "seed", "", "seed (default: random)")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions, g *globalOptions) error {
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "caseaudit-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	export := filepath.Join(dir, "cases.xlsx")
	out := g.IO.Out
	fmt.Fprintf(out, "1. An invented case-list export of %d cases (messy, as real ones are): %s\n", o.Rows, export)
	f, err := os.OpenFile(export, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := synth.WriteXLSX(f, synth.Options{Rows: o.Rows, Seed: 7, Messy: true}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	workbook := filepath.Join(dir, "audit.xlsx")
	fmt.Fprintf(out, "\n2. Draw %d cases at random, stratified by team:\n   caseaudit sample %s --size %d --strata Team --out %s\n\n",
		o.Size, export, o.Size, workbook)
	so := &sampleOptions{Export: export, Size: o.Size, Seed: o.Seed, Strata: "Team",
		Allocation: "proportional", Format: "table", Out: workbook, Force: true}
	if err := runSample(ctx, so, g); err != nil {
		return err
	}
	fmt.Fprintf(out, "\n3. Anyone with the export and the seed re-derives the same sample:\n   caseaudit sample %s --size %d --strata Team --seed %s\n",
		export, o.Size, so.Seed)
	fmt.Fprintf(out, "\nNext: open %s — one row per case, with drop-downs for Grade and Immediate attention,\nand a Method sheet saying how the sample was drawn.\n", workbook)
	return nil
}
