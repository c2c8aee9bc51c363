package main

import (
	"context"
	"fmt"

	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type auditsOptions struct{ Format string }

func newAuditsCmd(g *globalOptions) *cobra.Command {
	o := &auditsOptions{}
	cmd := &cobra.Command{
		Use:   "audits",
		Short: "List the audits in the store, with their progress",
		Example: `  caseaudit audits
  caseaudit audits --db /srv/qa/caseaudit.db --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runAudits(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table, csv or json")
	return cmd
}

// auditsJSON is audits --format json (schema/audits.json): the store's
// audits, oldest first.
type auditsJSON struct {
	Audits  []auditSummaryJSON `json:"audits"`
	Retired []retiredAuditJSON `json:"retired"`
}

// retiredAuditJSON is a retired audit as its sealed summary keeps it.
type retiredAuditJSON struct {
	Name        string `json:"name"`
	Period      string `json:"period"`
	Created     string `json:"created"`
	Seed        string `json:"seed"`
	Size        int    `json:"size"`
	Audited     int    `json:"audited"`
	Flagged     int    `json:"flagged"`
	SignedOff   string `json:"signed_off"`
	RetiredAt   string `json:"retired_at"`
	RetiredBy   string `json:"retired_by"`
	SummaryHash string `json:"summary_hash"`
	Head        string `json:"trail_head"`
}

type auditSummaryJSON struct {
	Name      string `json:"name"`
	Created   string `json:"created"`
	Seed      string `json:"seed"`
	Period    string `json:"period"`
	Size      int    `json:"size"`
	Withdrawn int    `json:"withdrawn"`
	Recorded  int    `json:"recorded"`
	Flagged   int    `json:"flagged"`
	Moderated int    `json:"moderated"`
	ModSize   int    `json:"moderation_size"`
	Entries   int    `json:"trail_entries"`
	Head      string `json:"trail_head"`
}

func runAudits(ctx context.Context, o *auditsOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "csv", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Audits(ctx)
	if err != nil {
		return err
	}
	retired, err := st.Retired(ctx)
	if err != nil {
		return err
	}
	if o.Format == "json" {
		out := auditsJSON{Audits: []auditSummaryJSON{}, Retired: []retiredAuditJSON{}}
		for _, a := range list {
			out.Audits = append(out.Audits, auditSummaryJSON{a.Name, a.Created.UTC().Format("2006-01-02T15:04:05Z"), a.Seed, a.Period, a.Size,
				a.Withdrawn, a.Recorded, a.Flagged, a.Moderated, a.ModerationSize, a.Entries, a.Head})
		}
		for _, r := range retired {
			sum := r.Summary
			out.Retired = append(out.Retired, retiredAuditJSON{Name: sum.Audit, Period: sum.Period, Created: sum.Created, Seed: sum.Seed,
				Size: sum.Size, Audited: sum.Figures.Size, Flagged: sum.Figures.Flagged, SignedOff: sum.SignOff.At.UTC().Format("2006-01-02T15:04:05Z"),
				RetiredAt: r.At.UTC().Format("2006-01-02T15:04:05Z"), RetiredBy: r.By, SummaryHash: r.Hash, Head: sum.TrailHead})
		}
		return writeJSON(g.IO.Out, schema.Audits, out)
	}
	// No moderation sample: a dash in the table, nothing in a CSV cell (a
	// lone dash there would be quoted against formula injection).
	none := "-"
	if o.Format == "csv" {
		none = ""
	}
	rows := [][]string{{"audit", "period", "created", "recorded", "flagged", "moderated"}}
	// Retired audits first (they are the oldest), as their summaries keep
	// them.
	for _, r := range retired {
		sum := r.Summary
		created := sum.Created
		if len(created) >= 10 {
			created = created[:10]
		}
		rows = append(rows, []string{sum.Audit, sum.Period, created, fmt.Sprintf("retired %s", r.At.UTC().Format("2006-01-02")),
			fmt.Sprint(sum.Figures.Flagged), none})
	}
	for _, a := range list {
		mod := none
		if a.ModerationSize > 0 {
			mod = fmt.Sprintf("%d/%d", a.Moderated, a.ModerationSize)
		}
		rows = append(rows, []string{a.Name, a.Period, a.Created.UTC().Format("2006-01-02"), fmt.Sprintf("%d/%d", a.Recorded, a.Size),
			fmt.Sprint(a.Flagged), mod})
	}
	if o.Format == "csv" {
		return writeCSV(g.IO.Out, rows)
	}
	if len(list) == 0 && len(retired) == 0 {
		g.infof("no audits yet; record one with: caseaudit sample EXPORT --size N --audit NAME\n")
		return nil
	}
	return writeTable(g.IO.Out, rows)
}
