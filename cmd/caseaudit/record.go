package main

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/internal/textsafe"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/charmbracelet/huh"
	"github.com/spf13/cobra"
)

type recordOptions struct {
	Audit      string
	Case       string
	Grade      string
	Immediate  string
	Auditor    string
	Note       string
	Date       string
	Reason     string
	Moderation bool
	Accessible bool
	Answers    []string // KEY=VALUE
	Due        int
	NewAuditor bool
	// NoteGiven and DateGiven: --note and --date were given (even empty);
	// a finding recorded again keeps the recorded note and date otherwise.
	NoteGiven, DateGiven bool
}

func newRecordCmd(g *globalOptions) *cobra.Command {
	o := &recordOptions{}
	cmd := &cobra.Command{
		Use:   "record AUDIT [CASE]",
		Short: "Record an auditor's finding on a case",
		Long: `Record a finding: the grade (Outstanding, Good, Requires improvement, Inadequate; or o, g, ri, i),
whether the case needs immediate attention (yes/no), and a note.

Findings are never changed or lost: each is appended to the audit's hash-chained trail with
the auditor and the time (UTC). Recording a case again is a correction and needs --reason;
reports use the latest finding, and 'caseaudit history' shows them all. A correction keeps
from the finding it corrects the note, the date audited and each answer it does not give
(--note "" empties the note), so it changes only what it names; the same finding recorded
again, on any day, changes nothing. --moderation records
a moderator's re-grade of a case in the moderation sample, kept apart from the original.

When the audit has a form, --answer KEY=VALUE answers its questions (see caseaudit form);
every answer is checked against its question. A finding that needs immediate attention
opens a follow-up action for the case's owner, due in 5 working days (--due); see
caseaudit actions.

Without CASE, on a terminal, caseaudit walks the auditor through their unrecorded cases one
by one, saving each finding as it is entered (Ctrl-C loses nothing already saved).`,
		Example: `  caseaudit record "2026-07 monthly" CR-0001234 --grade good --immediate no --auditor "A. Khan" \
      --note "Plan reviewed on time; child seen alone."

  # a correction
  caseaudit record "2026-07 monthly" CR-0001234 --grade ri --immediate no --auditor "A. Khan" \
      --reason "misread the visit dates"

  # with the answers to the audit form's focus areas
  caseaudit record "2026-07 monthly" CR-0001234 --grade ri --immediate yes --auditor "A. Khan" \
      --answer assessment=ri --answer voice=good --answer worker_stability="Three or more workers"

  # a moderator's re-grade
  caseaudit record "2026-07 monthly" CR-0001234 --grade good --immediate no --auditor "M. Patel" --moderation

  # interactive: walk through A. Khan's unrecorded cases
  caseaudit record "2026-07 monthly" --auditor "A. Khan"`,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) < 1 || len(args) > 2 {
				return usagef("record needs the audit's name and, unless interactive, a case ID")
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			o.Audit = args[0]
			o.NoteGiven, o.DateGiven = cmd.Flags().Changed("note"), cmd.Flags().Changed("date")
			if len(args) == 2 {
				o.Case = args[1]
			}
			return runRecord(cmd.Context(), o, g)
		},
		ValidArgsFunction: completeAuditCases(g),
	}
	f := cmd.Flags()
	f.StringVar(&o.Grade, "grade", "", "Outstanding, Good, Requires improvement or Inadequate (o, g, ri, i)")
	f.StringVar(&o.Immediate, "immediate", "", "does the case need immediate attention: yes or no")
	f.StringVar(&o.Auditor, "auditor", "", "who audited the case (default: $CASEAUDIT_AUDITOR, else you, when the store's people list makes your login an auditor)")
	f.StringVar(&o.Note, "note", "", "the auditor's note")
	f.StringVar(&o.Date, "date", "", "date audited, yyyy-mm-dd or dd/mm/yyyy (default: today)")
	f.StringVar(&o.Reason, "reason", "", "why a finding is corrected (needed when the case already has one)")
	f.BoolVar(&o.Moderation, "moderation", false, "a moderator's re-grade of a case in the moderation sample")
	f.BoolVar(&o.Accessible, "accessible", false, "interactive mode with plain prompts, for screen readers")
	f.StringArrayVar(&o.Answers, "answer", nil, "answer a question of the audit's form, as `KEY=VALUE` (key or label); repeat for each question")
	f.BoolVar(&o.NewAuditor, "new-auditor", false, "accept an auditor who is not among the audit's allocated auditors")
	f.IntVar(&o.Due, "due", 0, "working `DAYS` until the follow-up action is due, when the case needs immediate attention (default: the audit's, else 5)")
	return cmd
}

