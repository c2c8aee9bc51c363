package export

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/internal/opt"
	"github.com/caseaudit/caseaudit/internal/textdist"
	"github.com/caseaudit/caseaudit/internal/words"
)

// Header row and ID column detection.
//
// Header names are compared in two ways:
//   - normHeader: trimmed, inner whitespace collapsed, lower case. This is
//     how --id-column and ColumnIndex names match, and how duplicate headers
//     are recognised (the first wins).
//   - looseKey: letters and digits only, lower case ("Case No." -> "caseno",
//     "Case_Reference" -> "casereference"). Known ID names match this way,
//     and a name given by the user falls back to it when it matches exactly
//     one distinct header.

// headerScanRows is how far down a sheet the header row is looked for: among
// the first 50 rows that hold a value, however far down the sheet they
// start (blank rows before, between and after title rows are passed over).
const headerScanRows = 50

// idRank ranks the known names of an ID column: case references first, then
// person/child/client identifiers, then a bare "ID". An export holding both
// "Case Reference" and "Person ID" is sampled by case.
var idRank = func() map[string]int {
	m := map[string]int{}
	add := func(rank int, names ...string) {
		for _, n := range names {
			m[colname.Key(n)] = rank
		}
	}
	add(1, "Case Reference", "Case Ref", "Case Ref No", "Case Reference Number", "Case Reference No",
		"Case ID", "Case Identifier", "Case Number", "Case No", "Case No.", "Case Num")
	add(2, "Child ID", "LA Child ID", "Child Reference", "Child Ref", "Child Number", "Child No",
		"Person ID", "Person Reference", "Person Ref", "Client ID", "Client Reference", "Client Ref",
		"Service User ID", "Service User Reference", "Young Person ID")
	add(3, "ID", "Ref", "Reference")
	return m
}()

// knownIDNames are the canonical spellings, for suggesting the closest header.
var knownIDNames = []string{"Case Reference", "Case Ref", "Case ID", "Case Number", "Case No", "Child ID",
	"LA Child ID", "Child Reference", "Person ID", "Client ID", "Service User ID", "ID", "Reference"}

// knownIDRank is the rank of h as an ID column name, or 0. An error value
// is no name, though "#REF!" has the letters of "Ref".
func knownIDRank(h string) int {
	if len(h) > 64 || isErrorValue(h) {
		return 0
	}
	return idRank[colname.Key(h)]
}

// matchHeader returns the index of the header that name denotes, or -1.
// An exact match (normHeader) wins, the first of duplicates; failing that,
// a looseKey match if exactly one distinct header name has it.
func matchHeader(header []string, name string) int {
	n := colname.Norm(name)
	if n == "" || isErrorValue(n) {
		return -1
	}
	for i, h := range header {
		if colname.Norm(h) == n {
			return i
		}
	}
	k := colname.Key(name)
	if k == "" {
		return -1
	}
	found, distinct := -1, ""
	for i, h := range header {
		if colname.Key(h) != k || isErrorValue(h) {
			continue
		}
		if found < 0 {
			found, distinct = i, colname.Norm(h)
		} else if colname.Norm(h) != distinct {
			return -1 // "Case-Ref" and "Case Ref." both: ambiguous
		}
	}
	return found
}

// ColumnIndex returns the index into Header of the column called name,
// matched case-insensitively after trimming and collapsing inner spaces
// (with duplicate headers, the first). An unknown name is an InputError
// listing the headers and suggesting the closest one.
func (t *Table) ColumnIndex(name string) (int, error) {
	if i := matchHeader(t.Header, name); i >= 0 {
		return i, nil
	}
	ie := &InputError{Path: t.Path, Sheet: t.Sheet, Row: t.HeaderRow,
		Msg: fmt.Sprintf("no column %q in the header row (headers: %s)", strings.TrimSpace(name), ListHeaders(t.Header))}
	if c := uncut(t.Header, name); c != "" {
		ie.Hint = fmt.Sprintf("did you mean %q? (a long name shortened with … must be given in full)", c)
	} else if c := closestHeader(t.Header, []string{name}); c != "" {
		ie.Hint = fmt.Sprintf("did you mean %q?", c)
	}
	return -1, ie
}

