package report

import (
	"context"
	"encoding/json"
	"slices"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

// The trend and the calibration read the trails without their prose
// (audit.Store.WithoutProse): they must come to the very figures the whole
// entries give, form answers, corrections with their reasons, moderation and
// a trend by team included, while the report's own part still shows notes.
func TestTrendWithoutProseSameFigures(t *testing.T) {
	ctx := context.Background()
	st, _ := fixture(t)
	// A correction (with its reason) that changes a grade and a flag, and
	// a flagged case whose note says why.
	mustRecord(t, st, "2026-07", audit.Finding{Case: "CR26-00003", Auditor: fxWorkers[4%len(fxWorkers)], Grade: audit.Inadequate,
		Immediate: true, Note: "no plan on file", Reason: "second look at the file", Answers: fxAnswers(2)})
	for _, by := range []string{"", "Team"} {
		opts := fixedOptions()
		opts.By = by
		got, err := BuildTrend(ctx, st, opts)
		if err != nil {
			t.Fatal(err)
		}
		var want *Trend
		var wantCal *Calibration
		if err := st.Snapshot(ctx, func(st *audit.Store) error {
			if want, err = buildTrend(ctx, st, opts); err != nil {
				return err
			}
			wantCal, err = buildCalibration(ctx, st, nil, "")
			return err
		}); err != nil {
			t.Fatal(err)
		}
		gotCal, err := BuildCalibration(ctx, st, nil, "")
		if err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			what      string
			got, want any
		}{{"trend", got, want}, {"calibration", gotCal, wantCal}} {
			g, _ := json.Marshal(c.got)
			w, _ := json.Marshal(c.want)
			if string(g) != string(w) {
				t.Errorf("by %q: the %s without prose differs from the whole entries':\n%s\nwant\n%s", by, c.what, g, w)
			}
		}
		if len(got.Audits) != 2 || got.Audits[1].Flagged != 1 || len(got.Audits[1].FocusAreas) == 0 || gotCal.Pairs == 0 {
			t.Fatalf("the fixture's trend is not the one meant: %s", mustJSON(t, got))
		}
	}
	// The view really leaves the prose out, and the report around it still
	// shows it.
	if err := st.Snapshot(ctx, func(st *audit.Store) error {
		for _, v := range []struct {
			st        *audit.Store
			wantNotes bool
		}{{st.WithoutProse(), false}, {st, true}} {
			sums, err := v.st.AuditsWithFindings(ctx)
			if err != nil {
				return err
			}
			notes, answers := 0, 0
			for _, s := range sums {
				for _, f := range s.Findings {
					if f.Note != "" || f.Reason != "" {
						notes++
					}
					answers += len(f.Answers)
				}
			}
			if (notes > 0) != v.wantNotes || answers == 0 {
				t.Errorf("notes read %d (want some: %v), answers %d", notes, v.wantNotes, answers)
			}
		}
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	r, err := Build(ctx, st, "2026-07", fixedOptions())
	if err != nil {
		t.Fatal(err)
	}
	if !slices.ContainsFunc(r.Flags, func(c CaseRow) bool { return c.Note == "no plan on file" }) {
		t.Errorf("the report's flagged case lost its note: %+v", r.Flags)
	}
}

func mustJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}
