package report

import (
	"context"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample"
)

// The factors section: the audited cases grouped by the factors recorded
// when the sample was drawn (caseload against the target, changes of
// worker, timeliness), with the share flagged and the share Good or better
// in each group, exact intervals, and a test across the groups.
//
// Which cases: the audited ones, as in the headline. Flagged follows the
// latest judgement on immediate attention (the headline's rule); Good or
// better is the auditor's grade (the grade mix's rule). A case without a
// value for a factor (no allocated worker, a blank count, a date pair not
// measured) is in none of that factor's groups and is counted apart.
//
// The tests: Fisher's exact test (two-sided) for two groups; for three or
// more ordered groups, the chi-squared test for trend in proportions (R's
// prop.trend.test, scores 1, 2, 3 …); both from stats.GroupTest, empty
// groups left out. A group whose expected count (under the pooled share)
// is below 5, with or without the attribute, is too small to tell: the
// trend test's p-value is then not relied on, and a Fisher p-value above
// the threshold says "too few cases to tell", never "no difference".
// Differences are called so at the report's confidence (p below 1 −
// confidence), and always as associations in the sample, not causes.

// Verdicts of a FactorTest.
const (
	VerdictAssociation = "association"
	VerdictNoClear     = "no_clear_difference"
	VerdictTooSmall    = "too_small"
	VerdictNotTested   = "not_tested"
)

// factorCase is an audited case with what the groupings need.
type factorCase struct {
	f       sample.CaseFactors
	flagged bool
	good    bool
}

// factors fills r.Factors when the audit recorded factors.
func (r *Report) factors(ctx context.Context, st *audit.Store, a *audit.Audit, orig []audit.Finding) error {
	if a.Provenance.Factors == nil {
		return nil
	}
	values, err := st.CaseFactors(ctx, a.Name)
	if err != nil {
		return err
	}
	return r.computeFactors(a.Provenance.Factors, values, orig)
}

// computeFactors builds the section from the recorded factors, every
// sampled case's values and the auditors' findings.
func (r *Report) computeFactors(pf *sample.Factors, values map[string]sample.CaseFactors, orig []audit.Finding) error {
	fs := &Factors{Spec: pf.Spec, Population: pf.Population, Groupings: []FactorGrouping{}, Notes: []string{}}
	var cs []factorCase
	for _, f := range orig {
		fs.Audited++
		v, ok := values[f.Case]
		if !ok {
			continue
		}
		fs.Recorded++
		cs = append(cs, factorCase{f: v, flagged: r.judged[f.Case], good: f.Grade == audit.Outstanding || f.Grade == audit.Good})
	}
	spec := pf.Spec
	if spec.WorkerColumn != "" {
		if spec.CaseloadTarget > 0 {
			t := spec.CaseloadTarget
			labels := []string{"at or below " + strconv.Itoa(t), "above " + strconv.Itoa(t)}
			g, err := r.grouping("caseload", fmt.Sprintf("Caseload against the target of %d", t), "Caseload", spec.WorkerColumn, labels, nil, cs,
				func(c sample.CaseFactors) int {
					switch {
					case c.Caseload == nil:
						return -1
					case *c.Caseload > t:
						return 1
					}
					return 0
				}, "no allocated worker")
			if err != nil {
				return err
			}
			fs.Groupings = append(fs.Groupings, g)
		} else {
			fs.Notes = append(fs.Notes, "No caseload target was recorded, so cases are not grouped by caseload: record one with the sample (--caseload-target N, or factors: caseload_target in the configuration).")
		}
	}
	if spec.ChangesColumn != "" {
		atLeast := max(spec.ChangesAtLeast, 1)
		zero := false
		for _, c := range cs {
			if c.f.Changes != nil && *c.f.Changes == 0 {
				zero = true
			}
		}
		var labels []string
		if atLeast == 1 {
			labels = []string{"0", "1 or more"}
		} else {
			for v := 1; v < atLeast; v++ {
				labels = append(labels, strconv.Itoa(v))
			}
			if zero {
				labels[0] = "0 or 1"
			}
			labels = append(labels, strconv.Itoa(atLeast)+" or more")
		}
		g, err := r.grouping("changes", "Changes of worker ("+spec.ChangesColumn+")", spec.ChangesColumn, spec.ChangesColumn, labels, nil, cs,
			func(c sample.CaseFactors) int {
				if c.Changes == nil {
					return -1
				}
				v := *c.Changes
				switch {
				case c.ChangesOrMore && v < atLeast && atLeast > 1:
					return -1 // "2+" below a threshold of 3: in which group is not known
				case atLeast == 1:
					return min(v, 1)
				case v >= atLeast:
					return atLeast - 1
				case v <= 1:
					return 0
				}
				return v - 1
			}, "blank, not a whole number, or an open group such as “2+” below the threshold")
		if err != nil {
			return err
		}
		fs.Groupings = append(fs.Groupings, g)
	}
	for i, pair := range spec.Timeliness {
		title, cols := pairTitle(pair)
		// Within, late and overdue are in order of lateness and tested so;
		// a case not done and not yet due may yet be within or late, so it
		// is shown and not tested.
		g, err := r.grouping(fmt.Sprintf("timeliness_%d", i+1), "Timeliness: "+title, "Timeliness", cols,
			[]string{"within", "late", "not done, not yet due", "not done, overdue"}, []int{0, 1, 3}, cs,
			func(c sample.CaseFactors) int {
				if i >= len(c.Timeliness) {
					return -1
				}
				switch c.Timeliness[i] {
				case sample.TimelinessWithin:
					return 0
				case sample.TimelinessLate:
					return 1
				case sample.TimelinessNotDone:
					return 2
				case sample.TimelinessOverdue:
					return 3
				}
				return -1
			}, "no first date, a date that cannot be read, or the second date before the first")
		if err != nil {
			return err
		}
		g.UntestedWhy = "its cases may yet be done within the limit or late"
		fs.Groupings = append(fs.Groupings, g)
	}
	if err := r.holm(fs); err != nil {
		return err
	}
	fs.Sentences = factorSentences(fs)
	if n := fs.Audited - fs.Recorded; n > 0 {
		fs.Notes = append(fs.Notes, fmt.Sprintf("%s audited %s no factor values recorded (added to the sample by a caseaudit that did not record them) and %s in no group.",
			thousands(n), words.Noun(n, "case has", "cases have"), words.Noun(n, "is", "are")))
	}
	if r.StrataBy != "" && r.Allocation == "equal" {
		fs.Notes = append(fs.Notes, "With equal allocation across strata the groups are not weighted to the population, as for the headline.")
	}
	r.Factors = fs
	return nil
}

