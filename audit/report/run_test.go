package report

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"slices"
	"testing"

	"github.com/caseaudit/caseaudit/audit"
)

func runFile(t *testing.T, name, body string) string {
	t.Helper()
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	return p
}

// The scheduled report stage: each returned file imported on its own, the
// previous month's audit compared with only when the store has it, and one
// outcome decided (a refused file outranks the limit).
func TestRunDecides(t *testing.T) {
	ctx := context.Background()
	const header = "#,Case ID,Team,Forename,Allocated Worker,Legal Status,Auditor,Grade,Immediate attention,Notes,Date audited\n"
	limit := func(v float64) *float64 { return &v }

	if _, err := Run(ctx, edgeStore(t, 10, 8, 2, 500), RunRequest{Audit: "2026-02 monthly"}); !errors.Is(err, audit.ErrNotFound) {
		t.Fatalf("a missing audit: %v", err)
	}
	for _, tc := range []struct {
		name     string
		files    map[string]string // name → body
		limit    *float64
		on       On
		outcome  RunOutcome
		value    float64
		imported []string
		failed   []string
		says     string // the failure above the limit
	}{
		// 2 of 8 audited cases flagged: 25%.
		{name: "no limit", outcome: RunOK},
		{name: "within", limit: limit(0.30), outcome: RunOK, value: 0.25},
		{name: "above", limit: limit(0.20), outcome: RunAboveLimit, value: 0.25,
			says: "edge: the share needing immediate attention, 25%, is above fail_above 20%"},
		{name: "exactly at the limit is within", limit: limit(0.25), outcome: RunOK, value: 0.25},
		// A ninth case recorded, flagged: 3 of 9.
		{name: "a file imported, then above", limit: limit(0.30), outcome: RunAboveLimit, value: 1.0 / 3,
			files:    map[string]string{"khan.csv": header + "9,E-00009,North,Ada,A. Khan,CIN,A. Khan,Inadequate,Yes,,2026-01-20\n"},
			imported: []string{"khan.csv"}, says: "edge: the share needing immediate attention, 33.33%, is above fail_above 30%"},
		// A refused file records nothing, and outranks the limit.
		{name: "a refused file", limit: limit(0.20), outcome: RunNotImported, value: 0.25,
			files:  map[string]string{"bad.csv": header + "9,E-00009,North,Ada,A. Khan,CIN,A. Khan,Splendid,Yes,,2026-01-20\n"},
			failed: []string{"bad.csv"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			st := edgeStore(t, 10, 8, 2, 500)
			req := RunRequest{Audit: "edge", Previous: "2025-12 monthly", Limit: tc.limit, On: tc.on, Options: fixedOptions()}
			var told []string
			req.Imported = func(p string, res *audit.ImportResult, err error) {
				if (err == nil) == (res == nil) {
					t.Errorf("%s: result %v and error %v", p, res, err)
				}
				told = append(told, filepath.Base(p))
			}
			for name, body := range tc.files {
				req.Files = append(req.Files, runFile(t, name, body))
			}
			res, err := Run(context.Background(), st, req)
			if err != nil {
				t.Fatal(err)
			}
			base := func(ps []string) (out []string) {
				for _, p := range ps {
					out = append(out, filepath.Base(p))
				}
				return out
			}
			if res.Outcome != tc.outcome || !slices.Equal(base(res.Imported), tc.imported) || !slices.Equal(base(res.Failed), tc.failed) {
				t.Errorf("outcome %d, imported %v, failed %v; want %d, %v, %v", res.Outcome, res.Imported, res.Failed, tc.outcome, tc.imported, tc.failed)
			}
			if len(told) != len(tc.files) {
				t.Errorf("told of %v", told)
			}
			if tc.limit != nil && (res.Value < tc.value-1e-12 || res.Value > tc.value+1e-12) {
				t.Errorf("value %v, want %v", res.Value, tc.value)
			}
			if res.Compare != "" || res.Report.Comparison != nil {
				t.Errorf("compared with %q, which is not in the store", res.Compare)
			}
			// The error the stage ends with: the files not imported
			// outrank the limit, whose verdict is then a warning.
			failure, warning := res.Failure()
			switch tc.outcome {
			case RunOK:
				if failure != nil || warning != nil {
					t.Errorf("within the limit: %v, %v", failure, warning)
				}
			case RunAboveLimit:
				if !errors.Is(failure, audit.ErrThreshold) || failure == nil || failure.Error() != tc.says || warning != nil {
					t.Errorf("above the limit: %v (want %q), %v", failure, tc.says, warning)
				}
			case RunNotImported:
				want := "1 of 1 filled workbook not imported (" + req.Files[0] + "): fix the rows listed above and run the report stage again"
				if failure == nil || errors.Is(failure, audit.ErrThreshold) || failure.Error() != want || !errors.Is(warning, audit.ErrThreshold) {
					t.Errorf("a refused file: %v (want %q), warning %v", failure, want, warning)
				}
			}
		})
	}
}

// Nothing audited: the limit cannot be judged, and says why.
func TestRunLimitUnchecked(t *testing.T) {
	st := edgeStore(t, 10, 0, 0, 500)
	l := 0.05
	res, err := Run(context.Background(), st, RunRequest{Audit: "edge", Limit: &l, Options: fixedOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Outcome != RunLimitUnchecked || !errors.Is(res.LimitErr, ErrNothingAudited) {
		t.Errorf("outcome %d, %v", res.Outcome, res.LimitErr)
	}
	failure, warning := res.Failure()
	if failure == nil || failure.Error() != `cannot check fail_above: audit "edge": no case has been audited yet` ||
		errors.Is(failure, audit.ErrThreshold) || warning != nil {
		t.Errorf("failure %v, warning %v", failure, warning)
	}
}

// The previous month's audit, when the store has it, is the comparison.
func TestRunComparesWithThePreviousMonth(t *testing.T) {
	st := edgeStore(t, 10, 8, 2, 500)
	ctx := context.Background()
	prev := fxAudit("2025-12", 500)
	if _, err := st.CreateAudit(ctx, prev, fxCases(10, "P")); err != nil {
		t.Fatal(err)
	}
	mustRecord(t, st, "2025-12", audit.Finding{Case: "P-00001", Auditor: "A. Khan", Grade: audit.Good})
	res, err := Run(ctx, st, RunRequest{Audit: "edge", Previous: "2025-12", Options: fixedOptions()})
	if err != nil {
		t.Fatal(err)
	}
	if res.Compare != "2025-12" || res.Report.Comparison == nil {
		t.Errorf("compare %q, comparison %v", res.Compare, res.Report.Comparison)
	}
	// The audit itself is never its own comparison.
	res, err = Run(ctx, st, RunRequest{Audit: "edge", Previous: "edge", Options: fixedOptions()})
	if err != nil || res.Compare != "" {
		t.Errorf("compared with itself: %q %v", res.Compare, err)
	}
}
