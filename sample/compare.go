package sample

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Comparison says how a recorded sample compares with the sample drawn
// again from an export (Rederive): whether the export is the recorded file,
// and exactly which cases differ.
type Comparison struct {
	// Export is the file compared (as given); SameExport: its SHA-256 is
	// the recorded one.
	Export         string `json:"export"`
	SameExport     bool   `json:"same_export"`
	RecordedSHA256 string `json:"recorded_sha256"`
	SHA256         string `json:"sha256"`
	// Cases is the number of recorded cases compared.
	Cases int `json:"cases"`
	// The population recorded and found again.
	RecordedPopulation int `json:"recorded_population"`
	Population         int `json:"population"`
	// Missing: recorded cases the re-derived sample does not hold, each
	// with the reason (gone from the export, filtered out, excluded, or
	// outranked by a case that was not there before).
	Missing []Difference `json:"missing"`
	// Added: re-derived cases that were not recorded.
	Added []Difference `json:"added"`
	// Moved: cases of the first draw at another place in selection order.
	Moved []Difference `json:"moved"`
	// Changed: recorded cases still drawn whose shown fields now differ in
	// the export (the sample may still re-derive; the case's details do not).
	Changed []FieldChange `json:"changed"`
	// Factors: recorded factor values (of the population, or of a recorded
	// case still drawn) that differ when measured again.
	Factors []FactorChange `json:"factors"`
}

// Difference is one case that differs.
type Difference struct {
	ID             string `json:"id"`
	RecordedOrder  int    `json:"recorded_order"`  // 0 when not recorded
	RederivedOrder int    `json:"rederived_order"` // 0 when not re-derived
	Why            string `json:"why"`
}

// FieldChange is a shown field of a sampled case that differs from the
// value recorded when the sample was drawn.
type FieldChange struct {
	ID       string `json:"id"`
	Column   string `json:"column"`
	Recorded string `json:"recorded"`
	Now      string `json:"now"`
}

// Normalise gives nil lists their empty values, so that JSON shows [] for
// "none" rather than null.
func (c *Comparison) Normalise() {
	if c.Missing == nil {
		c.Missing = []Difference{}
	}
	if c.Added == nil {
		c.Added = []Difference{}
	}
	if c.Moved == nil {
		c.Moved = []Difference{}
	}
	if c.Changed == nil {
		c.Changed = []FieldChange{}
	}
	if c.Factors == nil {
		c.Factors = []FactorChange{}
	}
}

// Identical reports whether the sample re-derives exactly: the same
// population size, the same cases, the first draw in the same order.
func (c *Comparison) Identical() bool {
	return len(c.Missing) == 0 && len(c.Added) == 0 && len(c.Moved) == 0 && c.Population == c.RecordedPopulation
}

// Holds reports whether the recorded sample holds in every respect: it
// re-derives identically and every sampled case's recorded fields are as
// the export has them now. (A copy of the export in the other format holds;
// an edited one does not.)
func (c *Comparison) Holds() bool { return c.Identical() && len(c.Changed) == 0 && len(c.Factors) == 0 }

// Problems lists the differences as sentences, at most max (0: all), the
// rest counted in a last line.
func (c *Comparison) Problems(max int) []string {
	var out []string
	if !c.SameExport && !c.Holds() {
		out = append(out, fmt.Sprintf("%s is not the recorded export (its SHA-256 %s differs from the recorded %s)", c.Export, short(c.SHA256), short(c.RecordedSHA256)))
	}
	if c.Population != c.RecordedPopulation {
		out = append(out, fmt.Sprintf("the population is %s cases when re-derived but %s were recorded",
			words.Thousands(c.Population), words.Thousands(c.RecordedPopulation)))
	}
	for _, d := range c.Missing {
		out = append(out, fmt.Sprintf("case %s (number %d of the recorded sample) is not re-derived: %s", d.ID, d.RecordedOrder, d.Why))
	}
	for _, d := range c.Added {
		out = append(out, fmt.Sprintf("case %s is re-derived (number %d) but was not recorded: %s", d.ID, d.RederivedOrder, d.Why))
	}
	for _, d := range c.Moved {
		out = append(out, fmt.Sprintf("case %s is number %d of the recorded sample but number %d when re-derived: the tickets changed order", d.ID, d.RecordedOrder, d.RederivedOrder))
	}
	// One line per case whose fields changed.
	for i := 0; i < len(c.Changed); {
		id := c.Changed[i].ID
		var parts []string
		for ; i < len(c.Changed) && c.Changed[i].ID == id; i++ {
			f := c.Changed[i]
			parts = append(parts, fmt.Sprintf("%s was %q when drawn and is %q now", f.Column, f.Recorded, f.Now))
		}
		out = append(out, fmt.Sprintf("case %s reads differently in the export: %s", id, strings.Join(parts, "; ")))
	}
	for _, f := range c.Factors {
		if f.ID == "" {
			out = append(out, fmt.Sprintf("the population's %s differ%s: recorded %s; now %s", f.Factor, agreeS(f.Factor), f.Recorded, f.Now))
		} else {
			out = append(out, fmt.Sprintf("case %s's %s was %s when drawn and is %s now", f.ID, f.Factor, f.Recorded, f.Now))
		}
	}
	if max > 0 && len(out) > max {
		n := len(out) - max
		out = append(out[:max], fmt.Sprintf("… and %s more", words.Count(n, "difference")))
	}
	return out
}

