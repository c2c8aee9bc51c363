package main

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type moderateOptions struct {
	Audit  string
	Size   int
	Seed   string
	Out    string
	Force  bool
	Format string
	Issue  issueFlags
}

func newModerateCmd(g *globalOptions) *cobra.Command {
	o := &moderateOptions{}
	cmd := &cobra.Command{
		Use:   "moderate AUDIT --size N",
		Short: "Draw a random moderation subsample from an audit's recorded cases",
		Long: `Draw the cases a second person re-grades: a random subsample of the audit's recorded cases,
chosen with the same consistent sampler as the sample (its seed is recorded). Moderators record
their grades with 'caseaudit record --moderation' or fill in the workbook written by --out (its
Moderator column takes their name: --moderator fills it in) and 'caseaudit import', which knows a
moderators' workbook; they are kept apart from the original findings, and the report gives the
agreement.

Drawing again with the same seed and a larger size adds cases; the cases drawn stay.`,
		Example: `  caseaudit moderate "2026-07 monthly" --size 20 --out moderation.xlsx
  caseaudit moderate "2026-07 monthly" --size 20 --seed 314159 --format json`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runModerate(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.IntVarP(&o.Size, "size", "n", 0, "cases to moderate")
	f.StringVar(&o.Seed, "seed", "", "seed (default: 20 random digits, printed and recorded; a later draw reuses the recorded one)")
	f.StringVarP(&o.Out, "out", "o", "", "write the moderators' workbook to this .xlsx `FILE`")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.StringVarP(&o.Format, "format", "f", "table", "output format: table, csv, json or ids")
	addIssueFlags(cmd, &o.Issue, true)
	return cmd
}

func runModerate(ctx context.Context, o *moderateOptions, g *globalOptions) error {
	if o.Size <= 0 {
		return usagef("give --size N, the number of cases to moderate")
	}
	if err := checkFormat(o.Format, "table", "csv", "json", "ids"); err != nil {
		return err
	}
	if err := o.Issue.check(g.Now()); err != nil {
		return err
	}
	if o.Out == "" && (o.Issue != issueFlags{}) {
		return usagef("--marking, --contact, --return-by and --moderator go into the workbook: give --out FILE.xlsx")
	}
	if o.Out != "" {
		if !strings.EqualFold(filepath.Ext(o.Out), ".xlsx") {
			return usagef("--out %s: the moderators' workbook is an .xlsx file; name it %s", o.Out, words.WithExt(o.Out, ".xlsx"))
		}
		// Before the moderation sample is drawn and recorded: a command
		// that cannot write its workbook changes nothing.
		if err := atomicfile.Check(o.Out, o.Force); err != nil {
			return err
		}
	}
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	generated := false
	if o.Seed == "" {
		if prev, err := st.Moderation(ctx, a.Name); err != nil {
			return err
		} else if prev != nil && prev.Seed != "" {
			o.Seed = prev.Seed
		} else if o.Seed, err = sample.NewSeed(); err != nil {
			return err
		} else {
			generated = true
		}
	}
	m, err := st.DrawModeration(ctx, a.Name, o.Size, o.Seed)
	if err != nil {
		return err
	}
	if generated {
		g.infof("seed %s (generated; recorded with the moderation sample)\n", o.Seed)
	}
	if m.Changed {
		g.infof("moderation sample of %d from %d recorded cases of %q, seed %s\n", len(m.Cases), m.Recorded, a.Name, m.Seed)
	} else {
		// The same draw given again: what stands is listed, and said to be
		// the draw of before, not a new one.
		g.infof("the moderation sample of %d from %d recorded cases of %q was drawn already on %s by %s, seed %s; nothing changed\n",
			len(m.Cases), m.Recorded, a.Name, m.Drawn.UTC().Format("2006-01-02"), m.Actor, m.Seed)
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return err
	}
	byID := map[string]audit.SampledCase{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	tk := sample.NewTicketer(m.Seed)
	var sel []sample.Selected
	for i, id := range m.Cases {
		c := byID[id]
		sel = append(sel, sample.Selected{Order: i + 1, Ticket: tk.Ticket(id), Case: sample.Case{ID: id, Row: c.Row, Stratum: c.Stratum, Fields: c.Fields}})
	}
	if o.Out != "" {
		spec, err := st.Workbook(ctx, a.Name, audit.WorkbookOptions{Moderation: true})
		if err != nil {
			return err
		}
		o.Issue.apply(&spec)
		if err := writeWorkbookFile(ctx, o.Out, o.Force, spec); err != nil {
			return err
		}
		g.infof("wrote the moderators' workbook %s\n", o.Out)
		if err := warnModeratorsOwn(ctx, g, st, a.Name, o.Out, spec); err != nil {
			return err
		}
	}
	switch o.Format {
	case "ids":
		for _, s := range sel {
			fmt.Fprintln(g.IO.Out, s.ID)
		}
		return nil
	case "json":
		out := moderationJSON{a.Name, m.Seed, m.Recorded, len(m.Cases), []moderatedCaseJSON{}, m.Changed}
		for _, s := range sel {
			out.Cases = append(out.Cases, moderatedCaseJSON{s.Order, s.ID, s.Ticket})
		}
		return writeJSON(g.IO.Out, schema.Moderate, out)
	}
	rows := [][]string{append([]string{"#", "case id", "ticket"}, a.Columns...)}
	for _, s := range sel {
		rows = append(rows, append([]string{fmt.Sprint(s.Order), s.ID, sample.ShortTicket(s.Ticket)}, s.Fields...))
	}
	if o.Format == "csv" {
		return writeCSV(g.IO.Out, rows)
	}
	return writeTable(g.IO.Out, rows)
}

// moderationJSON is moderate --format json (schema/moderate.json): the
// moderation subsample.
type moderationJSON struct {
	Audit    string              `json:"audit"`
	Seed     string              `json:"seed"`
	Recorded int                 `json:"recorded"`
	Size     int                 `json:"size"`
	Cases    []moderatedCaseJSON `json:"cases"`
	// Changed is false when the same draw (seed and size) was given
	// again: nothing was recorded, and this is the sample that stands.
	Changed bool `json:"changed"`
}

type moderatedCaseJSON struct {
	Order  int    `json:"order"`
	ID     string `json:"id"`
	Ticket string `json:"ticket"`
}

// warnModeratorsOwn warns when a moderators' workbook written to path
// names (--moderator) a moderator on cases she may not moderate: those she
// audited, or whose allocated worker she is. Her rows would be refused when
// she imports it; said now, QA writes another moderator's name on them
// before the workbook goes out, not after she has read the files.
func warnModeratorsOwn(ctx context.Context, g *globalOptions, st *audit.Store, auditName, path string, spec audit.WorkbookSpec) error {
	if spec.Moderation == nil || spec.Moderator == "" || len(spec.Cases) == 0 {
		return nil
	}
	ids := make([]string, len(spec.Cases))
	for i, c := range spec.Cases {
		ids[i] = c.ID
	}
	refused, err := st.ModerationRefusals(ctx, auditName, spec.Moderator, ids)
	if err != nil || len(refused) == 0 {
		return err
	}
	// The cases by what refuses them ("D. Patel audited the case; …"), in
	// the workbook's order.
	var reasons []string
	byReason := map[string][]string{}
	for _, id := range ids {
		err := refused[id]
		if err == nil {
			continue
		}
		why := err.Error()
		if de := (*audit.DutyError)(nil); errors.As(err, &de) && de.Reason != "" {
			why = de.Reason
		}
		if _, ok := byReason[why]; !ok {
			reasons = append(reasons, why)
		}
		byReason[why] = append(byReason[why], id)
	}
	var parts []string
	n := 0
	for _, why := range reasons {
		parts = append(parts, fmt.Sprintf("%s (%s)", strings.Join(byReason[why], ", "), why))
		n += len(byReason[why])
	}
	g.warnf("%s names %s the moderator of %s she may not moderate: %s; write another moderator's name on their rows before handing it out\n",
		path, spec.Moderator, words.Count(n, "case"), strings.Join(parts, "; "))
	return nil
}
