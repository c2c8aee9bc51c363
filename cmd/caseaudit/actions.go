package main

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
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
	Marking       string
	By            string
	Split         string
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

Every form of the list shows each case's finding as it stands, as the referral sheet does: the
auditor's latest grade (marked when corrected), immediate attention by the latest judgement (the
auditor's, or a moderator's recorded later, named), the auditor, date audited and note. What opened
the action stays: "opened" in JSON (date, raised, by, grade, note), opened_* columns in CSV.

Without AUDIT, the actions of every audit are listed. Closed actions are left out unless
--all. --out writes a referral sheet for managers (.xlsx, a card per case printed on A4 at full
size, to write the response on by hand in a ruled box, sign and date; never split across pages;
with the case's finding as it stands — the auditor's latest grade and note, corrections included, and immediate
attention by the latest judgement, the auditor's or a later moderator's — who raised the action,
when and why, and the due date; case IDs only unless --include-names, which reads the names from
the recorded export). --fail-on-overdue exits 3 when any listed action is overdue.
The list holds case IDs and auditors' notes, so every form of it carries the protective marking:
--marking, else the markings the listed actions' audits were handed out under, joined (above and
below the table, the first column of every CSV row, "marking" in JSON, every page of a sheet).
--by owner groups the list by owner, the owner with the most overdue actions first; --split DIR
writes one referral sheet per owner.`,
		Example: `  caseaudit actions "2026-07 monthly"
  caseaudit actions --overdue --owner "J. Smith"
  caseaudit actions "2026-07 monthly" --out referrals.xlsx
  caseaudit actions --format json --fail-on-overdue    # for the scheduled job
  caseaudit actions --overdue --by owner               # the chase list, owner by owner
  caseaudit actions --split referrals --marking OFFICIAL-SENSITIVE   # a referral sheet per owner`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) > 1 {
				return usagef("actions takes at most one audit name (got %d arguments); quote a name with spaces, e.g. caseaudit actions \"2026-07 monthly\"", len(args))
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
	f.StringVar(&o.By, "by", "", "group the list by `owner`: each owner's actions together, the owner with the most overdue first (a chase list with --overdue)")
	f.StringVar(&o.Split, "split", "", "write one referral sheet per owner into this `DIR` (\"AUDITS - OWNER.xlsx\"; made when missing)")
	f.StringVar(&o.Marking, "marking", "", "protective marking above and below the list, in the first column of its CSV, in its JSON and on every page of the referral sheet (default: the markings recorded with the audits listed), e.g. \"OFFICIAL-SENSITIVE\"")
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
	// Without the old --by, the library records the person acting: her
	// name on the people list, else --user or the login.
	if strings.TrimSpace(o.By) != "" {
		g.warnf("--by is now --user NAME, the person acting, as for every command\n")
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
	if n := a.Unchanged; n != nil {
		what := "response"
		if kind == "close" {
			what = "closing"
		}
		g.infof("the %s by %s on %s is already recorded as this (trail entry %d); nothing changed\n", what, n.By, a.Case, n.Seq)
		return nil
	}
	if kind == "respond" {
		n := a.Responses[len(a.Responses)-1]
		g.infof("recorded the response by %s on %s (trail entry %d); the action stays %s until QA closes it\n", n.By, a.Case, n.Seq, a.Status)
	} else {
		g.infof("closed the follow-up action on %s (trail entry %d)\n", a.Case, a.Closure.Seq)
	}
	return nil
}

// actionsJSON is actions --format json (schema/actions.json): the actions
// listed, soonest due first.
type actionsJSON struct {
	// Marking is --marking, else the markings of the listed actions'
	// audits, joined; absent when none.
	Marking string       `json:"marking,omitempty"`
	Actions []actionJSON `json:"actions"`
	// ByOwner is the chase list's summary, owner by owner in the order
	// of Actions (--by owner only).
	ByOwner []ownerCountJSON `json:"by_owner,omitempty"`
}

type ownerCountJSON struct {
	Owner   string `json:"owner"`
	Actions int    `json:"actions"`
	Overdue int    `json:"overdue"`
}

