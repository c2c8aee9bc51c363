package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/atomicfile"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/spf13/cobra"
)

// workbookOptions are the flags of `caseaudit workbook`.
type workbookOptions struct {
	Audit       string
	Out         string
	Split       string
	Auditor     string
	Outstanding bool
	Moderation  bool
	Force       bool
	Issue       issueFlags
}

// issueFlags say what a workbook handed to auditors carries besides its
// cases: the protective marking, whom to tell about a case needing
// immediate attention, the day it is due back, and (moderators') the
// moderator's name.
type issueFlags struct {
	Marking   string
	Contact   string
	ReturnBy  string
	Moderator string
}

// addIssueFlags adds --marking, --contact and --return-by (and, for a
// moderators' workbook, --moderator).
func addIssueFlags(cmd *cobra.Command, o *issueFlags, moderator bool) {
	f := cmd.Flags()
	f.StringVar(&o.Marking, "marking", "", "protective marking printed on every page of the workbook, e.g. \"OFFICIAL-SENSITIVE\" (default: as recorded with the audit's sample)")
	f.StringVar(&o.Contact, "contact", "", "whom auditors tell at once about a case needing immediate attention, e.g. \"J. Smith, 01225 000000\" (default: as recorded with the audit's sample)")
	f.StringVar(&o.ReturnBy, "return-by", "", "the `DATE` the workbook is due back, yyyy-mm-dd or dd/mm/yyyy (default: as recorded with the audit's sample)")
	if moderator {
		f.StringVar(&o.Moderator, "moderator", "", "the moderator's `NAME`, filled in on every row of the moderators' workbook")
	}
}

// check reads --return-by.
func (o *issueFlags) check(now time.Time) error {
	o.Marking = strings.Join(strings.Fields(o.Marking), " ")
	o.Contact = strings.Join(strings.Fields(o.Contact), " ")
	o.Moderator = strings.Join(strings.Fields(o.Moderator), " ")
	if o.ReturnBy == "" {
		return nil
	}
	d, ok := audit.ParseDate(o.ReturnBy)
	if !ok || d == "" || strings.Contains(o.ReturnBy, " ") {
		return usagef("--return-by %q: write the date as yyyy-mm-dd or dd/mm/yyyy, e.g. 24/07/2026", o.ReturnBy)
	}
	if t, _ := time.Parse("2006-01-02", d); t.Before(now.UTC().Truncate(24 * time.Hour)) {
		return usagef("--return-by %s is in the past (today is %s); give the date the workbooks are due back", d, now.UTC().Format("2006-01-02"))
	}
	o.ReturnBy = d
	return nil
}

// apply puts the flags given into a workbook, over what the audit
// recorded when its sample was drawn.
func (o issueFlags) apply(spec *audit.WorkbookSpec) {
	h := o.handout().Or(audit.Handout{Marking: spec.Marking, Contact: spec.Contact, ReturnBy: spec.ReturnBy})
	spec.Marking, spec.Contact, spec.ReturnBy = h.Marking, h.Contact, h.ReturnBy
	if spec.Moderation != nil {
		spec.Moderator = o.Moderator
	}
}

// handout is what the flags say about handing the workbooks out.
func (o issueFlags) handout() audit.Handout {
	return audit.Handout{Marking: o.Marking, Contact: o.Contact, ReturnBy: o.ReturnBy}
}