// grouping groups the cases by group (−1: in none) and tests both shares.
func (r *Report) grouping(key, title, label, column string, labels []string, ordered []int, cs []factorCase, group func(sample.CaseFactors) int, why string) (FactorGrouping, error) {
	if ordered == nil {
		for i := range labels {
			ordered = append(ordered, i)
		}
	}
	untested := []string{}
	for i, l := range labels {
		if !slices.Contains(ordered, i) {
			untested = append(untested, l)
		}
	}
	o := r.opts
	g := FactorGrouping{Key: key, Title: title, Label: label, Column: column, Groups: make([]FactorGroup, len(labels)), Untested: untested}
	for i, l := range labels {
		g.Groups[i].Label = l
	}
	for _, c := range cs {
		i := group(c.f)
		if i < 0 || i >= len(labels) {
			g.NotGrouped++
			continue
		}
		x := &g.Groups[i]
		x.Audited++
		if c.flagged {
			x.Flagged++
		}
		if c.good {
			x.Good++
		}
	}
	if g.NotGrouped > 0 {
		g.Why = why
	}
	fx, fn, gx := make([]int, len(labels)), make([]int, len(labels)), make([]int, len(labels))
	for i := range g.Groups {
		x := &g.Groups[i]
		fx[i], fn[i], gx[i] = x.Flagged, x.Audited, x.Good
		if x.Audited == 0 {
			continue
		}
		iv, err := interval(o.Method, x.Flagged, x.Audited, o.Confidence)
		if err != nil {
			return g, err
		}
		x.FlaggedShare, x.FlaggedLower, x.FlaggedUpper = ptr(float64(x.Flagged)/float64(x.Audited)), ptr(iv.Lower), ptr(iv.Upper)
		iv, err = interval(o.Method, x.Good, x.Audited, o.Confidence)
		if err != nil {
			return g, err
		}
		x.GoodShare, x.GoodLower, x.GoodUpper = ptr(float64(x.Good)/float64(x.Audited)), ptr(iv.Lower), ptr(iv.Upper)
	}
	var err error
	if g.Flagged, err = r.factorTest(labels, fx, fn, ordered, attrFlagged); err != nil {
		return g, err
	}
	if g.GoodOrBetter, err = r.factorTest(labels, gx, fn, ordered, attrGood); err != nil {
		return g, err
	}
	return g, nil
}

