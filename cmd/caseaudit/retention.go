package main

import (
	"context"
	"errors"
	"fmt"
	"os"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// retentionOptions are the flags of `caseaudit store retention`.
type retentionOptions struct {
	Period string
	Role   string
	Format string
}

func newStoreRetentionCmd(g *globalOptions) *cobra.Command {
	o := &retentionOptions{}
	cmd := &cobra.Command{
		Use:   "retention [PERIOD]",
		Short: "Show or set how long the store keeps an audit after its sign-off (6y, 72m)",
		Long: `Show the store's retention period, or set it: how long an audit is kept after its last
sign-off before 'caseaudit retire' may delete its cases, findings, notes and trail, leaving a
sealed summary. Give it in years or months: 6y, 6 years, 72m, 18 months.

Setting it is recorded in the store's own log, chained like a trail: who set it, when, and
the period before. Only QA (the QA lead) or information governance sets it (--role, or
$CASEAUDIT_ROLE; with a people list, the login's own roles decide); on PostgreSQL the
database also refuses a login without the store's QA or governance role.`,
		Example: `  caseaudit store retention
  caseaudit store retention 6y --role qa
  caseaudit store retention 72m --role governance --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Period = args[0]
			}
			return runStoreRetention(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringVar(&o.Role, "role", "", "the role you act in when setting it: qa or governance (default: $CASEAUDIT_ROLE)")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

func runStoreRetention(ctx context.Context, o *retentionOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	months := 0
	if o.Period != "" {
		m, err := audit.ParseRetention(o.Period)
		if err != nil {
			return usagef("%v", err)
		}
		months = m
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	changed := false
	var ret *audit.Retention
	if months > 0 {
		p, err := actingPerson(ctx, st, g, o.Role, usagef("give --role (qa or governance): only QA or information governance may set the retention period"))
		if err != nil {
			return err
		}
		r, err := st.SetRetention(ctx, months, p)
		switch {
		case errors.Is(err, audit.ErrUnchanged):
			// Said once, with what stands; the period is not printed
			// again as if set now (the JSON carries it as data).
			g.infof("%s\n", g.spell(err))
			if o.Format != "json" {
				return nil
			}
		case err != nil:
			return err
		default:
			changed = true
		}
		if err == nil {
			ret = &r
		}
	}
	if ret == nil {
		if ret, err = st.Retention(ctx); err != nil {
			return err
		}
	}
	if o.Format == "json" {
		out := map[string]any{"store": g.storeName(), "changed": changed, "retention": nil}
		if ret != nil {
			out["retention"] = map[string]any{"months": ret.Months, "period": audit.FormatRetention(ret.Months),
				"previous_months": ret.Previous, "set_at": ret.At.UTC().Format("2006-01-02T15:04:05Z"), "set_by": ret.By, "log_entry": ret.Seq}
		}
		return writeJSON(g.IO.Out, schema.Retention, out)
	}
	w := g.textOut()
	switch {
	case ret == nil:
		fmt.Fprintf(w, "retention: none set; audits are kept until a period is set (caseaudit store retention 6y)\n")
	case changed && ret.Previous > 0:
		fmt.Fprintf(w, "retention: %s (was %s), set on %s by %s\n", audit.FormatRetention(ret.Months), audit.FormatRetention(ret.Previous), ret.At.UTC().Format("2006-01-02"), ret.By)
	default:
		fmt.Fprintf(w, "retention: %s after sign-off, set on %s by %s\n", audit.FormatRetention(ret.Months), ret.At.UTC().Format("2006-01-02"), ret.By)
	}
	return nil
}

// actingPerson is who is acting for a duty of QA or information
// governance: with a people list, the login as the list knows her (her
// roles decide); without one, the role declared with --role or
// $CASEAUDIT_ROLE.
func actingPerson(ctx context.Context, st *audit.Store, g *globalOptions, roleFlag string, missing error) (audit.Person, error) {
	who := g.actor()
	if roleFlag != "" {
		// The people list, where there is one, decides the role; a --role
		// that is no role is a mistake to say all the same.
		if _, err := audit.ParseRole(roleFlag); err != nil {
			return audit.Person{}, usagef("--role: %v", err)
		}
	}
	p, listed, err := st.Acting(ctx)
	if err != nil {
		return audit.Person{}, err
	}
	if listed {
		if p.Name == "" {
			p.Name = who
		}
		return p, nil
	}
	roleText := roleFlag
	if roleText == "" {
		roleText = os.Getenv("CASEAUDIT_ROLE")
	}
	if roleText == "" {
		return audit.Person{}, missing
	}
	role, err := audit.ParseRole(roleText)
	if err != nil {
		return audit.Person{}, usagef("--role: %v", err)
	}
	return audit.Person{Login: who, Name: who, Roles: []audit.Role{role}}, nil
}