// uncut returns the header that a name cut short with "…" or "..." (as
// error messages shorten long names) stands for: the one header whose name
// starts with what is left. "" when name is not cut, or no one header fits.
func uncut(header []string, name string) string {
	n := strings.TrimSpace(name)
	switch {
	case strings.HasSuffix(n, "…"):
		n = strings.TrimSuffix(n, "…")
	case strings.HasSuffix(n, "..."):
		n = strings.TrimSuffix(n, "...")
	default:
		return ""
	}
	prefix := colname.Norm(n)
	if len(prefix) < 2 {
		return ""
	}
	found := ""
	for _, h := range header {
		if !strings.HasPrefix(colname.Norm(h), prefix) || isErrorValue(h) {
			continue
		}
		if found != "" && colname.Norm(found) != colname.Norm(h) {
			return "" // two headers start so
		}
		if found == "" {
			found = strings.TrimSpace(h)
		}
	}
	return found
}

// chooseID picks the ID column of a header row among the known names: the
// best rank wins; two different names of that rank are ambiguous. found is
// false when no header is a known name.
func chooseID(header []string) (idx int, found bool, ambiguous []string) {
	best, idx := 0, -1
	var names []string // distinct normalised names of the best rank
	var shown []string
	for i, h := range header {
		r := knownIDRank(h)
		if r == 0 {
			continue
		}
		n := colname.Norm(h)
		switch {
		case best == 0 || r < best:
			best, idx, names, shown = r, i, []string{n}, []string{strings.TrimSpace(h)}
		case r == best && !slices.Contains(names, n):
			names = append(names, n)
			shown = append(shown, strings.TrimSpace(h))
		}
	}
	if idx < 0 {
		return -1, false, nil
	}
	if len(names) > 1 {
		return -1, true, shown
	}
	return idx, true, nil
}

// topRows holds the first rows of a sheet that hold a value (and the
// header row asked for, wherever it is), as read for finding the header.
type topRows struct {
	rows  map[int][]string // 1-based row -> cells; blank rows absent
	order []int            // the first headerScanRows rows holding a value, in order
	last  int              // last row number seen (0: the sheet is empty)
}

var errTopDone = errors.New("top rows read")

// topScanner is implemented by grids that read the top of a sheet more
// leniently than its rows (the xlsx grid: see xlsxGrid.scanTop).
type topScanner interface {
	scanTop(ctx context.Context, fn func(num int, cells []string) error) error
}

// readTop reads g until it has seen headerScanRows rows holding a value and
// row headerRow, keeping those.
func readTop(ctx context.Context, g grid, headerRow int) (topRows, error) {
	t := topRows{rows: map[int][]string{}}
	scan := func(fn func(int, []string) error) error { return g.scan(ctx, nil, fn) }
	if ts, ok := g.(topScanner); ok {
		scan = func(fn func(int, []string) error) error { return ts.scanTop(ctx, fn) }
	}
	err := scan(func(num int, cells []string) error {
		if len(t.order) >= headerScanRows && num > headerRow {
			return errTopDone
		}
		t.last = num
		if blankCells(cells) {
			return nil
		}
		if len(t.order) < headerScanRows {
			t.order = append(t.order, num)
			t.rows[num] = append([]string(nil), cells...)
		} else if num == headerRow {
			t.rows[num] = append([]string(nil), cells...)
		}
		return nil
	})
	if err != nil && !errors.Is(err, errTopDone) {
		return t, err
	}
	return t, nil
}

func blankCells(cells []string) bool {
	for _, c := range cells {
		if strings.TrimSpace(c) != "" {
			return false
		}
	}
	return true
}

// headerFound is a located header row and ID column.
type headerFound struct {
	row    int
	header []string // trimmed
	id     int
}

// idMissing says why no ID column was found on a sheet, for the error that
// the caller composes (it may try other sheets first).
type idMissing struct {
	row     int        // the row shown as the likely header (0: the sheet is empty)
	header  []string   // its cells, trimmed
	below   [][]string // the rows holding values below it, among the top rows
	idGiven string     // opts.IDColumn, if any
}

func trimAll(cells []string) []string {
	out := make([]string, len(cells))
	for i, c := range cells {
		out[i] = strings.TrimSpace(c)
	}
	return out
}