// agreeS is the verb's ending for a factor's name: "caseloads differ",
// "changes of worker differ", "timeliness differs", "the number of cases
// profiled differs".
func agreeS(factor string) string {
	if factor == "timeliness" || strings.HasPrefix(factor, "number of") {
		return "s"
	}
	return ""
}

func short(sum string) string {
	if len(sum) > 12 {
		return sum[:12] + "…"
	}
	return sum
}

// Compare compares recorded cases (in recorded order: the first draw of
// initial cases, then any growth) with a re-derived draw at the recorded
// sample's current size. columns names the recorded cases' Fields. When
// factors were recorded (p.Factors, whose Cases the caller extends with
// the values recorded for grown cases), the population's figures and the
// values of every recorded case still drawn are compared too.
func Compare(ctx context.Context, p *Provenance, recorded []Selected, columns []string, initial int, d *Drawn) *Comparison {
	c := &Comparison{Export: d.Provenance.Export.Path, SameExport: d.Provenance.Export.SHA256 == p.Export.SHA256,
		RecordedSHA256: p.Export.SHA256, SHA256: d.Provenance.Export.SHA256,
		RecordedPopulation: p.Counts.Population, Population: d.Population.Len(), Cases: len(recorded)}
	got := map[string]Selected{}
	for _, s := range d.Sample.Cases {
		got[s.ID] = s
	}
	was := map[string]Selected{}
	for _, r := range recorded {
		was[r.ID] = r
	}
	missing := map[string]bool{}
	for _, r := range recorded {
		if _, ok := got[r.ID]; !ok {
			missing[r.ID] = true
		}
	}
	if len(missing) > 0 {
		why := explain(ctx, p, d, missing)
		for _, r := range recorded {
			if missing[r.ID] {
				c.Missing = append(c.Missing, Difference{ID: r.ID, RecordedOrder: r.Order, Why: why[r.ID]})
			}
		}
	}
	gaps := map[string]int{} // recorded cases not re-derived, by stratum
	for _, m := range c.Missing {
		gaps[was[m.ID].Stratum]++
	}
	// Each stratum's share of the sample, recorded and re-derived, and the
	// last ticket recorded in it: a case ranking before that ticket would
	// have been drawn had it been there, so it is new (or newly meets the
	// filters); one ranking after it was there and moves up.
	recPer, nowPer, last := map[string]int{}, map[string]int{}, map[string]string{}
	for _, r := range recorded {
		recPer[r.Stratum]++
		if r.Ticket > last[r.Stratum] {
			last[r.Stratum] = r.Ticket
		}
	}
	for _, s := range d.Sample.Cases {
		nowPer[s.Stratum]++
	}
	inStratum := ""
	if p.Stratified() {
		inStratum = " of its stratum"
	}
	for _, s := range d.Sample.Cases {
		if _, ok := was[s.ID]; ok {
			continue
		}
		var why string
		switch {
		case s.Ticket < last[s.Stratum]:
			why = "it is new in the export, or its row now meets the filters (its ticket comes before recorded cases" + inStratum + ", so it would have been drawn)"
		case gaps[s.Stratum] > 0:
			gaps[s.Stratum]--
			why = "it was not drawn before and moves up into the sample in the place of a recorded case" + inStratum + " that is not re-derived"
		case nowPer[s.Stratum] > recPer[s.Stratum]:
			why = fmt.Sprintf("it was not drawn before and moves up into the sample: its stratum's share grew from %s to %s as the population changed",
				words.Count(recPer[s.Stratum], "case"), words.Thousands(nowPer[s.Stratum]))
		default:
			why = "it was not drawn before and moves up into the sample"
		}
		c.Added = append(c.Added, Difference{ID: s.ID, RederivedOrder: s.Order, Why: why})
	}
	for i, m := range c.Missing {
		st := was[m.ID].Stratum
		if p.Stratified() && strings.HasPrefix(m.Why, "a case with a smaller ticket") && nowPer[st] < recPer[st] {
			c.Missing[i].Why = fmt.Sprintf("its stratum's share of the sample fell from %s to %s as the population changed, and it ranks after them",
				words.Count(recPer[st], "case"), words.Thousands(nowPer[st]))
		}
	}
	// The first draw keeps its order: growth appends.
	first := d.Sample.Cases
	if initial < len(first) {
		if again, err := d.Population.Select(SelectOptions{Size: initial, Allocation: allocation(p), MinPerStratum: minPer(p)}); err == nil {
			first = again.Cases
		}
	}
	// Cases of the first draw found again must come in the same relative
	// order (a case missing or added shifts the others: not a move).
	var a, b []Selected
	inFirst := map[string]bool{}
	for _, f := range first {
		inFirst[f.ID] = true
	}
	for i := 0; i < min(initial, len(recorded)); i++ {
		if inFirst[recorded[i].ID] {
			a = append(a, recorded[i])
		}
	}
	wasFirst := map[string]bool{}
	for i := 0; i < min(initial, len(recorded)); i++ {
		wasFirst[recorded[i].ID] = true
	}
	for _, f := range first {
		if wasFirst[f.ID] {
			b = append(b, f)
		}
	}
	for i := range a {
		if i < len(b) && a[i].ID != b[i].ID {
			c.Moved = append(c.Moved, Difference{ID: a[i].ID, RecordedOrder: a[i].Order,
				RederivedOrder: b[slices.IndexFunc(b, func(s Selected) bool { return s.ID == a[i].ID })].Order})
		}
	}
	// Fields of the recorded cases that are drawn again.
	for _, r := range recorded {
		s, ok := got[r.ID]
		if !ok {
			continue
		}
		for i, col := range columns {
			j := colname.Match(d.Population.Fields, col)
			if j < 0 || i >= len(r.Fields) || j >= len(s.Fields) {
				continue
			}
			if r.Fields[i] != s.Fields[j] {
				c.Changed = append(c.Changed, FieldChange{ID: r.ID, Column: col, Recorded: r.Fields[i], Now: s.Fields[j]})
			}
		}
	}
	c.Factors = compareFactors(p.Factors, d.Provenance.Factors, recorded, got)
	return c
}