func runRecord(ctx context.Context, o *recordOptions, g *globalOptions) error {
	if o.Auditor == "" {
		o.Auditor = os.Getenv("CASEAUDIT_AUDITOR")
	}
	if o.Case == "" {
		if o.Grade != "" || o.Immediate != "" {
			return usagef("name the case: caseaudit record AUDIT CASE --grade … --immediate …")
		}
		if !g.IO.InTerminal || !g.IO.OutTerminal {
			return usagef("record without a case walks you through your cases and needs a terminal; in a script give: AUDIT CASE --grade G --immediate yes|no --auditor NAME")
		}
		return recordInteractive(ctx, o, g)
	}
	if o.Grade == "" || o.Immediate == "" {
		var missing []string
		for _, m := range []struct{ v, name string }{{o.Grade, "--grade"}, {o.Immediate, "--immediate"}} {
			if m.v == "" {
				missing = append(missing, m.name)
			}
		}
		return usagef("a finding needs %s", strings.Join(missing, ", "))
	}
	grade, err := audit.ParseGrade(o.Grade)
	if err != nil {
		return usagef("--grade: %w", err)
	}
	imm, err := audit.ParseYesNo(o.Immediate)
	if err != nil {
		return usagef("--immediate: %w", err)
	}
	date, err := findingDate(o.Date, g)
	if err != nil {
		return err
	}
	answers, err := parseAnswers(o.Answers)
	if err != nil {
		return err
	}
	if o.Due < 0 {
		return usagef("--due must be a positive number of working days")
	}
	st, err := g.openExistingStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	if strings.TrimSpace(o.Auditor) == "" {
		name, err := listedAuditor(ctx, g, st, o.Moderation, "to record a moderation finding, give --moderation")
		if err != nil {
			return err
		}
		if name == "" {
			return usagef("a finding needs --auditor: name who audited the case (or set CASEAUDIT_AUDITOR)")
		}
		o.Auditor = name
	}
	if len(answers) > 0 {
		a, err := st.Audit(ctx, o.Audit)
		if err != nil {
			return err
		}
		if len(a.Form) == 0 {
			return usagef("audit %q has no form, so --answer has no question to answer; record the grade, immediate attention and note only", a.Name)
		}
	}
	res, err := st.Record(ctx, o.Audit, audit.Finding{Case: o.Case, Auditor: o.Auditor, Grade: grade, Immediate: imm,
		Note: o.Note, Date: date, Reason: o.Reason, Moderation: o.Moderation, Answers: answers, Due: o.Due, NewAuditor: o.NewAuditor,
		Given: &audit.Given{Note: o.NoteGiven, Date: o.DateGiven}})
	if err != nil {
		return err
	}
	reportRecorded(g, res)
	reportKept(g, res)
	return nil
}

// listedAuditor is the name a finding is recorded under when no auditor is
// named, said on stderr: the person acting's name on the people list
// (defaultAuditor), "" when the list gives none. A moderator who asked for
// an auditor's finding is refused (exit 5) with hint, pointing her to
// --moderation: naming an auditor would only lead her on to a refusal.
func listedAuditor(ctx context.Context, g *globalOptions, st *audit.Store, moderation bool, hint string) (string, error) {
	name, moderator, err := defaultAuditor(ctx, st, moderation)
	if err != nil {
		return "", err
	}
	if name == "" && moderator.Name != "" {
		return "", &audit.DutyError{Duty: audit.DutyRecord, Person: moderator,
			Reason: "a moderator records moderation findings, never an auditor's", Who: hint}
	}
	if name != "" {
		g.infof("recording as %s, the name your login has in the store's people list\n", name)
	}
	return name, nil
}

