package report

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/audit"
	"github.com/caseaudit/caseaudit/internal/words"
)

// RunRequest is the report stage of a scheduled monthly audit: import the
// workbooks the auditors returned, report on the month, and judge it
// against the limit.
type RunRequest struct {
	Audit string // the month's audit; it must be in the store
	// Previous is the name the run gives the previous month's audit: the
	// report compares with it when the store has it, and with nothing
	// otherwise (not with whichever audit happens to be older).
	Previous string
	// Files are the returned workbooks, each imported on its own and all
	// or nothing: one refused file leaves the others recorded.
	Files  []string
	Import audit.ImportOptions
	// Imported, when set, is told about each file as it is imported (its
	// result, or why it was refused), in the order of Files.
	Imported func(path string, res *audit.ImportResult, err error)
	// Options build the report; Compare, NoCompare and Limit are set here.
	Options Options
	Limit   *float64 // nil: no limit
	On      On       // what the limit applies to; "" is OnShare
}

// RunOutcome is how a scheduled report stage ended, for an exit code.
type RunOutcome int

const (
	// RunOK: every file imported, and the month within its limit (or none).
	RunOK RunOutcome = iota
	// RunAboveLimit: the share flagged (or, on OnUpper, its upper bound)
	// is above the limit.
	RunAboveLimit
	// RunLimitUnchecked: the limit could not be judged (LimitErr says why,
	// e.g. nothing audited yet).
	RunLimitUnchecked
	// RunNotImported: a returned file was refused; its rows must be fixed
	// and the stage run again. It outranks the limit: the month's figures
	// are not final.
	RunNotImported
)

// RunResult is what a scheduled report stage did and decided.
type RunResult struct {
	Report   *Report
	Compare  string   // the audit compared with; "" for none
	Imported []string // the files recorded
	Failed   []string // the files refused
	// RowsRefused counts the files of Failed refused for problems in their
	// rows (an *audit.ImportError); the others could not be imported at
	// all (a busy store, an unreadable file), and their rows are not the
	// thing to fix.
	RowsRefused int
	// Value is the figure judged against the limit (the share, or its upper
	// bound); Exceeds whether it is above; LimitErr why it could not be
	// judged.
	Value    float64
	Exceeds  bool
	LimitErr error
	// Verdict is the month judged against the limit; nil without one.
	Verdict *Verdict
	Outcome RunOutcome
}

// Failure is the error a scheduled report stage ends with, decided here
// once for every face: nil when every file was imported and the month is
// within its limit (or has none); the limit's failure when it could not be
// judged (the first thing to fix) or, with every file imported, when the
// month is above it (audit.ErrThreshold); otherwise the files not imported,
// which outrank the limit: the month's figures are not final. Warning is
// the verdict of a month above its limit when refused files outrank it.
func (res *RunResult) Failure() (failure, warning error) {
	var verdict error
	if res.Verdict != nil {
		verdict = res.Verdict.Failure()
	}
	if res.Outcome != RunNotImported || res.LimitErr != nil {
		return verdict, nil
	}
	n := len(res.Failed) + len(res.Imported)
	if res.RowsRefused < len(res.Failed) {
		return fmt.Errorf("%d of %d filled %s not imported (%s): what stopped each is said above; deal with it and run the report stage again",
			len(res.Failed), n, words.Noun(n, "workbook"), strings.Join(res.Failed, ", ")), verdict
	}
	return fmt.Errorf("%d of %d filled %s not imported (%s): fix the rows listed above and run the report stage again",
		len(res.Failed), n, words.Noun(n, "workbook"), strings.Join(res.Failed, ", ")), verdict
}

// Run imports the returned files, builds the month's report and decides
// the outcome. A refused file is not an error (see RunResult.Failed); the
// month's audit missing from the store is (audit.ErrNotFound), as are the
// store's own failures and a cancelled ctx.
func Run(ctx context.Context, st *audit.Store, req RunRequest) (*RunResult, error) {
	if _, err := st.Audit(ctx, req.Audit); err != nil {
		return nil, err
	}
	res := &RunResult{}
	if req.Previous != "" && req.Previous != req.Audit {
		if _, err := st.Audit(ctx, req.Previous); err == nil {
			res.Compare = req.Previous
		}
	}
	for _, f := range req.Files {
		ir, err := audit.ImportFiles(ctx, st, req.Audit, []string{f}, req.Import)
		if ctx.Err() != nil {
			return nil, ctx.Err()
		}
		if req.Imported != nil {
			req.Imported(f, ir, err)
		}
		if err != nil {
			res.Failed = append(res.Failed, f)
			var ie *audit.ImportError
			if errors.As(err, &ie) {
				res.RowsRefused++
			}
		} else {
			res.Imported = append(res.Imported, f)
		}
	}
	o := req.Options
	o.Compare, o.NoCompare, o.Limit = res.Compare, res.Compare == "", req.Limit
	r, err := Build(ctx, st, req.Audit, o)
	if err != nil {
		return nil, err
	}
	res.Report = r
	if req.Limit != nil {
		v := r.Judge(*req.Limit, req.On)
		res.Verdict = &v
		res.Exceeds, res.Value, res.LimitErr = v.Exceeds, v.Value, v.Err
	}
	switch {
	case len(res.Failed) > 0:
		res.Outcome = RunNotImported
	case res.LimitErr != nil:
		res.Outcome = RunLimitUnchecked
	case res.Exceeds:
		res.Outcome = RunAboveLimit
	}
	return res, nil
}
