package main

import (
	"context"
	"fmt"
	"path/filepath"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// withdrawOptions are the flags of `caseaudit withdraw`.
type withdrawOptions struct {
	Audit  string
	Case   string
	Reason string
	Input  string
	Format string
}

func newWithdrawCmd(g *globalOptions) *cobra.Command {
	o := &withdrawOptions{}
	cmd := &cobra.Command{
		Use:   "withdraw AUDIT CASE --reason TEXT",
		Short: "Withdraw a sampled case that cannot be audited, and draw the next case in its place",
		Long: `Withdraw a sampled case that cannot be audited — closed before the audit, transferred to
another authority, sealed, a duplicate record — with the reason, and draw its replacement: the
case with the next ticket in the same stratum (in the whole population when the sample is not
stratified). The consistent sampler makes the replacement re-derivable: anyone holding the
export and the seed finds the same one, and 'caseaudit verify' re-derives the sample with its
replacements.

The withdrawal and the replacement are recorded in the audit's trail; the replacement joins
the sample (and, when the audit is allocated, the withdrawn case's auditor, unless a
conflict-of-interest rule forbids it). A case with a finding was audited and cannot be withdrawn.
The same withdrawal given again (the same case, the same reason: a script run twice) changes
nothing and prints the withdrawal that stands; another reason for a withdrawn case is refused.
Reports count audited cases only and say how many cases were withdrawn, and why.

The replacement is read from the audit's export (found where it was drawn from, or --input): it
must be the very file (the same SHA-256).`,
		Example: `  caseaudit withdraw "2026-07 monthly" CR-0001234 --reason "closed before the audit"
  caseaudit withdraw "2026-07 monthly" CR-0002468 --reason "transferred to another authority" --input exports/cases-2026-07.xlsx`,
		Args: exactArgs(2, "the audit's name and the case ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit, o.Case = args[0], args[1]
			return runWithdraw(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVar(&o.Reason, "reason", "", "why the case cannot be audited (required): closed before the audit, transferred, sealed, a duplicate record …")
	f.StringVar(&o.Input, "input", "", "the audit's export `FILE` (default: where the sample was drawn from)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

func runWithdraw(ctx context.Context, o *withdrawOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if o.Reason == "" {
		return usagef("give --reason: why the case cannot be audited (e.g. \"closed before the audit\")")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	prog := newProgress(g, "reading the export")
	res, err := audit.Withdraw(ctx, st, audit.WithdrawRequest{Name: o.Audit, Case: o.Case, Reason: o.Reason, Export: o.Input, Progress: prog.rows})
	prog.done()
	if err != nil {
		return err
	}
	w := res.Withdrawal
	if !res.Changed && o.Format == "json" {
		g.infof("%s\n", standingWithdrawal(res))
	}
	if o.Format == "json" {
		out := withdrawalJSON{Audit: res.Audit.Name, Case: w.Case, Reason: w.Reason, Stratum: w.Stratum,
			WithdrawnAt: w.At.UTC().Format("2006-01-02T15:04:05Z")}
		out.Changed = res.Changed
		if r := res.Replacement; r != nil {
			out.Replacement = &replacementJSON{Order: r.Order, ID: r.ID, Ticket: r.Ticket, Row: r.Row, Stratum: r.Stratum}
		}
		if res.Auditor != "" {
			out.Auditor = &res.Auditor
		}
		return writeJSON(g.IO.Out, schema.Withdraw, out)
	}
	if !res.Changed {
		// Withdrawn already for this reason: done, as a script run again
		// expects. What stands is said once, in the past tense, so that it
		// does not read as a second draw.
		g.infof("%s\n", standingWithdrawal(res))
		return nil
	}
	fmt.Fprintf(g.IO.Out, "withdrew %s from audit %q: %s\n", w.Case, res.Audit.Name, w.Reason)
	r := res.Replacement
	if r == nil {
		where := "the population"
		if w.Stratum != "" {
			where = fmt.Sprintf("the stratum %q", w.Stratum)
		}
		fmt.Fprintf(g.IO.Out, "no replacement: every case of %s is in the sample already\n", where)
		return nil
	}
	in := ""
	if r.Stratum != "" {
		in = fmt.Sprintf(" of the stratum %q", r.Stratum)
	}
	fmt.Fprintf(g.IO.Out, "drew %s in its place (number %d of the sample, the next ticket%s)\n", r.ID, r.Order, in)
	switch {
	case res.Auditor != "":
		fmt.Fprintf(g.IO.Out, "allocated %s to %s\n", r.ID, res.Auditor)
	case res.Unallocated != "":
		g.warnf("%s is not allocated: %s\n", r.ID, res.Unallocated)
	}
	g.infof("write the workbook again to hand it out: caseaudit workbook %s --out %s\n", shellarg.Quote(res.Audit.Name), shellarg.Quote(filepath.Base(fileName(res.Audit.Name)+".xlsx")))
	return nil
}

// standingWithdrawal says the withdrawal that stands, when the same one
// is given again: when and by whom, the case drawn in its place and its
// auditor, and that nothing changed.
func standingWithdrawal(res *audit.WithdrawResult) string {
	w := res.Withdrawal
	s := fmt.Sprintf("%s was withdrawn from audit %q already on %s by %s for this reason (trail entry %d)",
		w.Case, res.Audit.Name, w.At.UTC().Format("2006-01-02"), w.Actor, w.Seq)
	switch r := res.Replacement; {
	case r == nil:
		s += "; no case was drawn in its place"
	case res.Auditor != "":
		s += fmt.Sprintf("; %s was drawn in its place and allocated to %s", r.ID, res.Auditor)
	default:
		s += fmt.Sprintf("; %s was drawn in its place", r.ID)
	}
	return s + "; nothing changed"
}

// withdrawalJSON is withdraw --format json (schema/withdraw.json). The
// replacement is null when the stratum had no case left; the auditor is
// the replacement's (the withdrawn case's), null when it had none.
type withdrawalJSON struct {
	Audit       string           `json:"audit"`
	Case        string           `json:"case"`
	Reason      string           `json:"reason"`
	Stratum     string           `json:"stratum"`
	Replacement *replacementJSON `json:"replacement"`
	Auditor     *string          `json:"auditor"`
	WithdrawnAt string           `json:"withdrawn_at"`
	// Changed is false when the same withdrawal was given again: nothing
	// was appended, and this is the withdrawal that stands.
	Changed bool `json:"changed"`
}

type replacementJSON struct {
	Order   int    `json:"order"`
	ID      string `json:"id"`
	Ticket  string `json:"ticket"`
	Row     int    `json:"row"`
	Stratum string `json:"stratum"`
}
