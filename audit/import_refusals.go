package audit

import (
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/caseaudit/caseaudit/audit/workbook"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/words"
)

// RefusedRow is a row of an import that the duties refuse: a finding the
// person importing may not record.
type RefusedRow struct {
	File  string
	Sheet string // "" for a .csv
	Row   int
	Case  string
	// Err is the refusal (errors.Is ErrDuty); a *DutyError names the rule
	// and who may record the row instead.
	Err error
}

// where is the row's place: the file, its sheet, the row and its case.
func (r RefusedRow) where() string {
	w := r.File
	if r.Sheet != "" {
		w += fmt.Sprintf(", sheet %q", r.Sheet)
	}
	return fmt.Sprintf("%s, row %d, case %s", w, r.Row, r.Case)
}

// RefusedShown is how many refused rows an import's refusal lists; the
// rest are counted (all of them are in Rows, for a caller's JSON).
const RefusedShown = 20

// RowRefusals refuses an import for the duties: every row of its files the
// person importing may not record, found before anything is written, so
// that one attempt names them all (nothing was imported). errors.Is
// ErrDuty. A person importing is told how to import the other rows: a
// refused row is no slip she can mend in the file, and --skip-invalid does
// not pass it; a scheduled run (Unattended), which names no case to keep,
// is not.
type RowRefusals struct {
	Rows       []RefusedRow
	Unattended bool
	Read       int // rows read from the files (0 when the write found the refusal)
}

// Is makes errors.Is(err, ErrDuty) true.
func (e *RowRefusals) Is(target error) bool { return target == ErrDuty }

// Unwrap is the first row's refusal, for errors.As to find its *DutyError.
func (e *RowRefusals) Unwrap() error {
	if len(e.Rows) == 0 {
		return nil
	}
	return e.Rows[0].Err
}

func (e *RowRefusals) Error() string { return e.Spell(opt.Keys) }

// Spell is the refusal as one line when one row is refused (the rule, then
// the row it names); else a line saying how many, then each row's place
// and refusal on a line of its own, the first RefusedShown of them and a
// count of the rest.
func (e *RowRefusals) Spell(st opt.Style) string {
	if len(e.Rows) == 1 {
		r := e.Rows[0]
		if e.Unattended {
			return opt.Spell(opt.Errorf("%w (%s; nothing was imported)", r.Err, r.where()), st)
		}
		return opt.Spell(opt.Errorf("%w (%s; nothing was imported: to import the other rows, clear this one or leave it out with %s %s)",
			r.Err, r.where(), opt.Keep, r.Case), st)
	}
	var files, cases []string
	for _, r := range e.Rows {
		if !slices.Contains(files, r.File) {
			files = append(files, r.File)
		}
		if !slices.Contains(cases, r.Case) {
			cases = append(cases, r.Case)
		}
	}
	var b strings.Builder
	in := words.Count(len(e.Rows), "row") + " of " + strings.Join(files, ", ")
	same := e.sameRefusal()
	switch {
	case same != "":
		// The person may not do this at all (her role, not the case,
		// refuses her): keeping rows out would import nothing, so the
		// rule and who may do it are said once, then where the rows are.
		fmt.Fprintf(&b, "%s (%s; nothing was imported):\n", opt.Spell(e.Rows[0].Err, st), in)
	case e.Unattended:
		fmt.Fprintf(&b, "refused: %s; nothing was imported:\n", in)
	default:
		b.WriteString(opt.Sprintf("refused: %s; nothing was imported: to import the other rows, clear these or leave them out with %s %s:\n",
			in, opt.Keep, strings.Join(cases, ",")).Spell(st))
	}
	for i, r := range e.Rows {
		if i == RefusedShown {
			n := len(e.Rows) - RefusedShown
			fmt.Fprintf(&b, "  and %s more refused %s\n", words.Thousands(n), words.Noun(n, "row"))
			break
		}
		if same != "" {
			fmt.Fprintf(&b, "  %s\n", r.where())
			continue
		}
		fmt.Fprintf(&b, "  %s: %s\n", r.where(), strings.TrimPrefix(opt.Spell(r.Err, st), "refused: "))
	}
	return strings.TrimRight(b.String(), "\n")
}

// sameRefusal is the refusal of every row when the duties refuse them all
// alike for the person's role, whatever the case; "" otherwise.
func (e *RowRefusals) sameRefusal() string {
	msg := ""
	for _, r := range e.Rows {
		var de *DutyError
		if !errors.As(r.Err, &de) || de.Reason != "" {
			return ""
		}
		if m := de.Error(); msg == "" {
			msg = m
		} else if m != msg {
			return ""
		}
	}
	return msg
}

// rowRefusal is the refusal of one row, when the write finds what the
// check before it did not (see RowRefusals).
func rowRefusal(err error, f *workbook.File, r *workbook.Row, unattended bool) error {
	return &RowRefusals{Rows: []RefusedRow{{File: f.Path, Sheet: f.Sheet, Row: r.Num, Case: r.ID, Err: err}}, Unattended: unattended}
}
