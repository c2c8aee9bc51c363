package main

import (
	"context"
	"errors"
	"fmt"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/spf13/cobra"
)

type importOptions struct {
	Audit       string
	File        string
	Reason      string
	SkipInvalid bool
	Moderation  bool
	Format      string
	Due         int
	NewAuditor  bool
}

func newImportCmd(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import AUDIT FILE",
		Short: "Import the findings from a filled-in auditors' workbook (.xlsx or .csv)",
		Long: `Import the findings auditors entered in the workbook written by 'caseaudit sample --out'
(also after it was re-saved by Excel or LibreOffice, or saved as CSV).

Every row is checked first: a case not in this audit, a bad grade or immediate-attention value,
a finding without an auditor, the same case twice. All problems are listed with their sheet,
row and column, and nothing is imported unless every row is valid (--skip-invalid imports the
valid rows on purpose). Rows without a finding are left unrecorded and counted. Importing the
same file again records nothing new; a row that changes an earlier finding is a correction and
needs --reason. The import is one transaction: all of it or none of it.`,
		Example: `  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx

  # the workbook corrects two findings
  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx --reason "second read of the plans"

  # a moderator's workbook
  caseaudit import "2026-07 monthly" moderation.xlsx --moderation`,
		Args: exactArgs(2, "the audit's name and the workbook"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit, o.File = args[0], args[1]
			return runImport(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVar(&o.Reason, "reason", "", "reason recorded with every correction the workbook makes")
	f.BoolVar(&o.SkipInvalid, "skip-invalid", false, "import the valid rows and leave out the invalid ones (listed)")
	f.BoolVar(&o.Moderation, "moderation", false, "the rows are moderators' re-grades of the moderation sample")
	f.StringVarP(&o.Format, "format", "f", "table", "summary format on stdout: table or json")
	f.IntVar(&o.Due, "due", 0, "working days within which the follow-up of a flagged case is due (default: the audit's, else 5)")
	f.BoolVar(&o.NewAuditor, "new-auditor", false, "accept auditors who are not among the audit's allocated auditors")
	return cmd
}

func runImport(ctx context.Context, o *importOptions, g *globalOptions) error {
	if err := checkFormat(o.Format, "table", "json"); err != nil {
		return err
	}
	if o.Due < 0 {
		return usagef("--due must not be negative")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := importFile(ctx, g, st, o.Audit, o.File, audit.ImportOptions{Reason: o.Reason, SkipInvalid: o.SkipInvalid, Moderation: o.Moderation, Due: o.Due, NewAuditor: o.NewAuditor})
	if err != nil {
		return err
	}
	if o.Format == "json" {
		return writeJSON(g.IO.Out, map[string]any{
			"audit": o.Audit, "file": o.File, "rows": res.Rows, "recorded": res.Recorded,
			"corrections": res.Corrections, "unchanged": res.Unchanged, "empty": res.Empty, "skipped": res.Skipped,
		})
	}
	fmt.Fprintf(g.IO.Out, "%s: %d rows; %d findings recorded, %d corrections, %d unchanged, %d without a finding, %d invalid left out\n",
		o.File, res.Rows, res.Recorded, res.Corrections, res.Unchanged, res.Empty, res.Skipped)
	return nil
}

// importFile is the face of the use case "import", shared by import and
// run: every problem of a refused file on its own line, then one line
// saying nothing was imported; rows left out with --skip-invalid as
// warnings.
func importFile(ctx context.Context, g *globalOptions, st *audit.Store, name, file string, opts audit.ImportOptions) (*audit.ImportResult, error) {
	res, err := audit.Import(ctx, st, name, file, opts)
	var ie *audit.ImportError
	if errors.As(err, &ie) {
		for _, p := range ie.Problems {
			g.log("error", fmt.Sprintf("%s: %s", file, p.String())) // made inert by g.log
		}
		return nil, fmt.Errorf("%s: %s; nothing was imported (fix the rows, or give %s to import the rest)",
			file, words.Count(len(ie.Problems), "problem"), opt.SkipInvalid)
	}
	if err != nil {
		return nil, err
	}
	for _, p := range res.Problems {
		g.warnf("%s: %s (left out)\n", file, p)
	}
	return res, nil
}

func pluralWord(n int, w string) string {
	if n == 1 {
		return w
	}
	return w + "s"
}
