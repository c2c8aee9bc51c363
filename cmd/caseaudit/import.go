package main

import (
	"context"
	"crypto/sha256"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"
)

type importOptions struct {
	Audit       string
	Files       []string
	Reason      string
	Correct     []string
	Keep        []string
	DryRun      bool
	Accessible  bool
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
and counted. Importing the same file again records nothing new. The import is one transaction:
all of it or none; --dry-run checks everything and says what it would record and correct.

A finding is never changed without a person naming it. A row that changes an earlier finding
is refused, each such case listed with what differs, unless its case is named: --correct
CASE,CASE corrects those (with --reason, recorded with each correction), --correct all every
differing row (the count and each case are shown), and --keep CASE,CASE leaves those rows out
and keeps the findings recorded. At a terminal, without --correct, import asks about each
differing case instead. A moderation is corrected only by its moderator or by QA.

A moderators' workbook (its Method sheet says so) is recorded as moderation findings; a workbook
of another audit is refused in one line. Dates written with slashes are read day first
(07/10/2026 is 7 October) unless a date in the file has a month above 12 in the first place
(then month first), or --date-order mdy says so.`,
		Example: `  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx

  # each auditor's workbook, together
  caseaudit import "2026-07 monthly" returned/*.xlsx

  # after the moderation meeting: correct two cases, and only those
  caseaudit import "2026-07 monthly" 2026-07-audit.xlsx --correct CR-0001234,CR-0004567 \
    --reason "moderation meeting 21 July"

  # what would it record and correct? (writes nothing)
  caseaudit import "2026-07 monthly" returned/*.xlsx --dry-run

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
	f.StringVar(&o.Reason, "reason", "", "why the findings named by --correct are corrected (recorded with each correction)")
	f.StringSliceVar(&o.Correct, "correct", nil, "the `CASES` whose differing rows correct their findings (comma-separated), or all")
	f.StringSliceVar(&o.Keep, "keep", nil, "the `CASES` whose differing rows are left out, keeping their recorded findings")
	f.BoolVar(&o.DryRun, "dry-run", false, "check every row and say what would be recorded and corrected; write nothing")
	f.BoolVar(&o.Accessible, "accessible", false, "ask about differing cases with plain prompts, for screen readers")
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
	opts := audit.ImportOptions{Reason: o.Reason, Keep: o.Keep, DryRun: o.DryRun, SkipInvalid: o.SkipInvalid,
		Moderation: o.Moderation, Due: o.Due, DateOrder: o.DateOrder, NewAuditor: o.NewAuditor}
	for _, c := range o.Correct {
		if strings.EqualFold(strings.TrimSpace(c), "all") {
			if len(o.Correct) > 1 {
				return usagef("--correct all corrects every differing row: give it alone, not with case IDs")
			}
			opts.CorrectAll = true
		}
	}
	if !opts.CorrectAll {
		opts.Correct = o.Correct
	}
	if (len(o.Correct) > 0 || opts.CorrectAll) && strings.TrimSpace(o.Reason) == "" {
		return usagef("--correct needs a --reason: it is recorded with each correction")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if len(o.Correct) == 0 && !o.DryRun && g.IO.InTerminal && g.IO.ErrTerminal {
		asked, err := askCorrections(ctx, g, st, o, opts)
		if err != nil {
			return err
		}
		opts = asked
	}
	res, err := importFiles(ctx, g, st, o.Audit, o.Files, opts)
	name := strings.Join(o.Files, ", ")
	var si *saidInvalid
	if o.Format == "json" && errors.As(err, &si) {
		// Invalid rows: nothing was imported, and the JSON lists every
		// one, as stderr does, for a script to report.
		if werr := writeJSON(g.IO.Out, schema.Import, importJSON{Audit: o.Audit, DryRun: o.DryRun, File: name, Files: o.Files, Rows: si.ie.Read,
			Corrected: []correctionJSON{}, Contradictory: []string{}, ActionsOpened: []string{}, ActionsClosed: []string{}, Invalid: invalidRowsJSON(g, si.ie.Problems)}); werr != nil {
			return werr
		}
	}
	var rr *audit.RowRefusals
	if o.Format == "json" && errors.As(err, &rr) {
		// Refused: nothing was imported, and the JSON lists every row
		// refused, for a script to report or to --keep.
		if werr := writeJSON(g.IO.Out, schema.Import, importJSON{Audit: o.Audit, DryRun: o.DryRun, File: name, Files: o.Files, Rows: rr.Read,
			Corrected: []correctionJSON{}, Contradictory: []string{}, ActionsOpened: []string{}, ActionsClosed: []string{}, Refused: refusedRowsJSON(g, rr)}); werr != nil {
			return werr
		}
	}
	if err != nil {
		return err
	}
	sayCorrections(g, res, opts)
	if o.Format == "json" {
		opened, closed := importedActions(res)
		return writeJSON(g.IO.Out, schema.Import, importJSON{Audit: o.Audit, DryRun: o.DryRun, File: name, Files: o.Files, Rows: res.Rows,
			Recorded: res.Recorded, Corrections: res.Corrections, Corrected: correctedJSON(res.Corrected), Unchanged: res.Unchanged,
			Kept: res.Kept, Empty: res.Empty, Skipped: res.Skipped, ActionsOpened: opened, ActionsClosed: closed,
			Contradictory: contradictoryCases(res), BlankModerator: blankModeratorOf(res), Elsewhere: elsewhereJSONOf(res.Elsewhere)})
	}
	kept := ""
	if res.Kept > 0 {
		kept = fmt.Sprintf(", %d kept as recorded", res.Kept)
	}
	filled := blankModerators(res)
	if o.DryRun {
		fmt.Fprintf(g.IO.Out, "%s: %s; would record %s and %s; %d unchanged%s, %d without a finding, %d invalid left out%s (dry run: nothing was written)\n",
			name, words.Count(res.Rows, "row"), words.Count(res.Recorded, findingNoun(res)), words.Count(res.Corrections, "correction"),
			res.Unchanged, kept, res.Empty, res.Skipped, filled)
		return nil
	}
	fmt.Fprintf(g.IO.Out, "%s: %s; %s recorded, %s, %d unchanged%s, %d without a finding, %d invalid left out%s\n",
		name, words.Count(res.Rows, "row"), words.Count(res.Recorded, findingNoun(res)), words.Count(res.Corrections, "correction"),
		res.Unchanged, kept, res.Empty, res.Skipped, filled)
	return nil
}

// findingNoun is what an import recorded: "moderation finding" when every
// file was a moderators' workbook (a moderator's re-grade is not an audit
// finding, and reports count them apart), else "finding".
func findingNoun(res *audit.ImportResult) string {
	if len(res.Files) == 0 {
		return "finding"
	}
	for _, f := range res.Files {
		if !f.Moderation {
			return "finding"
		}
	}
	return "moderation finding"
}

// blankModeratorOf is import --format json's blank_moderator: the rows of
// every file whose blank Moderator cell was read as the importer's name.
func blankModeratorOf(res *audit.ImportResult) *blankModeratorJSON {
	var b *blankModeratorJSON
	for _, f := range res.Files {
		if f.BlankModerator > 0 {
			if b == nil {
				b = &blankModeratorJSON{ReadAs: f.Moderator}
			}
			b.Rows += f.BlankModerator
		}
	}
	return b
}

// blankModerators is the summary's clause for the rows whose blank
// Moderator cell was read as the importing moderator's listed name, "" when
// none was: the name recorded came from the people list, not the file.
func blankModerators(res *audit.ImportResult) string {
	var b strings.Builder
	for _, f := range res.Files {
		if f.BlankModerator > 0 {
			fmt.Fprintf(&b, "; %s of %s with a blank Moderator read as %s, your name on the store's people list",
				words.Count(f.BlankModerator, "row"), f.Path, f.Moderator)
		}
	}
	return b.String()
}

// sayCorrections names, on stderr, each finding an import corrected (or
// would correct): with --correct all the count first, since no case was
// named.
func sayCorrections(g *globalOptions, res *audit.ImportResult, opts audit.ImportOptions) {
	verb := "corrected"
	if opts.DryRun {
		verb = "would correct"
	}
	if opts.CorrectAll && len(res.Corrected) > 0 {
		g.infof("%s %s (--correct all)\n", verb, words.Count(len(res.Corrected), "finding"))
	}
	for _, c := range res.Corrected {
		what := "finding"
		if c.Moderation {
			what = "moderation finding"
		}
		entry := ""
		if c.Seq > 0 {
			entry = fmt.Sprintf("; trail entry %d", c.Seq)
		}
		g.infof("%s the %s on %s by %s (row %d of %s%s): %s\n", verb, what, c.Case, c.Was.Auditor, c.Row, c.File, entry, c.Differs.Spell(g.Spelling))
	}
}

// askCorrections asks, at a terminal, about each case whose row would
// change its finding: correct it, or keep the finding recorded (its row
// left out); then for the reason, when none was given. A dry run finds
// the cases; the import itself then corrects only those named, and only
// from what the person saw: a file changed while the prompt was open is
// refused, and so is a case whose latest finding someone else changed
// meanwhile (ImportOptions.Expect). A case differing in both the findings
// and the moderators' workbook is asked about once: the answer is the
// case's, as --correct and --keep name cases.
func askCorrections(ctx context.Context, g *globalOptions, st *audit.Store, o *importOptions, opts audit.ImportOptions) (audit.ImportOptions, error) {
	before, err := hashFiles(o.Files)
	if err != nil {
		return opts, nil // the import itself says the file cannot be read
	}
	try := opts
	try.DryRun, try.CorrectAll = true, true
	if strings.TrimSpace(try.Reason) == "" {
		try.Reason = "(to be asked)"
	}
	res, err := audit.ImportFiles(ctx, st, o.Audit, o.Files, try)
	if err != nil || len(res.Corrected) == 0 {
		return opts, nil // the import itself says what is wrong, or needs no answer
	}
	var cases []string
	byCase := map[string][]audit.Correction{}
	for _, c := range res.Corrected {
		k := strings.ToLower(c.Case)
		if _, ok := byCase[k]; !ok {
			cases = append(cases, k)
		}
		byCase[k] = append(byCase[k], c)
	}
	ask := prompter(ctx, g, o.Accessible)
	g.infof("%s would change %s already recorded; choose for each whether to correct it\n",
		strings.Join(o.Files, ", "), words.Count(len(res.Corrected), "finding"))
	opts.Expect = map[audit.Expected]int{}
	for i, k := range cases {
		var descs []string
		for _, c := range byCase[k] {
			what := "finding"
			if c.Moderation {
				what = "moderation finding"
			}
			day := c.Was.Date
			if day == "" {
				day = c.Was.At.UTC().Format("2006-01-02") // recorded without a date audited
			}
			desc := fmt.Sprintf("The %s by %s on %s; row %d of %s differs: %s", what, c.Was.Auditor, day, c.Row, c.File, c.Differs.Spell(g.Spelling))
			if old := c.OldCopy; old != nil {
				// The person chooses better knowing the row is a finding
				// already corrected once: most likely an old copy.
				desc += fmt.Sprintf(". This row is the %s recorded on %s (trail entry %d), corrected on %s (trail entry %d): most likely an old copy, best kept as recorded",
					what, old.At.UTC().Format(time.DateOnly), old.Seq, c.Was.At.UTC().Format(time.DateOnly), c.Was.Seq)
			}
			descs = append(descs, textsafe.Terminal(desc))
		}
		id := byCase[k][0].Case
		choice := ""
		err := ask(choose(fmt.Sprintf("Correct %s? (%d of %d)", textsafe.Terminal(id), i+1, len(cases)), strings.Join(descs, "\n"),
			[]huh.Option[string]{huh.NewOption("Keep the finding recorded (leave the row out)", "keep"), huh.NewOption("Correct it from the row", "correct")},
			&choice, o.Accessible))
		if err != nil {
			return opts, importAborted(err)
		}
		if choice == "correct" {
			opts.Correct = append(opts.Correct, id)
			for _, c := range byCase[k] {
				opts.Expect[audit.Expected{Case: c.Case, Moderation: c.Moderation}] = c.Was.Seq
			}
		} else {
			opts.Keep = append(opts.Keep, id)
		}
	}
	if len(opts.Correct) > 0 && strings.TrimSpace(opts.Reason) == "" {
		if err := ask(huh.NewInput().Title("Why are these findings corrected? (recorded with each correction)").Value(&opts.Reason).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("a correction needs a reason")
				}
				return nil
			})); err != nil {
			return opts, importAborted(err)
		}
	}
	after, err := hashFiles(o.Files)
	if err != nil {
		return opts, err
	}
	for i, f := range o.Files {
		if before[i] != after[i] {
			return opts, fmt.Errorf("%s changed while you were asked; nothing was imported: run the import again to be asked about the rows as they are now", f)
		}
	}
	return opts, nil
}

// hashFiles is the SHA-256 of each file's content.
func hashFiles(paths []string) ([][sha256.Size]byte, error) {
	out := make([][sha256.Size]byte, len(paths))
	for i, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			return nil, err
		}
		h := sha256.New()
		_, err = io.Copy(h, f)
		f.Close()
		if err != nil {
			return nil, fmt.Errorf("%s: %w", p, err)
		}
		copy(out[i][:], h.Sum(nil))
	}
	return out, nil
}

// importAborted is a prompt aborted before the import wrote anything.
func importAborted(err error) error {
	if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, context.Canceled) {
		return &interrupted{"stopped; nothing was imported"}
	}
	return err
}

// contradictoryCases lists the cases an import recorded graded Outstanding
// yet flagged for immediate attention.
func contradictoryCases(res *audit.ImportResult) []string {
	out := []string{}
	for _, c := range res.Contradictory {
		out = append(out, c.Case)
	}
	return out
}

// correctedJSON lists the corrections for --format json.
func correctedJSON(cs []audit.Correction) []correctionJSON {
	out := []correctionJSON{}
	for _, c := range cs {
		j := correctionJSON{Case: c.Case, Moderation: c.Moderation, File: c.File, Row: c.Row, Differs: c.Differs.Spell(opt.Flags),
			Was: wasJSON{Auditor: c.Was.Auditor, Grade: c.Was.Grade.String(), Immediate: c.Was.Immediate, Date: c.Was.Date}}
		if c.Seq > 0 {
			seq := c.Seq
			j.Entry = &seq
		}
		out = append(out, j)
	}
	return out
}

type correctionJSON struct {
	Case       string  `json:"case"`
	Moderation bool    `json:"moderation"`
	File       string  `json:"file"`
	Row        int     `json:"row"`
	Was        wasJSON `json:"was"`
	Differs    string  `json:"differs"`
	Entry      *int    `json:"trail_entry"`
}

type wasJSON struct {
	Auditor   string `json:"auditor"`
	Grade     string `json:"grade"`
	Immediate bool   `json:"immediate_attention"`
	Date      string `json:"date"`
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
	return showImport(g, files, res, err, opts.DryRun)
}

// showImport says what an import of files did, or in a dry run would do
// (see importFiles): a dry run writes no trail entry to number.
func showImport(g *globalOptions, files []string, res *audit.ImportResult, err error, dryRun bool) (*audit.ImportResult, error) {
	var ie *audit.ImportError
	if errors.As(err, &ie) {
		g.logProblems("error", files, ie.Problems, true)
		return nil, &saidInvalid{ie}
	}
	var rr *audit.RowRefusals
	if errors.As(err, &rr) && len(rr.Rows) > 1 {
		g.logRefusals(rr)
		return nil, &saidRefusal{rr}
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
			g.warnf("%s: %s with slashes read day first (dd/mm/yyyy): no date in the file has a day above 12 to tell; if the file writes %s month first, import it again with --date-order mdy, --correct all and a --reason to correct %s\n",
				f.Path, words.Count(f.Ambiguous, "date"), words.Noun(f.Ambiguous, "it", "them"), words.Noun(f.Ambiguous, "it", "them"))
		}
	}
	if len(res.Problems) > 0 {
		g.logProblems("warning", files, res.Problems, false)
	}
	for _, c := range res.Contradictory {
		g.warnf("%s (row %d of %s) is graded Outstanding yet flagged for immediate attention: if one of the two is a slip, fix the row and import it with --correct %s --reason\n",
			c.Case, c.Row, c.File, c.Case)
	}
	sayElsewhere(g, res.Elsewhere, dryRun)
	for _, a := range res.Actions {
		switch {
		case dryRun && a.Status == audit.ActionClosed:
			g.infof("would close the follow-up action on %s: it no longer needs immediate attention\n", a.Case)
		case dryRun:
			g.infof("would open a follow-up action on %s %s, due %s\n", a.Case, ownerText(a.Owner, a.OwnerIsTeam), a.Due)
		case a.Status == audit.ActionClosed:
			g.infof("closed the follow-up action on %s: it no longer needs immediate attention (trail entry %d)\n", a.Case, a.Closure.Seq)
		default:
			g.infof("opened a follow-up action on %s %s, due %s (trail entry %d)\n", a.Case, ownerText(a.Owner, a.OwnerIsTeam), a.Due, a.Seq)
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

// logProblems says problemList on stderr. As JSON lines, each problem's
// line also carries where it is (problemAttrs): a script reading the log
// of a run that imported several files need not parse the message.
func (g *globalOptions) logProblems(level string, files []string, problems []audit.Problem, refused bool) {
	if g.LogFormat != "json" {
		g.log(level, problemList(g, files, problems, refused))
		return
	}
	lines := strings.Split(strings.TrimRight(problemList(g, files, problems, refused), "\n"), "\n")
	g.log(level, lines[0])
	for i, p := range problems {
		g.logWith(level, lines[i+1], problemAttrs(p.File, p.Sheet, p.Row, p.Column, p.Case)...)
	}
}

// logRefusals says an import's refused rows on stderr, a line each after
// the count (see audit.RowRefusals); as JSON lines, each row's line also
// carries where it is.
func (g *globalOptions) logRefusals(rr *audit.RowRefusals) {
	lines := strings.Split(g.spell(rr), "\n")
	if g.LogFormat != "json" {
		g.log("error", "caseaudit: "+strings.Join(lines, "\n"))
		return
	}
	g.log("error", lines[0])
	for i, line := range lines[1:] {
		var attrs []slog.Attr
		if i < len(rr.Rows) && i < audit.RefusedShown {
			r := rr.Rows[i]
			attrs = problemAttrs(r.File, r.Sheet, r.Row, "", r.Case)
		}
		g.logWith("error", line, attrs...)
	}
}

// saidInvalid ends an import whose invalid rows logProblems has said: exit
// 1 and nothing more on stderr, the rows kept for the JSON.
type saidInvalid struct{ ie *audit.ImportError }

func (e *saidInvalid) Error() string { return "" }
func (e *saidInvalid) Unwrap() error { return e.ie }

// saidRefusal ends an import whose refused rows logRefusals has said:
// exit 5, as any refusal, and no further message.
type saidRefusal struct{ rr *audit.RowRefusals }

func (e *saidRefusal) Error() string { return "" }
func (e *saidRefusal) Unwrap() error { return e.rr }

// refusedJSON is import --format json's refused: every row the duties
// refused, where it is, the rule and who may record it.
type refusedJSON struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Case    string `json:"case"`
	Rule    string `json:"rule"`
	Reason  string `json:"reason,omitempty"`
	Who     string `json:"who,omitempty"`
	Message string `json:"message"`
}

func refusedRowsJSON(g *globalOptions, rr *audit.RowRefusals) []refusedJSON {
	out := make([]refusedJSON, 0, len(rr.Rows))
	for _, r := range rr.Rows {
		j := refusedJSON{File: r.File, Sheet: r.Sheet, Row: r.Row, Case: r.Case, Message: g.spell(r.Err)}
		var de *audit.DutyError
		if errors.As(r.Err, &de) {
			j.Rule, j.Reason, j.Who = de.Rule, de.Reason, de.Who
		}
		out = append(out, j)
	}
	return out
}

// problemAttrs are the attributes of a JSON log line that say where a
// problem is, those known.
func problemAttrs(file, sheet string, row int, column, caseID string) []slog.Attr {
	var as []slog.Attr
	for _, a := range []struct{ k, v string }{{"file", file}, {"sheet", sheet}} {
		if a.v != "" {
			as = append(as, slog.String(a.k, a.v))
		}
	}
	if row > 0 {
		as = append(as, slog.Int("row", row))
	}
	for _, a := range []struct{ k, v string }{{"column", column}, {"case", caseID}} {
		if a.v != "" {
			as = append(as, slog.String(a.k, a.v))
		}
	}
	return as
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
		b.WriteString(g.sprintf("caseaudit: %s in %s; nothing was imported (fix %s, or give %s to import the valid rows):\n",
			words.Count(len(problems), "problem"), in, words.Noun(len(problems), "it", "them"), opt.SkipInvalid))
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
	Audit       string           `json:"audit"`
	DryRun      bool             `json:"dry_run"`
	File        string           `json:"file"`
	Files       []string         `json:"files"`
	Rows        int              `json:"rows"`
	Recorded    int              `json:"recorded"`
	Corrections int              `json:"corrections"`
	Corrected   []correctionJSON `json:"corrected"`
	Unchanged   int              `json:"unchanged"`
	Kept        int              `json:"kept"`
	// Contradictory are the cases recorded graded Outstanding yet flagged
	// for immediate attention.
	Contradictory []string `json:"outstanding_and_flagged"`
	Empty         int      `json:"empty"`
	Skipped       int      `json:"skipped"`
	ActionsOpened []string `json:"actions_opened"`
	ActionsClosed []string `json:"actions_closed"`
	// BlankModerator: the rows whose blank Moderator cell was read as the
	// importing moderator's listed name; nil when none.
	BlankModerator *blankModeratorJSON `json:"blank_moderator,omitempty"`
	// Refused lists every row the duties refused, when the import was
	// refused (exit 5; nothing was imported).
	Refused []refusedJSON `json:"refused,omitempty"`
	// Invalid lists every invalid row, when the import was refused for
	// them (exit 1; nothing was imported).
	Invalid []invalidJSON `json:"invalid,omitempty"`
	// Elsewhere lists the findings recorded (or, in a dry run, that would
	// be) under an auditor the case is not allocated to, as stderr warns
	// of them; absent when none, so that a scheduled run's script learns
	// which auditor's workbook still lists cases now recorded.
	Elsewhere []elsewhereJSON `json:"allocated_elsewhere,omitempty"`
}

// elsewhereJSON is one row of import --format json's allocated_elsewhere.
type elsewhereJSON struct {
	Case        string `json:"case"`
	File        string `json:"file"`
	Row         int    `json:"row"`
	Auditor     string `json:"auditor"`
	AllocatedTo string `json:"allocated_to"`
}

func elsewhereJSONOf(rows []audit.RowElsewhere) []elsewhereJSON {
	var out []elsewhereJSON
	for _, r := range rows {
		out = append(out, elsewhereJSON{Case: r.Case, File: r.File, Row: r.Row, Auditor: r.Auditor, AllocatedTo: r.AllocatedTo})
	}
	return out
}

// invalidJSON is one invalid row (or header) of import --format json's
// invalid: where it is, and what is wrong, as stderr says it.
type invalidJSON struct {
	File    string `json:"file"`
	Sheet   string `json:"sheet,omitempty"`
	Row     int    `json:"row"`
	Column  string `json:"column,omitempty"`
	Case    string `json:"case,omitempty"`
	Message string `json:"message"`
}

func invalidRowsJSON(g *globalOptions, ps []audit.Problem) []invalidJSON {
	out := make([]invalidJSON, 0, len(ps))
	for _, p := range ps {
		out = append(out, invalidJSON{File: p.File, Sheet: p.Sheet, Row: p.Row, Column: p.Column, Case: p.Case, Message: p.Text(g.Spelling)})
	}
	return out
}

type blankModeratorJSON struct {
	ReadAs string `json:"read_as"`
	Rows   int    `json:"rows"`
}

// sayElsewhere warns of the findings an import recorded under an auditor
// the cases are not allocated to (an old workbook of an auditor who left,
// imported by QA after her cases were dealt again), one line per file,
// auditor and auditor now allocated: the latter still has the cases in her
// workbook, and would audit them again unless told.
func sayElsewhere(g *globalOptions, rows []audit.RowElsewhere, dryRun bool) {
	type key struct{ file, auditor, to string }
	var keys []key
	cases := map[key][]string{}
	for _, r := range rows {
		k := key{r.File, r.Auditor, r.AllocatedTo}
		if _, ok := cases[k]; !ok {
			keys = append(keys, k)
		}
		cases[k] = append(cases[k], r.Case)
	}
	verb := "recorded"
	if dryRun {
		verb = "would record"
	}
	for _, k := range keys {
		g.warnf("%s %s %s under %s on cases allocated to %s (%s): %s's workbook still lists them; tell her they are recorded\n",
			k.file, verb, words.Count(len(cases[k]), "finding"), k.auditor, k.to, shortList(cases[k], 10), k.to)
	}
}