// defaultAuditor is the name a finding is recorded under when --auditor is
// not given: the person acting, when the store's people list maps her login
// to someone who may record it (an auditor, or a moderator for a
// moderation finding). Anyone else must name the auditor: QA records for
// others, and a one-person store has no list to say who the login is.
// moderator is the person when she may only moderate and asked for an
// auditor's finding: she most likely meant --moderation.
func defaultAuditor(ctx context.Context, st *audit.Store, moderation bool) (name string, moderator audit.Person, err error) {
	p, listed, err := st.Acting(ctx)
	if err != nil || !listed || p.Name == "" {
		return "", audit.Person{}, err
	}
	if p.Has(audit.Auditor) || (moderation && p.Has(audit.Moderator)) {
		return p.Name, audit.Person{}, nil
	}
	if !moderation && p.Has(audit.Moderator) && !p.Has(audit.QA) {
		return "", p, nil
	}
	return "", audit.Person{}, nil
}

// parseAnswers reads the --answer KEY=VALUE flags.
func parseAnswers(flags []string) (map[string]string, error) {
	if len(flags) == 0 {
		return nil, nil
	}
	out := map[string]string{}
	for _, x := range flags {
		k, v, ok := strings.Cut(x, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			return nil, usagef("--answer %q: write KEY=VALUE, e.g. --answer assessment=good", x)
		}
		if prev, dup := out[k]; dup && prev != v {
			return nil, usagef("--answer %s is given twice (%q and %q)", k, prev, v)
		}
		out[k] = v
	}
	return out, nil
}

// findingDate reads --date, defaulting to today (the local date: see
// audit.DateError). A date that cannot be right (after today, before the
// audit could be read) is the audit's to refuse, after who may record: as
// a workbook's row is.
func findingDate(s string, g *globalOptions) (string, error) {
	today := audit.LocalDate(g.Now())
	if s == "" {
		return today, nil
	}
	if iso, ok := audit.ParseDate(s); ok {
		return iso, nil
	}
	return "", usagef("--date %q: write yyyy-mm-dd or dd/mm/yyyy", s)
}

func reportRecorded(g *globalOptions, res audit.RecordResult) {
	f := res.Finding
	what := "finding"
	if f.Moderation {
		what = "moderation finding"
	}
	if !res.Changed {
		g.infof("%s on %s is already recorded as this; nothing changed\n", what, f.Case)
		return
	}
	imm := "no"
	if f.Immediate {
		imm = "YES"
	}
	verb := "recorded"
	if f.Kind == audit.KindCorrection || f.Kind == audit.KindModerationCorrection {
		verb = "corrected"
	}
	g.infof("%s %s on %s: %s, immediate attention %s (trail entry %d)\n", verb, what, f.Case, f.Grade, imm, res.Entry.Seq)
	if f.Contradicts() {
		g.warnf("%s is graded Outstanding yet flagged for immediate attention: if one of the two is a slip, correct it with --reason\n", f.Case)
	}
	if a := res.Action; a != nil {
		if a.Status == audit.ActionClosed {
			g.infof("closed the follow-up action on %s: it no longer needs immediate attention (trail entry %d)\n", f.Case, a.Closure.Seq)
		} else {
			g.infof("opened a follow-up action on %s %s, due %s (trail entry %d)\n", f.Case, ownerText(a.Owner, a.OwnerIsTeam), a.Due, a.Seq)
		}
	}
}

