package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/jsonout"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
	"github.com/spf13/pflag"
)

// allocateFlags are the allocation flags shared by `sample --audit` and `allocate`.
type allocateFlags struct {
	Auditors     []string
	WorkerColumn string
	TeamColumn   string
	AuditorTeams []string // "A. Khan=Salisbury CIN"

	// factors: sample records factors, which --worker-column and
	// --team-column name the columns of too (so they need no --auditors).
	factors bool
	// flags tells a --worker-column given empty (the worker rule dropped)
	// from one not given (the rule of the allocation before kept).
	flags *pflag.FlagSet
}

func addAllocateFlags(cmd *cobra.Command, a *allocateFlags) {
	f := cmd.Flags()
	a.flags = f
	f.StringSliceVar(&a.Auditors, "auditors", nil, "allocate the cases to these auditors, comma-separated, balanced in ticket order")
	f.StringVar(&a.WorkerColumn, "worker-column", "", "never give a case to its own allocated worker, named in this `COLUMN` (e.g. \"Allocated Worker\")")
	f.StringVar(&a.TeamColumn, "team-column", "", "with --auditor-team: never give a case to an auditor from its team, named in this `COLUMN`")
	f.StringArrayVar(&a.AuditorTeams, "auditor-team", nil, "an auditor's team, as `\"AUDITOR=TEAM\"`; repeat for each auditor")
}

func (a *allocateFlags) given() bool { return len(a.Auditors) > 0 }

func (a *allocateFlags) check() error {
	for _, x := range a.AuditorTeams {
		if k, v, ok := strings.Cut(x, "="); !ok || strings.TrimSpace(k) == "" || strings.TrimSpace(v) == "" {
			return usagef("--auditor-team %q: write \"AUDITOR=TEAM\", e.g. \"A. Khan=Salisbury CIN\"", x)
		}
	}
	var clean []string
	for _, x := range a.Auditors {
		if x = strings.TrimSpace(x); x != "" {
			clean = append(clean, x)
		}
	}
	a.Auditors = clean
	if err := a.rules().Check(a.Auditors); err != nil {
		if !a.factors && !a.given() && len(a.AuditorTeams) == 0 {
			return usagef("%w (or, naming the factors' columns, with --factors)", err)
		}
		return &usageError{err}
	}
	return nil
}

// rules are the allocation's rules. With the factors, --worker-column and
// --team-column may name only the factors' columns: they are rules when
// there are auditors to allocate to, and, for the team, their teams.
func (a *allocateFlags) rules() audit.AllocationRules {
	r := audit.AllocationRules{WorkerField: a.WorkerColumn, TeamField: a.TeamColumn}
	r.NoWorkerRule = a.flags != nil && a.flags.Changed("worker-column") && strings.TrimSpace(a.WorkerColumn) == ""
	r.NoTeamRule = a.flags != nil && a.flags.Changed("team-column") && strings.TrimSpace(a.TeamColumn) == ""
	if a.factors && !a.given() {
		r.WorkerField = ""
	}
	if a.factors && len(a.AuditorTeams) == 0 {
		r.TeamField = ""
	}
	if len(a.AuditorTeams) > 0 {
		r.AuditorTeams = map[string]string{}
		for _, x := range a.AuditorTeams {
			k, v, _ := strings.Cut(x, "=")
			r.AuditorTeams[strings.TrimSpace(k)] = strings.TrimSpace(v)
		}
	}
	return r
}

func (a *allocateFlags) allocate(ctx context.Context, st *audit.Store, name string) (audit.Allocation, error) {
	return st.Allocate(ctx, name, a.Auditors, a.rules())
}

