package report

import (
	"encoding/json"
	"fmt"
	"math"
	"regexp"
	"slices"
	"strings"
	"sync"

	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/schema"
)

// The pooled view: the share needing immediate attention over several
// audits (a quarter's three monthly samples). When every audit is a simple
// random sample (not stratified) of the same population definition (the
// same filters and the same rule for leaving cases out) drawn at the same
// sampling fraction (within a tenth of each other), the audited cases are
// one simple random sample of the period's cases: the cases and the
// flagged are summed and the share gets an exact interval. Otherwise a sum
// would over-count the months sampled more heavily: each audit's share is
// weighted by its population (the stratified estimator over the audits as
// strata), with a normal-approximation interval whose variance carries the
// finite-population correction, and the method is named — never a naive
// sum.

// PooledSchema names the JSON pooled view's layout (schema/pooled.json).
const PooledSchema = schema.Pooled

// Pooled is the pooled view of several audits.
type Pooled struct {
	Marking string        `json:"marking,omitempty"`
	Period  string        `json:"period,omitempty"` // as asked, e.g. 2026-Q3
	Audits  []PooledAudit `json:"audits"`
	Audited int           `json:"audited"`
	Flagged int           `json:"flagged"`
	// Population sums the audits' populations (nil when one is unknown).
	Population *int `json:"population"`
	// Method is "pooled" (one simple random sample: exact interval) or
	// "weighted" (each audit weighted by its population); none (JSON null)
	// while no case of the audits is audited.
	Method     PoolMethod `json:"method"`
	CIMethod   string     `json:"ci_method"`
	Confidence float64    `json:"confidence"`
	Share      *float64   `json:"share"`
	Lower      *float64   `json:"lower"`
	Upper      *float64   `json:"upper"`
	// Why says why the samples were or were not pooled.
	Why      string `json:"why"`
	Sentence string `json:"sentence"`
	// Incomplete names the audits not every sampled case of which is
	// recorded yet.
	Incomplete []string `json:"incomplete"`
	// Calibration compares each auditor's grades with the moderators'
	// over the moderated cases of these audits (nil when none was).
	Calibration *Calibration `json:"calibration"`
	// byAudited: the weighted share weighs each audit by its audited
	// cases, not its population.
	byAudited bool
}

// PooledAudit is one audit of the pooled view.
type PooledAudit struct {
	Audit      string   `json:"audit"`
	Period     string   `json:"period"`
	Sampled    int      `json:"sampled"`
	Audited    int      `json:"audited"`
	Flagged    int      `json:"flagged"`
	Population *int     `json:"population"`
	Share      *float64 `json:"share"`
	Stratified bool     `json:"stratified"`
	Definition string   `json:"population_definition"`
}