// leaveOutLaterCases returns todo without the cases the walk-through
// cannot record today: each finding is recorded as audited today, and a
// case chosen after the audit's first draw (the sample grown, a
// replacement, the moderation sample) is read only after it was chosen. A
// clock set back before those draws is said before anything is asked, as
// one before the first draw is (recordInteractive): draw by draw, in a
// warning naming the cases left out, or as the refusal when no case is
// left.
func leaveOutLaterCases(ctx context.Context, g *globalOptions, st *audit.Store, auditName string, todo []string, moderation bool) ([]string, error) {
	today := audit.LocalDate(g.Now())
	des, err := st.LaterDateErrors(ctx, auditName, todo, moderation, today)
	if err != nil || len(des) == 0 {
		return todo, err
	}
	read := "read"
	if moderation {
		read = "moderated"
	}
	why := laterDraws(des)
	if len(des) == len(todo) {
		return nil, fmt.Errorf("today (%s, by this computer's clock) is before the %s left to record could be %s: %s; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date",
			today, words.Noun(len(todo), "case"), read, why)
	}
	them := "them"
	if len(des) == 1 {
		them = "it"
	}
	g.warnf("today (%s, by this computer's clock) is before %d of the %s left to record could be %s: %s; the walk-through records each finding as audited today, so it leaves %s out: check the computer's date, or record %s with --date\n",
		today, len(des), words.Count(len(todo), "case"), read, why, them, them)
	out := todo[:0:0]
	for _, id := range todo {
		if !slices.ContainsFunc(des, func(de *audit.DateError) bool { return de.Case == id }) {
			out = append(out, id)
		}
	}
	return out, nil
}

// laterDraws says when the cases of des were chosen, draw by draw: "CR-1
// and CR-2 were added to the sample on 20 July 2026, when it was grown;
// CR-3 was drawn on 21 July 2026 to replace CR-9".
func laterDraws(des []*audit.DateError) string {
	type draw struct {
		drawn, replaces  string
		grown, moderated bool
	}
	var order []draw
	cases := map[draw][]string{}
	for _, de := range des {
		d := draw{de.Drawn, de.Replaces, de.Grown, de.Moderated}
		if _, ok := cases[d]; !ok {
			order = append(order, d)
		}
		cases[d] = append(cases[d], de.Case)
	}
	var parts []string
	for _, d := range order {
		ids := cases[d]
		were := "were"
		if len(ids) == 1 {
			were = "was"
		}
		day := words.Date(d.drawn, "2 January 2006")
		switch {
		case d.moderated:
			parts = append(parts, fmt.Sprintf("%s %s chosen for moderation on %s", words.And(ids), were, day))
		case d.replaces != "":
			parts = append(parts, fmt.Sprintf("%s %s drawn on %s to replace %s", words.And(ids), were, day, d.replaces))
		default:
			parts = append(parts, fmt.Sprintf("%s %s added to the sample on %s, when it was grown", words.And(ids), were, day))
		}
	}
	return strings.Join(parts, "; ")
}

// reportKept says what a finding recorded again took from the one before
// it on its case, and how to change it.
func reportKept(g *globalOptions, res audit.RecordResult) {
	k := res.Kept
	if !res.Changed || k.From == 0 {
		return
	}
	var kept, flags []string
	if k.Note {
		kept, flags = append(kept, "the note"), append(flags, "--note")
	}
	if k.Date {
		kept, flags = append(kept, "the date audited ("+res.Finding.Date+")"), append(flags, "--date")
	}
	if k.Answers > 0 {
		kept, flags = append(kept, words.Count(k.Answers, "answer")+" to the form"), append(flags, "--answer")
	}
	them := "them"
	if len(kept) == 1 && k.Answers <= 1 {
		them = "it" // the note, the date or one answer
	}
	g.infof("kept %s from trail entry %d; to change %s too, give %s\n", words.And(kept), k.From, them, words.Or(flags))
}

