package report

import (
	"strconv"

	"github.com/caseaudit/caseaudit/sample"
	"github.com/xuri/excelize/v2"
)

// The trend beside the factors: each audit's caseload above the target
// (recorded with its sample) next to its share flagged. Audits without a
// caseload target recorded leave these figures out.

// setFactors fills the point's caseload figures from the factors recorded
// with the audit's sample.
func (p *TrendPoint) setFactors(f *sample.Factors) {
	if f == nil || f.Spec.CaseloadTarget <= 0 || f.Population.Caseload == nil {
		return
	}
	c := f.Population.Caseload
	p.CaseloadTarget = ptr(f.Spec.CaseloadTarget)
	if c.Workers > 0 {
		p.WorkersAboveTarget = ptr(float64(c.AboveTargetWorkers) / float64(c.Workers))
	}
	if c.Allocated > 0 {
		p.CasesAboveTarget = ptr(float64(c.AboveTargetCases) / float64(c.Allocated))
	}
}

// anyTarget reports whether any audit of a trend recorded a caseload target.
func anyTarget(ps []TrendPoint) bool {
	for _, p := range ps {
		if p.CaseloadTarget != nil {
			return true
		}
	}
	return false
}

// trendFactorColumn puts "Workers above caseload target" beside the
// interval of the share flagged (column 6), when any audit has it.
func trendFactorColumn(t *tbl, ps []TrendPoint) {
	if !anyTarget(ps) {
		return
	}
	const at = 6
	ins := func(s []string, v string) []string { return append(s[:at:at], append([]string{v}, s[at:]...)...) }
	t.Header = ins(t.Header, "Workers above caseload target")
	t.Right = append(t.Right[:at:at], append([]bool{true}, t.Right[at:]...)...)
	for i, p := range ps {
		v := "—"
		if p.CaseloadTarget != nil {
			v = pctPtr(p.WorkersAboveTarget, nearest) + " (target " + strconv.Itoa(*p.CaseloadTarget) + ")"
		}
		t.Rows[i] = ins(t.Rows[i], v)
	}
}

// trendFactorCSV are the trend's CSV columns for the factors, appended
// after the others when any audit has them (and none otherwise).
func trendFactorCSV(ps []TrendPoint) (header []string, cells func(p TrendPoint) []string) {
	if !anyTarget(ps) {
		return nil, func(TrendPoint) []string { return nil }
	}
	return []string{"caseload_target", "workers_above_target", "cases_above_target"}, func(p TrendPoint) []string {
		t := ""
		if p.CaseloadTarget != nil {
			t = inum(*p.CaseloadTarget)
		}
		return []string{t, fptr(p.WorkersAboveTarget), fptr(p.CasesAboveTarget)}
	}
}

// trendFactorsXLSX writes the factors' columns on the Trend sheet after its
// other columns (from column col), when any audit has them.
func (x *xw) trendFactorsXLSX(s string, ps []TrendPoint, col int) {
	if !anyTarget(ps) {
		return
	}
	for i, h := range []string{"Caseload target", "Workers above target", "Cases above target"} {
		x.set(s, col+i, 1, h)
		// Headed as the other columns: bold, wrapped, wide enough.
		if x.err == nil {
			cell, _ := excelize.CoordinatesToCellName(col+i, 1)
			name, _ := excelize.ColumnNumberToName(col + i)
			if x.err = x.f.SetCellStyle(s, cell, cell, x.boldRight); x.err == nil {
				x.err = x.f.SetColWidth(s, name, name, 11)
			}
		}
	}
	for i, p := range ps {
		var t any
		if p.CaseloadTarget != nil {
			t = *p.CaseloadTarget
		}
		x.set(s, col, i+2, t)
		x.set(s, col+1, i+2, pctCell{p.WorkersAboveTarget})
		x.set(s, col+2, i+2, pctCell{p.CasesAboveTarget})
	}
}