func newWorkbookCmd(g *globalOptions) *cobra.Command {
	o := &workbookOptions{}
	cmd := &cobra.Command{
		Use:   "workbook AUDIT (--out FILE | --split DIR)",
		Short: "Write an audit's workbook again: the whole sample, one auditor's cases, or those still to do",
		Long: `Write the workbook of a recorded audit from the store, at any time: after the sample grew,
after the cases were allocated again, when a file is lost, or to give each auditor only their
own cases. It holds the case fields recorded with the sample and the current allocation;
withdrawn cases are left out and their replacements are in.

--auditor NAME keeps that auditor's cases; --outstanding keeps the cases without a finding yet;
--split DIR writes one workbook per auditor into DIR ("AUDIT - AUDITOR.xlsx", and "AUDIT -
unallocated.xlsx" for cases no auditor has); --moderation writes the moderators' workbook of the
moderation sample. 'caseaudit import' takes any of them, and several part-filled copies at once.

Every workbook begins with an Instructions sheet (what the grades mean, what counts as needing
immediate attention and whom to tell, the return date, how to fill in the columns) and prints on
A4 with the marking in every page's header and footer. The marking, contact and return date
given when the sample was recorded (sample --audit … --marking … --contact … --return-by …)
are kept with the audit and used here unless given again.`,
		Example: `  # A. Khan lost her copy: her cases still to do
  caseaudit workbook "2026-07 monthly" --auditor "A. Khan" --outstanding --out khan.xlsx

  # one workbook per auditor, marked and with a return date
  caseaudit workbook "2026-07 monthly" --split workbooks --marking OFFICIAL-SENSITIVE \
      --contact "J. Smith, QA, 01225 000000" --return-by 2026-07-24

  # the moderators' workbook again
  caseaudit workbook "2026-07 monthly" --moderation --moderator "D. Patel" --out moderation.xlsx`,
		Args: exactArgs(1, "the audit's name"),
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			return runWorkbook(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAudits(g),
	}
	f := cmd.Flags()
	f.StringVarP(&o.Out, "out", "o", "", "write the workbook to this .xlsx `FILE`")
	f.StringVar(&o.Split, "split", "", "write one workbook per auditor into this `DIR` (made when missing)")
	f.StringVar(&o.Auditor, "auditor", "", "only the cases allocated to this auditor `NAME`")
	f.BoolVar(&o.Outstanding, "outstanding", false, "only the cases without a finding yet")
	f.BoolVar(&o.Moderation, "moderation", false, "the moderators' workbook of the moderation sample")
	f.BoolVar(&o.Force, "force", false, "replace existing files")
	addIssueFlags(cmd, &o.Issue, true)
	return cmd
}

func runWorkbook(ctx context.Context, o *workbookOptions, g *globalOptions) error {
	switch {
	case (o.Out == "") == (o.Split == ""):
		return usagef("give --out FILE.xlsx for one workbook, or --split DIR for one per auditor")
	case o.Out != "" && !strings.EqualFold(filepath.Ext(o.Out), ".xlsx"):
		return usagef("--out %s: a workbook is an .xlsx file; name it %s", o.Out, words.WithExt(o.Out, ".xlsx"))
	case o.Split != "" && o.Auditor != "":
		return usagef("--split writes every auditor's workbook; leave out --auditor (or give --out)")
	case o.Split != "" && o.Moderation:
		return usagef("the moderators' workbook is one file: give --out, not --split")
	case o.Moderation && o.Auditor != "":
		return usagef("the moderators' workbook holds the whole moderation sample; leave out --auditor")
	case !o.Moderation && o.Issue.Moderator != "":
		return usagef("--moderator goes with --moderation")
	}
	if err := o.Issue.check(g.Now()); err != nil {
		return err
	}
	if o.Out != "" {
		if err := atomicfile.Check(o.Out, o.Force); err != nil {
			return err
		}
	}
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	if o.Split != "" {
		return splitWorkbooks(ctx, g, st, a, o)
	}
	spec, err := st.Workbook(ctx, a.Name, audit.WorkbookOptions{Auditor: o.Auditor, Outstanding: o.Outstanding, Moderation: o.Moderation})
	if err != nil {
		return err
	}
	if len(spec.Cases) == 0 {
		return fmt.Errorf("audit %q: no case %s; no workbook written", a.Name, emptyWhy(spec))
	}
	o.Issue.apply(&spec)
	if err := writeWorkbookFile(ctx, o.Out, o.Force, spec); err != nil {
		return err
	}
	g.infof("wrote %s %s (%s)\n", workbookKind(spec), o.Out, words.Count(len(spec.Cases), "case"))
	return warnModeratorsOwn(ctx, g, st, a.Name, o.Out, spec)
}

// splitWorkbooks writes one workbook per auditor of the current allocation
// (and one for the cases no auditor has) into o.Split.
func splitWorkbooks(ctx context.Context, g *globalOptions, st *audit.Store, a *audit.Audit, o *workbookOptions) error {
	al, err := st.Allocation(ctx, a.Name)
	if err != nil {
		return err
	}
	if al == nil {
		return fmt.Errorf("audit %q is not allocated: allocate it first (caseaudit allocate %s --auditors NAMES), or write one workbook with --out", a.Name, shellarg.Quote(a.Name))
	}
	all, err := st.Workbook(ctx, a.Name, audit.WorkbookOptions{Outstanding: o.Outstanding})
	if err != nil {
		return err
	}
	type job struct {
		who  string
		spec audit.WorkbookSpec
		path string
	}
	var jobs []job
	seen := map[string]bool{}
	for _, name := range al.Auditors {
		spec, err := st.Workbook(ctx, a.Name, audit.WorkbookOptions{Auditor: name, Outstanding: o.Outstanding})
		if err != nil {
			return err
		}
		for _, c := range spec.Cases {
			seen[c.ID] = true
		}
		jobs = append(jobs, job{who: name, spec: spec, path: filepath.Join(o.Split, fileName(a.Name+" - "+name)+".xlsx")})
	}
	rest := all
	rest.Cases = nil
	for _, c := range all.Cases {
		if !seen[c.ID] {
			rest.Cases = append(rest.Cases, c)
		}
	}
	if len(rest.Cases) > 0 {
		jobs = append(jobs, job{who: "no auditor", spec: rest, path: filepath.Join(o.Split, fileName(a.Name+" - unallocated")+".xlsx")})
	}
	if err := os.MkdirAll(o.Split, 0o700); err != nil {
		return fmt.Errorf("--split: %w", err)
	}
	for _, j := range jobs {
		if len(j.spec.Cases) == 0 {
			continue
		}
		if err := atomicfile.Check(j.path, o.Force); err != nil {
			return err
		}
	}
	wrote := 0
	for _, j := range jobs {
		if len(j.spec.Cases) == 0 {
			g.infof("%s: no case %s; no workbook written\n", j.who, emptyWhy(j.spec))
			continue
		}
		o.Issue.apply(&j.spec)
		if err := writeWorkbookFile(ctx, j.path, o.Force, j.spec); err != nil {
			var we *atomicfile.WriteError
			if errors.As(err, &we) {
				we.Option = "--split"
			}
			return err
		}
		g.infof("wrote %s (%s)\n", j.path, words.Count(len(j.spec.Cases), "case"))
		wrote++
	}
	if wrote == 0 {
		return errors.New("no workbook written: every case is recorded")
	}
	return nil
}

// emptyWhy says why a workbook would hold no case.
func emptyWhy(spec audit.WorkbookSpec) string {
	var parts []string
	if spec.Auditor != "" {
		parts = append(parts, "is allocated to "+spec.Auditor)
	}
	if spec.Outstanding {
		parts = append(parts, "is still without a finding")
	}
	if len(parts) == 0 {
		return "is in the sample"
	}
	return strings.Join(parts, " and ")
}

// workbookKind names a workbook in messages.
func workbookKind(spec audit.WorkbookSpec) string {
	switch {
	case spec.Moderation != nil:
		return "the moderators' workbook"
	case spec.Auditor != "":
		return spec.Auditor + "'s workbook"
	}
	return "the auditors' workbook"
}

// fileName makes a name safe as a file name on every system: letters,
// digits, spaces and . , - _ ( ) kept, anything else as "_".
func fileName(s string) string {
	var b strings.Builder
	for _, r := range strings.Join(strings.Fields(s), " ") {
		if unicode.IsLetter(r) || unicode.IsDigit(r) || strings.ContainsRune(" .,-_()", r) {
			b.WriteRune(r)
		} else {
			b.WriteRune('_')
		}
	}
	return strings.Trim(b.String(), " .")
}