// locateHeader finds the header row and the ID column among the top rows.
// A sheet without the ID column gives miss != nil; other problems (an
// ambiguous ID column, a header row past the end) are InputErrors.
func locateHeader(path, sheet string, top topRows, opts OpenOptions) (headerFound, *idMissing, error) {
	ie := func(row int, msg, hint string) error {
		return &InputError{Path: path, Sheet: sheet, Row: row, Msg: msg, Hint: hint}
	}
	if opts.HeaderRow < 0 {
		return headerFound{}, nil, ie(0, fmt.Sprintf("header row %d is not a row number", opts.HeaderRow),
			"give a row number from 1, or leave the header row out to detect it")
	}
	below := func(row int) [][]string {
		var out [][]string
		for _, r := range top.order {
			if r > row {
				out = append(out, top.rows[r])
			}
		}
		return out
	}
	pick := func(row int, cells []string) (headerFound, *idMissing, error) {
		header := trimAll(cells)
		if opts.IDColumn != "" {
			if i := matchHeader(header, opts.IDColumn); i >= 0 {
				return headerFound{row, header, i}, nil, nil
			}
			return headerFound{}, &idMissing{row: row, header: header, below: below(row), idGiven: opts.IDColumn}, nil
		}
		i, found, amb := chooseID(header)
		if !found {
			return headerFound{}, &idMissing{row: row, header: header, below: below(row)}, nil
		}
		if amb != nil {
			return headerFound{}, nil, (&InputError{Path: path, Sheet: sheet, Row: row,
				Msg: fmt.Sprintf("ambiguous ID column: %s could each be the case ID", quoteList(amb))}).
				WithHint(opt.Sprintf("choose one with %s %q", opt.IDColumn, amb[0]))
		}
		return headerFound{row, header, i}, nil, nil
	}

	if opts.HeaderRow > 0 {
		r := opts.HeaderRow
		if r > top.last {
			what := "file"
			if sheet != "" {
				what = "sheet"
			}
			return headerFound{}, nil, ie(0,
				fmt.Sprintf("header row %s is past the end: the %s has %s rows", words.Thousands(r), what, words.Thousands(top.last)),
				"check the header row number")
		}
		cells, ok := top.rows[r]
		if !ok {
			return headerFound{}, nil, ie(r, "the header row is blank", "check the header row number")
		}
		return pick(r, cells)
	}

	for _, r := range top.order {
		cells := top.rows[r]
		if opts.IDColumn != "" {
			if matchHeader(trimAll(cells), opts.IDColumn) >= 0 {
				return pick(r, cells)
			}
			continue
		}
		for _, c := range cells {
			if knownIDRank(c) > 0 {
				return pick(r, cells)
			}
		}
	}
	// Nothing found: show the likeliest header row. A header row is a row of
	// labels (text, not numbers, dates or error values), and may have blank
	// cells (R's write.csv leaves the first blank, statistical tables leave
	// gaps), so the data rows below it may have more cells: the likeliest
	// is the first row with nearly as many labels as any row has (all of
	// them when the widest has fewer than four, all but one in four else).
	miss := &idMissing{idGiven: opts.IDColumn}
	most := 0
	for _, r := range top.order {
		most = max(most, labelCount(top.rows[r]))
	}
	for _, r := range top.order {
		if n := labelCount(top.rows[r]); n > 0 && n >= most-most/4 {
			miss.row, miss.header, miss.below = r, trimAll(top.rows[r]), below(r)
			break
		}
	}
	if miss.row == 0 && len(top.order) > 0 { // no labels at all: the first row holding values
		r := top.order[0]
		miss.row, miss.header, miss.below = r, trimAll(top.rows[r]), below(r)
	}
	return headerFound{}, miss, nil
}

// labelCount counts the cells that could be header names: text holding a
// letter that is not a date or an error value.
func labelCount(cells []string) int {
	n := 0
	for _, c := range cells {
		if isLabel(c) {
			n++
		}
	}
	return n
}

func isLabel(c string) bool {
	c = strings.TrimSpace(c)
	if c == "" || isErrorValue(c) || looksLikeDate(c) {
		return false
	}
	for _, r := range c {
		if unicode.IsLetter(r) {
			return true
		}
	}
	return false
}

