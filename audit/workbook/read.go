package workbook

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/caseaudit/caseaudit/audit/form"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
	"github.com/caseaudit/caseaudit/sample/export"
	"github.com/xuri/excelize/v2"
)

// The auditors' workbook (written by sample --out or caseaudit workbook,
// perhaps re-saved by Excel or LibreOffice, or saved as csv): sheet
// "Sample", a header row holding "#", "Case ID", the shown columns, then
// "Auditor" ("Moderator" in a moderators' workbook), one column per form
// question, "Grade", "Immediate attention", "Notes" and "Date audited".
// Columns are found by header name, so their order does not matter. The
// Method sheet, when the file has one, says which audit the workbook is
// for and whether it is an auditors' or a moderators' workbook.
// The column names are those of workbook.go (ColCaseID, ColAuditor, …).

// Date orders for dates written with slashes (ReadOptions.DateOrder).
const (
	DateDMY = "dmy" // 07/10/2026 is 7 October 2026 (as in UK exports)
	DateMDY = "mdy" // 07/10/2026 is July 10, 2026
)

// Problem is one invalid row (or header) of an imported workbook.
type Problem struct {
	File   string // the workbook's path, as given
	Sheet  string // "" for csv
	Row    int    // 1-based row number as the spreadsheet shows it
	Column string // header name; "" when the whole row is at fault
	Case   string // case ID on the row, when known
	Msg    string

	text opt.Text // Msg with the options it names as data (WithText)
}

// WithText is the problem with its message set to a text that names
// options, kept as data so that a face spells them its way (Spell).
func (p Problem) WithText(t opt.Text) Problem {
	p.Msg, p.text = t.String(), t
	return p
}

func (p Problem) String() string { return p.message(p.Msg) }

// Spell is the problem with the options it names spelled as st spells them.
func (p Problem) Spell(st opt.Style) string {
	if !p.text.IsZero() && p.text.String() == p.Msg {
		return p.message(p.text.Spell(st))
	}
	return p.message(p.Msg)
}

// Text is the problem's message alone (without where it is), with the
// options it names spelled as st spells them.
func (p Problem) Text(st opt.Style) string {
	if !p.text.IsZero() && p.text.String() == p.Msg {
		return p.text.Spell(st)
	}
	return p.Msg
}

func (p Problem) message(msg string) string {
	var b strings.Builder
	if p.Sheet != "" {
		fmt.Fprintf(&b, "sheet %q, ", p.Sheet)
	}
	fmt.Fprintf(&b, "row %s", words.Thousands(p.Row))
	if p.Column != "" {
		fmt.Fprintf(&b, ", column %s", p.Column)
	}
	b.WriteString(": ")
	b.WriteString(msg)
	return b.String()
}

// ImportError lists every problem found in the workbooks; nothing was
// imported.
type ImportError struct {
	Path     string // the (first) workbook's path
	Problems []Problem
	// Differing are the cases whose rows would change a recorded finding
	// and were not named to be corrected (among Problems), in file order.
	Differing []string
	// Read is how many rows were read from the files (0 when a file could
	// not be read through).
	Read int
}

func (e *ImportError) Error() string { return e.Spell(opt.Keys) }

// Spell is the message with the options it names spelled as st spells them.
func (e *ImportError) Spell(st opt.Style) string {
	if len(e.Problems) == 1 {
		return fmt.Sprintf("%s: %s; nothing was imported", e.Problems[0].File, e.Problems[0].Spell(st))
	}
	return fmt.Sprintf("%s: %d problems, nothing was imported; the first: %s", e.Problems[0].File, len(e.Problems), e.Problems[0].Spell(st))
}

