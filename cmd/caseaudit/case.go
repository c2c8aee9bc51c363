package main

import (
	"context"
	"io"
	"path/filepath"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/spf13/cobra"
)

// caseOptions are the flags of `caseaudit case`.
type caseOptions struct {
	Case         string
	Format       string
	Out          string
	Force        bool
	IncludeNames bool
	Marking      string
	Role         string
}

func newCaseCmd(g *globalOptions) *cobra.Command {
	o := &caseOptions{}
	cmd := &cobra.Command{
		Use:   "case CASE",
		Short: "Everything the store holds about one case, across all audits (a subject access request, a complaint)",
		Long: `List everything the store holds about one case, in every audit that sampled it: when it
was sampled (audit, period, seed, its row in the export and the columns kept), to whom it was
allocated and re-allocated, every finding and correction (who, when, grade, immediate
attention, note, or "[redacted on DATE]" where the text was erased), moderation, follow-up
actions and their responses, a withdrawal, redactions, and the sign-offs whose figures
counted it. Each item names its audit and its trail entry: 'caseaudit history AUDIT CASE'
shows the same entries with their hashes, and 'caseaudit verify AUDIT' checks them.

The case ID is matched as the export readers take it (spaces around it ignored), exactly;
when no audit holds it exactly, the one ID that matches ignoring letter case.

Members of staff are shown by their initials unless --include-names, which names them as
the store holds them (the names in the trail and the people list, the shown staff columns)
and shows the columns of personal details the sample kept. Children are named only where
the store holds their names: in free text someone wrote, shown as written.

--out FILE.xlsx or FILE.html writes a marked document for a subject access response, made to
print on A4. Every form carries the protective marking: --marking, else the markings recorded
with the audits (above and below the text, at the top and foot of every page of the document,
"marking" in JSON when --marking is given, beside each audit's own).

QA and information governance look up any case; an auditor only her own (allocated to her,
or audited by her), and is told how many other audits hold it (--role, or $CASEAUDIT_ROLE;
with a people list the login's own roles decide).`,
		Example: `  caseaudit case CR-0001234 --role governance
  caseaudit case CR-0001234 --role qa --format json
  caseaudit case CR-0001234 --role governance --out sar-CR-0001234.html --marking OFFICIAL-SENSITIVE
  caseaudit case CR-0001234 --role governance --include-names --out sar-CR-0001234.xlsx`,
		Args: exactArgs(1, "the case ID"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Case = args[0]
			return runCase(cmd.Context(), o, g)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&o.Format, "format", "f", "text", "output format: text or json (with --out: from the file's extension)")
	f.StringVarP(&o.Out, "out", "o", "", "write a marked document for a subject access response to this `FILE` (.xlsx or .html)")
	f.BoolVar(&o.Force, "force", false, "replace an existing --out file")
	f.BoolVar(&o.IncludeNames, "include-names", false, "name members of staff as the store holds them, and show the columns of personal details the sample kept")
	f.StringVar(&o.Marking, "marking", "", "protective marking above and below the text, in its JSON, and at the top and foot of the --out document and of every printed page (default: the marking recorded with the audits), e.g. \"OFFICIAL-SENSITIVE\"")
	f.StringVar(&o.Role, "role", "", "the role you act in: qa, governance or auditor (default: $CASEAUDIT_ROLE)")
	return cmd
}

func runCase(ctx context.Context, o *caseOptions, g *globalOptions) error {
	if strings.TrimSpace(o.Case) == "" {
		return usagef("give the case ID to look up, e.g. caseaudit case CR-0001234")
	}
	ext := strings.ToLower(filepath.Ext(o.Out))
	switch {
	case o.Out == "":
		if err := checkFormat(o.Format, "text", "json"); err != nil {
			return err
		}
	case ext != ".xlsx" && ext != ".html":
		return usagef("--out %s: write the document as .xlsx or .html", o.Out)
	case o.Format != "text" && o.Format != strings.TrimPrefix(ext, "."):
		return usagef("--format %s with --out %s: the file's extension says the format", o.Format, o.Out)
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	person, err := actingPerson(ctx, st, g, o.Role, usagef("give --role (qa, governance or auditor): QA and information governance look up any case, an auditor her own"))
	if err != nil {
		return err
	}
	r, err := st.LookUp(ctx, audit.LookUpRequest{Case: o.Case, Names: o.IncludeNames, Person: person})
	if err != nil {
		return err
	}
	marking := strings.Join(strings.Fields(o.Marking), " ")
	if o.Out == "" && o.Format == "json" {
		r.Marking = marking
		return writeJSON(g.IO.Out, schema.Case, r)
	}
	doc := report.NewCaseDocument(r, marking, g.Now())
	if o.Out == "" {
		return doc.WriteText(g.textOut())
	}
	write := doc.WriteXLSX
	if ext == ".html" {
		write = doc.WriteHTML
	}
	if err := writeOutput(ctx, g, o.Out, o.Force, false, func(w io.Writer) error { return write(w) }); err != nil {
		return err
	}
	g.infof("wrote %s: case %s in %d %s, %d trail %s\n", o.Out, r.Case, len(r.Audits), words.Noun(len(r.Audits), "audit"),
		r.Entries(), words.Noun(r.Entries(), "entry", "entries"))
	return nil
}