// attribute names what a test counts, for its sentences.
type attribute struct {
	what, whatNot string // the cases with it and without: "needing immediate attention", "not needing it"
	none, all     string // "none of the N grouped cases %s", "all N grouped cases %s"
}

var (
	attrFlagged = attribute{"needing immediate attention", "not needing it", "needed immediate attention", "needed immediate attention"}
	attrGood    = attribute{"Good or better", "below Good", "was graded Good or better", "were graded Good or better"}
)

// factorTest tests x[i] of n[i] across the ordered groups (indexes into
// labels, in order; groups left out of ordered are shown but not tested)
// and words the outcome without overclaiming. A group too small to tell
// (fewer than 5 cases expected with or without the attribute if all were
// alike) is left out of a test of three or more groups, and said so; two
// groups get Fisher's exact test, more the trend test; a test too small to
// rely on gives its reason, never its p-value.
func (r *Report) factorTest(labels []string, x, n []int, ordered []int, a attribute) (FactorTest, error) {
	t := FactorTest{Small: []string{}, Tested: []string{}, LeftOut: []string{}}
	var idx []int
	for _, i := range ordered {
		if n[i] > 0 {
			idx = append(idx, i)
		}
	}
	sub := func(is []int) ([]int, []int) {
		sx, sn := make([]int, len(is)), make([]int, len(is))
		for k, i := range is {
			sx[k], sn[k] = x[i], n[i]
		}
		return sx, sn
	}
	total, with := 0, 0
	for _, i := range idx {
		total += n[i]
		with += x[i]
	}
	alpha := 1 - r.opts.Confidence
	level := pct(alpha, nearest)
	if len(idx) < 2 {
		t.Verdict = VerdictNotTested
		t.Sentence = "Not tested: fewer than two groups hold audited cases."
		return t, nil
	}
	if with == 0 || with == total {
		t.Verdict = VerdictTooSmall
		if with == 0 {
			t.Sentence = fmt.Sprintf("Too few cases to tell: none of the %s grouped cases %s.", thousands(total), a.none)
		} else {
			t.Sentence = fmt.Sprintf("Too few cases to tell: all %s grouped cases %s.", thousands(total), a.all)
		}
		return t, nil
	}
	sx, sn := sub(idx)
	e, err := stats.Expected(sx, sn)
	if err != nil {
		return FactorTest{}, err
	}
	smallSet := map[int]bool{}
	for _, k := range e.Small {
		smallSet[idx[k]] = true
	}
	tested := idx
	if len(idx) > 2 && len(e.Small) > 0 {
		// Leave the small groups out, and test the others when two or
		// more remain.
		var kept []int
		for _, i := range idx {
			if smallSet[i] {
				t.LeftOut = append(t.LeftOut, labels[i])
			} else {
				kept = append(kept, i)
			}
		}
		tested = kept
	}
	for _, i := range tested {
		t.Tested = append(t.Tested, labels[i])
	}
	// fewOf words what a group is short of: the cases with the attribute
	// when any small group expects fewer than 5 of those, else without.
	fewOf := func(ex stats.ExpectedCounts) string {
		for _, k := range ex.Small {
			if ex.With[k] < stats.MinExpected {
				return a.what
			}
		}
		return a.whatNot
	}
	few := fewOf(e)
	if len(tested) < 2 {
		for _, i := range idx {
			if smallSet[i] {
				t.Small = append(t.Small, labels[i])
			}
		}
		t.Verdict = VerdictTooSmall
		t.Sentence = fmt.Sprintf("Too few cases to tell: if the groups were alike, %s would expect fewer than 5 cases %s, leaving no two groups to compare.", groupNames(t.Small), few)
		return t, nil
	}
	tx, tn := sub(tested)
	res, err := stats.GroupTest(tx, tn, nil)
	if err != nil {
		return FactorTest{}, err
	}
	t.Method = res.Method
	t.Expected = res.Expected.With
	leftOut := ""
	if len(t.LeftOut) > 0 {
		leftOut = fmt.Sprintf(" %s left out of the test: too few cases (fewer than 5 %s expected).", groupNames(t.LeftOut), few)
		t.Small = append(t.Small, t.LeftOut...)
	}
	var testedSmallLabels []string
	for _, k := range res.Expected.Small {
		testedSmallLabels = append(testedSmallLabels, labels[tested[k]])
	}
	t.Small = append(t.Small, testedSmallLabels...)
	testedSmall := len(testedSmallLabels) > 0
	if testedSmall {
		few = fewOf(res.Expected)
	}
	switch {
	case !res.Defined:
		t.Verdict = VerdictTooSmall
		t.Sentence = fmt.Sprintf("Too few cases to tell between %s: every case tested is alike.%s", groupNames(t.Tested), leftOut)
		return t, nil
	case res.Method == stats.TestTrend && testedSmall:
		t.Verdict = VerdictTooSmall
		t.Sentence = fmt.Sprintf("Too few cases to tell: the chi-squared test for trend is not reliable when a group would expect fewer than 5 cases %s.%s", few, leftOut)
		return t, nil
	case res.Method == stats.TestFisher && testedSmall && res.P >= alpha:
		t.Verdict = VerdictTooSmall
		t.Sentence = fmt.Sprintf("Too few cases to tell: if the groups were alike, %s would expect fewer than 5 cases %s, and so small a group could show only a large difference.%s",
			groupNames(testedSmallLabels), few, leftOut)
		return t, nil
	}
	t.P = ptr(res.P)
	if res.Method == stats.TestTrend {
		t.Statistic = ptr(res.Statistic)
	}
	between := ""
	if len(t.LeftOut) > 0 || len(tested) < len(labels) {
		between = " (" + strings.Join(t.Tested, " against ") + ")"
	}
	switch {
	case res.Method == stats.TestFisher && res.P < alpha:
		t.Verdict = VerdictAssociation
		t.Sentence = fmt.Sprintf("Fisher's exact test%s, %s: a difference unlikely to be chance at the %s level; an association in this sample, not evidence of a cause.",
			between, pText(res.P), level)
		if testedSmall {
			t.Sentence += fmt.Sprintf(" %s small (fewer than 5 cases %s expected), so how large the difference is stays uncertain.", groupsAre(testedSmallLabels), few)
		}
	case res.P < alpha:
		t.Verdict = VerdictAssociation
		t.Sentence = fmt.Sprintf("Chi-squared test for trend%s, X² = %s, %s: a trend unlikely to be chance at the %s level; an association in this sample, not evidence of a cause.",
			between, strconv.FormatFloat(res.Statistic, 'f', 2, 64), pText(res.P), level)
	case res.Method == stats.TestTrend:
		t.Verdict = VerdictNoClear
		t.Sentence = fmt.Sprintf("Chi-squared test for trend%s, X² = %s, %s: no clear trend across the groups at the %s level; it could be chance, and it does not show there is none (the test looks for a steady rise or fall, not for any difference).",
			between, strconv.FormatFloat(res.Statistic, 'f', 2, 64), pText(res.P), level)
	default:
		t.Verdict = VerdictNoClear
		t.Sentence = fmt.Sprintf("Fisher's exact test%s, %s: no clear difference at the %s level; it could be chance, and it does not show there is none.", between, pText(res.P), level)
	}
	t.Sentence += leftOut
	return t, nil
}

