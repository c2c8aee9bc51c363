package sample

import (
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/words"
)

// ProvenanceSchema names the version of Provenance's JSON form. A store or
// a workbook holding a provenance says which schema it follows; readers
// refuse a schema they do not know rather than guess.
//
// The schema changes when a field is removed or changes meaning, or when a
// reader ignoring a new field would draw or re-derive a different sample.
// Factors was added under "caseaudit-provenance/1" for that reason: it is
// optional (absent when none were recorded, so every earlier provenance
// reads as before), it never decides which cases are drawn, and a
// caseaudit from before it, which ignores it, still re-derives and verifies
// the sample correctly — it only does not show or check the factors. (The
// store keeps the provenance's bytes as written, and the trail vouches for
// them, factors included, whichever caseaudit reads it.)
const ProvenanceSchema = "caseaudit-provenance/1"

// Provenance is how a sample was drawn: everything needed to re-derive it
// from the export and the seed, and the counts at every step. It is one
// value, made by Draw and stored as it is; the auditors' workbook (its
// Method sheet), `sample --format json`, reports and verify all render this
// value, and Rederive reads nothing else.
//
// Re-deriving needs only public inputs: the export file, Seed, and the
// fields below that decide the population (Export.IDColumn, Filters,
// Exclusion.IDs) and the selection (Strata, Size). See README, "Re-deriving
// a sample without caseaudit".
type Provenance struct {
	Schema      string    `json:"schema"`
	ToolVersion string    `json:"tool_version"`
	Drawn       time.Time `json:"drawn"` // UTC
	Seed        string    `json:"seed"`
	Export      Source    `json:"export"`
	// Filters are the conditions rows must meet, as Filter.String writes
	// them, combined with AND; each ID is judged on its first row.
	Filters []string    `json:"filters"`
	Strata  *StrataRule `json:"strata,omitempty"`
	// Size is the sample size drawn at first (a grown audit records its
	// growth elsewhere); SizeRule says how it was chosen when it was not
	// given as a number ("5% of the population").
	Size     int    `json:"size"`
	SizeRule string `json:"size_rule,omitempty"`
	// Strict: duplicate IDs were refused rather than skipped.
	Strict    bool       `json:"strict,omitempty"`
	Exclusion *Exclusion `json:"exclusion,omitempty"`
	Counts    Counts     `json:"counts"`
	// Partial: only Counts.Rows, Excluded and Population are known, and
	// Export.AbsPath is not (a sample recorded by an older caseaudit).
	Partial bool `json:"partial,omitempty"`
	// Columns are the export's columns kept with every sampled case, shown
	// in outputs (they do not affect which cases are drawn).
	Columns []string `json:"columns"`
	// Factors are the factors measured in the same read (caseloads,
	// changes of worker, timeliness), for the population and each sampled
	// case of the first draw; nil when none were asked for. They do not
	// affect which cases are drawn. See Factors.
	Factors *Factors `json:"factors,omitempty"`
	// ToolSHA256 is the SHA-256 (hex) of the caseaudit executable that
	// drew the sample (ToolVersion is its version): it identifies a build
	// that carries no version (go run) and matches a line of a release's
	// checksums.txt. It is absent from provenances written before it was
	// recorded and, like Factors, never decides which cases are drawn, so
	// the schema is unchanged.
	ToolSHA256 string `json:"tool_sha256,omitempty"`
}

// Source is the export a sample was drawn from, as it was read.
type Source struct {
	Path      string `json:"path"`     // as the user gave it
	AbsPath   string `json:"abs_path"` // absolute, on the machine that drew the sample
	SHA256    string `json:"sha256"`   // of the file's bytes, hex
	Format    string `json:"format"`   // "csv" or "xlsx"
	Sheet     string `json:"sheet,omitempty"`
	HeaderRow int    `json:"header_row"`
	IDColumn  string `json:"id_column"`
	// Delimiter and Encoding are the csv options given when drawing ("" when
	// detected); they apply only to the same file.
	Delimiter string `json:"delimiter,omitempty"`
	Encoding  string `json:"encoding,omitempty"`
}