// ownerText says who a follow-up action is for: "for J. Smith", "for the
// team Warminster Family Support (no manager set)" when the case's team
// owns it (isTeam: a team is no person), or "(no owner yet)" when the
// audit names none.
func ownerText(owner string, isTeam bool) string {
	switch {
	case owner == "" || owner == audit.Unassigned:
		return "(no owner yet)"
	case isTeam:
		return "for the team " + owner + " (no manager set)"
	}
	return "for " + owner
}

// recordInteractive walks an auditor through their unrecorded cases.
func recordInteractive(ctx context.Context, o *recordOptions, g *globalOptions) error {
	st, a, err := g.openAudit(ctx, o.Audit)
	if err != nil {
		return err
	}
	defer st.Close()
	// Each finding is recorded as audited today: a clock that puts today
	// before the audit could be read is said before anything is asked,
	// not after the first finding is typed.
	if err := a.CheckDate(audit.LocalDate(g.Now()), g.Now()); err != nil {
		var de *audit.DateError
		if errors.As(err, &de) && de.Today == "" {
			return fmt.Errorf("today (%s, by this computer's clock) is before audit %q could be read: %s; the walk-through records each finding as audited today, so check the computer's date, or record each case with --date",
				de.Date, a.Name, de.Drawing())
		}
		return err
	}
	run := prompter(ctx, g, o.Accessible)
	if strings.TrimSpace(o.Auditor) == "" {
		// A login the people list names is not asked who she is: the
		// walk-through records under her name on the list, as record
		// with a case does.
		name, err := listedAuditor(ctx, g, st, o.Moderation, "to walk through the moderation sample, give --moderation")
		if err != nil {
			return err
		}
		o.Auditor = name
	}
	if strings.TrimSpace(o.Auditor) == "" {
		if err := run(huh.NewInput().Title("Your name, as auditor").Value(&o.Auditor).
			Validate(func(s string) error {
				if strings.TrimSpace(s) == "" {
					return errors.New("enter your name")
				}
				return nil
			})); err != nil {
			return interactiveErr(err)
		}
	}
	status, err := st.Status(ctx, a.Name)
	if err != nil {
		return err
	}
	todo := status.ToDo
	if o.Moderation {
		m, err := st.Moderation(ctx, a.Name)
		if err != nil {
			return err
		}
		if m == nil || len(m.Cases) == 0 {
			return fmt.Errorf("audit %q has no moderation sample; draw one with: caseaudit moderate %s --size 20", a.Name, shellarg.Quote(a.Name))
		}
		done, err := st.Findings(ctx, a.Name, true)
		if err != nil {
			return err
		}
		seen := map[string]bool{}
		for _, f := range done {
			seen[f.Case] = true
		}
		todo = nil
		for _, c := range m.Cases {
			if !seen[c] {
				todo = append(todo, c)
			}
		}
		// The cases she may not moderate (she audited them, they are
		// allocated to her, or she is their worker) are left out before
		// anything is asked, each said with its refusal, rather than
		// refused once she has typed a grade.
		refused, err := st.ModerationRefusals(ctx, a.Name, o.Auditor, todo)
		if err != nil {
			return err
		}
		var first error
		mine := todo[:0:0]
		for _, c := range todo {
			if err := refused[c]; err != nil {
				g.warnf("left out %s: %v\n", c, err)
				if first == nil {
					first = err
				}
				continue
			}
			mine = append(mine, c)
		}
		if len(mine) == 0 && first != nil {
			return first
		}
		todo = mine
	} else {
		for _, x := range status.Auditors {
			if namekey.Same(x.Auditor, o.Auditor) {
				todo = x.ToDo
			}
		}
	}
	if len(todo) == 0 {
		g.infof("nothing left to record for %s in %q\n", o.Auditor, a.Name)
		return nil
	}
	if todo, err = leaveOutLaterCases(ctx, g, st, a.Name, todo, o.Moderation); err != nil {
		return err
	}
	cases, err := st.Cases(ctx, a.Name)
	if err != nil {
		return err
	}
	form, err := audit.FormFromJSON(a.Form)
	if err != nil {
		return err
	}
	byID := map[string]audit.SampledCase{}
	for _, c := range cases {
		byID[c.ID] = c
	}
	g.infof("%s to record for %s in %q; choose Skip to leave one for later, Quit to stop\n", words.Count(len(todo), "case"), o.Auditor, a.Name)
	saved := 0
	stopped := func(err error) error {
		if errors.Is(err, huh.ErrUserAborted) || errors.Is(err, context.Canceled) {
			return &interrupted{fmt.Sprintf("stopped; %s saved", words.Count(saved, "finding"))}
		}
		return err
	}
	for i, id := range todo {
		c := byID[id]
		var desc strings.Builder
		for j, col := range c.Columns {
			if j < len(c.Fields) {
				fmt.Fprintf(&desc, "%s: %s\n", textsafe.Terminal(col), textsafe.Terminal(c.Fields[j]))
			}
		}
		// The case's header stays above every question about it.
		header := func() huh.Field {
			return huh.NewNote().Title(fmt.Sprintf("Case %s (%d of %d)", textsafe.Terminal(id), i+1, len(todo))).Description(desc.String())
		}
		ask := func(fields ...huh.Field) error { return run(append([]huh.Field{header()}, fields...)...) }
		// No answer is chosen for the person: Enter alone neither records a
		// grade nor skips the case, it asks again.
		var gradeChoice, imm, note string
		opts := []huh.Option[string]{}
		for _, gr := range audit.Grades {
			opts = append(opts, huh.NewOption(gr.String(), gr.String()))
		}
		opts = append(opts, huh.NewOption("Skip this case", "skip"), huh.NewOption("Quit", "quit"))
		if err := ask(choose("Grade", "", opts, &gradeChoice, o.Accessible)); err != nil {
			return stopped(err)
		}
		if gradeChoice == "quit" {
			break
		}
		if gradeChoice == "skip" {
			continue
		}
		answers, skipCase, err := askQuestions(ask, form, o.Accessible)
		if err != nil {
			return stopped(err)
		}
		if skipCase {
			continue
		}
		if err := ask(
			choose("Does the case need immediate attention?", "", []huh.Option[string]{huh.NewOption("No", "no"), huh.NewOption("Yes", "yes")}, &imm, o.Accessible),
			huh.NewText().Title("Note (optional)").Value(&note)); err != nil {
			return stopped(err)
		}
		grade, _ := audit.ParseGrade(gradeChoice)
		res, err := st.Record(ctx, a.Name, audit.Finding{Case: id, Auditor: o.Auditor, Grade: grade,
			Immediate: imm == "yes", Note: strings.TrimSpace(note), Date: audit.LocalDate(g.Now()), Moderation: o.Moderation,
			Answers: answers, Due: o.Due, NewAuditor: o.NewAuditor})
		if err != nil {
			return err
		}
		reportRecorded(g, res)
		saved++
	}
	g.infof("saved %s\n", words.Count(saved, "finding"))
	return nil
}