// ImportedFile says how one file was read.
type ImportedFile struct {
	Path string
	// Moderation: the rows were recorded as moderation findings; ByMethod:
	// because the workbook's Method sheet says it is a moderators'
	// workbook (not because of ImportOptions.Moderation).
	Moderation, ByMethod bool
	// DateOrder is how dates written with slashes were read, and DateBy why:
	// "the file" (a day above 12 decided, e.g. DateEvidence), "the option",
	// or "the default" (day first; no date in the file tells).
	DateOrder, DateBy, DateEvidence string
	// Ambiguous counts the dates with slashes that either order reads.
	Ambiguous int
	// BlankModerator counts the rows with a finding whose Moderator cell
	// was blank and was read as ReadOptions.Moderator, named in Moderator.
	BlankModerator int
	Moderator      string
}

// Finding is what a row of a workbook says of its case.
type Finding struct {
	Auditor   string // the auditor's (or moderator's) name
	Grade     form.Grade
	Immediate bool
	Note      string
	Answers   map[string]string // the form's answers by question key; nil when none
	Date      string            // date audited, yyyy-mm-dd; "" when not given
}

// Row is one data row of a workbook, parsed.
type Row struct {
	File *File
	Num  int    // 1-based row number as the spreadsheet shows it
	ID   string // the case ID
	// Order is the row's "#", the case's position in the sample, when the
	// workbook has that column and the cell holds a whole number; else 0.
	Order    int
	Finding  Finding
	DateText string // the date audited as written
	// Empty: the row holds no finding (no grade and no immediate
	// attention).
	Empty    bool
	Problems []Problem
}

// File is one workbook read.
type File struct {
	ImportedFile
	Sheet string
	Rows  []Row
	Audit string // the audit its Method sheet names, "" when none
	// Who is the header of the column naming each row's auditor (or
	// moderator), as the file spells it.
	Who string
	// Made is when caseaudit wrote the workbook, as its Method sheet says
	// (Issued, else the sample's Drawn for a workbook written at
	// sampling); zero when the file does not say (csv, or no Method sheet).
	Made time.Time
}

// ReadOptions say how to read a workbook.
type ReadOptions struct {
	// Moderation reads the rows as moderation findings; a moderators'
	// workbook (its Method sheet or its Moderator column says so) is read
	// so without it, and an auditors' workbook is refused with it.
	Moderation bool
	// DateOrder reads dates written with slashes day first (DateDMY) or
	// month first (DateMDY) when the file's own dates do not tell.
	DateOrder string
	// Moderator is the name a blank Moderator cell of a moderators'
	// workbook is read as: the importing person's, when the store's people
	// list says she moderates, as record --moderation records under it.
	// "" leaves a blank cell a problem of its row, as it is for an
	// auditors' workbook always: without a list no one vouches for the name.
	Moderator string
}

// SuggestIDs returns the sampled IDs close to id worth suggesting: not
// those differing from it only in digits at the same places (CR-0001234
// for CR-0001235 is another case, not a typing slip).
func SuggestIDs(id string, ids []string) []string {
	var out []string
	for _, s := range textdist.Closest(id, ids, 3) {
		if !digitNear(id, s) {
			out = append(out, s)
		}
	}
	return out
}

// digitNear reports whether a and b have the same length and differ only
// where both hold digits.
func digitNear(a, b string) bool {
	ra, rb := []rune(strings.ToUpper(strings.TrimSpace(a))), []rune(strings.ToUpper(b))
	if len(ra) != len(rb) {
		return false
	}
	for i := range ra {
		if ra[i] != rb[i] && !(isDigit(ra[i]) && isDigit(rb[i])) {
			return false
		}
	}
	return true
}

func isDigit(r rune) bool { return r >= '0' && r <= '9' }

