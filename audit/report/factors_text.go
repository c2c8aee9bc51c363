package report

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// factorsIntro is the section's opening: what it is and how to read it.
const factorsIntro = "The audited cases grouped by the factors recorded from the export when the sample was drawn. " +
	"The headline share above is unchanged by this section: it breaks the same cases down. " +
	"A difference between groups in a sample is an association, not a cause (cases with many changes of worker may differ in other ways too). " +
	"Where a group would expect fewer than 5 cases of either kind (flagged or not; Good or better or not) if all groups were alike, " +
	"the report says there are too few cases to tell."

// factorsSection shows the factors for the table, Markdown and HTML
// formats; ok is false when the audit recorded none.
func (r *Report) factorsSection() (section, bool) {
	fs := r.Factors
	if fs == nil {
		return section{}, false
	}
	conf := confPct(r.opts.Confidence)
	s := section{Title: "Factors", Intro: strings.TrimSpace(factorsIntro + " " + r.PopulationNote), Lines: fs.populationLines()}
	if fs.Audited == 0 {
		s.More = append(s.More, captioned{Caption: "No case has been audited yet: there is nothing to group."})
		return s, true
	}
	s.Lines = append(s.Lines, kv{"Audited cases with factors", fmt.Sprintf("%s of %s", thousands(fs.Recorded), thousands(fs.Audited))})
	for _, g := range fs.Groupings {
		t := &tbl{Header: []string{g.Label, "Audited", "Flagged", "Share", conf + " interval", "Good or better", "Share", conf + " interval"},
			Right: []bool{false, true, true, true, true, true, true, true}}
		for _, x := range g.Groups {
			t.Rows = append(t.Rows, []string{x.Label, thousands(x.Audited), thousands(x.Flagged), pctPtr(x.FlaggedShare, nearest),
				ciText(x.FlaggedLower, x.FlaggedUpper), thousands(x.Good), pctPtr(x.GoodShare, nearest), ciText(x.GoodLower, x.GoodUpper)})
		}
		note := "Needing immediate attention: " + g.Flagged.Sentence + " Good or better: " + g.GoodOrBetter.Sentence
		if g.NotGrouped > 0 {
			note += fmt.Sprintf(" In no group: %s (%s).", casesText(g.NotGrouped), g.Why)
		}
		if len(g.Untested) > 0 {
			note += fmt.Sprintf(" Shown, not tested: %s (%s).", groupNames(g.Untested), g.UntestedWhy)
		}
		s.More = append(s.More, captioned{Caption: g.Title, Table: t, Note: note})
	}
	for _, n := range fs.Notes {
		s.More = append(s.More, captioned{Caption: "Note", Note: n})
	}
	return s, true
}

// populationLines are the population's recorded figures as labelled lines.
func (fs *Factors) populationLines() []kv {
	p := fs.Population
	out := []kv{{"Population profiled", casesText(p.Cases)}}
	if c := p.Caseload; c != nil {
		v := thousands(c.Workers) + " " + words.Noun(c.Workers, "worker", "workers")
		if c.Workers > 0 {
			v += fmt.Sprintf(" holding %s allocated %s; median caseload %s, the largest %s", thousands(c.Allocated), words.Noun(c.Allocated, "case", "cases"),
				medianText(c.Median), thousands(c.Max))
		}
		out = append(out, kv{"Workers (" + fs.Spec.WorkerColumn + ")", v})
		if t := (&sample.Factors{Spec: fs.Spec, Population: p}).CountedText(); t != "" {
			out = append(out, kv{"Caseloads count", t})
		}
		if a := fs.Spec.Caseloads; a != nil && a.WorkerAliases != nil {
			out = append(out, kv{"Worker names mapped", fmt.Sprintf("by %s (SHA-256 %s)", a.WorkerAliases.File, a.WorkerAliases.SHA256)})
		}
		if n := c.SuspectDuplicates + c.SuspectPlaceholders; n > 0 {
			out = append(out, kv{"Worker names to confirm", fmt.Sprintf("%s may be another worker's, %s like a placeholder (counted as written; see caseaudit profile --include-names)",
				thousands(c.SuspectDuplicates), plural(c.SuspectPlaceholders, "1 reads", thousands(c.SuspectPlaceholders)+" read"))})
		}
		if t := fs.Spec.CaseloadTarget; t > 0 {
			out = append(out, kv{"Caseload above the target of " + strconv.Itoa(t),
				fmt.Sprintf("%s of %s workers (%s), holding %s of %s allocated cases (%s)", thousands(c.AboveTargetWorkers), thousands(c.Workers),
					shareOf(c.AboveTargetWorkers, c.Workers), thousands(c.AboveTargetCases), thousands(c.Allocated), shareOf(c.AboveTargetCases, c.Allocated))})
		}
	}
	if c := p.Changes; c != nil {
		out = append(out, kv{fmt.Sprintf("%s: %d or more", fs.Spec.ChangesColumn, fs.Spec.ChangesAtLeast),
			fmt.Sprintf("%s of %s cases with a number (%s)", thousands(c.AtLeastCases), thousands(c.Counted), shareOf(c.AtLeastCases, c.Counted))})
	}
	for _, t := range p.Timeliness {
		title, _ := pairTitle(t.Pair)
		v := fmt.Sprintf("%s of %s measured (%s); %s late (%s); %s not done (%s)", thousands(t.Within), thousands(t.Measured),
			shareOf(t.Within, t.Measured), thousands(t.Late), shareOf(t.Late, t.Measured), thousands(t.NotDone), shareOf(t.NotDone, t.Measured))
		if fs.Spec.AsOf != "" && t.NotDone > 0 {
			v += fmt.Sprintf(", %s past the limit on %s", thousands(t.Overdue), fs.Spec.AsOf)
		}
		out = append(out, kv{title, v})
	}
	return out
}