var quarter = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{4})-Q([1-4])$`) })

// PeriodMonths reads a period as its months: "2026-Q3" (July to
// September), "2026-07..2026-09", or one month "2026-07".
func PeriodMonths(period string) (from, to string, err error) {
	period = strings.TrimSpace(period)
	if m := quarter().FindStringSubmatch(strings.ToUpper(period)); m != nil {
		q := int(m[2][0] - '0')
		return fmt.Sprintf("%s-%02d", m[1], 3*q-2), fmt.Sprintf("%s-%02d", m[1], 3*q), nil
	}
	a, b, ok := strings.Cut(period, "..")
	if !ok {
		b = a
	}
	month := regexp.MustCompile(`^\d{4}-(0[1-9]|1[0-2])$`)
	if !month.MatchString(a) || !month.MatchString(b) || a > b {
		return "", "", fmt.Errorf("period %q: write a quarter (2026-Q3), a month (2026-07) or a range of months (2026-07..2026-09)", period)
	}
	return a, b, nil
}

// PoolMethod is how the audits were pooled: "pooled" or "weighted", or ""
// before any case is audited, which JSON gives as null (an unknown value
// is null, never an empty string outside the schema's choices).
type PoolMethod string

// MarshalJSON writes the method, or null when there is none.
func (m PoolMethod) MarshalJSON() ([]byte, error) {
	if m == "" {
		return []byte("null"), nil
	}
	return json.Marshal(string(m))
}

// label is the method as the pooled row of a table names it: "All
// (pooled)", or "All" when there is none.
func (m PoolMethod) label() string {
	if m == "" {
		return "All"
	}
	return "All (" + string(m) + ")"
}

// pooledAudit is one audit as pooling takes it from its report: its
// figures, and whether every sampled case is recorded.
type pooledAudit struct {
	PooledAudit
	Incomplete bool
}

// pooledAuditOf takes an audit's figures from its report.
func pooledAuditOf(r *Report) pooledAudit {
	return pooledAudit{PooledAudit: PooledAudit{Audit: r.Audit, Period: r.Period, Sampled: r.Sampled, Audited: r.Audited, Flagged: r.Flagged,
		Population: r.Population, Share: r.Share, Stratified: r.Provenance.Stratified(), Definition: definition(r)}, Incomplete: r.ToDo > 0}
}

// pool pools the audits' figures (opts normalised), with the calibration
// of their moderated cases (cal: what calibration compares of each).
func pool(period string, opts Options, audits []pooledAudit, cal []calibrationAudit) (*Pooled, error) {
	p := &Pooled{Marking: opts.Marking, Period: period, Confidence: opts.Confidence, Audits: []PooledAudit{}, Incomplete: []string{}}
	popKnown := true
	total := 0
	for _, in := range audits {
		pa := in.PooledAudit
		if slices.ContainsFunc(p.Audits, func(x PooledAudit) bool { return x.Audit == pa.Audit }) {
			return nil, fmt.Errorf("audit %q is named twice", pa.Audit)
		}
		p.Audits = append(p.Audits, pa)
		p.Audited += pa.Audited
		p.Flagged += pa.Flagged
		if pa.Population == nil {
			popKnown = false
		} else {
			total += *pa.Population
		}
		if in.Incomplete {
			p.Incomplete = append(p.Incomplete, pa.Audit)
		}
	}
	if popKnown {
		p.Population = ptr(total)
	}
	c, err := calibrationOf("", cal)
	if err != nil {
		return nil, err
	}
	if c.Pairs > 0 {
		p.Calibration = c
	}
	if p.Audited == 0 {
		p.Why = "No case of these audits has been audited yet."
		p.Sentence = p.Why
		return p, nil
	}
	// Populations that are all recorded as 0 weigh nothing: the audits
	// are weighed by their audited cases then, as when one is unknown.
	byPopulation := popKnown && total > 0
	method, why := poolable(p.Audits, byPopulation)
	p.Method, p.Why = PoolMethod(method), why
	if p.Method == "pooled" {
		iv, err := interval(opts.Method, p.Flagged, p.Audited, opts.Confidence)
		if err != nil {
			return nil, err
		}
		p.CIMethod = iv.Method
		p.Share, p.Lower, p.Upper = ptr(float64(p.Flagged)/float64(p.Audited)), ptr(iv.Lower), ptr(iv.Upper)
	} else {
		p.weighted(byPopulation)
	}
	p.Sentence = p.sentence()
	return p, nil
}

// definition describes an audit's population definition: its filters and
// its rule for leaving cases out.
func definition(r *Report) string {
	f := "no filters"
	if len(r.Filters) > 0 {
		fs := slices.Clone(r.Filters)
		slices.Sort(fs)
		f = "filters " + strings.Join(fs, " AND ")
	}
	if x := r.Provenance.Exclusion; x != nil && x.Within != "" {
		f += "; leaving out cases audited within " + x.Within
	}
	return f
}

// poolable decides whether the audits are one simple random sample.
func poolable(as []PooledAudit, popKnown bool) (method, why string) {
	var reasons []string
	for _, a := range as {
		if a.Stratified {
			reasons = append(reasons, fmt.Sprintf("%s was stratified", a.Audit))
		}
		if a.Definition != as[0].Definition {
			reasons = append(reasons, fmt.Sprintf("%s was drawn from a different population (%s, not %s)", a.Audit, a.Definition, as[0].Definition))
		}
	}
	if len(reasons) == 0 && popKnown {
		lo, hi := math.Inf(1), 0.0
		for _, a := range as {
			if a.Audited == 0 {
				continue
			}
			f := float64(a.Audited) / float64(*a.Population)
			lo, hi = math.Min(lo, f), math.Max(hi, f)
		}
		if hi > lo*1.1 {
			reasons = append(reasons, fmt.Sprintf("their sampling fractions differ (%s to %s of each population audited)", pct(lo, nearest), pct(hi, nearest)))
		}
	}
	if len(reasons) == 0 {
		return "pooled", "Every audit is a simple random sample of the same population definition at about the same sampling fraction, so the audited cases are pooled as one sample."
	}
	if !popKnown {
		return "weighted", "Not pooled: " + strings.Join(reasons, "; ") + ". An audit's population is not recorded, so each audit is weighted by its audited cases."
	}
	return "weighted", "Not pooled, as a sum would over-count some audits: " + strings.Join(reasons, "; ") + ". Each audit's share is weighted by its population."
}

// weighted sets the share weighted by population, Σ W_h p_h with W_h =
// N_h/N, and its interval by the normal approximation with variance
// Σ W_h² (1 − n_h/N_h) p_h(1 − p_h)/(n_h − 1) (each audit a stratum). When
// any audit's population is unknown (byPopulation false) every audit is
// weighted by its audited cases, with no finite-population correction: a
// population for some audits and a count of cases for others would weigh
// the first by thousands and the second by about a hundred. A population
// recorded below the cases audited from it (an export re-counted, a
// population typed by hand) is no population to correct for: that audit
// has no finite-population correction, so no negative variance or NaN
// reaches the report.
func (p *Pooled) weighted(byPopulation bool) {
	p.byAudited = !byPopulation
	weight := func(a PooledAudit) (w, fpc float64) {
		if byPopulation {
			if *a.Population < a.Audited {
				return float64(*a.Population), 1
			}
			return float64(*a.Population), 1 - float64(a.Audited)/float64(*a.Population)
		}
		return float64(a.Audited), 1
	}
	var share, variance, wsum float64
	for _, a := range p.Audits {
		if a.Audited > 0 {
			w, _ := weight(a)
			wsum += w
		}
	}
	for _, a := range p.Audits {
		if a.Audited == 0 {
			continue
		}
		w, fpc := weight(a)
		w /= wsum
		ph := float64(a.Flagged) / float64(a.Audited)
		share += w * ph
		if a.Audited > 1 {
			variance += w * w * fpc * ph * (1 - ph) / float64(a.Audited-1)
		}
	}
	z := normalQuantile(1 - (1-p.Confidence)/2)
	half := z * math.Sqrt(variance)
	p.CIMethod = "normal approximation (stratified, weighted by population)"
	if !byPopulation {
		p.CIMethod = "normal approximation (stratified, weighted by audited cases)"
	}
	p.Share, p.Lower, p.Upper = ptr(share), ptr(math.Max(0, share-half)), ptr(math.Min(1, share+half))
}

// normalQuantile is the standard normal quantile.
func normalQuantile(p float64) float64 { return math.Sqrt2 * math.Erfinv(2*p-1) }

func (p *Pooled) sentence() string {
	conf := confPct(p.Confidence)
	n := words.Count(len(p.Audits), "audit")
	var s string
	if p.Method == "pooled" {
		s = fmt.Sprintf("Over %s, %s of the %s audited cases (%s) needed immediate attention; with %s confidence between %s and %s of the cases of the period would (exact interval over the pooled sample).",
			n, thousands(p.Flagged), thousands(p.Audited), pctPtr(p.Share, nearest), conf, pctPtr(p.Lower, down), pctPtr(p.Upper, up))
	} else {
		by := "its population"
		if p.byAudited {
			by = "its audited cases"
		}
		s = fmt.Sprintf("Over %s, %s of %s audited cases needed immediate attention; weighting each audit by %s, the share is %s, with %s confidence between %s and %s (normal approximation).",
			n, thousands(p.Flagged), thousands(p.Audited), by, pctPtr(p.Share, nearest), conf, pctPtr(p.Lower, down), pctPtr(p.Upper, up))
		if p.Flagged < 10 {
			s += " With so few flagged the approximation is rough: read the interval as a guide."
		}
	}
	if len(p.Incomplete) > 0 {
		s += fmt.Sprintf(" Not every sampled case of %s is recorded yet: the figures may still move.", strings.Join(p.Incomplete, ", "))
	}
	return s
}

func pooledTable(p *Pooled) *tbl {
	t := &tbl{Header: []string{"Audit", "Period", "Population", "Audited", "Flagged", "Share", "Stratified", "Population definition"},
		Right: []bool{false, false, true, true, true, true, false, false}}
	for _, a := range p.Audits {
		pop := "—"
		if a.Population != nil {
			pop = thousands(*a.Population)
		}
		t.Rows = append(t.Rows, []string{a.Audit, a.Period, pop, thousands(a.Audited), thousands(a.Flagged), pctPtr(a.Share, nearest),
			yesNo(a.Stratified), a.Definition})
	}
	return t
}
