package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type formInitOptions struct {
	Out   string
	Force bool
}

type formCheckOptions struct {
	File   string
	Format string
}

func newFormCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "form",
		Short: "Write out and check audit forms (the focus-area questions auditors answer)",
		Long: `An audit form lists the questions auditors answer for every case, besides the three always
asked: the overall grade, whether the case needs immediate attention, and a note. Each question
has a key, a label, optional help, and a kind: grade (Outstanding, Good, Requires improvement,
Inadequate, optionally Not applicable), yesno (optionally N/A), choice (listed options) or text.

'caseaudit sample --audit NAME' uses the built-in form for children's social care unless
--form FILE names another (or --form none); the audit keeps its own copy, which never changes.
The auditors' workbook gets one column per question, with a drop-down.`,
		Example: `  caseaudit form init > form.yaml
  caseaudit form check form.yaml
  caseaudit sample cases.xlsx --size 120 --audit "2026-07 monthly" --form form.yaml --out audit.xlsx`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown form command %q: use form init or form check FILE", args[0])
			}
			return usagef("name a form command: form init or form check FILE")
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	cmd.AddCommand(newFormInitCmd(g), newFormCheckCmd(g))
	return cmd
}

func newFormInitCmd(g *globalOptions) *cobra.Command {
	o := &formInitOptions{}
	cmd := &cobra.Command{
		Use:   "init",
		Short: "Write the built-in form for children's social care, commented, for editing",
		Example: `  caseaudit form init > form.yaml
  caseaudit form init --out form.yaml`,
		Args: exactArgs(0, "no arguments"),
		RunE: func(cmd *cobra.Command, args []string) error { return runFormInit(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVarP(&o.Out, "out", "o", "", "write to this `FILE` instead of stdout")
	cmd.Flags().BoolVar(&o.Force, "force", false, "replace an existing --out file")
	return cmd
}

func runFormInit(ctx context.Context, o *formInitOptions, g *globalOptions) error {
	data := audit.DefaultFormYAML()
	if o.Out == "" {
		_, err := g.IO.Out.Write(data)
		return err
	}
	if err := atomicfile.Write(ctx, o.Out, o.Force, func(f *os.File) error {
		_, err := f.Write(data)
		return err
	}); err != nil {
		return err
	}
	g.infof("wrote the default audit form to %s; edit it, then: caseaudit form check %s\n", o.Out, o.Out)
	return nil
}

func newFormCheckCmd(g *globalOptions) *cobra.Command {
	o := &formCheckOptions{}
	cmd := &cobra.Command{
		Use:   "check FILE",
		Short: "Check an audit form: every problem with its line",
		Long: `Check an audit form written in YAML. Every problem is listed with its line — duplicate keys or
labels, unknown kinds or fields, empty choice lists, missing labels — and the exit code is 1
when there is any. A valid form is summarised (--format json prints it as stored with an audit).`,
		Example: `  caseaudit form check form.yaml`,
		Args:    exactArgs(1, "the form file"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.File = args[0]
			return runFormCheck(cmd.Context(), o, g)
		},
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output: table or json")
	return cmd
}

func runFormCheck(ctx context.Context, o *formCheckOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	data, err := os.ReadFile(o.File)
	if err != nil {
		return export.FileError(o.File, err)
	}
	f, err := audit.ParseForm(o.File, data)
	var fe *audit.FormError
	if errors.As(err, &fe) {
		for _, p := range fe.Problems {
			if p.Line > 0 {
				fmt.Fprintf(g.IO.Err, "%s:%d: %s\n", o.File, p.Line, p.Msg)
			} else {
				fmt.Fprintf(g.IO.Err, "%s: %s\n", o.File, p.Msg)
			}
		}
		return fmt.Errorf("%s: %d %s; fix the form and check it again", o.File, len(fe.Problems), words.Noun(len(fe.Problems), "problem"))
	}
	if err != nil {
		return err
	}
	if o.Format == "json" {
		return writeJSON(g.IO.Out, schema.Form, f)
	}
	g.infof("%s: form %q is valid: %s besides the grade, immediate attention and notes\n", o.File, f.Name, words.Count(len(f.Questions), "question"))
	rows := [][]string{{"key", "label", "kind", "answers", "required"}}
	for _, q := range f.Questions {
		ans := "any text"
		if opts := q.Options(); opts != nil {
			ans = strings.Join(opts, " / ")
		}
		req := "no"
		if q.Required {
			req = "yes"
		}
		rows = append(rows, []string{q.Key, q.Label, q.Kind, ans, req})
	}
	return writeTable(g.IO.Out, rows)
}
