package main

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/report"
	"github.com/caseaudit/caseaudit/internal/shellarg"
	"github.com/caseaudit/caseaudit/internal/synth"
	"github.com/caseaudit/caseaudit/internal/version"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/caseaudit/caseaudit/sample/profile"
	"github.com/spf13/cobra"
)

type demoOptions struct {
	Dir  string
	Rows int
	Size int
	Seed string
}

func newDemoCmd(g *globalOptions) *cobra.Command {
	o := &demoOptions{}
	cmd := &cobra.Command{
		Use:   "demo",
		Short: "Run a whole audit on invented data, as a tour",
		Long: `Generate a synthetic export of invented cases and run a month's audit on it: draw a sample
and record it in a store, allocate it to three auditors, write their workbook, record invented
findings, draw and record a moderation subsample, verify, and report — printing each step and
the command that does it.

Everything is written to a new temporary folder (or --dir), with its own store; no real data
is used and nothing outside that folder is touched.`,
		Example: `  caseaudit demo
  caseaudit demo --dir ./tour --rows 10000 --size 90`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, args []string) error { return runDemo(cmd.Context(), o, g) },
	}
	cmd.Flags().StringVar(&o.Dir, "dir", "", "folder to work in (default: a new temporary folder)")
	cmd.Flags().IntVar(&o.Rows, "rows", 3000, "cases in the invented export")
	cmd.Flags().IntVar(&o.Size, "size", 120, "cases to sample")
	cmd.Flags().StringVar(&o.Seed, "seed", "", "seed (default: random)")
	return cmd
}

