package report

import (
	"testing"

	"github.com/caseaudit/caseaudit/internal/opt"
)

// The intervals' and the limit's options are checked once for the report
// command and a scheduled run, spelled as each writes them.
func TestFigureRequest(t *testing.T) {
	f, err := FigureRequest{Confidence: "90%", Method: "Wilson", FailAbove: "5%", On: " Upper "}.Parse()
	if err != nil || f.Confidence != 0.9 || f.Method != "Wilson" || f.Limit == nil || *f.Limit != 0.05 || f.On != OnUpper {
		t.Errorf("%+v, %v", f, err)
	}
	f, err = FigureRequest{}.Parse()
	if err != nil || f.Confidence != 0.95 || f.Limit != nil || f.On != OnShare {
		t.Errorf("defaults: %+v, %v", f, err)
	}
	for _, tc := range []struct {
		req         FigureRequest
		option      opt.Name
		flags, keys string
	}{
		{FigureRequest{Method: "bayes"}, opt.Method, `--method "bayes": use clopper-pearson (exact) or wilson`, `method "bayes": use clopper-pearson (exact) or wilson`},
		{FigureRequest{FailAbove: "5%", On: "lower"}, opt.FailOn, `--on "lower": use share or upper`, `fail_on "lower": use share or upper`},
		{FigureRequest{On: "upper"}, opt.FailOn, "--on needs --fail-above", "fail_on needs fail_above"},
	} {
		_, err := tc.req.Parse()
		e, ok := opt.As(err)
		if !ok || e.Option != tc.option {
			t.Errorf("%+v: %v does not name %s", tc.req, err, tc.option)
		}
		if got := opt.Spell(err, opt.Flags); got != tc.flags {
			t.Errorf("%+v as flags: %q, want %q", tc.req, got, tc.flags)
		}
		if got := opt.Spell(err, opt.Keys); got != tc.keys {
			t.Errorf("%+v as keys: %q, want %q", tc.req, got, tc.keys)
		}
	}
	// Every mistake at once, in order; a bad rate names its option first.
	ps := FigureRequest{Confidence: "lots", Method: "x", FailAbove: "many", On: "x"}.Problems()
	want := []opt.Name{opt.Confidence, opt.Method, opt.FailOn, opt.FailAbove}
	if len(ps) != len(want) {
		t.Fatalf("%d problems, want %d: %v", len(ps), len(want), ps)
	}
	for i, w := range want {
		if e, ok := opt.As(ps[i]); !ok || e.Option != w {
			t.Errorf("problem %d (%v) does not name %s", i, ps[i], w)
		}
	}
	if got := opt.Spell(ps[0], opt.Flags); len(got) < 14 || got[:14] != `--confidence "` {
		t.Errorf("confidence as a flag: %q", got)
	}
}
