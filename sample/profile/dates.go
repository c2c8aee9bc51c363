package profile

import (
	"strings"
	"time"

	"github.com/caseaudit/caseaudit/sample/export"
)

// Dates are day numbers: days since 1970-01-01 (negative before), so that
// intervals are subtractions and weekdays a remainder.

// dateKind says what a cell held.
type dateKind uint8

const (
	dateOK dateKind = iota
	dateBlank
	dateBad
)

// parseDay reads a cell as the reader delivers dates: ISO yyyy-mm-dd
// (possibly followed by a time, which is ignored), as both readers show date
// cells and UK dates written as text in csv; a UK date dd/mm/yyyy left as
// text in an xlsx cell; or a whole number 10000–99999, an Excel serial
// (1927–2173) in a cell without a date format. Anything else is dateBad.
func parseDay(s string) (int, dateKind) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, dateBlank
	}
	if d, ok := isoDay(s); ok {
		return d, dateOK
	}
	if len(s) >= 8 && (s[1] == '/' || s[2] == '/') {
		if iso, ok := export.UKDateToISO(s); ok {
			if d, ok := isoDay(iso); ok {
				return d, dateOK
			}
		}
		return 0, dateBad
	}
	if len(s) == 5 {
		n := 0
		for i := 0; i < 5; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, dateBad
			}
			n = n*10 + int(c-'0')
		}
		if n >= 10000 {
			return n - 25569, dateOK // serial 25569 is 1970-01-01 (1900 system, past the phantom leap day)
		}
	}
	return 0, dateBad
}

// dayCache makes the common cell cheap: a date column repeats the same
// few thousand ISO dates a million times, so each is turned into its day
// number once. It is direct-mapped, a date's slot its place in a calendar
// of 31-day months: the dates of any 44 years have slots of their own (a
// hash of the date had a few thousand dates evict one another). Its
// results are parseDay's.
type dayCache struct {
	keys [dayCacheSlots]int32 // yyyymmdd; 0 for an empty slot
	days [dayCacheSlots]int32
}

const dayCacheSlots = 1 << 14 // 44 years of 372 slots

// day is parseDay(s), looked up in the cache when s is exactly yyyy-mm-dd.
func (c *dayCache) day(s string) (int, dateKind) {
	if len(s) != 10 || s[4] != '-' || s[7] != '-' {
		return parseDay(s)
	}
	// Digits as bytes: a byte below '0' wraps round above 9.
	y0, y1, y2, y3 := s[0]-'0', s[1]-'0', s[2]-'0', s[3]-'0'
	m0, m1, d0, d1 := s[5]-'0', s[6]-'0', s[8]-'0', s[9]-'0'
	if y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9 {
		return parseDay(s)
	}
	y := int(y0)*1000 + int(y1)*100 + int(y2)*10 + int(y3)
	m, d := int(m0)*10+int(m1), int(d0)*10+int(d1)
	k := int32(y*10000 + m*100 + d)
	slot := (y*372 + m*31 + d) & (dayCacheSlots - 1)
	if k != 0 && c.keys[slot] == k {
		return int(c.days[slot]), dateOK
	}
	day, kind := parseDay(s)
	if kind == dateOK {
		c.keys[slot], c.days[slot] = k, int32(day)
	}
	return day, kind
}

// isoDay reads "yyyy-mm-dd", optionally followed by " " or "T" and
// anything (a time of day).
func isoDay(s string) (int, bool) {
	if len(s) < 10 || s[4] != '-' || s[7] != '-' || (len(s) > 10 && s[10] != ' ' && s[10] != 'T') {
		return 0, false
	}
	// Digits as bytes: a byte below '0' wraps round above 9.
	y0, y1, y2, y3 := s[0]-'0', s[1]-'0', s[2]-'0', s[3]-'0'
	m0, m1, d0, d1 := s[5]-'0', s[6]-'0', s[8]-'0', s[9]-'0'
	if y0 > 9 || y1 > 9 || y2 > 9 || y3 > 9 || m0 > 9 || m1 > 9 || d0 > 9 || d1 > 9 {
		return 0, false
	}
	y := int(y0)*1000 + int(y1)*100 + int(y2)*10 + int(y3)
	m := int(m0)*10 + int(m1)
	d := int(d0)*10 + int(d1)
	if y < 1000 || m < 1 || m > 12 || d < 1 || d > export.DaysIn(y, m) {
		return 0, false
	}
	return daysFromCivil(y, m, d), true
}

// daysFromCivil is the day number of a proleptic Gregorian date (Howard
// Hinnant's algorithm).
func daysFromCivil(y, m, d int) int {
	if m <= 2 {
		y--
	}
	era := floorDiv(y, 400)
	yoe := y - era*400
	mp := (m + 9) % 12
	doy := (153*mp+2)/5 + d - 1
	doe := yoe*365 + yoe/4 - yoe/100 + doy
	return era*146097 + doe - 719468
}

// civilFromDays is the inverse of daysFromCivil.
func civilFromDays(z int) (y, m, d int) {
	z += 719468
	era := floorDiv(z, 146097)
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	y = yoe + era*400
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = doy - (153*mp+2)/5 + 1
	m = mp + 3
	if m > 12 {
		m -= 12
	}
	if m <= 2 {
		y++
	}
	return y, m, d
}

func floorDiv(a, b int) int {
	q := a / b
	if (a%b != 0) && ((a < 0) != (b < 0)) {
		q--
	}
	return q
}

// dayOf is the day number of t's calendar date (in t's location).
func dayOf(t time.Time) int {
	y, m, d := t.Date()
	return daysFromCivil(y, int(m), d)
}

// isoOf formats a day number as yyyy-mm-dd.
func isoOf(day int) string {
	y, m, d := civilFromDays(day)
	return time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC).Format("2006-01-02")
}

// weekdaysBefore counts the days Monday to Friday among the day numbers
// below day, counted from an arbitrary Monday: only differences of it mean
// anything. 1970-01-01 (day 0) was a Thursday.
func weekdaysBefore(day int) int {
	m := day + 3 // days since Monday 1969-12-29
	w := floorDiv(m, 7)
	r := m - w*7
	return 5*w + min(r, 5)
}

// workingDays counts the days Monday to Friday after from, up to and
// including to (0 when to <= from): a referral on a Friday completed the
// next Monday took 1 working day. Bank holidays are not known, so they
// count as working days.
func workingDays(from, to int) int {
	if to <= from {
		return 0
	}
	return weekdaysBefore(to+1) - weekdaysBefore(from+1)
}

// addMonths is the day n calendar months after day, on the same day of the
// month or, when that month is shorter, its last day (31 January + 1 month =
// 28 or 29 February).
func addMonths(day, n int) int {
	y, m, d := civilFromDays(day)
	mm := m - 1 + n
	y += floorDiv(mm, 12)
	m = mm - floorDiv(mm, 12)*12 + 1
	return daysFromCivil(y, m, min(d, export.DaysIn(y, m)))
}
