package export

import (
	"math"
	"strconv"
)

// Fast paths for the display rules of values.go, used by the xlsx scanner
// so that the common cells (whole numbers, whole-day dates) cost no
// allocation. Anything out of the ordinary goes through FormatNumber and
// SerialToISO themselves; xlsx_test.go checks the fast paths against them.

// appendNumberText appends the General display of a numeric cell value.
func appendNumberText(dst, v []byte) []byte {
	if plainInt(v) {
		return append(dst, v...)
	}
	return append(dst, FormatNumber(string(v))...)
}

// plainInt reports whether v is "0" or an integer of at most 15 digits
// without leading zeros or plus sign: text that Excel's General format shows
// unchanged.
func plainInt(v []byte) bool {
	if len(v) > 0 && v[0] == '-' {
		v = v[1:]
		if len(v) == 1 && v[0] == '0' {
			return false // "-0" reads "0"
		}
	}
	if len(v) == 0 || len(v) > 15 || (v[0] == '0' && len(v) > 1) {
		return false
	}
	for _, c := range v {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// Day numbers (days since 1970-01-01) of serial 0 in the two date systems.
const (
	unixDay1900 = -25569 // 1899-12-30, allowing for Excel's 1900-02-29
	unixDay1904 = -24107 // 1904-01-01
)

// maxSerial1904 is 9999-12-31 in the 1904 system; the fast path stays
// within four-digit years in both systems.
const maxSerial1904 = maxSerial - 1462

// appendSerialText appends the display of a number in a date format:
// yyyy-mm-dd (with hh:mm:ss for a time of day), or the General number when
// it cannot be a date. Whole days are looked up in dc (nil: none).
func appendSerialText(dst, v []byte, date1904 bool, dc *civilCache) []byte {
	if n, ok := smallUint(v); ok && n <= maxSerial1904 {
		var day int64
		switch {
		case date1904:
			day = unixDay1904 + n
		case n == 60:
			return append(dst, "1900-02-29"...)
		case n < 60:
			day = unixDay1900 + n + 1
		default:
			day = unixDay1900 + n
		}
		if dc != nil {
			return dc.appendDate(dst, day)
		}
		return appendCivilDate(dst, day)
	}
	f, err := strconv.ParseFloat(string(v), 64)
	if err == nil {
		if s, ok := SerialToISO(f, date1904); ok {
			return append(dst, s...)
		}
	}
	return appendNumberText(dst, v)
}

// smallUint parses up to 7 ASCII digits.
func smallUint(v []byte) (int64, bool) {
	if len(v) == 0 || len(v) > 7 {
		return 0, false
	}
	var n int64
	for _, c := range v {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int64(c-'0')
	}
	return n, true
}

// appendCivilDate appends the proleptic Gregorian date of a day number
// (days since 1970-01-01) as yyyy-mm-dd, for years 0..9999.
func appendCivilDate(dst []byte, z int64) []byte {
	y, m, d := civilDate(z)
	return append(dst, byte('0'+y/1000%10), byte('0'+y/100%10), byte('0'+y/10%10), byte('0'+y%10), '-',
		byte('0'+m/10), byte('0'+m%10), '-', byte('0'+d/10), byte('0'+d%10))
}

// civilCache holds the text of the days met last: a date column repeats
// the same few thousand days a million times. It is direct-mapped by the
// day number itself, so that no two days of any 11 years share a slot.
type civilCache struct {
	keys [civilCacheSlots]int32 // civilKey of the day; 0 for an empty slot
	text [civilCacheSlots][10]byte
}

const (
	civilCacheSlots = 1 << 12
	civilKey        = 1 << 30 // added to a day (−25,568 to 2,932,896 here) for a key that is never 0
)

// appendDate is appendCivilDate of a day of a four-digit year, from the
// cache when it can.
func (c *civilCache) appendDate(dst []byte, z int64) []byte {
	slot, key := z&(civilCacheSlots-1), int32(z+civilKey)
	if c.keys[slot] != key {
		c.keys[slot] = key
		appendCivilDate(c.text[slot][:0], z)
	}
	return append(dst, c.text[slot][:]...)
}

// civilDate returns the proleptic Gregorian year, month and day of a day
// number (days since 1970-01-01), by Howard Hinnant's days-to-civil
// algorithm.
func civilDate(z int64) (y, m, d int) {
	z += 719468
	era := z / 146097
	if z < 0 {
		era = (z - 146096) / 146097
	}
	doe := z - era*146097
	yoe := (doe - doe/1460 + doe/36524 - doe/146096) / 365
	doy := doe - (365*yoe + yoe/4 - yoe/100)
	mp := (5*doy + 2) / 153
	d = int(doy - (153*mp+2)/5 + 1)
	m = int(mp + 3)
	if mp >= 10 {
		m = int(mp - 9)
	}
	y = int(yoe + era*400)
	if m <= 2 {
		y++
	}
	return y, m, d
}

// appendISODateText appends the display of a t="d" cell, whose value is an
// ISO 8601 date-time ("2026-06-30", "2026-06-30T09:14:00Z",
// "2026-06-30T09:14:00.000"): yyyy-mm-dd, with " hh:mm:ss" when it has a
// time of day other than midnight. Other text is kept as it stands.
func appendISODateText(dst, v []byte) []byte {
	digits := func(b []byte) bool {
		for _, c := range b {
			if c < '0' || c > '9' {
				return false
			}
		}
		return true
	}
	if len(v) < 10 || !digits(v[0:4]) || v[4] != '-' || !digits(v[5:7]) || v[7] != '-' || !digits(v[8:10]) {
		return append(dst, v...)
	}
	dst = append(dst, v[:10]...)
	t := v[10:]
	if len(t) >= 9 && (t[0] == 'T' || t[0] == ' ') && digits(t[1:3]) && t[3] == ':' && digits(t[4:6]) && t[6] == ':' && digits(t[7:9]) {
		if string(t[1:9]) != "00:00:00" {
			dst = append(dst, ' ')
			dst = append(dst, t[1:9]...)
		}
	} else if len(t) >= 6 && (t[0] == 'T' || t[0] == ' ') && digits(t[1:3]) && t[3] == ':' && digits(t[4:6]) {
		if string(t[1:6]) != "00:00" {
			dst = append(dst, ' ')
			dst = append(dst, t[1:6]...)
			dst = append(dst, ":00"...)
		}
	}
	return dst
}

// appendClockText appends the display of a number in a time-of-day or
// elapsed-time format (see clockText), or the General number when it
// cannot be shown so.
func appendClockText(dst, v []byte, kind numFmtKind) []byte {
	f, err := strconv.ParseFloat(string(v), 64)
	if err == nil {
		if s, ok := clockText(f, kind); ok {
			return append(dst, s...)
		}
	}
	return appendNumberText(dst, v)
}

// clockText shows a number of days as a time: the time of day "12:13:14"
// (fmtTime: the fraction of the day, whatever the date), or the elapsed time
// "255:10:10" (fmtElapsed: hours, minutes, seconds; fmtElapsedMinutes
// "15310:10"; fmtElapsedSeconds "918610"), to the nearest second, as Excel
// shows them. Neither depends on the date system. ok is false for what
// Excel cannot show (a negative time of day, NaN, a value past 9999-12-31).
func clockText(days float64, kind numFmtKind) (string, bool) {
	if math.IsNaN(days) || math.Abs(days) > maxSerial+1 {
		return "", false
	}
	secs := int64(math.Round(math.Abs(days) * 86400))
	sign := ""
	if days < 0 && secs > 0 {
		if kind == fmtTime {
			return "", false
		}
		sign = "-"
	}
	two := func(n int64) string {
		return string([]byte{byte('0' + n/10), byte('0' + n%10)})
	}
	switch kind {
	case fmtTime:
		s := secs % 86400
		return two(s/3600) + ":" + two(s/60%60) + ":" + two(s%60), true
	case fmtElapsed:
		return sign + strconv.FormatInt(secs/3600, 10) + ":" + two(secs/60%60) + ":" + two(secs%60), true
	case fmtElapsedMinutes:
		return sign + strconv.FormatInt(secs/60, 10) + ":" + two(secs%60), true
	case fmtElapsedSeconds:
		return sign + strconv.FormatInt(secs, 10), true
	}
	return "", false
}