// looksLikeDate reports whether a cell reads as a date as the readers show
// them (yyyy-mm-dd, with a time or not) or as UK text (dd/mm/yyyy).
func looksLikeDate(c string) bool {
	if _, ok := UKDateToISO(c); ok {
		return true
	}
	return len(c) >= 10 && c[4] == '-' && c[7] == '-' && isDigits(c[:4]) && isDigits(c[5:7]) && isDigits(c[8:10])
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// missingError turns an idMissing into the InputError the user sees.
// otherSheets says the workbook has other sheets worth suggesting.
func missingError(path, sheet string, m *idMissing, otherSheets bool, headerRowGiven bool) error {
	e := &InputError{Path: path, Sheet: sheet, Row: m.row}
	sheetHint := opt.Plain("")
	if otherSheets {
		sheetHint = opt.Sprintf(", or choose the sheet with %s", opt.Sheet)
	}
	if m.row == 0 {
		if sheet == "" {
			e.Msg = "the file has no text in it"
		} else {
			e.Msg = "the sheet is empty"
		}
		return e.WithHint(opt.Sprintf("check that this is the case list export%s", sheetHint))
	}
	if m.idGiven != "" {
		where := fmt.Sprintf("in the first %d rows holding values", headerScanRows)
		if headerRowGiven {
			where = "on the header row"
		}
		e.Msg = fmt.Sprintf("no column %q %s (headers on this row: %s)", strings.TrimSpace(m.idGiven), where, ListHeaders(m.header))
		if c := uncut(m.header, m.idGiven); c != "" {
			e.WithHint(opt.Sprintf("did you mean %s %q? (a long name shortened with … must be given in full)%s", opt.IDColumn, c, orSheet(otherSheets)))
		} else if c := suggestGivenIDColumn(m.header, m.below, m.idGiven); c != "" {
			e.WithHint(opt.Sprintf("did you mean %s %q?%s", opt.IDColumn, c, orSheet(otherSheets)))
		} else if otherSheets {
			e.WithHint(opt.Sprintf("choose the sheet with %s", opt.Sheet))
		}
		return e
	}
	e.Msg = fmt.Sprintf("no case ID column found (headers on this row: %s)", ListHeaders(m.header))
	if headerRowGiven {
		// The row given may be a row of data: say so before suggesting
		// one of its values as a column's name.
		return e.WithHint(opt.Sprintf("check %s: is row %d the row of column names? (leave it out to find the header row), or name the ID column with %s%s", opt.HeaderRow, m.row, opt.IDColumn, sheetHint))
	}
	if c := suggestIDColumn(m.header, m.below); c != "" {
		e.WithHint(opt.Sprintf("name the ID column with %s %q%s", opt.IDColumn, c, sheetHint))
	} else {
		e.WithHint(opt.Sprintf("name the ID column with %s%s", opt.IDColumn, sheetHint))
	}
	return e
}

// orSheet is the hint's tail suggesting another sheet, after a question.
func orSheet(otherSheets bool) opt.Text {
	if otherSheets {
		return opt.Sprintf(" or choose the sheet with %s", opt.Sheet)
	}
	return opt.Plain("")
}

// suggestIDColumn chooses the column to suggest as the ID column of a
// header row without a known ID name, by its values first: a column whose
// values below the header (the rows read while looking for it) are filled
// in, unique and ID-shaped (one or two shapes, with digits, without spaces,
// not dates, times nor decimals: see appendShape) is an ID column, whatever its
// name; among several, longer values and an ID-like name win ("URN" over a
// row number "No."). A category such as "Provider Type" repeats its
// values and is never suggested by them. Failing that (no rows below, or no
// column so), the header most like a known ID name, as before.
func suggestIDColumn(header []string, below [][]string) string {
	best, bestScore := "", 0.0
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !isLabel(h) {
			continue // a blank, a number, a date, an error value: no name to give
		}
		sc, ok := idValues(i, below)
		if !ok {
			continue
		}
		sc += closestScore(h)
		if sc > bestScore {
			best, bestScore = h, sc
		}
	}
	if best != "" {
		return best
	}
	// Too few rows to judge by values: a reference number's name (URN,
	// NHS Number, Case Ref) before a name that merely looks like one.
	for _, h := range header {
		if h = strings.TrimSpace(h); isLabel(h) && closestScore(h) >= 1 {
			return h
		}
	}
	return closestHeader(header, knownIDNames)
}

// suggestGivenIDColumn chooses the column to suggest for an ID column
// given by a name the header does not have: among the columns whose values
// are IDs (see idValues), the one most like the name given — "Case ID"
// finds "Case Reference", not "Case Status" — and failing any, the header
// most like it.
func suggestGivenIDColumn(header []string, below [][]string, given string) string {
	best, bestScore := "", -1.0
	for i, h := range header {
		h = strings.TrimSpace(h)
		if !isLabel(h) {
			continue
		}
		if _, ok := idValues(i, below); !ok {
			continue
		}
		if sc := likeness(h, given); sc > bestScore {
			best, bestScore = h, sc
		}
	}
	if best != "" {
		return best
	}
	return closestHeader(header, []string{given})
}

