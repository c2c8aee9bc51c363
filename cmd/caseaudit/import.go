package main

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

type importOptions struct {
	Audit       string
	Files       []string
	Reason      string
	SkipInvalid bool
	Moderation  bool
	DateOrder   string
	Format      string
	Due         int
	NewAuditor  bool
}

func newImportCmd(g *globalOptions) *cobra.Command {
	o := &importOptions{}
	cmd := &cobra.Command{
		Use:   "import AUDIT FILE [FILE…]",
		Short: "Import the findings from filled-in workbooks (.xlsx or .csv)",
		Long: `Import the findings auditors entered in the workbooks written by 'caseaudit sample --out' or
'caseaudit workbook' (the whole sample's, one auditor's, the outstanding cases', also after they
were re-saved by Excel or LibreOffice, or saved as CSV). Several files, part-filled copies
among them, are imported together: a case filled in the same way in two files is recorded once,
in two different ways it is a problem.

Every row is checked first: a case not in this audit, a bad grade or immediate-attention value,
a finding without an auditor, the same case twice. All problems are listed, one per line, with
their file, sheet, row and column, and nothing is imported unless every row is valid
(--skip-invalid imports the valid rows on purpose). Rows without a finding are left unrecorded
and counted. Importing the same file again records nothing new; a row that changes an earlier
finding is a correction and needs --reason. The import is one transaction: all of it or none.

A moderators' workbook (its Method sheet says so) is recorded as moderation findings; a workbook
of another audit is refused in one line. Dates written with slashes are read day first
(07/10/2026 is 7 October) unless a date in the file has a month above 12 in the first place
(then month first), or --date-order mdy says so.`,
		Example: `  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx

  # each auditor's workbook, together
  caseaudit import "2026-07 monthly" returned/*.xlsx

  # the workbook corrects two findings
  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx --reason "second read of the plans"

  # a moderator's workbook (recorded as moderation findings)
  caseaudit import "2026-07 monthly" moderation.xlsx

  # a CSV saved by a US-English Excel: 07/10/2026 is July 10
  caseaudit import "2026-07 monthly" audit.csv --date-order mdy`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 2 {
				return usagef("%s needs the audit's name and at least one workbook (got %s)", cmd.CommandPath(), words.Count(len(args), "argument"))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit, o.Files = args[0], args[1:]
			return runImport(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVar(&o.Reason, "reason", "", "reason recorded with every correction the workbooks make")
	f.BoolVar(&o.SkipInvalid, "skip-invalid", false, "import the valid rows and leave out the invalid ones (listed)")
	f.BoolVar(&o.Moderation, "moderation", false, "the rows are moderators' re-grades of the moderation sample (a moderators' workbook says so itself)")
	f.StringVar(&o.DateOrder, "date-order", "", "read dates written with slashes day first (dmy) or month first (mdy) when a file's dates do not tell (default dmy)")
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
	o.DateOrder = strings.ToLower(strings.TrimSpace(o.DateOrder))
	switch o.DateOrder {
	case "", audit.DateDMY, audit.DateMDY:
	default:
		return usagef("--date-order %q: use dmy (07/10/2026 is 7 October) or mdy (07/10/2026 is July 10)", o.DateOrder)
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := importFiles(ctx, g, st, o.Audit, o.Files, audit.ImportOptions{Reason: o.Reason, SkipInvalid: o.SkipInvalid,
		Moderation: o.Moderation, Due: o.Due, DateOrder: o.DateOrder, NewAuditor: o.NewAuditor})
	if err != nil {
		return err
	}
	name := strings.Join(o.Files, ", ")
	if o.Format == "json" {
		opened, closed := importedActions(res)
		return writeJSON(g.IO.Out, schema.Import, importJSON{Audit: o.Audit, File: name, Files: o.Files, Rows: res.Rows,
			Recorded: res.Recorded, Corrections: res.Corrections, Unchanged: res.Unchanged, Empty: res.Empty,
			Skipped: res.Skipped, ActionsOpened: opened, ActionsClosed: closed})
	}
	fmt.Fprintf(g.IO.Out, "%s: %d rows; %d findings recorded, %d corrections, %d unchanged, %d without a finding, %d invalid left out\n",
		name, res.Rows, res.Recorded, res.Corrections, res.Unchanged, res.Empty, res.Skipped)
	return nil
}

// importFile is the face of the use case "import" for one file, shared by
// import and run (see importFiles).
func importFile(ctx context.Context, g *globalOptions, st *audit.Store, name, file string, opts audit.ImportOptions) (*audit.ImportResult, error) {
	return importFiles(ctx, g, st, name, []string{file}, opts)
}

// importFiles imports files together. A refused import prints its problems
// itself — the count first, then one problem per line — and returns an
// error that says nothing more (exit 1); rows left out with --skip-invalid
// are warnings; how a file was read (a moderators' workbook, its dates'
// order) is said on stderr.
func importFiles(ctx context.Context, g *globalOptions, st *audit.Store, name string, files []string, opts audit.ImportOptions) (*audit.ImportResult, error) {
	res, err := audit.ImportFiles(ctx, st, name, files, opts)
	return showImport(g, files, res, err)
}

// showImport says what an import of files did (see importFiles).
func showImport(g *globalOptions, files []string, res *audit.ImportResult, err error) (*audit.ImportResult, error) {
	var ie *audit.ImportError
	if errors.As(err, &ie) {
		g.log("error", problemList(g, files, ie.Problems, true))
		return nil, errSaid
	}
	if err != nil {
		return nil, err
	}
	for _, f := range res.Files {
		if f.ByMethod {
			g.infof("%s is a moderators' workbook: its rows are recorded as moderation findings\n", f.Path)
		}
		switch {
		case f.DateBy == "the file" && f.DateOrder == audit.DateMDY:
			g.infof("%s: dates with slashes read month first (mm/dd/yyyy), as %s shows\n", f.Path, f.DateEvidence)
		case f.DateBy == "the default" && f.Ambiguous > 0:
			g.warnf("%s: %s with slashes read day first (dd/mm/yyyy): no date in the file has a day above 12 to tell; if the file writes them month first, import it again with --date-order mdy and a --reason to correct them\n",
				f.Path, words.Count(f.Ambiguous, "date"))
		}
	}
	if len(res.Problems) > 0 {
		g.warnf("%s", problemList(g, files, res.Problems, false))
	}
	for _, a := range res.Actions {
		if a.Status == audit.ActionClosed {
			g.infof("closed the follow-up action on %s: it no longer needs immediate attention (trail entry %d)\n", a.Case, a.Closure.Seq)
		} else {
			g.infof("opened a follow-up action on %s %s, due %s (trail entry %d)\n", a.Case, ownerText(a.Owner), a.Due, a.Seq)
		}
	}
	return res, nil
}

// importedActions lists the cases whose follow-up actions an import opened
// and closed, for --format json.
func importedActions(res *audit.ImportResult) (opened, closed []string) {
	opened, closed = []string{}, []string{}
	for _, a := range res.Actions {
		if a.Status == audit.ActionClosed {
			closed = append(closed, a.Case)
		} else {
			opened = append(opened, a.Case)
		}
	}
	return opened, closed
}

// problemList is a list of problems for stderr: the count first, then one
// problem per line (each with its file when there are several files).
func problemList(g *globalOptions, files []string, problems []audit.Problem, refused bool) string {
	var b strings.Builder
	in := strings.Join(files, ", ")
	switch {
	case refused && g.Spelling == opt.Keys:
		// A configuration has no skip_invalid: a scheduled run imports each
		// file whole or not at all, and says so once the reports are written.
		fmt.Fprintf(&b, "caseaudit: %s in %s; nothing was imported:\n", words.Count(len(problems), "problem"), in)
	case refused:
		b.WriteString(g.sprintf("caseaudit: %s in %s; nothing was imported (fix them, or give %s to import the valid rows):\n",
			words.Count(len(problems), "problem"), in, opt.SkipInvalid))
	default:
		fmt.Fprintf(&b, "%s left out of %s:\n", words.Count(len(problems), "invalid row"), in)
	}
	for _, p := range problems {
		b.WriteString("  ")
		if len(files) > 1 {
			b.WriteString(p.File + ": ")
		}
		b.WriteString(strings.Join(strings.Fields(p.Spell(g.Spelling)), " "))
		b.WriteString("\n")
	}
	return b.String()
}

// importJSON is import --format json (schema/import.json): what the import
// did. File is the files' names joined by ", " (as the table shows them).
type importJSON struct {
	Audit         string   `json:"audit"`
	File          string   `json:"file"`
	Files         []string `json:"files"`
	Rows          int      `json:"rows"`
	Recorded      int      `json:"recorded"`
	Corrections   int      `json:"corrections"`
	Unchanged     int      `json:"unchanged"`
	Empty         int      `json:"empty"`
	Skipped       int      `json:"skipped"`
	ActionsOpened []string `json:"actions_opened"`
	ActionsClosed []string `json:"actions_closed"`
}