// StrataRule says how the sample was shared among strata.
type StrataRule struct {
	Column        string    `json:"column"`
	Allocation    string    `json:"allocation"` // Proportional or Equal
	MinPerStratum int       `json:"min_per_stratum"`
	Strata        []Stratum `json:"strata"` // name order, with the sizes of the first draw
}

// Exclusion is the set of case IDs left out of the population before
// drawing, and the rule that chose them.
type Exclusion struct {
	// Rule says why, in words: "sampled in an audit of this store created
	// within 12 months (on or after 2025-07-01)".
	Rule string `json:"rule"`
	// Within is the period of the rule as given ("12m"), when it is one.
	Within string `json:"within,omitempty"`
	// IDs are the distinct IDs of the filtered population that were left
	// out, sorted: with the export and the seed, they re-derive the sample.
	IDs []string `json:"ids"`
}

// Counts are the population's numbers at every step, from the rows of the
// export to the cases drawn from.
type Counts struct {
	Rows        int `json:"rows"`           // data rows holding a case ID
	Blank       int `json:"blank_rows"`     // blank rows skipped
	Footers     int `json:"footer_rows"`    // totals and notes rows skipped
	Duplicates  int `json:"duplicate_rows"` // rows repeating an earlier row's ID (the first row counts)
	Distinct    int `json:"distinct_ids"`   // distinct IDs
	FilteredOut int `json:"filtered_out"`   // distinct IDs whose first row does not meet the filters
	Excluded    int `json:"excluded"`       // distinct IDs left out by the exclusion
	Population  int `json:"population"`     // distinct IDs drawn from
}

// Stratified reports whether the sample was stratified.
func (p *Provenance) Stratified() bool { return p.Strata != nil && p.Strata.Column != "" }

// StrataColumn is the column the sample was stratified by, "" when none.
func (p *Provenance) StrataColumn() string {
	if !p.Stratified() {
		return ""
	}
	return p.Strata.Column
}

// ExcludedSet returns the excluded IDs as a set (nil when none).
func (p *Provenance) ExcludedSet() map[string]bool {
	if p.Exclusion == nil || len(p.Exclusion.IDs) == 0 {
		return nil
	}
	m := make(map[string]bool, len(p.Exclusion.IDs))
	for _, id := range p.Exclusion.IDs {
		m[id] = true
	}
	return m
}

// JSON is the provenance's canonical JSON encoding (the stored form).
func (p *Provenance) JSON() ([]byte, error) { return json.Marshal(p) }

// ParseProvenance reads a provenance from its JSON, refusing a schema this
// build does not know.
func ParseProvenance(data []byte) (*Provenance, error) {
	var p Provenance
	if err := json.Unmarshal(data, &p); err != nil {
		return nil, fmt.Errorf("the sample's provenance is damaged: %w", err)
	}
	if p.Schema != ProvenanceSchema {
		return nil, fmt.Errorf("the sample's provenance has schema %q; this caseaudit reads %q: upgrade caseaudit", p.Schema, ProvenanceSchema)
	}
	p.normalise()
	return &p, nil
}

// normalise gives nil slices their empty values, so that JSON shows [] and
// a provenance read back equals the one written.
func (p *Provenance) normalise() {
	if p.Filters == nil {
		p.Filters = []string{}
	}
	if p.Columns == nil {
		p.Columns = []string{}
	}
	if p.Exclusion != nil && p.Exclusion.IDs == nil {
		p.Exclusion.IDs = []string{}
	}
	if p.Strata != nil && p.Strata.Strata == nil {
		p.Strata.Strata = []Stratum{}
	}
	p.Factors.normalise()
	p.Drawn = p.Drawn.UTC()
}