// DescribeDiff names each field in which a row's finding differs from an
// earlier one (recorded, or on another row), with both values: "Grade:
// Good, this row Inadequate".
func DescribeDiff(prev Finding, r *Row, recorded bool) opt.Text {
	cur := r.Finding
	was := "recorded"
	if !recorded {
		was = "there"
	}
	var parts []opt.Text
	q := func(s string) string {
		if s == "" {
			return "blank"
		}
		return strconv.Quote(s)
	}
	field := func(name, a, b string) {
		if a != b {
			parts = append(parts, opt.Plain(fmt.Sprintf("%s %s %s, this row %s", name, was, q(a), q(b))))
		}
	}
	who := ColAuditor // the column the row's name was read from
	if r.File != nil && r.File.Who != "" {
		who = r.File.Who
	}
	field(who, prev.Auditor, cur.Auditor)
	field(ColGrade, prev.Grade.String(), cur.Grade.String())
	field(ColImmediate, yesNo(prev.Immediate), yesNo(cur.Immediate))
	field(ColNotes, prev.Note, cur.Note)
	if prev.Date != cur.Date {
		n := len(parts)
		field(ColDate, prev.Date, cur.Date)
		if f := r.File; f != nil && isSlashDate(r.DateText) {
			order := "day first"
			if f.DateOrder == DateMDY {
				order = "month first"
			}
			read := fmt.Sprintf(" (read %s from %q", order, r.DateText)
			if alt, ok := parseDateIn(r.DateText, otherOrder(f.DateOrder)); ok && alt == prev.Date {
				parts[n] = opt.Sprintf("%s%s; read %s it is the date recorded: give %s %s)", parts[n], read,
					map[string]string{DateDMY: "month first", DateMDY: "day first"}[f.DateOrder], opt.DateOrder, otherOrder(f.DateOrder))
			} else {
				parts[n] = opt.Sprintf("%s%s)", parts[n], read)
			}
		}
	}
	keys := map[string]bool{}
	for k := range prev.Answers {
		keys[k] = true
	}
	for k := range cur.Answers {
		keys[k] = true
	}
	var ks []string
	for k := range keys {
		ks = append(ks, k)
	}
	slices.Sort(ks)
	for _, k := range ks {
		field(k, prev.Answers[k], cur.Answers[k])
	}
	if len(parts) == 0 {
		return opt.Plain("the same finding")
	}
	args := make([]any, len(parts))
	for i, p := range parts {
		args[i] = p
	}
	return opt.Sprintf(strings.TrimSuffix(strings.Repeat("%s; ", len(parts)), "; "), args...)
}

func yesNo(b bool) string {
	if b {
		return "Yes"
	}
	return "No"
}

// methodUnzipLimit bounds what readMethod lets excelize inflate; a
// returned workbook holds at most a few thousand rows.
const methodUnzipLimit = 256 << 20

// readMethod reads the Method sheet of an xlsx workbook: its rows as label
// → value; nil for csv or a workbook without one.
func readMethod(path string) map[string]string {
	switch strings.ToLower(filepath.Ext(path)) {
	case ".xlsx", ".xlsm":
	default:
		return nil
	}
	// A caseaudit workbook is small. Without these limits excelize would
	// inflate every part of a hostile file (gigabytes) before the export
	// reader, which reads the Sample sheet next, could refuse it as a zip bomb.
	f, err := excelize.OpenFile(path, excelize.Options{UnzipSizeLimit: methodUnzipLimit, UnzipXMLSizeLimit: methodUnzipLimit})
	if err != nil {
		return nil
	}
	defer f.Close()
	if i, err := f.GetSheetIndex(SheetMethod); err != nil || i < 0 {
		return nil
	}
	rows, err := f.GetRows(SheetMethod)
	if err != nil {
		return nil
	}
	out := map[string]string{}
	for _, r := range rows {
		if len(r) >= 2 && strings.TrimSpace(r[0]) != "" {
			if _, ok := out[strings.TrimSpace(r[0])]; !ok {
				out[strings.TrimSpace(r[0])] = strings.TrimSpace(r[1])
			}
		}
	}
	return out
}

// madeAt is when a workbook was written, from its Method sheet's rows:
// Issued (a workbook written for a recorded audit), else Drawn (one written
// as the sample was drawn); zero when neither reads as a time.
func madeAt(method map[string]string) time.Time {
	if t, err := time.Parse("2006-01-02 15:04 UTC", method["Issued"]); err == nil {
		return t
	}
	if t, err := time.Parse("2006-01-02 15:04:05", method["Drawn (UTC)"]); err == nil {
		return t
	}
	return time.Time{}
}

