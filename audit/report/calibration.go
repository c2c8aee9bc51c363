package report

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/namekey"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
)

// Auditor calibration: for each auditor, across the moderated cases of the
// audits chosen (all in the store by default), how the auditor's latest
// grade of a case compares with its moderator's: exact agreement, within
// one grade, Cohen's kappa (unweighted, on the four grades) once there are
// at least KappaMinPairs pairs, and the direction of disagreement — graded
// higher (more favourably) or lower than the moderator — with the two-sided
// sign test of whether disagreements lean one way (R's binom.test on the
// higher count of the disagreements). Grades, not immediate attention, are
// compared; a case counts once, by its latest findings. An auditor is a
// person by the name rule (namekey): findings recorded under two spellings
// the rule holds equal are one auditor's, shown under the spelling most
// used in them (of spellings used as often, the latest). The audits may
// spell her differently (each allocation as QA typed it that month), so
// no one audit's spelling decides; the most used is the one readers know.

// CalibrationSchema names the JSON calibration's layout (schema/calibration.json).
const CalibrationSchema = schema.Calibration

// calibrationAudit is what a calibration reads of one audit: its
// auditors' latest findings and its moderators' (Findings is not read when
// nothing was moderated).
type calibrationAudit struct {
	Name      string
	Findings  []audit.Finding
	Moderated []audit.Finding
}

// calibrationOf compares each auditor's grades with the moderators' over the
// audits read, in their order.
func calibrationOf(marking string, audits []calibrationAudit) (*Calibration, error) {
	c := &Calibration{Marking: marking, Audits: []string{}, NotModerated: []string{}, Auditors: []AuditorCalibration{}}
	byAuditor := map[string][][2]int{} // by name key
	var names namekey.Spellings
	rank := func(g audit.Grade) int { return slices.Index(audit.Grades, g) }
	for _, a := range audits {
		if len(a.Moderated) == 0 { // nothing moderated: no pairs to draw, whatever the auditors found
			c.NotModerated = append(c.NotModerated, a.Name)
			continue
		}
		byCase := map[string]audit.Finding{}
		for _, f := range a.Findings {
			byCase[f.Case] = f
		}
		pairs := c.Pairs
		for _, m := range a.Moderated {
			o, ok := byCase[m.Case]
			if !ok || rank(o.Grade) < 0 || rank(m.Grade) < 0 {
				continue
			}
			k := namekey.Key(o.Auditor)
			byAuditor[k] = append(byAuditor[k], [2]int{rank(o.Grade), rank(m.Grade)})
			names.Add(o.Auditor)
			c.Pairs++
		}
		if c.Pairs > pairs {
			c.Audits = append(c.Audits, a.Name)
		} else {
			c.NotModerated = append(c.NotModerated, a.Name)
		}
	}
	shown := map[string]string{} // name key → spelling shown
	for k := range byAuditor {
		shown[k], _ = names.Of(k)
	}
	keys := slices.Collect(maps.Keys(byAuditor))
	slices.SortFunc(keys, func(x, y string) int { return strings.Compare(shown[x], shown[y]) })
	for _, k := range keys {
		ps := byAuditor[k]
		ac := AuditorCalibration{Auditor: shown[k], Pairs: len(ps)}
		for _, p := range ps {
			d := p[0] - p[1]
			switch {
			case d == 0:
				ac.Exact++
			case d < 0: // a better grade than the moderator's
				ac.Higher++
			default:
				ac.Lower++
			}
			if d >= -1 && d <= 1 {
				ac.WithinOne++
			}
		}
		n := float64(ac.Pairs)
		ac.ExactShare, ac.WithinShare = float64(ac.Exact)/n, float64(ac.WithinOne)/n
		if ac.Pairs >= KappaMinPairs {
			ag, err := stats.Agreement(ps, len(audit.Grades))
			if err != nil {
				return nil, err
			}
			if ag.KappaDefined {
				ac.Kappa = ptr(ag.Kappa)
			}
		}
		p, err := stats.SignTest(ac.Higher, ac.Lower)
		if err != nil {
			return nil, err
		}
		ac.SignP = p
		if p < 0.05 {
			ac.Leans = map[bool]string{true: "higher", false: "lower"}[ac.Higher > ac.Lower]
		}
		ac.Sentence = calibrationSentence(ac)
		c.Auditors = append(c.Auditors, ac)
	}
	return c, nil
}