// Describe is the provenance as labelled lines for people (the workbook's
// Method sheet, reports): what was read, how the population was made, and
// how the sample was drawn. Long lists (excluded IDs) are counted, not
// listed: ExcludedIDs lists them.
func (p *Provenance) Describe() [][2]string {
	sheet := p.Export.Sheet
	if sheet == "" {
		sheet = "(csv)"
	}
	filters := "none"
	if len(p.Filters) > 0 {
		filters = strings.Join(p.Filters, " AND ")
	}
	strata := "none"
	if p.Stratified() {
		strata = fmt.Sprintf("%s, %s allocation", p.Strata.Column, p.Strata.Allocation)
		if p.Strata.MinPerStratum > 0 {
			strata += fmt.Sprintf(", at least %d per stratum", p.Strata.MinPerStratum)
		}
	}
	size := words.Thousands(p.Size)
	if p.SizeRule != "" {
		size += " (" + p.SizeRule + ")"
	}
	c := p.Counts
	out := [][2]string{
		{"Seed", p.Seed},
		{"Export file", p.Export.Path},
		{"Export file (full path)", p.Export.AbsPath},
		{"Export SHA-256", p.Export.SHA256},
		{"Format", p.Export.Format},
		{"Sheet", sheet},
		{"Header row", fmt.Sprint(p.Export.HeaderRow)},
		{"ID column", p.Export.IDColumn},
		{"Data rows", words.Thousands(c.Rows) + skippedNote(c)},
	}
	if !p.Partial {
		out = append(out, [2]string{"Distinct case IDs", words.Thousands(c.Distinct)})
	}
	out = append(out, [2]string{"Filters", filters})
	if !p.Partial && len(p.Filters) > 0 {
		out = append(out, [2]string{"After filters", words.Thousands(c.Distinct - c.FilteredOut)})
	}
	if p.Exclusion != nil {
		out = append(out, [2]string{"Excluded", fmt.Sprintf("%s: %s", words.Count(c.Excluded, "case"), p.Exclusion.Rule)})
	}
	out = append(out,
		[2]string{"Population (cases drawn from)", words.Thousands(c.Population)},
		[2]string{"Strata", strata},
		[2]string{"Sample size", size},
	)
	if p.Factors != nil {
		out = append(out, [2]string{"Factors recorded", p.Factors.Describe()})
	}
	out = append(out,
		[2]string{"Tool", "caseaudit " + p.ToolVersion},
	)
	if p.ToolSHA256 != "" {
		out = append(out, [2]string{"Tool SHA-256", p.ToolSHA256})
	}
	out = append(out, [2]string{"Drawn (UTC)", p.Drawn.UTC().Format("2006-01-02 15:04:05")})
	return out
}

func skippedNote(c Counts) string {
	var parts []string
	if c.Blank > 0 {
		parts = append(parts, words.Count(c.Blank, "blank row"))
	}
	if c.Footers > 0 {
		parts = append(parts, words.Count(c.Footers, "footer row"))
	}
	if c.Duplicates > 0 {
		parts = append(parts, words.Count(c.Duplicates, "duplicate ID row"))
	}
	if len(parts) == 0 {
		return ""
	}
	return " (skipped " + strings.Join(parts, ", ") + ")"
}

// RederiveText explains, for a non-specialist, how anyone can check the
// sample from the export and this provenance, without caseaudit.
func (p *Provenance) RederiveText() string {
	var b strings.Builder
	b.WriteString("The sample depends only on the seed and the set of case IDs, not on row order or software " +
		"(Rivest's consistent sampler, as used in election audits). Take the distinct case IDs of the export's ID column " +
		"(trimmed; each ID judged on its first row)")
	if len(p.Filters) > 0 {
		b.WriteString(", keep those whose row meets the filters")
	}
	if p.Exclusion != nil && len(p.Exclusion.IDs) > 0 {
		b.WriteString(", and leave out the excluded IDs (listed in full with the sample)")
	}
	b.WriteString(". For each ID: S = SHA-256 of the seed, written as 64 lowercase hex characters; H = SHA-256 of S followed by " +
		"the ID, read as a whole number; the ticket is \"0.\" followed by the decimal digits of H (padded to 64) in reverse order. " +
		"Sort by ticket (then ID) and take the first cases")
	if p.Stratified() {
		b.WriteString(", within each stratum as many as its allocation says")
	}
	b.WriteString(". With the same export file (check its SHA-256), caseaudit verify does this for a recorded audit.")
	return b.String()
}
