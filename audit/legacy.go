package audit

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit/store"
	"github.com/caseaudit/caseaudit/sample"
	"github.com/caseaudit/caseaudit/sample/export"
)

// Audits recorded before schema version 2 kept how their sample was drawn
// in the audit row's columns and, for what those lacked, in the command
// line's own JSON ("params"). Their trail's first entry vouches for those
// columns, so they are kept as they are; the provenance is rebuilt from them
// when the audit is read.

// legacyAudit is the audit row of schema 1.
type legacyAudit struct {
	Seed          string
	InputPath     string
	InputSHA256   string
	Sheet         string
	HeaderRow     int
	DataRows      int
	Filters       []string
	StrataColumn  string
	Allocation    string
	MinPerStratum int
	Population    int
	ToolVersion   string
	Columns       []string
	Params        json.RawMessage
}

// legacyParams is what `caseaudit sample --audit` wrote in params before
// schema 2.
type legacyParams struct {
	IDColumn      string   `json:"id_column"`
	Delimiter     string   `json:"delimiter"`
	Encoding      string   `json:"encoding"`
	Percent       float64  `json:"percent"`
	Strict        bool     `json:"strict"`
	ExcludeWithin string   `json:"exclude_within"`
	Excluded      []string `json:"excluded"`
	OwnerRule
}

// legacyAuditJSON is a schema-1 audit as its trail's first entry holds it.
func legacyAuditJSON(a *Audit) map[string]any {
	l := a.legacy
	m := map[string]any{
		"name": a.Name, "created": store.FormatTime(a.Created), "seed": l.Seed,
		"input_path": l.InputPath, "input_sha256": l.InputSHA256, "sheet": l.Sheet,
		"header_row": l.HeaderRow, "data_rows": l.DataRows, "filters": nonNil(l.Filters),
		"strata_column": l.StrataColumn, "allocation": l.Allocation, "min_per_stratum": l.MinPerStratum,
		"initial_size": a.InitialSize, "population": l.Population, "tool_version": l.ToolVersion,
		"columns": nonNil(l.Columns), "params": l.Params,
	}
	if len(a.Form) > 0 {
		m["form"] = json.RawMessage(a.Form)
	} else {
		m["form"] = nil
	}
	return m
}

// fromLegacy fills the audit's provenance, follow-up rule and period from
// its schema-1 columns.
func (a *Audit) fromLegacy() error {
	l := a.legacy
	var p legacyParams
	if len(l.Params) > 0 {
		if err := json.Unmarshal(l.Params, &p); err != nil {
			return fmt.Errorf("audit %q: its recorded sample parameters are damaged: %w", a.Name, err)
		}
	}
	format := export.FormatCSV
	if l.Sheet != "" {
		format = export.FormatXLSX
	}
	pr := sample.Provenance{
		Schema: sample.ProvenanceSchema, ToolVersion: l.ToolVersion, Drawn: a.Created, Seed: l.Seed,
		Export: sample.Source{Path: l.InputPath, SHA256: l.InputSHA256, Format: format, Sheet: l.Sheet,
			HeaderRow: l.HeaderRow, IDColumn: p.IDColumn, Delimiter: p.Delimiter, Encoding: p.Encoding},
		Filters: nonNil(l.Filters), Size: a.InitialSize, Strict: p.Strict,
		Counts:  sample.Counts{Rows: l.DataRows, Excluded: len(p.Excluded), Population: l.Population},
		Partial: true, Columns: nonNil(l.Columns),
	}
	if p.Percent > 0 {
		pr.SizeRule = fmt.Sprintf("%g%% of the population, rounded up", p.Percent)
	}
	if l.StrataColumn != "" {
		alloc := l.Allocation
		if alloc == "" {
			alloc = sample.Proportional
		}
		pr.Strata = &sample.StrataRule{Column: l.StrataColumn, Allocation: alloc, MinPerStratum: l.MinPerStratum}
	}
	if p.ExcludeWithin != "" || len(p.Excluded) > 0 {
		rule := "sampled in an audit of the store"
		if p.ExcludeWithin != "" {
			rule += " within " + strings.TrimSpace(p.ExcludeWithin)
		}
		pr.Exclusion = &sample.Exclusion{Rule: rule, Within: p.ExcludeWithin, IDs: nonNil(p.Excluded)}
	}
	a.Provenance = pr
	a.FollowUp = p.OwnerRule
	if a.Period == "" {
		a.Period = a.Created.Format("2006-01")
	}
	return nil
}