// actionJSON is the documented JSON form of an action. Its finding (grade,
// immediate attention, auditor, date audited, note) is the case's standing
// one, as the referral sheet shows it; Opened is the finding that opened
// the action, as recorded then.
type actionJSON struct {
	Audit       string  `json:"audit"`
	Case        string  `json:"case"`
	Owner       string  `json:"owner"`
	Due         string  `json:"due"`
	Status      string  `json:"status"`
	Overdue     bool    `json:"overdue"`
	Grade       string  `json:"grade"`
	CorrectedOn *string `json:"corrected_on"` // the day the auditor's finding was last corrected; null when never
	Immediate   bool    `json:"immediate"`
	// ImmediateBy is the moderation whose judgement decides Immediate,
	// recorded after the auditor's latest finding; null otherwise.
	ImmediateBy    *moderatorJSON   `json:"immediate_by"`
	Auditor        string           `json:"auditor"`
	DateAudited    string           `json:"date_audited"`
	Note           string           `json:"note"`
	Opened         openedJSON       `json:"opened"`
	DaysToResponse *int             `json:"days_to_response"`
	Responses      []actionNoteJSON `json:"responses"`
	Closed         *actionNoteJSON  `json:"closed"`
	RecordedOwner  *string          `json:"recorded_owner"` // what the opening named, when the owner is the team's manager set since
	OwnerByTeam    bool             `json:"owner_by_team"`
	// OwnerIsTeam: the owner is the case's team itself, which has no
	// manager set: a team, not a person.
	OwnerIsTeam bool `json:"owner_is_team,omitempty"`
}

// openedJSON is the finding that opened an action, as recorded then.
type openedJSON struct {
	Date   string `json:"date"`
	Raised string `json:"raised"` // "audit" or "moderation": which finding opened it
	By     string `json:"by"`
	Grade  string `json:"grade"`
	Note   string `json:"note"`
}

