package audit

import (
	"errors"
	"strings"
	"testing"

	"github.com/caseaudit/caseaudit/audit/stats"
	"github.com/caseaudit/caseaudit/internal/opt"
)

// Sizes from /work/shared/reference/statistics.md (R 4.2, cross-checked
// with mpmath), and the model PlanSize picks when none is named.
func TestPlanSizeChoosesTheModel(t *testing.T) {
	for _, tc := range []struct {
		name   string
		req    PlanRequest
		method stats.SampleSizeMethod
		size   int
	}{
		{"population unknown: binomial", PlanRequest{Tolerable: "2.5%", Confidence: "95%"}, stats.Binomial, 119},
		{"confidence left out is 95%", PlanRequest{Tolerable: "0.025"}, stats.Binomial, 119},
		{"population known: hypergeometric", PlanRequest{Tolerable: "2.5%", Population: 3000}, stats.Hypergeometric, 117},
		{"binomial asked for with a known population", PlanRequest{Tolerable: "2.5%", Population: 3000, Method: stats.Binomial}, stats.Binomial, 119},
		{"poisson asked for", PlanRequest{Tolerable: "2.5%", Method: stats.Poisson}, stats.Poisson, 120},
		{"one flagged case allowed", PlanRequest{Tolerable: "5%", Expected: 1}, stats.Binomial, 93},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := PlanSize(tc.req)
			if err != nil {
				t.Fatal(err)
			}
			if p.Method != tc.method || p.Size != tc.size {
				t.Errorf("got %d cases (%s), want %d (%s)", p.Size, p.Method, tc.size, tc.method)
			}
			if err := tc.req.Check(); err != nil {
				t.Errorf("Check: %v", err)
			}
		})
	}
}

func TestPlanRequestMistakes(t *testing.T) {
	for _, tc := range []struct {
		name   string
		req    PlanRequest
		option opt.Name
		msg    string // as a library caller reads it
		flags  string // as the command line spells it
	}{
		{"no tolerable", PlanRequest{}, opt.Tolerable,
			"give plan.tolerable, the share you want to show is not exceeded (e.g. 2.5%)",
			"give --tolerable, the share you want to show is not exceeded (e.g. 2.5%)"},
		{"tolerable above 100%", PlanRequest{Tolerable: "150%"}, opt.Tolerable,
			`plan.tolerable "150%": give a rate below 100%`, `--tolerable "150%": give a rate below 100%`},
		{"bad confidence", PlanRequest{Tolerable: "5%", Confidence: "lots"}, opt.PlanConfidence,
			`plan.confidence "lots"`, `--confidence "lots"`},
		{"negative expected", PlanRequest{Tolerable: "5%", Expected: -1}, opt.Expected,
			"plan.expected must not be negative", "--expected must not be negative"},
		{"hypergeometric without a population", PlanRequest{Tolerable: "5%", Method: stats.Hypergeometric}, opt.PlanMethod,
			"plan.method hypergeometric needs population N", "--method hypergeometric needs --population N"},
		{"unknown model", PlanRequest{Tolerable: "5%", Method: "normal"}, opt.PlanMethod,
			`plan.method "normal": use binomial, poisson or hypergeometric`, `--method "normal": use binomial, poisson or hypergeometric`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := tc.req.Check()
			if err == nil {
				t.Fatal("no error")
			}
			if _, err2 := PlanSize(tc.req); err2 == nil || err2.Error() != err.Error() {
				t.Errorf("PlanSize and Check disagree: %v / %v", err2, err)
			}
			var oe *opt.Error
			if !errors.As(err, &oe) || oe.Option != tc.option {
				t.Errorf("option %v, want %s", oe, tc.option)
			}
			if got := err.Error(); !strings.HasPrefix(got, tc.msg) || strings.ContainsAny(got, "\ue000\ue001") {
				t.Errorf("Error() = %q, want %q…", got, tc.msg)
			}
			if got := opt.Spell(err, opt.Flags); !strings.HasPrefix(got, tc.flags) {
				t.Errorf("spelled as flags: %q, want %q…", got, tc.flags)
			}
		})
	}
}

// A plan no sample can meet says what to change, and is ErrInfeasible.
func TestPlanSizeInfeasible(t *testing.T) {
	// 2.5% of 50 cases is 2 (rounded up); allowing 5 can never show the
	// share is below it.
	_, err := PlanSize(PlanRequest{Tolerable: "2.5%", Expected: 5, Population: 50})
	if !errors.Is(err, stats.ErrInfeasible) {
		t.Fatalf("want ErrInfeasible, got %v", err)
	}
	want := "no sample can meet this plan: 2.5% of the 50 cases is 2 cases, no more than the 5 the plan allows the audit to find; allow fewer (--expected) or give a higher --tolerable"
	if got := opt.Spell(err, opt.Flags); got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if got := err.Error(); !strings.HasSuffix(got, "allow fewer (plan.expected) or give a higher plan.tolerable") {
		t.Errorf("Error() = %q", got)
	}
}

// The plan's sentence, as the plan command prints it, and when a plan asks
// for more cases than its population holds. The sizes are R's (see
// TestPlanSizeChoosesTheModel).
func TestPlanSentence(t *testing.T) {
	for _, tc := range []struct {
		req   PlanRequest
		want  string
		every bool
	}{
		{PlanRequest{Tolerable: "2.5%"},
			"Audit 119 cases chosen at random. If none of them needs immediate attention, you can say with 95% confidence that fewer than 2.5% of all cases do.", false},
		{PlanRequest{Tolerable: "5%", Expected: 1},
			"Audit 93 cases chosen at random. If at most 1 of them needs immediate attention, you can say with 95% confidence that fewer than 5% of all cases do.", false},
		{PlanRequest{Tolerable: "2.5%", Population: 3000},
			"Audit 117 cases chosen at random. If none of them needs immediate attention, you can say with 95% confidence that fewer than 2.5% of the 3,000 cases do.", false},
		{PlanRequest{Tolerable: "2.5%", Population: 100, Method: stats.Binomial},
			"Audit 119 cases chosen at random. If none of them needs immediate attention, you can say with 95% confidence that fewer than 2.5% of the 100 cases do.", true},
	} {
		p, err := PlanSize(tc.req)
		if err != nil {
			t.Fatal(err)
		}
		if got := p.Sentence(); got != tc.want {
			t.Errorf("%+v:\n got %s\nwant %s", tc.req, got, tc.want)
		}
		if p.AuditEveryCase() != tc.every {
			t.Errorf("%+v: audit every case %v", tc.req, p.AuditEveryCase())
		}
	}
}