// closestScore is how much a header name is like a known ID name, 0 to 1,
// or 1 for the names of reference numbers that are not case IDs by name
// alone (URN, UPN, NHS Number, Code, Key).
func closestScore(h string) float64 {
	for _, w := range nameWords(h) {
		switch w {
		case "id", "ref", "reference", "urn", "upn", "uln", "nhs", "code", "key", "number", "no", "num":
			return 1
		}
	}
	sc := 0.0
	for _, k := range knownIDNames {
		sc = max(sc, likeness(h, k))
	}
	return sc
}

// idValues judges column i of rows as IDs: ok when at least three rows
// hold a value there (and at least half of them), nine in ten of the values
// are distinct, and they are ID-shaped. The score is 1, or 1.5 when every
// value has four characters or more.
func idValues(i int, rows [][]string) (score float64, ok bool) {
	seen := map[string]bool{}
	var shapes []string
	var buf []byte
	n, short := 0, false
	for _, r := range rows {
		if i >= len(r) {
			continue
		}
		v := strings.TrimSpace(r[i])
		if v == "" {
			continue
		}
		n++
		seen[v] = true
		if len(v) < 4 {
			short = true
		}
		buf = appendShape(buf[:0], v)
		sh := string(buf)
		if !slices.Contains(shapes, sh) {
			shapes = append(shapes, sh)
		}
		if len(shapes) > 2 || !strings.Contains(sh, "9") || strings.ContainsAny(sh, " ") || sh == "9.9" || sh == "-9.9" ||
			sh == "9:9" || sh == "9:9:9" || looksLikeDate(v) || isErrorValue(v) {
			return 0, false
		}
	}
	if n < 3 || n*2 < len(rows) || len(seen)*10 < n*9 {
		return 0, false
	}
	if short {
		return 1, true
	}
	return 1.5, true
}

// ListHeaders quotes the non-empty headers for a message, at most 20 (long
// ones shortened), "none" when there are none.
func ListHeaders(header []string) string {
	var hs []string
	for _, h := range header {
		if h = strings.TrimSpace(h); h != "" {
			hs = append(hs, h)
		}
	}
	if len(hs) == 0 {
		return "none"
	}
	const most = 20
	if len(hs) > most {
		return quoteList(hs[:most]) + fmt.Sprintf(" and %d more", len(hs)-most)
	}
	return quoteList(hs)
}

func quoteList(ss []string) string {
	q := make([]string, len(ss))
	for i, s := range ss {
		q[i] = fmt.Sprintf("%q", shorten(s, 60))
	}
	return strings.Join(q, ", ")
}

// shorten cuts s to at most n characters (never inside one), ending it
// with "…" when cut.
func shorten(s string, n int) string {
	if utf8.RuneCountInString(s) <= n {
		return s
	}
	i, k := 0, 0
	for i = range s {
		if k == n-1 {
			break
		}
		k++
	}
	return s[:i] + "…"
}

// closestHeader returns the header most like any of the targets, or "" when
// none is at all alike. Likeness is the larger of an edit-distance
// similarity of the looseKeys and the word overlap.
func closestHeader(header []string, targets []string) string {
	best, bestScore := "", 0.0
	for _, h := range header {
		h = strings.TrimSpace(h)
		if h == "" || len(h) > 80 {
			continue
		}
		for _, t := range targets {
			if s := likeness(h, t); s > bestScore {
				best, bestScore = h, s
			}
		}
	}
	if bestScore < 0.4 {
		return ""
	}
	return best
}

func likeness(a, b string) float64 {
	ka, kb := colname.Key(a), colname.Key(b)
	if ka == "" || kb == "" {
		return 0
	}
	l := max(len(ka), len(kb))
	s := 1 - float64(textdist.Levenshtein(ka, kb))/float64(l)
	if len(ka) >= 2 && len(kb) >= 2 && (strings.Contains(ka, kb) || strings.Contains(kb, ka)) {
		s = max(s, 0.7)
	}
	return max(s, wordOverlap(a, b))
}

func nameWords(s string) []string {
	return strings.FieldsFunc(strings.ToLower(s), func(r rune) bool { return !unicode.IsLetter(r) && !unicode.IsDigit(r) })
}

// wordOverlap is the Jaccard index of the two names' nameWords.
func wordOverlap(a, b string) float64 {
	wa, wb := nameWords(a), nameWords(b)
	if len(wa) == 0 || len(wb) == 0 {
		return 0
	}
	inter := 0
	for _, x := range wa {
		if slices.Contains(wb, x) {
			inter++
		}
	}
	union := len(wa) + len(wb) - inter
	return float64(inter) / float64(union)
}