func runDemo(ctx context.Context, o *demoOptions, g *globalOptions) error {
	if o.Size < 20 || o.Rows < o.Size {
		return usagef("the demo needs --size of at least 20 and --rows of at least --size")
	}
	dir := o.Dir
	if dir == "" {
		d, err := os.MkdirTemp("", "caseaudit-demo-")
		if err != nil {
			return err
		}
		dir = d
	} else if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	dg := *g
	dg.DB = filepath.Join(dir, "caseaudit.db")
	g = &dg
	if fileExists(g.DB) {
		return fmt.Errorf("%s already holds a demo store; give another --dir", dir)
	}
	out := g.textOut() // the tour is for people: in the locale's character set
	step := func(n int, text, command string) {
		fmt.Fprintf(out, "\n%d. %s\n", n, text)
		if command != "" {
			fmt.Fprintf(out, "   $ %s\n\n", command)
		}
	}
	export := filepath.Join(dir, "cases.xlsx")
	step(1, fmt.Sprintf("An invented case-list export of %d cases, messy as real ones are (title rows, a summary sheet, blank rows, duplicate IDs, a totals row):\n   %s", o.Rows, export), "")
	f, err := os.OpenFile(export, os.O_CREATE|os.O_TRUNC|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	if err := synth.WriteXLSX(f, synth.Options{Rows: o.Rows, Seed: 7, Messy: true}); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}

	step(2, "The pressures behind the audit, from the same export: caseloads against a target of 18, changes of worker, assessments within 45 days:",
		fmt.Sprintf("caseaudit profile cases.xlsx --caseload-target %d --timeliness %s", demoTarget, shellarg.Quote(demoTimeliness)))
	if err := demoProfile(ctx, g, export); err != nil {
		return err
	}

	const name = "2026-07 monthly"
	workbook := filepath.Join(dir, "audit.xlsx")
	auditors := []string{"A. Khan", "B. Evans", "C. Nowak"}
	step(3, fmt.Sprintf("Draw %d cases at random, stratified by team, record the audit with the same factors for each case, and allocate it to three auditors (never to a case's own worker):", o.Size),
		fmt.Sprintf("caseaudit sample cases.xlsx --size %d --strata Team --audit %s --caseload-target %d --timeliness %s --auditors %s --worker-column \"Allocated Worker\" --out audit.xlsx --format ids",
			o.Size, shellarg.Quote(name), demoTarget, shellarg.Quote(demoTimeliness), shellarg.Quote("A. Khan,B. Evans,C. Nowak")))
	st, err := g.openStore(ctx)
	if err != nil {
		return err
	}
	defer st.Close()
	res, err := drawAudit(ctx, g, st, audit.DrawRequest{
		Spec: sample.Spec{Export: export, Size: o.Size, Seed: o.Seed, Strata: "Team", Allocation: sample.Proportional,
			ToolVersion: version.String(), ToolSHA256: version.SHA256(), Now: g.Now()},
		Name: name, Period: "2026-07", Form: audit.DefaultForm(), Auditors: auditors,
		Rules:   audit.AllocationRules{WorkerField: "Allocated Worker"},
		Factors: demoFactors(g),
	}, workbook, true, issueFlags{Marking: "OFFICIAL-SENSITIVE", Contact: "the QA officer (invented), 01225 000000"})
	if err != nil {
		return err
	}
	seed := res.Provenance.Seed
	res.Close()
	fmt.Fprintf(out, "   The workbook %s has one row per case, drop-downs for Grade and Immediate attention, and a Method sheet.\n", workbook)
	fmt.Fprintf(out, "   Anyone with the export and the seed re-derives the same sample:\n   $ caseaudit sample cases.xlsx --size %d --strata Team --seed %s\n", o.Size, shellarg.Quote(seed))

	step(4, "The auditors record their findings (invented here; in real life from the workbook or the terminal):",
		fmt.Sprintf("caseaudit import %s audit.xlsx      # or: caseaudit record %s CASE --grade good --immediate no --auditor \"A. Khan\"", shellarg.Quote(name), shellarg.Quote(name)))
	rng := rand.New(rand.NewPCG(2026, 7))
	if err := demoFindings(ctx, g, st, name, auditors, rng); err != nil {
		return err
	}
	status, err := st.Status(ctx, name)
	if err != nil {
		return err
	}
	if err := writeStatus(out, status, nil, "table"); err != nil {
		return err
	}

	step(5, "A manager re-grades a random 20 of the recorded cases (moderation):",
		fmt.Sprintf("caseaudit moderate %s --size 20 --out moderation.xlsx", shellarg.Quote(name)))
	modSeed := seed + "-moderation"
	m, err := st.DrawModeration(ctx, name, 20, modSeed)
	if err != nil {
		return err
	}
	orig, err := st.Findings(ctx, name, false)
	if err != nil {
		return err
	}
	byCase := map[string]audit.Finding{}
	for _, f := range orig {
		byCase[f.Case] = f
	}
	for _, id := range m.Cases {
		f := byCase[id]
		gr := f.Grade
		if rng.IntN(5) == 0 { // the moderator disagrees by one grade now and then
			if gr < audit.Inadequate {
				gr++
			} else {
				gr--
			}
		}
		if _, err := st.Record(ctx, name, audit.Finding{Case: id, Auditor: "M. Patel", Grade: gr, Immediate: f.Immediate,
			Note: "Moderated.", Date: audit.LocalDate(g.Now()), Moderation: true}); err != nil {
			return err
		}
	}
	fmt.Fprintf(out, "   %d cases moderated by M. Patel (seed %s).\n", len(m.Cases), m.Seed)

	step(6, "Check that nothing was changed and that the sample re-derives from the export:",
		fmt.Sprintf("caseaudit verify %s", shellarg.Quote(name)))
	v, err := audit.Verify(ctx, st, audit.VerifyRequest{Name: name})
	if err != nil {
		return err
	}
	if err := writeVerify(g, v, nil, 0, "table"); err != nil {
		return err
	}
	step(7, "The report: the share needing immediate attention, with exact statistics, and the audited cases by the factors (also --format markdown, csv, json, xlsx, html):",
		fmt.Sprintf("caseaudit report %s --by Team", shellarg.Quote(name)))
	r, err := report.Build(ctx, st, name, report.Options{By: "Team", Now: g.Now, ToolVersion: version.String(), ToolSHA256: version.SHA256()})
	if err != nil {
		return err
	}
	if err := writeReport(ctx, g, r, report.Table, "", false, false); err != nil {
		return err
	}
	fmt.Fprintf(out, "\nEverything is in %s. Try, from there (put caseaudit on your PATH first: go install ./cmd/caseaudit):\n   $ cd %s\n   $ caseaudit audits\n   $ caseaudit status %s\n   $ caseaudit history %s --format json | head -40\n",
		dir, shellarg.Quote(dir), shellarg.Quote(name), shellarg.Quote(name))
	return nil
}