func allocation(p *Provenance) string {
	if p.Stratified() {
		return p.Strata.Allocation
	}
	return ""
}

func minPer(p *Provenance) int {
	if p.Stratified() {
		return p.Strata.MinPerStratum
	}
	return 0
}

// explain says why each of ids is not in the re-derived sample, reading
// the export's ID and filter columns once more (only when something
// differs): gone from the export, its first row filtered out, excluded, or
// drawn from but outranked.
func explain(ctx context.Context, p *Provenance, d *Drawn, ids map[string]bool) map[string]string {
	out := map[string]string{}
	t := d.Table
	cols := []int{t.IDIndex}
	var filters []Filter
	for _, w := range p.Filters {
		f, err := ParseFilter(w)
		if err != nil {
			continue
		}
		i, err := t.ColumnIndex(f.Column)
		if err != nil {
			continue
		}
		filters = append(filters, f)
		cols = append(cols, i)
	}
	excluded := p.ExcludedSet()
	err := t.Rows(ctx, cols, func(r export.Row) error {
		if r.Blank {
			return nil
		}
		id := export.CaseID(r.Cells[0])
		if !ids[id] {
			return nil
		}
		if _, seen := out[id]; seen {
			return nil // an ID is judged on its first row
		}
		w := "a case with a smaller ticket now comes first"
		if p.Stratified() {
			w += " in its stratum"
		}
		for i, f := range filters {
			if !f.Match(r.Cells[i+1]) {
				w = fmt.Sprintf("its row (%s) no longer meets the filter %s", words.Thousands(r.Num), f)
				break
			}
		}
		if excluded[id] && !strings.HasPrefix(w, "its row") {
			w = "it is excluded"
		}
		out[strings.Clone(id)] = w
		return nil
	})
	for id := range ids {
		if _, ok := out[id]; !ok {
			if err != nil {
				out[id] = "the export could not be read again to say why"
			} else {
				out[id] = "it is no longer in the export"
			}
		}
	}
	return out
}
