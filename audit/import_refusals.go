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
	// Others counts the rows that were not refused and would record
	// something (not those kept, nor those recorded already as they
	// stand): what leaving the refused rows out would import.
	Others int
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
// count of the rest. When one refusal refuses every row (the same person,
// rule and reason), it is said once, on the first line, and each row's
// line names only where it is (and who may record it, when that differs
// from case to case).
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
	one, sameWho := e.oneRefusal()
	keep := opt.Sprintf("to import the other %s, leave these out with %s %s", words.Count(e.Others, "row"), opt.Keep, strings.Join(cases, ",")).Spell(st)
	switch {
	case one != nil && (one.Reason == "" || e.Others == 0 || e.Unattended):
		// The person's role refuses her whatever the case, or no other
		// row holds a finding: keeping these rows out would import
		// nothing, so what is said is the rule and who may import them.
		fmt.Fprintf(&b, "%s (%s; nothing was imported):\n", opt.Spell(one, st), in)
	case one != nil:
		fmt.Fprintf(&b, "%s (%s; nothing was imported: %s):\n", opt.Spell(one, st), in, keep)
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
		switch {
		case one != nil && sameWho:
			fmt.Fprintf(&b, "  %s\n", r.where())
		case one != nil:
			var de *DutyError
			errors.As(r.Err, &de)
			fmt.Fprintf(&b, "  %s: %s\n", r.where(), de.Who)
		default:
			fmt.Fprintf(&b, "  %s: %s\n", r.where(), strings.TrimPrefix(opt.Spell(r.Err, st), "refused: "))
		}
	}
	return strings.TrimRight(b.String(), "\n")
}

// oneRefusal is the refusal of every row when one refuses them all: the
// same person, duty, rule and reason (the role alone, or one thing true of
// every case, such as their being allocated to someone else). Who may
// record them is kept in it when that is the same for every row too
// (sameWho); else it is left out, for each row to say. nil when the rows
// are refused for different reasons.
func (e *RowRefusals) oneRefusal() (one *DutyError, sameWho bool) {
	sameWho = true
	for _, r := range e.Rows {
		var de *DutyError
		if !errors.As(r.Err, &de) {
			return nil, false
		}
		if one == nil {
			c := *de
			one = &c
			continue
		}
		if de.Duty != one.Duty || de.Person.Login != one.Person.Login || de.Person.Name != one.Person.Name ||
			de.Rule != one.Rule || de.Reason != one.Reason || de.Guard != one.Guard {
			return nil, false
		}
		if de.Who != one.Who {
			sameWho = false
		}
	}
	if one != nil && !sameWho {
		one.Who = ""
	}
	return one, sameWho
}

// rowRefusal is the refusal of one row, when the write finds what the
// check before it did not (see RowRefusals).
func rowRefusal(err error, f *workbook.File, r *workbook.Row, unattended bool) error {
	return &RowRefusals{Rows: []RefusedRow{{File: f.Path, Sheet: f.Sheet, Row: r.Num, Case: r.ID, Err: err}}, Unattended: unattended}
}