// Read reads and parses every row of a workbook; the audit's form (nil
// when none) says which answer columns to expect. Whether each row's case
// and finding fit the audit is the caller's to check.
func Read(ctx context.Context, path string, fm *form.Form, opts ReadOptions) (*File, error) {
	file := &File{ImportedFile: ImportedFile{Path: path, Moderation: opts.Moderation}}
	method := readMethod(path)
	file.Audit = method["Audit"]
	file.Made = madeAt(method)
	switch method["Workbook"] {
	case WorkbookModeration:
		if !opts.Moderation {
			file.Moderation, file.ByMethod = true, true
		}
	case WorkbookAuditors:
		if opts.Moderation {
			return nil, opt.Errorf("%s is an auditors' workbook (its Method sheet says so), not a moderators' one: import it without %s", path, opt.Moderation)
		}
	}
	// Raw: a date written 07/10/2026 is read as written, and its order of
	// day and month decided by the file's other dates (decideDateOrder).
	oo := export.OpenOptions{IDColumn: ColCaseID, Raw: true}
	sheets, err := export.Sheets(path, export.OpenOptions{})
	if err != nil {
		return nil, err
	}
	if sheets != nil { // a workbook, not csv
		oo.Sheet = SheetSample
	}
	t, err := export.Open(ctx, path, oo)
	if err != nil {
		// Import names no ID column nor sheet: a hint to give one
		// (--id-column, --sheet) would name a flag import does not have.
		// A file without "Case ID", or without a Sample sheet, is most
		// often the export itself, given instead of the filled-in
		// workbook.
		var ie *export.InputError
		if errors.As(err, &ie) && (strings.HasPrefix(ie.Msg, "no column ") || strings.HasPrefix(ie.Msg, "no sheet ")) {
			ie.WithHint(opt.Sprintf("this is not a workbook written by caseaudit (sample --out, workbook, moderate --out); import the filled-in workbook, not the export"))
		}
		return nil, err
	}
	defer t.Close()
	file.Sheet = t.Sheet
	need := func(name string) (int, error) {
		i, err := t.ColumnIndex(name)
		if err != nil {
			return -1, fmt.Errorf("%w; the workbook must be one written by caseaudit (sample --out, workbook, moderate --out)", err)
		}
		return i, nil
	}
	colAuditor, err := t.ColumnIndex(ColAuditor)
	if err != nil {
		// A moderators' workbook names the moderator.
		if i, merr := t.ColumnIndex(ColModerator); merr == nil {
			colAuditor = i
			if !file.Moderation && method == nil {
				file.Moderation, file.ByMethod = true, true
			}
		} else if _, err = need(ColAuditor); err != nil {
			return nil, err
		}
	}
	file.Who = t.Header[colAuditor]
	colGrade, err := need(ColGrade)
	if err != nil {
		return nil, err
	}
	colImm, err := need(ColImmediate)
	if err != nil {
		return nil, err
	}
	colNotes, _ := t.ColumnIndex(ColNotes)
	colDate, _ := t.ColumnIndex(ColDate)
	colOrder, err := t.ColumnIndex(ColOrder)
	if err != nil {
		colOrder = -1 // optional: it only helps name a mistyped case ID
	}
	// Form answers: one column per question, found by its label (or key).
	var answerCols []int
	var answerQs []*form.Question
	var formProbs []Problem
	if fm != nil {
		known := []int{t.IDIndex, colAuditor, colGrade, colImm, colNotes, colDate, colOrder}
		for qi := range fm.Questions {
			q := &fm.Questions[qi]
			col := -1
			for i, h := range t.Header {
				if !slices.Contains(known, i) && (form.FoldLabel(h) == form.FoldLabel(q.Label) || form.FoldLabel(h) == q.Key) {
					col = i
					break
				}
			}
			if col < 0 {
				if q.Required && !file.Moderation {
					formProbs = append(formProbs, Problem{File: path, Sheet: t.Sheet, Row: t.HeaderRow, Column: q.Label,
						Msg: fmt.Sprintf("the column %q (question %s of the audit's form) is missing and the question needs an answer; use a workbook written by caseaudit", q.Label, q.Key)})
				}
				continue
			}
			answerCols = append(answerCols, col)
			answerQs = append(answerQs, q)
		}
	}
	if len(formProbs) > 0 {
		return nil, &ImportError{Path: path, Problems: formProbs}
	}
	cols := []int{t.IDIndex, colAuditor, colGrade, colImm, colNotes, colDate}
	cols = append(cols, answerCols...)
	cols = append(cols, colOrder) // last: cell(len(cols)-1)
	for i, c := range cols {
		if c < 0 {
			cols[i] = len(t.Header) + 1000 // absent: reads as ""
		}
	}
	sheet := t.Sheet
	err = t.Rows(ctx, cols, func(row export.Row) error {
		if row.Blank {
			return nil
		}
		cell := func(i int) string { return strings.TrimSpace(row.Cells[i]) }
		r := Row{File: file, Num: row.Num, ID: cell(0)}
		if n, err := strconv.Atoi(cell(len(cols) - 1)); err == nil && n > 0 {
			r.Order = n
		}
		prob := func(col, msg string) {
			r.Problems = append(r.Problems, Problem{File: path, Sheet: sheet, Row: row.Num, Column: col, Case: r.ID, Msg: msg})
		}
		auditor, gradeText, immText, note, dateText := cell(1), cell(2), cell(3), cell(4), cell(5)
		var answers map[string]string
		var badAnswers []Problem
		for j, q := range answerQs {
			v := cell(6 + j)
			if v == "" {
				continue
			}
			a, err := q.Answer(v)
			if err == nil && strings.IndexByte(a, 0) >= 0 {
				err = errNUL
			}
			if err != nil {
				badAnswers = append(badAnswers, Problem{File: path, Sheet: sheet, Row: row.Num, Column: t.Header[answerCols[j]], Case: r.ID, Msg: err.Error()})
				continue
			}
			if answers == nil {
				answers = map[string]string{}
			}
			answers[q.Key] = a
		}
		if gradeText == "" && immText == "" {
			r.Empty = true
			r.DateText = dateText // its order tells how the file writes dates (decideDateOrder)
			if r.ID == "" && auditor == "" && note == "" && dateText == "" && answers == nil && badAnswers == nil {
				return nil // nothing on the row that matters (e.g. a totals or spacer row)
			}
			file.Rows = append(file.Rows, r)
			return nil
		}
		r.Problems = append(r.Problems, badAnswers...)
		// A NUL is said of its row and column here rather than by the
		// store about the whole import (see errNUL).
		for _, c := range []struct{ col, text string }{{ColNotes, note}, {file.Who, auditor}} {
			if strings.IndexByte(c.text, 0) >= 0 {
				prob(c.col, errNUL.Error())
			}
		}
		if fm != nil && !file.Moderation {
			for j, q := range answerQs {
				if _, ok := answers[q.Key]; q.Required && !ok && cell(6+j) == "" {
					prob(t.Header[answerCols[j]], fmt.Sprintf("%q needs an answer: %s", q.Label, q.Describe()))
				}
			}
		}
		if r.ID == "" {
			prob(ColCaseID, "the row has a finding but no case ID")
		}
		g, err := form.ParseGrade(gradeText)
		switch {
		case gradeText == "":
			prob(ColGrade, "immediate attention is given but no grade; give Outstanding, Good, Requires improvement or Inadequate")
		case err != nil:
			prob(ColGrade, err.Error())
		}
		imm, err := form.ParseYesNo(immText)
		switch {
		case immText == "":
			prob(ColImmediate, "a grade is given but not whether the case needs immediate attention; give Yes or No")
		case err != nil:
			prob(ColImmediate, err.Error())
		}
		switch {
		case auditor == "" && file.Moderation && opts.Moderator != "":
			auditor = opts.Moderator
			file.BlankModerator++
			file.ImportedFile.Moderator = opts.Moderator
		case auditor == "" && file.Moderation:
			prob(t.Header[cols[1]], "a finding needs the moderator's name: write it in the cell (a moderator on the store's people list who imports her own workbook may leave it blank)")
		case auditor == "":
			prob(t.Header[cols[1]], "a finding needs the auditor's name")
		}
		r.DateText = dateText
		r.Finding = Finding{Auditor: auditor, Grade: g, Immediate: imm, Note: note, Answers: answers}
		file.Rows = append(file.Rows, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	file.decideDateOrder(opts.DateOrder)
	for i := range file.Rows {
		r := &file.Rows[i]
		if r.Empty {
			continue
		}
		date, ok := parseDateIn(r.DateText, file.DateOrder)
		if !ok && !slices.ContainsFunc(r.Problems, func(p Problem) bool { return p.Column == ColDate }) {
			r.Problems = append(r.Problems, Problem{File: path, Sheet: sheet, Row: r.Num, Column: ColDate, Case: r.ID,
				Msg: fmt.Sprintf("%q is not a date; write it as yyyy-mm-dd or dd/mm/yyyy", r.DateText)})
		}
		r.Finding.Date = date
	}
	return file, nil
}

// slashDate matches a date written with slashes: two numbers of one or two
// digits and a year.
var slashDate = sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(`^(\d{1,2})/(\d{1,2})/(\d{4})(\s|$)`) })

func isSlashDate(s string) bool { return slashDate().MatchString(strings.TrimSpace(s)) }

func otherOrder(o string) string {
	if o == DateMDY {
		return DateDMY
	}
	return DateMDY
}

// decideDateOrder reads the file's dates written with slashes: a first
// number above 12 means day first, a second above 12 month first, for the
// whole file; both at once is a problem on the rows that disagree with the
// first one seen. The rows with a finding tell first, as their dates are
// the ones recorded; when none of them tells, a row without a finding
// does: whoever wrote 13/07/2026 there wrote the file day first. (A blank
// row's date, perhaps a template's, never makes a row with a finding a
// problem.) When no date tells, the option (or day first) decides, and
// Ambiguous counts the dates recorded that either order reads.
func (f *File) decideDateOrder(option string) {
	var dmy, mdy, dmyBlank, mdyBlank *Row
	for i := range f.Rows {
		r := &f.Rows[i]
		a, b, ok := r.slashDigits()
		if !ok {
			continue
		}
		d, m := &dmy, &mdy
		if r.Empty {
			d, m = &dmyBlank, &mdyBlank
		}
		switch {
		case a > 12 && b <= 12:
			if *d == nil {
				*d = r
			}
		case b > 12 && a <= 12:
			if *m == nil {
				*m = r
			}
		case a <= 12 && b <= 12 && !r.Empty:
			f.Ambiguous++
		}
	}
	if dmy == nil && mdy == nil {
		dmy, mdy = dmyBlank, mdyBlank
	}
	switch {
	case dmy != nil && mdy != nil:
		// Both orders in one file: the first row seen decides, the others
		// are problems naming both.
		decide := dmy
		if mdy.Num < dmy.Num {
			decide = mdy
		}
		f.DateOrder, f.DateBy = DateDMY, "the file"
		if decide == mdy {
			f.DateOrder = DateMDY
		}
		f.DateEvidence = fmt.Sprintf("row %s: %s", words.Thousands(decide.Num), decide.DateText)
		for i := range f.Rows {
			r := &f.Rows[i]
			a, b, ok := r.slashParts()
			if ok && (f.DateOrder == DateDMY && b > 12 && a <= 12) || (f.DateOrder == DateMDY && a > 12 && b <= 12) {
				r.Problems = append(r.Problems, Problem{File: f.Path, Sheet: f.Sheet, Row: r.Num, Column: ColDate, Case: r.ID,
					Msg: fmt.Sprintf("%q is written %s, but %q on row %s is written %s: the file mixes the two orders; write the dates one way (yyyy-mm-dd is never ambiguous)",
						r.DateText, orderWords(otherOrder(f.DateOrder)), decide.DateText, words.Thousands(decide.Num), orderWords(f.DateOrder))})
			}
		}
	case dmy != nil:
		f.DateOrder, f.DateBy, f.DateEvidence = DateDMY, "the file", fmt.Sprintf("row %s: %s", words.Thousands(dmy.Num), dmy.DateText)
	case mdy != nil:
		f.DateOrder, f.DateBy, f.DateEvidence = DateMDY, "the file", fmt.Sprintf("row %s: %s", words.Thousands(mdy.Num), mdy.DateText)
	case option != "":
		f.DateOrder, f.DateBy = option, "the option"
	default:
		f.DateOrder, f.DateBy = DateDMY, "the default"
	}
}

// slashParts returns the first two numbers of a non-empty row's date
// written with slashes (day and month in either order).
func (r *Row) slashParts() (a, b int, ok bool) {
	if r.Empty {
		return 0, 0, false
	}
	return r.slashDigits()
}

// slashDigits returns the first two numbers of a row's date written with
// slashes, whether or not the row holds a finding.
func (r *Row) slashDigits() (a, b int, ok bool) {
	m := slashDate().FindStringSubmatch(strings.TrimSpace(r.DateText))
	if m == nil {
		return 0, 0, false
	}
	a, _ = strconv.Atoi(m[1])
	b, _ = strconv.Atoi(m[2])
	return a, b, true
}

func orderWords(o string) string {
	if o == DateMDY {
		return "month first (mm/dd/yyyy)"
	}
	return "day first (dd/mm/yyyy)"
}

// parseDateIn reads a date audited as ParseDate does, dates with slashes
// in the given order.
func parseDateIn(s, order string) (string, bool) {
	if order == DateMDY && isSlashDate(s) {
		iso, ok := export.SlashDateToISO(s, true)
		if !ok {
			return "", false
		}
		return iso[:10], true
	}
	return ParseDate(s)
}

// ParseDate reads a date audited: "" (none), yyyy-mm-dd (optionally with a
// time), dd/mm/yyyy, or an Excel serial number, and returns yyyy-mm-dd.
func ParseDate(s string) (string, bool) {
	s = strings.TrimSpace(s)
	if s == "" {
		return "", true
	}
	if len(s) >= 10 {
		if _, err := time.Parse("2006-01-02", s[:10]); err == nil && (len(s) == 10 || s[10] == ' ' || s[10] == 'T') {
			return s[:10], true
		}
	}
	if iso, ok := export.UKDateToISO(s); ok {
		return iso[:10], true
	}
	if f, err := strconv.ParseFloat(s, 64); err == nil && f >= 1 {
		if iso, ok := export.SerialToISO(f, false); ok {
			return iso[:10], true
		}
	}
	return "", false
}

// errNUL: the store keeps a text exactly or not at all, and PostgreSQL
// cannot hold a NUL, so a cell holding one is a problem of its row.
var errNUL = errors.New("holds a NUL character (Excel writes one as _x0000_), which caseaudit does not store; delete it from the cell")

// NotAnExport refuses a workbook caseaudit wrote (an auditors' or
// moderators' workbook: a Sample sheet beside a Method sheet) read as an
// export: its rows are an audit's sample, and a sample drawn from it would
// be a sample of a sample, whatever its seed says.
func NotAnExport(t *export.Table) error {
	if t.Format != "xlsx" || t.Sheet != SheetSample || !slices.Contains(t.Sheets(), SheetMethod) {
		return nil
	}
	return &export.InputError{Path: t.Path, Sheet: t.Sheet,
		Msg:  "this is a workbook caseaudit wrote (its Sample and Method sheets hold an audit's sample), not an export of the case-management system",
		Hint: "draw the sample from the system's export itself (or name the sheet with --sheet to read the workbook's cases on purpose)"}
}
