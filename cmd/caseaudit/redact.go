package main

import (
	"context"
	"fmt"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// redactOptions are the flags of `caseaudit redact`.
type redactOptions struct {
	Audit  string
	Entry  int
	Reason string
	Role   string
	Format string
}

func newRedactCmd(g *globalOptions) *cobra.Command {
	o := &redactOptions{}
	cmd := &cobra.Command{
		Use:   "redact AUDIT ENTRY --reason TEXT",
		Short: "Erase the free text of one trail entry (a note about the wrong child, a full name and address)",
		Long: `Erase the free text of one entry of an audit's trail — its note, reason, response or free-text
answers — and record a redaction entry saying who, when and why. Grades, dates and everything
else in the entry stay.

An entry's free text is committed in the trail by a salted hash, so once its text and salt are
erased the trail still verifies: 'caseaudit verify' passes and lists every redaction. Reports,
workbooks and history show "[redacted on DATE]" where the text was. An entry written by an
earlier caseaudit hashed its text itself: it can be redacted too, but from then on verify says
plainly that its content can no longer be re-checked (its hash stands as recorded).

An entry redacted already is left as it is, whatever the reason given: the command says when,
by whom and why it was redacted, "nothing changed", and exits 0 (changed: false in JSON), so an
erasure script can be run again.

Only QA or information governance redacts (--role, or $CASEAUDIT_ROLE). 'caseaudit history
AUDIT' shows the entries' numbers.`,
		Example: `  caseaudit redact "2026-07 monthly" 42 --reason "note names the wrong child" --role governance
  caseaudit redact "2026-07 monthly" 17 --reason "full home address in the note" --role qa --format json`,
		Args: exactArgs(2, "the audit's name and the entry number"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			n, err := strconv.Atoi(args[1])
			if err != nil || n < 1 {
				return usagef("the entry %q is not an entry number (1, 2, 3 …; caseaudit history shows them)", args[1])
			}
			o.Entry = n
			return runRedact(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVar(&o.Reason, "reason", "", "why the text is erased (required); recorded in the trail")
	f.StringVar(&o.Role, "role", "", "the role you act in: qa or governance (default: $CASEAUDIT_ROLE)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

func runRedact(ctx context.Context, o *redactOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if o.Reason == "" {
		return usagef("give --reason: why the text is erased (e.g. \"note names the wrong child\")")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	person, err := actingPerson(ctx, st, g, o.Role, usagef("give --role (qa or governance): only QA or information governance redacts"))
	if err != nil {
		return err
	}
	r, err := st.Redact(ctx, audit.RedactRequest{Audit: o.Audit, Entry: o.Entry, Reason: o.Reason, Person: person})
	if err != nil {
		return err
	}
	if r.Changed {
		sayErasureLeftovers(g, st.ErasureLeftovers("trail_text"))
	} else {
		// Redacted already: done, as a script run again expects. What
		// stands is said once, with its own reason; a reason given now is
		// not recorded, since nothing was erased by it.
		also := ""
		for _, a := range r.Also {
			also += fmt.Sprintf(", and the copy in entry %d with it", a)
		}
		other := ""
		if strings.TrimSpace(o.Reason) != strings.TrimSpace(r.Reason) {
			other = " (the reason given now is not recorded: the text is gone already)"
		}
		g.infof("the text of entry %d (%s) was redacted already on %s by %s, reason: %s (entry %d)%s%s; nothing changed\n",
			r.Entry, strings.TrimSpace(r.Kind+" "+r.Case), r.At.UTC().Format("2006-01-02"), r.By, r.Reason, r.Seq, also, other)
	}
	if o.Format == "json" {
		return writeJSON(g.IO.Out, schema.Redact, map[string]any{"audit": r.Audit, "entry": r.Entry, "kind": r.Kind, "case": r.Case,
			"fields": r.Fields, "by": r.By, "at": r.At.UTC().Format("2006-01-02T15:04:05Z"), "reason": r.Reason,
			"redaction_entry": r.Seq, "hash_as_recorded": r.InPlace, "also_redacted": append([]int{}, r.Also...), "changed": r.Changed})
	}
	if r.Changed {
		fmt.Fprintf(g.IO.Out, "%s\n", r.Sentence())
	}
	return nil
}
