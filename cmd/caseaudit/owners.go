package main

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// ownersOptions are the flags of `caseaudit owners set|unset|list`.
type ownersOptions struct {
	Team    string
	Manager string
	Format  string
}

func newOwnersCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "owners",
		Short: "Set which manager owns each team's follow-up actions (QA)",
		Long: `A team's manager owns the follow-up actions of the team's cases: the chase list
(actions --overdue --by owner) and the referral sheets go to her, and she may respond.

owners set TEAM MANAGER keeps the change in the trail of every audit in the store (who set it
and when, covered by verify), so everyone recording on a shared store sees the same owners.
It applies to actions opened from then on, to the actions already open that were left
unassigned or to the team itself (they are shown as owned by the team's manager; what their
opening recorded is not rewritten: JSON gives it as recorded_owner), and to audits drawn later.
A team is matched by the audit's team column (its strata, or a column named Team), spacing
and case aside. --team-manager at sampling, or the config's follow_up.team_managers, sets a
team's manager for one new audit.`,
		Example: `  caseaudit owners set "Salisbury CIN" "J. Smith"
  caseaudit owners unset "Salisbury CIN"
  caseaudit owners list --format json`,
	}
	set := &ownersOptions{}
	setCmd := &cobra.Command{
		Use:     "set TEAM MANAGER",
		Short:   "Make MANAGER the owner of TEAM's follow-up actions",
		Example: `  caseaudit owners set "Salisbury CIN" "J. Smith"`,
		Args:    exactArgs(2, "the team and its manager"),
		RunE: func(cmd *cobra.Command, args []string) error {
			set.Team, set.Manager = args[0], args[1]
			return runOwnersSet(cmd.Context(), set, g)
		},
	}
	unset := &ownersOptions{}
	unsetCmd := &cobra.Command{
		Use:     "unset TEAM",
		Short:   "Clear TEAM's manager: its actions keep the owner their opening recorded",
		Example: `  caseaudit owners unset "Salisbury CIN"`,
		Args:    exactArgs(1, "the team"),
		RunE: func(cmd *cobra.Command, args []string) error {
			unset.Team = args[0]
			return runOwnersSet(cmd.Context(), unset, g)
		},
	}
	ls := &ownersOptions{}
	lsCmd := &cobra.Command{
		Use:   "list",
		Short: "List the team managers: team, manager, who set it and when; then those the audits' own rules name",
		Long: `List the team managers set with owners set (team, manager, who set it and when), then
those the audits' own follow-up rules name (sample --team-manager, or the configuration's
follow_up.team_managers): an audit's rule owns a team's actions where owners set names no
manager for the team. --format json gives both (team_managers, audit_rules); csv gives both
in one table, a row per manager set with owners set (source "store", with who set it and
when) and then a row per audit and team an audit's rule names (source "audit", with the
audit's name).`,
		Example: `  caseaudit owners list
  caseaudit owners list --format csv > owners.csv
  caseaudit owners list --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runOwnersList(cmd.Context(), ls, g)
		},
	}
	lsCmd.Flags().StringVarP(&ls.Format, "format", "f", "table", "output format: table, csv or json")
	cmd.AddCommand(setCmd, unsetCmd, lsCmd)
	return cmd
}

func runOwnersSet(ctx context.Context, o *ownersOptions, g *globalOptions) error {
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ch, err := st.SetTeamManager(ctx, o.Team, o.Manager)
	if err != nil {
		return err
	}
	if !ch.Known {
		seen := "no audit names teams yet"
		if len(ch.Teams) > 0 {
			seen = "the teams sampled are " + strings.Join(ch.Teams, ", ")
		}
		g.warnf("no sampled case is in a team called %q: check its spelling (%s)\n", ch.Team, seen)
	}
	audits := words.Count(ch.Audits, "audit")
	if o.Manager == "" {
		g.infof("%s has no manager now (kept in the trails of %s); its actions keep the owner their opening recorded\n", ch.Team, audits)
		return nil
	}
	manager := strings.Join(strings.Fields(o.Manager), " ")
	if ch.Audits == 0 {
		g.infof("%s already owns the follow-up actions of %s (in the trails of %s); nothing changed\n", manager, ch.Team, words.Count(ch.Unchanged, "audit"))
		return nil
	}
	g.infof("%s owns the follow-up actions of %s from now on (kept in the trails of %s)\n", manager, ch.Team, audits)
	return nil
}

// ownersJSON is owners list --format json (schema/owners.json).
type ownersJSON struct {
	Store        string            `json:"store"`
	TeamManagers []teamManagerJSON `json:"team_managers"`
	// AuditRules are the team managers the audits' own follow-up rules
	// name: they own a team's actions in that audit where owners set
	// names no manager for the team.
	AuditRules []ruleManagerJSON `json:"audit_rules"`
}

type ruleManagerJSON struct {
	Audit   string `json:"audit"`
	Team    string `json:"team"`
	Manager string `json:"manager"`
}

type teamManagerJSON struct {
	Team    string `json:"team"`
	Manager string `json:"manager"`
	SetBy   string `json:"set_by"`
	SetAt   string `json:"set_at"`
}

func runOwnersList(ctx context.Context, o *ownersOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "csv", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	tms, err := st.TeamManagers(ctx)
	if err != nil {
		return err
	}
	rules, err := st.RuleManagers(ctx)
	if err != nil {
		return err
	}
	out := ownersJSON{Store: st.Path(), TeamManagers: []teamManagerJSON{}, AuditRules: []ruleManagerJSON{}}
	for _, r := range rules {
		out.AuditRules = append(out.AuditRules, ruleManagerJSON{Audit: r.Audit, Team: r.Team, Manager: r.Manager})
	}
	rows := [][]string{{"team", "manager", "set_by", "set_at"}}
	for _, tm := range tms {
		j := teamManagerJSON{Team: tm.Team, Manager: tm.Manager, SetBy: tm.By, SetAt: tm.At.UTC().Format(time.RFC3339)}
		out.TeamManagers = append(out.TeamManagers, j)
		rows = append(rows, []string{j.Team, j.Manager, j.SetBy, j.SetAt})
	}
	switch o.Format {
	case "json":
		return writeJSON(g.IO.Out, schema.Owners, out)
	case "csv":
		return writeCSV(g.IO.Out, ownersCSV(out))
	}
	if len(tms) == 0 {
		g.infof("no team managers set in %s with owners set: set one with caseaudit owners set TEAM MANAGER\n", st.Path())
	} else if err := writeTable(g.textOut(), rows); err != nil {
		return err
	}
	if len(rules) == 0 {
		return nil
	}
	// The audits' own rules decide owners too, where owners set names no
	// manager for the team: a list without them would hide who owns what.
	g.infof("the audits' own follow-up rules (sample --team-manager, or the configuration's follow_up.team_managers) name these managers; a manager set with owners set for the same team comes first\n")
	if len(tms) > 0 {
		if _, err := g.textOut().Write([]byte("\n")); err != nil {
			return err
		}
	}
	return writeTable(g.textOut(), ruleRows(rules))
}

// ownersCSV is owners list --format csv: the facts of the JSON in one
// table, so a spreadsheet sees every manager who owns a team's actions,
// not only those set with owners set. The first four columns are the ones
// the csv has always had; source tells the two kinds of row apart.
func ownersCSV(out ownersJSON) [][]string {
	rows := [][]string{{"team", "manager", "set_by", "set_at", "source", "audit"}}
	for _, j := range out.TeamManagers {
		rows = append(rows, []string{j.Team, j.Manager, j.SetBy, j.SetAt, "store", ""})
	}
	for _, r := range out.AuditRules {
		rows = append(rows, []string{r.Team, r.Manager, "", "", "audit", r.Audit})
	}
	return rows
}

// ruleRows is the table of the audits' own team managers: one row per team
// and manager, with the audits naming them (a monthly configuration names
// the same ones every month).
func ruleRows(rules []audit.RuleManager) [][]string {
	type key struct{ team, manager string }
	var order []key
	audits := map[key][]string{}
	for _, r := range rules {
		k := key{r.Team, r.Manager}
		if _, ok := audits[k]; !ok {
			order = append(order, k)
		}
		audits[k] = append(audits[k], r.Audit)
	}
	slices.SortStableFunc(order, func(a, b key) int { return strings.Compare(a.team, b.team) })
	rows := [][]string{{"team", "manager", "audits"}}
	for _, k := range order {
		as := audits[k]
		list := strings.Join(as, ", ")
		if len(as) > 3 {
			list = fmt.Sprintf("%s … %s (%d audits)", as[0], as[len(as)-1], len(as))
		}
		rows = append(rows, []string{k.team, k.manager, list})
	}
	return rows
}