// The demo's factors: a caseload target and one timeliness pair of the
// invented export.
const (
	demoTarget     = 18
	demoTimeliness = "Referral Date..Assessment Completed<=45d"
)

func demoFactors(g *globalOptions) *sample.FactorSpec {
	return &sample.FactorSpec{CaseloadTarget: demoTarget, ChangesAtLeast: 3, Timeliness: []string{demoTimeliness},
		AsOf: g.Now().UTC().Format("2006-01-02"), Detect: true}
}

// demoProfile prints the profile's plain sentences for the export.
func demoProfile(ctx context.Context, g *globalOptions, path string) error {
	t, err := export.Open(ctx, path, export.OpenOptions{})
	if err != nil {
		return err
	}
	defer t.Close()
	tl, _ := profile.ParseTimeliness(demoTimeliness)
	p, err := profile.New(profile.Spec{CaseloadTarget: demoTarget, Timeliness: []profile.Timeliness{tl}, AsOf: g.Now()}, t)
	if err != nil {
		return err
	}
	counts, err := profile.Read(ctx, t, p, profile.ReadOptions{})
	if err != nil {
		return err
	}
	r := report.NewProfileReport(p.Result(), report.ProfileInput{Path: path, Format: t.Format, Sheet: t.Sheet, HeaderRow: t.HeaderRow,
		IDColumn: t.Header[t.IDIndex], Rows: counts.Rows}, nil,
		report.ProfileSkipped{Blank: counts.Blank, Footers: counts.Footers, Duplicates: counts.Duplicates}, time.Time{}, version.String(), false)
	out := g.textOut()
	for _, s := range r.Summary() {
		fmt.Fprintf(out, "   %s\n", s)
	}
	return nil
}

// demoFindings records invented findings on every case of an audit: mostly
// Good, some Requires improvement, a few Inadequate of which a third need
// immediate attention, with focus-area grades near the overall grade.
func demoFindings(ctx context.Context, g *globalOptions, st *audit.Store, name string, auditors []string, rng *rand.Rand) error {
	cases, err := st.Cases(ctx, name)
	if err != nil {
		return err
	}
	al, err := st.Allocation(ctx, name)
	if err != nil {
		return err
	}
	pick := func() (audit.Grade, bool) {
		r := rng.Float64()
		switch {
		case r < 0.10:
			return audit.Outstanding, false
		case r < 0.62:
			return audit.Good, false
		case r < 0.92:
			return audit.RequiresImprovement, false
		default:
			return audit.Inadequate, rng.IntN(3) == 0
		}
	}
	form := audit.DefaultForm()
	// Focus-area grades near the overall grade, one team a little weaker, so
	// the report's heat map has something to show.
	answers := func(overall audit.Grade, team string) map[string]string {
		out := map[string]string{}
		for _, q := range form.Questions {
			if q.Kind != audit.QuestionGrade {
				continue
			}
			g := overall + audit.Grade(rng.IntN(3)-1)
			if team == "Swindon Road CP" && rng.IntN(3) == 0 {
				g++
			}
			g = min(max(g, audit.Outstanding), audit.Inadequate)
			out[q.Key] = g.String()
		}
		return out
	}
	for _, c := range cases {
		gr, imm := pick()
		who := al.For(c.ID)
		if who == "" {
			who = auditors[0]
		}
		if _, err := st.Record(ctx, name, audit.Finding{Case: c.ID, Auditor: who, Grade: gr, Immediate: imm,
			Answers: answers(gr, c.Field("Team")),
			Note:    "Invented finding for the demo.", Date: audit.LocalDate(g.Now())}); err != nil {
			return err
		}
	}
	return nil
}