func printAllocation(g *globalOptions, al audit.Allocation) {
	// Each auditor's whole workload, the recorded cases she keeps included
	// (as the allocation balanced it), counted by the name rule: a case kept
	// under "a. khan" is A. Khan's.
	count := map[string]int{}
	for _, x := range al.Assigned {
		count[namekey.Key(x.Auditor)]++
	}
	var parts []string
	for _, a := range al.Auditors {
		parts = append(parts, fmt.Sprintf("%s %d", a, count[namekey.Key(a)]))
		delete(count, namekey.Key(a))
	}
	// Auditors left out this time who keep the cases they recorded: the
	// counts must add up to the cases allocated.
	for _, x := range al.Assigned {
		if n, ok := count[namekey.Key(x.Auditor)]; ok {
			parts = append(parts, fmt.Sprintf("%s %d (recorded already)", x.Auditor, n))
			delete(count, namekey.Key(x.Auditor))
		}
	}
	if e := al.Standing; e != nil {
		// The same allocation as the one standing: said once, as it stands.
		g.infof("the allocation of %s by %s (trail entry %d) stands as it is: %s; nothing changed\n",
			e.At.UTC().Format("2006-01-02"), e.Actor, e.Seq, strings.Join(parts, ", "))
		for _, u := range al.Unallocated {
			g.warnf("case %s could not be allocated: %s\n", u.Case, u.Reason)
		}
		return
	}
	g.infof("allocated %s: %s\n", words.Count(len(al.Assigned), "case"), strings.Join(parts, ", "))
	if al.Kept > 0 {
		g.infof("kept the auditor of %s already recorded\n", words.Count(al.Kept, "case"))
	}
	if al.KeptWorkerRule != "" {
		g.infof("kept the rule of the allocation before: no case goes to its own allocated worker (column %q); --worker-column \"\" drops it\n", al.KeptWorkerRule)
	}
	if al.KeptTeamRule != "" {
		g.infof("kept the rule of the allocation before: no case goes to an auditor of its own team (column %q, with the auditors' teams it gave); --team-column \"\" drops it\n", al.KeptTeamRule)
	}
	// Allocating again: how many workbooks already handed out are now wrong
	// in part, the cases that moved to another auditor.
	if al.Again {
		g.infof("moved %s not yet recorded\n", words.Count(al.Moved, "case"))
	}
	for _, u := range al.Unallocated {
		g.warnf("case %s could not be allocated: %s\n", u.Case, u.Reason)
	}
}

type allocateOptions struct {
	Audit  string
	Alloc  allocateFlags
	Format string
}

