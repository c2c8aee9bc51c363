package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/spf13/cobra"
)

type actionsOptions struct {
	Audit         string
	Overdue       bool
	Owner         string
	All           bool
	Format        string
	Out           string
	Force         bool
	IncludeNames  bool
	FailOnOverdue bool
}

type actionMoveOptions struct {
	Audit string
	Case  string
	Note  string
	By    string
}

func newActionsCmd(g *globalOptions) *cobra.Command {
	o := &actionsOptions{}
	cmd := &cobra.Command{
		Use:   "actions [AUDIT]",
		Short: "List the follow-up actions on cases flagged for immediate attention",
		Long: `Every finding that needs immediate attention opens a follow-up action: the case is referred
to its owner (the team manager, from the audit's --owner-column and --team-manager, else
"unassigned"), who must respond within 5 working days (--due when sampling or recording).
An action is overdue when it has had no response by its due date. The owner responds with
'caseaudit action respond', the QA officer closes it with 'caseaudit action close'; every
change is appended to the audit's trail.

Without AUDIT, the actions of every audit are listed. Closed actions are left out unless
--all. --out writes a referral sheet for managers (.xlsx, one row per case, with the auditor's
note and the due date; case IDs only unless --include-names, which reads the names from the
recorded export). --fail-on-overdue exits 3 when any listed action is overdue.`,
		Example: `  caseaudit actions "2026-07 monthly"
  caseaudit actions --overdue --owner "J. Smith"
  caseaudit actions "2026-07 monthly" --out referrals.xlsx
  caseaudit actions --format json --fail-on-overdue    # for the scheduled job`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("actions takes at most one audit name (got %d arguments)", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Audit = args[0]
			}
			return runActions(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.BoolVar(&o.Overdue, "overdue", false, "only actions past their due date without a response")
	f.StringVar(&o.Owner, "owner", "", "only actions owned by this `NAME` (ignoring case)")
	f.BoolVar(&o.All, "all", false, "include closed actions")
	f.StringVarP(&o.Format, "format", "f", "table", "output: table, csv, json, or xlsx (with --out)")
	f.StringVarP(&o.Out, "out", "o", "", "write the referral sheet for managers to this .xlsx `FILE`")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.BoolVar(&o.IncludeNames, "include-names", false, "with --out: add the children's names, read from the recorded export")
	f.BoolVar(&o.FailOnOverdue, "fail-on-overdue", false, "exit 3 when any listed action is overdue")
	return cmd
}

func newActionCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "action",
		Short: "Move a follow-up action on: respond or close",
		Example: `  caseaudit action respond "2026-07 monthly" CR-0001234 --note "Visit made 9 July; plan reviewed" --user "J. Smith"
  caseaudit action close "2026-07 monthly" CR-0001234 --note "Response checked; case safe"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 0 {
				return usagef("unknown action command %q: use action respond or action close", args[0])
			}
			return usagef("name an action command: action respond AUDIT CASE --note TEXT, or action close AUDIT CASE --note TEXT")
		},
		RunE: func(cmd *cobra.Command, args []string) error { return nil },
	}
	for _, kind := range []string{"respond", "close"} {
		o := &actionMoveOptions{}
		short := "Record the owner's response to a case's follow-up action"
		example := `  caseaudit action respond "2026-07 monthly" CR-0001234 --note "Visit made 9 July; plan reviewed" --user "J. Smith"`
		if kind == "close" {
			short = "Close a case's follow-up action"
			example = `  caseaudit action close "2026-07 monthly" CR-0001234 --note "Plan reviewed at the CP conference"`
		}
		c := &cobra.Command{
			Use:     kind + " AUDIT CASE --note TEXT",
			Short:   short,
			Example: example,
			Args:    exactArgs(2, "the audit's name and the case ID"),
			RunE: func(cmd *cobra.Command, args []string) error {
				o.Audit, o.Case = args[0], args[1]
				return runActionMove(cmd.Context(), o, g, kind)
			},
			ValidArgsFunction: completeAudits(g),
		}
		c.Flags().StringVar(&o.Note, "note", "", "what was done (needed)")
		c.Flags().StringVar(&o.By, "by", "", "who acts (deprecated: --user)")
		c.Flags().MarkHidden("by")
		cmd.AddCommand(c)
	}
	return cmd
}

func runActionMove(ctx context.Context, o *actionMoveOptions, g *globalOptions, kind string) error {
	if strings.TrimSpace(o.Note) == "" {
		return usagef("give --note saying what was done")
	}
	if strings.TrimSpace(o.By) != "" {
		g.warnf("--by is now --user NAME, the person acting, as for every command\n")
	} else {
		o.By = g.actor()
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	var a *audit.Action
	if kind == "respond" {
		a, err = st.RespondAction(ctx, o.Audit, o.Case, o.By, o.Note)
	} else {
		a, err = st.CloseAction(ctx, o.Audit, o.Case, o.By, o.Note)
	}
	if err != nil {
		return err
	}
	if kind == "respond" {
		n := a.Responses[len(a.Responses)-1]
		g.infof("recorded %s's response on %s (trail entry %d); the action is %s\n", n.By, a.Case, n.Seq, a.Status)
	} else {
		g.infof("closed the follow-up action on %s (trail entry %d)\n", a.Case, a.Closure.Seq)
	}
	return nil
}

// actionJSON is the documented JSON form of an action.
type actionJSON struct {
	Audit          string           `json:"audit"`
	Case           string           `json:"case"`
	Owner          string           `json:"owner"`
	Opened         string           `json:"opened"`
	Due            string           `json:"due"`
	Status         string           `json:"status"`
	Overdue        bool             `json:"overdue"`
	Auditor        string           `json:"auditor"`
	Grade          string           `json:"grade"`
	Note           string           `json:"note"`
	Raised         string           `json:"raised"` // "audit" or "moderation": which finding opened it
	DaysToResponse *int             `json:"days_to_response"`
	Responses      []actionNoteJSON `json:"responses"`
	Closed         *actionNoteJSON  `json:"closed"`
}

type actionNoteJSON struct {
	By   string `json:"by"`
	At   string `json:"at"`
	Note string `json:"note"`
	Auto bool   `json:"auto,omitempty"`
}

func noteJSON(n audit.ActionNote) actionNoteJSON {
	return actionNoteJSON{By: n.By, At: n.At.UTC().Format(time.RFC3339), Note: n.Note, Auto: n.Auto}
}

func toActionJSON(a audit.Action, now time.Time) actionJSON {
	j := actionJSON{Audit: a.Audit, Case: a.Case, Owner: a.Owner, Opened: a.Opened, Due: a.Due, Status: a.Status,
		Overdue: a.Overdue(now), Auditor: a.Auditor, Grade: a.Grade.String(), Note: a.Note, Raised: a.RaisedAt(),
		Responses: []actionNoteJSON{}}
	if d, ok := a.DaysToResponse(); ok {
		j.DaysToResponse = &d
	}
	for _, n := range a.Responses {
		j.Responses = append(j.Responses, noteJSON(n))
	}
	if a.Closure != nil {
		c := noteJSON(*a.Closure)
		j.Closed = &c
	}
	return j
}

func runActions(ctx context.Context, o *actionsOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "csv", "json", "xlsx"); err != nil {
		return err
	}
	if o.Format == "xlsx" && o.Out == "" {
		return usagef("--format xlsx writes the referral sheet: give --out FILE.xlsx")
	}
	if o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx") {
		return usagef("--out %s: the referral sheet is an .xlsx file; name it …xlsx", o.Out)
	}
	if o.IncludeNames && o.Out == "" {
		return usagef("--include-names goes with --out: names go only into the referral sheet")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	all, err := st.Actions(ctx, o.Audit)
	if err != nil {
		return err
	}
	now := g.Now()
	l := audit.FilterActions(all, audit.ActionFilter{Overdue: o.Overdue, Owner: o.Owner, All: o.All}, now)
	list, overdue := l.Actions, l.Overdue
	if o.Out != "" {
		sheet, err := report.BuildReferrals(ctx, st, list, o.IncludeNames, now)
		if err != nil {
			return err
		}
		if err := atomicfile.Write(ctx, o.Out, o.Force, func(f *os.File) error { return sheet.WriteXLSX(f) }); err != nil {
			return err
		}
		g.infof("wrote the referral sheet %s (%d %s)\n", o.Out, len(list), words.Noun(len(list), "case"))
	} else {
		switch o.Format {
		case "json":
			out := []actionJSON{}
			for _, a := range list {
				out = append(out, toActionJSON(a, now))
			}
			if err := writeJSON(g.IO.Out, out); err != nil {
				return err
			}
		case "csv":
			rows := [][]string{{"audit", "case", "owner", "opened", "due", "status", "overdue", "raised", "auditor", "grade", "note"}}
			for _, a := range list {
				rows = append(rows, []string{a.Audit, a.Case, a.Owner, a.Opened, a.Due, a.Status,
					fmt.Sprint(a.Overdue(now)), a.RaisedAt(), a.Auditor, a.Grade.String(), a.Note})
			}
			if err := writeCSV(g.IO.Out, rows); err != nil {
				return err
			}
		default:
			if len(list) == 0 {
				g.infof("no follow-up actions to show\n")
				break
			}
			rows := [][]string{{"audit", "case", "owner", "opened", "due", "status", "overdue", "raised"}}
			for _, a := range list {
				od := ""
				if a.Overdue(now) {
					od = "OVERDUE"
				}
				rows = append(rows, []string{a.Audit, a.Case, a.Owner, a.Opened, a.Due, a.Status, od, "at " + a.RaisedAt()})
			}
			if err := writeTable(g.IO.Out, rows); err != nil {
				return err
			}
		}
	}
	if overdue > 0 {
		g.infof("%d %s overdue (as of %s)\n", overdue, words.Noun(overdue, "action"), now.UTC().Format(time.DateOnly))
		if o.FailOnOverdue {
			return &exitCodeError{code: exitThreshold, err: fmt.Errorf("%d follow-up %s overdue", overdue, words.Noun(overdue, "action"))}
		}
	}
	return nil
}
