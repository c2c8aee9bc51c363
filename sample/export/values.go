package export

import (
	"math"
	"strconv"
	"strings"
	"time"
)

// Values as a person reads them. Both readers (csv and xlsx) pass cell text
// through these so that a date or a number reads the same whichever format
// the export came in.

var (
	epoch1900 = time.Date(1899, 12, 30, 0, 0, 0, 0, time.UTC) // serial 0, allowing for Excel's 1900-02-29
	epoch1904 = time.Date(1904, 1, 1, 0, 0, 0, 0, time.UTC)
)

// maxSerial is 9999-12-31 in the 1900 system, Excel's last date.
const maxSerial = 2958465

// SerialToISO turns an Excel date serial into "yyyy-mm-dd", or
// "yyyy-mm-dd hh:mm:ss" when it carries a time of day. ok is false when the
// number cannot be a date (negative, NaN, past 9999-12-31).
func SerialToISO(serial float64, date1904 bool) (string, bool) {
	if math.IsNaN(serial) || math.IsInf(serial, 0) || serial < 0 || serial > maxSerial {
		return "", false
	}
	days := math.Floor(serial)
	secs := math.Round((serial - days) * 86400)
	if secs >= 86400 {
		days++
		secs = 0
	}
	var t time.Time
	switch {
	case date1904:
		t = epoch1904.AddDate(0, 0, int(days))
	case days == 60:
		// Excel's phantom 1900-02-29 (the Lotus leap-year bug).
		if secs == 0 {
			return "1900-02-29", true
		}
		return "1900-02-29 " + clock(int(secs)), true
	case days < 60:
		t = epoch1900.AddDate(0, 0, int(days)+1)
	default:
		t = epoch1900.AddDate(0, 0, int(days))
	}
	if secs == 0 {
		return t.Format("2006-01-02"), true
	}
	return t.Format("2006-01-02") + " " + clock(int(secs)), true
}

func clock(secs int) string {
	return time.Date(2000, 1, 1, 0, 0, secs, 0, time.UTC).Format("15:04:05")
}

// FormatNumber renders a number stored in a cell ("500003", "5.00003E5",
// "0.30000000000000004") the way Excel shows it in a General cell: at most
// 15 significant digits, no exponent for ordinary magnitudes, no trailing
// ".0". Text that is not a number is returned unchanged.
func FormatNumber(raw string) string {
	s := strings.TrimSpace(raw)
	if s == "" {
		return raw
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsNaN(f) || math.IsInf(f, 0) {
		return raw
	}
	// Round to 15 significant digits as Excel does, then print the shortest
	// decimal that round-trips that value.
	r, err := strconv.ParseFloat(strconv.FormatFloat(f, 'g', 15, 64), 64)
	if err != nil {
		return raw
	}
	if r == 0 {
		return "0"
	}
	if a := math.Abs(r); a >= 1e21 || a < 1e-9 {
		return strconv.FormatFloat(r, 'g', -1, 64)
	}
	return strconv.FormatFloat(r, 'f', -1, 64)
}

// UKDateToISO turns a UK date written as text ("30/06/2026", "1/7/2026",
// optionally followed by a time "09:14" or "09:14:05") into ISO form
// ("2026-06-30", "2026-07-01 09:14:00"). ok is false when s is not such a
// date or names a day that does not exist.
func UKDateToISO(s string) (string, bool) { return SlashDateToISO(s, false) }

// SlashDateToISO is UKDateToISO with the month first when monthFirst is
// set ("7/1/2026" is 1 July 2026), as US exports write dates.
func SlashDateToISO(s string, monthFirst bool) (string, bool) {
	s = strings.TrimSpace(s)
	datePart, timePart, hasTime := strings.Cut(s, " ")
	parts := strings.Split(datePart, "/")
	if len(parts) != 3 {
		return "", false
	}
	if monthFirst {
		parts[0], parts[1] = parts[1], parts[0]
	}
	d, err1 := atoiDigits(parts[0], 1, 2)
	m, err2 := atoiDigits(parts[1], 1, 2)
	y, err3 := atoiDigits(parts[2], 4, 4)
	if !err1 || !err2 || !err3 || m < 1 || m > 12 || d < 1 || d > 31 || y < 1000 {
		return "", false
	}
	t := time.Date(y, time.Month(m), d, 0, 0, 0, 0, time.UTC)
	if t.Day() != d || int(t.Month()) != m {
		return "", false // 31/02/2026
	}
	out := t.Format("2006-01-02")
	if !hasTime {
		return out, true
	}
	timePart = strings.TrimSpace(timePart)
	var hh, mm, ss int
	tp := strings.Split(timePart, ":")
	if len(tp) < 2 || len(tp) > 3 {
		return "", false
	}
	var ok1, ok2, ok3 bool = false, false, true
	hh, ok1 = atoiDigits(tp[0], 1, 2)
	mm, ok2 = atoiDigits(tp[1], 2, 2)
	if len(tp) == 3 {
		ss, ok3 = atoiDigits(tp[2], 2, 2)
	}
	if !ok1 || !ok2 || !ok3 || hh > 23 || mm > 59 || ss > 59 {
		return "", false
	}
	return out + " " + clock(hh*3600+mm*60+ss), true
}

// atoiDigits parses s as an unsigned decimal of minLen..maxLen ASCII digits.
func atoiDigits(s string, minLen, maxLen int) (int, bool) {
	if len(s) < minLen || len(s) > maxLen {
		return 0, false
	}
	n := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return n, true
}

// excelErrors are the names of the error values a cell shows when its
// formula fails, as Excel writes them to xlsx and csv ("#REF!", "#N/A",
// "#NAME?"), without the mark that ends them.
var excelErrors = [...]string{"#NULL", "#DIV/0", "#VALUE", "#REF", "#NAME", "#NUM", "#N/A",
	"#GETTING_DATA", "#SPILL", "#CALC", "#FIELD", "#BLOCKED", "#CONNECT", "#BUSY", "#UNKNOWN",
	"#PYTHON", "#EXTERNAL"}

// isErrorValue reports whether a cell's text is a spreadsheet error value:
// one of Excel's, with its "!" or "?" or another (#REF!, #N/A, #NAME?, and
// the "#REF?" or "#REF" of other writers; any case, trimmed) or
// LibreOffice's "Err:502". An error value is never a header name nor a case
// ID: it stands where a formula failed.
func isErrorValue(s string) bool {
	s = strings.TrimSpace(s)
	if len(s) < 3 || len(s) > 15 {
		return false
	}
	if s[0] != '#' {
		_, ok := atoiDigits(strings.TrimPrefix(s, "Err:"), 3, 3)
		return ok && strings.HasPrefix(s, "Err:")
	}
	if c := s[len(s)-1]; c == '!' || c == '?' {
		s = s[:len(s)-1]
	}
	for _, e := range excelErrors {
		if strings.EqualFold(s, e) {
			return true
		}
	}
	return false
}