// calibrationSentence says how an auditor's grades compare, without
// overclaiming.
func calibrationSentence(a AuditorCalibration) string {
	s := fmt.Sprintf("%s: %s of %s moderated %s graded the same (%s), %s within one grade.", a.Auditor, thousands(a.Exact), thousands(a.Pairs),
		plural(a.Pairs, "case", "cases"), pct(a.ExactShare, nearest), thousands(a.WithinOne))
	dis := a.Higher + a.Lower
	disagreements := words.Count(dis, "disagreement")
	switch {
	case dis == 0:
		return s
	case a.Leans == "higher":
		s += fmt.Sprintf(" Of %s, %s graded higher than the moderator: a lean unlikely to be chance (sign test, %s).", disagreements, thousands(a.Higher), pText(a.SignP))
	case a.Leans == "lower":
		s += fmt.Sprintf(" Of %s, %s graded lower than the moderator: a lean unlikely to be chance (sign test, %s).", disagreements, thousands(a.Lower), pText(a.SignP))
	default:
		s += fmt.Sprintf(" Of %s, %s higher and %s lower than the moderator: no clear lean (sign test, %s); it could be chance.", disagreements, thousands(a.Higher), thousands(a.Lower), pText(a.SignP))
	}
	return s
}

func calibrationTable(c *Calibration) *tbl {
	t := &tbl{Header: []string{"Auditor", "Moderated", "Same grade", "Within one", "Kappa", "Higher", "Lower", "Sign test p", "Leans"},
		Right: []bool{false, true, true, true, true, true, true, true, false}}
	for _, a := range c.Auditors {
		k := kappaWithheld(true)
		if a.Kappa != nil {
			k = fmt.Sprintf("%.3f", *a.Kappa) // as the workbook's sheet and the report's moderation figures
		} else if a.Pairs >= KappaMinPairs {
			k = "not defined"
		}
		t.Rows = append(t.Rows, []string{a.Auditor, thousands(a.Pairs), fmt.Sprintf("%s (%s)", thousands(a.Exact), pct(a.ExactShare, nearest)),
			fmt.Sprintf("%s (%s)", thousands(a.WithinOne), pct(a.WithinShare, nearest)), k, thousands(a.Higher), thousands(a.Lower),
			fmt.Sprintf("%.3f", a.SignP), a.Leans})
	}
	return t
}

// calibrationIntro says what the calibration shows, and which audits had
// no moderated case with both grades to compare.
func calibrationIntro(c *Calibration) string {
	if c.Pairs == 0 {
		if len(c.NotModerated) == 0 {
			return "The store holds no audits yet: there is nothing to compare."
		}
		return fmt.Sprintf("No moderated case with both grades in %s: there is nothing to compare yet.", strings.Join(c.NotModerated, ", "))
	}
	s := fmt.Sprintf("Each auditor's grades of the %s moderated %s of %s, against the moderators'. Higher: the auditor gave a better grade than the moderator. "+
		"Kappa (Cohen's, on the four grades) is given from %d moderated cases; the sign test asks whether disagreements lean one way (two-sided, 5%% level).",
		thousands(c.Pairs), plural(c.Pairs, "case", "cases"), strings.Join(c.Audits, ", "), KappaMinPairs)
	if n := notModeratedText(c); n != "" {
		s += " " + n
	}
	return s
}

// notModeratedText says which audits had no moderated case with both
// grades: "" when every audit had. It does not say "no moderation": an
// audit moderated only on cases whose finding was since withdrawn, or
// whose grade is not one of the four, is listed too.
func notModeratedText(c *Calibration) string {
	if len(c.NotModerated) == 0 {
		return ""
	}
	return fmt.Sprintf("%s had no moderated case with both grades, so %s not in these figures.", strings.Join(c.NotModerated, ", "),
		plural(len(c.NotModerated), "it is", "they are"))
}

// calibrationMeta are the calibration page's details: the audits compared
// and those with no moderated case graded by both.
func calibrationMeta(c *Calibration) []kv {
	out := []kv{{"Audits", strings.Join(c.Audits, ", ")}}
	if len(c.NotModerated) > 0 {
		out = append(out, kv{"No case graded by both", strings.Join(c.NotModerated, ", ")})
	}
	return out
}

// calibrationSection is the calibration as a report section: what it
// shows, the table, and a sentence per auditor.
func calibrationSection(c *Calibration) section {
	s := section{Title: "Auditor calibration", Intro: calibrationIntro(c), Table: calibrationTable(c)}
	for _, a := range c.Auditors {
		s.Bullets = append(s.Bullets, a.Sentence)
	}
	return s
}
