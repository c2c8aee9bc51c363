package audit

import (
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/internal/words"
)

// Within is a span of time back from now, such as 12m, 90d, 6w or 1y: how
// far back `exclude_audited_within` looks for audits.
type Within struct {
	n    int
	unit byte // d, w, m, y
	text string
}

// ParseWithin reads a span: a whole number and d (days), w (weeks), m
// (months) or y (years).
func ParseWithin(s string) (Within, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	bad := fmt.Errorf("%q is not a period; write e.g. 12m, 90d, 6w or 1y", s)
	if len(t) < 2 {
		return Within{}, bad
	}
	unit := t[len(t)-1]
	n, err := strconv.Atoi(strings.TrimSpace(t[:len(t)-1]))
	if err != nil || n <= 0 || n > 100000 || !strings.ContainsRune("dwmy", rune(unit)) {
		return Within{}, bad
	}
	return Within{n: n, unit: unit, text: fmt.Sprintf("%d%c", n, unit)}, nil
}

// String is the span as written canonically, e.g. "12m".
func (w Within) String() string { return w.text }

// Words is the span as people write it, e.g. "12 months", "1 year".
func (w Within) Words() string {
	noun := map[byte]string{'d': "day", 'w': "week", 'm': "month", 'y': "year"}[w.unit]
	return words.Count(w.n, noun)
}

// Before returns the moment this span before t.
func (w Within) Before(t time.Time) time.Time {
	switch w.unit {
	case 'd':
		return t.AddDate(0, 0, -w.n)
	case 'w':
		return t.AddDate(0, 0, -7*w.n)
	case 'm':
		return t.AddDate(0, -w.n, 0)
	default:
		return t.AddDate(-w.n, 0, 0)
	}
}