type moderatorJSON struct {
	Moderator string `json:"moderator"`
	Date      string `json:"date"`
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

func toActionJSON(a audit.Action, now time.Time, standing map[string]audit.StandingFinding) actionJSON {
	f := report.StandingOf(a, standing)
	j := actionJSON{Audit: a.Audit, Case: a.Case, Owner: a.Owner, Due: a.Due, Status: a.Status, Overdue: a.Overdue(now),
		Grade: f.Grade.String(), Immediate: f.Immediate, Auditor: f.Auditor, DateAudited: f.Date, Note: f.Note,
		Opened:    openedJSON{Date: a.Opened, Raised: a.RaisedAt(), By: a.Auditor, Grade: a.Grade.String(), Note: a.Note},
		Responses: []actionNoteJSON{}}
	if f.CorrectedOn != "" {
		j.CorrectedOn = &f.CorrectedOn
	}
	if f.Moderator != "" {
		j.ImmediateBy = &moderatorJSON{Moderator: f.Moderator, Date: f.ModeratedOn}
	}
	if d, ok := a.DaysToResponse(); ok {
		j.DaysToResponse = &d
	}
	if a.OwnerByTeam {
		j.OwnerByTeam, j.RecordedOwner = true, &a.RecordedOwner
	}
	j.OwnerIsTeam = a.OwnerIsTeam
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
	if o.By != "" && o.Out != "" && o.Split == "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx") {
		// --out DIR --by owner: a referral sheet per owner, each one a
		// file the chaser can forward to its owner alone.
		o.Split, o.Out = o.Out, ""
	}
	if o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx") {
		return usagef("--out %s: the referral sheet is an .xlsx file; name it %s", o.Out, words.WithExt(o.Out, ".xlsx"))
	}
	o.Marking = strings.Join(strings.Fields(o.Marking), " ")
	if o.By != "" && !strings.EqualFold(o.By, "owner") {
		return usagef("--by %q: actions are grouped by owner (--by owner)", o.By)
	}
	if o.Split != "" && o.Out != "" {
		return usagef("give --out FILE for one referral sheet or --split DIR for one per owner, not both")
	}
	if o.Split != "" {
		return runActionsSplit(ctx, o, g)
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
	var groups []audit.OwnerActions
	if o.By != "" {
		groups = l.ByOwner()
		list = nil
		for _, grp := range groups {
			list = append(list, grp.Actions...)
		}
	}
	if o.Out != "" {
		if err := writeReferrals(ctx, st, o, list, "", now); err != nil {
			return err
		}
		g.infof("wrote the referral sheet %s (%d %s)\n", o.Out, len(list), words.Noun(len(list), "case"))
	} else {
		// The list holds case IDs and auditors' notes from its audits: it
		// carries their markings, as the referral sheet does.
		if o.Marking == "" {
			names := make([]string, len(list))
			for i, a := range list {
				names[i] = a.Audit
			}
			if o.Marking, err = report.AuditsMarking(ctx, st, names); err != nil {
				return err
			}
		}
		// Each case's finding as it stands, as the referral sheet shows it.
		standing, err := report.StandingFindings(ctx, st, list)
		if err != nil {
			return err
		}
		switch o.Format {
		case "json":
			out := actionsJSON{Marking: o.Marking, Actions: []actionJSON{}}
			for _, a := range list {
				out.Actions = append(out.Actions, toActionJSON(a, now, standing[a.Audit]))
			}
			if o.By != "" {
				out.ByOwner = []ownerCountJSON{}
				for _, grp := range groups {
					out.ByOwner = append(out.ByOwner, ownerCountJSON{Owner: grp.Owner, Actions: len(grp.Actions), Overdue: grp.Overdue})
				}
			}
			if err := writeJSON(g.IO.Out, schema.Actions, out); err != nil {
				return err
			}
		case "csv":
			// auditor, grade and note are the case's finding as it
			// stands, in the columns that held the opening finding's;
			// the columns added come after owner_is_team, so that the
			// columns before them keep their places.
			rows := [][]string{{"audit", "case", "owner", "opened", "due", "status", "overdue", "raised", "auditor", "grade", "note", "owner_is_team",
				"corrected_on", "immediate", "immediate_by", "immediate_on", "date_audited", "opened_by", "opened_grade", "opened_note"}}
			for _, a := range list {
				f := report.StandingOf(a, standing[a.Audit])
				rows = append(rows, []string{a.Audit, a.Case, a.Owner, a.Opened, a.Due, a.Status,
					fmt.Sprint(a.Overdue(now)), a.RaisedAt(), f.Auditor, f.Grade.String(), f.Note, fmt.Sprint(a.OwnerIsTeam),
					f.CorrectedOn, fmt.Sprint(f.Immediate), f.Moderator, f.ModeratedOn, f.Date, a.Auditor, a.Grade.String(), a.Note})
			}
			if err := writeCSV(g.IO.Out, markedRows(o.Marking, rows)); err != nil {
				return err
			}
		default:
			if len(list) == 0 {
				g.infof("no follow-up actions to show\n")
				break
			}
			if o.Marking != "" {
				fmt.Fprintf(g.textOut(), "%s\n\n", o.Marking)
			}
			if err := writeActionsTable(g, list, groups, now, standing); err != nil {
				return err
			}
			if o.Marking != "" {
				fmt.Fprintf(g.textOut(), "\n%s\n", o.Marking)
			}
		}
	}
	if overdue > 0 {
		g.infof("%d %s overdue (as of %s)\n", overdue, words.Noun(overdue, "action"), now.UTC().Format(time.DateOnly))
		if o.FailOnOverdue {
			return l.OverdueFailure()
		}
	}
	return nil
}

// writeReferrals writes the referral sheet of list (owner's alone when
// given) to o.Out (see report.BuildReferrals).
func writeReferrals(ctx context.Context, st *audit.Store, o *actionsOptions, list []audit.Action, owner string, now time.Time) error {
	sheet, err := report.BuildReferrals(ctx, st, report.ReferralRequest{Actions: list, Now: now, Names: o.IncludeNames,
		Audit: o.Audit, Owner: owner, Marking: o.Marking})
	if err != nil {
		return err
	}
	return atomicfile.Write(ctx, o.Out, o.Force, func(f *os.File) error { return sheet.WriteXLSX(f) })
}

