package profile

import (
	"errors"
	"fmt"
	"strings"

	"github.com/caseaudit/caseaudit/internal/colname"
	"github.com/caseaudit/caseaudit/sample"
)

// Open and closed cases. A caseload is the cases a worker holds now, so a
// closed case is not in it. Which cases are open is said by a rule
// ("Case Status=Open", ParseOpenRule) or, without one, read from a status
// column found by name (StatusNames) whose values say closed (Closed,
// Ended, Inactive …): the values are then listed for the user to confirm,
// and the rule recorded spells the closed values seen, so that it
// re-derives exactly.

// StatusNames are the names of a column saying whether a case is open,
// tried in order.
var StatusNames = []string{"Case Status", "Status", "Case State", "Open/Closed", "Open or Closed", "Open Closed",
	"Case Open/Closed", "Episode Status", "Involvement Status", "Record Status", "Case Open"}

// OpenRule says which cases are open: those whose Column is (Op "=") or
// is not (Op "!=") one of Values, compared ignoring case and surrounding
// spaces.
type OpenRule struct {
	Column string
	Op     string
	Values []string
}

// ErrOpenRule is wrapped by every error of ParseOpenRule.
var ErrOpenRule = errors.New("open rule")

// ParseOpenRule reads a rule such as "Case Status=Open", "Status=Open|Re-opened"
// or "Case Status!=Closed": a column, = or !=, and values separated by |.
func ParseOpenRule(s string) (OpenRule, error) {
	bad := func(why string) (OpenRule, error) {
		return OpenRule{}, fmt.Errorf("%w %q: %s; write COLUMN=VALUE, e.g. 'Case Status=Open' (or COLUMN!=VALUE, e.g. 'Case Status!=Closed'; several values separated by |)", ErrOpenRule, s, why)
	}
	eq := strings.Index(s, "=")
	if eq < 0 {
		return bad("no = in it")
	}
	col, op := s[:eq], "="
	if strings.HasSuffix(col, "!") {
		col, op = col[:len(col)-1], "!="
	}
	col = strings.TrimSpace(col)
	if col == "" {
		return bad("no column")
	}
	r := OpenRule{Column: col, Op: op}
	for _, v := range strings.Split(s[eq+1:], "|") {
		if v = strings.TrimSpace(v); v != "" {
			r.Values = append(r.Values, v)
		}
	}
	if len(r.Values) == 0 {
		return bad("no value")
	}
	return r, nil
}

// String is the rule as ParseOpenRule reads it.
func (r OpenRule) String() string { return r.Column + r.Op + strings.Join(r.Values, "|") }

// open reports whether a status cell says the case is open.
func (r OpenRule) open(cell string) bool {
	v := strings.TrimSpace(cell)
	in := false
	for _, x := range r.Values {
		if strings.EqualFold(v, x) {
			in = true
			break
		}
	}
	return in == (r.Op == "=")
}

// closedKeys are the colname.Keys of status values that say a case is closed;
// a key beginning "closed" does too ("Closed - NFA").
var closedKeys = map[string]bool{"closed": true, "caseclosed": true, "ended": true, "inactive": true,
	"closure": true, "archived": true, "notopen": true, "finished": true}

// ReadsClosed reports whether a status value says the case is closed.
func ReadsClosed(v string) bool {
	k := colname.Key(v)
	return closedKeys[k] || strings.HasPrefix(k, "closed")
}

// StatusValue is one value of the status column and the cases holding it.
type StatusValue = sample.StatusValue

// maxStatusValues bounds the status values listed (the rest are counted
// together).
const maxStatusValues = 50
