package main

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// period is a span such as 12m, 90d, 6w or 1y.
type period struct {
	n    int
	unit byte // d, w, m, y
}

func parsePeriod(s string) (period, error) {
	t := strings.ToLower(strings.TrimSpace(s))
	if len(t) < 2 {
		return period{}, fmt.Errorf("%q is not a period; write e.g. 12m, 90d, 6w or 1y", s)
	}
	unit := t[len(t)-1]
	n, err := strconv.Atoi(t[:len(t)-1])
	if err != nil || n <= 0 || n > 100000 || !strings.ContainsRune("dwmy", rune(unit)) {
		return period{}, fmt.Errorf("%q is not a period; write e.g. 12m, 90d, 6w or 1y", s)
	}
	return period{n, unit}, nil
}

// before returns the moment this period before t.
func (p period) before(t time.Time) time.Time {
	switch p.unit {
	case 'd':
		return t.AddDate(0, 0, -p.n)
	case 'w':
		return t.AddDate(0, 0, -7*p.n)
	case 'm':
		return t.AddDate(0, -p.n, 0)
	default:
		return t.AddDate(-p.n, 0, 0)
	}
}