// holm puts Holm's correction for the number of tests the section made
// beside each p-value, and says in the section how many there were.
func (r *Report) holm(fs *Factors) error {
	var ts []*FactorTest
	for i := range fs.Groupings {
		for _, t := range []*FactorTest{&fs.Groupings[i].Flagged, &fs.Groupings[i].GoodOrBetter} {
			if t.P != nil {
				ts = append(ts, t)
			}
		}
	}
	fs.Tests = len(ts)
	if len(ts) == 0 {
		return nil
	}
	ps := make([]float64, len(ts))
	for i, t := range ts {
		ps[i] = *t.P
	}
	adj, err := stats.Holm(ps)
	if err != nil {
		return err
	}
	alpha := 1 - r.opts.Confidence
	level := pct(alpha, nearest)
	for i, t := range ts {
		t.PHolm = ptr(adj[i])
		if len(ts) == 1 {
			continue
		}
		t.Sentence += fmt.Sprintf(" With Holm's correction for the %d tests of this section, %s", len(ts), pText(adj[i]))
		if t.Verdict == VerdictAssociation && adj[i] >= alpha {
			t.Sentence += fmt.Sprintf(": not below %s once the other tests are allowed for, so it may be one of the chance findings.", level)
		} else {
			t.Sentence += "."
		}
	}
	chance := fmt.Sprintf("at the %s level about one test in %s would look “significant” by chance alone", level, oneIn(alpha))
	if len(ts) == 1 {
		fs.Notes = append([]string{fmt.Sprintf("This section made 1 test; %s.", chance)}, fs.Notes...)
	} else {
		fs.Notes = append([]string{fmt.Sprintf("This section made %d tests (each factor, for needing immediate attention and for Good or better); %s even if nothing differed, so each p-value has Holm's correction for the %d tests beside it.",
			len(ts), chance, len(ts))}, fs.Notes...)
	}
	return nil
}