func newAllocateCmd(g *globalOptions) *cobra.Command {
	o := &allocateOptions{}
	cmd := &cobra.Command{
		Use:   "allocate AUDIT --auditors NAMES",
		Short: "Share an audit's cases among auditors, avoiding conflicts of interest",
		Long: `Allocate the cases of a recorded audit to auditors, balanced and in ticket order.

Conflict-of-interest rules: with --worker-column a case never goes to its own allocated
worker; with --team-column and --auditor-team a case never goes to an auditor from the
case's team. Cases no auditor can take are reported.

Allocating again (an auditor leaves or joins mid-month, the sample grew, the rules changed)
keeps every recorded case with the auditor who had it and moves as few of the cases not yet
recorded as it can, so the workbooks already handed out stay right: each auditor named keeps
the cases she had, in ticket order, up to her share of the whole workload (the recorded cases
she keeps count towards it), as long as the rules still let her have them. Only her cases
beyond her share, the cases of auditors left out and the cases she may no longer have are
dealt again, in ticket order, each to the auditor with the fewest cases (ties to the first
named). The totals come out as even as dealing every case afresh would make them (as far as
the conflict-of-interest rules allow); one who has recorded more than a fair share already is
given nothing more. An auditor left out keeps only the cases she recorded. Allocating again
without --worker-column keeps the worker rule of the allocation before (and says so);
--worker-column "" drops it. Without --team-column it keeps the team rule too, with the
auditors' teams it gave; an auditor it gives no team is refused, with the flags that give the
rule again with every team; --team-column "" drops it. The summary says
how many cases not yet recorded moved. The same cases, findings, auditors, rules and
allocation before always give the same allocation, and every allocation is kept in the
audit's trail, so anyone holding it re-derives who was given what. Allocating again when that gives the
allocation standing (a cron retry, the command run twice) records nothing: it says which
allocation stands, "nothing changed", and exits 0 (changed: false in JSON).`,
		Example: `  caseaudit allocate "2026-07 monthly" --auditors "A. Khan,B. Evans,C. Nowak"

  caseaudit allocate "2026-07 monthly" --auditors "A. Khan,B. Evans" \
      --worker-column "Allocated Worker" --team-column Team \
      --auditor-team "A. Khan=Salisbury CIN" --auditor-team "B. Evans=Chippenham CP"

  # mid-month: C. Nowak leaves, D. Mensah joins; recorded cases stay put and
  # only C. Nowak's other cases and the surplus of those who stay move
  caseaudit allocate "2026-07 monthly" --auditors "A. Khan,B. Evans,D. Mensah"`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runAllocate(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	addAllocateFlags(cmd, &o.Alloc)
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table, csv or json")
	return cmd
}

func runAllocate(ctx context.Context, o *allocateOptions, g *globalOptions) error {
	if err := o.Alloc.check(); err != nil {
		return err
	}
	if !o.Alloc.given() {
		return usagef("give --auditors \"A. Khan,B. Evans\"")
	}
	if err := checkFormat(o.Format, "table", "csv", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	al, err := o.Alloc.allocate(ctx, st, o.Audit)
	if errors.Is(err, audit.ErrNothingToAllocate) {
		g.infof("%s\n", err) // not a failure: the audit's work is done
		return nil
	}
	if err != nil {
		return err
	}
	printAllocation(g, al)
	// The list of cases and auditors is handed out: it carries the
	// marking the audit was handed out under, as its workbooks do.
	h, err := st.Handout(ctx, o.Audit)
	if err != nil {
		return err
	}
	switch o.Format {
	case "json":
		out := allocationJSON{Marking: h.Marking, Audit: o.Audit, Moved: al.Moved, Assigned: []assignedJSON{}, Unallocated: []unallocatedJSON{},
			Changed: al.Standing == nil}
		for _, x := range al.Assigned {
			out.Assigned = append(out.Assigned, assignedJSON{x.Case, x.Auditor})
		}
		for _, u := range al.Unallocated {
			out.Unallocated = append(out.Unallocated, unallocatedJSON{u.Case, u.Reason})
		}
		return writeJSON(g.IO.Out, schema.Allocate, out)
	default:
		rows := [][]string{{"case", "auditor"}}
		for _, x := range al.Assigned {
			rows = append(rows, []string{x.Case, x.Auditor})
		}
		for _, u := range al.Unallocated {
			rows = append(rows, []string{u.Case, ""})
		}
		if o.Format == "csv" {
			return writeCSV(g.IO.Out, markedRows(h.Marking, rows))
		}
		return writeMarkedTable(g.IO.Out, h.Marking, rows)
	}
}

// allocationJSON is allocate --format json (schema/allocate.json).
type allocationJSON struct {
	// Marking is the protective marking the audit was handed out under;
	// absent when none.
	Marking string `json:"marking,omitempty"`
	Audit   string `json:"audit"`
	// Moved counts the cases not yet recorded that the allocation before
	// gave another auditor; 0 the first time.
	Moved       int               `json:"moved"`
	Assigned    []assignedJSON    `json:"assigned"`
	Unallocated []unallocatedJSON `json:"unallocated"`
	// Changed is false when the allocation is the one standing: nothing
	// was recorded.
	Changed bool `json:"changed"`
}

type assignedJSON struct {
	Case    string `json:"case"`
	Auditor string `json:"auditor"`
}

type unallocatedJSON struct {
	Case   string `json:"case"`
	Reason string `json:"reason"`
}

// writeJSON writes v as one indented JSON document following the schema
// id names (one of package schema's identifiers, carried as "$schema").
func writeJSON(w io.Writer, id string, v any) error { return jsonout.Write(w, id, v) }
