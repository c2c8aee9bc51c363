package report

import (
	"context"
	"sort"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Retired audits. An audit retired under the store's retention period
// leaves a sealed summary (see audit.RetiredSummary): its headline figures
// as its report stated them, without its findings. The trend shows it from
// those figures, marked retired (no grade mix, no focus areas), under the
// protective marking the summary keeps, and a report compares with it as
// with any other audit.

// addRetired puts the store's retired audits into the trend, in the order
// of the months audited.
func (t *Trend) addRetired(ctx context.Context, st *audit.Store, opts Options) error {
	rs, err := st.Retired(ctx)
	if err != nil || len(rs) == 0 {
		return err
	}
	for _, r := range rs {
		sum := r.Summary
		created, _ := time.Parse(time.RFC3339, sum.Created)
		p := TrendPoint{Audit: sum.Audit, Period: sum.Period, Created: created.UTC(), Sampled: sum.Size, Audited: sum.Figures.Size,
			Flagged: sum.Figures.Flagged, Grades: map[string]int{}, FocusAreas: []TrendFocus{}, Complete: true, SignedOff: true, Retired: true,
			marking: sum.Marking, markingUnknown: !r.MarkingKept}
		for _, g := range gradeNames() {
			p.Grades[g] = 0
		}
		if p.Audited > 0 {
			p.Share = ptr(float64(p.Flagged) / float64(p.Audited))
			iv, err := interval(opts.Method, p.Flagged, p.Audited, opts.Confidence)
			if err != nil {
				return err
			}
			p.Lower, p.Upper = ptr(iv.Lower), ptr(iv.Upper)
		}
		if sum.Amended {
			p.Amended = "retired with the figures as amended after its sign-off"
		}
		t.Audits = append(t.Audits, p)
	}
	key := func(p TrendPoint) string {
		if p.Period != "" {
			return p.Period
		}
		return p.Created.Format("2006-01")
	}
	sort.SliceStable(t.Audits, func(i, j int) bool { return key(t.Audits[i]) < key(t.Audits[j]) })
	return nil
}

// retiredIntro says which of a trend's audits are retired; "" when none.
func retiredIntro(ps []TrendPoint) string {
	var names []string
	for _, p := range ps {
		if p.Retired {
			names = append(names, p.Audit)
		}
	}
	if len(names) == 0 {
		return ""
	}
	return " " + strings.Join(names, ", ") + " " + words.Noun(len(names), "was", "were") +
		" retired under the store's retention period: " + words.Noun(len(names), "its", "their") +
		" figures are those " + words.Noun(len(names), "its", "their") + " sealed summary keeps, without grades or focus areas."
}

// RetiredMarkingUnknown names the retired audits among ps whose sealed
// summaries were made before summaries kept the audit's marking: a view
// showing them cannot carry their markings, and says so.
func RetiredMarkingUnknown(ps []TrendPoint) []string {
	var out []string
	for _, p := range ps {
		if p.Retired && p.markingUnknown {
			out = append(out, p.Audit)
		}
	}
	return out
}