// oneIn is 1/alpha in words: "twenty" for 5%, else the number.
func oneIn(alpha float64) string {
	n := 1 / alpha
	switch {
	case math.Abs(n-20) < 1e-9:
		return "twenty"
	case math.Abs(n-10) < 1e-9:
		return "ten"
	case math.Abs(n-100) < 1e-9:
		return "a hundred"
	}
	return strconv.FormatFloat(n, 'f', -1, 64)
}

// groupNames quotes group labels: "“1”", "“within”, “late” and “not done”".
func groupNames(ls []string) string {
	q := make([]string, len(ls))
	for i, l := range ls {
		q[i] = "“" + l + "”"
	}
	if len(q) == 1 {
		return q[0]
	}
	return strings.Join(q[:len(q)-1], ", ") + " and " + q[len(q)-1]
}

// groupsAre is "The group “1” is" or "The groups “1” and “2” are".
func groupsAre(ls []string) string {
	if len(ls) == 1 {
		return "The group " + groupNames(ls) + " is"
	}
	return "The groups " + groupNames(ls) + " are"
}

// pairTitle is a timeliness pair in words and its columns:
// "“Referral Date” to “Assessment Completed” within 45 days".
func pairTitle(pair string) (string, string) {
	at := strings.LastIndex(pair, "<=")
	ft, lim := pair, ""
	if at >= 0 {
		ft, lim = pair[:at], pair[at+2:]
	}
	from, to, _ := strings.Cut(ft, "..")
	return fmt.Sprintf("“%s” to “%s” within %s", from, to, limitWords(lim)), from + ", " + to
}

// limitWords reads a limit as recorded ("45d", "45wd", "6w", "3m").
func limitWords(l string) string {
	i := 0
	for i < len(l) && l[i] >= '0' && l[i] <= '9' {
		i++
	}
	n, unit := l[:i], l[i:]
	one := n == "1"
	word := map[string][2]string{"d": {"day", "days"}, "wd": {"working day", "working days"}, "w": {"week", "weeks"}, "m": {"month", "months"}}[unit]
	if word[0] == "" {
		return l
	}
	if one {
		return n + " " + word[0]
	}
	return n + " " + word[1]
}

// factorSentences are the population's figures in words.
func factorSentences(fs *Factors) []string {
	var out []string
	p := fs.Population
	if c := p.Caseload; c != nil && c.Workers > 0 {
		s := fmt.Sprintf("In the population of %s, %s allocated %s are held by %s %s (median caseload %s, the largest %s).",
			casesText(p.Cases), thousands(c.Allocated), words.Noun(c.Allocated, "case", "cases"), thousands(c.Workers), words.Noun(c.Workers, "worker", "workers"),
			medianText(c.Median), thousands(c.Max))
		out = append(out, s)
		if t := fs.Spec.CaseloadTarget; t > 0 {
			out = append(out, fmt.Sprintf("Caseload above the target of %d: %s of the %s workers (%s), holding %s of the allocated cases (%s).",
				t, thousands(c.AboveTargetWorkers), thousands(c.Workers), shareOf(c.AboveTargetWorkers, c.Workers),
				thousands(c.AboveTargetCases), shareOf(c.AboveTargetCases, c.Allocated)))
		}
	}
	if c := p.Changes; c != nil && c.Counted > 0 {
		out = append(out, fmt.Sprintf("“%s” is %d or more for %s of the %s cases with a number (%s).", fs.Spec.ChangesColumn, fs.Spec.ChangesAtLeast,
			thousands(c.AtLeastCases), thousands(c.Counted), shareOf(c.AtLeastCases, c.Counted)))
	}
	for _, t := range p.Timeliness {
		title, _ := pairTitle(t.Pair)
		if t.Measured == 0 {
			out = append(out, title+": no case could be measured.")
			continue
		}
		s := fmt.Sprintf("%s: %s of %s measured cases (%s); %s late (%s); %s not done yet (%s)", title,
			thousands(t.Within), thousands(t.Measured), shareOf(t.Within, t.Measured), thousands(t.Late), shareOf(t.Late, t.Measured),
			thousands(t.NotDone), shareOf(t.NotDone, t.Measured))
		if fs.Spec.AsOf != "" && t.NotDone > 0 {
			s += fmt.Sprintf(", %s of them past the limit on %s", thousands(t.Overdue), fs.Spec.AsOf)
		}
		out = append(out, s+".")
	}
	return out
}

func medianText(m *float64) string {
	if m == nil {
		return "—"
	}
	return strconv.FormatFloat(*m, 'f', -1, 64)
}
