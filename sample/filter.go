package sample

import (
	"cmp"
	"fmt"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/caseaudit/caseaudit/sample/export"
)

// Filter is one --where condition: a column compared with a value.
// Conditions combine with AND.
type Filter struct {
	Column string // header name as the user wrote it
	Op     string // one of = != < <= > >=
	Value  string // trimmed
	text   string

	// What Value is, worked out once by ParseFilter so that Match does not
	// parse it (or allocate) for each of a million rows.
	prepared bool
	isNum    bool
	num      float64
	isDate   bool
}

// String returns the condition as written, normalised: `Team=Salisbury CIN`.
func (f Filter) String() string {
	if f.text != "" {
		return f.text
	}
	return f.Column + f.Op + f.Value
}

// operators, longest first so that "<=" is not read as "<".
var operators = []string{"!=", "<=", ">=", "=", "<", ">"}

// ParseFilter reads a condition such as `Team=Salisbury CIN`,
// `Legal Status != CLA` or `Referral Date>=2026-01-01`. The column is the
// text before the first operator; dates may be written yyyy-mm-dd or
// dd/mm/yyyy.
func ParseFilter(s string) (Filter, error) {
	at, op := -1, ""
	for i := 0; i < len(s) && at < 0; i++ {
		for _, o := range operators {
			if strings.HasPrefix(s[i:], o) {
				at, op = i, o
				break
			}
		}
	}
	if at < 0 {
		return Filter{}, fmt.Errorf("filter %q has no operator; write COLUMN=VALUE (or != < <= > >=), e.g. 'Team=Salisbury CIN'", s)
	}
	col := strings.TrimSpace(s[:at])
	val := strings.TrimSpace(s[at+len(op):])
	if col == "" {
		return Filter{}, fmt.Errorf("filter %q names no column; write COLUMN%sVALUE", s, op)
	}
	if iso, ok := export.UKDateToISO(val); ok {
		val = iso
	}
	if op != "=" && op != "!=" && val == "" {
		return Filter{}, fmt.Errorf("filter %q compares with nothing; give a number or a date after %s", s, op)
	}
	f := Filter{Column: col, Op: op, Value: val, prepared: true}
	f.text = col + op + val
	if x, err := strconv.ParseFloat(val, 64); err == nil {
		f.isNum, f.num = true, x
	}
	f.isDate = isISODate(val)
	return f, nil
}

// Match reports whether a cell's display text satisfies the condition.
// Numbers compare as numbers and ISO dates as dates when both sides are of
// that kind; otherwise = and != compare text ignoring case and surrounding
// space, and < > compare text case-insensitively.
func (f Filter) Match(cell string) bool {
	var c int
	if f.prepared {
		c = f.compare(strings.TrimSpace(cell))
	} else {
		c = compareCell(strings.TrimSpace(cell), f.Value)
	}
	switch f.Op {
	case "=":
		return c == 0
	case "!=":
		return c != 0
	case "<":
		return c < 0
	case "<=":
		return c <= 0
	case ">":
		return c > 0
	case ">=":
		return c >= 0
	}
	return false
}

// compare is compareCell(a, f.Value) with what is known of the value: a
// cell is parsed as a number only when the value is one, and so on.
func (f Filter) compare(a string) int {
	if f.isNum {
		if x, err := strconv.ParseFloat(a, 64); err == nil {
			switch {
			case x < f.num:
				return -1
			case x > f.num:
				return 1
			}
			return 0
		}
	}
	if f.isDate && isISODate(a) {
		return strings.Compare(a[:10], f.Value[:10])
	}
	return compareFold(a, f.Value)
}

// compareFold compares a and b as strings.ToLower would leave them,
// without allocating when both are ASCII.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		x, y := a[i], b[i]
		if x >= utf8.RuneSelf || y >= utf8.RuneSelf {
			return strings.Compare(strings.ToLower(a), strings.ToLower(b))
		}
		if 'A' <= x && x <= 'Z' {
			x += 'a' - 'A'
		}
		if 'A' <= y && y <= 'Z' {
			y += 'a' - 'A'
		}
		if x != y {
			return cmp.Compare(x, y)
		}
	}
	if len(a) == len(b) {
		return 0
	}
	// One is a prefix of the other (as far as the shorter goes, in ASCII);
	// the rest of the longer may hold non-ASCII text that lowers to nothing
	// shorter, so let ToLower decide when it is not ASCII.
	if !isASCIIString(a) || !isASCIIString(b) {
		return strings.Compare(strings.ToLower(a), strings.ToLower(b))
	}
	return cmp.Compare(len(a), len(b))
}

func isASCIIString(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func compareCell(a, b string) int {
	if x, err := strconv.ParseFloat(a, 64); err == nil {
		if y, err := strconv.ParseFloat(b, 64); err == nil {
			switch {
			case x < y:
				return -1
			case x > y:
				return 1
			}
			return 0
		}
	}
	if isISODate(a) && isISODate(b) {
		// yyyy-mm-dd[ hh:mm:ss] compares correctly as text; a date alone
		// equals any time on that day.
		return strings.Compare(a[:10], b[:10])
	}
	return strings.Compare(strings.ToLower(a), strings.ToLower(b))
}

func isISODate(s string) bool {
	if len(s) < 10 {
		return false
	}
	for i := 0; i < 10; i++ {
		c := s[i]
		if i == 4 || i == 7 {
			if c != '-' {
				return false
			}
		} else if c < '0' || c > '9' {
			return false
		}
	}
	return len(s) == 10 || s[10] == ' ' || s[10] == 'T'
}