// runActionsSplit writes one referral sheet per owner of the actions
// listed (as actions --out would for each) into o.Split.
func runActionsSplit(ctx context.Context, o *actionsOptions, g *globalOptions) error {
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
	groups := audit.FilterActions(all, audit.ActionFilter{Overdue: o.Overdue, Owner: o.Owner, All: o.All}, now).ByOwner()
	if len(groups) == 0 {
		g.infof("no follow-up actions to write\n")
		return nil
	}
	if err := os.MkdirAll(o.Split, 0o700); err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	prefix := "actions"
	if o.Audit != "" {
		prefix = o.Audit
	}
	// One file per owner, written in the owners' name order.
	slices.SortFunc(groups, func(x, y audit.OwnerActions) int { return strings.Compare(x.Owner, y.Owner) })
	paths := map[string]string{}
	for _, grp := range groups {
		paths[grp.Owner] = filepath.Join(o.Split, fileName(prefix+" - "+grp.Owner)+".xlsx")
		if err := atomicfile.Check(paths[grp.Owner], o.Force); err != nil {
			return err
		}
	}
	for _, grp := range groups {
		owner, list := grp.Owner, grp.Actions
		oo := *o
		oo.Out = paths[owner]
		if err := writeReferrals(ctx, st, &oo, list, owner, now); err != nil {
			return err
		}
		g.infof("wrote %s (%d %s %s)\n", oo.Out, len(list), words.Noun(len(list), "case"), ownerText(owner, groupTeamOwned(grp)))
	}
	return nil
}

// writeActionsTable prints the actions as a table, each with its case's
// finding as it stands (the auditor's latest grade, marked when corrected,
// and immediate attention by the latest judgement, naming the moderator
// when hers decides it); grouped (groups given),
// each owner's under a line naming the owner and how many are overdue (the
// chase list). An owner who is the team's manager set after the action was
// opened is marked "(by team)"; a team that owns its cases' actions itself
// (no manager set) is marked as a team.
func writeActionsTable(g *globalOptions, list []audit.Action, groups []audit.OwnerActions, now time.Time, standing map[string]map[string]audit.StandingFinding) error {
	header := []string{"audit", "case", "owner", "opened", "due", "status", "overdue", "raised", "grade", "immediate"}
	rowOf := func(a audit.Action) []string {
		od := ""
		if a.Overdue(now) {
			od = "OVERDUE"
		}
		f := report.StandingOf(a, standing[a.Audit])
		grade := f.Grade.String()
		if f.CorrectedOn != "" {
			grade += " (corrected " + f.CorrectedOn + ")"
		}
		imm := "no"
		if f.Immediate {
			imm = "YES"
		}
		if f.Moderator != "" {
			imm += " (moderator " + f.Moderator + ")"
		}
		return []string{a.Audit, a.Case, a.OwnerShown(), a.Opened, a.Due, a.Status, od, "at " + a.RaisedAt(), grade, imm}
	}
	if groups == nil {
		rows := [][]string{header}
		for _, a := range list {
			rows = append(rows, rowOf(a))
		}
		return writeTable(g.textOut(), rows)
	}
	w := g.textOut()
	for i, grp := range groups {
		if i > 0 {
			fmt.Fprintln(w)
		}
		owner := grp.Owner
		if groupTeamOwned(grp) {
			owner += " " + audit.TeamOwnerNote
		}
		fmt.Fprintf(w, "%s: %s, %d overdue\n", owner, words.Count(len(grp.Actions), "action"), grp.Overdue)
		rows := [][]string{header}
		for _, a := range grp.Actions {
			rows = append(rows, rowOf(a))
		}
		if err := writeTable(w, rows); err != nil {
			return err
		}
	}
	return nil
}

// groupTeamOwned reports whether an owner's group of actions is a team's
// own: every action in it is owned by its case's team (no manager set).
func groupTeamOwned(grp audit.OwnerActions) bool {
	return len(grp.Actions) > 0 && !slices.ContainsFunc(grp.Actions, func(a audit.Action) bool { return !a.OwnerIsTeam })
}