// choose is a choice the person must make: nothing is chosen for them, so
// Enter alone asks again rather than taking the first option (a grade) or
// the last (skip). help is shown under the title, in the plain-prompt
// (accessible) mode too.
func choose(title, help string, opts []huh.Option[string], v *string, accessible bool) huh.Field {
	if accessible {
		if help != "" {
			title += "\n" + help
		}
		// Without a pointer to a value the plain prompt has no default.
		return huh.NewSelect[string]().Title(title).Options(opts...).Accessor(&noDefault{v})
	}
	sel := huh.NewSelect[string]().Title(title).
		Options(append([]huh.Option[string]{huh.NewOption("— choose —", "")}, opts...)...).
		Value(v).Validate(func(s string) error {
		if s == "" {
			return errors.New("choose one of the answers")
		}
		return nil
	})
	if help != "" {
		sel = sel.Description(help)
	}
	return sel
}

// noDefault stores a choice without offering the current value as a
// default answer.
type noDefault struct{ p *string }

func (n *noDefault) Get() string  { return *n.p }
func (n *noDefault) Set(v string) { *n.p = v }

// askQuestions asks the form's questions in order. An optional question may
// be skipped (the default: Enter alone answers nothing); a required one
// offers to skip the whole case instead.
func askQuestions(run func(...huh.Field) error, form *audit.Form, accessible bool) (map[string]string, bool, error) {
	if form == nil {
		return nil, false, nil
	}
	answers := map[string]string{}
	for _, q := range form.Questions {
		title := textsafe.Terminal(q.Label)
		if !q.Required {
			title += " (optional)"
		}
		var v string
		if opts := q.Options(); opts != nil {
			var choices []huh.Option[string]
			for _, x := range opts {
				choices = append(choices, huh.NewOption(textsafe.Terminal(x), x))
			}
			if q.Required {
				choices = append(choices, huh.NewOption("Skip this case", "skip-case"))
			} else {
				choices = append(choices, huh.NewOption("Skip this question", "skip"))
			}
			if err := run(choose(title, textsafe.Terminal(q.Help), choices, &v, accessible)); err != nil {
				return nil, false, err
			}
		} else {
			t := title
			if accessible && q.Help != "" {
				t += "\n" + textsafe.Terminal(q.Help)
			}
			in := huh.NewInput().Title(t).Value(&v)
			if q.Help != "" && !accessible {
				in = in.Description(textsafe.Terminal(q.Help))
			}
			if q.Required {
				in = in.Validate(func(s string) error {
					if strings.TrimSpace(s) == "" {
						return errors.New("this question needs an answer")
					}
					return nil
				})
			}
			if err := run(in); err != nil {
				return nil, false, err
			}
		}
		switch v = strings.TrimSpace(v); v {
		case "skip-case":
			return nil, true, nil
		case "skip", "":
			continue
		}
		answers[q.Key] = v
	}
	return answers, false, nil
}

