package main

import (
	"context"
	"fmt"
	"io"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type statusOptions struct {
	Audit  string
	Format string
}

func newStatusCmd(g *globalOptions) *cobra.Command {
	o := &statusOptions{}
	cmd := &cobra.Command{
		Use:   "status [AUDIT]",
		Short: "Show an audit's progress: per auditor, and the cases still to do",
		Long:  "Show an audit's progress (the latest audit when none is named): recorded and flagged cases, each auditor's share and the cases still to do, and the cases graded Outstanding yet flagged for immediate attention (often a slip in one of the two).",
		Example: `  caseaudit status "2026-07 monthly"
  caseaudit status --format json`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if len(args) == 1 {
				o.Audit = args[0]
			}
			return runStatus(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	cmd.Flags().StringVarP(&o.Format, "format", "f", "table", "output format: table or json")
	return cmd
}

// resolveAudit returns the named audit, or the latest when name is "".
func resolveAudit(ctx context.Context, st *audit.Store, name string) (*audit.Audit, error) {
	if name != "" {
		return st.Audit(ctx, name)
	}
	return st.Latest(ctx)
}

func runStatus(ctx context.Context, o *statusOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	a, err := resolveAudit(ctx, st, o.Audit)
	if err != nil {
		return err
	}
	s, err := st.Status(ctx, a.Name)
	if err != nil {
		return err
	}
	// The sign-off, or the amendment since, says whether the figures are
	// the ones reported.
	so, err := report.SignOffState(ctx, st, a.Name)
	if err != nil {
		return err
	}
	return writeStatus(g.IO.Out, s, so, o.Format)
}

// statusJSON is status --format json (schema/status.json).
type statusJSON struct {
	// Marking is the protective marking the audit was handed out under;
	// absent when none. The cases still to do are its case IDs.
	Marking  string `json:"marking,omitempty"`
	Audit    string `json:"audit"`
	Size     int    `json:"size"`
	Recorded int    `json:"recorded"`
	Flagged  int    `json:"flagged"`
	// Withdrawn counts the sampled cases withdrawn (each replaced when its
	// stratum had another case); Size already leaves them out.
	Withdrawn      int                 `json:"withdrawn"`
	ModerationSize int                 `json:"moderation_size"`
	Moderated      int                 `json:"moderated"`
	Auditors       []statusAuditorJSON `json:"auditors"`
	Unallocated    []string            `json:"unallocated"`
	ToDo           []string            `json:"to_do"`
	// Contradictory are the cases graded Outstanding yet flagged for
	// immediate attention.
	Contradictory []string `json:"outstanding_and_flagged"`
	// SignOff is the audit's sign-off as a report states it (when, by
	// whom, the figures then, and any amendment since with the figures
	// now); null when it was never signed off.
	SignOff *report.SignOffView `json:"sign_off"`
}

type statusAuditorJSON struct {
	Auditor   string   `json:"auditor"`
	Allocated int      `json:"allocated"`
	Recorded  int      `json:"recorded"`
	ToDo      []string `json:"to_do"`
}

// writeStatus renders an audit's progress and its sign-off so (nil when
// never signed off).
func writeStatus(w io.Writer, s *audit.Status, so *report.SignOffView, format string) error {
	if format == "json" {
		out := statusJSON{Marking: s.Marking, Audit: s.Name, Size: s.Size, Recorded: s.Recorded, Flagged: s.Flagged, Withdrawn: s.Withdrawn,
			ModerationSize: s.ModerationSize, Moderated: s.Moderated,
			Auditors: []statusAuditorJSON{}, Unallocated: nonNilStrings(s.Unallocated), ToDo: nonNilStrings(s.ToDo), SignOff: so,
			Contradictory: nonNilStrings(s.Contradictory)}
		for _, x := range s.Auditors {
			out.Auditors = append(out.Auditors, statusAuditorJSON{x.Auditor, x.Allocated, x.Recorded, nonNilStrings(x.ToDo)})
		}
		return writeJSON(w, schema.Status, out)
	}
	if s.Marking != "" {
		// It lists the audit's case IDs, auditor by auditor: a page
		// passed on, marked as the audit's workbooks are.
		fmt.Fprintf(w, "%s\n", s.Marking)
		defer fmt.Fprintf(w, "%s\n", s.Marking)
	}
	fmt.Fprintf(w, "%s: %d of %s recorded, %d flagged for immediate attention\n", s.Name, s.Recorded, words.Count(s.Size, "case"), s.Flagged)
	if len(s.Contradictory) > 0 {
		fmt.Fprintf(w, "graded Outstanding yet flagged for immediate attention: %s (check both were meant)\n", shortList(s.Contradictory, 10))
	}
	if s.Withdrawn > 0 {
		fmt.Fprintf(w, "withdrawn: %d (each replaced by the next case of its stratum when there was one; caseaudit report says why)\n", s.Withdrawn)
	}
	if s.ModerationSize > 0 {
		fmt.Fprintf(w, "moderation: %d of %s\n", s.Moderated, words.Count(s.ModerationSize, "case"))
	}
	if len(s.Auditors) > 0 {
		rows := [][]string{{"auditor", "allocated", "recorded", "to do"}}
		for _, x := range s.Auditors {
			rows = append(rows, []string{x.Auditor, fmt.Sprint(x.Allocated), fmt.Sprint(x.Recorded), shortList(x.ToDo, 6)})
		}
		fmt.Fprintln(w)
		if err := writeTable(w, rows); err != nil {
			return err
		}
	}
	if len(s.Unallocated) > 0 {
		fmt.Fprintf(w, "\nnot allocated and not recorded: %s\n", shortList(s.Unallocated, 10))
	}
	if len(s.ToDo) > 0 && len(s.Auditors) == 0 {
		fmt.Fprintf(w, "\nstill to do: %s\n", shortList(s.ToDo, 10))
	}
	switch {
	case so != nil && so.Amended:
		fmt.Fprintf(w, "amended after sign-off: %s\n", so.Sentence)
	case so != nil:
		fmt.Fprintf(w, "%s\n", so.Sentence)
	}
	return nil
}

func nonNilStrings(s []string) []string {
	if s == nil {
		return []string{}
	}
	return s
}

// shortList shows up to n items and how many more.
func shortList(items []string, n int) string {
	if len(items) == 0 {
		return "-"
	}
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return fmt.Sprintf("%s and %d more", strings.Join(items[:n], ", "), len(items)-n)
}
