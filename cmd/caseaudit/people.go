package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// peopleOptions are the flags of `caseaudit people add|remove|list`.
type peopleOptions struct {
	Login  string
	Name   string
	Roles  string
	Format string
}

func newPeopleCmd(g *globalOptions) *cobra.Command {
	cmd := &cobra.Command{
		Use:   "people",
		Short: "Manage who may do what in a store: logins, names and roles (QA)",
		Long: `A store's people list ties each login that writes to it to a person's name and roles (qa,
auditor, moderator, manager, governance), so that "auditor", "moderator" and "entered by" are
real logins, not typed names. QA manages it; each change is kept, hash-chained, and checked by
verify.

With no people list an SQLite store is a one-person store: no duty is checked. The first person
added must be the QA lead adding herself (--role qa). From then on every command that writes
checks the person acting against the duties table (see "Who may do what" in the README): on
SQLite the person acting is --user, else $CASEAUDIT_USER, else the OS login; on PostgreSQL it is
the database login, and the database itself checks the same rules for anyone who connects with
psql.`,
		Example: `  caseaudit people add jsmith --name "J. Smith" --role qa
  caseaudit people add bevans --name "B. Evans" --role auditor,moderator
  caseaudit people list --format json
  caseaudit people remove bevans`,
	}
	add := &peopleOptions{}
	addCmd := &cobra.Command{
		Use:   "add LOGIN --name NAME --role ROLE[,ROLE]",
		Short: "Add a person to the store's people list, or change her name or roles",
		Example: `  caseaudit people add jsmith --name "J. Smith" --role qa
  caseaudit people add bevans --name "B. Evans" --role auditor,moderator`,
		Args: exactArgs(1, "the person's login"),
		RunE: func(cmd *cobra.Command, args []string) error {
			add.Login = args[0]
			return runPeopleAdd(cmd.Context(), add, g)
		},
	}
	addCmd.Flags().StringVar(&add.Name, "name", "", "the person's name as findings and allocations name her (required)")
	addCmd.Flags().StringVar(&add.Roles, "role", "", "roles, comma-separated: qa, auditor, moderator, manager, governance (required)")
	addCmd.Flags().StringVarP(&add.Format, "format", "f", "table", "output format: table or json")
	rm := &peopleOptions{}
	rmCmd := &cobra.Command{
		Use:     "remove LOGIN",
		Short:   "Take a login off the store's people list: it may then do nothing in the store",
		Example: `  caseaudit people remove bevans`,
		Args:    exactArgs(1, "the person's login"),
		RunE: func(cmd *cobra.Command, args []string) error {
			rm.Login = args[0]
			return runPeopleRemove(cmd.Context(), rm, g)
		},
	}
	ls := &peopleOptions{}
	lsCmd := &cobra.Command{
		Use:   "list",
		Short: "List the store's people: login, name, roles",
		Example: `  caseaudit people list
  caseaudit people list --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error {
			return runPeopleList(cmd.Context(), ls, g)
		},
	}
	lsCmd.Flags().StringVarP(&ls.Format, "format", "f", "table", "output format: table or json")
	cmd.AddCommand(addCmd, rmCmd, lsCmd)
	return cmd
}

type personJSON struct {
	Login string   `json:"login"`
	Name  string   `json:"name"`
	Roles []string `json:"roles"`
}

type peopleJSON struct {
	Store  string       `json:"store"`
	Acting string       `json:"acting"`
	People []personJSON `json:"people"`
	// Changed is people add's: false when the list already had the
	// person so, and nothing was appended.
	Changed *bool `json:"changed,omitempty"`
}

func toPersonJSON(p audit.Person) personJSON {
	rs := make([]string, len(p.Roles))
	for i, r := range p.Roles {
		rs[i] = string(r)
	}
	return personJSON{Login: p.Login, Name: p.Name, Roles: rs}
}

func runPeopleAdd(ctx context.Context, o *peopleOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if strings.TrimSpace(o.Name) == "" {
		return usagef("give the person's name with --name (e.g. --name \"B. Evans\")")
	}
	roles, err := audit.ParseRoles(o.Roles)
	if err != nil {
		return usagef("--role: %v", err)
	}
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	set, err := st.SetPerson(ctx, audit.Person{Login: o.Login, Name: o.Name, Roles: roles})
	if err != nil {
		return err
	}
	p := set.Person
	if o.Format == "json" {
		return writeJSON(g.IO.Out, schema.People, peopleJSON{Store: st.Path(), Acting: st.Login(), People: []personJSON{toPersonJSON(p)}, Changed: &set.Changed})
	}
	roleList := func(p audit.Person) string { return strings.Join(toPersonJSON(p).Roles, ", ") }
	switch {
	case !set.Changed:
		g.infof("%s (%s) is already on the people list of %s as %s; nothing changed\n", p.Name, p.Login, st.Path(), roleList(p))
	case set.Was != nil:
		// A change of name or roles is said as one: a name that changes
		// changes how her findings are recorded from now on.
		g.infof("%s (%s) may now act in %s as %s (was %s, as %s)\n", p.Name, p.Login, st.Path(), roleList(p), set.Was.Name, roleList(*set.Was))
	default:
		g.infof("%s (%s) may now act in %s as %s\n", p.Name, p.Login, st.Path(), roleList(p))
	}
	return nil
}

func runPeopleRemove(ctx context.Context, o *peopleOptions, g *globalOptions) error {
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	p, err := st.RemovePerson(ctx, o.Login)
	if err != nil {
		return err
	}
	g.infof("%s (%s) is off the people list of %s and may do nothing in it\n", p.Name, p.Login, st.Path())
	return nil
}

func runPeopleList(ctx context.Context, o *peopleOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	ps, err := st.People(ctx)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		out := peopleJSON{Store: st.Path(), Acting: st.Login(), People: []personJSON{}}
		for _, p := range ps {
			out.People = append(out.People, toPersonJSON(p))
		}
		return writeJSON(g.IO.Out, schema.People, out)
	}
	if len(ps) == 0 {
		g.infof("the store %s has no people list: it is a one-person store and no duty is checked; add the QA lead first: caseaudit people add %s --name NAME --role qa\n", st.Path(), st.Login())
		return nil
	}
	rows := [][]string{{"login", "name", "roles"}}
	for _, p := range ps {
		rows = append(rows, []string{p.Login, p.Name, strings.Join(toPersonJSON(p).Roles, ", ")})
	}
	return writeTable(g.IO.Out, rows)
}

// signoffOptions are the flags of `caseaudit signoff`.
type signoffOptions struct {
	Audit  string
	Format string
	// Force signs off an audit with cases unrecorded or moderation
	// outstanding; the sign-off records what it lacked.
	Force bool
}

func newSignoffCmd(g *globalOptions) *cobra.Command {
	o := &signoffOptions{}
	cmd := &cobra.Command{
		Use:   "signoff AUDIT",
		Short: "Sign an audit off: record its figures as reported (QA)",
		Long: `Record in the audit's trail that QA signed it off, with the figures its report states: the
number flagged for immediate attention of the cases audited, the interval, and each team's (or
stratum's) count, computed by the report's own code.

A correction after sign-off is still possible (with --reason, as every correction), and from
then on every report, trend row, status line and JSON output says that the audit was amended
after sign-off, with the figures then and now: "signed off 2026-10-03 with 8 of 120 flagged;
amended 2026-11-28: now 9 of 120". An amended audit may be signed off again; an audit
signed off with the figures it still has is left as it is (exit 0, and "changed": false in
JSON), so a scheduled script may run signoff again.

An audit with sampled cases still unrecorded, or moderation outstanding, is refused (its
figures may still move); --force signs it off anyway, the sign-off records how many were
unrecorded, and every report, trend row and status line says it was signed off incomplete.`,
		Example: `  caseaudit signoff "2026-09 monthly"
  caseaudit signoff "2026-09 monthly" --format json
  caseaudit signoff "2026-09 monthly" --force     # 2 cases could not be audited in time`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runSignoff(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	cmd.Flags().BoolVar(&o.Force, "force", false, "sign off although cases are unrecorded or moderation is outstanding (the sign-off says so)")
	return cmd
}

func runSignoff(ctx context.Context, o *signoffOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	c, err := commonReportFlags(g, "", "", report.FigureRequest{})
	if err != nil {
		return err
	}
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	// One who may not sign off is told so, not first whether the audit is
	// ready to be.
	if err := st.MayDo(ctx, audit.DutySignOff); err != nil {
		return err
	}
	figs, asOf, err := report.SignOffFigures(ctx, st, a.Name, c.opts)
	if err != nil {
		return err
	}
	so, err := st.SignOffAudit(ctx, a.Name, figs, asOf, o.Force)
	changed := err == nil
	switch {
	case errors.Is(err, audit.ErrSignedOff):
		// Already signed off with these figures: done, as a script run
		// again expects. What stands is said once (and is the JSON's
		// data), not printed again as if signed off now.
		g.infof("%s\n", g.spell(err))
		if o.Format != "json" {
			return nil
		}
	case err != nil:
		return err
	}
	if o.Format == "json" {
		out := map[string]any{"audit": a.Name, "changed": changed, "seq": so.Seq,
			"at": so.At.UTC().Format("2006-01-02T15:04:05Z"), "by": so.By, "figures": so.Figures}
		if so.Incomplete != nil {
			out["incomplete"] = so.Incomplete
		}
		return writeJSON(g.IO.Out, schema.SignOff, out)
	}
	inc := ""
	if so.Incomplete != nil {
		inc = " (" + so.Incomplete.Phrase() + ")"
	}
	fmt.Fprintf(g.IO.Out, "signed off %q on %s with %d of %d flagged%s\n", a.Name, so.At.UTC().Format("2006-01-02"), so.Figures.Flagged, so.Figures.Size, inc)
	for _, t := range so.Figures.Teams {
		fmt.Fprintf(g.IO.Out, "  %s: %d of %d\n", t.Team, t.Flagged, t.Size)
	}
	return nil
}