// lineReader gives its reader's text one line per Read and remembers the
// end of input.
// prompter is a function that asks a group of questions at the terminal
// (plain prompts when accessible); a prompt aborted or input ended is
// huh.ErrUserAborted.
func prompter(ctx context.Context, g *globalOptions, accessible bool) func(fields ...huh.Field) error {
	in := g.IO.In
	var lines *lineReader
	if accessible {
		// Plain prompts read lines; hand each prompt one line at a time so
		// none reads ahead into the next, and notice the end of input
		// (Ctrl-D) rather than taking it as the default answer.
		lines = &lineReader{r: bufio.NewReader(in)}
		in = lines
	}
	return func(fields ...huh.Field) (err error) {
		defer func() {
			// The prompt library can panic on odd input at the end of a
			// stream; nothing is lost (what was answered is kept).
			if r := recover(); r != nil {
				err = huh.ErrUserAborted
			}
		}()
		form := huh.NewForm(huh.NewGroup(fields...)).WithInput(in).WithOutput(g.IO.Err).
			WithAccessible(accessible).WithShowHelp(true)
		if err := form.RunWithContext(ctx); err != nil {
			return err
		}
		if lines != nil && lines.eof {
			return huh.ErrUserAborted
		}
		return nil
	}
}

type lineReader struct {
	r   *bufio.Reader
	eof bool
}

func (l *lineReader) Read(p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	line, err := l.r.ReadSlice('\n')
	if err == bufio.ErrBufferFull {
		err = nil
	}
	n := copy(p, line)
	if n < len(line) {
		// Put back what did not fit: read it again next time.
		rest := append([]byte(nil), line[n:]...)
		l.r = bufio.NewReader(io.MultiReader(bytes.NewReader(rest), l.r))
	}
	if err == io.EOF {
		l.eof = true
	}
	return n, err
}

// interactiveErr turns a prompt abort (Ctrl-C, Esc) into an interruption:
// findings already saved stay saved.
func interactiveErr(err error) error {
	if errors.Is(err, huh.ErrUserAborted) {
		return &interrupted{"stopped; findings already entered are saved"}
	}
	return err
}
