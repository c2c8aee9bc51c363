package export

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"unicode"

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

// headerScanRows is how far down a sheet the header row is looked for.
const headerScanRows = 50

// idRank ranks the known names of an ID column: case references first, then
// person/child/client identifiers, then a bare "ID". An export holding both
// "Case Reference" and "Person ID" is sampled by case.
var idRank = func() map[string]int {
	m := map[string]int{}
	add := func(rank int, names ...string) {
		for _, n := range names {
			m[looseKey(n)] = rank
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

func normHeader(s string) string {
	return strings.ToLower(strings.Join(strings.Fields(s), " "))
}

func looseKey(s string) string {
	var b strings.Builder
	for _, r := range s {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(unicode.ToLower(r))
		}
	}
	return b.String()
}

// knownIDRank is the rank of h as an ID column name, or 0. An error value
// is no name, though "#REF!" has the letters of "Ref".
func knownIDRank(h string) int {
	if len(h) > 64 || isErrorValue(h) {
		return 0
	}
	return idRank[looseKey(h)]
}

// matchHeader returns the index of the header that name denotes, or -1.
// An exact match (normHeader) wins, the first of duplicates; failing that,
// a looseKey match if exactly one distinct header name has it.
func matchHeader(header []string, name string) int {
	n := normHeader(name)
	if n == "" || isErrorValue(n) {
		return -1
	}
	for i, h := range header {
		if normHeader(h) == n {
			return i
		}
	}
	k := looseKey(name)
	if k == "" {
		return -1
	}
	found, distinct := -1, ""
	for i, h := range header {
		if looseKey(h) != k || isErrorValue(h) {
			continue
		}
		if found < 0 {
			found, distinct = i, normHeader(h)
		} else if normHeader(h) != distinct {
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
		Msg: fmt.Sprintf("no column %q in the header row (headers: %s)", strings.TrimSpace(name), listHeaders(t.Header))}
	if c := closestHeader(t.Header, []string{name}); c != "" {
		ie.Hint = fmt.Sprintf("did you mean %q?", c)
	}
	return -1, ie
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
		n := normHeader(h)
		switch {
		case best == 0 || r < best:
			best, idx, names, shown = r, i, []string{n}, []string{strings.TrimSpace(h)}
		case r == best && !hasString(names, n):
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

func hasString(ss []string, s string) bool {
	for _, x := range ss {
		if x == s {
			return true
		}
	}
	return false
}

// topRows holds the first rows of a sheet (and the header row asked for,
// if further down), as read for finding the header.
type topRows struct {
	rows map[int][]string // 1-based row -> cells; blank rows absent
	last int              // last row number seen (0: the sheet is empty)
}

var errTopDone = errors.New("top rows read")

// readTop reads rows 1..max(50, headerRow) of g, keeping rows 1..50 and
// headerRow.
func readTop(ctx context.Context, g grid, headerRow int) (topRows, error) {
	limit := max(headerScanRows, headerRow)
	t := topRows{rows: map[int][]string{}}
	err := g.scan(ctx, nil, func(num int, cells []string) error {
		if num > limit {
			return errTopDone
		}
		t.last = num
		if (num <= headerScanRows || num == headerRow) && !blankCells(cells) {
			t.rows[num] = append([]string(nil), cells...)
		}
		if num == limit {
			return errTopDone
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
	row     int      // the row shown as the likely header (0: the sheet is empty)
	header  []string // its cells, trimmed
	idGiven string   // opts.IDColumn, if any
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
	pick := func(row int, cells []string) (headerFound, *idMissing, error) {
		header := trimAll(cells)
		if opts.IDColumn != "" {
			if i := matchHeader(header, opts.IDColumn); i >= 0 {
				return headerFound{row, header, i}, nil, nil
			}
			return headerFound{}, &idMissing{row: row, header: header, idGiven: opts.IDColumn}, nil
		}
		i, found, amb := chooseID(header)
		if !found {
			return headerFound{}, &idMissing{row: row, header: header}, nil
		}
		if amb != nil {
			return headerFound{}, nil, ie(row,
				fmt.Sprintf("ambiguous ID column: %s could each be the case ID", quoteList(amb)),
				fmt.Sprintf("choose one with --id-column %q", amb[0]))
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

	for r := 1; r <= min(top.last, headerScanRows); r++ {
		cells, ok := top.rows[r]
		if !ok {
			continue
		}
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
	// Nothing found: show the likeliest header row, the first row with the
	// most non-empty cells.
	miss := &idMissing{idGiven: opts.IDColumn}
	bestN := 0
	for r := 1; r <= min(top.last, headerScanRows); r++ {
		n := 0
		for _, c := range top.rows[r] {
			if strings.TrimSpace(c) != "" {
				n++
			}
		}
		if n > bestN {
			bestN, miss.row, miss.header = n, r, trimAll(top.rows[r])
		}
	}
	return headerFound{}, miss, nil
}

// missingError turns an idMissing into the InputError the user sees.
// otherSheets says the workbook has other sheets worth suggesting.
func missingError(path, sheet string, m *idMissing, otherSheets bool, headerRowGiven bool) error {
	e := &InputError{Path: path, Sheet: sheet, Row: m.row}
	sheetHint := ""
	if otherSheets {
		sheetHint = ", or choose the sheet with --sheet"
	}
	if m.row == 0 {
		if sheet == "" {
			e.Msg = "the file has no text in it"
		} else {
			e.Msg = "the sheet is empty"
		}
		e.Hint = "check that this is the case list export" + sheetHint
		return e
	}
	if m.idGiven != "" {
		where := fmt.Sprintf("in the first %d rows", headerScanRows)
		if headerRowGiven {
			where = "on the header row"
		}
		e.Msg = fmt.Sprintf("no column %q %s (headers on this row: %s)", strings.TrimSpace(m.idGiven), where, listHeaders(m.header))
		if c := closestHeader(m.header, []string{m.idGiven}); c != "" {
			e.Hint = fmt.Sprintf("did you mean --id-column %q?", c) + strings.TrimPrefix(sheetHint, ",")
		} else if sheetHint != "" {
			e.Hint = "choose the sheet with --sheet"
		}
		return e
	}
	e.Msg = fmt.Sprintf("no case ID column found (headers on this row: %s)", listHeaders(m.header))
	if c := closestHeader(m.header, knownIDNames); c != "" {
		e.Hint = fmt.Sprintf("name the ID column with --id-column %q", c) + sheetHint
	} else {
		e.Hint = "name the ID column with --id-column" + sheetHint
	}
	return e
}

// listHeaders quotes the non-empty headers for an error message, at most 20.
func listHeaders(header []string) string {
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
		if len(s) > 60 {
			s = s[:57] + "..."
		}
		q[i] = fmt.Sprintf("%q", s)
	}
	return strings.Join(q, ", ")
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
	ka, kb := looseKey(a), looseKey(b)
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
		if hasString(wb, x) {
			inter++
		}
	}
	union := len(wa) + len(wb) - inter
	return float64(inter) / float64(union)
}
